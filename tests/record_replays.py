"""Re-records the real OCR answers that the fast suite replays: `make record`.

Run it after changing preprocessing, the sample bundles or the corpus; commit the recordings
with the change. Each folder of bundles gets its own recording.
"""

from __future__ import annotations

import sys
from pathlib import Path

from claim_intake.errors import ClaimIntakeError
from claim_intake.ocr.engine import rapidocr_engine
from claim_intake.ocr.options import ReadOptions
from claim_intake.ocr.reader import read_bytes
from claim_intake.ocr.replay import ReplayEngine

ROOT = Path(__file__).resolve().parent.parent
RECORDINGS = ROOT / "tests" / "recordings"
SOURCES = {"sample_bundles": ROOT / "samples" / "bundles", "corpus": ROOT / "samples" / "corpus"}


def record(name: str, folder: Path, only: str | None = None) -> None:
    """``only``: add the answers of that one bundle of the folder, keeping the others'."""
    options = ReadOptions()
    path = RECORDINGS / f"{name}.json"
    if only is None:
        path.unlink(missing_ok=True)
    replay = ReplayEngine(path, recorder=rapidocr_engine(options.rapidocr))
    for file in sorted(p for p in folder.rglob("*") if p.is_file() and p.parent != folder
                       and (only is None or p.parent.name == only)):
        try:
            read_bytes(file.read_bytes(), options, lambda: replay)
        except ClaimIntakeError as exc:  # unreadable uploads are part of the corpus
            print("unreadable", file.relative_to(ROOT), type(exc).__name__)
        else:
            print("recorded", file.relative_to(ROOT))
    replay.save()


def main() -> None:
    """``record_replays.py [NAME...]``, or ``record_replays.py corpus --add BUNDLE`` for a new bundle."""
    args = sys.argv[1:]
    if "--add" in args:
        name, _, bundle = args
        record(name, SOURCES[name], only=bundle)
        return
    for name in args or SOURCES:
        record(name, SOURCES[name])


if __name__ == "__main__":
    main()
