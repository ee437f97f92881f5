"""What a driver needs of long-running operations: a `Progress` to report through and an
`Operations` runner to start, record, look up, cancel and wait for them.

Typed here, below services, so drivers depend on no service; `services.operations.OperationRegistry`
is the implementation the server and the CLI hand every driver.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from ..api.operations import Operation


class Progress(Protocol):
    """What a work coroutine uses to report how far it got."""

    def update(self, *, progress: float | None = None, message: str | None = None) -> None: ...


# A work coroutine: it reports through its Progress and returns the id of the resource it made, if any.
Work = Callable[[Progress], Awaitable[str | None]]


class Operations(Protocol):
    def start(self, kind: str, title: str, work: Work, *, resource_id: str | None = None) -> Operation: ...

    def finished(self, kind: str, title: str, *, resource_id: str | None, message: str) -> Operation: ...

    def get(self, operation_id: str) -> Operation: ...

    async def cancel(self, operation_id: str) -> Operation: ...

    async def wait(self, operation_id: str, timeout: float | None = None) -> Operation: ...
