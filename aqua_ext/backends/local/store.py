"""SQLite state of the local backend (`<data_dir>/state.db`).

WAL mode so readers never wait for a writer; schema changes are numbered
migrations applied in order and recorded in `PRAGMA user_version`. aiosqlite
runs every statement on its own thread, so the event loop never blocks on disk.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from ...errors import storage_error

# Append only: a migration that shipped is never edited, a new one is added.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE models (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        origin      TEXT NOT NULL CHECK (origin IN ('local_folder', 'huggingface')),
        path        TEXT NOT NULL,           -- the folder holding config.json and weights
        owns_path   INTEGER NOT NULL,        -- 1 when aqua_ext downloaded it (delete removes it)
        hf_id       TEXT,
        revision    TEXT,
        summary     TEXT NOT NULL,           -- JSON: the ModelDetail fields computed at registration
        created_at  TEXT NOT NULL
    );
    CREATE UNIQUE INDEX models_path ON models(path);
    """,
    """
    CREATE TABLE deployments (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        state       TEXT NOT NULL,
        state_message TEXT NOT NULL,
        model_id    TEXT NOT NULL,          -- not a foreign key: catalog and cache models have no row
        config      TEXT NOT NULL,          -- JSON: the validated request and what was resolved from it
        failure_log TEXT NOT NULL DEFAULT '[]',  -- JSON list: the engine log's last lines when FAILED
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
    );
    """,
    """
    CREATE TABLE finetunes (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        base_model_id TEXT NOT NULL,        -- not a foreign key: catalog and cache models have no row
        state       TEXT NOT NULL,          -- the last state seen; status.json in the job folder is the truth
        state_message TEXT NOT NULL,
        config      TEXT NOT NULL,          -- JSON: the validated request and what was resolved from it
        process     TEXT NOT NULL DEFAULT '{}',  -- JSON: pid and start time of the detached job
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        finished_at TEXT
    );
    """,
    """
    CREATE TABLE evaluations (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        deployment_id TEXT NOT NULL,        -- kept after the deployment is deleted: the report stays
        state       TEXT NOT NULL,          -- the last state seen; status.json in the job folder is the truth
        state_message TEXT NOT NULL,
        config      TEXT NOT NULL,          -- JSON: the validated request and what was resolved from it
        process     TEXT NOT NULL DEFAULT '{}',  -- JSON: pid and start time of the detached job
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        finished_at TEXT
    );
    """,
    # A model may be a GGUF conversion of another (origin 'gguf'): SQLite changes a CHECK only by
    # rebuilding the table.
    """
    CREATE TABLE models_v5 (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        origin      TEXT NOT NULL CHECK (origin IN ('local_folder', 'huggingface', 'gguf')),
        path        TEXT NOT NULL,           -- the folder holding config.json and weights
        owns_path   INTEGER NOT NULL,        -- 1 when aqua_ext made it (a download, a conversion)
        hf_id       TEXT,
        revision    TEXT,
        summary     TEXT NOT NULL,           -- JSON: the ModelDetail fields computed at registration
        created_at  TEXT NOT NULL
    );
    INSERT INTO models_v5 SELECT id, name, origin, path, owns_path, hf_id, revision, summary, created_at FROM models;
    DROP TABLE models;
    ALTER TABLE models_v5 RENAME TO models;
    CREATE UNIQUE INDEX models_path ON models(path);
    """,
)


@dataclass(frozen=True)
class ModelRow:
    id: str
    name: str
    origin: str
    path: str
    owns_path: bool
    hf_id: str | None
    revision: str | None
    summary: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class DeploymentRow:
    id: str
    name: str
    state: str
    state_message: str
    model_id: str
    config: dict[str, Any]
    failure_log: list[str]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class JobRow:
    """A detached job's record: a fine-tune (subject: the base model) or an evaluation (subject:
    the deployment)."""

    id: str
    name: str
    subject_id: str
    state: str
    state_message: str
    config: dict[str, Any]
    process: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None


