"""OCI GPU shapes that models can be deployed or fine-tuned on.

Values follow the OCI Compute and Data Science shape documentation. GPU memory
is the vendor's per-GPU figure (the fit counts 90% of it as usable). OCPUs and
CPU memory are the documented defaults for each shape. They are approximate,
because they only appear in the UI and never affect the memory-fit arithmetic.

Only shapes vLLM (the serving container of AQUA and of this extension) runs on
are listed: P100 (VM.GPU2.1, compute capability 6.0) is below vLLM's minimum of
7.0, and V100 (VM.GPU3.*, BM.GPU3.8, 7.0, no bfloat16) is left out because
vLLM's V1 engine, the only one since v0.11, has no attention kernel for it in
the CUDA builds AQUA's containers use. A shape missing here is one the fit
cannot size, never one it says fits.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GpuShape:
    """One fixed OCI GPU shape. VM shapes are virtual machines and BM shapes are
    bare metal."""

    name: str
    gpu_type: str
    gpu_count: int
    gpu_memory_gb_per_gpu: float
    cpu_memory_gb: float
    ocpus: int

    @property
    def total_gpu_memory_gb(self) -> float:
        return self.gpu_count * self.gpu_memory_gb_per_gpu


# Ordered from the smallest total GPU memory to the largest, so the UI can list
# the shapes as they are.
OCI_GPU_SHAPES: tuple[GpuShape, ...] = (
    GpuShape("VM.GPU.A10.1", "A10", 1, 24, 240, 15),
    GpuShape("VM.GPU.A10.2", "A10", 2, 24, 480, 30),
    GpuShape("BM.GPU.A10.4", "A10", 4, 24, 1024, 64),
    GpuShape("BM.GPU.L40S.4", "L40S", 4, 48, 1024, 112),
    GpuShape("BM.GPU4.8", "A100 40GB", 8, 40, 2048, 64),
    GpuShape("BM.GPU.A100-v2.8", "A100 80GB", 8, 80, 2048, 128),
    GpuShape("BM.GPU.H100.8", "H100", 8, 80, 2048, 112),
    GpuShape("BM.GPU.GB200.4", "GB200", 4, 186, 960, 144),  # 4 B200 GPUs of a GB200 NVL72 rack, 186 GB each
    GpuShape("BM.GPU.H200.8", "H200", 8, 141, 3072, 112),
    GpuShape("BM.GPU.B200.8", "B200", 8, 180, 4096, 128),
    GpuShape("BM.GPU.MI300X.8", "MI300X", 8, 192, 2048, 112),  # AMD: vLLM's ROCm build
)


def get_shape(name: str) -> GpuShape | None:
    """The shape with this exact name, or None when it is not a known GPU shape."""
    return next((s for s in OCI_GPU_SHAPES if s.name == name), None)
