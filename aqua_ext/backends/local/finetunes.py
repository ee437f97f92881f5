"""Local fine-tuning: one detached `python -m aqua_ext.jobs.finetune` process per job
(detached_jobs.py runs and follows them).

The job folder (`<data_dir>/finetunes/<id>/`) holds the spec, a snapshot of the dataset (so
the lineage's hash is what was trained on), `job.log`, and what the job writes: `status.json`,
`metrics.jsonl`, and on success `model/` (and `adapter/` for LoRA).
"""

from __future__ import annotations

import asyncio
import builtins
import json
import logging
import shutil
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

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
    MetricPoint,
    MetricsQuery,
    TrainingFit,
)
from ...api.info import Hardware
from ...api.job_datasets import DatasetAccess, DatasetFile, JobDataset
from ...api.logs import LogPage, LogsQuery
from ...api.models import Capability, Lineage, ModelDetail, ModelFormat, ModelSource
from ...errors import InvalidInput, NotFound, Unavailable
from ...jobs import finetune as job
from ..base import FineTunes
from ..training import TrainingFacts
from .detached_jobs import CANCEL_GRACE_S, DetachedJobDriver, DetachedJobs, Observed, job_fields, new_row
from .hardware import detect_engines
from .model_folder import inspect_folder
from .store import JobRow, Store

log = logging.getLogger(__name__)

S = FineTuneState
MODEL_ID_PREFIX = "ft:"
OCI_ONLY = ("output_uri", "subnet_id", "log_group_id", "log_id")


def model_id_of(finetune_id: str) -> str:
    return MODEL_ID_PREFIX + finetune_id


