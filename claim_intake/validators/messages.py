"""Names, requests and findings' messages shown to staff and claimants, loaded from messages.yaml."""

from __future__ import annotations

import functools
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict

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


class Messages(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    documents: dict[DocType, DocumentText]
    alternatives_joiner: str
    findings: dict[FindingCode, FindingText]

    def finding(self, finding_code: FindingCode, /, **values: object) -> tuple[str, str]:
        """The staff and claimant messages of a finding, with ``values`` filled in."""
        text = self.findings[finding_code]
        return text.staff.format(**values), text.claimant.format(**values)

    def name(self, doc_type: DocType) -> str:
        return self.documents[doc_type].name

    def ask(self, doc_type: DocType) -> str:
        return self.documents[doc_type].ask


@functools.cache
def builtin_messages() -> Messages:
    path = resources.files("claim_intake.validators") / "messages.yaml"
    return Messages.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
