"""Seal suppression on synthetic pages: seal ink fades, red and blue print stays."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image, ImageDraw

from claim_intake.ocr import seals
from claim_intake.ocr.preprocess import suppress_seals
from claim_intake.samples.fonts import font
from claim_intake.samples.stamps import hospital_stamp

WHITE = (255, 255, 255)
CREAM = (238, 222, 184)
"""Cream paper as a warm phone photo shows it (RGB)."""
RED_PRINT = (215, 40, 45)
BLUE_INK = (40, 70, 170)


def _page(paper=WHITE, stamp: Image.Image | None = None) -> tuple[np.ndarray, dict[str, tuple[int, int, int, int]]]:
    """A bill-like page (BGR): a red title, black amounts with a stamp over them, a red number
    just right of the stamp's rim; and the boxes of each."""
    img = Image.new("RGB", (1400, 800), paper)
    draw = ImageDraw.Draw(img)
    boxes = {}
    for name, xy, text, fill in (
        ("number", (500, 400), "NO.1350246781", RED_PRINT),
        ("title", (300, 60), "医疗门诊收费票据", RED_PRINT),
        ("amount", (160, 300), "金额合计 1234.50", (20, 20, 20)),
    ):
        draw.text(xy, text, font=font("serif", 48), fill=fill)
        boxes[name] = draw.textbbox(xy, text, font=font("serif", 48))
    if stamp is not None:
        img.paste(stamp, (180, 280), stamp)
        boxes["stamp"] = (180, 280, 180 + stamp.width, 280 + stamp.height)
    return np.ascontiguousarray(np.asarray(img)[:, :, ::-1]), boxes


def _ink(image: np.ndarray, box) -> np.ndarray:
    x0, y0, x1, y1 = box
    return image[y0:y1, x0:x1].reshape(-1, 3).astype(int)


def _reddish(pixels: np.ndarray) -> int:
    """Pixels clearly redder than they are green or blue."""
    return int((pixels[:, 2] - np.maximum(pixels[:, 0], pixels[:, 1]) > 60).sum())


def _ring(box) -> tuple[slice, slice]:
    x0, y0, x1, y1 = box
    return slice(y0, y1), slice(x0, x1)


def _blue_stamp(diameter: int = 300) -> Image.Image:
    """A round blue stamp: a rim and a date inside, as a 收费专用章 in blue pad ink."""
    stamp = Image.new("RGBA", (diameter, diameter), (0, 0, 0, 0))
    draw = ImageDraw.Draw(stamp)
    draw.ellipse((4, 4, diameter - 4, diameter - 4), outline=(*BLUE_INK, 230), width=9)
    draw.text((diameter / 2, diameter / 2), "2020-05-15", font=font("sans_bold", 34),
              fill=(*BLUE_INK, 230), anchor="mm")
    draw.text((diameter / 2, diameter * 0.72), "收费专用章", font=font("sans_bold", 30),
              fill=(*BLUE_INK, 230), anchor="mm")
    return stamp


def test_red_ring_stamp_fades_and_red_print_beside_it_stays() -> None:
    image, boxes = _page(stamp=hospital_stamp("上海市第一人民医院", diameter=300))
    assert _reddish(_ink(image, boxes["stamp"])) > 2000  # the stamp is there to fade

    out, applied = suppress_seals(image)

    assert applied is not None and applied.params["seals"] == 1
    assert _reddish(_ink(out, boxes["stamp"])) < 0.02 * _reddish(_ink(image, boxes["stamp"]))
    for name in ("number", "title"):
        assert (out[_ring(boxes[name])] == image[_ring(boxes[name])]).all(), name
    # The black amount under the stamp is as dark as before.
    amount = _ink(out, boxes["amount"]).max(axis=1)
    assert (amount < 80).sum() >= 0.9 * (_ink(image, boxes["amount"]).max(axis=1) < 80).sum()


def test_red_print_on_warm_paper_is_not_taken_for_a_seal() -> None:
    image, _ = _page(paper=CREAM)

    out, applied = suppress_seals(image)

    assert applied is None
    assert (out == image).all()


def test_stamp_on_warm_paper_fades_into_the_paper() -> None:
    image, boxes = _page(paper=CREAM, stamp=hospital_stamp("上海市第一人民医院", diameter=300))

    out, _ = suppress_seals(image)

    stamp = _ink(out, boxes["stamp"])
    assert _reddish(stamp) < 0.02 * _reddish(_ink(image, boxes["stamp"]))
    # Faded ink takes the paper's tone, not a grey patch.
    light = stamp[stamp.max(axis=1) > 150]
    assert np.abs(np.median(light, axis=0) - CREAM[::-1]).max() < 12
    assert (out[_ring(boxes["number"])] == image[_ring(boxes["number"])]).all()


def test_blue_stamp_fades_and_blue_handwriting_stays() -> None:
    image, boxes = _page(stamp=_blue_stamp())
    img = Image.fromarray(image[:, :, ::-1].copy())
    ImageDraw.Draw(img).text((700, 600), "已受理 6.1", font=font("serif", 48), fill=BLUE_INK)
    image = np.ascontiguousarray(np.asarray(img)[:, :, ::-1])
    note = (700, 600, 1000, 670)
    bluish = lambda px: int((px[:, 0] - px[:, 2] > 60).sum())
    assert bluish(_ink(image, boxes["stamp"])) > 2000

    out, applied = suppress_seals(image)

    assert applied is not None and applied.params["seals"] == 1
    assert bluish(_ink(out, boxes["stamp"])) < 0.05 * bluish(_ink(image, boxes["stamp"]))
    assert (out[_ring(note)] == image[_ring(note)]).all()


def test_seal_found_through_a_broken_rim() -> None:
    """A faint stamp's rim breaks into arcs; the arcs together still make the seal."""
    image, boxes = _page(stamp=hospital_stamp("上海市第一人民医院", diameter=300))
    x0, y0, x1, y1 = boxes["stamp"]
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
    for angle in range(0, 360, 45):  # eight gaps cut through the rim
        cv2.ellipse(image, (cx, cy), (160, 160), 0, angle, angle + 12, WHITE, thickness=40)

    ink = seals.find_seal_ink(image)

    assert ink.seals == 1


def test_a_page_without_colour_is_left_alone() -> None:
    image, _ = _page()
    grey = cv2.cvtColor(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)

    out, applied = suppress_seals(grey)

    assert applied is None and out is grey
