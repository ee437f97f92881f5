"""`aqua-ext finetune create|list|get|cancel|delete|metrics|logs`.

`create` starts from the base model's defaults (as the fine-tune form does) for the hyperparameters
its flags leave out, checks the dataset (relative to the current folder, as `datasets validate`),
prints the preflight's warnings and the new job's id; with --follow it prints the progress and each
logged loss until the job ends (exit 0 on SUCCEEDED, 1 on FAILED or CANCELED). The job runs
detached (locally a process of its own, on OCI a job run): Ctrl-C only stops following, and
`finetune cancel` stops the job."""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Sequence
from typing import Any

from ..api.finetunes import (
    FINAL_FINETUNE_STATES,
    CreateFineTuneRequest,
    CreateFineTuneResponse,
    FineTuneDetail,
    FineTuneParams,
    FineTuneState,
    FineTuneSummary,
    MetricPoint,
    MetricsQuery,
)
from .context import (
    Context,
    add_command,
    add_group,
    add_oci_logging_flags,
    add_target_flag,
    given_flags,
    request_from_flags,
)
from .jobs import JobKind, StateChanges, add_job_commands, follow_job, job_basics, job_facts, job_failed, job_started
from .output import (
    Column,
    StatusLines,
    add_export_flags,
    check_export_output,
    detail_text,
    emit,
    fmt_duration,
    fmt_loss,
    lifecycle_listing,
    preflight_lines,
    set_only,
    table,
    time_facts,
    write_export,
)


def _param_default(name: str) -> str:
    """The contract's default (a model's own may differ, e.g. a shorter sequence length)."""
    return f"usually {FineTuneParams.model_fields[name].default:g}"


def add_parser(sub: Any) -> None:
    ft = add_group(sub, "finetune", "fine-tune a model on a JSONL dataset and follow the job")
    ftc = add_command(ft, "create", "check the dataset and start a fine-tuning job (LoRA or last layers)")
    ftc.add_argument("model_id", help="the base model (ready to fine-tune)")
    ftc.add_argument("dataset", help="a .jsonl file under the current folder (OCI: also oci://bucket@namespace/path)")
    ftc.add_argument("--name", required=True, help="the job's name, also the fine-tuned model's")
    ftc.add_argument("--description")
    split = CreateFineTuneRequest.model_fields["validation_split"].default
    ftc.add_argument(
        "--validation-split",
        type=float,
        help=f"share of rows held out for the validation loss (0-0.5, default {split:g})",
    )
    hp = ftc.add_argument_group("hyperparameters (left out: the base model's defaults, as in the fine-tune form)")
    hp.add_argument(
        "--training-type",
        choices=["lora", "last_layers"],
        help="lora: low-rank adapters (default); last_layers: the last N decoder layers in full",
    )
    hp.add_argument("--epochs", type=int, help=_param_default("epochs"))
    hp.add_argument("--learning-rate", type=float, help=_param_default("learning_rate"))
    hp.add_argument("--batch-size", type=int, help=_param_default("batch_size"))
    hp.add_argument(
        "--max-seq-length", type=int, help=f"tokens; longer rows are truncated ({_param_default('max_seq_length')})"
    )
    hp.add_argument("--pad-to-max-length", action="store_true", help="pad every row to --max-seq-length")
    hp.add_argument("--lora-r", type=int, help=_param_default("lora_r"))
    hp.add_argument("--lora-alpha", type=int, help=_param_default("lora_alpha"))
    hp.add_argument("--lora-dropout", type=float, help=_param_default("lora_dropout"))
    hp.add_argument(
        "--lora-target-modules", metavar="A,B", help="module names, e.g. q_proj,v_proj (default: every linear layer)"
    )
    hp.add_argument(
        "--last-n-layers", type=int, help=f"with --training-type last_layers ({_param_default('last_n_layers')})"
    )
    hp.add_argument(
        "--early-stopping-patience",
        type=int,
        help=f"evaluations without improvement before stopping (0: off; {_param_default('early_stopping_patience')})",
    )
    hp.add_argument("--early-stopping-threshold", type=float, help="the smallest improvement that counts")
    hp.add_argument(
        "--logging-steps", type=int, help=f"log the train loss every N steps ({_param_default('logging_steps')})"
    )
    hp.add_argument("--seed", type=int, help=_param_default("seed"))
    where = ftc.add_argument_group("where it runs")
    where.add_argument("--shape", help="local: cpu or gpu (default: gpu when there is one); OCI: a job shape")
    where.add_argument("--replicas", type=int, default=1, help="OCI: nodes of a distributed run")
    where.add_argument("--output-uri", help="OCI: oci://bucket@namespace/prefix (a versioned bucket) for the weights")
    where.add_argument("--experiment-name", help="OCI: the model version set grouping runs")
    where.add_argument("--subnet-id", help="OCI: required for --replicas > 1")
    add_oci_logging_flags(where)
    add_target_flag(where, "to fine-tune on (the base model's own)")
    add_export_flags(
        ftc,
        "OCI: print the job as Terraform (oci_datascience_job and its run), or the OCI SDK calls in Python, "
        "after the create's checks, instead of creating it",
    )
    ftc.add_argument(
        "--follow",
        "-f",
        action="store_true",
        help="print progress and losses until the job ends (exit 1 unless it SUCCEEDED); "
        "Ctrl-C stops following, not the job",
    )
    add_job_commands(
        ft,
        "finetune_id",
        "list fine-tuning jobs",
        (
            ("get", "show one job"),
            ("cancel", "stop a running job (CANCELING, then CANCELED)"),
            ("delete", "remove a finished job and the model it produced"),
            ("metrics", "the job's logged losses"),
        ),
        "the job's log",
        "keep printing new lines until the job ends (or Ctrl-C)",
    )


