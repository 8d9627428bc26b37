"""ID and bank numbers are masked in every API response by default; the full value only on
request (``?reveal=true``), and each reveal is in the audit log."""

from __future__ import annotations

import json

from materials import APPLICANT_ACCOUNT as ACCOUNT
from materials import APPLICANT_ID_NUMBER as ID_NUMBER
from materials import application_form_pdf as application_form
from sqlalchemy import select

from claim_intake.intake.masking import mask_account, mask_id_number, mask_text
from claim_intake.intake.store.db import AuditEntry

from .conftest import Api


def test_the_masks() -> None:
    assert mask_id_number(ID_NUMBER) == "450***********1234"
    assert mask_account(ACCOUNT) == "6222***********0123"
    assert mask_text(f"身份证 {ID_NUMBER} 卡号{ACCOUNT} 票据号码 0012345678") == (
        "身份证 450***********1234 卡号6222***********0123 票据号码 0012345678")


def test_id_and_bank_numbers_are_masked_unless_revealed_and_each_reveal_is_audited(api: Api) -> None:
    key = api.new_key()
    submitted = api.submit(key, [("application.pdf", application_form())])
    claim = api.wait_assessed(key, submitted.json()["id"])
    for response_body in (json.dumps(claim), api.client.get("/v1/claims", headers=key).text,
                          api.client.get(f"/v1/claims/{claim['id']}", headers=key).text):
        assert ID_NUMBER not in response_body and ACCOUNT not in response_body
    fields = claim["documents"][0]["fields"]
    assert fields["id_number"]["value"] == "450***********1234"
    assert fields["account_number"]["value"] == "6222***********0123"
    assert fields["applicant_name"]["value"] == "李四"  # not sensitive: as read

    revealed = api.client.get(f"/v1/claims/{claim['id']}", params={"reveal": "true"}, headers=key).json()
    assert revealed["documents"][0]["fields"]["id_number"]["value"] == ID_NUMBER
    assert revealed["documents"][0]["fields"]["account_number"]["value"] == ACCOUNT
    with api.service.sessions() as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.claim_id == claim["id"])).all()
    assert actions.count("claim.reveal") == 1
