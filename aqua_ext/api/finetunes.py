"""Fine-tuning: a job that trains a base model on a JSONL dataset into a new, deployable model."""

from __future__ import annotations

import re
from datetime import datetime
from enum import Enum
from typing import Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from .common import (
    LOG_PAIR_SCHEMA,
    NOT_BLANK_SCHEMA,
    ApiModel,
    TargetProblem,
    UserPath,
    each_matching,
    log_pair,
    not_blank,
    padded,
    strings_matching,
)
from .datasets import DatasetReport
from .fit import Dtype, FitTarget
from .models import OS_URI_PATTERN


class FineTuneState(str, Enum):
    """OCI's job run states; the local backend uses the same words."""

    ACCEPTED = "ACCEPTED"
    IN_PROGRESS = "IN_PROGRESS"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELING = "CANCELING"
    CANCELED = "CANCELED"


# What may be done with a fine-tune now: deploy and evaluate its model once it SUCCEEDED.
FineTuneAction = Literal["cancel", "delete", "deploy", "evaluate"]

FINAL_FINETUNE_STATES = frozenset({FineTuneState.SUCCEEDED, FineTuneState.FAILED, FineTuneState.CANCELED})

# "lora": low-rank adapters (peft); "last_layers": the vanilla method of OCI Generative AI,
# the last N decoder layers trained in full.
TrainingType = Literal["lora", "last_layers"]
# The method a listed job trains with: the params' own, or "tfew", OCI Generative AI's T-Few (its fine-tunes
# appear in the merged list; they are created through the genai routes, never with FineTuneParams).
JobTrainingType = Literal["lora", "last_layers", "tfew"]

_MODULE_NAME = r"^[A-Za-z_][A-Za-z0-9_.]{0,99}$"


class FineTuneParams(ApiModel):
    """Hyperparameters. Defaults are the form's; `GET models/{id}/finetune-defaults` gives a
    model's own."""

    training_type: TrainingType = "lora"
    epochs: int = Field(default=3, ge=1, le=100)
    learning_rate: float = Field(default=2e-4, gt=0.0, le=1.0)
    batch_size: int = Field(default=8, ge=1, le=1024)
    max_seq_length: int = Field(default=512, ge=16, le=131_072)
    pad_to_max_length: bool = False
    lora_r: int = Field(default=8, ge=1, le=1024)
    lora_alpha: int = Field(default=16, ge=1, le=4096)
    lora_dropout: float = Field(default=0.05, ge=0.0, lt=1.0)
    # Module names such as q_proj; empty: every linear layer ("all-linear").
    lora_target_modules: list[str] = Field(
        default_factory=list, max_length=50, json_schema_extra=strings_matching(_MODULE_NAME)
    )
    last_n_layers: int = Field(default=1, ge=1, le=1000)
    # Evaluations (one per epoch) without improvement before training stops; 0: off.
    early_stopping_patience: int = Field(default=0, ge=0, le=100)
    early_stopping_threshold: float = Field(default=0.0, ge=0.0, le=100.0)
    # Log the train loss every N optimizer steps.
    logging_steps: int = Field(default=10, ge=1, le=100_000)
    seed: int = Field(default=42, ge=0, le=2**31 - 1)

    _module_names = field_validator("lora_target_modules")(
        each_matching(_MODULE_NAME, "is not a module name (letters, digits, '_' and '.')")
    )


class CreateFineTuneRequest(ApiModel):
    model_config = ConfigDict(json_schema_extra=LOG_PAIR_SCHEMA)

    model_id: str = Field(min_length=1, max_length=400)  # the base model; must be ready to fine-tune
    name: str = Field(min_length=1, max_length=100, json_schema_extra=NOT_BLANK_SCHEMA)  # the fine-tuned model's too
    description: str = Field(default="", max_length=2000)
    # A JSONL file inside the Jupyter root (relative or absolute); on OCI also an oci:// URI.
    dataset_path: UserPath
    validation_split: float = Field(default=0.1, ge=0.0, le=0.5)
    params: FineTuneParams = Field(default_factory=FineTuneParams)
    # Local: "cpu" or "gpu" (omitted: gpu when there is one). OCI: a job shape name.
    shape: str | None = Field(default=None, max_length=100)
    replicas: int = Field(default=1, ge=1, le=16)  # OCI: nodes of a distributed run
    # OCI: where the fine-tuned weights go, oci://bucket@namespace/prefix in a versioned bucket.
    output_uri: str | None = Field(
        default=None, max_length=1024, json_schema_extra={"pattern": "^\\s*$|" + padded(OS_URI_PATTERN)}
    )
    # OCI: the model version set grouping runs (AQUA's "experiment"); created when new.
    experiment_name: str | None = Field(default=None, max_length=255)
    subnet_id: str | None = Field(default=None, max_length=255)  # OCI: required for replicas > 1
    log_group_id: str | None = Field(default=None, max_length=255)  # OCI: required for replicas > 1
    log_id: str | None = Field(default=None, max_length=255)
    # The target to train on (GET info lists them); omitted: the base model's own target.
    target: str | None = Field(default=None, max_length=50)

    _name_not_blank = field_validator("name")(not_blank)

    @field_validator("output_uri")
    @classmethod
    def _os_uri_shape(cls, value: str | None) -> str | None:
        value = (value or "").strip() or None
        if value is not None and not re.match(OS_URI_PATTERN, value):
            raise ValueError("must look like 'oci://bucket@namespace/prefix'")
        return value

    _log_pair = model_validator(mode="after")(log_pair)


