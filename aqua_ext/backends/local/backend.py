"""The local backend: models from the curated catalog, the Hugging Face cache,
user registrations (SQLite) and the offline demo model."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

from ...api.info import BackendDescription, Hardware
from ...api.models import (
    Architecture,
    Capability,
    ConvertToGgufRequest,
    Lineage,
    ModelDetail,
    ModelFormat,
    ModelSource,
    ModelSummary,
    RegisterModelRequest,
    RegisterModelResponse,
)
from ...api.operations import Operation
from ...catalog import catalog_model_id, curated_card, curated_entries
from ...errors import Conflict, InvalidInput, NotFound, Unavailable
from ..base import Backend
from ..huggingface import download as hf_download
from ..operations import Operations, Progress, Work
from . import demo_model, llama_gguf
from .deployments import LocalDeployments
from .engines import ENGINE_MODES
from .evaluations import LocalEvaluations
from .finetunes import MODEL_ID_PREFIX as FINETUNED_PREFIX
from .finetunes import LocalFineTunes
from .hardware import detect_hardware
from .hf_cache import CachedModel, scan_hf_cache
from .lease import Lease
from .model_folder import FolderInfo, inspect_folder, validate_folder
from .store import ModelRow, Store

log = logging.getLogger(__name__)
T = TypeVar("T")

# Engines need these files next to the weights; a registered folder's other files are left alone.
SERVABLE_FORMATS = {ModelFormat.SAFETENSORS, ModelFormat.GGUF}
# How often a process without the data dir's lease tries to take it over (lease.py).
LEASE_RETRY_S = 2.0


class LocalBackend(Backend):
    kind = "local"
    deployments: LocalDeployments
    finetunes: LocalFineTunes
    evaluations: LocalEvaluations

    def __init__(
        self,
        operations: Operations,
        *,
        data_dir: Path,
        allowed_roots: list[Path],
        hf_cache_dir: Path | None = None,
        generate_demo: bool = True,
        max_workers: int = 4,
        hardware: Callable[[], Awaitable[Hardware]] | None = None,
        lease_retry: float = LEASE_RETRY_S,
    ) -> None:
        super().__init__(operations)
        self.data_dir = data_dir
        self.models_dir = data_dir / "models"
        self.allowed_roots = allowed_roots
        self.hf_cache_dir = hf_cache_dir
        self.generate_demo = generate_demo
        self.store = Store(data_dir / "state.db")
        self._executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="aqua-local")
        self._cache_models: list[CachedModel] = []
        self._listing: list[ModelSummary] | None = None
        self._seen_version: int | None = None  # the store's data_version when the listing was last checked
        self._fingerprint: tuple[Any, ...] | None = None  # what the listing was built from (another process may write)
        self.lease = Lease(data_dir)
        self.lease_retry = lease_retry
        self._lease_task: asyncio.Task[None] | None = None
        self._demo_operation: str | None = None
        self._registering: set[str] = set()  # paths / hf ids being registered, against double clicks
        self._hardware_probe = hardware
        self._hardware: Hardware | None = None
        self.deployments = LocalDeployments(
            self.store,
            operations,
            runs_dir=data_dir / "deployments",
            get_model=self.get_model,
            hardware=self.hardware,
            hub_cache=hf_cache_dir,
        )
        self.finetunes = LocalFineTunes(
            self.store,
            jobs_dir=data_dir / "finetunes",
            get_model=self.get_model,
            hardware=self.hardware,
            models_changed=self._forget_listing,
        )
        self.evaluations = LocalEvaluations(
            self.store,
            jobs_dir=data_dir / "evaluations",
            deployments=self.deployments,
            finetunes_dir=data_dir / "finetunes",
        )

    # ---- lifecycle -------------------------------------------------------

    async def start(self) -> None:
        self.models_dir.mkdir(parents=True, exist_ok=True)
        await self.store.open()
        await self._rescan_cache()
        await self.deployments.start()
        await self.finetunes.start()
        await self.evaluations.start()
        # One process judges engines and jobs: the first to take the lease; the others take over
        # when it goes away (lease.py says why the CLI takes it too).
        if not await self._take_lease(at_start=True):
            holder = await self._run(self.lease.holder) or {}
            log.info(
                "%s is owned by pid %s (%s): watching for its lease",
                self.data_dir,
                holder.get("pid"),
                holder.get("command"),
            )
            self._lease_task = asyncio.get_running_loop().create_task(self._wait_for_lease())
        self.ensure_demo_model()

    @property
    def owns_processes(self) -> bool:
        """This process holds the data dir's lease: it reconciles and watches engines and jobs."""
        return self.lease.held

    def watches_deployments(self) -> bool:
        return self.owns_processes

    async def _take_lease(self, *, at_start: bool) -> bool:
        if not await self._run(self.lease.try_acquire):
            return False
        log.info("%s: this process (pid %s) now reconciles and watches engines and jobs", self.data_dir, os.getpid())
        await self.deployments.own(at_start=at_start)
        await self.finetunes.own()
        await self.evaluations.own()
        return True

    async def _wait_for_lease(self) -> None:
        while True:
            await asyncio.sleep(self.lease_retry)
            try:
                if await self._take_lease(at_start=False):
                    return
            except Exception:
                log.exception("taking over the lease of %s", self.data_dir)

    async def close(self) -> None:
        if self._lease_task is not None:
            self._lease_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._lease_task
        await self.evaluations.close()
        await self.finetunes.close()
        await self.deployments.close()
        await self.store.close()
        self.lease.release()  # after the monitors stopped: the next holder starts from the records
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def describe(self) -> BackendDescription:
        return BackendDescription(
            kind="local",
            label="Local (this machine)",
            ready=True,
            data_dir=str(self.data_dir),
            engine_modes={engine: list(modes) for engine, modes in ENGINE_MODES.items()},
        )

    async def hardware(self) -> Hardware:
        if self._hardware_probe is not None:
            return await self._hardware_probe()
        if self._hardware is None:  # probing GPUs runs nvidia-smi: off the event loop
            self._hardware = await self._run(detect_hardware)
        return self._hardware

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    # ---- demo model ------------------------------------------------------

    @property
    def demo_dir(self) -> Path:
        return self.models_dir / "demo-tiny-llama"

    @property
    def vision_demo_dir(self) -> Path:
        return self.models_dir / "demo-tiny-llava"

    def ensure_demo_model(self) -> str | None:
        """Generate the demo models that are missing in the background on first use; returns the operation id."""
        text = None if demo_model.demo_is_ready(self.demo_dir) else self.demo_dir
        vision = None if demo_model.demo_is_ready(self.vision_demo_dir) else self.vision_demo_dir
        if (text is None and vision is None) or not self.generate_demo:
            return None
        if self._demo_operation is not None:
            op = self.operations.get(self._demo_operation)
            if op.state.value in ("RUNNING", "PENDING"):
                return op.id

        async def work(progress: Progress) -> str:
            try:
                await demo_model.generate_in_subprocess(text, progress, vision=vision)
            finally:
                self._listing = None
            return demo_model.DEMO_MODEL_ID

        try:
            op = self.operations.start(
                "generate-demo-model", "Generate the offline demo models", work, resource_id=demo_model.DEMO_MODEL_ID
            )
        except Unavailable:
            return None
        self._demo_operation = op.id
        return op.id

    def _demo_detail(self) -> ModelDetail:
        return self._demo(
            self.demo_dir,
            id=demo_model.DEMO_MODEL_ID,
            name="Demo tiny Llama (random weights)",
            task="text-generation",
            capability=Capability.TEXT_TO_TEXT,
            parameter_count=139_584,
            description="A 140K-parameter Llama with random weights and a tokenizer trained offline. It answers "
            "gibberish, fast: use it to try deploy, chat, fine-tune and evaluate with no download.",
            card="# Demo tiny Llama\n\nRandom weights, generated offline.",
        )

    def _vision_demo_detail(self) -> ModelDetail:
        detail = self._demo(
            self.vision_demo_dir,
            id=demo_model.DEMO_VLM_ID,
            name="Demo tiny Llava, vision (random weights)",
            task="image-text-to-text",
            capability=Capability.IMAGE_TEXT_TO_TEXT,
            parameter_count=169_792,
            description="A 170K-parameter Llava (the demo Llama with a tiny CLIP vision tower) with random weights. "
            "It answers gibberish, fast: use it to try chat with images with no download.",
            card="# Demo tiny Llava\n\nRandom weights, generated offline.",
        )
        # Fine-tuning trains text models only (finetunes.py's trainer is a causal LM's).
        return detail.model_copy(update={"ready_to_finetune": False, "tags": [*detail.tags, "vision"]})

    def _demo(
        self,
        folder: Path,
        *,
        id: str,
        name: str,
        task: str,
        capability: Capability,
        parameter_count: int,
        description: str,
        card: str,
    ) -> ModelDetail:
        ready = demo_model.demo_is_ready(folder)
        info = inspect_folder(folder) if ready else None
        notes = (
            []
            if ready
            else [
                "The demo model is generated on this machine on first use (a few seconds, no network)."
                + ("" if self.generate_demo else " Generation is turned off (AquaExtension.generate_demo_model).")
            ]
        )
        return ModelDetail(
            id=id,
            name=name,
            source=ModelSource.DEMO,
            organization="aqua_ext",
            license="apache-2.0",
            task=task,
            capability=capability,
            parameter_count=info.parameter_count if info and info.parameter_count else parameter_count,
            context_length=512,
            formats=[ModelFormat.SAFETENSORS],
            size_bytes=info.size_bytes if info else None,
            description=description,
            tags=["demo", "offline", "random-weights", "small"],
            ready_to_deploy=ready,
            ready_to_finetune=ready,
            artifact_location=str(folder) if ready else None,
            card_markdown=info.readme if info and info.readme else card,
            architecture=info.architecture if info else None,
            files=_files(info),
            notes=notes,
        )

    # ---- listing ---------------------------------------------------------

    async def _rescan_cache(self) -> None:
        self._cache_models = await self._run(scan_hf_cache, self.hf_cache_dir)
        self._listing = None

    async def list_models(self, *, refresh: bool = False) -> list[ModelSummary]:
        if refresh:
            await self._rescan_cache()
        await self._notice_other_writers()
        if self._listing is None:
            self._listing = await self._build_listing()
        return self._listing

    async def _notice_other_writers(self) -> None:
        """Forget the listing when another process (the CLI, another server) registered or deleted a
        model or finished a fine-tune: one PRAGMA when nothing changed, one small query when
        something did, and a rebuild only when the listing's own rows changed."""
        version = await self.store.data_version()
        if version == self._seen_version:
            return
        self._seen_version = version
        fingerprint = await self.store.models_fingerprint()
        if fingerprint != self._fingerprint:
            self._fingerprint = fingerprint
            self._listing = None

    def _forget_listing(self) -> None:
        self._listing = None

    async def _build_listing(self) -> list[ModelSummary]:
        details = [
            *self._catalog_details(),
            *self._cache_details(),
            *await self._registered_details(),
            *await self.finetunes.models(),
        ]
        if self.generate_demo or demo_model.demo_is_ready(self.demo_dir):  # turned off and absent: not offered
            details.append(await self._run(self._demo_detail))
        if self.generate_demo or demo_model.demo_is_ready(self.vision_demo_dir):
            details.append(await self._run(self._vision_demo_detail))
        return [ModelSummary.model_validate(d.model_dump(include=set(ModelSummary.model_fields))) for d in details]

    def _cached_by_hf_id(self) -> dict[str, CachedModel]:
        return {c.hf_id: c for c in self._cache_models}

    def _catalog_details(self) -> list[ModelDetail]:
        cached = self._cached_by_hf_id()
        out = []
        for entry in curated_entries():
            local = cached.get(entry["hf_id"])
            out.append(_catalog_detail(entry, local))
        return out

    def _cache_details(self) -> list[ModelDetail]:
        curated = {e["hf_id"] for e in curated_entries()}
        return [_cache_detail(c) for c in self._cache_models if c.hf_id not in curated]

    async def _registered_details(self) -> list[ModelDetail]:
        return [_registered_detail(row) for row in await self.store.list_models()]

    async def get_model(self, model_id: str) -> ModelDetail:
        if model_id == demo_model.DEMO_MODEL_ID:
            return await self._run(self._demo_detail)
        if model_id == demo_model.DEMO_VLM_ID:
            return await self._run(self._vision_demo_detail)
        if model_id.startswith("catalog:"):
            for entry in curated_entries():
                if catalog_model_id(entry["hf_id"]) == model_id:
                    local = self._cached_by_hf_id().get(entry["hf_id"])
                    return await self._run(_catalog_detail, entry, local, True)
        elif model_id.startswith("cache:"):
            for cached in self._cache_models:
                if _cache_id(cached.hf_id) == model_id:
                    return await self._run(_cache_detail, cached, True)
        elif model_id.startswith("reg:"):
            row = await self.store.get_model(model_id)
            if row is not None:
                return await self._run(_registered_detail, row, True, self.allowed_roots)
        elif model_id.startswith(FINETUNED_PREFIX):
            return await self.finetunes.model(model_id)
        raise NotFound(f"No model with id '{model_id}'.")

    # ---- register / delete -------------------------------------------------

    async def register_model(self, request: RegisterModelRequest) -> RegisterModelResponse:
        if request.source == "local_folder":
            return await self._register_folder(request)
        if request.source == "object_storage":
            raise InvalidInput.field(
                "source",
                "Object Storage models are registered on the OCI backend; "
                "on this machine register a local folder or a Hugging Face id",
            )
        return await self._register_hf(request)

    async def _register_folder(self, request: RegisterModelRequest) -> RegisterModelResponse:
        assert request.path is not None
        info = await self._run(validate_folder, Path(request.path), self.allowed_roots)
        path = str(info.path)
        existing = await self.store.find_model_by_path(path)
        if existing is not None:
            raise Conflict(f"This folder is already registered as '{existing.name}' ({existing.id}).")
        name = (request.name or "").strip() or info.path.name
        row = _new_row(name, "local_folder", path, owns_path=False, info=info)
        await self.store.insert_model(row)
        self._listing = None
        detail = await self._run(_registered_detail, row, True, self.allowed_roots)
        op = self.operations.finished(
            "register-model", f"Register folder {path}", resource_id=row.id, message=f"Registered '{name}'"
        )
        return RegisterModelResponse(operation=op, model=detail)

    async def _register_hf(self, request: RegisterModelRequest) -> RegisterModelResponse:
        assert request.hf_id is not None
        hf_id = request.hf_id
        existing = await self.store.find_model_by_hf_id(hf_id)
        if existing is not None:
            raise Conflict(f"{hf_id} is already registered as '{existing.name}' ({existing.id}).")
        if hf_id in self._registering:
            raise Conflict(f"{hf_id} is already being downloaded.")
        token = request.token.get_secret_value() if request.token else None
        repo = await hf_download.check_hub(hf_id, request.revision, token)
        name = (request.name or "").strip() or hf_id.split("/", 1)[1]
        target = self.models_dir / f"hf--{hf_id.replace('/', '--')}--{uuid.uuid4().hex[:6]}"

        async def download(progress: Progress) -> None:
            await hf_download.download(hf_id, request.revision, token, target, repo, progress)

        def row(info: FolderInfo) -> ModelRow:
            return _new_row(
                name, "huggingface", str(info.path), owns_path=True, info=info, hf_id=hf_id, revision=repo.sha
            )

        work = self._made_model(hf_id, target, download, row)
        op = self.operations.start("register-model", f"Download {hf_id}", work)
        return RegisterModelResponse(operation=op, model=None)

    def _made_model(
        self, key: str, target: Path, make: Callable[[Progress], Awaitable[None]], row: Callable[[FolderInfo], ModelRow]
    ) -> Work:
        """The work of an operation that makes a model folder of ours (`make` writes `target`) and registers
        it (`row` says where it came from); `key` (what is being made) is held against a second request
        until it ends. A failure or a cancel leaves nothing: no folder, no registration."""
        self._registering.add(key)

        async def work(progress: Progress) -> str:
            try:
                await make(progress)
                made = row(await self._run(validate_folder, target, [self.models_dir]))
                await self.store.insert_model(made)
                self._listing = None
                return made.id
            except BaseException:
                await self._run(shutil.rmtree, target, True)  # nothing half-registered stays
                raise
            finally:
                self._registering.discard(key)

        return work

    async def convert_to_gguf(self, model: ModelDetail, request: ConvertToGgufRequest) -> Operation:
        assert model.artifact_location is not None  # the models service converts models with weights here
        level = request.quantization
        problem = await self._run(llama_gguf.conversion_problem)
        if problem is not None:
            raise InvalidInput.field("quantization", problem)
        source = Path(model.artifact_location)
        key = f"gguf:{source}:{level}"
        if key in self._registering:
            raise Conflict(f"'{model.name}' is already being converted to {level}.")
        name = (request.name or "").strip() or f"{model.name} {level}"
        target = self.models_dir / f"gguf--{source.name}-{level}--{uuid.uuid4().hex[:6]}"

        async def convert(progress: Progress) -> None:
            await llama_gguf.convert_folder(source, target, level, progress)

        def row(info: FolderInfo) -> ModelRow:
            return _new_row(name, "gguf", str(info.path), owns_path=True, info=info, base_model_id=model.id)

        work = self._made_model(key, target, convert, row)
        return self.operations.start("convert-gguf", f"Convert {model.name} to GGUF {level}", work)

    async def delete_model(self, model_id: str) -> None:
        if model_id.startswith(FINETUNED_PREFIX):
            await self.finetunes.model(model_id)  # 404 for unknown ids
            await self.finetunes.delete(model_id[len(FINETUNED_PREFIX) :])  # the model is its job's output
            return
        if not model_id.startswith("reg:"):
            await self.get_model(model_id)  # 404 for unknown ids
            raise Conflict("Only registered models can be deleted; catalog, cache and demo models are built in.")
        row = await self.store.get_model(model_id)
        if row is None:
            raise NotFound(f"No model with id '{model_id}'.")
        await self.store.delete_model(model_id)
        if row.owns_path:  # we downloaded it; a user's own folder is only unregistered, never removed
            await self._run(shutil.rmtree, row.path, True)
        self._listing = None


