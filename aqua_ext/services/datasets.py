"""Dataset preflight: check a JSONL file before it is used to fine-tune or evaluate.

Pure and blocking (no tornado): handlers run it in a worker thread, and the token pass (transformers)
in a child process (token_worker.py). The file is
read as a byte stream, line by line, under a size limit, so a huge or binary
file costs no more memory than its valid rows (kept only for the token pass).

Two row formats, one per file:
  - instruction:     {"prompt": str, "completion": str[, "category": str]}
                     (Llama-2 style "[INST] … [/INST]" prompts included, as in OCI's guides)
  - conversational:  {"messages": [{"role": "system"|"user"|"assistant", "content": str}, …][, "category": str]}
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from ..api.common import FieldError
from ..api.datasets import DatasetReport, LineError, TokenStats, ValidateDatasetRequest
from ..api.job_datasets import DEFAULT_MAX_BYTES, DatasetAccess, DatasetFile, JobDataset
from ..api.models import ModelDetail
from ..backends.local.model_folder import model_file
from ..errors import InvalidInput, NotFound, PayloadTooLarge
from .stats import percentile
from .token_worker import token_worker

MAX_LINE_ERRORS = 100
MAX_OVER_LIMIT_LINES = 20
# The split orders the distinct rows by a seeded hash of their normalized text and holds out the first
# ones up to the requested share: the same file always splits the same, whatever its row order, and a
# duplicated row always lands on the same side (no train/validation leakage). See validation_keys.
SPLIT_SEED = b"aqua-ext-split-v1"
ROLES = ("system", "user", "assistant")
TOKENIZER_FILES = ("tokenizer.json", "tokenizer.model", "tokenizer_config.json", "vocab.json")
# What loading a tokenizer reads besides: none of it may link outside the model's folder.
TOKENIZER_READS = (
    *TOKENIZER_FILES,
    "special_tokens_map.json",
    "added_tokens.json",
    "merges.txt",
    "chat_template.jinja",
    "config.json",
)

Format = Literal["instruction", "conversational"]


@dataclass(frozen=True)
class DatasetRow:
    """One valid row, kept for the token pass."""

    line: int
    format: Format
    prompt: str = ""
    completion: str = ""
    messages: tuple[tuple[str, str], ...] = ()
    category: str | None = None  # evaluation reports score per category

    @property
    def inst(self) -> bool:
        return self.format == "instruction" and "[INST]" in self.prompt


@dataclass
class DatasetScan:
    report: DatasetReport
    rows: list[DatasetRow] = field(default_factory=list)


class _RowError(Exception):
    pass


def _norm(text: str) -> str:
    return " ".join(text.split())


def _type_name(value: Any) -> str:
    return {
        dict: "object",
        list: "array",
        str: "string",
        bool: "boolean",
        int: "number",
        float: "number",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def _row_format(row: dict[str, Any]) -> Format:
    if "messages" in row:
        return "conversational"
    if "prompt" in row or "completion" in row:
        return "instruction"
    keys = ", ".join(sorted(row)) or "none"
    raise _RowError(f'expected {{"prompt", "completion"}} or {{"messages": [...]}}; found keys: {keys}')


def _category(row: dict[str, Any]) -> str | None:
    category = row.get("category")
    if category is None:
        return None
    if not isinstance(category, str):
        raise _RowError(f'"category" must be a string, got {_type_name(category)}')
    return category.strip() or None


def _instruction(row: dict[str, Any], line: int) -> DatasetRow:
    for key in ("prompt", "completion"):
        if key not in row:
            raise _RowError(f'missing key "{key}"')
        value = row[key]
        if not isinstance(value, str):
            raise _RowError(f'"{key}" must be a string, got {_type_name(value)}')
        if not value.strip():
            raise _RowError(f'"{key}" is empty')
    prompt, completion = row["prompt"], row["completion"]
    if "[INST]" in prompt and "[/INST]" not in prompt:
        raise _RowError('"prompt" opens a Llama-2 "[INST]" block but never closes it with "[/INST]"')
    return DatasetRow(line, "instruction", prompt=prompt, completion=completion)


def _conversation(row: dict[str, Any], line: int) -> DatasetRow:
    messages = row["messages"]
    if not isinstance(messages, list):
        raise _RowError(f'"messages" must be an array, got {_type_name(messages)}')
    if not messages:
        raise _RowError('"messages" is empty')
    turns: list[tuple[str, str]] = []
    for i, message in enumerate(messages):
        where = f"messages[{i}]"
        if not isinstance(message, dict):
            raise _RowError(f"{where} must be an object, got {_type_name(message)}")
        role, content = message.get("role"), message.get("content")
        if role is None:
            raise _RowError(f'{where}: missing key "role"')
        if role not in ROLES:
            raise _RowError(f"{where}: role must be system, user or assistant, got {json.dumps(role)}")
        if content is None:
            raise _RowError(f'{where}: missing key "content"')
        if not isinstance(content, str):
            raise _RowError(f'{where}: "content" must be a string, got {_type_name(content)}')
        if not content.strip():
            raise _RowError(f'{where}: "content" is empty')
        if role == "system" and i != 0:
            raise _RowError(f"{where}: a system message may only come first")
        turns.append((role, content))
    if not any(role == "user" for role, _ in turns):
        raise _RowError('"messages" has no user turn')
    if turns[-1][0] != "assistant":
        raise _RowError('"messages" must end with an assistant turn (the answer to train on)')
    return DatasetRow(line, "conversational", messages=tuple(turns))


def row_key(row: DatasetRow) -> bytes:
    """The row's identity (normalized, keyed blake2b): duplicates share it, and it decides the split."""
    if row.format == "instruction":
        text = _norm(row.prompt) + "\x1f" + _norm(row.completion)
    else:
        text = "\x1e".join(role + "\x1f" + _norm(content) for role, content in row.messages)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8, key=SPLIT_SEED).digest()


