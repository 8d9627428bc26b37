"""The command line's contract: JSON shapes, per-file errors, exit codes. No OCR runs here."""

import json
from pathlib import Path

from typer.testing import CliRunner

from claim_intake.intake.cli.app import app
from tests.conftest import pdf_bytes

runner = CliRunner()

EXPENSE_LIST = ["住院费用明细清单", "姓名：张三   住院号：ZY123456", "入院日期：2026-10-12  出院日期：2026-10-20", "合计：1,234.50"]


def _files(tmp_path: Path) -> list[Path]:
    good = tmp_path / "expense_list.pdf"
    good.write_bytes(pdf_bytes(EXPENSE_LIST))
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    corrupt = tmp_path / "corrupt.png"
    corrupt.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    return [empty, good, corrupt]


def test_read_json_reports_bad_files_and_reads_the_rest(tmp_path: Path) -> None:
    result = runner.invoke(app, ["read", *map(str, _files(tmp_path)), "--json"])
    assert result.exit_code == 0, result.output
    empty, good, corrupt = json.loads(result.stdout)
    assert empty["error"]["code"] == "unreadable_file"
    assert empty["error"]["reason"] == "empty_file"
    assert corrupt["error"]["code"] == "unreadable_file"
    assert empty["documents"] == [] and corrupt["documents"] == []
    assert good["error"] is None
    (document,) = good["documents"]
    assert set(document) == {"doc_type", "confidence", "pages", "fields"}
    assert document["doc_type"] == "expense_list"
    assert document["pages"] == [1]
    total = document["fields"]["total_amount"]
    assert set(total) == {"value", "raw", "confidence", "page", "box"}
    assert total["value"] == "1234.50"
    assert total["raw"] == "1,234.50"
    assert total["page"] == 1
    assert len(total["box"]) == 4
    assert document["fields"]["patient_name"]["value"] == "张三"


def test_process_json_shape_and_findings(tmp_path: Path) -> None:
    _files(tmp_path)
    result = runner.invoke(app, ["process", str(tmp_path), "--claim-type", "inpatient", "--json"])
    assert result.exit_code == 0, result.output
    claim = json.loads(result.stdout)
    assert claim["claim_type"] == "inpatient"
    assert claim["status"] == "needs_follow_up"
    (document,) = claim["documents"]
    assert document["source"] == {"file": str(tmp_path / "expense_list.pdf"), "page": 1}
    codes = [(f["code"], f["doc_type"]) for f in claim["findings"]]
    assert codes.count(("unreadable_file", None)) == 2
    for missing in ("invoice_inpatient", "discharge_summary", "settlement"):
        assert ("missing_document", missing) in codes
    assert ("missing_document", "expense_list") not in codes
    for finding in claim["findings"]:
        assert {"code", "severity", "doc_type", "field", "documents", "message_staff", "message_claimant"} <= set(finding)
        assert finding["message_claimant"]


def test_tables_for_people(tmp_path: Path) -> None:
    _files(tmp_path)
    result = runner.invoke(app, ["process", str(tmp_path), "--claim-type", "inpatient"])
    assert result.exit_code == 0
    assert "needs_follow_up" in result.stdout
    assert "missing_document" in result.stdout
    assert "请补充上传出院小结" in result.stdout


def test_failures_of_the_command_itself_exit_non_zero(tmp_path: Path) -> None:
    _files(tmp_path)
    unknown_type = runner.invoke(app, ["process", str(tmp_path), "--claim-type", "dental"])
    assert unknown_type.exit_code != 0
    assert "unknown_claim_type" in unknown_type.stderr
    missing_path = runner.invoke(app, ["read", str(tmp_path / "nope.jpg")])
    assert missing_path.exit_code != 0
    assert "no such file" in missing_path.stderr


def test_eval_real_prints_its_figures_and_refuses_missing_labels(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    images = root / "samples" / "bundles" / "inpatient_complete"
    labels = tmp_path / "labels.json"
    labels.write_text(json.dumps([{"file": "01_invoice.jpg", "doc_type": "invoice_inpatient",
                                   "fields": {"invoice_number": "0009501592", "payee": "长沙市中心医院"}}]), encoding="utf-8")
    replay = root / "tests" / "recordings" / "sample_bundles.json"
    result = runner.invoke(app, ["eval-real", str(images), "--labels", str(labels), "--replay", str(replay), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["doc_type_accuracy"] == 1.0 and report["key_field_accuracy"] == 1.0
    missing = runner.invoke(app, ["eval-real", str(tmp_path / "nowhere"), "--labels", str(tmp_path / "none.json")])
    assert missing.exit_code == 2 and "labels" in missing.output
