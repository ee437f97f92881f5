"""The `aqua-ext` command: the same backends and services as the REST API, in a terminal.

    aqua-ext info
    aqua-ext models list [--q TEXT] [--source S] [--capability C] [--format F] [--max-size-gb N] [--refresh]
    aqua-ext models get MODEL_ID
    aqua-ext models register (--path FOLDER | --os-uri oci://B@NS/PREFIX | --hf-id ORG/NAME [--revision R]
                              [--os-uri oci://B@NS/PREFIX]) [--name NAME]
    aqua-ext models delete MODEL_ID
    aqua-ext models fit MODEL_ID [--dtype D] [--context-length N] [--concurrency N]

The OCI backend (`--backend oci`) reads the same settings as the server
extension: --oci-* flags, else OCI_CONFIG_LOCATION, OCI_CONFIG_PROFILE, OCI_IAM_TYPE,
NB_SESSION_COMPARTMENT_OCID, PROJECT_OCID, OCI_REGION and AQUA_OCI_ENDPOINTS
(service=url,service=url).

Tables by default, JSON with --json. A Hugging Face token is read from HF_TOKEN,
never from the command line (it would show in `ps` and shell history).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from . import __version__
from .api.fit import FitQuery
from .api.info import BackendDescription, Info
from .api.models import ModelListQuery, RegisterModelRequest
from .api.operations import TERMINAL_STATES, OperationState
from .backends.base import Backend
from .errors import AquaError, InvalidInput, Unavailable
from .services.hardware import detect_engines, detect_hardware
from .services.memory_fit import estimate_fit
from .services.model_filter import filter_models
from .services.operations import OperationRegistry


def _make_backend(args: argparse.Namespace, operations: OperationRegistry) -> Backend:
    # Same defaults as the server extension, so the CLI sees the same models.
    from .app import AquaExtension, in_oci_notebook_session

    kind = args.backend if args.backend != "auto" else ("oci" if in_oci_notebook_session() else "local")
    if kind == "oci":
        from .backends.oci.backend import OciBackend
        from .backends.oci.config import OciSettings, parse_endpoints

        endpoints = parse_endpoints([os.environ.get("AQUA_OCI_ENDPOINTS", ""), *(args.oci_endpoint or [])])
        settings = OciSettings(
            auth=args.oci_auth or "auto", config_file=args.oci_config_file or "", profile=args.oci_profile or "",
            region=args.oci_region or "", compartment_id=args.oci_compartment_id or "",
            project_id=args.oci_project_id or "", endpoints=endpoints,
        )
        return OciBackend(operations, settings)
    from .backends.local.backend import LocalBackend

    data_dir = Path(args.data_dir or AquaExtension().data_dir).expanduser().resolve()
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
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
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
    except Exception as exc:  # e.g. an OCI configuration problem: the message says what to fix
        await backend.close()
        problem = f"The {backend.kind} backend could not start: {exc.message if isinstance(exc, AquaError) else exc}"
        if args.command != "info":
            raise Unavailable(problem) from exc
        label = {"local": "Local (this machine)", "oci": "OCI Data Science"}.get(backend.kind, backend.kind)
        description = BackendDescription(kind=backend.kind, label=label, ready=False, problem=problem)  # type: ignore[arg-type]
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
        f"  {'✓' if e.available else '✗'} {e.label}" + (f" {e.version}" if e.version else "")
        + ("" if e.available else f"  ({e.reason})") for e in info.engines
    )
    _emit(args, info, f"aqua_ext {info.version}\nbackend: {info.backend.label}"
                      + (f"  [{info.backend.problem}]" if info.backend.problem else "")
                      + f"\nhardware: {hardware.cpu_count} CPUs, {hardware.memory_gb:.0f} GB RAM, GPUs: {gpus}"
                      + f"\nengines:\n{engines}")


async def _dispatch(args: argparse.Namespace, backend: Backend, operations: OperationRegistry) -> int:
    if args.command == "info":
        await _info(args, await backend.describe())
        return 0

    if args.models_command == "list":
        query = ModelListQuery(q=args.q, source=args.source, capability=args.capability, format=args.format,
                               max_size_gb=args.max_size_gb, refresh=args.refresh)
        models = filter_models(await backend.list_models(refresh=query.refresh), query)
        rows = [[m.id, m.name, m.source.value, m.capability.value, _fmt_params(m.parameter_count),
                 _fmt_size(m.size_bytes), ",".join(f.value for f in m.formats),
                 "yes" if m.ready_to_deploy else "no"] for m in models]
        _emit(args, list(models), _table(rows, ["ID", "NAME", "SOURCE", "CAPABILITY", "PARAMS", "SIZE",
                                               "FORMATS", "DEPLOYABLE"]) + f"\n{len(models)} models")
        return 0

    if args.models_command == "get":
        m = await backend.get_model(args.model_id)
        facts = [("id", m.id), ("source", m.source.value), ("organization", m.organization or "-"),
                 ("license", m.license or "-"), ("task", m.task or "-"), ("capability", m.capability.value),
                 ("parameters", _fmt_params(m.parameter_count)), ("context", str(m.context_length or "-")),
                 ("size", _fmt_size(m.size_bytes)), ("hugging face", m.hf_id or "-"),
                 ("location", m.artifact_location or "-")]
        text = f"{m.name}\n" + "\n".join(f"  {k:<13} {v}" for k, v in facts)
        if m.notes:
            text += "\n" + "\n".join(f"  note: {n}" for n in m.notes)
        _emit(args, m, text)
        return 0

    if args.models_command == "fit":
        m = await backend.get_model(args.model_id)
        shapes = await backend.fit_shapes()
        fit_query = FitQuery(dtype=args.dtype, context_length=args.context_length, concurrency=args.concurrency)
        hardware = await asyncio.to_thread(detect_hardware)
        report = (estimate_fit(m, fit_query, hardware) if shapes is None
                  else estimate_fit(m, fit_query, hardware, shapes))
        rows = [[t.name, "yes" if t.fits else "no", f"{t.memory_gb:.1f} GB", f"{t.headroom_gb:+.1f} GB",
                 "◀ recommended" if t.recommended else ""] for t in [*report.local, *report.shapes]]
        _emit(args, report, "\n".join(report.arithmetic) + "\n\n"
              + _table(rows, ["TARGET", "FITS", "MEMORY", "HEADROOM", ""]))
        return 0

    if args.models_command == "register":
        token = os.environ.get("HF_TOKEN") or None
        source = "huggingface" if args.hf_id else "object_storage" if args.os_uri else "local_folder"
        request = RegisterModelRequest(
            source=source, path=args.path, hf_id=args.hf_id, os_uri=args.os_uri,
            revision=args.revision, name=args.name, token=token,
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
    oci.add_argument("--oci-endpoint", action="append", metavar="SERVICE=URL",
                     help="endpoint override, e.g. datascience=http://127.0.0.1:9000 (repeatable)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("info", help="version, backend, hardware and engines")
    models = sub.add_parser("models", help="browse, register and delete models").add_subparsers(
        dest="models_command", required=True)
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
    reg = models.add_parser("register", help="register a local folder, an Object Storage folder (OCI) or a "
                                             "Hugging Face model")
    src = reg.add_mutually_exclusive_group()
    src.add_argument("--path", help="folder with config.json and safetensors/gguf weights")
    src.add_argument("--hf-id", help="Hugging Face repository id, e.g. Qwen/Qwen2.5-0.5B-Instruct (token: HF_TOKEN)")
    reg.add_argument("--os-uri", help="oci://bucket@namespace/folder: the model to register (OCI), or where a "
                                      "--hf-id download is uploaded")
    reg.add_argument("--revision")
    reg.add_argument("--name")
    rm = models.add_parser("delete", help="delete a registered model")
    rm.add_argument("model_id")
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
            print(f"error: {'.'.join(map(str, err['loc'])) or 'input'}: {err['msg']}", file=sys.stderr)
        return 2
    except InvalidInput as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    except AquaError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
