"""Counts and times every HTTP answer, by method, route and status (``Metrics``).

A plain ASGI middleware, not Starlette's ``BaseHTTPMiddleware``: that one runs a task group for
every chunk of a request body it passes on, which cost an upload burst more of the event loop
than parsing the uploads did. The time is to the answer's start, as a client waits for it."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from claim_intake.intake.metrics import Metrics


class RequestMetricsMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def measured_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                # The router has put the matched route in the scope by now.
                route = getattr(scope.get("route"), "path", "unmatched")
                method = scope["method"]
                self.metrics.requests.labels(method, route, str(message["status"])).inc()
                self.metrics.request_seconds.labels(method, route).observe(time.perf_counter() - started)
            await send(message)

        await self.app(scope, receive, measured_send)
