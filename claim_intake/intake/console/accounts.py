"""Staff accounts: one organisation each, a login by e-mail, passwords hashed with Argon2id."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from claim_intake.errors import InvalidRequestError, NotFoundError
from claim_intake.intake.roles import Role
from claim_intake.intake.store.db import Organisation, StaffMember, new_id

MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so that a wrong e-mail costs as long as a wrong
# password and the time taken does not tell which staff accounts exist.
_UNKNOWN = _hasher.hash("no such account")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_staff(session: Session, organisation_name: str, email: str, password: str,
                 role: Role = Role.reviewer) -> StaffMember:
    """A new staff account (its organisation created when new)."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 320:
        raise InvalidRequestError(f"not an e-mail address: {email!r}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidRequestError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    if session.scalar(select(StaffMember).where(StaffMember.email == email)) is not None:
        raise InvalidRequestError(f"{email} already has an account")
    organisation = session.scalar(select(Organisation).where(Organisation.name == organisation_name))
    if organisation is None:
        organisation = Organisation(id=new_id("org"), name=organisation_name)
        session.add(organisation)
        session.flush()  # the staff row refers to it, and there is no relationship to order them
    staff = StaffMember(id=new_id("stf"), organisation_id=organisation.id, email=email,
                        password_hash=_hasher.hash(password), role=Role(role).value)
    session.add(staff)
    session.flush()
    return staff


def staff_by_email(session: Session, organisation_name: str, email: str) -> StaffMember:
    staff = session.scalar(select(StaffMember).join(Organisation, Organisation.id == StaffMember.organisation_id)
                           .where(Organisation.name == organisation_name, StaffMember.email == normalise_email(email)))
    if staff is None:
        raise NotFoundError(f"no staff member {email} in {organisation_name}")
    return staff


def authenticate(session: Session, email: str, password: str) -> StaffMember | None:
    staff = session.scalar(select(StaffMember).where(StaffMember.email == normalise_email(email)))
    try:
        _hasher.verify(staff.password_hash if staff else _UNKNOWN, password)
    except (VerificationError, InvalidHashError):
        return None
    if staff is None:
        return None
    if _hasher.check_needs_rehash(staff.password_hash):  # the hasher's parameters were raised
        staff.password_hash = _hasher.hash(password)
    return staff