# ---- mapping to the contract ------------------------------------------------


def _cache_id(hf_id: str) -> str:
    return "cache:" + hf_id.replace("/", "--")


def _files(info: FolderInfo | None) -> list[str]:
    if info is None:
        return []
    return sorted(str(p.relative_to(info.path)) for p in info.path.rglob("*") if p.is_file())[:500]


def _readiness(info: FolderInfo | None) -> tuple[bool, bool, list[str]]:
    if info is None:
        return False, False, []
    notes = []
    servable = bool(set(info.formats) & SERVABLE_FORMATS)
    finetunable = ModelFormat.SAFETENSORS in info.formats and info.capability == Capability.TEXT_TO_TEXT
    if ModelFormat.GGUF in info.formats and ModelFormat.SAFETENSORS not in info.formats:
        notes.append(
            "GGUF weights are served by llama.cpp and cannot be fine-tuned; register safetensors weights to fine-tune."
        )
    if info.capability != Capability.TEXT_TO_TEXT:
        notes.append(f"Fine-tuning supports text generation models; this one is {info.capability.value}.")
    return servable, finetunable, notes


def _catalog_detail(entry: dict[str, Any], local: CachedModel | None, full: bool = False) -> ModelDetail:
    info = inspect_folder(local.path) if (local and full) else (local.info if local else None)
    deployable = local is not None
    notes = (
        []
        if deployable
        else [
            "Not downloaded yet: register it from Hugging Face (Register model → Hugging Face)"
            " to deploy or fine-tune it here."
        ]
    )
    if entry.get("gated"):
        notes.append("Gated on Hugging Face: accept the license on the model page and use a token with read access.")
    card = curated_card(entry)
    if full and info is not None and info.readme:
        card = info.readme
    return ModelDetail(
        id=catalog_model_id(entry["hf_id"]),
        name=entry["name"],
        source=ModelSource.CATALOG,
        organization=entry["organization"],
        license=entry["license"],
        license_url=entry.get("license_url"),
        task=entry["task"],
        capability=Capability(entry["capability"]),
        parameter_count=entry["parameter_count"],
        context_length=entry["context_length"],
        formats=[ModelFormat(f) for f in entry["formats"]],
        size_bytes=entry["size_bytes"],
        hf_id=entry["hf_id"],
        description=entry["description"],
        tags=entry.get("tags", []),
        gated=bool(entry.get("gated")),
        ready_to_deploy=deployable,
        ready_to_finetune=deployable and bool(entry.get("ready_to_finetune")),
        artifact_location=str(local.path) if local else None,
        card_markdown=card if full else "",
        architecture=Architecture(**entry["architecture"]),
        files=_files(info) if full else [],
        notes=notes,
    )


