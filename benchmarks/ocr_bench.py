"""The OCR stage's figures, measured in one run on the corpus (issues [2/7 ocr], [6/6 speed]).

Prints:
- photographed pages of every doc type (dense expense lists included), scans, and the real
  development set when its folder is present ($REAL_DEV_DIR, else ~/real-dev): claim-intake and
  RapidOCR with its defaults read each page in turn (who goes first alternates), so both see the
  same load on a shared machine; median seconds per page of each, the ratio per kind of page and
  over all photos, both engines' character recall against the ground truth text, and the field
  accuracy of each: the same extraction run on what each engine read (RapidOCR's lines become a
  page as they come, boxes and text, with no preprocessing of ours). The real bills have no
  ground truth text and carry personal data: for them only timings and how much of RapidOCR's
  text claim-intake also read are printed, never anything read;
- a profile of the densest and the sparsest photographed page: milliseconds per step;
- text-layer PDF pages: median seconds per page, and that no OCR ran;
- rotated pages (90/180/270): character recall against the upright reading of the same page;
- peak RSS over 300 consecutive pages, sampled every 25 pages;
- character recall with and without stamp suppression on pages whose stamp covers text.

claim-intake runs with the settings of the environment (``CLAIM_INTAKE_READ__...``), so each
lever can be measured against the defaults, e.g. ``CLAIM_INTAKE_READ__RAPIDOCR__REC_SESSIONS=1``.

Usage: python benchmarks/ocr_bench.py [--corpus DIR] [--real-dev DIR] [--rss-pages 300]
       [--limit N] [--only photos,profile,scans,real,text,rotations,stamps,rss]
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import statistics
import time
from pathlib import Path
from typing import NamedTuple

from PIL import Image

from claim_intake.evaluation.score import Scores, char_recall
from claim_intake.evaluation.truth import TruthDocument, load_corpus
from claim_intake.extract.documents import extract_documents
from claim_intake.intake.settings import Settings
from claim_intake.ocr.engine import (
    CLS_MODEL,
    DET_MODEL,
    REC_MODEL,
    rapidocr_engine,
    wheel_models_dir,
)
from claim_intake.ocr.models import Page, PageSource, make_line
from claim_intake.ocr.options import ReadOptions
from claim_intake.ocr.reader import read_bytes

ROOT = Path(__file__).resolve().parent.parent


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class Sample(NamedTuple):
    kind: str
    data: bytes
    text: str | None
    """Ground-truth text; None where there is none (the real bills)."""
    truth: TruthDocument | None = None


def _pages(corpus: Path, captures: set[str]):
    """Samples of the single-page documents of these captures."""
    for bundle in load_corpus(corpus):
        for doc in bundle.documents:
            if doc.capture in captures and doc.text and doc.pages == (1,):
                yield Sample(doc.doc_type, (bundle.folder / doc.file).read_bytes(), "".join(doc.text[0]), doc)


def _settings_read() -> ReadOptions:
    return Settings().read


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


def _rapidocr_page(result) -> Page:
    """RapidOCR's reading as a page of ours, boxes and text as they come."""
    height, width = result.img.shape[:2]
    lines = [
        make_line(text, score, tuple(map(tuple, box)), (width, height))
        for box, text, score in zip(result.boxes if result.boxes is not None else (), result.txts or (), result.scores or ())
    ]
    lines.sort(key=lambda line: (line.box[1] + line.box[3], line.box[0]))
    return Page(number=1, width=width, height=height, source_width=width, source_height=height,
                source=PageSource.ocr, lines=tuple(lines))


def _fields(truth: TruthDocument | None, pages) -> tuple[int, int]:
    """(right, labelled) fields of the document on the page, as `claim-intake eval` scores them."""
    if truth is None:
        return 0, 0
    documents = extract_documents(pages)
    found = next((d for d in documents if 1 in d.pages), None)
    scores = Scores()
    scores.score_document("", truth, (found.doc_type.value, {n: f.value for n, f in found.fields.items()}) if found else None)
    return scores.fields.right, scores.fields.total


def _timed(fn, data):
    started = time.perf_counter()
    result = fn(data)
    return time.perf_counter() - started, result


