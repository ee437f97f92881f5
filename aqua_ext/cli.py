"""The `aqua-ext` command: the same backends and services as the REST API, in a terminal.

    aqua-ext info
    aqua-ext models list [--q TEXT] [--source S] [--capability C] [--format F] [--max-size-gb N] [--refresh]
    aqua-ext models get MODEL_ID
    aqua-ext models register (--path FOLDER | --os-uri oci://B@NS/PREFIX | --hf-id ORG/NAME [--revision R]
                              [--os-uri oci://B@NS/PREFIX]) [--name NAME]
    aqua-ext models delete MODEL_ID
    aqua-ext models fit MODEL_ID [--dtype D] [--context-length N] [--concurrency N]
    aqua-ext deployments create MODEL_ID --name NAME [--description D] [--shape S] [--replicas N]
                              [--engine E] [--mode chat|completion|embedding] [--dtype D]
                              [--max-model-len N] [--param '--name value' ...]
                              [--log-group-id ID --log-id ID] [--no-wait]
    aqua-ext deployments list
    aqua-ext deployments get|activate|deactivate|delete DEPLOYMENT_ID
    aqua-ext deployments logs DEPLOYMENT_ID [--tail N] [--follow]
    aqua-ext chat DEPLOYMENT_ID "prompt" [--system S] [--max-tokens N] [--temperature T] [--top-p P]
                              [--top-k K] [--stop S]... [--seed N] [--timeout S]
    aqua-ext datasets validate PATH [--model-id M] [--max-seq-length N] [--validation-split F] [--kind K]
    aqua-ext finetune create MODEL_ID DATASET --name NAME [--epochs N] [--learning-rate F] [--batch-size N]
                              [--max-seq-length N] [--validation-split F] [--training-type lora|last_layers]
                              [--lora-r N] [--lora-alpha N] [--lora-dropout F] [--lora-target-modules a,b]
                              [--last-n-layers N] [--pad-to-max-length] [--early-stopping-patience N]
                              [--early-stopping-threshold F] [--logging-steps N] [--seed N] [--shape S]
                              [--replicas N] [--output-uri oci://B@NS/PREFIX] [--experiment-name E]
                              [--subnet-id ID] [--log-group-id ID --log-id ID] [--description D] [--follow]
    aqua-ext finetune list
    aqua-ext finetune get|cancel|delete|metrics JOB_ID
    aqua-ext finetune logs JOB_ID [--tail N] [--follow]
    aqua-ext evaluations create DEPLOYMENT_ID (DATASET | --finetune-id ID) --name NAME [--description D]
                              [--sample-size N] [--metrics rouge,bleu,...] [--concurrency N] [--max-tokens N]
                              [--temperature T] [--top-p P] [--top-k K] [--frequency-penalty F]
                              [--presence-penalty F] [--stop S]... [--seed N] [--shape S] [--report-uri URI]
                              [--log-group-id ID --log-id ID] [--follow]
    aqua-ext evaluations list
    aqua-ext evaluations get|cancel|delete EVALUATION_ID
    aqua-ext evaluations rows EVALUATION_ID [--sort KEY] [--desc] [--category C] [--limit N] [--offset N]
    aqua-ext evaluations report EVALUATION_ID [-o FILE] [--force]
    aqua-ext evaluations compare EVALUATION_ID EVALUATION_ID [...]
    aqua-ext evaluations logs EVALUATION_ID [--tail N] [--follow]

The OCI backend (`--backend oci`) reads the same settings as the server
extension: --oci-* flags, else OCI_CONFIG_LOCATION, OCI_CONFIG_PROFILE, OCI_IAM_TYPE,
NB_SESSION_COMPARTMENT_OCID, PROJECT_OCID, OCI_REGION and AQUA_OCI_ENDPOINTS
(service=url,service=url).

Tables by default, JSON with --json. A Hugging Face token is read from HF_TOKEN,
never from the command line (it would show in `ps` and shell history).

`deployments create` and `activate` follow the deployment until it is ACTIVE or FAILED.
On OCI, Ctrl-C (or --no-wait) only stops following. Locally this command brings the engine
up (its readiness check runs here), so Ctrl-C while waiting cancels it (INACTIVE) and
--no-wait is refused; once ACTIVE, the engine runs detached: it outlives this command, as it
outlives a Jupyter restart, until `deployments deactivate` or `delete`. `chat` streams the
answer to stdout as it arrives and a stats line (TTFT, tokens/s, usage) to stderr; Ctrl-C
closes the stream, so the engine stops generating.

`finetune create` starts from the base model's defaults (as the fine-tune form does) for the
hyperparameters its flags leave out, checks the dataset (relative to the current folder, as
`datasets validate`), prints the preflight's warnings and the new job's id; with --follow it
prints the progress and each logged loss until the job ends (exit 0 on SUCCEEDED, 1 on FAILED
or CANCELED). The job runs detached (locally a process of its own, on OCI a job run): Ctrl-C
only stops following, and `finetune cancel` stops the job.

`evaluations create` does the same for an evaluation of an ACTIVE deployment (model parameters
left out: the contract's defaults); --follow prints the rows answered and, at the end, the
overall scores. `evaluations report` writes the self-contained HTML report (never over an
existing file without --force); `evaluations compare` puts 2 to 8 evaluations side by side,
the best score of each metric marked, with notes on what makes the comparison unfair.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import math
import os
import shlex
import sys
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from . import __version__
from .api.datasets import DatasetReport, ValidateDatasetRequest
from .api.deployments import (
    TRANSITIONAL_STATES,
    ChatMessage,
    ChatRequest,
    CreateDeploymentRequest,
    DeploymentDetail,
    DeploymentState,
)
from .api.evaluations import (
    ALL_METRICS,
    CreateEvaluationRequest,
    CreateEvaluationResponse,
    EvaluationComparison,
    EvaluationDetail,
    EvaluationReport,
    EvaluationRows,
    EvaluationRowsQuery,
    EvaluationSummary,
    MetricScores,
    ModelParameters,
)
from .api.finetunes import (
    FINAL_FINETUNE_STATES,
    CreateFineTuneRequest,
    CreateFineTuneResponse,
    FineTuneDefaultsQuery,
    FineTuneDetail,
    FineTuneParams,
    FineTuneState,
    FineTuneSummary,
    MetricPoint,
    MetricsQuery,
)
from .api.fit import FitQuery
from .api.info import BackendDescription, Info
from .api.logs import LogPage, LogsQuery
from .api.models import ModelListQuery, RegisterModelRequest
from .api.operations import TERMINAL_STATES, Operation, OperationState
from .backends.base import Backend
from .errors import AquaError, InvalidInput, NotFound, Unavailable, Upstream
from .services.datasets import DatasetAccess, validate_dataset
from .services.evaluation_results import MAX_COMPARED, compare
from .services.hardware import detect_engines, detect_hardware
from .services.memory_fit import estimate_fit
from .services.model_filter import filter_models
from .services.operations import OperationRegistry


def _in_oci_notebook_session() -> bool:
    # As app.in_oci_notebook_session (a test keeps them equal): importing aqua_ext.app would import
    # jupyter_server, which costs seconds on every command.
    return bool(os.environ.get("OCI_RESOURCE_PRINCIPAL_VERSION") and os.environ.get("NB_SESSION_OCID"))


def _default_data_dir() -> Path:
    # AquaExtension.data_dir's default, without importing jupyter_server (a test keeps them equal).
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "aqua_ext"


def _make_backend(args: argparse.Namespace, operations: OperationRegistry) -> Backend:
    # Same defaults as the server extension, so the CLI sees the same models.
    kind = args.backend if args.backend != "auto" else ("oci" if _in_oci_notebook_session() else "local")
    if kind == "oci":
        from .backends.oci.backend import OciBackend
        from .backends.oci.config import OciSettings, parse_endpoints

        endpoints = parse_endpoints([os.environ.get("AQUA_OCI_ENDPOINTS", ""), *(args.oci_endpoint or [])])
        settings = OciSettings(
            auth=args.oci_auth or "auto",
            config_file=args.oci_config_file or "",
            profile=args.oci_profile or "",
            region=args.oci_region or "",
            compartment_id=args.oci_compartment_id or "",
            project_id=args.oci_project_id or "",
            endpoints=endpoints,
        )
        return OciBackend(operations, settings)
    from .backends.local.backend import LocalBackend

    data_dir = Path(args.data_dir or _default_data_dir()).expanduser().resolve()
    roots = [Path(p).expanduser().resolve() for p in (args.allowed_root or [])] or [Path.cwd().resolve(), data_dir]
    return LocalBackend(operations, data_dir=data_dir, allowed_roots=roots, generate_demo=False)


def _fmt_size(n: int | None) -> str:
    return "-" if n is None else f"{n / 1e9:.1f} GB" if n >= 1e8 else f"{n / 1e6:.1f} MB"


def _fmt_params(n: int | None) -> str:
    if n is None:
        return "-"
    for unit, scale in (("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f}{unit}"
    return str(n)


def _table(rows: list[list[str]], headers: list[str]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()  # noqa: E731
    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def _emit(args: argparse.Namespace, payload: BaseModel | list[BaseModel] | None, text: str) -> None:
    if args.json:
        if isinstance(payload, list):
            print(json.dumps([p.model_dump(mode="json") for p in payload], indent=2))
        elif payload is not None:
            print(payload.model_dump_json(indent=2))
    else:
        print(text)


async def _run(args: argparse.Namespace) -> int:
    operations = OperationRegistry()
    backend = _make_backend(args, operations)
    try:
        await backend.start()
    except asyncio.CancelledError:  # Ctrl-C while starting: still close what was opened
        await backend.close()
        raise
    except Exception as exc:  # e.g. an OCI configuration problem: the message says what to fix
        await backend.close()
        problem = f"The {backend.kind} backend could not start: {exc.message if isinstance(exc, AquaError) else exc}"
        if args.command != "info":
            raise Unavailable(problem) from exc
        label = {"local": "Local (this machine)", "oci": "OCI Data Science"}.get(backend.kind, backend.kind)
        description = BackendDescription(kind=backend.kind, label=label, ready=False, problem=problem)
        await _info(args, description)
        return 1
    try:
        return await _dispatch(args, backend, operations)
    finally:
        await operations.close()
        await backend.close()


async def _info(args: argparse.Namespace, description: BackendDescription) -> None:
    hardware = await asyncio.to_thread(detect_hardware)
    info = Info(version=__version__, backend=description, hardware=hardware, engines=detect_engines(hardware))
    gpus = ", ".join(f"{g.name} ({g.memory_gb:.0f} GB)" for g in hardware.gpus) or "none"
    engines = "\n".join(
        f"  {'✓' if e.available else '✗'} {e.label}"
        + (f" {e.version}" if e.version else "")
        + ("" if e.available else f"  ({e.reason})")
        for e in info.engines
    )
    _emit(
        args,
        info,
        f"aqua_ext {info.version}\nbackend: {info.backend.label}"
        + (f"  [{info.backend.problem}]" if info.backend.problem else "")
        + f"\nhardware: {hardware.cpu_count} CPUs, {hardware.memory_gb:.0f} GB RAM, GPUs: {gpus}"
        + f"\nengines:\n{engines}",
    )


async def _datasets(args: argparse.Namespace, backend: Backend) -> int:
    request = ValidateDatasetRequest(
        path=args.path,
        model_id=args.model_id,
        max_seq_length=args.max_seq_length,
        validation_split=args.validation_split,
        kind=args.kind,
    )
    # Paths are relative to the current folder, as Jupyter's are to its root.
    report = await validate_dataset(request, Path.cwd(), backend.get_model)
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
    _emit(args, report, "\n".join(lines))
    return 0


async def _dispatch(args: argparse.Namespace, backend: Backend, operations: OperationRegistry) -> int:
    if args.command == "info":
        await _info(args, await backend.describe())
        return 0
    if args.command == "deployments":
        return await _deployments(args, backend, operations)
    if args.command == "chat":
        return await _chat(args, backend)
    if args.command == "datasets":
        return await _datasets(args, backend)
    if args.command == "finetune":
        return await _finetune(args, backend)
    if args.command == "evaluations":
        return await _evaluations(args, backend)

    if args.models_command == "list":
        query = ModelListQuery(
            q=args.q,
            source=args.source,
            capability=args.capability,
            format=args.format,
            max_size_gb=args.max_size_gb,
            refresh=args.refresh,
        )
        models = filter_models(await backend.list_models(refresh=query.refresh), query)
        rows = [
            [
                m.id,
                m.name,
                m.source.value,
                m.capability.value,
                _fmt_params(m.parameter_count),
                _fmt_size(m.size_bytes),
                ",".join(f.value for f in m.formats),
                "yes" if m.ready_to_deploy else "no",
            ]
            for m in models
        ]
        _emit(
            args,
            list(models),
            _table(rows, ["ID", "NAME", "SOURCE", "CAPABILITY", "PARAMS", "SIZE", "FORMATS", "DEPLOYABLE"])
            + f"\n{len(models)} models",
        )
        return 0

    if args.models_command == "get":
        m = await backend.get_model(args.model_id)
        facts = [
            ("id", m.id),
            ("source", m.source.value),
            ("organization", m.organization or "-"),
            ("license", m.license or "-"),
            ("task", m.task or "-"),
            ("capability", m.capability.value),
            ("parameters", _fmt_params(m.parameter_count)),
            ("context", str(m.context_length or "-")),
            ("size", _fmt_size(m.size_bytes)),
            ("hugging face", m.hf_id or "-"),
            ("location", m.artifact_location or "-"),
        ]
        text = f"{m.name}\n" + "\n".join(f"  {k:<13} {v}" for k, v in facts)
        if m.notes:
            text += "\n" + "\n".join(f"  note: {n}" for n in m.notes)
        _emit(args, m, text)
        return 0

    if args.models_command == "fit":
        m = await backend.get_model(args.model_id)
        shapes, availability = await asyncio.gather(backend.fit_shapes(), backend.fit_availability())
        fit_query = FitQuery(dtype=args.dtype, context_length=args.context_length, concurrency=args.concurrency)
        hardware = await asyncio.to_thread(detect_hardware) if backend.kind == "local" else None
        report = (
            estimate_fit(m, fit_query, hardware, availability=availability)
            if shapes is None
            else estimate_fit(m, fit_query, hardware, shapes, availability=availability)
        )
        rows = [
            [
                t.name,
                "yes" if t.fits else "no",
                f"{t.memory_gb:.1f} GB",
                f"{t.headroom_gb:+.1f} GB",
                "◀ recommended" if t.recommended else "",
            ]
            for t in [*report.local, *report.shapes]
        ]
        _emit(
            args,
            report,
            "\n".join(report.arithmetic) + "\n\n" + _table(rows, ["TARGET", "FITS", "MEMORY", "HEADROOM", ""]),
        )
        return 0

    if args.models_command == "register":
        token = os.environ.get("HF_TOKEN") or None
        source = "huggingface" if args.hf_id else "object_storage" if args.os_uri else "local_folder"
        request = RegisterModelRequest(
            source=source,
            path=args.path,
            hf_id=args.hf_id,
            os_uri=args.os_uri,
            revision=args.revision,
            name=args.name,
            token=token,
        )
        response = await backend.register_model(request)
        op = response.operation
        while op.state not in TERMINAL_STATES:
            if not args.json:
                pct = f"{op.progress * 100:5.1f}%" if op.progress is not None else ""
                print(f"\r{pct} {op.message}".ljust(70), end="", file=sys.stderr, flush=True)
            await asyncio.sleep(0.5)
            op = operations.get(op.id)
        if not args.json:
            print(file=sys.stderr)
        if op.state != OperationState.SUCCEEDED:
            print(f"error: {op.error or op.state.value}", file=sys.stderr)
            return 1
        model = response.model or await backend.get_model(op.resource_id or "")
        _emit(args, model, f"registered {model.name} as {model.id}")
        return 0

    if args.models_command == "delete":
        await backend.delete_model(args.model_id)
        _emit(args, None, f"deleted {args.model_id}")
        return 0
    raise AssertionError(args)


# ---- deployments ---------------------------------------------------------------------

POLL_S = 1.0  # how often a wait or `logs --follow` asks again


def _progress(prefix: str, message: str, *, tty: bool, last: list[str]) -> None:
    """One progress line on stderr: rewritten in place on a terminal (`prefix` ticking), one line
    per change of `message` otherwise."""
    if tty:
        print(f"\r{prefix} {message}"[:120].ljust(80), end="", file=sys.stderr, flush=True)
    elif message != (last[0] if last else None):
        print(f"{prefix} {message}", file=sys.stderr, flush=True)
    last[:] = [message]


async def _wait_deployment(
    args: argparse.Namespace,
    backend: Backend,
    operations: OperationRegistry,
    deployment_id: str,
    operation_id: str | None,
) -> tuple[DeploymentDetail, Operation | None]:
    """Follow the deployment's operation (progress and message) until it ends, then the deployment
    until it leaves its transitional state. Returns the deployment and the operation's last state."""
    tty = sys.stderr.isatty() and not args.json
    last: list[str] = []
    started = time.monotonic()
    op: Operation | None = None
    try:
        while True:
            if operation_id is not None:
                try:
                    op = operations.get(operation_id)
                except NotFound:  # not tracked by this process: follow the deployment alone
                    operation_id = None
            if op is None or op.state in TERMINAL_STATES:
                detail = await backend.get_deployment(deployment_id)
                # An operation that failed or was canceled is the end, whatever the record says yet.
                if detail.state not in TRANSITIONAL_STATES or (op is not None and op.state != OperationState.SUCCEEDED):
                    return detail, op
                step, pct = detail.state_message or detail.state.value, None
            else:
                step, pct = op.message, op.progress
            if not args.json:
                _progress(
                    f"[{time.monotonic() - started:4.0f}s]",
                    f"{f'{pct * 100:3.0f}% ' if pct is not None else ''}{step}",
                    tty=tty,
                    last=last,
                )
            await asyncio.sleep(POLL_S)
    except asyncio.CancelledError:  # Ctrl-C
        if tty and last:
            print(file=sys.stderr)
        last = []
        if backend.kind == "local":
            print(
                f"canceled: a local deployment is brought up by this command, so it stops with it "
                f"(`aqua-ext deployments activate {deployment_id}` starts it again)",
                file=sys.stderr,
            )
        else:
            print(
                f"stopped following; the deployment goes on (`aqua-ext deployments get {deployment_id}`)",
                file=sys.stderr,
            )
        raise
    finally:
        if tty and last:
            print(file=sys.stderr)


