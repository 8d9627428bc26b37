"""The OCR stage's figures, measured in one run on the corpus (issue [2/7 ocr]).

Prints:
- photographed pages: median seconds per page for claim-intake and for RapidOCR called with its
  defaults on the same pages, the ratio, and both engines' character recall against the ground
  truth text;
- text-layer PDF pages: median seconds per page, and that no OCR ran;
- rotated pages (90/180/270): character recall against the upright reading of the same page;
- peak RSS over 300 consecutive pages, sampled every 25 pages;
- character recall with and without stamp suppression on pages whose stamp covers text.

Usage: python benchmarks/ocr_bench.py [--corpus DIR] [--rss-pages 300] [--limit N]
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import statistics
import time
from pathlib import Path

from PIL import Image

from claim_intake.evaluation.score import char_recall
from claim_intake.evaluation.truth import load_corpus
from claim_intake.ocr.engine import (
    CLS_MODEL,
    DET_MODEL,
    REC_MODEL,
    rapidocr_engine,
    wheel_models_dir,
)
from claim_intake.ocr.options import PreprocessOptions, ReadOptions
from claim_intake.ocr.reader import read_bytes

ROOT = Path(__file__).resolve().parent.parent


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _pages(corpus: Path, captures: set[str]):
    """(file bytes, ground-truth text of its first page) for single-page documents of a capture."""
    for bundle in load_corpus(corpus):
        for doc in bundle.documents:
            if doc.capture in captures and doc.text and doc.pages == (1,):
                yield doc.capture, (bundle.folder / doc.file).read_bytes(), "".join(doc.text[0])


def _ours(options: ReadOptions):
    engine = rapidocr_engine(options.rapidocr)
    return lambda data: read_bytes(data, options, lambda: engine)


def _rapidocr_defaults():
    from rapidocr import RapidOCR

    models = wheel_models_dir()
    engine = RapidOCR(params={
        "Global.log_level": "warning",
        "Det.model_path": str(models / DET_MODEL),
        "Rec.model_path": str(models / REC_MODEL),
        "Cls.model_path": str(models / CLS_MODEL),
    })
    return lambda data: engine(data)


def _timed(fn, data):
    started = time.perf_counter()
    result = fn(data)
    return time.perf_counter() - started, result


def photos(corpus: Path, limit: int) -> None:
    ours, theirs = _ours(ReadOptions()), _rapidocr_defaults()
    pages = list(itertools.islice(_pages(corpus, {"photo"}), limit))
    if not pages:
        print("photos: no photographed pages in the corpus")
        return
    ours(pages[0][1])
    theirs(pages[0][1])  # both engines loaded before timing
    rows = []
    for _, data, truth in pages:
        t_ours, ours_result = _timed(ours, data)
        t_theirs, theirs_result = _timed(theirs, data)
        rows.append((t_ours, t_theirs, char_recall(truth, "".join(p.text for p in ours_result.pages)),
                     char_recall(truth, "".join(theirs_result.txts or ()))))
    ours_median = statistics.median(r[0] for r in rows)
    theirs_median = statistics.median(r[1] for r in rows)
    print(f"photographed pages: {len(rows)}")
    print(f"  claim-intake        median {ours_median:.2f} s/page   char recall {statistics.fmean(r[2] for r in rows):.4f}")
    print(f"  RapidOCR defaults   median {theirs_median:.2f} s/page   char recall {statistics.fmean(r[3] for r in rows):.4f}")
    print(f"  speed-up            {theirs_median / ours_median:.2f}x")


def text_layer(corpus: Path) -> None:
    read = _ours(ReadOptions())
    seconds, engines = [], set()
    for _, data, _ in _pages(corpus, {"text_pdf"}):
        elapsed, result = _timed(read, data)
        seconds.append(elapsed / len(result.pages))
        engines.add(result.engine)
    if seconds:
        print(f"text-layer PDF pages: {len(seconds)}   median {statistics.median(seconds):.3f} s/page   "
              f"OCR engine used: {'none' if engines == {None} else engines}")


def rotations(corpus: Path, limit: int) -> None:
    read = _ours(ReadOptions())
    diffs: dict[int, list[float]] = {90: [], 180: [], 270: []}
    for _, data, truth in itertools.islice(_pages(corpus, {"clean", "scan"}), limit):
        upright = char_recall(truth, "".join(p.text for p in read(data).pages))
        image = Image.open(io.BytesIO(data))
        for degrees, points in diffs.items():
            buf = io.BytesIO()
            image.rotate(-degrees, expand=True).save(buf, "PNG")
            turned = char_recall(truth, "".join(p.text for p in read(buf.getvalue()).pages))
            points.append((turned - upright) * 100)
    for degrees, values in diffs.items():
        if values:
            print(f"rotated {degrees:3d}: char recall vs upright {statistics.fmean(values):+.2f} points "
                  f"(worst {min(values):+.2f}) over {len(values)} pages")


def rss(corpus: Path, total: int) -> None:
    read = _ours(ReadOptions())
    pages = [data for _, data, _ in _pages(corpus, {"photo", "scan", "clean"})]
    if not pages:
        return
    samples = []
    for n, data in enumerate(itertools.islice(itertools.cycle(pages), total), start=1):
        read(data)
        if n % 25 == 0:
            samples.append((n, _rss_mb()))
    print("RSS (MB) after pages: " + "  ".join(f"{n}:{mb:.0f}" for n, mb in samples))
    after_warmup = [mb for n, mb in samples if n >= 50]
    print(f"  peak {max(mb for _, mb in samples):.0f} MB; growth from page 50 to {total}: "
          f"{after_warmup[-1] - after_warmup[0]:+.0f} MB")


def stamps(corpus: Path) -> None:
    with_suppression = _ours(ReadOptions())
    without = _ours(ReadOptions(preprocess=PreprocessOptions(seal_suppression=False)))
    rows = []
    for _, data, truth in _pages(corpus, {"stamp_over_amount"}):
        rows.append((
            char_recall(truth, "".join(p.text for p in with_suppression(data).pages)),
            char_recall(truth, "".join(p.text for p in without(data).pages)),
        ))
    if rows:
        print(f"stamp over text ({len(rows)} pages): char recall with suppression "
              f"{statistics.fmean(r[0] for r in rows):.4f}, without {statistics.fmean(r[1] for r in rows):.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description="OCR stage figures")
    parser.add_argument("--corpus", type=Path, default=ROOT / "samples" / "corpus")
    parser.add_argument("--rss-pages", type=int, default=300)
    parser.add_argument("--limit", type=int, default=12, help="pages per comparison")
    args = parser.parse_args()
    photos(args.corpus, args.limit)
    text_layer(args.corpus)
    rotations(args.corpus, max(3, args.limit // 3))
    stamps(args.corpus)
    rss(args.corpus, args.rss_pages)


if __name__ == "__main__":
    main()
