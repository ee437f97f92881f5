"""Which OCI Data Science service limit a model deployment shape counts against.

Data Science names its model deployment limits after the Compute ones with a `ds-` prefix, one
per GPU family, counted in GPUs (a VM.GPU.A10.2 instance takes 2 of `ds-gpu-a10-count`; Oracle's
AQUA compares a limit's `available` with the shape's GPU count the same way). `ds-gpu-a10-count`
and `ds-gpu4-count` are the names AQUA itself uses; the others follow the same rule from the Compute
limit names (`gpu2-count`, `gpu3-count`, `gpu-a100-v2-count`, `gpu-h100-count`, `gpu-h200-count`,
`gpu-l40s-count`). A name OCI does not know answers 404, which reads as "unknown", never as 0.

Only GPU shapes are mapped: they are the ones the memory fit lists. CPU shapes count cores of a
size chosen per deployment; for them OCI's own LimitExceeded at create stays the answer.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from ...errors import AquaError
from .clients import OciClients
from .shapes import get_shape

log = logging.getLogger(__name__)

SERVICE_NAME = "data-science"

# (shape name prefixes, limit name), first match wins.
_GPU_LIMITS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("VM.GPU.A10.", "BM.GPU.A10."), "ds-gpu-a10-count"),
    (("VM.GPU2.", "BM.GPU2."), "ds-gpu2-count"),
    (("VM.GPU3.", "BM.GPU3."), "ds-gpu3-count"),
    (("BM.GPU4.",), "ds-gpu4-count"),
    (("BM.GPU.A100-v2.",), "ds-gpu-a100-v2-count"),
    (("BM.GPU.H100.",), "ds-gpu-h100-count"),
    (("BM.GPU.H200.",), "ds-gpu-h200-count"),
    (("BM.GPU.L40S.",), "ds-gpu-l40s-count"),
)


@dataclass(frozen=True)
class ShapeLimit:
    name: str  # the limit, e.g. "ds-gpu-a10-count"
    per_instance: int  # units (GPUs) one instance of the shape takes

    def instances(self, units: int | None) -> int | None:
        """How many instances `units` left in the limit allow (None: unknown)."""
        return None if units is None else max(0, units) // self.per_instance


def limit_of(shape_name: str) -> ShapeLimit | None:
    """The limit a GPU shape counts against, or None (CPU shapes, unknown shapes)."""
    gpu = get_shape(shape_name)
    if gpu is None:
        return None
    for prefixes, name in _GPU_LIMITS:
        if shape_name.startswith(prefixes):
            return ShapeLimit(name, max(1, gpu.gpu_count))
    return None


async def read_available(c: OciClients, service: str, name: str, compartment_id: str, budget: float) -> int | None:
    """What service limit `name` of `service` has left in the compartment (GetResourceAvailability), or
    None when OCI would not tell within `budget` seconds (no policy, an unknown name, unreachable). Never
    raises: a limit is a nicety of a form, OCI's own LimitExceeded at create stays the answer."""
    try:
        response = await asyncio.wait_for(
            c.call("limits", c.limits.get_resource_availability, service, name, compartment_id, list_read=True),
            budget,
        )
    except (AquaError, asyncio.TimeoutError) as exc:
        why = exc.message if isinstance(exc, AquaError) else f"no answer within {budget:g} s"
        log.info("OCI service limit %s/%s unreadable: %s", service, name, why)
        return None
    available = getattr(response.data, "available", None)
    return int(available) if isinstance(available, (int, float)) else None
