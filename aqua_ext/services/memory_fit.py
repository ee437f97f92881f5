"""Memory fit: estimate how much GPU (or CPU) memory a model needs to serve, and
which local devices and OCI shapes can hold it.

The estimate is deliberately simple and shown to the user line by line. That
way a data scientist can check it against their own rule of thumb ("a 7B model
in fp16 needs about 14 GB for its weights") instead of trusting a black box.
Pure functions only: no I/O and no tornado, so the model explorer, deploy and
fine-tune can all reuse it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from ..api.fit import Dtype, FitQuery, FitReport, FitTarget
from ..api.info import Hardware
from ..api.models import Architecture, ModelDetail, ModelSummary
from ..backends.oci.shapes import OCI_GPU_SHAPES, GpuShape
from ..errors import InvalidInput
from . import quantization as quant_rules
from .decode_speed import TOO_SLOW_TOKENS_PER_S, bytes_per_token_line, estimate_decode, gpu_bandwidth
from .kv_cache import KvEstimate, estimate_kv_cache
from .weight_bytes import WeightFormat, bytes_per_parameter, checkpoint_format, unquantized_parameters

# Weight-only quantization (int8/int4) still computes attention in 16-bit, so
# the KV cache stays 16-bit unless the whole model runs in float32.
KV_BYTES_FLOAT32 = 4
KV_BYTES_DEFAULT = 2

OVERHEAD_MIN_GB = 1.0
OVERHEAD_FRACTION = 0.10
# Allocator fragmentation and engine workspaces mean a GPU is never 100% usable.
GPU_USABLE_FRACTION = 0.90
# The OS, the Jupyter server and the user's notebooks need RAM too.
CPU_USABLE_FRACTION = 0.80

_GB = 1e9  # decimal GB, so that 7e9 params x 2 bytes = 14.0 GB exactly

TargetKind = Literal["local-gpu", "local-cpu", "oci-shape"]


def kv_bytes_per_element(dtype: Dtype) -> int:
    return KV_BYTES_FLOAT32 if dtype == "float32" else KV_BYTES_DEFAULT


def _r2(value: float) -> float:
    return round(value, 2)


def _fmt_int(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}"


def _fmt_params(count: int) -> str:
    if count >= 1e9:
        return f"{count / 1e9:.2f} B"
    if count >= 1e6:
        return f"{count / 1e6:.0f} M"
    return f"{count:,}"  # tiny (demo, test) models: the exact count reads better than "0 M"


def _fmt_bytes(value: float) -> str:
    text = f"{value:g}"
    return f"{text} byte" if value == 1 else f"{text} bytes"


def _fmt_ram(value: float) -> str:
    return f"{value:.0f}" if value >= 10 or float(value).is_integer() else f"{value:.1f}"


def _target(
    name: str, kind: TargetKind, gpu_count: int, memory_gb: float, usable_gb: float, total_gb: float | None
) -> FitTarget:
    if total_gb is None:
        return FitTarget(
            name=name, kind=kind, gpu_count=gpu_count, memory_gb=_r2(memory_gb), fits=False, headroom_gb=0.0
        )
    return FitTarget(
        name=name,
        kind=kind,
        gpu_count=gpu_count,
        memory_gb=_r2(memory_gb),
        fits=total_gb <= usable_gb,
        headroom_gb=_r2(usable_gb - total_gb),
    )


class _Decode:
    """The decode-speed estimate of each target (decode_speed.py), its lines collected in order;
    nothing when the bytes read per token are unknown."""

    def __init__(self, bytes_per_token_gb: float | None) -> None:
        self.bytes_per_token_gb = bytes_per_token_gb
        self.lines: list[str] = []

    def apply(self, target: FitTarget, bandwidth: tuple[float, str] | None, devices: int) -> FitTarget:
        if self.bytes_per_token_gb is None or not self.bytes_per_token_gb or bandwidth is None:
            return target
        gb_s, source = bandwidth
        estimate = estimate_decode(self.bytes_per_token_gb, gb_s, max(devices, 1), source)
        target.bandwidth_gb_s = round(gb_s * max(devices, 1), 1)
        target.tokens_per_s = estimate.tokens_per_s
        # Only a target that holds the model can be too slow: one that does not is refused anyway.
        target.too_slow = target.fits and estimate.too_slow
        self.lines.append(f"{target.name}: {estimate.line}" + (" — too slow to recommend" if target.too_slow else ""))
        return target


def _gpu_bandwidth(name: str) -> tuple[float, str] | None:
    found = gpu_bandwidth(name)
    return (found[0], f"{found[1]} datasheet") if found else None


def _local_targets(hardware: Hardware, total_gb: float | None, decode: _Decode) -> list[FitTarget]:
    targets: list[FitTarget] = []
    for gpu in hardware.gpus:
        target = _target(
            f"This machine (GPU {gpu.index}: {gpu.name})",
            "local-gpu",
            1,
            gpu.memory_gb,
            gpu.memory_gb * GPU_USABLE_FRACTION,
            total_gb,
        )
        targets.append(decode.apply(target, _gpu_bandwidth(gpu.name), 1))
    if len(hardware.gpus) >= 2:
        pooled = sum(g.memory_gb for g in hardware.gpus)
        target = _target(
            f"This machine (all {len(hardware.gpus)} GPUs, {_fmt_ram(pooled)} GB)",
            "local-gpu",
            len(hardware.gpus),
            pooled,
            pooled * GPU_USABLE_FRACTION,
            total_gb,
        )
        # The slowest GPU paces a tensor-parallel step: its bandwidth, times the GPUs.
        known = [_gpu_bandwidth(g.name) for g in hardware.gpus]
        slowest = None if None in known else min((k for k in known if k), key=lambda k: k[0])
        targets.append(decode.apply(target, slowest, len(hardware.gpus)))
    cpu_usable = hardware.memory_gb * CPU_USABLE_FRACTION
    target = _target(
        f"This machine (CPU, {_fmt_ram(hardware.memory_gb)} GB RAM)",
        "local-cpu",
        0,
        cpu_usable,
        cpu_usable,
        total_gb,
    )
    bandwidth = hardware.memory_bandwidth_gb_s
    targets.append(decode.apply(target, (bandwidth, "measured memory copy") if bandwidth else None, 1))
    _recommend_local(targets)
    return targets


def _recommend_local(targets: list[FitTarget]) -> None:
    # Targets are already in preference order: one GPU, all GPUs, then CPU; one too slow to be of use is not.
    for target in targets:
        if target.fits and not target.too_slow:
            target.recommended = True
            break


def _shape_targets(
    shapes: Sequence[GpuShape],
    total_gb: float | None,
    availability: Mapping[str, int | None] | None = None,
    decode: _Decode | None = None,
) -> tuple[list[FitTarget], str | None]:
    targets: list[FitTarget] = []
    candidates: list[GpuShape] = []
    for shape in shapes:
        memory = shape.total_gpu_memory_gb
        target = _target(shape.name, "oci-shape", shape.gpu_count, memory, memory * GPU_USABLE_FRACTION, total_gb)
        if decode is not None:
            decode.apply(target, _gpu_bandwidth(shape.gpu_type), shape.gpu_count)
        target.available = (availability or {}).get(shape.name)
        targets.append(target)
        # A shape with no instance left is not recommended; an unknown availability does not count against it.
        if target.fits and target.available != 0 and not target.too_slow:
            candidates.append(shape)
    if not candidates:
        return targets, None
    # The least GPU memory that holds the model is the cheapest shape in practice.
    best = min(candidates, key=lambda s: (s.total_gpu_memory_gb, s.gpu_count, s.name))
    for target in targets:
        target.recommended = target.name == best.name
    return targets, best.name


# llama-server serves this many requests at once as aqua_ext starts it (services/deploy_plan.py names
# --parallel; llama.cpp's own "auto" is 4 too), each slot holding the whole context.
LLAMA_CPP_SLOTS = 4


def engine_concurrency(engine: str | None) -> int:
    """The sequences an engine holds at once as aqua_ext starts it, each with the whole context: what
    the fit sizes the KV cache for when the query names no concurrency."""
    return LLAMA_CPP_SLOTS if engine == "llama.cpp" else 1


def estimate_fit(
    model: ModelSummary | ModelDetail,
    query: FitQuery,
    hardware: Hardware | None,
    shapes: Sequence[GpuShape] = OCI_GPU_SHAPES,
    availability: Mapping[str, int | None] | None = None,
) -> FitReport:
    """Estimate the memory that serving `model` at `query` needs, and where it fits.

    `availability` (shape name → instances still allowed, None when unknown) comes from whoever
    knows the shapes' limits; it is copied onto the shape targets, and a shape with 0 left is
    never recommended. `hardware` None (the OCI backend: models run on OCI, not on this
    notebook machine) leaves out the local targets.

    The estimate is total = weights + KV cache + overhead, in decimal GB, rounded
    to two decimals. The KV cache is only estimated for a ModelDetail whose
    architecture is known. Without it, the total covers weights and overhead
    only, and `assumptions` says so. Without a parameter count nothing is
    estimated and no target fits.

    With `query.engine` the report lists the weights' choices that engine runs for the model
    (quantization.py), and `query.quantization` prices one of them instead of `dtype`. Every
    target gets a decode-speed estimate where its memory bandwidth is known (decode_speed.py).
    """
    options, chosen = _weight_options(model, query, hardware)
    dtype = chosen.fit_dtype if chosen else query.dtype
    arithmetic: list[str] = []
    assumptions: list[str] = []

    if model.context_length is not None and query.context_length > model.context_length:
        assumptions.append(
            f"The requested context ({query.context_length:,} tokens) is longer than the model's maximum "
            f"({model.context_length:,} tokens); the engine will refuse or truncate longer sequences."
        )

    architecture = model.architecture if isinstance(model, ModelDetail) else None
    weights = _weights(model, architecture, dtype, chosen)
    kv_bytes = kv_bytes_per_element(dtype)
    concurrency = query.concurrency or engine_concurrency(query.engine)
    kv, kv_missing = estimate_kv_cache(architecture, query.context_length, concurrency, kv_bytes)
    # Decode speed is a request's: with the engine's own slots (none asked for) one request may run
    # alone and reads its one context; with a concurrency asked for, that many run at once.
    running = query.concurrency or 1
    unknown = weights.unknown + [key for key in kv_missing if key not in weights.unknown]
    assumptions.extend(weights.assumptions)

    sizes = (
        _Sizes(bytes_per_parameter=weights.bytes_per_parameter)
        if weights.gb is None
        else _sizes(
            weights, weights.gb, kv, kv_missing, kv_bytes, running / concurrency, availability, arithmetic, assumptions
        )
    )
    return _report(
        model,
        query.model_copy(update={"concurrency": concurrency}),  # the report says what it counted
        dtype,
        options,
        hardware,
        shapes,
        availability,
        arithmetic,
        assumptions,
        sizes,
        unknown,
    )


def _weight_options(
    model: ModelSummary | ModelDetail, query: FitQuery, hardware: Hardware | None
) -> tuple[list[quant_rules.Option], quant_rules.Option | None]:
    """The engine's choices for the model, and the one `query.quantization` names (InvalidInput on
    "quantization" when the engine does not run it). On this machine the GPU choices need an NVIDIA
    GPU; on OCI (no hardware) the engines run on GPU shapes."""
    if query.engine is None:
        if query.quantization is not None:
            raise InvalidInput.field("quantization", "needs the engine it is for (engine)")
        return [], None
    cuda = hardware is None or any(g.vendor == "nvidia" for g in hardware.gpus)
    options = quant_rules.engine_options(model, query.engine, cuda=cuda)
    if query.quantization is None:
        return options, None
    where = "OCI" if hardware is None else "this machine"
    return options, quant_rules.resolve(model, query.engine, query.quantization, cuda=cuda, where=where)


@dataclass(frozen=True)
class _Sizes:
    """The estimate's figures (all None when the weights are unknown)."""

    bytes_per_parameter: float
    parameter_count: int | None = None
    weights: float | None = None
    kv_cache: float | None = None
    overhead: float | None = None
    total: float | None = None
    bytes_per_token: float | None = None  # read per generated token: weights + KV cache (GB)
    bytes_per_token_line: str | None = None


