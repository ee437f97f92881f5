"""OCI fine-tuning for AI Quick Actions, run the way Oracle AQUA runs it: a Data Science job on a GPU
shape with the service fine-tuning container, training into a fine-tuned model in the catalog (whose
OCID is the fine-tune's id). The conventions are in finetune_mapping.py.

Calls per user action (lists paged to completion, nothing per row but what is said):
- list: the model listing (shared with the explorer and cached like it) + ListJobRuns pages (kept
  `deployment_cache_seconds`); once per fine-tuned model this process has not seen, GetModel + GetJob
  (what never changes: parameters, dataset, shape, logging); GetModel for a running one whose metrics
  are older than the same window;
- detail: GetJobRun, plus GetModel while it runs (metrics; within the window it is reused) and once
  after it ends; one Logging search for the last lines of a FAILED run that has a log (kept);
- metrics: GetJobRun + GetModel (nothing but GetJobRun once the final series was read);
- create: the base model (GetModel, cached with its detail), then at once ListJobShapes and
  ListContainers (both cached like the model list), GetBucket, ListModelVersionSets by name, and for
  the dataset HeadObject (+ GetObject of an oci:// one, to check its lines); then CreateModelVersionSet
  (a new experiment), PutObject (a local dataset), CreateModel, the base's stored Readme / License /
  DeploymentConfiguration copied, CreateJob, GetJob until ACTIVE, CreateJobRun, UpdateModel (job ids)
  and UpdateModelProvenance; every create carries an opc-retry-token, and a failure removes what was made;
- cancel: GetJobRun + CancelJobRun; delete: GetJobRun + the deployment list (cached briefly) +
  DeleteJob (its runs with it) + DeleteModel;
- defaults: GetModel (cached) + ListJobShapes (cached).
A SUCCEEDED run's model is tagged ready to deploy (`OCI_AQUA = active`) by the service's fine-tuning
container, as AQUA relies on; reads never write: a model whose run SUCCEEDED but whose tag was left empty
is shown deployable (as its run says) without an UpdateModel.
"""

from __future__ import annotations

import asyncio
import builtins
import copy
import dataclasses
import json
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...api.finetunes import (
    CreateFineTuneRequest,
    CreateFineTuneResponse,
    FineTuneDefaults,
    FineTuneDefaultsQuery,
    FineTuneDetail,
    FineTuneMetrics,
    FineTuneParams,
    FineTuneState,
    FineTuneSummary,
    MetricsQuery,
    TrainingFit,
)
from ...api.job_datasets import DatasetAccess, DatasetFile, JobDataset
from ...api.models import ModelDetail, ModelSource
from ...api.terraform import ExportedFineTune, SdkCall, ref
from ...errors import (
    AquaError,
    InvalidInput,
    NotFound,
)
from ..base import FineTunes
from ..training import TrainingFacts
from . import containers as smc
from . import finetune_mapping as fm
from . import mapping
from .job_support import (
    RUNNING_RUN_STATES,
    JobRunModels,
    create_version_set,
    fetch_remote_dataset,
    find_version_set,
    stage_local_dataset,
    staged_remote_dataset,
    version_set_details,
)
from .job_support import (
    Created as _Created,
)
from .job_support import (
    StagedDataset as _Dataset,
)
from .log_search import check_log_ocids

if TYPE_CHECKING:
    from .context import OciContext
    from .models import ModelRecord, OciModels

log = logging.getLogger(__name__)

DEFAULT_MAX_REPLICAS = 16  # the contract's limit, unless the model's FineTuneConfiguration says less
NODE_GROUP = "node-group"  # the node group name ADS gives a multi-node job
# What the nodes of a distributed training run (replicas > 1) need, in the order they are asked for.
DISTRIBUTED_NEEDS = (
    ("subnet_id", "talk to each other over a private subnet: give the OCID of a subnet in your VCN"),
    ("log_id", "find each other through the job run's log: give log_group_id and log_id of an OCI Logging log"),
)


@dataclass
class _Live:
    """What changes: the job run and the metric series, with when each was seen."""

    run: Any | None = None  # JobRun or a JobRunSummary row
    run_seen: float = 0.0
    series: fm.MetricSeries = field(default_factory=fm.MetricSeries)
    series_seen: float | None = None
    series_state: str | None = None  # the run state when the series was read
    output_path: str | None = None  # where the container says the weights went
    marked: bool = False  # seen tagged ready to deploy
    failure_log: list[str] | None = None


