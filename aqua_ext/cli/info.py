"""`aqua-ext info`: version, backend, hardware, engines, and the configuration this command read
(data dir, targets, which Jupyter config files and flags they came from)."""

from __future__ import annotations

import asyncio
from typing import Any

from .. import __version__
from ..api.info import BackendDescription, Info
from ..services.hardware import detect_engines, detect_hardware
from .context import Context, Settings, add_command
from .output import emit_json


def add_parser(sub: Any) -> None:
    add_command(
        sub, "info", "version, backend, data dir and targets (and where they were configured), hardware, engines"
    )


async def run(ctx: Context) -> int:
    await _show(ctx, await ctx.backend.describe())
    return 0


async def unavailable(ctx: Context, problem: str) -> int:
    """The backend did not start: say so (exit 1), with everything else `info` shows."""
    kind = ctx.backend.kind
    # The labels as the server's describe_backend writes them.
    label = {"local": "Local (this machine)", "oci": "OCI Data Science"}.get(kind, kind)
    description = BackendDescription(kind=kind, label=label, ready=False, problem=problem)  # type: ignore[arg-type]
    await _show(ctx, description)
    return 1


def configuration(settings: Settings) -> dict[str, Any]:
    """What `info` says of the configuration read, as JSON."""
    return {
        "data_dir": str(settings.data_dir),
        "targets": settings.targets,
        "target": settings.backend_kind,  # the one commands act on
        "sources": {
            "data_dir": settings.origin("data_dir"),
            "targets": settings.targets_origin,
            **{k: v for k, v in sorted(settings.origins.items()) if k not in ("data_dir", "backend", "targets")},
        },
        "config_files": settings.files,
        "config_path": settings.dirs,
    }


def _configuration_text(settings: Settings) -> str:
    lines = [
        f"data dir: {settings.data_dir}  ({settings.origin('data_dir')}"
        + ("" if "local" in settings.targets else "; unused: no local target")
        + ")",
        f"targets: {', '.join(settings.targets)}  ({settings.targets_origin})"
        + (
            "" if len(settings.targets) == 1 else f"; commands act on {settings.backend_kind} (--backend picks another)"
        ),
    ]
    lines += [
        f"  {k} = {getattr(settings.config, k)!r}  ({v})"
        for k, v in sorted(settings.origins.items())
        if k not in ("data_dir", "backend", "targets")
    ]
    if settings.files:
        lines.append("config files read: " + ", ".join(settings.files))
    else:
        lines.append("config files read: none (searched " + ", ".join(settings.dirs) + ")")
    return "\n".join(lines)


async def _show(ctx: Context, description: BackendDescription) -> None:
    hardware = await asyncio.to_thread(detect_hardware)
    info = Info(version=__version__, backend=description, hardware=hardware, engines=detect_engines(hardware))
    if ctx.args.json:
        emit_json({**info.model_dump(mode="json"), "configuration": configuration(ctx.settings)})
        return
    gpus = ", ".join(f"{g.name} ({g.memory_gb:.0f} GB)" for g in hardware.gpus) or "none"
    engines = "\n".join(
        f"  {'✓' if e.available else '✗'} {e.label}"
        + (f" {e.version}" if e.version else "")
        + ("" if e.available else f"  ({e.reason})")
        for e in info.engines
    )
    print(
        f"aqua_ext {info.version}\nbackend: {info.backend.label}"
        + (f"  [{info.backend.problem}]" if info.backend.problem else "")
        + f"\n{_configuration_text(ctx.settings)}"
        + f"\nhardware: {hardware.cpu_count} CPUs, {hardware.memory_gb:.0f} GB RAM, GPUs: {gpus}"
        + f"\nengines:\n{engines}"
    )
