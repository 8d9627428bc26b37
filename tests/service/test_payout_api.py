"""Approval, rejection and payout batches over the API, on both backends (SQLite + a folder,
PostgreSQL + S3): staff members' own keys, their roles, and what a decided claim refuses."""

from __future__ import annotations

import csv
import io
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import openpyxl
from materials import discharge_summary_pdf, expense_list_pdf, invoice_pdf, settlement_pdf
from sqlalchemy import event, select

from claim_intake.intake.auth import create_key
from claim_intake.intake.console.accounts import create_staff
from claim_intake.intake.roles import Role
from claim_intake.intake.store.db import AuditEntry, ClaimEvent, StatusChange

from .conftest import Api

PASSWORD = "correct horse battery staple"


class Org:
    def __init__(self, api: Api) -> None:
        self.api = api
        self.name = f"工会-{secrets.token_hex(4)}"
        self.key = api.new_key(self.name)
        self.staff: dict[str, tuple[str, dict[str, str]]] = {}

    def add_staff(self, label: str, role: Role) -> dict[str, str]:
        with self.api.service.sessions.begin() as session:
            member = create_staff(session, self.name, f"{label}-{secrets.token_hex(3)}@example.org", PASSWORD, role)
            key = create_key(session, self.name, member.id)
        headers = {"Authorization": f"Bearer {key}"}
        self.staff[label] = (member.id, headers)
        return headers

    def complete_claim(self, name: str = "张三") -> str:
        files = [("invoice.pdf", invoice_pdf(number=str(secrets.randbelow(10**10)).zfill(10), payer=name)),
                 ("discharge.pdf", discharge_summary_pdf(patient=name)), ("expense_list.pdf", expense_list_pdf()),
                 ("settlement.pdf", settlement_pdf())]
        response = self.api.submit(self.key, files, claimant_name=name)
        assert response.status_code == 202, response.text
        claim = self.api.wait_assessed(self.key, response.json()["id"])
        assert claim["status"] == "complete", claim["findings"]
        return claim["id"]


def _error(response) -> str:  # type: ignore[no-untyped-def]
    return response.json()["error"]["code"]


def test_an_approved_claim_is_batched_exported_and_paid_by_a_second_approver(api: Api) -> None:
    org = Org(api)
    alice = org.add_staff("alice", Role.approver)
    bob = org.add_staff("bob", Role.admin)
    first, second = org.complete_claim(), org.complete_claim()
    c = api.client

    # No estimate on these claims: an amount needs its reason.
    response = c.post(f"/v1/claims/{first}/approval", headers=alice, json={"amount": "1234.50"})
    assert (response.status_code, _error(response)) == (422, "invalid_request")
    response = c.post(f"/v1/claims/{first}/approval", headers=alice,
                      json={"amount": "1234.50", "reason": "按住院费用核定", "payout_account": "6222 0212 3456 7890 123"})
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["approved_amount"]) == ("approved", "1234.50")
    assert c.post(f"/v1/claims/{second}/approval", headers=alice,
                  json={"amount": "800", "reason": "封顶"}).json()["approved_amount"] == "800.00"
    claim = c.get(f"/v1/claims/{first}", headers=org.key).json()
    assert (claim["status"], claim["approved_amount"]) == ("approved", "1234.50")

    batch = c.post("/v1/payout-batches", headers=alice, json={"claim_ids": [first, second]})
    assert batch.status_code == 201, batch.text
    batch = batch.json()
    assert (batch["count"], batch["total"]) == (2, "2034.50")
    assert batch["lines"][0]["account_masked"] == "6222***********0123"
    # A claim is in one batch at most.
    again = c.post("/v1/payout-batches", headers=alice, json={"claim_ids": [first]})
    assert (again.status_code, _error(again)) == (422, "invalid_request")

    xlsx = c.get(f"/v1/payout-batches/{batch['id']}/export.xlsx", headers=alice)
    assert xlsx.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.values)
    assert rows[1:] == [(1, "张三", "6222021234567890123", 1234.5, first), (2, "张三", None, 800, second)]
    text = c.get(f"/v1/payout-batches/{batch['id']}/export.csv", headers=alice).content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1] == ["1", "张三", "6222021234567890123", "1234.50", first]

    # The approver of its claims may not say it was paid: bob, the other approver, does.
    refused = c.post(f"/v1/payout-batches/{batch['id']}/paid", headers=alice)
    assert (refused.status_code, _error(refused)) == (403, "separation_of_duties")
    paid = c.post(f"/v1/payout-batches/{batch['id']}/paid", headers=bob)
    assert paid.status_code == 200 and paid.json()["paid_at"] is not None
    assert c.get(f"/v1/claims/{first}", headers=org.key).json()["status"] == "paid"
    twice = c.post(f"/v1/payout-batches/{batch['id']}/paid", headers=bob)
    assert (twice.status_code, _error(twice)) == (409, "invalid_transition")
    # The organisation's figures count the two payouts, with any of its keys.
    figures = c.get("/v1/figures", headers=org.key).json()
    assert {s["stage"]: s["count"] for s in figures["overall"]} == {"complete": 2, "approved": 2, "paid": 2}
    assert [(m["payouts"], m["payout_sum"]) for m in figures["per_month"]] == [(2, "2034.50")]
    assert "payouts" in c.get("/v1/figures.csv", headers=org.key).text

    with api.service.sessions() as session:
        history = [s.status for s in session.scalars(
            select(StatusChange).where(StatusChange.claim_id == first).order_by(StatusChange.id))]
        assert history[-2:] == ["approved", "paid"]
        events = {(e.action, e.staff_id) for e in session.scalars(select(ClaimEvent).where(ClaimEvent.claim_id == first))}
        assert {("claim.approved", org.staff["alice"][0]), ("claim.paid", org.staff["bob"][0])} <= events
        actions = set(session.scalars(select(AuditEntry.action).where(AuditEntry.claim_id == first)))
        assert {"claim.approved", "claim.paid"} <= actions


