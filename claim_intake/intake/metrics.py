"""Prometheus metrics, one registry per app so that several apps (tests) never collide."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "claim_intake_http_requests_total", "HTTP requests answered.",
            ["method", "route", "status"], registry=self.registry,
        )
        self.request_seconds = Histogram(
            "claim_intake_http_request_seconds", "Time to answer an HTTP request.",
            ["method", "route"], registry=self.registry,
        )
        self.documents_read = Counter(
            "claim_intake_documents_read_total", "Documents read, by outcome (read, failed).",
            ["outcome"], registry=self.registry,
        )
        self.read_seconds = Histogram(
            "claim_intake_document_read_seconds", "Time to read one upload (OCR and extraction).",
            buckets=(0.1, 0.5, 1, 2, 5, 10, 20, 40, 80), registry=self.registry,
        )
        self.claims_assessed = Counter(
            "claim_intake_claims_assessed_total", "Assessments stored, by resulting status.",
            ["status"], registry=self.registry,
        )
        self.webhook_deliveries = Counter(
            "claim_intake_webhook_deliveries_total", "Webhook deliveries, by outcome.",
            ["outcome"], registry=self.registry,
        )
        self.queue_depth = Gauge(
            "claim_intake_jobs_pending", "Jobs submitted to the in-process executor, not finished.",
            registry=self.registry,
        )

    def watch_queue(self, pending: Callable[[], int]) -> None:
        self.queue_depth.set_function(pending)

    def render(self) -> bytes:
        return generate_latest(self.registry)
