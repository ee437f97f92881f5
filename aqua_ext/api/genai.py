"""OCI Generative AI: the fine-tuning request of seed 003 (Terraform `oci_generative_ai_model`'s
`fine_tune_details`), and the cost figures of a dedicated AI cluster beside a Data Science deployment.

Bounds here are the ones every training method shares; the per-method defaults, ranges and which
fields a method takes are rules of services/genai_finetune.py, so a field the method does not take
is a 400 naming it there.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import Enum
from typing import Literal

from pydantic import ConfigDict, Field, SecretStr, field_validator, model_validator

from .common import NOT_BLANK_SCHEMA, ApiModel, not_blank, padded
from .deployments import DeploymentAction, InferenceMode
from .fit import Dtype
from .models import HF_ID_PATTERN, OS_URI_PATTERN, Capability
from .operations import Operation


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

    @classmethod
    def from_uri(cls, uri: str) -> ObjectStorageDataset:
        """From `oci://bucket@namespace/path/to/file.jsonl` (ValueError naming the shape otherwise)."""
        match = re.match(r"^oci://([^@/]+)@([^/]+)/(.+)$", uri.strip())
        if match is None:
            raise ValueError("must look like 'oci://bucket@namespace/path/to/file.jsonl'")
        return cls(bucket=match.group(1), namespace=match.group(2), object=match.group(3))


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


# ---- the REST contract of the `genai` target (routes `genai/...`) -----------------------------------------

GenAiModelType = Literal["BASE", "CUSTOM", "IMPORTED"]  # a region's base model, a fine-tuned one, an import
ClusterType = Literal["HOSTING", "FINE_TUNING"]
GenAiModelAction = Literal["host", "finetune", "delete"]
GenAiClusterAction = Literal["delete", "create_endpoint", "finetune"]


class HuggingFaceSource(ApiModel):
    """An imported model's files on the Hugging Face hub (`revision`: a branch, tag or 40-hex commit)."""

    hf_id: str
    revision: str | None = None


class ObjectStorageSource(ApiModel):
    """An imported model's files in Object Storage: `config.json` and the weights under `prefix`."""

    namespace: str
    bucket: str
    prefix: str
    region: str | None = None


class GenAiModelMetrics(ApiModel):
    """What Generative AI reports of a finished fine-tune (seed 003's `model_metrics`)."""

    model_metrics_type: str | None = None  # "TEXT_GENERATION_MODEL_METRICS", "CHAT_MODEL_METRICS"
    final_accuracy: float | None = None
    final_loss: float | None = None


class GenAiResource(ApiModel):
    """What every Generative AI resource shows: its OCID, names, lifecycle state (OCI's words) and times."""

    id: str
    name: str
    description: str = ""
    state: str  # CREATING, ACTIVE, UPDATING, NEEDS_ATTENTION, FAILED, DELETING, DELETED
    state_message: str = ""  # OCI's lifecycle details: the failure reason, or the current step
    created_at: datetime | None = None
    updated_at: datetime | None = None
    target: str = "genai"


class GenAiModel(GenAiResource):
    """A Generative AI model (id: ocid1.generativeaimodel… or ocid1.generativeaiimportedmodel…): a base model of
    the region, a fine-tuned (custom) one, or an imported one."""

    type: GenAiModelType
    vendor: str | None = None
    version: str | None = None
    # OCI's words for what the model does: CHAT, TEXT_GENERATION, TEXT_EMBEDDINGS, FINE_TUNE for base models;
    # the one import capability (TEXT_TO_TEXT, IMAGE_TEXT_TO_TEXT, EMBEDDING, RERANK) for an imported model.
    capabilities: list[str] = []
    capability: Capability | None = None  # an imported model's one capability
    base_model_id: str | None = None  # a fine-tuned model's base
    huggingface: HuggingFaceSource | None = None  # an imported model's source, one of these two
    object_storage: ObjectStorageSource | None = None
    metrics: GenAiModelMetrics | None = None  # a fine-tuned model's
    # Training methods a base model can be fine-tuned with (where the target knows them).
    training_methods: list[TrainingConfigType] = []
    actions: list[GenAiModelAction] = []
    # A base model's retirement dates as OCI reports them (None where it reports none): deprecated from, and no
    # longer served on demand, or on dedicated AI clusters, from.
    deprecated_at: datetime | None = None
    on_demand_retired_at: datetime | None = None
    dedicated_retired_at: datetime | None = None


class GenAiModelList(ApiModel):
    items: list[GenAiModel]
    total: int


