"""OCI fine-tuning jobs ↔ our fine-tune entity, following Oracle AQUA's conventions so that
either tool sees what the other created (pure: no SDK calls).

A fine-tune is its output model (AQUA: `AquaFineTuningSummary.id` is the fine-tuned model's OCID):
- the model is created by reference with the tags `aqua_fine_tuned_model = "<base OCID>#<base name>"`,
  `OCI_AQUA` ("" until the run SUCCEEDED, then "active": ready to deploy), `fine_tune_model_version = v2`,
  `ready_to_fine_tune = false`; custom metadata `fine_tune_source[_name]`, the base's `artifact_location` and
  `deployment-container`, `fine_tune_job_id`, `fine_tune_job_run_id`, and ours: the dataset's sha256 and the
  preflight's train / validation row counts; the taxonomy metadatum `Hyperparameters` holds the parameters
  by AQUA's names plus `val_set_size` and `training_data`;
- the job runs the service container `odsc-llm-fine-tuning` with `AIP_SMC_FT_ARGUMENTS` (base and output
  model) and `OCI__LAUNCH_CMD` (the training flags), `NODE_COUNT` nodes;
- the container writes the metric series into the model's custom metadata, grouped by description
  (`train_metrics_epoch`, `val_metrics_epoch`, `train_metrics_final`, `val_metrics_final`), and where the
  weights went (`fine_tune_output_path`);
- the state is the job run's; its exit code becomes a readable reason.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ...api.finetunes import (
    FineTuneDetail,
    FineTuneParams,
    FineTuneState,
    FineTuneSummary,
    MetricPoint,
)
from . import job_mapping as jm
from .job_mapping import hyper_values as _hyper_values
from .mapping import (
    FINETUNE_FAMILY,
    MD_DATASET_HASH,
    TAG_AQUA,
    TAG_FINE_TUNED,
    aware,
    ci_tags,
    custom_metadata,
)

TAG_FT_VERSION = "fine_tune_model_version"
FT_VERSION = "v2"  # AQUA's fine-tuned models that keep the base artifact apart (deployable with LoRA)
TAG_FINETUNING = "aqua_finetuning"  # marks the model version sets of fine-tuning "experiments"
MD_SOURCE = "fine_tune_source"
MD_SOURCE_NAME = "fine_tune_source_name"
MD_OUTPUT_PATH = "fine_tune_output_path"
MD_JOB_ID = "fine_tune_job_id"
# AQUA writes the run id under the first key and reads it under the second: accept both.
MD_RUN_IDS = ("fine_tune_job_run_id", "fine_tune_jobrun_id")
MD_TRAIN_ROWS = "fine_tune_train_rows"
MD_VALIDATION_ROWS = "fine_tune_validation_rows"
HYPERPARAMETERS = jm.HYPERPARAMETERS
TRAIN_EPOCH, VAL_EPOCH = "train_metrics_epoch", "val_metrics_epoch"
TRAIN_FINAL, VAL_FINAL = "train_metrics_final", "val_metrics_final"
FT_ARGUMENTS = "AIP_SMC_FT_ARGUMENTS"
LAUNCH_CMD = "OCI__LAUNCH_CMD"
NODE_COUNT = "NODE_COUNT"
DEFAULT_FAMILY = FINETUNE_FAMILY
BLOCK_STORAGE_GB = 750  # AQUA's default: room for the base weights, the adapter and checkpoints
MIN_ROWS = 50  # the container refuses smaller datasets (exit code 42)

# Our parameters by the names AQUA and its container use (batch_size goes out as --micro_batch_size,
# epochs as --num_epochs). `seed` and `logging_steps` are not in AQUA's list; AQUA passes extra keys
# through as flags, so they travel the same way.
_AQUA_NAMES = {
    "epochs": "epochs",
    "learning_rate": "learning_rate",
    "batch_size": "batch_size",
    "max_seq_length": "sequence_len",
    "pad_to_max_length": "pad_to_sequence_len",
    "lora_r": "lora_r",
    "lora_alpha": "lora_alpha",
    "lora_dropout": "lora_dropout",
    "early_stopping_patience": "early_stopping_patience",
    "early_stopping_threshold": "early_stopping_threshold",
    "seed": "seed",
    "logging_steps": "logging_steps",
}
_OUR_NAMES = {aqua: ours for ours, aqua in _AQUA_NAMES.items()} | {
    "micro_batch_size": "batch_size",
    "num_epochs": "epochs",
}

# Why the container stopped, by its exit code (AQUA's catalog of codes, in our words).
EXIT_REASONS = {
    30: 'the model contains custom code and trust_remote_code is not enabled; add "--trust_remote_code True" '
    "to finetuning_params in the model's FineTuneConfiguration",
    31: "distributed training could not read the job run's logs; the job run needs permission to use Logging",
    32: "an Object Storage path could not be parsed or read; use oci://bucket@namespace/prefix and allow the job "
    "run to read it",
    40: "no training data was given",
    41: "the training data could not be read: check that the file exists and that the job run may read it",
    42: f"the training data has too few rows: the container needs at least {MIN_ROWS}",
    43: "the training data could not be loaded: it must be JSONL with prompt and completion (or messages) fields",
    44: "the training data lacks a required field (prompt and completion, or messages)",
    45: "the training data contains values that are not strings",
    50: "the output location must be an oci://bucket@namespace/prefix path",
    51: "the output location is not writable: allow the job run to write to the bucket",
    52: "the output bucket is not versioned: enable object versioning on it",
    53: "the base model's files could not be downloaded from Object Storage: allow the job run to read them",
    60: "an OCI API call failed: check the job run's policies",
    61: "an OCI Data Science call failed: check the job run's policies",
    62: "the base model could not be read from the model catalog: allow the job run to read models",
    63: "the output model could not be read from the model catalog: allow the job run to read models",
    64: "a model could not be created in the model catalog: allow the job run to manage models",
    65: "the output model could not be updated: allow the job run to manage models",
    66: "the model artifact could not be uploaded: the model must be ACTIVE without an artifact, and the job run "
    "needs permission to upload it",
    67: "the job's details could not be read: allow the job run to read jobs",
    68: "the job run's details could not be read: allow the job run to read job runs",
    81: "the subnet's details could not be read (needed for distributed training): allow the job run to read "
    "virtual networks",
    82: "the logs could not be searched (needed for distributed training): allow the job run to read log content",
    91: "the Logging service could not be used (needed for distributed training): check the job run's policies",
    92: "Object Storage could not be used: check the job run's policies",
    100: "the GPUs ran out of memory: choose a shape with more GPU memory, or lower batch_size or max_seq_length",
    101: "a network connection timed out: with a custom subnet, check its NAT or service gateway; else try again",
    102: "no GPU was available to the job run",
}


@dataclass
class Facts:
    """What does not change once a fine-tune exists: from our own create, or read once from the
    model (GetModel) and its job (GetJob)."""

    model_id: str
    name: str
    description: str
    created_at: datetime
    base_model_id: str
    base_model_name: str
    job_id: str | None
    run_id: str | None
    params: FineTuneParams
    validation_split: float
    dataset_path: str
    dataset_hash: str
    train_rows: int | None
    validation_rows: int | None
    output_uri: str | None
    experiment_name: str | None
    shape: str
    replicas: int
    subnet_id: str | None
    log_group_id: str | None
    log_id: str | None


@dataclass
class MetricSeries:
    points: list[MetricPoint] = field(default_factory=list)
    final_train_loss: float | None = None
    final_validation_loss: float | None = None


# ---- parameters --------------------------------------------------------------------


def hyperparameters(params: FineTuneParams, validation_split: float, training_data: str) -> dict[str, Any]:
    """The taxonomy `Hyperparameters` value, as AQUA stores it: the parameters, `val_set_size`, `training_data`."""
    values: dict[str, Any] = {aqua: getattr(params, ours) for ours, aqua in _AQUA_NAMES.items()}
    if params.lora_target_modules:
        values["lora_target_modules"] = list(params.lora_target_modules)
    else:
        values["lora_target_linear"] = True  # every linear layer, as our empty list means
    if not params.early_stopping_patience:
        values.pop("early_stopping_patience")
        values.pop("early_stopping_threshold")
    return {**values, "val_set_size": validation_split, "training_data": training_data}


def params_from(values: dict[str, Any] | None) -> FineTuneParams:
    """Our parameters from AQUA-named values (a Hyperparameters value, a FineTuneConfiguration's
    `configuration`); values this contract would refuse are left at their defaults."""
    ours: dict[str, Any] = {}
    for key, value in (values or {}).items():
        name = _OUR_NAMES.get(key, key if key == "lora_target_modules" else None)
        if name is not None and value is not None:
            ours[name] = value
    if isinstance(ours.get("lora_target_modules"), str):
        ours["lora_target_modules"] = [m.strip() for m in ours["lora_target_modules"].split(",") if m.strip()]
    return jm.validate_lenient(FineTuneParams, ours)


def launch_command(
    training_data: str, output_uri: str, validation_split: float, params: FineTuneParams, extra: str = ""
) -> str:
    """OCI__LAUNCH_CMD: the container's flags, as AQUA builds them (a batch size is a micro batch size,
    epochs are --num_epochs, module lists are comma-separated), then the model's own finetuning_params."""
    words = ["--training_data", training_data, "--output_dir", output_uri, "--val_set_size", f"{validation_split:g}"]
    for key, value in hyperparameters(params, validation_split, training_data).items():
        if key in ("val_set_size", "training_data"):
            continue
        flag = {"batch_size": "micro_batch_size", "epochs": "num_epochs"}.get(key, key)
        text = ",".join(value) if isinstance(value, list) else str(value)
        words += [f"--{flag}", text]
    command = shlex.join(words)
    return f"{command} {extra.strip()}" if extra.strip() else command


