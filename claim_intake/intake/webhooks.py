"""Webhooks: a claim's status changed -> a signed POST to each URL its organisation registered.

The body is signed with HMAC-SHA256 under the webhook's secret; the receiver recomputes it over
the raw body and compares (``X-Claim-Intake-Signature: sha256=<hex>``). Deliveries run on their own
small thread pool (in the Celery mode: their own queue, ``claim-intake webhook-worker``), so a slow
or dead receiver never holds up reading, and every one is recorded. Targets are checked and pinned
by ``webhook_targets`` (public addresses only, no redirects, errors summarised).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from claim_intake.errors import WebhookDeliveryError, WebhookTargetError
from claim_intake.intake.metrics import Metrics
from claim_intake.intake.payout import decision_view
from claim_intake.intake.settings import Settings
from claim_intake.intake.store.db import (
    ClaimRow,
    FindingRow,
    Webhook,
    WebhookDelivery,
    new_id,
    utcnow,
)
from claim_intake.intake.webhook_targets import check_target, post, summarise
from claim_intake.workers.jobs import StatusChanged

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Claim-Intake-Signature"
EVENT = "claim.status_changed"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    """What a receiver does; here for receivers written in Python, and for the tests."""
    return hmac.compare_digest(sign(secret, body), signature)


class WebhookDispatcher:
    def __init__(self, sessions: sessionmaker[Session], settings: Settings, metrics: Metrics) -> None:
        self._sessions = sessions
        self._metrics = metrics
        self._timeout = settings.webhook_timeout_s
        self._allowed = settings.webhook_allowed_networks
        self._retry = Retrying(
            stop=stop_after_attempt(settings.webhook_attempts),
            wait=wait_exponential(multiplier=settings.webhook_backoff_s, max=60),
            retry=retry_if_exception_type(WebhookDeliveryError),
            reraise=True,
        )
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="claim-intake-webhook")

    def status_changed(self, change: StatusChanged) -> Future[None]:
        return self._pool.submit(self._dispatch, change)

    def deliver(self, change: StatusChanged) -> None:
        """Records and sends the deliveries in the calling thread: a worker's task."""
        self._dispatch(change)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _dispatch(self, change: StatusChanged) -> None:
        with self._sessions.begin() as session:
            claim = session.get(ClaimRow, change.claim_id)
            if claim is None:
                return
            hooks = list(session.scalars(select(Webhook).where(Webhook.organisation_id == claim.organisation_id)))
            summary = _summary(session, claim, change)
            deliveries = []
            for hook in hooks:
                delivery = WebhookDelivery(id=new_id("dlv"), webhook_id=hook.id, claim_id=claim.id,
                                           event=EVENT, status="pending", attempts=0)
                session.add(delivery)
                deliveries.append((delivery.id, hook.url, hook.secret))
        for delivery_id, url, secret in deliveries:
            body = json.dumps(
                {"event": EVENT, "delivery_id": delivery_id, "sent_at": utcnow().isoformat(), "claim": summary},
                ensure_ascii=False, separators=(",", ":"),
            ).encode()
            self._deliver(delivery_id, url, secret, body)

    def _deliver(self, delivery_id: str, url: str, secret: str, body: bytes) -> None:
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(secret, body),
            "X-Claim-Intake-Event": EVENT,
            "X-Claim-Intake-Delivery": delivery_id,
        }
        attempts = 0

        def attempt() -> int:
            nonlocal attempts
            attempts += 1
            target = check_target(url, self._allowed)  # each time: what the name resolves to may change
            try:
                response = post(target, body, headers, self._timeout)
            except httpx.HTTPError as exc:
                raise WebhookDeliveryError(summarise(exc)) from exc
            if not response.is_success:  # a redirect (3xx) included: not followed
                raise WebhookDeliveryError(f"the receiver answered {response.status_code}", response.status_code)
            return response.status_code

        status, code, error = "delivered", None, None
        try:
            code = self._retry(attempt)
        except WebhookTargetError as exc:
            status, error = "failed", summarise(exc)
            log.warning("webhook delivery %s to %s refused: %s", delivery_id, url, exc.message)
        except WebhookDeliveryError as exc:
            status, code, error = "failed", exc.status, str(exc)
            log.warning("webhook delivery %s to %s failed after %d attempts: %s", delivery_id, url, attempts, exc)
        with self._sessions.begin() as session:
            row = session.get_one(WebhookDelivery, delivery_id)
            row.status, row.attempts, row.response_status, row.error = status, attempts, code, error
            row.finished_at = utcnow()
        self._metrics.webhook_deliveries.labels(outcome=status).inc()


def _summary(session: Session, claim: ClaimRow, change: StatusChanged) -> dict[str, Any]:
    counts = session.execute(
        select(FindingRow.severity, func.count()).where(FindingRow.claim_id == claim.id).group_by(FindingRow.severity)
    ).all()
    return {
        "id": claim.id,
        "external_id": claim.external_id,
        "claim_type": claim.claim_type,
        "status": change.status,
        "previous_status": change.previous,
        "rule_set_version": claim.rule_set_version,
        "findings": {severity: n for severity, n in counts},
        "member_id": claim.member_id,
        "benefit": claim.benefit,
        "decision": decision.model_dump(mode="json") if (decision := decision_view(claim)) else None,
        "updated_at": claim.updated_at.isoformat(),
    }
