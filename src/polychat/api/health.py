"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from polychat import __version__
from polychat.api.errors import error_responses
from polychat.db.engine import ping
from polychat.db.migrate import current_revision, head_revision

router = APIRouter(tags=["health"])
log = logging.getLogger(__name__)


class Health(BaseModel):
    status: str
    version: str


class Readiness(BaseModel):
    status: str
    database: str
    migration: str | None
    expected_migration: str
    redis: str | None = None


@router.get("/healthz", response_model=Health, summary="The process is alive")
async def healthz() -> Health:
    return Health(status="ok", version=__version__)


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={
        **error_responses(500),
        503: {"model": Readiness, "description": "Not ready (see fields)"},
    },
    summary="The database answers and is migrated to head (and Redis answers, if configured)",
)
async def readyz(request: Request) -> Any:
    state = request.app.state
    expected = head_revision()
    ready = True
    database = "ok"
    revision: str | None = None
    try:
        await ping(state.engine)
        revision = await current_revision(state.engine)
    except Exception as exc:
        log.warning("readiness: database unreachable: %s", type(exc).__name__)
        database, ready = "unreachable", False
    if revision != expected:
        ready = False
    redis_status: str | None = None
    if state.redis is not None:
        try:
            await state.redis.ping()
            redis_status = "ok"
        except Exception as exc:
            log.warning("readiness: redis unreachable: %s", type(exc).__name__)
            redis_status, ready = "unreachable", False
    body = Readiness(
        status="ok" if ready else "unavailable",
        database=database,
        migration=revision,
        expected_migration=expected,
        redis=redis_status,
    )
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)