def ft_arguments(base_model_id: str, output_model_id: str) -> str:
    """AIP_SMC_FT_ARGUMENTS: which catalog model to train and which one receives the result."""
    return json.dumps(
        {
            "baseModel": {"type": "modelCatalog", "modelId": base_model_id},
            "outputModel": {"type": "modelCatalog", "modelId": output_model_id},
        }
    )


def launch_flags(command: str) -> dict[str, str]:
    try:
        words = shlex.split(command or "")
    except ValueError:
        words = (command or "").split()
    return {words[i][2:]: words[i + 1] for i in range(len(words) - 1) if words[i].startswith("--")}


def config_defaults(config: dict[str, Any] | None, shape: str | None) -> FineTuneParams:
    """A FineTuneConfiguration's defaults: `configuration` by AQUA's names, the shape's batch size."""
    config = config or {}
    values = dict(config.get("configuration") or {}) if isinstance(config.get("configuration"), dict) else {}
    per_shape = (config.get("shape") or {}).get(shape or "") if isinstance(config.get("shape"), dict) else None
    if isinstance(per_shape, dict) and per_shape.get("batch_size") is not None:
        values["batch_size"] = per_shape["batch_size"]
    return params_from(values)


def request_params(config: dict[str, Any] | None, shape: str | None, params: FineTuneParams) -> FineTuneParams:
    """What a job trains with: the parameters the request set, the model's FineTuneConfiguration for the
    rest (as AQUA fills them), the form's defaults last."""
    chosen = params.model_dump(include=params.model_fields_set)
    return config_defaults(config, shape).model_copy(update=chosen)


