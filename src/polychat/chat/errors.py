"""Errors the chat service raises for things a user did, each with its HTTP status and code."""

from __future__ import annotations

from typing import Any


class ChatError(Exception):
    """A refusal the API turns into `{"error": {"code", "message"}}` with `status`."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.details = details


def not_found(what: str) -> ChatError:
    """Another user's id and a missing id look exactly the same: never a leak."""
    return ChatError(404, "not_found", f"{what} not found")
