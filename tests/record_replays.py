"""Re-records the real OCR answers that the fast suite replays: `make record`.

Run it after changing preprocessing or the sample bundles; commit the recording with the change.
"""

from __future__ import annotations

from pathlib import Path

from claim_intake.ocr.engine import rapidocr_engine
from claim_intake.ocr.options import ReadOptions
from claim_intake.ocr.reader import read_bytes
from claim_intake.ocr.replay import ReplayEngine

ROOT = Path(__file__).resolve().parent.parent
RECORDING = ROOT / "tests" / "recordings" / "sample_bundles.json"
BUNDLES = ROOT / "samples" / "bundles"


def main() -> None:
    options = ReadOptions()
    RECORDING.unlink(missing_ok=True)
    replay = ReplayEngine(RECORDING, recorder=rapidocr_engine(options.rapidocr))
    for path in sorted(p for p in BUNDLES.rglob("*") if p.is_file() and p.parent != BUNDLES):
        read_bytes(path.read_bytes(), options, lambda: replay)
        print("recorded", path.relative_to(ROOT))
    replay.save()


if __name__ == "__main__":
    main()
