"""Cross-checks that repair and vouch: a bill states its total several times over.

The 小写 total, the 大写 total, the charge lines and the payment parts are printed and read
independently, so where two of them agree both are right, whatever OCR confidence says; where one
is unreadable or garbled, the others decide what it says. A value confirmed by arithmetic gets
high confidence; one contradicted by it gets low confidence, so that the rules flag what a person
should look at rather than what OCR garbled.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from difflib import SequenceMatcher

from claim_intake.extract.amount_words import AmountWordsError, amount_to_words, parse_amount_words
from claim_intake.extract.models import Field
from claim_intake.extract.normalize import AMOUNT_WORDS_CHARS

VOUCHED = 0.99
"""Confidence of a value that arithmetic confirmed."""
CONTRADICTED = 0.5
"""Confidence ceiling of a garbled reading that the arithmetic could not repair."""
REPAIRED = 0.9
"""Confidence of a value rebuilt from the others (above the rule sets' illegible threshold)."""
GARBLED_LIKENESS = 0.7
"""How much a garbled 大写 reading must agree with a total's words to be read as that total
(``拾柒元整`` for 贰拾柒元整, ``贰佰壹`` for 贰佰壹拾陆元整)."""
MIN_FRAGMENT = 3
"""A piece of the total's words this long, read as it is (``贰佰壹``), speaks for that total."""
MIN_IN_PLACE = 2
"""A garbled reading of the words' length speaks for a total where this many of its 大写
characters, and no other, stand where the total's words have them."""
GARBLED_SUPPORT = 0.8
"""A garbled 大写 reading speaks for the total it resembles, a little less than a clean one."""
MIN_KEPT_DIGITS = 2
"""A charge line is completed from the total only where it kept this many of its digits."""

PAYMENT_ROUNDING = Decimal("0.05")
"""Cash is rounded to the jiao on older bills (5舍6进分币误差): the parts may miss the total by this."""
_WORDS_ENDINGS = ("元", "圆", "整", "角", "分")
_UNITS = set("拾佰仟万萬亿元圆角分整")
CLEAN_WORDS_CONFIDENCE = 0.9

CONFUSABLE_DIGITS = frozenset(
    frozenset(pair) for pair in ("38", "58", "56", "68", "08", "06", "89", "17", "49", "27", "01")
)
"""Digits that dot-matrix print and OCR take for one another."""

PAYMENT_PARTS = ("insurance_fund_paid", "other_paid", "personal_account_paid", "personal_cash_paid")
"""What the payer's money is split into; on every form these sum to the total."""


def _text(field: Field | None) -> str | None:
    return field.value if field is not None and isinstance(field.value, str) and field.value else None


def _money(field: Field | None) -> Decimal | None:
    text = _text(field)
    try:
        return Decimal(text) if text is not None else None
    except ArithmeticError:
        return None


def _words_value(field: Field | None) -> Decimal | None:
    text = _text(field)
    try:
        return parse_amount_words(text) if text is not None else None
    except AmountWordsError:
        return None


def _items_sum(field: Field | None) -> Decimal | None:
    if field is None or not isinstance(field.value, list) or not field.value:
        return None
    return sum((Decimal(item["amount"]) for item in field.value), Decimal(0))


def _with(field: Field, *, value: object | None = None, confidence: float) -> Field:
    update: dict[str, object] = {"confidence": round(confidence, 4)}
    if value is not None:
        update["value"] = value
    return field.model_copy(update=update)


def _vouch(fields: dict[str, Field], names: Iterable[str]) -> None:
    for name in names:
        if name in fields:
            fields[name] = _with(fields[name], confidence=max(fields[name].confidence, VOUCHED))


def _doubt(fields: dict[str, Field], name: str) -> None:
    if name in fields:
        fields[name] = _with(fields[name], confidence=min(fields[name].confidence, CONTRADICTED))


def words_variants(amount: Decimal) -> list[str]:
    """The ways printers write ``amount`` in words: 元 or 圆, with or without 整, with or without
    the 零 between 元 and 分 (``贰佰贰拾贰元叁分`` as well as ``贰佰贰拾贰元零叁分``)."""
    variants: list[str] = []
    for yuan in ("元", "圆"):
        words = amount_to_words(amount, yuan)
        for variant in (words, words.removesuffix("整"), words.replace(f"{yuan}零", yuan)):
            # 壹拾捌元 is also printed 拾捌元.
            for form in (variant, variant[1:] if variant.startswith("壹拾") else variant):
                if form not in variants:
                    variants.append(form)
    return variants


def _likeness(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _digits(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", "")


def _repair_words(fields: dict[str, Field], total: Decimal, raw: str) -> None:
    """The 大写 as printed: the form of ``total``'s words that the garbled reading resembles most."""
    variants = words_variants(total)
    # A reading that is one of the forms (read with low confidence) is what was printed; a
    # fragment says nothing of how the words end: the usual form (元…整) then.
    best = (
        next((v for v in variants if v == raw), None)
        or next((v for v in variants if _in_place(v, raw)), None)
        or next((v for v in variants if raw in v), None)
        or max(variants, key=lambda v: _likeness(v, raw))
    )
    field = fields["total_amount_words"]
    fields["total_amount_words"] = _with(field, value=best, confidence=REPAIRED)


def _in_place(words: str, raw: str) -> bool:
    """A reading as long as ``words`` whose legible 大写 characters (a few, at least) all stand
    where ``words`` has them: ``言佰晶抬元业`` for 壹佰叁拾元整, each numeral and unit misread into
    another character but the 佰 and the 元 in their places."""
    if len(raw) != len(words):
        return False
    legible = [(a, b) for a, b in zip(words, raw, strict=True) if b in AMOUNT_WORDS_CHARS]
    return len(legible) >= MIN_IN_PLACE and all(a == b for a, b in legible)


def _significant(amount: Decimal) -> str:
    return _digits(amount).rstrip("0").lstrip("0")


def _sign_read_as_one(read: Decimal, meant: Decimal) -> bool:
    """``10.00`` for ¥0.00: a currency sign before the amount read as a leading 1."""
    text = f"{read:.2f}"
    return len(text) > len("0.00") and text.startswith("1") and Decimal(text[1:]) == meant


def _repair_items(fields: dict[str, Field], total: Decimal) -> bool:
    """One charge line with digits lost (cut at a ruled line or under a stamp: ``97.00`` read for
    197.00) or with its ¥ read as a leading 1 (``10.00`` for ¥0.00): the vouched total says what
    it is. A line that reads as other digits is left as it is: that may be what the bill says,
    and the mismatch is for staff to see."""
    items = fields["items"].value
    assert isinstance(items, list)
    amounts = [Decimal(item["amount"]) for item in items]
    fixes = []
    for i, amount in enumerate(amounts):
        needed = total - (sum(amounts) - amount)
        read, wanted = _significant(amount), _significant(needed)
        lost_digits = needed > amount and len(read) >= MIN_KEPT_DIGITS and read in wanted
        if lost_digits or (needed >= 0 and _sign_read_as_one(amount, needed)):
            fixes.append((i, needed))
    if len(fixes) != 1:
        return False
    i, needed = fixes[0]
    repaired = [dict(item) for item in items]
    repaired[i]["amount"] = str(needed.quantize(Decimal("0.01")))
    fields["items"] = _with(fields["items"], value=repaired, confidence=REPAIRED)
    return True


def _garbled(field: Field) -> bool:
    """A 大写 reading that cannot be what was printed: cut short (no 元/圆/整/角/分 at its end),
    starting with a unit (``佰贰拾贰元``: its first digit lost), with a character that is no 大写
    numeral (``玖拾管元``), or read with low confidence. A
    clean, confident reading is what the bill says, even where it disagrees with the figures:
    that disagreement is for staff to see (amount_words_mismatch), not for us to repair."""
    text = str(field.value)
    return (
        not text.endswith(_WORDS_ENDINGS)
        or text[:1] in _UNITS
        or any(ch not in AMOUNT_WORDS_CHARS for ch in text)
        or field.confidence < CLEAN_WORDS_CONFIDENCE
    )


def _words_support(total: Decimal, field: Field | None) -> float:
    """How far the 大写 reading speaks for ``total``: fully when it reads as it, partly when it is
    a garbled form of it (a character lost at the start, 叁 read 参), not at all otherwise."""
    if field is None:
        return 0.0
    if _words_value(field) == total and not _garbled(field):
        return 1.0
    if not _garbled(field):
        return 0.0
    raw = str(field.raw or field.value)
    resembles = any(
        _likeness(v, raw) >= GARBLED_LIKENESS or (len(raw) >= MIN_FRAGMENT and raw in v) or _in_place(v, raw)
        for v in words_variants(total)
    )
    return GARBLED_SUPPORT if resembles else 0.0


def reconcile_totals(fields: dict[str, Field], blank: Mapping[str, Field] | None = None) -> dict[str, Field]:
    """The bill's totals checked against each other; returns the fields repaired and vouched.
    ``blank``: the payment parts whose label is printed but whose value was not read, each as
    the place of its label.

    Each figure read (小写, the 大写, the charge lines' sum) is a candidate total, supported by
    every independent reading that agrees with it, the payment parts included; the best supported
    wins, and in a tie the order in which readings are trusted alone: OCR reads figures better
    than 大写 numerals, and a charge list may have lost a line.
    """
    fields, unpriced = _set_unpriced_apart(dict(fields))
    blank = {name: label for name, label in (blank or {}).items() if name in PAYMENT_PARTS and not _text(fields.get(name))}
    figures = _money(fields.get("total_amount"))
    words_field = fields.get("total_amount_words")
    items = _items_sum(fields.get("items"))
    parts = [_money(fields.get(name)) for name in PAYMENT_PARTS]
    read_parts = [p for p in parts if p is not None]
    paid = sum(read_parts, Decimal(0)) if len(read_parts) >= 2 else None

    def support(total: Decimal) -> float:
        paid_agrees = paid is not None and abs(paid - total) <= PAYMENT_ROUNDING
        return (figures == total) + (items == total) + _words_support(total, words_field) + paid_agrees

    words = _words_value(words_field) if words_field is not None and not _garbled(words_field) else None
    candidates = [v for v in (figures, words, items) if v is not None]
    if not candidates:
        return fields
    total = max(candidates, key=support)  # max keeps the first of equals: the trust order
    vouched = support(total) >= 2 - (1 - GARBLED_SUPPORT)

    if figures != total or "total_amount" not in fields:
        source = fields.get("total_amount") or fields.get("items") or words_field
        assert source is not None
        fields["total_amount"] = _with(source, value=str(total), confidence=source.confidence)
    if vouched:
        _vouch(fields, ["total_amount"])

    if words_field is not None and _words_support(total, words_field) == GARBLED_SUPPORT:
        _repair_words(fields, total, str(words_field.raw or words_field.value))
    if "total_amount_words" in fields:
        if _words_value(fields["total_amount_words"]) == total:
            if vouched:
                _vouch(fields, ["total_amount_words"])
        elif _garbled(fields["total_amount_words"]):
            _doubt(fields, "total_amount_words")

    # Charge lines that do not sum to a vouched total: one misread line is repaired; otherwise the
    # mismatch is the bill's, for staff to see (items_sum_mismatch).
    if "items" in fields and items != total and vouched:
        _repair_items(fields, total)
    elif "items" in fields and items == total and vouched:
        _vouch(fields, ["items"])
    if paid is not None and abs(paid - total) > PAYMENT_ROUNDING and vouched:
        _repair_payment_parts(fields, total)
        parts = [_money(fields.get(name)) for name in PAYMENT_PARTS]
        paid = sum((p for p in parts if p is not None), Decimal(0))
    if paid is not None and abs(paid - total) <= PAYMENT_ROUNDING:
        _vouch(fields, [name for name, part in zip(PAYMENT_PARTS, parts, strict=True) if part is not None])
        if vouched and len(blank) == 1:
            # Every other part printed and read, and they make the total: the one label whose
            # value was not read holds a zero (dot-matrix prints ``0`` small and faint).
            ((name, label),) = blank.items()
            fields[name] = _with(label, value="0.00", confidence=REPAIRED)
    if vouched and len(unpriced) == 1:
        _price_the_unpriced(fields, total, *unpriced[0])
    return fields


def _set_unpriced_apart(fields: dict[str, Field]) -> tuple[dict[str, Field], list[tuple[int, str]]]:
    """Charge lines whose amount was not read at all (``""``): out of the list, with their places."""
    items = fields.get("items")
    if items is None or not isinstance(items.value, list):
        return fields, []
    unpriced = [(i, item["name"]) for i, item in enumerate(items.value) if not item["amount"]]
    if unpriced:
        priced = [item for item in items.value if item["amount"]]
        if priced:
            fields["items"] = items.model_copy(update={"value": priced})
        else:
            del fields["items"]
    return fields, unpriced


def without_unpriced(fields: dict[str, Field]) -> dict[str, Field]:
    """The fields without charge lines whose amount was not read: no cross-check can price them."""
    return _set_unpriced_apart(dict(fields))[0]


def _price_the_unpriced(fields: dict[str, Field], total: Decimal, place: int, name: str) -> None:
    """The one charge line read without its amount (lost under a stamp or a ruled line) costs what
    a vouched total leaves after the others."""
    items = fields.get("items")
    if items is None or not isinstance(items.value, list):
        return
    left = total - (_items_sum(items) or Decimal(0))
    if left <= 0:
        return
    value = [dict(item) for item in items.value]
    value.insert(place, {"name": name, "amount": str(left.quantize(Decimal("0.01")))})
    fields["items"] = _with(items, value=value, confidence=REPAIRED)


MAX_PART_REPAIRS = 2
_STRAY_DIGIT = re.compile(r"\d+\.\d{2}(?=\d$)")
"""``18.203``: a mark after the fen read as a third decimal (it is no thousands separator on a
bill that prints its amounts with the fen)."""


def _other_readings(field: Field, read: Decimal) -> list[Decimal]:
    """What a payment part may have said instead of what was read: one yuan digit read as one it
    looks like in dot-matrix print (``1.00`` for 0.00, ``53.48`` for 83.48), or the amount before
    a stray third decimal."""
    found: list[Decimal] = []
    digits = _digits(read)
    for i, digit in enumerate(digits[:-2]):
        for pair in CONFUSABLE_DIGITS:
            if digit in pair:
                other = next(iter(pair - {digit}))
                found.append(Decimal(digits[:i] + other + digits[i + 1 :]) / 100)
    stray = _STRAY_DIGIT.search(str(field.raw or ""))
    if stray is not None:
        found.append(Decimal(stray.group(0)))
    return [amount for amount in found if amount != read]


def _repair_payment_parts(fields: dict[str, Field], total: Decimal) -> None:
    """The fewest payment parts (one or two) whose misreading explains how far the parts miss a
    vouched total, where only one such set of readings makes the total."""
    names = [name for name in PAYMENT_PARTS if _money(fields.get(name)) is not None]
    options = []
    for name in names:
        read = _money(fields[name])
        assert read is not None
        options.append([(read, 0)] + [(amount, 1) for amount in _other_readings(fields[name], read)])
    fits: dict[int, list[tuple[Decimal, ...]]] = {}
    for choice in itertools.product(*options):
        changes = sum(cost for _, cost in choice)
        if 0 < changes <= MAX_PART_REPAIRS and abs(sum(amount for amount, _ in choice) - total) <= PAYMENT_ROUNDING:
            fits.setdefault(changes, []).append(tuple(amount for amount, _ in choice))
    if not fits:
        return
    fewest = fits[min(fits)]
    if len(fewest) != 1:
        return
    for name, amount in zip(names, fewest[0], strict=True):
        if amount != _money(fields[name]):
            fields[name] = _with(fields[name], value=str(amount.quantize(Decimal("0.01"))), confidence=REPAIRED)
