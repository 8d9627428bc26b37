"""The claimant's follow-up page: what is still missing from their claim, and a camera upload.

Reached only through a signed link (``links``) for one claim; it shows nothing but the open
findings' messages to the claimant, and the upload goes the API's way for added documents: screened,
stored, the claim processing again, each file read and the claim assessed.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from claim_intake.errors import FollowUpLinkError, InvalidRequestError, UnreadableFileError
from claim_intake.intake import lifecycle
from claim_intake.intake.auth import Caller
from claim_intake.intake.console.app import Console, Db, console_app
from claim_intake.intake.member.pages import member_status_link
from claim_intake.intake.store import claims as claim_ops
from claim_intake.intake.store.db import ClaimRow
from claim_intake.intake.upload_form import UploadLimits, files_of, upload_form
from claim_intake.intake.uploads import screen_files
from claim_intake.ocr.kinds import file_input_accept


async def _chosen_files(request: Request) -> list[UploadFile]:
    """The files of the form (read by the link gate). A file input left empty is not a file: a
    page that says so is more use to a claimant than a validation error."""
    return files_of(await request.form())


Chosen = Annotated[list[UploadFile], Depends(_chosen_files)]


def claimant_app(console: Console) -> FastAPI:
    service = console.service
    settings = console.settings

    async def link_gate(request: Request) -> AsyncIterator[None]:
        """An upload's body is read only under a link we signed, then within the upload limits."""
        if request.method != "POST":
            yield
            return
        # The signature only (no database): enough to refuse a forged link before its body.
        console.links.check_signature(request.path_params.get("claim_id", ""), request.path_params.get("token", ""))
        async with upload_form(request, UploadLimits.of_claims(settings)):
            yield

    app = console_app(console, gate=link_gate)

    @app.exception_handler(FollowUpLinkError)
    async def _bad_link(request: Request, exc: FollowUpLinkError) -> Response:
        return console.render(request, "follow_up_refused.html", exc.http_status, reason=exc.reason)

    def linked_claim(db: Session, claim_id: str, token: str, uploading: bool = False) -> ClaimRow:
        link = console.links.check(db, claim_id, token, uploading)
        if uploading:
            link.uploads += 1
        claim = db.get(ClaimRow, claim_id)
        if claim is None:  # signed by us, so it existed: treat as a link that no longer works
            raise FollowUpLinkError("the claim of this link no longer exists")
        return claim

    def page(request: Request, db: Session, claim: ClaimRow, token: str, status_code: int = 200,
             error: str | None = None) -> Response:
        return console.render(
            request, "follow_up.html", status_code, claim=claim, token=token, error=error,
            missing=lifecycle.open_claimant_messages(db, claim), accept=file_input_accept(),
        )

    @app.get("/{claim_id}/{token}", name="page")
    def follow_up(request: Request, db: Db, claim_id: str, token: str) -> Response:
        claim = linked_claim(db, claim_id, token)
        if (status_link := member_status_link(db, claim.id, console.links.secret)) is not None:
            # A claim the member sent from their phone: the follow-up is their own status page.
            return RedirectResponse(status_link, status_code=303)
        return page(request, db, claim, token)

    @app.post("/{claim_id}/{token}", name="upload")
    async def upload(request: Request, db: Db, claim_id: str, token: str, chosen: Chosen) -> Response:
        return await service.in_upload_thread(functools.partial(store_upload, request, db, claim_id, token, chosen))

    def store_upload(request: Request, db: Session, claim_id: str, token: str, chosen: list[UploadFile]) -> Response:
        claim = linked_claim(db, claim_id, token, uploading=True)
        if not lifecycle.accepts_claimant_uploads(claim):
            return page(request, db, claim, token, 409)
        if not chosen:
            return page(request, db, claim, token, 400, error="followup.no_files")
        try:
            uploads = screen_files(chosen, settings.read.limits, settings.max_files_per_request)  # type: ignore[arg-type]
        except (InvalidRequestError, UnreadableFileError):
            return page(request, db, claim, token, 400, error="followup.bad_files")
        keys = claim_ops.store_uploads(service.store, uploads)
        change, queued = lifecycle.add_documents(db, Caller(claim.organisation_id, lifecycle.LINK_CALLER), claim,
                                                 uploads, keys, by_claimant=True)
        db.commit()
        service.publish(change)
        for document_id in queued:
            service.executor.submit_document(document_id)
        # After a POST, a GET: reloading the page to see progress does not upload again.
        return RedirectResponse(request.url_for("follow-up:page", claim_id=claim.id, token=token), status_code=303)

    return app