def _report(
    model: ModelSummary | ModelDetail,
    query: FitQuery,
    dtype: Dtype,
    options: list[quant_rules.Option],
    hardware: Hardware | None,
    shapes: Sequence[GpuShape],
    availability: Mapping[str, int | None] | None,
    arithmetic: list[str],
    assumptions: list[str],
    sizes: _Sizes,
    unknown: list[str],
) -> FitReport:
    """The report for the figures, with the targets that hold their total (none when it is unknown)."""
    decode = _Decode(sizes.bytes_per_token)
    local = _local_targets(hardware, sizes.total, decode) if hardware else []
    shape_targets, recommended = _shape_targets(shapes, sizes.total, availability, decode)
    decode_lines = [sizes.bytes_per_token_line, *decode.lines] if decode.lines and sizes.bytes_per_token_line else []
    return FitReport(
        model_id=model.id,
        dtype=dtype,
        context_length=query.context_length,
        concurrency=query.concurrency or 1,  # set by estimate_fit
        parameter_count=sizes.parameter_count,
        bytes_per_parameter=sizes.bytes_per_parameter,
        weights_gb=sizes.weights,
        kv_cache_gb=sizes.kv_cache,
        overhead_gb=sizes.overhead,
        total_gb=sizes.total,
        arithmetic=arithmetic,
        assumptions=assumptions,
        local=local,
        shapes=shape_targets,
        recommended_shape=recommended,
        unknown=unknown,
        engine=query.engine,
        quantizations=[o.choice for o in options],
        quantization=query.quantization,
        decode=decode_lines,
        too_slow_below_tokens_per_s=TOO_SLOW_TOKENS_PER_S if decode_lines else None,
    )