def _deployment_rows(items: Sequence[Any]) -> str:
    rows = [
        [
            d.id,
            d.name,
            d.model_name,
            d.state.value,
            d.mode,
            d.engine,
            d.shape,
            d.created_at.astimezone().strftime("%Y-%m-%d %H:%M"),
        ]
        for d in items
    ]
    return _table(rows, ["ID", "NAME", "MODEL", "STATE", "MODE", "ENGINE", "SHAPE", "CREATED"])


def _deployment_text(d: DeploymentDetail) -> str:
    facts = [
        ("id", d.id),
        ("state", d.state.value + (f"  ({d.state_message})" if d.state_message else "")),
        ("model", f"{d.model_name}  ({d.model_id})"),
        ("mode", d.mode),
        ("engine", d.engine),
        ("shape", d.shape),
        ("replicas", str(d.replicas)),
        ("dtype", d.dtype or "-"),
        ("max model len", str(d.max_model_len or "-")),
        ("params", " ".join(shlex.quote(p) for p in d.params) or "-"),
        ("openai base", d.openai_base_path),
        ("upstream", d.upstream_url or "-"),
        ("log", f"{d.log_group_id} / {d.log_id}" if d.log_id else "-"),
        ("created", d.created_at.astimezone().isoformat(timespec="seconds")),
        ("updated", d.updated_at.astimezone().isoformat(timespec="seconds")),
    ]
    text = f"{d.name}" + (f" — {d.description}" if d.description else "") + "\n"
    text += "\n".join(f"  {k:<14}{v}" for k, v in facts)
    if d.failure_log:
        text += "\n  engine log (last lines):\n" + "\n".join(f"    {line}" for line in d.failure_log)
    return text


