"""From chat to dataset: a playground turn, edited into the answer one wants, saved as a row of
a JSONL dataset (a new file or appended), in the formats the preflight (datasets.py) accepts.

Two checks run first and are warnings the user may override: the same row already in the file
(a duplicate), and the same prompt in another JSONL file under the same folder (train/evaluation
leakage; that folder is "the project", read within bounds). The append never corrupts the file:
one locked O_APPEND write, and on any failure (a full disk) the file is cut back to its size.

Blocking (file reads and writes): `save_row` runs it in a worker thread.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ..api.common import FieldError
from ..api.datasets import DatasetRowWarning, SaveDatasetRowRequest, SaveDatasetRowResponse
from ..api.job_datasets import DatasetAccess
from ..errors import Conflict, InvalidInput, PayloadTooLarge, storage_error
from .datasets import (
    DatasetRow,
    DatasetScan,
    _conversation,
    _instruction,
    _norm,
    _RowError,
    resolve_dataset_path,
    row_key,
    scan_jsonl,
)

SUFFIX = ".jsonl"
# The leakage check's bounds: a folder holding a home directory must not cost minutes.
PROJECT_MAX_FILES = 200
PROJECT_MAX_BYTES = 256 * 1024 * 1024
PROJECT_MAX_ENTRIES = 20_000  # names looked at while walking the folder
# One save at a time in this server (check then write); flock keeps other processes' appends apart.
_SAVE_LOCK = threading.Lock()

PromptKey = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class _Project:
    warnings: list[DatasetRowWarning]
    checked: int
    complete: bool


def _field_of(request: SaveDatasetRowRequest, message: str) -> str:
    if request.format == "conversational":
        return "messages"
    return "completion" if message.startswith('"completion"') else "prompt"


def _texts(request: SaveDatasetRowRequest) -> list[tuple[str, str]]:
    texts = [("prompt", request.prompt or ""), ("completion", request.completion or "")]
    texts += [(f"messages[{i}].content", m.content) for i, m in enumerate(request.messages or [])]
    return [*texts, ("category", request.category or "")]


def build_row(request: SaveDatasetRowRequest) -> tuple[dict[str, Any], DatasetRow]:
    """The JSON object to write and the row as the preflight reads it; a 400 naming the field
    for what the preflight would refuse."""
    for name, text in _texts(request):
        if "\x00" in text:
            raise InvalidInput.field(name, "contains a NUL byte, which no dataset row may hold")
    obj: dict[str, Any]
    if request.format == "instruction":
        if request.messages is not None:
            raise InvalidInput.field("messages", "an instruction row takes prompt and completion, not messages")
        obj = {"prompt": request.prompt, "completion": request.completion}
    else:
        if request.prompt is not None or request.completion is not None:
            raise InvalidInput.field("prompt", "a conversational row takes messages, not prompt and completion")
        if request.messages is None:
            raise InvalidInput.field("messages", "a conversational row needs messages")
        obj = {"messages": [m.model_dump() for m in request.messages]}
    try:
        if request.format == "instruction":
            for key in ("prompt", "completion"):
                if obj[key] is None:
                    raise _RowError(f'"{key}" is missing')
            row = _instruction(obj, 0)
        else:
            row = _conversation(obj, 0)
    except _RowError as exc:
        message = str(exc)
        raise InvalidInput.field(_field_of(request, message), message) from None
    if request.category and request.category.strip():
        obj["category"] = request.category.strip()
    return obj, row


def prompt_key(row: DatasetRow) -> PromptKey:
    """What the model is asked, whatever the format: the turns before the answer, whitespace
    normalized (an instruction prompt is one user turn, as a one-turn conversation)."""
    turns = (("user", row.prompt),) if row.format == "instruction" else row.messages[:-1]
    return tuple((role, _norm(text)) for role, text in turns)


def _scan_existing(path: Path, shown: str, max_bytes: int) -> DatasetScan | None:
    """The file's rows (None for a file with none yet). A binary, non-UTF-8 or oversized file is
    refused by the preflight's reader with its field, "path"."""
    if path.stat().st_size == 0:
        return None
    try:
        return scan_jsonl(path, max_bytes=max_bytes, keep_rows=True, display_path=shown)
    except InvalidInput as exc:
        if exc.fields and exc.fields[0].message == "the file is empty":  # blank lines only
            return None
        raise


def _project_files(folder: Path) -> tuple[list[Path], bool]:
    """The JSONL files under `folder` (hidden folders such as .ipynb_checkpoints skipped), and
    whether the walk saw everything within PROJECT_MAX_ENTRIES."""
    found: list[Path] = []
    seen = 0
    for current, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        seen += len(dirs) + len(files)
        if seen > PROJECT_MAX_ENTRIES:
            return found, False
        found += [Path(current) / name for name in sorted(files) if name.lower().endswith(SUFFIX)]
    return found, True


