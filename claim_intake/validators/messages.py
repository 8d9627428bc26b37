"""Names, requests and findings' messages shown to staff and claimants, loaded from messages.yaml."""

from __future__ import annotations

import functools
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, field_validator

from claim_intake.extract.models import DocType
from claim_intake.validators.models import FindingCode


class DocumentText(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    ask: str


class FindingText(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    staff: str
    claimant: str


class DefectText(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    """What is wrong, in plain words (照片模糊)."""
    advice: str
    """What to do about it."""


class Messages(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    documents: dict[DocType, DocumentText]
    alternatives_joiner: str
    low_confidence_note: str
    """Added to a finding's staff message when it rests on text read with low confidence;
    ``{fields}`` names them with their confidence."""
    image_defects: dict[str, DefectText]
    """A poor photo's defects (``ocr.quality.Defect``), for ``poor_image``."""
    findings: dict[str, FindingText]
    """By finding code, or ``code.variant`` where a check says different things."""

    @field_validator("findings")
    @classmethod
    def _known_codes(cls, findings: dict[str, FindingText]) -> dict[str, FindingText]:
        for key in findings:
            FindingCode(key.split(".")[0])  # a ValueError naming the key otherwise
        return findings

    def finding(self, key: str, /, **values: object) -> tuple[str, str]:
        """The staff and claimant messages of a finding (``key``: its code, or ``code.variant``),
        with ``values`` filled in."""
        text = self.findings[key]
        return text.staff.format(**values), text.claimant.format(**values)

    def name(self, doc_type: DocType) -> str:
        return self.documents[doc_type].name

    def ask(self, doc_type: DocType) -> str:
        return self.documents[doc_type].ask


@functools.cache
def builtin_messages() -> Messages:
    path = resources.files("claim_intake.validators") / "messages.yaml"
    return Messages.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
