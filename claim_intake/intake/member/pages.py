"""The member's pages under ``/m``: phone-first, in Chinese, no account and nothing from the internet.

``/m/<slug>`` identifies the member (and sends a one-time code when the organisation asks for
one); ``/m/<slug>/new`` is 信息填报; ``/m/c/<claim>`` is the claim: 材料上传 with the feedback of
each upload, then the status page the member keeps; ``/m/s/<claim>/<token>`` is the status link
(with a code sent to the phone). A member sees only their own claims, and every miss is the same
"no claim" page.
"""

from __future__ import annotations

import functools
import io
from collections.abc import AsyncIterator, Iterator
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import anyio
import segno
from fastapi import Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from PIL import Image
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from claim_intake.errors import (
    ClaimIntakeError,
    CsrfError,
    InvalidRequestError,
    NotFoundError,
    RateLimitedError,
    UnreadableFileError,
)
from claim_intake.intake import lifecycle
from claim_intake.intake.auth import Caller
from claim_intake.intake.console.page_images import render_page
from claim_intake.intake.console.security import csrf_token, require_csrf
from claim_intake.intake.member import claims as member_claims
from claim_intake.intake.member import codes, feedback, limits
from claim_intake.intake.member.cookie import EncryptedSessionMiddleware
from claim_intake.intake.member.identity import Identity, mask_phone
from claim_intake.intake.member.illustrations import illustration_svg
from claim_intake.intake.member.links import StatusLinks, StatusUrl
from claim_intake.intake.member.tables import MemberClaim, MemberPortal
from claim_intake.intake.service import Service
from claim_intake.intake.store import claims as claim_ops
from claim_intake.intake.upload_form import UploadLimits, files_of, upload_form
from claim_intake.intake.uploads import screen_files
from claim_intake.ocr.kinds import file_input_accept
from claim_intake.validators.messages import builtin_messages

THUMBNAIL_SIDE = 480
"""The member's upload beside its feedback: enough to recognise it on a phone."""
_HERE = Path(str(resources.files("claim_intake.intake.member")))
_WHO, _PENDING, _GRANTED = "who", "pending", "granted"


def _db(request: Request) -> Iterator[Session]:
    service: Service = request.app.state.service
    with service.sessions() as session:
        yield session


Db = Annotated[Session, Depends(_db)]
"""One database session per request."""


def member_status_link(session: Session, claim_id: str, secret: str) -> str | None:
    """The member's status link of a claim sent from the member pages; None for any other claim."""
    if session.get(MemberClaim, claim_id) is None:
        return None
    return f"/m/s/{claim_id}/{StatusLinks(secret, 0).token(claim_id)}"


def qr_svg(url: str, scale: int = 6) -> str:
    return segno.make(url, error="m").svg_inline(scale=scale, border=2, dark="#000", light="#fff")


async def _chosen_files(request: Request) -> list[UploadFile]:
    """The files of the upload's form (read by the gate, within the upload limits)."""
    return files_of(await request.form())


Chosen = Annotated[list[UploadFile], Depends(_chosen_files)]


