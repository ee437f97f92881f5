"""Detached process groups on Linux: is a recorded process still ours, and stop a whole group.

Engines and jobs run in their own session (`start_new_session=True`) so a Jupyter restart
does not reach them; they are found again by pid plus start time (a recycled pid has
another start time). Cheap single-file reads of /proc only.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path


def proc_stat(pid: int) -> tuple[str, int, int] | None:
    """(state, pgrp, starttime) of `pid`, or None if there is no such process."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces or ')',
    # so split after the last ')'. Then: state(3) ppid(4) pgrp(5) ... starttime(22).
    rest = raw[raw.rfind(")") + 2 :].split()
    try:
        return rest[0], int(rest[2]), int(rest[19])
    except (IndexError, ValueError):
        return None


def process_create_time(pid: int) -> int | None:
    stat = proc_stat(pid)
    return stat[2] if stat else None


def process_alive(pid: int, create_time: int) -> bool:
    """The process runs (not a zombie) and is the one recorded (same start time)."""
    stat = proc_stat(pid)
    return stat is not None and stat[0] != "Z" and stat[2] == create_time


def live_group_members(pgid: int) -> list[int]:
    """Pids in process group `pgid` that are not zombies."""
    members: list[int] = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            stat = proc_stat(int(entry.name))
            if stat and stat[1] == pgid and stat[0] != "Z":
                members.append(int(entry.name))
    return members


def group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass
    # Zombies still count for killpg; they are dead, waiting for their parent
    # (init, or us via poll) to reap them.
    return not live_group_members(pgid)


def signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


async def stop_group(pgid: int, proc: subprocess.Popen[bytes] | None, grace: float) -> bool:
    """SIGTERM the group, SIGKILL what is left after `grace` seconds; returns once no live
    process of the group remains (False if even SIGKILL did not end it within 5 s)."""
    signal_group(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    killed = False
    while True:
        if proc is not None:
            proc.poll()  # reap our child, or it stays a zombie in the group
        if await asyncio.to_thread(group_gone, pgid):
            break
        if time.monotonic() >= deadline:
            if killed:
                return False
            signal_group(pgid, signal.SIGKILL)
            killed = True
            deadline = time.monotonic() + 5.0  # SIGKILL cannot be ignored; this only bounds the wait
        await asyncio.sleep(0.05)
    if proc is not None:
        await asyncio.to_thread(proc.wait)
    return True
