"""Settings, read once at the edge from ``CLAIM_INTAKE_*`` variables and passed in explicitly."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from claim_intake.ocr.engine import engine_factory
from claim_intake.ocr.options import ReadOptions
from claim_intake.ocr.reader import EngineFactory
from claim_intake.validators.ruleset import RuleSet, load_rule_set


class Settings(BaseSettings):
    """Nested values use ``__``: ``CLAIM_INTAKE_READ__RAPIDOCR__THREADS=1``."""

    model_config = SettingsConfigDict(
        env_prefix="CLAIM_INTAKE_", env_nested_delimiter="__", frozen=True, extra="forbid"
    )

    read: ReadOptions = ReadOptions()
    rules_dir: Path | None = None
    """A folder of the organisation's rule sets (``inpatient.yaml``...) replacing the defaults."""

    def engine_factory(self) -> EngineFactory:
        return engine_factory(self.read)

    def rule_set(self, claim_type: str) -> RuleSet:
        return load_rule_set(claim_type, self.rules_dir)
