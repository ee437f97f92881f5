"""The targets a server (or the CLI) enables side by side, and which one owns a resource.

Each target is a driver (a `Backend`: local, oci, ...) started once, on first use or by the
server's start hook. A target that fails to start is tried again `retry_seconds` later (a fixed
OCI config file is picked up without restarting Jupyter) and never hides the others: lists merge
the targets that started and report the others as problems.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from ..api.info import BackendDescription, Hardware
from ..backends.base import Backend
from ..errors import AquaError, InvalidInput, NotFound, Unavailable
from .adapters import adapter_engines

LABELS = {"local": "Local (this machine)", "oci": "OCI Data Science", "genai": "OCI Generative AI"}


@dataclass(frozen=True)
class TargetProblem:
    """A target that could not answer (it did not start, or its list failed)."""

    target: str
    message: str


async def _nothing() -> None:
    return None


class _Slot:
    def __init__(self, driver: Backend) -> None:
        self.driver = driver
        self.task: asyncio.Task[None] | None = None
        self.started_at = 0.0


class Targets:
    """The enabled targets by name, in their configured order (the first ready one is the default)."""

    def __init__(
        self,
        drivers: Sequence[Backend],
        *,
        retry_seconds: float = 30.0,
        hardware: Callable[[], Awaitable[Hardware]] | None = None,
        started: bool = False,
        start_wait_seconds: float = 10.0,
    ) -> None:
        """`started`: the drivers were started by the caller (tests, a driver shared with another
        registry); they are not started again. `start_wait_seconds`: how long a merged list waits for
        a target that is still starting (e.g. OCI unreachable from a laptop) once another is ready."""
        if not drivers:
            raise ValueError("at least one target")
        self._slots = {d.kind: _Slot(d) for d in drivers}
        self._started = started
        self.start_wait_seconds = start_wait_seconds
        self.retry_seconds = retry_seconds
        self._hardware = hardware

    @property
    def names(self) -> list[str]:
        return list(self._slots)

    def driver(self, name: str) -> Backend:
        """The driver of a target, started or not (for describing it, closing it, tests)."""
        slot = self._slots.get(name)
        if slot is None:
            raise InvalidInput.field("target", f"'{name}' is not an enabled target (enabled: {', '.join(self.names)})")
        return slot.driver

    # ---- starting ------------------------------------------------------------

    async def get(self, name: str) -> Backend:
        """The target `name`, started once: by the server's start hook or by the first request,
        whichever comes first. Unavailable (503) with the reason when it cannot start."""
        slot = self._slots.get(name)
        if slot is None:
            raise InvalidInput.field("target", f"'{name}' is not an enabled target (enabled: {', '.join(self.names)})")
        task = slot.task
        failed = task is not None and task.done() and not task.cancelled() and task.exception() is not None
        if task is None and self._started:
            slot.task = asyncio.get_running_loop().create_task(_nothing())
        elif task is None or (failed and time.monotonic() - slot.started_at >= self.retry_seconds):
            slot.started_at = time.monotonic()
            slot.task = asyncio.get_running_loop().create_task(slot.driver.start())
        assert slot.task is not None
        try:
            await asyncio.shield(slot.task)
        except Exception as exc:
            # The server keeps running: `info` shows the problem, this target's routes answer 503.
            message = exc.message if isinstance(exc, AquaError) else str(exc)
            raise Unavailable(f"The {name} backend could not start: {message}") from exc
        return slot.driver

    async def started(self) -> tuple[list[Backend], list[TargetProblem]]:
        """Every target that started (starting those not started yet, all at once), and a problem
        for each that did not. A slow start never holds the others back for more than
        `start_wait_seconds`: it goes on in the background and is reported as still starting."""
        tasks = {name: asyncio.ensure_future(self.get(name)) for name in self.names}
        _, pending = await asyncio.wait(tasks.values(), timeout=self.start_wait_seconds)
        while pending and not any(t.done() and t.exception() is None for t in tasks.values()):
            # None is ready yet: wait on, for the first that starts (or for every one to fail).
            _, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        drivers: list[Backend] = []
        problems: list[TargetProblem] = []
        for name, task in tasks.items():
            if task in pending:
                task.cancel()  # only this wait: the start itself is shielded and goes on
                problems.append(TargetProblem(name, f"The {name} target is still starting; try again shortly."))
                continue
            error = task.exception()
            if error is None:
                drivers.append(task.result())
            elif isinstance(error, AquaError):
                problems.append(TargetProblem(name, error.message))
            else:
                raise error
        return drivers, problems

    async def default(self) -> Backend:
        """Where a create request that names no target goes: the first enabled target that started."""
        drivers, problems = await self.started()
        if drivers:
            return drivers[0]
        raise Unavailable(problems[0].message)

    async def for_create(self, name: str | None) -> Backend:
        return await self.get(name) if name else await self.default()

    async def hardware(self) -> Hardware | None:
        """This machine's hardware (what local deployments and jobs run on), probed once."""
        return await self._hardware() if self._hardware is not None else None

    # ---- routing by id ---------------------------------------------------------

    def owner(self, resource_id: str) -> str:
        """The name of the target that owns `resource_id` (asked of each driver, in order). With one
        target enabled, it answers for every id (its driver says when an id is not one of its own)."""
        if len(self._slots) == 1:
            return next(iter(self._slots))
        for name, slot in self._slots.items():
            if slot.driver.owns(resource_id):
                return name
        raise NotFound(f"No enabled target owns the id '{resource_id}' (enabled: {', '.join(self.names)}).")

    async def route(self, resource_id: str) -> Backend:
        """The started driver that owns `resource_id`."""
        return await self.get(self.owner(resource_id))

    # ---- describing --------------------------------------------------------------

    async def describe(self) -> list[BackendDescription]:
        """Every enabled target: ready or why not, and what it runs on (hardware or shapes)."""
        return list(await asyncio.gather(*(self._describe(n) for n in self.names)))

    async def _describe(self, name: str) -> BackendDescription:
        driver = self._slots[name].driver
        try:
            if len(self._slots) == 1:
                await self.get(name)
            else:  # a slow start (OCI unreachable) does not keep the other targets from being shown
                try:
                    await asyncio.wait_for(self.get(name), self.start_wait_seconds)
                except asyncio.TimeoutError:
                    raise Unavailable(f"The {name} target is still starting; try again shortly.") from None
        except Unavailable as exc:
            settings = getattr(driver, "settings", None)  # the OCI driver's, for region/compartment
            return BackendDescription(
                kind=driver.kind,
                name=name,
                label=LABELS.get(name, name),
                ready=False,
                problem=exc.message,
                region=getattr(settings, "region", None) or None,
                compartment_id=getattr(settings, "compartment_id", None) or None,
            )
        description = await driver.describe()
        update: dict[str, object] = {"name": name, "adapter_engines": adapter_engines(driver.kind)}
        if driver.kind == "local":
            update["hardware"] = await self.hardware()
        shapes = await driver.target_shapes()
        if shapes is not None:
            update["shapes"] = shapes
        return description.model_copy(update=update)

    async def close(self) -> None:
        for slot in self._slots.values():
            try:
                await slot.driver.close()
            finally:
                if slot.task is not None and not slot.task.done():
                    slot.task.cancel()
