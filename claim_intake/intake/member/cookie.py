"""The member's session cookie, encrypted: it holds who the member said they are (name, ID number,
phone), which a signed cookie would show to anyone who sees it (a shared phone's browser, a proxy's
log). Fernet (AES-128-CBC with HMAC-SHA256, timestamped) under a key derived from the secret the
settings give (``console_secret``), so that nothing new has to be configured or kept."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from itsdangerous import BadSignature
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp

_INFO = b"claim-intake member session cookie"


def session_key(secret: str) -> bytes:
    """The cookie's Fernet key: its own key, not the secret that signs links and staff sessions."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret.encode())
    return base64.urlsafe_b64encode(key)


class _Sealer:
    """What ``SessionMiddleware`` signs and checks its cookie with (``sign`` / ``unsign``), sealing
    instead: the same interface, so that the middleware's cookie handling is Starlette's own."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    def sign(self, value: bytes) -> bytes:
        return self._fernet.encrypt(value)

    def unsign(self, value: bytes, max_age: int | None = None) -> bytes:
        try:
            return self._fernet.decrypt(value, ttl=max_age)
        except InvalidToken as exc:  # tampered, another key's, or expired: no session
            raise BadSignature("the session cookie does not open") from exc


class EncryptedSessionMiddleware(SessionMiddleware):
    def __init__(self, app: ASGIApp, secret_key: str, **options: object) -> None:
        super().__init__(app, secret_key=secret_key, **options)  # type: ignore[arg-type]
        self.signer = _Sealer(session_key(secret_key))  # type: ignore[assignment]
