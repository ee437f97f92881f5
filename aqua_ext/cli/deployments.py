"""`aqua-ext deployments create|list|get|activate|deactivate|delete|logs`.

`create --export terraform` prints (or with -o writes) the deployment as Terraform instead of creating it.

`create` and `activate` follow the deployment until it is ACTIVE or FAILED. On OCI, Ctrl-C (or
--no-wait) only stops following. Locally this command brings the engine up (its readiness check
runs here), so Ctrl-C while waiting cancels it (INACTIVE) and --no-wait is refused; once ACTIVE,
the engine runs detached until `deployments deactivate` or `delete`."""

from __future__ import annotations

import asyncio
import shlex
import sys
import time
from collections.abc import Sequence
from typing import Any, get_args

from ..api.deployments import (
    TRANSITIONAL_STATES,
    AdapterRequest,
    CreateDeploymentRequest,
    DeploymentDetail,
    DeploymentState,
    EngineName,
    InferenceMode,
)
from ..api.fit import Dtype
from ..api.operations import TERMINAL_STATES, Operation, OperationState
from ..errors import InvalidInput, NotFound
from . import follow
from .context import Context, add_command, add_group, add_oci_logging_flags, add_target_flag, request_from_flags
from .output import (
    Column,
    add_export_flags,
    check_export_output,
    detail_text,
    emit,
    error,
    lifecycle_listing,
    progress,
    time_facts,
    warn_problems,
    write_export,
)


def _adapter(value: str) -> AdapterRequest:
    """`--adapter [NAME=]MODEL_ID` as the request's adapter (model ids hold `:` but never `=`); a bad NAME is
    argparse's error (pydantic's ValidationError is a ValueError)."""
    name, sep, model_id = value.partition("=")
    return AdapterRequest(model_id=model_id, name=name) if sep else AdapterRequest(model_id=value)


def add_parser(sub: Any) -> None:
    deps = add_group(sub, "deployments", "deploy models and manage deployments")
    create = add_command(deps, "create", "deploy a model and follow it until ACTIVE or FAILED")
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
        choices=get_args(EngineName),
        help="default: transformers locally (llama.cpp for GGUF), vllm on OCI",
    )
    create.add_argument("--mode", choices=get_args(InferenceMode), default="chat")
    create.add_argument("--dtype", choices=get_args(Dtype))
    create.add_argument(
        "--quantization",
        help="the weights' dtype or quantization, one the engine runs for the model "
        "(`models fit --engine E` lists them): a dtype, a GGUF level, fp8, bitsandbytes…",
    )
    create.add_argument("--max-model-len", type=int)
    create.add_argument(
        "--idle-stop-minutes",
        type=int,
        metavar="N",
        help="deactivate it after N minutes without a request through the Jupyter server (default: never)",
    )
    create.add_argument(
        "--param",
        action="append",
        metavar="'--NAME VALUE'",
        help="engine parameter, checked against the engine's allowlist (repeatable; a flag alone: --param=--compile)",
    )
    create.add_argument(
        "--adapter",
        dest="adapters",
        action="append",
        default=[],
        type=_adapter,
        metavar="[NAME=]MODEL_ID",
        help="a LoRA fine-tune served beside the base, picked per request by NAME (default: its name; repeatable)",
    )
    add_oci_logging_flags(create)
    add_target_flag(create, "to deploy on (the model's own)")
    create.add_argument(
        "--no-wait",
        action="store_true",
        help="print the new deployment and return at once (OCI; a local deployment is brought up by this command)",
    )
    add_export_flags(
        create,
        "print the deployment as Terraform (oci_datascience_model_deployment), or as the OCI SDK calls in "
        "Python, instead of creating it (OCI)",
    )
    add_command(deps, "list", "list deployments")
    for name, text in (
        ("get", "show one deployment"),
        ("activate", "start an INACTIVE or FAILED deployment again"),
        ("deactivate", "stop the engine, keep the deployment"),
        ("delete", "stop the engine and remove the deployment"),
    ):
        cmd = add_command(deps, name, text)
        cmd.add_argument("deployment_id")
        if name in ("activate", "deactivate"):
            cmd.add_argument("--no-wait", action="store_true", help="return at once, without following the state")
    logs = add_command(deps, "logs", "the engine's log")
    logs.add_argument("deployment_id")
    follow.add_logs_flags(logs, "keep printing new lines until Ctrl-C")


