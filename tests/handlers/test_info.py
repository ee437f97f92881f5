from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest


async def test_info_reports_version_backend_hardware_and_engines(api: Any, aqua_data_dir: Any) -> None:
    status, body = await api("info")
    assert status == 200
    assert body["version"]
    backend = body["backend"]
    assert (backend["kind"], backend["ready"], backend["problem"]) == ("local", True, None)
    assert backend["data_dir"] == str(aqua_data_dir.resolve())
    assert body["hardware"]["cpu_count"] >= 1
    assert body["hardware"]["memory_gb"] > 0
    assert isinstance(body["hardware"]["gpus"], list)
    names = {e["name"] for e in body["engines"]}
    assert names == {"transformers", "vllm", "llama.cpp", "trl"}
    for engine in body["engines"]:
        assert engine["available"] or engine["reason"], engine


async def test_every_response_carries_a_request_id(jp_fetch: Any) -> None:
    response = await jp_fetch("aqua-ext", "info")
    assert len(response.headers["X-Request-Id"]) == 16


@pytest.fixture
def newer_database(aqua_data_dir: Path) -> None:
    aqua_data_dir.mkdir(parents=True)
    with sqlite3.connect(aqua_data_dir / "state.db") as db:
        db.execute("PRAGMA user_version = 999")


async def test_a_backend_that_cannot_start_is_reported_not_fatal(newer_database: None, api: Any) -> None:
    status, body = await api("info")
    assert status == 200
    assert body["backend"]["ready"] is False
    assert "newer aqua_ext" in body["backend"]["problem"]
    status, body = await api("models")
    assert status == 503 and "could not start" in body["message"]