class LocalFineTunes(DetachedJobDriver, FineTunes):
    def __init__(
        self,
        store: Store,
        *,
        jobs_dir: Path,
        get_model: Callable[[str], Awaitable[ModelDetail]],
        hardware: Callable[[], Awaitable[Hardware]],
        models_changed: Callable[[], None],
        cancel_grace: float = CANCEL_GRACE_S,
    ) -> None:
        self.store = store
        self._get_model = get_model
        self._hardware = hardware
        self._models_changed = models_changed
        self.jobs = DetachedJobs(
            store.finetunes,
            jobs_dir=jobs_dir,
            module="aqua_ext.jobs.finetune",
            what="fine-tuning job",
            on_succeeded=lambda _row: models_changed(),
            cancel_grace=cancel_grace,
        )

    def _read_metrics(self, finetune_id: str) -> list[MetricPoint]:
        try:
            text = (self.jobs.dir(finetune_id) / job.METRICS_FILE).read_text(encoding="utf-8")
        except OSError:
            return []
        points = []
        for line in text.splitlines():
            try:
                points.append(MetricPoint.model_validate(json.loads(line)))
            except ValueError:
                break  # a line being written right now: the next poll gets it
        return points

    # ---- reads --------------------------------------------------------------------

    async def list(self) -> list[FineTuneSummary]:
        return [self._summary(row, observed) for row, observed in await self.jobs.all_current()]

    async def get(self, finetune_id: str) -> FineTuneDetail:
        row, observed = await self.jobs.current(await self.jobs.row(finetune_id))
        metrics = await asyncio.to_thread(self._read_metrics, row.id)
        return self._detail(row, observed, metrics, await self.jobs.failure_log(row, observed))

    def _summary(self, row: JobRow, observed: Observed) -> FineTuneSummary:
        c, st = row.config, observed.status
        total = st.get("total_steps")
        return FineTuneSummary(
            **job_fields(row, observed, pace=("training_started_at", "step", "total_steps")),
            base_model_id=row.subject_id,
            base_model_name=c["base_model_name"],
            training_type=c["params"]["training_type"],
            shape=c["shape"],
            replicas=1,
            step=int(st.get("step") or 0),
            total_steps=int(total) if total else None,
            epoch=float(st.get("epoch") or 0.0),
            output_model_id=model_id_of(row.id) if observed.state == S.SUCCEEDED.value else None,
        )

    def _detail(
        self, row: JobRow, observed: Observed, metrics: builtins.list[MetricPoint], failure_log: builtins.list[str]
    ) -> FineTuneDetail:
        c, st = row.config, observed.status
        train = [p.train_loss for p in metrics if p.train_loss is not None]
        validation = [p.validation_loss for p in metrics if p.validation_loss is not None]
        return FineTuneDetail(
            **self._summary(row, observed).model_dump(),
            params=FineTuneParams.model_validate(c["params"]),
            validation_split=c["validation_split"],
            train_rows=c.get("train_rows"),
            validation_rows=c.get("validation_rows"),
            final_train_loss=train[-1] if train else None,
            final_validation_loss=validation[-1] if validation else None,
            job_id=None,
            job_run_id=None,
            output_uri=None,
            experiment_name=c.get("experiment_name"),
            log_group_id=None,
            log_id=None,
            subnet_id=None,
            artifact_location=str(self.jobs.dir(row.id) / job.MODEL_DIR)
            if observed.state == S.SUCCEEDED.value
            else None,
            wall_seconds=st.get("wall_s"),
            peak_memory_mb=st.get("peak_rss_mb"),
            failure_log=failure_log,
        )

    async def logs(self, finetune_id: str, query: LogsQuery) -> LogPage:
        return await self.jobs.logs(finetune_id, query)

    async def metrics(self, finetune_id: str, query: MetricsQuery) -> FineTuneMetrics:
        row, observed = await self.jobs.current(await self.jobs.row(finetune_id))
        points = await asyncio.to_thread(self._read_metrics, row.id)
        return FineTuneMetrics(points=points[query.after :], cursor=len(points), state=S(observed.state))

    # ---- defaults and checks ---------------------------------------------------------

    async def facts(self, model_id: str, query: FineTuneDefaultsQuery) -> TrainingFacts:
        model = await self._get_model(model_id)
        hardware = await self._hardware()
        shapes = (["gpu"] if hardware.gpus else []) + ["cpu"]
        shape = query.shape if query.shape in shapes else shapes[0]
        overrides = {k: v for k, v in query.model_dump(exclude={"shape"}).items() if v is not None}
        params = default_params(model).model_copy(update=overrides)
        return TrainingFacts(model=model, params={"": params}, shapes=shapes, shape=shape, hardware=hardware)

    def defaults(
        self, facts: TrainingFacts, shape: str | None, params: FineTuneParams, fit: TrainingFit
    ) -> FineTuneDefaults:
        model = facts.model
        return FineTuneDefaults(
            model_id=model.id,
            ready_to_finetune=_finetunable(model),
            notes=_finetune_notes(model),
            params=params,
            shapes=facts.shapes,
            default_shape=facts.shapes[0],
            max_replicas=1,
            fit=fit,
            needs_output_uri=False,
        )

    async def resolve(self, request: CreateFineTuneRequest) -> TrainingFacts:
        model = await self._get_model(request.model_id)
        shape = await self._check(request, model)
        params = {"": request.params}
        return TrainingFacts(model=model, params=params, shapes=[shape], shape=shape, hardware=await self._hardware())

    async def _check(self, request: CreateFineTuneRequest, model: ModelDetail) -> str:
        """Everything about the request except the dataset and the memory fit (the service's); the
        shape to train on."""
        if not _finetunable(model):
            why = " ".join(_finetune_notes(model)) or "its weights are not on this machine."
            raise InvalidInput.field("model_id", f"'{model.name}' cannot be fine-tuned here: {why}")
        if request.replicas != 1:
            raise InvalidInput.field(
                "replicas", "a local fine-tune runs one process; replicas (distributed training) are an OCI option"
            )
        for name in OCI_ONLY:
            if getattr(request, name):
                raise InvalidInput.field(
                    name, "an OCI option; a local job writes into the aqua_ext data folder and logs to a file"
                )
        params = request.params
        arch = model.architecture
        if (
            params.training_type == "last_layers"
            and arch
            and arch.num_hidden_layers
            and params.last_n_layers > arch.num_hidden_layers
        ):
            raise InvalidInput.field(
                "params.last_n_layers",
                f"{model.name} has {arch.num_hidden_layers} layers; train at most {arch.num_hidden_layers}",
            )
        if model.context_length and params.max_seq_length > model.context_length:
            raise InvalidInput.field(
                "params.max_seq_length",
                f"{params.max_seq_length} is longer than the model's context length ({model.context_length})",
            )
        hardware = await self._hardware()
        trainer = next(e for e in await asyncio.to_thread(detect_engines, hardware) if e.name == "trl")
        if not trainer.available:
            raise Unavailable(f"Fine-tuning needs trl and peft on this machine: {trainer.reason}")
        shape = request.shape or ("gpu" if hardware.gpus else "cpu")
        if shape not in ("cpu", "gpu"):
            raise InvalidInput.field("shape", f"'{shape}' is not a local shape; use cpu or gpu")
        if shape == "gpu" and not hardware.gpus:
            raise InvalidInput.field("shape", "this machine has no GPU; use cpu")
        return shape

    # ---- create / cancel / delete ---------------------------------------------------

    async def dataset_file(self, request: CreateFineTuneRequest, access: DatasetAccess) -> DatasetFile:
        # A file of the Jupyter root, measured with the base model's tokenizer when its folder has one.
        model = await self._get_model(request.model_id)
        return DatasetFile(
            root=access.root, path=request.dataset_path, model_id=model.id, model_location=model.artifact_location
        )

    async def create(self, request: CreateFineTuneRequest, dataset: JobDataset) -> CreateFineTuneResponse:
        model = await self._get_model(request.model_id)
        shape = await self._check(request, model)
        params = request.params
        report = dataset.report
        if (
            report.format == "conversational"
            and report.tokens is not None
            and report.tokens.template != "chat_template"
        ):
            raise InvalidInput.field(
                "dataset_path",
                f"conversational rows need a chat template, and {model.name}'s "
                "tokenizer has none; use prompt/completion rows",
            )
        if report.train_rows == 0:
            raise InvalidInput.field(
                "dataset_path",
                "no training rows are left after the validation split; lower validation_split or add rows",
            )

        finetune_id = f"ftj-{uuid.uuid4().hex[:10]}"
        config = {
            "description": request.description,
            "base_model_name": model.name,
            "base_model_path": model.artifact_location,
            "base_organization": model.organization,
            "base_license": model.license,
            "base_context_length": model.context_length,
            "dataset_path": dataset.shown,
            "dataset_hash": dataset.sha256,
            "dataset_format": report.format,
            "validation_split": request.validation_split,
            "train_rows": report.train_rows,
            "validation_rows": report.validation_rows,
            "shape": shape,
            "params": params.model_dump(),
            "experiment_name": request.experiment_name,
        }
        row = new_row(finetune_id, request.name, model.id, "Starting the job", config)

        def prepare(folder: Path) -> None:
            # The job trains on a snapshot: the lineage's hash stays true if the user edits the file.
            shutil.copyfile(dataset.path, folder / "dataset.jsonl")
            spec = _job_spec(config, params, folder, shape)
            (folder / "spec.json").write_text(json.dumps(spec, indent=2) + "\n", encoding="utf-8")

        row = await self.jobs.create(row, prepare)
        observed = await asyncio.to_thread(self.jobs.observe, row)
        return CreateFineTuneResponse(finetune=self._detail(row, observed, [], []), preflight=report)

    async def cancel(self, finetune_id: str) -> FineTuneDetail:
        await self.jobs.cancel(finetune_id)
        return await self.get(finetune_id)

    async def delete(self, finetune_id: str) -> None:
        row = await self.jobs.row(finetune_id)
        await self.jobs.delete(row.id)
        self._models_changed()

    # ---- the fine-tuned models ---------------------------------------------------------

    async def models(self) -> builtins.list[ModelDetail]:
        """Every fine-tuned model (succeeded jobs), for the model listing."""
        rows = [r for r in await self.store.finetunes.list() if r.state == S.SUCCEEDED.value]
        return await asyncio.to_thread(lambda: [self._model(r, full=False) for r in rows])

    async def model(self, model_id: str) -> ModelDetail:
        finetune_id = model_id[len(MODEL_ID_PREFIX) :]
        row = await self.store.finetunes.get(finetune_id)
        if row is None or row.state != S.SUCCEEDED.value:
            raise NotFound(f"No model with id '{model_id}'.")
        return await asyncio.to_thread(self._model, row, True)

    def _model(self, row: JobRow, full: bool) -> ModelDetail:
        c = row.config
        folder = self.jobs.dir(row.id) / job.MODEL_DIR
        info = inspect_folder(folder) if folder.is_dir() else None
        notes = [] if info else [f"The folder {folder} is gone: delete this fine-tuned model."]
        p = c["params"]
        method = f"LoRA r={p['lora_r']}" if p["training_type"] == "lora" else f"the last {p['last_n_layers']} layers"
        description = (
            f"Fine-tuned from {c['base_model_name']} on {c['dataset_path']} ({c['train_rows']} rows, "
            f"{p['epochs']} epochs, {method})."
        )
        files = sorted(str(f.relative_to(folder)) for f in folder.rglob("*") if f.is_file()) if full and info else []
        return ModelDetail(
            id=model_id_of(row.id),
            name=row.name,
            source=ModelSource.FINE_TUNED,
            organization=c.get("base_organization"),
            license=c.get("base_license"),
            task="text-generation",
            capability=Capability.TEXT_TO_TEXT,
            parameter_count=info.parameter_count if info else None,
            context_length=c.get("base_context_length"),
            formats=[ModelFormat.SAFETENSORS],
            size_bytes=info.size_bytes if info else None,
            description=description,
            tags=["fine-tuned", p["training_type"]],
            ready_to_deploy=info is not None,
            ready_to_finetune=info is not None,
            artifact_location=str(folder) if info else None,
            created_at=row.finished_at or row.updated_at,
            card_markdown=_card(row, description) if full else "",
            architecture=info.architecture if info else None,
            lineage=Lineage(base_model_id=row.subject_id, dataset_hash=c["dataset_hash"], finetune_job_id=row.id),
            files=files,
            notes=notes,
        )


