"""`aqua-ext models list|get|fit|register|delete`."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Any, get_args

from ..api.fit import Dtype, FitEngine, FitQuery
from ..api.models import Capability, ModelFormat, ModelListQuery, ModelSource, RegisterModelRequest
from ..api.operations import TERMINAL_STATES, OperationState
from .context import Context, add_command, add_group, add_target_flag, request_from_flags
from .output import (
    ID,
    NAME,
    Column,
    emit,
    error,
    facts_text,
    fmt_params,
    fmt_size,
    listing,
    table,
    warn_problems,
)


def add_parser(sub: Any) -> None:
    models = add_group(sub, "models", "browse, register and delete models")
    ls = add_command(models, "list", "list models")
    ls.add_argument("--q", help="search words")
    # The choices are the contract's own values.
    ls.add_argument("--source", choices=[s.value for s in ModelSource])
    ls.add_argument("--capability", choices=[c.value for c in Capability])
    ls.add_argument("--format", choices=[f.value for f in ModelFormat])
    ls.add_argument("--max-size-gb", type=float)
    ls.add_argument("--refresh", action="store_true", help="rescan the Hugging Face cache")
    add_command(models, "get", "show one model").add_argument("model_id")
    fit = add_command(models, "fit", "memory estimate against this machine and OCI shapes")
    fit.add_argument("model_id")
    fit.add_argument("--dtype", default="bfloat16", choices=get_args(Dtype))
    fit.add_argument("--context-length", type=int, default=4096)
    fit.add_argument(
        "--concurrency", type=int, help="sequences at once (default: as the engine serves them; llama.cpp 4, else 1)"
    )
    fit.add_argument("--engine", choices=get_args(FitEngine), help="list the weights' choices this engine runs")
    fit.add_argument("--quantization", help="price one of the engine's choices (a dtype, a GGUF level, fp8…)")
    reg = add_command(
        models, "register", "register a local folder, an Object Storage folder (OCI) or a Hugging Face model"
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
    add_target_flag(reg, "to register on (default: oci for --os-uri, else the first ready)")
    add_command(models, "delete", "delete a registered model").add_argument("model_id")


def check_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """What argparse cannot say: `register` takes a source (which fields go together: the request's rule)."""
    if args.models_command == "register" and not (args.path or args.hf_id or args.os_uri):
        parser.error("models register: one of --path, --hf-id or --os-uri is required")


async def run(ctx: Context) -> int:
    args, models = ctx.args, ctx.services.models
    cmd = args.models_command
    if cmd == "list":
        listed = await models.list(request_from_flags(ModelListQuery, args))
        warn_problems(listed.problems)
        items = listed.items
        columns: list[Column] = [
            ID,
            NAME,
            ("SOURCE", lambda m: m.source.value),
            ("CAPABILITY", lambda m: m.capability.value),
            ("PARAMS", lambda m: fmt_params(m.parameter_count)),
            ("SIZE", lambda m: fmt_size(m.size_bytes)),
            ("FORMATS", lambda m: ",".join(f.value for f in m.formats)),
            ("DEPLOYABLE", lambda m: "yes" if m.ready_to_deploy else "no"),
        ]
        emit(
            args,
            list(items),
            listing(items, columns, several_targets=ctx.several_targets) + f"\n{len(items)} models",
        )
        return 0

    if cmd == "get":
        m = await models.get(args.model_id)
        facts = [
            ("id", m.id),
            ("target", m.target or "-"),
            ("source", m.source.value),
            ("organization", m.organization or "-"),
            ("license", m.license or "-"),
            ("task", m.task or "-"),
            ("capability", m.capability.value),
            ("parameters", fmt_params(m.parameter_count)),
            ("context", str(m.context_length or "-")),
            ("size", fmt_size(m.size_bytes)),
            ("hugging face", m.hf_id or "-"),
            ("location", m.artifact_location or "-"),
        ]
        text = f"{m.name}\n" + facts_text(facts, 13)
        if m.notes:
            text += "\n" + "\n".join(f"  note: {n}" for n in m.notes)
        emit(args, m, text)
        return 0

    if cmd == "fit":
        report = await models.fit(args.model_id, request_from_flags(FitQuery, args))
        rows = [
            [
                t.name,
                "yes" if t.fits else "no",
                f"{t.memory_gb:.1f} GB",
                f"{t.headroom_gb:+.1f} GB",
                "-" if t.tokens_per_s is None else f"{t.tokens_per_s:g}" + (" too slow" if t.too_slow else ""),
                "◀ recommended" if t.recommended else "",
            ]
            for t in [*report.local, *report.shapes]
        ]
        choices = (
            [
                f"{report.engine} runs: "
                + ", ".join(c.value + (" (convert)" if c.convert else "") for c in report.quantizations)
            ]
            if report.quantizations
            else []
        )
        # What could not be read comes first: without it, a missing figure would read as zero.
        unknown = [f"unknown: {', '.join(report.unknown)}"] if report.unknown else []
        emit(
            args,
            report,
            "\n".join([*unknown, *choices, *report.arithmetic, *report.decode])
            + "\n\n"
            + table(rows, ["TARGET", "FITS", "MEMORY", "HEADROOM", "TOKENS/S", ""]),
        )
        return 0

    if cmd == "register":
        token = os.environ.get("HF_TOKEN") or None
        request = RegisterModelRequest.from_fields(
            path=args.path,
            hf_id=args.hf_id,
            os_uri=args.os_uri,
            revision=args.revision,
            name=args.name,
            token=token,
            target=args.target,
        )
        response = await models.register(request)
        op = response.operation
        while op.state not in TERMINAL_STATES:
            if not args.json:
                pct = f"{op.progress * 100:5.1f}%" if op.progress is not None else ""
                print(f"\r{pct} {op.message}".ljust(70), end="", file=sys.stderr, flush=True)
            await asyncio.sleep(0.5)
            op = ctx.operations.get(op.id)
        if not args.json:
            print(file=sys.stderr)
        if op.state != OperationState.SUCCEEDED:
            error(op.error or op.state.value)
            return 1
        model = response.model or await models.get(op.resource_id or "")
        emit(args, model, f"registered {model.name} as {model.id}")
        return 0

    if cmd == "delete":
        await models.delete(args.model_id)
        emit(args, None, f"deleted {args.model_id}")
        return 0
    raise AssertionError(args)
