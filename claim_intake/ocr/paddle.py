"""The same three stages on the ``paddleocr`` package (Paddle Inference, CPU or GPU).

Optional: ``pip install claim-intake[paddle]``. Models come from local directories named in
settings; a missing directory is a clear error before anything is imported or loaded, and the
package is never allowed to fetch models itself.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import numpy as np

from claim_intake.errors import ConfigurationError, ModelNotFoundError, OcrEngineError
from claim_intake.ocr.engine import Quad
from claim_intake.ocr.models import EngineInfo
from claim_intake.ocr.options import PaddleOcrOptions

_SETTING = "CLAIM_INTAKE_READ__PADDLEOCR__{}_MODEL_DIR"


def _model_dir(stage: str, path: Path | None) -> str:
    if path is None or not path.is_dir():
        shown = str(path) if path is not None else "(not set)"
        raise ModelNotFoundError(
            f"PaddleOCR {stage} model directory not found: {shown}. Set {_SETTING.format(stage.upper())} "
            "to a local directory holding the exported inference model; nothing is downloaded."
        )
    return str(path)


class PaddleOcrEngine:
    def __init__(self, options: PaddleOcrOptions) -> None:
        det_dir = _model_dir("det", options.det_model_dir)
        rec_dir = _model_dir("rec", options.rec_model_dir)
        cls_dir = _model_dir("cls", options.cls_model_dir)
        try:
            from paddleocr import TextDetection, TextLineOrientationClassification, TextRecognition
        except ImportError as exc:
            raise ConfigurationError(
                "the paddleocr engine needs the optional extra: pip install 'claim-intake[paddle]'"
            ) from exc
        self._det = TextDetection(model_name=options.det_model_name, model_dir=det_dir, device=options.device)
        self._rec = TextRecognition(model_name=options.rec_model_name, model_dir=rec_dir, device=options.device)
        self._cls = TextLineOrientationClassification(
            model_name=options.cls_model_name, model_dir=cls_dir, device=options.device
        )
        self.info = EngineInfo(
            name="paddleocr",
            version=metadata.version("paddleocr"),
            models=(options.det_model_name, options.rec_model_name, options.cls_model_name),
        )

    def detect(self, image: np.ndarray) -> list[Quad]:
        try:
            (result,) = self._det.predict(image, batch_size=1)
        except Exception as exc:  # Paddle's errors carry no type we can rely on
            raise OcrEngineError(f"text detection failed: {exc}") from exc
        return [np.asarray(poly, dtype=np.float32).reshape(4, 2) for poly in result["dt_polys"]]

    def classify(self, crops: list[np.ndarray]) -> list[tuple[int, float]]:
        if not crops:
            return []
        try:
            results = self._cls.predict(crops, batch_size=len(crops))
        except Exception as exc:
            raise OcrEngineError(f"line orientation failed: {exc}") from exc
        return [(180 if int(r["class_ids"][0]) == 1 else 0, float(r["scores"][0])) for r in results]

    def recognise(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        if not crops:
            return []
        try:
            results = self._rec.predict(crops, batch_size=8)
        except Exception as exc:
            raise OcrEngineError(f"text recognition failed: {exc}") from exc
        return [(str(r["rec_text"]), float(r["rec_score"])) for r in results]
