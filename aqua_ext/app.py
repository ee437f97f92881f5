"""The Jupyter server extension: configuration traits, backend wiring, routes."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
from jupyter_core.paths import jupyter_data_dir
from jupyter_server.extension.application import ExtensionApp
from traitlets import Bool, Dict, Enum, Float, Int, List, Unicode, default

from . import __version__
from .api.info import BackendDescription, Hardware
from .backends.base import Backend
from .errors import Unavailable
from .handlers import routes
from .services.chat_stream import StreamLimiter
from .services.hardware import detect_hardware
from .services.operations import OperationRegistry

if TYPE_CHECKING:
    from .backends.oci.config import OciSettings


def in_oci_notebook_session() -> bool:
    """OCI Data Science notebook sessions set these for resource principal auth."""
    return bool(os.environ.get("OCI_RESOURCE_PRINCIPAL_VERSION") and os.environ.get("NB_SESSION_OCID"))


class AquaExtension(ExtensionApp):
    name = "aqua_ext"
    description = "AI Quick Actions: browse, register, deploy, chat with, fine-tune and evaluate open models."

    backend = Enum(
        ["auto", "local", "oci"],
        default_value="auto",
        config=True,
        help="Where models run: 'local' (this machine), 'oci' (OCI Data Science) or 'auto' "
        "(oci inside an OCI notebook session, else local).",
    )
    data_dir = Unicode(config=True, help="Folder for the local backend's state.db, models and run logs.")
    allowed_model_roots = List(
        Unicode(),
        config=True,
        help="Folders a registered local model may live in. Default: the Jupyter root dir and data_dir.",
    )
    hf_cache_dir = Unicode("", config=True, help="Hugging Face hub cache to scan (default: HF_HUB_CACHE).")
    generate_demo_model = Bool(True, config=True, help="Generate the offline demo model on first start.")
    executor_workers = Int(4, config=True, help="Threads for blocking file, database and SDK work.")
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
    backend_retry_seconds = Float(
        30.0,
        config=True,
        help="After a backend failed to start (e.g. a missing OCI config), try again on a request this many "
        "seconds later, so a fixed configuration is picked up without restarting Jupyter.",
    )

    # ---- OCI backend (empty values fall back to the environment, as in an OCI notebook session) ----
    oci_auth = Enum(
        ["auto", "resource_principal", "api_key", "security_token"],
        default_value="auto",
        config=True,
        help="OCI authentication: 'auto' = resource principal when OCI_RESOURCE_PRINCIPAL_VERSION is set "
        "(notebook sessions), else the API key of oci_profile in oci_config_file.",
    )
    oci_config_file = Unicode("", config=True, help="OCI config file (default: OCI_CONFIG_LOCATION or ~/.oci/config).")
    oci_profile = Unicode(
        "", config=True, help="Profile in the OCI config file (default: OCI_CONFIG_PROFILE or DEFAULT)."
    )
    oci_region = Unicode(
        "", config=True, help="OCI region, e.g. us-ashburn-1 (default: the profile's or the resource principal's)."
    )
    oci_compartment_id = Unicode(
        "", config=True, help="Compartment OCID whose models are listed (default: NB_SESSION_COMPARTMENT_OCID)."
    )
    oci_project_id = Unicode("", config=True, help="Data Science project OCID for new models (default: PROJECT_OCID).")
    oci_endpoints = Dict(
        per_key_traits={k: Unicode() for k in ("datascience", "objectstorage", "identity", "logging", "limits")},
        config=True,
        help="Per-service endpoint overrides, e.g. {'datascience': 'http://127.0.0.1:9000'} "
        "(tests, pre-production regions).",
    )
    oci_max_workers = Int(8, config=True, help="Threads for blocking OCI SDK calls.")
    oci_cache_seconds = Float(
        300.0, config=True, help="How long the OCI model list, details and shapes are reused before OCI is asked again."
    )
    oci_retry_attempts = Int(
        4, config=True, help="Attempts per OCI call on throttling, 5xx, timeouts and dropped connections."
    )
    oci_read_timeout = Float(60.0, config=True, help="Seconds to wait for an OCI answer before retrying.")

    @default("data_dir")
    def _default_data_dir(self) -> str:
        return str(Path(jupyter_data_dir()) / "aqua_ext")

    def resolved_backend_kind(self) -> str:
        if self.backend == "auto":
            return "oci" if in_oci_notebook_session() else "local"
        return str(self.backend)

    def oci_settings(self) -> OciSettings:
        from .backends.oci.config import OciSettings

        return OciSettings(
            auth=self.oci_auth,
            config_file=self.oci_config_file,
            profile=self.oci_profile,
            region=self.oci_region,
            compartment_id=self.oci_compartment_id,
            project_id=self.oci_project_id,
            endpoints=dict(self.oci_endpoints),
            max_workers=self.oci_max_workers,
            cache_seconds=self.oci_cache_seconds,
            retry_attempts=self.oci_retry_attempts,
            read_timeout=self.oci_read_timeout,
        )

    def initialize_settings(self) -> None:
        self.operations = OperationRegistry()
        self.aqua_backend = self._make_backend()
        self.hardware: Hardware | None = None
        self._backend_start: asyncio.Task[None] | None = None
        self._backend_start_at = 0.0
        self.stream_limiter = StreamLimiter(self.max_chat_streams)
        self._http: httpx.AsyncClient | None = None
        self.settings.update({"aqua_operations": self.operations, "aqua_app": self})
        self.log.info("aqua_ext %s: %s backend, data in %s", __version__, self.aqua_backend.kind, self.data_dir)

    def _make_backend(self) -> Backend:
        kind = self.resolved_backend_kind()
        if kind == "oci":
            from .backends.oci.backend import OciBackend

            return OciBackend(self.operations, self.oci_settings())
        from .backends.local.backend import LocalBackend

        data_dir = Path(self.data_dir).expanduser().resolve()
        assert self.serverapp is not None  # set before the extension's settings are initialized
        roots = [Path(p).expanduser().resolve() for p in self.allowed_model_roots] or [
            Path(self.serverapp.root_dir).expanduser().resolve(),
            data_dir,
        ]
        return LocalBackend(
            self.operations,
            data_dir=data_dir,
            allowed_roots=roots,
            hf_cache_dir=Path(self.hf_cache_dir).expanduser() if self.hf_cache_dir else None,
            generate_demo=self.generate_demo_model,
            max_workers=self.executor_workers,
            hardware=self.get_hardware,
        )

    def initialize_handlers(self) -> None:
        self.handlers.extend((rf"/aqua-ext/{pattern}", handler) for pattern, handler in routes())

    async def _start_jupyter_server_extension(self, serverapp: object) -> None:
        await self.get_hardware()
        backend = await self.describe_backend()
        if backend.problem:
            self.log.error("aqua_ext: %s", backend.problem)

    async def get_backend(self) -> Backend:
        """The backend, started once: by the server's start hook or by the first
        request, whichever comes first (test servers never run the start hook)."""
        task = self._backend_start
        failed = task is not None and task.done() and not task.cancelled() and task.exception() is not None
        if task is None or (failed and time.monotonic() - self._backend_start_at >= self.backend_retry_seconds):
            # A start that failed is tried again a little later, so a fixed OCI config file,
            # key or policy is picked up without restarting Jupyter.
            self._backend_start_at = time.monotonic()
            task = self._backend_start = asyncio.get_running_loop().create_task(self.aqua_backend.start())
        try:
            await asyncio.shield(task)
        except Exception as exc:
            # The server keeps running: `info` shows the problem, other routes answer 503.
            raise Unavailable(f"The {self.aqua_backend.kind} backend could not start: {exc}") from exc
        return self.aqua_backend

    async def describe_backend(self) -> BackendDescription:
        try:
            backend = await self.get_backend()
        except Unavailable as exc:
            kind = self.aqua_backend.kind
            labels = {"local": "Local (this machine)", "oci": "OCI Data Science"}
            settings = getattr(self.aqua_backend, "settings", None)  # the OCI backend's, for region/compartment
            return BackendDescription(
                kind=kind,
                label=labels.get(kind, kind),
                ready=False,
                problem=exc.message,
                region=getattr(settings, "region", None) or None,
                compartment_id=getattr(settings, "compartment_id", None) or None,
            )
        return await backend.describe()

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
            await self.aqua_backend.close()
        except Exception:
            self.log.exception("aqua_ext did not stop cleanly")
