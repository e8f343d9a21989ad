"""One error shape for every failure: `{"error": {"code", "message", "details"?}}`.

Every layer raises `polychat.errors.AppError` (`ApiError` is the same class, the name routes
use), rendered by one handler; a FastAPI/Starlette `HTTPException` is mapped too; request
validation failures become 422 `validation_error` with the offending fields in `details`;
anything unexpected becomes a 500 `internal_error` without internals. `error_responses()`
documents these in the OpenAPI schema of each route.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from polychat.errors import AppError

log = logging.getLogger(__name__)


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: Any | None = None


class ErrorResponse(BaseModel):
    error: ErrorDetail


ApiError = AppError
"""What routes raise: the one error root under the name the API layer has always used."""


_DEFAULT_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    502: "bad_gateway",
    503: "unavailable",
    504: "timeout",
}

_DESCRIPTIONS = {
    400: "Bad request",
    401: "Missing, invalid or expired credentials",
    403: "Not allowed for this account",
    404: "Not found",
    409: "Conflict with existing data",
    422: "Invalid input",
    429: "Too many requests (see Retry-After)",
    502: "Upstream provider error",
    503: "Service unavailable",
}


def error_body(code: str, message: str, details: Any | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return {"error": body}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for these status codes, all with the error schema."""
    return {
        code: {"model": ErrorResponse, "description": _DESCRIPTIONS.get(code, "Error")}
        for code in codes
    }


def _json(
    status: int, body: dict[str, Any], headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(status_code=status, content=body, headers=headers)


async def _app_error(_request: Request, exc: Exception) -> JSONResponse:
    """The one handler of the error root: every `AppError` of every layer ends here."""
    assert isinstance(exc, AppError)
    return _json(exc.status, error_body(exc.code, exc.message, exc.details), exc.headers)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _DEFAULT_CODES.get(exc.status_code, "error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    return _json(exc.status_code, error_body(code, message), exc.headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {
            "loc": list(err.get("loc", ())),
            "message": str(err.get("msg", "")),
            "type": str(err.get("type", "")),
        }
        for err in exc.errors()
    ]
    first = details[0] if details else None
    where = ".".join(str(p) for p in first["loc"][1:]) if first else ""
    message = f"{where}: {first['message']}" if first and where else "invalid request"
    return _json(422, jsonable_encoder(error_body("validation_error", message, details)))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return _json(500, error_body("internal_error", "internal server error"))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
