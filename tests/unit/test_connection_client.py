"""The connections driver's own parts: the stream reader (bytes cut anywhere, UTF-8 characters
included), the REST template and response path, the auth headers, the secret kept out of every error,
and a cancelled consumer closing the upstream. The dialects against their stubs are in
test_connection_dialects.py."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from aqua_ext.api.connections import ConnectionFields
from aqua_ext.backends.connections.client import ConnectionClient
from aqua_ext.backends.connections.dialects.rest import fill, read_path
from aqua_ext.backends.connections.events import EventReader
from aqua_ext.backends.connections.protocol import ProviderError, StoredConnection
from tests.provider_stubs.openai import OpenAiStub

KOREAN = "한국어 스트림 테스트"
JAPANESE = "日本語のストリーム"
SECRET = "tok-Zq8Xb3SECRETvalue"


def feed_bytewise(reader: EventReader, data: bytes) -> list[Any]:
    events = []
    for i in range(len(data)):
        events += reader.feed(data[i : i + 1])
    return events + reader.close()


def test_sse_cut_at_every_byte_keeps_characters_events_and_names() -> None:
    data = (
        f"event: content-delta\r\ndata: {KOREAN}\r\n\r\n: ping\n\ndata: {JAPANESE}\ndata: 二行目\n\n"
        "data: last, no blank line"
    ).encode()
    events = feed_bytewise(EventReader("sse"), data)
    assert [(e.event, e.data) for e in events] == [
        ("content-delta", KOREAN),
        ("message", f"{JAPANESE}\n二行目"),
        ("message", "last, no blank line"),
    ]


def test_ndjson_cut_at_every_byte() -> None:
    # U+2028 and U+0085 stand raw in JSON strings: only LF (with an optional CR) ends a line.
    lines = [
        {"text": KOREAN, "is_finished": False},
        {"text": f"{JAPANESE}\u2028次\x85", "is_finished": False},
        {"text": JAPANESE, "is_finished": True},
    ]
    data = "\r\n".join(json.dumps(x, ensure_ascii=False) for x in lines).encode()
    events = feed_bytewise(EventReader("ndjson"), data)
    assert [json.loads(e.data) for e in events] == lines


def test_template_placeholders_become_json_values_never_text() -> None:
    tree = json.loads(
        '{"p": "{{prompt}}", "m": "{{ messages }}", "n": "{{max_tokens}}", "t": "{{temperature}}",'
        ' "s": "model={{model}}", "l": ["{{max_tokens}}", 1]}'
    )
    prompt = 'he said "}" and {{model}}'
    messages = [{"role": "user", "content": KOREAN}]
    out = fill(tree, {"prompt": prompt, "messages": messages, "model": "m-1", "max_tokens": None, "temperature": 0})
    assert out == {"p": prompt, "m": messages, "t": 0, "s": "model=m-1", "l": [None, 1]}  # no value: key left out


def test_response_path_reads_keys_and_indexes() -> None:
    data = {"a": {"b": [{"c": "x"}, {"c": JAPANESE}]}, "n": 3}
    assert read_path(data, "a.b[1].c") == JAPANESE
    assert read_path(data, "$.a.b[-1].c") == JAPANESE
    assert read_path(data, "a.b[2].c") is None
    assert read_path(data, "n.x") is None
    assert read_path(data, "a..b[") is None


@pytest.fixture(scope="module")
def stub() -> Iterator[OpenAiStub]:
    with OpenAiStub(models=["m"]) as server:  # no key: the test reads the headers it got
        yield server  # type: ignore[misc]


def conn(stub: OpenAiStub, secret: str | None = SECRET, **fields: Any) -> StoredConnection:
    fields.setdefault("timeout_s", 5.0)
    return StoredConnection(
        "conn-1", ConnectionFields(name="c", kind="openai", endpoint=stub.url + "/v1", models=["m"], **fields), secret
    )


def run(coro_of: Any) -> Any:
    async def main() -> Any:
        async with httpx.AsyncClient() as http:
            return await coro_of(ConnectionClient(http))

    return asyncio.run(main())


HELLO = {"messages": [{"role": "user", "content": KOREAN}]}


@pytest.mark.parametrize(
    ("fields", "header", "value"),
    [
        ({"auth_type": "bearer"}, "authorization", f"Bearer {SECRET}"),
        ({"auth_type": "api_key_header", "api_key_header": "X-Api-Key"}, "x-api-key", SECRET),
        ({"auth_type": "api_key_header"}, "authorization", f"Bearer {SECRET}"),
        ({"auth_type": "basic", "username": "ユーザー"}, "authorization", None),
        ({"auth_type": "none"}, "authorization", "absent"),
    ],
)
def test_auth_headers_and_extra_headers(
    stub: OpenAiStub, fields: dict[str, Any], header: str, value: str | None
) -> None:
    c = conn(stub, headers={"X-Team": "nlp"}, **fields)
    assert run(lambda client: client.chat(c, HELLO))["choices"][0]["message"]["content"] == f"Echo: {KOREAN}"
    seen = stub.seen[-1].headers
    assert seen["x-team"] == "nlp"
    if value == "absent":
        assert header not in seen
    elif value is None:
        scheme, _, token = seen[header].partition(" ")
        assert (scheme, base64.b64decode(token).decode()) == ("Basic", f"ユーザー:{SECRET}")
    else:
        assert seen[header] == value


def test_a_secret_that_breaks_the_header_is_kept_out_of_the_error(stub: OpenAiStub) -> None:
    bad = SECRET + "\nX-Evil: 1"
    c = conn(stub, secret=bad, auth_type="bearer")
    with pytest.raises(ProviderError) as info:
        run(lambda client: client.chat(c, HELLO))
    err = info.value
    for text in (err.message, err.body, str(err), repr(err), repr(c)):
        assert SECRET not in text


def test_an_error_event_mid_stream_raises_after_the_text_so_far(stub: OpenAiStub) -> None:
    stub.error_after = 2
    got: list[dict[str, Any]] = []

    async def read(client: ConnectionClient) -> None:
        async with contextlib.aclosing(client.chat_stream(conn(stub), HELLO)) as chunks:
            async for chunk in chunks:
                got.append(chunk)

    try:
        with pytest.raises(ProviderError) as info:
            run(read)
    finally:
        stub.error_after = None
    assert info.value.message == "The server had an error while processing your request."
    assert len(got) == 3  # the role chunk and two pieces


def test_cancelling_the_consumer_closes_the_upstream(stub: OpenAiStub) -> None:
    stub.token_delay = 0.05
    before = len(stub.streams)

    async def consume(client: ConnectionClient, first: asyncio.Event) -> None:
        async for _ in client.chat_stream(conn(stub), {"messages": [{"role": "user", "content": JAPANESE * 10}]}):
            first.set()

    async def main(client: ConnectionClient) -> None:
        first = asyncio.Event()
        task = asyncio.create_task(consume(client, first))
        await asyncio.wait_for(first.wait(), 5)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    try:
        run(main)
        assert stub.wait_for(lambda: len(stub.streams) > before and stub.streams[before].disconnected)
    finally:
        stub.token_delay = 0.0
