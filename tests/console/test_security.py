"""Who may do what: staff sessions, CSRF, organisations, follow-up links."""

from __future__ import annotations

import re
import time
from unittest import mock

from materials import discharge_summary_pdf, invoice_pdf

from claim_intake.intake.console.links import FollowUpLinks
from claim_intake.intake.console.secret import console_secret

from .conftest import Console, csrf_of, missing_discharge_summary


def test_pages_need_a_login_and_logout_ends_the_session(console: Console) -> None:
    org = console.new_org()
    anonymous = console.client()
    response = anonymous.get("/console/queue")
    assert response.status_code == 303
    assert response.headers["location"].endswith("/console/login?next=/console/queue")

    token = csrf_of(anonymous.get("/console/login").text)
    wrong = anonymous.post("/console/login", data={"email": org.email, "password": "not the password", "csrf_token": token})
    assert wrong.status_code == 401
    assert anonymous.get("/console/queue").status_code == 303

    staff = console.login(org.email.upper())  # e-mail addresses are not case-sensitive
    assert staff.get("/console/queue").status_code == 200
    page = staff.get("/console/queue").text
    response = staff.post("/console/logout", data={"csrf_token": csrf_of(page)})
    assert response.status_code == 303
    assert staff.get("/console/queue").status_code == 303


def test_login_redirects_only_within_the_console(console: Console) -> None:
    org = console.new_org()
    client = console.client()
    token = csrf_of(client.get("/console/login").text)
    response = client.post("/console/login", data={"email": org.email, "password": "correct horse battery staple",
                                                   "csrf_token": token, "next": "https://evil.example/"})
    assert response.status_code == 303
    assert response.headers["location"].endswith("/console/queue")


def test_another_organisations_claim_is_not_found(console: Console) -> None:
    ours, theirs = console.new_org(), console.new_org()
    claim_id = console.submit(theirs, missing_discharge_summary())
    document_id = console.claim(theirs, claim_id)["documents"][0]["id"]
    staff = console.login(ours.email)
    token = csrf_of(staff.get("/console/queue").text)
    assert staff.get(f"/console/claims/{claim_id}").status_code == 404
    assert staff.get(f"/console/claims/{claim_id}/documents/{document_id}/pages/1").status_code == 404
    for action, form in [
        ("links", {}),
        ("contacts", {"channel": "phone", "outcome": "reached"}),
        ("assignment", {"staff_id": ""}),
        ("corrections", {"document_id": document_id, "part": "0", "name": "payer_name", "value": "李四"}),
    ]:
        response = staff.post(f"/console/claims/{claim_id}/{action}", data={"csrf_token": token, **form})
        assert response.status_code == 404, action
    # Their own staff see it.
    assert console.login(theirs.email).get(f"/console/claims/{claim_id}").status_code == 200


def test_forms_without_the_sessions_csrf_token_are_refused(console: Console) -> None:
    org = console.new_org()
    claim_id = console.submit(org, missing_discharge_summary())
    staff = console.login(org.email)
    other = console.login(console.add_staff(org))
    others_token = csrf_of(other.get("/console/queue").text)
    for data in ({}, {"csrf_token": "forged"}, {"csrf_token": others_token}):
        response = staff.post(f"/console/claims/{claim_id}/contacts",
                              data={"channel": "phone", "outcome": "reached", **data})
        assert response.status_code == 403, data
    assert "contact.logged" not in _history(console, claim_id)
    # The login form too: a session cannot be planted from another site.
    fresh = console.client()
    response = fresh.post("/console/login", data={"email": org.email, "password": "correct horse battery staple"})
    assert response.status_code == 403


def _history(console: Console, claim_id: str) -> list[str]:
    from sqlalchemy import select

    from claim_intake.intake.store.db import ClaimEvent

    with console.service.sessions() as session:
        return list(session.scalars(select(ClaimEvent.action).where(ClaimEvent.claim_id == claim_id)))


def _link(console: Console, org_email: str, claim_id: str) -> str:
    staff = console.login(org_email)
    token = csrf_of(staff.get(f"/console/claims/{claim_id}").text)
    assert staff.post(f"/console/claims/{claim_id}/links", data={"csrf_token": token}).status_code == 303
    page = staff.get(f"/console/claims/{claim_id}").text
    (url,) = re.findall(r'id="follow-up-link" href="([^"]+)"', page)
    return url.removeprefix("http://testserver")


