"""The command line's roster: `members import` (idempotent, bad rows by line) and `process
--roster` printing the member and the estimate. No OCR runs here (text-layer PDFs)."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claim_intake.intake.cli.app import app
from tests.conftest import pdf_bytes
from tests.materials import discharge_summary_pdf, expense_list_pdf, invoice_pdf

runner = CliRunner()
ROSTER = ("姓名,身份证号,手机号,基层工会,参保方案,起始日期,终止日期\n"
          "张三,11010519491231002X,13800000000,市一中工会,住院医疗互助,2025-01-01,2026-12-31\n"
          "李四,110105194912310021,,,住院医疗互助,2026-01-01,2026-12-31\n")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CLAIM_INTAKE_DATA_DIR", str(tmp_path / "var"))
    return tmp_path


def test_members_import_twice_changes_nothing_the_second_time(data_dir: Path) -> None:
    roster = data_dir / "名单.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    typo = runner.invoke(app, ["members", "import", str(roster), "--org", "市总公会"])
    assert typo.exit_code == 2 and "no organisation named '市总公会'" in typo.output
    first = runner.invoke(app, ["members", "import", str(roster), "--org", "市总工会", "--new-org", "--json"])
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    assert (report["members_added"], report["enrolments_added"]) == (1, 1)
    assert report["problems"] == [{"line": 3, "reason": "身份证号校验位错误"}]
    again = runner.invoke(app, ["members", "import", str(roster), "--org", "市总工会"])
    assert again.exit_code == 0, again.output
    assert "members: 0 added, 0 updated, 1 unchanged; enrolments: 0 added, 0 updated" in again.stdout
    assert "line 3: 身份证号校验位错误" in again.stdout
    wrong = data_dir / "x.csv"
    wrong.write_text("姓名\n张三\n", encoding="utf-8")
    refused = runner.invoke(app, ["members", "import", str(wrong), "--org", "市总工会"])
    assert refused.exit_code == 2 and "invalid_roster" in refused.output


def test_process_with_a_roster_prints_the_member_and_the_estimate(data_dir: Path) -> None:
    roster = data_dir / "名单.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    claim = data_dir / "claim"
    claim.mkdir()
    for name, data in [("1_invoice.pdf", invoice_pdf()), ("2_discharge.pdf", discharge_summary_pdf()),
                       ("3_list.pdf", expense_list_pdf()),
                       ("4_settlement.pdf", pdf_bytes(["医疗保障基金结算清单", "姓名：张三", "医疗费总额：353.00",
                                                       "个人自付：1200.00", "个人自费：300.00"]))]:
        (claim / name).write_bytes(data)
    args = ["process", str(claim), "--claim-type", "inpatient", "--roster", str(roster)]
    found = json.loads(runner.invoke(app, [*args, "--claimant-name", "张三", "--claimant-unit", "市一中工会", "--json"]).stdout)
    assert found["status"] == "complete" and found["member_id"] == "line-2"
    assert found["benefit"]["amount"] == "500.00"  # (1,200 + 300 - 500) x 50%
    table = runner.invoke(app, [*args, "--claimant-id-number", "11010519491231002x"])
    assert table.exit_code == 0, table.output
    assert "benefit: ¥500.00" in table.stdout and "settlement.self_pay" in table.stdout
    assert "roster line 3: 身份证号校验位错误" in table.output
    stranger = json.loads(runner.invoke(app, [*args, "--claimant-name", "王五", "--claimant-unit", "港务集团工会", "--json"]).stdout)
    assert stranger["status"] == "needs_follow_up" and stranger["benefit"] is None
    assert ("not_enrolled", "blocking") in [(f["code"], f["severity"]) for f in stranger["findings"]]
    fuzhou = Path(__file__).parent.parent / "claim_intake" / "benefit" / "rules" / "fuzhou.yaml"
    other_rules = json.loads(runner.invoke(app, [*args, "--claimant-name", "张三", "--claimant-unit", "市一中工会",
                                                 "--benefit-rules", str(fuzhou), "--json"]).stdout)
    assert other_rules["benefit"]["amount"] == "45.89"  # 353.00 x 13% = 45.89
