"""Connections on disk: `<data_dir>/connections.db` (SQLite, WAL), one row per connection with its
fields as JSON. Secrets are never here: they live in the secret store (`secrets.py`).

Its own database, not the local target's `state.db`: connections exist whatever targets a server
enables (an OCI-only server has no local state). aiosqlite runs each statement on its own thread."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import aiosqlite

from ...errors import Conflict, storage_error

# Append only: a migration that shipped is never edited, a new one is added.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE connections (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        fields      TEXT NOT NULL,          -- JSON: ConnectionFields, never a secret
        last_test   TEXT,                   -- JSON: ConnectionTestSummary of the last test request
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
    );
    CREATE UNIQUE INDEX connections_name ON connections(name COLLATE NOCASE);
    """,
)


@dataclass(frozen=True)
class ConnectionRow:
    id: str
    name: str
    fields: dict[str, Any]
    last_test: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime


def _row(r: aiosqlite.Row) -> ConnectionRow:
    return ConnectionRow(
        id=r["id"],
        name=r["name"],
        fields=json.loads(r["fields"]),
        last_test=json.loads(r["last_test"]) if r["last_test"] else None,
        created_at=datetime.fromisoformat(r["created_at"]),
        updated_at=datetime.fromisoformat(r["updated_at"]),
    )


class ConnectionStore:
    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self._db: aiosqlite.Connection | None = None
        self._opening = asyncio.Lock()  # two first requests at once open one connection, not two

    async def _open(self) -> aiosqlite.Connection:
        if self._db is not None:
            return self._db
        async with self._opening:
            if self._db is not None:
                return self._db
            await asyncio.to_thread(self.db_path.parent.mkdir, parents=True, exist_ok=True)
            db = await aiosqlite.connect(self.db_path)
            db.row_factory = aiosqlite.Row
            try:
                await db.execute("PRAGMA journal_mode=WAL")
                async with db.execute("PRAGMA user_version") as cur:
                    found = await cur.fetchone()
                version = int(found[0]) if found else 0
                if version > len(MIGRATIONS):
                    raise RuntimeError(f"{self.db_path} was written by a newer aqua_ext; upgrade aqua_ext")
                for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                    await db.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
            except BaseException:
                await db.close()
                raise
            self._db = db
        return self._db

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None

    async def all(self) -> list[ConnectionRow]:
        db = await self._open()
        async with db.execute("SELECT * FROM connections ORDER BY created_at, name") as cur:
            return [_row(r) for r in await cur.fetchall()]

    async def get(self, connection_id: str) -> ConnectionRow | None:
        db = await self._open()
        async with db.execute("SELECT * FROM connections WHERE id = ?", (connection_id,)) as cur:
            found = await cur.fetchone()
        return _row(found) if found else None

    async def insert(self, rows: list[ConnectionRow]) -> None:
        """All of them in one transaction, or none (an import never leaves half its services)."""
        await self._write(
            "INSERT INTO connections (id, name, fields, last_test, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    r.id,
                    r.name,
                    json.dumps(r.fields),
                    json.dumps(r.last_test) if r.last_test else None,
                    r.created_at.isoformat(),
                    r.updated_at.isoformat(),
                )
                for r in rows
            ],
        )

    async def update(self, connection_id: str, name: str, fields: dict[str, Any]) -> None:
        await self._write(
            "UPDATE connections SET name = ?, fields = ?, updated_at = ? WHERE id = ?",
            [(name, json.dumps(fields), _now(), connection_id)],
        )

    async def set_last_test(self, connection_id: str, last_test: dict[str, Any]) -> None:
        await self._write("UPDATE connections SET last_test = ? WHERE id = ?", [(json.dumps(last_test), connection_id)])

    async def delete(self, connection_id: str) -> None:
        await self._write("DELETE FROM connections WHERE id = ?", [(connection_id,)])

    async def _write(self, sql: str, params: list[tuple[Any, ...]]) -> None:
        """One transaction: committed whole or rolled back whole. A name taken (case aside) is a 409;
        a full disk is InsufficientStorage and leaves no row behind."""
        db = await self._open()
        try:
            await db.executemany(sql, params)
            await db.commit()
        except BaseException as exc:
            with contextlib.suppress(Exception):
                await db.rollback()
            if isinstance(exc, sqlite3.IntegrityError) and "connections.name" in str(exc):
                raise Conflict("A connection with this name exists already; choose another name.") from None
            full = storage_error(exc)
            if full is not None:
                raise full from exc
            raise


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()
