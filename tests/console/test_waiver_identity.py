"""A finding is identified by what it is about (code, document type, field, documents), never by
its wording: rewording its message in the messages file keeps a waiver of it waived."""

from __future__ import annotations

import re
from importlib import resources

import pytest
import yaml
from materials import discharge_summary_pdf

from claim_intake.validators import assess
from claim_intake.validators.messages import Messages

from .conftest import Console, csrf_of, missing_discharge_summary

OLD = "请重新拍照上传（JPG/PNG照片或PDF）"
NEW = "请用手机重新拍一张清楚的照片上传"


def _reworded() -> Messages:
    """The built-in messages file with the unreadable file's claimant message reworded."""
    text = (resources.files("claim_intake.validators") / "messages.yaml").read_text(encoding="utf-8")
    assert OLD in text
    return Messages.model_validate(yaml.safe_load(text.replace(OLD, NEW)))


def test_rewording_a_message_keeps_its_waiver(console: Console, monkeypatch: pytest.MonkeyPatch) -> None:
    org = console.new_org()
    files = [*missing_discharge_summary(), ("出院小结.pdf", discharge_summary_pdf()), ("空白.jpg", b"")]
    claim_id = console.submit(org, files)
    claim = console.claim(org, claim_id)
    (unreadable,) = [f for f in claim["findings"] if f["code"] == "unreadable_file"]
    assert claim["status"] == "needs_follow_up" and OLD in unreadable["message_claimant"]
    assert unreadable["documents"] == [claim["documents"][4]["id"]]  # the empty upload itself

    staff = console.login(org.email)
    page = staff.get(f"/console/claims/{claim_id}").text
    (key,) = re.findall(r'name="finding_key" value="([^"]+)"', page)
    staff.post(f"/console/claims/{claim_id}/waivers",
               data={"csrf_token": csrf_of(page), "finding_key": key, "reason": "原件已线下核对"})
    assert console.wait_assessed(org, claim_id)["status"] == "complete"

    # The message is reworded, and the claim assessed again (a correction): still waived.
    monkeypatch.setattr(assess, "builtin_messages", _reworded)
    page = staff.get(f"/console/claims/{claim_id}").text
    staff.post(f"/console/claims/{claim_id}/corrections", data={
        "csrf_token": csrf_of(page), "document_id": claim["documents"][0]["id"], "part": "0",
        "name": "payer_name", "value": "张三"})
    claim = console.wait_assessed(org, claim_id)
    (unreadable,) = [f for f in claim["findings"] if f["code"] == "unreadable_file"]
    assert NEW in unreadable["message_claimant"]  # assessed with the new wording
    assert claim["status"] == "complete"
    assert claim_id not in staff.get("/console/queue").text
