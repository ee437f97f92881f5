"""Streaming from an OpenAI-compatible engine (`/v1/chat/completions`, `/v1/completions`)
through an `httpx.AsyncClient` (or the server's aiohttp pool, engine_wire.py), as typed deltas
and a final summary. No tornado here.

    async with limiter.slot():
        async with contextlib.aclosing(stream_chat(client, url, payload, ...)) as stream:
            async for item in stream:
                ...  # ChatDelta..., then one ChatDone

- the stream ends at `data: [DONE]` or at EOF (`transformers serve` sends no [DONE]);
- a non-2xx answer raises `Upstream` carrying the engine's own message;
- no answer (its headers) within `first_byte_timeout`, or a read of the body waiting longer
  than `idle_timeout`, raises `UpstreamTimeout`;
- a connection broken mid-answer raises `Upstream("The engine closed the stream mid-answer…")`;
- cancellation (the consumer's task cancelled, or the generator closed early) closes the
  upstream response at once, so the engine sees the disconnect and stops generating.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx
import orjson

from ..api.sse import SseEvent, SseParser
from ..errors import Unavailable, Upstream, UpstreamTimeout
from .engine_wire import EngineWire, open_answer, read_error

__all__ = ["AnswerTally", "ChatDelta", "ChatDone", "StreamBusy", "StreamLimiter", "stream_chat"]

_ERROR_BODY_LIMIT = 64 * 1024


@dataclass(slots=True)
class ChatDelta:
    """A piece of the answer. `content` is the text (chat `delta.content` or completion `text`).
    Built once per token and never changed; not frozen, as a frozen dataclass costs twice the CPU
    to build (~0.9 against ~0.4 µs)."""

    content: str
    role: str | None = None
    finish_reason: str | None = None
    index: int = 0
    # Pieces of tool calls ({index, id?, name?, arguments?}), as the engine streamed them.
    tool_calls: tuple[dict[str, Any], ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class ChatDone:
    """The end of the stream with usage and timings.

    `tokens` is `usage.completion_tokens` when the engine sent usage, else the number of
    non-empty content deltas. `tokens_per_s` is `tokens / total_s` (request start to end).
    `ttft_s` is the time from sending the request to the first non-empty content delta.
    """

    usage: dict[str, Any] | None
    ttft_s: float | None
    total_s: float
    tokens: int
    tokens_per_s: float | None
    finish_reason: str | None = None
    ended_by: str = "done"  # "done" ([DONE] seen) or "eof"
    model: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        if not out["extra"]:
            del out["extra"]
        return out


def _error_message(body: bytes) -> str:
    text = body.decode("utf-8", errors="replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        return text[:500] or "no message"
    if isinstance(data, dict):
        err = data.get("error")
        if isinstance(err, dict) and err.get("message"):
            return str(err["message"])
        if isinstance(err, str) and err:
            return err
        for key in ("message", "detail"):
            if data.get(key):
                value = data[key]
                return value if isinstance(value, str) else json.dumps(value)[:500]
    return text[:500]


async def stream_chat(
    client: httpx.AsyncClient,
    url: str,
    payload: dict[str, Any],
    *,
    headers: dict[str, str] | None = None,
    auth: httpx.Auth | None = None,
    first_byte_timeout: float = 60.0,
    idle_timeout: float = 60.0,
    coalesce: bool = False,
    wire: EngineWire | None = None,
) -> AsyncGenerator[ChatDelta | ChatDone, None]:
    """POST `payload` (with `"stream": true` forced) to `url`; yield ChatDelta…, then ChatDone.

    With `coalesce`, the plain content deltas that arrived in one network read are merged into
    one: nothing waits longer, but a relay that is behind sends fewer, larger events.
    With `wire` (the server's aiohttp pool, services/engine_wire.py), an unsigned request goes
    through it instead of `client`: the same answer for less CPU per token. Either way the answer's
    headers are awaited for `first_byte_timeout`, then each read for `idle_timeout`."""
    body = dict(payload)
    body["stream"] = True
    started = time.perf_counter()
    source = _chunks(client, wire, url, body, headers or {}, auth, first_byte_timeout, idle_timeout)
    async with contextlib.aclosing(source):
        parser = SseParser()
        tally = AnswerTally(started)
        merged: list[ChatDelta] = []  # coalesce: the plain content deltas of one read
        done = False
        eof = False
        while not done and not eof:
            try:
                chunk = await source.__anext__()
            except StopAsyncIteration:
                chunk, eof = b"", True
            plain = None if eof else parser.feed_plain(chunk)
            datas = plain if plain is not None else _event_data(parser.close() if eof else parser.feed(chunk))
            for data in datas:
                obj = _chunk_object(data)
                if obj is _DONE:
                    tally.ended_by, done = "done", True
                    break
                for item in tally.chunk(obj):
                    if not coalesce:
                        yield item
                    elif merged and _mergeable(merged[0], item):
                        merged.append(item)
                    else:
                        if merged:
                            yield _joined(merged)
                        merged = [item]
            if merged:
                yield _joined(merged)
                merged = []

        yield tally.done()


_DONE = object()  # `data: [DONE]`


def _event_data(events: list[SseEvent]) -> Iterator[str]:
    """The data of events the full parser read, in order; an engine's `error` event raises Upstream."""
    for event in events:
        if event.event == "error":
            raise Upstream(f"The engine reported an error: {_error_message(event.data.encode())}")
        yield event.data


def _chunk_object(data: bytes | str) -> Any:
    """An event's JSON, `_DONE` for `[DONE]`, None for an empty event. orjson reads the bytes as they
    came; what it refuses (invalid UTF-8, NaN, integers past 64 bits) the json module reads as the
    full parser would, with U+FFFD for bad bytes."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    if text.strip() == "[DONE]":
        return _DONE
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        raise Upstream(f"The engine sent a chunk that is not JSON: {text.strip()[:200]!r}") from None


def _joined(deltas: list[ChatDelta]) -> ChatDelta:
    if len(deltas) == 1:
        return deltas[0]
    return ChatDelta(content="".join(delta.content for delta in deltas), index=deltas[0].index)


async def _chunks(
    client: httpx.AsyncClient,
    wire: EngineWire | None,
    url: str,
    body: dict[str, Any],
    headers: dict[str, str],
    auth: httpx.Auth | None,
    first_byte_timeout: float,
    idle_timeout: float,
) -> AsyncGenerator[bytes, None]:
    """The answer's bytes (engine_wire.py's errors: Upstream, UpstreamTimeout): its headers within
    `first_byte_timeout`, then each read within `idle_timeout`; leaving early closes the engine request."""
    quiet = f"The engine went quiet for more than {idle_timeout:g} s mid-answer."
    try:
        async with asyncio.timeout(first_byte_timeout):
            answer = await open_answer(
                client,
                wire,
                url,
                body,
                {"Accept": "text/event-stream", **headers},
                auth=auth,
                read_timeout=idle_timeout,
                timeout_message=quiet,
            )
    except TimeoutError:
        raise UpstreamTimeout(f"The engine sent no response within {first_byte_timeout:g} s.") from None
    try:
        if not answer.ok:
            message = _error_message(await read_error(answer, _ERROR_BODY_LIMIT, min(idle_timeout, 10.0)))
            err = Upstream(f"The engine answered {answer.status}: {message}")
            err.upstream_status = answer.status
            raise err
        async for chunk in answer.chunks():
            yield chunk
    finally:
        await answer.aclose()


class AnswerTally:
    """Reads OpenAI `chat.completion.chunk` (or completion) objects one by one into ChatDelta
    items, and counts what the final ChatDone says: usage, time to first token, finish reason.
    The engine stream above and the connections' translated streams share it."""

    def __init__(self, started: float) -> None:
        self.started = started
        self.ttft: float | None = None
        self.deltas = 0
        self.usage: dict[str, Any] | None = None
        self.finish_reason: str | None = None
        self.model: str | None = None
        self.ended_by = "eof"

    def chunk(self, obj: Any) -> list[ChatDelta]:
        """The deltas of one chunk; an error chunk (vLLM sends one mid-stream) raises Upstream."""
        if not isinstance(obj, dict):
            return []
        if "error" in obj and not obj.get("choices"):
            raise Upstream(f"The engine reported an error: {_error_message(json.dumps(obj).encode())}")
        if obj.get("usage"):
            self.usage = obj["usage"]
        self.model = obj.get("model") or self.model
        items = []
        for choice in obj.get("choices") or ():
            delta = choice.get("delta")
            calls = None
            if isinstance(delta, dict):
                content = delta.get("content") or ""
                role = delta.get("role")
                if "tool_calls" in delta:
                    calls = _tool_call_pieces(delta["tool_calls"])
            else:
                content = choice.get("text") or ""
                role = None
            reason = choice.get("finish_reason")
            if reason:
                self.finish_reason = reason
            if not content and role is None and not reason and not calls:
                continue
            if content or calls:
                self.deltas += 1
                if self.ttft is None:
                    self.ttft = time.perf_counter() - self.started
            items.append(
                ChatDelta(
                    content=content,
                    role=role,
                    finish_reason=reason,
                    index=int(choice.get("index") or 0),
                    tool_calls=calls,
                )
            )
        return items

    def done(self) -> ChatDone:
        total = time.perf_counter() - self.started
        tokens = self.deltas
        if self.usage and isinstance(self.usage.get("completion_tokens"), int):
            tokens = self.usage["completion_tokens"]
        return ChatDone(
            usage=self.usage,
            ttft_s=self.ttft,
            total_s=total,
            tokens=tokens,
            tokens_per_s=(tokens / total) if total > 0 else None,
            finish_reason=self.finish_reason,
            ended_by=self.ended_by,
            model=self.model,
        )


