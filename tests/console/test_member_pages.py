"""The member pages (/m) against the running app: identification, one-time codes, who sees what,
rate limits, the outbox staff resend from, and how light the pages are. Text-layer PDFs are read
for real (no OCR models); the phone walk itself is tests/browser/test_member_walk.py."""

from __future__ import annotations

import itertools
import re
import time
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from materials import discharge_summary_pdf, invoice_pdf
from pydantic import ValidationError
from sqlalchemy import select

from claim_intake.intake.member import codes
from claim_intake.intake.member.claims import ClaimForm, benefit_amount, form_problems, stage_label
from claim_intake.intake.member.identity import Identity, id_number_problem
from claim_intake.intake.member.notify import Notifier, OutboxChannel
from claim_intake.intake.member.tables import MemberCode, MemberPortal, Notification
from claim_intake.intake.store.db import Organisation, utcnow
from tests.console.conftest import Console, Org, csrf_of

ZHANG = {"name": "张三", "id_number": "11010519491231002X", "phone": "13800138000", "unit": "某某公司工会"}
LI = {"name": "李四", "id_number": "110105199001010010", "phone": "13900139000", "unit": "某某公司工会"}


def _portal(console: Console, org: Org, require_code: bool = False) -> str:
    with console.service.sessions.begin() as session:
        organisation = session.scalar(select(Organisation).where(Organisation.name == org.name))
        slug = f"p{organisation.id[-10:]}"
        session.add(MemberPortal(slug=slug, organisation_id=organisation.id, title=org.name, require_code=require_code))
    return slug


_PHONES = itertools.count(1000)


def _fresh(who: dict[str, str]) -> dict[str, str]:
    """The member with a phone of their own: the session's tests share the per-phone rate limit."""
    return {**who, "phone": f"1380013{next(_PHONES):04d}"}


def _identified(console: Console, slug: str, who: dict[str, str]) -> TestClient:
    who = _fresh(who)
    client = console.client()
    token = csrf_of(client.get(f"/m/{slug}").text)
    response = client.post(f"/m/{slug}/identify", data={"csrf_token": token, **who})
    assert response.status_code == 303, response.text
    return client


def _new_claim(client: TestClient, slug: str, **overrides: str) -> str:
    token = csrf_of(client.get(f"/m/{slug}/new").text)
    form = {"csrf_token": token, "claim_type": "inpatient", "hospital": "南宁市第一人民医院", "start_date": "2026-10-20",
            "end_date": "2026-10-27", "bank_choice": "enrolment", "consent": "yes", **overrides}
    response = client.post(f"/m/{slug}/new", data=form)
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[1]


