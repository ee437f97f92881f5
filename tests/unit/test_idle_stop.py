"""Idle stop (services/idle_stop.py): a deployment with `idle_stop_minutes` is deactivated, with the
reason in its detail, once that many minutes pass without a request through this server; a request
(or one in flight) resets the clock; only the process watching the target's deployments acts.

The clock is injected (services/traffic.Traffic): minutes pass in a statement, nothing sleeps."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from aqua_ext.api.deployments import CreateDeploymentRequest, DeploymentState, UpdateDeploymentRequest
from aqua_ext.api.models import RegisterModelRequest
from aqua_ext.api.operations import OperationState
from aqua_ext.backends.local import engines
from aqua_ext.errors import Conflict
from aqua_ext.services.deployments import Deployments
from aqua_ext.services.idle_stop import IdleStop
from aqua_ext.services.targets import Targets
from aqua_ext.services.traffic import Traffic
from tests.handlers.test_oci_deployments import finished, oci_backend
from tests.oci_setup import OciWorld, seed_deployable_model
from tests.unit.test_lease import engine_of, fake_llama, gguf_folder, running

__all__ = ["fake_llama"]  # the fixture, used by name

MINUTE = 60.0


class Clock:
    """Seconds since the epoch, moved by the test."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += minutes * MINUTE


def watched(backend: Any, clock: Clock) -> tuple[Deployments, IdleStop]:
    deployments = Deployments(Targets([backend], started=True), Traffic(clock=clock))
    return deployments, IdleStop(deployments)


async def deploy_gguf(backend: Any, deployments: Deployments, root: Any, name: str, minutes: int) -> str:
    """A GGUF folder registered and deployed on the stand-in llama-server, ACTIVE; its id."""
    registered = await backend.register_model(RegisterModelRequest(source="local_folder", path=str(gguf_folder(root))))
    assert registered.model is not None
    created = await deployments.create(
        CreateDeploymentRequest(model_id=registered.model.id, name=name, idle_stop_minutes=minutes)
    )
    assert (await backend.operations.wait(created.operation.id, timeout=60)).state == OperationState.SUCCEEDED
    return created.deployment.id


def request(deployments: Deployments, deployment_id: str, tokens: int = 3) -> None:
    """What the chat route and the pass-through record of one relayed request."""
    meter = deployments.traffic.begin(deployment_id)
    meter.tokens(tokens)
    meter.end()


@pytest.mark.parametrize("minutes", [0, 4, 7 * 24 * 60 + 1])
def test_idle_stop_minutes_is_bounded(minutes: int) -> None:
    with pytest.raises(ValidationError, match="idle_stop_minutes"):
        CreateDeploymentRequest(model_id="m", name="모델 配備", idle_stop_minutes=minutes)


@pytest.mark.engine
async def test_a_local_deployment_idles_to_inactive_and_requests_reset_the_clock(
    tmp_path: Any, fake_llama: None
) -> None:
    clock = Clock()
    async with running(tmp_path) as backend:
        assert backend.watches_deployments()  # the only process on this data dir holds the lease
        deployments, idle = watched(backend, clock)
        dep = await deploy_gguf(backend, deployments, tmp_path, "한국어 チャット", 10)

        detail = await deployments.get(dep)
        assert detail.state == DeploymentState.ACTIVE and detail.idle_stop_minutes == 10
        assert detail.active_since is not None and detail.last_request_at is None
        assert detail.idle_stop_at == detail.active_since + timedelta(minutes=10)

        clock.advance(9)
        assert await idle.look() == []
        request(deployments, dep)  # at minute 9: the clock starts again
        detail = await deployments.get(dep)
        assert detail.last_request_at is not None
        assert detail.idle_stop_at == detail.last_request_at + timedelta(minutes=10)
        clock.advance(9)  # minute 18: idle 9 minutes since the request
        assert await idle.look() == []

        # A request in flight is no idleness, however long it takes.
        meter = deployments.traffic.begin(dep)
        clock.advance(30)
        assert (await deployments.get(dep)).idle_stop_at is None
        assert await idle.look() == []
        meter.end()
        clock.advance(9.9)
        assert await idle.look() == []
        clock.advance(0.1)
        assert await idle.look() == [dep]

        stopped = await deployments.get(dep)
        assert stopped.state == DeploymentState.INACTIVE
        assert stopped.state_message.startswith("Stopped by idle stop") and "10 minutes" in stopped.state_message
        assert stopped.idle_stop_at is None and stopped.active_since is None
        assert not engines.is_alive(engine_of(tmp_path, dep))
        assert await idle.look() == []  # nothing more to stop

        # The setting changes without a redeploy, kept with the deployment; null turns it off.
        changed = await deployments.update(dep, UpdateDeploymentRequest(idle_stop_minutes=60))
        assert changed.idle_stop_minutes == 60 and changed.state == DeploymentState.INACTIVE
        assert changed.state_message == stopped.state_message and changed.updated_at == stopped.updated_at
        off = await deployments.update(dep, UpdateDeploymentRequest(idle_stop_minutes=None))
        assert off.idle_stop_minutes is None and (await deployments.get(dep)).idle_stop_minutes is None
        await deployments.delete(dep)


