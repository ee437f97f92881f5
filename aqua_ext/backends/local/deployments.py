"""Local deployments: one detached engine process per ACTIVE deployment, state in SQLite.

States follow OCI's words: CREATING → ACTIVE once the engine answers a health check and a
warm-up request; FAILED with a human reason and the log's last lines; deactivate → INACTIVE
(engine stopped, record kept); activate → UPDATING → ACTIVE; delete stops and forgets.

Engines outlive a Jupyter restart on purpose. Several processes share a data dir (the server,
`aqua-ext` commands); the one holding the data dir's lease (lease.py) judges engines: when it
takes the lease, `own` re-attaches the engines still answering, marks lost ones FAILED, and
stops any engine no deployment should have running, so there are never orphans; then its
monitor notices an engine that dies while ACTIVE and adopts what other processes start. A
process that starts or stops an engine holds that deployment's engine lock until the engine is
ready, failed or stopped, and the lease holder leaves the deployment alone meanwhile. Processes
without the lease read and write records, and start or stop engines on a user's request, but
never judge an engine.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import json
import logging
import os
import shutil
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx

from ...api.deployments import (
    AdapterRequest,
    CreateDeploymentRequest,
    CreateDeploymentResponse,
    DeploymentAdapter,
    DeploymentDetail,
    DeploymentState,
    DeploymentSummary,
    SetAdaptersResponse,
)
from ...api.info import Hardware
from ...api.logs import LogPage, LogsQuery
from ...api.models import ModelDetail, ModelFormat, ModelSource
from ...api.upstream import UpstreamTarget, served_name
from ...errors import AquaError, Conflict, InvalidInput, NotFound, Upstream, storage_error
from ..adapter_facts import AdapterChange, AdapterFacts, BaseFacts, adapter_name, base_names
from ..base import Deployments
from ..operations import Operations, Progress
from . import engines, llama_gguf
from .hardware import detect_engines
from .lease import FileLock, engine_lock
from .logs import read_log_page
from .model_folder import model_file
from .monitor import Monitor
from .store import DeploymentRow, Store

log = logging.getLogger(__name__)

S = DeploymentState
READY_TIMEOUT_S = 600.0
MONITOR_INTERVAL_S = 2.0
LIVE_STATES = {S.CREATING.value, S.UPDATING.value, S.ACTIVE.value}  # an engine should be running
# Engines that serve Prometheus metrics on /metrics (llama-server: started with --metrics).
METRICS_ENGINES = frozenset({"vllm", "llama.cpp"})
# A LoRA fine-tune's folder holds model/ (merged weights, what its model id serves) and adapter/ (the PEFT
# adapter alone: jobs/finetune.py's ADAPTER_DIR), which engines load beside a base.
ADAPTER_FOLDER = "adapter"
ADAPTER_GGUF = "adapter-f16.gguf"  # llama.cpp's file of it, converted once (convert_lora_to_gguf.py)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _split_failure(error: BaseException) -> tuple[str, list[str]]:
    """engines.wait_ready's message holds the reason, then the log's last lines: split them."""
    error = storage_error(error) or error  # a full disk says so
    message = error.message if isinstance(error, AquaError) else str(error) or type(error).__name__
    head, sep, tail = message.partition("\nLast lines of ")
    lines = tail.split("\n")[1:] if sep else []
    return head.strip(), lines


@dataclass(frozen=True)
class LocalDeployFacts:
    """What this machine says about a deploy request, once the checks only it can make passed (the
    model's weights are here, the engine is installed and loads them, the shape exists). The
    deployments service checks the parameters and the memory fit on it (services/deploy_plan.py)."""

    request: CreateDeploymentRequest
    model: ModelDetail
    hardware: Hardware
    engine: str
    shape: str  # "cpu" or "gpu"
    params: list[str]  # the user's tokens, dtype given as --dtype first; not checked yet
    adapters: tuple[AdapterFacts, ...] = ()  # the LoRA adapters asked for, as found here
    base: BaseFacts | None = None  # what names the model, for the adapters' same-base check


@dataclass(frozen=True)
class LocalDeployPlan:
    """A deploy request the deployments service checked: what `create` starts."""

    facts: LocalDeployFacts
    params: list[str]  # the engine's allowlist passed them, normalised
    adapters: tuple[DeploymentAdapter, ...] = ()  # checked (services/adapters.py)
    adapter_args: tuple[str, ...] = ()  # the engine's flags that load them
    max_model_len: int | None = None  # the context each request may use (services/deploy_plan.py)
    # The weights' choice the service resolved from the request (quantization.py); None: the default.
    quantization: str | None = None


class LocalDeployments(Deployments):
    def __init__(
        self,
        store: Store,
        operations: Operations,
        *,
        runs_dir: Path,
        get_model: Callable[[str], Awaitable[ModelDetail]],
        hardware: Callable[[], Awaitable[Hardware]],
        hub_cache: Path | None,
        ready_timeout: float = READY_TIMEOUT_S,
    ) -> None:
        self.store = store
        self.operations = operations
        self.runs_dir = runs_dir
        self._get_model = get_model
        self._hardware = hardware
        self._hub_cache = hub_cache
        self.ready_timeout = ready_timeout
        self._handles: dict[str, engines.EngineHandle] = {}
        self._targets: dict[str, UpstreamTarget] = {}  # ACTIVE deployments: a chat costs no SQLite read
        self._ops: dict[str, str] = {}  # deployment id → its running create/activate operation
        self._monitor = Monitor(self._look, interval=MONITOR_INTERVAL_S, what="deployment")
        self._dying = asyncio.Lock()  # one place records an engine's death: the watcher or a failed request
        self.owner = False  # this process holds the data dir's lease: it judges engines (own())
        self._seen_version: int | None = None  # the store's data_version at the monitor's last look
        self._judged: dict[str, datetime] = {}  # deployment id → updated_at of the row last judged
        self._busy: set[str] = set()  # deployments another live process is starting or stopping

    # ---- lifecycle of the manager ------------------------------------------

    async def start(self) -> None:
        self.runs_dir.mkdir(parents=True, exist_ok=True)

    async def own(self, *, at_start: bool = True) -> None:
        """This process took the data dir's lease (at its start, or later from a holder that went
        away): settle every deployment, then watch them all."""
        self.owner = True
        self._seen_version = await self.store.data_version()
        await self.reconcile(at_start=at_start)
        self._monitor.start()

    async def close(self) -> None:
        # Engines keep running: a Jupyter restart must not take deployments down.
        await self._monitor.close()

    def _log_path(self, deployment_id: str) -> Path:
        return self.runs_dir / deployment_id / "engine.log"

    async def reconcile(self, *, at_start: bool = True) -> None:
        """Judge every deployment this process does not run itself: re-attach live engines, mark
        lost ones FAILED, stop strays (at this process's start: what happened while Jupyter was
        stopped; later: what other processes started, deactivated or left behind)."""
        self._busy.clear()
        for row in await self.store.list_deployments():
            if row.id in self._handles or row.id in self._ops or self._judged.get(row.id) == row.updated_at:
                continue
            await self._judge(row.id, at_start=at_start)

    async def _judge(self, deployment_id: str, *, at_start: bool) -> None:
        run_dir = self.runs_dir / deployment_id
        lock = engine_lock(run_dir)
        handed_over = False
        # Under the deployment's engine lock: no start or stop begins between reading and acting.
        if run_dir.is_dir() and not await asyncio.to_thread(lock.try_acquire):
            self._busy.add(deployment_id)  # another live process starts or stops it: look again later
            return
        try:
            row = await self.store.get_deployment(deployment_id)
            if row is None:
                return
            record = await asyncio.to_thread(engines.read_run_record, engines.run_record_path(self._log_path(row.id)))
            if row.state not in LIVE_STATES:
                if record is not None and await asyncio.to_thread(engines.is_alive, record):
                    log.info("stopping the engine of %s deployment %s", row.state, row.id)
                    await engines.stop(engines.EngineHandle(record=record))
                self._judged[row.id] = row.updated_at
                return
            handle = await engines.reattach(record) if record is not None else None
            if handle is None:
                if record is not None and await asyncio.to_thread(engines.is_alive, record):
                    # Alive but not answering: not trustworthy, and must not linger.
                    await engines.stop(engines.EngineHandle(record=record))
                lines = await asyncio.to_thread(engines.tail_log, self._log_path(row.id), engines.LOG_LINES_IN_ERRORS)
                reason = engines.human_reason(lines)
                if at_start:
                    what = "The engine was lost while Jupyter was stopped."
                elif row.state == S.ACTIVE.value:
                    what = "The engine process exited."
                else:
                    what = "The process that was starting the engine ended before the engine was ready."
                await self.store.set_deployment_state(
                    row.id, S.FAILED.value, what + (f" {reason}" if reason else ""), lines
                )
                log.warning("deployment %s: %s", row.id, what)
                return
            self._handles[row.id] = handle
            if row.state == S.ACTIVE.value:
                self._targets[row.id] = await self._target(row, handle)
            else:  # its starter went away while it warmed up: finish the readiness check here
                self._start_operation(row, handle=handle, activating=row.state == S.UPDATING.value, lock=lock)
                handed_over = True  # the operation releases the lock
        finally:
            if not handed_over:
                lock.release()

    async def _look(self) -> None:
        for deployment_id in list(self._targets):
            handle = self._handles.get(deployment_id)
            if handle is not None and not await asyncio.to_thread(self._alive, handle):
                async with self._dying:
                    if self._handles.get(deployment_id) is handle:
                        await self._engine_died(deployment_id, handle)
        # What other processes wrote (a deployment the CLI started, deactivated, deleted) shows as a
        # new data_version: one PRAGMA per look, the table is read only when something changed.
        version = await self.store.data_version()
        if version != self._seen_version or self._busy:
            self._seen_version = version
            await self.reconcile(at_start=False)

    @staticmethod
    def _alive(handle: engines.EngineHandle) -> bool:
        if handle.proc is not None:
            return handle.proc.poll() is None
        return engines.is_alive(handle.record)

    async def _engine_died(self, deployment_id: str, handle: engines.EngineHandle) -> DeploymentState | None:
        """Forget a dead engine; mark its deployment FAILED unless it was meant to stop (the lease
        holder only: another process forgets it and leaves the verdict to the holder's monitor)."""
        self._targets.pop(deployment_id, None)
        self._handles.pop(deployment_id, None)
        if not self.owner:
            row = await self.store.get_deployment(deployment_id)
            return S(row.state) if row is not None and row.state == S.FAILED.value else None
        code = handle.proc.returncode if handle.proc is not None else None
        lines = await asyncio.to_thread(engines.tail_log, handle.log_path, engines.LOG_LINES_IN_ERRORS)
        reason = engines.human_reason(lines)
        what = "The engine process exited" + (f" (exit code {code})" if code is not None else "") + "."
        await engines.stop(handle)  # whatever is left of its process group
        row = await self.store.get_deployment(deployment_id)
        # Another process (the CLI) may have deactivated or deleted it: then the exit was wanted.
        if row is None or row.state != S.ACTIVE.value:
            return S(row.state) if row is not None else None
        await self.store.set_deployment_state(
            deployment_id, S.FAILED.value, what + (f" {reason}" if reason else ""), lines
        )
        log.warning("deployment %s: %s", deployment_id, what)
        return S.FAILED

    # ---- reads ---------------------------------------------------------------

    async def _row(self, deployment_id: str) -> DeploymentRow:
        row = await self.store.get_deployment(deployment_id)
        if row is None:
            raise NotFound(f"No deployment with id '{deployment_id}'.")
        return row

    async def list(self) -> list[DeploymentSummary]:
        return [self._summary(row) for row in await self.store.list_deployments()]

    async def get(self, deployment_id: str) -> DeploymentDetail:
        return self._detail(await self._row(deployment_id))

    def _summary(self, row: DeploymentRow) -> DeploymentSummary:
        c = row.config
        return DeploymentSummary(
            id=row.id,
            name=row.name,
            description=c["description"],
            model_id=row.model_id,
            model_name=c["model_name"],
            state=S(row.state),
            state_message=row.state_message,
            mode=c["mode"],
            engine=c["engine"],
            shape=c["shape"],
            replicas=1,
            created_at=row.created_at,
            updated_at=row.updated_at,
            openai_base_path=f"aqua-ext/deployments/{row.id}/v1",
            idle_stop_minutes=c.get("idle_stop_minutes"),
            capability=c.get("capability"),  # absent in rows from before it was kept
            # The row changes only with its state: while ACTIVE, its update is when it became ACTIVE.
            active_since=row.updated_at if row.state == S.ACTIVE.value else None,
            adapters=[DeploymentAdapter.model_validate(a) for a in c.get("adapters", [])],
            quantization=c.get("quantization"),  # absent in rows from before it was kept
        )

    def _detail(self, row: DeploymentRow) -> DeploymentDetail:
        c = row.config
        handle = self._handles.get(row.id)
        return DeploymentDetail(
            **self._summary(row).model_dump(),
            params=c["params"],
            max_model_len=c.get("max_model_len"),
            dtype=c.get("dtype"),
            upstream_url=handle.base_url if handle and row.state == S.ACTIVE.value else None,
            operation_id=self._ops.get(row.id),
            failure_log=row.failure_log if row.state == S.FAILED.value else [],
        )

    # ---- create / activate -----------------------------------------------------

    async def create(self, plan: LocalDeployPlan) -> CreateDeploymentResponse:
        model, request = plan.facts.model, plan.facts.request
        config = self._config(plan)
        now = _now()
        deployment_id = f"dep-{uuid.uuid4().hex[:10]}"
        # Held from before the row exists until the engine is ready or failed: the lease holder
        # leaves the deployment alone meanwhile.
        lock = await self._engine_lock(deployment_id)
        row = DeploymentRow(
            id=deployment_id,
            name=request.name,
            state=S.CREATING.value,
            state_message="Starting the engine",
            model_id=model.id,
            config=config,
            failure_log=[],
            created_at=now,
            updated_at=now,
        )
        try:
            await self.store.insert_deployment(row)
            op = self._start_operation(row, lock=lock)
        except BaseException:
            lock.release()
            await asyncio.to_thread(shutil.rmtree, self.runs_dir / deployment_id, True)  # nothing half-created
            raise
        return CreateDeploymentResponse(deployment=self._detail(row), operation=op)

    async def _engine_lock(self, deployment_id: str) -> FileLock:
        lock = engine_lock(self.runs_dir / deployment_id)
        # The lease holder may be looking at this deployment this very moment (its look takes the lock
        # for an instant): wait for it, but not for a start or stop that another process has under way.
        for _ in range(50):
            if await asyncio.to_thread(lock.try_acquire, {"pid": os.getpid()}):
                return lock
            await asyncio.sleep(0.02)
        raise Conflict("Another process is starting or stopping this deployment's engine; try again in a moment.")

    async def resolve(self, request: CreateDeploymentRequest) -> LocalDeployFacts:
        """Check the request against the model and this machine; the service's rules come next."""
        model = await self._get_model(request.model_id)
        if not model.ready_to_deploy or not model.artifact_location:
            why = " ".join(model.notes) or "its weights are not on this machine."
            raise InvalidInput.field("model_id", f"'{model.name}' cannot be deployed here yet: {why}")
        if request.replicas != 1:
            raise InvalidInput.field("replicas", "a local deployment runs one engine; replicas are an OCI option")
        if request.log_group_id or request.log_id:
            raise InvalidInput.field("log_group_id", "OCI logging is an OCI option; local engines log to a file")
        hardware = await self._hardware()
        gguf_only = ModelFormat.SAFETENSORS not in model.formats and ModelFormat.GGUF in model.formats
        engine = request.engine or ("llama.cpp" if gguf_only else "transformers")
        available = {e.name: e for e in await asyncio.to_thread(detect_engines, hardware)}
        if engine not in available or not available[engine].available:
            reason = available[engine].reason if engine in available else "it is an OCI engine"
            raise InvalidInput.field("engine", f"the {engine} engine is not available on this machine: {reason}")
        weights = ModelFormat.GGUF if engine == "llama.cpp" else ModelFormat.SAFETENSORS
        if weights not in model.formats:
            raise InvalidInput.field(
                "engine",
                f"{engine} serves {weights.value} weights; this model has " + ", ".join(f.value for f in model.formats),
            )
        shape = request.shape or ("gpu" if hardware.gpus else "cpu")
        if shape not in ("cpu", "gpu"):
            raise InvalidInput.field("shape", f"'{shape}' is not a local shape; use cpu or gpu")
        if shape == "gpu" and not hardware.gpus:
            raise InvalidInput.field("shape", "this machine has no GPU; use cpu")
        if request.max_model_len and model.context_length and request.max_model_len > model.context_length:
            raise InvalidInput.field(
                "max_model_len",
                f"{request.max_model_len} is longer than the model's context length ({model.context_length})",
            )
        raw = list(request.params)
        # llama.cpp's GGUF file has its precision built in: dtype only feeds the memory fit there.
        if request.dtype and engine != "llama.cpp":
            if request.dtype in ("fp8", "int8", "int4"):
                raise InvalidInput.field(
                    "dtype",
                    f"{engine} loads float weights; for 8 or 4 bits pass --quantization "
                    "in params (vLLM: --quantization fp8), or deploy a quantized model",
                )
            if any(t.split("=", 1)[0] == "--dtype" for t in raw):
                raise InvalidInput.field("params", "--dtype is given twice: in dtype and in params")
            raw = ["--dtype", request.dtype, *raw]
        adapters = await self._adapter_facts(request.adapters, engine) if request.adapters else ()
        return LocalDeployFacts(
            request=request,
            model=model,
            hardware=hardware,
            engine=engine,
            shape=shape,
            params=raw,
            adapters=adapters,
            base=await self._base_facts(model) if adapters else None,
        )

    # ---- adapters --------------------------------------------------------------------

    async def _adapter_facts(self, requested: builtins.list[AdapterRequest], engine: str) -> tuple[AdapterFacts, ...]:
        """What this machine has of each adapter asked for: a LoRA fine-tune's PEFT folder and its config."""
        if requested and engine == "llama.cpp":
            problem = await asyncio.to_thread(llama_gguf.lora_conversion_problem)
            if problem is not None:  # llama.cpp loads GGUF adapters, converted from the PEFT folders at start
                raise InvalidInput.field("adapters", problem)
        out = []
        for i, asked in enumerate(requested):
            field = f"adapters.{i}"
            try:
                model = await self._get_model(asked.model_id)
            except NotFound:
                raise InvalidInput.field(field, f"no model with id '{asked.model_id}' on this target") from None
            folder = Path(model.artifact_location).parent / ADAPTER_FOLDER if model.artifact_location else None
            config = await asyncio.to_thread(_adapter_config, folder) if folder else None
            lora = model.source == ModelSource.FINE_TUNED and config is not None
            rank = config.get("r") if config else None
            base_path = config.get("base_model_name_or_path") if config else None
            weights = folder / ADAPTER_GGUF if folder and engine == "llama.cpp" else folder
            out.append(
                AdapterFacts(
                    index=i,
                    name=adapter_name(asked, model.name),
                    model_id=model.id,
                    model_name=model.name,
                    lora=lora,
                    rank=rank if isinstance(rank, int) else None,
                    base_model_name_or_path=base_path if isinstance(base_path, str) else None,
                    base_model_id=model.lineage.base_model_id if model.lineage else None,
                    weights_path=str(weights or ""),
                    peft_path=str(folder or ""),
                    config_path=model.artifact_location or "",
                )
            )
        return tuple(out)

    async def _base_facts(self, model: ModelDetail) -> BaseFacts:
        """The names of the base weights `model` holds: its own, and a GGUF twin's source's (a conversion keeps
        the weights; a fine-tuned model's lineage does not count: its weights changed)."""
        names = base_names(model.id, model.artifact_location, model.hf_id)
        source_id = model.lineage.base_model_id if model.lineage else None
        if source_id and model.source == ModelSource.REGISTERED and ModelFormat.GGUF in model.formats:
            names |= base_names(source_id)
            with contextlib.suppress(AquaError):
                source = await self._get_model(source_id)
                names |= base_names(source.artifact_location, source.hf_id)
        hidden = model.architecture.hidden_size if model.architecture else None
        return BaseFacts(names=names, label=f"'{model.name}'", hidden_size=hidden)

    async def resolve_adapters(self, deployment_id: str, requested: builtins.list[AdapterRequest]) -> AdapterChange:
        """The facts of a new set of adapters for a deployment (its engine, base and served name with them)."""
        row = await self._row(deployment_id)
        c = row.config
        # What the running engine was started with, from its run record: after a live change the
        # stored flags are the next start's, which may hold a lower rank than the engine has now.
        record = await asyncio.to_thread(engines.read_run_record, engines.run_record_path(self._log_path(row.id)))
        return AdapterChange(
            deployment_id=row.id,
            engine=c["engine"],
            served=c["served_model_name"],
            mode=c["mode"],
            facts=await self._adapter_facts(requested, c["engine"]),
            base=await self._base_facts(await self._get_model(row.model_id)),
            running=tuple(record.cmd) if record is not None else (),
        )

    async def set_adapters(self, change: AdapterChange) -> SetAdaptersResponse:
        """Serve the adapters the service checked: saved for the next start when the engine is not running,
        else loaded into it ("live", vLLM) or the engine restarted with them ("restart", llama.cpp)."""
        row = await self._row(change.deployment_id)
        adapters = tuple(DeploymentAdapter.model_validate(a) for a in change.adapters)
        config = {**row.config, **_adapter_config_fields(change.facts, adapters, change.args)}
        if row.state != S.ACTIVE.value:
            await self.store.set_deployment_config(row.id, config)
            return SetAdaptersResponse(deployment=await self.get(row.id), applied="saved")
        if change.how == "live":
            await self._load_live(row, config)
            return SetAdaptersResponse(deployment=await self.get(row.id), applied="live")
        lock = await self._engine_lock(row.id)
        try:
            await self.store.set_deployment_state(row.id, S.UPDATING.value, "Restarting the engine with its adapters")
            await self._stop_engine(row.id)
            await self.store.set_deployment_config(row.id, config)
            row = await self._row(row.id)
            op = self._start_operation(row, activating=True, lock=lock)
        except BaseException:
            lock.release()
            raise
        return SetAdaptersResponse(deployment=self._detail(row), applied="restart", operation=op)

    async def _load_live(self, row: DeploymentRow, config: dict[str, Any]) -> None:
        """vLLM started with VLLM_ALLOW_RUNTIME_LORA_UPDATING: unload the adapters left out, load the new ones."""
        target = await self.upstream(row.id)
        old = {a["name"]: a for a in row.config.get("adapter_sources", [])}
        new = {a["name"]: a for a in config["adapter_sources"]}
        async with httpx.AsyncClient(base_url=target.base_url, trust_env=False, timeout=120) as client:
            for name in old.keys() - new.keys():
                response = await client.post("/v1/unload_lora_adapter", json={"lora_name": name})
                _engine_refused(response, f"unload the adapter {name}")
            for name in new.keys() - old.keys():
                body = {"lora_name": name, "lora_path": new[name]["weights"]}
                _engine_refused(await client.post("/v1/load_lora_adapter", json=body), f"load the adapter {name}")
        await self.store.set_deployment_config(row.id, config)
        handle = self._handles.get(row.id)
        if handle is not None:  # requests route by the new set from now on
            self._targets[row.id] = await self._target(await self._row(row.id), handle)

    def _config(self, plan: LocalDeployPlan) -> dict[str, Any]:
        """The config stored with the row, once the engine's command is built from it (nothing is
        started: mode and device are checked against the engine)."""
        facts, request = plan.facts, plan.facts.request
        config = {
            "description": request.description,
            "model_name": facts.model.name,
            "capability": facts.model.capability.value if facts.model.capability else None,
            "model_path": facts.model.artifact_location,
            "engine": facts.engine,
            "mode": request.mode,
            "shape": facts.shape,
            "dtype": request.dtype,
            "max_model_len": plan.max_model_len,
            "params": plan.params,
            "served_model_name": served_name(request.name),
            "idle_stop_minutes": request.idle_stop_minutes,
            "quantization": plan.quantization,
            **_adapter_config_fields(plan.facts.adapters, plan.adapters, plan.adapter_args),
        }
        engines.build_command(self._spec("check", config, port=1))
        return config

    def _spec(self, deployment_id: str, c: dict[str, Any], port: int) -> engines.EngineSpec:
        return engines.EngineSpec(
            engine=c["engine"],
            model_path=Path(c["model_path"]),
            served_model_name=c["served_model_name"],
            mode=c["mode"],
            port=port,
            log_path=self._log_path(deployment_id),
            params=c["params"],
            device="cuda" if c["shape"] == "gpu" else "cpu",
            hub_cache=self._hub_cache,
            max_model_len=c.get("max_model_len"),
            adapter_args=list(c.get("adapter_args", [])),
        )

    async def activate(self, deployment_id: str) -> CreateDeploymentResponse:
        # Which states may be activated is the service's rule (services/deployments.py).
        row = await self._row(deployment_id)
        lock = await self._engine_lock(row.id)
        try:
            await self.store.set_deployment_state(row.id, S.UPDATING.value, "Starting the engine")
            row = await self._row(deployment_id)
            op = self._start_operation(row, activating=True, lock=lock)
        except BaseException:
            lock.release()
            raise
        return CreateDeploymentResponse(deployment=self._detail(row), operation=op)

    def _start_operation(
        self,
        row: DeploymentRow,
        *,
        lock: FileLock,
        handle: engines.EngineHandle | None = None,
        activating: bool = False,
    ):
        """Bring the engine up (or finish its readiness check) in an operation; `lock`, the
        deployment's engine lock held by the caller, is released when the operation ends."""
        verb = "Activate" if activating else "Deploy"

        async def work(progress: Progress) -> str:
            try:
                await self._bring_up(row, progress, handle)
            except asyncio.CancelledError:
                await self._set_state(row.id, S.INACTIVE, "Stopped before it was ready (canceled).")
                raise
            except Exception as exc:
                message, lines = _split_failure(exc)
                await self._set_state(row.id, S.FAILED, message, lines)
                raise
            finally:
                self._ops.pop(row.id, None)
                lock.release()
            return row.id

        try:
            op = self.operations.start("deploy", f"{verb} {row.name}", work, resource_id=row.id)
        except BaseException:
            lock.release()
            raise
        self._ops[row.id] = op.id
        return op

    async def _bring_up(self, row: DeploymentRow, progress: Progress, handle: engines.EngineHandle | None) -> None:
        c = row.config
        if handle is None:
            await self._convert_adapters(c, progress)
            spec = self._spec(row.id, c, port=engines.free_port())
            progress.update(progress=0.05, message=f"Starting {c['engine']} on {c['shape']}")
            spawn = asyncio.ensure_future(engines.start(spec))
            try:
                handle = await asyncio.shield(spawn)
            except asyncio.CancelledError:
                # Canceled while the process was being spawned: it still starts, so stop it.
                with contextlib.suppress(Exception):
                    await engines.stop(await spawn)
                raise
        self._handles[row.id] = handle
        progress.update(progress=0.2, message="Loading the model; waiting for a health check and a warm-up request")
        try:
            await engines.wait_ready(handle, self.ready_timeout)
        except BaseException:
            self._handles.pop(row.id, None)
            raise
        message = f"Serving on {c['shape']} since {_now():%Y-%m-%d %H:%M} UTC"
        await self._set_state(row.id, S.ACTIVE, message)
        current = await self.store.get_deployment(row.id)
        if current is None:  # deleted while warming up
            await engines.stop(handle)
            self._handles.pop(row.id, None)
            return
        self._targets[row.id] = await self._target(current, handle)
        progress.update(progress=1.0, message="Active")

    async def _set_state(
        self, deployment_id: str, state: DeploymentState, message: str, failure_log: builtins.list[str] | None = None
    ) -> None:
        if state != S.ACTIVE:
            self._targets.pop(deployment_id, None)
        with contextlib.suppress(Exception):  # the store may be closed during shutdown
            if await self.store.get_deployment(deployment_id) is not None:
                await self.store.set_deployment_state(deployment_id, state.value, message, failure_log)

    async def _target(self, row: DeploymentRow, handle: engines.EngineHandle) -> UpstreamTarget:
        c = row.config
        defaults = await asyncio.to_thread(_generation_defaults, Path(c["model_path"]))
        return UpstreamTarget(
            deployment_id=row.id,
            mode=c["mode"],
            model=handle.record.engine_model_id,
            base_url=handle.base_url,
            served_model_name=c["served_model_name"],
            dialect="transformers" if c["engine"] == "transformers" else "openai",
            generation_defaults=defaults,
            max_model_len=c.get("max_model_len"),
            metrics_url=handle.base_url + "/metrics" if c["engine"] in METRICS_ENGINES else None,
            adapters=tuple(a["name"] for a in c.get("adapters", [])),
            adapter_routing=c.get("adapter_routing"),
            engine=c["engine"],
            capability=c.get("capability"),
        )

    async def _convert_adapters(self, c: dict[str, Any], progress: Progress) -> None:
        """llama.cpp loads GGUF adapters: convert each PEFT adapter once (kept beside it for the next start)."""
        for source in c.get("adapter_sources", []):
            target = Path(source["weights"])
            if source["format"] != "gguf" or await asyncio.to_thread(target.is_file):
                continue
            progress.update(progress=0.1, message=f"Converting the adapter {source['name']} to GGUF")
            await llama_gguf.convert_lora(Path(source["peft"]), Path(source["config"]), target, progress)

    # ---- deactivate / delete -------------------------------------------------

    async def _stop_engine(self, deployment_id: str) -> None:
        op_id = self._ops.get(deployment_id)
        if op_id is not None:
            with contextlib.suppress(AquaError):
                await self.operations.cancel(op_id)
                await self.operations.wait(op_id, timeout=30)
        self._targets.pop(deployment_id, None)
        handle = self._handles.pop(deployment_id, None)
        if handle is None:
            record = await asyncio.to_thread(
                engines.read_run_record, engines.run_record_path(self._log_path(deployment_id))
            )
            handle = engines.EngineHandle(record=record) if record is not None else None
        if handle is not None:
            await engines.stop(handle)

    async def deactivate(self, deployment_id: str, *, reason: str | None = None) -> DeploymentDetail:
        row = await self._row(deployment_id)
        lock = await self._engine_lock(row.id)  # the lease holder must not judge it half-stopped
        try:
            await self.store.set_deployment_state(row.id, S.UPDATING.value, "Stopping the engine")
            await self._stop_engine(row.id)
            await self.store.set_deployment_state(
                row.id, S.INACTIVE.value, reason or f"Deactivated {_now():%Y-%m-%d %H:%M} UTC; activate to serve again"
            )
        finally:
            lock.release()
        return await self.get(row.id)

    async def update(self, deployment_id: str, *, idle_stop_minutes: int | None) -> DeploymentDetail:
        row = await self._row(deployment_id)
        await self.store.set_deployment_config(row.id, {**row.config, "idle_stop_minutes": idle_stop_minutes})
        return await self.get(row.id)

    async def delete(self, deployment_id: str) -> None:
        row = await self._row(deployment_id)
        await self._stop_engine(row.id)  # cancels this process's own start first: it holds the lock
        try:
            lock: FileLock | None = await self._engine_lock(row.id)
        except Conflict:
            lock = None  # another process is starting it: it finds the row gone and stops
        try:
            await self._stop_engine(row.id)  # an engine started meanwhile
            await self.store.delete_deployment(row.id)
            await asyncio.to_thread(shutil.rmtree, self.runs_dir / row.id, True)
        finally:
            if lock is not None:
                lock.release()

    # ---- logs and upstream --------------------------------------------------------

    async def logs(self, deployment_id: str, query: LogsQuery) -> LogPage:
        await self._row(deployment_id)
        return await read_log_page(self._log_path(deployment_id), query)

    async def upstream(self, deployment_id: str) -> UpstreamTarget:
        target = self._targets.get(deployment_id)
        if target is not None and self.owner:
            return target  # the monitor keeps this process's view of ACTIVE engines true
        row = await self._row(deployment_id)
        if target is not None:
            if row.state == S.ACTIVE.value:
                return target
            self._targets.pop(deployment_id, None)  # the lease holder judged it meanwhile
            handle = self._handles.pop(deployment_id, None)
            if handle is not None and handle.proc is not None:
                handle.proc.poll()  # reap it if it was our child
        if row.state == S.ACTIVE.value:
            # Started by another process on this data dir (the aqua-ext CLI, another server).
            record = await asyncio.to_thread(engines.read_run_record, engines.run_record_path(self._log_path(row.id)))
            handle = await engines.reattach(record) if record is not None else None
            if handle is not None:
                self._handles[row.id] = handle
                self._targets[row.id] = await self._target(row, handle)
                return self._targets[row.id]
        raise Conflict(
            f"Deployment '{row.name}' is {row.state}, not ACTIVE"
            + (
                "; activate it first."
                if row.state in (S.INACTIVE.value, S.FAILED.value)
                else "; wait until it is ACTIVE."
            )
        )

    async def upstream_failed(self, deployment_id: str, error: str) -> DeploymentState | None:
        # A killed process closes its sockets a moment before it can be reaped: give it that moment.
        for _ in range(10):
            async with self._dying:  # the watcher may be recording this very death
                handle = self._handles.get(deployment_id)
                if handle is None or deployment_id not in self._targets:
                    row = await self.store.get_deployment(deployment_id)
                    return S.FAILED if row is not None and row.state == S.FAILED.value else None
                if not await asyncio.to_thread(self._alive, handle):
                    return await self._engine_died(deployment_id, handle)
            await asyncio.sleep(0.1)
        return None


def _engine_refused(response: httpx.Response, what: str) -> None:
    if not response.is_success:
        raise Upstream(f"The engine could not {what}: {response.status_code} {response.text[:300]}")


def _adapter_config(folder: Path) -> dict[str, Any] | None:
    """A PEFT adapter's adapter_config.json (a LoRA one), or None when the folder holds none."""
    file = folder / "adapter_config.json"
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("peft_type", "LORA") == "LORA" else None


def _adapter_config_fields(
    facts: tuple[AdapterFacts, ...], adapters: tuple[DeploymentAdapter, ...], args: tuple[str, ...]
) -> dict[str, Any]:
    """What a deployment's config keeps of its adapters: the served ones, the engine's flags, and where each
    one's engine file comes from (llama.cpp's GGUF is converted from the PEFT folder at start)."""
    by_name = {f.name: f for f in facts}
    gguf = any(a == "--lora" for a in args)
    return {
        "adapters": [a.model_dump() for a in adapters],
        "adapter_args": list(args),
        "adapter_routing": ("llama.cpp" if gguf else "model") if adapters else None,
        "adapter_sources": [
            {
                "name": a.name,
                "format": "gguf" if gguf else "peft",
                "weights": by_name[a.name].weights_path,
                "peft": by_name[a.name].peft_path,
                "config": by_name[a.name].config_path,
            }
            for a in adapters
        ],
    }


def _generation_defaults(model_path: Path) -> dict[str, Any]:
    """The model's generation_config.json (or the token ids from config.json)."""
    for name in ("generation_config.json", "config.json"):
        file = model_file(model_path, name)  # never a link out of the model's folder
        try:
            data = json.loads(file.read_text(encoding="utf-8")) if file else None
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict):
            continue
        if name == "config.json":
            data = {k: data[k] for k in ("bos_token_id", "eos_token_id", "pad_token_id") if k in data}
        return {k: v for k, v in data.items() if not k.startswith("_") and k != "transformers_version"}
    return {}
