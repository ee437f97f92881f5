"""Idle stop: an ACTIVE deployment with `idle_stop_minutes` is deactivated once that many minutes
pass without a request through this server (services/traffic.py counts them where they stream).

The rule (when a deployment is idle) is `idle_stop_at`, the one place it lives: the detail shows
its answer and the watcher acts on it. The watcher runs in the Jupyter server only (the CLI sees no
traffic) and deactivates through `Deployments.deactivate`, the call a user's Deactivate makes, so
the lifecycle table still decides whether the deployment may be deactivated. Per target, only the
process that watches its running deployments acts (`Backend.watches_deployments`): locally the
holder of the data dir's lease; on OCI every server, for the deployments whose idle clock it knows.

The idle clock starts at the latest of: when the deployment last became ACTIVE (where the target
knows it), the last request this server relayed, and this server's start. With neither of the
first two known (an OCI deployment another server activated, nothing relayed here yet), this
server has no idle clock for it: it may be busy through another server, so this one waits for a
request of its own before it counts."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from ..api.deployments import DeploymentState, DeploymentSummary
from ..backends.local.monitor import Monitor
from ..errors import AquaError
from .traffic import Traffic

if TYPE_CHECKING:
    from .deployments import Deployments

log = logging.getLogger(__name__)

# A look lists every target's deployments (on OCI one ListModelDeployments call): once a minute is
# precise enough for a stop counted in minutes.
LOOK_INTERVAL_S = 60.0


def idle_stop_at(item: DeploymentSummary, traffic: Traffic) -> datetime | None:
    """When `item` is to be deactivated for idleness if no request comes; None when it has no idle
    stop, is not ACTIVE, is serving a request now, or this server knows no idle clock for it."""
    if item.idle_stop_minutes is None or item.state != DeploymentState.ACTIVE or traffic.in_flight(item.id):
        return None
    active = item.active_since.timestamp() if item.active_since else None
    last = traffic.last_request(item.id)
    known = [t for t in (active, last) if t is not None]
    if not known:
        return None
    idle_since = max(*known, traffic.since)
    return datetime.fromtimestamp(idle_since + item.idle_stop_minutes * 60, tz=timezone.utc)


def idle_reason(minutes: int, at: datetime) -> str:
    return f"Stopped by idle stop at {at:%Y-%m-%d %H:%M} UTC: no request for {minutes} minutes; activate to serve again"


class IdleStop:
    def __init__(self, deployments: Deployments, *, interval: float = LOOK_INTERVAL_S) -> None:
        self.deployments = deployments
        self.traffic = deployments.traffic
        self._monitor = Monitor(self._look, interval=interval, what="idle stop")

    def start(self) -> None:
        self._monitor.start()

    async def close(self) -> None:
        await self._monitor.close()

    async def _look(self) -> None:
        await self.look()

    async def look(self) -> list[str]:
        """Deactivate every deployment whose idle time is up; the ids it deactivated."""
        listing = await self.deployments.list()
        stopped: list[str] = []
        for item in listing.items:
            if item.idle_stop_minutes is None or item.state != DeploymentState.ACTIVE:
                continue
            driver = await self.deployments.targets.get(item.target)
            if not driver.watches_deployments():
                continue
            # Judged after the last await before the deactivation: a request that came meanwhile counts.
            at = idle_stop_at(item, self.traffic)
            now = datetime.fromtimestamp(self.traffic.clock(), tz=timezone.utc)
            if at is None or now < at:
                continue
            try:
                await self.deployments.deactivate(item.id, reason=idle_reason(item.idle_stop_minutes, now))
            except AquaError as exc:  # it changed meanwhile (deleted, deactivated): the next look sees it
                log.info("idle stop of %s: %s", item.id, exc.message)
                continue
            log.info("deployment %s (%s) stopped after %s idle minutes", item.id, item.name, item.idle_stop_minutes)
            stopped.append(item.id)
        return stopped