class Store:
    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self._db: aiosqlite.Connection | None = None
        self.finetunes = JobTable(self, "finetunes", "base_model_id")
        self.evaluations = JobTable(self, "evaluations", "deployment_id")

    async def open(self) -> None:
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        self._db = await aiosqlite.connect(self.db_path)
        self._db.row_factory = aiosqlite.Row
        try:
            await self._db.execute("PRAGMA journal_mode=WAL")
            await self._db.execute("PRAGMA foreign_keys=ON")
            await self._migrate()
        except BaseException:
            await self.close()  # else aiosqlite's thread outlives the failed open
            raise

    async def close(self) -> None:
        if self._db is not None:
            await self._db.close()
            self._db = None

    @property
    def db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise RuntimeError("store is not open")
        return self._db

    async def schema_version(self) -> int:
        async with self.db.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def data_version(self) -> int:
        """SQLite's `PRAGMA data_version`: it changes when another connection (another process on
        this data dir) commits, and never for this connection's own commits. One cheap call, no
        table read: how a process notices that another one wrote."""
        async with self.db.execute("PRAGMA data_version") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def models_fingerprint(self) -> tuple[Any, ...]:
        """What the model listing depends on in this database: the registrations and the succeeded
        fine-tunes (their models). Registrations are only inserted and deleted, and a finished
        fine-tune is not written again, so counts and newest times tell every change."""
        async with self.db.execute(
            "SELECT (SELECT count(*) FROM models), (SELECT max(created_at) FROM models),"
            " (SELECT count(*) FROM finetunes WHERE state = 'SUCCEEDED'),"
            " (SELECT max(updated_at) FROM finetunes WHERE state = 'SUCCEEDED')"
        ) as cur:
            row = await cur.fetchone()
        return tuple(row) if row else ()

    async def _migrate(self) -> None:
        version = await self.schema_version()
        if version > len(MIGRATIONS):
            raise RuntimeError(
                f"{self.db_path} was written by a newer aqua_ext (schema {version} > {len(MIGRATIONS)});"
                " upgrade aqua_ext"
            )
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            # executescript commits first; the version bump rides in the same script.
            await self.db.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")

    async def insert_model(self, row: ModelRow) -> None:
        await self.insert_models([row])

    async def insert_models(self, rows: list[ModelRow]) -> None:
        """Bulk insert in one transaction (seeding benchmarks, imports)."""
        await _write(
            self.db,
            "INSERT INTO models (id, name, origin, path, owns_path, hf_id, revision, summary, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    r.id,
                    r.name,
                    r.origin,
                    r.path,
                    int(r.owns_path),
                    r.hf_id,
                    r.revision,
                    json.dumps(r.summary),
                    r.created_at.isoformat(),
                )
                for r in rows
            ],
            many=True,
        )

    async def list_models(self) -> list[ModelRow]:
        return await _read_all(self.db, "SELECT * FROM models ORDER BY created_at", _row)

    async def get_model(self, model_id: str) -> ModelRow | None:
        return await _by_id(self.db, "models", model_id, _row)

    async def find_model_by_path(self, path: str) -> ModelRow | None:
        return await _read_one(self.db, "SELECT * FROM models WHERE path = ?", (path,), _row)

    async def find_model_by_hf_id(self, hf_id: str) -> ModelRow | None:
        return await _read_one(
            self.db, "SELECT * FROM models WHERE hf_id = ? AND origin = 'huggingface'", (hf_id,), _row
        )

    async def delete_model(self, model_id: str) -> None:
        await _delete_by_id(self.db, "models", model_id)

    # ---- deployments -------------------------------------------------------

    async def insert_deployment(self, row: DeploymentRow) -> None:
        values = {
            **_lifecycle_values(row),
            "model_id": row.model_id,
            "failure_log": json.dumps(row.failure_log),
        }
        await _insert(self.db, "deployments", values)

    async def set_deployment_state(
        self, deployment_id: str, state: str, message: str, failure_log: list[str] | None = None
    ) -> None:
        await _write(
            self.db,
            "UPDATE deployments SET state = ?, state_message = ?, failure_log = ?, updated_at = ? WHERE id = ?",
            (state, message, json.dumps(failure_log or []), datetime.now(timezone.utc).isoformat(), deployment_id),
        )

    async def set_deployment_config(self, deployment_id: str, config: dict[str, Any]) -> None:
        """A setting changed (idle stop): updated_at stays, it tells when the state last changed."""
        await _write(self.db, "UPDATE deployments SET config = ? WHERE id = ?", (json.dumps(config), deployment_id))

    async def list_deployments(self) -> list[DeploymentRow]:
        return await _newest_first(self.db, "deployments", _deployment_row)

    async def get_deployment(self, deployment_id: str) -> DeploymentRow | None:
        return await _by_id(self.db, "deployments", deployment_id, _deployment_row)

    async def delete_deployment(self, deployment_id: str) -> None:
        await _delete_by_id(self.db, "deployments", deployment_id)


