"""The claim page's reveal of full ID and bank numbers (approvers and admins, each reveal in the
audit log, for one view) and its erase button (admins, confirmed by typing the claim's id, behind
CSRF, in the audit log); a payout batch keeps the record of an erased claim without its person."""

from __future__ import annotations

import secrets

from materials import (
    APPLICANT_ACCOUNT,
    APPLICANT_ID_NUMBER,
    application_form_pdf,
    discharge_summary_pdf,
    expense_list_pdf,
    invoice_pdf,
    settlement_pdf,
)
from sqlalchemy import select

from claim_intake.intake.console.accounts import create_staff
from claim_intake.intake.roles import Role
from claim_intake.intake.store.db import AuditEntry, PayoutBatchErasure

from .conftest import PASSWORD, Console, Org, csrf_of

MASKED_ID = "450***********1234"


def _staff(console: Console, org: Org, role: Role) -> tuple[str, str]:
    email = f"{role}-{secrets.token_hex(4)}@example.org"
    with console.service.sessions.begin() as session:
        member = create_staff(session, org.name, email, PASSWORD, role)
    return email, member.id


def _audit(console: Console, claim_id: str, action: str) -> list[str]:
    with console.service.sessions() as session:
        return list(session.scalars(select(AuditEntry.api_key_id).where(AuditEntry.claim_id == claim_id,
                                                                        AuditEntry.action == action)))


def test_only_approvers_and_admins_reveal_full_numbers_each_time_audited_for_one_view(console: Console) -> None:
    org = console.new_org()
    claim_id = console.submit(org, [("application.pdf", application_form_pdf())])
    reviewer = console.login(_staff(console, org, Role.reviewer)[0])
    page = reviewer.get(f"/console/claims/{claim_id}").text
    assert MASKED_ID in page and APPLICANT_ID_NUMBER not in page and APPLICANT_ACCOUNT not in page
    assert 'id="reveal-form"' not in page
    refused = reviewer.post(f"/console/claims/{claim_id}/reveal", data={"csrf_token": csrf_of(page)})
    assert refused.status_code == 303
    page = reviewer.get(f"/console/claims/{claim_id}").text
    assert "未执行" in page and APPLICANT_ID_NUMBER not in page
    assert _audit(console, claim_id, "console.claim.reveal") == []

    email, approver_id = _staff(console, org, Role.approver)
    approver = console.login(email)
    page = approver.get(f"/console/claims/{claim_id}").text
    assert 'id="reveal-form"' in page and APPLICANT_ID_NUMBER not in page
    # Without the form's CSRF token, nothing is revealed.
    assert approver.post(f"/console/claims/{claim_id}/reveal").status_code == 403
    assert approver.post(f"/console/claims/{claim_id}/reveal", data={"csrf_token": csrf_of(page)}).status_code == 303
    revealed = approver.get(f"/console/claims/{claim_id}").text
    assert APPLICANT_ID_NUMBER in revealed and APPLICANT_ACCOUNT in revealed and 'id="revealed"' in revealed
    assert _audit(console, claim_id, "console.claim.reveal") == [approver_id]
    again = approver.get(f"/console/claims/{claim_id}").text  # one view only
    assert APPLICANT_ID_NUMBER not in again and MASKED_ID in again


def test_only_an_admin_erases_a_claim_after_typing_its_id(console: Console) -> None:
    org = console.new_org()
    name = "删除" + secrets.token_hex(3)
    claim_id = console.submit(org, [("invoice.pdf", invoice_pdf(number=f"{secrets.randbelow(10**10):010d}"))],
                              claimant_name=name)
    reviewer = console.login(_staff(console, org, Role.reviewer)[0])
    page = reviewer.get(f"/console/claims/{claim_id}").text
    assert 'id="erase-form"' not in page
    reviewer.post(f"/console/claims/{claim_id}/erase", data={"csrf_token": csrf_of(page), "confirm": claim_id})
    assert console.claim(org, claim_id)["id"] == claim_id

    email, admin_id = _staff(console, org, Role.admin)
    admin = console.login(email)
    page = admin.get(f"/console/claims/{claim_id}").text
    assert 'id="erase-form"' in page
    token = csrf_of(page)
    assert admin.post(f"/console/claims/{claim_id}/erase", data={"confirm": claim_id}).status_code == 403  # no CSRF
    admin.post(f"/console/claims/{claim_id}/erase", data={"csrf_token": token, "confirm": claim_id[:-1]})
    page = admin.get(f"/console/claims/{claim_id}").text
    assert "type its id exactly" in page and console.claim(org, claim_id)["id"] == claim_id

    erased = admin.post(f"/console/claims/{claim_id}/erase", data={"csrf_token": token, "confirm": f" {claim_id} "})
    assert erased.status_code == 303 and erased.headers["location"].endswith("/console/claims")
    listing = admin.get("/console/claims").text
    assert 'id="flash-notice"' in listing and claim_id in listing and name not in listing
    assert admin.get(f"/console/claims/{claim_id}").status_code == 404
    assert console.client().get(f"/v1/claims/{claim_id}", headers=org.api_headers).status_code == 404
    assert _audit(console, claim_id, "claim.erase") == [admin_id]


def test_a_batch_keeps_the_record_of_an_erased_claim_without_its_person(console: Console) -> None:
    org = console.new_org()
    files = [("discharge.pdf", discharge_summary_pdf()), ("expense_list.pdf", expense_list_pdf()),
             ("settlement.pdf", settlement_pdf())]
    kept = console.submit(org, [("invoice.pdf", invoice_pdf(number="5500000001")), *files])
    gone = console.submit(org, [("invoice.pdf", invoice_pdf(number="5500000002")), *files])
    email, _ = _staff(console, org, Role.admin)
    admin = console.login(email)
    token = csrf_of(admin.get(f"/console/claims/{kept}").text)
    for claim_id, amount in ((kept, "100"), (gone, "250.5")):
        admin.post(f"/console/claims/{claim_id}/approval", data={"csrf_token": token, "amount": amount, "reason": "定额"})
    batch_url = admin.post("/console/payouts", data={"csrf_token": token, "claim_id": [kept, gone]}).headers["location"]
    assert "2 人次, ¥350.50" in admin.get(batch_url).text

    admin.post(f"/console/claims/{gone}/erase", data={"csrf_token": token, "confirm": gone})
    page = admin.get(batch_url).text
    assert "1 人次, ¥100.00" in page and 'id="batch-erased"' in page
    erased_section = page[page.index('id="batch-erased"'):]
    assert gone in erased_section and "¥250.50" in erased_section and "张三" not in erased_section
    assert gone not in page[:page.index('id="batch-erased"')]  # no longer among the people paid
    with console.service.sessions() as session:
        (record,) = session.scalars(select(PayoutBatchErasure).where(PayoutBatchErasure.erased_claim == gone)).all()
        assert record.approved_fen == 25050