def _sizes(
    weights: _Weights,
    weights_gb: float,
    kv: KvEstimate | None,
    kv_missing: list[str],
    kv_bytes: int,
    kv_read_share: float,
    availability: Mapping[str, int | None] | None,
    arithmetic: list[str],
    assumptions: list[str],
) -> _Sizes:
    """The figures of known weights: + KV cache (where the architecture tells it) + overhead, each
    step's line added to `arithmetic` and what it assumes to `assumptions`. A generated token reads
    `kv_read_share` of the KV cache (the sequences running at once)."""
    arithmetic.extend(weights.lines)

    kv_cache_gb: float | None = None
    if kv is None:
        detail = (
            "no architecture details" if kv_missing == ["config.json"] else "config.json lacks " + ", ".join(kv_missing)
        )
        arithmetic.append(f"KV cache = unknown ({detail})")
        assumptions.append(
            f"KV cache not estimated ({detail}): the total covers weights and overhead only, "
            "so long contexts or many concurrent sequences may need noticeably more."
        )
    else:
        kv_cache_gb = _r2(kv.bytes / _GB)
        arithmetic.append(f"{kv.line} = {kv_cache_gb:.2f} GB")
        if kv.note:
            assumptions.append(kv.note)
        if kv.bytes:
            assumptions.append(
                f"KV cache is kept in {'float32' if kv_bytes == KV_BYTES_FLOAT32 else '16-bit'} precision and "
                "sized for every sequence using the full context at once (the worst case)."
            )

    # Computed from the rounded weights, so that every line of the arithmetic adds up as shown.
    overhead_gb = _r2(max(OVERHEAD_MIN_GB, OVERHEAD_FRACTION * weights_gb))
    arithmetic.append(f"overhead = max(1 GB, 10% of weights) = {overhead_gb:.2f} GB")
    assumptions.append("Overhead (CUDA context, runtime and activations) is taken as max(1 GB, 10% of weights).")

    total_gb = _r2(weights_gb + (kv_cache_gb or 0.0) + overhead_gb)
    parts = [f"{weights_gb:.2f}"] + ([f"{kv_cache_gb:.2f}"] if kv_cache_gb is not None else []) + [f"{overhead_gb:.2f}"]
    arithmetic.append(f"total = {' + '.join(parts)} ≈ {total_gb:.2f} GB")

    assumptions.append(
        f"On GPUs, {GPU_USABLE_FRACTION:.0%} of the memory counts as usable; the rest is left "
        "for allocator fragmentation and engine workspaces."
    )
    assumptions.append("Multi-GPU targets assume the model is split evenly across their GPUs (tensor parallelism).")
    assumptions.append(
        f"On CPU, {CPU_USABLE_FRACTION:.0%} of RAM counts as usable; {1 - CPU_USABLE_FRACTION:.0%} is "
        "reserved for the operating system, Jupyter and your notebooks."
    )
    if availability and any(value == 0 for value in availability.values()):
        assumptions.append(
            "Shapes whose service limit is reached (no instance available) are listed but not recommended."
        )

    kv_read = None if kv_cache_gb is None else _r2(kv_cache_gb * kv_read_share)
    per_token, per_token_line = bytes_per_token_line(weights_gb, kv_read)
    return _Sizes(
        bytes_per_parameter=weights.bytes_per_parameter,
        parameter_count=weights.parameter_count,
        weights=weights_gb,
        kv_cache=kv_cache_gb,
        overhead=overhead_gb,
        total=total_gb,
        bytes_per_token=per_token,
        bytes_per_token_line=per_token_line,
    )


