"""OCI model deployments for AI Quick Actions: deploy, list, start, stop, delete,
logs, and where a chat turn goes.

Calls per user action (every list paged to completion, nothing per row):
- list: ListModelDeployments pages, kept `deployment_cache_seconds` (a few seconds:
  deployments change state on their own); our own mutations make the next list re-read;
- detail: GetModelDeployment (cached as briefly), plus one Logging search for the last
  log lines of a FAILED deployment that has a log (kept until its state changes);
- deploy: GetModel (cached with the model detail), ListContainers and
  ListModelDeploymentShapes (cached like the model list, run together), the
  service limit of the shape (GetResourceAvailability: for a chosen shape its
  limit, for the automatic pick the limit of the shape it would pick, and of the
  next one only when that one has no room; cached with the shapes, so nothing
  after a memory fit), CreateModelDeployment with an opc-retry-token; then an
  operation polls GetWorkRequest with backoff and ends with one GetModelDeployment;
- memory fit: ListModelDeploymentShapes and one GetResourceAvailability per
  distinct limit of the compartment's GPU shapes, at once, both cached (the
  limits until our own next change of a deployment);
- activate / deactivate / delete: GetModelDeployment (skipped when seen within the
  cache window), the action, then the same polling operation;
- a chat turn: nothing. The predict URL and an ACTIVE state seen within `cache_seconds`
  are enough; a failed predict costs one GetModelDeployment (`upstream_failed`).
"""

from __future__ import annotations

import asyncio
import builtins
import logging
import math
import shlex
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ...api.deployments import (
    TRANSITIONAL_STATES,
    CreateDeploymentRequest,
    CreateDeploymentResponse,
    DeploymentDetail,
    DeploymentState,
    DeploymentSummary,
)
from ...api.fit import FitQuery, FitReport
from ...api.info import Hardware
from ...api.logs import LogPage, LogsQuery
from ...api.models import Capability, ModelDetail, ModelFormat, ModelSource
from ...api.operations import Operation
from ...api.upstream import UpstreamTarget, served_name
from ...errors import AquaError, Conflict, InvalidInput, NotFound, Unavailable, Upstream, UpstreamTimeout
from ...services.engine_args import param_value
from ...services.memory_fit import CPU_USABLE_FRACTION, GPU_USABLE_FRACTION, estimate_fit, require_fit
from ..base import Deployments
from ..operations import Progress
from . import containers as smc
from . import deploy_mapping as dm
from . import finetune_mapping as ftm
from . import mapping
from .clients import OciClients, new_retry_token
from .engine_params import max_len_params, validate_oci_params
from .limits import SERVICE_NAME as LIMITS_SERVICE
from .limits import limit_of
from .log_search import check_log_ocids, search_lines, search_log_page
from .shapes import get_shape
from .signing import OciRequestAuth

if TYPE_CHECKING:
    from .backend import OciBackend

log = logging.getLogger(__name__)

OCI_ENGINES = ("vllm", "llama.cpp", "tgi")
EMBEDDING_ENGINES = ("vllm", "tgi")
# AQUA's usual --max-model-len on a single A10: the context a deployment gets unless asked for more.
DEFAULT_MAX_MODEL_LEN = 4096
# The publisher's per-shape defaults in a model's DeploymentConfiguration, by engine.
CONFIG_PARAMS_KEY = {"vllm": "VLLM_PARAMS", "tgi": "TGI_PARAMS", "llama.cpp": "LLAMA_CPP_PARAMS"}
# estimate_fit wants this machine's hardware; on OCI only the shapes matter.
_NO_LOCAL_HARDWARE = Hardware(cpu_count=0, memory_gb=0.0, gpus=[], platform="oci")
_TERMINAL_WORK = ("SUCCEEDED", "FAILED", "CANCELED")
FAILURE_LOG_LINES = 20
# Service limits are a nicety of the fit and an early word at deploy: a read that fails is kept as
# "unknown" this long (not the whole cache lifetime), and one read never waits longer than this.
LIMIT_FAILURE_CACHE_SECONDS = 60.0
LIMIT_READ_BUDGET_SECONDS = 10.0


@dataclass
class _Entry:
    md: Any  # oci ModelDeployment (full) or ModelDeploymentSummary (a list row)
    full: bool  # from GetModelDeployment: lifecycleDetails is known
    seen: float  # time.monotonic() of the observation
    changed_at: datetime | None = None  # when we saw the state change (OCI records no update time)
    failure_log: list[str] | None = None


@dataclass
class _Plan:
    """Everything a CreateModelDeployment needs, validated."""

    model: ModelDetail
    engine: str
    shape: Any  # ModelDeploymentShapeSummary
    container: smc.ServiceContainer
    params: list[str]
    env: dict[str, str]
    tags: dict[str, str]
    shape_config: tuple[float, float] | None  # (ocpus, memory GB) of a Flex shape


