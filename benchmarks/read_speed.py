"""Seconds per page of `claim-intake read` on the sample bundles' pages.

Runs the same reader the CLI runs, in one process (the models load once, as in a worker), over
every sample file several times, and prints the median seconds per page for OCR'd pages and for
text-layer pages. Usage: python benchmarks/read_speed.py [--runs N] [FOLDER...]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from claim_intake.intake.settings import Settings
from claim_intake.ocr.models import PageSource
from claim_intake.ocr.reader import read_bytes

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FOLDERS = [ROOT / "samples" / "bundles"]
MATERIAL = {".jpg", ".jpeg", ".png", ".pdf", ".webp", ".bmp", ".tif", ".tiff", ".gif"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, default=DEFAULT_FOLDERS)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    files = sorted(p for folder in args.folders for p in folder.rglob("*") if p.suffix.lower() in MATERIAL)
    settings = Settings()
    engine = settings.engine_factory()
    started = time.perf_counter()
    engine()  # model load is a per-process cost, not a per-page one
    print(f"engine load: {time.perf_counter() - started:.2f} s; threads={settings.read.rapidocr.threads or 'all cores'}")
    per_kind: dict[PageSource, list[float]] = {PageSource.ocr: [], PageSource.text_layer: []}
    per_file: dict[str, list[float]] = {}
    for _ in range(args.runs):
        for path in files:
            data = path.read_bytes()
            t0 = time.perf_counter()
            result = read_bytes(data, settings.read, engine)
            seconds = (time.perf_counter() - t0) / len(result.pages)
            per_file.setdefault(path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path), []).append(seconds)
            per_kind[result.pages[0].source].append(seconds)
    print(f"{'file':60} {'median s/page':>14}")
    for name, values in per_file.items():
        print(f"{name:60} {statistics.median(values):14.3f}")
    for kind, values in per_kind.items():
        if values:
            print(f"{kind.value} pages: median {statistics.median(values):.3f} s/page over {len(values)} page reads ({args.runs} runs)")


if __name__ == "__main__":
    main()
