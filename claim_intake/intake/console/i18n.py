"""The console's message catalogue (``messages.yaml``): Chinese by default, English on request.

The language comes from ``?lang=`` (remembered in a cookie) or that cookie. Names of document
types and fields in Chinese are the ones claimants already read in findings: the validators'
messages and the extraction templates.
"""

from __future__ import annotations

import functools
from importlib import resources

import yaml
from starlette.requests import Request

from claim_intake.extract.models import DocType
from claim_intake.extract.templates import builtin_templates
from claim_intake.validators.messages import builtin_messages

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
LANGUAGE_COOKIE = "lang"


@functools.cache
def _catalogue() -> dict[str, dict[str, str]]:
    path = resources.files("claim_intake.intake.console") / "messages.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def requested_language(request: Request) -> str | None:
    """A language asked for in the query string: to be remembered."""
    lang = request.query_params.get("lang")
    return lang if lang in LANGUAGES else None


def language(request: Request) -> str:
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    return requested_language(request) or (cookie if cookie in LANGUAGES else DEFAULT_LANGUAGE)


class Translator:
    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, key: str, **values: object) -> str:
        entry = _catalogue().get(key)
        if entry is None:
            return key.rsplit(".", 1)[-1]
        text = entry.get(self.lang) or entry.get(DEFAULT_LANGUAGE) or key
        return text.format(**values) if values else text

    def doc_type(self, code: str | None) -> str:
        if not code:
            return ""
        if self.lang == "zh":
            return builtin_messages().name(DocType(code))
        return self(f"doc_type.{code}")

    def field(self, doc_type: str | None, name: str) -> str:
        if self.lang != "zh" or not doc_type:
            return name
        template = builtin_templates().get(DocType(doc_type))
        return template.label_of(name) if template else name