class JobTable:
    """One table of detached jobs (`finetunes`, `evaluations`): the same columns, but the subject's."""

    def __init__(self, store: Store, table: str, subject_column: str) -> None:
        # Both names are constants of this module, never user input.
        self._store, self._table, self._subject = store, table, subject_column

    async def insert(self, row: JobRow) -> None:
        values = {
            **_lifecycle_values(row),
            self._subject: row.subject_id,
            "process": json.dumps(row.process),
            "finished_at": row.finished_at.isoformat() if row.finished_at else None,
        }
        await _insert(self._store.db, self._table, values)

    async def set_process(self, job_id: str, process: dict[str, Any]) -> None:
        db = self._store.db
        await _write(db, f"UPDATE {self._table} SET process = ? WHERE id = ?", (json.dumps(process), job_id))

    async def set_state(self, job_id: str, state: str, message: str, *, final: bool) -> None:
        now = datetime.now(timezone.utc).isoformat()
        db = self._store.db
        await _write(
            db,
            f"UPDATE {self._table} SET state = ?, state_message = ?, updated_at = ?,"
            " finished_at = CASE WHEN ? THEN COALESCE(finished_at, ?) ELSE NULL END WHERE id = ?",
            (state, message, now, int(final), now, job_id),
        )

    async def list(self) -> list[JobRow]:
        return await _newest_first(self._store.db, self._table, self._row)

    async def get(self, job_id: str) -> JobRow | None:
        return await _by_id(self._store.db, self._table, job_id, self._row)

    async def delete(self, job_id: str) -> None:
        await _delete_by_id(self._store.db, self._table, job_id)

    def _row(self, r: aiosqlite.Row) -> JobRow:
        return JobRow(
            **_lifecycle_fields(r),
            subject_id=r[self._subject],
            process=json.loads(r["process"]),
            finished_at=_utc(r["finished_at"]) if r["finished_at"] else None,
        )


R = TypeVar("R")


async def _read_one(db: aiosqlite.Connection, sql: str, params: Any, make: Callable[[Any], R]) -> R | None:
    """The first row a SELECT reads, made into `make`'s row; None when there is none."""
    async with db.execute(sql, params) as cur:
        r = await cur.fetchone()
    return make(r) if r else None


async def _read_all(db: aiosqlite.Connection, sql: str, make: Callable[[Any], R]) -> list[R]:
    """Every row a SELECT reads, made into `make`'s rows."""
    async with db.execute(sql) as cur:
        return [make(r) for r in await cur.fetchall()]


# Table and column names below are this module's constants, never user input.


async def _newest_first(db: aiosqlite.Connection, table: str, make: Callable[[Any], R]) -> list[R]:
    return await _read_all(db, f"SELECT * FROM {table} ORDER BY created_at DESC", make)


async def _by_id(db: aiosqlite.Connection, table: str, row_id: str, make: Callable[[Any], R]) -> R | None:
    return await _read_one(db, f"SELECT * FROM {table} WHERE id = ?", (row_id,), make)


async def _delete_by_id(db: aiosqlite.Connection, table: str, row_id: str) -> None:
    await _write(db, f"DELETE FROM {table} WHERE id = ?", (row_id,))


async def _insert(db: aiosqlite.Connection, table: str, values: dict[str, Any]) -> None:
    """One row, each column named once beside its value."""
    columns, marks = ", ".join(values), ", ".join("?" * len(values))
    await _write(db, f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(values.values()))


def _lifecycle_values(row: DeploymentRow | JobRow) -> dict[str, Any]:
    """The columns every lifecycle table (deployments, finetunes, evaluations) has, as SQLite keeps them."""
    return {
        "id": row.id,
        "name": row.name,
        "state": row.state,
        "state_message": row.state_message,
        "config": json.dumps(row.config),
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }


def _lifecycle_fields(r: aiosqlite.Row) -> dict[str, Any]:
    """The same columns read back, as the row dataclasses hold them."""
    return {
        "id": r["id"],
        "name": r["name"],
        "state": r["state"],
        "state_message": r["state_message"],
        "config": json.loads(r["config"]),
        "created_at": _utc(r["created_at"]),
        "updated_at": _utc(r["updated_at"]),
    }


async def _write(db: aiosqlite.Connection, sql: str, params: Any, *, many: bool = False) -> None:
    """One write in its own transaction: committed whole, or rolled back whole. A full disk
    (SQLite's "database or disk is full") is InsufficientStorage, and leaves no row behind."""
    try:
        await (db.executemany(sql, params) if many else db.execute(sql, params))
        await db.commit()
    except BaseException as exc:
        with contextlib.suppress(Exception):
            await db.rollback()
        full = storage_error(exc)
        if full is not None:
            raise full from exc
        raise


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(timezone.utc)


def _deployment_row(r: aiosqlite.Row) -> DeploymentRow:
    return DeploymentRow(**_lifecycle_fields(r), model_id=r["model_id"], failure_log=json.loads(r["failure_log"]))


def _row(r: aiosqlite.Row) -> ModelRow:
    return ModelRow(
        id=r["id"],
        name=r["name"],
        origin=r["origin"],
        path=r["path"],
        owns_path=bool(r["owns_path"]),
        hf_id=r["hf_id"],
        revision=r["revision"],
        summary=json.loads(r["summary"]),
        created_at=_utc(r["created_at"]),
    )
