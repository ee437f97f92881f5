"""The Jupyter server extension: configuration traits (aqua_ext.config), target wiring, routes."""

from __future__ import annotations

import asyncio

import httpx
from jupyter_server.extension.application import ExtensionApp
from traitlets import Float, Int

from . import __version__
from .api.info import Hardware
from .backends.base import Backend
from .backends.local.hardware import detect_hardware
from .config import AquaConfig, in_oci_notebook_session
from .handlers import routes
from .services import Services
from .services.chat_stream import StreamLimiter
from .services.operations import OperationRegistry
from .services.target_factory import build_connections, build_targets
from .services.targets import Targets

__all__ = ["AquaExtension", "in_oci_notebook_session"]


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
        self.operations = OperationRegistry()
        self.hardware: Hardware | None = None
        assert self.serverapp is not None  # set before the extension's settings are initialized
        self.registry: Targets = build_targets(
            self, self.operations, root_dir=self.serverapp.root_dir, hardware=self.get_hardware
        )
        self.connections = build_connections(self)
        self.services = Services(self.registry, self.connections)
        self.stream_limiter = StreamLimiter(self.max_chat_streams)
        self._http: httpx.AsyncClient | None = None
        self.settings.update({"aqua_operations": self.operations, "aqua_app": self, "aqua_services": self.services})
        self.log.info("aqua_ext %s: targets %s, data in %s", __version__, ", ".join(self.registry.names), self.data_dir)

    @property
    def aqua_backend(self) -> Backend:
        """The first enabled target's driver (what a single-backend server had)."""
        return self.registry.driver(self.registry.names[0])

    @aqua_backend.setter
    def aqua_backend(self, driver: Backend) -> None:
        """Serve this one driver instead (bench/ stubs the backend before the first request)."""
        self.registry = Targets([driver], retry_seconds=self.backend_retry_seconds, hardware=self.get_hardware)
        self.services = Services(self.registry, self.connections)
        self.settings["aqua_services"] = self.services
        web_app = getattr(self.serverapp, "web_app", None)
        if web_app is not None:
            web_app.settings["aqua_services"] = self.services

    def initialize_handlers(self) -> None:
        self.handlers.extend((rf"/aqua-ext/{pattern}", handler) for pattern, handler in routes())

    async def _start_jupyter_server_extension(self, serverapp: object) -> None:
        self.services.start_watching()
        await self.get_hardware()
        for target in await self.registry.describe():
            if target.problem:
                self.log.error("aqua_ext: %s target: %s", target.name, target.problem)

    async def get_hardware(self) -> Hardware:
        # Probing GPUs runs nvidia-smi: keep it off the event loop.
        if self.hardware is None:
            self.hardware = await asyncio.to_thread(detect_hardware)
        return self.hardware

    @property
    def http(self) -> httpx.AsyncClient:
        """One connection pool for every request to engines (chat, pass-through, embed)."""
        if self._http is None:
            self._http = httpx.AsyncClient(
                # Engines are on 127.0.0.1 or OCI: never through a proxy from the environment.
                trust_env=False,
                timeout=httpx.Timeout(connect=10.0, read=self.chat_idle_timeout, write=30.0, pool=10.0),
                limits=httpx.Limits(
                    max_connections=self.max_chat_streams * 2, max_keepalive_connections=self.max_chat_streams
                ),
            )
        return self._http

    async def stop_extension(self) -> None:
        # An exception here would stop the server's shutdown; log it instead.
        try:
            if self._http is not None:
                await self._http.aclose()
            await self.operations.close()
            await self.services.close()
        except Exception:
            self.log.exception("aqua_ext did not stop cleanly")
