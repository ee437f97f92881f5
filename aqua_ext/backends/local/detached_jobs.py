"""Local jobs as detached processes (`python -m aqua_ext.jobs.<module> SPEC.json`), one folder each.

Fine-tuning and evaluation jobs share this: the job folder (`<jobs_dir>/<id>/`) holds the spec,
the job's inputs, `job.log`, and what the job writes, above all `status.json` (its state and
progress: the truth). SQLite keeps the record and the last state seen.

Jobs outlive a Jupyter restart on purpose: they run in their own session and are found again by
pid plus start time. The process holding the data dir's lease (lease.py) runs a monitor that
follows every unfinished job, whichever process started it (this server, another one, the CLI),
and records how it ended; a job killed outright (the out-of-memory killer) is FAILED with that
reason, a cancel that hangs is killed after a grace period. Other processes show what a job's
files say now, and write nothing of their own judgement.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ...api.finetunes import FINAL_FINETUNE_STATES, FineTuneState
from ...api.logs import LogPage, LogsQuery
from ...errors import Conflict, NotFound
from ...jobs.job_status import LOG_FILE, STATUS_FILE
from ..child_env import child_environment
from .engines import tail_log
from .logs import read_log_page
from .monitor import Monitor
from .processes import process_alive, process_create_time, signal_group, stop_group
from .store import JobRow, JobTable

log = logging.getLogger(__name__)

S = FineTuneState  # the job states (OCI's job run words)
FINAL = {s.value for s in FINAL_FINETUNE_STATES}
MONITOR_INTERVAL_S = 1.0
# A canceled job stops at its next step; one stuck longer than this is killed.
CANCEL_GRACE_S = 60.0
LOG_LINES_IN_ERRORS = 30


def now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Observed:
    """What a job's files and process say right now."""

    state: str
    message: str
    status: dict[str, Any]  # status.json (empty before the job wrote it)
    alive: bool


