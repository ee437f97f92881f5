"""Following what runs: how often to ask again, and `logs [--tail N] [--follow]` (deployments,
fine-tuning jobs, evaluations)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable

from ..api.logs import LogPage, LogsQuery

POLL_S = 1.0  # how often a wait or `logs --follow` asks again


async def sleep() -> None:
    """One poll interval (read at call time, so tests can shorten it)."""
    await asyncio.sleep(POLL_S)


def add_logs_flags(parser: argparse.ArgumentParser, follow_help: str) -> None:
    parser.add_argument("--tail", type=int, default=200, help="last lines to show (1-5000)")
    parser.add_argument("--follow", "-f", action="store_true", help=follow_help)


async def print_logs(
    args: argparse.Namespace,
    fetch: Callable[[LogsQuery], Awaitable[LogPage]],
    finished: Callable[[], Awaitable[str | None]] | None = None,
) -> int:
    """`logs [--tail N] [--follow]`: the last lines, then (following) what comes next, asked for
    with the cursor every POLL_S. Following ends on Ctrl-C, or once `finished` says why (a job
    that ended) and the lines written before that are printed."""
    logs = await fetch(LogsQuery(tail=args.tail))

    def show(page: LogPage, *, indent: bool) -> None:
        if args.json:
            print(page.model_dump_json(indent=2) if indent else page.model_dump_json(), flush=True)
        else:
            for line in page.lines:
                print(line, flush=True)

    if not args.json and not args.follow:
        print(f"# {logs.source}", file=sys.stderr)
    show(logs, indent=not args.follow)
    while args.follow:
        await sleep()
        logs_next = await fetch(LogsQuery(tail=5000, after=logs.cursor))
        if logs_next.lines:
            show(logs_next, indent=False)
        logs = logs_next
        if not logs.lines and finished is not None:
            reason = await finished()
            if reason is not None:  # the last lines, written before it ended
                logs = await fetch(LogsQuery(tail=5000, after=logs.cursor))
                if logs.lines:
                    show(logs, indent=False)
                if not args.json:
                    print(f"# {reason}", file=sys.stderr)
                break
    return 0
