"""`aqua-ext info`: version, backend, hardware, engines, and the configuration this command read
(data dir, targets, which Jupyter config files and flags they came from)."""

from __future__ import annotations

from typing import Any

from ..api.info import BackendDescription, Info
from .context import Context, Settings, add_command
from .output import emit_json


def add_parser(sub: Any) -> None:
    add_command(
        sub, "info", "version, backend, data dir and targets (and where they were configured), hardware, engines"
    )


async def run(ctx: Context) -> int:
    """What the server's info route says (every enabled target, ready or why not), and the
    configuration read. Exit 1 when no target is ready."""
    info = await ctx.services.info.get()
    _show(ctx, info)
    return 0 if any(t.ready for t in info.targets) else 1


def configuration(settings: Settings) -> dict[str, Any]:
    """What `info` says of the configuration read, as JSON."""
    return {
        "data_dir": str(settings.data_dir),
        "targets": settings.targets,
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
        f"targets: {', '.join(settings.targets)}  ({settings.targets_origin}"
        + ("" if len(settings.targets) == 1 else "; commands act on each, --backend on one")
        + ")",
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


def _target_text(t: BackendDescription) -> str:
    return f"{t.label}" + (f"  [{t.problem}]" if t.problem else "")


def _show(ctx: Context, info: Info) -> None:
    if ctx.args.json:
        emit_json({**info.model_dump(mode="json"), "configuration": configuration(ctx.settings)})
        return
    hardware = info.hardware
    gpus = ", ".join(f"{g.name} ({g.memory_gb:.0f} GB)" for g in hardware.gpus) or "none"
    engines = "\n".join(
        f"  {'✓' if e.available else '✗'} {e.label}"
        + (f" {e.version}" if e.version else "")
        + ("" if e.available else f"  ({e.reason})")
        for e in info.engines
    )
    backends = (
        f"backend: {_target_text(info.backend)}"
        if len(info.targets) < 2
        else "backends:\n" + "\n".join(f"  {t.name or t.kind}: {_target_text(t)}" for t in info.targets)
    )
    print(
        f"aqua_ext {info.version}\n{backends}"
        + f"\n{_configuration_text(ctx.settings)}"
        + f"\nhardware: {hardware.cpu_count} CPUs, {hardware.memory_gb:.0f} GB RAM, GPUs: {gpus}"
        + f"\nengines:\n{engines}"
    )
