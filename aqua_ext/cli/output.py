"""What the CLI prints: tables, --json emission, progress lines on stderr, and the formatting of
sizes, durations, losses and scores, and a create's Terraform export written out. No command logic,
no backend."""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from ..api.datasets import DatasetReport
from ..api.finetunes import FineTuneState
from ..api.terraform import TerraformExport
from ..errors import InvalidInput

V = TypeVar("V")


def emit(args: argparse.Namespace, payload: BaseModel | list[BaseModel] | None, text: str) -> None:
    """`payload` as JSON with --json, else `text`."""
    if args.json:
        if isinstance(payload, list):
            print(json.dumps([p.model_dump(mode="json") for p in payload], indent=2))
        elif payload is not None:
            print(payload.model_dump_json(indent=2))
    else:
        print(text)


def emit_json(value: Any) -> None:
    print(json.dumps(value, indent=2))


def char_width(char: str) -> int:
    """The columns a terminal gives one character: 2 for East Asian Wide and Fullwidth (Hangul,
    kana, CJK ideographs), 0 for a combining mark (it sits on the previous character), else 1."""
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    """The columns `text` takes in a terminal. Hand-written on the standard library rather than a
    wcwidth dependency: our cells are names, ids and numbers, where width and combining are all that
    matter (no emoji sequences, no control characters to place)."""
    return sum(char_width(c) for c in text)


def pad(text: str, width: int) -> str:
    """`text` and spaces up to `width` display columns (str.ljust counts characters: a Korean or
    Japanese name would push the columns after it to the right)."""
    return text + " " * max(0, width - display_width(text))


def table(rows: list[list[str]], headers: list[str]) -> str:
    widths = [max(display_width(cell) for cell in [h, *(r[i] for r in rows)]) for i, h in enumerate(headers)]
    line = lambda cells: "  ".join(pad(c, w) for c, w in zip(cells, widths, strict=True)).rstrip()  # noqa: E731
    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


# A list's column: its header and how an item shows in it.
Column = tuple[str, Callable[[Any], str]]
# The columns every resource list starts with.
ID: Column = ("ID", lambda item: item.id)
NAME: Column = ("NAME", lambda item: item.name)


def listing(items: Sequence[Any], columns: Sequence[Column], *, several_targets: bool) -> str:
    """A table of resources; with several targets enabled, which target owns each (after its id)."""
    rows = [[show(item) for _, show in columns] for item in items]
    headers = [header for header, _ in columns]
    if several_targets:
        rows = [[r[0], str(getattr(i, "target", "") or "-"), *r[1:]] for r, i in zip(rows, items, strict=True)]
        headers = [headers[0], "TARGET", *headers[1:]]
    return table(rows, headers)


def lifecycle_listing(items: Sequence[Any], subject: Column, own: Sequence[Column], *, several_targets: bool) -> str:
    """A list of deployments or jobs, alike: id, name, what each runs on (a model, a deployment), its
    state, its `own` columns, and when it was created."""
    state: Column = ("STATE", lambda item: item.state.value)
    created: Column = ("CREATED", lambda item: item.created_at.astimezone().strftime("%Y-%m-%d %H:%M"))
    return listing(items, [ID, NAME, subject, state, *own, created], several_targets=several_targets)


def warn_problems(problems: Iterable[Any]) -> None:
    """The targets a merged list could not ask (did not start, or their list failed), on stderr."""
    for problem in problems:
        print(f"warning: {problem.target}: {problem.message}", file=sys.stderr)


def facts_text(facts: Sequence[tuple[str, str]], width: int) -> str:
    """`key value` lines, indented, the values aligned."""
    return "\n".join(f"  {k:<{width}} {v}" for k, v in facts)


def set_only(pairs: Iterable[tuple[str, V | None]]) -> list[tuple[str, V]]:
    """The pairs whose value is set: facts that only some resources have (OCI's job, a fine-tune),
    settings left at their zero default."""
    return [(k, v) for k, v in pairs if v]


def detail_text(item: Any, facts: Sequence[tuple[str, str]], width: int, *, log: str, extra: str = "") -> str:
    """A resource's `get`: its name (— its description), its facts, `extra` (an evaluation's scores),
    then the last lines of its `log` ("job", "engine") that say why it failed."""
    text = item.name + (f" — {item.description}" if item.description else "") + "\n"
    text += facts_text(facts, width) + extra
    if item.failure_log:
        text += f"\n  {log} log (last lines):\n" + "\n".join(f"    {line}" for line in item.failure_log)
    return text


def time_facts(item: Any) -> list[tuple[str, str]]:
    """When a resource was created, last updated and (a job that ended) finished, in local time."""
    times = (
        ("created", item.created_at),
        ("updated", item.updated_at),
        ("finished", getattr(item, "finished_at", None)),
    )
    return [(k, t.astimezone().isoformat(timespec="seconds")) for k, t in times if t is not None]


def error(text: str) -> None:
    print(f"error: {text}", file=sys.stderr)


# ---- progress on stderr --------------------------------------------------------------


def progress(prefix: str, message: str, *, tty: bool, last: list[str]) -> None:
    """One progress line on stderr: rewritten in place on a terminal (`prefix` ticking), one line
    per change of `message` otherwise."""
    if tty:
        print(f"\r{prefix} {message}"[:120].ljust(80), end="", file=sys.stderr, flush=True)
    elif message != (last[0] if last else None):
        print(f"{prefix} {message}", file=sys.stderr, flush=True)
    last[:] = [message]


