"""A page of a log (a deployment's engine, a job): the last lines, then what came next."""

from __future__ import annotations

from pydantic import Field

from .common import ApiModel

CURSOR_PATTERN = r"^[0-9][0-9A-Za-z:.+ _-]*$"


class LogsQuery(ApiModel):
    tail: int = Field(default=200, ge=1, le=5000)
    # Opaque cursor from a previous answer: only lines after it are returned (follow mode).
    # Cursors are a byte offset (local) or a timestamp (OCI): never negative, always a digit first.
    after: str | None = Field(default=None, max_length=200, pattern=CURSOR_PATTERN)


class LogPage(ApiModel):
    lines: list[str]
    cursor: str  # pass as `after` to get only what came next
    source: str  # the log file, or the OCI log's name
