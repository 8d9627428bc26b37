"""Pages -> doc types, and pages grouped into documents."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from claim_intake.errors import TemplateError
from claim_intake.extract.models import DocType
from claim_intake.extract.templates import normalise_label
from claim_intake.ocr.models import Page

TITLE_WEIGHT = 10.0
TOP_OF_PAGE = 0.3
"""A title in the top 30% of a page weighs double: that is where forms print it."""
MIN_SCORE = 4.0
PARTIAL_TITLE_MIN_CHARS = 4
PARTIAL_TITLE_MIN_SHARE = 0.6
"""A title broken by a seal or glued to the hospital name (``门急）诊收费票据``) still counts, in
proportion to the share of it that was read, when at least this much of it is there."""
_INVOICE_TYPES = (DocType.invoice_inpatient, DocType.invoice_outpatient)


class DocTypeSignals(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    titles: dict[DocType, tuple[str, ...]]
    title_cues: dict[DocType, str] = {}
    medical_invoice_keywords: dict[str, float]
    keywords: dict[DocType, dict[str, float]]


@functools.cache
def builtin_signals() -> DocTypeSignals:
    path = resources.files("claim_intake.extract") / "doc_types.yaml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return DocTypeSignals.model_validate(raw)
    except (yaml.YAMLError, ValidationError) as exc:
        raise TemplateError(f"doc type signals {path}: {exc}") from exc


@dataclass(frozen=True)
class PageClass:
    doc_type: DocType
    confidence: float
    has_title: bool


def _title_share(title: str, text: str, cues: str = "") -> float:
    """The share of ``title`` read as one run in ``text``: 1.0 when it is there whole. A part of
    it counts only where it holds one of the type's ``cues``, if it has any: ``院收费票据`` is a
    hospital's name (…分院) glued to a bare 收费票据, no broken 住院收费票据."""
    if title in text:
        return 1.0
    match = SequenceMatcher(None, title, text, autojunk=False).find_longest_match()
    if match.size < PARTIAL_TITLE_MIN_CHARS or match.size / len(title) < PARTIAL_TITLE_MIN_SHARE:
        return 0.0
    if cues and not any(ch in cues for ch in title[match.a : match.a + match.size]):
        return 0.0
    return match.size / len(title)


def _keyword_score(keywords: dict[str, float], full_text: str) -> float:
    return sum(w for kw, w in keywords.items() if normalise_label(kw) in full_text)


def classify_page(page: Page, signals: DocTypeSignals | None = None) -> PageClass:
    signals = signals or builtin_signals()
    scores: dict[DocType, float] = {}
    titled: set[DocType] = set()
    lines = [(normalise_label(line.text), line.box_norm[1]) for line in page.lines]
    for doc_type, titles in signals.titles.items():
        for text, top in lines:
            cues = signals.title_cues.get(doc_type, "")
            share = max(_title_share(normalise_label(title), text, cues) for title in titles)
            if share:
                weight = share * TITLE_WEIGHT * (2 if top <= TOP_OF_PAGE else 1)
                scores[doc_type] = max(scores.get(doc_type, 0.0), weight)
                titled.add(doc_type)  # a broken title still starts a document of its own
    full_text = "".join(text for text, _ in lines)
    invoice_evidence = _keyword_score(signals.medical_invoice_keywords, full_text)
    found_by_type = {doc_type: _keyword_score(kws, full_text) for doc_type, kws in signals.keywords.items()}
    if invoice_evidence:
        for doc_type in _INVOICE_TYPES:
            found_by_type[doc_type] = found_by_type.get(doc_type, 0.0) + invoice_evidence
        # An inpatient bill prints its stay (住院号, 住院时间): a medical bill without any such
        # cue is an outpatient one.
        if not _keyword_score(signals.keywords.get(DocType.invoice_inpatient, {}), full_text):
            found_by_type[DocType.invoice_outpatient] = found_by_type.get(DocType.invoice_outpatient, 0.0) + 1
    for doc_type, found in found_by_type.items():
        if found:
            scores[doc_type] = scores.get(doc_type, 0.0) + found
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    if not ranked or ranked[0][1] < MIN_SCORE:
        return PageClass(DocType.other, 0.5 if not full_text else 0.6, has_title=False)
    best_type, best = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    # Confidence: how clearly the best type beats the next, damped when the evidence is thin.
    margin = best / (best + runner_up)
    strength = min(1.0, best / (2 * TITLE_WEIGHT))
    return PageClass(best_type, round(margin * (0.5 + 0.5 * strength), 4), best_type in titled)


@dataclass(frozen=True)
class PageGroup:
    doc_type: DocType
    confidence: float
    pages: tuple[Page, ...]


def group_pages(pages: Sequence[Page], signals: DocTypeSignals | None = None) -> list[PageGroup]:
    """Consecutive pages form one document until a page starts a new one with its own title.

    A page without a title of its own that reads as the same type or as nothing in particular
    (an expense list's second page, a summary's page 2) continues the document before it.
    """
    groups: list[PageGroup] = []
    for page in pages:
        cls = classify_page(page, signals)
        continues = cls.doc_type in (groups[-1].doc_type, DocType.other) if groups else False
        if continues and not cls.has_title and groups[-1].doc_type is not DocType.other:
            last = groups[-1]
            groups[-1] = PageGroup(last.doc_type, last.confidence, last.pages + (page,))
            continue
        groups.append(PageGroup(cls.doc_type, cls.confidence, (page,)))
    return groups
