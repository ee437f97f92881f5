"""Long-running operations: run a coroutine in the background, expose its
progress, let the user cancel it.

The work coroutine receives a `Progress` (backends/operations.py) to report through, and is cancelled
with `asyncio.CancelledError`; it must clean up in `finally`/`except` (kill
its subprocess, remove partial files) so a cancel leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import OrderedDict
from datetime import datetime, timezone

from ..api.operations import TERMINAL_STATES, Operation, OperationState
from ..backends.operations import Work
from ..errors import AquaError, Conflict, NotFound, storage_error
from .oci_setup import setup_check_for

log = logging.getLogger(__name__)

MAX_KEPT = 200  # finished operations kept for the UI; older ones are forgotten


def _now() -> datetime:
    return datetime.now(timezone.utc)


class OperationProgress:
    """How a work coroutine reports how far it got (the `backends.operations.Progress` it receives)."""

    def __init__(self, registry: OperationRegistry, operation_id: str) -> None:
        self._registry = registry
        self._id = operation_id

    def update(self, *, progress: float | None = None, message: str | None = None) -> None:
        op = self._registry._ops[self._id]
        changes: dict[str, object] = {"updated_at": _now()}
        if progress is not None:
            changes["progress"] = max(0.0, min(1.0, progress))
        if message is not None:
            changes["message"] = message
        self._registry._ops[self._id] = op.model_copy(update=changes)


class OperationRegistry:
    """The `backends.operations.Operations` runner every driver is handed."""

    def __init__(self) -> None:
        self._ops: OrderedDict[str, Operation] = OrderedDict()
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def start(self, kind: str, title: str, work: Work, *, resource_id: str | None = None) -> Operation:
        op = self._new(kind, title, resource_id, OperationState.RUNNING, 0.0, "Starting")
        task = asyncio.get_running_loop().create_task(self._run(op.id, work))
        task.add_done_callback(lambda t: self._canceled_before_start(op.id, t))
        self._tasks[op.id] = task
        return op

    def _canceled_before_start(self, operation_id: str, task: asyncio.Task[None]) -> None:
        # A task canceled before its first step never runs _run, so nothing else records the end.
        if task.cancelled():
            self._tasks.pop(operation_id, None)
            if self._ops.get(operation_id) is not None and self._ops[operation_id].state not in TERMINAL_STATES:
                self._set(operation_id, state=OperationState.CANCELED, message="Canceled before it started")

    def finished(self, kind: str, title: str, *, resource_id: str | None, message: str) -> Operation:
        """Record an action that completed at once, so every action has an operation."""
        return self._new(kind, title, resource_id, OperationState.SUCCEEDED, 1.0, message)

    def _new(
        self, kind: str, title: str, resource_id: str | None, state: OperationState, progress: float, message: str
    ) -> Operation:
        """A new operation with a fresh id, remembered."""
        now = _now()
        op = Operation(
            id=f"op-{uuid.uuid4().hex[:12]}",
            kind=kind,
            title=title,
            state=state,
            progress=progress,
            message=message,
            resource_id=resource_id,
            created_at=now,
            updated_at=now,
        )
        self._remember(op)
        return op

    def get(self, operation_id: str) -> Operation:
        try:
            return self._ops[operation_id]
        except KeyError:
            raise NotFound(f"No operation with id '{operation_id}'.") from None

    def list(self) -> list[Operation]:
        return list(reversed(self._ops.values()))

    async def cancel(self, operation_id: str) -> Operation:
        op = self.get(operation_id)
        if op.state in TERMINAL_STATES:
            raise Conflict(f"Operation '{operation_id}' already ended ({op.state.value}).")
        self._set(operation_id, state=OperationState.CANCELING, message="Canceling")
        task = self._tasks.get(operation_id)
        if task is not None:
            task.cancel()
            await asyncio.wait([task], timeout=30)
        return self.get(operation_id)

    async def wait(self, operation_id: str, timeout: float | None = None) -> Operation:
        task = self._tasks.get(operation_id)
        if task is not None:
            await asyncio.wait([task], timeout=timeout)
        return self.get(operation_id)

    async def close(self) -> None:
        tasks = [t for t in self._tasks.values() if not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=30)

    async def _run(self, operation_id: str, work: Work) -> None:
        try:
            resource_id = await work(OperationProgress(self, operation_id))
        except asyncio.CancelledError:
            self._set(operation_id, state=OperationState.CANCELED, message="Canceled; nothing was kept")
        except AquaError as exc:
            self._set(
                operation_id,
                state=OperationState.FAILED,
                error=exc.message,
                setup_check=setup_check_for(exc),
                message="Failed",
            )
        except Exception as exc:  # a full disk, or an unexpected bug: keep the server alive, show the cause
            full = storage_error(exc)
            if full is not None:
                self._set(operation_id, state=OperationState.FAILED, error=full.message, message="Failed")
                return
            log.exception("operation %s failed", operation_id)
            self._set(operation_id, state=OperationState.FAILED, error=f"{type(exc).__name__}: {exc}", message="Failed")
        else:
            changes: dict[str, object] = {"state": OperationState.SUCCEEDED, "progress": 1.0, "message": "Done"}
            if resource_id:
                changes["resource_id"] = resource_id
            self._set(operation_id, **changes)
        finally:
            self._tasks.pop(operation_id, None)

    def _set(self, operation_id: str, **changes: object) -> None:
        changes["updated_at"] = _now()
        self._ops[operation_id] = self._ops[operation_id].model_copy(update=changes)

    def _remember(self, op: Operation) -> None:
        self._ops[op.id] = op
        while len(self._ops) > MAX_KEPT:
            oldest = next(iter(self._ops))
            if oldest in self._tasks:  # never forget a running one
                break
            self._ops.pop(oldest)
