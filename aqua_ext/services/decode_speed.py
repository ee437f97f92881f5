"""Decode speed from memory bandwidth: the one rule of how fast a target would answer, and when a
target that holds a model is too slow to recommend.

Generating a token reads every weight once (and the KV cache of the sequence so far), while the
arithmetic per byte read is small: single-sequence decode is bound by memory bandwidth, so

    tokens/s ≈ bandwidth ÷ bytes read per token,   bytes read per token ≈ weights + KV cache.

It is an upper bound (engines reach roughly 50–80% of a GPU's datasheet bandwidth), which is what
makes "too slow" safe to say: a target whose bound is under the threshold cannot do better.

Bandwidths: GPUs from the vendors' datasheets (the table below, matched on the GPU's name as
nvidia-smi or the OCI shape list spells it); this machine's CPU from a memory copy it measures once
(backends/local/hardware.py), passed in as a figure. Pure functions, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A target that holds the model but would answer at fewer tokens/s than this is said to be too slow
# and is not recommended: at 2 tokens/s a 300-token answer takes two and a half minutes.
TOO_SLOW_TOKENS_PER_S = 2.0

# Memory bandwidth per GPU, GB/s (decimal), from the vendors' datasheets; the first pattern that
# matches the upper-cased GPU name wins, so the more specific come first (H100 PCIe before H100,
# A100 80GB before A100, L40S before L4).
#   NVIDIA A10 datasheet: 600 GB/s (A10G, AWS's variant, the same 600 GB/s)
#   NVIDIA A100 datasheet: 40GB SXM / PCIe 1,555 GB/s; 80GB SXM 2,039 GB/s; 80GB PCIe 1,935 GB/s
#   NVIDIA H100 datasheet: SXM 3.35 TB/s, NVL 3.9 TB/s, PCIe 2 TB/s
#   NVIDIA H200 datasheet: 4.8 TB/s
#   NVIDIA B200 (DGX B200: 64 TB/s for 8 GPUs) and GB200 NVL72 (576 TB/s for 72 GPUs): 8 TB/s per GPU
#   NVIDIA L40S and L40 datasheets: 864 GB/s; L4: 300 GB/s; T4: 320 GB/s
#   NVIDIA V100 datasheet: 900 GB/s (SXM2 and PCIe); P100 PCIe 16 GB: 732 GB/s
#   AMD Instinct MI300X datasheet: 5.3 TB/s
GPU_BANDWIDTH_GB_S: tuple[tuple[str, float, str], ...] = (
    (r"\bH100\b.*\bPCIE\b", 2000.0, "H100 PCIe"),
    (r"\bH100\b.*\bNVL\b", 3900.0, "H100 NVL"),
    (r"\bH100\b", 3350.0, "H100 SXM"),
    (r"\bH200\b", 4800.0, "H200"),
    (r"\bG?B200\b", 8000.0, "B200"),
    (r"\bA100\b.*\b80\s?GB?\b.*\bPCIE\b|\bA100\b.*\bPCIE\b.*\b80\s?GB?\b", 1935.0, "A100 80GB PCIe"),
    (r"\bA100\b.*\b80\s?GB?\b", 2039.0, "A100 80GB"),
    (r"\bA100\b", 1555.0, "A100 40GB"),
    (r"\bA10G?\b", 600.0, "A10"),
    (r"\bL40S?\b", 864.0, "L40S"),
    (r"\bL4\b", 300.0, "L4"),
    (r"\bV100\b", 900.0, "V100"),
    (r"\bP100\b", 732.0, "P100"),
    (r"\bT4\b", 320.0, "T4"),
    (r"\bMI300X\b", 5300.0, "MI300X"),
)
_COMPILED = tuple((re.compile(pattern), gb_s, label) for pattern, gb_s, label in GPU_BANDWIDTH_GB_S)


def gpu_bandwidth(name: str) -> tuple[float, str] | None:
    """(GB/s per GPU, the datasheet model it was read as) for a GPU name ("NVIDIA A100-SXM4-80GB",
    "A100 80GB", "H100"), or None when the table does not know it."""
    upper = name.upper()
    return next(((gb_s, label) for pattern, gb_s, label in _COMPILED if pattern.search(upper)), None)


@dataclass(frozen=True)
class DecodeEstimate:
    tokens_per_s: float
    too_slow: bool
    line: str  # "2 × 600 GB/s (A10 datasheet) ÷ 14.50 GB ≈ 82.8 tokens/s"


def bytes_per_token_line(weights_gb: float, kv_cache_gb: float | None) -> tuple[float, str]:
    """Bytes read per generated token (GB) and its line: the weights, plus the KV cache of the whole
    context when known (the last token of a full context reads all of it: the worst case)."""
    if kv_cache_gb is None:
        return weights_gb, f"bytes read per token ≈ weights {weights_gb:.2f} GB (KV cache unknown, not counted)"
    total = round(weights_gb + kv_cache_gb, 4)
    return total, (
        f"bytes read per token ≈ weights {weights_gb:.2f} GB + KV cache {kv_cache_gb:.2f} GB = {total:.2f} GB "
        "(the KV cache of the full context: the last token's read)"
    )


def estimate_decode(bytes_per_token_gb: float, bandwidth_gb_s: float, devices: int, source: str) -> DecodeEstimate:
    """tokens/s ≈ devices × bandwidth ÷ bytes read per token. `devices` GPUs split the weights
    evenly (tensor parallelism), so each reads its share: their bandwidths add up (the all-reduce
    between them is not counted, one more reason this is an upper bound). `source` says where the
    bandwidth comes from."""
    if bytes_per_token_gb <= 0 or bandwidth_gb_s <= 0:
        raise ValueError("bytes per token and bandwidth must be positive")
    tokens = devices * bandwidth_gb_s / bytes_per_token_gb
    speed = round(tokens, 1) if tokens < 100 else round(tokens)
    count = f"{devices} × " if devices > 1 else ""
    line = f"{count}{bandwidth_gb_s:,.0f} GB/s ({source}) ÷ {bytes_per_token_gb:.2f} GB ≈ {speed:g} tokens/s"
    return DecodeEstimate(tokens_per_s=speed, too_slow=tokens < TOO_SLOW_TOKENS_PER_S, line=line)
