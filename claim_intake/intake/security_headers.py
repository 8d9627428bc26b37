"""Browser-facing headers on every response of the app (API, console, follow-up page).

- A Content-Security-Policy that runs no inline script (the console's one script is a file of
  its own) and lets no other site frame a page (clickjacking on the review console). Inline
  ``style`` attributes stay allowed (``style-src-attr``): the page overlays position OCR boxes
  with them; ``<style>`` elements and styles from elsewhere do not.
- ``nosniff``; no referrer, so that a follow-up link's token never leaves in a Referer header.
- ``Cache-Control: no-store`` on everything but the console's static files: claims, page images
  and the follow-up page hold personal data that a shared or borrowed computer must not keep.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
       "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
_ALWAYS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
)
CACHEABLE_PREFIXES = ("/console/static/",)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cacheable = scope["path"].startswith(CACHEABLE_PREFIXES)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control" or cacheable]
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in _ALWAYS if k not in present]
                if not cacheable:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
