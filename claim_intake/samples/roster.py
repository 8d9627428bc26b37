"""Synthetic member rosters: made-up people with ID numbers whose check digits are valid (GB
11643), for the demo (``samples/roster/demo_roster.csv``) and the import benchmark.

    python -m claim_intake.samples.roster samples/roster/demo_roster.csv
"""

from __future__ import annotations

import csv
import random
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from stdnum.cn import ric

HEADER = ("姓名", "公民身份号码", "手机号", "基层工会", "参保方案", "起始日期", "终止日期", "缴费日期", "开户行", "银行账号")
_REGIONS = ("350102", "350402", "350702", "430102", "370102", "450103", "310104")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红"
_UNITS = ("市第一中学工会", "港务集团工会", "市人民医院工会", "城建集团工会", "供电公司工会", "市总工会机关")
_BANKS = ("中国工商银行", "中国建设银行", "中国农业银行", "中国银行", "福建海峡银行")


def id_number(region: str, born: date, sequence: int) -> str:
    """An 18-character number with its check digit (``sequence``: the three digits before it)."""
    body = f"{region}{born:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")


def members(count: int, seed: int = 7, year: int = 2026) -> Iterator[tuple[str, ...]]:
    """``count`` rows, one per member, enrolled in 住院医疗互助 for ``year``."""
    rng = random.Random(seed)
    seen: set[str] = set()
    while len(seen) < count:
        born = date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 45))
        number = id_number(rng.choice(_REGIONS), born, rng.randrange(1000))
        if number in seen:
            continue
        seen.add(number)
        name = rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))
        yield (name, number, f"13{rng.randrange(10**9):09d}", rng.choice(_UNITS), "住院医疗互助",
               f"{year}-01-01", f"{year}-12-31", f"{year - 1}-12-{rng.randrange(1, 29):02d}",
               rng.choice(_BANKS), f"6222{rng.randrange(10**15):015d}")


def demo_rows() -> list[tuple[str, ...]]:
    """The demo roster: 蒙强 of the complete sample bundle (the bill prints 436***********3990),
    enrolled since 2025 so no waiting period applies, and a few others; 王立新 of the other
    bundle is not on it."""
    mengqiang = id_number("436101", date(1975, 1, 6), 399)
    assert mengqiang.endswith("3990"), mengqiang
    rows = [
        ("蒙强", mengqiang, "13800001234", "城建集团工会", "住院医疗互助", "2025-01-01", "2025-12-31", "2024-12-20",
         "中国建设银行", "6217000012345678901"),
        ("蒙强", mengqiang, "13800001234", "城建集团工会", "住院医疗互助", "2026-01-01", "2026-12-31", "2025-12-18",
         "中国建设银行", "6217000012345678901"),
    ]
    return rows + list(members(8, seed=11))


def write_csv(path: Path, rows: list[tuple[str, ...]] | Iterator[tuple[str, ...]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(rows)


if __name__ == "__main__":
    write_csv(Path(sys.argv[1]), demo_rows())
