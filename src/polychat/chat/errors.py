"""The chat layer's errors: refusals of a request (`ChatError`, an `AppError`), the record of an
answer that ended badly (`ErrorRecord`), and the one boundary where provider failures become
either (`from_provider`, `ErrorRecord.from_provider`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from polychat.errors import AppError
from polychat.providers.base import ProviderError


class ChatError(AppError):
    """A refusal of a chat request; the app's one handler renders it like any `AppError`."""


def not_found(what: str) -> ChatError:
    """Another user's id and a missing id look exactly the same: never a leak."""
    return ChatError(404, "not_found", f"{what} not found")


def from_provider(error: ProviderError) -> ChatError:
    """A provider failure met before any answer began (resolving the model) as a refusal:
    the provider's upstream status when it had one, else 400."""
    return ChatError(error.status or 400, error.code, error.message)


class ErrorRecord(BaseModel):
    """Why an answer ended badly: saved on the message (`messages.error`), sent in the stream's
    `error` event and returned with the message. The one type every reader and writer uses."""

    code: str = Field(description="Stable code, e.g. `rate_limited`, `auth_failed`")
    message: str = Field(description="For a person")
    provider: str | None = Field(default=None, description="The provider that failed")
    retryable: bool = Field(default=False, description="Trying again later may help")
    retry_after: float | None = Field(
        default=None, description="Seconds the provider asked to wait, when it said"
    )

    @classmethod
    def from_provider(cls, error: ProviderError) -> ErrorRecord:
        return cls(
            code=error.code,
            message=error.message,
            provider=error.provider,
            retryable=error.retryable,
            retry_after=error.retry_after,
        )

    @classmethod
    def read(cls, raw: Any) -> ErrorRecord | None:
        """The record of a stored `messages.error` (None when there is none). Tolerant of
        rows written by older versions: a missing code reads as `error`, a missing message as
        empty, extra keys (an old upstream `status`) are ignored."""
        if not raw or not isinstance(raw, dict):
            return None
        retry_after = raw.get("retry_after")
        return cls(
            code=str(raw.get("code") or "error"),
            message=str(raw.get("message") or ""),
            provider=raw.get("provider") if isinstance(raw.get("provider"), str) else None,
            retryable=bool(raw.get("retryable")),
            retry_after=float(retry_after) if isinstance(retry_after, int | float) else None,
        )

    def stored(self) -> dict[str, Any]:
        """The JSON saved in `messages.error`."""
        return self.model_dump(mode="json")