def member_app(service: Service, secret: str) -> FastAPI:
    settings = service.settings
    templates = Jinja2Templates(directory=_HERE / "templates")
    status_url = StatusUrl.of(settings, secret)
    links = status_url.links
    notices = member_claims.MemberNotices(service.sessions, service.notifier, status_url)  # type: ignore[arg-type]
    service.status_listeners.append(notices.status_changed)
    async def upload_gate(request: Request) -> AsyncIterator[None]:
        """A photo's body is read only for the member whose claim it is, then within the upload
        limits; every other form keeps the small default (``intake.body_limit``)."""
        route = request.scope.get("route")
        if request.method != "POST" or getattr(route, "name", None) != "files":
            yield
            return

        def owns() -> None:
            with service.sessions() as session:
                claim_for(request, session, request.path_params.get("claim_id", ""))

        await anyio.to_thread.run_sync(owns)
        async with upload_form(request, UploadLimits.of_claims(settings)):
            yield

    # The gate first: the CSRF check reads the form, which it then finds read within the limits.
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None,
                  dependencies=[Depends(upload_gate), Depends(require_csrf)])
    app.state.notices = notices
    app.state.service = service
    app.state.links = links

    def base_url() -> str:
        return (settings.public_url or "").rstrip("/")

    def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, template, {"csrf_token": csrf_token(request), **context},
                                          status_code=status_code)

    @app.exception_handler(NotFoundError)
    @app.exception_handler(StarletteHTTPException)
    async def _nothing(request: Request, _exc: Exception) -> Response:
        return render(request, "nothing.html", 404)

    @app.exception_handler(RateLimitedError)
    async def _slow_down(request: Request, _exc: RateLimitedError) -> Response:
        return render(request, "message.html", 429, title="请稍后再试",
                      text="操作太频繁了，请过几分钟再试。")

    @app.exception_handler(CsrfError)
    async def _csrf(request: Request, _exc: CsrfError) -> Response:
        return render(request, "message.html", 403, title="页面已过期", text="请返回上一页，刷新后再试一次。")

    @app.exception_handler(ClaimIntakeError)
    async def _other(request: Request, exc: ClaimIntakeError) -> Response:
        return render(request, "message.html", exc.http_status, title="没有成功", text="请稍后再试，或联系工会工作人员。")

    def client(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    def limit_ip(session: Session, request: Request) -> None:
        limits.hit(session, f"ip:{client(request)}", settings.member_rate_per_ip, settings.member_rate_window_s)

    def limit_phone(session: Session, phone: str) -> None:
        limits.hit(session, f"phone:{phone}", settings.member_rate_per_phone, settings.member_rate_window_s)

    def portal_of(session: Session, slug: str) -> MemberPortal:
        portal = session.get(MemberPortal, slug)
        if portal is None:
            raise NotFoundError(member_claims.NO_CLAIM)
        return portal

    def who(request: Request, portal: MemberPortal) -> Identity | None:
        stored = request.session.get(_WHO)
        if not stored or stored.get("org") != portal.organisation_id:
            return None
        return Identity.model_validate({k: stored[k] for k in ("name", "id_number", "phone", "unit")})

    def remember(request: Request, portal: MemberPortal, identity: Identity) -> None:
        request.session.pop(_PENDING, None)
        request.session[_WHO] = {"org": portal.organisation_id, **identity.model_dump()}

    def claim_for(request: Request, session: Session, claim_id: str) -> tuple[Any, MemberClaim, MemberPortal]:
        member = session.get(MemberClaim, claim_id)
        portal = session.scalar(select(MemberPortal).where(MemberPortal.organisation_id == member.organisation_id)) \
            if member else None
        if member is None or portal is None:
            raise NotFoundError(member_claims.NO_CLAIM)
        identity = who(request, portal)
        claim, member = member_claims.own_claim(
            session, portal.organisation_id, claim_id, granted=claim_id in request.session.get(_GRANTED, []),
            id_hash=member_claims.id_key(identity.id_number) if identity else None,
            phone=identity.phone if identity else None)
        return claim, member, portal

    # --- entry: identify, one-time code ---------------------------------------------------------

    @app.get("/{slug}", name="entry")
    def entry(request: Request, session: Db, slug: str) -> Response:
        portal = portal_of(session, slug)
        if who(request, portal) is not None:
            return RedirectResponse(request.url_for("member:home", slug=slug), status_code=303)
        return render(request, "identify.html", portal=portal, values={}, problems={})

    @app.post("/{slug}/identify", name="identify")
    def identify(request: Request, session: Db, slug: str, name: Annotated[str, Form(max_length=50)] = "",
                 id_number: Annotated[str, Form(max_length=30)] = "", phone: Annotated[str, Form(max_length=30)] = "",
                 unit: Annotated[str, Form(max_length=200)] = "") -> Response:
        portal = portal_of(session, slug)
        limit_ip(session, request)
        values = {"name": name, "id_number": id_number, "phone": phone, "unit": unit}
        try:
            identity = Identity.model_validate(values)
        except ValidationError as exc:
            problems = {str(e["loc"][0]): str(e.get("ctx", {}).get("error", "请填写这一项")) for e in exc.errors()}
            return render(request, "identify.html", 400, portal=portal, values=values, problems=problems)
        limit_phone(session, identity.phone)
        if not portal.require_code:
            remember(request, portal, identity)
            return RedirectResponse(request.url_for("member:home", slug=slug), status_code=303)
        codes.issue(session, service.notifier, secret, portal.organisation_id, identity.phone,  # type: ignore[arg-type]
                    settings.member_code_minutes)
        session.commit()
        request.session[_PENDING] = {"org": portal.organisation_id, **identity.model_dump()}
        return render(request, "code.html", portal=portal, phone=mask_phone(identity.phone),
                      action=request.url_for("member:code", slug=slug), failed=False)

    @app.post("/{slug}/code", name="code")
    def enter_code(request: Request, session: Db, slug: str, code: Annotated[str, Form(max_length=10)] = "") -> Response:
        portal = portal_of(session, slug)
        limit_ip(session, request)
        pending = request.session.get(_PENDING)
        if not pending or pending.get("org") != portal.organisation_id:
            return RedirectResponse(request.url_for("member:entry", slug=slug), status_code=303)
        ok = codes.verify(session, secret, portal.organisation_id, pending["phone"], code)
        session.commit()
        if not ok:
            return render(request, "code.html", 400, portal=portal, phone=mask_phone(pending["phone"]),
                          action=request.url_for("member:code", slug=slug), failed=True)
        remember(request, portal, Identity.model_validate({k: pending[k] for k in ("name", "id_number", "phone", "unit")}))
        return RedirectResponse(request.url_for("member:home", slug=slug), status_code=303)

    @app.post("/{slug}/leave", name="leave")
    def leave(request: Request, slug: str) -> Response:
        request.session.clear()
        return RedirectResponse(request.url_for("member:entry", slug=slug), status_code=303)

    # --- the member's claims and 信息填报 ----------------------------------------------------------

    def identified(request: Request, session: Session, slug: str) -> tuple[MemberPortal, Identity]:
        portal = portal_of(session, slug)
        identity = who(request, portal)
        if identity is None:
            raise _Identify(slug)
        return portal, identity

    @app.exception_handler(_Identify)
    async def _to_entry(request: Request, exc: _Identify) -> Response:
        return RedirectResponse(request.url_for("member:entry", slug=exc.slug), status_code=303)

    @app.get("/{slug}/home", name="home")
    def home(request: Request, session: Db, slug: str) -> Response:
        portal, identity = identified(request, session, slug)
        rows = member_claims.own_claims(session, portal.organisation_id, member_claims.id_key(identity.id_number),
                                        identity.phone)
        return render(request, "home.html", portal=portal, who=identity, rows=rows,
                      stage=member_claims.stage_label, types=feedback.CLAIM_TYPE_WORDS)

    @app.get("/{slug}/new", name="new")
    def new_claim(request: Request, session: Db, slug: str) -> Response:
        portal, identity = identified(request, session, slug)
        return render(request, "new.html", portal=portal, who=identity, values={}, problems={},
                      types=feedback.CLAIM_TYPE_WORDS, today=date.today().isoformat())

    @app.post("/{slug}/new")
    async def create_claim(request: Request, slug: str) -> Response:
        form = await request.form()
        with service.sessions() as session:
            portal, identity = identified(request, session, slug)
            limit_ip(session, request)
            values = {k: str(form.get(k) or "") for k in ("claim_type", "hospital", "start_date", "end_date",
                                                          "description", "bank_account", "bank_choice")}
            data: dict[str, Any] = {k: values[k] for k in ("claim_type", "hospital", "start_date", "description")}
            data["end_date"] = values["end_date"] or None
            data["bank_account"] = values["bank_account"] if values["bank_choice"] == "other" else None
            data["consent"] = form.get("consent") == "yes"
            try:
                checked = member_claims.ClaimForm.model_validate(data)
            except ValidationError as exc:
                return render(request, "new.html", 400, portal=portal, who=identity, values=values,
                              problems=member_claims.form_problems(exc), types=feedback.CLAIM_TYPE_WORDS,
                              today=date.today().isoformat())
            claim = member_claims.open_claim(session, portal.organisation_id, identity, checked, service.zone)
        service.executor.submit_assessment(claim.id)
        return RedirectResponse(request.url_for("member:claim", claim_id=claim.id), status_code=303)

    # --- the claim: 材料上传 with feedback, submit, status --------------------------------------------

    def claim_context(request: Request, session: Session, claim_id: str) -> dict[str, Any]:
        claim, member, portal = claim_for(request, session, claim_id)
        rules = settings.rule_set(claim.claim_type)
        waived = lifecycle.waived_keys(session, claim.id)
        documents = [feedback.document_view(d, claim, rules, waived) for d in claim.documents]
        return {
            "claim": claim, "member": member, "portal": portal, "documents": documents,
            "requirements": feedback.requirements(claim, rules), "reading": claim.status == "processing",
            "complete": feedback.is_complete(claim), "missing": lifecycle.open_claimant_messages(session, claim),
            "steps": member_claims.timeline(session, claim, service.zone), "stage": member_claims.stage_label(claim.status),
            "amount": member_claims.benefit_amount(claim), "type_words": feedback.CLAIM_TYPE_WORDS[claim.claim_type],
            "accept": "image/*," + file_input_accept(), "doc_names": builtin_messages(),
            "open_for_uploads": lifecycle.accepts_claimant_uploads(claim) and claim.status in (
                "processing", "needs_follow_up"),
        }

    @app.get("/c/{claim_id}", name="claim")
    def claim_page(request: Request, session: Db, claim_id: str) -> Response:
        return render(request, "claim.html", **claim_context(request, session, claim_id))

    @app.get("/c/{claim_id}/part", name="part")
    def claim_part(request: Request, session: Db, claim_id: str) -> Response:
        """The materials and what was found, for the page to swap in while it polls."""
        return render(request, "claim_part.html", **claim_context(request, session, claim_id))

    @app.post("/c/{claim_id}/files", name="files")
    async def upload(request: Request, claim_id: str, chosen: Chosen) -> Response:
        return await service.in_upload_thread(functools.partial(store_upload, request, claim_id, chosen))

    def store_upload(request: Request, claim_id: str, chosen: list[UploadFile]) -> Response:
        with service.sessions() as session:
            claim, _member, _portal = claim_for(request, session, claim_id)
            limit_ip(session, request)
            problem = None
            if not chosen:
                problem = "请先拍照或选择文件。"
            elif not lifecycle.accepts_claimant_uploads(claim):
                problem = "材料已经齐全，不需要再上传了。"
            if problem is None:
                try:
                    uploads = screen_files(chosen, settings.read.limits, settings.max_files_per_request)  # type: ignore[arg-type]
                except (InvalidRequestError, UnreadableFileError):
                    problem = "这个文件无法识别，请上传照片、PDF或OFD文件。"
            if problem is not None:
                if request.headers.get("accept") == "application/json":
                    return JSONResponse({"problem": problem}, status_code=400)
                return render(request, "message.html", 400, title="没有上传成功", text=problem,
                              back=request.url_for("member:claim", claim_id=claim_id))
            keys = claim_ops.store_uploads(service.store, uploads)
            change, queued = lifecycle.add_documents(session, Caller(claim.organisation_id, member_claims.MEMBER_CALLER),
                                                     claim, uploads, keys, by_claimant=True)
            session.commit()
        service.publish(change)
        for document_id in queued:
            service.executor.submit_document(document_id)
        if request.headers.get("accept") == "application/json":
            return JSONResponse({"queued": queued})
        return RedirectResponse(request.url_for("member:claim", claim_id=claim_id), status_code=303)

    @app.get("/c/{claim_id}/documents/{document_id}.jpg", name="thumbnail")
    def thumbnail(request: Request, session: Db, claim_id: str, document_id: str) -> Response:
        """The member's own upload, small: what the feedback beside it is about."""
        claim, _member, _portal = claim_for(request, session, claim_id)
        document = next((d for d in claim.documents if d.id == document_id and d.sha256), None)
        if document is None:
            raise NotFoundError(member_claims.NO_CLAIM)
        image = Image.open(io.BytesIO(render_page(service.store.get(document.sha256), 1, settings.read)))
        image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80)
        return Response(out.getvalue(), media_type="image/jpeg", headers={"Cache-Control": "private, max-age=3600"})

    @app.post("/c/{claim_id}/documents/{document_id}/remove", name="remove")
    def remove(request: Request, session: Db, claim_id: str, document_id: str) -> Response:
        claim, member, _portal = claim_for(request, session, claim_id)
        if member.submitted_at is not None:
            raise NotFoundError(member_claims.NO_CLAIM)  # sent: staff have seen it, it stays
        change = lifecycle.remove_document(session, Caller(claim.organisation_id, member_claims.MEMBER_CALLER),
                                           claim, document_id)
        session.commit()
        service.publish(change)
        service.executor.submit_assessment(claim.id)
        return RedirectResponse(request.url_for("member:claim", claim_id=claim_id), status_code=303)

    @app.post("/c/{claim_id}/submit", name="submit")
    def submit(request: Request, session: Db, claim_id: str) -> Response:
        claim, member, _portal = claim_for(request, session, claim_id)
        was_submitted = member.submitted_at is not None
        member_claims.submit(session, claim, member)
        if not was_submitted:
            service.notifier.send(session, claim.organisation_id, member.phone, "submitted",  # type: ignore[union-attr]
                                  f"【职工医疗互助】您的互助金申请已提交。查看进度：{status_url(claim.id)}", claim.id)
            if claim.status == "needs_follow_up":
                notices.needs_follow_up(session, claim, member)
        session.commit()
        return RedirectResponse(request.url_for("member:claim", claim_id=claim_id), status_code=303)

    # --- the status link: a signed link, and a code sent to the claim's phone ------------------------

    def linked(session: Session, claim_id: str, token: str) -> MemberClaim:
        member = session.get(MemberClaim, claim_id)
        if member is None or not links.valid(claim_id, token):
            raise NotFoundError(member_claims.NO_CLAIM)
        return member

    @app.get("/s/{claim_id}/{token}", name="status-link")
    def status_link(request: Request, session: Db, claim_id: str, token: str) -> Response:
        member = linked(session, claim_id, token)
        try:
            claim_for(request, session, claim_id)
            return RedirectResponse(request.url_for("member:claim", claim_id=claim_id), status_code=303)
        except NotFoundError:
            pass
        return render(request, "link.html", phone=mask_phone(member.phone), sent=False, failed=False,
                      send=request.url_for("member:status-send", claim_id=claim_id, token=token),
                      action=request.url_for("member:status-link", claim_id=claim_id, token=token))

    @app.post("/s/{claim_id}/{token}/send", name="status-send")
    def status_send(request: Request, session: Db, claim_id: str, token: str) -> Response:
        member = linked(session, claim_id, token)
        limit_ip(session, request)
        limit_phone(session, member.phone)
        codes.issue(session, service.notifier, secret, member.organisation_id, member.phone,  # type: ignore[arg-type]
                    settings.member_code_minutes, claim_id)
        session.commit()
        return render(request, "link.html", phone=mask_phone(member.phone), sent=True, failed=False,
                      send=request.url_for("member:status-send", claim_id=claim_id, token=token),
                      action=request.url_for("member:status-link", claim_id=claim_id, token=token))

    @app.post("/s/{claim_id}/{token}")
    def status_code(request: Request, session: Db, claim_id: str, token: str,
                    code: Annotated[str, Form(max_length=10)] = "") -> Response:
        member = linked(session, claim_id, token)
        limit_ip(session, request)
        ok = codes.verify(session, secret, member.organisation_id, member.phone, code)
        session.commit()
        if not ok:
            return render(request, "link.html", 400, phone=mask_phone(member.phone), sent=True, failed=True,
                          send=request.url_for("member:status-send", claim_id=claim_id, token=token),
                          action=request.url_for("member:status-link", claim_id=claim_id, token=token))
        request.session[_GRANTED] = [*request.session.get(_GRANTED, [])[-9:], claim_id]
        return RedirectResponse(request.url_for("member:claim", claim_id=claim_id), status_code=303)

    # --- the poster and the pictures -------------------------------------------------------------------

    @app.get("/{slug}/poster", name="poster")
    def poster(request: Request, session: Db, slug: str) -> Response:
        portal = portal_of(session, slug)
        url = f"{base_url() or str(request.base_url).rstrip('/')}/m/{slug}"
        return render(request, "poster.html", portal=portal, url=url, qr=qr_svg(url, 10))

    @app.get("/pictures/{doc_type}.svg", name="picture")
    def picture(doc_type: str) -> Response:
        svg = illustration_svg(doc_type)
        if svg is None:
            raise NotFoundError(member_claims.NO_CLAIM)
        return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})

    return app


class _Identify(Exception):
    """The member has not identified on this organisation's entry point yet."""

    def __init__(self, slug: str) -> None:
        super().__init__(slug)
        self.slug = slug


def install_member_pages(app: FastAPI, service: Service, secret: str) -> FastAPI:
    pages = member_app(service, secret)
    pages.add_middleware(EncryptedSessionMiddleware, secret_key=secret, session_cookie="claim_intake_member",
                         max_age=30 * 24 * 3600, path="/m", same_site="lax",
                         https_only=service.settings.secure_cookies)
    app.mount("/m/static", StaticFiles(directory=_HERE / "static"), name="member-static")
    app.mount("/m", pages, name="member")
    return pages