def check_project(target: Path, root: Path, key: PromptKey, max_bytes: int) -> _Project:
    """Leakage: the same prompt in another JSONL file under the target's folder (one warning per
    file). Files outside the root (through a link), unreadable or over the bounds are skipped,
    and `complete` says so."""
    files, complete = _project_files(target.parent)
    warnings: list[DatasetRowWarning] = []
    checked = 0
    budget = PROJECT_MAX_BYTES
    for file in files:
        try:
            resolved = file.resolve()
            if resolved == target or not resolved.is_relative_to(root) or not resolved.is_file():
                continue
            size = resolved.stat().st_size
        except OSError:
            complete = False
            continue
        if checked >= PROJECT_MAX_FILES or size > min(budget, max_bytes):
            complete = False
            continue
        budget -= size
        shown = resolved.relative_to(root).as_posix()
        try:
            scan = _scan_existing(resolved, shown, max_bytes)
        except (InvalidInput, PayloadTooLarge, OSError):
            complete = False  # not a dataset this check can read; the save does not depend on it
            continue
        checked += 1
        match = _first(scan, lambda r: prompt_key(r) == key)
        if match is not None:
            warnings.append(_warning("leakage", shown, match.line, "the same prompt is in"))
    return _Project(warnings=warnings, checked=checked, complete=complete)


def _first(scan: DatasetScan | None, test: Callable[[DatasetRow], bool]) -> DatasetRow | None:
    return next((row for row in (scan.rows if scan else []) if test(row)), None)


def _warning(kind: Literal["duplicate", "leakage"], shown: str, line: int, what: str) -> DatasetRowWarning:
    why = " (a row in both a training and an evaluation set inflates the scores)" if kind == "leakage" else ""
    return DatasetRowWarning(kind=kind, path=shown, line=line, message=f"{what} {shown} (line {line}){why}")


def _count_lines(fd: int, size: int) -> tuple[int, bool]:
    """(newlines in the file, whether it ends with one), read in blocks."""
    newlines, offset, last = 0, 0, b"\n"
    while offset < size:
        block = os.pread(fd, min(1 << 20, size - offset), offset)
        if not block:
            break
        newlines += block.count(b"\n")
        offset += len(block)
        last = block[-1:]
    return newlines, last == b"\n"


def append_line(path: Path, shown: str, data: bytes, *, new: bool) -> int:
    """Append one JSON line to `path` (created when `new`) and return its line number. Under an
    exclusive flock, with O_APPEND; a failed write cuts the file back to its size (a new file is
    removed), so no half row is ever left."""
    flags = os.O_RDWR | os.O_APPEND | (os.O_CREAT | os.O_EXCL if new else 0)
    try:
        fd = os.open(path, flags, 0o644)
    except FileExistsError:
        raise Conflict(f"{shown} was created by someone else meanwhile; save again to append to it") from None
    except FileNotFoundError:
        raise Conflict(f"{shown} was removed meanwhile; save again to create it") from None
    size = 0
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        size = os.fstat(fd).st_size
        newlines, ends_clean = _count_lines(fd, size)
        payload = data if ends_clean else b"\n" + data  # a last line without its newline keeps its row
        written = 0
        while written < len(payload):
            written += os.write(fd, payload[written:])
        os.fsync(fd)
    except OSError as exc:
        if new:
            path.unlink(missing_ok=True)
        else:
            os.ftruncate(fd, size)
        full = storage_error(exc)
        if full is not None:
            raise full from exc
        raise
    finally:
        os.close(fd)
    return newlines + (1 if ends_clean else 2)


def save_row_sync(request: SaveDatasetRowRequest, access: DatasetAccess) -> SaveDatasetRowResponse:
    obj, row = build_row(request)
    root = access.root.expanduser().resolve()
    path, shown = resolve_dataset_path(request.path, root, must_exist=False)
    if path.suffix.lower() != SUFFIX:
        raise InvalidInput.field("path", f"{request.path} is not a {SUFFIX} file")
    data = (json.dumps(obj, ensure_ascii=False) + "\n").encode("utf-8")
    with _SAVE_LOCK:
        new = not path.exists()
        scan = None if new else _scan_existing(path, shown, access.max_bytes)
        if scan is not None and scan.rows and scan.rows[0].format != request.format:
            raise InvalidInput.field(
                "format", f"{shown} holds {scan.rows[0].format} rows; a {request.format} row cannot join them"
            )
        size = 0 if new else path.stat().st_size
        if size + len(data) + 1 > access.max_bytes:
            raise PayloadTooLarge(
                f"{shown} would be over the {access.max_bytes:,}-byte limit for datasets",
                fields=[FieldError(field="path", message=f"over the {access.max_bytes:,}-byte limit")],
            )
        warnings: list[DatasetRowWarning] = []
        key = row_key(row)
        same = _first(scan, lambda r: row_key(r) == key)
        if same is not None:
            warnings.append(_warning("duplicate", shown, same.line, "the same row is already in"))
        project = check_project(path, root, prompt_key(row), access.max_bytes)
        warnings += project.warnings
        rows = scan.report.rows if scan else 0
        blocked = (same is not None and not request.allow_duplicate) or (
            bool(project.warnings) and not request.allow_leakage
        )
        line = None if blocked else append_line(path, shown, data, new=new)
    return SaveDatasetRowResponse(
        saved=line is not None,
        path=shown,
        created=new and line is not None,
        line=line,
        rows=rows + (1 if line is not None else 0),
        warnings=warnings,
        checked_files=project.checked,
        checked_all=project.complete,
    )


async def save_row(request: SaveDatasetRowRequest, access: DatasetAccess) -> SaveDatasetRowResponse:
    """Save a playground turn as a dataset row (see the module's docstring); file work off the loop."""
    return await asyncio.to_thread(save_row_sync, request, access)
