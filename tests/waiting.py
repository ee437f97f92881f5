"""Polling an entity over HTTP until it reaches a state (the handler tests' shared wait)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any


async def wait_for_state(
    api: Any,
    path: str,
    *states: str,
    timeout: float,
    interval: float = 0.3,
    until: Callable[[dict[str, Any]], bool] | None = None,
    stop_on_failure: bool = False,
) -> dict[str, Any]:
    """GET `path` until its `state` is one of `states` (and `until(detail)` holds, when given). A 404
    counts as the state "GONE" when that is asked for; with `stop_on_failure`, an unexpected FAILED
    fails at once instead of at the timeout."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        status, detail = await api(path)
        if status == 404 and "GONE" in states:
            return {"state": "GONE"}
        assert status == 200, detail
        if detail["state"] in states and (until is None or until(detail)):
            return detail
        if stop_on_failure:
            assert detail["state"] not in ("FAILED",) or "FAILED" in states, detail
        assert loop.time() < deadline, f"still {detail['state']}: {detail['state_message']}"
        await asyncio.sleep(interval)