def _cache_detail(cached: CachedModel, full: bool = False) -> ModelDetail:
    info = inspect_folder(cached.path) if full else cached.info
    deployable, finetunable, notes = _readiness(info)
    org = cached.hf_id.split("/", 1)[0]
    return ModelDetail(
        id=_cache_id(cached.hf_id),
        name=cached.hf_id.split("/", 1)[-1],
        source=ModelSource.CACHE,
        organization=org,
        license=info.license,
        task=_task(info.capability),
        capability=info.capability,
        parameter_count=info.parameter_count,
        context_length=info.context_length,
        formats=info.formats,
        size_bytes=info.size_bytes,
        hf_id=cached.hf_id,
        description=f"Found in the local Hugging Face cache (revision {cached.revision[:8]}).",
        tags=["cached"],
        ready_to_deploy=deployable,
        ready_to_finetune=finetunable,
        artifact_location=str(cached.path),
        created_at=cached.last_modified,
        card_markdown=(info.readme or "") if full else "",
        architecture=info.architecture,
        files=_files(info) if full else [],
        notes=notes,
    )


def _task(capability: Capability) -> str:
    return {
        Capability.TEXT_TO_TEXT: "text-generation",
        Capability.IMAGE_TEXT_TO_TEXT: "image-text-to-text",
        Capability.EMBEDDING: "feature-extraction",
        Capability.RERANK: "text-ranking",
    }[capability]


