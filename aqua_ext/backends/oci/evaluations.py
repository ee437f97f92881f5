"""OCI evaluations for AI Quick Actions, run the way Oracle AQUA runs them: a Data Science job on a CPU
shape with the service evaluation container (`odsc-llm-evaluate`), asking an ACTIVE model deployment
every prompt of a JSONL dataset and writing the report under `<report_uri>/<evaluation id>/`. The
evaluation's id is its evaluation model's OCID. The conventions are in evaluation_mapping.py.

Calls per user action (lists paged to completion, nothing per row but what is said):
- list: ListModels (USER, ACTIVE) pages + ListJobRuns pages, both kept `deployment_cache_seconds`; once
  per evaluation this process has not seen, GetModel + GetJob (what never changes; for one AQUA made, which
  records no model name, also the deployment: GetModelDeployment, cached briefly); once per SUCCEEDED
  evaluation, GetObject `report.json` for its headline scores (a finished report does not change);
- detail: GetJobRun; while IN_PROGRESS GetObject `status.json` (the rows answered so far, when the
  container writes it); once SUCCEEDED GetObject `report.json` (kept); one Logging search for the last
  lines of a FAILED run that has a log (kept);
- rows: GetObject `rows.jsonl` (kept once the evaluation SUCCEEDED); report.html: GetObject `report.html`.
  The report is read by object name, never by downloading the whole folder or artifact;
- create: the deployment (GetModelDeployment, cached briefly), then at once ListJobShapes and
  ListContainers (cached like the model list), GetBucket, ListModelVersionSets by name, and for the dataset
  HeadObject (+ GetObject of an oci:// one, to check its lines; a fine-tune's training data: its detail
  first); then CreateModelVersionSet (the first time), PutObject (a local dataset), CreateModel, CreateJob,
  GetJob until ACTIVE, CreateJobRun, UpdateModel (job ids) and UpdateModelProvenance; every create
  carries an opc-retry-token, and a failure removes what was made;
- cancel: GetJobRun + CancelJobRun; delete: GetJobRun + DeleteJob (its runs with it) + DeleteModel +
  DeleteObject of the report's objects.
"""

from __future__ import annotations

import asyncio
import builtins
import json
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...api.deployments import DeploymentDetail
from ...api.evaluations import (
    CreateEvaluationRequest,
    CreateEvaluationResponse,
    EvaluationDetail,
    EvaluationReport,
    EvaluationRow,
    EvaluationState,
    EvaluationSummary,
)
from ...api.job_datasets import DatasetAccess, DatasetFile, JobDataset
from ...errors import AquaError, InvalidInput, NotFound, Unavailable
from ..base import EvaluationOrder, Evaluations
from ..evaluation_files import parse_rows
from . import containers as smc
from . import evaluation_mapping as em
from . import mapping
from .job_support import (
    Created,
    JobRunModels,
    StagedDataset,
    create_version_set,
    fetch_remote_dataset,
    find_version_set,
    stage_local_dataset,
    staged_remote_dataset,
)
from .log_search import check_log_ocids

if TYPE_CHECKING:
    from .context import OciContext
    from .deployments import OciDeployments
    from .finetunes import OciFineTunes

log = logging.getLogger(__name__)

CONTAINER = "OCI's evaluation container"
ROWS_CACHED = 16  # finished evaluations whose rows are kept in memory


@dataclass
class _Live:
    """What changes: the job run, the rows answered so far, the report once there."""

    run: Any | None = None
    run_seen: float = 0.0
    rows_done: int = 0
    progress_seen: float | None = None
    report: EvaluationReport | None = None
    report_checked: bool = False  # report.json was looked for after the run ended (found or not)
    failure_log: list[str] | None = None


@dataclass
class _Plan:
    deployment: DeploymentDetail
    metrics: list[Any]
    shape: str
    shape_config: dict[str, Any]
    image: str
    output: tuple[str, str, str]  # bucket, namespace, prefix
    dataset: StagedDataset
    version_set_id: str | None


