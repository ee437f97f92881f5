"""`aqua-ext datasets validate`: the same preflight as the REST route."""

from __future__ import annotations

from typing import Any

from ..api.datasets import ValidateDatasetRequest
from ..services.datasets import validate_dataset
from .context import Context, add_command, add_group, request_from_flags
from .output import emit


def add_parser(sub: Any) -> None:
    datasets = add_group(sub, "datasets", "check fine-tuning and evaluation data")
    validate = add_command(datasets, "validate", "preflight a JSONL file: bad lines, duplicates, split, tokens")
    validate.add_argument("path", help="a .jsonl file under the current folder")
    validate.add_argument("--model-id", help="count tokens with this model's tokenizer and chat template")
    validate.add_argument("--max-seq-length", type=int, default=2048)
    validate.add_argument("--validation-split", type=float, default=0.1)
    validate.add_argument("--kind", choices=["auto", "instruction", "conversational"], default="auto")


async def run(ctx: Context) -> int:
    args = ctx.args
    request = request_from_flags(ValidateDatasetRequest, args)
    # Paths are relative to the current folder, as Jupyter's are to its root.
    report = await validate_dataset(request, ctx.root, ctx.services.models.get)
    lines = [
        f"{report.path}: {report.rows:,} {report.format} rows, {report.duplicates:,} duplicates; "
        f"train {report.train_rows:,} / validation {report.validation_rows:,}"
    ]
    if report.categories:
        lines.append("categories: " + ", ".join(f"{k} {v:,}" for k, v in sorted(report.categories.items())))
    if report.tokens is not None:
        t = report.tokens
        lines.append(
            f"tokens ({t.template}): min {t.min} · p50 {t.p50} · p95 {t.p95} · max {t.max}; "
            f"{t.over_limit:,} rows over {t.max_seq_length} would be truncated"
            + (f" (lines {', '.join(map(str, t.over_limit_lines))})" if t.over_limit_lines else "")
        )
    lines += [f"warning: {w}" for w in report.warnings]
    emit(args, report, "\n".join(lines))
    return 0
