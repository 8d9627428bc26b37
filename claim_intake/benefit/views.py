"""The estimate as stored on a claim and shown by the API, the webhook and the console."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from claim_intake.benefit.models import Benefit


def benefit_body(benefit: Benefit, document_ids: Mapping[str, str]) -> dict[str, Any]:
    """``benefit`` as JSON, its steps' documents named by the API's ids."""
    body = benefit.model_dump(mode="json")
    for step in body["steps"]:
        if step["document"] is not None:
            step["document"] = document_ids.get(step["document"], step["document"])
    return body