@dataclass(frozen=True)
class _Weights:
    """The weights' part of the estimate: None in `gb` with the `unknown` keys when it cannot be made."""

    bytes_per_parameter: float
    gb: float | None = None
    parameter_count: int | None = None
    lines: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


_UNKNOWN_PARAMETERS = "parameter_count (safetensors headers or model metadata)"
_EMBEDDINGS_16BIT = 2.0  # bytes: quantized formats keep the embeddings and the output head in 16 bits


def _weights(
    model: ModelSummary | ModelDetail, arch: Architecture | None, dtype: Dtype, chosen: quant_rules.Option | None = None
) -> _Weights:
    """Weights = parameters × bytes per parameter, where the bytes are the quantized checkpoint's
    own format when it has one (whatever `dtype` says), else the chosen quantization's, else `dtype`'s."""
    params = model.parameter_count
    quant = arch.quantization if arch else None
    if quant is None and chosen is not None and chosen.fmt is not None:
        return _chosen_format(params, arch, chosen.fmt, chosen.whole_model)
    if quant is None:
        bpp = bytes_per_parameter(dtype)
        if params is None:
            return _Weights(
                bpp,
                assumptions=["Parameter count unknown: memory cannot be estimated, so no target is marked as fitting."],
                unknown=[_UNKNOWN_PARAMETERS],
            )
        notes: list[str] = []
        if dtype in ("fp8", "int8", "int4"):
            notes.append(
                f"{dtype} assumes quantized weights (e.g. FP8, AWQ, GPTQ or bitsandbytes); "
                "quantization scales add a few percent that is not counted."
            )
        split = _split(params, arch, bpp, f"{_fmt_bytes(bpp)} ({dtype})") if dtype in ("fp8", "int8", "int4") else None
        if split is not None:
            return _Weights(bpp, split[0], params, [split[1]], notes)
        return _every_parameter(params, bpp, f"{_fmt_bytes(bpp)} ({dtype})", notes)

    fmt, why = checkpoint_format(quant)
    if fmt is None:
        return _Weights(
            bytes_per_parameter(dtype),
            assumptions=[f"Weights not estimated: {why}; no target is marked as fitting."],
            unknown=["quantization_config"],
        )
    served = (
        f"The checkpoint is quantized ({fmt.label}): it is served as stored, so its format, not the "
        f"{dtype} chosen, sets the weights ({fmt.how} bytes per quantized parameter)."
    )
    bpp = fmt.bytes_per_parameter
    if quant.method == "gguf":
        if model.size_bytes:
            # The GGUF file is the weights, every tensor in the type it is stored in (a level's mix puts
            # some in a bigger one): its size is exact where the level's bits per weight are an average.
            gb = _r2(model.size_bytes / _GB)
            lines = [f"weights = {gb:.2f} GB (the GGUF file, {fmt.label})"]
            if params is None:
                params = int(model.size_bytes / bpp)
                lines.append(f"parameters = {gb:.2f} GB × 8 / {bpp * 8:g} bits = {_fmt_params(params)}")
            return _Weights(bpp, gb, params, lines, [served])
        if params is None:
            return _Weights(
                bpp,
                assumptions=[served, "Parameter count unknown: memory cannot be estimated."],
                unknown=[_UNKNOWN_PARAMETERS],
            )
        return _every_parameter(params, bpp, f"{fmt.how} ({fmt.label})", [served])
    label = f"{_fmt_bytes(round(bpp, 4))} ({fmt.label})"
    if params is None:
        return _from_checkpoint_size(model, arch, bpp, label, served)
    split = _split(params, arch, bpp, label)
    if split is not None:
        return _Weights(bpp, split[0], params, [split[1]], [served])
    return _every_parameter(
        params,
        bpp,
        label,
        [
            served,
            "Embeddings counted at the quantized size (config.json lacks vocab_size or hidden_size): a little low.",
        ],
        ["vocab_size"] if arch is None or not arch.vocab_size else ["hidden_size"],
    )


