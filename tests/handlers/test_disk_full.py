"""A full disk at a write point is a 507 Insufficient Storage naming the cause, and nothing
half-created stays: no database row, no job folder, no partial file."""

from __future__ import annotations

import contextlib
import errno
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.model_folders import needs_local_extra, write_model_folder

DEMO = "demo:tiny-llama"


@pytest.fixture
def aqua_app(jp_serverapp: Any) -> Any:
    [app] = jp_serverapp.extension_manager.extension_apps["aqua_ext"]
    return app


async def fill_the_database(aqua_app: Any) -> Any:
    """SQLite's own "database or disk is full": no page may be added to state.db any more."""
    db = (await aqua_app.registry.get("local")).store.db
    await db.execute("CREATE TABLE IF NOT EXISTS filler (x TEXT)")
    await db.commit()
    async with db.execute("PRAGMA page_count") as cur:
        pages = (await cur.fetchone())[0]
    await db.execute(f"PRAGMA max_page_count = {pages + 2}")
    for size in (4000, 500, 50):  # fill every page to the brim
        with contextlib.suppress(sqlite3.OperationalError):
            while True:
                await db.execute("INSERT INTO filler VALUES (?)", ("f" * size,))
                await db.commit()
        await db.rollback()
    return db


def assert_insufficient_storage(status: int, body: Any) -> None:
    assert status == 507, body
    assert body["status"] == 507 and body["reason"] == "Insufficient Storage", body
    assert "disk is full" in body["message"] and "Traceback" not in body["message"], body


async def test_registering_a_folder_on_a_full_disk(api: Any, aqua_app: Any, jp_root_dir: Path) -> None:
    # A long path: its row and index entry need a new page (an empty table's page has room for a short one).
    folder = write_model_folder(jp_root_dir.joinpath(*["d" * 200] * 8) / "m")
    db = await fill_the_database(aqua_app)
    request = {"source": "local_folder", "path": str(folder)}
    status, body = await api("models", method="POST", body=request)
    assert_insufficient_storage(status, body)
    assert not [m for m in (await api("models", params={"refresh": "true"}))[1]["items"] if m["source"] == "registered"]

    # Space again: the same request works (no half-written row or open transaction in the way).
    await db.execute("PRAGMA max_page_count = 1073741823")
    status, body = await api("models", method="POST", body=request)
    assert status == 202, body


@needs_local_extra
async def test_creating_a_deployment_on_a_full_disk(
    api: Any, aqua_app: Any, aqua_data_dir: Path, demo_ready: Path
) -> None:
    await fill_the_database(aqua_app)
    body = {"model_id": DEMO, "name": "d" * 90, "description": "é" * 2000, "shape": "cpu", "engine": "transformers"}
    status, answer = await api("deployments", method="POST", body=body)
    assert_insufficient_storage(status, answer)
    assert (await api("deployments"))[1]["items"] == []
    runs = aqua_data_dir / "deployments"
    assert not runs.exists() or not list(runs.iterdir())


@needs_local_extra
async def test_the_dataset_snapshot_of_a_fine_tune_on_a_full_disk(
    api: Any, jp_root_dir: Path, aqua_data_dir: Path, demo_ready: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [{"prompt": f"Item {i}?", "completion": f"Answer {i}."} for i in range(20)]
    (jp_root_dir / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))

    def full_copy(src: Any, dst: Any, **kwargs: Any) -> Any:
        Path(dst).write_bytes(b'{"prompt": "half')  # a partial snapshot, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device", str(dst))

    monkeypatch.setattr(shutil, "copyfile", full_copy)
    status, body = await api(
        "finetunes", method="POST", body={"model_id": DEMO, "name": "ft", "dataset_path": "train.jsonl"}
    )
    assert_insufficient_storage(status, body)
    assert "dataset.jsonl" in body["message"]
    assert (await api("finetunes"))[1]["items"] == []
    assert not list((aqua_data_dir / "finetunes").iterdir())
