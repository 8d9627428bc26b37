"""API keys per organisation: ``cik_<prefix>_<secret>``, shown once, stored as a sha256 hash.

The prefix finds the row; the hash of the whole key proves it. The secret is 32 random bytes, so
a plain (unsalted, fast) hash is enough: there is nothing to guess.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from claim_intake.errors import AuthError, NotFoundError
from claim_intake.intake.store.db import ApiKey, Organisation, new_id

_SCHEME = "cik"


@dataclass(frozen=True)
class Caller:
    """Who is asking: every query of the API is scoped to this organisation."""

    organisation_id: str
    api_key_id: str
    staff_id: str | None = None
    """Set for a staff member's own key: the API's staff actions act as them."""


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(session: Session, organisation_name: str, staff_id: str | None = None, *,
               new_organisation: bool = True) -> str:
    """A new key for the organisation, or a staff member's own (``staff_id``). An unknown
    organisation is created when ``new_organisation``; otherwise the name, maybe a typo, is a
    NotFoundError. Returns the key: it is not kept."""
    organisation = session.scalar(select(Organisation).where(Organisation.name == organisation_name))
    if organisation is None and not new_organisation:
        raise NotFoundError(f"no organisation named {organisation_name!r}: check the name, or pass --new-org to create it")
    if organisation is None:
        organisation = Organisation(id=new_id("org"), name=organisation_name)
        session.add(organisation)
        session.flush()  # the key's row refers to it, and there is no relationship to order them
    prefix = secrets.token_hex(6)
    key = f"{_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    session.add(ApiKey(id=prefix, organisation_id=organisation.id, key_hash=_hash(key), staff_id=staff_id))
    session.flush()
    return key


def authenticate(session: Session, key: str | None) -> Caller:
    """The key sent as ``Authorization: Bearer KEY`` -> the caller. Every failure reads the same."""
    if not key:
        raise AuthError("missing API key: send Authorization: Bearer <key>")
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != _SCHEME:
        raise AuthError("invalid API key")
    row = session.get(ApiKey, parts[1])
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.key_hash, _hash(key)):
        raise AuthError("invalid API key")
    return Caller(organisation_id=row.organisation_id, api_key_id=row.id, staff_id=row.staff_id)