def config_max_replicas(config: dict[str, Any] | None, shape: str | None, default: int) -> int:
    """The replica range's top ("1-10") a FineTuneConfiguration gives a shape, else `default`."""
    shapes = (config or {}).get("shape")
    entry = shapes.get(shape or "") if isinstance(shapes, dict) else None
    raw = str(entry.get("replica", "")) if isinstance(entry, dict) else ""
    top = raw.rsplit("-", 1)[-1].strip()
    return max(1, min(int(top), default)) if top.isdigit() else default


def extra_flags(config: dict[str, Any] | None) -> str:
    value = (config or {}).get("finetuning_params")
    return value if isinstance(value, str) else ""


# ---- the catalog record ----------------------------------------------------------------


def model_tags(base_tags: dict[str, Any] | None, base_id: str, base_name: str) -> dict[str, str]:
    """The fine-tuned model's freeform tags, as AQUA sets them: the base's (less license and the
    registered-model mark), not ready to deploy until the run succeeds, not fine-tunable again."""
    tags = {
        str(k): str(v)
        for k, v in (base_tags or {}).items()
        if str(k).lower() not in ("license", "aqua_custom_base_model", TAG_AQUA.lower())
    }
    tags.update(
        {
            TAG_AQUA: "",
            TAG_FINE_TUNED: f"{base_id}#{base_name}"[:255],
            TAG_FT_VERSION: FT_VERSION,
            "ready_to_fine_tune": "false",
        }
    )
    return tags


