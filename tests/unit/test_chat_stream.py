"""The streaming proxy primitive against the stub upstream (tests/stub_upstream.py): real
sockets on 127.0.0.1, never a real network. Plain tests that call asyncio.run."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from aqua_ext.errors import Unavailable, Upstream, UpstreamTimeout
from aqua_ext.services.chat_stream import AnswerTally, ChatDelta, ChatDone, StreamBusy, StreamLimiter, stream_chat
from aqua_ext.services.engine_wire import EngineWire
from tests.stub_upstream import StubConfig, StubUpstream


@pytest.fixture(scope="module")
def stub() -> Iterator[StubUpstream]:
    with StubUpstream(StubConfig(tokens=5)) as server:
        yield server


# Every `collect` test runs through both transports: httpx (signed requests, the CLI, jobs) and
# the server's aiohttp pool (engine_wire.py): the same deltas, the same errors.
TRANSPORT = "httpx"


@pytest.fixture(params=["httpx", "aiohttp"], autouse=True)
def transport(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(sys.modules[__name__], "TRANSPORT", request.param)
    return str(request.param)


def collect(url: str, payload: dict[str, Any], **kw: Any) -> list[ChatDelta | ChatDone]:
    kw.setdefault("first_byte_timeout", 5.0)
    kw.setdefault("idle_timeout", 5.0)

    async def run() -> list[ChatDelta | ChatDone]:
        wire = EngineWire() if TRANSPORT == "aiohttp" else None
        try:
            async with (
                httpx.AsyncClient() as client,
                contextlib.aclosing(stream_chat(client, url, payload, wire=wire, **kw)) as stream,
            ):
                return [item async for item in stream]
        finally:
            if wire is not None:
                await wire.close()

    return asyncio.run(run())


def chat(stub: StubUpstream, **stub_options: Any) -> dict[str, Any]:
    return {"model": "m", "messages": [{"role": "user", "content": "hi"}], "stub": stub_options}


def text_of(items: list[ChatDelta | ChatDone]) -> str:
    return "".join(i.content for i in items if isinstance(i, ChatDelta))


def test_deltas_in_order_and_done_at_done_marker(stub: StubUpstream) -> None:
    items = collect(stub.url + "/v1/chat/completions", chat(stub))
    assert isinstance(items[0], ChatDelta) and items[0].role == "assistant"
    assert text_of(items) == "tok0 tok1 tok2 tok3 tok4"
    assert [i.content for i in items if isinstance(i, ChatDelta) and i.content] == [
        "tok0",
        " tok1",
        " tok2",
        " tok3",
        " tok4",
    ]
    finals = [i for i in items if isinstance(i, ChatDelta) and i.finish_reason]
    assert finals and finals[-1].finish_reason == "length"
    done = items[-1]
    assert isinstance(done, ChatDone) and sum(isinstance(i, ChatDone) for i in items) == 1
    assert done.ended_by == "done" and done.finish_reason == "length" and done.model == "stub-model"
    assert done.usage == {"prompt_tokens": 5, "completion_tokens": 5, "total_tokens": 10}
    assert done.tokens == 5
    assert done.ttft_s is not None and 0 < done.ttft_s <= done.total_s
    assert done.tokens_per_s == pytest.approx(5 / done.total_s)
    assert done.to_dict()["usage"]["completion_tokens"] == 5


def test_ends_at_eof_without_done_marker(stub: StubUpstream) -> None:
    # transformers serve: no `data: [DONE]`; here even the last blank line is missing.
    items = collect(stub.url + "/v1/chat/completions", chat(stub, send_done=False, final_blank_line=False))
    assert text_of(items) == "tok0 tok1 tok2 tok3 tok4"
    done = items[-1]
    assert isinstance(done, ChatDone) and done.ended_by == "eof"
    assert done.usage is not None and done.usage["completion_tokens"] == 5


def test_usage_is_taken_from_the_last_chunk_or_counted(stub: StubUpstream) -> None:
    with_usage = collect(stub.url + "/v1/chat/completions", {**chat(stub), "max_tokens": 7})[-1]
    assert isinstance(with_usage, ChatDone)
    assert with_usage.usage == {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12}
    assert with_usage.tokens == 7
    without = collect(stub.url + "/v1/chat/completions", {**chat(stub, include_usage=False), "max_tokens": 3})[-1]
    assert isinstance(without, ChatDone) and without.usage is None and without.tokens == 3


def test_completions_endpoint(stub: StubUpstream) -> None:
    items = collect(stub.url + "/v1/completions", {"model": "m", "prompt": "hi", "stub": {"send_done": False}})
    assert text_of(items) == "tok0 tok1 tok2 tok3 tok4"
    assert isinstance(items[-1], ChatDone) and items[-1].tokens == 5


def test_upstream_500_raises_upstream_with_its_message(stub: StubUpstream) -> None:
    with pytest.raises(Upstream) as info:
        collect(
            stub.url + "/v1/chat/completions", chat(stub, mode="error", error_message="context too long: 9000 > 2048")
        )
    assert not isinstance(info.value, UpstreamTimeout)
    assert info.value.status == 502
    assert "500" in info.value.message and "context too long: 9000 > 2048" in info.value.message
    assert info.value.upstream_status == 500  # type: ignore[attr-defined]


def test_drop_mid_stream_raises_upstream_after_the_first_deltas(stub: StubUpstream) -> None:
    seen: list[str] = []

    async def run() -> None:
        async with httpx.AsyncClient() as client:
            async for item in stream_chat(
                client,
                stub.url + "/v1/chat/completions",
                chat(stub, mode="drop", drop_after=2),
                first_byte_timeout=5,
                idle_timeout=5,
            ):
                if isinstance(item, ChatDelta):
                    seen.append(item.content)

    with pytest.raises(Upstream) as info:
        asyncio.run(run())
    assert "mid-answer" in info.value.message
    assert "".join(seen) == "tok0 tok1"


def test_error_chunk_mid_stream_raises_upstream_with_its_message(stub: StubUpstream) -> None:
    with pytest.raises(Upstream) as info:
        collect(stub.url + "/v1/chat/completions", chat(stub, mode="error_event", error_message="decode failed"))
    assert "decode failed" in info.value.message


def test_unreachable_engine_raises_upstream() -> None:
    with StubUpstream() as gone:
        url = gone.url + "/v1/chat/completions"
    with pytest.raises(Upstream) as info:
        collect(url, {"messages": []}, first_byte_timeout=2)
    assert "reach" in info.value.message


def test_slow_first_byte_raises_timeout(stub: StubUpstream) -> None:
    started = time.perf_counter()
    with pytest.raises(UpstreamTimeout) as info:
        collect(stub.url + "/v1/chat/completions", chat(stub, first_byte_delay=5.0), first_byte_timeout=0.2)
    assert time.perf_counter() - started < 4  # the timeout ended the wait, not the stub's 5 s delay
    assert info.value.status == 504


def test_idle_gap_raises_timeout(stub: StubUpstream) -> None:
    with pytest.raises(UpstreamTimeout) as info:
        collect(stub.url + "/v1/chat/completions", chat(stub, token_delay=5.0), idle_timeout=0.2)
    assert "quiet" in info.value.message


def test_cancelling_the_consumer_closes_the_upstream_at_once() -> None:
    with StubUpstream(StubConfig(tokens=500, token_delay=0.01)) as own:
        got: list[str] = []

        async def run() -> None:
            first = asyncio.Event()

            async def consume() -> None:
                wire = EngineWire() if TRANSPORT == "aiohttp" else None
                try:
                    async with httpx.AsyncClient() as client:
                        async for item in stream_chat(
                            client,
                            own.url + "/v1/chat/completions",
                            {"messages": []},
                            first_byte_timeout=5,
                            idle_timeout=5,
                            wire=wire,
                        ):
                            if isinstance(item, ChatDelta) and item.content:
                                got.append(item.content)
                                first.set()
                finally:
                    if wire is not None:
                        await wire.close()

            task = asyncio.create_task(consume())
            await asyncio.wait_for(first.wait(), 5)
            task.cancel()  # what the handler's on_connection_close will do
            with pytest.raises(asyncio.CancelledError):
                await task

        asyncio.run(run())
        assert own.wait_for(lambda s: s.disconnected == 1, timeout=3), own.stats
        record = own.stats.streams[0]
        sent_at_cancel = record.tokens_sent
        time.sleep(0.1)  # ten more token intervals: the stub must have stopped producing
        assert record.tokens_sent == sent_at_cancel
        assert not record.finished and record.tokens_sent < 50
        assert len(got) < 50


def test_breaking_out_of_the_loop_closes_the_upstream() -> None:
    with StubUpstream(StubConfig(tokens=500, token_delay=0.01)) as own:

        async def run() -> None:
            wire = EngineWire() if TRANSPORT == "aiohttp" else None
            async with (
                httpx.AsyncClient() as client,
                contextlib.aclosing(stream_chat(client, own.url + "/v1/completions", {"prompt": "x"}, wire=wire)) as s,
            ):
                async for item in s:
                    if isinstance(item, ChatDelta) and item.content:
                        break
            if wire is not None:
                await wire.close()

        asyncio.run(run())
        assert own.wait_for(lambda s: s.disconnected == 1, timeout=3), own.stats
        assert own.stats.streams[0].tokens_sent < 50


# ---- limiter ----------------------------------------------------------------------


def test_limiter_bounds_concurrency_and_rejects_after_the_wait() -> None:
    async def run() -> None:
        limiter = StreamLimiter(2, max_wait_s=0.05)
        peak = 0
        release = asyncio.Event()

        async def hold() -> None:
            nonlocal peak
            async with limiter.slot():
                peak = max(peak, limiter.active)
                await release.wait()

        holders = [asyncio.create_task(hold()) for _ in range(2)]
        await asyncio.sleep(0.01)
        assert limiter.active == 2
        started = time.perf_counter()
        with pytest.raises(StreamBusy) as info:
            async with limiter.slot():
                pass
        assert time.perf_counter() - started >= 0.03  # it did wait for a slot before giving up
        assert isinstance(info.value, Unavailable) and info.value.status == 503
        assert "2 at most" in info.value.message

        # A waiter gets in as soon as a slot frees up.
        waiter = asyncio.create_task(hold())
        await asyncio.sleep(0.01)
        assert limiter.waiting == 1
        release.set()
        await asyncio.gather(*holders, waiter)
        assert peak == 2 and limiter.active == 0 and limiter.waiting == 0

    asyncio.run(run())


def test_limiter_max_waiting_turns_away_at_once() -> None:
    async def run() -> None:
        limiter = StreamLimiter(1, max_wait_s=5, max_waiting=0)
        async with limiter.slot():
            started = time.perf_counter()
            with pytest.raises(StreamBusy):
                async with limiter.slot():
                    pass
            assert time.perf_counter() - started < 4  # turned away at once, not after max_wait_s=5
        async with limiter.slot():  # free again
            assert limiter.active == 1

    asyncio.run(run())


def test_limiter_slot_is_released_when_the_stream_fails() -> None:
    async def run() -> None:
        limiter = StreamLimiter(1, max_wait_s=0.05)
        with pytest.raises(Upstream):
            async with limiter.slot():
                raise Upstream("boom")
        async with limiter.slot():
            pass

    asyncio.run(run())


async def test_coalesce_merges_the_content_deltas_of_one_read() -> None:
    # Three tokens in one network read, then one more: with coalesce the relay sends two deltas.
    body = [
        b'data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}\n\n'
        b'data: {"choices":[{"index":0,"delta":{"content":"a"}}]}\n\n'
        b'data: {"choices":[{"index":0,"delta":{"content":"b"}}]}\n\n'
        b'data: {"choices":[{"index":0,"delta":{"content":"c"}}]}\n\n',
        b'data: {"choices":[{"index":0,"delta":{"content":"d"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n',
    ]

    async def stream(request: httpx.Request) -> httpx.Response:
        async def chunks():  # type: ignore[no-untyped-def]
            for part in body:
                yield part

        return httpx.Response(200, content=chunks(), headers={"content-type": "text/event-stream"})

    for coalesce, expected in ((False, ["", "a", "b", "c", "d"]), (True, ["", "abc", "d"])):
        async with httpx.AsyncClient(transport=httpx.MockTransport(stream)) as client:
            items = [i async for i in stream_chat(client, "http://engine/v1/chat/completions", {}, coalesce=coalesce)]
        deltas = [i for i in items if isinstance(i, ChatDelta)]
        assert [d.content for d in deltas] == expected
        assert deltas[0].role == "assistant" and deltas[-1].finish_reason == "stop"
        assert items[-1].tokens == 4  # counted per engine delta, merged or not


async def mock_stream(body: list[bytes], **kw: Any) -> list[ChatDelta | ChatDone]:
    """stream_chat over an engine whose answer comes in exactly these reads."""

    async def stream(request: httpx.Request) -> httpx.Response:
        async def chunks():  # type: ignore[no-untyped-def]
            for part in body:
                yield part

        return httpx.Response(200, content=chunks(), headers={"content-type": "text/event-stream"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(stream)) as client:
        return [i async for i in stream_chat(client, "http://engine/v1/chat/completions", {}, **kw)]


async def test_what_the_fast_json_reader_refuses_is_read_as_before() -> None:
    # Invalid UTF-8 (U+FFFD, as the SSE parser replaces it), NaN and a 70-bit integer (the json module
    # reads both), a character split between two reads: the same deltas as the json module gives.
    korean = 'data: {"choices":[{"delta":{"content":"안녕"}}]}\n\n'.encode()
    body = [
        b'data: {"choices":[{"delta":{"role":"assistant","content":""}}]}\n\n',
        b'data: {"choices":[{"delta":{"content":"a\xffb"}}]}\n\n',
        b'data: {"choices":[{"delta":{"content":"c"},"logprobs":{"x":NaN}}]}\n\n',
        b'data: {"id":1180591620717411303424,"choices":[{"delta":{"content":"d"}}]}\n\n',
        korean[:40],  # inside 안
        korean[40:],
        b"data: [DONE]\n\n",
    ]
    items = await mock_stream(body)
    assert [i.content for i in items if isinstance(i, ChatDelta)] == ["", "a\ufffdb", "c", "d", "안녕"]
    assert isinstance(items[-1], ChatDone) and items[-1].ended_by == "done"

    with pytest.raises(Upstream, match="not JSON: 'oops'"):
        await mock_stream([body[0], b"data: oops\n\n"])


def test_tool_call_pieces_are_kept_and_never_merged_with_text() -> None:
    tally = AnswerTally(0.0)
    first = {"index": 0, "id": "c1", "type": "function", "function": {"name": "検索", "arguments": ""}}
    [piece] = tally.chunk({"choices": [{"index": 0, "delta": {"tool_calls": [first]}}]})
    assert piece.tool_calls == ({"index": 0, "id": "c1", "name": "検索"},)
    [piece] = tally.chunk({"choices": [{"delta": {"tool_calls": [{"index": 0, "function": {"arguments": '{"q":'}}]}}]})
    assert piece.tool_calls == ({"index": 0, "arguments": '{"q":'},)
    # Malformed pieces are skipped, not fatal; a whole (non-streamed) message's calls are indexed by position.
    assert tally.chunk({"choices": [{"delta": {"tool_calls": ["junk"]}}]}) == []
    [piece] = tally.chunk({"choices": [{"delta": {"tool_calls": [{"id": "c2", "function": {"name": "a"}}]}}]})
    assert piece.tool_calls == ({"index": 0, "id": "c2", "name": "a"},)
