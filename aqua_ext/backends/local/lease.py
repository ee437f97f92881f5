"""One owner of the running processes of a data dir: the lease, and a lock per engine change.

Several processes open the same data dir: the Jupyter server, `aqua-ext` commands, now and
then a second server. Each reads and writes the records in `state.db`, but only one of them,
the holder of the lease, *judges* engines and jobs: it reconciles at start (re-attach live
engines, mark lost ones FAILED, stop strays), watches engines and jobs, and records how they
ended. Without that rule a `aqua-ext deployments list` run while the server starts an engine
took that engine for lost, stopped it and marked the deployment FAILED.

The lease is `flock` on `<data_dir>/owner.lock`, which holds the holder's pid for people
reading it. The kernel releases a flock when its holder exits, however it exits (SIGKILL,
out-of-memory killer), so a lease is never left behind by a crash; the file descriptor is
close-on-exec, so engines and jobs started by the holder do not inherit it. The first process
takes the lease at start; the others try again every few seconds and take over when the holder
goes away. Every process takes it by construction, the CLI too (the alternative, a CLI that never
judges, would list a deployment whose engine died with the machine as ACTIVE until a server
starts): when no server runs, a command's own process is the only one that can tell a lost engine
from a live one; while a server runs, the command does not get the lease; and a server started
while a command holds it serves records at once and takes over within seconds of the command's
exit (a `--follow` may hold it longer, and does the watching meanwhile).

What protects work in flight is the second lock: a process that starts or stops an engine (the
server's deploy, `aqua-ext deployments create`, a deactivate) holds `deployments/<id>/engine.lock`
until the engine is ready, failed or stopped. The lease holder judges a deployment only under
that lock: it leaves the deployment alone while another process holds it, and adopts it
(finishes the readiness check or records the failure) once its starter is gone without finishing.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

LEASE_FILE = "owner.lock"
ENGINE_LOCK_FILE = "engine.lock"


class FileLock:
    """An exclusive, non-blocking flock on `path`, held until release() or the process ends."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def try_acquire(self, note: dict[str, Any] | None = None) -> bool:
        """Take the lock if nobody holds it (True), else False at once. `note` is written into the
        file for people (and `holder()`) to read; the lock itself is the flock, not the text."""
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        if note is not None:
            with contextlib.suppress(OSError):  # a full disk must not cost the lease
                os.ftruncate(fd, 0)
                os.pwrite(fd, json.dumps(note).encode(), 0)
        return True

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)  # the next holder writes its own note
        os.close(fd)  # closing the last descriptor releases the flock

    def busy(self) -> bool:
        """True while another holder (another process, or another FileLock in this one) holds it."""
        if self._fd is not None:
            return False
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CLOEXEC)
        except FileNotFoundError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)  # also drops the probe's lock
        return False

    def holder(self) -> dict[str, Any] | None:
        """The note of the current holder, or None when nobody holds the lock."""
        if not self.held and not self.busy():
            return None
        try:
            return json.loads(self.path.read_text(encoding="utf-8") or "null")
        except (OSError, ValueError):
            return None


class Lease(FileLock):
    """The data dir's lease: who reconciles and watches engines and jobs."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__(data_dir / LEASE_FILE)

    def try_acquire(self, note: dict[str, Any] | None = None) -> bool:
        return super().try_acquire(note if note is not None else _who())


def engine_lock(run_dir: Path) -> FileLock:
    """The lock a process holds while it starts or stops a deployment's engine."""
    return FileLock(run_dir / ENGINE_LOCK_FILE)


def _who() -> dict[str, Any]:
    return {
        "pid": os.getpid(),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:3]]) if sys.argv and sys.argv[0] else "python",
        "since": datetime.now(timezone.utc).isoformat(),
    }