class Row(NamedTuple):
    kind: str
    ours_s: float
    theirs_s: float
    ours_recall: float | None
    theirs_recall: float | None
    ours_fields: tuple[int, int] = (0, 0)
    theirs_fields: tuple[int, int] = (0, 0)


def _race(pages: list[Sample]) -> list[Row]:
    """Both engines on every page, alternating which goes first."""
    ours, theirs = _ours(_settings_read()), _rapidocr_defaults()
    ours(pages[0].data)
    theirs(pages[0].data)  # both engines loaded before timing
    rows = []
    for n, (kind, data, truth, document) in enumerate(pages):
        if n % 2:
            t_theirs, theirs_result = _timed(theirs, data)
            t_ours, ours_result = _timed(ours, data)
        else:
            t_ours, ours_result = _timed(ours, data)
            t_theirs, theirs_result = _timed(theirs, data)
        ours_text = "".join(p.text for p in ours_result.pages)
        theirs_text = "".join(theirs_result.txts or ())
        if truth is None:  # how much of RapidOCR's reading ours also has: no truth to compare with
            rows.append(Row(kind, t_ours, t_theirs, char_recall(theirs_text, ours_text), None))
        else:
            rows.append(Row(
                kind, t_ours, t_theirs, char_recall(truth, ours_text), char_recall(truth, theirs_text),
                _fields(document, ours_result.pages), _fields(document, [_rapidocr_page(theirs_result)]),
            ))
    return rows


def _recall(values) -> str:
    values = [v for v in values if v is not None]
    return f"{statistics.fmean(values):.4f}" if values else "   -  "


def _accuracy(tallies) -> str:
    right, total = map(sum, zip(*tallies, strict=True))
    return f"{right / total:.3f}" if total else "  -  "


def _table(title: str, rows: list[Row]) -> None:
    print(f"{title}: {len(rows)} pages, both engines alternating page by page")
    print(f"  {'kind':22} {'pages':>5} {'ours s':>7} {'RapidOCR s':>10} {'ratio':>6} {'recall ours':>11} {'theirs':>7}"
          f" {'fields ours':>11} {'theirs':>6}")
    kinds = sorted({r.kind for r in rows})
    for kind in [*kinds, "all"] if len(kinds) > 1 else kinds:
        group = [r for r in rows if kind in (r.kind, "all")]
        ours_median = statistics.median(r.ours_s for r in group)
        theirs_median = statistics.median(r.theirs_s for r in group)
        print(f"  {kind:22} {len(group):5d} {ours_median:7.2f} {theirs_median:10.2f} {theirs_median / ours_median:5.2f}x "
              f"{_recall(r.ours_recall for r in group):>11} {_recall(r.theirs_recall for r in group):>7}"
              f" {_accuracy(r.ours_fields for r in group):>11} {_accuracy(r.theirs_fields for r in group):>6}")


def photos(corpus: Path, limit: int) -> None:
    pages = list(_pages(corpus, {"photo"}))
    if not pages:
        print("photos: no photographed pages in the corpus")
        return
    _table("photographed pages (corpus)", _race(pages[:limit]))


def scans(corpus: Path, limit: int) -> None:
    pages = list(_pages(corpus, {"scan"}))
    if pages:
        _table("scanned pages (corpus)", _race(pages[:limit]))


def real_dev(folder: Path, limit: int) -> None:
    images = sorted(p for p in folder.glob("*") if p.suffix.lower() in {".jpg", ".jpeg", ".png"}) if folder.is_dir() else []
    if not images:
        print(f"real development set: not present at {folder}")
        return
    rows = _race([Sample("real bills", p.read_bytes(), None) for p in images[:limit]])
    _table("real development set (recall ours = share of RapidOCR's characters claim-intake also read)", rows)


