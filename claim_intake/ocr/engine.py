"""OCR engines behind one interface.

An engine instance holds its loaded models; everything that varies per call is an argument.
The PP-OCR models come from the ``rapidocr`` wheel and are passed by path, so a missing model is a
clear error instead of RapidOCR's silent download.
"""

from __future__ import annotations

import functools
import logging
from importlib import metadata
from pathlib import Path
from typing import Protocol

import numpy as np

from claim_intake.errors import ModelNotFoundError, OcrEngineError
from claim_intake.ocr.models import EngineInfo, Polygon
from claim_intake.ocr.options import RapidOcrOptions

RawLine = tuple[str, float, Polygon]
"""text, confidence, polygon in the pixels of the image given to the engine."""


class OcrEngine(Protocol):
    info: EngineInfo

    def recognise(self, image: np.ndarray) -> list[RawLine]:
        """Reads a BGR image."""
        ...


DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"
CLS_MODEL = "ch_ppocr_mobile_v2.0_cls_mobile.onnx"


def _wheel_models_dir() -> Path:
    import rapidocr

    return Path(rapidocr.__file__).parent / "models"


class RapidOcrEngine:
    """PP-OCR det + rec (+ line angle classifier) on ONNX Runtime."""

    def __init__(self, options: RapidOcrOptions, models_dir: Path | None = None) -> None:
        from rapidocr import RapidOCR

        models_dir = models_dir or _wheel_models_dir()
        paths = {name: models_dir / name for name in (DET_MODEL, REC_MODEL, CLS_MODEL)}
        missing = [str(p) for p in paths.values() if not p.is_file()]
        if missing:
            raise ModelNotFoundError(
                "OCR model file(s) not found: " + ", ".join(missing)
                + ". Reinstall the pinned rapidocr wheel, which ships them; nothing is downloaded."
            )
        ort = {
            "intra_op_num_threads": options.threads or -1,
            "inter_op_num_threads": 1,
            # Keeps RSS flat in long-running workers (see shared/notes/performance.md).
            "enable_cpu_mem_arena": False,
        }
        params = {
            "Global.log_level": "warning",
            "Global.text_score": options.text_score,
            "Global.use_cls": options.use_angle_cls,
            "Det.model_path": str(paths[DET_MODEL]),
            "Det.limit_side_len": options.det_limit_side_len,
            "Det.limit_type": options.det_limit_type,
            "Rec.model_path": str(paths[REC_MODEL]),
            "Rec.rec_batch_num": options.rec_batch_num,
            "Cls.model_path": str(paths[CLS_MODEL]),
        } | {f"EngineConfig.onnxruntime.{k}": v for k, v in ort.items()}
        self._ocr = RapidOCR(params=params)
        logging.getLogger("RapidOCR").setLevel(logging.WARNING)
        self.info = EngineInfo(
            name="rapidocr",
            version=metadata.version("rapidocr"),
            models=(DET_MODEL, REC_MODEL) + ((CLS_MODEL,) if options.use_angle_cls else ()),
        )

    def recognise(self, image: np.ndarray) -> list[RawLine]:
        try:
            result = self._ocr(image)
        except Exception as exc:  # the engine's own failures carry no type we can rely on
            raise OcrEngineError(f"the OCR engine failed: {exc}") from exc
        if result.boxes is None or result.txts is None:
            return []
        return [
            (text, float(score), tuple((float(x), float(y)) for x, y in box))
            for box, text, score in zip(result.boxes, result.txts, result.scores, strict=True)
        ]


@functools.lru_cache(maxsize=4)
def rapidocr_engine(options: RapidOcrOptions) -> RapidOcrEngine:
    """One loaded engine per process and options; ONNX sessions are created on first use."""
    return RapidOcrEngine(options)
