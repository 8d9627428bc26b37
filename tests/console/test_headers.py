"""Security headers on every page, personal data kept by no cache, a follow-up link's token kept
out of the access log, and a PDF page rendered within the console's pixel bound."""

from __future__ import annotations

import io
import logging

from materials import invoice_pdf
from PIL import Image
from pypdf import PdfWriter

from claim_intake.intake.access_log import RedactLinks
from claim_intake.intake.console.page_images import MAX_SIDE, render_page
from claim_intake.intake.security_headers import CSP
from claim_intake.ocr.options import ReadOptions

from .conftest import Console, missing_discharge_summary
from .test_security import _link


def _secure(response) -> None:  # type: ignore[no-untyped-def]
    assert response.headers["content-security-policy"] == CSP
    assert "frame-ancestors 'none'" in CSP and "script-src 'self'" in CSP and "unsafe-inline" not in CSP.split(
        "style-src-attr")[0]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_every_page_has_the_headers_and_personal_data_is_not_cached(console: Console) -> None:
    org = console.new_org()
    claim_id = console.submit(org, missing_discharge_summary())
    invoice = console.claim(org, claim_id)["documents"][0]["id"]
    staff = console.login(org.email)
    link = _link(console, org.email, claim_id)
    anonymous = console.client()
    for response in (
        staff.get(f"/console/claims/{claim_id}"),
        staff.get("/console/queue"),
        staff.get(f"/console/claims/{claim_id}/documents/{invoice}/pages/1"),
        anonymous.get("/console/login"),
        anonymous.get(link),
        anonymous.get(f"/v1/claims/{claim_id}", headers=org.api_headers),
        anonymous.get("/v1/claims/nope", headers=org.api_headers),
    ):
        assert response.status_code in (200, 404), response.text[:300]
        _secure(response)
        assert response.headers["cache-control"] == "no-store"
    with console.service.sessions() as session:
        from sqlalchemy import select

        from claim_intake.intake.store.db import AuditEntry

        seen = session.scalars(select(AuditEntry.action).where(AuditEntry.claim_id == claim_id)).all()
    assert {"console.claim.read", "console.page.read", "claim.read"} <= set(seen)
    static = anonymous.get("/console/static/console.css")
    _secure(static)
    assert static.headers.get("cache-control") != "no-store"


def test_the_console_has_no_inline_script() -> None:
    from pathlib import Path

    import claim_intake.intake.console as console_package

    templates = Path(console_package.__file__).parent / "templates"
    for template in templates.glob("*.html"):
        html = template.read_text()
        assert "<script>" not in html and " on" + "click=" not in html and "<style" not in html, template.name
        for tag in html.split("<script")[1:]:
            assert "src=" in tag.split(">")[0], f"{template.name}: an inline script"


def test_a_follow_up_token_is_redacted_from_the_access_log() -> None:
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", "/f/clm_abc/eyJjbGFpbSI6.sig-_x?lang=zh", "1.1", 200), None)
    RedactLinks().filter(record)
    message = record.getMessage()
    assert "eyJjbGFpbSI6" not in message and "/f/clm_abc/[redacted]?lang=zh" in message


def test_a_giant_pdf_page_is_rendered_within_the_pixel_bound() -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=14400, height=14400)  # 200 inches: 40000 px a side at 200 dpi
    buf = io.BytesIO()
    writer.write(buf)
    image = Image.open(io.BytesIO(render_page(buf.getvalue(), 1, ReadOptions())))
    assert max(image.size) <= MAX_SIDE
    assert render_page(invoice_pdf(), 1, ReadOptions())[:2] == b"\xff\xd8"


def test_the_claim_page_shows_id_and_bank_numbers_masked(console: Console) -> None:
    from materials import APPLICANT_ACCOUNT, APPLICANT_ID_NUMBER, application_form_pdf

    org = console.new_org()
    claim_id = console.submit(org, [("application.pdf", application_form_pdf())])
    page = console.login(org.email).get(f"/console/claims/{claim_id}").text
    assert APPLICANT_ID_NUMBER not in page and APPLICANT_ACCOUNT not in page
    assert "450***********1234" in page and "6222***********0123" in page