def _new_row(
    name: str,
    origin: str,
    path: str,
    *,
    owns_path: bool,
    info: FolderInfo,
    hf_id: str | None = None,
    revision: str | None = None,
    base_model_id: str | None = None,
) -> ModelRow:
    deployable, finetunable, notes = _readiness(info)
    summary = {
        "organization": hf_id.split("/", 1)[0] if hf_id else None,
        "license": info.license,
        "task": _task(info.capability),
        "capability": info.capability.value,
        "parameter_count": info.parameter_count,
        "context_length": info.context_length,
        "formats": [f.value for f in info.formats],
        "size_bytes": info.size_bytes,
        "architecture": info.architecture.model_dump() if info.architecture else None,
        "ready_to_deploy": deployable,
        "ready_to_finetune": finetunable,
        "notes": notes,
        **({"base_model_id": base_model_id} if base_model_id else {}),
    }
    return ModelRow(
        id=f"reg:{uuid.uuid4().hex[:12]}",
        name=name,
        origin=origin,
        path=path,
        owns_path=owns_path,
        hf_id=hf_id,
        revision=revision,
        summary=summary,
        created_at=datetime.now(timezone.utc),
    )


def _registered_detail(row: ModelRow, full: bool = False, allowed_roots: list[Path] | None = None) -> ModelDetail:
    """`allowed_roots`: where a user's folder's card and config may point (a download of ours: the folder)."""
    s = row.summary
    roots = None if row.owns_path else allowed_roots
    info = inspect_folder(Path(row.path), roots=roots) if full and Path(row.path).is_dir() else None
    notes = list(s.get("notes", []))
    if full and info is None:
        notes.insert(0, f"The folder {row.path} is gone: restore it or delete this registration.")
    origins = {
        "huggingface": f"Downloaded from Hugging Face ({row.hf_id})",
        "gguf": f"Converted to GGUF from {s.get('base_model_id')} with llama.cpp",
    }
    origin = origins.get(row.origin, f"Registered from {row.path}")
    return ModelDetail(
        id=row.id,
        name=row.name,
        source=ModelSource.REGISTERED,
        organization=s.get("organization"),
        license=s.get("license"),
        task=s.get("task"),
        capability=Capability(s["capability"]),
        parameter_count=s.get("parameter_count"),
        context_length=s.get("context_length"),
        formats=[ModelFormat(f) for f in s.get("formats", [])],
        size_bytes=s.get("size_bytes"),
        hf_id=row.hf_id,
        description=origin + ".",
        tags=["registered"],
        ready_to_deploy=bool(s.get("ready_to_deploy")),
        ready_to_finetune=bool(s.get("ready_to_finetune")),
        artifact_location=row.path,
        created_at=row.created_at,
        card_markdown=(info.readme or "") if info else "",
        architecture=Architecture(**s["architecture"]) if s.get("architecture") else None,
        lineage=Lineage(base_model_id=s["base_model_id"]) if s.get("base_model_id") else None,
        files=_files(info) if info else [],
        notes=notes,
    )
