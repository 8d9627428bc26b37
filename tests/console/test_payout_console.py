"""Approval, the claims list and payout batches in the console, as staff of each role use them."""

from __future__ import annotations

import io
import re
import secrets

import openpyxl
from materials import discharge_summary_pdf, expense_list_pdf, invoice_pdf, settlement_pdf

from claim_intake.intake.console.accounts import create_staff
from claim_intake.intake.roles import Role

from .conftest import PASSWORD, Console, Org, chosen, csrf_of


def _staff(console: Console, org: Org, role: Role) -> str:
    email = f"{role}-{secrets.token_hex(4)}@example.org"
    with console.service.sessions.begin() as session:
        create_staff(session, org.name, email, PASSWORD, role)
    return email


def _complete(console: Console, org: Org, number: str) -> str:
    claim_id = console.submit(org, [("invoice.pdf", invoice_pdf(number=number)), ("discharge.pdf", discharge_summary_pdf()),
                                    ("expense_list.pdf", expense_list_pdf()), ("settlement.pdf", settlement_pdf())])
    assert console.claim(org, claim_id)["status"] == "complete"
    return claim_id


def test_a_reviewer_cannot_decide_and_an_approver_approves_with_a_reason(console: Console) -> None:
    org = console.new_org()
    claim_id = _complete(console, org, "1100000001")
    reviewer = console.login(_staff(console, org, Role.reviewer))
    page = reviewer.get(f"/console/claims/{claim_id}").text
    assert 'id="approve-form"' not in page and "审批和发放需要审批员或管理员角色" in page
    refused = reviewer.post(f"/console/claims/{claim_id}/approval",
                            data={"csrf_token": csrf_of(page), "amount": "100", "reason": "x"})
    assert refused.status_code == 303
    assert "未执行" in reviewer.get(f"/console/claims/{claim_id}").text
    assert console.claim(org, claim_id)["status"] == "complete"

    approver = console.login(_staff(console, org, Role.approver))
    page = approver.get(f"/console/claims/{claim_id}").text
    token = csrf_of(page)
    # No estimate on this branch's claims: the amount needs a reason, and stays complete without one.
    approver.post(f"/console/claims/{claim_id}/approval", data={"csrf_token": token, "amount": "1,200.5"})
    assert "the reason" in approver.get(f"/console/claims/{claim_id}").text
    approver.post(f"/console/claims/{claim_id}/approval",
                  data={"csrf_token": token, "amount": "1,200.5", "reason": "按票据核定", "payout_account": "6222021234567890123"})
    page = approver.get(f"/console/claims/{claim_id}").text
    assert 'data-status="approved"' in page and "¥1,200.50" in page and "6222***********0123" in page
    assert "审批通过，核定 ¥1200.50：按票据核定" in page  # the history, with who
    # An approved claim takes no correction until its approval is reversed.
    locked = approver.post(f"/console/claims/{claim_id}/waivers",
                           data={"csrf_token": token, "finding_key": "x", "reason": "y"})
    assert locked.status_code == 409
    approver.post(f"/console/claims/{claim_id}/approval-reversal", data={"csrf_token": token, "reason": "金额录错"})
    page = approver.get(f"/console/claims/{claim_id}").text
    assert 'data-status="complete"' in page and "撤销审批（原 ¥1200.50）：金额录错" in page


def test_claims_are_found_by_name_invoice_number_status_and_period(console: Console) -> None:
    org = console.new_org()
    first = _complete(console, org, "2200000001")
    second = console.submit(org, [("invoice.pdf", invoice_pdf(number="2200000002"))], claimant_name="李四")
    reviewer = console.login(_staff(console, org, Role.reviewer))

    def listed(**query: str) -> set[str]:
        page = reviewer.get("/console/claims", params=query).text
        return set(re.findall(r'data-claim="([^"]+)"', page))

    assert listed() == {first, second}
    assert listed(q="李") == {second}
    assert listed(q="2200000001") == {first}
    assert listed(q=second) == {second}
    assert listed(status="complete") == {first}
    # The form shows the filters chosen.
    page = reviewer.get("/console/claims", params={"status": "complete", "claim_type": "inpatient"}).text
    statuses, selected = chosen(page, "status")
    assert statuses[0] == "" and "paid" in statuses and selected == ["complete"]
    assert chosen(page, "claim_type") == (["", "inpatient", "outpatient_special", "accident"], ["inpatient"])
    assert listed(submitted_to="2000-01-01") == set()
    # The API has the same filters.
    api = console.client().get("/v1/claims", headers=org.api_headers, params={"q": "2200000002"}).json()
    assert [c["id"] for c in api["items"]] == [second]
    other = console.new_org()
    assert console.client().get("/v1/claims", headers=other.api_headers, params={"q": "2200000002"}).json()["items"] == []


