"""Domain errors raised by services and backends.

Handlers turn them into the one error shape (`api.common.ErrorBody`) with the
status each class names; nothing below the handlers knows about HTTP.
"""

from __future__ import annotations

from .api.common import FieldError


class AquaError(Exception):
    status = 500
    reason = "Internal Server Error"

    def __init__(self, message: str, *, fields: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields


class InvalidInput(AquaError):
    status = 400
    reason = "Bad Request"

    @classmethod
    def field(cls, field: str, message: str) -> InvalidInput:
        return cls(f"{field}: {message}", fields=[FieldError(field=field, message=message)])


class NotFound(AquaError):
    status = 404
    reason = "Not Found"


class Conflict(AquaError):
    """The resource exists but is in the wrong state (or the wrong kind) for this."""

    status = 409
    reason = "Conflict"


class PayloadTooLarge(AquaError):
    """An input (an uploaded or referenced file) is over the size limit."""

    status = 413
    reason = "Payload Too Large"


class Upstream(AquaError):
    """A service we depend on (OCI, the Hugging Face hub, an engine) failed."""

    status = 502
    reason = "Bad Gateway"


class UpstreamTimeout(Upstream):
    status = 504
    reason = "Gateway Timeout"


class Unavailable(AquaError):
    """The backend cannot serve this right now (e.g. OCI not configured)."""

    status = 503
    reason = "Service Unavailable"