def scan_jsonl(
    path: Path | str,
    *,
    kind: Literal["auto", "instruction", "conversational"] = "auto",
    max_bytes: int = DEFAULT_MAX_BYTES,
    validation_split: float = 0.1,
    keep_rows: bool = False,
    display_path: str | None = None,
) -> DatasetScan:
    """Read `path` as a stream and check every line; keep the valid rows when `keep_rows`.

    Raises InvalidInput (field "path") for an empty or binary file, PayloadTooLarge over
    `max_bytes`. Per-line problems are reported, not raised: see `raise_for_line_errors`.
    """
    path = Path(path)
    shown = display_path or str(path)
    size = path.stat().st_size
    if size > max_bytes:
        raise PayloadTooLarge(
            f"{shown} is {size:,} bytes, over the {max_bytes:,}-byte limit for datasets",
            fields=[FieldError(field="path", message=f"over the {max_bytes:,}-byte limit")],
        )

    fmt: Format | None = None if kind == "auto" else kind
    first_line = 0
    errors: list[LineError] = []
    errors_total = 0
    rows = valid = duplicates = validation = blank = inst = 0
    unknown_keys: dict[str, int] = {}
    categories: dict[str, int] = {}
    seen: dict[bytes, int] = {}  # each distinct row's key -> how many times it occurs
    kept: list[DatasetRow] = []
    read = 0

    with path.open("rb") as stream:
        for number, raw in enumerate(stream, start=1):
            read += len(raw)
            if read > max_bytes:  # the file grew while we read it
                raise PayloadTooLarge(
                    f"{shown} is over the {max_bytes:,}-byte limit for datasets (at line {number})",
                    fields=[FieldError(field="path", message=f"over the {max_bytes:,}-byte limit")],
                )
            if b"\x00" in raw:
                raise InvalidInput(
                    f"{shown} is binary, not JSONL text: NUL byte on line {number}",
                    fields=[FieldError(field="path", message=f"binary data (NUL byte) on line {number}")],
                )
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InvalidInput(
                    f"{shown} is not UTF-8 text: invalid byte on line {number} (byte {exc.start + 1} of the line)",
                    fields=[FieldError(field="path", message=f"invalid UTF-8 on line {number}")],
                ) from None
            if number == 1 and text.startswith("\ufeff"):
                text = text[1:]
            if not text.strip():
                blank += 1
                continue
            rows += 1
            try:
                try:
                    obj = json.loads(text.rstrip("\r\n"))
                except json.JSONDecodeError as exc:
                    raise _RowError(f"invalid JSON at column {exc.colno}: {exc.msg}") from None
                if not isinstance(obj, dict):
                    raise _RowError(f"expected a JSON object, got {_type_name(obj)}")
                row_fmt = _row_format(obj)
                if fmt is None:
                    fmt, first_line = row_fmt, number
                elif row_fmt != fmt:
                    if first_line:
                        raise _RowError(
                            f"a {row_fmt} row in an {fmt} dataset (line {first_line} set the format); "
                            "use one format per file"
                        )
                    raise _RowError(f"a {row_fmt} row, but the dataset kind is {fmt}")
                row = _instruction(obj, number) if row_fmt == "instruction" else _conversation(obj, number)
                category = _category(obj)
            except _RowError as exc:
                errors_total += 1
                if len(errors) < MAX_LINE_ERRORS:
                    errors.append(LineError(line=number, message=str(exc)))
                continue
            valid += 1
            for key in obj:
                if key not in ("prompt", "completion", "messages", "category"):
                    unknown_keys.setdefault(key, number)
            if row.inst:
                inst += 1
            if category is not None:
                categories[category] = categories.get(category, 0) + 1
            digest = row_key(row)
            if digest in seen:
                duplicates += 1
            seen[digest] = seen.get(digest, 0) + 1
            if keep_rows:
                kept.append(replace(row, category=category) if category is not None else row)

    validation = sum(seen[digest] for digest in validation_keys(seen, validation_split))
    if rows == 0:
        raise InvalidInput(
            f"{shown} is empty: a dataset needs at least one JSON row",
            fields=[FieldError(field="path", message="the file is empty")],
        )

    warnings: list[str] = []
    if blank:
        warnings.append(f"{blank} blank line{'s' if blank != 1 else ''} skipped")
    if inst:
        warnings.append(
            f"{inst} prompt{'s' if inst != 1 else ''} use Llama-2 [INST] … [/INST] formatting; "
            "they are used as written, without the model's chat template"
        )
    if unknown_keys:
        listed = ", ".join(f'"{k}" (line {n})' for k, n in list(unknown_keys.items())[:5])
        warnings.append(f"unknown keys are ignored: {listed}")
    if duplicates:
        warnings.append(
            f"{duplicates} duplicate row{'s' if duplicates != 1 else ''} (same text after normalizing whitespace)"
        )
    if valid and validation_split > 0 and validation == 0:
        warnings.append("the validation split is empty: the dataset is too small for this split")

    report = DatasetReport(
        path=shown,
        format=fmt or (kind if kind != "auto" else "instruction"),
        rows=rows,
        valid_rows=valid,
        errors=errors,
        errors_total=errors_total,
        duplicates=duplicates,
        categories=categories,
        train_rows=valid - validation,
        validation_rows=validation,
        tokens=None,
        size_bytes=size,
        warnings=warnings,
    )
    return DatasetScan(report=report, rows=kept)