class OnDemandModel(ApiModel):
    """A base model of the region that OCI serves on demand (paid per call, no cluster): a chat or embedding
    subject wherever a deployment is one (playground, Compare, the OpenAI pass-through, evaluations), by its OCID
    as the deployment id. Retired ones are not listed; deprecated ones are, marked with their retirement date."""

    id: str  # ocid1.generativeaimodel…
    name: str  # OCI's model name, e.g. "meta.llama-3.3-70b-instruct"
    vendor: str | None = None
    version: str | None = None
    mode: InferenceMode  # "chat" (CHAT) or "embedding" (TEXT_EMBEDDINGS)
    capabilities: list[str] = []  # OCI's words
    deprecated: bool = False
    deprecated_at: datetime | None = None
    retires_at: datetime | None = None  # no longer served on demand from then
    note: str = ""  # what a picker shows beside the name ("deprecated: retires on demand on 2026-09-30")
    target: str = "genai"
    actions: list[DeploymentAction] = []


class OnDemandModelList(ApiModel):
    items: list[OnDemandModel]
    total: int


class ImportGenAiModelRequest(ApiModel):
    """Import an open model into Generative AI (seed 001), from Hugging Face (`hf_id`, `revision`, `token` for a
    gated model: sent to OCI once, never stored, logged or answered) or from Object Storage (`os_uri`, the folder
    holding config.json and the weights). config.json and the weights are checked, and `capability` against
    config.json's architecture, before anything is created."""

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                {
                    "if": {"properties": {"source": {"const": source}}},
                    "then": {"required": [field], "properties": {field: {"type": "string", "pattern": r"\S"}}},
                }
                for source, field in (("huggingface", "hf_id"), ("object_storage", "os_uri"))
            ]
        }
    )

    source: Literal["huggingface", "object_storage"]
    display_name: str = Field(min_length=1, max_length=255, json_schema_extra=NOT_BLANK_SCHEMA)
    description: str = Field(default="", max_length=400)
    capability: Capability
    hf_id: str | None = Field(default=None, json_schema_extra={"pattern": padded(HF_ID_PATTERN)})
    revision: str | None = Field(default=None, max_length=100)
    token: SecretStr | None = Field(default=None, description="Hugging Face token for gated models; never stored.")
    os_uri: str | None = Field(default=None, json_schema_extra={"pattern": padded(OS_URI_PATTERN)})
    region: str | None = Field(default=None, max_length=50)  # the bucket's region, when not the target's
    vendor: str | None = Field(default=None, max_length=100)
    version: str | None = Field(default=None, max_length=100)

    _name_not_blank = field_validator("display_name")(not_blank)

    @model_validator(mode="after")
    def _source_fields(self) -> ImportGenAiModelRequest:
        if self.source == "huggingface" and not (self.hf_id or "").strip():
            raise ValueError("hf_id: required when source is 'huggingface'")
        if self.source == "object_storage" and not (self.os_uri or "").strip():
            raise ValueError("os_uri: required when source is 'object_storage'")
        if self.hf_id and not re.match(HF_ID_PATTERN, self.hf_id.strip()):
            raise ValueError("hf_id: must look like 'organization/model-name'")
        if self.os_uri and not re.match(OS_URI_PATTERN, self.os_uri.strip()):
            raise ValueError("os_uri: must look like 'oci://bucket@namespace/path/to/model'")
        return self


class GenAiModelResponse(ApiModel):
    """The model as created (CREATING) and the operation that follows its work request."""

    model: GenAiModel
    operation: Operation


# ---- dedicated AI clusters ----------------------------------------------------------------------------------


class ClusterCostSoFar(ApiModel):
    """What a cluster has cost since it was created (billed for at least an hour)."""

    since: datetime
    hours: float
    ai_unit_hours: float
    amount: float | None  # None: no price per AI-unit hour configured
    currency: str = "USD"
    line: str  # the arithmetic


class GenAiCluster(GenAiResource):
    type: ClusterType
    unit_shape: str
    unit_count: int
    limit_name: str | None = None  # the `generative-ai` service limit its units count against
    endpoints_used: int | None = None  # HOSTING: endpoints on it / how many it can hold
    endpoints_total: int | None = None
    cost: UnitShapeCost | None = None  # per hour; None for a shape without published AI units
    cost_so_far: ClusterCostSoFar | None = None  # while it is ACTIVE
    actions: list[GenAiClusterAction] = []


class GenAiClusterList(ApiModel):
    items: list[GenAiCluster]
    total: int


