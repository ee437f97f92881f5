"""Pages of a local log file (an engine's, a job's): the last lines, then what came next."""

from __future__ import annotations

import asyncio
from pathlib import Path

from ...api.logs import LogPage, LogsQuery
from ...errors import InvalidInput
from .engines import tail_log


async def read_log_page(path: Path, query: LogsQuery) -> LogPage:
    """The last `query.tail` lines, or (with `query.after`, a byte offset from a previous page)
    only the complete lines written since."""
    offset = None
    if query.after is not None:
        try:
            offset = int(query.after)
        except ValueError:
            raise InvalidInput.field("query.after", "not a cursor from a previous answer") from None
    lines, cursor = await asyncio.to_thread(_read_log, path, offset, query.tail)
    return LogPage(lines=lines, cursor=str(cursor), source=str(path))


def _read_log(path: Path, offset: int | None, tail: int) -> tuple[list[str], int]:
    try:
        size = path.stat().st_size
    except OSError:
        return [], 0
    if offset is None or offset > size:  # a new log (the process restarted) starts over
        return tail_log(path, tail), size
    with open(path, "rb") as f:
        f.seek(offset)
        data = f.read(size - offset)
    end = data.rfind(b"\n") + 1  # keep a partial last line for the next call
    lines = data[:end].decode("utf-8", errors="replace").splitlines()
    return lines[-tail:], offset + end
