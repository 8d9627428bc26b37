"""The member's status link ``/m/s/<claim>/<token>``: the claim id signed and timestamped (nothing
stored). Made by the member pages and by whoever sends a notice (the API, or a Celery worker): the
same secret (``console_secret``) signs it wherever it is made."""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

from claim_intake.intake.console.secret import console_secret
from claim_intake.intake.settings import Settings

_SALT = "claim-intake.member-status"


class StatusLinks:
    def __init__(self, secret: str, max_age_s: float) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt=_SALT)
        self._max_age_s = max_age_s

    def token(self, claim_id: str) -> str:
        return self._serializer.dumps({"claim": claim_id})

    def valid(self, claim_id: str, token: str) -> bool:
        try:
            payload = self._serializer.loads(token, max_age=self._max_age_s)
        except BadSignature:  # expired included
            return False
        return isinstance(payload, dict) and payload.get("claim") == claim_id


@dataclass(frozen=True)
class StatusUrl:
    """claim id -> the member's status link: absolute when the settings name the public address
    (``public_url``), else from the site's root."""

    links: StatusLinks
    base: str

    @classmethod
    def of(cls, settings: Settings, secret: str | None = None) -> StatusUrl:
        secret = secret if secret is not None else console_secret(settings)
        return cls(StatusLinks(secret, settings.member_link_days * 24 * 3600), (settings.public_url or "").rstrip("/"))

    def __call__(self, claim_id: str) -> str:
        return f"{self.base}/m/s/{claim_id}/{self.links.token(claim_id)}"