class StatusLines:
    """Progress on stderr: lasting lines (a state change, a logged loss) and, on a terminal, one
    ticking line rewritten in place below them."""

    def __init__(self, tty: bool) -> None:
        self.tty = tty
        self.ticking = False

    def line(self, text: str) -> None:
        if self.ticking:
            print("\r" + " " * 100 + "\r", end="", file=sys.stderr)
            self.ticking = False
        print(text, file=sys.stderr, flush=True)

    def tick(self, text: str) -> None:
        if self.tty:
            print(f"\r{text}"[:120].ljust(100), end="", file=sys.stderr, flush=True)
            self.ticking = True

    def close(self) -> None:
        if self.ticking:
            print(file=sys.stderr, flush=True)
            self.ticking = False


# ---- formatting ----------------------------------------------------------------------


def fmt_size(n: int | None) -> str:
    return "-" if n is None else f"{n / 1e9:.1f} GB" if n >= 1e8 else f"{n / 1e6:.1f} MB"


def fmt_params(n: int | None) -> str:
    if n is None:
        return "-"
    for unit, scale in (("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f}{unit}"
    return str(n)


def fmt_loss(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def fmt_duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def clip(text: str, width: int = 32) -> str:
    """`text` on one line in at most `width` display columns, cut with an ellipsis."""
    flat = " ".join(text.split())
    if display_width(flat) <= width:
        return flat
    kept, used = [], 0
    for char in flat:
        if used + char_width(char) > width - 1:
            break
        kept.append(char)
        used += char_width(char)
    return "".join(kept) + "…"


def state_text(state: FineTuneState, message: str) -> str:
    """The state and its message, unless the message only repeats the state ("Succeeded")."""
    repeats = message.lower() == state.value.lower().replace("_", " ")
    return state.value + (f"  ({message})" if message and not repeats else "")


def preflight_lines(report: DatasetReport, *, split: bool = True) -> list[str]:
    """The dataset preflight's summary and warnings (`split`: the train / validation rows)."""
    lines = [
        f"dataset {report.path}: {report.valid_rows:,} {report.format} rows"
        + (f"; train {report.train_rows:,} / validation {report.validation_rows:,}" if split else "")
    ]
    if report.tokens is not None:
        t = report.tokens
        lines.append(
            f"tokens ({t.template}): p50 {t.p50} · p95 {t.p95} · max {t.max}; "
            f"{t.over_limit:,} rows over {t.max_seq_length}"
        )
    return lines + [f"warning: {w}" for w in report.warnings]


# Score keys in the order tables show them (as the Evaluations screens do), with their labels.
SCORE_LABELS = {
    "bertscore": "BERTScore",
    "rouge1": "ROUGE-1",
    "rouge2": "ROUGE-2",
    "rougeL": "ROUGE-L",
    "exact_match": "exact match",
    "bleu": "BLEU",
    "chrf": "chrF",
    "readability": "readability (Flesch)",
    "judge": "judge (1-5 as 0-1)",
    "judge_1": "judge 1",
    "judge_2": "judge 2",
    "latency_ms_mean": "latency mean",
    "latency_ms_p50": "latency p50",
    "latency_ms_p95": "latency p95",
    "tokens_per_s_mean": "tokens/s mean",
}
_HUNDRED_SCALE = {"bleu", "chrf", "readability"}  # 0..100 (Flesch: about); the others 0..1


def score_keys(keys: Iterable[str]) -> list[str]:
    order = list(SCORE_LABELS)
    return sorted(set(keys), key=lambda k: (order.index(k) if k in order else len(order), k))


def fmt_score(key: str, value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "-"
    if key.startswith("latency"):
        return f"{value:,.0f} ms"
    if key.startswith("tokens_per_s"):
        return f"{value:.1f} tok/s"
    return f"{value:.1f}" if key in _HUNDRED_SCALE else f"{value:.3f}"


def add_export_flags(parser: Any, help: str) -> None:
    """`--export terraform|python` and `-o FILE` of a create command (what `write_export` writes);
    `help`: what --export prints for this create."""
    parser.add_argument("--export", choices=("terraform", "python"), help=help)
    parser.add_argument("-o", "--output", metavar="FILE", help="with --export: write it to FILE (default: stdout)")


def check_export_output(args: argparse.Namespace) -> None:
    """-o names where an export goes: without --export it is a mistake, said before anything is asked."""
    if args.output and not args.export:
        raise InvalidInput.field("output", "-o writes an export: add --export terraform (or python)")


async def write_export(args: argparse.Namespace, export: TerraformExport) -> int:
    """A create's Terraform (`--export terraform`) or its SDK calls in Python (`--export python`): printed, or
    written to `-o FILE` (off the event loop)."""
    python = getattr(args, "export", None) == "python"
    text = export.python if python else export.hcl
    if not args.output:
        emit(args, export, text.rstrip("\n"))
        return 0
    path = Path(args.output)
    try:
        await asyncio.to_thread(path.write_text, text, encoding="utf-8")
    except OSError as exc:
        raise InvalidInput.field("output", f"{path}: {exc.strerror or exc}") from None
    if args.json:
        emit_json({"path": str(path.resolve()), "bytes": len(text.encode())})
    elif python:
        print(f"wrote {path} (review it, then run it with python: it creates the resources)")
    else:
        print(f"wrote {path} (review it, then `terraform init` and `terraform apply`)")
    return 0
