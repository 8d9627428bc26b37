"""The staff pages: login, the follow-up queue, a claim, the dashboard, and the claim's actions.

Every page but the login needs a staff session; every claim is looked up within the staff
member's organisation (another's is a 404). Actions answer with a redirect to the claim page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from claim_intake.errors import LoginRequiredError, NotFoundError
from claim_intake.intake import lifecycle
from claim_intake.intake.auth import Caller
from claim_intake.intake.console import claim_page, queries
from claim_intake.intake.console.accounts import authenticate
from claim_intake.intake.console.app import Console, Db, console_app
from claim_intake.intake.console.i18n import Translator, language
from claim_intake.intake.console.page_images import render_page
from claim_intake.intake.console.security import current_staff, log_in, log_out
from claim_intake.intake.corrections import CorrectionError
from claim_intake.intake.store import claims as claim_ops
from claim_intake.intake.store.db import ClaimAssignment, StaffMember, utcnow
from claim_intake.validators.models import ClaimType, FindingCode

_FLASH = "flash"
_LINK = "link"


def _safe_next(target: str | None) -> str | None:
    """Only a path of the console itself: never an open redirect to another site."""
    if target and target.startswith("/console/"):
        return target
    return None


def _staff(request: Request, db: Db) -> StaffMember:
    return current_staff(request, db)


Staff = Annotated[StaffMember, Depends(_staff)]


def staff_app(console: Console) -> FastAPI:
    app = console_app(console)
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
              next: Annotated[str | None, Form(max_length=2000)] = None) -> Response:
        staff = authenticate(db, email, password)
        if staff is None:
            return console.render(request, "login.html", 401, failed=True, email=email, next=_safe_next(next))
        db.commit()  # a rehashed password
        log_in(request, staff)
        return RedirectResponse(_safe_next(next) or request.url_for("console:queue"), status_code=303)

    @app.post("/logout", name="logout")
    def logout(request: Request) -> RedirectResponse:
        log_out(request)
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
        return console.render(request, "dashboard.html", staff=staff,
                              board=queries.dashboard(db, staff.organisation_id, utcnow()),
                              buckets=[name for name, _ in queries.AGE_BUCKETS])

    @app.get("/claims/{claim_id}", name="claim")
    def claim(request: Request, db: Db, staff: Staff, claim_id: str) -> Response:
        row = claim_ops.get_claim(db, staff.organisation_id, claim_id)
        t = Translator(language(request))
        documents = claim_page.documents(row, t)
        pages = {page.anchor: page for document in documents for page in document.pages}
        findings = claim_page.findings(db, row, pages)
        assignment = db.get(ClaimAssignment, row.id)
        # The audit log names who read a claimant's documents: here a member of staff, not an API key.
        lifecycle.audit(db, Caller(staff.organisation_id, staff.id), "console.claim.read", row.id)
        db.commit()
        link = request.session.pop(_LINK, None)
        return console.render(
            request, "claim.html", staff=staff, claim=row, documents=documents, findings=findings,
            history=claim_page.history(db, row, t), colleagues=queries.staff_of(db, staff.organisation_id),
            assignee_id=assignment.staff_id if assignment else "", channels=lifecycle.CHANNELS,
            outcomes=lifecycle.OUTCOMES, flash=request.session.pop(_FLASH, None),
            link=link["url"] if link and link.get("claim") == row.id else None,
            link_days=console.settings.follow_up_link_days,
        )

    @app.get("/claims/{claim_id}/documents/{document_id}/pages/{number}", name="page_image")
    def page_image(db: Db, staff: Staff, claim_id: str, document_id: str, number: int) -> Response:
        row = claim_ops.get_claim(db, staff.organisation_id, claim_id)
        document = next((d for d in row.documents if d.id == document_id), None)
        if document is None or document.sha256 is None:
            raise NotFoundError(f"no document {document_id}")
        image = render_page(service.store.get(document.sha256), number, console.settings.read)
        # The URL names stored bytes that never change; "private": it is a claimant's document.
        return Response(image, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=86400"})

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
        db.commit()
        token = console.links.token(row.id)
        public = console.settings.public_url
        url = (f"{public.rstrip('/')}/f/{row.id}/{token}" if public
               else str(request.url_for("follow-up:page", claim_id=row.id, token=token)))
        # Shown once, on the next page: the link is never stored, only signed.
        request.session[_LINK] = {"claim": row.id, "url": url}
        return to_claim(request, row.id, "#link")

    # Imported here: the member pages' staff side needs this module's Staff.
    from claim_intake.intake.member.staff_pages import add_member_routes

    add_member_routes(app, console)
    return app