def _tool_call_pieces(raw: Any) -> tuple[dict[str, Any], ...] | None:
    """OpenAI's streamed `delta.tool_calls` flattened ({index, id, name, arguments}, the absent left
    out); anything malformed is skipped rather than failing the answer."""
    if not isinstance(raw, list):
        return None
    pieces = []
    for position, call in enumerate(raw):
        if not isinstance(call, dict):
            continue
        function = call.get("function")
        if not isinstance(function, dict):
            function = {}
        index = call.get("index")
        piece: dict[str, Any] = {"index": index if isinstance(index, int) else position}
        for key, value in (
            ("id", call.get("id")),
            ("name", function.get("name")),
            ("arguments", function.get("arguments")),
        ):
            if isinstance(value, str) and value:
                piece[key] = value
        pieces.append(piece)
    return tuple(pieces) or None


def _mergeable(a: ChatDelta, b: ChatDelta) -> bool:
    return (
        a.index == b.index
        and a.role is None
        and b.role is None
        and a.finish_reason is None
        and b.finish_reason is None
        and a.tool_calls is None
        and b.tool_calls is None
    )


class StreamBusy(Unavailable):
    """Too many streams at once and the wait for a free slot ran out (503, retry later)."""


class StreamLimiter:
    """At most `max_streams` concurrent streams; a caller waits up to `max_wait_s` for a slot,
    then gets `StreamBusy` (503). With `max_waiting`, callers beyond that many waiters are
    turned away at once instead of queueing."""

    def __init__(self, max_streams: int, *, max_wait_s: float = 10.0, max_waiting: int | None = None) -> None:
        if max_streams < 1:
            raise ValueError("max_streams must be at least 1")
        self.max_streams = max_streams
        self.max_wait_s = max_wait_s
        self.max_waiting = max_waiting
        self._sem = asyncio.Semaphore(max_streams)
        self.active = 0
        self.waiting = 0

    def _busy(self) -> StreamBusy:
        return StreamBusy(f"Too many chat streams are running ({self.max_streams} at most); try again in a moment.")

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        if self.max_waiting is not None and self._sem.locked() and self.waiting >= self.max_waiting:
            raise self._busy()
        self.waiting += 1
        try:
            async with asyncio.timeout(self.max_wait_s):
                await self._sem.acquire()
        except TimeoutError:
            raise self._busy() from None
        finally:
            self.waiting -= 1
        self.active += 1
        try:
            yield
        finally:
            self.active -= 1
            self._sem.release()
