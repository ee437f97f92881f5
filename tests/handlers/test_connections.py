"""Connections through the REST API, against an OpenAI-compatible stub service: create, list, read,
edit, delete; the test request; the playground stream; the pass-through with the `openai` client and
LangChain; the secret never in a response, a log or a data file other than the secret store; bad
input named by field."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from aqua_ext.api.sse import SseParser
from tests.stub_upstream import StubConfig, StubUpstream

SECRET = "sk-test-0123456789abcdefSECRET"


@pytest.fixture
def stub() -> Iterator[StubUpstream]:
    with StubUpstream(StubConfig(tokens=5, model="gpt-stub")) as s:
        yield s


def openai_connection(stub: StubUpstream, **extra: Any) -> dict[str, Any]:
    return {
        "name": "팀 OpenAI 互換",
        "kind": "openai",
        "endpoint": stub.url + "/v1",
        "auth_type": "bearer",
        "secret": SECRET,
        "models": ["gpt-stub"],
        "default_model": "gpt-stub",
        "description": "한국어와 日本語의 설명",
        **extra,
    }


def events_of(body: bytes) -> list[tuple[str, Any]]:
    parser = SseParser()
    return [(e.event, e.json()) for e in parser.feed(body) + parser.close()]


@pytest.fixture
def base(jp_fetch: Any, jp_serverapp: Any, jp_http_port: int, jp_base_url: str) -> tuple[str, dict[str, str]]:
    token = jp_serverapp.identity_provider.token
    return f"http://127.0.0.1:{jp_http_port}{jp_base_url}aqua-ext", {"Authorization": f"token {token}"}


async def test_lifecycle_chat_and_pass_through(
    api: Any,
    base: tuple[str, dict[str, str]],
    stub: StubUpstream,
    aqua_data_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []  # every response body, to grep for the secret

    status, created = await api("connections", method="POST", body=openai_connection(stub))
    seen.append(json.dumps(created))
    assert status == 201, created
    cid = created["id"]
    assert created["secret_set"] is True and "secret" not in created
    assert created["streaming"] is True and created["description"] == "한국어와 日本語의 설명"
    assert set(created["actions"]) >= {"chat", "test", "edit", "delete", "evaluate", "export"}

    status, listed = await api("connections")
    seen.append(json.dumps(listed))
    assert status == 200 and [c["id"] for c in listed["connections"]] == [cid]

    status, tested = await api(f"connections/{cid}/test", method="POST", body={"prompt": "안녕? こんにちは"})
    seen.append(json.dumps(tested))
    assert status == 200 and tested["ok"], tested
    assert tested["status_code"] == 200 and tested["latency_ms"] is not None and tested["answer"]
    _, again = await api(f"connections/{cid}")
    assert again["last_test"]["ok"] is True

    # The playground's stream: deltas, then done with the stats.
    url, headers = base
    async with httpx.AsyncClient(headers=headers, timeout=30) as client:
        r = await client.post(
            f"{url}/connections/{cid}/chat",
            json={"messages": [{"role": "user", "content": "日本語で"}], "max_tokens": 4},
        )
    seen.append(r.text)
    events = events_of(r.content)
    assert [k for k, _ in events][-1] == "done", events
    assert "".join(d["content"] for k, d in events if k == "delta") == "tok0 tok1 tok2 tok3"
    assert events[-1][1]["tokens"] == 4

    # Any OpenAI client reaches the service through Jupyter's auth; the key stays on the server.
    from openai import OpenAI

    token = headers["Authorization"].split()[1]
    oai = OpenAI(base_url=f"{url}/connections/{cid}/v1", api_key=token, max_retries=0)
    answer = await asyncio.to_thread(
        lambda: oai.chat.completions.create(
            model="gpt-stub", messages=[{"role": "user", "content": "Hi"}], max_tokens=3
        )
    )
    assert answer.choices[0].message.content
    pieces = await asyncio.to_thread(
        lambda: [
            c.choices[0].delta.content or ""
            for c in oai.chat.completions.create(
                model="gpt-stub", messages=[{"role": "user", "content": "Hi"}], max_tokens=3, stream=True
            )
            if c.choices
        ]
    )
    assert "".join(pieces) == "tok0 tok1 tok2"
    models = await asyncio.to_thread(lambda: oai.models.list())
    assert "gpt-stub" in [m.id for m in models.data]
    from langchain_openai import ChatOpenAI

    llm = ChatOpenAI(base_url=f"{url}/connections/{cid}/v1", api_key=token, model="gpt-stub", max_tokens=3)
    reply = await llm.ainvoke("Hello")
    assert isinstance(reply.content, str) and reply.content

    # Edit: a new name, the secret kept; then removed.
    status, edited = await api(f"connections/{cid}", method="PATCH", body={"name": "renamed"})
    assert status == 200 and edited["name"] == "renamed" and edited["secret_set"] is True
    status, edited = await api(f"connections/{cid}", method="PATCH", body={"auth_type": "none", "secret": ""})
    assert status == 200 and edited["secret_set"] is False, edited

    # Export leaves secrets out unless asked.
    status, exported = await api("connections/export")
    seen.append(json.dumps(exported))
    assert status == 200 and "renamed" in exported["yaml"]

    for body in seen:
        assert SECRET not in body
    assert SECRET not in caplog.text
    for path in aqua_data_dir.rglob("*"):
        if path.is_file() and path.parent.name != "secrets":
            assert SECRET.encode() not in path.read_bytes(), path

    status, _ = await api(f"connections/{cid}", method="DELETE")
    assert status == 204
    status, gone = await api(f"connections/{cid}")
    assert status == 404 and "not found" in gone["message"]


async def test_service_errors_are_mapped_not_500(
    api: Any, base: tuple[str, dict[str, str]], stub: StubUpstream
) -> None:
    _, created = await api("connections", method="POST", body=openai_connection(stub))
    cid = created["id"]
    stub.config.mode = "error"
    stub.config.error_status = 400
    stub.config.error_message = "This model's maximum context length is 8192 tokens. However, you requested 8765 tokens"
    status, tested = await api(f"connections/{cid}/test", method="POST", body={"prompt": "long"})
    assert status == 200 and tested["ok"] is False
    assert tested["error_kind"] == "context_length_exceeded" and "8192" in tested["message"], tested

    url, headers = base
    async with httpx.AsyncClient(headers=headers, timeout=30) as client:
        r = await client.post(f"{url}/connections/{cid}/chat", json={"messages": [{"role": "user", "content": "x"}]})
        assert r.status_code == 200
        kind, error = events_of(r.content)[-1]
        assert kind == "error" and error["status"] == 502 and "context" in error["message"], error
        # The pass-through answers in OpenAI's error shape with the service's status.
        r = await client.post(
            f"{url}/connections/{cid}/v1/chat/completions", json={"messages": [{"role": "user", "content": "x"}]}
        )
    assert r.status_code == 400 and r.json()["error"]["code"] == "context_length_exceeded", r.text


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"endpoint": "ftp://example.com/v1"}, "endpoint"),
        ({"endpoint": "http://169.254.169.254/latest"}, "endpoint"),
        ({"endpoint": "http://[fd00:ec2::254]/"}, "endpoint"),
        ({"headers": {"Authorization": "Bearer other"}}, "headers"),
        ({"kind": "rest", "methods": [{"request_body": "{not json"}], "response_path": "a"}, "methods"),
        ({"name": ""}, "name"),
        ({"auth_type": "sometimes"}, "auth_type"),
        ({"secret": "sk-비밀-秘密"}, "secret"),
    ],
)
async def test_bad_input_names_the_field(api: Any, stub: StubUpstream, change: dict[str, Any], field: str) -> None:
    status, error = await api("connections", method="POST", body=openai_connection(stub, **change))
    assert status == 400, error
    assert any(f["field"].startswith(field) for f in error.get("fields") or []) or error["message"].startswith(field), (
        error
    )
    _, listed = await api("connections")
    assert listed["connections"] == []  # nothing half-created


async def test_a_name_is_taken_once(api: Any, stub: StubUpstream) -> None:
    status, _ = await api("connections", method="POST", body=openai_connection(stub))
    assert status == 201
    status, error = await api("connections", method="POST", body=openai_connection(stub))
    assert status == 409 and "name" in error["message"]


async def test_browser_stop_cancels_the_service_request(
    api: Any, base: tuple[str, dict[str, str]], stub: StubUpstream
) -> None:
    _, created = await api("connections", method="POST", body=openai_connection(stub))
    stub.config.token_delay = 0.05  # 1000 tokens would take 50 s
    url, headers = base
    async with (
        httpx.AsyncClient(headers=headers, timeout=30) as client,
        client.stream(
            "POST",
            f"{url}/connections/{created['id']}/chat",
            json={"messages": [{"role": "user", "content": "긴 이야기"}], "max_tokens": 1000},
        ) as r,
    ):
        async for chunk in r.aiter_bytes():
            if b"event: delta" in chunk:
                break  # the user pressed Stop after the first token
    assert await asyncio.to_thread(stub.wait_for, lambda s: s.disconnected == 1, 3.0)
    assert stub.stats.streams[0].tokens_sent < 100


async def test_export_some_or_all(api: Any, stub: StubUpstream) -> None:
    _, one = await api("connections", method="POST", body=openai_connection(stub, name="하나"))
    _, two = await api("connections", method="POST", body=openai_connection(stub, name="二つ"))
    status, some = await api("connections/export", params={"ids": one["id"]})
    assert status == 200 and "하나" in some["yaml"] and "二つ" not in some["yaml"], some
    status, both = await api("connections/export", params={"ids": f"{one['id']},{two['id']}"})
    assert status == 200 and "하나" in both["yaml"] and "二つ" in both["yaml"]
    status, with_secret = await api("connections/export", params={"ids": one["id"], "include_secrets": "true"})
    assert status == 200 and SECRET in with_secret["yaml"]  # only when asked for
    status, missing = await api("connections/export", params={"ids": "conn-nope"})
    assert status == 404 and "conn-nope" in missing["message"]


async def test_client_leaving_cancels_a_non_streamed_pass_through_request(
    api: Any, base: tuple[str, dict[str, str]], stub: StubUpstream
) -> None:
    _, created = await api("connections", method="POST", body=openai_connection(stub))
    stub.config.answer_delay = 30.0  # the service would hold the request for 30 s
    url, headers = base
    async with httpx.AsyncClient(headers=headers, timeout=0.5) as client:
        with pytest.raises(httpx.ReadTimeout):  # the client gives up and closes the connection
            await client.post(
                f"{url}/connections/{created['id']}/v1/chat/completions",
                json={"model": "gpt-stub", "messages": [{"role": "user", "content": "ゆっくり答えて"}]},
            )
    assert await asyncio.to_thread(stub.wait_for, lambda s: s.answers and s.answers[0].disconnected, 3.0)
    assert not stub.stats.answers[0].finished


async def test_structured_output_and_tools_reach_openai_services_only(
    api: Any, base: tuple[str, dict[str, str]], stub: StubUpstream
) -> None:
    response_format = {
        "type": "json_schema",
        "json_schema": {"name": "answer", "schema": {"type": "object", "properties": {"답": {"type": "string"}}}},
    }
    tools = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}]
    turn = {"messages": [{"role": "user", "content": "日本語で"}], "response_format": response_format, "tools": tools}
    _, openai = await api("connections", method="POST", body=openai_connection(stub))
    _, cohere = await api("connections", method="POST", body=openai_connection(stub, kind="cohere", name="코히어"))
    url, headers = base
    async with httpx.AsyncClient(headers=headers, timeout=30) as client:
        r = await client.post(f"{url}/connections/{openai['id']}/chat", json=turn)
        assert r.status_code == 200, r.text
        assert events_of(r.content)[-1][0] == "done", r.text
        assert stub.stats.bodies[-1]["response_format"] == response_format
        assert stub.stats.bodies[-1]["tools"] == tools
        sent = len(stub.stats.bodies)
        for field in ("response_format", "tools"):
            r = await client.post(
                f"{url}/connections/{cohere['id']}/chat", json={"messages": turn["messages"], field: turn[field]}
            )
            assert r.status_code == 400 and [f["field"] for f in r.json()["fields"]] == [field], r.text
    assert len(stub.stats.bodies) == sent  # nothing sent to the service
