"""The HTTP API (FastAPI): ``create_app`` in ``app``, the response bodies in ``schemas``, built by ``views``."""
