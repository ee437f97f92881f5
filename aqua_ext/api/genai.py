"""OCI Generative AI: the fine-tuning request of seed 003 (Terraform `oci_generative_ai_model`'s
`fine_tune_details`), and the cost figures of a dedicated AI cluster beside a Data Science deployment.

Bounds here are the ones every training method shares; the per-method defaults, ranges and which
fields a method takes are rules of services/genai_finetune.py, so a field the method does not take
is a 400 naming it there.
"""

from __future__ import annotations

from enum import Enum

from pydantic import Field

from .common import ApiModel


class TrainingConfigType(str, Enum):
    """The fine-tuning method: the SDK's and the Terraform provider's `training_config_type` values."""

    LORA = "LORA_TRAINING_CONFIG"
    TFEW = "TFEW_TRAINING_CONFIG"
    VANILLA = "VANILLA_TRAINING_CONFIG"  # the last `num_of_last_layers` layers are trained


class GenAiTrainingConfig(ApiModel):
    """`fine_tune_details.training_config`: a field left out takes the service's default for the method."""

    training_config_type: TrainingConfigType
    total_training_epochs: int | None = Field(default=None, ge=1)
    learning_rate: float | None = Field(default=None, gt=0, le=1)
    training_batch_size: int | None = Field(default=None, ge=1)
    early_stopping_patience: int | None = Field(default=None, ge=0)  # 0 turns early stopping off
    early_stopping_threshold: float | None = Field(default=None, ge=0)
    # Every step is logged for the first 20 steps, then every this many; 0 turns the logging off.
    log_model_metrics_interval_in_steps: int | None = Field(default=None, ge=0)
    num_of_last_layers: int | None = Field(default=None, ge=1)  # VANILLA only
    lora_r: int | None = Field(default=None, ge=1)  # LORA only
    lora_alpha: int | None = Field(default=None, ge=1)  # LORA only
    lora_dropout: float | None = Field(default=None, ge=0, lt=1)  # LORA only


class ResolvedTrainingConfig(ApiModel):
    """A training configuration with every default filled in: what the service will train with."""

    training_config_type: TrainingConfigType
    total_training_epochs: int
    learning_rate: float
    training_batch_size: int
    early_stopping_patience: int
    early_stopping_threshold: float
    log_model_metrics_interval_in_steps: int
    num_of_last_layers: int | None = None
    lora_r: int | None = None
    lora_alpha: int | None = None
    lora_dropout: float | None = None
    # Which fields took the service's default (not given in the request), for the form to mark them.
    defaulted: list[str] = []


class ObjectStorageDataset(ApiModel):
    """`training_dataset`: one JSONL object of {"prompt", "completion"} lines, split 80/20 by the service."""

    namespace: str = Field(min_length=1)
    bucket: str = Field(min_length=1)
    object: str = Field(min_length=1)


class CreateGenAiFineTuneRequest(ApiModel):
    """Fine-tune a base model on a fine-tuning dedicated AI cluster (`oci_generative_ai_model`)."""

    display_name: str = Field(min_length=1, max_length=255)
    description: str = ""
    base_model_id: str = Field(min_length=1)
    dedicated_ai_cluster_id: str = Field(min_length=1)
    training_dataset: ObjectStorageDataset
    training_config: GenAiTrainingConfig | None = None
    vendor: str | None = None
    version: str | None = None


class UnitShapeCost(ApiModel):
    """What a dedicated AI cluster of one unit shape costs an hour (seed 001's AI units)."""

    unit_shape: str  # "A10_X2"
    unit_count: int
    ai_units: float  # per unit
    ai_unit_hours_per_hour: float  # ai_units × unit_count
    price_per_ai_unit_hour: float | None  # None: no price configured
    hourly: float | None  # None when the price is unknown
    currency: str = "USD"
    arithmetic: list[str] = []


class ShapeListCost(ApiModel):
    """What a Data Science deployment on one GPU shape costs an hour, from a list price per GPU hour."""

    shape: str  # "VM.GPU.A10.2"
    replicas: int
    gpu_count: int
    price_per_gpu_hour: float | None  # None: no list price known for the shape
    hourly: float | None
    currency: str = "USD"
    arithmetic: list[str] = []
    note: str = ""