def _report_failure(detail: DeploymentDetail, op: Operation | None) -> None:
    reason = detail.state_message or (op.error if op is not None else None) or detail.state.value
    if op is not None and op.state == OperationState.FAILED and op.error and op.error not in reason:
        reason = f"{reason}: {op.error}" if detail.state_message else op.error
    print(f"error: deployment {detail.id} is {detail.state.value}: {reason}", file=sys.stderr)
    for line in detail.failure_log:
        print(f"  | {line}", file=sys.stderr)


async def _finish_wait(
    args: argparse.Namespace,
    backend: Backend,
    operations: OperationRegistry,
    detail: DeploymentDetail,
    op: Operation | None,
    verb: str,
) -> int:
    detail, op = await _wait_deployment(args, backend, operations, detail.id, op.id if op is not None else None)
    if detail.state == DeploymentState.ACTIVE:
        _emit(
            args,
            detail,
            f"{verb} {detail.name} ({detail.id}): ACTIVE\n"
            f"  OpenAI base path: {detail.openai_base_path}\n"
            f'  try: aqua-ext chat {detail.id} "Hello!"',
        )
        return 0
    _report_failure(detail, op)
    if args.json:
        _emit(args, detail, "")
    return 1


async def _deployments(args: argparse.Namespace, backend: Backend, operations: OperationRegistry) -> int:
    cmd = args.deployments_command
    if cmd == "list":
        items = await backend.list_deployments()
        _emit(args, list(items), _deployment_rows(items) + f"\n{len(items)} deployments")
        return 0

    if cmd == "get":
        detail = await backend.get_deployment(args.deployment_id)
        _emit(args, detail, _deployment_text(detail))
        return 0

    if getattr(args, "no_wait", False) and cmd in ("create", "activate") and backend.kind == "local":
        # The readiness check of a local engine runs in this process; leaving at once would cancel it.
        raise InvalidInput.field(
            "no_wait",
            "a local deployment is brought up by this command and stops with it; "
            "leave out --no-wait (or start it from JupyterLab)",
        )

    if cmd == "create":
        params: list[str] = []
        for value in args.param or []:
            try:
                params += shlex.split(value)
            except ValueError as exc:
                raise InvalidInput.field("params", f"{value!r}: {exc}") from None
        request = CreateDeploymentRequest(
            model_id=args.model_id,
            name=args.name,
            description=args.description or "",
            shape=args.shape,
            replicas=args.replicas,
            engine=args.engine,
            mode=args.mode,
            dtype=args.dtype,
            max_model_len=args.max_model_len,
            params=params,
            log_group_id=args.log_group_id,
            log_id=args.log_id,
        )
        response = await backend.create_deployment(request)
        detail, op = response.deployment, response.operation
        if args.no_wait:
            _emit(
                args,
                response,
                f"creating {detail.name} as {detail.id} ({detail.state.value}); "
                f"follow with: aqua-ext deployments get {detail.id}",
            )
            return 0
        if not args.json:
            print(f"creating {detail.name} as {detail.id} ({detail.engine}, {detail.shape})", file=sys.stderr)
        return await _finish_wait(args, backend, operations, detail, op, "deployed")

    if cmd == "activate":
        response = await backend.activate_deployment(args.deployment_id)
        detail, op = response.deployment, response.operation
        if args.no_wait:
            _emit(args, response, f"activating {detail.name} ({detail.id}): {detail.state.value}")
            return 0
        return await _finish_wait(args, backend, operations, detail, op, "activated")

    if cmd == "deactivate":
        detail = await backend.deactivate_deployment(args.deployment_id)
        if detail.state in TRANSITIONAL_STATES and not args.no_wait:
            detail, _ = await _wait_deployment(args, backend, operations, detail.id, None)
        _emit(args, detail, f"deactivated {detail.name} ({detail.id}): {detail.state.value}")
        return 0 if detail.state in (DeploymentState.INACTIVE, *TRANSITIONAL_STATES) else 1

    if cmd == "delete":
        await backend.delete_deployment(args.deployment_id)
        _emit(args, None, f"deleted {args.deployment_id}")
        return 0

    if cmd == "logs":
        # Until Ctrl-C (or the deployment is deleted: NotFound ends it).
        return await _print_logs(args, lambda query: backend.deployment_logs(args.deployment_id, query))
    raise AssertionError(args)