class OciDeployments(Deployments):
    def __init__(self, backend: OciBackend) -> None:
        self.backend = backend
        self.settings = backend.settings
        self.operations = backend.operations
        self._entries: dict[str, _Entry] = {}
        self._order: list[str] = []
        self._listed_at: float | None = None
        self._listing_task: asyncio.Task[list[DeploymentSummary]] | None = None
        self._shapes: tuple[float, list[Any]] | None = None
        self._shapes_task: asyncio.Task[list[Any]] | None = None
        # Service limits: limit name → (time read, GPUs still available or None when unreadable).
        self._limits: dict[str, tuple[float, int | None]] = {}
        self._limit_tasks: dict[str, asyncio.Task[int | None]] = {}
        self._limits_generation = 0  # bumped when our own changes make the cached values stale
        self._containers: tuple[float, list[Any]] | None = None
        self._watching: dict[str, str] = {}  # deployment id → the operation following it
        self._superseded: set[str] = set()  # deployments whose followers are canceled by a delete
        # One signer for every predict call: the SDK clients' own, read at each request so that a
        # session token re-read after a 401 is used at once.
        self.auth = OciRequestAuth(lambda: self.backend._c().auth.signer)

    # ---- small helpers ---------------------------------------------------------

    def _c(self) -> OciClients:
        return self.backend._c()

    @staticmethod
    def _age(stamp: float) -> float:
        return time.monotonic() - stamp

    @staticmethod
    def _check_id(deployment_id: str) -> None:
        if mapping.ocid_kind(deployment_id) != "datasciencemodeldeployment":
            raise NotFound(
                f"No deployment with id '{deployment_id}': OCI model deployment ids look like "
                "ocid1.datasciencemodeldeployment.oc1.<region>.<id>."
            )

    def _remember(self, md: Any, *, full: bool) -> _Entry:
        old = self._entries.get(md.id)
        now = time.monotonic()
        changed = old.changed_at if old else None
        if old is not None and old.md.lifecycle_state != md.lifecycle_state:
            changed = datetime.now(timezone.utc)
        if old is not None and not full and old.full and old.md.lifecycle_state == md.lifecycle_state:
            # A list row knows no lifecycleDetails: keep the full answer of the same state.
            old.seen = now
            return old
        keep_log = old.failure_log if old is not None and old.md.lifecycle_state == md.lifecycle_state else None
        entry = _Entry(md=md, full=full, seen=now, changed_at=changed, failure_log=keep_log)
        self._entries[md.id] = entry
        return entry

    def _forget(self, deployment_id: str) -> None:
        self._entries.pop(deployment_id, None)
        self._order = [i for i in self._order if i != deployment_id]

    def _set_state(self, entry: _Entry, state: str) -> None:
        """What OCI answered to our own action, until the next read says more."""
        entry.md.lifecycle_state = state
        if hasattr(entry.md, "lifecycle_details"):
            entry.md.lifecycle_details = None  # it described the previous state
        entry.full = False
        entry.seen = time.monotonic()
        entry.changed_at = datetime.now(timezone.utc)
        entry.failure_log = None
        self._listed_at = None  # the list is re-read after our own mutations
        self._forget_limits()

    def _detail(self, entry: _Entry) -> DeploymentDetail:
        md = entry.md
        return dm.to_detail(
            md, operation_id=self._watching.get(md.id), updated_at=entry.changed_at, failure_log=entry.failure_log
        )

    def _not_found(self, deployment_id: str) -> str:
        return f"No deployment with id '{deployment_id}' in OCI Data Science (or you may not read it)."

    async def _fetch(self, deployment_id: str) -> _Entry:
        """GetModelDeployment → the cache. NotFound for deleted and non-AQUA deployments."""
        c = self._c()
        md = (
            await c.call(
                "datascience",
                c.data_science.get_model_deployment,
                deployment_id,
                not_found=self._not_found(deployment_id),
            )
        ).data
        if md.lifecycle_state == "DELETED":
            self._forget(deployment_id)
            raise NotFound(f"Deployment '{md.display_name}' was deleted.")
        if not dm.is_aqua(md):
            raise NotFound(
                f"The model deployment '{md.display_name}' was not created by AI Quick Actions (it has "
                f"no {mapping.TAG_AQUA} tag); manage it in the OCI Console."
            )
        return self._remember(md, full=True)

    async def _current(self, deployment_id: str) -> _Entry:
        """The deployment as seen within the short cache window, else read again."""
        self._check_id(deployment_id)
        entry = self._entries.get(deployment_id)
        if entry is not None and self._age(entry.seen) < self.settings.deployment_cache_seconds:
            return entry
        return await self._fetch(deployment_id)

    # ---- list and detail ---------------------------------------------------------

    async def list(self) -> list[DeploymentSummary]:
        if self._listed_at is not None and self._age(self._listed_at) < self.settings.deployment_cache_seconds:
            return self._summaries()
        # Concurrent opens share one listing instead of each paging through OCI.
        if self._listing_task is None or self._listing_task.done():
            self._listing_task = asyncio.get_running_loop().create_task(self._fetch_list())
        return await asyncio.shield(self._listing_task)

    def _summaries(self) -> builtins.list[DeploymentSummary]:
        return [dm.to_summary(self._detail(self._entries[i])) for i in self._order if i in self._entries]

    async def _fetch_list(self) -> builtins.list[DeploymentSummary]:
        c = self._c()
        rows = await c.list_all("datascience", c.data_science.list_model_deployments, self.settings.compartment_id)
        rows = [r for r in rows if r.lifecycle_state != "DELETED" and dm.is_aqua(r)]
        listed = {r.id for r in rows}
        for gone in [i for i in self._entries if i not in listed and i not in self._watching]:
            self._entries.pop(gone, None)
        for row in rows:
            self._remember(row, full=False)
        self._order = [r.id for r in rows]  # newest first, as OCI sorts by default
        self._listed_at = time.monotonic()
        return self._summaries()

    async def get(self, deployment_id: str) -> DeploymentDetail:
        self._check_id(deployment_id)
        entry = self._entries.get(deployment_id)
        if entry is None or not entry.full or self._age(entry.seen) >= self.settings.deployment_cache_seconds:
            entry = await self._fetch(deployment_id)
        if entry.md.lifecycle_state == "FAILED" and entry.failure_log is None:
            entry.failure_log = await self._failure_log(entry.md)
        return self._detail(entry)

    async def _failure_log(self, md: Any) -> builtins.list[str]:
        """The evidence of a failure: the deployment log's last lines, when it has a log."""
        if not dm.log_ids(md)[1]:
            return []
        try:
            lines = await self._search_logs(md, FAILURE_LOG_LINES)
        except AquaError as exc:  # the reason stands without its evidence; say why it is missing
            log.info("OCI logs of %s unreadable: %s", md.id, exc.message)
            return []
        return lines

    # ---- create ----------------------------------------------------------------

    async def shapes(self) -> builtins.list[Any]:
        """ListModelDeploymentShapes of the compartment, cached like the model list (concurrent
        callers, e.g. the fit's shapes and availability, share one listing)."""
        if self._shapes is not None and self._age(self._shapes[0]) < self.settings.cache_seconds:
            return self._shapes[1]
        if self._shapes_task is None or self._shapes_task.done():
            self._shapes_task = asyncio.get_running_loop().create_task(self._fetch_shapes())
        return await asyncio.shield(self._shapes_task)

    async def _fetch_shapes(self) -> builtins.list[Any]:
        c = self._c()
        items = await c.list_all(
            "datascience", c.data_science.list_model_deployment_shapes, self.settings.compartment_id
        )
        self._shapes = (time.monotonic(), items)
        return items

    # ---- service limits --------------------------------------------------------

    def _forget_limits(self) -> None:
        """Our own create / start / stop / delete changes what the limits allow: read them again."""
        self._limits.clear()
        self._limit_tasks.clear()  # a read in flight may predate the change: later askers start their own
        self._limits_generation += 1

    async def limit_units(self, names: set[str]) -> dict[str, int | None]:
        """Units (GPUs) each service limit still allows in the compartment, one GetResourceAvailability
        per limit not cached, all at once; None for a limit OCI would not tell (no policy, an unknown
        name, OCI unreachable). Never raises."""
        out: dict[str, int | None] = {}
        missing: list[str] = []
        for name in sorted(names):
            hit = self._limits.get(name)
            keep = (
                self.settings.cache_seconds
                if hit is not None and hit[1] is not None
                else min(self.settings.cache_seconds, LIMIT_FAILURE_CACHE_SECONDS)
            )
            if hit is not None and self._age(hit[0]) < keep:
                out[name] = hit[1]
            else:
                missing.append(name)
        if missing:
            loop = asyncio.get_running_loop()
            tasks = []
            for name in missing:  # concurrent askers (fit and deploy) share one read per limit
                task = self._limit_tasks.get(name)
                if task is None or task.done():
                    task = self._limit_tasks[name] = loop.create_task(self._fetch_limit(name))
                tasks.append(task)
            values = await asyncio.gather(*(asyncio.shield(t) for t in tasks))
            out.update(zip(missing, values, strict=True))
        return out

    async def _fetch_limit(self, name: str) -> int | None:
        c = self._c()
        generation = self._limits_generation
        try:
            response = await asyncio.wait_for(
                c.call(
                    "limits",
                    c.limits.get_resource_availability,
                    LIMITS_SERVICE,
                    name,
                    self.settings.compartment_id,
                    list_read=True,
                ),
                LIMIT_READ_BUDGET_SECONDS,
            )
            available = getattr(response.data, "available", None)
            value = int(available) if isinstance(available, (int, float)) else None
        except (AquaError, asyncio.TimeoutError) as exc:
            why = exc.message if isinstance(exc, AquaError) else f"no answer within {LIMIT_READ_BUDGET_SECONDS:g} s"
            log.info("OCI service limit %s unreadable, shapes show no availability: %s", name, why)
            value = None
        if generation == self._limits_generation:  # not made stale by our own change meanwhile
            self._limits[name] = (time.monotonic(), value)
        return value

    async def shape_availability(self, shape_names: builtins.list[str]) -> dict[str, int | None]:
        """Shape name → how many more instances its service limit allows (None: unknown), for the
        GPU shapes among `shape_names`; one read per distinct limit."""
        limits = {name: lim for name in shape_names if (lim := limit_of(name)) is not None}
        units = await self.limit_units({lim.name for lim in limits.values()})
        return {name: lim.instances(units.get(lim.name)) for name, lim in limits.items()}

    async def _container_index(self) -> builtins.list[Any]:
        if self._containers is not None and self._age(self._containers[0]) < self.settings.cache_seconds:
            return self._containers[1]
        c = self._c()
        items = await c.list_all(
            "datascience",
            c.data_science.list_containers,
            is_latest=True,
            target_workload="MODEL_DEPLOYMENT",
            usage_query_param="INFERENCE",
        )
        self._containers = (time.monotonic(), items)
        return items

    async def create(self, request: CreateDeploymentRequest) -> CreateDeploymentResponse:
        if not self.settings.project_id:
            raise Unavailable(
                "No OCI Data Science project: set AquaExtension.oci_project_id (or PROJECT_OCID) "
                "to the project new deployments belong to."
            )
        plan = await self._plan(request)
        details = self._create_details(request, plan)
        c = self._c()
        try:
            # One token for every attempt: a create retried after a lost answer makes one deployment.
            response = await c.call(
                "datascience", c.data_science.create_model_deployment, details, opc_retry_token=new_retry_token()
            )
        except InvalidInput as exc:
            if getattr(exc, "oci_code", "") in ("LimitExceeded", "QuotaExceeded"):
                raise InvalidInput.field(
                    "shape",
                    f"no {plan.shape.name} capacity is left in your service limits or compartment quotas "
                    f"({exc.message}); ask your tenancy administrator to raise the limit, delete a "
                    "deployment you no longer need, or choose another shape",
                ) from None
            raise
        entry = self._remember(response.data, full=True)
        self._listed_at = None
        self._forget_limits()
        op = self._follow_in_background(
            entry.md.id,
            response.headers.get("opc-work-request-id"),
            "create-deployment",
            f"Deploy {plan.model.name} on {plan.shape.name}",
            target="ACTIVE",
            verb="Creating",
            on_cancel=lambda: self._delete_quietly(entry.md.id),
        )
        return CreateDeploymentResponse(deployment=self._detail(entry), operation=op)

    async def _plan(self, request: CreateDeploymentRequest) -> _Plan:
        model = await self.backend.get_model(request.model_id)
        if not model.ready_to_deploy:
            why = " ".join(model.notes) or "it is not ready to deploy"
            raise InvalidInput.field("model_id", f"'{model.name}' cannot be deployed: {why}")
        if not model.artifact_location:
            raise InvalidInput.field(
                "model_id",
                f"'{model.name}' records no artifact_location (where its weights "
                "are); re-register it from Object Storage to deploy it",
            )
        formats = set(model.formats)
        engine = request.engine or ("llama.cpp" if formats == {ModelFormat.GGUF} else "vllm")
        if engine not in OCI_ENGINES:
            raise InvalidInput.field(
                "engine", f"'{engine}' runs on the local backend only; on OCI choose one of {', '.join(OCI_ENGINES)}"
            )
        if request.mode == "embedding" and engine not in EMBEDDING_ENGINES:
            raise InvalidInput.field(
                "mode", f"embedding deployments run on {' or '.join(EMBEDDING_ENGINES)}, not {engine}"
            )
        if model.capability == Capability.EMBEDDING and request.mode != "embedding":
            raise InvalidInput.field("mode", f"'{model.name}' is an embedding model: deploy it with mode 'embedding'")
        check_log_ocids(request.log_group_id, request.log_id)
        if engine == "llama.cpp" and request.max_model_len is not None:
            raise InvalidInput.field("max_model_len", "the llama.cpp service container sets its context size itself")
        max_len = None
        if engine != "llama.cpp":
            max_len = request.max_model_len or min(model.context_length or DEFAULT_MAX_MODEL_LEN, DEFAULT_MAX_MODEL_LEN)
            if model.context_length and max_len > model.context_length:
                raise InvalidInput.field(
                    "max_model_len",
                    f"{max_len:,} is longer than the model's context length ({model.context_length:,} tokens)",
                )

        index, shapes = await asyncio.gather(self._container_index(), self.shapes())
        family = dm.ENGINE_FAMILIES[engine]
        container = smc.pick(index, family)
        if container is None:
            raise InvalidInput.field(
                "engine", f"OCI Data Science offers no {engine} service container ({family}) in this region"
            )
        wanted = {f.value.upper() for f in formats}
        if container.model_formats and not wanted & container.model_formats:
            raise InvalidInput.field(
                "engine",
                f"{engine} serves {', '.join(sorted(container.model_formats))} "
                f"weights; '{model.name}' has {', '.join(sorted(wanted))}",
            )
        user_params = validate_oci_params(engine, request.params, container.restricted)

        dtype = request.dtype or "bfloat16"
        shape, shape_config = await self._pick_shape(request, model, engine, container, shapes, dtype, max_len)
        if not request.params:
            user_params, max_len = self._publisher_defaults(
                model, engine, shape.name, container, max_len, explicit_len=request.max_model_len is not None
            )
        params = list(container.cmd)
        if engine == "vllm" and "--served-model-name" not in params:
            params = ["--served-model-name", dm.SERVED_MODEL, *params]
        params += [*max_len_params(engine, max_len), *user_params]

        env = dict(container.env)
        env.update(
            {
                "BASE_MODEL": _artifact_prefix(model.artifact_location),
                "MODEL_DEPLOY_PREDICT_ENDPOINT": dm.PREDICT_ENDPOINTS[request.mode],
                "MD_COMPARTMENT_OCID": self.settings.compartment_id,
            }
        )
        if params:
            env["PARAMS"] = shlex.join(params)
        if model.source == ModelSource.FINE_TUNED:
            # AQUA's contract: BASE_MODEL is the base weights (the fine-tuned model's artifact location
            # points there), FT_MODEL the adapter the fine-tuning container wrote.
            record = await self.backend.model_record(model.id)
            output = mapping.custom_metadata(record.model).get(ftm.MD_OUTPUT_PATH)
            if not output:
                raise InvalidInput.field(
                    "model_id",
                    f"'{model.name}' records no fine-tuned weights "
                    f"({ftm.MD_OUTPUT_PATH}); its fine-tuning did not finish",
                )
            env["FT_MODEL"] = _artifact_prefix(output)
        model_file = None
        if engine == "llama.cpp":
            model_file = await self._model_file(model)
            env["BASE_MODEL_FILE"] = model_file
        tags = dm.deployment_tags(
            model_id=model.id,
            model_name=model.name,
            source=model.source.value,
            task=model.task,
            dtype=dtype if engine != "llama.cpp" else None,
            base_model_id=model.lineage.base_model_id if model.lineage else None,
            model_file=model_file,
        )
        return _Plan(
            model=model,
            engine=engine,
            shape=shape,
            container=container,
            params=params,
            env=env,
            tags=tags,
            shape_config=shape_config,
        )

    async def _pick_shape(
        self,
        request: CreateDeploymentRequest,
        model: ModelDetail,
        engine: str,
        container: smc.ServiceContainer,
        shapes: builtins.list[Any],
        dtype: str,
        max_len: int | None,
    ) -> tuple[Any, tuple[float, float] | None]:
        """The shape (the one asked for, or the smallest that fits and that the service limits
        still allow `replicas` instances of) and its Flex configuration. Raises InvalidInput on field
        "shape" with the memory arithmetic when the model does not fit, or naming the limit when
        the shape has no room left."""
        by_name = {s.name: s for s in shapes}
        platforms = container.platforms or {"NVIDIA_GPU"}
        usable = [s for s in shapes if smc.shape_platform(s.shape_series) in platforms]
        gpu = "NVIDIA_GPU" in platforms
        report: FitReport | None = None
        known: list[Any] = []
        query = FitQuery(
            dtype=dtype, context_length=max_len or model.context_length or DEFAULT_MAX_MODEL_LEN, concurrency=1
        )
        if gpu:
            known = [g for g in (get_shape(s.name) for s in usable) if g is not None]
            report = estimate_fit(model, query, _NO_LOCAL_HARDWARE, known)

        if request.shape is None:
            if not usable:
                raise InvalidInput.field(
                    "shape",
                    f"this compartment offers no {'/'.join(sorted(platforms))} model deployment shape for {engine}",
                )
            if report is None:  # CPU engines: the first shape of the right platform, sized below
                chosen = usable[0]
            elif report.recommended_shape:
                chosen = by_name[
                    await self._pick_within_limits(model, query, known, report.recommended_shape, request.replicas)
                ]
            elif report.total_gb is None:
                names = ", ".join(s.name for s in usable)
                raise InvalidInput.field(
                    "shape",
                    f"the size of '{model.name}' is unknown, so no shape can be recommended; choose one of: {names}",
                )
            else:
                raise InvalidInput.field(
                    "shape",
                    f"no GPU shape in this compartment holds '{model.name}' "
                    f"({'; '.join(report.arithmetic)}); lower max_model_len or "
                    "use a smaller dtype",
                )
        else:
            chosen = by_name.get(request.shape)
            if chosen is None:
                names = ", ".join(s.name for s in shapes) or "none"
                raise InvalidInput.field(
                    "shape",
                    f"'{request.shape}' is not a model deployment shape in this compartment; available: {names}",
                )
            platform = smc.shape_platform(chosen.shape_series)
            if platform not in platforms:
                raise InvalidInput.field(
                    "shape",
                    f"the {engine} service container runs on "
                    f"{', '.join(sorted(platforms))} shapes; {chosen.name} is a "
                    f"{chosen.shape_series or platform} shape",
                )
            if report is not None:
                self._check_gpu_fit(model, report, chosen.name, dtype)
                await self._check_limit(chosen.name, request.replicas)

        if report is not None:
            return chosen, None
        return chosen, self._cpu_config(model, chosen)

    async def _pick_within_limits(
        self, model: ModelDetail, query: FitQuery, known: builtins.list[Any], pick: str, replicas: int
    ) -> str:
        """The memory fit's pick, unless its service limit has no room for `replicas` instances:
        then the next smallest shape that fits, and so on. Reads the limit of each shape it
        considers (one call per family, usually only the first, and none when cached)."""
        units: dict[str, int | None] = {}
        full: list[str] = []
        while True:
            lim = limit_of(pick)
            if lim is not None and lim.name not in units:
                units.update(await self.limit_units({lim.name}))
            room = lim.instances(units.get(lim.name)) if lim is not None else None
            if lim is None or room is None or room >= replicas:
                return pick
            full.append(f"{pick} ({lim.name}: {room} more instance{'s' if room != 1 else ''})")
            # Shapes whose limit is read and too small count as unavailable; the others as unknown.
            availability: dict[str, int | None] = {}
            for shape in known:
                other = limit_of(shape.name)
                if other is not None and other.name in units:
                    left = other.instances(units[other.name])
                    availability[shape.name] = 0 if left is not None and left < replicas else left
            nxt = estimate_fit(model, query, _NO_LOCAL_HARDWARE, known, availability=availability).recommended_shape
            if nxt is None:
                what = f"{replicas} instances" if replicas > 1 else "an instance"
                fewer = ", lower the replicas" if replicas > 1 else ""
                raise InvalidInput.field(
                    "shape",
                    f"the service limits allow {what} of no shape here that holds '{model.name}': "
                    f"{'; '.join(full)}; request a limit increase{fewer} or delete a deployment you no "
                    "longer need",
                )
            pick = nxt

    async def _check_limit(self, shape: str, replicas: int) -> None:
        """A chosen GPU shape whose service limit has no room for `replicas` more instances is refused
        before CreateModelDeployment; an unreadable limit lets OCI decide."""
        lim = limit_of(shape)
        if lim is None:
            return
        units = (await self.limit_units({lim.name})).get(lim.name)
        room = lim.instances(units)
        if room is None or room >= replicas:
            return
        gpus = f"{units} GPU{'s' if units != 1 else ''} left, {lim.per_instance} per instance"
        if room == 0:
            why = f"{shape} has reached its service limit {lim.name} ({gpus})"
        else:
            why = (
                f"the service limit {lim.name} allows {room} more {shape} instance{'s' if room != 1 else ''} "
                f"({gpus}), not {replicas}"
            )
        raise InvalidInput.field("shape", f"{why}; request a limit increase or choose another shape")

    @staticmethod
    def _check_gpu_fit(model: ModelDetail, report: FitReport, shape: str, dtype: str) -> None:
        target = next((t for t in report.shapes if t.name == shape), None)
        gpu = get_shape(shape)
        require_fit(
            f"'{model.name}'",
            shape,
            target,
            report.total_gb,
            report.arithmetic,
            usable_gb=gpu.total_gpu_memory_gb * GPU_USABLE_FRACTION if gpu else None,
            need_detail=f"{dtype}, max_model_len {report.context_length:,}",
            usable_detail=f"{gpu.gpu_count} × {gpu.gpu_memory_gb_per_gpu:g} GB, {GPU_USABLE_FRACTION:.0%}"
            if gpu
            else "",
            hint=f"Choose {report.recommended_shape}, the smallest shape here that holds it, or lower max_model_len."
            if report.recommended_shape
            else "No shape here holds it: lower max_model_len or use a smaller dtype (int8, int4).",
        )

    @staticmethod
    def _cpu_config(model: ModelDetail, shape: Any) -> tuple[float, float] | None:
        """A CPU shape: the GGUF file must fit in its memory; Flex shapes get a size."""
        memory = float(shape.memory_in_gbs or 0)
        size = model.size_bytes or 0
        need = (size / 1e9) * 1.2 + 1.0 if size else None  # weights + KV cache + runtime
        if need is not None and memory and need > memory * CPU_USABLE_FRACTION:
            raise InvalidInput.field(
                "shape",
                f"'{model.name}' needs about {need:.1f} GB of memory (its "
                f"{size / 1e9:.1f} GB file + 20% + 1 GB) and {shape.name} "
                f"has {memory * CPU_USABLE_FRACTION:.1f} GB usable "
                f"({CPU_USABLE_FRACTION:.0%} of {memory:g} GB)",
            )
        if not shape.name.endswith(".Flex"):
            return None
        # Flex shapes are sized per deployment: enough memory for the model, 16 GB per OCPU.
        gb = math.ceil((need or 16.0) / CPU_USABLE_FRACTION)
        gb = max(16, min(gb, int(memory) or gb))
        ocpus = max(1, min(int(shape.core_count or 1), math.ceil(gb / 16)))
        return float(ocpus), float(gb)

    @staticmethod
    def _publisher_defaults(
        model: ModelDetail,
        engine: str,
        shape: str,
        container: smc.ServiceContainer,
        max_len: int | None,
        *,
        explicit_len: bool,
    ) -> tuple[builtins.list[str], int | None]:
        """The model publisher's parameters for this shape (DeploymentConfiguration), used when the
        user gives none, as AQUA does; a --max-model-len there wins over our default."""
        config = model.deployment_config or {}
        try:
            raw = config["configuration"][shape]["parameters"][CONFIG_PARAMS_KEY[engine]]
            tokens = shlex.split(raw) if isinstance(raw, str) else []
        except (KeyError, TypeError, ValueError):
            return [], max_len
        publisher_len = param_value(tokens, "--max-model-len")
        rest: list[str] = []
        skip = False
        for token in tokens:
            if skip:
                skip = False
                continue
            if token == "--max-model-len":
                skip = True
                continue
            if not token.startswith("--max-model-len="):
                rest.append(token)
        try:
            params = validate_oci_params(engine, rest, container.restricted)
        except InvalidInput as exc:  # the publisher's defaults are a convenience, never a reason to fail
            log.info("ignoring the DeploymentConfiguration parameters of %s on %s: %s", model.id, shape, exc.message)
            return [], max_len
        if publisher_len and publisher_len.isdigit() and not explicit_len:
            max_len = int(publisher_len)
        return params, max_len

    async def _model_file(self, model: ModelDetail) -> str:
        c = self._c()
        raw = (await c.call("datascience", c.data_science.get_model, model.id)).data
        name = mapping.custom_metadata(raw).get(mapping.MD_MODEL_FILE)
        if not name:
            raise InvalidInput.field(
                "model_id",
                f"'{model.name}' records no model_file: llama.cpp needs the name "
                "of its .gguf file; re-register it from a folder with one .gguf file",
            )
        return name

    def _create_details(self, request: CreateDeploymentRequest, plan: _Plan) -> Any:
        import oci

        m = oci.data_science.models
        shape_config = None
        if plan.shape_config is not None:
            shape_config = m.ModelDeploymentInstanceShapeConfigDetails(
                ocpus=plan.shape_config[0], memory_in_gbs=plan.shape_config[1]
            )
        logs = None
        if request.log_id:
            # One log for both categories: the playground shows requests and engine lines together.
            item = m.LogDetails(log_id=request.log_id, log_group_id=request.log_group_id)
            logs = m.CategoryLogDetails(access=item, predict=item)
        return m.CreateModelDeploymentDetails(
            display_name=request.name,
            description=request.description or None,
            project_id=self.settings.project_id,
            compartment_id=self.settings.compartment_id,
            category_log_details=logs,
            freeform_tags=plan.tags,
            model_deployment_configuration_details=m.SingleModelDeploymentConfigurationDetails(
                deployment_type="SINGLE_MODEL",
                model_configuration_details=m.ModelConfigurationDetails(
                    model_id=plan.model.id,
                    instance_configuration=m.InstanceConfiguration(
                        instance_shape_name=plan.shape.name, model_deployment_instance_shape_config_details=shape_config
                    ),
                    scaling_policy=m.FixedSizeScalingPolicy(instance_count=request.replicas),
                    bandwidth_mbps=10,
                ),
                environment_configuration_details=m.OcirModelDeploymentEnvironmentConfigurationDetails(
                    image=plan.container.image,
                    server_port=plan.container.server_port,
                    health_check_port=plan.container.health_check_port,
                    environment_variables=plan.env,
                ),
            ),
        )

    # ---- following a change through to its end ------------------------------------------

    def _follow_in_background(
        self,
        deployment_id: str,
        work_request_id: str | None,
        kind: str,
        title: str,
        *,
        target: str,
        verb: str,
        on_cancel: Callable[[], Awaitable[None]] | None = None,
    ) -> Operation:
        started: dict[str, str] = {}

        async def work(progress: Progress) -> str:
            try:
                return await self._follow(deployment_id, work_request_id, progress, target=target, verb=verb)
            except asyncio.CancelledError:
                if on_cancel is not None:
                    await asyncio.shield(on_cancel())
                raise
            finally:
                if self._watching.get(deployment_id) == started.get("id"):
                    self._watching.pop(deployment_id, None)

        op = self.operations.start(kind, title, work, resource_id=deployment_id)
        started["id"] = op.id
        self._watching[deployment_id] = op.id
        return op

    async def _follow(
        self, deployment_id: str, work_request_id: str | None, progress: Progress, *, target: str, verb: str
    ) -> str:
        """Poll the work request (with backoff) until it ends, then read the deployment once.
        Succeeds when the deployment reached `target`; else fails with OCI's reason."""
        c = self._c()
        delay = self.settings.poll_min_seconds
        deadline = time.monotonic() + self.settings.deploy_timeout_seconds
        wr: Any = None
        while True:
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.settings.poll_max_seconds)
            if work_request_id:
                try:
                    wr = (await c.call("datascience", c.data_science.get_work_request, work_request_id)).data
                except NotFound:
                    work_request_id = None  # follow the deployment itself instead
                    continue
                except Upstream as exc:  # OCI hiccups past the retries: keep watching until the deadline
                    log.info("OCI work request %s unreadable: %s", work_request_id, exc.message)
                else:
                    percent = float(wr.percent_complete or 0)
                    progress.update(
                        progress=min(0.95, percent / 100),
                        # The percentage is the operation's progress: not repeated here.
                        message=f"{verb}: OCI work request {str(wr.status).lower().replace('_', ' ')}",
                    )
                    if wr.status in _TERMINAL_WORK:
                        break
            else:
                try:
                    entry = await self._fetch(deployment_id)
                except NotFound:
                    if target == "DELETED":
                        return deployment_id
                    raise
                progress.update(message=f"{verb}: {entry.md.lifecycle_state}")
                if dm.state_of(entry.md.lifecycle_state) not in TRANSITIONAL_STATES:
                    break
            if time.monotonic() > deadline:
                raise UpstreamTimeout(
                    f"OCI did not finish {verb.lower()} the deployment within "
                    f"{self.settings.deploy_timeout_seconds / 60:.0f} minutes; it may still "
                    "finish: check it in the OCI Console."
                )
        self._forget_limits()  # instances were taken or given back
        try:
            entry = await self._fetch(deployment_id)
        except NotFound:
            if target == "DELETED":
                self._listed_at = None
                return deployment_id
            raise
        self._listed_at = None
        if entry.md.lifecycle_state == target:
            return deployment_id
        raise Upstream(await self._failure_reason(entry, wr))

    async def _failure_reason(self, entry: _Entry, wr: Any) -> str:
        details = (getattr(entry.md, "lifecycle_details", None) or "").strip()
        if details:
            return details
        if wr is not None and wr.status == "FAILED":
            c = self._c()
            try:
                errors = (await c.call("datascience", c.data_science.list_work_request_errors, wr.id)).data
            except AquaError:
                errors = []
            if errors:
                return errors[0].message
        return f"The deployment is {entry.md.lifecycle_state} (OCI gave no reason)."

    async def _delete_quietly(self, deployment_id: str) -> None:
        """A canceled create leaves nothing behind: the half-created deployment goes."""
        if deployment_id in self._superseded:  # canceled because it is being deleted already
            return
        c = self._c()
        try:
            await c.call("datascience", c.data_science.delete_model_deployment, deployment_id, gone_ok=True)
            self._forget(deployment_id)
            self._listed_at = None
            self._forget_limits()
        except AquaError as exc:
            log.error("could not delete the canceled deployment %s: %s", deployment_id, exc.message)

    # ---- activate, deactivate, delete -------------------------------------------

    async def _act(self, deployment_id: str, fn: Callable[..., Any], action: str) -> tuple[_Entry, str | None]:
        """Ask OCI to `action` the deployment. Which states allow it is the service's rule
        (services/deployments.py); OCI refusing it (it changed since we looked) is a Conflict saying
        what it is now."""
        entry = await self._current(deployment_id)
        c = self._c()
        try:
            response = await c.call(
                "datascience", fn, deployment_id, not_found=self._not_found(deployment_id), gone_ok=action == "delete"
            )
        except Conflict:
            entry = await self._fetch(deployment_id)
            raise Conflict(
                f"Deployment '{entry.md.display_name}' is {entry.md.lifecycle_state}; OCI did not {action} it."
            ) from None
        work_request = response.headers.get("opc-work-request-id") if response is not None else None
        return entry, work_request

    async def activate(self, deployment_id: str) -> CreateDeploymentResponse:
        c = self._c()
        entry, wr = await self._act(deployment_id, c.data_science.activate_model_deployment, "activate")
        self._set_state(entry, "UPDATING")
        op = self._follow_in_background(
            deployment_id,
            wr,
            "activate-deployment",
            f"Activate {entry.md.display_name}",
            target="ACTIVE",
            verb="Activating",
        )
        return CreateDeploymentResponse(deployment=self._detail(entry), operation=op)

    async def deactivate(self, deployment_id: str) -> DeploymentDetail:
        c = self._c()
        entry, wr = await self._act(deployment_id, c.data_science.deactivate_model_deployment, "deactivate")
        self._set_state(entry, "UPDATING")
        self._follow_in_background(
            deployment_id,
            wr,
            "deactivate-deployment",
            f"Deactivate {entry.md.display_name}",
            target="INACTIVE",
            verb="Deactivating",
        )
        return self._detail(entry)

    async def delete(self, deployment_id: str) -> None:
        c = self._c()
        entry, wr = await self._act(deployment_id, c.data_science.delete_model_deployment, "delete")
        previous = self._watching.get(deployment_id)
        if previous is not None:  # stop following a create (or activation) that is being deleted
            self._superseded.add(deployment_id)
            try:
                await self.operations.cancel(previous)
            except AquaError:  # it ended meanwhile
                pass
            finally:
                self._superseded.discard(deployment_id)
        self._set_state(entry, "DELETING")
        self._follow_in_background(
            deployment_id, wr, "delete-deployment", f"Delete {entry.md.display_name}", target="DELETED", verb="Deleting"
        )

    # ---- logs -------------------------------------------------------------------

    async def logs(self, deployment_id: str, query: LogsQuery) -> LogPage:
        entry = await self._current(deployment_id)
        group, logs = dm.log_ids(entry.md)
        if not logs or group is None:
            return LogPage(lines=[], cursor=query.after or "", source="no OCI log configured for this deployment")
        return await search_log_page(
            self._c(),
            query,
            compartment_id=entry.md.compartment_id,
            log_group_id=group,
            log_ids=logs,
            resource_id=entry.md.id,
            created=dm._aware(entry.md.time_created),
            with_kind=True,
            source=f"OCI Logging: log {' and '.join(logs)} (log group {group})",
        )

    async def _search_logs(self, md: Any, tail: int) -> builtins.list[str]:
        group, logs = dm.log_ids(md)
        if not logs or group is None:
            return []
        lines, _ = await search_lines(
            self._c(),
            compartment_id=md.compartment_id,
            log_group_id=group,
            log_ids=logs,
            resource_id=md.id,
            created=dm._aware(md.time_created),
            tail=tail,
            with_kind=True,
        )
        return lines

    # ---- the data plane ---------------------------------------------------------

    def _target(self, entry: _Entry) -> UpstreamTarget:
        detail = self._detail(entry)
        assert detail.upstream_url is not None
        return UpstreamTarget(
            deployment_id=detail.id,
            mode=detail.mode,
            model=dm.SERVED_MODEL,
            base_url=detail.upstream_url,
            oci_route=True,
            auth=self.auth,
            served_model_name=served_name(detail.name),
        )

    async def upstream(self, deployment_id: str) -> UpstreamTarget:
        self._check_id(deployment_id)
        entry = self._entries.get(deployment_id)
        # An ACTIVE state seen within the cache window is enough: a chat turn makes no control-plane call.
        if (
            entry is not None
            and entry.md.lifecycle_state == "ACTIVE"
            and entry.md.model_deployment_url
            and self._age(entry.seen) < self.settings.cache_seconds
        ):
            return self._target(entry)
        entry = await self._fetch(deployment_id)
        if entry.md.lifecycle_state != "ACTIVE" or not entry.md.model_deployment_url:
            detail = self._detail(entry)
            raise Conflict(f"Deployment '{detail.name}' is {detail.state.value}, not ACTIVE: {detail.state_message}.")
        return self._target(entry)

    async def upstream_failed(self, deployment_id: str, error: str) -> DeploymentState | None:
        """A predict call failed: read the deployment once, so the next turn (and the error the
        user sees) knows whether it stopped. Returns its state when no longer ACTIVE."""
        log.info("predict on %s failed (%s); checking its state", deployment_id, error)
        try:
            entry = await self._fetch(deployment_id)
        except NotFound:
            return None
        except AquaError as exc:
            log.info("could not check %s: %s", deployment_id, exc.message)
            return None
        state = dm.state_of(entry.md.lifecycle_state)
        return None if state == DeploymentState.ACTIVE else state


def _artifact_prefix(location: str) -> str:
    """BASE_MODEL as AQUA sets it: the object prefix of the model's oci:// artifact location."""
    try:
        return mapping.parse_os_uri(location)[2]
    except ValueError:
        return location.rstrip("/")