# ---- pure helpers -------------------------------------------------------------------


def _finetunable(model: ModelDetail) -> bool:
    return bool(model.ready_to_finetune and model.artifact_location and "://" not in model.artifact_location)


def _finetune_notes(model: ModelDetail) -> list[str]:
    if _finetunable(model):
        return []
    return list(model.notes) or [f"{model.name} is not ready to fine-tune on this machine."]


def default_params(model: ModelDetail) -> FineTuneParams:
    """The form's defaults for `model`: the contract's, with a sequence length the model holds."""
    params = FineTuneParams()
    if model.context_length:
        params = params.model_copy(update={"max_seq_length": min(params.max_seq_length, model.context_length)})
    return params


def _job_spec(config: dict[str, Any], params: FineTuneParams, folder: Path, shape: str) -> dict[str, Any]:
    p = params.model_dump()
    spec = {key: p[key] for key in job.DEFAULTS if key in p}
    spec["lora_target_modules"] = p["lora_target_modules"] or "all-linear"
    return {
        **spec,
        "base_model_path": config["base_model_path"],
        "dataset_path": str(folder / "dataset.jsonl"),
        "output_dir": str(folder),
        "validation_split": config["validation_split"],
        "device": "cuda" if shape == "gpu" else "cpu",
    }


def _card(row: JobRow, description: str) -> str:
    c, p = row.config, row.config["params"]
    lines = [
        f"# {row.name}",
        "",
        description,
        "",
        "| | |",
        "|---|---|",
        f"| Base model | {c['base_model_name']} (`{row.subject_id}`) |",
        f"| Dataset | `{c['dataset_path']}` ({c['train_rows']} train, {c['validation_rows']} validation rows) |",
        f"| Dataset sha256 | `{c['dataset_hash'][:16]}…` |",
        f"| Training | {p['training_type']}, {p['epochs']} epochs, learning rate {p['learning_rate']:g}, "
        f"batch {p['batch_size']}, sequence {p['max_seq_length']} |",
        f"| Job | `{row.id}` |",
    ]
    return "\n".join(lines) + "\n"
