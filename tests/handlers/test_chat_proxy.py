"""The chat stream and the OpenAI pass-through against a stub upstream: Stop (the browser
closing the stream) cancels the upstream request at once, an upstream that ends without
[DONE] still ends cleanly, upstream errors become error events, and concurrency is bounded.

The backend's `upstream()` is pointed at the stub: these tests are about the proxy, not engines."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from aqua_ext.api.sse import SseParser
from aqua_ext.api.upstream import UpstreamTarget
from tests.stub_upstream import StubConfig, StubUpstream


@pytest.fixture
def stub() -> Iterator[StubUpstream]:
    with StubUpstream(StubConfig(tokens=5)) as s:
        yield s


@pytest.fixture
def aqua_app(jp_serverapp: Any) -> Any:
    [app] = jp_serverapp.extension_manager.extension_apps["aqua_ext"]
    return app


@pytest.fixture
def routed(aqua_app: Any, stub: StubUpstream, monkeypatch: pytest.MonkeyPatch) -> StubUpstream:
    backend = aqua_app.aqua_backend  # started on the first request; upstream() stays patched

    async def upstream(deployment_id: str) -> UpstreamTarget:
        return UpstreamTarget(
            deployment_id=deployment_id, mode="chat", model="stub-model", base_url=stub.url, served_model_name="stub"
        )

    monkeypatch.setattr(backend, "upstream", upstream)
    return stub


@pytest.fixture
def server(jp_fetch: Any, jp_serverapp: Any, jp_http_port: int, jp_base_url: str) -> tuple[str, dict[str, str]]:
    # jp_fetch is what makes the test server listen on jp_http_port.
    token = jp_serverapp.identity_provider.token
    return f"http://127.0.0.1:{jp_http_port}{jp_base_url}aqua-ext/deployments/dep-stub", {
        "Authorization": f"token {token}"
    }


def events_of(body: bytes) -> list[tuple[str, Any]]:
    parser = SseParser()
    return [(e.event, e.json()) for e in parser.feed(body) + parser.close()]


HELLO = {"messages": [{"role": "user", "content": "hi"}]}


async def test_stream_ends_with_usage_even_without_done(routed: StubUpstream, server: Any) -> None:
    routed.config.send_done = False
    url, headers = server
    async with httpx.AsyncClient(headers=headers) as client:
        r = await client.post(url + "/chat", json={**HELLO, "max_tokens": 4})
    events = events_of(r.content)
    assert {k for k, _ in events[:-1]} == {"delta"} and events[-1][0] == "done"
    assert "".join(d["content"] for k, d in events[:-1]) == "tok0 tok1 tok2 tok3"
    assert events[-1][1]["usage"]["completion_tokens"] == 4


async def test_browser_stop_cancels_the_upstream_request(routed: StubUpstream, server: Any) -> None:
    routed.config.token_delay = 0.05  # 1000 tokens would take 50 s
    url, headers = server
    async with (
        httpx.AsyncClient(headers=headers, timeout=30) as client,
        client.stream("POST", url + "/chat", json={**HELLO, "max_tokens": 1000}) as r,
    ):
        async for chunk in r.aiter_bytes():
            if b"event: delta" in chunk:
                break  # the user pressed Stop after the first token
    assert await asyncio.to_thread(routed.wait_for, lambda s: s.disconnected == 1, 3.0)
    assert routed.stats.streams[0].tokens_sent < 100


async def test_upstream_error_mid_stream_is_an_error_event(routed: StubUpstream, server: Any) -> None:
    url, headers = server
    async with httpx.AsyncClient(headers=headers) as client:
        r = await client.post(url + "/chat", json={**HELLO, "max_tokens": 10})
        routed.config.mode = "drop"
        r2 = await client.post(url + "/chat", json={**HELLO, "max_tokens": 10})
        routed.config.mode = "error"
        r3 = await client.post(url + "/chat", json={**HELLO, "max_tokens": 10})
    assert events_of(r.content)[-1][0] == "done"
    kind, error = events_of(r2.content)[-1]
    assert kind == "error" and error["status"] == 502 and "mid-answer" in error["message"]
    kind, error = events_of(r3.content)[-1]
    assert kind == "error" and "CUDA out of memory (stub)" in error["message"]


async def test_pass_through_streams_and_adds_done(routed: StubUpstream, server: Any) -> None:
    routed.config.send_done = False  # as transformers serve
    url, headers = server
    async with httpx.AsyncClient(headers=headers) as client:
        r = await client.post(
            url + "/v1/chat/completions", json={**HELLO, "model": "whatever", "stream": True, "max_tokens": 3}
        )
        plain = await client.post(url + "/v1/completions", json={"prompt": "x", "max_tokens": 2})
        models = await client.get(url + "/v1/models")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    data = [e.data for e in SseParser().feed(r.content)]
    assert data[-1] == "[DONE]" and len(data) >= 4
    assert json.loads(data[0])["model"] == "stub-model"
    assert plain.status_code == 200 and plain.json()["choices"]
    assert models.json()["data"][0]["id"] == "stub"


async def test_concurrent_streams_are_bounded(aqua_app: Any, routed: StubUpstream, server: Any) -> None:
    from aqua_ext.services.chat_stream import StreamLimiter

    aqua_app.stream_limiter = StreamLimiter(1, max_wait_s=0.2)
    routed.config.token_delay = 0.05
    url, headers = server
    async with (
        httpx.AsyncClient(headers=headers, timeout=30) as client,
        client.stream("POST", url + "/chat", json={**HELLO, "max_tokens": 40}),
    ):
        busy = await client.post(url + "/chat", json=HELLO)
    assert busy.status_code == 503
    assert "Too many chat streams" in busy.json()["message"]


async def test_the_proxy_needs_the_jupyter_token(routed: StubUpstream, server: Any) -> None:
    url, _ = server
    async with httpx.AsyncClient() as client:
        r = await client.post(
            url + "/v1/chat/completions", json=HELLO, headers={"Authorization": "Bearer not-the-token"}
        )
    assert r.status_code == 403
    assert routed.stats.started == 0


@pytest.fixture
def bounded(aqua_app: Any, routed: StubUpstream, monkeypatch: pytest.MonkeyPatch) -> StubUpstream:
    """`routed`, with a deployment whose max model length is known (4096)."""

    async def upstream(deployment_id: str) -> UpstreamTarget:
        return UpstreamTarget(
            deployment_id=deployment_id, mode="chat", model="stub-model", base_url=routed.url, max_model_len=4096
        )

    monkeypatch.setattr(aqua_app.aqua_backend, "upstream", upstream)
    return routed


KO_JA = {"messages": [{"role": "user", "content": "안녕하세요, こんにちは"}]}


async def test_pass_through_refuses_a_token_budget_the_deployment_cannot_hold(
    bounded: StubUpstream, server: Any
) -> None:
    url, headers = server
    chat, completions = url + "/v1/chat/completions", url + "/v1/completions"
    async with httpx.AsyncClient(headers=headers) as client:
        huge = await client.post(chat, json={**KO_JA, "max_tokens": 1000000000})
        newer = await client.post(chat, json={**KO_JA, "max_completion_tokens": 4096, "stream": True})
        prompt = await client.post(completions, json={"prompt": "日本語", "max_tokens": 1000000000})
        words = await client.post(chat, json={**KO_JA, "max_tokens": "많이"})
        negative = await client.post(chat, json={**KO_JA, "max_tokens": -1})
        fits = await client.post(chat, json={**KO_JA, "max_tokens": 4095, "stub": {"tokens": 2}})
        unset = await client.post(chat, json={**KO_JA, "max_tokens": None, "stub": {"tokens": 2}})
    for r, field in [(huge, "max_tokens"), (newer, "max_completion_tokens"), (prompt, "max_tokens")]:
        assert r.status_code == 400, r.text
        error = r.json()["error"]  # OpenAI's shape, which OpenAI clients read
        assert error["param"] == field and error["type"] == "invalid_request_error" and error["code"] == 400
        assert "4096" in error["message"] and "at most 4095" in error["message"]
        assert r.json()["fields"][0]["field"] == field  # and the extension's own shape
    assert words.status_code == 400 and "'많이'" in words.json()["error"]["message"]
    assert negative.status_code == 400 and "at least 1" in negative.json()["error"]["message"]
    assert fits.status_code == 200 and unset.status_code == 200
    assert len(bounded.stats.authorizations) == 2  # the refused ones never reached the engine


async def test_client_leaving_cancels_a_non_streamed_request(routed: StubUpstream, server: Any) -> None:
    routed.config.answer_delay = 30.0  # the engine would hold the request for 30 s
    url, headers = server
    async with httpx.AsyncClient(headers=headers, timeout=0.5) as client:
        with pytest.raises(httpx.ReadTimeout):  # the client gives up and closes the connection
            await client.post(url + "/v1/chat/completions", json={**KO_JA, "max_tokens": 10})
    assert await asyncio.to_thread(routed.wait_for, lambda s: s.answers and s.answers[0].disconnected, 3.0)
    assert not routed.stats.answers[0].finished


async def test_non_streamed_request_past_the_time_bound_is_a_504(
    aqua_app: Any, routed: StubUpstream, server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(aqua_app, "pass_through_timeout", 0.5)
    routed.config.answer_delay = 30.0
    url, headers = server
    async with httpx.AsyncClient(headers=headers, timeout=10) as client:
        r = await client.post(url + "/v1/completions", json={"prompt": "한국어", "max_tokens": 10})
    assert r.status_code == 504
    error = r.json()["error"]
    assert error["code"] == 504 and "0.5 s" in error["message"] and "pass_through_timeout" in error["message"]
    # The engine's request is closed, not left generating.
    assert await asyncio.to_thread(routed.wait_for, lambda s: s.answers and s.answers[0].disconnected, 3.0)


async def test_client_leaving_cancels_a_streamed_pass_through(routed: StubUpstream, server: Any) -> None:
    routed.config.token_delay = 0.05  # 1000 tokens would take 50 s
    url, headers = server
    body = {**KO_JA, "stream": True, "max_tokens": 1000}
    async with (
        httpx.AsyncClient(headers=headers, timeout=30) as client,
        client.stream("POST", url + "/v1/chat/completions", json=body) as r,
    ):
        async for chunk in r.aiter_bytes():
            if b"tok0" in chunk:
                break  # the OpenAI client stopped reading after the first token
    assert await asyncio.to_thread(routed.wait_for, lambda s: s.disconnected == 1, 3.0)
    assert routed.stats.streams[0].tokens_sent < 100


async def test_an_engine_quiet_mid_stream_ends_the_pass_through_with_an_error_chunk(
    aqua_app: Any, routed: StubUpstream, server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(aqua_app, "chat_idle_timeout", 0.3)
    routed.config.token_delay = 5.0  # the first token, then silence
    url, headers = server
    async with httpx.AsyncClient(headers=headers, timeout=10) as client:
        r = await client.post(url + "/v1/chat/completions", json={**KO_JA, "stream": True, "max_tokens": 3})
    data = [e.data for e in SseParser().feed(r.content)]
    assert data[-1] == "[DONE]"
    error = json.loads(data[-2])["error"]
    assert error["message"] == "The engine went quiet for more than 0.3 s."
    assert any("tok0" in d for d in data[:-2])
    assert await asyncio.to_thread(routed.wait_for, lambda s: s.disconnected == 1, 3.0)


PERSON_SCHEMA = {
    "type": "object",
    "properties": {"이름": {"type": "string"}, "年齢": {"type": "integer"}},
    "required": ["이름", "年齢"],
}
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "今日の天気",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


async def test_structured_output_and_tools_are_forwarded(routed: StubUpstream, server: Any) -> None:
    url, headers = server
    response_format = {
        "type": "json_schema",
        "json_schema": {"name": "person", "schema": PERSON_SCHEMA, "strict": True},
    }
    async with httpx.AsyncClient(headers=headers) as client:
        r = await client.post(
            url + "/chat",
            json={**HELLO, "max_tokens": 3, "response_format": response_format, "tools": [WEATHER_TOOL]},
        )
    assert events_of(r.content)[-1][0] == "done"
    sent = routed.stats.bodies[-1]
    assert sent["response_format"] == response_format
    assert sent["tools"] == [WEATHER_TOOL]
    assert sent["messages"] == [{"role": "user", "content": "hi"}]  # no null tool fields added


async def test_a_tool_call_is_relayed_and_its_answer_sent_back(routed: StubUpstream, server: Any) -> None:
    routed.config.tool_call = {"name": "get_weather", "arguments": '{"city": "서울"}'}
    url, headers = server
    async with httpx.AsyncClient(headers=headers) as client:
        r = await client.post(url + "/chat", json={**HELLO, "tools": [WEATHER_TOOL]})
        events = events_of(r.content)
        pieces = [piece for kind, data in events if kind == "delta" for piece in data.get("tool_calls") or ()]
        assert pieces[0] == {"index": 0, "id": "call-1", "name": "get_weather"}
        assert "".join(piece.get("arguments", "") for piece in pieces) == '{"city": "서울"}'
        assert events[-1][0] == "done" and events[-1][1]["finish_reason"] == "tool_calls"

        routed.config.tool_call = None
        history = [
            {"role": "user", "content": "서울の天気は?"},
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [
                    {
                        "id": "call-1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "서울"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call-1", "content": "맑음, 20°C"},
        ]
        r = await client.post(url + "/chat", json={"messages": history, "tools": [WEATHER_TOOL], "max_tokens": 2})
    assert events_of(r.content)[-1][0] == "done"
    assert routed.stats.bodies[-1]["messages"] == history


async def test_structured_output_is_refused_where_the_engine_cannot(
    aqua_app: Any, routed: StubUpstream, server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def upstream(deployment_id: str) -> UpstreamTarget:
        return UpstreamTarget(
            deployment_id=deployment_id, mode="chat", model="m", base_url=routed.url, dialect="transformers"
        )

    monkeypatch.setattr(aqua_app.aqua_backend, "upstream", upstream)
    url, headers = server
    response_format = {"type": "json_schema", "json_schema": {"name": "person", "schema": PERSON_SCHEMA}}
    async with httpx.AsyncClient(headers=headers) as client:
        r = await client.post(url + "/chat", json={**HELLO, "response_format": response_format})
    assert r.status_code == 400
    assert [f["field"] for f in r.json()["fields"]] == ["response_format"]
    assert "transformers serve" in r.text
    assert routed.stats.bodies == []  # nothing reached the engine
