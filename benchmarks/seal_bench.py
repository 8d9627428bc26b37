"""Seal suppression and page preparation, measured on real bills and on the synthetic corpus.

Prints counts and rates only: the real images carry personal data, so nothing of what is read
from them (no number, no text, no file name) is printed.

Real development set ($REAL_DEV_DIR, else ~/real-dev; labels from --labels, else labels.json
there, else /work/shared/data/real-dev/labels.json), each image read with seal suppression on
and off:
- the red invoice number: images whose labelled `invoice_number` appears in the page's OCR
  text (NFKC, spaces dropped);
- upright: images whose recorded rotations undo the labelled `orientation`;
- flattened: photos whose sheet outline was found and flattened;
- median seconds per page, and of the preprocessing steps alone.
Synthetic corpus: character recall on the pages whose stamp covers text, suppression on and off.

Usage: python benchmarks/seal_bench.py [--labels FILE] [--images DIR] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import unicodedata
from pathlib import Path

from claim_intake.evaluation.score import char_recall
from claim_intake.evaluation.truth import load_corpus
from claim_intake.ocr.engine import rapidocr_engine
from claim_intake.ocr.models import ReadResult
from claim_intake.ocr.options import PreprocessOptions, ReadOptions
from claim_intake.ocr.reader import read_bytes

ROOT = Path(__file__).resolve().parent.parent
SHARED_LABELS = Path("/work/shared/data/real-dev/labels.json")


def _normal(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if not ch.isspace()).upper()


def _reader(seal_suppression: bool):
    options = ReadOptions(preprocess=PreprocessOptions(seal_suppression=seal_suppression))
    engine = rapidocr_engine(options.rapidocr)
    return lambda data: read_bytes(data, options, lambda: engine)


def _turned(result: ReadResult) -> int:
    page = result.pages[0]
    return sum(int(t.params.get("degrees", 0)) for t in page.transforms if t.name == "rotate")


def real(images: Path, labels_path: Path) -> None:
    labels = json.loads(labels_path.read_text(encoding="utf-8"))
    present = [label for label in labels if (images / label["file"]).is_file()]
    if not present:
        print(f"real set: none of the {len(labels)} labelled images found in the images folder")
        return
    readers = {"on": _reader(True), "off": _reader(False)}
    numbers = {name: 0 for name in readers}
    upright = {name: 0 for name in readers}
    flattened = {name: 0 for name in readers}
    seconds = {name: [] for name in readers}
    preprocess = {name: [] for name in readers}
    photos = sum(1 for label in present if label.get("capture") == "photo")
    with_number = sum(1 for label in present if label["fields"].get("invoice_number"))
    for label in present:
        data = (images / label["file"]).read_bytes()
        for name, read in readers.items():
            result = read(data)
            page = result.pages[0]
            number = label["fields"].get("invoice_number")
            if number and _normal(str(number)) in _normal("".join(line.text for line in page.lines)):
                numbers[name] += 1
            if (_turned(result) + int(label.get("orientation", 0))) % 360 == 0:
                upright[name] += 1
            if label.get("capture") == "photo" and any(t.name == "perspective" for t in page.transforms):
                flattened[name] += 1
            seconds[name].append(result.seconds)
            preprocess[name].append(page.timings["preprocess"])
    print(f"real set: {len(present)} images ({photos} photos), {with_number} with a labelled invoice number")
    for name in readers:
        print(f"  seal suppression {name:3s}  invoice number read {numbers[name]}/{with_number} "
              f"({numbers[name] / with_number:.3f})   upright {upright[name]}/{len(present)}   "
              f"photos flattened {flattened[name]}/{photos}   "
              f"median {statistics.median(seconds[name]):.2f} s/page "
              f"(preprocessing {statistics.median(preprocess[name]):.3f} s)")


def stamps(corpus: Path) -> None:
    readers = {"on": _reader(True), "off": _reader(False)}
    recall = {name: [] for name in readers}
    for bundle in load_corpus(corpus):
        for doc in bundle.documents:
            if doc.capture == "stamp_over_amount" and doc.text and doc.pages == (1,):
                data = (bundle.folder / doc.file).read_bytes()
                truth = "".join(doc.text[0])
                for name, read in readers.items():
                    recall[name].append(char_recall(truth, "".join(p.text for p in read(data).pages)))
    if not recall["on"]:
        print("synthetic corpus: no stamp-over-text pages")
        return
    print(f"synthetic corpus, stamp over text ({len(recall['on'])} pages): char recall with suppression "
          f"{statistics.fmean(recall['on']):.4f}, without {statistics.fmean(recall['off']):.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description="seal suppression and page preparation figures")
    parser.add_argument("--images", type=Path, default=Path(os.environ.get("REAL_DEV_DIR") or Path.home() / "real-dev"))
    parser.add_argument("--labels", type=Path, default=None)
    parser.add_argument("--corpus", type=Path, default=ROOT / "samples" / "corpus")
    args = parser.parse_args()
    labels = args.labels or next(
        (p for p in (args.images / "labels.json", SHARED_LABELS) if p.is_file()), None
    )
    if args.images.is_dir() and labels is not None:
        real(args.images, labels)
    else:
        print("real set: no images folder or labels file; skipped")
    stamps(args.corpus)


if __name__ == "__main__":
    main()
