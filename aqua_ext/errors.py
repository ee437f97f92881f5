"""Domain errors raised by services and backends.

Handlers turn them into the one error shape (`api.common.ErrorBody`) with the
status each class names; nothing below the handlers knows about HTTP.
"""

from __future__ import annotations

import errno
import sqlite3
from dataclasses import dataclass
from http import HTTPStatus

from .api.common import FieldError


@dataclass(frozen=True)
class RefusedCall:
    """The facts of a call a cloud refused for want of a policy (which service, which SDK operation): a
    driver reports them; services/oci_setup.py maps them to the setup check that covers them."""

    service: str  # e.g. "datascience", "objectstorage"
    operation: str  # the SDK method, e.g. "list_model_deployments"
    # The call's `category` argument where it names whose resources it reads: Data Science's ListModels with
    # "SERVICE" reads Oracle's service-managed models, which other statements grant than the compartment's own.
    category: str | None = None


class AquaError(Exception):
    status = 500
    # Set by a driver when the failure is an authorization refusal (see RefusedCall).
    refused: RefusedCall | None = None
    # The reply's `reason`: the status's standard phrase, unless a class names its own.
    reason = HTTPStatus.INTERNAL_SERVER_ERROR.phrase

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "reason" not in cls.__dict__:
            cls.reason = HTTPStatus(cls.status).phrase

    def __init__(self, message: str, *, fields: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields


class InvalidInput(AquaError):
    status = 400

    @classmethod
    def field(cls, field: str, message: str) -> InvalidInput:
        return cls(f"{field}: {message}", fields=[FieldError(field=field, message=message)])


class NotFound(AquaError):
    status = 404


class Conflict(AquaError):
    """The resource exists but is in the wrong state (or the wrong kind) for this."""

    status = 409


class PayloadTooLarge(AquaError):
    """An input (an uploaded or referenced file) is over the size limit."""

    status = 413
    reason = "Payload Too Large"  # RFC 9110's name; Python's table still says "Request Entity Too Large"


class Upstream(AquaError):
    """A service we depend on (OCI, the Hugging Face hub, an engine) failed. `upstream_status`: the
    status it answered, when it answered; `error_kind`: what a connection's error means
    (services/connections.py `explain`)."""

    status = 502
    upstream_status: int | None = None
    error_kind: str | None = None


class UpstreamTimeout(Upstream):
    status = 504


class Unavailable(AquaError):
    """The backend cannot serve this right now (e.g. OCI not configured)."""

    status = 503


class InsufficientStorage(AquaError):
    """The disk (or the user's quota) is full: nothing was kept of what was being written."""

    status = 507


_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
# How a full disk reads in another process's error line (a download's, a job's).
_FULL_DISK_TEXTS = ("no space left on device", "disk quota exceeded", "database or disk is full")


def says_disk_full(text: str) -> bool:
    """Another process's error line says the disk is full."""
    return any(mark in text.lower() for mark in _FULL_DISK_TEXTS)


def storage_error(exc: BaseException) -> InsufficientStorage | None:
    """The InsufficientStorage that `exc` amounts to (an OSError ENOSPC or EDQUOT, SQLite's
    "database or disk is full", here or as the cause of another error), or None."""
    seen: BaseException | None = exc
    for _ in range(5):  # the error itself, or what it was raised from
        if seen is None:
            return None
        if isinstance(seen, InsufficientStorage):
            return seen
        if isinstance(seen, OSError) and seen.errno in _FULL_ERRNOS:
            where = f" while writing {seen.filename}" if seen.filename else ""
            what = "the disk quota is exceeded" if seen.errno == errno.EDQUOT else "no space is left on the disk"
            return InsufficientStorage(f"The server's disk is full ({what}){where}; free some space and try again.")
        if isinstance(seen, sqlite3.Error) and (
            getattr(seen, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "disk is full" in str(seen)
        ):
            return InsufficientStorage(
                "The server's disk is full (the database could not be written); free some space and try again."
            )
        seen = seen.__cause__ or seen.__context__
    return None
