"""The watcher of what runs outside this process (engines, detached jobs): a look every few seconds
once this process owns the data dir (the lease), for as long as the server runs. What it watches
keeps running when the server stops: closing stops the watching only."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Monitor:
    def __init__(self, look: Callable[[], Awaitable[None]], *, interval: float, what: str) -> None:
        self._look = look
        self.interval = interval
        self.what = what  # "deployment", "fine-tuning job": for the log
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:  # own() again after a failed start: one monitor still
            self._task = asyncio.get_running_loop().create_task(self._watch())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self._look()
            except Exception:  # a failed look is logged; the next one comes all the same
                log.exception("%s monitor", self.what)
