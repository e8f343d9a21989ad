"""Errors a user can cause when asking for a provider or model, each with its HTTP status.

Rendered in the JSON error shape (`{"error": {"code", "message", "details"}}`); the stable
`code` (class attribute `error_code`) is what the web UI keys off (e.g. to offer
"Configure API key"); the HTTP status is the class attribute `status`. They are `AppError`s, so
the app's one error handler renders them everywhere (providers API, chat API).
"""

from __future__ import annotations

from typing import Any, ClassVar

from polychat.errors import AppError


class ProviderAccessError(AppError):
    """`details` carries `provider` and, for unknown models, `available`."""

    status = 400
    error_code: ClassVar[str] = "provider_access_error"

    def __init__(self, message: str, *, provider: str | None = None, **details: Any) -> None:
        info = {"provider": provider, **details} if provider is not None else dict(details)
        super().__init__(type(self).status, type(self).error_code, message, details=info or None)
        self.provider = provider


class UnknownProviderError(ProviderAccessError):
    status = 404
    error_code = "unknown_provider"


class InvalidProviderError(ProviderAccessError):
    """A request named a provider that does not exist (in a body, not a URL path)."""

    status = 400
    error_code = "unknown_provider"


class UnknownModelError(ProviderAccessError):
    """The model matches no provider the user can use; `details.available` lists those."""

    status = 400
    error_code = "unknown_model"


class ProviderNotConfiguredError(ProviderAccessError):
    """No key from any source. The message says exactly where to put one."""

    status = 409
    error_code = "provider_not_configured"


class ProviderDisabledError(ProviderAccessError):
    status = 403
    error_code = "provider_disabled"


class UserKeysForbiddenError(ProviderAccessError):
    """The admin turned off personal keys for this provider."""

    status = 403
    error_code = "user_keys_forbidden"


class AdminRequiredError(ProviderAccessError):
    status = 403
    error_code = "forbidden"


class KeyValidationFailedError(ProviderAccessError):
    status = 400
    error_code = "invalid_api_key"
