"""Models: the catalog entries a user browses, registers and deletes."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from enum import Enum
from typing import Any, Literal

from pydantic import ConfigDict, Field, SecretStr, field_validator, model_validator

from .common import ApiModel, TargetProblem, UserPath, padded
from .operations import Operation

OS_URI_PATTERN = r"^oci://[A-Za-z0-9._-]{1,256}@[A-Za-z0-9._-]{1,256}(/.*)?$"
HF_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}/[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$"
MODEL_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,254}$"


# What may be done with a model now (the UI shows a button for each, and only those).
ModelAction = Literal["deploy", "finetune", "delete"]


class ModelSource(str, Enum):
    CATALOG = "catalog"  # curated list shipped with aqua_ext (or OCI service models)
    CACHE = "cache"  # already in the local Hugging Face cache
    REGISTERED = "registered"  # a folder or a Hugging Face id the user registered
    FINE_TUNED = "fine-tuned"
    DEMO = "demo"  # generated offline, random weights


class Capability(str, Enum):
    TEXT_TO_TEXT = "TEXT_TO_TEXT"
    IMAGE_TEXT_TO_TEXT = "IMAGE_TEXT_TO_TEXT"
    EMBEDDING = "EMBEDDING"
    RERANK = "RERANK"


class ModelFormat(str, Enum):
    SAFETENSORS = "safetensors"
    GGUF = "gguf"


class Quantization(ApiModel):
    """How a checkpoint's weights are stored, as config.json's `quantization_config` (or a GGUF
    file name) says: facts only; services/weight_bytes.py turns them into bytes per parameter."""

    method: str  # quant_method: "fp8", "compressed-tensors", "awq", "gptq", "bitsandbytes", "gguf", …
    bits: int | None = None  # weight bits (4, 8); None when the method implies them (fp8) or is unknown
    weight_type: str | None = None  # "float" or "int" (compressed-tensors); fp8's "e4m3"
    group_size: int | None = None  # one scale per this many weights (AWQ, GPTQ, int4 compressed-tensors)
    block_size: list[int] | None = None  # fp8 block scales (DeepSeek-V3: [128, 128])
    double_quant: bool | None = None  # bitsandbytes bnb_4bit_use_double_quant
    level: str | None = None  # GGUF quant level from the file name: "Q4_K_M", "Q8_0", …


class Architecture(ApiModel):
    """The config.json fields that memory estimates need (of the language model, where a
    vision-language config keeps it under text_config, llm_config or language_config)."""

    model_type: str | None = None
    num_hidden_layers: int | None = None
    hidden_size: int | None = None
    num_attention_heads: int | None = None
    num_key_value_heads: int | None = None
    head_dim: int | None = None
    torch_dtype: str | None = None
    vocab_size: int | None = None
    tie_word_embeddings: bool | None = None
    # Multi-head latent attention (DeepSeek-V2/V3, Kimi K2): the cache holds kv_lora_rank +
    # qk_rope_head_dim values per token per layer.
    kv_lora_rank: int | None = None
    qk_rope_head_dim: int | None = None
    # Encoder-decoder models (Whisper, T5, BART): the decoder's self- and cross-attention caches.
    is_encoder_decoder: bool | None = None
    decoder_layers: int | None = None
    decoder_attention_heads: int | None = None
    encoder_positions: int | None = None  # the encoder's fixed length (Whisper: max_source_positions 1500)
    # Sliding-window attention, as config.json spells it; which layers slide is services/kv_cache.py's rule.
    sliding_window: int | None = None  # the window, in tokens
    # How many of config.json's layer_types are "sliding_attention" (the list itself would not fit OCI's
    # 255-character metadata value; the cache size depends on the count, not on which layers they are).
    sliding_layers: int | None = None
    sliding_window_pattern: int | None = None  # Gemma 3, Cohere 2: every n-th layer is a full-attention one
    use_sliding_window: bool | None = None  # Qwen2, Qwen3: whether the window is used at all
    max_window_layers: int | None = None  # Qwen2, Qwen3: the layers from this index on use the window
    quantization: Quantization | None = None


class Lineage(ApiModel):
    base_model_id: str | None = None
    dataset_hash: str | None = None
    finetune_job_id: str | None = None  # the fine-tune (GET finetunes/{id}) that produced the model


class ModelSummary(ApiModel):
    id: str
    name: str
    source: ModelSource
    organization: str | None = None
    license: str | None = None
    task: str | None = None
    capability: Capability
    parameter_count: int | None = None
    context_length: int | None = None
    formats: list[ModelFormat]
    size_bytes: int | None = None
    hf_id: str | None = None
    description: str = ""
    tags: list[str] = []
    gated: bool = False
    ready_to_deploy: bool
    ready_to_finetune: bool
    # Where the weights are: None for catalog entries that have not been downloaded.
    artifact_location: str | None = None
    created_at: datetime | None = None
    # The target that owns the model ("local", "oci"): where it is deployed or fine-tuned.
    target: str = ""
    actions: list[ModelAction] = []


class ModelDetail(ModelSummary):
    card_markdown: str = ""
    license_url: str | None = None
    architecture: Architecture | None = None
    lineage: Lineage | None = None
    files: list[str] = []
    # Why the model cannot be deployed or fine-tuned, when it cannot.
    notes: list[str] = []
    # The publisher's serving and training defaults (OCI: the DeploymentConfiguration and
    # FineTuneConfiguration artifacts, per shape); None where the model has none.
    deployment_config: dict[str, Any] | None = None
    finetune_config: dict[str, Any] | None = None


class ModelList(ApiModel):
    items: list[ModelSummary]
    total: int
    # Targets whose models are missing from `items`, and why (the others are listed).
    problems: list[TargetProblem] = []


class ModelListQuery(ApiModel):
    """Query string of `GET aqua-ext/models`. The UI filters on the client for
    instant keystrokes; these exist for the CLI and for scripts."""

    q: str | None = Field(default=None, max_length=200)
    source: ModelSource | None = None
    capability: Capability | None = None
    format: ModelFormat | None = None
    max_size_gb: float | None = Field(default=None, gt=0)
    refresh: bool = False


def _stripped_matching(pattern: str, message: str) -> Callable[[str | None], str | None]:
    """A field validator for an optional name typed by hand: stripped, and matching `pattern` once stripped."""

    def check(value: str | None) -> str | None:
        if value is not None and not re.match(pattern, value.strip()):
            raise ValueError(message)
        return value.strip() if value else value

    return check


class RegisterModelRequest(ApiModel):
    """Register a local folder (validated in place), a model already in OCI
    Object Storage (by reference), or a Hugging Face id (downloaded in the
    background; on OCI then uploaded to `os_uri`)."""

    # The document says what _source_fields checks: each source needs its own field.
    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                {
                    "if": {"properties": {"source": {"const": source}}},
                    "then": {"required": [field], "properties": {field: {"type": "string", "pattern": r"\S"}}},
                }
                for source, field in (("local_folder", "path"), ("huggingface", "hf_id"), ("object_storage", "os_uri"))
            ]
        }
    )

    source: Literal["local_folder", "huggingface", "object_storage"]
    path: UserPath | None = Field(default=None, description="Folder with config.json and weights (local_folder).")
    hf_id: str | None = Field(
        default=None,
        description="Repository id such as Qwen/Qwen2.5-0.5B-Instruct (huggingface).",
        json_schema_extra={"pattern": padded(HF_ID_PATTERN)},
    )
    os_uri: str | None = Field(
        default=None,
        description="oci://bucket@namespace/prefix: the model's folder (object_storage), or where a Hugging Face "
        "download is uploaded (huggingface on the OCI backend).",
        json_schema_extra={"pattern": padded(OS_URI_PATTERN)},
    )
    revision: str | None = Field(default=None, max_length=100)
    name: str | None = Field(
        default=None, max_length=200, description="Display name; defaults to the folder or repo name."
    )
    token: SecretStr | None = Field(
        default=None, description="Hugging Face token for gated models; never stored or logged."
    )
    target: str | None = Field(
        default=None,
        max_length=50,
        description="The target to register on (GET info lists them); omitted: oci when os_uri is given, "
        "else the first ready target.",
    )

    _hf_id_shape = field_validator("hf_id")(
        _stripped_matching(
            HF_ID_PATTERN, "must look like 'organization/model-name' (letters, digits, '.', '_' and '-')"
        )
    )
    _os_uri_shape = field_validator("os_uri")(
        _stripped_matching(OS_URI_PATTERN, "must look like 'oci://bucket@namespace/path/to/model'")
    )

    @model_validator(mode="after")
    def _source_fields(self) -> RegisterModelRequest:
        if self.source == "local_folder" and not (self.path and self.path.strip()):
            raise ValueError("path: required when source is 'local_folder'")
        if self.source == "huggingface" and not self.hf_id:
            raise ValueError("hf_id: required when source is 'huggingface'")
        if self.source == "object_storage" and not self.os_uri:
            raise ValueError("os_uri: required when source is 'object_storage'")
        if self.path and self.source != "local_folder":
            raise ValueError(
                "path: a local folder is registered alone; os_uri is the model's Object Storage folder, "
                "or where a Hugging Face download is uploaded"
            )
        return self

    @classmethod
    def from_fields(cls, **fields: Any) -> RegisterModelRequest:
        """The request for the fields given, its source chosen from them: a Hugging Face id (with
        os_uri: where the download is uploaded on OCI), else an Object Storage folder, else a local
        folder. Validated as the route validates it."""
        source = "huggingface" if fields.get("hf_id") else "object_storage" if fields.get("os_uri") else "local_folder"
        return cls.model_validate({"source": source, **fields})


# The GGUF levels a model converts to: what llama.cpp's quantizer writes and its server runs, on CPU and GPU.
GgufLevel = Literal["F16", "BF16", "Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q4_0"]


class ConvertToGgufRequest(ApiModel):
    """Convert a model's safetensors weights to one GGUF file at a quantization level (llama.cpp's
    converter and quantizer, in the background); the result is registered as a new model."""

    quantization: GgufLevel = Field(description="The GGUF level: F16/BF16 as they are, Q8_0 … Q4_0 quantized.")
    name: str | None = Field(
        default=None, max_length=200, description="Display name; defaults to the model's name and the level."
    )


class RegisterModelResponse(ApiModel):
    """A folder registers at once (`model` set, operation SUCCEEDED); a
    download returns a RUNNING operation to poll."""

    operation: Operation
    model: ModelDetail | None = None
