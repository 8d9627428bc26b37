"""Follow-up links: a claimant may upload the missing items of one claim, for a limited time.

The token is the claim id signed (HMAC-SHA1 via itsdangerous, with a salt of its own so that no
other signed value of the console can pass for one) and timestamped; nothing is stored. The
claim id is also in the URL, and the two must agree: a link is good for its claim only.
"""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from claim_intake.errors import FollowUpLinkError, FollowUpLinkExpiredError

_SALT = "claim-intake.follow-up-link"


@dataclass(frozen=True)
class FollowUpLinks:
    secret: str
    max_age_s: float

    def _serializer(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret, salt=_SALT)

    def token(self, claim_id: str) -> str:
        return self._serializer().dumps({"claim": claim_id})

    def check(self, claim_id: str, token: str) -> None:
        """Raises FollowUpLinkExpiredError, or FollowUpLinkError for a tampered token or one for
        another claim."""
        try:
            payload = self._serializer().loads(token, max_age=self.max_age_s)
        except SignatureExpired as exc:
            raise FollowUpLinkExpiredError("the follow-up link has expired") from exc
        except BadSignature as exc:
            raise FollowUpLinkError("the follow-up link is not valid") from exc
        if not isinstance(payload, dict) or payload.get("claim") != claim_id:
            raise FollowUpLinkError("the follow-up link is for another claim")