def validate_jsonl(
    path: Path | str,
    *,
    kind: Literal["auto", "instruction", "conversational"] = "auto",
    max_bytes: int = DEFAULT_MAX_BYTES,
    validation_split: float = 0.1,
) -> DatasetReport:
    """The report alone (no rows kept): see `scan_jsonl`."""
    return scan_jsonl(path, kind=kind, max_bytes=max_bytes, validation_split=validation_split).report


def raise_for_line_errors(report: DatasetReport) -> None:
    """For callers that need a clean file (fine-tuning, evaluation): 400 naming the lines."""
    if report.errors_total:
        first = report.errors[0]
        raise InvalidInput(
            f"{report.path}: {report.errors_total} invalid line{'s' if report.errors_total != 1 else ''}; "
            f"line {first.line}: {first.message}",
            fields=[FieldError(field=f"line {e.line}", message=e.message) for e in report.errors],
        )


# ---- paths -------------------------------------------------------------------------


def resolve_dataset_path(path: str, root: Path, *, must_exist: bool = True) -> tuple[Path, str]:
    """The file `path` names (relative to `root`, or absolute inside it) and how to show it.

    Symlinks are followed before the check, so a link cannot escape the root; the root
    check comes first so the answer does not reveal what exists outside it. With
    `must_exist` False a file still to be written is fine when its folder exists.
    """
    root = root.expanduser().resolve()
    try:
        candidate = Path(path).expanduser()
        if not candidate.is_absolute():
            candidate = root / candidate
        resolved = candidate.resolve()
        if not (resolved == root or resolved.is_relative_to(root)):
            raise InvalidInput.field("path", f"{path} is outside the Jupyter root folder")
        if not resolved.exists():
            if must_exist:
                raise NotFound(f"{path}: no such file in the Jupyter root folder")
            if not resolved.parent.is_dir():
                shown = resolved.parent.relative_to(root).as_posix()
                raise InvalidInput.field("path", f"the folder {shown} does not exist in the Jupyter root folder")
            return resolved, resolved.relative_to(root).as_posix()
        is_file = resolved.is_file()
    except (OSError, ValueError, RuntimeError) as exc:  # a name too long, a NUL byte, ~nobody
        raise InvalidInput.field("path", f"not a path this file system can open ({exc})") from None
    if not is_file:
        raise InvalidInput.field("path", f"{path} is a folder, not a JSONL file")
    return resolved, resolved.relative_to(root).as_posix()