def profile(corpus: Path, runs: int = 3) -> None:
    """Where the milliseconds of one dense and one sparse photographed page go."""
    read = _ours(_settings_read())
    pages = [(p.kind, p.data, read(p.data)) for p in _pages(corpus, {"photo"})]
    if not pages:
        return
    by_lines = sorted(pages, key=lambda p: len(p[2].pages[0].lines))
    for label, (kind, data, _) in (("dense", by_lines[-1]), ("sparse", by_lines[0])):
        results = [read(data) for _ in range(runs)]
        steps = results[0].pages[0].timings
        lines = len(results[0].pages[0].lines)
        medians = {step: statistics.median(r.pages[0].timings[step] for r in results) * 1000 for step in steps}
        total = statistics.median(r.seconds for r in results) * 1000
        rest = total - sum(medians.values())
        print(f"profile, {label} page ({kind}, {lines} lines), median of {runs}: {total:.0f} ms = "
              + " + ".join(f"{step} {ms:.0f}" for step, ms in medians.items()) + f" + other (unread-ink search, line assembly) {rest:.0f}")


def text_layer(corpus: Path) -> None:
    read = _ours(_settings_read())
    seconds, engines = [], set()
    for page in _pages(corpus, {"text_pdf"}):
        elapsed, result = _timed(read, page.data)
        seconds.append(elapsed / len(result.pages))
        engines.add(result.engine)
    if seconds:
        print(f"text-layer PDF pages: {len(seconds)}   median {statistics.median(seconds):.3f} s/page   "
              f"OCR engine used: {'none' if engines == {None} else engines}")


def rotations(corpus: Path, limit: int) -> None:
    read = _ours(_settings_read())
    diffs: dict[int, list[float]] = {90: [], 180: [], 270: []}
    for _, data, truth, _ in itertools.islice(_pages(corpus, {"clean", "scan"}), limit):
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
    read = _ours(_settings_read())
    pages = [page.data for page in _pages(corpus, {"photo", "scan", "clean"})]
    if not pages:
        return
    samples = []
    for n, data in enumerate(itertools.islice(itertools.cycle(pages), total), start=1):
        read(data)
        if n % 25 == 0:
            samples.append((n, _rss_mb()))
            print(f"  after {n} pages: {samples[-1][1]:.0f} MB", flush=True)
    print("RSS (MB) after pages: " + "  ".join(f"{n}:{mb:.0f}" for n, mb in samples))
    after_warmup = [mb for n, mb in samples if n >= 50]
    print(f"  peak {max(mb for _, mb in samples):.0f} MB; growth from page 50 to {total}: "
          f"{after_warmup[-1] - after_warmup[0]:+.0f} MB")


def stamps(corpus: Path) -> None:
    options = _settings_read()
    with_suppression = _ours(options)
    without = _ours(options.model_copy(update={"preprocess": options.preprocess.model_copy(update={"seal_suppression": False})}))
    rows = []
    for _, data, truth, _ in _pages(corpus, {"stamp_over_amount"}):
        rows.append((
            char_recall(truth, "".join(p.text for p in with_suppression(data).pages)),
            char_recall(truth, "".join(p.text for p in without(data).pages)),
        ))
    if rows:
        print(f"stamp over text ({len(rows)} pages): char recall with suppression "
              f"{statistics.fmean(r[0] for r in rows):.4f}, without {statistics.fmean(r[1] for r in rows):.4f}")


SECTIONS = ("photos", "profile", "scans", "real", "text", "rotations", "stamps", "rss")


def main() -> None:
    parser = argparse.ArgumentParser(description="OCR stage figures")
    parser.add_argument("--corpus", type=Path, default=ROOT / "samples" / "corpus")
    parser.add_argument("--real-dev", type=Path, default=Path(os.environ.get("REAL_DEV_DIR") or Path.home() / "real-dev"))
    parser.add_argument("--rss-pages", type=int, default=300)
    parser.add_argument("--limit", type=int, default=40, help="pages per comparison")
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections to run")
    args = parser.parse_args()
    only = set(args.only.split(","))
    if unknown := only - set(SECTIONS):
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    if "photos" in only:
        photos(args.corpus, args.limit)
    if "profile" in only:
        profile(args.corpus)
    if "scans" in only:
        scans(args.corpus, args.limit)
    if "real" in only:
        real_dev(args.real_dev, args.limit)
    if "text" in only:
        text_layer(args.corpus)
    if "rotations" in only:
        rotations(args.corpus, max(3, args.limit // 10))
    if "stamps" in only:
        stamps(args.corpus)
    if "rss" in only:
        rss(args.corpus, args.rss_pages)


if __name__ == "__main__":
    main()
