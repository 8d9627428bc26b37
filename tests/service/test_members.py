"""The roster through the API, on both backends: import (idempotent, bad rows, history), claims
matched to it, the estimate on the claim, not_enrolled, and the period cap across two claims."""

from __future__ import annotations

import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import pytest
from conftest import pdf_bytes
from materials import discharge_summary_pdf, expense_list_pdf, invoice_pdf
from typer.testing import CliRunner

from claim_intake.intake.cli.app import app as cli
from service.conftest import Api, wait_for

ZHANG = "11010519491231002X"
LI = "310104198001011239"
HEADER = "姓名,公民身份号码,手机号,工作单位,参保方案,起始日期,终止日期,缴费日期,开户行,银行账号"
ROSTER = "\n".join([
    HEADER,
    f"张三,{ZHANG},13800000000,市一中工会,住院医疗互助,2025-01-01,2025-12-31,2024-12-20,工商银行,6222021234567891",
    f"张三,{ZHANG},13800000000,市一中工会,住院医疗互助,2026-01-01,2026-12-31,2025-12-20,工商银行,6222021234567891",
    "王五,110105194912310021,,,住院医疗互助,2026-01-01,2026-12-31,,,",
]).encode()


def settlement(self_pay: str, self_expense: str) -> bytes:
    return pdf_bytes(["医疗保障基金结算清单", "姓名：张三", "医疗费总额：353.00", "统筹基金支付：200.00",
                      f"个人自付：{self_pay}", f"个人自费：{self_expense}"])


def bundle(self_pay: str, self_expense: str, number: str = "0012345678") -> list[tuple[str, bytes]]:
    return [("invoice.pdf", invoice_pdf(number=number)), ("discharge.pdf", discharge_summary_pdf()),
            ("list.pdf", expense_list_pdf()), ("settlement.pdf", settlement(self_pay, self_expense))]


def import_roster(api: Api, key: dict[str, str], data: bytes, name: str = "名单.csv") -> Any:
    return api.client.post("/v1/members/import", headers=key, files=[("file", (name, data))])


def test_roster_import_is_idempotent_reports_bad_rows_and_keeps_history(api: Api) -> None:
    key = api.new_key()
    first = import_roster(api, key, ROSTER)
    assert first.status_code == 200, first.text
    assert first.json() == {"members_added": 1, "members_updated": 0, "members_unchanged": 0, "enrolments_added": 2,
                            "enrolments_updated": 0, "problems": [{"line": 4, "reason": "身份证号校验位错误"}]}
    again = import_roster(api, key, ROSTER).json()
    assert again["members_unchanged"] == 1
    assert again["members_added"] == again["members_updated"] == again["enrolments_added"] == again["enrolments_updated"] == 0

    changed = ROSTER.replace(b"13800000000", b"13900000000")
    changed = changed.replace(b"2026-12-31,2025-12-20", b"2026-12-31,2025-12-28")
    report = import_roster(api, key, changed, "名单2.csv").json()
    assert (report["members_updated"], report["enrolments_updated"]) == (1, 1)

    found = api.client.get("/v1/members", headers=key, params={"id_number": ZHANG.lower()}).json()
    assert [(m["name"], m["id_number"], m["account"], m["phone"]) for m in found] == [
        ("张三", "110***********002X", "6222********7891", "13900000000")]
    member = api.client.get(f"/v1/members/{found[0]['member_id']}", headers=key).json()
    assert [e["paid_on"] for e in member["enrolments"]] == ["2024-12-20", "2025-12-28"]
    assert next((h["source"], h["previous"].get("phone"), h["current"].get("phone")) for h in member["history"]) == (
        "名单2.csv", "13800000000", "13900000000")
    assert any(h["previous"].get("paid_on") == "2025-12-20" for h in member["history"])
    # Another organisation sees none of it.
    assert api.client.get(f"/v1/members/{found[0]['member_id']}", headers=api.new_key()).status_code == 404


def test_a_file_that_is_no_roster_is_refused(api: Api) -> None:
    response = import_roster(api, api.new_key(), "姓名,手机号\n张三,1\n".encode())
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_roster"


