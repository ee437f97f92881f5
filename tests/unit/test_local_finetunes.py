"""Local fine-tuning jobs across a Jupyter restart: a running job keeps running, the new
server follows it to its end; a job killed outright is FAILED with the reason."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
from pathlib import Path

import pytest

from aqua_ext.api.finetunes import CreateFineTuneRequest, FineTuneParams, MetricsQuery
from aqua_ext.api.job_datasets import DatasetAccess
from aqua_ext.backends.local.backend import LocalBackend
from aqua_ext.backends.local.processes import process_alive
from aqua_ext.services.datasets import checked_dataset
from aqua_ext.services.operations import OperationRegistry
from tests.handlers.test_finetunes import color_rows, write_jsonl
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


@pytest.fixture
def data_dir(tmp_path: Path, demo_model_dir: Path) -> Path:
    shutil.copytree(demo_model_dir, tmp_path / "models" / "demo-tiny-llama")
    write_jsonl(tmp_path / "colors.jsonl", color_rows())
    return tmp_path


async def start_long_job(backend: LocalBackend, data_dir: Path) -> str:
    request = CreateFineTuneRequest(
        model_id="demo:tiny-llama",
        name="Long",
        dataset_path="colors.jsonl",
        params=FineTuneParams(epochs=40, max_seq_length=64, logging_steps=2),
    )
    # The driver gets the dataset the service checked (services/finetunes.py does the same).
    access = DatasetAccess(root=data_dir)
    found = await backend.finetune_dataset(request, access)
    async with checked_dataset(
        access, found, validation_split=request.validation_split, max_seq_length=request.params.max_seq_length
    ) as dataset:
        created = await backend.create_finetune(request, dataset)
    return created.finetune.id


async def wait_for(backend: LocalBackend, job_id: str, predicate, timeout: float = 120.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        detail = await backend.get_finetune(job_id)
        if predicate(detail):
            return detail
        assert asyncio.get_running_loop().time() < deadline, detail
        await asyncio.sleep(0.3)


async def test_a_restart_leaves_the_job_running_and_tracked(data_dir: Path) -> None:
    first = make_backend(data_dir)
    await first.start()
    try:
        job_id = await start_long_job(first, data_dir)
        before = await wait_for(first, job_id, lambda d: d.state.value == "IN_PROGRESS" and d.step >= 2)
    finally:
        await first.close()  # Jupyter stops; the job must not

    second = make_backend(data_dir)
    await second.start()
    try:
        row = await second.store.finetunes.get(job_id)
        assert row is not None and process_alive(row.process["pid"], row.process["create_time"])
        assert job_id not in second.finetunes.jobs.procs  # not this server's child: found again by pid + start time
        later = await wait_for(second, job_id, lambda d: d.step > before.step + 2)
        assert later.state.value == "IN_PROGRESS" and later.eta_seconds is not None
        assert [s.id for s in await second.list_finetunes()] == [job_id]
        metrics = await second.finetune_metrics(job_id, MetricsQuery())
        assert len(metrics.points) >= 2

        await second.cancel_finetune(job_id)
        done = await wait_for(second, job_id, lambda d: d.state.value == "CANCELED", timeout=60)
        assert done.finished_at is not None
        for _ in range(100):  # it wrote CANCELED and is exiting
            if not process_alive(row.process["pid"], row.process["create_time"]):
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("the canceled job is still running")
    finally:
        await second.close()


async def test_a_killed_job_is_failed_with_the_reason(data_dir: Path) -> None:
    backend = make_backend(data_dir)
    await backend.start()
    try:
        job_id = await start_long_job(backend, data_dir)
        await wait_for(backend, job_id, lambda d: d.state.value == "IN_PROGRESS" and d.step >= 1)
        row = await backend.store.finetunes.get(job_id)
        assert row is not None
        os.killpg(row.process["pid"], signal.SIGKILL)  # as the out-of-memory killer would
        failed = await wait_for(backend, job_id, lambda d: d.state.value == "FAILED", timeout=30)
        assert "killed" in failed.state_message and failed.output_model_id is None
        assert failed.failure_log, "the log's last lines come with the failure"
    finally:
        await backend.close()
