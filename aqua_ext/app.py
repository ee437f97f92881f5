"""The Jupyter server extension: configuration traits (aqua_ext.config), target wiring, routes.

Light at Jupyter's start: the contract's models, the services and the drivers (and what they import)
load with the first request to /aqua-ext/, or in the background right after the start when engines or
jobs of an earlier server are to be watched (backends/local/live_work.py). Jupyter's start pays only
for this module, the configuration and the route table.
"""

from __future__ import annotations

import asyncio
import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from jupyter_server.extension.application import ExtensionApp
from traitlets import Float, Int

from . import __version__
from .backends.local.live_work import has_live_work
from .config import AquaConfig, in_oci_notebook_session
from .handlers import lazy_routes

if TYPE_CHECKING:
    import httpx

    from .api.info import Hardware
    from .backends.base import Backend
    from .services import Services
    from .services.chat_stream import StreamLimiter
    from .services.connections import Connections
    from .services.engine_wire import EngineWire
    from .services.operations import OperationRegistry
    from .services.targets import Targets

__all__ = ["AquaExtension", "in_oci_notebook_session"]

# What building the targets and services imports, per target and for all (import_parts).
_TARGET_MODULES = {
    "local": "aqua_ext.backends.local.backend",
    "oci": "aqua_ext.backends.oci.backend",
    "genai": "aqua_ext.backends.genai.backend",
}
_PARTS_MODULES = (
    "httpx",
    "aiohttp",
    "aqua_ext.services.engine_wire",
    "aqua_ext.services",
    "aqua_ext.services.chat_stream",
    "aqua_ext.services.operations",
    "aqua_ext.services.target_factory",
    "aqua_ext.services.token_worker",
    "aqua_ext.handlers.base",
)


@dataclass
class _Parts:
    """What the handlers use, built on first need."""

    operations: OperationRegistry
    registry: Targets
    connections: Connections
    services: Services
    stream_limiter: StreamLimiter


