"""A tiny OpenAI-compatible streaming upstream for the proxy unit tests and the chat proxy bench.

Not an engine and never shipped: it answers `/v1/chat/completions` and `/v1/completions` with
tokens `tok0 tok1 …` in OpenAI's streaming format, on 127.0.0.1 at a free port, in a background
thread with its own IOLoop (or, with `python -m tests.stub_upstream`, as its own process).

Behaviour comes from `StubConfig` (server-wide) and can be overridden per request by a
`"stub": {...}` object in the JSON body; `max_tokens` in the body sets the token count.

    with StubUpstream(StubConfig(tokens=5)) as stub:
        url = stub.url + "/v1/chat/completions"
        ...
        stub.stats.disconnected  # streams whose client went away before the end
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import logging
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tornado import httpserver, netutil, web
from tornado.iostream import StreamClosedError


@dataclass
class StubConfig:
    tokens: int = 8
    token_delay: float = 0.0  # seconds between tokens; 0 = as fast as it can
    first_byte_delay: float = 0.0  # seconds before the response headers
    answer_delay: float = 0.0  # a non-streamed answer: seconds spent "generating" it (recorded in stats.answers)
    send_done: bool = True  # end with `data: [DONE]` (transformers serve does not)
    include_usage: bool = True  # `usage` in the last chunk
    # "ok" | "error" (500 JSON) | "drop" (connection cut mid-stream) |
    # "error_event" (a `data: {"error": {...}}` chunk mid-stream, then a clean end, as vLLM does)
    mode: str = "ok"
    drop_after: int = 2  # with mode="drop"/"error_event": tokens sent before it
    error_status: int = 500
    error_message: str = "CUDA out of memory (stub)"
    final_blank_line: bool = True  # False: the last event has no blank line before EOF
    model: str = "stub-model"
    metrics: str | None = None  # the text GET /metrics answers (None: 404, as an engine without metrics)
    # The answer's text instead of `tok0 tok1 …` (sent as one piece; usage counts its words): fixed, or
    # made from the request body (a judge that grades deterministically: tests/judge_stub.py).
    content: str | Callable[[dict[str, Any]], str] | None = None


@dataclass
class StreamRecord:
    path: str
    tokens_planned: int
    tokens_sent: int = 0
    finished: bool = False
    disconnected: bool = False


@dataclass
class StubStats:
    streams: list[StreamRecord] = field(default_factory=list)
    # Non-streamed requests with an answer_delay: whether the client waited for the answer.
    answers: list[StreamRecord] = field(default_factory=list)
    # The Authorization header of each request (None: none sent), to check what credentials arrived.
    authorizations: list[str | None] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def started(self) -> int:
        return len(self.streams)

    @property
    def disconnected(self) -> int:
        with self.lock:
            return sum(1 for s in self.streams if s.disconnected)

    @property
    def finished(self) -> int:
        with self.lock:
            return sum(1 for s in self.streams if s.finished)


class _Handler(web.RequestHandler):
    def initialize(self, stub: StubUpstream) -> None:
        self.stub = stub
        self.record: StreamRecord | None = None

    def check_xsrf_cookie(self) -> None:
        pass

    def on_connection_close(self) -> None:
        if self.record is not None and not self.record.finished:
            self.record.disconnected = True

    def _config(self, body: dict[str, Any]) -> StubConfig:
        cfg = dataclasses.replace(self.stub.config)
        overrides = body.get("stub") or {}
        for key, value in overrides.items():
            if not hasattr(cfg, key):
                raise web.HTTPError(400, f"unknown stub option {key}")
            setattr(cfg, key, value)
        if isinstance(body.get("max_tokens"), int):
            cfg.tokens = body["max_tokens"]
        return cfg

    async def post(self, kind: str) -> None:
        with self.stub.stats.lock:
            self.stub.stats.authorizations.append(self.request.headers.get("Authorization"))
        body = json.loads(self.request.body or b"{}")
        cfg = self._config(body)
        if cfg.first_byte_delay:
            await asyncio.sleep(cfg.first_byte_delay)
        if cfg.mode == "error":
            self.set_status(cfg.error_status)
            self.set_header("Content-Type", "application/json")
            self.finish(
                json.dumps({"error": {"message": cfg.error_message, "type": "stub_error", "code": cfg.error_status}})
            )
            return
        chat = kind == "chat/completions"
        if cfg.content is not None:
            await self._content(cfg, body, chat)
            return
        if not body.get("stream"):
            if cfg.answer_delay:
                self.record = StreamRecord(path=self.request.path, tokens_planned=cfg.tokens)
                with self.stub.stats.lock:
                    self.stub.stats.answers.append(self.record)
                await asyncio.sleep(cfg.answer_delay)
                if self.record.disconnected:
                    return
                self.record.finished = True
            text = " ".join(f"tok{i}" for i in range(cfg.tokens))
            choice = (
                {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "length"}
                if chat
                else {"index": 0, "text": text, "finish_reason": "length"}
            )
            self.finish(
                {
                    "id": "stub",
                    "object": "chat.completion" if chat else "text_completion",
                    "model": cfg.model,
                    "choices": [choice],
                    "usage": self._usage(cfg.tokens),
                }
            )
            return

        record = StreamRecord(path=self.request.path, tokens_planned=cfg.tokens)
        with self.stub.stats.lock:
            self.stub.stats.streams.append(record)
        self.record = record
        # Like uvicorn-based engines (asyncio sets TCP_NODELAY): each token leaves at once, instead of
        # tornado's default Nagle waiting for the previous segment's ACK (delays the 2nd chunk by ms).
        stream = getattr(self.request.connection, "stream", None)
        if stream is not None:
            stream.set_nodelay(True)
        self.set_header("Content-Type", "text/event-stream")
        self.set_header("Cache-Control", "no-cache")
        created = int(time.time())
        obj = "chat.completion.chunk" if chat else "text_completion"

        def chunk(choice: dict[str, Any], usage: dict[str, Any] | None = None) -> bytes:
            out: dict[str, Any] = {
                "id": "stub-1",
                "object": obj,
                "created": created,
                "model": cfg.model,
                "choices": [choice],
            }
            if usage is not None:
                out["usage"] = usage
            return b"data: " + json.dumps(out, separators=(",", ":")).encode() + b"\n\n"

        try:
            if chat:
                self.write(chunk({"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}))
                await self.flush()
            for i in range(cfg.tokens):
                if record.disconnected:
                    return
                if cfg.mode == "drop" and i == cfg.drop_after:
                    record.disconnected = False
                    self.request.connection.stream.close()  # type: ignore[union-attr]
                    record.finished = True  # the cut is ours, not the client's
                    return
                if cfg.mode == "error_event" and i == cfg.drop_after:
                    err = {"error": {"message": cfg.error_message, "type": "stub_error", "code": 500}}
                    self.write(b"data: " + json.dumps(err).encode() + b"\n\ndata: [DONE]\n\n")
                    record.finished = True
                    return
                piece = f"tok{i}" if i == 0 else f" tok{i}"
                self.write(
                    chunk(
                        {"index": 0, "delta": {"content": piece}, "finish_reason": None}
                        if chat
                        else {"index": 0, "text": piece, "finish_reason": None}
                    )
                )
                await self.flush()
                record.tokens_sent += 1
                if cfg.token_delay:
                    await asyncio.sleep(cfg.token_delay)
            last = chunk(
                {"index": 0, "delta": {}, "finish_reason": "length"}
                if chat
                else {"index": 0, "text": "", "finish_reason": "length"},
                self._usage(cfg.tokens) if cfg.include_usage else None,
            )
            if cfg.send_done:
                last += b"data: [DONE]\n\n"
            elif not cfg.final_blank_line:
                last = last[:-1]  # "data: {...}\n" then EOF
            self.write(last)
            await self.flush()
            record.finished = True
        except StreamClosedError:
            if not record.finished:
                record.disconnected = True

    async def _content(self, cfg: StubConfig, body: dict[str, Any], chat: bool) -> None:
        text = cfg.content(body) if callable(cfg.content) else str(cfg.content)
        usage = self._usage(len(text.split()))
        if not body.get("stream"):
            choice = (
                {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
                if chat
                else {"index": 0, "text": text, "finish_reason": "stop"}
            )
            self.finish({"id": "stub", "model": cfg.model, "choices": [choice], "usage": usage})
            return
        self.set_header("Content-Type", "text/event-stream")
        delta = {"index": 0, "delta": {"role": "assistant", "content": text}} if chat else {"index": 0, "text": text}
        end = (
            {"index": 0, "delta": {}, "finish_reason": "stop"}
            if chat
            else {"index": 0, "text": "", "finish_reason": "stop"}
        )
        for chunk in ({"model": cfg.model, "choices": [delta]}, {"model": cfg.model, "choices": [end], "usage": usage}):
            self.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
        self.write(b"data: [DONE]\n\n")
        await self.flush()

    def _usage(self, tokens: int) -> dict[str, int]:
        return {"prompt_tokens": 5, "completion_tokens": tokens, "total_tokens": 5 + tokens}


class _Metrics(web.RequestHandler):
    def initialize(self, stub: StubUpstream) -> None:
        self.stub = stub

    def get(self) -> None:
        if self.stub.config.metrics is None:
            raise web.HTTPError(404)
        self.set_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        self.finish(self.stub.config.metrics)


def _make_app(stub: StubUpstream) -> web.Application:
    return web.Application(
        [(r"/v1/(chat/completions|completions)", _Handler, {"stub": stub}), (r"/metrics", _Metrics, {"stub": stub})]
    )


class StubUpstream:
    """The stub on 127.0.0.1:<free port>, served by its own IOLoop in a daemon thread."""

    def __init__(self, config: StubConfig | None = None, *, port: int = 0) -> None:
        self.config = config or StubConfig()
        self.stats = StubStats()
        self._port = port
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: httpserver.HTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> StubUpstream:
        sockets = netutil.bind_sockets(self._port, "127.0.0.1")
        self.port = sockets[0].getsockname()[1]
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._loop = loop

            async def setup() -> None:
                self._server = httpserver.HTTPServer(_make_app(self))
                self._server.add_sockets(sockets)

            loop.run_until_complete(setup())
            ready.set()
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=run, name=f"stub-upstream-{self.port}", daemon=True)
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
        """Poll `predicate(stats)` until true (the stub runs in another thread)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self.stats):
                return True
            time.sleep(0.01)
        return bool(predicate(self.stats))

    def __enter__(self) -> StubUpstream:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    """`python -m tests.stub_upstream [--port N] [--token-delay S]`: serve in this process; prints
    `PORT <n>`. `--token-delay` is the server-wide default (requests may still override it)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token-delay", type=float, default=0.0, help="seconds between tokens (0: as fast as it can)")
    args = parser.parse_args(argv)
    logging.getLogger("tornado.access").setLevel(logging.WARNING)

    async def serve() -> None:
        stub = StubUpstream(StubConfig(token_delay=args.token_delay))
        sockets = netutil.bind_sockets(args.port, "127.0.0.1")
        stub.port = sockets[0].getsockname()[1]
        server = httpserver.HTTPServer(_make_app(stub))
        server.add_sockets(sockets)
        print(f"PORT {stub.port}", flush=True)
        await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())


if __name__ == "__main__":
    sys.exit(main())
