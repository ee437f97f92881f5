"""The one factory of targets, for the server extension and the `aqua-ext` CLI alike."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..api.info import Hardware
from ..backends.base import Backend
from ..backends.local.hardware import detect_hardware
from ..config import AquaConfig
from .operations import OperationRegistry
from .targets import Targets

if TYPE_CHECKING:
    from .connections import Connections


def build_targets(
    config: AquaConfig,
    operations: OperationRegistry,
    *,
    root_dir: Path | str | None = None,
    hardware: Callable[[], Awaitable[Hardware]] | None = None,
    generate_demo: bool | None = None,
    names: Sequence[str] | None = None,
) -> Targets:
    """Drivers for every enabled target (`config.targets`, or `names`), in order; none is started yet.

    `root_dir` is where registered local models may live besides the data dir (the Jupyter root
    dir for the server, the working directory for the CLI) unless `allowed_model_roots` says;
    `hardware` probes this machine once (the local target's fit and `info`)."""
    drivers: list[Backend] = []
    for name in names or config.enabled_targets():
        if name == "oci":
            from ..backends.oci.backend import OciBackend

            drivers.append(OciBackend(operations, config.oci_settings()))
        elif name == "genai":
            from ..backends.genai.backend import GenAiBackend

            drivers.append(GenAiBackend(operations, config.oci_settings(), config.genai_price_per_ai_unit_hour))
        elif name == "local":
            drivers.append(_local(config, operations, root_dir, hardware, generate_demo))
        else:
            raise ValueError(f"Unknown target '{name}'")
    return Targets(drivers, retry_seconds=config.backend_retry_seconds, hardware=hardware)


def _local(
    config: AquaConfig,
    operations: OperationRegistry,
    root_dir: Path | str | None,
    hardware: Callable[[], Awaitable[Hardware]] | None,
    generate_demo: bool | None,
) -> Backend:
    from ..backends.local.backend import LocalBackend

    data_dir = Path(config.data_dir).expanduser().resolve()
    roots = [Path(p).expanduser().resolve() for p in config.allowed_model_roots] or [
        Path(root_dir or Path.cwd()).expanduser().resolve(),
        data_dir,
    ]
    return LocalBackend(
        operations,
        data_dir=data_dir,
        allowed_roots=roots,
        hf_cache_dir=Path(config.hf_cache_dir).expanduser() if config.hf_cache_dir else None,
        generate_demo=config.generate_demo_model if generate_demo is None else generate_demo,
        max_workers=config.executor_workers,
        hardware=hardware,
    )


def hardware_probe() -> Callable[[], Awaitable[Hardware]]:
    """A `hardware` for build_targets: this machine's hardware, probed (in a thread) on the first call only."""
    probed: list[Hardware] = []

    async def probe() -> Hardware:
        if not probed:
            probed.append(await asyncio.to_thread(detect_hardware))
        return probed[0]

    return probe


def build_connections(config: AquaConfig) -> Connections:
    """The connections of this data dir (whatever targets are enabled), with their own HTTP client:
    hosted services may sit behind the proxy the environment names, unlike our engines."""
    import httpx

    from ..backends.connections.client import ConnectionClient
    from ..backends.connections.oci_signing import OciSigners
    from ..backends.connections.secrets import SecretStore
    from ..backends.connections.store import ConnectionStore
    from .connections import Connections

    data_dir = Path(config.data_dir).expanduser().resolve()
    http = httpx.AsyncClient(trust_env=True, timeout=httpx.Timeout(connect=10.0, read=120.0, write=30.0, pool=10.0))
    oci = config.oci_settings()
    client = ConnectionClient(http, OciSigners(oci).auth)
    signing = {"auth": oci.auth, "config_file": oci.config_file, "profile": oci.profile, "region": oci.region}
    return Connections(
        ConnectionStore(data_dir / "connections.db"),
        SecretStore(data_dir / "secrets" / "connections.json"),
        client,
        http,
        signing,
    )
