"""Milliseconds per page of the extraction stage alone (classification, fields, cross-checks).

Reads the corpus's pages once from the recorded OCR answers (tests/recordings/corpus.json, no OCR
run), then times `extract_documents` on every file's pages several times and prints the median
per page. Extraction changes leave OCR's cost as it is; this says what they add to the time per
page `claim-intake eval` reports. Compare two versions back to back (same machine, same load):
PYTHONPATH=<other checkout> python benchmarks/extract_speed.py. Usage: [--runs N] [CORPUS]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from claim_intake.errors import UnreadableFileError
from claim_intake.extract.documents import extract_documents
from claim_intake.intake.settings import Settings
from claim_intake.ocr.reader import read_bytes
from claim_intake.ocr.replay import ReplayEngine

ROOT = Path(__file__).resolve().parent.parent
MATERIAL = {".jpg", ".jpeg", ".png", ".pdf", ".webp", ".bmp", ".tif", ".tiff", ".gif"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=ROOT / "samples" / "corpus")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    settings = Settings()
    recorded = ReplayEngine(ROOT / "tests" / "recordings" / "corpus.json")
    files = sorted(p for p in args.corpus.rglob("*") if p.suffix.lower() in MATERIAL)
    pages = []
    for path in files:
        try:
            pages.append(read_bytes(path.read_bytes(), settings.read, lambda: recorded).pages)
        except UnreadableFileError:  # the corpus's unreadable files have no pages to extract
            continue
    per_page: list[float] = []
    for _ in range(args.runs):
        for file_pages in pages:
            started = time.perf_counter()
            extract_documents(file_pages)
            per_page.append((time.perf_counter() - started) * 1000 / max(len(file_pages), 1))
    print(f"{len(pages)} files, {sum(len(p) for p in pages)} pages, {args.runs} runs")
    print(f"extraction: median {statistics.median(per_page):.2f} ms/page, p95 {sorted(per_page)[int(0.95 * len(per_page))]:.2f} ms/page")


if __name__ == "__main__":
    main()