def test_roles_keys_and_decided_claims_refuse_what_they_must(api: Api) -> None:
    org = Org(api)
    reviewer = org.add_staff("rita", Role.reviewer)
    approver = org.add_staff("alice", Role.approver)
    claim = org.complete_claim()
    c = api.client
    body = {"amount": "100", "reason": "核定"}

    for headers, code in ((org.key, "forbidden"), (reviewer, "forbidden")):
        response = c.post(f"/v1/claims/{claim}/approval", headers=headers, json=body)
        assert (response.status_code, _error(response)) == (403, code)
    other = Org(api).add_staff("eve", Role.admin)  # another organisation's admin: no such claim
    assert c.post(f"/v1/claims/{claim}/approval", headers=other, json=body).status_code == 404

    assert c.post(f"/v1/claims/{claim}/approval", headers=approver, json=body).status_code == 200
    twice = c.post(f"/v1/claims/{claim}/approval", headers=approver, json=body)
    assert (twice.status_code, _error(twice)) == (409, "invalid_transition")
    upload = c.post(f"/v1/claims/{claim}/documents", headers=org.key, files=[("files", ("s.pdf", settlement_pdf()))])
    assert (upload.status_code, _error(upload)) == (409, "claim_locked")

    # The reversal is the way back: recorded, and the claim can be changed again.
    reversed_ = c.post(f"/v1/claims/{claim}/approval-reversal", headers=approver, json={"reason": "金额有误"})
    assert reversed_.json() | {"approved_at": None} == {"id": claim, "status": "complete", "approved_amount": None,
                                                       "approved_at": None}
    rejected = c.post(f"/v1/claims/{claim}/rejection", headers=approver, json={"reason": "不属于保障范围"})
    assert rejected.json()["status"] == "rejected"
    late = c.post(f"/v1/claims/{claim}/approval", headers=approver, json=body)
    assert (late.status_code, _error(late)) == (409, "invalid_transition")
    with api.service.sessions() as session:
        reasons = [e.detail.get("reason") for e in session.scalars(
            select(ClaimEvent).where(ClaimEvent.claim_id == claim).order_by(ClaimEvent.id))]
        assert reasons[-3:] == ["核定", "金额有误", "不属于保障范围"]


def test_a_batch_by_approval_date_and_a_single_approver_pays_their_own(api: Api) -> None:
    org = Org(api)
    only = org.add_staff("solo", Role.admin)
    claim = org.complete_claim()
    c = api.client
    assert c.post(f"/v1/claims/{claim}/approval", headers=only, json={"amount": "50", "reason": "x"}).status_code == 200
    empty = c.post("/v1/payout-batches", headers=only, json={"approved_to": "2000-01-01"})
    assert (empty.status_code, _error(empty)) == (422, "invalid_request")
    batch = c.post("/v1/payout-batches", headers=only, json={}).json()
    assert [line["claim_id"] for line in batch["lines"]] == [claim]
    # One approver in the organisation: they mark their own batch paid.
    assert c.post(f"/v1/payout-batches/{batch['id']}/paid", headers=only).status_code == 200
    assert [b["id"] for b in c.get("/v1/payout-batches", headers=only).json()] == [batch["id"]]