class CreateClusterRequest(ApiModel):
    """A dedicated AI cluster. `unit_shape` omitted: the smallest shape the memory fit says holds `model_id`
    (required then); given: checked against the fit (400 naming `unit_shape` with the arithmetic when it is below)."""

    display_name: str = Field(min_length=1, max_length=255, json_schema_extra=NOT_BLANK_SCHEMA)
    description: str = Field(default="", max_length=400)
    type: ClusterType = "HOSTING"
    unit_shape: str | None = Field(default=None, max_length=50)
    unit_count: int = Field(default=1, ge=1, le=64)
    # The model it is for (any model id the models list shows, an imported model's OCID included): the memory fit.
    model_id: str | None = Field(default=None, max_length=400)
    context_length: int = Field(default=4096, ge=1, le=2_000_000)
    dtype: Dtype = "bfloat16"

    _name_not_blank = field_validator("display_name")(not_blank)


class GenAiClusterResponse(ApiModel):
    cluster: GenAiCluster
    operation: Operation


class ClusterPlanQuery(ApiModel):
    """What the cluster form asks before a create: every unit shape, which hold the model, what each costs."""

    model_id: str | None = Field(default=None, max_length=400)
    unit_count: int = Field(default=1, ge=1, le=64)
    context_length: int = Field(default=4096, ge=1, le=2_000_000)
    dtype: Dtype = "bfloat16"


class UnitShapeOption(ApiModel):
    unit_shape: str
    gpu: str
    gpu_count: int
    gpu_memory_gb: float  # in all
    fits: bool | None  # None: the model's size is unknown (or no model given)
    recommended: bool = False
    limit_name: str
    units_needed: int  # of `limit_name`, for the unit count asked
    available: int | None = None  # what the limit has left (None: unknown)
    cost: UnitShapeCost


class ClusterPlan(ApiModel):
    model_id: str | None = None
    model_name: str | None = None
    recommended_unit_shape: str | None = None
    shapes: list[UnitShapeOption]
    # The same model on a Data Science deployment: the shape the memory fit picks and its list price.
    datascience: ShapeListCost | None = None
    price_per_ai_unit_hour: float | None = None  # configured (AquaExtension.genai_price_per_ai_unit_hour)
    arithmetic: list[str] = []  # the memory fit's
    notes: list[str] = []


# ---- endpoints (the target's deployments) --------------------------------------------------------------------


class CreateGenAiEndpointRequest(ApiModel):
    """An endpoint for an ACTIVE model on an ACTIVE HOSTING cluster; it is listed with the deployments."""

    display_name: str = Field(min_length=1, max_length=255, json_schema_extra=NOT_BLANK_SCHEMA)
    description: str = Field(default="", max_length=400)
    model_id: str = Field(min_length=1, max_length=400)
    dedicated_ai_cluster_id: str = Field(min_length=1, max_length=400)
    content_moderation: bool | None = None

    _name_not_blank = field_validator("display_name")(not_blank)


class GenAiEndpoint(GenAiResource):
    model_id: str
    model_name: str = ""
    dedicated_ai_cluster_id: str
    content_moderation: bool = False
    # The deployment routes reach it (chat, embed, OpenAI pass-through): "aqua-ext/deployments/<id>/v1".
    openai_base_path: str = ""


class GenAiEndpointList(ApiModel):
    items: list[GenAiEndpoint]
    total: int


class GenAiEndpointResponse(ApiModel):
    endpoint: GenAiEndpoint
    operation: Operation


# ---- fine-tuning -------------------------------------------------------------------------------------------


class GenAiFineTune(GenAiResource):
    """A fine-tune: the custom model being trained (its OCID is the fine-tune's id; CREATING while it trains)."""

    base_model_id: str
    base_model_name: str = ""
    dedicated_ai_cluster_id: str
    progress: float | None = None  # 0..1, the work request's percent complete
    training_config: ResolvedTrainingConfig | None = None
    training_dataset: ObjectStorageDataset
    metrics: GenAiModelMetrics | None = None
    split: str = ""  # how the dataset is split (80/20)
    actions: list[Literal["delete", "host"]] = []


class GenAiFineTuneList(ApiModel):
    items: list[GenAiFineTune]
    total: int


class GenAiFineTuneResponse(ApiModel):
    finetune: GenAiFineTune
    operation: Operation


class TrainingField(ApiModel):
    name: str
    default: float
    low: float | None = None
    high: float | None = None
    high_exclusive: bool = False
    integer: bool = False


class TrainingMethod(ApiModel):
    training_config_type: TrainingConfigType
    fields: list[TrainingField]


class GenAiTrainingDefaults(ApiModel):
    """The fine-tune form's methods with each hyperparameter's default and range (services/genai_finetune.py)."""

    methods: list[TrainingMethod]
    split_statement: str