# Flags that become FineTuneParams fields when given; left out, the base model's defaults apply.
_FINETUNE_PARAM_FLAGS = (
    "training_type",
    "epochs",
    "learning_rate",
    "batch_size",
    "max_seq_length",
    "lora_r",
    "lora_alpha",
    "lora_dropout",
    "last_n_layers",
    "early_stopping_patience",
    "early_stopping_threshold",
    "logging_steps",
    "seed",
)


def _given_params(args: argparse.Namespace) -> dict[str, Any]:
    """The hyperparameters set by flags."""
    params = given_flags(args, _FINETUNE_PARAM_FLAGS)
    if args.pad_to_max_length:
        params["pad_to_max_length"] = True
    if args.lora_target_modules is not None:
        params["lora_target_modules"] = [m.strip() for m in args.lora_target_modules.split(",") if m.strip()]
    return params


def _finetune_request(args: argparse.Namespace) -> CreateFineTuneRequest:
    """The request the REST route takes, from the flags: out-of-range values are the API's errors,
    named as the API names them (`params.epochs`). The hyperparameters left out are not in
    `params.model_fields_set`: the service fills them with the base model's defaults."""
    return request_from_flags(
        CreateFineTuneRequest, args, renamed={"dataset_path": "dataset"}, params=_given_params(args)
    )


def _fmt_finetune_progress(f: FineTuneSummary) -> str:
    text = f"{f.progress * 100:.0f}%"
    if f.total_steps:
        text += f" ({f.step}/{f.total_steps})"
    return text


def _point_text(point: MetricPoint, total_steps: int | None) -> str:
    parts = [f"step {point.step}/{total_steps}" if total_steps else f"step {point.step}", f"epoch {point.epoch:.2f}"]
    if point.train_loss is not None:
        parts.append(f"train loss {point.train_loss:.4f}")
    if point.validation_loss is not None:
        parts.append(f"validation loss {point.validation_loss:.4f}")
    if point.learning_rate is not None:
        parts.append(f"lr {point.learning_rate:.2e}")
    return " · ".join(parts)


def _finetune_rows(items: Sequence[FineTuneSummary], several_targets: bool) -> str:
    subject: Column = ("BASE MODEL", lambda f: f.base_model_name)
    return lifecycle_listing(items, subject, [("PROGRESS", _fmt_finetune_progress)], several_targets=several_targets)


def _finetune_text(f: FineTuneDetail) -> str:
    p = f.params
    if f.training_type == "lora":
        method = (
            f"LoRA r={p.lora_r} alpha={p.lora_alpha} dropout={p.lora_dropout:g} "
            f"modules={','.join(p.lora_target_modules) or 'all-linear'}"
        )
    else:
        method = f"last {p.last_n_layers} layer{'s' if p.last_n_layers != 1 else ''} in full"
    hyper = (
        f"epochs {p.epochs} · lr {p.learning_rate:g} · batch {p.batch_size} · max seq {p.max_seq_length}"
        + (" (padded)" if p.pad_to_max_length else "")
        + f" · logging every {p.logging_steps} steps · seed {p.seed}"
    )
    if p.early_stopping_patience:
        hyper += f" · early stopping after {p.early_stopping_patience} (threshold {p.early_stopping_threshold:g})"
    rows = "-" if f.train_rows is None else f"train {f.train_rows:,} / validation {f.validation_rows or 0:,}"
    progress = f"{_fmt_finetune_progress(f)} · epoch {f.epoch:.2f}"
    if f.eta_seconds is not None and f.state not in FINAL_FINETUNE_STATES:
        progress += f" · ETA {fmt_duration(f.eta_seconds)}"
    resources = [f"wall {fmt_duration(f.wall_seconds)}"] if f.wall_seconds is not None else []
    if f.peak_memory_mb is not None:
        resources.append(f"peak memory {f.peak_memory_mb:,.0f} MB")
    facts = [
        *job_facts(f),
        ("base model", f"{f.base_model_name}  ({f.base_model_id})"),
        ("dataset", f"{f.dataset_path}  (sha256 {f.dataset_hash[:12]})"),
        ("rows", f"{rows}  (split {f.validation_split:g})"),
        ("method", method),
        ("hyperparams", hyper),
        ("shape", f.shape + (f" × {f.replicas}" if f.replicas > 1 else "")),
        ("progress", progress),
        ("final loss", f"train {fmt_loss(f.final_train_loss)} · validation {fmt_loss(f.final_validation_loss)}"),
        ("output model", f.output_model_id or "-"),
        ("artifact", f.artifact_location or "-"),
        ("resources", " · ".join(resources) or "-"),
    ]
    # OCI's resources, where there are any.
    facts += set_only(
        (
            ("job", f.job_id),
            ("job run", f.job_run_id),
            ("output uri", f.output_uri),
            ("experiment", f.experiment_name),
            ("subnet", f.subnet_id),
            ("log", f"{f.log_group_id} / {f.log_id}" if f.log_id else None),
        )
    )
    return detail_text(f, facts + time_facts(f), 13, log="job")