@contextmanager
def _statements(api: Api) -> Iterator[list[str]]:
    """The statements that read what a decision is made of, sent meanwhile in answer to requests:
    not by the service's own threads (jobs, and webhooks, which build each status change's
    payload, decision included, whether or not the organisation has a webhook)."""
    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if threading.current_thread().name.startswith("claim-intake-"):
            return
        if any(f"FROM {table}" in statement for table in ("claim_events", "payout_batch", "staff")):
            sent.append(statement)

    engine = api.service.sessions.kw["bind"]
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_the_claims_list_shows_each_claims_decision_as_the_claim_does(api: Api) -> None:
    org = Org(api)
    solo = org.add_staff("solo", Role.admin)
    approved, rejected, paid, reversed_ = (org.complete_claim() for _ in range(4))
    c = api.client
    for claim, amount in ((approved, "100"), (paid, "250.5"), (reversed_, "10")):
        response = c.post(f"/v1/claims/{claim}/approval", headers=solo, json={"amount": amount, "reason": "核定"})
        assert response.status_code == 200, response.text
    assert c.post(f"/v1/claims/{rejected}/rejection", headers=solo, json={"reason": "重复申报"}).status_code == 200
    assert c.post(f"/v1/claims/{reversed_}/approval-reversal", headers=solo, json={"reason": "金额有误"}).status_code == 200
    batch = c.post("/v1/payout-batches", headers=solo, json={"claim_ids": [paid]}).json()
    assert c.post(f"/v1/payout-batches/{batch['id']}/paid", headers=solo).status_code == 200

    with _statements(api) as for_all:
        listed = {item["id"]: item["decision"] for item in c.get("/v1/claims", headers=org.key).json()["items"]}
    assert {claim: d and (d["outcome"], d["approved_amount"], d["reason"]) for claim, d in listed.items()} == {
        approved: ("approved", "100.00", "核定"), rejected: ("rejected", None, "重复申报"),
        paid: ("paid", "250.50", "核定"), reversed_: None}
    assert listed[paid]["batch_id"] == batch["id"]
    for claim, decision in listed.items():
        assert c.get(f"/v1/claims/{claim}", headers=org.key).json()["decision"] == decision
    # Filtered, a page still carries them.
    with _statements(api) as for_one:
        only_paid = c.get("/v1/claims", headers=org.key, params={"status": "paid"}).json()["items"]
    assert [(item["id"], item["decision"]) for item in only_paid] == [(paid, listed[paid])]
    # Three decided claims cost the database no more than one: not a query per claim.
    assert len(for_all) == len(for_one) == 3
    summary = c.get("/openapi.json").json()["components"]["schemas"]["ClaimSummary"]
    assert summary["properties"]["decision"]["anyOf"][0] == {"$ref": "#/components/schemas/Decision"}


def test_the_cli_creates_staff_with_a_role_and_their_own_key(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from claim_intake.intake.cli.app import app as cli
    from claim_intake.intake.settings import Settings

    from .conftest import start_api

    env = {"CLAIM_INTAKE_DATA_DIR": str(tmp_path)}
    runner = CliRunner()
    for email, role in (("rita@example.org", "reviewer"), ("alice@example.org", "approver")):
        result = runner.invoke(cli, ["staff", "create", "--org", "柳州市总工会", "--email", email, "--role", role,
                                     "--password-stdin"], input=f"{PASSWORD}\n", env=env)
        assert result.exit_code == 0 and f"({role})" in result.output, result.output
    assert runner.invoke(cli, ["staff", "create", "--org", "x", "--email", "e@example.org", "--role", "boss",
                               "--password-stdin"], input=f"{PASSWORD}\n", env=env).exit_code != 0
    keys = {}
    for email in ("rita@example.org", "alice@example.org"):
        result = runner.invoke(cli, ["keys", "create", "--org", "柳州市总工会", "--staff", email], env=env)
        assert result.exit_code == 0, result.output
        keys[email] = {"Authorization": f"Bearer {result.output.strip()}"}
    unknown = runner.invoke(cli, ["keys", "create", "--org", "柳州市总工会", "--staff", "nobody@example.org"], env=env)
    assert unknown.exit_code != 0 and "no staff member" in unknown.output

    client, api = start_api(Settings(data_dir=tmp_path))
    try:
        # Listing batches is a staff route: the reviewer's key may read, and may not create one.
        assert api.client.get("/v1/payout-batches", headers=keys["rita@example.org"]).status_code == 200
        refused = api.client.post("/v1/payout-batches", headers=keys["rita@example.org"], json={})
        assert (refused.status_code, _error(refused)) == (403, "forbidden")
        empty = api.client.post("/v1/payout-batches", headers=keys["alice@example.org"], json={})
        assert (empty.status_code, _error(empty)) == (422, "invalid_request")
    finally:
        client.__exit__(None, None, None)
