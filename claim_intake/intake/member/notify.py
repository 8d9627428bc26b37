"""Messages to members in plain Chinese, through one notifier: every message is kept in the
outbox (``notifications``), which staff see and resend in the console; a channel carries it.

Channels: ``outbox`` (the embedded default: kept for staff, nothing sent), ``webhook`` (a JSON POST
to the organisation's own gateway), ``sms`` (a plug-in point: an ``SmsGateway`` the deployment
provides; none is built in).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import httpx
from sqlalchemy.orm import Session

from claim_intake.errors import NotFoundError
from claim_intake.intake.member.tables import Notification
from claim_intake.intake.store.db import new_id, utcnow

log = logging.getLogger(__name__)


class Channel(Protocol):
    name: str

    def deliver(self, message: Notification) -> None:
        """Sends the message; raises on failure."""
        ...


class SmsGateway(Protocol):
    """The plug-in point for an SMS provider (none is built in)."""

    def send(self, phone: str, text: str) -> None: ...


class OutboxChannel:
    """Keeps the message for staff to see (and to pass on by hand or by their own means)."""

    name = "outbox"

    def deliver(self, message: Notification) -> None:
        return None


@dataclass
class WebhookChannel:
    url: str
    timeout_s: float = 5.0
    name: str = "webhook"

    def deliver(self, message: Notification) -> None:
        response = httpx.post(self.url, timeout=self.timeout_s, json={
            "id": message.id, "phone": message.phone, "kind": message.kind, "text": message.body,
            "claim_id": message.claim_id,
        })
        response.raise_for_status()


@dataclass
class SmsChannel:
    gateway: SmsGateway
    name: str = "sms"

    def deliver(self, message: Notification) -> None:
        self.gateway.send(message.phone, message.body)


@dataclass
class Notifier:
    channel: Channel

    def send(self, session: Session, organisation_id: str, phone: str, kind: str, body: str,
             claim_id: str | None = None) -> Notification:
        message = Notification(id=new_id("ntf"), organisation_id=organisation_id, claim_id=claim_id, phone=phone,
                               kind=kind, body=body, channel=self.channel.name, status="pending", attempts=0)
        session.add(message)
        self._deliver(message)
        return message

    def resend(self, session: Session, organisation_id: str, notification_id: str) -> Notification:
        message = session.get(Notification, notification_id)
        if message is None or message.organisation_id != organisation_id:
            raise NotFoundError(f"no notification {notification_id}")
        message.channel = self.channel.name
        self._deliver(message)
        return message

    def _deliver(self, message: Notification) -> None:
        message.attempts += 1
        try:
            self.channel.deliver(message)
        except Exception as exc:  # noqa: BLE001 - any channel's failure is kept for staff to see and resend
            log.warning("notification %s not delivered: %s", message.id, exc)
            message.status, message.error = "failed", str(exc)[:500]
            return
        message.status = "kept" if self.channel.name == "outbox" else "sent"
        message.error, message.sent_at = None, utcnow()
        if message.kind == "code" and self.channel.name != "outbox":
            # Delivered: the code need not be kept (the outbox alone must keep it, for staff to pass on).
            message.body = "（验证码已发送）"


def notifier_from(kind: str, webhook_url: str | None, timeout_s: float) -> Notifier:
    if kind == "webhook":
        if not webhook_url:
            raise ValueError("CLAIM_INTAKE_NOTIFIER_WEBHOOK_URL is required for the webhook notifier")
        return Notifier(WebhookChannel(webhook_url, timeout_s))
    return Notifier(OutboxChannel())


# --- the messages -----------------------------------------------------------------------------------

def code_text(code: str, minutes: int) -> str:
    return f"【职工医疗互助】您的验证码是{code}，{minutes}分钟内有效，仅可使用一次。如非本人操作，请忽略。"


def needs_follow_up_text(asks: Sequence[str], link: str) -> str:
    items = "；".join(asks[:3]) + ("等" if len(asks) > 3 else "")
    return f"【职工医疗互助】您的互助金申请还需要补充材料：{items}。请打开 {link} 查看并补传。"


def approved_text(amount: str | None, link: str) -> str:
    money = f"，核定互助金{amount}元" if amount else ""
    return f"【职工医疗互助】您的互助金申请已审核通过{money}。详情请查看 {link}"


def paid_text(amount: str | None, link: str) -> str:
    money = f"{amount}元" if amount else "互助金"
    return f"【职工医疗互助】您的{money}已发放到您的银行账户，请注意查收。详情请查看 {link}"