@dataclass
class _Plan:
    """Everything a fine-tuning job needs, validated."""

    model: ModelDetail
    record: ModelRecord
    params: FineTuneParams
    shape: str
    image: str
    output: tuple[str, str, str]  # bucket, namespace, prefix
    dataset: _Dataset
    version_set_id: str | None  # an existing experiment (None: create one when a name was given)
    extra_flags: str


class OciFineTunes(JobRunModels, FineTunes):
    kind = "fine-tune"
    job_kind = "fine-tuning"
    id_is = "a fine-tune's id is its fine-tuned model's OCID"
    live_type = _Live
    container_usage = "FINE_TUNE"

    def __init__(self, ctx: OciContext, models: OciModels) -> None:
        super().__init__(ctx)
        self.models = models
        self._runs_task: asyncio.Task[tuple[float, dict[str, Any]]] | None = None
        self._shapes: tuple[float, list[Any]] | None = None

    # ---- small helpers ---------------------------------------------------------

    @staticmethod
    def _key(facts: fm.Facts) -> str:
        return facts.model_id

    async def job_shapes(self) -> list[Any]:
        """ListJobShapes of the compartment, cached like the model list."""
        c = self._c()
        return await self._cached_list(
            "_shapes", lambda: c.list_all("datascience", c.data_science.list_job_shapes, self.settings.compartment_id)
        )

    # ---- what a fine-tune is -----------------------------------------------------

    async def _read_facts(self, model_id: str) -> fm.Facts:
        raw = await self._get_model(model_id)
        if mapping.TAG_FINE_TUNED not in {str(k).lower() for k in (raw.freeform_tags or {})}:
            raise NotFound(
                f"'{raw.display_name}' is not a fine-tuned model (it has no {mapping.TAG_FINE_TUNED} tag), "
                "so it has no fine-tuning job."
            )
        job = await self._read_job(mapping.custom_metadata(raw).get(fm.MD_JOB_ID))
        facts = fm.facts_from(raw, job)
        self._facts[model_id] = facts
        return facts

    async def _get_model(self, model_id: str) -> Any:
        """GetModel, keeping what changes on it (the metric series, the output path, readiness)."""
        raw = await super()._get_model(model_id)
        live = self._live_of(model_id)
        live.series = fm.metric_series(raw)
        live.series_seen = time.monotonic()
        live.series_state = getattr(live.run, "lifecycle_state", None)
        live.output_path = mapping.custom_metadata(raw).get(fm.MD_OUTPUT_PATH) or live.output_path
        live.marked = live.marked or mapping.is_ready_to_deploy_tag(raw.freeform_tags)
        return raw

    def _saw_run(self, live: _Live, run: Any | None, seen: float) -> None:
        if live.series_seen is not None and live.series_seen >= seen:
            live.series_state = getattr(run, "lifecycle_state", None)  # read after this state was: as new

    async def _run_rows(self) -> tuple[float, dict[str, Any]]:
        """ListJobRuns of the compartment by run id, and when it was read; kept briefly (runs change
        state on their own)."""
        if self._runs is not None and self._fresh(self._runs[0], self.settings.deployment_cache_seconds):
            return self._runs
        if self._runs_task is None or self._runs_task.done():
            self._runs_task = asyncio.get_running_loop().create_task(self._fetch_runs())
        return await asyncio.shield(self._runs_task)

    async def _settle(self, facts: fm.Facts, *, metrics: bool = False) -> None:
        """Read the model again when its series may have changed (always for `metrics`, unless the final
        series was read after the run ended); a read only, never a write."""
        live = self._live_of(facts.model_id)
        state = getattr(live.run, "lifecycle_state", None)
        settled = live.series_seen is not None and live.series_state == state
        if state not in RUNNING_RUN_STATES and settled:
            return  # the run is over and its final series is known
        if metrics or not settled or not self._fresh(live.series_seen, self.settings.deployment_cache_seconds):
            was_marked = live.marked
            raw = await self._get_model(facts.model_id)
            if live.marked and not was_marked:  # the container tagged it ready: the model list learns it too
                self.models.model_changed(raw)

    async def settle_listed(self, rows: list[Any]) -> tuple[dict[str, Any], bool]:
        """For the model listing: fine-tuned models not yet tagged ready to deploy whose job run SUCCEEDED,
        shown deployable (nothing is written). Returns them so, by id, and whether some are still training
        (the listing is then kept only briefly). Never raises: the explorer lists without it."""
        try:
            _, runs = await self._run_rows()  # first, as in `list`
            facts = await self._facts_many(r.id for r in rows)
        except AquaError as exc:
            log.info("fine-tune states unavailable for the model list: %s", exc.message)
            return {}, False
        by_id = {r.id: r for r in rows}
        states = {f.model_id: getattr(runs.get(f.run_id or ""), "lifecycle_state", None) for f in facts}
        done = [i for i, state in states.items() if state == "SUCCEEDED"]
        updated = [self._deployable(by_id[i]) for i in done]
        running = any(state in RUNNING_RUN_STATES for state in states.values())
        return {u.id: u for u in updated}, running

    async def deployable_now(self, raw: Any) -> Any | None:
        """For a model detail: a fine-tuned model not tagged ready to deploy, shown deployable once its run
        SUCCEEDED, or None while it has not (one GetJobRun; nothing is written)."""
        meta = mapping.custom_metadata(raw)
        run_id = next((meta[k] for k in fm.MD_RUN_IDS if meta.get(k)), None)
        if not run_id:
            return None
        c = self._c()
        try:
            run = (await c.call("datascience", c.data_science.get_job_run, run_id, not_found="")).data
        except AquaError as exc:  # the detail shows without it: not deployable, as its tag says
            log.info("job run %s of %s unreadable: %s", run_id, raw.id, exc.message)
            return None
        return self._deployable(raw) if run.lifecycle_state == "SUCCEEDED" else None

    @staticmethod
    def _deployable(raw: Any) -> Any:
        """The model as shown once its run SUCCEEDED: ready to deploy, whether or not the container tagged
        it (the service's does; a read does not write the tag for it)."""
        shown = copy.copy(raw)
        shown.freeform_tags = {
            **{k: v for k, v in (raw.freeform_tags or {}).items() if str(k).lower() != mapping.TAG_AQUA.lower()},
            mapping.TAG_AQUA: "active",
        }
        return shown

    def _detail(self, facts: fm.Facts) -> FineTuneDetail:
        live = self._live_of(facts.model_id)
        return fm.to_detail(
            facts, live.run, live.series, artifact_location=live.output_path, failure_log=live.failure_log
        )

    # ---- list and detail ---------------------------------------------------------

    async def list(self) -> list[FineTuneSummary]:
        models = await self.models.list_models()
        # The runs first: a model read after them shows metrics at least as new as their states.
        seen, rows = await self._run_rows()
        facts = await self._facts_many(m.id for m in models if m.source == ModelSource.FINE_TUNED)
        await asyncio.gather(*(self._listed(f, rows, seen) for f in facts))
        details = sorted((self._detail(f) for f in facts), key=lambda d: d.created_at, reverse=True)
        return [fm.to_summary(d) for d in details]

    async def _listed(self, facts: fm.Facts, rows: dict[str, Any], seen: float) -> None:
        row = rows.get(facts.run_id or "")
        if row is not None:
            self._see_run(facts, row, seen)
        elif facts.run_id:  # not listed (deleted, or just made): ask for it
            await self._get_run(facts)
        await self._settle(facts)

    async def get(self, finetune_id: str) -> FineTuneDetail:
        facts = await self._facts_of(finetune_id)
        await self._get_run(facts)
        await self._settle(facts)
        return await self._with_failure_log(facts, self._detail(facts), FineTuneState.FAILED)

    async def metrics(self, finetune_id: str, query: MetricsQuery) -> FineTuneMetrics:
        facts = await self._facts_of(finetune_id)
        await self._get_run(facts)
        await self._settle(facts, metrics=True)
        live = self._live_of(facts.model_id)
        points = live.series.points
        return FineTuneMetrics(
            points=points[query.after :],
            cursor=len(points),
            state=fm.state_of(getattr(live.run, "lifecycle_state", None), live.series),
        )

    # ---- defaults ------------------------------------------------------------------

    @staticmethod
    def _readiness(model: ModelDetail) -> str | None:
        """Why this model cannot be fine-tuned on OCI, or None."""
        if model.source == ModelSource.FINE_TUNED:
            base = model.lineage.base_model_id if model.lineage else None
            return (
                "it is itself a fine-tuned model; fine-tune its base model"
                + (f" ({base})" if base else "")
                + " with a combined dataset instead"
            )
        if model.source == ModelSource.CATALOG and not model.ready_to_deploy:
            return " ".join(model.notes) or "this service model has no weights in your tenancy yet"
        if not model.ready_to_finetune:
            why = " ".join(n for n in model.notes if "GGUF" in n) or (
                f"it is not marked ready to fine-tune (its {mapping.TAG_READY_TO_FINE_TUNE} tag is not true); "
                "register its safetensors weights with fine-tuning enabled, or choose a model that is"
            )
            return why
        if not model.artifact_location:
            return "it records no artifact_location (where its weights are); re-register it from Object Storage"
        return None

    async def facts(self, model_id: str, query: FineTuneDefaultsQuery) -> TrainingFacts:
        model = await self.models.get_model(model_id)
        shapes = await self.job_shapes()
        gpu = [s.name for s in shapes if smc.shape_platform(s.shape_series) == "NVIDIA_GPU"]
        names = [*gpu, *(s.name for s in shapes if s.name not in gpu)]
        overrides = {k: v for k, v in query.model_dump(exclude={"shape"}).items() if v is not None}
        # The publisher's defaults for each shape (its FineTuneConfiguration), the form's changes on top.
        params = {
            shape: fm.config_defaults(model.finetune_config, shape or None).model_copy(update=overrides)
            for shape in ["", *names]
        }
        shape = query.shape if query.shape in names else None
        return TrainingFacts(model=model, params=params, shapes=names, shape=shape, gpu_shapes=gpu)

    def defaults(
        self, facts: TrainingFacts, shape: str | None, params: FineTuneParams, fit: TrainingFit
    ) -> FineTuneDefaults:
        model = facts.model
        notes: list[str] = []
        why = self._readiness(model)
        if why:
            notes.append(f"'{model.name}' cannot be fine-tuned: {why}.")
        if params.training_type != "lora":
            notes.append(
                "OCI's fine-tuning container trains LoRA adapters only; last-layers training runs on the local backend."
            )
        if not facts.gpu_shapes:
            notes.append("This compartment offers no GPU job shape; OCI's fine-tuning container needs one.")
        elif fit.total_gb is not None and fit.recommended_shape is None:
            notes.append("No GPU job shape here holds this training run: lower batch_size or max_seq_length.")
        notes.append(
            "The output location must be a versioned Object Storage bucket (oci://bucket@namespace/prefix); "
            "a dataset in the Jupyter root is uploaded next to it."
        )
        return FineTuneDefaults(
            model_id=model.id,
            ready_to_finetune=why is None,
            notes=notes,
            params=params,
            shapes=facts.shapes,
            default_shape=shape,
            max_replicas=fm.config_max_replicas(model.finetune_config, shape, DEFAULT_MAX_REPLICAS),
            fit=fit,
            needs_output_uri=True,
        )

    # ---- create: every check first ----------------------------------------------------

    async def resolve(self, request: CreateFineTuneRequest) -> TrainingFacts:
        """The request's own checks, the model and the compartment's job shapes: the facts the service's
        memory fit picks or checks the shape on (a shape asked for must be a GPU job shape here)."""
        self._require_project()
        self._check_request(request)
        model = await self._ready_model(request.model_id)
        shapes = await self.job_shapes()
        gpu = [s.name for s in shapes if smc.shape_platform(s.shape_series) == "NVIDIA_GPU"]
        if request.shape is not None:
            listed = ", ".join(gpu) or "none"
            names = {s.name: s for s in shapes}
            if request.shape not in names:
                raise InvalidInput.field(
                    "shape", f"'{request.shape}' is not a job shape in this compartment; GPU job shapes: {listed}"
                )
            if request.shape not in gpu:
                raise InvalidInput.field(
                    "shape",
                    f"{request.shape} is a {names[request.shape].shape_series or 'CPU'} "
                    f"shape, and OCI's fine-tuning container needs a GPU; choose one of: "
                    f"{listed}",
                )
        params = fm.request_params(model.finetune_config, request.shape, request.params)
        return TrainingFacts(model=model, params={"": params}, shapes=gpu, shape=request.shape, gpu_shapes=gpu)

    async def _ready_model(self, model_id: str) -> ModelDetail:
        model = await self.models.get_model(model_id)
        why = self._readiness(model)
        if why:
            raise InvalidInput.field("model_id", f"'{model.name}' cannot be fine-tuned: {why}")
        return model

    async def create(self, request: CreateFineTuneRequest, dataset: JobDataset) -> CreateFineTuneResponse:
        return CreateFineTuneResponse(finetune=await self._create(request, dataset), preflight=dataset.report)

    def _check_request(self, request: CreateFineTuneRequest) -> tuple[str, str, str]:
        """The request's own rules (no call needed); returns the output location's parts."""
        if request.params.training_type != "lora":
            raise InvalidInput.field(
                "params.training_type",
                "OCI's fine-tuning container trains LoRA adapters "
                "only; use 'lora', or train the last layers on the "
                "local backend",
            )
        if request.subnet_id and mapping.ocid_kind(request.subnet_id) != "subnet":
            raise InvalidInput.field("subnet_id", "must be a VCN subnet OCID (ocid1.subnet.oc1.<region>.<id>)")
        check_log_ocids(request.log_group_id, request.log_id)
        for needed, why in DISTRIBUTED_NEEDS:
            if request.replicas > 1 and not getattr(request, needed):
                raise InvalidInput.field(
                    needed,
                    f"{request.replicas} replicas make a distributed training run, whose nodes {why}, or use 1 replica",
                )
        if not request.output_uri:
            raise InvalidInput.field(
                "output_uri",
                "required on OCI: the oci://bucket@namespace/prefix, in a versioned "
                "bucket, where the fine-tuned weights are written",
            )
        try:
            return mapping.parse_os_uri(request.output_uri)
        except ValueError:
            raise InvalidInput.field("output_uri", "must look like 'oci://bucket@namespace/prefix'") from None

    async def _plan(self, request: CreateFineTuneRequest, dataset: JobDataset) -> _Plan:
        output = self._check_request(request)
        model = await self._ready_model(request.model_id)
        record = await self.models.model_record(model.id)
        config = model.finetune_config
        params = fm.request_params(config, request.shape, request.params)
        results = await self._checks(
            {},
            image=self._image(record),
            output=output,
            output_field="output_uri",
            why="OCI's fine-tuning container writes its outputs only to versioned buckets",
            dataset=self._dataset(request, output, dataset),
            experiment=self._experiment(request.experiment_name),
        )
        return _Plan(
            model=model,
            record=record,
            params=params,
            shape=request.shape or "",  # the fine-tunes service resolved it (services/training_plan.py)
            image=results["image"],
            output=output,
            dataset=results["dataset"],
            version_set_id=results["experiment"],
            extra_flags=fm.extra_flags(config),
        )

    async def _image(self, record: ModelRecord) -> str:
        """The fine-tuning service container: the family the base model names (AQUA's metadata), latest."""
        family = mapping.custom_metadata(record.model).get(mapping.MD_FINETUNE_CONTAINER) or fm.DEFAULT_FAMILY
        image = smc.job_image(await self._container_index(), family)
        if image is None:
            raise InvalidInput.field(
                "model_id", f"OCI Data Science offers no fine-tuning service container '{family}' in this region"
            )
        return image

    async def _experiment(self, name: str | None) -> str | None:
        """The model version set of this experiment name, when it exists (None: made at launch)."""
        return await find_version_set(
            self._c(),
            self.settings.compartment_id,
            name,
            tag=fm.TAG_FINETUNING,
            field_name="experiment_name",
            what="a fine-tuning experiment",
        )

    # ---- the dataset ------------------------------------------------------------------

    async def dataset_file(self, request: CreateFineTuneRequest, access: DatasetAccess) -> DatasetFile:
        """An oci:// dataset is downloaded for the preflight; a file of the Jupyter root is measured
        with the base model's tokenizer, when that is on this machine."""
        if request.dataset_path.startswith("oci://"):
            return await fetch_remote_dataset(
                self._c(),
                self.settings.compartment_id,
                request.dataset_path,
                access,
                container="OCI's fine-tuning container",
            )
        model = await self.models.get_model(request.model_id)
        return DatasetFile(
            root=access.root, path=request.dataset_path, model_id=model.id, model_location=model.artifact_location
        )

    async def _dataset(self, request: CreateFineTuneRequest, output: tuple[str, str, str], job: JobDataset) -> _Dataset:
        """Where the job reads the preflighted dataset: the oci:// object, or a file of the Jupyter root
        placed next to the output prefix (as AQUA uploads it), never over a different file already there."""
        if request.dataset_path.startswith("oci://"):
            dataset = staged_remote_dataset(job)
        else:
            dataset = await stage_local_dataset(
                self._c(), job, output, container="OCI's fine-tuning container", output_field="output_uri"
            )
        valid = dataset.report.valid_rows
        if valid < fm.MIN_ROWS:
            raise InvalidInput.field(
                "dataset_path",
                f"{dataset.report.path} has {valid} valid row"
                f"{'s' if valid != 1 else ''}; OCI's fine-tuning container "
                f"needs at least {fm.MIN_ROWS} (it stops with exit code 42)",
            )
        return dataset

    # ---- create: make it, in order -------------------------------------------------------

    async def _launch(self, request: CreateFineTuneRequest, plan: _Plan, created: _Created) -> FineTuneDetail:
        set_id = plan.version_set_id
        if set_id is None and request.experiment_name:
            set_id = created.version_set_id = await self._create_version_set(request.experiment_name)
        await self._upload_dataset(plan.dataset, plan.output, created)
        meta = self._model_metadata(request, plan)
        model = await self._create_model(self._model_details(request, plan, set_id, meta), created)
        await self._copy_artifacts(plan.record, model.id)
        job, run = await self._start_job_run(self._job_details(request, plan, model.id), created)
        # AQUA's step 6: the model names its job and run (and the run is its provenance).
        model = await self._name_job_and_run(model.id, meta + self._run_metadata(job.id, run.id), run.id)

        facts = self._facts[model.id] = fm.facts_from(model, job)
        live = self._live_of(model.id)
        live.run, live.run_seen = run, time.monotonic()
        live.series, live.series_seen, live.series_state = fm.MetricSeries(), time.monotonic(), run.lifecycle_state
        self._runs = None
        self.models.model_changed(model)
        return self._detail(facts)

    def _model_details(
        self, request: CreateFineTuneRequest, plan: _Plan, set_id: str | None, meta: builtins.list[dict[str, str]]
    ) -> Any:
        """CreateModelDetails of the fine-tuned model, created by reference (its container uploads the weights)."""
        import oci

        m = oci.data_science.models
        base = plan.model
        hyper = fm.hyperparameters(plan.params, request.validation_split, plan.dataset.uri)
        return m.CreateModelDetails(
            compartment_id=self.settings.compartment_id,
            project_id=self.settings.project_id,
            display_name=request.name[:255],
            description=(request.description or f"Fine-tuned from {base.name}")[:400],
            freeform_tags=fm.model_tags(plan.record.model.freeform_tags, base.id, base.name),
            custom_metadata_list=[m.Metadata(**item) for item in meta],
            defined_metadata_list=[m.Metadata(key=fm.HYPERPARAMETERS, value=json.dumps(hyper, separators=(",", ":")))],
            model_version_set_id=set_id,
        )

    @staticmethod
    def _run_metadata(job_id: str, run_id: str) -> builtins.list[dict[str, str]]:
        """AQUA's step 6: the model names its job and run."""
        return [
            mapping.metadata_item(fm.MD_JOB_ID, job_id, "The fine-tuning job"),
            mapping.metadata_item(fm.MD_RUN_IDS[0], run_id, "The fine-tuning job run"),
        ]

    # ---- the same create as SDK calls and as a job, creating nothing (the export) ------------------

    async def create_calls(self, request: CreateFineTuneRequest, dataset: JobDataset) -> ExportedFineTune:
        """Every check `create` makes (the same 400s), then what it would send, in order, as SDK calls with the
        same details, and the job and its run as Terraform describes them (the output model, which Terraform
        cannot create without an artifact, and the dataset stand as refs). Nothing is created."""
        plan = await self._plan(request, dataset)
        ds = "oci.data_science.DataScienceClient"
        steps: builtins.list[SdkCall] = []
        set_id = plan.version_set_id
        if set_id is None and request.experiment_name:
            details = version_set_details(
                self.settings,
                request.experiment_name,
                tag=fm.TAG_FINETUNING,
                description="AI Quick Actions fine-tuning experiment",
            )
            steps.append(SdkCall(ds, "create_model_version_set", (details,), "experiment", "A new experiment."))
            set_id = ref("experiment.id")
        if plan.dataset.upload is not None:
            bucket, namespace, _ = plan.output
            steps.append(
                SdkCall(
                    "oci.object_storage.ObjectStorageClient",
                    "put_object",
                    (namespace, bucket, plan.dataset.uri.split("/", 3)[3], ref("dataset_file")),
                    "uploaded",
                    "The dataset, next to the output (run this from the Jupyter root).",
                    exprs={"dataset_file": f"pathlib.Path({request.dataset_path!r}).read_bytes()"},
                )
            )
        meta = self._model_metadata(request, plan)
        model = self._model_details(request, plan, set_id, meta)
        job = self._job_details(request, plan, ref("model.id"))
        steps += [
            SdkCall(ds, "create_model", (model,), "model", "The fine-tuned model: the job writes the adapter into it."),
            SdkCall(ds, "create_job", (job,), "job", "The fine-tuning job (it must be ACTIVE to run).", True),
            SdkCall(ds, "create_job_run", (self._run_details(job, ref("job.id")),), "run"),
            SdkCall(
                ds,
                "update_model",
                (ref("model.id"), self._naming_details(meta + self._run_metadata(ref("job.id"), ref("run.id")))),
                "model",
                "The model names its job and run, as AI Quick Actions reads them.",
            ),
        ]
        # Terraform: the dataset a variable, the output model one too.
        variable = dataclasses.replace(plan, dataset=dataclasses.replace(plan.dataset, uri=ref("dataset_uri")))
        tf_job = self._job_details(request, variable, ref("output_model_id"))
        return ExportedFineTune(
            steps=steps,
            job=tf_job,
            run=self._run_details(tf_job, ref("job.id")),
            dataset_uri=plan.dataset.uri,
            base_model_id=plan.model.id,
        )

    def _model_metadata(self, request: CreateFineTuneRequest, plan: _Plan) -> builtins.list[dict[str, str]]:
        """The fine-tuned model's custom metadata, as AQUA writes it (the base's artifact location and
        serving container come along), plus the dataset's lineage and the base's size facts, which memory
        fit and deploy read (an adapter adds little to the base's memory)."""
        base = plan.model
        base_meta = mapping.custom_metadata(plan.record.model)
        report = plan.dataset.report
        items = [
            mapping.metadata_item(fm.MD_SOURCE, base.id, "The base model"),
            mapping.metadata_item(fm.MD_SOURCE_NAME, base.name, "The base model's name"),
            mapping.metadata_item(
                mapping.MD_ARTIFACT_LOCATION, base.artifact_location or "", "Where the base model's files are"
            ),
            mapping.metadata_item(fm.MD_OUTPUT_PATH, request.output_uri or "", "Where the fine-tuned weights go"),
            mapping.metadata_item(fm.MD_DATASET_HASH, plan.dataset.sha256, "sha256 of the training dataset"),
            mapping.metadata_item(fm.MD_TRAIN_ROWS, str(report.train_rows), "Training rows (preflight)"),
            mapping.metadata_item(fm.MD_VALIDATION_ROWS, str(report.validation_rows), "Validation rows (preflight)"),
        ]
        if base_meta.get(mapping.MD_DEPLOYMENT_CONTAINER):
            items.append(
                mapping.metadata_item(mapping.MD_DEPLOYMENT_CONTAINER, base_meta[mapping.MD_DEPLOYMENT_CONTAINER])
            )
        if base.parameter_count:
            items.append(mapping.metadata_item(mapping.MD_PARAMETER_COUNT, str(base.parameter_count)))
        if base.context_length:
            items.append(mapping.metadata_item(mapping.MD_CONTEXT_LENGTH, str(base.context_length)))
        if base.architecture is not None:
            compact = json.dumps(base.architecture.model_dump(exclude_none=True), separators=(",", ":"))
            items.append(mapping.metadata_item(mapping.MD_ARCHITECTURE, compact))
        return items

    async def _copy_artifacts(self, record: ModelRecord, model_id: str) -> None:
        """AQUA's step 3: the base's stored card, license and serving configuration come along (its
        fine-tuning configuration does not: the fine-tuned model is not fine-tuned again)."""
        c = self._c()
        texts = {k: v for k, v in record.artifacts.items() if k != "FineTuneConfiguration" and v}
        await asyncio.gather(
            *(
                c.call(
                    "datascience",
                    c.data_science.create_model_defined_metadatum_artifact,
                    model_id,
                    key,
                    text.encode("utf-8"),
                    exists_ok=True,
                )
                for key, text in texts.items()
            )
        )

    def _job_details(self, request: CreateFineTuneRequest, plan: _Plan, model_id: str) -> Any:
        """CreateJobDetails as AQUA's ContainerRuntime makes them: the service container, its arguments in the
        environment, default networking unless a subnet is given, a multi-node job for replicas > 1."""
        import oci

        m = oci.data_science.models
        base = plan.model
        env = {
            fm.FT_ARGUMENTS: fm.ft_arguments(base.id, model_id),
            fm.LAUNCH_CMD: fm.launch_command(
                plan.dataset.uri, request.output_uri or "", request.validation_split, plan.params, plan.extra_flags
            ),
            fm.NODE_COUNT: str(request.replicas),
        }
        config = m.DefaultJobConfigurationDetails(job_type="DEFAULT", environment_variables=env)
        image = m.OcirContainerJobEnvironmentConfigurationDetails(
            job_environment_type="OCIR_CONTAINER", image=plan.image
        )
        logs = self._job_logs(request.log_group_id, request.log_id)
        common: dict[str, Any] = dict(
            compartment_id=self.settings.compartment_id,
            project_id=self.settings.project_id,
            display_name=request.name[:255],
            description=f"Fine-tuning {base.name} into {request.name}"[:400],
            job_log_configuration_details=logs,
            freeform_tags={mapping.TAG_AQUA: "", mapping.TAG_FINE_TUNED: f"{base.id}#{base.name}"[:255]},
        )
        if request.replicas > 1:
            group = m.JobNodeGroupConfigurationDetails(
                name=NODE_GROUP,
                replicas=request.replicas,
                minimum_success_replicas=request.replicas,
                job_infrastructure_configuration_details=m.MultiNodeJobInfrastructureConfigurationDetails(
                    job_infrastructure_type="MULTI_NODE",
                    shape_name=plan.shape,
                    block_storage_size_in_gbs=fm.BLOCK_STORAGE_GB,
                ),
                job_configuration_details=config,
                job_environment_configuration_details=image,
            )
            nodes = m.MultiNodeJobNodeConfigurationDetails(
                job_node_type="MULTI_NODE",
                startup_order="IN_PARALLEL",
                job_network_configuration=m.JobCustomNetworkConfiguration(
                    job_network_type="CUSTOM_NETWORK", subnet_id=request.subnet_id
                ),
                job_node_group_configuration_details_list=[group],
            )
            return m.CreateJobDetails(**common, job_node_configuration_details=nodes)
        if request.subnet_id:
            infra: Any = m.StandaloneJobInfrastructureConfigurationDetails(
                job_infrastructure_type="STANDALONE",
                shape_name=plan.shape,
                subnet_id=request.subnet_id,
                block_storage_size_in_gbs=fm.BLOCK_STORAGE_GB,
            )
        else:  # OCI's managed egress, so a job started from a notebook does not borrow the notebook's network
            infra = m.ManagedEgressStandaloneJobInfrastructureConfigurationDetails(
                job_infrastructure_type="ME_STANDALONE",
                shape_name=plan.shape,
                block_storage_size_in_gbs=fm.BLOCK_STORAGE_GB,
            )
        return m.CreateJobDetails(
            **common,
            job_configuration_details=config,
            job_infrastructure_configuration_details=infra,
            job_environment_configuration_details=image,
        )

    async def _create_version_set(self, name: str) -> str:
        return await create_version_set(
            self._c(),
            self.settings,
            name,
            tag=fm.TAG_FINETUNING,
            description="AI Quick Actions fine-tuning experiment",
            find=lambda: self._experiment(name),
        )

    def _model_gone(self, model_id: str) -> None:
        self._forget(model_id)
        self.models.model_deleted(model_id)

    # ---- cancel and delete -------------------------------------------------------------

    async def delete(self, finetune_id: str) -> None:
        facts = await self._facts_of(finetune_id)
        await self._delete_job_and_model(facts)
        self._forget(facts.model_id)
        self.models.model_deleted(facts.model_id)
