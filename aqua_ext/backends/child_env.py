"""A child Python process that runs part of aqua_ext (a download, the demo model's generator, an
engine, a job): its environment, and the end of what it writes to stderr."""

from __future__ import annotations

import asyncio
import os
from collections import deque
from pathlib import Path


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
