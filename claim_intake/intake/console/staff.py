"""The staff pages: login, the follow-up queue, a claim, the dashboard, and the claim's actions.

Every page but the login needs a staff session; every claim is looked up within the staff
member's organisation (another's is a 404). Actions answer with a redirect to the claim page.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, FastAPI, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from claim_intake.errors import (
    ClaimIntakeError,
    ForbiddenError,
    InvalidRequestError,
    LoginRequiredError,
    NotFoundError,
)
from claim_intake.intake import figures, lifecycle
from claim_intake.intake.auth import Caller
from claim_intake.intake.console import charts, claim_page, login_guard, queries, two_step
from claim_intake.intake.console.account_pages import install_account_pages
from claim_intake.intake.console.accounts import authenticate, normalise_email
from claim_intake.intake.console.app import Console, Db, age, console_app
from claim_intake.intake.console.i18n import Translator, language
from claim_intake.intake.console.members import add_member_pages, roster_upload_gate
from claim_intake.intake.console.page_images import render_page
from claim_intake.intake.console.payout_pages import decision, install_payout_pages
from claim_intake.intake.console.security import client_address, current_staff, log_in, log_out
from claim_intake.intake.corrections import CorrectionError
from claim_intake.intake.erasure import erase_claim
from claim_intake.intake.roles import ADMINS, REVEALERS, require
from claim_intake.intake.store import claims as claim_ops
from claim_intake.intake.store.db import ClaimAssignment, StaffMember, utcnow
from claim_intake.validators.models import ClaimType, FindingCode

_FLASH = "flash"
_LINK = "link"
_REVEAL = "reveal"


def _safe_next(target: str | None) -> str | None:
    """Only a path of the console itself: never an open redirect to another site."""
    if target and target.startswith("/console/"):
        return target
    return None


def _staff(request: Request, db: Db) -> StaffMember:
    return current_staff(request, db)


Staff = Annotated[StaffMember, Depends(_staff)]


def staff_app(console: Console) -> FastAPI:
    app = console_app(console, gate=roster_upload_gate(console))
    service = console.service

    @app.exception_handler(LoginRequiredError)
    async def _login_required(request: Request, _exc: LoginRequiredError) -> Response:
        target = str(request.url_for("console:login"))
        if request.method == "GET":
            target += f"?next={request.url.path}"
        return RedirectResponse(target, status_code=303)

    def to_claim(request: Request, claim_id: str, anchor: str = "") -> RedirectResponse:
        return RedirectResponse(f"{request.url_for('console:claim', claim_id=claim_id)}{anchor}", status_code=303)

    @app.get("/", name="home")
    def home(request: Request) -> RedirectResponse:
        return RedirectResponse(request.url_for("console:queue"), status_code=303)

    @app.get("/login", name="login")
    def login_page(request: Request, next: str | None = None) -> Response:
        return console.render(request, "login.html", next=_safe_next(next))

    @app.post("/login")
    def login(request: Request, db: Db, email: Annotated[str, Form(max_length=320)],
              password: Annotated[str, Form(max_length=1000)],
              next: Annotated[str | None, Form(max_length=2000)] = None,
              code: Annotated[str, Form(max_length=20)] = "") -> Response:
        address, login_name = client_address(request), normalise_email(email)
        blocked = login_guard.throttle(db, login_name, address, console.login_policy)
        if blocked is not None:  # refused before Argon2 runs: a flood costs no hashing
            login_guard.record(db, login_name, address, login_guard.THROTTLED)
            db.commit()
            minutes = max(1, -(-blocked.retry_after_s // 60))
            response = console.render(request, "login.html", 429, locked=blocked.scope, minutes=minutes,
                                      email=email, next=_safe_next(next))
            response.headers["Retry-After"] = str(blocked.retry_after_s)
            return response
        staff = authenticate(db, email, password)
        if staff is not None and two_step.enabled(staff):
            db.refresh(staff, with_for_update=True)  # two logins racing with one code: one wins
        if staff is not None and two_step.enabled(staff) and not two_step.check_code(staff, code):
            staff = None  # the same answer as a wrong password: the page tells nothing of which was wrong
        if staff is None:
            login_guard.record(db, login_name, address, login_guard.FAILED)
            db.commit()
            return console.render(request, "login.html", 401, failed=True, email=email, next=_safe_next(next))
        login_guard.record(db, login_name, address, login_guard.SUCCEEDED, staff.id)
        log_in(request, db, staff, console.settings.console_session_hours)
        db.commit()  # the session, the audit, a rehashed password
        return RedirectResponse(_safe_next(next) or request.url_for("console:queue"), status_code=303)

    @app.post("/logout", name="logout")
    def logout(request: Request, db: Db) -> RedirectResponse:
        log_out(request, db)
        db.commit()
        return RedirectResponse(request.url_for("console:login"), status_code=303)

    @app.get("/queue", name="queue")
    def queue(
        request: Request, db: Db, staff: Staff,
        claim_type: Annotated[ClaimType | None, Query()] = None,
        code: Annotated[FindingCode | None, Query()] = None,
        assignee: Annotated[str | None, Query(max_length=40)] = None,
    ) -> Response:
        items = queries.follow_up_queue(
            db, staff.organisation_id, claim_type=claim_type, code=code,
            assignee=staff.id if assignee == "me" else assignee or None,
        )
        return console.render(
            request, "queue.html", staff=staff, items=items, colleagues=queries.staff_of(db, staff.organisation_id),
            claim_types=list(ClaimType), codes=list(FindingCode),
            selected={"claim_type": claim_type or "", "code": code or "", "assignee": assignee or ""},
        )

    @app.get("/dashboard", name="dashboard")
    def dashboard(request: Request, db: Db, staff: Staff) -> Response:
        board = figures.figures(db, staff.organisation_id, service.zone, utcnow())
        t = Translator(language(request))
        return console.render(request, "dashboard.html", staff=staff, board=board,
                              buckets=[name for name, _ in figures.AGE_BUCKETS],
                              hours=lambda h: age(t, timedelta(hours=h)),
                              payout_chart=charts.bars([(m.month, float(m.payout_sum)) for m in board.per_month],
                                                       t("dashboard.payouts"), "¥{:,.0f}"),
                              time_charts=[(t(f"dashboard.to_{stage}"), charts.bars(
                                  [(s.month, s.median_hours / 24) for s in board.times if s.stage == stage],
                                  t(f"dashboard.to_{stage}"), "{:.1f}d"))
                                  for stage in figures.STAGES if any(s.stage == stage for s in board.times)])

    @app.get("/dashboard.csv", name="dashboard_csv")
    def dashboard_csv(db: Db, staff: Staff) -> Response:
        data = figures.to_csv(figures.figures(db, staff.organisation_id, service.zone, utcnow()))
        return Response(data, media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="figures.csv"'})

    @app.get("/claims/{claim_id}", name="claim")
    def claim(request: Request, db: Db, staff: Staff, claim_id: str) -> Response:
        row = claim_ops.get_claim(db, staff.organisation_id, claim_id)
        t = Translator(language(request))
        # A reveal (audited when asked for) shows full numbers on the one page view that follows.
        revealed = request.session.pop(_REVEAL, None) == row.id and staff.role in REVEALERS
        documents = claim_page.documents(row, t, reveal=revealed)
        pages = {page.anchor: page for document in documents for page in document.pages}
        findings = claim_page.findings(db, row, pages)
        assignment = db.get(ClaimAssignment, row.id)
        # The audit log names who read a claimant's documents: here a member of staff, not an API key.
        lifecycle.audit(db, Caller(staff.organisation_id, staff.id), "console.claim.read", row.id)
        db.commit()
        link = request.session.pop(_LINK, None)
        return console.render(
            request, "claim.html", staff=staff, claim=row, documents=documents, findings=findings,
            benefit_steps=claim_page.benefit_steps(row, documents, t), member=claim_page.member(db, row),
            history=claim_page.history(db, row, t), colleagues=queries.staff_of(db, staff.organisation_id),
            assignee_id=assignment.staff_id if assignment else "", channels=lifecycle.CHANNELS,
            outcomes=lifecycle.OUTCOMES, flash=request.session.pop(_FLASH, None),
            link=link["url"] if link and link.get("claim") == row.id else None,
            link_days=console.settings.follow_up_link_days, decision=decision(db, row, staff),
            can_reveal=staff.role in REVEALERS, revealed=revealed, can_erase=staff.role in ADMINS,
        )

    @app.post("/claims/{claim_id}/reveal", name="reveal")
    def reveal(request: Request, db: Db, staff: Staff, claim_id: str) -> Response:
        row = claim_ops.get_claim(db, staff.organisation_id, claim_id)
        try:
            require(staff, REVEALERS, "showing full ID and bank numbers")
        except ForbiddenError as exc:
            request.session[_FLASH] = {"error": "claim.refused", "detail": exc.message}
            return to_claim(request, row.id)
        lifecycle.audit(db, Caller(staff.organisation_id, staff.id), "console.claim.reveal", row.id)
        db.commit()
        request.session[_REVEAL] = row.id
        return to_claim(request, row.id)

    @app.post("/claims/{claim_id}/erase", name="erase")
    def erase(request: Request, db: Db, staff: Staff, claim_id: str,
              confirm: Annotated[str, Form(max_length=100)] = "") -> Response:
        row = claim_ops.get_claim(db, staff.organisation_id, claim_id)
        try:
            require(staff, ADMINS, "erasing a claim")
            if confirm.strip() != row.id:
                raise InvalidRequestError("to erase the claim, type its id exactly as shown")
        except ClaimIntakeError as exc:
            request.session[_FLASH] = {"error": "claim.refused", "detail": exc.message}
            return to_claim(request, row.id, "#erase")
        db.rollback()  # the erasure locks the claim in a transaction of its own
        erase_claim(service.sessions, service.store, row.id, organisation_id=staff.organisation_id, actor=staff.id)
        request.session[_FLASH] = {"notice": "claim.erased", "detail": row.id}
        return RedirectResponse(request.url_for("console:claims"), status_code=303)

    @app.get("/claims/{claim_id}/documents/{document_id}/pages/{number}", name="page_image")
    def page_image(db: Db, staff: Staff, claim_id: str, document_id: str, number: int) -> Response:
        row = claim_ops.get_claim(db, staff.organisation_id, claim_id)
        document = next((d for d in row.documents if d.id == document_id), None)
        if document is None or document.sha256 is None:
            raise NotFoundError(f"no document {document_id}")
        image = render_page(service.store.get(document.sha256), number, console.settings.read)
        lifecycle.audit(db, Caller(staff.organisation_id, staff.id), "console.page.read", row.id, document.id)
        db.commit()
        # A claimant's document: kept by no cache, on a shared computer neither (security_headers).
        return Response(image, media_type="image/jpeg", headers={"Cache-Control": "no-store"})

    @app.post("/claims/{claim_id}/corrections", name="correct")
    def correct(request: Request, db: Db, staff: Staff, claim_id: str,
                document_id: Annotated[str, Form(max_length=40)], part: Annotated[int, Form()],
                name: Annotated[str, Form(max_length=60)], value: Annotated[str, Form(max_length=1000)]) -> Response:
        row = claim_ops.get_claim(db, staff.organisation_id, claim_id)
        try:
            change = lifecycle.correct_field(db, staff, row, document_id, part, name, value)
        except CorrectionError as exc:
            request.session[_FLASH] = {"error": "claim.invalid_value", "detail": exc.message}
            return to_claim(request, row.id)
        db.commit()
        service.reassess(row.id, change)
        return to_claim(request, row.id, f"#{document_id}")

    @app.post("/claims/{claim_id}/waivers", name="waive")
    def waive(request: Request, db: Db, staff: Staff, claim_id: str,
              finding_key: Annotated[str, Form(max_length=400)], reason: Annotated[str, Form(max_length=1000)]) -> Response:
        row = claim_ops.get_claim(db, staff.organisation_id, claim_id)
        change = lifecycle.waive_finding(db, staff, row, finding_key, reason)
        db.commit()
        service.reassess(row.id, change)
        return to_claim(request, row.id, "#findings")

    @app.post("/claims/{claim_id}/assignment", name="assign")
    def assign(request: Request, db: Db, staff: Staff, claim_id: str,
               staff_id: Annotated[str, Form(max_length=40)] = "") -> Response:
        row = claim_ops.get_claim(db, staff.organisation_id, claim_id)
        lifecycle.assign(db, staff, row, staff_id or None)
        db.commit()
        return to_claim(request, row.id)

    @app.post("/claims/{claim_id}/contacts", name="contact")
    def contact(request: Request, db: Db, staff: Staff, claim_id: str,
                channel: Annotated[str, Form(max_length=20)], outcome: Annotated[str, Form(max_length=40)],
                next_step: Annotated[str, Form(max_length=1000)] = "") -> Response:
        row = claim_ops.get_claim(db, staff.organisation_id, claim_id)
        lifecycle.log_contact(db, staff, row, channel, outcome, next_step)
        db.commit()
        return to_claim(request, row.id, "#history")

    @app.post("/claims/{claim_id}/links", name="link")
    def create_link(request: Request, db: Db, staff: Staff, claim_id: str) -> Response:
        row = claim_ops.get_claim(db, staff.organisation_id, claim_id)
        lifecycle.create_follow_up_link(db, staff, row, console.settings.follow_up_link_days)
        token = console.links.issue(db, row.id, staff.id)
        db.commit()
        public = console.settings.public_url
        url = (f"{public.rstrip('/')}/f/{row.id}/{token}" if public
               else str(request.url_for("follow-up:page", claim_id=row.id, token=token)))
        # Shown once, on the next page: the token is never stored, only signed.
        request.session[_LINK] = {"claim": row.id, "url": url}
        return to_claim(request, row.id, "#link")

    @app.post("/claims/{claim_id}/links/revoke", name="revoke_links")
    def revoke_links(request: Request, db: Db, staff: Staff, claim_id: str) -> Response:
        row = claim_ops.get_claim(db, staff.organisation_id, claim_id)
        console.links.revoke(db, row.id)
        lifecycle.audit(db, Caller(staff.organisation_id, staff.id), "console.links.revoke", row.id)
        db.commit()
        return to_claim(request, row.id, "#link")

    add_member_pages(app, console)
    install_payout_pages(app, console)
    install_account_pages(app, console)

    # Imported here: the member pages' staff side needs this module's Staff.
    from claim_intake.intake.member.staff_pages import add_member_routes

    add_member_routes(app, console)
    return app
