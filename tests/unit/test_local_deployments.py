"""Local deployments across a Jupyter restart: live engines are re-attached, lost ones are
marked FAILED with a reason, and no engine is left running that no deployment owns."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
from pathlib import Path

import pytest

from aqua_ext.api.deployments import CreateDeploymentRequest
from aqua_ext.backends.local import engines
from aqua_ext.backends.local.backend import LocalBackend
from aqua_ext.errors import Conflict
from aqua_ext.services.deployments import Deployments
from aqua_ext.services.models import Models
from aqua_ext.services.operations import OperationRegistry
from aqua_ext.services.targets import Targets
from tests.model_folders import needs_local_extra

pytestmark = [needs_local_extra, pytest.mark.engine]


def make_backend(data_dir: Path) -> LocalBackend:
    return LocalBackend(
        OperationRegistry(),
        data_dir=data_dir,
        allowed_roots=[data_dir],
        generate_demo=False,
        hf_cache_dir=data_dir / "hf",
    )


def rules(backend: LocalBackend) -> Deployments:
    """The deployments service over this one started backend: a create is checked there first."""
    return Deployments(Targets([backend], started=True))


@pytest.fixture
def data_dir(tmp_path: Path, demo_model_dir: Path) -> Path:
    shutil.copytree(demo_model_dir, tmp_path / "models" / "demo-tiny-llama")
    return tmp_path


async def deploy(backend: LocalBackend, name: str) -> str:
    created = await rules(backend).create(CreateDeploymentRequest(model_id="demo:tiny-llama", name=name))
    op = await backend.operations.wait(created.operation.id, timeout=180)
    assert op.state.value == "SUCCEEDED", op
    return created.deployment.id


def record_of(data_dir: Path, deployment_id: str) -> engines.RunRecord:
    record = engines.read_run_record(engines.run_record_path(data_dir / "deployments" / deployment_id / "engine.log"))
    assert record is not None
    return record


async def test_restart_reattaches_live_engines_and_fails_lost_ones(data_dir: Path) -> None:
    first = make_backend(data_dir)
    await first.start()
    kept = await deploy(first, "kept")
    lost = await deploy(first, "lost")
    stray = await deploy(first, "stray")
    await first.close()  # Jupyter stops: the engines keep running, on purpose
    records = {d: record_of(data_dir, d) for d in (kept, lost, stray)}
    assert all(engines.is_alive(r) for r in records.values())

    # While Jupyter is down: one engine dies, and one deployment's row says INACTIVE
    # although its engine still runs (as after a crash mid-deactivate).
    os.killpg(records[lost].pgid, signal.SIGKILL)
    second = make_backend(data_dir)
    await second.store.open()
    await second.store.set_deployment_state(stray, "INACTIVE", "deactivated")
    await second.store.close()
    await asyncio.sleep(0.5)

    third = make_backend(data_dir)
    await third.start()
    try:
        assert (await third.get_deployment(kept)).state.value == "ACTIVE"
        target = await third.upstream(kept)
        assert target.base_url.endswith(f":{records[kept].port}")

        failed = await third.get_deployment(lost)
        assert failed.state.value == "FAILED"
        assert "lost while Jupyter was stopped" in failed.state_message

        assert (await third.get_deployment(stray)).state.value == "INACTIVE"
        assert not engines.is_alive(records[stray])  # no orphan: stopped at start
        with pytest.raises(Conflict):
            await third.upstream(stray)
    finally:
        for d in (kept, lost, stray):
            await third.delete_deployment(d)
        await third.close()
    assert not any(engines.is_alive(r) for r in records.values())


async def test_a_broken_engine_fails_with_the_reason_and_log(data_dir: Path) -> None:
    # A model folder whose weights are missing: the engine exits while loading.
    broken = data_dir / "models" / "demo-tiny-llama" / "model.safetensors"
    backend = make_backend(data_dir)
    await backend.start()
    try:
        created = await rules(backend).create(CreateDeploymentRequest(model_id="demo:tiny-llama", name="broken"))
        broken.unlink()
        op = await backend.operations.wait(created.operation.id, timeout=180)
        assert op.state.value == "FAILED"
        detail = await backend.get_deployment(created.deployment.id)
        assert detail.state.value == "FAILED"
        assert "exited" in detail.state_message or "not ready" in detail.state_message
        assert detail.failure_log, detail
        assert not engines.is_alive(record_of(data_dir, created.deployment.id))
        await backend.delete_deployment(created.deployment.id)
    finally:
        await backend.close()


async def test_a_model_in_use_by_a_deployment_cannot_be_deleted(data_dir: Path, demo_model_dir: Path) -> None:
    from aqua_ext.api.models import RegisterModelRequest

    folder = data_dir / "my-model"
    shutil.copytree(demo_model_dir, folder)
    backend = make_backend(data_dir)
    await backend.start()
    try:
        registered = await backend.register_model(RegisterModelRequest(source="local_folder", path=str(folder)))
        assert registered.model is not None
        created = await rules(backend).create(CreateDeploymentRequest(model_id=registered.model.id, name="uses it"))
        models = Models(Targets([backend], started=True))  # the rule lives in the models service
        with pytest.raises(Conflict, match="uses it"):
            await models.delete(registered.model.id)
        await backend.delete_deployment(created.deployment.id)
        await backend.delete_model(registered.model.id)
        assert folder.is_dir()  # the user's own folder is only unregistered
    finally:
        await backend.close()


async def test_a_server_and_the_cli_share_deployments_on_one_data_dir(data_dir: Path) -> None:
    server = make_backend(data_dir)
    cli = make_backend(data_dir)
    await server.start()
    await cli.start()
    try:
        # The CLI deploys: the running server can chat with it at once.
        by_cli = await deploy(cli, "by-cli")
        target = await server.upstream(by_cli)
        assert target.base_url.endswith(f":{record_of(data_dir, by_cli).port}")
        # The CLI deactivates it: the server's watcher must not call that a failure.
        await cli.deactivate_deployment(by_cli)
        await asyncio.sleep(2.5)  # more than the watcher's interval
        assert (await server.get_deployment(by_cli)).state.value == "INACTIVE"
        with pytest.raises(Conflict):
            await server.upstream(by_cli)
    finally:
        await server.delete_deployment(by_cli)
        await cli.close()
        await server.close()
