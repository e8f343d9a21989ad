"""The one error root: every refusal a user can cause is an `AppError`.

It lives at the top of the package and imports nothing of it, so any layer (keys/, chat/, db/,
security/, api/) can raise it without importing upward; the API's one handler
(`api/errors.py`) turns it into the JSON error shape `{"error": {"code", "message",
"details"?}}` with its status and headers. Provider failures (`ProviderError`, which stays in
the provider layer) become one at a single boundary: `chat.errors.from_provider`.
"""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    """A failure with its HTTP `status`, a stable machine-readable `code` (what clients key
    off), a `message` for a person, optional JSON `details` and response `headers`."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        details: Any | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers
