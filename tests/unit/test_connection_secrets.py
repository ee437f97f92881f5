"""The secret store: a 0600 file in a 0700 folder, replaced whole; concurrent writers (threads, other
processes) lose nothing; a full disk keeps the old file and says so (507); no secret reaches a log;
the system keyring is used only when one really stores things."""

from __future__ import annotations

import asyncio
import errno
import logging
import multiprocessing
import os
import stat
import sys
import threading
import time
import types
from pathlib import Path
from typing import Any

import pytest

from aqua_ext.backends.connections import secrets as secrets_module
from aqua_ext.backends.connections.secrets import KEYRING_SERVICE, SecretStore
from aqua_ext.errors import InsufficientStorage, Unavailable

KEY = "sk-비밀-秘密-0123456789"


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "secrets" / "connections.json"


def mode_of(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


async def test_set_get_delete_and_the_file_modes(store_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    store = SecretStore(store_path, use_keyring=False)
    assert store.backend == "file"
    assert await store.get("conn-1") is None
    await store.set("conn-1", KEY)
    await store.set("conn-2", "two")
    assert await store.get("conn-1") == KEY and await store.has("conn-2")
    assert mode_of(store_path) == 0o600
    assert mode_of(store_path.parent) == 0o700
    assert mode_of(store_path.with_name("connections.json.lock")) == 0o600
    await store.set("conn-1", "replaced")
    assert await SecretStore(store_path, use_keyring=False).get("conn-1") == "replaced"  # on disk, not cached
    await store.delete("conn-1")
    await store.delete("conn-1")  # twice: nothing to do
    assert await store.get("conn-1") is None and await store.get("conn-2") == "two"
    assert mode_of(store_path) == 0o600
    assert [p.name for p in store_path.parent.iterdir() if p.name.endswith(".tmp")] == []
    assert KEY not in caplog.text and "two" not in caplog.text


async def test_an_empty_secret_deletes(store_path: Path) -> None:
    store = SecretStore(store_path, use_keyring=False)
    await store.set("conn-1", KEY)
    await store.set("conn-1", "")
    assert await store.get("conn-1") is None


async def test_a_loosened_file_is_made_0600_again(store_path: Path) -> None:
    store = SecretStore(store_path, use_keyring=False)
    await store.set("conn-1", KEY)
    os.chmod(store_path, 0o644)
    assert await store.get("conn-1") == KEY
    assert mode_of(store_path) == 0o600


async def test_a_file_that_is_not_ours_is_never_written_over(store_path: Path) -> None:
    store_path.parent.mkdir(mode=0o700)
    store_path.write_text("not json {", encoding="utf-8")
    store = SecretStore(store_path, use_keyring=False)
    with pytest.raises(Unavailable) as caught:
        await store.set("conn-1", KEY)
    assert "move it aside" in caught.value.message and "not json" not in caught.value.message
    assert store_path.read_text(encoding="utf-8") == "not json {"


def test_threads_writing_at_once_lose_nothing(store_path: Path) -> None:
    shared = SecretStore(store_path, use_keyring=False)

    def writer(prefix: str, own_store: bool) -> None:
        store = SecretStore(store_path, use_keyring=False) if own_store else shared

        async def run() -> None:
            for i in range(25):
                await store.set(f"{prefix}-{i}", f"secret-{prefix}-{i}")

        asyncio.run(run())

    threads = [threading.Thread(target=writer, args=(f"t{n}", n % 2 == 0)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    found = asyncio.run(_all(shared, [f"t{n}-{i}" for n in range(4) for i in range(25)]))
    assert found == {f"t{n}-{i}": f"secret-t{n}-{i}" for n in range(4) for i in range(25)}


def _write_many(path: str, prefix: str, count: int) -> None:
    store = SecretStore(Path(path), use_keyring=False)

    async def run() -> None:
        for i in range(count):
            await store.set(f"{prefix}-{i}", f"secret-{prefix}-{i}")

    asyncio.run(run())


@pytest.mark.skipif(sys.platform == "win32", reason="fork")
def test_processes_writing_at_once_lose_nothing(store_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_write_many, args=(str(store_path), f"p{n}", 60)) for n in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    store = SecretStore(store_path, use_keyring=False)
    found = asyncio.run(_all(store, [f"p{n}-{i}" for n in range(2) for i in range(60)]))
    assert found == {f"p{n}-{i}": f"secret-p{n}-{i}" for n in range(2) for i in range(60)}


async def _all(store: SecretStore, ids: list[str]) -> dict[str, str | None]:
    return {connection_id: await store.get(connection_id) for connection_id in ids}


@pytest.mark.parametrize("where", ["write", "replace"])
async def test_a_full_disk_keeps_the_old_file(store_path: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    store = SecretStore(store_path, use_keyring=False)
    await store.set("conn-1", KEY)
    before = store_path.read_bytes()

    def full(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(secrets_module.os, where, full)
    with pytest.raises(InsufficientStorage) as caught:
        await store.set("conn-2", "new")
    monkeypatch.undo()
    assert caught.value.status == 507 and "disk is full" in caught.value.message
    assert KEY not in caught.value.message
    assert store_path.read_bytes() == before
    assert sorted(p.name for p in store_path.parent.iterdir()) == ["connections.json", "connections.json.lock"]
    assert await store.get("conn-1") == KEY and await store.get("conn-2") is None


class FakeKeyring:
    def __init__(self, priority: float) -> None:
        self.priority = priority
        self.saved: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, user: str) -> str | None:
        return self.saved.get((service, user))

    def set_password(self, service: str, user: str, secret: str) -> None:
        self.saved[(service, user)] = secret

    def delete_password(self, service: str, user: str) -> None:
        if (service, user) not in self.saved:
            raise KeyError(user)  # keyring raises PasswordDeleteError
        del self.saved[(service, user)]


def fake_keyring_module(monkeypatch: pytest.MonkeyPatch, backend: FakeKeyring) -> None:
    module = types.ModuleType("keyring")
    module.get_keyring = lambda: backend  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "keyring", module)


async def test_a_working_keyring_holds_the_secrets(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file_store = SecretStore(store_path, use_keyring=False)
    await file_store.set("conn-old", "kept in the file before")
    backend = FakeKeyring(priority=5)
    fake_keyring_module(monkeypatch, backend)
    store = SecretStore(store_path)
    assert store.backend == "keyring"
    await store.set("conn-1", KEY)
    assert backend.saved == {(KEYRING_SERVICE, "conn-1"): KEY}
    assert KEY not in store_path.read_text(encoding="utf-8")
    assert await store.get("conn-1") == KEY
    assert await store.get("conn-old") == "kept in the file before"
    await store.set("conn-old", "moved")
    assert backend.saved[(KEYRING_SERVICE, "conn-old")] == "moved"
    assert "kept in the file before" not in store_path.read_text(encoding="utf-8")
    await store.delete("conn-1")
    await store.delete("conn-1")
    assert await store.get("conn-1") is None


@pytest.mark.parametrize("priority", [0, -1])
async def test_the_fail_and_null_keyrings_are_not_used(
    store_path: Path, monkeypatch: pytest.MonkeyPatch, priority: float
) -> None:
    backend = FakeKeyring(priority=priority)
    fake_keyring_module(monkeypatch, backend)
    store = SecretStore(store_path)
    assert store.backend == "file"
    await store.set("conn-1", KEY)
    assert backend.saved == {} and await store.get("conn-1") == KEY


def test_without_the_keyring_package_the_file_is_used(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "keyring", None)  # import keyring raises ImportError
    assert SecretStore(store_path).backend == "file"


class BrokenKeyring(FakeKeyring):
    def get_password(self, service: str, user: str) -> str | None:
        raise RuntimeError(f"locked while reading {KEY}")

    def set_password(self, service: str, user: str, secret: str) -> None:
        time.sleep(1)


async def test_a_keyring_that_fails_or_hangs_is_a_503(
    store_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_keyring_module(monkeypatch, BrokenKeyring(priority=5))
    monkeypatch.setattr(secrets_module, "KEYRING_TIMEOUT_S", 0.05)
    store = SecretStore(store_path)
    with pytest.raises(Unavailable) as caught:
        await store.get("conn-1")
    assert "RuntimeError" in caught.value.message and KEY not in caught.value.message
    assert caught.value.__suppress_context__  # the backend's error (and its text) is not chained into tracebacks
    with pytest.raises(Unavailable, match="did not answer"):
        await store.set("conn-1", KEY)
    assert KEY not in caplog.text
