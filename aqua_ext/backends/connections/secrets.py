"""Where a connection's secret (API key, token, password) lives: the system keyring when there is a
usable one, else one JSON file only its owner can read ({"version": 1, "secrets": {id: secret}},
mode 0600 in a folder made 0700). Nothing else on the server holds a secret: not the connection's
record, not a log line, not a response.

The file is replaced whole (a temp file in the same folder, fsynced, then renamed), under a lock
that the server and the CLI both take, so a crash or a full disk leaves the previous file, and two
writers never lose each other's secret. The methods are async: the file work (and a keyring, which
may talk to a daemon) runs in a worker thread, off the event loop."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import itertools
import json
import logging
import os
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from ...errors import InsufficientStorage, Unavailable, storage_error

log = logging.getLogger(__name__)

KEYRING_SERVICE = "aqua-ext-connections"
KEYRING_TIMEOUT_S = 10.0
FILE_VERSION = 1
_tmp_names = itertools.count()
T = TypeVar("T")


class SecretStore:
    """get/set/delete a secret by connection id. `use_keyring`: None picks the system keyring when the
    `keyring` package is installed with a working backend (it is optional, not a dependency);
    False keeps secrets in the file at `path` alone."""

    def __init__(self, path: Path, *, use_keyring: bool | None = None) -> None:
        self.path = path
        self._lock_path = path.with_name(path.name + ".lock")
        self._thread_lock = threading.Lock()
        self._keyring: Any = _usable_keyring() if use_keyring is not False else None
        if use_keyring and self._keyring is None:
            log.info("No usable system keyring: connection secrets are kept in %s", path)

    @property
    def backend(self) -> str:
        """Where secrets go, for the server's startup line and `info`: "keyring" or "file"."""
        return "keyring" if self._keyring is not None else "file"

    async def get(self, connection_id: str) -> str | None:
        return await self._run(self._get, connection_id)

    async def has(self, connection_id: str) -> bool:
        return await self.get(connection_id) is not None

    async def set(self, connection_id: str, secret: str) -> None:
        """Store (or replace) the secret; "" deletes it (an update's way to remove one). InsufficientStorage
        (507) on a full disk, the secrets saved before kept."""
        if not secret:
            await self.delete(connection_id)
            return
        await self._run(self._set, connection_id, secret)

    async def delete(self, connection_id: str) -> None:
        """Forget the secret (nothing happens when there is none)."""
        await self._run(self._delete, connection_id)

    async def _run(self, work: Callable[..., T], *args: Any) -> T:
        """`work` in a worker thread of the loop's (bounded) default executor. A keyring may wait on a
        desktop prompt or a locked daemon: the request gives up after KEYRING_TIMEOUT_S, not the server."""
        running = asyncio.to_thread(work, *args)
        if self._keyring is None:
            return await running
        try:
            return await asyncio.wait_for(running, KEYRING_TIMEOUT_S)
        except asyncio.TimeoutError:
            raise Unavailable(
                f"The system keyring did not answer within {KEYRING_TIMEOUT_S:g} s (locked, or waiting for a "
                "prompt); unlock it, or uninstall the keyring package to keep secrets in a file."
            ) from None

    # -- in the worker thread ------------------------------------------------------------------

    def _get(self, connection_id: str) -> str | None:
        if self._keyring is not None:
            with _keyring_errors():
                found = self._keyring.get_password(KEYRING_SERVICE, connection_id)
            if found is not None:
                return str(found)
        # Also where a secret kept before a keyring was installed stays readable.
        with self._locked():
            return self._read().get(connection_id)

    def _set(self, connection_id: str, secret: str) -> None:
        if self._keyring is not None:
            with _keyring_errors():
                self._keyring.set_password(KEYRING_SERVICE, connection_id, secret)
            self._delete_from_file(connection_id)  # no second, stale copy
            return
        with self._locked():
            secrets = self._read()
            secrets[connection_id] = secret
            self._write(secrets)

    def _delete(self, connection_id: str) -> None:
        if self._keyring is not None:
            with contextlib.suppress(Exception):  # keyring.errors.PasswordDeleteError: there was none
                self._keyring.delete_password(KEYRING_SERVICE, connection_id)
        self._delete_from_file(connection_id)

    def _delete_from_file(self, connection_id: str) -> None:
        with self._locked():
            secrets = self._read()
            if secrets.pop(connection_id, None) is not None:
                self._write(secrets)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """This process's threads, then other processes (the CLI beside the server), one at a time."""
        with self._thread_lock:
            self._make_folder()
            fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)  # releases the flock

    def _make_folder(self) -> None:
        folder = self.path.parent
        if not folder.is_dir():
            try:
                folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            except OSError as exc:
                raise storage_error(exc) or exc from exc

    def _read(self) -> dict[str, str]:
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            return {}
        with os.fdopen(fd, "rb") as file:
            mode = stat.S_IMODE(os.fstat(file.fileno()).st_mode)
            if mode & 0o077:  # someone loosened it: only the owner may read secrets
                log.warning("The secret store %s was readable by others (mode %o); made 0600 again", self.path, mode)
                os.fchmod(file.fileno(), 0o600)
            raw = file.read()
        try:
            data = json.loads(raw)
            secrets = data["secrets"]
            if not isinstance(secrets, dict) or not all(isinstance(v, str) for v in secrets.values()):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            # Never rewritten over: that would lose every secret still in it. The text is not quoted (secrets).
            raise Unavailable(
                f"The secret store {self.path} is not what aqua_ext wrote (not its JSON); "
                "move it aside to start a new one, and set the connections' secrets again."
            ) from None
        return dict(secrets)

    def _write(self, secrets: dict[str, str]) -> None:
        data = json.dumps({"version": FILE_VERSION, "secrets": secrets}, ensure_ascii=False, indent=1).encode()
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{next(_tmp_names)}.tmp")
        try:
            # O_EXCL: a file someone placed at the temp name (a link to elsewhere) is never written through.
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
            try:
                view = memoryview(data)
                while view:
                    written = os.write(fd, view)
                    if written <= 0:  # never expected from a regular file; keeps the loop finite
                        raise OSError(errno.EIO, "short write", str(tmp))
                    view = view[written:]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self.path)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()  # a full disk leaves no half-written temp file; the old file is untouched
            full = storage_error(exc) if isinstance(exc, Exception) else None
            if full is not None:
                raise InsufficientStorage(
                    "The server's disk is full: the connection's secret was not saved (the ones saved before are "
                    "kept); free some space and try again."
                ) from exc
            raise
        _fsync_folder(self.path.parent)  # the rename itself survives a crash


@contextlib.contextmanager
def _keyring_errors() -> Iterator[None]:
    """A keyring's own error (locked, refused, no daemon) as a 503 naming its type only: the message of a
    backend's error is not ours to vouch for, and must not carry the secret into a response or a log."""
    try:
        yield
    except Exception as exc:
        raise Unavailable(
            f"The system keyring refused the request ({type(exc).__name__}); unlock it, or uninstall the "
            "keyring package to keep secrets in a file."
        ) from None


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a folder be fsynced
        fd = os.open(folder, os.O_RDONLY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _usable_keyring() -> Any:
    """The system keyring, or None when the package is absent or its backend stores nothing (the fail
    and null backends, priority <= 0: a server without a desktop session)."""
    try:
        import keyring  # type: ignore[import-not-found,unused-ignore]  # optional: not a dependency
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
        if float(backend.priority) <= 0:
            return None
    except Exception as exc:  # a broken keyring configuration: the file still works
        log.info("The system keyring is not usable (%s): connection secrets are kept in a file", type(exc).__name__)
        return None
    return backend
