"""Bytes per weight: what a dtype, or a quantized checkpoint's own format, costs per parameter.

A quantized checkpoint is served as it is stored (vLLM loads an AWQ model as AWQ, an FP8 one as
FP8), so its format, not the dtype asked for, sets the weights' size. Quantized formats quantize
the linear layers only: the token embeddings and the output head stay 16-bit, and
`quantized_weight_bytes` counts them apart when config.json gives vocab_size and hidden_size.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..api.fit import DTYPE_BYTES, Dtype
from ..api.models import Architecture, Quantization

# Bits per weight of GGUF quant levels. Single-type levels follow their ggml block layout (Q8_0: 32
# int8 weights + one fp16 scale = 34 bytes per 32 weights = 8.5 bits); the k-quant mixes are the
# published table of llama.cpp's tools/quantize/README.md (measured on Llama 2 7B), because a mix
# puts some tensors in a bigger type and only the measured whole-file figure is exact.
GGUF_BITS_PER_WEIGHT: dict[str, float] = {
    "F32": 32.0,
    "F16": 16.0,
    "BF16": 16.0,
    "Q8_0": 8.5,  # 34 bytes / 32 weights
    "Q6_K": 6.56,
    "Q5_1": 6.0,  # 24 bytes / 32
    "Q5_0": 5.5,  # 22 bytes / 32
    "Q5_K_M": 5.68,
    "Q5_K_S": 5.52,
    "Q4_1": 5.0,  # 20 bytes / 32
    "Q4_K_M": 4.84,
    "Q4_K_S": 4.58,
    "Q4_0": 4.5,  # 18 bytes / 32
    "Q3_K_L": 4.27,
    "Q3_K_M": 3.91,
    "Q3_K_S": 3.50,
    "Q2_K": 3.35,
}

# Scale and zero-point storage per quantized weight, by format (bytes):
# AWQ / GPTQ: one fp16 scale and one packed 4-bit zero point per group.
_GROUP_SCALE_BYTES = 2.0
_GROUP_ZERO_BYTES = 0.5
# bitsandbytes 4-bit: one float32 absmax per block of 64 weights; with double quantization the
# absmax is itself 8-bit, plus one float32 per 256 absmax values.
_BNB_BLOCK = 64
_FP8_BLOCK_SCALE_BYTES = 4.0  # float32 scale per block (DeepSeek-V3: 128 × 128)


@dataclass(frozen=True)
class WeightFormat:
    """Bytes per quantized parameter, with the words that show where the figure comes from."""

    bytes_per_parameter: float
    label: str  # "fp8, compressed-tensors", "int4 awq, group 128", …
    how: str  # the arithmetic of the bytes: "0.5 + (2 + 0.5) / 128"


def bytes_per_parameter(dtype: Dtype) -> float:
    return DTYPE_BYTES[dtype]


def gguf_bits_per_weight(level: str) -> float | None:
    return GGUF_BITS_PER_WEIGHT.get(level.upper())


def checkpoint_format(q: Quantization) -> tuple[WeightFormat | None, str | None]:
    """The storage cost of a quantized checkpoint's weights, or None and why it is not known."""
    method = q.method.lower()
    if method == "gguf":
        bits = gguf_bits_per_weight(q.level or "")
        if bits is None:
            return None, f"GGUF quant level {q.level or '(none in the file name)'} is not in the llama.cpp table"
        return WeightFormat(bits / 8, f"GGUF {q.level}", f"{bits:g} bits / 8"), None
    if method in ("fp8", "fbgemm_fp8") or (method == "compressed-tensors" and q.weight_type == "float" and q.bits == 8):
        if q.block_size and len(q.block_size) == 2 and q.block_size[0] * q.block_size[1] > 0:
            block = q.block_size[0] * q.block_size[1]
            return (
                WeightFormat(
                    1 + _FP8_BLOCK_SCALE_BYTES / block,
                    f"fp8, {q.block_size[0]}×{q.block_size[1]} block scales",
                    f"1 + 4 / {block:,}",
                ),
                None,
            )
        return WeightFormat(1.0, "fp8" if method == "fp8" else f"fp8, {method}", "1"), None
    if method in ("awq", "gptq", "compressed-tensors", "autoround", "auto-round"):
        if q.bits not in (2, 3, 4, 8):
            return None, f"quantization_config ({method}) gives no weight bits"
        base = q.bits / 8
        if not q.group_size or q.group_size <= 0:
            # Per-channel scales (group_size -1): one per output row, negligible next to the weights.
            return WeightFormat(base, f"int{q.bits} {method}, per-channel scales", f"{q.bits} bits / 8"), None
        zero = _GROUP_ZERO_BYTES if method != "compressed-tensors" else 0.0  # compressed-tensors int is symmetric
        extra = _GROUP_SCALE_BYTES + zero
        return (
            WeightFormat(
                base + extra / q.group_size,
                f"int{q.bits} {method}, group {q.group_size}",
                f"{base:g} + {extra:g} / {q.group_size}",
            ),
            None,
        )
    if method == "bitsandbytes":
        if q.bits == 8:
            return WeightFormat(1.0, "int8 bitsandbytes", "1"), None
        if q.bits == 4:
            if q.double_quant:
                extra = 1 / _BNB_BLOCK + 4 / (_BNB_BLOCK * 256)
                return WeightFormat(0.5 + extra, "4-bit bitsandbytes, double quant", "0.5 + 1/64 + 4/16,384"), None
            return WeightFormat(0.5 + 4 / _BNB_BLOCK, "4-bit bitsandbytes", "0.5 + 4 / 64"), None
        return None, "quantization_config (bitsandbytes) sets neither load_in_4bit nor load_in_8bit"
    return None, f"quantization method {q.method!r} is not one the fit knows"


def unquantized_parameters(architecture: Architecture) -> int | None:
    """The parameters a quantized checkpoint keeps in 16 bits: the token embeddings and, unless
    tied to them, the output head (vocab_size × hidden_size each). None when config.json lacks them."""
    if not architecture.vocab_size or not architecture.hidden_size:
        return None
    copies = 1 if architecture.tie_word_embeddings else 2
    return copies * architecture.vocab_size * architecture.hidden_size
