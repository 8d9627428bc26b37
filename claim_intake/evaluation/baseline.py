"""Comparing an evaluation with a stored one: what changed, and whether anything regressed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Change:
    metric: str
    before: float | None
    after: float | None
    regressed: bool


def _quality(report: dict[str, Any]) -> dict[str, float | None]:
    """Metrics where higher is better."""
    metrics: dict[str, float | None] = {
        "doc_type_accuracy": report["doc_type_accuracy"],
        "field_accuracy": report["field_accuracy"],
    }
    if "status_accuracy" in report:
        metrics["status_accuracy"] = report["status_accuracy"]
    for capture, values in report["per_capture"].items():
        metrics[f"field_accuracy[{capture}]"] = values["field_accuracy"]
    for code, values in report["findings"].items():
        metrics[f"recall[{code}]"] = values["recall"]
        metrics[f"precision[{code}]"] = values["precision"]
    return metrics


def compare(before: dict[str, Any], after: dict[str, Any], tolerance: float, speed_tolerance: float) -> list[Change]:
    """Accuracy may not drop by more than ``tolerance`` (absolute); the median seconds per page
    may not grow by more than ``speed_tolerance`` (relative: the machine is noisy)."""
    changes = []
    old, new = _quality(before), _quality(after)
    for metric in sorted(set(old) | set(new)):
        a, b = old.get(metric), new.get(metric)
        regressed = a is not None and (b is None or b < a - tolerance)
        changes.append(Change(metric, a, b, regressed))
    a = before["seconds_per_page"]["median"]
    b = after["seconds_per_page"]["median"]
    changes.append(Change("seconds_per_page.median", a, b, a is not None and b is not None and b > a * (1 + speed_tolerance)))
    return changes
