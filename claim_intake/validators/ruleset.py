"""Rule sets: one YAML file per claim type, versioned, replaceable per organisation."""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from claim_intake.errors import RuleSetError, UnknownClaimTypeError
from claim_intake.extract.models import DocType
from claim_intake.extract.templates import builtin_templates
from claim_intake.validators.checks import OPTIONAL
from claim_intake.validators.models import ClaimType


class RequiredDocument(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    any_of: tuple[DocType, ...] = Field(min_length=1)


class FieldRef(BaseModel):
    """``discharge_summary.admission_date``: a field of a document type."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    doc_type: DocType
    field: str

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: object) -> object:
        if isinstance(value, str):
            doc_type, sep, field = value.partition(".")
            if not sep or not field:
                raise ValueError(f"{value!r} is not doc_type.field")
            return {"doc_type": doc_type, "field": field}
        return value


class RuleSet(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    claim_type: ClaimType
    version: str = Field(min_length=1)
    required_documents: tuple[RequiredDocument, ...]
    required_fields: dict[DocType, tuple[str, ...]] = Field(default_factory=dict)
    min_field_confidence: float = Field(ge=0.0, le=1.0)
    """A required field read below this is ``illegible_field``: ask for a clearer photo."""
    submission_deadline_days: int | None = Field(default=None, ge=1)
    """Days after discharge (or the last visit) within which a claim is on time."""
    checks: tuple[str, ...] = ()
    supplied_by: dict[str, tuple[FieldRef, ...]] = Field(default_factory=dict)
    """A required field that one document lacks is not asked for when one of these fields of
    another document of the claim was read: staff read it there (the stay's dates from the
    discharge summary when the invoice's 住院时间 was not read)."""

    @model_validator(mode="after")
    def _known_names(self) -> RuleSet:
        templates = builtin_templates()
        for doc_type, fields in self.required_fields.items():
            template = templates.get(doc_type)
            known = set(template.output_names()) if template else set()
            unknown = [f for f in fields if f not in known]
            if unknown:
                raise ValueError(
                    f"required_fields.{doc_type}: unknown field(s) {', '.join(unknown)}"
                    f" (known: {', '.join(sorted(known)) or 'none'})"
                )
        for name, refs in self.supplied_by.items():
            for ref in refs:
                template = templates.get(ref.doc_type)
                if template is None or ref.field not in template.output_names():
                    raise ValueError(f"supplied_by.{name}: {ref.doc_type}.{ref.field} is no field of that document type")
        unknown_checks = [c for c in self.checks if c not in OPTIONAL]
        if unknown_checks:
            raise ValueError(
                f"checks: unknown check(s) {', '.join(unknown_checks)}"
                f" (known: {', '.join(sorted(OPTIONAL))})"
            )
        return self


def load_rule_set_file(path: Path) -> RuleSet:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RuleSetError(f"rule set {path}: cannot be read: {exc}") from exc
    try:
        return RuleSet.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'file'}: {err['msg']}" for err in exc.errors()
        )
        raise RuleSetError(f"rule set {path}: {problems}") from exc


@functools.cache
def load_rule_set(claim_type: str, rules_dir: Path | None = None) -> RuleSet:
    """The organisation's file in ``rules_dir`` if it has one, else the built-in default."""
    try:
        ClaimType(claim_type)
    except ValueError:
        raise UnknownClaimTypeError(
            f"unknown claim type {claim_type!r}; expected one of "
            + ", ".join(t.value for t in ClaimType)
        ) from None
    filename = f"{claim_type}.yaml"
    if rules_dir is not None and (rules_dir / filename).is_file():
        path = rules_dir / filename
    else:
        path = Path(str(resources.files("claim_intake.validators") / "rules" / filename))
    rule_set = load_rule_set_file(path)
    if rule_set.claim_type != claim_type:
        raise RuleSetError(f"rule set {path}: claim_type is {rule_set.claim_type}, expected {claim_type}")
    return rule_set
