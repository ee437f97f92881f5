"""A full disk (ENOSPC, EDQUOT, SQLite's "database or disk is full") is one error,
InsufficientStorage (507), wherever it is met, and the writes it interrupts leave nothing."""

from __future__ import annotations

import asyncio
import errno
import os
import sqlite3
from pathlib import Path

import pytest

from aqua_ext.api.operations import OperationState
from aqua_ext.backends.local import engines
from aqua_ext.backends.operations import Progress
from aqua_ext.errors import InsufficientStorage, Upstream, says_disk_full, storage_error
from aqua_ext.jobs.job_status import write_json_atomic
from aqua_ext.services.operations import OperationRegistry

ENOSPC = OSError(errno.ENOSPC, "No space left on device", "/data/x")


def test_what_counts_as_a_full_disk() -> None:
    full = storage_error(ENOSPC)
    assert isinstance(full, InsufficientStorage) and full.status == 507
    assert "no space is left on the disk" in full.message and "/data/x" in full.message
    quota = storage_error(OSError(errno.EDQUOT, "Disk quota exceeded"))
    assert quota is not None and "quota" in quota.message
    assert storage_error(sqlite3.OperationalError("database or disk is full")) is not None
    try:
        try:
            raise ENOSPC
        except OSError as exc:
            raise RuntimeError("copy failed") from exc
    except RuntimeError as wrapped:
        assert storage_error(wrapped) is not None, "a full disk as the cause counts too"
    assert storage_error(OSError(errno.EACCES, "Permission denied")) is None
    assert storage_error(sqlite3.OperationalError("database is locked")) is None
    assert storage_error(Upstream("boom")) is None
    assert says_disk_full("OSError: no space left on device: '/x'") and not says_disk_full("404 not found")


async def test_an_operation_failing_on_a_full_disk_says_so() -> None:
    registry = OperationRegistry()

    async def work(progress: Progress) -> str:
        raise ENOSPC

    op = registry.start("test", "writes", work)
    for _ in range(100):
        await asyncio.sleep(0.01)
        current = registry.get(op.id)
        if current.state == OperationState.FAILED:
            break
    assert current.state == OperationState.FAILED
    assert current.error is not None and current.error.startswith("The server's disk is full")


@pytest.mark.parametrize(
    "write",
    [
        lambda path: write_json_atomic(path, {"state": "x"}),
        lambda path: engines._write_atomic(path, "text"),
    ],
    ids=["job status", "engine run record"],
)
def test_an_atomic_write_on_a_full_disk_leaves_no_temp_file(
    write: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(src: object, dst: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(OSError):
        write(tmp_path / "status.json")  # type: ignore[operator]
    assert list(tmp_path.iterdir()) == []


def test_a_deployment_failing_on_a_full_disk_says_so() -> None:
    from aqua_ext.backends.local.deployments import _split_failure

    message, lines = _split_failure(ENOSPC)
    assert message.startswith("The server's disk is full") and lines == []
