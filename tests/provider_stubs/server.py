"""What every provider stub shares: a tornado app on 127.0.0.1 at a free port, served by its own IOLoop
in a daemon thread (as tests/stub_upstream.py does), a record of the requests it saw, and faults a test
queues: the next requests answered with a status (401, 404, 429, 500, …) in the provider's error shape,
or answered slowly.

    with OpenAiStub(key="sk-…") as stub:
        stub.fail(429)                 # the next request gets the provider's 429
        stub.first_byte_delay = 2.0    # every answer waits 2 s before its headers
        stub.seen[-1].body             # the JSON the last request carried
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass
from typing import Any

from tornado import httpserver, netutil, web
from tornado.iostream import StreamClosedError


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: Any  # parsed JSON, or None


@dataclass
class StreamRecord:
    path: str
    finished: bool = False
    disconnected: bool = False


class Refuse(Exception):
    """Raised by a handler's validation: answer `status` with the provider's error payload."""

    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


@dataclass
class Fault:
    status: int
    message: str
    code: str | None
    times: int


class StubHandler(web.RequestHandler):
    """Base handler: records, applies queued faults and delays, turns Refuse into the provider's error."""

    stub: ProviderStub

    def initialize(self, stub: ProviderStub) -> None:
        self.stub = stub
        self.record: StreamRecord | None = None

    def check_xsrf_cookie(self) -> None:
        pass

    def on_connection_close(self) -> None:
        if self.record is not None and not self.record.finished:
            self.record.disconnected = True

    def error_payload(self, status: int, message: str, code: str | None) -> dict[str, Any]:
        raise NotImplementedError

    def json_body(self) -> Any:
        if not self.request.body:
            return None
        try:
            return json.loads(self.request.body)
        except ValueError:
            raise Refuse(400, "The request body is not valid JSON.", "invalid_json") from None

    async def prepare(self) -> None:
        body: Any = None
        try:
            body = json.loads(self.request.body) if self.request.body else None
        except ValueError:
            body = None
        self.stub.seen.append(
            Seen(
                self.request.method or "",
                self.request.path,
                {k: v[0].decode() for k, v in self.request.query_arguments.items()},
                {k.lower(): v for k, v in self.request.headers.items()},
                body,
            )
        )
        if self.stub.first_byte_delay:
            await asyncio.sleep(self.stub.first_byte_delay)
        fault = self.stub.take_fault()
        if fault is not None:
            self.refuse(Refuse(fault.status, fault.message, fault.code))

    def refuse(self, exc: Refuse) -> None:
        self.set_status(exc.status)
        self.set_header("Content-Type", "application/json")
        if exc.status == 429:
            self.set_header("Retry-After", "0")
        self.finish(json.dumps(self.error_payload(exc.status, exc.message, exc.code), ensure_ascii=False))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None))[1]
        if isinstance(exc, Refuse):
            self.refuse(exc)
        else:
            self.finish(json.dumps(self.error_payload(status_code, self._reason, None)))

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if not isinstance(value, Refuse):
            super().log_exception(typ, value, tb)

    async def stream(self, pieces: list[bytes], content_type: str = "text/event-stream") -> None:
        """Send each piece in two writes split inside it (a UTF-8 character may be cut in two), with
        `token_delay` between pieces; notes a client that went away before the end."""
        record = StreamRecord(self.request.path)
        self.record = record
        self.stub.streams.append(record)
        stream = getattr(self.request.connection, "stream", None)
        if stream is not None:
            stream.set_nodelay(True)
        self.set_header("Content-Type", content_type)
        self.set_header("Cache-Control", "no-cache")
        try:
            for piece in pieces:
                if record.disconnected:
                    return
                half = len(piece) // 2 | 1  # odd: inside a 3-byte character more often than not
                for part in (piece[:half], piece[half:]):
                    self.write(part)
                    await self.flush()
                if self.stub.token_delay:
                    await asyncio.sleep(self.stub.token_delay)
            record.finished = True
            self.finish()
        except StreamClosedError:
            record.disconnected = True


def sse(data: Any, event: str | None = None) -> bytes:
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {text}\n\n".encode()


def pieces_of(text: str, size: int = 3) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def refuse_unknown(body: dict[str, Any], allowed: set[str] | frozenset[str], where: str = "") -> None:
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise Refuse(400, f"Unrecognized request argument supplied: {where}{unknown[0]}", "unknown_parameter")


def require(body: dict[str, Any], *names: str, where: str = "") -> None:
    for name in names:
        if name not in body:
            raise Refuse(400, f"Missing required parameter: '{where}{name}'.", "missing_required_parameter")


class ProviderStub:
    """A provider stub's server; subclasses give `routes()`."""

    def __init__(self, *, key: str | None = None, models: list[str] | None = None) -> None:
        self.key = key
        self.models = models or []
        self.seen: list[Seen] = []
        self.streams: list[StreamRecord] = []
        self.first_byte_delay = 0.0
        self.token_delay = 0.0
        self.error_after: int | None = None  # streams fail after this many content chunks (OpenAI's stubs)
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: httpserver.HTTPServer | None = None

    def routes(self) -> list[Any]:
        raise NotImplementedError

    # ---- faults ------------------------------------------------------------------------------

    def fail(self, status: int, message: str | None = None, code: str | None = None, times: int = 1) -> None:
        with self._lock:
            self._faults.append(Fault(status, message or f"stub fault {status}", code, times))

    def take_fault(self) -> Fault | None:
        with self._lock:
            if not self._faults:
                return None
            fault = self._faults[0]
            fault.times -= 1
            if fault.times <= 0:
                self._faults.pop(0)
            return fault

    # ---- server ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ProviderStub:
        sockets = netutil.bind_sockets(0, "127.0.0.1")
        self.port = sockets[0].getsockname()[1]
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._loop = loop

            async def setup() -> None:
                app = web.Application([(path, handler, {"stub": self}) for path, handler in self.routes()])
                self._server = httpserver.HTTPServer(app)
                self._server.add_sockets(sockets)

            loop.run_until_complete(setup())
            ready.set()
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=run, name=f"provider-stub-{self.port}", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        loop = self._loop
        if loop is None:
            return

        def shutdown() -> None:
            if self._server is not None:
                self._server.stop()
            for task in asyncio.all_tasks(loop):
                task.cancel()
            loop.stop()

        loop.call_soon_threadsafe(shutdown)
        if self._thread is not None:
            self._thread.join(5)
        self._loop = None

    def wait_for(self, predicate: Any, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.01)
        return bool(predicate())

    def __enter__(self) -> ProviderStub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