def test_a_matched_complete_claim_gets_its_estimate_with_steps(api: Api) -> None:
    key = api.new_key()
    import_roster(api, key, ROSTER)
    claim = api.submit(key, bundle("1200.00", "300.00"), claimant_name="张三", claimant_id_number=ZHANG.lower()).json()
    claim = api.wait_assessed(key, claim["id"])
    assert claim["status"] == "complete", claim["findings"]
    assert claim["claimant_id_number"] == "110***********002X"
    assert claim["member_id"].startswith("mem_")
    benefit = claim["benefit"]
    # demo rules: 1,200.00 + 300.00 = 1,500.00; - 500 = 1,000.00; x 50% = 500.00
    assert (benefit["amount"], benefit["plan"], benefit["rule_set_version"]) == ("500.00", "住院医疗互助", "demo-2026.1")
    self_pay = benefit["steps"][0]
    settlement_id = claim["documents"][3]["id"]
    assert (self_pay["name"], self_pay["value"], self_pay["source"], self_pay["document"]) == (
        "个人自付", "1200.00", "settlement.self_pay", settlement_id)


def test_the_period_cap_bites_across_two_claims_of_one_member(api: Api) -> None:
    key = api.new_key()
    import_roster(api, key, ROSTER)
    first = api.submit(key, bundle("30000.00", "10500.00"), claimant_name="张三", claimant_id_number=ZHANG).json()
    first = api.wait_assessed(key, first["id"])
    # 40,500 - 500 = 40,000: 10,000 x 50% + 30,000 x 60% = 23,000 (cap 30,000 per period)
    assert (first["status"], first["benefit"]["amount"]) == ("complete", "23000.00")
    second = api.submit(key, bundle("30000.00", "10500.00", number="0087654321"), claimant_name="张三",
                        claimant_id_number=ZHANG).json()
    second = api.wait_assessed(key, second["id"])
    # computed 23,000 again; left of the cap: 30,000 - 23,000 = 7,000
    assert second["benefit"]["amount"] == "7000.00"
    steps = {s["name"]: s["value"] for s in second["benefit"]["steps"]}
    assert steps["本期此前已获"] == "23000.00" and steps["本期剩余额度"] == "7000.00"
    assert [(f["code"], f["severity"]) for f in second["findings"]] == [("benefit_cap_reached", "info")]
    assert second["status"] == "complete"


def test_not_enrolled_blocks_but_only_where_a_roster_is_kept(api: Api) -> None:
    key = api.new_key()
    import_roster(api, key, ROSTER)
    claim = api.submit(key, bundle("1200.00", "300.00"), claimant_name="张三", claimant_id_number=LI).json()
    claim = api.wait_assessed(key, claim["id"])
    assert claim["status"] == "needs_follow_up"
    finding = next(f for f in claim["findings"] if f["code"] == "not_enrolled")
    assert finding["severity"] == "blocking" and "参保名单" in finding["message_claimant"]
    assert claim["benefit"] is None and claim["member_id"] is None

    no_roster = api.new_key()
    claim = api.wait_assessed(no_roster, api.submit(no_roster, bundle("1200.00", "300.00"), claimant_name="张三",
                                                    claimant_id_number=LI).json()["id"])
    assert claim["status"] == "complete" and claim["benefit"]["amount"] == "500.00"


def test_a_claim_names_its_member_or_is_refused(api: Api) -> None:
    key = api.new_key()
    import_roster(api, key, ROSTER)
    bad = api.submit(key, [("invoice.pdf", invoice_pdf())], claimant_id_number="110105194912310021")
    assert bad.status_code == 422 and "校验位" in bad.json()["error"]["message"]
    unknown = api.submit(key, [("invoice.pdf", invoice_pdf())], member_id="mem_nobody")
    assert unknown.status_code == 422
    member_id = api.client.get("/v1/members", headers=key, params={"name": "张三"}).json()[0]["member_id"]
    named = api.submit(key, bundle("1200.00", "300.00"), member_id=member_id).json()
    assert named["claimant_id_number"] == "110***********002X"
    assert api.wait_assessed(key, named["id"])["member_id"] == member_id


class _Hook(BaseHTTPRequestHandler):
    bodies: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        type(self).bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_the_webhook_carries_the_member_and_the_estimate(api: Api) -> None:
    _Hook.bodies = []
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        key = api.new_key()
        import_roster(api, key, ROSTER)
        hook = api.client.post("/v1/webhooks", headers=key,
                               json={"url": f"http://127.0.0.1:{server.server_port}/hook", "secret": "s3cret-for-signing-webhooks"})
        assert hook.status_code == 201, hook.text
        claim = api.submit(key, bundle("1200.00", "300.00"), claimant_id_number=ZHANG).json()
        claim = api.wait_assessed(key, claim["id"])
        body = wait_for(lambda: next((b for b in _Hook.bodies if b["claim"]["id"] == claim["id"]), None))
        assert body["claim"]["member_id"] == claim["member_id"] is not None
        assert body["claim"]["benefit"]["amount"] == "500.00"
        assert body["claim"]["benefit"]["steps"] == claim["benefit"]["steps"]
    finally:
        server.shutdown()
        server.server_close()


