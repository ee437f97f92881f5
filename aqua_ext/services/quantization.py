"""The weights' dtype or quantization each engine runs, for one model: the deploy form's choices
(FitReport.quantizations), what the memory fit prices for each, and the engine flag each becomes.
One table of rules; the fit (memory_fit.py) and the deploy plan (deploy_plan.py) both ask it, and a
value the engine cannot run is refused here, on the field "quantization".

  transformers serve: float32 / bfloat16 / float16 (--dtype); on a CUDA GPU also bitsandbytes
      8- and 4-bit (--quantization bnb-8bit / bnb-4bit: bitsandbytes has no CPU kernels there).
  vLLM: bfloat16 / float16 (--dtype), fp8 and bitsandbytes (4-bit, quantized while loading:
      --quantization fp8 / bitsandbytes); a quantized checkpoint (AWQ, GPTQ, FP8, …) runs as stored,
      so its own method is its one choice.
  llama.cpp: the GGUF level of the model's file, which it runs as it is; a safetensors model lists
      the levels it converts to (POST models/{id}/gguf), priced as if converted.
  TGI (OCI): bfloat16 / float16.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

from ..api.fit import Dtype, WeightChoice
from ..api.models import GgufLevel, ModelDetail, ModelSummary, Quantization
from ..errors import InvalidInput
from .weight_bytes import WeightFormat, bytes_per_parameter, checkpoint_format, gguf_bits_per_weight

FIELD = "quantization"

# vLLM's --quantization values a quantized checkpoint's method maps to (its allowlist, engine_params.py).
_VLLM_CHECKPOINT_METHODS = ("awq", "gptq", "fp8", "bitsandbytes", "compressed-tensors")
# llama.cpp's KV cache is f16 by default (--cache-type-k/-v f16), whatever the weights' level.
_LLAMA_KV_DTYPE: Dtype = "float16"


@dataclass(frozen=True)
class Option:
    """A choice with what it means: the fit's dtype (KV cache, and the weights when `fmt` is None),
    the storage of the weights when it differs from that dtype's, and the engine flag it becomes."""

    choice: WeightChoice
    fit_dtype: Dtype
    fmt: WeightFormat | None = None
    # A GGUF level's average bits cover every tensor (the mix keeps some bigger): no 16-bit split.
    whole_model: bool = False
    dtype_param: str | None = None  # --dtype value
    quantization_param: str | None = None  # --quantization value


def _dtype(value: Dtype, default: bool, param: bool = True) -> Option:
    bits = bytes_per_parameter(value) * 8
    return Option(
        WeightChoice(value=value, label=f"{value} ({bits:g}-bit weights)", bits_per_weight=bits, default=default),
        value,
        dtype_param=value if param else None,
    )


def _bnb(value: str, bits: int, label: str, fit_dtype: Dtype) -> Option:
    fmt, _ = checkpoint_format(Quantization(method="bitsandbytes", bits=bits, double_quant=False))
    assert fmt is not None
    return Option(
        WeightChoice(value=value, label=label, bits_per_weight=round(fmt.bytes_per_parameter * 8, 4)),
        fit_dtype,
        fmt,
        quantization_param=value,
    )


def _gguf(level: str, convert: bool, default: bool) -> Option:
    bits = gguf_bits_per_weight(level)
    label = f"GGUF {level}" + (f" ({bits:g} bits/weight)" if bits else "") + (", after a conversion" if convert else "")
    fmt = WeightFormat(bits / 8, f"GGUF {level}", f"{bits:g} bits / 8") if bits and convert else None
    return Option(
        WeightChoice(value=level, label=label, bits_per_weight=bits, convert=convert, default=default),
        _LLAMA_KV_DTYPE,
        fmt,
        whole_model=True,
    )


def _checkpoint_quantization(model: ModelSummary | ModelDetail) -> Quantization | None:
    architecture = model.architecture if isinstance(model, ModelDetail) else None
    return architecture.quantization if architecture else None


def engine_options(model: ModelSummary | ModelDetail, engine: str, *, cuda: bool) -> list[Option]:
    """What `engine` can hold this model's weights in; `cuda`: it runs on an NVIDIA GPU."""
    quant = _checkpoint_quantization(model)
    if engine == "llama.cpp":
        if quant is not None and quant.method == "gguf":
            return [_gguf(quant.level, False, True)] if quant.level else []
        return [_gguf(level, True, False) for level in get_args(GgufLevel)]
    if engine == "vllm":
        if quant is not None and quant.method != "gguf":
            fmt, _ = checkpoint_format(quant)
            bits = round(fmt.bytes_per_parameter * 8, 4) if fmt else None
            param = quant.method if quant.method in _VLLM_CHECKPOINT_METHODS else None
            label = f"{quant.method} (the checkpoint's own quantization)"
            return [
                Option(
                    WeightChoice(value=quant.method, label=label, bits_per_weight=bits, default=True),
                    "bfloat16",
                    quantization_param=param,
                )
            ]  # fmt None: the fit reads the checkpoint's
        fp8 = Option(
            WeightChoice(value="fp8", label="fp8 (8-bit weights, quantized while loading)", bits_per_weight=8.0),
            "fp8",
            quantization_param="fp8",
        )
        return [
            _dtype("bfloat16", True),
            _dtype("float16", False),
            fp8,
            _bnb("bitsandbytes", 4, "bitsandbytes 4-bit (quantized while loading)", "int4"),
        ]
    if engine == "tgi":
        return [_dtype("bfloat16", True, param=False), _dtype("float16", False, param=False)]
    if engine == "transformers":
        options = [_dtype("float32", not cuda), _dtype("bfloat16", cuda), _dtype("float16", False)]
        if cuda:  # bitsandbytes quantizes on CUDA only in transformers serve
            options += [
                _bnb("bnb-8bit", 8, "bitsandbytes 8-bit (quantized while loading)", "int8"),
                _bnb("bnb-4bit", 4, "bitsandbytes 4-bit (quantized while loading)", "int4"),
            ]
        return options
    return []


def resolve(model: ModelSummary | ModelDetail, engine: str, value: str, *, cuda: bool, where: str) -> Option:
    """The option `value` names for `engine`; InvalidInput on "quantization" naming those it runs
    (`where` says on what: "this machine's CPU", "OCI")."""
    options = engine_options(model, engine, cuda=cuda)
    found = next((o for o in options if o.choice.value == value), None)
    if found is not None:
        return found
    offered = ", ".join(o.choice.value for o in options) or "none"
    if engine == "transformers" and value.startswith("bnb-") and not cuda:
        why = "bitsandbytes quantizes on a CUDA GPU only"
    elif engine == "llama.cpp" and (gguf_bits_per_weight(value) is not None):
        why = "llama.cpp runs the model's GGUF file at its own level; convert the model to that level first"
    else:
        why = f"{engine} cannot run it on {where}"
    raise InvalidInput.field(
        FIELD, f"'{value}' is not a quantization {engine} runs for this model ({why}); choose one of: {offered}"
    )
