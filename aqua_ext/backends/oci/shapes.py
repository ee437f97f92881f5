"""OCI GPU shapes that models can be deployed or fine-tuned on.

Values follow the OCI Compute and Data Science shape documentation. GPU memory
is the vendor's per-GPU figure. OCPUs and CPU memory are the documented
defaults for each shape. They are approximate, because they only appear in the
UI and never affect the memory-fit arithmetic.
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
    # P100 and V100 GPUs (compute capability below 8.0) have no bfloat16 support,
    # and current serving engines target Ampere or newer. These shapes are listed
    # so users who have them can see the numbers, but they are never recommended.
    previous_generation: bool = False

    @property
    def total_gpu_memory_gb(self) -> float:
        return self.gpu_count * self.gpu_memory_gb_per_gpu


# Ordered from the smallest total GPU memory to the largest, so the UI can list
# the shapes as they are.
OCI_GPU_SHAPES: tuple[GpuShape, ...] = (
    GpuShape("VM.GPU2.1", "P100", 1, 16, 72, 12, previous_generation=True),
    GpuShape("VM.GPU3.1", "V100", 1, 16, 90, 6, previous_generation=True),
    GpuShape("VM.GPU.A10.1", "A10", 1, 24, 240, 15),
    GpuShape("VM.GPU3.2", "V100", 2, 16, 180, 12, previous_generation=True),
    GpuShape("VM.GPU.A10.2", "A10", 2, 24, 480, 30),
    GpuShape("VM.GPU3.4", "V100", 4, 16, 360, 24, previous_generation=True),
    GpuShape("BM.GPU.A10.4", "A10", 4, 24, 1024, 64),
    GpuShape("BM.GPU.L40S.4", "L40S", 4, 48, 1024, 112),
    GpuShape("BM.GPU4.8", "A100 40GB", 8, 40, 2048, 64),
    GpuShape("BM.GPU.A100-v2.8", "A100 80GB", 8, 80, 2048, 128),
    GpuShape("BM.GPU.H100.8", "H100", 8, 80, 2048, 112),
    GpuShape("BM.GPU.H200.8", "H200", 8, 141, 3072, 112),
)


def get_shape(name: str) -> GpuShape | None:
    """The shape with this exact name, or None when it is not a known GPU shape."""
    return next((s for s in OCI_GPU_SHAPES if s.name == name), None)