class MetricPoint(ApiModel):
    """One logged training step: the train loss (and learning rate), or a validation loss."""

    step: int  # the optimizer step (local); on OCI, whose container reports per epoch, the epoch number
    epoch: float
    train_loss: float | None = None
    validation_loss: float | None = None
    learning_rate: float | None = None


class FineTuneSummary(ApiModel):
    id: str  # local: ftj-<hex>; OCI: the fine-tuned model's OCID, as in AQUA
    name: str
    description: str
    base_model_id: str
    base_model_name: str
    state: FineTuneState
    # The human failure reason, or the current step ("Training", "Saving").
    state_message: str
    training_type: JobTrainingType
    shape: str
    replicas: int
    dataset_path: str
    dataset_hash: str  # sha256 of the dataset file, hex
    progress: float  # 0..1
    step: int
    total_steps: int | None
    epoch: float
    # Seconds left at the pace so far; None until training has made progress.
    eta_seconds: float | None
    # The fine-tuned model, in `GET models/{id}`; set once it exists (local: on success).
    output_model_id: str | None
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    target: str = ""  # the target that runs the job ("local", "oci")
    actions: list[FineTuneAction] = []


class FineTuneDetail(FineTuneSummary):
    params: FineTuneParams
    validation_split: float
    train_rows: int | None
    validation_rows: int | None
    final_train_loss: float | None
    final_validation_loss: float | None
    # OCI Generative AI: the final accuracy it reports on the validation part (its loss is the validation loss).
    final_accuracy: float | None = None
    # OCI: the job, its run, the output location, experiment and logging; None locally.
    job_id: str | None
    job_run_id: str | None
    output_uri: str | None
    experiment_name: str | None
    log_group_id: str | None
    log_id: str | None
    subnet_id: str | None
    # Where the weights are (local: the adapter and merged model folder).
    artifact_location: str | None
    wall_seconds: float | None
    peak_memory_mb: float | None
    # The failure reason's evidence: the job log's last lines (FAILED only).
    failure_log: list[str]


class FineTuneList(ApiModel):
    items: list[FineTuneSummary]
    total: int
    problems: list[TargetProblem] = []  # targets whose jobs are missing, and why


class CreateFineTuneResponse(ApiModel):
    finetune: FineTuneDetail
    # The dataset preflight the job was checked with: warnings (truncated rows, duplicates) to show.
    preflight: DatasetReport


class MetricsQuery(ApiModel):
    # Cursor from a previous answer: only points after it (live curves poll with it).
    after: int = Field(default=0, ge=0)


class FineTuneMetrics(ApiModel):
    points: list[MetricPoint]
    cursor: int  # pass as `after` to get only the points that came next
    state: FineTuneState


class TrainingFit(ApiModel):
    """Memory that training needs, and where it fits; every line of the arithmetic shown."""

    dtype: Dtype
    total_gb: float | None
    arithmetic: list[str]
    assumptions: list[str]
    targets: list[FitTarget]  # local: this machine's CPU and GPUs; OCI: the job shapes
    recommended_shape: str | None


class FineTuneDefaults(ApiModel):
    """What the fine-tune form starts from for one base model."""

    model_id: str
    ready_to_finetune: bool
    notes: list[str]  # why it cannot be fine-tuned, or what to know first
    params: FineTuneParams
    shapes: list[str]  # local: cpu, gpu; OCI: the compartment's job shapes
    default_shape: str | None
    max_replicas: int
    fit: TrainingFit  # for params and the default shape
    needs_output_uri: bool  # OCI: a versioned bucket is required


class FineTuneDefaultsQuery(ApiModel):
    # The fit for these instead of the defaults (the form refreshes it as they change).
    training_type: TrainingType | None = None
    batch_size: int | None = Field(default=None, ge=1, le=1024)
    max_seq_length: int | None = Field(default=None, ge=16, le=131_072)
    lora_r: int | None = Field(default=None, ge=1, le=1024)
    last_n_layers: int | None = Field(default=None, ge=1, le=1000)
    shape: str | None = Field(default=None, max_length=100)