async def _wait_deployment(
    ctx: Context,
    deployment_id: str,
    operation_id: str | None,
) -> tuple[DeploymentDetail, Operation | None]:
    """Follow the deployment's operation (progress and message) until it ends, then the deployment
    until it leaves its transitional state. Returns the deployment and the operation's last state."""
    args, deployments = ctx.args, ctx.services.deployments
    tty = sys.stderr.isatty() and not args.json
    last: list[str] = []
    started = time.monotonic()
    op: Operation | None = None
    try:
        while True:
            if operation_id is not None:
                try:
                    op = ctx.operations.get(operation_id)
                except NotFound:  # not tracked by this process: follow the deployment alone
                    operation_id = None
            if op is None or op.state in TERMINAL_STATES:
                detail = await deployments.get(deployment_id)
                # An operation that failed or was canceled is the end, whatever the record says yet.
                if detail.state not in TRANSITIONAL_STATES or (op is not None and op.state != OperationState.SUCCEEDED):
                    return detail, op
                step, pct = detail.state_message or detail.state.value, None
            else:
                step, pct = op.message, op.progress
            if not args.json:
                progress(
                    f"[{time.monotonic() - started:4.0f}s]",
                    f"{f'{pct * 100:3.0f}% ' if pct is not None else ''}{step}",
                    tty=tty,
                    last=last,
                )
            await follow.sleep()
    except asyncio.CancelledError:  # Ctrl-C
        if tty and last:
            print(file=sys.stderr)
        last = []
        if deployments.targets.owner(deployment_id) == "local":
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


def _deployment_rows(items: Sequence[Any], several_targets: bool) -> str:
    own: list[Column] = [("MODE", lambda d: d.mode), ("ENGINE", lambda d: d.engine), ("SHAPE", lambda d: d.shape)]
    return lifecycle_listing(items, ("MODEL", lambda d: d.model_name), own, several_targets=several_targets)


def _deployment_text(d: DeploymentDetail) -> str:
    facts = [
        ("id", d.id),
        ("target", d.target or "-"),
        ("state", d.state.value + (f"  ({d.state_message})" if d.state_message else "")),
        ("actions", ", ".join(d.actions) or "-"),
        ("model", f"{d.model_name}  ({d.model_id})"),
        ("mode", d.mode),
        ("engine", d.engine),
        ("shape", d.shape),
        ("replicas", str(d.replicas)),
        ("dtype", d.dtype or "-"),
        ("max model len", str(d.max_model_len or "-")),
        ("idle stop", f"after {d.idle_stop_minutes} idle minutes" if d.idle_stop_minutes else "never"),
        ("params", " ".join(shlex.quote(p) for p in d.params) or "-"),
        ("openai base", d.openai_base_path),
        ("upstream", d.upstream_url or "-"),
        ("log", f"{d.log_group_id} / {d.log_id}" if d.log_id else "-"),
        *time_facts(d),
    ]
    return detail_text(d, facts, 13, log="engine")


def _report_failure(detail: DeploymentDetail, op: Operation | None) -> None:
    reason = detail.state_message or (op.error if op is not None else None) or detail.state.value
    if op is not None and op.state == OperationState.FAILED and op.error and op.error not in reason:
        reason = f"{reason}: {op.error}" if detail.state_message else op.error
    error(f"deployment {detail.id} is {detail.state.value}: {reason}")
    for line in detail.failure_log:
        print(f"  | {line}", file=sys.stderr)


