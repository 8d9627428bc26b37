"""ID and bank numbers masked wherever they are shown: the API's fields, the console's fields, its
box titles and the OCR text over page images. The roster's ``mask_id_number`` and ``mask_account``
say how (one format wherever a number is shown); this module says which fields
(``SENSITIVE_FIELDS``) and what free text looks like one.

The full value goes only to who needs it: an API caller asking ``?reveal=true`` (the payment
system of the organisation; each reveal is in the audit log), and in the console an approver or
admin who asks (``roles.REVEALERS``; audited, for one view of the claim's page).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from claim_intake.roster.identity import mask_account, mask_id_number

SENSITIVE_FIELDS: dict[str, Callable[[str], str | None]] = {
    "id_number": mask_id_number,
    "payer_id": mask_id_number,
    "card_number": mask_account,
    "account_number": mask_account,
    "bank_account": mask_account,
}

# In free text (OCR lines): an 18-character resident ID number, or a 16-19 digit card number.
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[\dXx](?![0-9A-Za-z])")
_CARD_IN_TEXT = re.compile(r"(?<!\d)\d{16,19}(?!\d)")


def mask_text(text: str) -> str:
    text = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)) or "", text)
    return _CARD_IN_TEXT.sub(lambda m: mask_account(m.group(0)) or "", text)


def is_sensitive(name: str) -> bool:
    return name in SENSITIVE_FIELDS


def mask_value(name: str, value: Any) -> Any:
    mask = SENSITIVE_FIELDS.get(name)
    if mask is None or value is None or not isinstance(value, str | int):
        return value
    return mask(str(value))


def mask_field_json(name: str, field: dict[str, Any]) -> dict[str, Any]:
    """A field as the API shows it (``value``, ``raw``...), masked when sensitive."""
    if not is_sensitive(name):
        return field
    masked = {**field, "value": mask_value(name, field.get("value"))}
    if isinstance(field.get("raw"), str):
        masked["raw"] = mask_value(name, field["raw"])
    return masked