def tokenizer_folder(artifact_location: str | None) -> Path | None:
    """The local folder holding a tokenizer, or None (remote artifact, no tokenizer files, or a
    tokenizer file that links outside the model's folder: transformers would read it)."""
    if not artifact_location or "://" in artifact_location:
        return None
    folder = Path(artifact_location).expanduser()
    if not folder.is_dir():
        return None
    present = [name for name in TOKENIZER_READS if (folder / name).is_file()]
    if any(model_file(folder, name) is None for name in present):
        return None
    return folder if any(name in TOKENIZER_FILES for name in present) else None


# ---- token pass ----------------------------------------------------------------------


def load_tokenizer(tokenizer_dir: Path) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(tokenizer_dir), local_files_only=True)


def token_stats(
    rows: Sequence[DatasetRow],
    tokenizer_dir: Path | Any,
    max_seq_length: int,
    *,
    model_id: str = "",
    batch_size: int = 512,
) -> TokenStats | None:
    """Token lengths of `rows` through the model's own tokenizer and chat template.

    Conversational rows go through the chat template; instruction rows too (as one user and
    one assistant turn) when the tokenizer has one, except Llama-2 [INST] prompts, which
    are already formatted; otherwise prompt + completion, as the trainer would join them.
    Blocking and CPU-bound: run it in a worker thread. None when there are no rows.
    """
    if not rows:
        return None
    tokenizer = tokenizer_dir if not isinstance(tokenizer_dir, (str, Path)) else load_tokenizer(Path(tokenizer_dir))
    has_template = bool(getattr(tokenizer, "chat_template", None))
    if any(r.format == "conversational" for r in rows) and not has_template:
        raise InvalidInput.field("model_id", "the model's tokenizer has no chat template for conversational rows")

    lengths: list[int] = []
    templated = plain = 0
    for start in range(0, len(rows), batch_size):
        batch = rows[start : start + batch_size]
        texts: list[str] = []
        special: list[bool] = []
        for row in batch:
            if row.format == "conversational" or (has_template and not row.inst):
                messages = (
                    [{"role": r, "content": c} for r, c in row.messages]
                    if row.format == "conversational"
                    else [{"role": "user", "content": row.prompt}, {"role": "assistant", "content": row.completion}]
                )
                texts.append(tokenizer.apply_chat_template(messages, tokenize=False))
                special.append(False)  # the template writes its own BOS/EOS
                templated += 1
            else:
                texts.append(row.prompt + row.completion)
                special.append(True)
                plain += 1
        with_special = [t for t, s in zip(texts, special, strict=True) if s]
        without = [t for t, s in zip(texts, special, strict=True) if not s]
        ids_with = iter(tokenizer(with_special, add_special_tokens=True)["input_ids"] if with_special else [])
        ids_without = iter(tokenizer(without, add_special_tokens=False)["input_ids"] if without else [])
        for s in special:
            lengths.append(len(next(ids_with) if s else next(ids_without)))

    ordered = sorted(lengths)
    over = [row.line for row, n in zip(rows, lengths, strict=True) if n > max_seq_length]
    return TokenStats(
        model_id=model_id,
        max_seq_length=max_seq_length,
        min=ordered[0],
        p50=percentile(ordered, 0.5),
        p95=percentile(ordered, 0.95),
        max=ordered[-1],
        mean=round(sum(lengths) / len(lengths), 2),
        over_limit=len(over),
        over_limit_lines=over[:MAX_OVER_LIMIT_LINES],
        template="chat_template" if templated >= plain else "prompt+completion",
    )


