"""Request bodies bounded while they arrive, for every route of the app and its sub-apps.

An ASGI middleware (outermost, beside the server) refuses a declared ``Content-Length`` above the
largest body any route accepts before a byte of it is read, and counts the bytes actually
received against the request's *allowance*. The allowance is small (forms, JSON) until a route
raises it with ``allow_body``, which the upload routes do only once the caller is known (an API
key, a signed follow-up link): an anonymous request never gets to send more than the small one.
A body past its allowance is answered 413 ``request_too_large`` and the connection is not read
further; the server closes it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from claim_intake.errors import RequestTooLargeError

_ALLOWANCE = "claim_intake.body_allowance"


class _BodyTooLarge(Exception):
    """Raised from ``receive`` into the app; the middleware answers it."""


@dataclass
class _Allowance:
    bytes: int


def allow_body(request: Request, limit: int) -> None:
    """Lets this request's body grow to ``limit`` bytes (capped by the middleware's maximum)."""
    allowance = request.scope.get(_ALLOWANCE)
    if allowance is not None:
        allowance.bytes = limit


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send: Send, limit: int) -> None:
    error = RequestTooLargeError(f"the request body is larger than this route accepts ({limit / 1e6:.1f} MB)")
    body = json.dumps({"error": error.to_dict()}).encode()
    await send({"type": "http.response.start", "status": error.http_status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, default_bytes: int, max_bytes: int) -> None:
        self.app = app
        self.default_bytes = default_bytes
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is not None and declared > self.max_bytes:
            await _refuse(send, self.max_bytes)
            return
        allowance = _Allowance(self.default_bytes)
        scope[_ALLOWANCE] = allowance
        received = 0
        refused = False
        responded = False

        def limit() -> int:
            return min(allowance.bytes, self.max_bytes)

        async def limited_receive() -> Message:
            nonlocal received, refused
            if declared is not None and declared > limit():
                refused = True
                raise _BodyTooLarge
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit():
                    refused = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal responded
            if refused:
                # Whatever the app answers to the error it got from ``receive`` (FastAPI turns
                # a failed body read into a 400) is replaced by the one true answer.
                if not responded:
                    responded = True
                    await _refuse(send, limit())
                return
            if message["type"] == "http.response.start":
                responded = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            # Once refused, whatever comes out of the app is the refusal, however wrapped on the
            # way (an ExceptionGroup from a task group in the app or a middleware).
            if not refused:
                raise
            if not responded:
                await _refuse(send, limit())
