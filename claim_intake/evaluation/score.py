"""Pure scoring: predictions against ground truth. No I/O, no OCR: unit-tested on hand-made cases."""

from __future__ import annotations

import statistics
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from claim_intake.evaluation.truth import TruthDocument, TruthFinding

FOR_THE_RECORD = frozenset({"unsupported_document"})
"""Finding codes of severity ``info``: a claim with only these is complete."""


def _normal_text(value: object) -> str:
    """Text compared as a reader would: full- and half-width alike, spaces ignored."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", str(value)) if not ch.isspace())


def values_match(expected: object, found: object) -> bool:
    if isinstance(expected, list):
        # Charge lines: the same lines, in whatever order a two-column table is read.
        if not isinstance(found, list):
            return False
        key = lambda item: (_normal_text(item.get("name")), str(item.get("amount")))
        return sorted(map(key, expected)) == sorted(map(key, found))
    if isinstance(expected, bool | int):
        return expected == found
    return found is not None and _normal_text(expected) == _normal_text(found)


def char_recall(truth: str, read: str) -> float:
    """Share of the truth's characters that OCR read, order aside: CJK pages have no word order
    OCR must reproduce, only characters it must not lose."""
    want = Counter(_normal_text(truth))
    got = Counter(_normal_text(read))
    total = sum(want.values())
    return sum((want & got).values()) / total if total else 1.0


@dataclass
class Tally:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.right += ok
        self.total += 1

    @property
    def rate(self) -> float | None:
        return self.right / self.total if self.total else None


@dataclass
class Scores:
    doc_type: Tally = field(default_factory=Tally)
    doc_type_by_capture: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    fields: Tally = field(default_factory=Tally)
    by_field: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    fields_by_capture: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    findings_expected: Counter = field(default_factory=Counter)
    findings_found: Counter = field(default_factory=Counter)
    findings_matched: Counter = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)
    status: Tally = field(default_factory=Tally)
    """Bundles whose status is right: complete exactly when every expected finding is one for
    the record only."""
    unexpected_findings: int = 0

    def score_document(self, bundle: str, truth: TruthDocument, found: tuple[str, dict[str, object]] | None) -> None:
        doc_type, fields = found if found else ("(none)", {})
        ok = doc_type == truth.doc_type
        self.doc_type.add(ok)
        self.doc_type_by_capture[truth.capture].add(ok)
        if not ok:
            self.misses.append(f"{bundle}/{truth.file} p{truth.pages[0]}: doc_type {doc_type} != {truth.doc_type}")
        for name, expected in truth.fields.items():
            right = values_match(expected, fields.get(name))
            self.fields.add(right)
            self.by_field[name].add(right)
            self.fields_by_capture[truth.capture].add(right)
            if not right:
                self.misses.append(f"{bundle}/{truth.file}: {name} {fields.get(name)!r} != {expected!r}")

    def score_findings(self, bundle: str, expected: Sequence[TruthFinding], found: Iterable[tuple[str, str | None]]) -> None:
        """Findings match on (code, doc_type): the same gap, flagged on the same kind of document."""
        want = Counter((f.code, f.doc_type) for f in expected)
        got = Counter(found)
        matched = want & got
        for (code, _), n in want.items():
            self.findings_expected[code] += n
        for (code, _), n in got.items():
            self.findings_found[code] += n
        for (code, _), n in matched.items():
            self.findings_matched[code] += n
        for key in (want - got):
            self.misses.append(f"{bundle}: missed finding {key}")
        for key in (got - want):
            self.misses.append(f"{bundle}: unexpected finding {key}")
        self.unexpected_findings += sum((got - want).values())

    def score_status(self, bundle: str, expected: Sequence[TruthFinding], complete: bool) -> None:
        ok = complete == all(f.code in FOR_THE_RECORD for f in expected)
        self.status.add(ok)
        if not ok:
            self.misses.append(f"{bundle}: status {'complete' if complete else 'needs_follow_up'}")

    def findings_table(self) -> dict[str, dict[str, float | int | None]]:
        codes = sorted(set(self.findings_expected) | set(self.findings_found))
        return {
            code: {
                "expected": self.findings_expected[code],
                "found": self.findings_found[code],
                "precision": self.findings_matched[code] / self.findings_found[code] if self.findings_found[code] else None,
                "recall": self.findings_matched[code] / self.findings_expected[code] if self.findings_expected[code] else None,
            }
            for code in codes
        }


def percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]