def validation_target(total: int, validation_split: float) -> int:
    """The validation rows asked for: the share of `total` rounded to the nearest row (halves up:
    62 rows at 10% are 6, at 20% 12), leaving at least one training row."""
    if total <= 1 or validation_split <= 0:
        return 0
    return min(math.floor(validation_split * total + 0.5), total - 1)


def validation_keys(counts: Mapping[bytes, int], validation_split: float) -> set[bytes]:
    """The one split rule (the preflight's counts are the rows a fine-tuning job holds out): the
    distinct rows (`counts`: row_key -> occurrences) in their seeded-hash order, each taken whole
    while it fits the target (validation_target). Duplicates stay together, so a row repeated
    more often than the room left is skipped for smaller ones after it; with distinct rows the
    count is the target exactly."""
    target = validation_target(sum(counts.values()), validation_split)
    chosen: set[bytes] = set()
    size = 0
    for digest in sorted(counts):
        if size >= target:
            break
        if size + counts[digest] <= target:
            chosen.add(digest)
            size += counts[digest]
    return chosen


def split_rows(rows: Sequence[DatasetRow], validation_split: float) -> tuple[list[DatasetRow], list[DatasetRow]]:
    """(train, validation), each in file order, as validation_keys splits them."""
    keys = [row_key(row) for row in rows]
    held = validation_keys(Counter(keys), validation_split)
    train = [row for row, key in zip(rows, keys, strict=True) if key not in held]
    return train, [row for row, key in zip(rows, keys, strict=True) if key in held]


