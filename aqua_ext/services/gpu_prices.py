"""List prices of OCI GPU shapes, per GPU hour, for the Data Science hourly estimate shown beside a
Generative AI dedicated AI cluster's.

THESE ARE LIST PRICES THAT MAY BE OUT OF DATE. They are the pay-as-you-go "GPU per hour" figures of
Oracle's compute price list (https://www.oracle.com/cloud/compute/pricing/ and
https://www.oracle.com/cloud/price-list/), in USD, as of when they were written here; they could not be
re-checked against the live page from this workplace. Negotiated (Universal Credits) rates are lower,
regions may differ, and Data Science adds no charge of its own on top of the compute. A shape missing
here has no estimate (None), never a guessed one. Keys are the shape names of backends/oci/shapes.py.
"""

from __future__ import annotations

from ..api.genai import ShapeListCost
from ..backends.oci.shapes import get_shape

PRICE_SOURCE = "Oracle's compute price list (list price per GPU hour, USD; may be out of date)"

GPU_HOUR_LIST_PRICE_USD: dict[str, float] = {
    "VM.GPU.A10.1": 2.00,  # A10, GPU per hour
    "VM.GPU.A10.2": 2.00,
    "BM.GPU.A10.4": 2.00,
    "BM.GPU.L40S.4": 3.50,  # L40S
    "BM.GPU4.8": 3.05,  # A100 40 GB
    "BM.GPU.A100-v2.8": 4.00,  # A100 80 GB
    "BM.GPU.H100.8": 10.00,  # H100
    "BM.GPU.H200.8": 10.00,  # H200
    "BM.GPU.MI300X.8": 6.00,  # AMD MI300X
    # BM.GPU.B200.8 and BM.GPU.GB200.4: no list price recorded here; their estimate is None.
}


def shape_hourly(shape: str, replicas: int = 1) -> ShapeListCost:
    """The list-price hourly cost of `replicas` instances of a Data Science GPU shape:
    GPUs × price per GPU hour × replicas; `hourly` None when the shape or its price is unknown."""
    gpu = get_shape(shape)
    price = GPU_HOUR_LIST_PRICE_USD.get(shape)
    if gpu is None or price is None:
        return ShapeListCost(
            shape=shape,
            replicas=replicas,
            gpu_count=gpu.gpu_count if gpu else 0,
            price_per_gpu_hour=None,
            hourly=None,
            note=f"No list price is recorded for {shape}; see the OCI price list.",
        )
    hourly = round(gpu.gpu_count * price * replicas, 2)
    line = f"{gpu.gpu_count} GPU × ${price:.2f} per GPU hour × {replicas} replica{'s' if replicas != 1 else ''}"
    return ShapeListCost(
        shape=shape,
        replicas=replicas,
        gpu_count=gpu.gpu_count,
        price_per_gpu_hour=price,
        hourly=hourly,
        arithmetic=[f"{line} = ${hourly:,.2f} per hour"],
        note=PRICE_SOURCE,
    )
