"""Follow-up links: a claimant may upload the missing items of one claim, for a limited time.

The token is signed (HMAC via itsdangerous, with a salt of its own so that no other signed value
of the console can pass for one) and timestamped, and names the claim and a row of
``follow_up_links``: a link works for its claim only, until it expires, is revoked (by staff, or
by the claim's next link: one live link per claim) or its uploads are used up. The token itself is
never stored nor logged (``access_log``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import update
from sqlalchemy.orm import Session

from claim_intake.errors import (
    FollowUpLinkError,
    FollowUpLinkExpiredError,
    FollowUpLinkRevokedError,
    FollowUpLinkUsedError,
)
from claim_intake.intake.store.db import FollowUpLinkRow, new_id, utcnow

_SALT = "claim-intake.follow-up-link"


@dataclass(frozen=True)
class FollowUpLinks:
    secret: str
    max_age_s: float
    max_uploads: int = 3

    def _serializer(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret, salt=_SALT)

    def issue(self, session: Session, claim_id: str, staff_id: str | None) -> str:
        """A new link for the claim (the previous ones revoked); returns its token."""
        self.revoke(session, claim_id)
        row = FollowUpLinkRow(id=new_id("lnk"), claim_id=claim_id, staff_id=staff_id,
                              expires_at=utcnow() + timedelta(seconds=self.max_age_s), uploads=0)
        session.add(row)
        session.flush()
        return self._serializer().dumps({"claim": claim_id, "link": row.id})

    def revoke(self, session: Session, claim_id: str) -> int:
        return session.execute(
            update(FollowUpLinkRow).where(FollowUpLinkRow.claim_id == claim_id, FollowUpLinkRow.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        ).rowcount

    def check_signature(self, claim_id: str, token: str) -> str:
        """The link's id, if the token is ours, unexpired and for this claim (no database)."""
        try:
            payload = self._serializer().loads(token, max_age=self.max_age_s)
        except SignatureExpired as exc:
            raise FollowUpLinkExpiredError("the follow-up link has expired") from exc
        except BadSignature as exc:
            raise FollowUpLinkError("the follow-up link is not valid") from exc
        if not isinstance(payload, dict) or payload.get("claim") != claim_id or not isinstance(payload.get("link"), str):
            raise FollowUpLinkError("the follow-up link is for another claim")
        return payload["link"]

    def check(self, session: Session, claim_id: str, token: str, uploading: bool = False) -> FollowUpLinkRow:
        """Raises FollowUpLinkExpiredError, FollowUpLinkRevokedError, FollowUpLinkUsedError (when
        ``uploading`` past its uploads), or FollowUpLinkError for a tampered token or another claim's."""
        row = session.get(FollowUpLinkRow, self.check_signature(claim_id, token))
        if row is None or row.claim_id != claim_id:
            raise FollowUpLinkError("the follow-up link is not valid")
        if row.revoked_at is not None:
            raise FollowUpLinkRevokedError("the follow-up link was replaced or revoked")
        if uploading and row.uploads >= self.max_uploads:
            raise FollowUpLinkUsedError("the follow-up link's uploads are used up")
        return row
