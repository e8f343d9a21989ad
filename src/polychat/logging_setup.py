"""Log configuration: a request id on every line, optional JSON, and redaction.

Redaction is a filter on Polychat's handler, so it covers every logger that propagates to the
root (uvicorn, SQLAlchemy, the SDKs), not only Polychat's own. It rewrites the final message,
arguments already merged in, and any formatted traceback.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO, Any

request_id_var: ContextVar[str] = ContextVar("polychat_request_id", default="-")

REDACTED = "[REDACTED]"

# Order matters: specific shapes first, generic key=value last.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Authorization / cookie / key headers, in any quoting.
    (
        re.compile(
            r"(?i)((?:authorization|proxy-authorization|x-api-key|api-key|x-goog-api-key|cookie|"
            r"set-cookie)['\"]?\s*[:=,]\s*\(?['\"]?(?:b['\"])?)[^'\"\n,)]+"
        ),
        r"\1" + REDACTED,
    ),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"), r"\1 " + REDACTED),
    # JWTs anywhere.
    (re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), REDACTED),
    # Provider key shapes: OpenAI/Anthropic/OpenRouter (sk-...), Google (AIza...).
    (re.compile(r"\bsk-[A-Za-z0-9_-]{8,}"), REDACTED),
    (re.compile(r"\bAIza[0-9A-Za-z_-]{20,}"), REDACTED),
    # key=value / "key": "value" for secret-looking names.
    (
        re.compile(
            r"(?i)([\"']?\b[\w-]*(?:password|passwd|secret|token|api_key|apikey|api-key|"
            r"encrypted_key|credential)[\w-]*[\"']?\s*[:=]\s*)"
            # counts such as max_tokens=1024 are not secrets
            r"(?!\d+(?:[\s,;&})]|$))(?:\"[^\"]*\"|'[^']*'|[^\s,;&}]+)"
        ),
        r"\1" + REDACTED,
    ),
)


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactionFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the record
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        for extra in ("method", "path", "status", "duration_ms", "client"):
            if hasattr(record, extra):
                data[extra] = getattr(record, extra)
        if record.exc_text:
            data["exc"] = record.exc_text
        return json.dumps(data, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s"


def configure_logging(
    level: str = "INFO", *, json_logs: bool = False, stream: IO[str] | None = None
) -> logging.Handler:
    """Install Polychat's single root handler (replacing earlier ones it installed)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name("polychat")
    handler.addFilter(RedactionFilter())
    handler.setFormatter(JsonFormatter() if json_logs else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "polychat"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    # Chatty at INFO without telling an operator anything (alembic lists its plugins).
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    return handler
