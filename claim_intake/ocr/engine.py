"""OCR engines behind one interface: the three stage predictors a page reader composes.

An engine instance holds its loaded models; everything that varies per call is an argument.
The PP-OCR models come from the ``rapidocr`` wheel and are passed by path, so a missing model is a
clear error instead of RapidOCR's silent download.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Protocol

import numpy as np

from claim_intake.errors import ModelNotFoundError, OcrEngineError
from claim_intake.ocr.models import EngineInfo
from claim_intake.ocr.options import PaddleOcrOptions, RapidOcrOptions, ReadOptions
from claim_intake.ocr.recogniser import LineRecogniser
from claim_intake.ocr.sessions import model_runner

Quad = np.ndarray
"""(4, 2) float32 corners of a text line, clockwise from top left, in image pixels."""


class OcrEngine(Protocol):
    info: EngineInfo

    def detect(self, image: np.ndarray) -> list[Quad]:
        """Text lines in a BGR image, top to bottom."""
        ...

    def classify(self, crops: list[np.ndarray]) -> list[tuple[int, float]]:
        """For each line crop: 0 or 180 (degrees it is turned) and the confidence."""
        ...

    def recognise(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """For each line crop: its text and confidence."""
        ...


DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"
CLS_MODEL = "ch_ppocr_mobile_v2.0_cls_mobile.onnx"


def wheel_models_dir() -> Path:
    import rapidocr

    return Path(rapidocr.__file__).parent / "models"


class RapidOcrEngine:
    """PP-OCRv6 detection and recognition and the PP-OCR line angle classifier on ONNX Runtime."""

    def __init__(self, options: RapidOcrOptions, models_dir: Path | None = None) -> None:
        from rapidocr import RapidOCR

        models_dir = models_dir or wheel_models_dir()
        paths = {name: models_dir / name for name in (DET_MODEL, REC_MODEL, CLS_MODEL)}
        missing = [str(p) for p in paths.values() if not p.is_file()]
        if missing:
            raise ModelNotFoundError(
                "OCR model file(s) not found: " + ", ".join(missing)
                + ". Reinstall the pinned rapidocr wheel, which ships them; nothing is downloaded."
            )
        params = {
            "Global.log_level": "warning",
            "Det.model_path": str(paths[DET_MODEL]),
            "Det.limit_side_len": options.det_limit_side_len,
            "Det.limit_type": options.det_limit_type,
            "Cls.model_path": str(paths[CLS_MODEL]),
        }
        pipeline = RapidOCR(params=params)
        logging.getLogger("RapidOCR").setLevel(logging.WARNING)
        # The stage predictors of the pinned rapidocr release; we compose them ourselves so that
        # orientation, skew and the angle classifier run once per page instead of once per line.
        # Their sessions are replaced by our runners, built from our settings; recognition is ours.
        self._det = pipeline._load_det_model()
        self._det.session = model_runner(
            paths[DET_MODEL], options, options.det_threads, options.det_runtime, options.det_precision
        )
        self._cls = pipeline._load_cls_model()
        self._cls.session = model_runner(
            paths[CLS_MODEL], options, options.threads, options.det_runtime, options.det_precision
        )
        self._rec = LineRecogniser(
            [
                model_runner(paths[REC_MODEL], options, options.threads, options.rec_runtime, options.rec_precision)
                for _ in range(options.rec_sessions)
            ],
            batch_size=options.rec_batch_num,
            min_width=options.rec_min_width,
        )
        self.info = EngineInfo(
            name="rapidocr",
            version=metadata.version("rapidocr"),
            models=(DET_MODEL, REC_MODEL, CLS_MODEL),
        )

    def detect(self, image: np.ndarray) -> list[Quad]:
        try:
            result = self._det(image)
        except Exception as exc:  # the engine's own failures carry no type we can rely on
            raise OcrEngineError(f"text detection failed: {exc}") from exc
        if result.boxes is None:
            return []
        return [np.asarray(box, dtype=np.float32) for box in result.boxes]

    def classify(self, crops: list[np.ndarray]) -> list[tuple[int, float]]:
        if not crops:
            return []
        try:
            result = self._cls(crops)
        except Exception as exc:
            raise OcrEngineError(f"line orientation failed: {exc}") from exc
        return [(int(label), float(score)) for label, score in result.cls_res]

    def recognise(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        if not crops:
            return []
        try:
            return self._rec(crops)
        except Exception as exc:
            raise OcrEngineError(f"text recognition failed: {exc}") from exc


@functools.lru_cache(maxsize=4)
def rapidocr_engine(options: RapidOcrOptions) -> RapidOcrEngine:
    """One loaded engine per process and options."""
    return RapidOcrEngine(options)


@functools.lru_cache(maxsize=2)
def paddleocr_engine(options: PaddleOcrOptions) -> OcrEngine:
    from claim_intake.ocr.paddle import PaddleOcrEngine

    return PaddleOcrEngine(options)


@dataclass(frozen=True)
class ConfiguredEngine:
    """The engine the settings name, loaded on first use: text-layer PDFs never pay for it.

    A plain value (unlike a closure), so that a child process can be handed it and load its own.
    """

    options: ReadOptions

    def __call__(self) -> OcrEngine:
        if self.options.engine == "paddleocr":
            return paddleocr_engine(self.options.paddleocr)
        return rapidocr_engine(self.options.rapidocr)


def engine_factory(options: ReadOptions) -> ConfiguredEngine:
    return ConfiguredEngine(options)
