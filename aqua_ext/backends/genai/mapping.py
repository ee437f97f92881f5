"""What OCI Generative AI's SDK objects say, as the contract's types: models (base, fine-tuned, imported),
dedicated AI clusters, endpoints, fine-tunes, and the endpoint as a deployment. Reading only: which actions
and costs follow from a state is the genai service's rule."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ...api.deployments import DeploymentDetail, DeploymentState, DeploymentSummary, InferenceMode
from ...api.finetunes import FineTuneDetail, FineTuneParams, FineTuneState, JobTrainingType
from ...api.genai import (
    GenAiCluster,
    GenAiEndpoint,
    GenAiFineTune,
    GenAiModel,
    GenAiModelMetrics,
    GenAiModelType,
    HuggingFaceSource,
    ObjectStorageDataset,
    ObjectStorageSource,
    ResolvedTrainingConfig,
    TrainingConfigType,
)
from ...api.models import Capability, ModelSource, ModelSummary
from ..oci.mapping import aware

# OCI's words for a base model's capabilities, as the one capability a catalog card shows.
_BASE_CAPABILITY = {"TEXT_EMBEDDINGS": Capability.EMBEDDING, "TEXT_RERANK": Capability.RERANK}
_SOURCES: dict[str, ModelSource] = {
    "BASE": ModelSource.CATALOG,
    "CUSTOM": ModelSource.FINE_TUNED,
    "IMPORTED": ModelSource.REGISTERED,
}
# The hyperparameters a training config may carry, as the contract names them (the SDK's names too).
TRAINING_FIELDS = tuple(
    f for f in ResolvedTrainingConfig.model_fields if f not in ("training_config_type", "defaulted")
)
GONE = "DELETED"


def _time(value: datetime | None) -> datetime | None:
    return aware(value) if value is not None else None


def is_imported(resource_id: str) -> bool:
    return resource_id.startswith("ocid1.generativeaiimportedmodel.")


def metrics(raw: Any) -> GenAiModelMetrics | None:
    if raw is None:
        return None
    return GenAiModelMetrics(
        model_metrics_type=getattr(raw, "model_metrics_type", None),
        final_accuracy=getattr(raw, "final_accuracy", None),
        final_loss=getattr(raw, "final_loss", None),
    )


def model(raw: Any) -> GenAiModel:
    """A base or fine-tuned model (`Model`/`ModelSummary`) or an imported one (`ImportedModel[Summary]`)."""
    imported = is_imported(raw.id)
    kind: GenAiModelType = "IMPORTED" if imported else ("CUSTOM" if raw.type == "CUSTOM" else "BASE")
    capabilities = [str(c) for c in raw.capabilities or []]
    capability = None
    if imported and len(capabilities) == 1 and capabilities[0] in Capability.__members__:
        capability = Capability(capabilities[0])
    source = getattr(raw, "data_source", None) if imported else None
    huggingface = object_storage = None
    if source is not None and source.source_type == "HUGGING_FACE_MODEL":
        huggingface = HuggingFaceSource(hf_id=source.model_id, revision=source.commit or source.branch)
    elif source is not None:
        object_storage = ObjectStorageSource(
            namespace=source.namespace_name, bucket=source.bucket_name, prefix=source.prefix_name, region=source.region
        )
    return GenAiModel(
        id=raw.id,
        name=raw.display_name or raw.id,
        description=getattr(raw, "description", None) or "",
        type=kind,
        vendor=raw.vendor,
        version=raw.version,
        capabilities=capabilities,
        capability=capability,
        state=raw.lifecycle_state or "UNKNOWN",
        state_message=raw.lifecycle_details or "",
        created_at=_time(raw.time_created),
        updated_at=_time(getattr(raw, "time_updated", None)),
        base_model_id=getattr(raw, "base_model_id", None),
        huggingface=huggingface,
        object_storage=object_storage,
        metrics=None if imported else metrics(raw.model_metrics),
        # The SDK's Model/ModelSummary carry these since OCI published retirement dates (July 2025); absent on an
        # older SDK or an imported model.
        deprecated_at=_time(getattr(raw, "time_deprecated", None)),
        on_demand_retired_at=_time(getattr(raw, "time_on_demand_retired", None)),
        dedicated_retired_at=_time(getattr(raw, "time_dedicated_retired", None)),
    )


def model_summary(item: GenAiModel) -> ModelSummary:
    """A Generative AI model as a card of the merged model list (target genai). Deploying and fine-tuning
    go through the genai routes (an endpoint needs a cluster), so the generic actions stay off."""
    capability = item.capability or next(
        (_BASE_CAPABILITY[c] for c in item.capabilities if c in _BASE_CAPABILITY), Capability.TEXT_TO_TEXT
    )
    return ModelSummary(
        id=item.id,
        name=item.name,
        source=_SOURCES[item.type],
        organization=item.vendor,
        capability=capability,
        formats=[],
        hf_id=item.huggingface.hf_id if item.huggingface else None,
        description=item.description,
        tags=item.capabilities,
        ready_to_deploy=False,
        ready_to_finetune=False,
        created_at=item.created_at,
    )


def cluster(raw: Any) -> GenAiCluster:
    capacity = getattr(raw, "capacity", None)
    return GenAiCluster(
        id=raw.id,
        name=raw.display_name or raw.id,
        description=raw.description or "",
        type="FINE_TUNING" if raw.type == "FINE_TUNING" else "HOSTING",
        unit_shape=raw.unit_shape or "",
        unit_count=raw.unit_count or 0,
        state=raw.lifecycle_state or "UNKNOWN",
        state_message=raw.lifecycle_details or "",
        created_at=_time(raw.time_created),
        updated_at=_time(raw.time_updated),
        endpoints_used=getattr(capacity, "used_endpoint_capacity", None),
        endpoints_total=getattr(capacity, "total_endpoint_capacity", None),
    )


def endpoint(raw: Any, model_name: str = "") -> GenAiEndpoint:
    moderation = getattr(raw, "content_moderation_config", None)
    return GenAiEndpoint(
        id=raw.id,
        name=raw.display_name or raw.id,
        description=raw.description or "",
        model_id=raw.model_id,
        model_name=model_name,
        dedicated_ai_cluster_id=raw.dedicated_ai_cluster_id,
        state=raw.lifecycle_state or "UNKNOWN",
        state_message=raw.lifecycle_details or "",
        content_moderation=bool(getattr(moderation, "is_enabled", False)),
        created_at=_time(raw.time_created),
        updated_at=_time(raw.time_updated),
        openai_base_path=f"aqua-ext/deployments/{raw.id}/v1",
    )


def training_config(raw: Any) -> ResolvedTrainingConfig | None:
    """What the service says it trains with (its defaults filled in)."""
    if raw is None or raw.training_config_type not in TrainingConfigType._value2member_map_:
        return None
    values = {name: getattr(raw, name, None) for name in TRAINING_FIELDS}
    try:
        return ResolvedTrainingConfig(training_config_type=TrainingConfigType(raw.training_config_type), **values)
    except ValueError:  # a field the service left out: the configuration is shown as unknown, not invented
        return None


def finetune(raw: Any, base_name: str = "", progress: float | None = None) -> GenAiFineTune:
    details = raw.fine_tune_details
    dataset = details.training_dataset
    return GenAiFineTune(
        id=raw.id,
        name=raw.display_name or raw.id,
        description=getattr(raw, "description", None) or "",
        base_model_id=raw.base_model_id or "",
        base_model_name=base_name,
        dedicated_ai_cluster_id=details.dedicated_ai_cluster_id,
        state=raw.lifecycle_state or "UNKNOWN",
        state_message=raw.lifecycle_details or "",
        progress=1.0 if raw.lifecycle_state == "ACTIVE" else progress,
        training_config=training_config(details.training_config),
        training_dataset=ObjectStorageDataset(
            namespace=dataset.namespace_name, bucket=dataset.bucket_name, object=dataset.object_name
        ),
        metrics=metrics(raw.model_metrics),
        created_at=_time(raw.time_created),
        updated_at=_time(getattr(raw, "time_updated", None)),
    )


# ---- a fine-tune as a job of the merged fine-tune list -------------------------------------------------------

# The custom model's lifecycle in the job states' words: it trains while CREATING, and it is the result once ACTIVE.
_JOB_STATES = {
    "CREATING": FineTuneState.IN_PROGRESS,
    "ACTIVE": FineTuneState.SUCCEEDED,
    "INACTIVE": FineTuneState.SUCCEEDED,
    "FAILED": FineTuneState.FAILED,
    "DELETING": FineTuneState.CANCELING,
    GONE: FineTuneState.CANCELED,
}
_JOB_TRAINING: dict[TrainingConfigType, JobTrainingType] = {
    TrainingConfigType.LORA: "lora",
    TrainingConfigType.TFEW: "tfew",
    TrainingConfigType.VANILLA: "last_layers",
}


def finetune_state(state: str) -> FineTuneState:
    return _JOB_STATES.get(state, FineTuneState.IN_PROGRESS)


# The service's hyperparameter names → the job params' names for the same thing.
_PARAM_NAMES = {
    "total_training_epochs": "epochs",
    "learning_rate": "learning_rate",
    "training_batch_size": "batch_size",
    "early_stopping_patience": "early_stopping_patience",
    "early_stopping_threshold": "early_stopping_threshold",
    "log_model_metrics_interval_in_steps": "logging_steps",
    "lora_r": "lora_r",
    "lora_alpha": "lora_alpha",
    "lora_dropout": "lora_dropout",
    "num_of_last_layers": "last_n_layers",
}


def _job_params(config: ResolvedTrainingConfig | None) -> FineTuneParams:
    """The hyperparameters the service trains with, by the job params' names (the method is the job's
    `training_type`: T-Few has no FineTuneParams method)."""
    if config is None:
        return FineTuneParams()
    values = config.model_dump(include=set(_PARAM_NAMES), exclude_none=True)
    method = "last_layers" if config.training_config_type == TrainingConfigType.VANILLA else "lora"
    return FineTuneParams.model_validate({"training_type": method, **{_PARAM_NAMES[k]: v for k, v in values.items()}})


# What Generative AI does not report of a fine-tune: no steps, rows, logs, job or run, artifact or timings.
_NOT_REPORTED = (
    "total_steps",
    "eta_seconds",
    "train_rows",
    "validation_rows",
    "final_train_loss",
    "job_id",
    "job_run_id",
    "output_uri",
    "experiment_name",
    "log_group_id",
    "log_id",
    "subnet_id",
    "artifact_location",
    "wall_seconds",
    "peak_memory_mb",
)
_SAME_NAMES = {"id", "name", "description", "base_model_id", "base_model_name", "state_message"}


def finetune_job(item: GenAiFineTune, unit_shape: str) -> FineTuneDetail:
    """A Generative AI fine-tune as the merged list's job (target genai): its dataset the Object Storage
    object, its shape the fine-tuning cluster's unit shape, its outcome the final accuracy and loss (the
    service computes both on the validation part)."""
    state = finetune_state(item.state)
    created = item.created_at or aware(None)
    config, data, metrics = item.training_config, item.training_dataset, item.metrics
    done = state == FineTuneState.SUCCEEDED
    return FineTuneDetail(
        **item.model_dump(include=_SAME_NAMES),
        **dict.fromkeys(_NOT_REPORTED),
        state=state,
        training_type=_JOB_TRAINING[config.training_config_type] if config is not None else "lora",
        shape=unit_shape,
        replicas=1,
        dataset_path=f"oci://{data.bucket}@{data.namespace}/{data.object}",
        dataset_hash="",
        progress=item.progress if item.progress is not None else (1.0 if done else 0.0),
        step=0,
        epoch=float(config.total_training_epochs) if done and config is not None else 0.0,
        output_model_id=item.id if done else None,  # the custom model is the fine-tune's result
        created_at=created,
        updated_at=item.updated_at or created,
        finished_at=item.updated_at if state in (FineTuneState.SUCCEEDED, FineTuneState.FAILED) else None,
        params=_job_params(config),
        validation_split=0.2,  # the service splits the dataset 80/20
        final_validation_loss=metrics.final_loss if metrics else None,
        final_accuracy=metrics.final_accuracy if metrics else None,
        failure_log=[item.state_message] if state == FineTuneState.FAILED and item.state_message else [],
    )


# ---- an endpoint as a deployment ---------------------------------------------------------------------------

_STATES = {s.value: s for s in DeploymentState}


def deployment_state(state: str) -> DeploymentState:
    """An endpoint's lifecycle state in the deployments' words (DELETED shows as DELETING: it is going)."""
    return _STATES.get(state, DeploymentState.DELETING if state == GONE else DeploymentState.NEEDS_ATTENTION)


def mode_of(item: GenAiModel | None) -> InferenceMode:
    if item is None:
        return "chat"
    if item.capability in (Capability.EMBEDDING,) or "TEXT_EMBEDDINGS" in item.capabilities:
        return "embedding"
    return "chat"


def deployment(
    ep: GenAiEndpoint, served: GenAiModel | None, unit_shape: str, operation_id: str | None
) -> DeploymentDetail:
    state = deployment_state(ep.state)
    created = ep.created_at or aware(None)
    summary = DeploymentSummary(
        id=ep.id,
        name=ep.name,
        description=ep.description,
        model_id=ep.model_id,
        model_name=served.name if served else ep.model_name,
        state=state,
        state_message=ep.state_message,
        mode=mode_of(served),
        engine="oci-genai",
        shape=unit_shape,
        replicas=1,
        created_at=created,
        updated_at=ep.updated_at or created,
        openai_base_path=ep.openai_base_path,
    )
    return DeploymentDetail(
        **summary.model_dump(),
        operation_id=operation_id,
        failure_log=[ep.state_message] if state == DeploymentState.FAILED and ep.state_message else [],
    )