@pytest.mark.engine
async def test_only_the_lease_holder_stops_local_deployments(tmp_path: Any, fake_llama: None) -> None:
    clock = Clock()
    async with running(tmp_path) as holder, running(tmp_path) as other:
        assert holder.watches_deployments() and not other.watches_deployments()
        deployments, _ = watched(holder, clock)
        dep = await deploy_gguf(holder, deployments, tmp_path, "shared", 5)
        _, idle_elsewhere = watched(other, clock)
        clock.advance(60)
        assert await idle_elsewhere.look() == []  # the other process relays no traffic here: it does not judge
        assert (await deployments.get(dep)).state == DeploymentState.ACTIVE
        await deployments.delete(dep)


async def test_an_oci_deployment_idles_to_inactive_through_the_oci_driver(world: OciWorld) -> None:
    clock = Clock()
    model = seed_deployable_model(world, "acme-1b")
    async with oci_backend(world) as backend:
        deployments, idle = watched(backend, clock)
        created = await deployments.create(
            CreateDeploymentRequest(model_id=model, name="日本語 chat", idle_stop_minutes=30)
        )
        md_id = created.deployment.id
        await finished(backend, created.operation.id)
        # The minutes travel as a freeform tag, so another server (or a restart) reads them back.
        with world.emulator.lock:
            tags = world.emulator.deployments.deployments[md_id]["freeformTags"]
        assert tags["aqua_ext_idle_stop_minutes"] == "30"

        detail = await deployments.get(md_id)
        assert detail.state == DeploymentState.ACTIVE and detail.idle_stop_minutes == 30
        assert detail.active_since is not None  # this server saw it become ACTIVE
        clock.now = max(clock.now, detail.active_since.timestamp())  # the test's time from here
        request(deployments, md_id)
        clock.advance(29)
        assert await idle.look() == []
        clock.advance(1)
        assert await idle.look() == [md_id]
        assert world.emulator.calls["DeactivateModelDeployment"] == 1
        op_id = (await deployments.get(md_id)).operation_id
        if op_id is not None:
            await finished(backend, op_id)
        stopped = await deployments.get(md_id)
        assert stopped.state == DeploymentState.INACTIVE
        assert stopped.state_message.startswith("Stopped by idle stop")


async def test_the_idle_stop_of_an_oci_deployment_changes_through_its_tag(world: OciWorld) -> None:
    model = seed_deployable_model(world, "acme-1b")
    async with oci_backend(world) as backend:
        deployments = Deployments(Targets([backend], started=True))
        created = await deployments.create(CreateDeploymentRequest(model_id=model, name="태그"))
        md_id = created.deployment.id
        with pytest.raises(Conflict, match="CREATING"):  # not while OCI is changing it
            await deployments.update(md_id, UpdateDeploymentRequest(idle_stop_minutes=15))
        await finished(backend, created.operation.id)
        assert (await deployments.get(md_id)).idle_stop_minutes is None
        updating = await deployments.update(md_id, UpdateDeploymentRequest(idle_stop_minutes=15))
        assert updating.state == DeploymentState.UPDATING and updating.operation_id is not None
        await finished(backend, updating.operation_id)
        detail = await deployments.get(md_id)
        assert detail.state == DeploymentState.ACTIVE and detail.idle_stop_minutes == 15
        with world.emulator.lock:
            tags = world.emulator.deployments.deployments[md_id]["freeformTags"]
        assert tags["aqua_ext_idle_stop_minutes"] == "15" and tags["OCI_AQUA"] == "active"


async def test_an_oci_deployment_this_server_never_saw_start_waits_for_a_request(world: OciWorld) -> None:
    """Started by another server (or the Console), nothing relayed here: it may be busy through that
    server, so this one keeps no idle clock for it, though it saw it become ACTIVE in its list,
    until a request passes through this one."""
    clock = Clock()
    model = seed_deployable_model(world, "acme-1b")
    async with oci_backend(world) as other, oci_backend(world, deployment_cache_seconds=0) as here:
        elsewhere = Deployments(Targets([other], started=True))
        created = await elsewhere.create(CreateDeploymentRequest(model_id=model, name="elsewhere", idle_stop_minutes=5))
        md_id = created.deployment.id
        deployments, idle = watched(here, clock)
        await deployments.list()  # this server sees it CREATING, then ACTIVE: a change it did not make
        await finished(other, created.operation.id)
        await deployments.list()
        clock.advance(60)
        seen = await deployments.get(md_id)
        assert seen.state == DeploymentState.ACTIVE and seen.active_since is None and seen.idle_stop_at is None
        assert await idle.look() == []
        request(deployments, md_id)
        clock.advance(5)
        assert await idle.look() == [md_id]
