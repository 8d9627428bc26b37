"""Names and requests shown to staff and claimants, loaded from messages.yaml."""

from __future__ import annotations

import functools
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict

from claim_intake.extract.models import DocType


class DocumentText(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    ask: str


class Messages(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    documents: dict[DocType, DocumentText]
    alternatives_joiner: str
    low_confidence_note: str
    """Added to a finding's staff message when it rests on text read with low confidence;
    ``{fields}`` names them with their confidence."""

    def name(self, doc_type: DocType) -> str:
        return self.documents[doc_type].name

    def ask(self, doc_type: DocType) -> str:
        return self.documents[doc_type].ask


@functools.cache
def builtin_messages() -> Messages:
    path = resources.files("claim_intake.validators") / "messages.yaml"
    return Messages.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