def test_a_follow_up_link_works_for_its_claim_only(console: Console) -> None:
    org = console.new_org()
    first = console.submit(org, missing_discharge_summary())
    second = console.submit(org, missing_discharge_summary())
    path = _link(console, org.email, first)
    claimant = console.client()
    page = claimant.get(path)
    assert page.status_code == 200
    assert "请补充上传出院小结（出院记录）的照片" in page.text
    assert 'capture="environment"' in page.text

    token = path.rsplit("/", 1)[1]
    assert claimant.get(f"/f/{second}/{token}").status_code == 403
    upload = claimant.post(f"/f/{second}/{token}", data={"csrf_token": csrf_of(page.text)},
                           files=[("files", ("discharge_summary.pdf", discharge_summary_pdf()))])
    assert upload.status_code == 403
    assert len(console.claim(org, second)["documents"]) == 3


def test_tampered_and_expired_links_are_refused(console: Console) -> None:
    org = console.new_org()
    claim_id = console.submit(org, missing_discharge_summary())
    path = _link(console, org.email, claim_id)
    prefix, token = path.rsplit("/", 1)
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    refused = console.client().get(f"{prefix}/{tampered}")
    assert refused.status_code == 403
    assert "该链接无效" in refused.text

    # Signed with the service's own secret, eight days ago: a week's link has run out.
    links = FollowUpLinks(console_secret(console.settings), console.settings.follow_up_link_days * 24 * 3600)
    with mock.patch("itsdangerous.timed.time.time", return_value=time.time() - 8 * 24 * 3600), \
            console.service.sessions.begin() as session:
        old = links.issue(session, claim_id, None)
    expired = console.client().get(f"/f/{claim_id}/{old}")
    assert expired.status_code == 410
    assert "该链接已过期" in expired.text


def test_the_claimants_upload_needs_the_pages_csrf_token(console: Console) -> None:
    org = console.new_org()
    claim_id = console.submit(org, missing_discharge_summary())
    path = _link(console, org.email, claim_id)
    claimant = console.client()
    claimant.get(path)
    response = claimant.post(path, files=[("files", ("discharge_summary.pdf", discharge_summary_pdf()))])
    assert response.status_code == 403
    assert len(console.claim(org, claim_id)["documents"]) == 3


def test_a_new_link_revokes_the_old_and_staff_can_revoke_them_all(console: Console) -> None:
    org = console.new_org()
    claim_id = console.submit(org, missing_discharge_summary())
    first = _link(console, org.email, claim_id)
    second = _link(console, org.email, claim_id)
    claimant = console.client()
    replaced = claimant.get(first)
    assert replaced.status_code == 410 and "该链接已作废" in replaced.text
    assert claimant.get(second).status_code == 200

    staff = console.login(org.email)
    page = staff.get(f"/console/claims/{claim_id}").text
    assert staff.post(f"/console/claims/{claim_id}/links/revoke", data={"csrf_token": csrf_of(page)}).status_code == 303
    assert claimant.get(second).status_code == 410


def test_a_link_allows_a_few_uploads_then_is_used_up(console: Console) -> None:
    org = console.new_org()
    claim_id = console.submit(org, missing_discharge_summary())
    path = _link(console, org.email, claim_id)
    claimant = console.client()
    for n in range(console.settings.follow_up_link_uploads):
        page = claimant.get(path)
        assert page.status_code == 200
        # Not what is missing: the claim stays open to uploads, and each one counts.
        response = claimant.post(path, data={"csrf_token": csrf_of(page.text)},
                                 files=[("files", ("receipt.pdf", invoice_pdf(number=f"77{n:08d}")))])
        assert response.status_code == 303, response.text[:300]
        assert console.wait_assessed(org, claim_id)["status"] == "needs_follow_up"
    page = claimant.get(path)
    refused = claimant.post(path, data={"csrf_token": csrf_of(page.text) if page.status_code == 200 else ""},
                            files=[("files", ("discharge_summary.pdf", discharge_summary_pdf()))])
    assert refused.status_code == 410 and "上传次数已用完" in refused.text
