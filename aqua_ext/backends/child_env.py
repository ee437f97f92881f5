"""A child Python process that runs part of aqua_ext (a download, the demo model's generator, an
engine, a job): its environment, and the end of what it writes to stderr."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections import deque
from collections.abc import Callable
from pathlib import Path

from .operations import Progress

# A child that reports how far it got prints "@@progress <fraction> <message>" lines on stdout.
PROGRESS_PREFIX = "@@progress "


def package_root() -> Path:
    # The folder holding the aqua_ext package, for PYTHONPATH: the child must
    # import this very copy of aqua_ext even when it is not pip-installed and
    # the server's working directory is elsewhere.
    return Path(__file__).resolve().parents[2]


def child_environment(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    root = str(package_root())
    env["PYTHONPATH"] = os.pathsep.join([root, *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])])
    env["PYTHONUNBUFFERED"] = "1"  # progress lines must arrive as they are printed
    env.update(extra)
    return env


async def keep_tail(stream: asyncio.StreamReader | None, tail: deque[str]) -> None:
    """Keep the last non-blank lines a child writes (`tail` has a maxlen), for the error when it fails."""
    assert stream is not None
    async for raw in stream:
        line = raw.decode("utf-8", errors="replace").rstrip()
        if line:
            tail.append(line)


async def run_module(
    module: str,
    args: list[str],
    progress: Progress,
    env: dict[str, str],
    *,
    tail_lines: int = 20,
    on_abort: Callable[[int], None] | None = None,
) -> tuple[int, list[str], int]:
    """Run `python -m module args` in its own process group (a kill reaches whatever it started), relaying
    its progress lines to `progress`; its exit code, the end of its stderr and its pid. Canceled, it is
    killed and `on_abort(pid)` (run in a thread) undoes what it left before CancelledError goes on."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    tail: deque[str] = deque(maxlen=tail_lines)

    async def relay() -> None:
        assert proc.stdout is not None
        async for raw in proc.stdout:
            line = raw.decode("utf-8", errors="replace").strip()
            if line.startswith(PROGRESS_PREFIX):
                fraction, _, message = line[len(PROGRESS_PREFIX) :].partition(" ")
                with contextlib.suppress(ValueError):
                    progress.update(progress=min(float(fraction), 0.99), message=message)

    try:
        await asyncio.gather(relay(), keep_tail(proc.stderr, tail))
        code = await proc.wait()
    except BaseException:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        await asyncio.shield(proc.wait())
        if on_abort is not None:
            await asyncio.to_thread(on_abort, proc.pid)
        raise
    return code, list(tail), proc.pid