class AquaExtension(AquaConfig, ExtensionApp):
    """The server extension. The settings it shares with the CLI (data dir, targets, OCI) are
    AquaConfig's traits, set as `c.AquaExtension.<name>` as ever; the server-only ones are here."""

    name = "aqua_ext"
    description = "AI Quick Actions: browse, register, deploy, chat with, fine-tune and evaluate open models."

    max_chat_streams = Int(
        64,
        config=True,
        help="Chat and OpenAI pass-through streams served at once; more wait up to 10 s, then get a 503.",
    )
    chat_idle_timeout = Float(
        120.0,
        config=True,
        help="Seconds an engine may stay silent (before the first token, or mid-answer) "
        "before a chat stream ends with an error event.",
    )
    pass_through_timeout = Float(
        600.0,
        config=True,
        help="Seconds a non-streamed OpenAI pass-through request may take, answer included, "
        "before it is cancelled with a 504 (a streamed one is bounded by chat_idle_timeout between tokens).",
    )

    def initialize_settings(self) -> None:
        self.hardware: Hardware | None = None
        self._parts: _Parts | None = None
        self._started = False
        self._background: asyncio.Task[None] | None = None
        self._http: httpx.AsyncClient | None = None
        self._wire: EngineWire | None = None
        self.settings.update({"aqua_app": self})
        self.log.info(
            "aqua_ext %s: targets %s, data in %s", __version__, ", ".join(self.enabled_targets()), self.data_dir
        )

    def _load(self) -> _Parts:
        """Build the targets and services (importing them) once; start their watchers once Jupyter runs."""
        if self._parts is None:
            from .services.chat_stream import StreamLimiter
            from .services.operations import OperationRegistry
            from .services.target_factory import build_connections, build_targets

            operations = OperationRegistry()
            assert self.serverapp is not None  # set before the extension's settings are initialized
            registry = build_targets(self, operations, root_dir=self.serverapp.root_dir, hardware=self.get_hardware)
            connections = build_connections(self)
            services = self._services(registry, connections)
            self._parts = _Parts(operations, registry, connections, services, StreamLimiter(self.max_chat_streams))
            if self._started:
                self._start_parts()
        return self._parts

    @property
    def operations(self) -> OperationRegistry:
        return self._load().operations

    @property
    def registry(self) -> Targets:
        return self._load().registry

    @property
    def connections(self) -> Connections:
        return self._load().connections

    @property
    def services(self) -> Services:
        return self._load().services

    @property
    def stream_limiter(self) -> StreamLimiter:
        return self._load().stream_limiter

    @stream_limiter.setter
    def stream_limiter(self, limiter: StreamLimiter) -> None:
        self._load().stream_limiter = limiter

    @property
    def aqua_backend(self) -> Backend:
        """The first enabled target's driver (what a single-backend server had)."""
        return self.registry.driver(self.registry.names[0])

    @aqua_backend.setter
    def aqua_backend(self, driver: Backend) -> None:
        """Serve this one driver instead (bench/ stubs the backend before the first request)."""
        from .services.targets import Targets

        parts = self._load()
        parts.registry = Targets([driver], retry_seconds=self.backend_retry_seconds, hardware=self.get_hardware)
        parts.services = self._services(parts.registry, parts.connections)

    def _services(self, registry: Targets, connections: Connections) -> Services:
        """The services over these targets, the deployments' chat relayed on this server's engine wire."""
        from .services import Services

        services = Services(registry, connections)
        services.deployments.wire = self.wire
        return services

    def initialize_handlers(self) -> None:
        self.handlers.extend((rf"/aqua-ext/{pattern}", handler) for pattern, handler in lazy_routes())

    async def _start_jupyter_server_extension(self, serverapp: object) -> None:
        self._started = True
        if self._parts is not None:
            self._start_parts()
        elif self.enabled_targets() != ["local"] or has_live_work(Path(self.data_dir).expanduser() / "state.db"):
            # Engines, jobs or cloud deployments to watch (idle stop, a job's end): load now, off the start's path.
            self._background = asyncio.create_task(self._load_in_background())

    def import_parts(self) -> None:
        """Import what building the targets and services needs: blocking, so callers run it in a
        worker thread, where the imports take the GIL in turns and the event loop keeps serving."""
        for name in (*_PARTS_MODULES, *(_TARGET_MODULES[target] for target in self.enabled_targets())):
            importlib.import_module(name)

    async def _load_in_background(self) -> None:
        await asyncio.to_thread(self.import_parts)
        self._load()

    def _start_parts(self) -> None:
        assert self._parts is not None
        self._parts.services.start_watching()
        self._background = asyncio.get_running_loop().create_task(self._describe_targets())

    async def _describe_targets(self) -> None:
        await self.get_hardware()
        for target in await self.registry.describe():
            if target.problem:
                self.log.error("aqua_ext: %s target: %s", target.name, target.problem)

    async def get_hardware(self) -> Hardware:
        # Probing GPUs runs nvidia-smi: keep it off the event loop.
        if self.hardware is None:
            from .backends.local.hardware import detect_hardware

            self.hardware = await asyncio.to_thread(detect_hardware)
        return self.hardware

    @property
    def http(self) -> httpx.AsyncClient:
        """One connection pool for every request to engines (chat, pass-through, embed)."""
        if self._http is None:
            import httpx

            self._http = httpx.AsyncClient(
                # Engines are on 127.0.0.1 or OCI: never through a proxy from the environment.
                trust_env=False,
                timeout=httpx.Timeout(connect=10.0, read=self.chat_idle_timeout, write=30.0, pool=10.0),
                limits=httpx.Limits(
                    max_connections=self.max_chat_streams * 2, max_keepalive_connections=self.max_chat_streams
                ),
            )
        return self._http

    @property
    def wire(self) -> EngineWire:
        """Unsigned engine requests on the hot path (pass-through, playground): services/engine_wire.py."""
        if self._wire is None:
            from .services.engine_wire import EngineWire

            self._wire = EngineWire()  # its aiohttp session is made on first use, on the running loop
        return self._wire

    async def stop_extension(self) -> None:
        # An exception here would stop the server's shutdown; log it instead.
        try:
            if self._background is not None:
                self._background.cancel()
            if self._http is not None:
                await self._http.aclose()
            if self._wire is not None:
                await self._wire.close()
            if self._parts is not None:
                await self._parts.operations.close()
                await self._parts.services.close()
            from .services.token_worker import token_worker

            token_worker.shutdown()
        except Exception:
            self.log.exception("aqua_ext did not stop cleanly")
