from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

from aqua_ext.backends.local.store import MIGRATIONS, ModelRow, Store


def _row(i: int) -> ModelRow:
    return ModelRow(
        id=f"reg:{i:012d}",
        name=f"m{i}",
        origin="local_folder",
        path=f"/models/{i}",
        owns_path=False,
        hf_id=None,
        revision=None,
        summary={"capability": "TEXT_TO_TEXT"},
        created_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
    )


def test_migrations_apply_once_and_use_wal(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = Store(tmp_path / "state.db")
        await store.open()
        assert await store.schema_version() == len(MIGRATIONS)
        await store.insert_model(_row(1))
        await store.close()
        again = Store(tmp_path / "state.db")  # reopening must not re-run migrations
        await again.open()
        assert [r.id for r in await again.list_models()] == ["reg:000000000001"]
        await again.close()

    asyncio.run(scenario())
    with sqlite3.connect(tmp_path / "state.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "state.db") as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")

    async def scenario() -> None:
        with pytest.raises(RuntimeError, match="newer aqua_ext"):
            await Store(tmp_path / "state.db").open()

    asyncio.run(scenario())


def test_paths_are_unique_and_lookups_work(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = Store(tmp_path / "state.db")
        await store.open()
        await store.insert_models([_row(i) for i in range(3)])
        assert (await store.find_model_by_path("/models/2")).id == "reg:000000000002"  # type: ignore[union-attr]
        with pytest.raises(sqlite3.IntegrityError):
            await store.insert_model(ModelRow(**{**_row(2).__dict__, "id": "reg:other"}))
        await store.delete_model("reg:000000000001")
        assert [r.id for r in await store.list_models()] == ["reg:000000000000", "reg:000000000002"]
        await store.close()

    asyncio.run(scenario())


def test_a_full_disk_is_insufficient_storage_and_leaves_no_row(tmp_path: Path) -> None:
    from aqua_ext.errors import InsufficientStorage

    async def scenario() -> None:
        store = Store(tmp_path / "state.db")
        await store.open()
        await store.insert_model(_row(1))
        # SQLite's own "database or disk is full": no page may be added to the file.
        async with store.db.execute("PRAGMA page_count") as cur:
            pages = (await cur.fetchone())[0]
        await store.db.execute(f"PRAGMA max_page_count = {pages}")
        big = ModelRow(**{**_row(2).__dict__, "summary": {"notes": ["x" * 200_000]}})
        with pytest.raises(InsufficientStorage, match="disk is full"):
            await store.insert_model(big)
        assert [r.id for r in await store.list_models()] == ["reg:000000000001"]
        # Nothing half-written waits in an open transaction: the next write commits alone.
        await store.db.execute("PRAGMA max_page_count = 1073741823")
        await store.insert_model(_row(3))
        await store.close()
        again = Store(tmp_path / "state.db")
        await again.open()
        assert [r.id for r in await again.list_models()] == ["reg:000000000001", "reg:000000000003"]
        await again.close()

    asyncio.run(scenario())