def _chosen_format(params: int | None, arch: Architecture | None, fmt: WeightFormat, whole: bool) -> _Weights:
    """A float checkpoint held in a quantization the engine applies (bitsandbytes, fp8 while loading)
    or converts it to (a GGUF level, whose average bits cover every tensor)."""
    bpp = fmt.bytes_per_parameter
    label = f"{_fmt_bytes(round(bpp, 4))} ({fmt.label}: {fmt.how})"
    if params is None:
        return _Weights(
            bpp,
            assumptions=["Parameter count unknown: memory cannot be estimated, so no target is marked as fitting."],
            unknown=[_UNKNOWN_PARAMETERS],
        )
    if whole:
        note = f"{fmt.label}'s bits per weight are llama.cpp's published average for the level's mix of tensor types."
        return _every_parameter(params, bpp, label, [note])
    note = f"{fmt.label} quantizes the linear layers; quantization scales beyond the format's own are not counted."
    split = _split(params, arch, bpp, label)
    if split is not None:
        return _Weights(bpp, split[0], params, [split[1]], [note])
    return _every_parameter(params, bpp, label, [note])


def _every_parameter(
    params: int, bpp: float, label: str, assumptions: list[str], unknown: list[str] | None = None
) -> _Weights:
    """Weights = parameters × `bpp` bytes (`label` names the bytes and their format)."""
    gb = _r2(params * bpp / _GB)
    line = f"weights = {_fmt_params(params)} params × {label} = {gb:.2f} GB"
    return _Weights(bpp, gb, params, [line], assumptions, unknown or [])


