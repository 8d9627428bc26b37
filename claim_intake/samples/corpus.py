"""The synthetic claim corpus that ``claim-intake eval`` scores against.

``python -m claim_intake.samples.corpus OUT_DIR [--seed N] [--size small|large]``. The small
corpus (one claim per recipe) is committed under ``samples/corpus/``; the large one runs every
recipe under ten seeds. A seed always produces the same bytes.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Collection
from pathlib import Path
from typing import Literal

from claim_intake.samples.corpus_recipes import RECIPES
from claim_intake.samples.corpus_write import write_bundle
from claim_intake.samples.generate import DEFAULT_SEED

Size = Literal["small", "large"]
LARGE_REPEATS = 10


def write_corpus(out_dir: Path, seed: int = DEFAULT_SEED, size: Size = "small",
                 only: Collection[str] | None = None) -> None:
    """Writes every recipe's bundle and its ground truth (``<bundle>.expected.json``) to ``out_dir``.

    ``only`` limits it to the named recipes; each bundle is the same whichever others are written.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    repeats = 1 if size == "small" else LARGE_REPEATS
    for k in range(repeats):
        for name, recipe in RECIPES.items():
            if only is not None and name not in only:
                continue
            bundle_name = name if size == "small" else f"{name}__{k:02d}"
            run_seed = seed + k
            bundle = recipe(bundle_name, random.Random(f"{run_seed}:{name}"))
            write_bundle(out_dir, bundle, run_seed)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m claim_intake.samples.corpus",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--size", choices=("small", "large"), default="small")
    args = parser.parse_args(argv)
    write_corpus(args.out_dir, args.seed, args.size)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
