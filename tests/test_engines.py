"""Engine selection and the optional paddleocr engine's refusal without local models."""

from __future__ import annotations

from pathlib import Path

import pytest

from claim_intake.errors import ModelNotFoundError
from claim_intake.ocr.engine import RapidOcrEngine, engine_factory
from claim_intake.ocr.options import PaddleOcrOptions, RapidOcrOptions, ReadOptions


def test_paddleocr_without_model_directories_names_the_missing_one(tmp_path: Path) -> None:
    unset = ReadOptions(engine="paddleocr")
    with pytest.raises(ModelNotFoundError) as err:
        engine_factory(unset)()
    assert "det model directory not found: (not set)" in err.value.message
    assert "CLAIM_INTAKE_READ__PADDLEOCR__DET_MODEL_DIR" in err.value.message

    (tmp_path / "det").mkdir()
    missing_rec = tmp_path / "rec"
    options = ReadOptions(
        engine="paddleocr",
        paddleocr=PaddleOcrOptions(det_model_dir=tmp_path / "det", rec_model_dir=missing_rec, cls_model_dir=tmp_path),
    )
    with pytest.raises(ModelNotFoundError) as err:
        engine_factory(options)()
    assert f"rec model directory not found: {missing_rec}" in err.value.message


def test_a_missing_rapidocr_model_is_an_error_not_a_download(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError) as err:
        RapidOcrEngine(RapidOcrOptions(), models_dir=tmp_path)
    assert str(tmp_path / "PP-OCRv6_det_small.onnx") in err.value.message
    assert err.value.code == "model_not_found"
