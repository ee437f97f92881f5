"""Training memory fit: how much memory fine-tuning a model needs, and where it fits.

Like the serving fit (memory_fit.py), a deliberately simple estimate shown line by line:

    weights      = parameters × bytes per parameter (float32 on CPU, bfloat16 on GPU)
    trainable    = LoRA: r × (d_in + d_out) per adapted matrix; last layers: their share
    gradients + optimizer = trainable × (bytes per parameter + 8 bytes of Adam state in float32)
    activations  = batch × sequence × hidden × layers × 34 bytes × (bytes per parameter / 2)
    overhead     = max(1 GB, 10% of weights)

The activation term is the per-layer rule of thumb for transformer training without
recomputation (Korthikanti et al., 2022, with the attention-score term left out); it
over-estimates for short sequences, which is the safe side for a preflight.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..api.finetunes import FineTuneParams, TrainingFit
from ..api.fit import Dtype, FitTarget
from ..api.info import Hardware
from ..api.models import ModelDetail
from ..backends.oci.shapes import GpuShape
from .memory_fit import CPU_USABLE_FRACTION, GPU_USABLE_FRACTION
from .weight_bytes import bytes_per_parameter

_GB = 1e9
ADAM_STATE_BYTES = 8  # two float32 moments per trainable parameter
ACTIVATION_BYTES_16BIT = 34  # per token × hidden × layer
LORA_MATRICES_PER_LAYER = 7  # q, k, v, o, gate, up, down: "all-linear" on a Llama-style block


def _r2(value: float) -> float:
    return round(value + 0.0, 2)


def _params_text(count: float) -> str:
    for unit, size in (("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if count >= size:
            return f"{count / size:.3g}{unit}"
    return f"{count:.0f}"


def estimate_training_fit(
    model: ModelDetail,
    params: FineTuneParams,
    dtype: Dtype,
    *,
    hardware: Hardware | None = None,
    shapes: Sequence[GpuShape] = (),
    availability: Mapping[str, int | None] | None = None,
) -> TrainingFit:
    """The estimate for training `model` with `params` in `dtype`, against this machine
    (`hardware`, local backend) or the job `shapes` (OCI)."""
    arithmetic: list[str] = []
    assumptions: list[str] = []
    arch = model.architecture
    count = model.parameter_count
    layers = arch.num_hidden_layers if arch else None
    hidden = arch.hidden_size if arch else None
    if count is None or not layers or not hidden:
        assumptions.append("Parameter count or architecture unknown: training memory cannot be estimated.")
        return TrainingFit(
            dtype=dtype,
            total_gb=None,
            arithmetic=[],
            assumptions=assumptions,
            targets=_targets(None, hardware, shapes, availability),
            recommended_shape=None,
        )

    bpp = bytes_per_parameter(dtype)
    weights = count * bpp / _GB
    arithmetic.append(f"weights = {_params_text(count)} params × {bpp:g} B ({dtype}) = {weights:.2f} GB")

    if params.training_type == "lora":
        matrices = len(params.lora_target_modules) or LORA_MATRICES_PER_LAYER
        trainable = float(layers * matrices * params.lora_r * 2 * hidden)
        arithmetic.append(
            f"trainable = {layers} layers × {matrices} matrices × r {params.lora_r} × 2 × "
            f"{hidden} hidden = {_params_text(trainable)} params"
        )
        assumptions.append(
            "LoRA matrices are taken as hidden × hidden; MLP projections are wider, so the "
            "adapter is somewhat larger (still small next to the weights)."
        )
    else:
        n = min(params.last_n_layers, layers)
        trainable = count * n / layers
        arithmetic.append(f"trainable = {_params_text(count)} × {n}/{layers} layers = {_params_text(trainable)} params")
    optimizer = trainable * (bpp + ADAM_STATE_BYTES) / _GB
    arithmetic.append(
        f"gradients + Adam = {_params_text(trainable)} × ({bpp:g} + {ADAM_STATE_BYTES}) B = {optimizer:.2f} GB"
    )

    act_bytes = ACTIVATION_BYTES_16BIT * bpp / 2
    activations = params.batch_size * params.max_seq_length * hidden * layers * act_bytes / _GB
    arithmetic.append(
        f"activations = batch {params.batch_size} × {params.max_seq_length} tokens × {hidden} hidden × "
        f"{layers} layers × {act_bytes:g} B = {activations:.2f} GB"
    )
    assumptions.append(
        "Activations assume every sequence padded to the full length and no gradient checkpointing: the worst case."
    )
    overhead = max(1.0, 0.1 * weights)
    arithmetic.append(f"overhead = max(1 GB, 10% of weights) = {overhead:.2f} GB")
    total = _r2(weights + optimizer + activations + overhead)
    arithmetic.append(f"total ≈ {total:.2f} GB")
    targets = _targets(total, hardware, shapes, availability)
    recommended = next((t.name for t in targets if t.recommended), None)
    return TrainingFit(
        dtype=dtype,
        total_gb=total,
        arithmetic=arithmetic,
        assumptions=assumptions,
        targets=targets,
        recommended_shape=recommended,
    )


def _fit(
    name: str, kind: str, gpus: int, memory: float, usable: float, total: float | None, available: int | None = None
) -> FitTarget:
    fits = total is not None and total <= usable
    return FitTarget(
        name=name,
        kind=kind,
        gpu_count=gpus,
        memory_gb=_r2(memory),
        fits=fits,
        headroom_gb=_r2(usable - total) if total is not None else 0.0,
        available=available,
    )


def _targets(
    total: float | None,
    hardware: Hardware | None,
    shapes: Sequence[GpuShape],
    availability: Mapping[str, int | None] | None,
) -> list[FitTarget]:
    targets: list[FitTarget] = []
    if hardware is not None:
        # Local shapes are named as the form names them: "gpu" (the first GPU) and "cpu".
        if hardware.gpus:
            gpu = hardware.gpus[0]
            targets.append(_fit("gpu", "local-gpu", 1, gpu.memory_gb, gpu.memory_gb * GPU_USABLE_FRACTION, total))
        ram = hardware.memory_gb
        targets.append(_fit("cpu", "local-cpu", 0, ram, ram * CPU_USABLE_FRACTION, total))
    for shape in shapes:
        memory = shape.total_gpu_memory_gb
        targets.append(
            _fit(
                shape.name,
                "oci-shape",
                shape.gpu_count,
                memory,
                memory * GPU_USABLE_FRACTION,
                total,
                (availability or {}).get(shape.name),
            )
        )
    fitting = [t for t in targets if t.fits and t.available != 0]
    if fitting:
        # Locally the GPU comes first; on OCI the least memory that holds it is the cheapest.
        best = fitting[0] if hardware is not None else min(fitting, key=lambda t: (t.memory_gb, t.gpu_count))
        best.recommended = True
    return targets