def _int(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


def _job_parts(job: Any) -> tuple[Any, Any, dict[str, str], int, str | None]:
    """(infrastructure, log configuration, environment, replicas, subnet) of a standalone or multi-node job."""
    if job is None:
        return None, None, {}, 1, None
    logs = getattr(job, "job_log_configuration_details", None)
    nodes = getattr(job, "job_node_configuration_details", None)
    groups = getattr(nodes, "job_node_group_configuration_details_list", None) or []
    if groups:
        group = groups[0]
        env = getattr(group.job_configuration_details, "environment_variables", None) or {}
        network = getattr(nodes, "job_network_configuration", None)
        return (
            group.job_infrastructure_configuration_details,
            logs,
            dict(env),
            int(group.replicas or 1),
            getattr(network, "subnet_id", None),
        )
    infra = getattr(job, "job_infrastructure_configuration_details", None)
    env = getattr(getattr(job, "job_configuration_details", None), "environment_variables", None) or {}
    replicas = _int(dict(env).get(NODE_COUNT)) or 1
    return infra, logs, dict(env), replicas, getattr(infra, "subnet_id", None)


def facts_from(model: Any, job: Any | None) -> Facts:
    """The facts of a fine-tune someone else (AQUA, or this server before a restart) created."""
    tags = ci_tags(model.freeform_tags)
    meta = custom_metadata(model)
    base_id, _, base_name = tags.get(TAG_FINE_TUNED, "").partition("#")
    hyper = _hyper_values(model)
    infra, logs, env, replicas, subnet = _job_parts(job)
    flags = launch_flags(env.get(LAUNCH_CMD, ""))
    split = hyper.get("val_set_size", flags.get("val_set_size", 0.1))
    try:
        validation_split = min(0.5, max(0.0, float(split)))
    except (TypeError, ValueError):
        validation_split = 0.1
    return Facts(
        **jm.model_facts(model, job, logs, meta.get(MD_JOB_ID)),
        model_id=model.id,
        base_model_id=meta.get(MD_SOURCE) or base_id,
        base_model_name=meta.get(MD_SOURCE_NAME) or base_name,
        run_id=next((meta[k] for k in MD_RUN_IDS if meta.get(k)), None),
        params=params_from(hyper),
        validation_split=validation_split,
        dataset_path=str(hyper.get("training_data") or flags.get("training_data") or ""),
        dataset_hash=meta.get(MD_DATASET_HASH) or "",
        train_rows=_int(meta.get(MD_TRAIN_ROWS)),
        validation_rows=_int(meta.get(MD_VALIDATION_ROWS)),
        output_uri=flags.get("output_dir"),
        experiment_name=getattr(model, "model_version_set_name", None),
        shape=getattr(infra, "shape_name", None) or "",
        replicas=replicas,
        subnet_id=subnet,
    )


# ---- metrics ---------------------------------------------------------------------------


def _metric(value: Any, fallback_epoch: int) -> tuple[int, float] | None:
    """(epoch, loss) of one metric entry: a JSON object with an epoch and a loss, or a bare number."""
    try:
        parsed = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return None
    if isinstance(parsed, (int, float)) and not isinstance(parsed, bool):
        return fallback_epoch, float(parsed)
    if not isinstance(parsed, dict):
        return None
    loss = next((parsed[k] for k in ("loss", "train_loss", "eval_loss", "val_loss", "value")
                 if isinstance(parsed.get(k), (int, float))), None)  # fmt: skip
    if loss is None:
        return None
    epoch = parsed.get("epoch")
    return (int(epoch) if isinstance(epoch, (int, float)) else fallback_epoch), float(loss)


def metric_series(model: Any) -> MetricSeries:
    """The loss per epoch the container recorded in the model's custom metadata; one point per epoch
    (its step is the epoch number: the container reports per epoch)."""
    by_series: dict[str, dict[int, float]] = {TRAIN_EPOCH: {}, VAL_EPOCH: {}}
    finals: dict[str, float] = {}
    for item in getattr(model, "custom_metadata_list", None) or []:
        description = (getattr(item, "description", None) or "").strip()
        if description in by_series:
            found = _metric(item.value, len(by_series[description]) + 1)
            if found is not None:
                by_series[description][found[0]] = found[1]
        elif description in (TRAIN_FINAL, VAL_FINAL):
            found = _metric(item.value, 0)
            if found is not None:
                finals[description] = found[1]
    train, val = by_series[TRAIN_EPOCH], by_series[VAL_EPOCH]
    points = [
        MetricPoint(step=epoch, epoch=float(epoch), train_loss=train.get(epoch), validation_loss=val.get(epoch))
        for epoch in sorted(set(train) | set(val))
    ]
    return MetricSeries(
        points=points, final_train_loss=finals.get(TRAIN_FINAL), final_validation_loss=finals.get(VAL_FINAL)
    )


# ---- states --------------------------------------------------------------------------


def state_of(run_state: str | None, series: MetricSeries | None) -> FineTuneState:
    """A job run state → ours; a run that no longer exists counts as succeeded when the container
    recorded its final metrics (AQUA's rule), else as failed."""
    return jm.job_state(run_state, finished=series is not None and series.final_train_loss is not None)


def failure_reason(details: str | None) -> str:
    """The run's lifecycleDetails, with the container's exit code explained."""
    return jm.failure_reason("Fine-tuning", details, EXIT_REASONS)


def state_message(state: FineTuneState, run: Any | None, facts: Facts, series: MetricSeries) -> str:
    return jm.job_message(
        state,
        run,
        reason=failure_reason,
        gone="The job run no longer exists in OCI Data Science, and it recorded no final metrics.",
        shape=facts.shape,
        running=f"Training: epoch {series.points[-1].step} of {facts.params.epochs} done"
        if series.points
        else "Starting: the container downloads the base model and the dataset",
        succeeded="Done: the fine-tuned model is ready to deploy",
    )


# ---- the entity ------------------------------------------------------------------------


def _progress(
    state: FineTuneState, run: Any | None, facts: Facts, series: MetricSeries, now: datetime
) -> tuple[float, int, float, float | None]:
    """(progress 0..1, step, epoch, eta seconds) from the epochs recorded so far."""
    epochs = max(1, facts.params.epochs)
    done = series.points[-1].step if series.points else 0
    if state == FineTuneState.SUCCEEDED:
        return 1.0, max(done, epochs), float(max(done, epochs)), 0.0
    progress = min(0.99, done / epochs)
    eta = jm.eta_seconds(run, progress, now) if state == FineTuneState.IN_PROGRESS else None
    return progress, done, float(done), eta


def to_detail(
    facts: Facts,
    run: Any | None,
    series: MetricSeries,
    *,
    artifact_location: str | None = None,
    failure_log: list[str] | None = None,
    now: datetime | None = None,
) -> FineTuneDetail:
    now = now or datetime.now(timezone.utc)
    state = state_of(getattr(run, "lifecycle_state", None), series)
    progress, step, epoch, eta = _progress(state, run, facts, series, now)
    started, finished = getattr(run, "time_started", None), getattr(run, "time_finished", None)
    wall = (aware(finished) - aware(started)).total_seconds() if started and finished else None
    return FineTuneDetail(
        **jm.job_fields(facts, run, state, state_message(state, run, facts, series), failure_log),
        id=facts.model_id,
        base_model_id=facts.base_model_id,
        base_model_name=facts.base_model_name,
        training_type="lora",
        shape=facts.shape,
        replicas=facts.replicas,
        progress=progress,
        step=step,
        total_steps=facts.params.epochs,
        epoch=epoch,
        eta_seconds=eta,
        output_model_id=facts.model_id,
        validation_split=facts.validation_split,
        train_rows=facts.train_rows,
        validation_rows=facts.validation_rows,
        final_train_loss=series.final_train_loss,
        final_validation_loss=series.final_validation_loss,
        output_uri=facts.output_uri,
        experiment_name=facts.experiment_name,
        log_group_id=facts.log_group_id,
        log_id=facts.log_id,
        subnet_id=facts.subnet_id,
        artifact_location=artifact_location or facts.output_uri,
        wall_seconds=round(wall, 1) if wall is not None else None,
        peak_memory_mb=None,
    )


def to_summary(detail: FineTuneDetail) -> FineTuneSummary:
    return FineTuneSummary.model_validate(detail.model_dump(include=set(FineTuneSummary.model_fields)))
