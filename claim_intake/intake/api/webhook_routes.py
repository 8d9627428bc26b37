"""``/v1/webhooks``: where the organisation's claims' status changes are POSTed, and how each
delivery went."""

from __future__ import annotations

import secrets

from fastapi import APIRouter
from sqlalchemy import select

from claim_intake.errors import NotFoundError
from claim_intake.intake.api.deps import ERRORS, CallerDep, ServiceDep, SessionDep
from claim_intake.intake.api.schemas import DeliveryOut, WebhookIn, WebhookOut
from claim_intake.intake.store.db import Webhook, WebhookDelivery, new_id
from claim_intake.intake.webhook_targets import check_target

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])


@router.post("", status_code=201, response_model=WebhookOut, responses=ERRORS)
def register_webhook(service: ServiceDep, db: SessionDep, who: CallerDep, body: WebhookIn) -> dict:
    """Status changes of the organisation's claims are POSTed here, signed with the secret. The
    host must resolve to public addresses only (code ``webhook_target_refused`` otherwise)."""
    check_target(body.url, service.settings.webhook_allowed_networks)
    hook = Webhook(id=new_id("whk"), organisation_id=who.organisation_id, url=body.url,
                   secret=body.secret or secrets.token_urlsafe(32))
    db.add(hook)
    db.commit()
    return {"id": hook.id, "url": hook.url, "created_at": hook.created_at, "secret": hook.secret}


@router.get("", response_model=list[WebhookOut], responses=ERRORS)
def list_webhooks(db: SessionDep, who: CallerDep) -> list[dict]:
    hooks = db.scalars(select(Webhook).where(Webhook.organisation_id == who.organisation_id).order_by(Webhook.created_at))
    return [{"id": h.id, "url": h.url, "created_at": h.created_at} for h in hooks]


@router.get("/{webhook_id}/deliveries", response_model=list[DeliveryOut], responses=ERRORS)
def list_deliveries(db: SessionDep, who: CallerDep, webhook_id: str) -> list[WebhookDelivery]:
    hook = db.get(Webhook, webhook_id)
    if hook is None or hook.organisation_id != who.organisation_id:
        raise NotFoundError(f"no webhook {webhook_id}")
    return list(db.scalars(
        select(WebhookDelivery).where(WebhookDelivery.webhook_id == hook.id).order_by(WebhookDelivery.created_at)
    ))
