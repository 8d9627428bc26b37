"""poor_image on real photos: no sharp photo flagged; blurred, dark, glared and cut-off versions each
flagged with their reason.

Reads the real development set (``$REAL_DEV_DIR``, default ``~/real-dev``; never copied into the
repository), makes the degraded versions of each image in a scratch folder (default
``/tmp/poor-image-variants``), runs the reader's own preparation, detection and quality measure
on every one (no recognition: the measure needs only the text lines), and prints, per version, how
many images were flagged with the expected reason and how many with any other.

Usage: python benchmarks/poor_image.py [--real-dev DIR] [--out DIR] [--limit N] [--verbose]
"""

from __future__ import annotations

import argparse
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np

from claim_intake.intake.settings import Settings
from claim_intake.ocr.decode import decode_image
from claim_intake.ocr.models import FileKind
from claim_intake.ocr.page_ocr import detect_page
from claim_intake.ocr.quality import Defect
from claim_intake.samples.defects import DEFECTS, jpeg

VERSIONS: dict[str, tuple[Callable[[np.ndarray], np.ndarray] | None, Defect | None]] = {
    "sharp": (None, None),
    **{name: (make, Defect(name)) for name, make in DEFECTS.items()},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real-dev", type=Path, default=Path(os.environ.get("REAL_DEV_DIR", "~/real-dev")).expanduser())
    parser.add_argument("--out", type=Path, default=Path("/tmp/poor-image-variants"))
    parser.add_argument("--limit", type=int, default=0, help="only the first N images")
    parser.add_argument("--verbose", action="store_true", help="the measures of every image")
    args = parser.parse_args()
    images = sorted(args.real_dev.glob("*.jpg"))[: args.limit or None]
    if not images:
        raise SystemExit(f"no images in {args.real_dev}")
    args.out.mkdir(parents=True, exist_ok=True)
    settings = Settings()
    engine = settings.engine_factory()()
    flagged: dict[str, Counter[str]] = {name: Counter() for name in VERSIONS}
    for path in images:
        (page,) = decode_image(path.read_bytes(), FileKind.jpeg, settings.read.limits)
        for name, (make, expected) in VERSIONS.items():
            if make is None:
                data = path.read_bytes()
            else:
                data = jpeg(make(page.image))
                (args.out / f"{path.stem}-{name}.jpg").write_bytes(data)
            (version,) = decode_image(data, FileKind.jpeg, settings.read.limits)
            quality = detect_page(version, engine, settings.read.preprocess).quality
            defects = set(quality.defects)
            flagged[name]["images"] += 1
            if expected is not None and expected in defects:
                flagged[name]["expected"] += 1
            if defects - {expected}:
                flagged[name]["other"] += 1
            if args.verbose:
                print(f"{path.name:12} {name:8} sharpness={quality.sharpness} page_sharpness={quality.page_sharpness} brightness={quality.brightness} "
                      f"glare={quality.glare} cut_lines={quality.cut_lines} defects={[d.value for d in quality.defects]}")
    print(f"{'version':10} {'images':>6} {'flagged with its reason':>24} {'flagged for another reason':>27}")
    for name, counts in flagged.items():
        expected = str(counts["expected"]) if VERSIONS[name][1] is not None else "-"
        print(f"{name:10} {counts['images']:6} {expected:>24} {counts['other']:27}")


if __name__ == "__main__":
    main()
