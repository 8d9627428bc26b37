"""The HTTP API (FastAPI): ``create_app`` in ``app``, a router per area (``claim_routes``,
``webhook_routes``, ``operation_routes``) sharing ``deps``, the response bodies in ``schemas``, built
by ``views``."""
