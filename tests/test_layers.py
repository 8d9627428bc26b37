"""The black print of a line read with a coloured pre-printed title, split off and read again."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from claim_intake.ocr.engine import RapidOcrEngine, rapidocr_engine
from claim_intake.ocr.layers import black_layer, holds_title, reread_black_layers, sub_quad
from claim_intake.ocr.options import ReadOptions
from claim_intake.samples.fonts import font

PAPER = (238, 232, 214)
BROWN = (150, 78, 40)
BLACK = (45, 45, 48)
NAME = "上海市北浦区眼科医院"
TITLE = "医疗门(急)诊收费票据"


def _crop(name_ink: tuple[int, int, int] = BLACK, title_ink: tuple[int, int, int] = BROWN) -> np.ndarray:
    """A header line as a dot-matrix printer leaves it: the name struck half over the title."""
    image = Image.new("RGB", (760, 110), PAPER)
    draw = ImageDraw.Draw(image)
    draw.text((150, 8), TITLE, font=font("serif", 52), fill=title_ink)
    draw.text((20, 52), NAME, font=font("sans", 34), fill=name_ink)
    return np.ascontiguousarray(np.asarray(image)[:, :, ::-1])


def _dark(image: np.ndarray) -> np.ndarray:
    return image.mean(axis=2) < 160


def test_the_black_layer_keeps_the_name_and_drops_the_title() -> None:
    crop = _crop()
    layer = black_layer(crop)
    assert layer is not None
    x0, y0, x1, y1 = layer.box
    # Cut to the name: the lower half of the crop, the left two thirds; the title beyond is gone.
    assert y0 > 0.35 and y1 > 0.9
    assert x0 < 0.05 and x1 < 0.6
    only_title = black_layer(_crop(name_ink=PAPER))
    # Of the title's ink, next to nothing is left on the black layer.
    title_ink = _dark(_crop(name_ink=PAPER)).sum()
    name_ink = _dark(_crop(title_ink=PAPER)).sum()
    assert _dark(layer.image).sum() < name_ink + 0.1 * title_ink
    assert only_title is None


def test_a_crop_of_one_colour_of_ink_is_left_alone() -> None:
    assert black_layer(_crop(title_ink=BLACK)) is None


def test_the_trigger_is_a_title_read_with_more() -> None:
    titles = ReadOptions().preprocess.reread_titles
    assert holds_title("医北浦区科医诊收费票据", titles)
    assert not holds_title("医疗门(急)诊收费票据"[-4:], titles)
    assert not holds_title("江南市第六人民医院", titles)


def test_a_part_of_a_quad_maps_through_its_corners() -> None:
    quad = np.array([[100, 50], [500, 50], [500, 150], [100, 150]], dtype=np.float32)
    assert sub_quad(quad, (0.25, 0.5, 0.75, 1.0)).tolist() == [[200, 100], [400, 100], [400, 150], [200, 150]]


@pytest.fixture(scope="module")
def engine() -> RapidOcrEngine:
    return rapidocr_engine(ReadOptions().rapidocr)


@pytest.mark.ocr
def test_the_recogniser_reads_the_name_on_the_black_layer(engine: RapidOcrEngine) -> None:
    crop = _crop()
    quad = np.array([[0, 0], [760, 0], [760, 110], [0, 110]], dtype=np.float32)
    (as_read,) = engine.recognise([crop])
    rereads = reread_black_layers(engine, [crop], [quad], [as_read], ("收费票据",))
    if NAME in as_read[0]:
        pytest.fail(f"the render no longer garbles the line ({as_read[0]}): it tests nothing")
    assert [text for text, _, _ in rereads] == [NAME]
