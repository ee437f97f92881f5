"""How aqua_ext waits on OCI between two reads of something that changes on its own (a work request, a
model group, a job run): the first wait `poll_min_seconds`, then twice as long each time up to
`poll_max_seconds` (OCI takes seconds to minutes; the emulator well under a second), until a deadline
that the caller turns into its own error."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from .config import OciSettings


class Backoff:
    __slots__ = ("_deadline", "_delay", "_most")

    def __init__(self, settings: OciSettings, timeout_s: float) -> None:
        self._delay = settings.poll_min_seconds
        self._most = settings.poll_max_seconds
        self._deadline = time.monotonic() + timeout_s

    @property
    def expired(self) -> bool:
        return time.monotonic() > self._deadline

    async def wait(self) -> None:
        await asyncio.sleep(self._delay)
        self._delay = min(self._delay * 2, self._most)

    async def wait_or_raise(self, error: Callable[[str], Exception], message: str) -> None:
        """Past the deadline, raise the caller's own error with its message; else wait."""
        if self.expired:
            raise error(message)
        await self.wait()
