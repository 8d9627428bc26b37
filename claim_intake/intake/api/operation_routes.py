"""Liveness, readiness (the database and the object store answer) and Prometheus metrics."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Response
from sqlalchemy import text

from claim_intake.errors import ServiceNotReadyError, StorageUnavailableError
from claim_intake.intake.api.deps import ServiceDep
from claim_intake.intake.api.schemas import ErrorOut

log = logging.getLogger(__name__)
router = APIRouter(tags=["operations"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"model": ErrorOut}})
def readyz(service: ServiceDep) -> dict[str, str]:
    """The database and the object store answer. Which one did not is said; why (host names,
    users, driver text) goes to the log only: this route needs no key."""
    try:
        with service.db.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        log.warning("readyz: the database does not answer: %s", exc)
        raise ServiceNotReadyError("the database does not answer") from exc
    try:
        service.store.check()
    except StorageUnavailableError as exc:
        log.warning("readyz: the object store does not answer: %s", exc.message)
        raise ServiceNotReadyError("the object store does not answer") from exc
    return {"status": "ready"}


@router.get("/metrics", response_class=Response,
         responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format."}})
def metrics(service: ServiceDep) -> Response:
    return Response(service.metrics.render(), media_type="text/plain; version=0.0.4")
