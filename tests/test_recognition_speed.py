"""The speed levers of recognition and of the embedded reader keep what is read the same."""

from __future__ import annotations

import os
import sys
from concurrent.futures.process import BrokenProcessPool

import numpy as np
import pytest

from claim_intake.errors import ConfigurationError, OcrEngineError
from claim_intake.ocr.engine import RapidOcrEngine, engine_factory
from claim_intake.ocr.options import RapidOcrOptions, ReadOptions
from claim_intake.pipeline import read_upload
from claim_intake.workers.read_process import ChildProcessReader
from tests.test_ocr_real import LINES, _encode, _page

pytestmark = pytest.mark.ocr


def _line_crops() -> list[np.ndarray]:
    """The test page's lines cut out as the page reader cuts them, in BGR, plus a short number."""
    image, boxes = _page()
    pixels = np.asarray(image)[:, :, ::-1]
    crops = [np.ascontiguousarray(pixels[y0 - 8:y1 + 8, x0 - 8:x1 + 8]) for x0, y0, x1, y1 in boxes]
    _, y0, x1, y1 = boxes[1]
    crops.append(np.ascontiguousarray(pixels[y0 - 8:y1 + 8, x1 - 230:x1 + 8]))  # "0012345678"
    return crops


def test_two_sessions_read_exactly_what_one_session_reads() -> None:
    crops = _line_crops()
    one = RapidOcrEngine(RapidOcrOptions(rec_sessions=1)).recognise(crops)
    two = RapidOcrEngine(RapidOcrOptions(rec_sessions=2)).recognise(crops)
    assert two == one
    assert [text for text, _ in one[: len(LINES)]] == LINES
    assert one[-1][0].endswith("0012345678")


@pytest.mark.parametrize("min_width, batch", [(96, 2), (320, 8)])
def test_narrow_batches_read_the_lines_as_rapidocrs_padding_does(min_width: int, batch: int) -> None:
    engine = RapidOcrEngine(RapidOcrOptions(rec_min_width=min_width, rec_batch_num=batch))
    read = engine.recognise(_line_crops())
    assert [text for text, _ in read[: len(LINES)]] == LINES
    assert all(score > 0.9 for _, score in read)


def test_the_child_process_reads_what_this_process_reads() -> None:
    options = ReadOptions()
    data = _encode(_page()[0], "PNG")
    reader = ChildProcessReader()
    try:
        in_child = reader("page.png", data, options, engine_factory(options))
    finally:
        reader.shutdown()
    here = read_upload("page.png", data, options, engine_factory(options))
    assert [line.text for line in in_child.pages[0].lines] == [line.text for line in here.pages[0].lines]
    assert in_child.documents == here.documents


def _die(*_: object) -> None:
    os._exit(1)


def test_a_reader_process_that_dies_is_a_retryable_error_and_the_next_read_works() -> None:
    options = ReadOptions()
    data = _encode(_page()[0], "PNG")
    reader = ChildProcessReader()
    try:
        pool = reader._pool
        future = pool.submit(_die)
        with pytest.raises(BrokenProcessPool):
            future.result()
        with pytest.raises(OcrEngineError) as err:
            reader("page.png", data, options, engine_factory(options))
        assert err.value.retryable
        again = reader("page.png", data, options, engine_factory(options))
    finally:
        reader.shutdown()
    assert [line.text for line in again.pages[0].lines] == LINES


def test_openvino_float32_detects_and_reads_what_onnx_runtime_does() -> None:
    page = np.ascontiguousarray(np.asarray(_page()[0])[:, :, ::-1])
    crops = _line_crops()
    on_ort = RapidOcrEngine(RapidOcrOptions(det_runtime="onnxruntime", rec_runtime="onnxruntime"))
    on_openvino = RapidOcrEngine(RapidOcrOptions(det_runtime="openvino", rec_runtime="openvino"))
    ort_quads, openvino_quads = on_ort.detect(page), on_openvino.detect(page)
    assert len(openvino_quads) == len(ort_quads) == len(LINES)
    for a, b in zip(ort_quads, openvino_quads, strict=True):
        assert np.abs(a - b).max() <= 1.0  # pixels
    ort_read, openvino_read = on_ort.recognise(crops), on_openvino.recognise(crops)
    assert [text for text, _ in openvino_read] == [text for text, _ in ort_read]
    assert [text for text, _ in openvino_read[: len(LINES)]] == LINES
    ort_angles, openvino_angles = on_ort.classify(crops), on_openvino.classify(crops)
    assert [angle for angle, _ in openvino_angles] == [angle for angle, _ in ort_angles]
    assert [score for _, score in openvino_angles] == pytest.approx([score for _, score in ort_angles], abs=1e-3)


def test_without_the_openvino_package_the_error_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "openvino", None)  # as if not installed: import raises
    with pytest.raises(ConfigurationError) as err:
        RapidOcrEngine(RapidOcrOptions(det_runtime="openvino"))
    assert "CLAIM_INTAKE_READ__RAPIDOCR__DET_RUNTIME" in err.value.message
    assert err.value.code == "configuration_error"
