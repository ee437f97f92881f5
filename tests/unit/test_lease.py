"""One owner of running processes on a data dir (backends/local/lease.py): the process holding the
lease judges engines and jobs; the others read and write records, never mark or stop anything,
take over when the holder goes away, and see what other processes wrote."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from aqua_ext.api.deployments import CreateDeploymentRequest, CreateDeploymentResponse
from aqua_ext.api.models import RegisterModelRequest
from aqua_ext.backends.local import engines
from aqua_ext.backends.local.backend import LocalBackend
from aqua_ext.backends.local.lease import Lease
from aqua_ext.backends.local.store import DeploymentRow, JobRow, Store
from aqua_ext.errors import Conflict
from aqua_ext.services.deployments import Deployments
from aqua_ext.services.operations import OperationRegistry
from aqua_ext.services.targets import Targets
from tests.model_folders import write_gguf, write_model_folder

REPO_ROOT = Path(__file__).resolve().parents[2]
FAKE_ENGINES = REPO_ROOT / "tests" / "fake_engines"


@contextlib.asynccontextmanager
async def running(data_dir: Path, *, lease_retry: float = 0.2) -> AsyncIterator[LocalBackend]:
    """A local backend on `data_dir`, as one process (a server, a command) opens it."""
    backend = LocalBackend(
        OperationRegistry(),
        data_dir=data_dir,
        allowed_roots=[data_dir],
        generate_demo=False,
        hf_cache_dir=data_dir / "hf",
        lease_retry=lease_retry,
    )
    await backend.start()
    try:
        yield backend
    finally:
        await backend.close()


async def create_gguf_deployment(backend: LocalBackend, data_dir: Path) -> CreateDeploymentResponse:
    """Register a GGUF folder and deploy it on the stand-in llama-server."""
    registered = await backend.register_model(
        RegisterModelRequest(source="local_folder", path=str(gguf_folder(data_dir)))
    )
    assert registered.model is not None
    # Through the deployments service, which checks the request before the driver creates it.
    deployments = Deployments(Targets([backend], started=True))
    return await deployments.create(CreateDeploymentRequest(model_id=registered.model.id, name="d"))


def engine_of(data_dir: Path, deployment_id: str) -> engines.RunRecord:
    record = engines.read_run_record(engines.run_record_path(data_dir / "deployments" / deployment_id / "engine.log"))
    assert record is not None
    return record


def cli(data_dir: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The real `aqua-ext` command in its own process, on the same data dir."""
    return subprocess.run(
        [sys.executable, "-m", "aqua_ext.cli", "--json", "--data-dir", str(data_dir), *args],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


async def eventually(check: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.1)


def gguf_folder(root: Path) -> Path:
    folder = write_model_folder(root / "tiny-gguf", weights=False)
    write_gguf(folder / "tiny-Q4_K_M.gguf")
    return folder


@pytest.fixture
def fake_llama(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stand-in llama-server (tests/fake_engines) on PATH: GGUF models deploy in a second."""
    monkeypatch.setenv("PATH", f"{FAKE_ENGINES}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_LLAMA_REQUESTS", str(tmp_path / "llama-requests.jsonl"))


@pytest.fixture
def slow_llama(fake_llama: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The stand-in llama-server, "loading its model" (not listening) until the returned file is
    written: the deployment stays CREATING as long as a test needs, whatever the machine's speed."""
    loaded = tmp_path / "llama-loaded"
    monkeypatch.setenv("FAKE_LLAMA_LOADED", str(loaded))
    return loaded


FT_CONFIG = {
    "description": "",
    "base_model_name": "m",
    "params": {"training_type": "lora"},
    "shape": "cpu",
    "dataset_path": "d.jsonl",
    "dataset_hash": "0",
}


def _now() -> datetime:
    return datetime.now(timezone.utc)


async def seed(data_dir: Path) -> None:
    """What a dead machine leaves behind: an ACTIVE deployment whose engine is gone and a running
    fine-tune whose process is gone."""
    store = Store(data_dir / "state.db")
    await store.open()
    config = {
        "description": "",
        "model_name": "m",
        "model_path": str(data_dir),
        "engine": "transformers",
        "mode": "chat",
        "shape": "cpu",
        "params": [],
        "served_model_name": "m",
    }
    await store.insert_deployment(
        DeploymentRow("dep-lost", "lost", "ACTIVE", "Serving", "demo:tiny-llama", config, [], _now(), _now())
    )
    dead = subprocess.Popen(["true"])
    dead.wait()
    await store.finetunes.insert(
        JobRow("ft-lost", "lost", "demo:tiny-llama", "IN_PROGRESS", "Training", FT_CONFIG, {}, _now(), _now(), None)
    )
    await store.finetunes.set_process("ft-lost", {"pid": dead.pid, "create_time": 1})
    await store.close()


async def recorded_states(data_dir: Path) -> tuple[str, str]:
    store = Store(data_dir / "state.db")
    await store.open()
    try:
        deployment = await store.get_deployment("dep-lost")
        job = await store.finetunes.get("ft-lost")
        assert deployment is not None and job is not None
        return deployment.state, job.state
    finally:
        await store.close()


# ---- the lease itself ---------------------------------------------------------------------


def test_the_lease_is_exclusive_and_the_kernel_frees_it_when_its_holder_is_killed(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, pathlib; from aqua_ext.backends.local.lease import Lease; "
            "assert Lease(pathlib.Path(sys.argv[1])).try_acquire(); print('held', flush=True); time.sleep(120)",
            str(tmp_path),
        ],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        mine = Lease(tmp_path)
        assert not mine.try_acquire()
        assert (mine.holder() or {}).get("pid") == holder.pid
        holder.send_signal(signal.SIGKILL)  # no chance to clean up: the kernel releases the flock
        holder.wait(timeout=10)
        assert mine.try_acquire()
        assert (mine.holder() or {}).get("pid") == os.getpid()
        # A second holder in the same process is refused too (flock is per open file, not per process).
        assert not Lease(tmp_path).try_acquire()
        mine.release()
        assert Lease(tmp_path).try_acquire()
    finally:
        holder.kill()
        holder.wait()


async def test_without_the_lease_a_backend_marks_nothing_and_takes_over_when_the_holder_goes(
    tmp_path: Path,
) -> None:
    await seed(tmp_path)
    server = Lease(tmp_path)  # another process holds the lease (a server)
    assert server.try_acquire()
    async with running(tmp_path) as backend:
        assert not backend.owns_processes
        # It shows what the job's files say (its process is gone), and writes no verdict.
        [job] = await backend.finetunes.list()
        assert job.state.value == "FAILED"
        assert (await backend.deployments.get("dep-lost")).state.value == "ACTIVE"
        await asyncio.sleep(1.0)
        assert await recorded_states(tmp_path) == ("ACTIVE", "IN_PROGRESS")

        server.release()  # the holder goes away: the backend takes over at its next try

        async def settled() -> bool:
            return backend.owns_processes and await recorded_states(tmp_path) == ("FAILED", "FAILED")

        await eventually(settled, 5, "the lease was not taken over")
        detail = await backend.deployments.get("dep-lost")
        assert detail.state.value == "FAILED" and "The engine process exited" in detail.state_message
        # And now it is the holder: nobody else gets the lease.
        assert not Lease(tmp_path).try_acquire()
    assert Lease(tmp_path).try_acquire()  # released on close


# ---- the CLI race of issue 11 ------------------------------------------------------------------


async def test_a_cli_listing_leaves_a_deployment_the_server_is_starting_alone(tmp_path: Path, slow_llama: Path) -> None:
    async with running(tmp_path) as server:
        assert server.owns_processes
        created = await create_gguf_deployment(server, tmp_path)
        dep = created.deployment.id
        # At once, while the engine is still loading (it listens once `slow_llama` is written):
        # `aqua-ext deployments list`, a command of its own on the same data dir.
        listed = await asyncio.to_thread(cli, tmp_path, "deployments", "list")
        assert listed.returncode == 0, listed.stderr
        [seen] = json.loads(listed.stdout)
        assert (seen["id"], seen["state"]) == (dep, "CREATING"), seen
        assert engines.is_alive(engine_of(tmp_path, dep)), "the command stopped the engine"
        slow_llama.write_text("")  # the model is loaded: the engine listens
        op = await server.operations.wait(created.operation.id, timeout=60)
        detail = await server.deployments.get(dep)
        assert (op.state.value, detail.state.value) == ("SUCCEEDED", "ACTIVE"), (op, detail)
        listed = await asyncio.to_thread(cli, tmp_path, "deployments", "list")
        assert [d["state"] for d in json.loads(listed.stdout)] == ["ACTIVE"]
        await server.deployments.delete(dep)


async def test_a_new_holder_leaves_a_start_under_way_elsewhere_alone_then_adopts_the_engine(
    tmp_path: Path, slow_llama: Path
) -> None:
    first = Lease(tmp_path)  # a server holds the lease while a second process deploys
    assert first.try_acquire()
    async with contextlib.AsyncExitStack() as stack:
        # A process without the lease that will not take it over itself deploys.
        starter = await stack.enter_async_context(running(tmp_path, lease_retry=600))
        assert not starter.owns_processes
        created = await create_gguf_deployment(starter, tmp_path)
        dep = created.deployment.id
        # The server restarts while the engine loads: the new holder must not take it for lost.
        first.release()
        holder = await stack.enter_async_context(running(tmp_path))
        assert holder.owns_processes
        assert (await holder.deployments.get(dep)).state.value == "CREATING"
        await asyncio.sleep(2.5)  # more than a monitor's look: the holder still leaves it alone
        assert (await holder.deployments.get(dep)).state.value == "CREATING"
        assert engines.is_alive(engine_of(tmp_path, dep))
        slow_llama.write_text("")
        op = await starter.operations.wait(created.operation.id, timeout=60)
        assert op.state.value == "SUCCEEDED", op
        assert (await holder.deployments.get(dep)).state.value == "ACTIVE"

        # The holder watches the engine another process started: its death is recorded.
        record = engine_of(tmp_path, dep)

        async def adopted() -> bool:
            return dep in holder.deployments._handles

        await eventually(adopted, 10, "the holder did not adopt the engine")
        os.killpg(record.pgid, signal.SIGKILL)

        async def failed() -> bool:
            return (await holder.deployments.get(dep)).state.value == "FAILED"

        await eventually(failed, 10, "the engine's death was not recorded")
        assert "exited" in (await holder.deployments.get(dep)).state_message
        await holder.deployments.delete(dep)


async def test_without_the_lease_a_dead_engine_is_forgotten_not_judged(tmp_path: Path, fake_llama: None) -> None:
    server = Lease(tmp_path)  # another process holds the lease
    assert server.try_acquire()
    async with running(tmp_path) as backend:
        created = await create_gguf_deployment(backend, tmp_path)
        dep = created.deployment.id
        op = await backend.operations.wait(created.operation.id, timeout=60)
        assert op.state.value == "SUCCEEDED", op
        await backend.deployments.upstream(dep)
        os.killpg(engine_of(tmp_path, dep).pgid, signal.SIGKILL)
        # A chat finds the engine gone: this process forgets it, and leaves the verdict to the holder.
        assert await backend.deployments.upstream_failed(dep, "connection refused") is None
        await asyncio.sleep(1.0)
        assert (await backend.deployments.get(dep)).state.value == "ACTIVE"

        server.release()

        async def judged() -> bool:
            return (await backend.deployments.get(dep)).state.value == "FAILED"

        await eventually(judged, 5, "the new holder did not record the engine's death")
        with pytest.raises(Conflict):
            await backend.deployments.upstream(dep)
        await backend.deployments.delete(dep)


# ---- what one process writes, another sees ----------------------------------------------------------


async def test_the_server_model_list_sees_a_registration_made_by_the_cli(tmp_path: Path) -> None:
    folder = write_model_folder(tmp_path / "my-model")
    async with running(tmp_path) as server:
        before = {m.id for m in await server.list_models()}  # builds and caches the listing
        registered = await asyncio.to_thread(
            cli, tmp_path, "--allowed-root", str(tmp_path), "models", "register", "--path", str(folder)
        )
        assert registered.returncode == 0, registered.stderr
        model_id = json.loads(registered.stdout)["id"]
        after = {m.id for m in await server.list_models()}  # no refresh
        assert after - before == {model_id}
        deleted = await asyncio.to_thread(cli, tmp_path, "models", "delete", model_id)
        assert deleted.returncode == 0, deleted.stderr
        assert {m.id for m in await server.list_models()} == before


async def test_the_model_list_is_not_rebuilt_when_nothing_it_shows_changed(tmp_path: Path) -> None:
    async with running(tmp_path) as server, running(tmp_path) as other:
        first = await server.list_models()
        assert await server.list_models() is first  # cached
        # Another process writes something the model list does not show: still the same listing.
        await other.store.finetunes.insert(
            JobRow("ft-x", "x", "demo:tiny-llama", "IN_PROGRESS", "Training", {}, {}, _now(), _now(), None)
        )
        assert await server.list_models() is first
        folder = write_model_folder(tmp_path / "my-model")
        await other.register_model(RegisterModelRequest(source="local_folder", path=str(folder)))
        assert await server.list_models() is not first
