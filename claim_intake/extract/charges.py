"""Charge categories as Chinese medical bills name them, for repairing one misread character.

The categories of a bill's charge list come from a short national list (挂号费, 诊疗费, 检查费,
西药费 ...), whatever the province or form; a name that is one character off one of them and is
itself no category (``韩号费``, ``诊升费``) is that category misread.
"""

from __future__ import annotations

import re

CHARGE_CATEGORIES = frozenset(
    (
        "挂号费", "诊疗费", "诊查费", "一般诊疗费", "检查费", "特殊检查费", "化验费", "检验费", "治疗费",
        "特殊治疗费", "手术费", "麻醉费", "护理费", "床位费", "西药费", "中成药费", "中草药费", "草药费",
        "中药费", "材料费", "卫生材料费", "治疗材料费", "放射费", "输血费", "输氧费", "氧气费", "注射费",
        "其他费", "其它费", "药事服务费", "诊察费", "急诊费", "观察费", "救护车费", "取暖费", "空调费",
        "营养费", "膳食费", "会诊费", "病理费", "康复费", "理疗费", "针灸费", "推拿费", "煎药费",
    )
)
_LEADING_NAME = re.compile(r"^[\u4e00-\u9fff]{3,6}")
_SELF_PAID = re.compile(r"(?<=[(（])[\u4e00-\u9fff]费(?=[)）])")
"""A charge's 自费 qualifier with its first character misread (``(白费)``): the only one ending in 费."""


def repair_charge_name(name: str, others: tuple[str, ...] = ()) -> str:
    """The category a charge name misreads, the rest of it (``(自费)``) kept as read. Of several
    categories as near, the one the list's ``others`` names start with (``诊升费`` beside
    ``诊疗费(自费)`` is 诊疗费)."""
    name = _SELF_PAID.sub("自费", name)
    match = _LEADING_NAME.match(name)
    if match is None:
        return name
    word = match.group(0)
    if word in CHARGE_CATEGORIES or any(word.startswith(c) for c in CHARGE_CATEGORIES):
        return name
    near = [c for c in CHARGE_CATEGORIES if len(c) == len(word) and sum(a != b for a, b in zip(c, word, strict=True)) == 1]
    # Two categories as near (诊疗费, 诊查费 for 诊升费 ...) leave nothing to choose between unless
    # the list names one of them elsewhere: otherwise the reading is kept.
    if len(near) > 1:
        near = [c for c in near if any(other.startswith(c) for other in others)]
    return near[0] + name[len(word) :] if len(near) == 1 else name