def test_an_approved_estimate_is_paid_to_the_members_roster_account(api: Api) -> None:
    """The loop across both halves: the claim matched to the roster is found by its unit, approved
    for its estimate without retyping it, and its bank line names the member and the roster's account."""
    from claim_intake.intake.auth import create_key
    from claim_intake.intake.console.accounts import create_staff
    from claim_intake.intake.roles import Role

    org = f"org-{secrets.token_hex(4)}"
    key = api.new_key(org)
    with api.service.sessions.begin() as session:
        approver = create_staff(session, org, f"a-{secrets.token_hex(3)}@example.org", "correct horse battery", Role.approver)
        staff = {"Authorization": f"Bearer {create_key(session, org, approver.id)}"}
    import_roster(api, key, ROSTER)
    claim = api.submit(key, bundle("1200.00", "300.00"), claimant_name="张三", claimant_id_number=ZHANG).json()
    assert api.wait_assessed(key, claim["id"])["status"] == "complete"
    other = api.submit(key, bundle("10.00", "0.00", number="0099999999"), claimant_name="王五").json()
    api.wait_assessed(key, other["id"])

    found = api.client.get("/v1/claims", headers=key, params={"unit": "市一中"}).json()["items"]
    assert [c["id"] for c in found] == [claim["id"]]
    assert [c["id"] for c in api.client.get("/v1/claims", headers=key, params={"q": ZHANG}).json()["items"]] == [claim["id"]]

    approved = api.client.post(f"/v1/claims/{claim['id']}/approval", headers=staff, json={})
    assert approved.status_code == 200, approved.text
    assert approved.json()["approved_amount"] == "500.00"
    batch = api.client.post("/v1/payout-batches", headers=staff, json={"claim_ids": [claim["id"]]}).json()
    line = batch["lines"][0]
    assert (line["name"], line["account_masked"], line["amount"]) == ("张三", "6222********7891", "500.00")
    # The organisation's only approver marks it paid: the decision says in which batch, by whom, when.
    assert api.client.post(f"/v1/payout-batches/{batch['id']}/paid", headers=staff).status_code == 200
    paid = api.client.get(f"/v1/claims/{claim['id']}", headers=key).json()
    decision = paid["decision"]
    assert (paid["status"], decision["outcome"], decision["approved_amount"], decision["estimate"]) == (
        "paid", "paid", "500.00", "500.00")
    assert (decision["batch_id"], decision["paid_by"], decision["by"], decision["reason"]) == (
        batch["id"], approver.email, approver.email, "")
    assert decision["paid_at"] is not None