async def validate_dataset(
    request: ValidateDatasetRequest,
    root: Path,
    get_model: Callable[[str], Awaitable[ModelDetail]],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> DatasetReport:
    """The preflight as the REST route and the CLI run it: the file inside `root`, every line
    checked (InvalidInput naming the bad lines), then the token pass through the model's own
    tokenizer when `request.model_id` is given. File work runs in worker threads, the token pass in
    a child process (token_worker)."""
    path, shown = await asyncio.to_thread(resolve_dataset_path, request.path, root)
    tokenizer_dir = None
    if request.model_id:
        model = await get_model(request.model_id)
        tokenizer_dir = await asyncio.to_thread(tokenizer_folder, model.artifact_location)
        if tokenizer_dir is None:
            raise InvalidInput.field(
                "model_id",
                f"tokenizer not available locally for {request.model_id}: download or register the model first",
            )
    scan = await asyncio.to_thread(
        scan_jsonl,
        path,
        kind=request.kind,
        validation_split=request.validation_split,
        max_bytes=max_bytes,
        keep_rows=tokenizer_dir is not None,
        display_path=shown,
    )
    report = scan.report
    # A file with bad lines is bad input: fine-tuning and evaluation jobs refuse it too.
    raise_for_line_errors(report)
    if tokenizer_dir is not None and scan.rows:
        report.tokens = await token_worker.token_stats(
            scan.rows, tokenizer_dir, request.max_seq_length, model_id=request.model_id or ""
        )
    return report


# ---- jobs ----------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    """A dataset file's sha256: what a job records of the file it read (and its report's provenance)."""
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _refield(error: InvalidInput | NotFound | PayloadTooLarge, field_name: str) -> None:
    """The preflight names the file "path"; a job request calls it something else."""
    if error.fields:
        error.fields = [
            FieldError(field=field_name if f.field == "path" else f"{field_name}: {f.field}", message=f.message)
            for f in error.fields
        ]
    else:
        error.fields = [FieldError(field=field_name, message=error.message)]
    if error.message.startswith("path: "):
        error.message = f"{field_name}: " + error.message[len("path: ") :]


async def preflight_for_job(
    access: DatasetAccess,
    dataset_path: str,
    *,
    field_name: str,
    validation_split: float,
    max_seq_length: int,
    tokenizer_dir: Path | None,
    model_id: str,
    display_path: str | None = None,
) -> JobDataset:
    """The preflight a job runs before anything is created: the file inside the root, every line
    valid (a 400 naming `field_name` and the lines otherwise), token lengths through the base
    model's tokenizer when it is on this machine, and the file's hash for the lineage.
    `display_path` names the file in messages (a downloaded copy of an object: its URI)."""
    try:
        path, shown = await asyncio.to_thread(resolve_dataset_path, dataset_path, access.root)
        shown = display_path or shown
        scan = await asyncio.to_thread(
            scan_jsonl,
            path,
            validation_split=validation_split,
            max_bytes=access.max_bytes,
            keep_rows=tokenizer_dir is not None,
            display_path=shown,
        )
        raise_for_line_errors(scan.report)
    except (InvalidInput, NotFound, PayloadTooLarge) as exc:
        if isinstance(exc, NotFound):  # a missing dataset is a bad field of this request, not a missing job
            exc = InvalidInput(exc.message)
        _refield(exc, field_name)
        raise exc from None
    report = scan.report
    if tokenizer_dir is not None and scan.rows:
        report.tokens = await token_worker.token_stats(scan.rows, tokenizer_dir, max_seq_length, model_id=model_id)
        if report.tokens is not None and report.tokens.over_limit:
            report.warnings.append(
                f"{report.tokens.over_limit} row{'s' if report.tokens.over_limit != 1 else ''} exceed the "
                f"{max_seq_length}-token sequence length and will be truncated"
            )
    digest = await asyncio.to_thread(file_sha256, path)
    return JobDataset(path=path, shown=shown, sha256=digest, report=report)


@asynccontextmanager
async def checked_dataset(
    access: DatasetAccess, file: DatasetFile, *, validation_split: float, max_seq_length: int
) -> AsyncIterator[JobDataset]:
    """The preflight of the file a driver found for a job's request (`file`), run before the driver's
    create: under `access`'s size limit, token lengths through the base model's tokenizer when it is on
    this machine. What the driver made for the file (`file.temp`) goes once the create is over."""
    try:
        tokenizer_dir = await asyncio.to_thread(tokenizer_folder, file.model_location) if file.model_location else None
        yield await preflight_for_job(
            DatasetAccess(root=file.root, max_bytes=access.max_bytes),
            file.path,
            field_name=file.field_name,
            validation_split=validation_split,
            max_seq_length=max_seq_length,
            tokenizer_dir=tokenizer_dir,
            model_id=file.model_id,
            display_path=file.display_path,
        )
    finally:
        await file.remove_temp()
