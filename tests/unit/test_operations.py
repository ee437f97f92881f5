"""Operations end in a terminal state however they are canceled."""

from __future__ import annotations

import asyncio

from aqua_ext.api.operations import OperationState
from aqua_ext.backends.operations import Progress
from aqua_ext.services.operations import OperationRegistry


async def test_cancel_before_the_work_started_ends_canceled() -> None:
    registry = OperationRegistry()
    started = False

    async def work(progress: Progress) -> str:
        nonlocal started
        started = True
        return "x"

    op = registry.start("test", "never runs", work)
    canceled = await registry.cancel(op.id)  # no await between start and cancel: the task has not run
    assert not started
    assert canceled.state == OperationState.CANCELED


async def test_cancel_while_running_runs_the_cleanup() -> None:
    registry = OperationRegistry()
    cleaned = asyncio.Event()

    async def work(progress: Progress) -> str:
        try:
            await asyncio.sleep(60)
        finally:
            cleaned.set()
        return "x"

    op = registry.start("test", "sleeps", work)
    await asyncio.sleep(0)
    assert (await registry.cancel(op.id)).state == OperationState.CANCELED
    assert cleaned.is_set()