def test_an_approval_lower_than_the_estimate_leaves_more_of_the_cap_and_the_decision_is_shown(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once approved, the approved amount counts against the period cap, not the estimate; the
    claim's JSON, the webhook and the CLI carry the decision beside the estimate."""
    from claim_intake.intake.auth import create_key
    from claim_intake.intake.console.accounts import create_staff
    from claim_intake.intake.roles import Role

    _Hook.bodies = []
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    org = f"org-{secrets.token_hex(4)}"
    key = api.new_key(org)
    email = f"a-{secrets.token_hex(3)}@example.org"
    with api.service.sessions.begin() as session:
        approver = create_staff(session, org, email, "correct horse battery", Role.approver)
        staff = {"Authorization": f"Bearer {create_key(session, org, approver.id)}"}
    try:
        api.client.post("/v1/webhooks", headers=key, json={"url": f"http://127.0.0.1:{server.server_port}/hook",
                                                           "secret": "s3cret-for-signing-webhooks"})
        import_roster(api, key, ROSTER)
        first = api.submit(key, bundle("30000.00", "10500.00"), claimant_name="张三", claimant_id_number=ZHANG).json()
        first = api.wait_assessed(key, first["id"])
        # 40,500 - 500 = 40,000: 10,000 x 50% + 30,000 x 60% = 23,000 (under the 30,000 cap)
        assert (first["benefit"]["amount"], first["decision"]) == ("23000.00", None)
        approved = api.client.post(f"/v1/claims/{first['id']}/approval", headers=staff,
                                   json={"amount": "10000.00", "reason": "部分费用不在互助范围"})
        assert approved.status_code == 200, approved.text

        decided = api.client.get(f"/v1/claims/{first['id']}", headers=key).json()
        decision = decided["decision"]
        assert (decision["outcome"], decision["approved_amount"], decision["estimate"], decision["by"],
                decision["reason"]) == ("approved", "10000.00", "23000.00", email, "部分费用不在互助范围")
        assert decision["at"] == decided["approved_at"] is not None
        hooked = wait_for(lambda: next((b for b in _Hook.bodies if b["claim"]["id"] == first["id"]
                                        and b["claim"]["status"] == "approved"), None))
        assert hooked["claim"]["decision"] == decision
        # The CLI reads the same database: the same JSON, and a line for people.
        settings = api.service.settings
        monkeypatch.setenv("CLAIM_INTAKE_DATA_DIR", str(settings.data_dir))
        if settings.database_url:
            monkeypatch.setenv("CLAIM_INTAKE_DATABASE_URL", settings.database_url)
        shown = CliRunner().invoke(cli, ["claims", "show", first["id"], "--org", org, "--json"])
        assert shown.exit_code == 0, shown.output
        assert json.loads(shown.stdout)["decision"] == decision
        shown = CliRunner().invoke(cli, ["claims", "show", first["id"], "--org", org])
        assert f"decision: approved ¥10000.00 (estimate ¥23000.00) by {email}" in shown.stdout
        assert "benefit: ¥23000.00" in shown.stdout

        second = api.submit(key, bundle("30000.00", "10500.00", number="0087654321"), claimant_name="张三",
                            claimant_id_number=ZHANG).json()
        second = api.wait_assessed(key, second["id"])
        # computed 23,000 again; the first claim counts as approved (10,000), not as estimated
        # (23,000): left of the cap 30,000 - 10,000 = 20,000, so 20,000 (not 7,000)
        steps = {s["name"]: s["value"] for s in second["benefit"]["steps"]}
        assert steps["本期此前已获"] == "10000.00" and steps["本期剩余额度"] == "20000.00"
        assert second["benefit"]["amount"] == "20000.00"

        rejected = api.client.post(f"/v1/claims/{second['id']}/rejection", headers=staff, json={"reason": "重复申报"})
        assert rejected.status_code == 200, rejected.text
        decision = api.client.get(f"/v1/claims/{second['id']}", headers=key).json()["decision"]
        assert (decision["outcome"], decision["by"], decision["reason"]) == ("rejected", email, "重复申报")
        hooked = wait_for(lambda: next((b for b in _Hook.bodies if b["claim"]["id"] == second["id"]
                                        and b["claim"]["status"] == "rejected"), None))
        assert hooked["claim"]["decision"]["reason"] == "重复申报"
        shown = CliRunner().invoke(cli, ["claims", "show", second["id"], "--org", org])
        assert f"decision: rejected by {email}" in shown.stdout and "重复申报" in shown.stdout
    finally:
        server.shutdown()
        server.server_close()


def test_an_approval_is_prorated_across_the_plans_of_its_estimate() -> None:
    from decimal import Decimal

    from claim_intake.intake.store.members import counted_parts

    benefit = {"parts": [{"plan": "住院医疗互助", "amount": "6000.00", "period_start": "2026-01-01"},
                         {"plan": "大病补助", "amount": "2000.00", "period_start": "2026-01-01"}]}
    # complete: the estimate's parts as they are
    assert [a for _, _, a in counted_parts(benefit, "complete", None)] == [Decimal("6000.00"), Decimal("2000.00")]
    # approved 6,000.00 of 8,000.00: 6,000 x 6,000/8,000 = 4,500.00 and 6,000 x 2,000/8,000 = 1,500.00
    assert counted_parts(benefit, "paid", 600000) == [("住院医疗互助", "2026-01-01", Decimal("4500.00")),
                                                      ("大病补助", "2026-01-01", Decimal("1500.00"))]
    # 100.00 over three equal parts: 33.33 + 33.33, the last takes the rest 33.34 (the shares add up)
    thirds = {"parts": [{"plan": p, "amount": "10.00", "period_start": None} for p in "ABC"]}
    assert [a for _, _, a in counted_parts(thirds, "approved", 10000)] == [
        Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]


def test_a_roster_of_many_megabytes_goes_through_the_body_limits_only_with_a_key(api: Api, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Forms are held to a small body until the caller is known; a roster is an upload and gets
    its own limit, after the key is checked."""
    from claim_intake.samples.roster import members, write_csv

    path = tmp_path / "roster.csv"
    write_csv(path, members(20_000))
    data = path.read_bytes()
    assert len(data) > 2 * 1024 * 1024
    refused = api.client.post("/v1/members/import", files=[("file", ("roster.csv", data))])
    assert refused.status_code == 401
    imported = import_roster(api, api.new_key(), data, "roster.csv")
    assert imported.status_code == 200, imported.text
    assert imported.json()["members_added"] == 20_000