def test_a_batch_is_exported_and_paid_by_another_approver(console: Console) -> None:
    org = console.new_org()
    claim_id = _complete(console, org, "3300000001")
    alice, bob = console.login(_staff(console, org, Role.approver)), console.login(_staff(console, org, Role.admin))
    token = csrf_of(alice.get(f"/console/claims/{claim_id}").text)
    alice.post(f"/console/claims/{claim_id}/approval", data={"csrf_token": token, "amount": "300", "reason": "定额"})

    page = alice.get("/console/payouts").text
    assert claim_id in page
    created = alice.post("/console/payouts", data={"csrf_token": token, "claim_id": claim_id})
    assert created.status_code == 303
    batch_url = created.headers["location"]
    page = alice.get(batch_url).text
    assert "1 人次, ¥300.00" in page
    xlsx = alice.get(batch_url + "/export.xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.values)
    assert rows[1] == (1, "张三", None, 300, claim_id)

    alice.post(batch_url + "/paid", data={"csrf_token": token})
    page = alice.get(batch_url).text  # alice approved its claim: bob marks it paid
    assert "未执行" in page and "another approver marks it paid" in page
    assert console.claim(org, claim_id)["status"] == "approved"
    bob_token = csrf_of(bob.get(batch_url).text)
    bob.post(batch_url + "/paid", data={"csrf_token": bob_token})
    assert console.claim(org, claim_id)["status"] == "paid"
    assert 'class="status status-paid" id="batch-state"' in bob.get(batch_url).text


def test_a_decided_claim_offers_no_correction_waiver_or_link_only_the_reversal(console: Console) -> None:
    org = console.new_org()
    approved = _complete(console, org, "4400000001")
    rejected = console.submit(org, [("invoice.pdf", invoice_pdf(number="4400000002"))], claimant_name="李四")
    approver = console.login(_staff(console, org, Role.approver))
    forms = ("/corrections", "/waivers", "/links")

    # Undecided, a link was sent: staff correct, waive and send the link.
    page = approver.get(f"/console/claims/{rejected}").text
    assert all(f'action="http://testserver/console/claims/{rejected}{f}"' in page for f in forms), page
    approver.post(f"/console/claims/{rejected}/links", data={"csrf_token": csrf_of(page)})
    (url,) = re.findall(r'id="follow-up-link" href="([^"]+)"', approver.get(f"/console/claims/{rejected}").text)
    claimant = console.client()
    assert 'name="files"' in claimant.get(url).text

    token = csrf_of(page)
    approver.post(f"/console/claims/{rejected}/rejection", data={"csrf_token": token, "reason": "非互助范围"})
    approver.post(f"/console/claims/{approved}/approval", data={"csrf_token": token, "amount": "800", "reason": "核定"})
    for claim_id, status in ((approved, "approved"), (rejected, "rejected")):
        page = approver.get(f"/console/claims/{claim_id}").text
        assert f'data-status="{status}"' in page
        assert not any(f"/console/claims/{claim_id}{f}" in page for f in forms), status
        assert 'id="locked"' in page and 'id="follow-up-link"' not in page
        # The service refuses what the page no longer offers.
        assert approver.post(f"/console/claims/{claim_id}/links", data={"csrf_token": token}).status_code == 409
    assert 'id="reverse-form"' in approver.get(f"/console/claims/{approved}").text
    assert 'id="reverse-form"' not in approver.get(f"/console/claims/{rejected}").text
    # The link sent earlier now tells the claimant the claim is decided, with nothing to upload.
    follow_up = claimant.get(url).text
    assert 'id="decided"' in follow_up and 'name="files"' not in follow_up

    # Reversed, the approved claim is open to corrections again.
    approver.post(f"/console/claims/{approved}/approval-reversal", data={"csrf_token": token, "reason": "金额录错"})
    page = approver.get(f"/console/claims/{approved}").text
    assert f"/console/claims/{approved}/corrections" in page and 'id="locked"' not in page
