"""The model deployment shapes of the compartment and their service limits, for deploy and memory fit.

- shapes: ListModelDeploymentShapes, cached like the model list (concurrent callers share one listing);
- limits: one GetResourceAvailability per distinct service limit, at once, cached with the shapes until
  our own next change of a deployment (`forget_limits`); a limit that cannot be read is "unknown".
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from ...errors import AquaError, InvalidInput
from .context import OciContext
from .limits import SERVICE_NAME as LIMITS_SERVICE
from .limits import limit_of, read_available
from .shapes import OCI_GPU_SHAPES, GpuShape

log = logging.getLogger(__name__)

# Service limits are a nicety of the fit and an early word at deploy: a read that fails is kept as
# "unknown" this long (not the whole cache lifetime), and one read never waits longer than this.
LIMIT_FAILURE_CACHE_SECONDS = 60.0
LIMIT_READ_BUDGET_SECONDS = 10.0


class OciShapes:
    def __init__(self, ctx: OciContext) -> None:
        self.ctx = ctx
        self.settings = ctx.settings
        self._shapes: tuple[float, list[Any]] | None = None
        self._shapes_task: asyncio.Task[list[Any]] | None = None
        # Service limits: limit name → (time read, GPUs still available or None when unreadable).
        self._limits: dict[str, tuple[float, int | None]] = {}
        self._limit_tasks: dict[str, asyncio.Task[int | None]] = {}
        self._limits_generation = 0  # bumped when our own changes make the cached values stale

    @staticmethod
    def _age(stamp: float) -> float:
        return time.monotonic() - stamp

    # ---- shapes ----------------------------------------------------------------

    async def shapes(self) -> list[Any]:
        """ListModelDeploymentShapes of the compartment, cached like the model list (concurrent
        callers, e.g. the fit's shapes and availability, share one listing)."""
        if self._shapes is not None and self._age(self._shapes[0]) < self.settings.cache_seconds:
            return self._shapes[1]
        if self._shapes_task is None or self._shapes_task.done():
            self._shapes_task = asyncio.get_running_loop().create_task(self._fetch_shapes())
        return await asyncio.shield(self._shapes_task)

    async def _fetch_shapes(self) -> list[Any]:
        c = self.ctx.client()
        items = await c.list_all(
            "datascience", c.data_science.list_model_deployment_shapes, self.settings.compartment_id
        )
        self._shapes = (time.monotonic(), items)
        return items

    # ---- service limits --------------------------------------------------------

    def forget_limits(self) -> None:
        """Our own create / start / stop / delete changes what the limits allow: read them again."""
        self._limits.clear()
        self._limit_tasks.clear()  # a read in flight may predate the change: later askers start their own
        self._limits_generation += 1

    async def limit_units(self, names: set[str]) -> dict[str, int | None]:
        """Units (GPUs) each service limit still allows in the compartment, one GetResourceAvailability
        per limit not cached, all at once; None for a limit OCI would not tell (no policy, an unknown
        name, OCI unreachable). Never raises."""
        out: dict[str, int | None] = {}
        missing: list[str] = []
        for name in sorted(names):
            hit = self._limits.get(name)
            keep = (
                self.settings.cache_seconds
                if hit is not None and hit[1] is not None
                else min(self.settings.cache_seconds, LIMIT_FAILURE_CACHE_SECONDS)
            )
            if hit is not None and self._age(hit[0]) < keep:
                out[name] = hit[1]
            else:
                missing.append(name)
        if missing:
            loop = asyncio.get_running_loop()
            tasks = []
            for name in missing:  # concurrent askers (fit and deploy) share one read per limit
                task = self._limit_tasks.get(name)
                if task is None or task.done():
                    task = self._limit_tasks[name] = loop.create_task(self._fetch_limit(name))
                tasks.append(task)
            values = await asyncio.gather(*(asyncio.shield(t) for t in tasks))
            out.update(zip(missing, values, strict=True))
        return out

    async def _fetch_limit(self, name: str) -> int | None:
        generation = self._limits_generation
        value = await read_available(
            self.ctx.client(), LIMITS_SERVICE, name, self.settings.compartment_id, LIMIT_READ_BUDGET_SECONDS
        )
        if generation == self._limits_generation:  # not made stale by our own change meanwhile
            self._limits[name] = (time.monotonic(), value)
        return value

    async def shape_availability(self, shape_names: list[str]) -> dict[str, int | None]:
        """Shape name → how many more instances its service limit allows (None: unknown), for the
        GPU shapes among `shape_names`; one read per distinct limit."""
        limits = {name: lim for name in shape_names if (lim := limit_of(name)) is not None}
        units = await self.limit_units({lim.name for lim in limits.values()})
        return {name: lim.instances(units.get(lim.name)) for name, lim in limits.items()}

    async def check_limit(self, shape: str, replicas: int) -> None:
        """A chosen GPU shape whose service limit has no room for `replicas` more instances is refused
        before CreateModelDeployment; an unreadable limit lets OCI decide."""
        lim = limit_of(shape)
        if lim is None:
            return
        units = (await self.limit_units({lim.name})).get(lim.name)
        room = lim.instances(units)
        if room is None or room >= replicas:
            return
        gpus = f"{units} GPU{'s' if units != 1 else ''} left, {lim.per_instance} per instance"
        if room == 0:
            why = f"{shape} has reached its service limit {lim.name} ({gpus})"
        else:
            why = (
                f"the service limit {lim.name} allows {room} more {shape} instance{'s' if room != 1 else ''} "
                f"({gpus}), not {replicas}"
            )
        raise InvalidInput.field("shape", f"{why}; request a limit increase or choose another shape")

    # ---- memory fit ------------------------------------------------------------

    async def fit_shapes(self) -> list[GpuShape] | None:
        """The GPU shapes ListModelDeploymentShapes offers in the compartment (cached like the
        listing); None, so every known shape is shown, when OCI cannot say."""
        try:
            items = await self.shapes()  # shared with deploy, cached like the listing
        except AquaError as exc:
            log.info("OCI deployment shapes unavailable, memory fit shows every known shape: %s", exc.message)
            return None
        names = {item.name for item in items}
        return [shape for shape in OCI_GPU_SHAPES if shape.name in names]

    async def fit_availability(self) -> dict[str, int | None] | None:
        """How many more instances of each of those shapes the service limits allow (None where a
        limit cannot be read, e.g. without an "inspect resource-availability" policy). Never raises."""
        try:
            items = await self.shapes()  # shared with fit_shapes when both run at once
        except AquaError:
            return None
        names = {item.name for item in items}
        return await self.shape_availability([s.name for s in OCI_GPU_SHAPES if s.name in names])