async def _finish_wait(
    ctx: Context,
    detail: DeploymentDetail,
    op: Operation | None,
    verb: str,
) -> int:
    args = ctx.args
    detail, op = await _wait_deployment(ctx, detail.id, op.id if op is not None else None)
    if detail.state == DeploymentState.ACTIVE:
        emit(
            args,
            detail,
            f"{verb} {detail.name} ({detail.id}): ACTIVE\n"
            f"  OpenAI base path: {detail.openai_base_path}\n"
            f'  try: aqua-ext chat {detail.id} "Hello!"',
        )
        return 0
    _report_failure(detail, op)
    if args.json:
        emit(args, detail, "")
    return 1


async def _export_terraform(ctx: Context, request: CreateDeploymentRequest) -> int:
    """The same checks as a create, then the Terraform instead of the deployment: nothing is created."""
    return await write_export(ctx.args, await ctx.services.deployments.terraform(request))


async def run(ctx: Context) -> int:
    args, deployments = ctx.args, ctx.services.deployments
    cmd = args.deployments_command
    if cmd == "list":
        listed = await deployments.list()
        warn_problems(listed.problems)
        items = listed.items
        emit(args, list(items), _deployment_rows(items, ctx.several_targets) + f"\n{len(items)} deployments")
        return 0

    if cmd == "get":
        detail = await deployments.get(args.deployment_id)
        emit(args, detail, _deployment_text(detail))
        return 0

    if getattr(args, "no_wait", False) and cmd in ("create", "activate"):
        # Where it runs: the target named, else the model's (create), the deployment's (activate).
        target = getattr(args, "target", None) or deployments.targets.owner(
            args.model_id if cmd == "create" else args.deployment_id
        )
        if target == "local":
            # The readiness check of a local engine runs in this process; leaving at once would cancel it.
            raise InvalidInput.field(
                "no_wait",
                "a local deployment is brought up by this command and stops with it; "
                "leave out --no-wait (or start it from JupyterLab)",
            )

    if cmd == "create":
        check_export_output(args)
        params: list[str] = []
        for value in args.param or []:
            try:
                params += shlex.split(value)
            except ValueError as exc:
                raise InvalidInput.field("params", f"{value!r}: {exc}") from None
        request = request_from_flags(CreateDeploymentRequest, args, params=params)
        if args.export:
            return await _export_terraform(ctx, request)
        response = await deployments.create(request)
        detail, op = response.deployment, response.operation
        if args.no_wait:
            emit(
                args,
                response,
                f"creating {detail.name} as {detail.id} ({detail.state.value}); "
                f"follow with: aqua-ext deployments get {detail.id}",
            )
            return 0
        if not args.json:
            print(f"creating {detail.name} as {detail.id} ({detail.engine}, {detail.shape})", file=sys.stderr)
        return await _finish_wait(ctx, detail, op, "deployed")

    if cmd == "activate":
        response = await deployments.activate(args.deployment_id)
        detail, op = response.deployment, response.operation
        if args.no_wait:
            emit(args, response, f"activating {detail.name} ({detail.id}): {detail.state.value}")
            return 0
        return await _finish_wait(ctx, detail, op, "activated")

    if cmd == "deactivate":
        detail = await deployments.deactivate(args.deployment_id)
        if detail.state in TRANSITIONAL_STATES and not args.no_wait:
            detail, _ = await _wait_deployment(ctx, detail.id, None)
        emit(args, detail, f"deactivated {detail.name} ({detail.id}): {detail.state.value}")
        return 0 if detail.state in (DeploymentState.INACTIVE, *TRANSITIONAL_STATES) else 1

    if cmd == "delete":
        await deployments.delete(args.deployment_id)
        emit(args, None, f"deleted {args.deployment_id}")
        return 0

    if cmd == "logs":
        # Until Ctrl-C (or the deployment is deleted: NotFound ends it).
        return await follow.print_logs(args, lambda query: deployments.logs(args.deployment_id, query))
    raise AssertionError(args)
