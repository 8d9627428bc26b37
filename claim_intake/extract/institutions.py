"""Hospital names as real bills print them: glued to the form's title, one character misread.

A dot-matrix printer often puts the hospital's name on the same band as the pre-printed title, so
the recogniser reads one run (``北浦大学附属眼耳鼻喉科医医疗门（急）诊收费票据``) in which the title
covers the name's last characters. And a name is read twice on many bills (in the header and after
收款单位), not always equally well. What is used here is how Chinese hospital names are built,
never the names of particular hospitals: a name ends in 医院 (or 中心, 卫生院 ...), and is made of a
few stock parts (人民医院, 医学院附属, 中医医院 ...).
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from claim_intake.extract.normalize import find_institution

FORM_TITLES = ("医疗门(急)诊收费票据", "医疗住院收费票据", "门诊收费票据", "住院收费票据", "收费票据")
"""Titles of medical bills that a hospital's name gets printed across (as read: NFKC, no spaces)."""
_TITLE_MIN_CHARS = 4
"""Characters of a title that must be read, in order, for the rest of the line to be the title."""
_TITLE_MIN_SHARE = 0.6
"""Share of the characters after the cut that belong to the title: the rest is a misreading."""

_NAME_MIN_CHARS = 4

NAME_PARTS = (
    "人民医院", "中医医院", "中心医院", "中西医结合医院", "妇幼保健院", "儿童医院", "肿瘤医院",
    "精神卫生中心", "社区卫生服务中心", "卫生院", "医学院附属", "大学附属", "附属医院",
    "眼耳鼻喉科", "耳鼻咽喉科", "妇产科医院", "传染病医院",
)
"""Stock parts of Chinese hospital names. A run one character off a part of three characters or
more is that part misread (``人风医院``, ``医学院附起``), unless the run is itself a part (中心医院 is
no misread 中医医院); shorter parts are left alone, where one character makes another word. A
three-character part is only repaired inside (its first and last read right)."""
_PART_MIN_CHARS = 3
_PARTS = frozenset(NAME_PARTS)

_LOOKALIKE_ENDING = re.compile(
    r"(?<=[\u4e00-\u9fff]{2})[区匡库庫]院(?=[\u4e00-\u9fff]{1,4}?(?:分院|院区)|(?![\u4e00-\u9fff]))"
)
"""医院 with its 医 read as a character of a like frame (``江南区院``, ``人民库院东湖分院``): no
name ends in 区院 or 库院, alone or before a branch."""
_NUMBERED_PEOPLES = re.compile(r"(第[一二三四五六七八九十]{1,3})民医院")
"""第六人民医院 with its 人 lost (``第九民医院``): numbered hospitals are people's hospitals."""
BRANCHES = "东西南北总"
"""A branch after the hospital's name: 北院, 东院, (总院). Where only its first character was read
at the end of the line (the rest under a seal), the name ends in that branch."""

AGREEMENT = 0.75
"""Two readings of a name this similar (difflib ratio) are readings of the same name."""


def name_before_title(text: str) -> tuple[int, str] | None:
    """The hospital name in a line that runs into a form's title: (where the title begins, the
    name completed with what the title covers of it), or None when no title follows a name.

    The title is found tolerantly (characters lost or misread, ``医元疗门``): the cut is where the
    longest in-order run of a title's characters begins, provided most of what follows is title.
    """
    best: tuple[int, int] | None = None
    for title in FORM_TITLES:
        matcher = SequenceMatcher(None, text, title, autojunk=False)
        blocks = [b for b in matcher.get_matching_blocks() if b.size]
        if not blocks:
            continue
        # The title's characters read in order, from the first block that starts it off.
        matched = sum(b.size for b in blocks)
        start = blocks[0].a
        tail = len(text) - start
        if matched < _TITLE_MIN_CHARS or matched / max(tail, 1) < _TITLE_MIN_SHARE:
            continue
        if best is None or matched > best[1]:
            best = (start, matched)
    if best is None or best[0] < _NAME_MIN_CHARS:
        return None
    cut = best[0]
    head = text[:cut]
    if _name_at_end(head) is None and head.endswith("分"):
        # A branch (东湖分院) whose 院 lies under the title.
        head += "院"
    elif _name_at_end(head) is None and text[cut] == "医":
        # The title's 医 lies over the name's last characters: a hospital's name ends in 医院, and
        # what was read of it before the title is its 医 or nothing of that ending.
        head = head + "院" if head.endswith("医") else head + "医院"
    name = _name_at_end(head)
    return (cut, name) if name else None


def _name_at_end(text: str) -> str | None:
    span = institution_span(text)
    return text[span[0] : span[1]] if span is not None and span[1] == len(text) else None


def institution_span(text: str) -> tuple[int, int] | None:
    """Where a hospital's name lies in ``text`` (normalize.find_institution), also where its 医院
    was misread as a lookalike or where the line ends in the first character of a branch."""
    span = find_institution(_LOOKALIKE_ENDING.sub("医院", text))
    if span is not None and span[1] == len(text) - 1 and text[-1] in BRANCHES:
        return span[0], len(text)
    return span


def repair_name(name: str) -> str:
    """``江南市第六人风医院`` -> ``江南市第六人民医院``: runs one character off a stock part of
    hospital names restored to it, longest parts first; a lookalike 医 of the ending restored
    (``江南区院``); a branch read to its first character completed (``江南医院北``)."""
    name = _NUMBERED_PEOPLES.sub(r"\1人民医院", _LOOKALIKE_ENDING.sub("医院", name))
    if len(name) > 2 and name[-1] in BRANCHES and name[:-1].endswith("院"):
        name += "院"
    for part in sorted(NAME_PARTS, key=len, reverse=True):
        if len(part) < _PART_MIN_CHARS or part in name:
            continue
        size = len(part)
        for i in range(len(name) - size + 1):
            window = name[i : i + size]
            wrong = [j for j in range(size) if window[j] != part[j]]
            if len(wrong) != 1 or window in _PARTS or name[i - 1 : i] == "第":
                # 第 takes a numeral (第六人民医院): what follows it is no misread stock part.
                continue
            if size > _PART_MIN_CHARS or 0 < wrong[0] < size - 1:
                name = name[:i] + part + name[i + size :]
                break
    return name


def same_name(a: str, b: str) -> bool:
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= AGREEMENT