def _split(params: int, arch: Architecture | None, bpp: float, label: str) -> tuple[float, str] | None:
    """Quantized linear layers at `bpp`, the embeddings and output head at 16 bits: (GB, the line)."""
    embeddings = unquantized_parameters(arch) if arch else None
    if embeddings is None or embeddings >= params:
        return None
    heads = "embeddings" if arch and arch.tie_word_embeddings else "embeddings + head"
    gb = _r2(((params - embeddings) * bpp + embeddings * _EMBEDDINGS_16BIT) / _GB)
    return gb, (
        f"weights = ({_fmt_params(params)} − {_fmt_params(embeddings)} {heads}) params × {label}"
        f" + {_fmt_params(embeddings)} × 2 bytes = {gb:.2f} GB"
    )


def _from_checkpoint_size(
    model: ModelSummary | ModelDetail, arch: Architecture | None, bpp: float, label: str, served: str
) -> _Weights:
    """A quantized checkpoint whose parameters were not counted: its files are its weights, and
    parameters = embeddings + (file bytes − 2 × embeddings) / bytes per quantized parameter."""
    size = model.size_bytes
    if not size:
        return _Weights(
            bpp,
            assumptions=[served, "Parameter count and checkpoint size unknown: memory cannot be estimated."],
            unknown=[_UNKNOWN_PARAMETERS],
        )
    gb = _r2(size / _GB)
    lines = [f"weights = {gb:.2f} GB (the checkpoint's files, stored {label})"]
    notes = [served, "Weights are the size of the model's files (a few MB of tokenizer and config included)."]
    embeddings = unquantized_parameters(arch) if arch else None
    if embeddings is None or size <= 2 * embeddings:
        return _Weights(bpp, gb, None, lines, notes, ["vocab_size"])
    params = int(embeddings + (size - 2 * embeddings) / bpp)
    lines.append(
        f"parameters = {_fmt_params(embeddings)} embeddings + ({gb:.2f} GB − 2 × {_fmt_params(embeddings)})"
        f" / {_fmt_bytes(round(bpp, 4))} = {_fmt_params(params)}"
    )
    return _Weights(bpp, gb, params, lines, notes)


def require_fit(
    subject: str,
    shape: str,
    target: FitTarget | None,
    total_gb: float | None,
    arithmetic: Sequence[str],
    *,
    usable_gb: float | None = None,
    need_detail: str = "",
    usable_detail: str = "",
    hint: str = "",
) -> None:
    """The one "does not fit" rule of deploy and fine-tune, on every target: InvalidInput on the
    field "shape" when `target` (the chosen shape's row of a fit estimate) cannot hold the `total_gb`
    the estimate needs, with the arithmetic and what to change. Silent when either is unknown (a
    shape without figures, a model of unknown size): the engine or the cloud will tell."""
    if target is None or total_gb is None or target.fits:
        return
    memory = "memory" if target.kind == "local-cpu" else "GPU memory"
    usable = target.memory_gb if usable_gb is None else usable_gb
    raise InvalidInput.field(
        "shape",
        f"{subject} does not fit on {shape}: it needs about {total_gb:.2f} GB of {memory}"
        + (f" ({need_detail})" if need_detail else "")
        + f", and {shape} has {usable:.2f} GB usable"
        + (f" ({usable_detail})" if usable_detail else "")
        + ". "
        + "; ".join(arithmetic)
        + ". "
        + hint,
    )