async def _print_logs(
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
        await asyncio.sleep(POLL_S)
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


async def _job_logs(
    args: argparse.Namespace,
    fetch: Callable[[LogsQuery], Awaitable[LogPage]],
    get: Callable[[], Awaitable[FineTuneSummary | EvaluationSummary]],
) -> int:
    """A job's `logs [--tail N] [--follow]`: following ends once the job has ended."""

    async def finished() -> str | None:
        state = (await get()).state
        return f"the job is {state.value}" if state in FINAL_FINETUNE_STATES else None

    return await _print_logs(args, fetch, finished)


@dataclasses.dataclass(frozen=True)
class _JobKind:
    """What `list`, `get`, `cancel` and `delete` of a kind of job (fine-tunes, evaluations) need."""

    list: Callable[[], Awaitable[Sequence[Any]]]
    get: Callable[[str], Awaitable[Any]]
    cancel: Callable[[str], Awaitable[Any]]
    delete: Callable[[str], Awaitable[None]]
    rows: Callable[[Sequence[Any]], str]
    text: Callable[[Any], str]
    plural: str


async def _job_basics(args: argparse.Namespace, cmd: str, job_id: str, kind: _JobKind) -> int | None:
    """`list`, `get`, `cancel`, `delete` of a job; None for another command."""
    if cmd == "list":
        items = await kind.list()
        _emit(args, list(items), kind.rows(items) + f"\n{len(items)} {kind.plural}")
    elif cmd == "get":
        detail = await kind.get(job_id)
        _emit(args, detail, kind.text(detail))
    elif cmd == "cancel":
        detail = await kind.cancel(job_id)
        verb = "canceled" if detail.state == FineTuneState.CANCELED else "canceling"
        _emit(args, detail, f"{verb} {detail.name} ({detail.id}): {detail.state.value}")
    elif cmd == "delete":
        await kind.delete(job_id)
        _emit(args, None, f"deleted {job_id}")
    else:
        return None
    return 0


def _job_created(
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
        _emit(
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


# ---- fine-tuning ---------------------------------------------------------------------

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
    params: dict[str, Any] = {k: getattr(args, k) for k in _FINETUNE_PARAM_FLAGS if getattr(args, k) is not None}
    if args.pad_to_max_length:
        params["pad_to_max_length"] = True
    if args.lora_target_modules is not None:
        params["lora_target_modules"] = [m.strip() for m in args.lora_target_modules.split(",") if m.strip()]
    return params


def _finetune_request(args: argparse.Namespace) -> CreateFineTuneRequest:
    """The request the REST route takes, from the flags (hyperparameters left out: the contract's
    defaults): out-of-range values are the API's errors, named as the API names them (`params.epochs`)."""
    params = _given_params(args)
    body: dict[str, Any] = {
        "model_id": args.model_id,
        "name": args.name,
        "description": args.description or "",
        "dataset_path": args.dataset,
        "params": params,
        "shape": args.shape,
        "replicas": args.replicas,
        "output_uri": args.output_uri,
        "experiment_name": args.experiment_name,
        "subnet_id": args.subnet_id,
        "log_group_id": args.log_group_id,
        "log_id": args.log_id,
    }
    if args.validation_split is not None:
        body["validation_split"] = args.validation_split
    return CreateFineTuneRequest.model_validate(body)


async def _finetune_request_with_defaults(args: argparse.Namespace, backend: Backend) -> CreateFineTuneRequest:
    """As the fine-tune form does: hyperparameters left out are the base model's defaults (a sequence
    length the model holds, a batch that fits the shape, given the flags that are set); the flags
    are checked first, so a bad one is reported as the API reports it."""
    request = _finetune_request(args)
    given = _given_params(args)
    query = FineTuneDefaultsQuery(
        shape=args.shape, **{k: v for k, v in given.items() if k in FineTuneDefaultsQuery.model_fields}
    )
    try:
        defaults = await backend.finetune_defaults(request.model_id, query)
    except NotFound as exc:  # a bad field of this request, as the create route reports it
        raise InvalidInput.field("model_id", exc.message) from None
    params = FineTuneParams.model_validate({**defaults.params.model_dump(), **given})
    return request.model_copy(update={"params": params})


def _fmt_loss(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def _fmt_duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


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


def _preflight_lines(report: DatasetReport, *, split: bool = True) -> list[str]:
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


def _finetune_rows(items: Sequence[FineTuneSummary]) -> str:
    rows = [
        [
            f.id,
            f.name,
            f.base_model_name,
            f.state.value,
            _fmt_finetune_progress(f),
            f.created_at.astimezone().strftime("%Y-%m-%d %H:%M"),
        ]
        for f in items
    ]
    return _table(rows, ["ID", "NAME", "BASE MODEL", "STATE", "PROGRESS", "CREATED"])


def _state_text(state: FineTuneState, message: str) -> str:
    """The state and its message, unless the message only repeats the state ("Succeeded")."""
    repeats = message.lower() == state.value.lower().replace("_", " ")
    return state.value + (f"  ({message})" if message and not repeats else "")


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
        progress += f" · ETA {_fmt_duration(f.eta_seconds)}"
    resources = [f"wall {_fmt_duration(f.wall_seconds)}"] if f.wall_seconds is not None else []
    if f.peak_memory_mb is not None:
        resources.append(f"peak memory {f.peak_memory_mb:,.0f} MB")
    facts = [
        ("id", f.id),
        ("state", _state_text(f.state, f.state_message)),
        ("base model", f"{f.base_model_name}  ({f.base_model_id})"),
        ("dataset", f"{f.dataset_path}  (sha256 {f.dataset_hash[:12]})"),
        ("rows", f"{rows}  (split {f.validation_split:g})"),
        ("method", method),
        ("hyperparams", hyper),
        ("shape", f.shape + (f" × {f.replicas}" if f.replicas > 1 else "")),
        ("progress", progress),
        ("final loss", f"train {_fmt_loss(f.final_train_loss)} · validation {_fmt_loss(f.final_validation_loss)}"),
        ("output model", f.output_model_id or "-"),
        ("artifact", f.artifact_location or "-"),
        ("resources", " · ".join(resources) or "-"),
    ]
    # OCI's resources, where there are any.
    facts += [
        (k, v)
        for k, v in (
            ("job", f.job_id),
            ("job run", f.job_run_id),
            ("output uri", f.output_uri),
            ("experiment", f.experiment_name),
            ("subnet", f.subnet_id),
            ("log", f"{f.log_group_id} / {f.log_id}" if f.log_id else None),
        )
        if v
    ]
    facts += [
        ("created", f.created_at.astimezone().isoformat(timespec="seconds")),
        ("updated", f.updated_at.astimezone().isoformat(timespec="seconds")),
    ]
    if f.finished_at is not None:
        facts.append(("finished", f.finished_at.astimezone().isoformat(timespec="seconds")))
    text = f.name + (f" — {f.description}" if f.description else "") + "\n"
    text += "\n".join(f"  {k:<13} {v}" for k, v in facts)
    if f.failure_log:
        text += "\n  job log (last lines):\n" + "\n".join(f"    {line}" for line in f.failure_log)
    return text


class _StatusLines:
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


async def _follow_job(
    args: argparse.Namespace, poll: Callable[[_StatusLines, str], Awaitable[bool]], stopped: str
) -> None:
    """Call `poll(status, clock)` every POLL_S until it says the job ended; Ctrl-C prints `stopped`
    (the job is not ours to stop) and ends the command."""
    status = _StatusLines(sys.stderr.isatty() and not args.json)
    started = time.monotonic()
    try:
        while not await poll(status, f"[{time.monotonic() - started:5.0f}s]"):
            await asyncio.sleep(POLL_S)
    except asyncio.CancelledError:  # Ctrl-C
        status.close()
        print(stopped, file=sys.stderr)
        raise
    finally:
        status.close()


async def _follow_finetune(args: argparse.Namespace, backend: Backend, detail: FineTuneDetail) -> FineTuneDetail:
    """Print the job's state changes and each metric point as it arrives (metrics asked for with
    the cursor, so each comes once) until the job ends; return its final detail."""
    cursor = 0
    shown: tuple[FineTuneState, str] | None = None

    async def poll(status: _StatusLines, clock: str) -> bool:
        nonlocal detail, cursor, shown
        # The state first: once it is final, the metrics read next hold every point.
        detail = await backend.get_finetune(detail.id)
        metrics = await backend.finetune_metrics(detail.id, MetricsQuery(after=cursor))
        cursor = metrics.cursor
        if not args.json:
            if (detail.state, detail.state_message) != shown and detail.state not in FINAL_FINETUNE_STATES:
                shown = (detail.state, detail.state_message)
                status.line(
                    f"{clock} {detail.state.value}" + (f": {detail.state_message}" if detail.state_message else "")
                )
            for point in metrics.points:
                status.line(f"{clock} {_point_text(point, detail.total_steps)}")
            if detail.state not in FINAL_FINETUNE_STATES:
                eta = f" · ETA {_fmt_duration(detail.eta_seconds)}" if detail.eta_seconds is not None else ""
                status.tick(f"{clock} {_fmt_finetune_progress(detail)} · epoch {detail.epoch:.2f}{eta}")
        return detail.state in FINAL_FINETUNE_STATES

    await _follow_job(
        args,
        poll,
        f"stopped following; the fine-tuning job goes on (`aqua-ext finetune get "
        f"{detail.id}`; `aqua-ext finetune cancel {detail.id}` stops it)",
    )
    return detail


def _finetune_outcome(args: argparse.Namespace, response: CreateFineTuneResponse) -> int:
    f = response.finetune
    if f.state == FineTuneState.SUCCEEDED:
        text = (
            f"fine-tuned {f.name} ({f.id}): SUCCEEDED"
            + (f" in {_fmt_duration(f.wall_seconds)}" if f.wall_seconds is not None else "")
            + f"\n  final loss: train {_fmt_loss(f.final_train_loss)} · "
            f"validation {_fmt_loss(f.final_validation_loss)}"
        )
        if f.output_model_id:
            text += (
                f"\n  model: {f.output_model_id}"
                f"\n  deploy it: aqua-ext deployments create {f.output_model_id} --name {shlex.quote(f.name)}"
            )
        _emit(args, response, text)
        return 0
    _job_failed(args, response, f"fine-tuning job {f.id}", f.state, f.state_message, f.failure_log)
    return 1


def _job_failed(
    args: argparse.Namespace,
    payload: BaseModel,
    what: str,
    state: FineTuneState,
    message: str,
    failure_log: Sequence[str],
) -> None:
    """A followed job that did not succeed: why on stderr (with its log's last lines); JSON still on stdout."""
    print(f"error: {what} is {state.value}: {message or state.value}", file=sys.stderr)
    for line in failure_log:
        print(f"  | {line}", file=sys.stderr)
    if args.json:
        _emit(args, payload, "")


async def _finetune(args: argparse.Namespace, backend: Backend) -> int:
    cmd = args.finetune_command
    if cmd == "create":
        request = await _finetune_request_with_defaults(args, backend)
        # Dataset paths are relative to the current folder, as Jupyter's are to its root.
        response = await backend.create_finetune(request, DatasetAccess(root=Path.cwd()))
        f = response.finetune
        if not _job_created(
            args, response, _preflight_lines(response.preflight), f, f"{f.training_type}, {f.shape}", "finetune", "job"
        ):
            return 0
        final = await _follow_finetune(args, backend, f)
        return _finetune_outcome(args, response.model_copy(update={"finetune": final}))

    done = await _job_basics(
        args,
        cmd,
        getattr(args, "finetune_id", ""),
        _JobKind(
            backend.list_finetunes,
            backend.get_finetune,
            backend.cancel_finetune,
            backend.delete_finetune,
            _finetune_rows,
            _finetune_text,
            "fine-tuning jobs",
        ),
    )
    if done is not None:
        return done

    if cmd == "logs":
        return await _job_logs(
            args,
            lambda query: backend.finetune_logs(args.finetune_id, query),
            lambda: backend.get_finetune(args.finetune_id),
        )

    if cmd == "metrics":
        metrics = await backend.finetune_metrics(args.finetune_id, MetricsQuery())
        rows = [
            [
                str(p.step),
                f"{p.epoch:.2f}",
                _fmt_loss(p.train_loss),
                _fmt_loss(p.validation_loss),
                "-" if p.learning_rate is None else f"{p.learning_rate:.2e}",
            ]
            for p in metrics.points
        ]
        _emit(
            args,
            metrics,
            _table(rows, ["STEP", "EPOCH", "TRAIN LOSS", "VALIDATION LOSS", "LEARNING RATE"])
            + f"\n{len(metrics.points)} points; the job is {metrics.state.value}",
        )
        return 0
    raise AssertionError(args)


# ---- evaluations ---------------------------------------------------------------------

# Score keys in the order tables show them (as the Evaluations screens do), with their labels.
_SCORE_LABELS = {
    "bertscore": "BERTScore",
    "rouge1": "ROUGE-1",
    "rouge2": "ROUGE-2",
    "rougeL": "ROUGE-L",
    "exact_match": "exact match",
    "bleu": "BLEU",
    "chrf": "chrF",
    "readability": "readability (Flesch)",
    "latency_ms_mean": "latency mean",
    "latency_ms_p50": "latency p50",
    "latency_ms_p95": "latency p95",
    "tokens_per_s_mean": "tokens/s mean",
}
_HUNDRED_SCALE = {"bleu", "chrf", "readability"}  # 0..100 (Flesch: about); the others 0..1
# Flags that become ModelParameters fields when given; left out, the contract's defaults apply.
_EVALUATION_PARAM_FLAGS = (
    "max_tokens",
    "temperature",
    "top_p",
    "top_k",
    "frequency_penalty",
    "presence_penalty",
    "seed",
)


def _score_keys(keys: Iterable[str]) -> list[str]:
    order = list(_SCORE_LABELS)
    return sorted(set(keys), key=lambda k: (order.index(k) if k in order else len(order), k))


def _fmt_score(key: str, value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "-"
    if key.startswith("latency"):
        return f"{value:,.0f} ms"
    if key.startswith("tokens_per_s"):
        return f"{value:.1f} tok/s"
    return f"{value:.1f}" if key in _HUNDRED_SCALE else f"{value:.3f}"


def _best_ids(key: str, values: Mapping[str, float]) -> set[str]:
    """The evaluations holding the best value of a score (the lowest latency, else the highest);
    none when only one has it or all tie."""
    finite = {k: v for k, v in values.items() if math.isfinite(v)}
    if len(finite) < 2:
        return set()
    best = (min if key.startswith("latency") else max)(finite.values())
    ids = {k for k, v in finite.items() if abs(v - best) <= 1e-9}
    return set() if len(ids) == len(finite) else ids


def _scores_table(columns: Sequence[tuple[str, MetricScores]]) -> str:
    """Scores down, columns (overall, then each category) across, with the rows each counted."""
    keys = _score_keys(k for _, column in columns for k in column.scores)
    rows = [[_SCORE_LABELS.get(k, k), *(_fmt_score(k, column.scores.get(k)) for _, column in columns)] for k in keys]
    rows.append(["rows", *(f"{column.rows:,}" for _, column in columns)])
    return _table(rows, ["SCORE", *(name for name, _ in columns)])


def _report_table(report: EvaluationReport, *, categories: bool) -> str:
    columns = [("OVERALL", report.overall)]
    if categories:
        columns += sorted(report.categories.items())
    text = _scores_table(columns)
    if report.rows_failed:
        text += f"\n{report.rows_failed:,} of {report.rows_total:,} rows failed (the deployment answered an error)"
    return text


def _evaluation_request(args: argparse.Namespace) -> CreateEvaluationRequest:
    """The request the REST route takes, from the flags (left out: the contract's defaults)."""
    params: dict[str, Any] = {k: getattr(args, k) for k in _EVALUATION_PARAM_FLAGS if getattr(args, k) is not None}
    if args.stop:
        params["stop"] = args.stop
    body: dict[str, Any] = {
        "deployment_id": args.deployment_id,
        "name": args.name,
        "description": args.description or "",
        "dataset_path": args.dataset,
        "finetune_id": args.finetune_id,
        "sample_size": args.sample_size,
        "params": params,
        "shape": args.shape,
        "report_uri": args.report_uri,
        "log_group_id": args.log_group_id,
        "log_id": args.log_id,
    }
    if args.metrics is not None:
        body["metrics"] = [m.strip() for m in args.metrics.split(",") if m.strip()]
    if args.concurrency is not None:
        body["concurrency"] = args.concurrency
    return CreateEvaluationRequest.model_validate(body)


def _rows_done(e: EvaluationSummary) -> str:
    return f"{e.rows_done:,}/{e.rows_total:,}"


def _evaluation_rows(items: Sequence[EvaluationSummary]) -> str:
    rows = [
        [
            e.id,
            e.name,
            e.deployment_name,
            e.state.value,
            _rows_done(e),
            _fmt_score("rougeL", e.scores.get("rougeL")),
            _fmt_score("bertscore", e.scores.get("bertscore")),
            e.created_at.astimezone().strftime("%Y-%m-%d %H:%M"),
        ]
        for e in items
    ]
    return _table(rows, ["ID", "NAME", "DEPLOYMENT", "STATE", "ROWS", "ROUGE-L", "BERTSCORE", "CREATED"])


def _params_text(p: ModelParameters) -> str:
    parts = [f"max tokens {p.max_tokens}", f"temperature {p.temperature:g}", f"top p {p.top_p:g}"]
    parts += [
        f"{label} {value:g}"
        for label, value in (
            ("top k", p.top_k),
            ("frequency penalty", p.frequency_penalty),
            ("presence penalty", p.presence_penalty),
            ("seed", p.seed),
        )
        if value
    ]
    if p.stop:
        parts.append("stop " + ", ".join(map(repr, p.stop)))
    return " · ".join(parts)


def _evaluation_text(e: EvaluationDetail) -> str:
    rows = f"{_rows_done(e)} answered" + (f" (a seeded sample of {e.sample_size:,})" if e.sample_size else "")
    progress = f"{e.progress * 100:.0f}%"
    if e.eta_seconds is not None and e.state not in FINAL_FINETUNE_STATES:
        progress += f" · ETA {_fmt_duration(e.eta_seconds)}"
    if e.report is not None and e.report.wall_seconds is not None:
        progress += f" · wall {_fmt_duration(e.report.wall_seconds)}"
    facts = [
        ("id", e.id),
        ("state", _state_text(e.state, e.state_message)),
        ("deployment", f"{e.deployment_name}  ({e.deployment_id})"),
        ("model", f"{e.model_name}  ({e.model_id})"),
        ("dataset", f"{e.dataset_path}  (sha256 {e.dataset_hash[:12]})"),
        ("rows", rows),
        ("metrics", ", ".join(e.metrics)),
        ("parameters", _params_text(e.params)),
        ("concurrency", str(e.concurrency)),
        ("progress", progress),
    ]
    facts += [
        (k, v)
        for k, v in (
            ("fine-tune", e.finetune_id),
            ("job", e.job_id),
            ("job run", e.job_run_id),
            ("report uri", e.report_uri),
        )
        if v
    ]
    facts += [
        (k, t.astimezone().isoformat(timespec="seconds"))
        for k, t in (("created", e.created_at), ("updated", e.updated_at), ("finished", e.finished_at))
        if t is not None
    ]
    text = e.name + (f" — {e.description}" if e.description else "") + "\n"
    text += "\n".join(f"  {k:<12} {v}" for k, v in facts)
    if e.report is not None:
        text += "\n\n" + _report_table(e.report, categories=True)
    if e.failure_log:
        text += "\n  job log (last lines):\n" + "\n".join(f"    {line}" for line in e.failure_log)
    return text


async def _follow_evaluation(args: argparse.Namespace, backend: Backend, detail: EvaluationDetail) -> EvaluationDetail:
    """Print the state changes and the rows answered (a line each tenth; on a terminal, a ticking
    line for every row) until the evaluation ends; return its final detail."""
    shown: tuple[FineTuneState, str] | None = None
    tenth = 0

    async def poll(status: _StatusLines, clock: str) -> bool:
        nonlocal detail, shown, tenth
        detail = await backend.get_evaluation(detail.id)
        if args.json or detail.state in FINAL_FINETUNE_STATES:
            return detail.state in FINAL_FINETUNE_STATES
        if (detail.state, detail.state_message) != shown:
            shown = (detail.state, detail.state_message)
            status.line(f"{clock} {detail.state.value}" + (f": {detail.state_message}" if detail.state_message else ""))
        rows = f"{clock} rows {_rows_done(detail)}"
        if detail.rows_total and detail.rows_done * 10 // detail.rows_total > tenth:
            tenth = detail.rows_done * 10 // detail.rows_total
            status.line(rows)
        eta = f" · ETA {_fmt_duration(detail.eta_seconds)}" if detail.eta_seconds is not None else ""
        status.tick(f"{rows} ({detail.progress * 100:.0f}%){eta}")
        return False

    await _follow_job(
        args,
        poll,
        f"stopped following; the evaluation goes on (`aqua-ext evaluations get "
        f"{detail.id}`; `aqua-ext evaluations cancel {detail.id}` stops it)",
    )
    return detail


def _evaluation_outcome(args: argparse.Namespace, response: CreateEvaluationResponse) -> int:
    e = response.evaluation
    if e.state != FineTuneState.SUCCEEDED:
        _job_failed(args, response, f"evaluation {e.id}", e.state, e.state_message, e.failure_log)
        return 1
    wall = e.report.wall_seconds if e.report is not None else None
    text = f"evaluated {e.name} ({e.id}): SUCCEEDED · {_rows_done(e)} rows" + (
        f" in {_fmt_duration(wall)}" if wall is not None else ""
    )
    if e.report is not None:
        text += "\n\n" + _report_table(e.report, categories=False) + "\n"
    text += (
        f"\n  per category: aqua-ext evaluations get {e.id}"
        f"\n  the rows: aqua-ext evaluations rows {e.id} --sort rougeL"
        f"\n  the report: aqua-ext evaluations report {e.id}"
    )
    _emit(args, response, text)
    return 0


def _clip(text: str, width: int = 32) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _rows_text(page: EvaluationRows, query: EvaluationRowsQuery) -> str:
    keys = _score_keys(k for r in page.items for k in r.scores)
    rows = [
        [
            str(r.index),
            r.category or "-",
            _clip(r.prompt),
            _clip(r.reference),
            _clip(f"error: {r.error}" if r.error else r.output),
            _fmt_score("latency", r.latency_ms),
            *(_fmt_score(k, r.scores.get(k)) for k in keys),
        ]
        for r in page.items
    ]
    text = _table(rows, ["INDEX", "CATEGORY", "PROMPT", "REFERENCE", "OUTPUT", "latency_ms", *keys])
    shown = f"rows {query.offset + 1}-{query.offset + len(page.items)}" if page.items else "no rows"
    text += f"\n{shown} of {page.total:,}" + (f" in category {query.category}" if query.category else "")
    if query.sort:
        text += f", by {query.sort}{' (highest first)' if query.descending else ''}"
    if page.categories:
        text += f"; categories: {', '.join(page.categories)}"
    return text


def _report_file_name(name: str) -> str:
    stem = "".join(c if c.isalnum() or c in "._-" else "-" for c in name).strip("-.") or "evaluation"
    return f"{stem}-report.html"


async def _write_report(args: argparse.Namespace, backend: Backend) -> int:
    detail = await backend.get_evaluation(args.evaluation_id)
    path = Path(args.output or _report_file_name(detail.name))
    if path.exists() and not args.force:
        raise InvalidInput.field("output", f"{path} exists; --force overwrites it")
    html = await backend.evaluation_report_html(detail.id)  # 409 until it SUCCEEDED
    try:
        await asyncio.to_thread(path.write_text, html, encoding="utf-8")
    except OSError as exc:
        raise InvalidInput.field("output", f"{path}: {exc.strerror or exc}") from None
    size = len(html.encode())
    if args.json:
        print(json.dumps({"evaluation_id": detail.id, "path": str(path.resolve()), "bytes": size}, indent=2))
    else:
        print(f"wrote the report of {detail.name} ({detail.id}) to {path} ({size / 1024:,.0f} KB)")
    return 0


def _comparison_text(c: EvaluationComparison) -> str:
    names = {e.id: _clip(e.name, 24) for e in c.evaluations}
    if len(set(names.values())) < len(names):  # the same name twice: the ids tell them apart
        names = {e.id: f"{_clip(e.name, 24)} ({e.id})" for e in c.evaluations}
    ids = [e.id for e in c.evaluations]
    lines = [
        f"  {names[e.id]}: {e.id} · {e.deployment_name} · {e.dataset_path} · {_rows_done(e)} rows · {e.state.value}"
        for e in c.evaluations
    ]

    def table(scores: Mapping[str, Mapping[str, float]]) -> str:
        rows = []
        for key in _score_keys(scores):
            best = _best_ids(key, scores[key])
            rows.append(
                [
                    _SCORE_LABELS.get(key, key),
                    *(_fmt_score(key, scores[key].get(i)) + (" ★" if i in best else "") for i in ids),
                ]
            )
        return _table(rows, ["SCORE", *(names[i] for i in ids)])

    text = "\n".join(lines) + "\n\n" + table(c.overall)
    for category, scores in sorted(c.categories.items()):
        text += f"\n\ncategory {category}\n" + table(scores)
    text += "\n\n★ best (the lowest latency, else the highest score)"
    text += "".join(f"\nnote: {note}" for note in c.notes)
    return text


async def _evaluations(args: argparse.Namespace, backend: Backend) -> int:
    cmd = args.evaluations_command
    if cmd == "create":
        request = _evaluation_request(args)
        # Dataset paths are relative to the current folder, as Jupyter's are to its root.
        response = await backend.create_evaluation(request, DatasetAccess(root=Path.cwd()))
        e = response.evaluation
        if not _job_created(
            args,
            response,
            _preflight_lines(response.preflight, split=False),
            e,
            f"{e.rows_total:,} rows; {', '.join(e.metrics)}",
            "evaluations",
            "evaluation",
        ):
            return 0
        final = await _follow_evaluation(args, backend, e)
        return _evaluation_outcome(args, response.model_copy(update={"evaluation": final}))

    done = await _job_basics(
        args,
        cmd,
        getattr(args, "evaluation_id", ""),
        _JobKind(
            backend.list_evaluations,
            backend.get_evaluation,
            backend.cancel_evaluation,
            backend.delete_evaluation,
            _evaluation_rows,
            _evaluation_text,
            "evaluations",
        ),
    )
    if done is not None:
        return done

    if cmd == "rows":
        query = EvaluationRowsQuery(
            offset=args.offset, limit=args.limit, sort=args.sort, descending=args.desc, category=args.category
        )
        page = await backend.evaluation_rows(args.evaluation_id, query)
        _emit(args, page, _rows_text(page, query))
        return 0

    if cmd == "report":
        return await _write_report(args, backend)

    if cmd == "compare":
        ids = list(dict.fromkeys(args.evaluation_ids))
        if not 2 <= len(ids) <= MAX_COMPARED:
            raise InvalidInput.field("evaluation_ids", f"compare 2 to {MAX_COMPARED} evaluations; got {len(ids)}")
        details = await asyncio.gather(*(backend.get_evaluation(i) for i in ids))
        comparison = compare(details)
        _emit(args, comparison, _comparison_text(comparison))
        return 0

    if cmd == "logs":
        return await _job_logs(
            args,
            lambda query: backend.evaluation_logs(args.evaluation_id, query),
            lambda: backend.get_evaluation(args.evaluation_id),
        )
    raise AssertionError(args)


# ---- chat ----------------------------------------------------------------------------


def _usage_text(usage: dict[str, Any] | None) -> str:
    if not usage:
        return "usage: not reported"
    parts = [
        f"{k.removesuffix('_tokens')} {usage[k]}"
        for k in ("prompt_tokens", "completion_tokens", "total_tokens")
        if isinstance(usage.get(k), int)
    ]
    return "usage: " + (", ".join(parts) or "not reported")


async def _chat(args: argparse.Namespace, backend: Backend) -> int:
    import httpx

    from .services.chat_payload import build_payload
    from .services.chat_stream import ChatDelta, ChatDone, stream_chat

    # Sampling flags go through ChatRequest, so out-of-range values are the same errors the API gives.
    sampling = {
        k: v
        for k, v in (
            ("max_tokens", args.max_tokens),
            ("temperature", args.temperature),
            ("top_p", args.top_p),
            ("top_k", args.top_k),
            ("seed", args.seed),
        )
        if v is not None
    }
    if args.stop:
        sampling["stop"] = args.stop
    messages = [ChatMessage(role="system", content=args.system)] if args.system else []
    request = ChatRequest(messages=[*messages, ChatMessage(role="user", content=args.prompt)], **sampling)

    target = await backend.upstream(args.deployment_id)
    if target.mode == "completion":
        if args.system:
            raise InvalidInput.field(
                "system", "this is a completion deployment: it takes a prompt only, no system message"
            )
        request = ChatRequest(prompt=args.prompt, **sampling)
    path, body = build_payload(request, target)
    url, headers = target.request(path, stream=True)

    parts: list[str] = []
    done: ChatDone | None = None
    ended_with_newline = True
    timeout = httpx.Timeout(args.timeout, read=None)  # stream_chat watches first byte and idle gaps itself
    try:
        async with httpx.AsyncClient(auth=target.auth, trust_env=False, timeout=timeout) as client:
            stream = stream_chat(
                client, url, body, headers=headers, first_byte_timeout=args.timeout, idle_timeout=args.timeout
            )
            async with contextlib.aclosing(stream):
                async for item in stream:
                    if isinstance(item, ChatDelta):
                        if item.content:
                            parts.append(item.content)
                            if not args.json:
                                sys.stdout.write(item.content)
                                sys.stdout.flush()
                                ended_with_newline = item.content.endswith("\n")
                    elif isinstance(item, ChatDone):
                        done = item
    except Upstream as exc:
        if not ended_with_newline:
            print(flush=True)
        # As the chat handler does: a dropped or silent engine may mean it died; the backend looks.
        message = exc.message
        state = await backend.upstream_failed(args.deployment_id, exc.message)
        if state is not None and state != DeploymentState.ACTIVE:
            message += (
                f" The deployment is now {state.value}; `aqua-ext deployments get {args.deployment_id}` shows why."
            )
        raise type(exc)(message) from None
    except BaseException:  # Ctrl-C: the stream is closed above; end the partial line
        if not ended_with_newline and not args.json:
            print(flush=True)
        raise

    assert done is not None
    stats: dict[str, Any] = {
        "deployment_id": args.deployment_id,
        "content": "".join(parts),
        "finish_reason": done.finish_reason,
        "usage": done.usage,
        "ttft_ms": None if done.ttft_s is None else round(done.ttft_s * 1000, 1),
        "total_ms": round(done.total_s * 1000, 1),
        "tokens": done.tokens,
        "tokens_per_s": None if done.tokens_per_s is None else round(done.tokens_per_s, 2),
    }
    if args.json:
        print(json.dumps(stats, indent=2))
        return 0
    if not ended_with_newline:
        print(flush=True)
    ttft = f"{stats['ttft_ms']:.0f} ms" if stats["ttft_ms"] is not None else "-"
    rate = f"{stats['tokens_per_s']:.1f} tokens/s" if stats["tokens_per_s"] is not None else "- tokens/s"
    print(
        f"— TTFT {ttft} · {done.tokens} tokens in {done.total_s:.2f} s · {rate} · {_usage_text(done.usage)}"
        f" · finish: {done.finish_reason or '-'}",
        file=sys.stderr,
    )
    return 0


def _param_default(name: str) -> str:
    """The contract's default (a model's own may differ, e.g. a shorter sequence length)."""
    return f"usually {FineTuneParams.model_fields[name].default:g}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aqua-ext", description="AI Quick Actions from the terminal.")
    parser.add_argument("--version", action="version", version=f"aqua_ext {__version__}")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--backend", choices=["auto", "local", "oci"], default="auto")
    parser.add_argument("--data-dir", help="local backend data folder (default: as the server extension)")
    parser.add_argument("--allowed-root", action="append", help="folder registered models may live in (repeatable)")
    oci = parser.add_argument_group("OCI backend (defaults as in the server extension and the environment)")
    oci.add_argument("--oci-auth", choices=["auto", "resource_principal", "api_key", "security_token"])
    oci.add_argument("--oci-config-file", help="OCI config file (default: OCI_CONFIG_LOCATION or ~/.oci/config)")
    oci.add_argument("--oci-profile", help="profile in the config file (default: OCI_CONFIG_PROFILE or DEFAULT)")
    oci.add_argument("--oci-region")
    oci.add_argument("--oci-compartment-id", help="compartment OCID (default: NB_SESSION_COMPARTMENT_OCID)")
    oci.add_argument("--oci-project-id", help="Data Science project OCID for new models (default: PROJECT_OCID)")
    oci.add_argument(
        "--oci-endpoint",
        action="append",
        metavar="SERVICE=URL",
        help="endpoint override, e.g. datascience=http://127.0.0.1:9000 (repeatable)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("info", help="version, backend, hardware and engines")
    models = sub.add_parser("models", help="browse, register and delete models").add_subparsers(
        dest="models_command", required=True
    )
    ls = models.add_parser("list", help="list models")
    ls.add_argument("--q", help="search words")
    ls.add_argument("--source", choices=["catalog", "cache", "registered", "fine-tuned", "demo"])
    ls.add_argument("--capability", choices=["TEXT_TO_TEXT", "IMAGE_TEXT_TO_TEXT", "EMBEDDING", "RERANK"])
    ls.add_argument("--format", choices=["safetensors", "gguf"])
    ls.add_argument("--max-size-gb", type=float)
    ls.add_argument("--refresh", action="store_true", help="rescan the Hugging Face cache")
    get = models.add_parser("get", help="show one model")
    get.add_argument("model_id")
    fit = models.add_parser("fit", help="memory estimate against this machine and OCI shapes")
    fit.add_argument("model_id")
    fit.add_argument("--dtype", default="bfloat16", choices=["float32", "bfloat16", "float16", "int8", "int4"])
    fit.add_argument("--context-length", type=int, default=4096)
    fit.add_argument("--concurrency", type=int, default=1)
    reg = models.add_parser(
        "register", help="register a local folder, an Object Storage folder (OCI) or a Hugging Face model"
    )
    src = reg.add_mutually_exclusive_group()
    src.add_argument("--path", help="folder with config.json and safetensors/gguf weights")
    src.add_argument("--hf-id", help="Hugging Face repository id, e.g. Qwen/Qwen2.5-0.5B-Instruct (token: HF_TOKEN)")
    reg.add_argument(
        "--os-uri",
        help="oci://bucket@namespace/folder: the model to register (OCI), or where a --hf-id download is uploaded",
    )
    reg.add_argument("--revision")
    reg.add_argument("--name")
    rm = models.add_parser("delete", help="delete a registered model")
    rm.add_argument("model_id")

    deps = sub.add_parser("deployments", help="deploy models and manage deployments").add_subparsers(
        dest="deployments_command", required=True
    )
    create = deps.add_parser("create", help="deploy a model and follow it until ACTIVE or FAILED")
    create.add_argument("model_id")
    create.add_argument("--name", required=True)
    create.add_argument("--description")
    create.add_argument(
        "--shape",
        help="local: cpu or gpu (default: gpu when there is one); OCI: a shape name (default: the smallest that fits)",
    )
    create.add_argument("--replicas", type=int, default=1, help="instances (OCI only)")
    create.add_argument(
        "--engine",
        choices=["transformers", "vllm", "llama.cpp", "tgi"],
        help="default: transformers locally (llama.cpp for GGUF), vllm on OCI",
    )
    create.add_argument("--mode", choices=["chat", "completion", "embedding"], default="chat")
    create.add_argument("--dtype", choices=["float32", "bfloat16", "float16", "int8", "int4"])
    create.add_argument("--max-model-len", type=int)
    create.add_argument(
        "--param",
        action="append",
        metavar="'--NAME VALUE'",
        help="engine parameter, checked against the engine's allowlist (repeatable; a flag alone: --param=--compile)",
    )
    create.add_argument("--log-group-id", help="OCI logging: the log group (with --log-id)")
    create.add_argument("--log-id", help="OCI logging: the log (with --log-group-id)")
    create.add_argument(
        "--no-wait",
        action="store_true",
        help="print the new deployment and return at once (OCI; a local deployment is brought up by this command)",
    )
    deps.add_parser("list", help="list deployments")
    for name, text in (
        ("get", "show one deployment"),
        ("activate", "start an INACTIVE or FAILED deployment again"),
        ("deactivate", "stop the engine, keep the deployment"),
        ("delete", "stop the engine and remove the deployment"),
    ):
        cmd = deps.add_parser(name, help=text)
        cmd.add_argument("deployment_id")
        if name in ("activate", "deactivate"):
            cmd.add_argument("--no-wait", action="store_true", help="return at once, without following the state")
    logs = deps.add_parser("logs", help="the engine's log")
    logs.add_argument("deployment_id")
    logs.add_argument("--tail", type=int, default=200, help="last lines to show (1-5000)")
    logs.add_argument("--follow", "-f", action="store_true", help="keep printing new lines until Ctrl-C")

    datasets = sub.add_parser("datasets", help="check fine-tuning and evaluation data").add_subparsers(
        dest="datasets_command", required=True
    )
    validate = datasets.add_parser("validate", help="preflight a JSONL file: bad lines, duplicates, split, tokens")
    validate.add_argument("path", help="a .jsonl file under the current folder")
    validate.add_argument("--model-id", help="count tokens with this model's tokenizer and chat template")
    validate.add_argument("--max-seq-length", type=int, default=2048)
    validate.add_argument("--validation-split", type=float, default=0.1)
    validate.add_argument("--kind", choices=["auto", "instruction", "conversational"], default="auto")

    ft = sub.add_parser("finetune", help="fine-tune a model on a JSONL dataset and follow the job").add_subparsers(
        dest="finetune_command", required=True
    )
    ftc = ft.add_parser("create", help="check the dataset and start a fine-tuning job (LoRA or last layers)")
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
    where.add_argument("--log-group-id", help="OCI logging: the log group (with --log-id)")
    where.add_argument("--log-id", help="OCI logging: the log (with --log-group-id)")
    ftc.add_argument(
        "--follow",
        "-f",
        action="store_true",
        help="print progress and losses until the job ends (exit 1 unless it SUCCEEDED); "
        "Ctrl-C stops following, not the job",
    )
    ft.add_parser("list", help="list fine-tuning jobs")
    for name, text in (
        ("get", "show one job"),
        ("cancel", "stop a running job (CANCELING, then CANCELED)"),
        ("delete", "remove a finished job and the model it produced"),
        ("metrics", "the job's logged losses"),
    ):
        ft.add_parser(name, help=text).add_argument("finetune_id")
    ftl = ft.add_parser("logs", help="the job's log")
    ftl.add_argument("finetune_id")
    ftl.add_argument("--tail", type=int, default=200, help="last lines to show (1-5000)")
    ftl.add_argument(
        "--follow", "-f", action="store_true", help="keep printing new lines until the job ends (or Ctrl-C)"
    )

    ev = sub.add_parser(
        "evaluations", help="evaluate a deployment on a JSONL dataset; read and compare the scores"
    ).add_subparsers(dest="evaluations_command", required=True)
    evc = ev.add_parser("create", help="check the dataset and start an evaluation of an ACTIVE deployment")
    evc.add_argument("deployment_id", help="an ACTIVE chat or completion deployment")
    evc.add_argument(
        "dataset",
        nargs="?",
        help="{prompt, completion[, category]} rows: a .jsonl file under the "
        "current folder (OCI: also oci://bucket@namespace/path)",
    )
    evc.add_argument("--finetune-id", help="instead of DATASET: the training data of this fine-tuning job")
    evc.add_argument("--name", required=True)
    evc.add_argument("--description")
    evc.add_argument("--sample-size", type=int, help="a seeded sample of N rows (default: every row)")
    evc.add_argument("--metrics", metavar="A,B", help=f"of {','.join(ALL_METRICS)} (default: all)")
    evc.add_argument(
        "--concurrency",
        type=int,
        help=f"requests in flight at once (default {CreateEvaluationRequest.model_fields['concurrency'].default})",
    )
    mp = evc.add_argument_group("model parameters (as in the playground)")
    defaults = ModelParameters()
    mp.add_argument("--max-tokens", type=int, help=f"default {defaults.max_tokens}")
    mp.add_argument("--temperature", type=float, help=f"0-2, default {defaults.temperature:g}")
    mp.add_argument("--top-p", type=float, help=f"(0, 1], default {defaults.top_p:g}")
    mp.add_argument("--top-k", type=int, help="default off")
    mp.add_argument("--frequency-penalty", type=float, help="-2 to 2, default 0")
    mp.add_argument("--presence-penalty", type=float, help="-2 to 2, default 0")
    mp.add_argument("--stop", action="append", metavar="S", help="stop sequence (repeatable, up to 8)")
    mp.add_argument("--seed", type=int)
    where = evc.add_argument_group("where it runs (OCI)")
    where.add_argument("--shape", help="the evaluation job's CPU shape")
    where.add_argument("--report-uri", help="oci://bucket@namespace/prefix for the report")
    where.add_argument("--log-group-id", help="OCI logging: the log group (with --log-id)")
    where.add_argument("--log-id", help="OCI logging: the log (with --log-group-id)")
    evc.add_argument(
        "--follow",
        "-f",
        action="store_true",
        help="print the rows answered until it ends, then the scores (exit 1 unless it SUCCEEDED); "
        "Ctrl-C stops following, not the evaluation",
    )
    ev.add_parser("list", help="list evaluations with their headline scores")
    for name, text in (
        ("get", "show one evaluation with its overall and per-category scores"),
        ("cancel", "stop a running evaluation (the rows answered stay)"),
        ("delete", "remove a finished evaluation and its report"),
    ):
        ev.add_parser(name, help=text).add_argument("evaluation_id")
    evr = ev.add_parser("rows", help="the rows behind the scores: prompt, reference, answer, scores")
    evr.add_argument("evaluation_id")
    evr.add_argument("--sort", metavar="KEY", help="a score (rougeL, bleu, …), latency_ms or index")
    evr.add_argument("--desc", action="store_true", help="highest first")
    evr.add_argument("--category")
    evr.add_argument("--limit", type=int, default=20, help="rows to show (1-1000, default 20)")
    evr.add_argument("--offset", type=int, default=0, help="rows to skip")
    evh = ev.add_parser("report", help="save the self-contained HTML report (a SUCCEEDED evaluation)")
    evh.add_argument("evaluation_id")
    evh.add_argument("-o", "--output", metavar="FILE", help="default: <name>-report.html in the current folder")
    evh.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    evx = ev.add_parser("compare", help="evaluations side by side, the best score of each marked")
    evx.add_argument("evaluation_ids", nargs="+", metavar="EVALUATION_ID", help=f"2 to {MAX_COMPARED}")
    evl = ev.add_parser("logs", help="the evaluation job's log")
    evl.add_argument("evaluation_id")
    evl.add_argument("--tail", type=int, default=200, help="last lines to show (1-5000)")
    evl.add_argument(
        "--follow", "-f", action="store_true", help="keep printing new lines until the evaluation ends (or Ctrl-C)"
    )

    chat = sub.add_parser("chat", help="one chat turn with an ACTIVE deployment, streamed")
    chat.add_argument("deployment_id")
    chat.add_argument("prompt")
    chat.add_argument("--system", help="system message (chat deployments)")
    chat.add_argument("--max-tokens", type=int, help="default 512")
    chat.add_argument("--temperature", type=float, help="0-2, default 0.7")
    chat.add_argument("--top-p", type=float, help="(0, 1], default 1")
    chat.add_argument("--top-k", type=int, help="default off")
    chat.add_argument("--stop", action="append", metavar="S", help="stop sequence (repeatable, up to 8)")
    chat.add_argument("--seed", type=int)
    chat.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        help="seconds to wait for the first token, and between tokens (default 300)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "models_command", None) == "register":
        if not (args.path or args.hf_id or args.os_uri):
            parser.error("models register: one of --path, --hf-id or --os-uri is required")
        if args.path and args.os_uri:
            parser.error("models register: --os-uri goes with --hf-id (upload destination) or alone, not with --path")
    try:
        return asyncio.run(_run(args))
    except ValidationError as exc:
        for err in exc.errors():
            field, message = ".".join(map(str, err["loc"])), err["msg"].removeprefix("Value error, ")
            # A model-level validator names its field at the start of the message, as the API reports it.
            if not field and ": " in message:
                field, message = message.split(": ", 1)
            print(f"error: {field or 'input'}: {message}", file=sys.stderr)
        return 2
    except InvalidInput as exc:
        message = exc.message
        if exc.fields and len(exc.fields) == 1:
            # Name the field where the message does not (e.g. a dataset the backend's preflight refused).
            name = exc.fields[0].field.split(":")[0]
            if name and f"{name}:" not in message:
                message = f"{name}: {message}"
        print(f"error: {message}", file=sys.stderr)
        if exc.fields and len(exc.fields) > 1:  # e.g. every bad line of a dataset
            for f in exc.fields:
                print(f"  {f.field}: {f.message}", file=sys.stderr)
        return 2
    except AquaError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `aqua-ext … | head`: the reader has gone; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