async def _follow_finetune(ctx: Context, detail: FineTuneDetail) -> FineTuneDetail:
    """Print the job's state changes and each metric point as it arrives (metrics asked for with
    the cursor, so each comes once) until the job ends; return its final detail."""
    args, finetunes = ctx.args, ctx.services.finetunes
    cursor = 0
    states = StateChanges()

    async def poll(status: StatusLines, clock: str) -> bool:
        nonlocal detail, cursor
        # The state first: once it is final, the metrics read next hold every point.
        detail = await finetunes.get(detail.id)
        metrics = await finetunes.metrics(detail.id, MetricsQuery(after=cursor))
        cursor = metrics.cursor
        if not args.json:
            if detail.state not in FINAL_FINETUNE_STATES:
                states.show(status, clock, detail)
            for point in metrics.points:
                status.line(f"{clock} {_point_text(point, detail.total_steps)}")
            if detail.state not in FINAL_FINETUNE_STATES:
                eta = f" · ETA {fmt_duration(detail.eta_seconds)}" if detail.eta_seconds is not None else ""
                status.tick(f"{clock} {_fmt_finetune_progress(detail)} · epoch {detail.epoch:.2f}{eta}")
        return detail.state in FINAL_FINETUNE_STATES

    await follow_job(args, poll, "finetune", "the fine-tuning job", detail.id)
    return detail


def _finetune_outcome(args: argparse.Namespace, response: CreateFineTuneResponse) -> int:
    f = response.finetune
    if f.state == FineTuneState.SUCCEEDED:
        text = (
            f"fine-tuned {f.name} ({f.id}): SUCCEEDED"
            + (f" in {fmt_duration(f.wall_seconds)}" if f.wall_seconds is not None else "")
            + f"\n  final loss: train {fmt_loss(f.final_train_loss)} · "
            f"validation {fmt_loss(f.final_validation_loss)}"
        )
        if f.output_model_id:
            text += (
                f"\n  model: {f.output_model_id}"
                f"\n  deploy it: aqua-ext deployments create {f.output_model_id} --name {shlex.quote(f.name)}"
            )
        emit(args, response, text)
        return 0
    job_failed(args, response, f"fine-tuning job {f.id}", f.state, f.state_message, f.failure_log)
    return 1


async def run(ctx: Context) -> int:
    args, finetunes = ctx.args, ctx.services.finetunes
    cmd = args.finetune_command
    kind = JobKind(
        "fine-tuning jobs",
        "finetune_id",
        finetunes,
        _finetune_rows,
        _finetune_text,
        command="finetune",
        noun="job",
        field="finetune",
        follow=_follow_finetune,
        outcome=_finetune_outcome,
    )
    if cmd == "create":
        check_export_output(args)
        # As the fine-tune form: the hyperparameters left out are the base model's defaults.
        request = await finetunes.with_model_defaults(_finetune_request(args))
        if args.export:
            return await write_export(args, await finetunes.terraform(request, ctx.dataset_access()))
        response = await finetunes.create(request, ctx.dataset_access())
        f = response.finetune
        return await job_started(
            ctx, kind, response, preflight_lines(response.preflight), f"{f.training_type}, {f.shape}"
        )

    done = await job_basics(ctx, cmd, kind)
    if done is not None:
        return done

    if cmd == "metrics":
        metrics = await finetunes.metrics(args.finetune_id, MetricsQuery())
        rows = [
            [
                str(p.step),
                f"{p.epoch:.2f}",
                fmt_loss(p.train_loss),
                fmt_loss(p.validation_loss),
                "-" if p.learning_rate is None else f"{p.learning_rate:.2e}",
            ]
            for p in metrics.points
        ]
        emit(
            args,
            metrics,
            table(rows, ["STEP", "EPOCH", "TRAIN LOSS", "VALIDATION LOSS", "LEARNING RATE"])
            + f"\n{len(metrics.points)} points; the job is {metrics.state.value}",
        )
        return 0
    raise AssertionError(args)
