"""Benefit rules: one YAML file per programme and period, versioned like the validators' rule sets.

A file lists its plans (参保方案, named as on the roster) in the order they stack; each plan says
which claim types it pays, its basis (which document fields), a deductible, ratio bands, fixed
tiers or disease classes, caps per claim and per period, and a waiting period.
"""

from __future__ import annotations

import functools
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import Field, ValidationError, model_validator

from claim_intake.benefit.models import Frozen
from claim_intake.errors import BenefitRulesError
from claim_intake.extract.templates import builtin_templates
from claim_intake.validators.models import ClaimType
from claim_intake.validators.ruleset import FieldRef

Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
Ratio = Annotated[Decimal, Field(ge=0, le=1)]


class Term(Frozen):
    """An amount taken from the claim's documents: the first of ``any_of`` that was read."""

    label: str = Field(min_length=1)
    any_of: tuple[FieldRef, ...] = Field(min_length=1)
    optional: bool = False
    """Absent counts as 0 (a subtraction such as 其他支付); else the estimate needs it."""


class Basis(Frozen):
    name: str = Field(min_length=1)
    """As the programme says it: 医保费用总额, 目录内自付, 个人自付+个人自费, 净自付."""
    add: tuple[Term, ...] = Field(min_length=1)
    subtract: tuple[Term, ...] = ()
    less_earlier_plans: bool = False
    """净自付 after other benefits: what the plans before this one paid on the same claim."""


class Band(Frozen):
    above: Money
    """The band covers the amount over the deductible from here up to the next band's start."""
    ratio: Ratio


class Tier(Frozen):
    from_: Money = Field(alias="from")
    """The basis at or above which this fixed amount is paid (the highest tier reached pays)."""
    amount: Money


class DiseaseClass(Frozen):
    name: str = Field(min_length=1)
    amount: Money
    keywords: tuple[str, ...] = Field(min_length=1)
    """A diagnosis containing one of these is in the class; classes are tried in file order."""


class Rounding(StrEnum):
    fen_half_up = "fen_half_up"
    fen_down = "fen_down"
    yuan_half_up = "yuan_half_up"
    yuan_down = "yuan_down"

    def apply(self, amount: Decimal) -> Decimal:
        unit = Decimal("0.01") if self.value.startswith("fen") else Decimal(1)
        mode = ROUND_HALF_UP if self.value.endswith("half_up") else ROUND_DOWN
        return amount.quantize(unit, rounding=mode).quantize(Decimal("0.01"))


class Coverage(StrEnum):
    admission_date = "admission_date"
    """A stay is covered by the enrolment in force on its first day, even if it ends after it."""
    whole_stay = "whole_stay"
    """Every day of the stay must be inside one enrolment."""


DIAGNOSIS_FIELDS = (
    FieldRef(doc_type="discharge_summary", field="discharge_diagnosis"),
    FieldRef(doc_type="diagnosis_certificate", field="diagnosis"),
    FieldRef(doc_type="discharge_summary", field="admission_diagnosis"),
)


class Plan(Frozen):
    plan: str = Field(min_length=1)
    """The plan's name as the roster's 参保方案 column holds it."""
    claim_types: tuple[ClaimType, ...] = Field(min_length=1)
    basis: Basis | None = None
    deductible: Money = Decimal(0)
    bands: tuple[Band, ...] = ()
    tiers: tuple[Tier, ...] = ()
    disease_classes: tuple[DiseaseClass, ...] = ()
    diagnosis_fields: tuple[FieldRef, ...] = DIAGNOSIS_FIELDS
    cap_per_claim: Money | None = None
    cap_per_period: Money | None = None
    """Per enrolment period: what the member's earlier claims of the period got counts."""
    waiting_days: int = Field(default=0, ge=0)
    """Days from an enrolment's start during which treatment is not covered (not for a renewal
    that follows an enrolment of the same plan without a gap)."""
    rounding: Rounding = Rounding.fen_half_up

    @model_validator(mode="after")
    def _one_way_to_pay(self) -> Plan:
        ways = [name for name in ("bands", "tiers", "disease_classes") if getattr(self, name)]
        if len(ways) != 1:
            raise ValueError(f"plan {self.plan}: exactly one of bands, tiers, disease_classes (found {ways or 'none'})")
        if (self.bands or self.tiers) and self.basis is None:
            raise ValueError(f"plan {self.plan}: bands and tiers need a basis")
        if self.deductible and not self.bands:
            raise ValueError(f"plan {self.plan}: a deductible applies to bands (tiers and disease classes pay fixed amounts)")
        for name in ("bands", "tiers"):
            starts = [b.above if name == "bands" else b.from_ for b in getattr(self, name)]
            if starts != sorted(starts) or len(set(starts)) != len(starts):
                raise ValueError(f"plan {self.plan}: {name} must start in increasing order")
        if self.bands and self.bands[0].above != 0:
            raise ValueError(f"plan {self.plan}: the first band starts at 0")
        templates = builtin_templates()
        refs = [*(r for t in (self.basis.add + self.basis.subtract if self.basis else ()) for r in t.any_of),
                *(self.diagnosis_fields if self.disease_classes else ())]
        for ref in refs:
            template = templates.get(ref.doc_type)
            if template is None or ref.field not in template.output_names():
                raise ValueError(f"plan {self.plan}: {ref.doc_type}.{ref.field} is no field of that document type")
        return self


class BenefitRules(Frozen):
    programme: str = Field(min_length=1)
    version: str = Field(min_length=1)
    example: bool = False
    """Example figures (published schemes as examples, or the demo default): not a programme's
    binding rules. Shown with every estimate made from the file."""
    note: str = ""
    coverage: Coverage = Coverage.admission_date
    plans: tuple[Plan, ...] = Field(min_length=1)
    """In the order they stack: a later plan's 净自付 is net of what the earlier ones paid."""

    @model_validator(mode="after")
    def _distinct_plans(self) -> BenefitRules:
        names = [p.plan for p in self.plans]
        if len(set(names)) != len(names):
            raise ValueError("plans: a plan is named twice")
        return self

    def plan(self, name: str) -> Plan | None:
        return next((p for p in self.plans if p.plan == name), None)


def load_benefit_rules(path: Path) -> BenefitRules:
    """A rule file, or BenefitRulesError naming the file and each problem."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise BenefitRulesError(f"benefit rules {path}: cannot be read: {exc}") from exc
    try:
        return BenefitRules.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'file'}: {err['msg']}" for err in exc.errors()
        )
        raise BenefitRulesError(f"benefit rules {path}: {problems}") from exc


BUILTIN = ("demo", "fuzhou", "sanming", "nanping")
"""Shipped files: ``demo`` is the default (example figures), the others the spec's published examples."""


def builtin_path(name: str) -> Path:
    return Path(str(resources.files("claim_intake.benefit") / "rules" / f"{name}.yaml"))


@functools.cache
def benefit_rules(path: Path | None = None) -> BenefitRules:
    """The configured file, or the demo default."""
    return load_benefit_rules(path if path is not None else builtin_path("demo"))