class OciEvaluations(JobRunModels, Evaluations):
    kind = "evaluation"
    job_kind = "evaluation"
    id_is = "an evaluation's id is its evaluation model's OCID"
    live_type = _Live
    container_usage = "EVALUATION"

    def __init__(self, ctx: OciContext, deployments: OciDeployments, finetunes: OciFineTunes) -> None:
        super().__init__(ctx)
        self.deployments = deployments
        self.finetunes = finetunes
        self._rows: OrderedDict[str, list[EvaluationRow]] = OrderedDict()
        self._models: tuple[float, list[Any]] | None = None

    # ---- small helpers ---------------------------------------------------------------

    @staticmethod
    def _key(facts: em.Facts) -> str:
        return facts.evaluation_id

    def _forget(self, evaluation_id: str) -> None:
        super()._forget(evaluation_id)
        self._rows.pop(evaluation_id, None)
        self._models = None

    # ---- what an evaluation is ------------------------------------------------------------

    async def _read_facts(self, evaluation_id: str) -> em.Facts:
        raw = await self._get_model(evaluation_id)
        if not em.is_evaluation(raw):
            raise NotFound(f"'{raw.display_name}' is not an evaluation (it has no {em.TAG_EVALUATION} tag).")
        job = await self._read_job(mapping.custom_metadata(raw).get(em.MD_JOB_ID))
        facts = em.facts_from(raw, job)
        if not facts.model_name:
            facts.model_name = await self._deployed_model_name(facts)
        self._facts[evaluation_id] = facts
        return facts

    async def _deployed_model_name(self, facts: em.Facts) -> str:
        """AQUA records no model name with an evaluation: the evaluated deployment's model (read once per
        evaluation this process has not seen), else the deployment's name."""
        if facts.deployment_id:
            try:
                deployment = await self.deployments.get(facts.deployment_id)
            except AquaError as exc:  # deleted since, or not ours to read: its name stays what AQUA recorded
                log.info("deployment %s of evaluation %s unreadable: %s", facts.deployment_id, facts.evaluation_id, exc)
            else:
                if deployment.model_name:
                    return deployment.model_name
        return facts.deployment_name or facts.deployment_id

    async def _run_rows(self) -> tuple[float, dict[str, Any]]:
        if self._runs is not None and self._fresh(self._runs[0], self.settings.deployment_cache_seconds):
            return self._runs
        return await self._fetch_runs()

    async def _model_rows(self) -> list[Any]:
        if self._models is not None and self._fresh(self._models[0], self.settings.deployment_cache_seconds):
            return self._models[1]
        c = self._c()
        rows = await c.list_all(
            "datascience",
            c.data_science.list_models,
            self.settings.compartment_id,
            category="USER",
            lifecycle_state="ACTIVE",
        )
        found = [r for r in rows if em.is_evaluation(r)]
        self._models = (time.monotonic(), found)
        return found

    # ---- the report, by object name -------------------------------------------------------

    async def _object(self, facts: em.Facts, name: str) -> bytes | None:
        """GetObject `<report_uri>/<evaluation id>/<name>`; None when it is not there."""
        if not facts.report_uri:
            return None
        try:
            bucket, namespace, _ = mapping.parse_os_uri(facts.report_uri)
        except ValueError:
            return None
        key = em.report_folder(facts.report_uri, facts.evaluation_id) + name
        c = self._c()
        try:
            response = await c.call("objectstorage", c.object_storage.get_object, namespace, bucket, key, not_found="")
        except NotFound:
            return None
        return response.data.content

    async def _settle(self, facts: em.Facts) -> None:
        """Read what the run's state makes worth reading: the report once it ended, the progress while it runs."""
        live = self._live_of(facts.evaluation_id)
        state = getattr(live.run, "lifecycle_state", None)
        if state in ("SUCCEEDED", None, "DELETED") and not live.report_checked:
            raw = await self._object(facts, em.REPORT_JSON)
            if raw is not None:
                try:
                    live.report = em.report_of(json.loads(raw))
                except ValueError:
                    live.report = None
            live.report_checked = state == "SUCCEEDED" or live.report is not None
        elif state == "IN_PROGRESS" and not self._fresh(live.progress_seen, self.settings.deployment_cache_seconds):
            raw = await self._object(facts, em.STATUS_JSON)
            live.progress_seen = time.monotonic()
            try:
                status = json.loads(raw) if raw else {}
            except ValueError:
                status = {}
            if isinstance(status, dict) and isinstance(status.get("rows_done"), int):
                live.rows_done = status["rows_done"]

    def _detail(self, facts: em.Facts) -> EvaluationDetail:
        live = self._live_of(facts.evaluation_id)
        return em.to_detail(facts, live.run, live.report, rows_done=live.rows_done, failure_log=live.failure_log)

    # ---- list and detail --------------------------------------------------------------------

    async def list(self) -> list[EvaluationSummary]:
        models = await self._model_rows()
        seen, runs = await self._run_rows()
        facts: list[em.Facts] = await self._facts_many(m.id for m in models)

        async def listed(f: em.Facts) -> None:
            row = runs.get(f.run_id or "")
            if row is not None:
                self._see_run(f, row, seen)
            elif f.run_id and self._live_of(f.evaluation_id).run is None:
                await self._get_run(f)
            live = self._live_of(f.evaluation_id)
            if getattr(live.run, "lifecycle_state", None) == "SUCCEEDED" and not live.report_checked:
                try:  # the headline scores, read once
                    await self._settle(f)
                except AquaError as exc:
                    log.info("report of %s unreadable: %s", f.evaluation_id, exc.message)

        await asyncio.gather(*(listed(f) for f in facts))
        details = sorted((self._detail(f) for f in facts), key=lambda d: d.created_at, reverse=True)
        return [em.to_summary(d) for d in details]

    async def get(self, evaluation_id: str) -> EvaluationDetail:
        facts = await self._facts_of(evaluation_id)
        await self._get_run(facts)
        await self._settle(facts)
        return await self._with_failure_log(facts, self._detail(facts), EvaluationState.FAILED)

    # ---- rows and the HTML report ---------------------------------------------------------------

    async def rows(self, evaluation_id: str) -> builtins.list[EvaluationRow]:
        facts = await self._facts_of(evaluation_id)
        cached = self._rows.get(evaluation_id)
        if cached is None:
            run = await self._get_run(facts)
            raw = await self._object(facts, em.ROWS_JSONL)
            cached = parse_rows(raw.decode("utf-8", "replace").splitlines()) if raw else []
            if getattr(run, "lifecycle_state", None) == "SUCCEEDED" and raw is not None:
                self._rows[evaluation_id] = cached
                while len(self._rows) > ROWS_CACHED:
                    self._rows.popitem(last=False)
        else:
            self._rows.move_to_end(evaluation_id)
        return cached

    async def report_html(self, evaluation_id: str) -> str:
        # Only a SUCCEEDED evaluation has a report: the service's rule (services/evaluations.py).
        facts = await self._facts_of(evaluation_id)
        raw = await self._object(facts, em.REPORT_HTML)
        if raw is None:
            where = (facts.report_uri or "").rstrip("/")
            raise NotFound(
                f"No report.html for '{facts.name}' at {where}/{evaluation_id}/ (was it removed from the bucket?)."
            )
        return raw.decode("utf-8", "replace")

    # ---- create: every check first ------------------------------------------------------------

    async def create(self, order: EvaluationOrder) -> CreateEvaluationResponse:
        request = order.request
        if order.judges or request.judge is not None:
            # AQUA's evaluation container computes its own metrics; a judge grades in the local job.
            raise InvalidInput.field("judge", "LLM-as-judge runs in the local evaluation job (the local target)")
        if order.connection is not None or not request.deployment_id:
            # AQUA's evaluation container asks model deployments only (the service sends connections local).
            raise InvalidInput.field("connection_id", "evaluating a connection runs on the local target")
        if request.adapter is not None:
            # The container names no model in its requests: a stacked deployment answers with its base.
            raise InvalidInput.field(
                "adapter",
                "AQUA's evaluation container asks the deployment's base model and cannot pick one of its adapters",
            )
        return CreateEvaluationResponse(
            evaluation=await self._create(request, order.dataset), preflight=order.dataset.report
        )

    def _check_request(self, request: CreateEvaluationRequest) -> tuple[tuple[str, str, str], builtins.list[Any]]:
        """The request's own rules (no call needed): the report location's parts and the metrics."""
        check_log_ocids(request.log_group_id, request.log_id)
        if request.sample_size is not None:
            raise InvalidInput.field(
                "sample_size",
                f"{CONTAINER} evaluates every row of the dataset; leave "
                "sample_size empty, or evaluate a smaller dataset file",
            )
        if "metrics" in request.model_fields_set:
            missing = [m for m in request.metrics if m not in em.CONTAINER_METRICS]
            if missing:
                raise InvalidInput.field(
                    "metrics",
                    f"{CONTAINER} does not compute {', '.join(missing)}; it computes "
                    f"{', '.join(em.CONTAINER_METRICS)} (the local backend computes "
                    "them all)",
                )
            metrics = list(request.metrics)
        else:  # the form's default (every metric): what the container computes
            metrics = [m for m in request.metrics if m in em.CONTAINER_METRICS]
        if not request.report_uri:
            raise InvalidInput.field(
                "report_uri",
                "required on OCI: the oci://bucket@namespace/prefix, in a versioned "
                "bucket, where the evaluation report is written",
            )
        try:
            return mapping.parse_os_uri(request.report_uri), metrics
        except ValueError:
            raise InvalidInput.field("report_uri", "must look like 'oci://bucket@namespace/prefix'") from None

    async def _active_deployment(self, deployment_id: str) -> DeploymentDetail:
        # That it is ACTIVE (it allows "evaluate") is the service's rule (services/evaluations.py).
        return await self.deployments.get(deployment_id)

    async def _plan(self, request: CreateEvaluationRequest, dataset: JobDataset) -> _Plan:
        output, metrics = self._check_request(request)
        deployment = await self._active_deployment(request.deployment_id or "")
        results = await self._checks(
            {"shape": self._pick_shape(request.shape)},
            image=self._image(),
            output=output,
            output_field="report_uri",
            why="AQUA writes evaluation reports only to versioned buckets",
            dataset=self._dataset(request, output, dataset),
            experiment=self._experiment(),
        )
        shape, shape_config = results["shape"]
        return _Plan(
            deployment=deployment,
            metrics=metrics,
            shape=shape,
            shape_config=shape_config,
            image=results["image"],
            output=output,
            dataset=results["dataset"],
            version_set_id=results["experiment"],
        )

    async def _evaluation_config(self) -> tuple[str | None, dict[str, Any]]:
        summary = smc.job_container(await self._container_index(), em.DEFAULT_FAMILY)
        if summary is None:
            return None, {}
        image = f"dsmc://{summary.family_name or summary.container_name}:{summary.tag or 'latest'}"
        return image, smc.job_configuration(summary)

    async def _image(self) -> str:
        image, _ = await self._evaluation_config()
        if image is None:
            raise Unavailable(
                f"OCI Data Science offers no evaluation service container '{em.DEFAULT_FAMILY}' in this region."
            )
        return image

    async def _pick_shape(self, asked: str | None) -> tuple[str, dict[str, Any]]:
        """A CPU job shape the evaluation container supports (its configuration's `shapes`, else AQUA's list)
        and the compartment offers; the default: the first of them, VM.Standard.E4.Flex when offered."""
        _, config = await self._evaluation_config()
        shapes = config.get("shapes")
        allowed: dict[str, dict[str, Any]] = {}
        if isinstance(shapes, dict):
            allowed = {str(k): v if isinstance(v, dict) else {} for k, v in shapes.items()}
        elif isinstance(shapes, list):
            allowed = {str(s.get("name")): s for s in shapes if isinstance(s, dict) and s.get("name")}
        allowed = allowed or em.DEFAULT_SHAPES
        offered = {s.name: s for s in await self.finetunes.job_shapes()}
        usable = [n for n in allowed if n in offered]
        if asked is None:
            if not usable:
                raise InvalidInput.field(
                    "shape",
                    f"this compartment offers none of the evaluation shapes of {CONTAINER} ({', '.join(allowed)})",
                )
            asked = em.DEFAULT_SHAPE if em.DEFAULT_SHAPE in usable else usable[0]
        elif asked not in usable:
            listed = ", ".join(usable) or "none here"
            why = (
                "is not a job shape in this compartment"
                if asked not in offered
                else f"is not one of the CPU shapes {CONTAINER} runs on"
            )
            raise InvalidInput.field("shape", f"'{asked}' {why}; choose one of: {listed}")
        entry = allowed.get(asked) or {}
        config_out: dict[str, Any] = {}
        if asked.endswith(".Flex"):
            config_out = {
                "ocpus": float(entry.get("ocpu") or entry.get("ocpus") or 8),
                "memory_in_gbs": float(entry.get("memory_in_gbs") or 128),
            }
        config_out["block_storage"] = int(entry.get("block_storage_size") or em.BLOCK_STORAGE_GB)
        return asked, config_out

    async def _experiment(self) -> str | None:
        return await find_version_set(
            self._c(),
            self.settings.compartment_id,
            em.DEFAULT_EXPERIMENT,
            tag=em.TAG_EVALUATION,
            field_name="name",
            what="an evaluation experiment",
        )

    # ---- the dataset ----------------------------------------------------------------------------

    async def dataset_file(self, request: CreateEvaluationRequest, access: DatasetAccess) -> DatasetFile:
        """An oci:// dataset (a fine-tune's training data included) is downloaded for the preflight."""
        if request.finetune_id:
            finetune = await self.finetunes.get(request.finetune_id)
            if not finetune.dataset_path.startswith("oci://"):
                raise InvalidInput.field(
                    "finetune_id",
                    f"the fine-tune '{finetune.name}' records no training data in "
                    "Object Storage; give its dataset_path instead",
                )
            uri, field_name = finetune.dataset_path, "finetune_id"
        elif (request.dataset_path or "").startswith("oci://"):
            uri, field_name = request.dataset_path or "", "dataset_path"
        else:
            return await super().dataset_file(request, access)
        return await fetch_remote_dataset(
            self._c(), self.settings.compartment_id, uri, access, container=CONTAINER, field_name=field_name
        )

    async def _dataset(
        self, request: CreateEvaluationRequest, output: tuple[str, str, str], job: JobDataset
    ) -> StagedDataset:
        """Where the job reads the preflighted dataset: the oci:// object, or a file of the Jupyter root
        placed next to the report."""
        if request.finetune_id or (request.dataset_path or "").startswith("oci://"):
            dataset = staged_remote_dataset(job)
        else:
            dataset = await stage_local_dataset(self._c(), job, output, container=CONTAINER, output_field="report_uri")
        if dataset.report.format != "instruction":
            raise InvalidInput.field(
                "finetune_id" if request.finetune_id else "dataset_path",
                f"{dataset.report.path} holds conversational rows; an evaluation "
                'reads instruction rows {"prompt", "completion"[, "category"]}',
            )
        return dataset

    # ---- create: make it, in order ----------------------------------------------------------------

    async def _launch(self, request: CreateEvaluationRequest, plan: _Plan, created: Created) -> EvaluationDetail:
        import oci

        c = self._c()
        m = oci.data_science.models
        deployment = plan.deployment
        set_id = plan.version_set_id
        if set_id is None:
            set_id = created.version_set_id = await create_version_set(
                c,
                self.settings,
                em.DEFAULT_EXPERIMENT,
                tag=em.TAG_EVALUATION,
                description="AI Quick Actions evaluations made by aqua-ext",
                find=self._experiment,
            )
        await self._upload_dataset(plan.dataset, plan.output, created)
        report_uri = request.report_uri or ""
        # The name the container answers to: AQUA's odsc-llm, or a model group's fine-tuned member.
        served = (await self.deployments.upstream(deployment.id)).model
        model_params = em.model_parameters(request.params, served)
        hyper = em.hyperparameters(
            shape=plan.shape,
            dataset_uri=plan.dataset.uri,
            report_uri=report_uri,
            model_params=model_params,
            metrics=plan.metrics,
            concurrency=request.concurrency,
            finetune_id=request.finetune_id,
        )
        meta = [
            mapping.metadata_item(em.MD_SOURCE, deployment.id, "The evaluated deployment"),
            mapping.metadata_item(em.MD_SOURCE_NAME, deployment.name, "The evaluated deployment's name"),
            mapping.metadata_item(em.MD_OUTPUT_PATH, report_uri, "Where the evaluation report goes"),
            mapping.metadata_item(em.MD_DATASET_HASH, plan.dataset.sha256, "sha256 of the evaluation dataset"),
            mapping.metadata_item(em.MD_ROWS, str(plan.dataset.report.valid_rows), "Rows evaluated (preflight)"),
            mapping.metadata_item(em.MD_MODEL_ID, deployment.model_id, "The deployed model"),
            mapping.metadata_item(em.MD_MODEL_NAME, deployment.model_name, "The deployed model's name"),
        ]
        tags = {em.TAG_EVALUATION: em.TAG_EVALUATION}
        details = m.CreateModelDetails(
            compartment_id=self.settings.compartment_id,
            project_id=self.settings.project_id,
            display_name=request.name[:255],
            description=(request.description or f"Evaluation of {deployment.name}")[:400],
            freeform_tags=tags,
            custom_metadata_list=[m.Metadata(**item) for item in meta],
            defined_metadata_list=[m.Metadata(key=em.HYPERPARAMETERS, value=json.dumps(hyper, separators=(",", ":")))],
            model_version_set_id=set_id,
        )
        model = await self._create_model(details, created)
        arguments = em.evaluation_arguments(
            evaluation_id=model.id,
            target_id=deployment.id,
            dataset_uri=plan.dataset.uri,
            metrics=plan.metrics,
            output_dir=report_uri,
            model_params=model_params,
            inference={"inference_max_threads": request.concurrency},
        )
        job, run = await self._start_job_run(self._job_details(request, plan, arguments, tags), created)
        meta += [
            mapping.metadata_item(em.MD_JOB_ID, job.id, "The evaluation job"),
            mapping.metadata_item(em.MD_RUN_ID, run.id, "The evaluation job run"),
        ]
        model = await self._name_job_and_run(model.id, meta, run.id)

        facts = self._facts[model.id] = em.facts_from(model, job)
        live = self._live_of(model.id)
        live.run, live.run_seen = run, time.monotonic()
        self._models = None
        self._runs = None
        return self._detail(facts)

    def _job_details(self, request: CreateEvaluationRequest, plan: _Plan, arguments: str, tags: dict[str, str]) -> Any:
        """CreateJobDetails as AQUA's ContainerRuntime makes them: the evaluation container on a CPU shape with
        its arguments in the environment, OCI's managed networking."""
        import oci

        m = oci.data_science.models
        config = m.DefaultJobConfigurationDetails(
            job_type="DEFAULT", environment_variables={em.EVAL_ARGUMENTS: arguments}
        )
        image = m.OcirContainerJobEnvironmentConfigurationDetails(
            job_environment_type="OCIR_CONTAINER", image=plan.image
        )
        shape_config = None
        if "ocpus" in plan.shape_config:
            shape_config = m.JobShapeConfigDetails(
                ocpus=plan.shape_config["ocpus"], memory_in_gbs=plan.shape_config["memory_in_gbs"]
            )
        infra = m.ManagedEgressStandaloneJobInfrastructureConfigurationDetails(
            job_infrastructure_type="ME_STANDALONE",
            shape_name=plan.shape,
            block_storage_size_in_gbs=plan.shape_config["block_storage"],
            job_shape_config_details=shape_config,
        )
        logs = self._job_logs(request.log_group_id, request.log_id)
        return m.CreateJobDetails(
            compartment_id=self.settings.compartment_id,
            project_id=self.settings.project_id,
            display_name=request.name[:255],
            description=f"Evaluation of {plan.deployment.name}"[:400],
            job_configuration_details=config,
            job_infrastructure_configuration_details=infra,
            job_environment_configuration_details=image,
            job_log_configuration_details=logs,
            freeform_tags=tags,
        )

    # ---- cancel and delete ---------------------------------------------------------------------

    async def delete(self, evaluation_id: str) -> None:
        facts = await self._facts_of(evaluation_id)
        await self._delete_job_and_model(facts)
        await self._delete_report(facts)
        self._forget(facts.evaluation_id)

    async def _delete_report(self, facts: em.Facts) -> None:
        """The report's objects, by name (the bucket is versioned: earlier versions stay recoverable)."""
        if not facts.report_uri:
            return
        try:
            bucket, namespace, _ = mapping.parse_os_uri(facts.report_uri)
        except ValueError:
            return
        folder = em.report_folder(facts.report_uri, facts.evaluation_id)
        c = self._c()
        for name in (em.REPORT_JSON, em.ROWS_JSONL, em.REPORT_HTML, em.STATUS_JSON, "report.md"):
            try:
                await c.call(
                    "objectstorage",
                    c.object_storage.delete_object,
                    namespace,
                    bucket,
                    folder + name,
                    gone_ok=True,
                    not_found="",
                )
            except NotFound:
                pass
            except AquaError as exc:
                log.warning("could not remove %s%s: %s", folder, name, exc.message)
