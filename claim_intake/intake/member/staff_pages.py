"""The staff side of the member pages, in the console: the organisation's entry point (its link,
QR code and poster; whether a code is sent to the phone first) and the notification outbox, where
every message to a member can be seen and sent again."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import FastAPI, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from claim_intake.intake.console.app import Console, Db
from claim_intake.intake.console.staff import Staff
from claim_intake.intake.member.identity import mask_phone
from claim_intake.intake.member.pages import qr_svg
from claim_intake.intake.member.tables import MemberPortal, Notification


def add_member_routes(app: FastAPI, console: Console) -> None:
    service = console.service

    def portal_url(request: Request, portal: MemberPortal) -> str:
        base = console.settings.public_url or str(request.base_url).rstrip("/")
        return f"{base.rstrip('/')}/m/{portal.slug}"

    @app.get("/member", name="member")
    def member_page(request: Request, db: Db, staff: Staff) -> Response:
        portal = db.scalar(select(MemberPortal).where(MemberPortal.organisation_id == staff.organisation_id))
        outbox = list(db.scalars(select(Notification).where(Notification.organisation_id == staff.organisation_id)
                                 .order_by(Notification.created_at.desc()).limit(100)))
        url = portal_url(request, portal) if portal else None
        return console.render(request, "member_staff.html", staff=staff, portal=portal, url=url,
                              qr=qr_svg(url, 4) if url else None, outbox=outbox, mask_phone=mask_phone)

    @app.post("/member/portal", name="member-portal")
    def save_portal(request: Request, db: Db, staff: Staff, title: Annotated[str, Form(min_length=2, max_length=200)],
                    require_code: Annotated[str, Form(max_length=5)] = "") -> Response:
        portal = db.scalar(select(MemberPortal).where(MemberPortal.organisation_id == staff.organisation_id))
        if portal is None:
            portal = MemberPortal(slug=secrets.token_urlsafe(9), organisation_id=staff.organisation_id)
            db.add(portal)
        portal.title, portal.require_code = title.strip(), require_code == "yes"
        db.commit()
        return RedirectResponse(request.url_for("console:member"), status_code=303)

    @app.post("/member/notifications/{notification_id}/resend", name="member-resend")
    def resend(request: Request, db: Db, staff: Staff, notification_id: str) -> Response:
        service.notifier.resend(db, staff.organisation_id, notification_id)  # type: ignore[union-attr]
        db.commit()
        return RedirectResponse(f"{request.url_for('console:member')}#outbox", status_code=303)
