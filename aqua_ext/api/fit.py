"""Memory fit: will this model run here, or on which OCI shape?"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .common import ApiModel

# fp8, int8 and int4 are the weights' precision (a quantized checkpoint, or vLLM's --quantization fp8);
# the KV cache stays 16-bit.
Dtype = Literal["float32", "bfloat16", "float16", "fp8", "int8", "int4"]
# Bytes per value of each of them (int4: two to a byte): the one table, below both the services that
# price weights with it and the drivers that read a checkpoint's size with it.
DTYPE_BYTES: dict[str, float] = {
    "float32": 4.0,
    "bfloat16": 2.0,
    "float16": 2.0,
    "fp8": 1.0,
    "int8": 1.0,
    "int4": 0.5,
}


# The engines a fit can be asked for (the deploy form's engine): the weights' choices are theirs.
FitEngine = Literal["transformers", "vllm", "llama.cpp", "tgi"]


class FitQuery(ApiModel):
    dtype: Dtype = "bfloat16"
    context_length: int = Field(default=4096, ge=1, le=2_000_000)
    # Sequences served at once, each with the whole context (the KV cache is sized for all of them).
    # Omitted: as many as the engine serves as aqua_ext starts it (llama.cpp: its slots; else one).
    concurrency: int | None = Field(default=None, ge=1, le=1024)
    # The engine the model would be served by: the report then lists the weights' choices it runs
    # (`quantizations`), and `quantization` may name one of them. Omitted: no choices are listed.
    engine: FitEngine | None = None
    # One of the engine's `quantizations` (its `value`): the weights' dtype or quantization the fit
    # prices, instead of `dtype`. Needs `engine`.
    quantization: str | None = Field(default=None, min_length=1, max_length=40)


class WeightChoice(ApiModel):
    """One way an engine can hold the weights: a dtype, a GGUF level or a vLLM quantization method.
    The deploy form offers these and no list of its own; `value` is what a deploy request's (and a
    fit query's) `quantization` takes."""

    value: str  # "bfloat16", "Q4_K_M", "fp8", "bitsandbytes", …
    label: str
    # The weights' storage cost (a GGUF k-quant mix: llama.cpp's published average); None when the
    # checkpoint's own format sets it (an AWQ model served as AWQ).
    bits_per_weight: float | None
    # llama.cpp level of a model without that GGUF file: deploying it needs a conversion first
    # (POST models/{id}/gguf), which the fit prices as if done.
    convert: bool = False
    default: bool = False  # what the server uses when the request names none


class FitTarget(ApiModel):
    """A place the model could run: this machine or an OCI shape."""

    name: str  # "This machine (GPU 0: NVIDIA A10)" or "VM.GPU.A10.2"
    kind: Literal["local-gpu", "local-cpu", "oci-shape"]
    gpu_count: int
    memory_gb: float  # usable memory (GPU memory, or RAM for CPU)
    fits: bool
    headroom_gb: float  # memory left over (negative when it does not fit)
    recommended: bool = False
    # Decode speed of one sequence, estimated from memory bandwidth (decode_speed.py): tokens/s ≈
    # bandwidth ÷ bytes read per token. None when the bandwidth or the weights are unknown.
    tokens_per_s: float | None = None
    bandwidth_gb_s: float | None = None
    # It holds the model but would answer too slowly to be of use: never recommended.
    too_slow: bool = False
    # OCI shapes: how many more model deployment instances of this shape the service limits
    # still allow in the compartment's region (0: the limit is reached); None when unknown.
    available: int | None = None


class FitReport(ApiModel):
    model_id: str
    dtype: Dtype
    context_length: int
    concurrency: int
    parameter_count: int | None
    bytes_per_parameter: float
    weights_gb: float | None
    kv_cache_gb: float | None
    overhead_gb: float | None
    total_gb: float | None
    arithmetic: list[str]  # each line of the estimate, for the UI to show
    assumptions: list[str]
    local: list[FitTarget]
    shapes: list[FitTarget]
    recommended_shape: str | None
    # The config.json keys (or facts) the estimate needed and could not read; each part they feed
    # (weights, KV cache) is then None, never a guess, and `assumptions` says why.
    unknown: list[str] = []
    # The engine asked for, the weights' choices it runs for this model and the one priced
    # (None: `dtype`).
    engine: FitEngine | None = None
    quantizations: list[WeightChoice] = []
    quantization: str | None = None
    # Decode speed: the arithmetic (bytes read per token, each target's bandwidth) and the threshold
    # under which a target that holds the model is said to be too slow and is not recommended.
    decode: list[str] = []
    too_slow_below_tokens_per_s: float | None = None
