"""What the job groups (`finetune`, `evaluations`) share: list/get/cancel/delete, the lines after
a create, following a job, its logs, and the report of a job that did not succeed."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from pydantic import BaseModel

from ..api.evaluations import EvaluationSummary
from ..api.finetunes import FINAL_FINETUNE_STATES, FineTuneState, FineTuneSummary
from ..api.logs import LogPage, LogsQuery
from . import follow
from .context import Context, add_command
from .output import StatusLines, emit, error, state_text, warn_problems


@dataclasses.dataclass(frozen=True)
class JobKind:
    """What `list`, `get`, `cancel`, `delete` and `logs` of a kind of job (fine-tunes, evaluations) need:
    its service (`services.finetunes`, `services.evaluations`: the lifecycle rules are there) and how
    its jobs are shown."""

    plural: str
    id_name: str  # the job id's argument
    service: Any
    rows: Callable[[Sequence[Any], bool], str]  # (items, several targets) → table
    text: Callable[[Any], str]
    # What `create` needs: the group's command, what the job is called, the create response's job
    # field, how the job is followed until it ends, and its outcome (the exit code).
    command: str
    noun: str
    field: str
    follow: Callable[[Context, Any], Awaitable[Any]]
    outcome: Callable[[argparse.Namespace, Any], int]


async def job_basics(ctx: Context, cmd: str, kind: JobKind) -> int | None:
    """`list`, `get`, `cancel`, `delete`, `logs` of a job; None for another command."""
    args, service = ctx.args, kind.service
    job_id = getattr(args, kind.id_name, "")
    if cmd == "list":
        listed = await service.list()
        warn_problems(listed.problems)
        items = listed.items
        emit(args, list(items), kind.rows(items, ctx.several_targets) + f"\n{len(items)} {kind.plural}")
    elif cmd == "get":
        detail = await service.get(job_id)
        emit(args, detail, kind.text(detail))
    elif cmd == "cancel":
        detail = await service.cancel(job_id)
        verb = "canceled" if detail.state == FineTuneState.CANCELED else "canceling"
        emit(args, detail, f"{verb} {detail.name} ({detail.id}): {detail.state.value}")
    elif cmd == "delete":
        await service.delete(job_id)
        emit(args, None, f"deleted {job_id}")
    elif cmd == "logs":
        return await job_logs(args, lambda query: service.logs(job_id, query), lambda: service.get(job_id))
    else:
        return None
    return 0


async def job_started(ctx: Context, kind: JobKind, response: BaseModel, preflight: list[str], what: str) -> int:
    """After a create: the new job's id (exit 0), or with --follow its progress and its outcome."""
    job = getattr(response, kind.field)
    if not job_created(ctx.args, response, preflight, job, what, kind.command, kind.noun):
        return 0
    final = await kind.follow(ctx, job)
    return kind.outcome(ctx.args, response.model_copy(update={kind.field: final}))


def job_created(
    args: argparse.Namespace,
    response: BaseModel,
    preflight: list[str],
    job: FineTuneSummary | EvaluationSummary,
    what: str,
    command: str,
    noun: str,
) -> bool:
    """After a create: the preflight on stderr, then the new job's id (False: not followed), or the
    news that it is followed (True)."""
    if not args.json:
        for line in preflight:
            print(line, file=sys.stderr)
    if not args.follow:
        emit(
            args,
            response,
            f"created {job.name} as {job.id}: {job.state.value} ({what})\n"
            f"  follow it: aqua-ext {command} get {job.id} · aqua-ext {command} logs {job.id} --follow",
        )
        return False
    if not args.json:
        print(
            f"created {job.name} as {job.id} ({what}); following it (Ctrl-C stops following, not the {noun})",
            file=sys.stderr,
        )
    return True


async def follow_job(
    args: argparse.Namespace, poll: Callable[[StatusLines, str], Awaitable[bool]], command: str, what: str, job_id: str
) -> None:
    """Call `poll(status, clock)` every POLL_S until it says the job ended; Ctrl-C says that `what`
    (the job of `aqua-ext <command>`) goes on, as it is not ours to stop, and ends the command."""
    status = StatusLines(sys.stderr.isatty() and not args.json)
    started = time.monotonic()
    try:
        while not await poll(status, f"[{time.monotonic() - started:5.0f}s]"):
            await follow.sleep()
    except asyncio.CancelledError:  # Ctrl-C
        status.close()
        print(
            f"stopped following; {what} goes on (`aqua-ext {command} get {job_id}`; "
            f"`aqua-ext {command} cancel {job_id}` stops it)",
            file=sys.stderr,
        )
        raise
    finally:
        status.close()


def job_facts(job: FineTuneSummary | EvaluationSummary) -> list[tuple[str, str]]:
    """The facts every job's `get` starts with: its id, target, state (and why), the actions allowed now."""
    return [
        ("id", job.id),
        ("target", job.target or "-"),
        ("state", state_text(job.state, job.state_message)),
        ("actions", ", ".join(job.actions) or "-"),
    ]


class StateChanges:
    """A followed job's state and its message, printed once each time they change."""

    def __init__(self) -> None:
        self._shown: tuple[FineTuneState, str] | None = None

    def show(self, status: StatusLines, clock: str, job: FineTuneSummary | EvaluationSummary) -> None:
        if (job.state, job.state_message) != self._shown:
            self._shown = (job.state, job.state_message)
            status.line(f"{clock} {job.state.value}" + (f": {job.state_message}" if job.state_message else ""))


def job_failed(
    args: argparse.Namespace,
    payload: BaseModel,
    what: str,
    state: FineTuneState,
    message: str,
    failure_log: Sequence[str],
) -> None:
    """A followed job that did not succeed: why on stderr (with its log's last lines); JSON still on stdout."""
    error(f"{what} is {state.value}: {message or state.value}")
    for line in failure_log:
        print(f"  | {line}", file=sys.stderr)
    if args.json:
        emit(args, payload, "")


async def job_logs(
    args: argparse.Namespace,
    fetch: Callable[[LogsQuery], Awaitable[LogPage]],
    get: Callable[[], Awaitable[FineTuneSummary | EvaluationSummary]],
) -> int:
    """A job's `logs [--tail N] [--follow]`: following ends once the job has ended."""

    async def finished() -> str | None:
        state = (await get()).state
        return f"the job is {state.value}" if state in FINAL_FINETUNE_STATES else None

    return await follow.print_logs(args, fetch, finished)


def add_job_commands(
    jobs: Any, id_name: str, list_help: str, commands: Sequence[tuple[str, str]], logs_help: str, follow_help: str
) -> None:
    """`list`, each of `commands` (name, help) taking the job's id, and `logs ID [--tail N] [--follow]`."""
    add_command(jobs, "list", list_help)
    for name, text in commands:
        add_command(jobs, name, text).add_argument(id_name)
    logs = add_command(jobs, "logs", logs_help)
    logs.add_argument(id_name)
    follow.add_logs_flags(logs, follow_help)
