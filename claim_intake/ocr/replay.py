"""An engine that plays back what a real engine answered for the same pixels.

Fast tests run the whole pipeline (preprocessing, orientation, extraction, rules) on recorded
real OCR output instead of a hand-written fake. Record with a real engine passed as
``recorder``; a replay that meets pixels it has no recording for says so instead of guessing.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from claim_intake.errors import ClaimIntakeError
from claim_intake.ocr.engine import OcrEngine, Quad
from claim_intake.ocr.models import EngineInfo


class ReplayMissError(ClaimIntakeError):
    code = "replay_miss"


def _key(stage: str, arrays: list[np.ndarray]) -> str:
    digest = hashlib.sha256(stage.encode())
    for array in arrays:
        digest.update(str(array.shape).encode())
        digest.update(np.ascontiguousarray(array).tobytes())
    return f"{stage}:{digest.hexdigest()[:32]}"


class ReplayEngine:
    def __init__(self, recording: Path, recorder: OcrEngine | None = None) -> None:
        self._path = recording
        self._recorder = recorder
        stored = json.loads(recording.read_text(encoding="utf-8")) if recording.exists() else {}
        self._answers: dict[str, list] = stored.get("answers", {})
        recorded = recorder.info if recorder else EngineInfo.model_validate(stored["engine"]) if stored else None
        self.recorded_with = recorded
        self.info = EngineInfo(name="replay", version=recorded.version if recorded else "0", models=recorded.models if recorded else ())

    def _answer(self, stage: str, arrays: list[np.ndarray], live):
        key = _key(stage, arrays)
        if key in self._answers:
            return self._answers[key]
        if self._recorder is None:
            raise ReplayMissError(
                f"no recorded {stage} answer for these pixels in {self._path}; "
                "re-record with `make record` after changing preprocessing or samples"
            )
        answer = live()
        self._answers[key] = answer
        return answer

    def detect(self, image: np.ndarray) -> list[Quad]:
        answer = self._answer(
            "detect", [image], lambda: [q.round(3).tolist() for q in self._recorder.detect(image)]
        )
        return [np.asarray(q, dtype=np.float32) for q in answer]

    def classify(self, crops: list[np.ndarray]) -> list[tuple[int, float]]:
        answer = self._answer("classify", crops, lambda: [list(r) for r in self._recorder.classify(crops)])
        return [(int(angle), float(score)) for angle, score in answer]

    def recognise(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        answer = self._answer("recognise", crops, lambda: [list(r) for r in self._recorder.recognise(crops)])
        return [(str(text), float(score)) for text, score in answer]

    def save(self) -> None:
        payload = {
            "engine": self.recorded_with.model_dump(mode="json") if self.recorded_with else None,
            "answers": dict(sorted(self._answers.items())),
        }
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._path.write_text(json.dumps(payload, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