class DetachedJobs:
    def __init__(
        self,
        table: JobTable,
        *,
        jobs_dir: Path,
        module: str,
        what: str,
        on_succeeded: Callable[[JobRow], None] | None = None,
        cancel_grace: float = CANCEL_GRACE_S,
    ) -> None:
        self.table = table
        self.jobs_dir = jobs_dir
        self.module = module  # "aqua_ext.jobs.finetune"
        self.what = what  # "fine-tuning job", for messages
        self._on_succeeded = on_succeeded
        self.cancel_grace = cancel_grace
        self.procs: dict[str, subprocess.Popen[bytes]] = {}  # jobs this server started: reaped by it
        self._monitor = Monitor(self.follow, interval=MONITOR_INTERVAL_S, what=what)
        # A finished job's files never change again: lists of hundreds of jobs read none of them twice.
        self._finished: dict[str, Observed] = {}
        self.owner = False  # this process holds the data dir's lease: it records and enforces (own())

    # ---- the monitor ---------------------------------------------------------------

    async def start(self) -> None:
        self.jobs_dir.mkdir(parents=True, exist_ok=True)

    async def own(self) -> None:
        """This process took the data dir's lease: settle what happened meanwhile, then follow."""
        self.owner = True
        await self.follow()
        self._monitor.start()

    async def close(self) -> None:
        # Jobs keep running: a Jupyter restart must not stop them.
        await self._monitor.close()

    async def follow(self) -> None:
        """Record the new state of every unfinished job; kill a cancel that hangs."""
        for row in await self.table.list():
            if row.state in FINAL:
                continue
            proc = self.procs.get(row.id)
            if proc is not None and proc.poll() is not None:
                self.procs.pop(row.id, None)  # reaped
            observed = await asyncio.to_thread(self.observe, row)
            if row.state == S.CANCELING.value and observed.alive and self._cancel_overdue(row):
                log.warning(
                    "%s %s did not stop within %.0f s of cancel: killing it", self.what, row.id, self.cancel_grace
                )
                await stop_group(int(row.process["pid"]), self.procs.pop(row.id, None), grace=0)
                observed = await asyncio.to_thread(self.observe, row)
            await self._record(row, observed)

    def _cancel_overdue(self, row: JobRow) -> bool:
        requested = row.process.get("cancel_requested_at")
        return requested is not None and time.time() - float(requested) > self.cancel_grace

    async def _record(self, row: JobRow, observed: Observed) -> None:
        if (observed.state, observed.message) == (row.state, row.state_message):
            return
        final = observed.state in FINAL
        await self.table.set_state(row.id, observed.state, observed.message, final=final)
        if observed.state == S.SUCCEEDED.value and self._on_succeeded is not None:
            self._on_succeeded(row)
        if final:
            log.info("%s %s: %s (%s)", self.what, row.id, observed.state, observed.message)

    # ---- reading a job ---------------------------------------------------------------

    def dir(self, job_id: str) -> Path:
        return self.jobs_dir / job_id

    def observe(self, row: JobRow) -> Observed:
        """Blocking (file reads): call it in a worker thread."""
        folder = self.dir(row.id)
        try:
            status = json.loads((folder / STATUS_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            status = {}
        pid, create_time = row.process.get("pid"), row.process.get("create_time")
        alive = isinstance(pid, int) and isinstance(create_time, int) and process_alive(pid, create_time)
        state = status.get("state") or row.state
        message = status.get("message") or row.state_message
        if row.state == S.CANCELING.value and state not in FINAL:
            state, message = S.CANCELING.value, "Canceling"  # the job has not seen the signal yet
        if state in FINAL or alive or not pid:
            # Not launched yet (pid unknown) means a create is under way in this very moment.
            return Observed(state, message, status, alive)
        # The process is gone without writing a final state: killed, or it crashed before starting.
        if row.state == S.CANCELING.value or status.get("state") == S.CANCELING.value:
            return Observed(S.CANCELED.value, "Canceled (the job was stopped)", status, False)
        tail = tail_log(folder / LOG_FILE, LOG_LINES_IN_ERRORS)
        if not status:
            last = next((line for line in reversed(tail) if line.strip()), "")
            reason = "The job exited before it started" + (f": {last.strip()}" if last else "")
        else:
            reason = "The job was killed (out of memory, or stopped by the system) before it finished"
        return Observed(S.FAILED.value, reason, status, False)

    async def row(self, job_id: str) -> JobRow:
        row = await self.table.get(job_id)
        if row is None:
            raise NotFound(f"No {self.what} with id '{job_id}'.")
        return row

    def _observe_cached(self, row: JobRow) -> Observed:
        cached = self._finished.get(row.id)
        if cached is not None and row.state == cached.state:
            return cached
        observed = self.observe(row)
        if observed.state in FINAL and observed.state == row.state:
            self._finished[row.id] = observed
        return observed

    async def _settle(self, row: JobRow, observed: Observed) -> JobRow:
        # Only the lease holder records; the others show the observation as it is.
        if self.owner and (observed.state, observed.message) != (row.state, row.state_message):
            await self._record(row, observed)
            row = await self.table.get(row.id) or row
        return row

    def _reap(self) -> None:
        # Without the lease no monitor runs here: reap this process's own children as they end.
        for job_id, proc in list(self.procs.items()):
            if proc.poll() is not None:
                self.procs.pop(job_id, None)

    async def current(self, row: JobRow) -> tuple[JobRow, Observed]:
        """The row with what its job says now recorded (the monitor may not have run yet)."""
        self._reap()
        observed = await asyncio.to_thread(self._observe_cached, row)
        return await self._settle(row, observed), observed

    async def all_current(self) -> list[tuple[JobRow, Observed]]:
        self._reap()
        rows = await self.table.list()
        # One worker-thread hop for the whole list, not one per job.
        observed = await asyncio.to_thread(lambda: [self._observe_cached(r) for r in rows])
        return [(await self._settle(row, seen), seen) for row, seen in zip(rows, observed, strict=True)]

    async def failure_log(self, row: JobRow, observed: Observed) -> list[str]:
        if observed.state != S.FAILED.value:
            return []
        return await asyncio.to_thread(tail_log, self.dir(row.id) / LOG_FILE, LOG_LINES_IN_ERRORS)

    async def logs(self, job_id: str, query: LogsQuery) -> LogPage:
        await self.row(job_id)
        return await read_log_page(self.dir(job_id) / LOG_FILE, query)

    # ---- create / cancel / delete -------------------------------------------------------

    async def create(
        self, row: JobRow, prepare: Callable[[Path], None], env: Mapping[str, str] | None = None
    ) -> JobRow:
        """Record the job, fill its folder (`prepare(folder)`, in a worker thread: it writes
        spec.json and copies inputs) and start it, `env` added to its environment (what must not be
        written in its folder: a connection's secret). Nothing half-created stays on failure."""
        folder = self.dir(row.id)
        try:
            await asyncio.to_thread(_make_folder, folder, prepare)
            await self.table.insert(row)
            proc, process = await asyncio.to_thread(self._launch, folder, env or {})
        except BaseException:
            with contextlib.suppress(Exception):
                await self.table.delete(row.id)
            await asyncio.to_thread(shutil.rmtree, folder, True)
            raise
        self.procs[row.id] = proc
        await self.table.set_process(row.id, process)
        return await self.row(row.id)

    def _launch(self, folder: Path, extra: Mapping[str, str]) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
        env = child_environment(
            HF_HUB_OFFLINE="1",
            TRANSFORMERS_OFFLINE="1",
            HF_HUB_DISABLE_PROGRESS_BARS="1",
            TOKENIZERS_PARALLELISM="false",
            **extra,
        )
        with open(folder / LOG_FILE, "ab") as out, open("/dev/null", "rb") as devnull:
            out.write(f"[aqua_ext] {now().isoformat()} starting the {self.what}\n".encode())
            out.flush()
            proc = subprocess.Popen(
                [sys.executable, "-m", self.module, str(folder / "spec.json")],
                stdin=devnull,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=str(folder),
                # Its own session: a Jupyter restart (signals to the server's group) does not reach it.
                start_new_session=True,
                close_fds=True,
            )
        create_time = process_create_time(proc.pid)
        return proc, {"pid": proc.pid, "create_time": create_time if create_time is not None else -1}

    async def cancel(self, job_id: str) -> None:
        """SIGTERM (the job stops at its next step and writes CANCELED); Conflict once finished."""
        row, observed = await self.current(await self.row(job_id))
        if observed.state in FINAL:
            raise Conflict(f"The {self.what} '{row.name}' is {observed.state}; only running jobs can be canceled.")
        pid = row.process.get("pid")
        if observed.alive and isinstance(pid, int):
            signal_group(pid, signal.SIGTERM)
        await self.table.set_process(row.id, {**row.process, "cancel_requested_at": time.time()})
        await self.table.set_state(row.id, S.CANCELING.value, "Canceling", final=False)
        if self.owner:
            await self.follow()

    async def delete(self, job_id: str) -> JobRow:
        """Forget a finished job and remove its folder; Conflict while it runs."""
        row, observed = await self.current(await self.row(job_id))
        if observed.state not in FINAL:
            raise Conflict(f"The {self.what} '{row.name}' is {observed.state}; cancel it before deleting it.")
        await self.table.delete(row.id)
        self._finished.pop(row.id, None)
        await asyncio.to_thread(shutil.rmtree, self.dir(row.id), True)
        return row


class DetachedJobDriver:
    """A driver whose resources are detached jobs (local fine-tunes, evaluations): its `jobs` start, own
    and close with it."""

    jobs: DetachedJobs

    async def start(self) -> None:
        await self.jobs.start()

    async def own(self) -> None:
        await self.jobs.own()

    async def close(self) -> None:
        await self.jobs.close()


def new_row(job_id: str, name: str, subject_id: str, message: str, config: dict[str, Any]) -> JobRow:
    """A job's row as a create records it: ACCEPTED, with no process yet."""
    created = now()
    return JobRow(
        id=job_id,
        name=name,
        subject_id=subject_id,
        state=S.ACCEPTED.value,
        state_message=message,
        config=config,
        process={},
        created_at=created,
        updated_at=created,
        finished_at=None,
    )


def _make_folder(folder: Path, prepare: Callable[[Path], None]) -> None:
    folder.mkdir(parents=True)
    prepare(folder)


def parse_time(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def job_fields(row: JobRow, observed: Observed, *, pace: tuple[str, str, str]) -> dict[str, Any]:
    """The summary fields every local job has (a fine-tune, an evaluation), from its row and what the job
    wrote: its state, progress and, while it runs, the time left at the `pace` of `eta_seconds`' keys."""
    c, st = row.config, observed.status
    final = observed.state in FINAL
    return {
        "id": row.id,
        "name": row.name,
        "description": c["description"],
        "state": S(observed.state),
        "state_message": observed.message,
        "dataset_path": c["dataset_path"],
        "dataset_hash": c["dataset_hash"],
        "progress": float(st.get("progress") or (1.0 if observed.state == S.SUCCEEDED.value else 0.0)),
        "eta_seconds": None if final else eta_seconds(st, *pace),
        "created_at": row.created_at,
        "updated_at": max(row.updated_at, parse_time(st.get("updated_at")) or row.updated_at),
        "finished_at": row.finished_at if final else None,
    }


def eta_seconds(status: dict[str, Any], started_key: str, done_key: str, total_key: str) -> float | None:
    """Seconds left at the pace so far (None until there is a pace)."""
    started = parse_time(status.get(started_key))
    done, total = status.get(done_key) or 0, status.get(total_key)
    if started is None or not total or done <= 0:
        return None
    elapsed = (now() - started).total_seconds()
    return round(max(0.0, elapsed / done * (total - done)), 1)
