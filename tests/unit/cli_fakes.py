"""What the `aqua-ext` CLI tests' fake backends share: a backend with no models and no deployments
(each test adds the resources it fakes, kept in a `world` that outlives one command) and running
the real `cli.main` against it, as the one enabled target, through the real services.

A fake is a driver: it reports states and decides no rule (the services' lifecycle tables do). Its
`kind` is a real target kind, whose rules the services apply: "local" unless a test needs OCI's
(a subclass with kind "oci")."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any

import pytest

from aqua_ext import cli
from aqua_ext.api.deployments import DeploymentSummary
from aqua_ext.api.finetunes import FineTuneState
from aqua_ext.api.info import BackendDescription
from aqua_ext.api.logs import LogPage, LogsQuery
from aqua_ext.api.models import ModelDetail, ModelSummary, RegisterModelRequest, RegisterModelResponse
from aqua_ext.backends.base import Backend
from aqua_ext.cli import context
from aqua_ext.errors import NotFound
from aqua_ext.services.operations import OperationRegistry
from aqua_ext.services.targets import Targets


def now() -> datetime:
    return datetime.now(timezone.utc)


class FakeBackendBase(Backend):
    """No models; `world` holds what a subclass fakes, across CLI invocations."""

    kind = "local"

    def __init__(self, operations: OperationRegistry, world: Any) -> None:
        super().__init__(operations)
        self.world = world

    async def describe(self) -> BackendDescription:
        return BackendDescription(kind=self.kind, label="Fake", ready=True)  # type: ignore[arg-type]

    async def list_models(self, *, refresh: bool = False) -> list[ModelSummary]:
        return []

    async def get_model(self, model_id: str) -> ModelDetail:
        raise NotFound(f"No model with id '{model_id}'.")

    async def list_deployments(self) -> list[DeploymentSummary]:
        return []

    async def register_model(self, request: RegisterModelRequest) -> RegisterModelResponse:
        raise NotImplementedError

    async def delete_model(self, model_id: str) -> None:
        raise NotImplementedError

    # ---- the jobs a subclass fakes (fine-tunes, evaluations): a table of details by id, and ticks ----

    def _lookup(self, table: dict[str, Any], job_id: str, what: str) -> Any:
        try:
            return table[job_id]
        except KeyError:
            raise NotFound(f"No {what} with id '{job_id}'.") from None

    def _update(self, table: dict[str, Any], job_id: str, what: str, **changes: Any) -> Any:
        detail = self._lookup(table, job_id, what).model_copy(update={**changes, "updated_at": now()})
        table[job_id] = detail
        return detail


def growing_log(lines: list[str], query: LogsQuery, running: bool, source: str) -> LogPage:
    """A job's log page; while the job runs, a new line appears on each call."""
    start = int(query.after) if query.after else max(0, len(lines) - query.tail)
    page = lines[start:]
    if running:
        lines.append(f"log {len(lines)}")
    return LogPage(lines=page, cursor=str(start + len(page)), source=source)


@contextlib.contextmanager
def canceled_at_tick(backend: type[Any], tick: int, message: str) -> Iterator[None]:
    """While in the block, `backend`'s jobs end CANCELED (`message`) on reaching `tick`, as if
    canceled from elsewhere while followed."""
    original = backend._tick

    def tick_then_cancel(self: Any, job_id: str) -> None:
        original(self, job_id)
        if self.world.ticks[job_id] == tick:
            self._set(job_id, state=FineTuneState.CANCELED, state_message=message, finished_at=now())

    backend._tick = tick_then_cancel
    try:
        yield
    finally:
        backend._tick = original


def main_with(make: Callable[[OperationRegistry], Backend], argv: list[str]) -> int:
    """`cli.main(argv)` with the backend `make(operations)` builds as the one enabled target."""
    original = context.make_targets
    context.make_targets = lambda settings, operations: Targets([make(operations)])  # type: ignore[assignment]
    try:
        return cli.main(argv)
    finally:
        context.make_targets = original  # type: ignore[assignment]


def run_main(
    capsys: pytest.CaptureFixture[str], make: Callable[[OperationRegistry], Backend], *argv: str
) -> tuple[int, str, str]:
    """The exit code, stdout and stderr of one command."""
    code = main_with(make, list(argv))
    out, err = capsys.readouterr()
    return code, out, err
