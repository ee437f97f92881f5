"""The Jupyter server extension: configuration traits, backend wiring, routes."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from jupyter_core.paths import jupyter_data_dir
from jupyter_server.extension.application import ExtensionApp
from traitlets import Bool, Enum, Int, List, Unicode, default

from . import __version__
from .api.info import BackendDescription, Hardware
from .backends.base import Backend
from .errors import Unavailable
from .handlers import routes
from .services.hardware import detect_hardware
from .services.operations import OperationRegistry


def in_oci_notebook_session() -> bool:
    """OCI Data Science notebook sessions set these for resource principal auth."""
    return bool(os.environ.get("OCI_RESOURCE_PRINCIPAL_VERSION") and os.environ.get("NB_SESSION_OCID"))


class AquaExtension(ExtensionApp):
    name = "aqua_ext"
    description = "AI Quick Actions: browse, register, deploy, chat with, fine-tune and evaluate open models."

    backend = Enum(
        ["auto", "local", "oci"], default_value="auto", config=True,
        help="Where models run: 'local' (this machine), 'oci' (OCI Data Science) or 'auto' "
             "(oci inside an OCI notebook session, else local).",
    )
    data_dir = Unicode(config=True, help="Folder for the local backend's state.db, models and run logs.")
    allowed_model_roots = List(
        Unicode(), config=True,
        help="Folders a registered local model may live in. Default: the Jupyter root dir and data_dir.",
    )
    hf_cache_dir = Unicode("", config=True, help="Hugging Face hub cache to scan (default: HF_HUB_CACHE).")
    generate_demo_model = Bool(True, config=True, help="Generate the offline demo model on first start.")
    executor_workers = Int(4, config=True, help="Threads for blocking file, database and SDK work.")

    @default("data_dir")
    def _default_data_dir(self) -> str:
        return str(Path(jupyter_data_dir()) / "aqua_ext")

    def resolved_backend_kind(self) -> str:
        if self.backend == "auto":
            return "oci" if in_oci_notebook_session() else "local"
        return str(self.backend)

    def initialize_settings(self) -> None:
        self.operations = OperationRegistry()
        self.aqua_backend = self._make_backend()
        self.hardware: Hardware | None = None
        self._backend_start: asyncio.Task[None] | None = None
        self.settings.update({"aqua_operations": self.operations, "aqua_app": self})
        self.log.info("aqua_ext %s: %s backend, data in %s", __version__, self.aqua_backend.kind, self.data_dir)

    def _make_backend(self) -> Backend:
        kind = self.resolved_backend_kind()
        if kind == "oci":
            from .backends.oci.backend import OciBackend

            return OciBackend(self.operations)
        from .backends.local.backend import LocalBackend

        data_dir = Path(self.data_dir).expanduser().resolve()
        roots = [Path(p).expanduser().resolve() for p in self.allowed_model_roots] or [
            Path(self.serverapp.root_dir).expanduser().resolve(), data_dir,
        ]
        return LocalBackend(
            self.operations, data_dir=data_dir, allowed_roots=roots,
            hf_cache_dir=Path(self.hf_cache_dir).expanduser() if self.hf_cache_dir else None,
            generate_demo=self.generate_demo_model, max_workers=self.executor_workers,
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
        if self._backend_start is None:
            self._backend_start = asyncio.get_running_loop().create_task(self.aqua_backend.start())
        try:
            await asyncio.shield(self._backend_start)
        except Exception as exc:
            # The server keeps running: `info` shows the problem, other routes answer 503.
            raise Unavailable(f"The {self.aqua_backend.kind} backend could not start: {exc}") from exc
        return self.aqua_backend

    async def describe_backend(self) -> BackendDescription:
        try:
            backend = await self.get_backend()
        except Unavailable as exc:
            return BackendDescription(kind=self.aqua_backend.kind, label=self.aqua_backend.kind, ready=False,
                                      problem=exc.message)
        return await backend.describe()

    async def get_hardware(self) -> Hardware:
        # Probing GPUs runs nvidia-smi: keep it off the event loop.
        if self.hardware is None:
            self.hardware = await asyncio.to_thread(detect_hardware)
        return self.hardware

    async def stop_extension(self) -> None:
        # An exception here would stop the server's shutdown; log it instead.
        try:
            await self.operations.close()
            await self.aqua_backend.close()
        except Exception:
            self.log.exception("aqua_ext did not stop cleanly")