def _wait_read(client: TestClient, claim_id: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while 'data-reading="1"' in (html := client.get(f"/m/c/{claim_id}/part").text):
        assert time.monotonic() < deadline, "the claim is still being read"
        time.sleep(0.05)
    return html


# --- identity and the form -----------------------------------------------------------------------

def test_id_numbers_are_checked_by_their_check_digit() -> None:
    assert id_number_problem("11010519491231002X") is None
    assert "校验位" in id_number_problem("110105194912310021")  # type: ignore[operator]
    assert "出生日期" in id_number_problem("110105194913310021")  # type: ignore[operator]
    assert "18位" in id_number_problem("1101051949")  # type: ignore[operator]
    with pytest.raises(ValidationError):
        Identity.model_validate({**ZHANG, "phone": "12345"})


def test_the_claim_form_wants_dates_in_order_and_not_in_the_future() -> None:
    base = {"claim_type": "inpatient", "hospital": "南宁市第一人民医院", "consent": True}
    with pytest.raises(ValidationError) as reversed_stay:
        ClaimForm.model_validate({**base, "start_date": "2026-10-27", "end_date": "2026-10-20"})
    assert form_problems(reversed_stay.value) == {"end_date": "出院日期不能早于入院日期"}
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    with pytest.raises(ValidationError) as future:
        ClaimForm.model_validate({**base, "start_date": tomorrow, "end_date": tomorrow})
    assert form_problems(future.value) == {"end_date": "日期不能晚于今天"}
    with pytest.raises(ValidationError) as no_consent:
        ClaimForm.model_validate({**base, "start_date": "2026-10-20", "end_date": "2026-10-27", "consent": False})
    assert "同意" in form_problems(no_consent.value)["consent"]
    outpatient = ClaimForm.model_validate({**base, "claim_type": "outpatient_special", "start_date": "2026-10-20"})
    assert outpatient.end_date is None and outpatient.bank_account is None


def test_the_server_refuses_what_the_page_would_have_refused(console: Console) -> None:
    org = console.new_org()
    slug = _portal(console, org)
    client = console.client()
    token = csrf_of(client.get(f"/m/{slug}").text)
    response = client.post(f"/m/{slug}/identify", data={"csrf_token": token, **ZHANG, "id_number": "110105194912310021"})
    assert response.status_code == 400 and "校验位" in response.text
    client = _identified(console, slug, ZHANG)
    token = csrf_of(client.get(f"/m/{slug}/new").text)
    response = client.post(f"/m/{slug}/new", data={"csrf_token": token, "claim_type": "inpatient", "hospital": "某医院",
                                                   "start_date": "2026-10-27", "end_date": "2026-10-20", "consent": "yes"})
    assert response.status_code == 400 and "出院日期不能早于入院日期" in response.text


# --- codes, who sees what, rate limits ----------------------------------------------------------------

def test_a_code_is_kept_hashed_expires_and_works_once(console: Console) -> None:
    org = console.new_org()
    notifier = Notifier(OutboxChannel())
    with console.service.sessions() as session:
        organisation_id = session.scalar(select(Organisation.id).where(Organisation.name == org.name))
        codes.issue(session, notifier, "secret", organisation_id, ZHANG["phone"], minutes=10)
        session.commit()
        sent = session.scalar(select(Notification.body).where(Notification.organisation_id == organisation_id))
        code = re.search(r"验证码是(\d{6})", sent).group(1)  # type: ignore[union-attr]
        stored = session.scalar(select(MemberCode).where(MemberCode.organisation_id == organisation_id))
        assert code not in stored.code_hash
        assert not codes.verify(session, "secret", organisation_id, ZHANG["phone"], "000000" if code != "000000" else "111111")
        assert codes.verify(session, "secret", organisation_id, ZHANG["phone"], code)
        assert not codes.verify(session, "secret", organisation_id, ZHANG["phone"], code)  # used
        codes.issue(session, notifier, "secret", organisation_id, ZHANG["phone"], minutes=10)
        later = session.scalars(select(Notification.body).where(Notification.organisation_id == organisation_id)
                                .order_by(Notification.created_at)).all()[-1]
        second = re.search(r"验证码是(\d{6})", later).group(1)  # type: ignore[union-attr]
        latest = session.scalars(select(MemberCode).where(MemberCode.organisation_id == organisation_id)
                                 .order_by(MemberCode.id)).all()[-1]
        latest.expires_at = utcnow() - timedelta(seconds=1)
        assert not codes.verify(session, "secret", organisation_id, ZHANG["phone"], second)  # expired


def test_with_a_code_required_nothing_is_shown_before_the_code(console: Console) -> None:
    org = console.new_org()
    slug = _portal(console, org, require_code=True)
    client = console.client()
    token = csrf_of(client.get(f"/m/{slug}").text)
    response = client.post(f"/m/{slug}/identify", data={"csrf_token": token, **ZHANG})
    assert response.status_code == 200 and "验证码已发送到 138****8000" in response.text
    assert client.get(f"/m/{slug}/home").status_code == 303  # still to identify
    wrong = client.post(f"/m/{slug}/code", data={"csrf_token": token, "code": "abcdef"})
    assert wrong.status_code == 400 and "验证码不对" in wrong.text
    with console.service.sessions() as session:
        body = session.scalars(select(Notification.body).where(Notification.phone == ZHANG["phone"],
                                                               Notification.kind == "code")
                               .order_by(Notification.created_at)).all()[-1]
    code = re.search(r"验证码是(\d{6})", body).group(1)  # type: ignore[union-attr]
    assert client.post(f"/m/{slug}/code", data={"csrf_token": token, "code": code}).status_code == 303
    assert "张三，您好" in client.get(f"/m/{slug}/home").text


def test_a_member_sees_only_their_own_claims_and_every_miss_looks_the_same(console: Console) -> None:
    org = console.new_org()
    slug = _portal(console, org)
    zhang = _identified(console, slug, ZHANG)
    claim_id = _new_claim(zhang, slug)
    assert zhang.get(f"/m/c/{claim_id}").status_code == 200
    li = _identified(console, slug, LI)
    misses = [li.get(f"/m/c/{claim_id}"), li.get("/m/c/clm_nothing"), console.client().get(f"/m/c/{claim_id}"),
              li.get(f"/m/s/{claim_id}/not-a-token"), li.get(f"/m/c/{claim_id}/part"), li.get("/m/no-such-portal")]
    assert {m.status_code for m in misses} == {404}
    assert len({m.text for m in misses}) == 1 and "没有找到" in misses[0].text
    token = csrf_of(li.get(f"/m/{slug}/home").text)
    upload = li.post(f"/m/c/{claim_id}/files", data={"csrf_token": token}, files=[("files", ("x.pdf", invoice_pdf()))])
    assert upload.status_code == 404
    assert claim_id not in li.get(f"/m/{slug}/home").text


def _decodings(value: str) -> list[bytes]:
    """The cookie as anyone holding it could read it: as is, and each part base64-decoded."""
    import base64
    import binascii

    found = [value.encode()]
    for part in re.split(r"[.]", value):
        for decode in (base64.urlsafe_b64decode, base64.b64decode):
            try:
                found.append(decode(part + "=" * (-len(part) % 4)))
            except (binascii.Error, ValueError):
                pass
    return found


def test_the_session_cookie_does_not_reveal_who_the_member_is(console: Console) -> None:
    org = console.new_org()
    slug = _portal(console, org)
    client = console.client()
    who = _fresh(ZHANG)
    token = csrf_of(client.get(f"/m/{slug}").text)
    assert client.post(f"/m/{slug}/identify", data={"csrf_token": token, **who}).status_code == 303
    cookie = client.cookies["claim_intake_member"]
    for readable in _decodings(cookie):
        for secret in (who["id_number"], who["phone"], who["name"], who["id_number"][-6:], who["phone"][-4:] + '"'):
            assert secret.encode() not in readable, "the cookie shows the member's details"
            assert secret.encode("unicode_escape") not in readable
    assert "张三，您好" in client.get(f"/m/{slug}/home").text  # and it still opens, for the app
    # One changed character, or the same details sealed under another secret: no session, identify again.
    tampered = console.client()
    tampered.cookies.set("claim_intake_member", cookie[:-5] + ("A" if cookie[-5] != "A" else "B") + cookie[-4:], path="/m")
    assert tampered.get(f"/m/{slug}/home").status_code == 303
    from claim_intake.intake.console.secret import console_secret
    from claim_intake.intake.member.cookie import _Sealer, session_key

    sealed = _Sealer(session_key(console_secret(console.settings))).unsign(cookie.encode())
    foreign = console.client()
    foreign.cookies.set("claim_intake_member", _Sealer(session_key("another secret")).sign(sealed).decode(), path="/m")
    assert foreign.get(f"/m/{slug}/home").status_code == 303


def test_identifying_too_often_for_one_phone_is_refused(console: Console) -> None:
    org = console.new_org()
    slug = _portal(console, org, require_code=True)
    client = console.client()
    token = csrf_of(client.get(f"/m/{slug}").text)
    other = {**ZHANG, "phone": "13700137000"}
    answers = [client.post(f"/m/{slug}/identify", data={"csrf_token": token, **other}).status_code
               for _ in range(console.settings.member_rate_per_phone + 1)]
    assert answers[:-1] == [200] * console.settings.member_rate_per_phone and answers[-1] == 429


def test_too_many_requests_from_one_address_are_refused_whatever_the_phone(console: Console) -> None:
    org = console.new_org()
    slug = _portal(console, org)
    address = f"203.0.113.{next(_PHONES) % 250}"
    client = TestClient(console.app, follow_redirects=False, client=(address, 50000))
    token = csrf_of(client.get(f"/m/{slug}").text)
    limit = console.settings.member_rate_per_ip
    answers = [client.post(f"/m/{slug}/identify", data={"csrf_token": token, **_fresh(ZHANG)}).status_code
               for _ in range(limit + 1)]
    assert answers[:-1] == [303] * limit and answers[-1] == 429
    # Another address is not held back by this one.
    other = TestClient(console.app, follow_redirects=False, client=(f"198.51.100.{next(_PHONES) % 250}", 50000))
    token = csrf_of(other.get(f"/m/{slug}").text)
    assert other.post(f"/m/{slug}/identify", data={"csrf_token": token, **_fresh(ZHANG)}).status_code == 303


# --- materials, submission, staff ------------------------------------------------------------------

def test_an_upload_says_what_it_was_read_as_and_the_claim_what_is_missing(console: Console) -> None:
    org = console.new_org()
    slug = _portal(console, org)
    client = _identified(console, slug, ZHANG)
    claim_id = _new_claim(client, slug)
    token = csrf_of(client.get(f"/m/c/{claim_id}").text)
    response = client.post(f"/m/c/{claim_id}/files", data={"csrf_token": token},
                           files=[("files", ("出院.pdf", discharge_summary_pdf(patient="李四")))],
                           headers={"Accept": "application/json"})
    assert response.status_code == 200 and len(response.json()["queued"]) == 1
    html = _wait_read(client, claim_id)
    assert "出院小结（出院记录）" in html and "李四" in html
    assert "与申报人“张三”不一致" in html  # another person's document
    assert "请补充上传住院收费票据" in html  # what is missing, in the staff's words
    assert "材料齐全" not in html


def test_a_member_claim_staff_follow_up_link_opens_the_member_status_page(console: Console) -> None:
    org = console.new_org()
    slug = _portal(console, org)
    client = _identified(console, slug, ZHANG)
    claim_id = _new_claim(client, slug)
    _wait_read(client, claim_id)
    staff = console.login(org.email)
    token = csrf_of(staff.get(f"/console/claims/{claim_id}").text)
    staff.post(f"/console/claims/{claim_id}/links", data={"csrf_token": token})
    link = re.search(r"/f/[^\"<\s]+", staff.get(f"/console/claims/{claim_id}").text)
    assert link is not None
    answer = console.client().get(link.group(0))
    assert answer.status_code == 303 and answer.headers["location"].startswith(f"/m/s/{claim_id}/")


def test_staff_open_the_entry_point_and_resend_a_message_from_the_outbox(console: Console) -> None:
    org = console.new_org()
    staff = console.login(org.email)
    page = staff.get("/console/member")
    assert page.status_code == 200
    staff.post("/console/member/portal", data={"csrf_token": csrf_of(page.text), "title": "某某公司工会",
                                               "require_code": "yes"})
    page = staff.get("/console/member").text
    url = re.search(r'id="portal-url">([^<]+)<', page).group(1)  # type: ignore[union-attr]
    assert "<svg" in page  # the QR code
    slug = url.rsplit("/", 1)[1]
    poster = console.client().get(f"/m/{slug}/poster")
    assert poster.status_code == 200 and "<svg" in poster.text and url in poster.text
    client = console.client()
    token = csrf_of(client.get(f"/m/{slug}").text)
    client.post(f"/m/{slug}/identify", data={"csrf_token": token, **LI})
    with console.service.sessions() as session:
        notification = session.scalars(select(Notification).where(Notification.phone == LI["phone"])).all()[-1]
        notification.kind = "needs_follow_up"  # a message staff may read and resend (codes are not shown)
        session.commit()
        notification_id = notification.id
    page = staff.get("/console/member").text
    staff.post(f"/console/member/notifications/{notification_id}/resend", data={"csrf_token": csrf_of(page)})
    with console.service.sessions() as session:
        assert session.get(Notification, notification_id).attempts == 2


def test_a_photo_of_several_megabytes_goes_through_the_body_limits_for_its_member_only(console: Console) -> None:
    """Forms are held to a small body; a member's upload gets the upload limits once the claim is
    known to be theirs, and anyone else's is answered before its body is read."""
    import io
    from pathlib import Path

    from PIL import Image

    photo = Path(__file__).resolve().parents[2] / "samples" / "bundles" / "inpatient_complete" / "02_discharge_summary.png"
    buffer = io.BytesIO()
    Image.open(photo).save(buffer, format="PNG", compress_level=0)
    big = buffer.getvalue()
    assert len(big) > 2 * 1024 * 1024
    org = console.new_org()
    slug = _portal(console, org)
    zhang = _identified(console, slug, ZHANG)
    claim_id = _new_claim(zhang, slug)
    li = _identified(console, slug, LI)
    refused = li.post(f"/m/c/{claim_id}/files", data={"csrf_token": csrf_of(li.get(f"/m/{slug}/home").text)},
                      files=[("files", ("出院.png", big))])
    assert refused.status_code == 404
    accepted = zhang.post(f"/m/c/{claim_id}/files", data={"csrf_token": csrf_of(zhang.get(f"/m/c/{claim_id}").text)},
                          files=[("files", ("出院.png", big))], headers={"Accept": "application/json"})
    assert accepted.status_code == 200, accepted.text
    assert len(accepted.json()["queued"]) == 1


def test_member_words_for_every_status_and_the_estimate_when_there_is_one() -> None:
    assert [stage_label(s) for s in ("processing", "needs_follow_up", "complete", "approved", "paid", "rejected")] == \
        ["收到", "待补充", "材料齐全", "已审核", "已发放", "未通过"]
    # The approved amount, not the estimate: an estimate is no promise to the member.
    assert benefit_amount(SimpleNamespace(approved_fen=123450, benefit={"amount": "1500.00"})) == "1234.50"  # type: ignore[arg-type]
    assert benefit_amount(SimpleNamespace(approved_fen=None, benefit={"amount": "1500.00"})) is None  # type: ignore[arg-type]


# --- light and self-contained -------------------------------------------------------------------------

_RESOURCE = re.compile(r'(?:src|href)="([^"#]+)"')


def test_pages_are_under_200_kb_and_load_nothing_from_outside(console: Console) -> None:
    org = console.new_org()
    slug = _portal(console, org)
    client = _identified(console, slug, ZHANG)
    claim_id = _new_claim(client, slug)
    _wait_read(client, claim_id)
    for path in (f"/m/{slug}/home", f"/m/{slug}/new", f"/m/c/{claim_id}"):
        html = client.get(path).text
        resources = set(_RESOURCE.findall(html))
        assert all(r.startswith(("/", "http://testserver/")) for r in resources), resources
        total = len(html.encode()) + sum(len(client.get(r).content) for r in resources)
        assert total < 200_000, f"{path}: {total} bytes"
    assert "<script src=" in html and "fonts" not in html


def test_once_staff_approve_the_member_is_told_the_amount_and_the_status_page_shows_it(console: Console) -> None:
    from decimal import Decimal

    from materials import expense_list_pdf, settlement_pdf

    from claim_intake.intake import payout
    from claim_intake.intake.console.accounts import create_staff
    from claim_intake.intake.roles import Role
    from claim_intake.intake.store.db import ClaimRow

    org = console.new_org()
    slug = _portal(console, org)
    client = _identified(console, slug, ZHANG)
    claim_id = _new_claim(client, slug)
    files = [("files", (name, data)) for name, data in (
        ("票据.pdf", invoice_pdf()), ("出院.pdf", discharge_summary_pdf()),
        ("清单.pdf", expense_list_pdf()), ("结算.pdf", settlement_pdf()))]
    token = csrf_of(client.get(f"/m/c/{claim_id}").text)
    assert client.post(f"/m/c/{claim_id}/files", data={"csrf_token": token}, files=files,
                       headers={"Accept": "application/json"}).status_code == 200
    _wait_read(client, claim_id)
    from claim_intake.intake.store import search
    from claim_intake.intake.store.db import keyring_of

    def listed() -> bool:  # in the staff's claims list (and so the API's)
        with console.service.sessions() as session:
            org_id = session.get(ClaimRow, claim_id).organisation_id
            return claim_id in session.scalars(search.apply(select(ClaimRow.id), org_id, search.ClaimFilter(),
                                                                 keyring_of(session))).all()

    assert not listed()  # a draft on the member's phone is nobody's to chase yet
    assert client.post(f"/m/c/{claim_id}/submit", data={"csrf_token": token}).status_code == 303
    assert listed()
    with console.service.sessions.begin() as session:
        approver = create_staff(session, org.name, f"approver-{claim_id}@example.org", "correct horse battery", Role.approver)
        claim = session.get(ClaimRow, claim_id)
        assert claim.status == "complete", [f.body for f in claim.findings]
        change = payout.approve(session, approver, claim, Decimal("800.00"), "按规则核定")
    console.service.publish(change)

    with console.service.sessions() as session:
        texts = [n.body for n in session.scalars(select(Notification).where(Notification.claim_id == claim_id))]
    assert any("审核通过，核定互助金800.00元" in text for text in texts), texts
    page = client.get(f"/m/c/{claim_id}").text
    assert "已审核" in page and "800.00" in page
