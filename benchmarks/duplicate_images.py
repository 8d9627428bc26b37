"""False matches of the page hash among real bills: every pair of images whose hashes are within
the ``duplicate_image`` threshold. The real development set holds different bills of a few
hospitals, so the goal is none. Each image is read as the service reads an upload (the real OCR
engine: its text lines frame the hash), a few seconds each.

    .venv/bin/python benchmarks/duplicate_images.py [IMAGES]   # default $REAL_DEV_DIR or ~/real-dev

Prints the number of images, the false matches (pairs within the threshold), and the smallest
distance between two different bills against the threshold. Nothing of the images is written.
"""

from __future__ import annotations

import itertools
import os
import sys
from pathlib import Path

from claim_intake.intake.duplicates import MAX_DISTANCE
from claim_intake.ocr.engine import engine_factory
from claim_intake.ocr.image_hash import BITS, distance
from claim_intake.ocr.options import ReadOptions
from claim_intake.ocr.reader import read_bytes


def main(argv: list[str]) -> int:
    folder = Path(argv[1] if len(argv) > 1 else os.environ.get("REAL_DEV_DIR", Path.home() / "real-dev"))
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in {".jpg", ".jpeg", ".png"})
    if not files:
        print(f"no images in {folder}", file=sys.stderr)
        return 1
    options = ReadOptions()
    engine = engine_factory(options)
    hashes = {}
    for path in files:
        for page in read_bytes(path.read_bytes(), options, engine).pages:
            if page.image_hash is not None:
                hashes[(path.name, page.number)] = page.image_hash
    pairs = [(a, b, distance(hashes[a], hashes[b])) for a, b in itertools.combinations(hashes, 2)]
    false_matches = [(a, b, d) for a, b, d in pairs if d <= MAX_DISTANCE]
    print(f"images: {len(files)}, pages: {len(hashes)}, pairs: {len(pairs)}")
    print(f"false matches (distance <= {MAX_DISTANCE}): {len(false_matches)}")
    for a, b, d in false_matches:
        print(f"  {a[0]} ~ {b[0]}: {d}")
    print(f"smallest distance between different bills: {min(d for _, _, d in pairs)} (of {BITS} bits)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
