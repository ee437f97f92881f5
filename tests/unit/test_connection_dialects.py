"""The connections driver against a local stub per provider (tests/provider_stubs/): real sockets on
127.0.0.1, never a real network. Each dialect: an answer, a stream, errors in the provider's own shape,
models and embeddings where the service offers them; Korean and Japanese text both ways (streams cut
inside UTF-8 characters by the stubs); the secret never in what the driver returns or raises."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import oci
import pytest

from aqua_ext.api.connections import ConnectionFields, RestMethod
from aqua_ext.backends.connections.client import ConnectionClient
from aqua_ext.backends.connections.protocol import ProviderError, RawAnswer, StoredConnection
from aqua_ext.backends.oci.signing import OciRequestAuth
from tests.oci_emulator.keys import OciTestConfig, write_oci_config
from tests.provider_stubs.cohere import CohereStub
from tests.provider_stubs.oci_genai import OciGenAiStub
from tests.provider_stubs.openai import AzureOpenAiStub, OpenAiStub
from tests.provider_stubs.rest import RestStub

SECRET = "sk-stub-SECRET-7f3a9c2e1b"
KOREAN = "안녕하세요, 모델님! 오늘 날씨는 어때요?"
JAPANESE = "こんにちは、世界。今日はいい天気ですね。"
COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaaexampleuniqueID"


def connection(kind: str, endpoint: str, secret: str | None = SECRET, **fields: Any) -> StoredConnection:
    fields.setdefault("timeout_s", 5.0)
    return StoredConnection(
        id="conn-test",
        fields=ConnectionFields(name=f"{kind} stub", kind=kind, endpoint=endpoint, **fields),
        secret=secret,
    )


def run(call: Callable[[ConnectionClient], Any], oci_auth: Callable[[str], httpx.Auth] | None = None) -> Any:
    async def main() -> Any:
        async with httpx.AsyncClient() as http:
            out = call(ConnectionClient(http, oci_auth=oci_auth))
            return await out if inspect.isawaitable(out) else out

    return asyncio.run(main())


def stream(conn: StoredConnection, body: dict[str, Any], oci_auth: Any = None) -> list[dict[str, Any]]:
    async def collect(client: ConnectionClient) -> list[dict[str, Any]]:
        async with contextlib.aclosing(client.chat_stream(conn, body)) as chunks:
            return [chunk async for chunk in chunks]

    return run(collect, oci_auth)


def failure(call: Callable[[ConnectionClient], Any], oci_auth: Any = None) -> ProviderError:
    with pytest.raises(ProviderError) as info:
        run(call, oci_auth)
    return info.value


def chat_body(text: str, **extra: Any) -> dict[str, Any]:
    return {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": text}], **extra}


def streamed_text(chunks: list[dict[str, Any]]) -> str:
    return "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c.get("choices"))


def finish_of(chunks: list[dict[str, Any]]) -> str | None:
    reasons = [
        c["choices"][0]["finish_reason"] for c in chunks if c.get("choices") and c["choices"][0]["finish_reason"]
    ]
    return reasons[-1] if reasons else None


def assert_no_secret(*things: Any) -> None:
    for thing in things:
        text = repr(thing) + str(thing)
        if isinstance(thing, ProviderError):
            text += thing.message + thing.body
        if isinstance(thing, RawAnswer):
            text += thing.body + (thing.answer or "")
        assert SECRET not in text


# ---- OpenAI ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def openai_stub() -> Iterator[OpenAiStub]:
    with OpenAiStub(key=SECRET, models=["gpt-4o-mini", "gpt-4-0314"]) as stub:
        yield stub  # type: ignore[misc]


@pytest.fixture
def openai_conn(openai_stub: OpenAiStub) -> StoredConnection:
    openai_stub.seen.clear()
    openai_stub.first_byte_delay = openai_stub.token_delay = 0.0
    return connection(
        "openai", openai_stub.url + "/v1", auth_type="bearer", models=["gpt-4o-mini", "gpt-4-0314"],
        default_model="gpt-4o-mini",
    )  # fmt: skip


def test_openai_chat_in_korean_fills_the_default_model(openai_stub: OpenAiStub, openai_conn: StoredConnection) -> None:
    answer = run(lambda c: c.chat(openai_conn, chat_body(KOREAN)))
    assert answer["object"] == "chat.completion"
    assert answer["choices"][0]["message"]["content"] == f"Echo: {KOREAN}"
    assert answer["usage"]["completion_tokens"] > 0
    assert openai_stub.seen[-1].body["model"] == "gpt-4o-mini"
    assert openai_stub.seen[-1].headers["authorization"] == f"Bearer {SECRET}"
    assert "stream" not in openai_stub.seen[-1].body


def test_openai_stream_in_japanese_ends_with_finish_and_usage(
    openai_stub: OpenAiStub, openai_conn: StoredConnection
) -> None:
    chunks = stream(openai_conn, chat_body(JAPANESE, model="gpt-4-0314", stream_options={"include_usage": True}))
    assert streamed_text(chunks) == f"Echo: {JAPANESE}"
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert finish_of(chunks) == "stop"
    assert chunks[-1]["usage"]["total_tokens"] > 0
    assert openai_stub.seen[-1].body["stream"] is True and openai_stub.seen[-1].body["model"] == "gpt-4-0314"


def test_openai_context_length_exceeded_is_the_services_own_error(openai_conn: StoredConnection) -> None:
    err = failure(lambda c: c.chat(openai_conn, chat_body("長い" * 10, max_tokens=8190)))
    assert err.status_code == 400 and err.code == "context_length_exceeded"
    assert err.message.startswith("This model's maximum context length is 8192 tokens.")
    assert json.loads(err.body)["error"] | {"message": ""} == {
        "code": "context_length_exceeded",
        "param": "messages",
        "message": "",
        "type": "invalid_request_error",
    }  # seed 002's payload, as the service sent it


def test_openai_unknown_model_and_unknown_field_are_refused(openai_conn: StoredConnection) -> None:
    err = failure(lambda c: c.chat(openai_conn, chat_body("hi", model="gpt-9")))
    assert (err.status_code, err.code) == (404, "model_not_found")
    err = failure(lambda c: c.chat(openai_conn, chat_body("hi", wat=1)))
    assert err.status_code == 400 and "wat" in err.message


def test_a_bad_key_echoed_by_the_service_is_kept_out_of_the_error(openai_stub: OpenAiStub) -> None:
    conn = connection(
        "openai", openai_stub.url + "/v1", secret=SECRET + "-wrong", auth_type="bearer", models=["gpt-4o-mini"]
    )
    err = failure(lambda c: c.chat(conn, chat_body("hi")))
    assert (err.status_code, err.code) == (401, "invalid_api_key")
    assert conn.secret is not None and conn.secret not in err.message + err.body + str(err) + repr(conn)
    assert "[secret]" in err.message
    raw = run(lambda c: c.send_raw(conn, None, None))
    assert raw.status_code == 401 and conn.secret not in raw.body and raw.answer is None


def test_openai_models_and_embeddings(openai_conn: StoredConnection) -> None:
    assert run(lambda c: c.list_models(openai_conn)) == ["gpt-4o-mini", "gpt-4-0314"]
    out = run(lambda c: c.embeddings(openai_conn, {"input": [KOREAN, JAPANESE]}))
    assert [d["index"] for d in out["data"]] == [0, 1]
    assert out["data"][0]["embedding"][0] == len(KOREAN)


def test_one_retry_after_a_429_for_answers_but_none_for_streams(
    openai_stub: OpenAiStub, openai_conn: StoredConnection
) -> None:
    openai_stub.fail(429, "Rate limit reached", "rate_limit_exceeded")
    assert run(lambda c: c.chat(openai_conn, chat_body("hi")))["choices"]
    assert len(openai_stub.seen) == 2
    openai_stub.seen.clear()
    openai_stub.fail(429, "Rate limit reached", "rate_limit_exceeded", times=2)
    err = failure(lambda c: c.chat(openai_conn, chat_body("hi")))
    assert (err.status_code, err.code, len(openai_stub.seen)) == (429, "rate_limit_exceeded", 2)
    openai_stub.seen.clear()
    openai_stub.fail(500, "The server had an error", None)
    assert failure(lambda c: c.chat(openai_conn, chat_body("hi"))).status_code == 500
    assert len(openai_stub.seen) == 1  # a 500 is not retried
    openai_stub.seen.clear()
    openai_stub.fail(503, "Overloaded", None)
    assert failure(lambda c: stream_of(c, openai_conn)).status_code == 503
    assert len(openai_stub.seen) == 1


async def stream_of(client: ConnectionClient, conn: StoredConnection) -> list[dict[str, Any]]:
    async with contextlib.aclosing(client.chat_stream(conn, chat_body("hi"))) as chunks:
        return [c async for c in chunks]


def test_a_slow_service_times_out_within_the_connections_timeout(openai_stub: OpenAiStub) -> None:
    conn = connection("openai", openai_stub.url + "/v1", auth_type="bearer", models=["gpt-4o-mini"], timeout_s=0.3)
    openai_stub.first_byte_delay = 1.0
    try:
        assert failure(lambda c: c.chat(conn, chat_body("hi"))).timed_out
        assert failure(lambda c: stream_of(c, conn)).timed_out
    finally:
        openai_stub.first_byte_delay = 0.0


def test_closing_the_stream_early_closes_the_upstream(openai_stub: OpenAiStub, openai_conn: StoredConnection) -> None:
    openai_stub.token_delay = 0.05
    before = len(openai_stub.streams)

    async def two(client: ConnectionClient) -> int:
        got = 0
        async with contextlib.aclosing(client.chat_stream(openai_conn, chat_body(KOREAN * 5))) as chunks:
            async for _ in chunks:
                got += 1
                if got == 2:
                    break
        return got

    try:
        assert run(two) == 2
        assert openai_stub.wait_for(lambda: openai_stub.streams[before:] and openai_stub.streams[before].disconnected)
    finally:
        openai_stub.token_delay = 0.0


def test_an_unreachable_service_is_a_provider_error_without_status() -> None:
    conn = connection("openai", "http://127.0.0.1:9/v1", auth_type="bearer", models=["m"])
    err = failure(lambda c: c.chat(conn, chat_body("hi")))
    assert err.status_code is None and "127.0.0.1:9" in err.message
    with pytest.raises(ProviderError):
        run(lambda c: c.send_raw(conn, None, None))


def test_test_request_sends_the_sample_payload_as_it_is(openai_stub: OpenAiStub) -> None:
    # Seed 002's OpenAI sample request, with a user turn in Korean.
    sample = json.dumps(
        {"model": "gpt-4-0314", "messages": [{"role": "user", "content": KOREAN}], "max_tokens": 128,
         "temperature": 0, "stream": False}, ensure_ascii=False,
    )  # fmt: skip
    conn = connection("openai", openai_stub.url + "/v1/chat/completions", auth_type="bearer",
                      methods=[RestMethod(request_body=sample)])  # fmt: skip
    raw = run(lambda c: c.send_raw(conn, None, None))
    assert (raw.status_code, raw.answer) == (200, f"Echo: {KOREAN}")
    assert raw.latency_ms > 0 and json.loads(raw.body)["object"] == "chat.completion"
    assert openai_stub.seen[-1].body == json.loads(sample)
    hello = run(
        lambda c: c.send_raw(connection("openai", openai_stub.url + "/v1", auth_type="bearer"), None, "gpt-4o-mini")
    )
    assert hello.answer == "Echo: Say hello."
    bad = run(lambda c: c.send_raw(conn, '{"model": "gpt-4-0314", "messages": []}', None))
    assert bad.status_code == 400 and bad.answer is None


# ---- Azure OpenAI ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def azure_stub() -> Iterator[AzureOpenAiStub]:
    with AzureOpenAiStub(key=SECRET, models=["my-gpt4o"]) as stub:
        yield stub  # type: ignore[misc]


def azure(stub: AzureOpenAiStub, **fields: Any) -> StoredConnection:
    fields.setdefault("api_version", "2024-10-21")
    return connection("azure_openai", stub.url, auth_type="api_key_header", default_model="my-gpt4o", **fields)


def test_azure_chat_and_stream_use_the_deployment_and_the_api_key_header(azure_stub: AzureOpenAiStub) -> None:
    conn = azure(azure_stub)
    answer = run(lambda c: c.chat(conn, chat_body(KOREAN)))
    assert answer["choices"][0]["message"]["content"] == f"Echo: {KOREAN}"
    seen = azure_stub.seen[-1]
    assert seen.path == "/openai/deployments/my-gpt4o/chat/completions" and seen.query == {"api-version": "2024-10-21"}
    assert seen.headers["api-key"] == SECRET and "authorization" not in seen.headers
    chunks = stream(conn, chat_body(JAPANESE))
    assert streamed_text(chunks) == f"Echo: {JAPANESE}" and finish_of(chunks) == "stop"


def test_azure_errors_models_and_embeddings(azure_stub: AzureOpenAiStub) -> None:
    err = failure(lambda c: c.chat(azure(azure_stub, api_version="1999-01-01"), chat_body("hi")))
    assert (err.status_code, err.code, err.message) == (400, "BadRequest", "API version not supported")
    err = failure(lambda c: c.chat(azure(azure_stub), chat_body("hi", model="nope")))
    assert (err.status_code, err.code) == (404, "DeploymentNotFound")
    wrong = connection(
        "azure_openai", azure_stub.url, secret="wrong", auth_type="api_key_header", default_model="my-gpt4o"
    )
    assert failure(lambda c: c.chat(wrong, chat_body("hi"))).status_code == 401
    assert run(lambda c: c.list_models(azure(azure_stub))) is None
    out = run(lambda c: c.embeddings(azure(azure_stub), {"input": JAPANESE}))
    assert out["data"][0]["embedding"][1] == len(JAPANESE.encode())
    # An imported service's full URL is cut back to the resource.
    full = azure(azure_stub).fields.model_copy(
        update={"endpoint": azure_stub.url + "/openai/deployments/my-gpt4o/completions?api-version=2024-06-01"}
    )
    assert run(lambda c: c.chat(StoredConnection("c", full, SECRET), chat_body("hi")))["choices"]
    assert azure_stub.seen[-1].path.endswith("/chat/completions")
    # …while its test request goes to that URL as it is.
    named = full.model_copy(
        update={"endpoint": azure_stub.url + "/openai/deployments/my-gpt4o/chat/completions?api-version=2024-06-01"}
    )
    raw = run(lambda c: c.send_raw(StoredConnection("c", named, SECRET), json.dumps(chat_body(KOREAN)), None))
    assert (raw.status_code, raw.answer) == (200, f"Echo: {KOREAN}")
    assert azure_stub.seen[-1].query == {"api-version": "2024-06-01"}


# ---- Cohere ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cohere_stub() -> Iterator[CohereStub]:
    with CohereStub(key=SECRET, models=["command-r-plus", "command", "embed-multilingual-v3.0"]) as stub:
        yield stub  # type: ignore[misc]


def cohere(stub: CohereStub, **fields: Any) -> StoredConnection:
    fields.setdefault("default_model", "command-r-plus")
    return connection("cohere", stub.url, auth_type="bearer", **fields)


def test_cohere_v2_chat_and_its_stream(cohere_stub: CohereStub) -> None:
    answer = run(lambda c: c.chat(cohere(cohere_stub), chat_body(KOREAN, max_tokens=50, top_p=0.5, stop="。")))
    assert answer["choices"][0]["message"]["content"] == f"Echo: {KOREAN}"
    assert answer["choices"][0]["finish_reason"] == "stop"
    assert answer["usage"] == {"prompt_tokens": 70, "completion_tokens": len(f"Echo: {KOREAN}"),
                               "total_tokens": 70 + len(f"Echo: {KOREAN}")}  # fmt: skip
    sent = cohere_stub.seen[-1]
    assert sent.path == "/v2/chat" and sent.body["p"] == 0.5 and sent.body["stop_sequences"] == ["。"]
    assert sent.body["messages"][0] == {"role": "system", "content": "Be brief."}
    chunks = stream(cohere(cohere_stub), chat_body(JAPANESE))
    assert streamed_text(chunks) == f"Echo: {JAPANESE}"
    assert finish_of(chunks) == "stop" and chunks[-1]["usage"]["completion_tokens"] == len(f"Echo: {JAPANESE}")
    assert cohere_stub.seen[-1].body["stream"] is True


def test_cohere_generate_for_a_completion_service_and_seed_002s_endpoint(cohere_stub: CohereStub) -> None:
    conn = cohere(cohere_stub, capabilities=["completion"], default_model="command")
    answer = run(lambda c: c.chat(conn, {"messages": [{"role": "user", "content": KOREAN}]}))
    assert answer["choices"][0]["message"]["content"] == f"Echo: {KOREAN}"
    assert cohere_stub.seen[-1].path == "/v1/generate" and cohere_stub.seen[-1].body["prompt"] == KOREAN
    chunks = stream(conn, {"messages": [{"role": "user", "content": JAPANESE}]})
    assert streamed_text(chunks) == f"Echo: {JAPANESE}" and finish_of(chunks) == "stop"
    # Seed 002's Cohere payload, sent as it is to its /v1/generate endpoint.
    sample = json.dumps({"model": "command", "prompt": "Generate a fact about our milky way", "max_tokens": 300,
                         "temperature": 0.9, "k": 0, "stop_sequences": [], "return_likelihoods": "NONE"})  # fmt: skip
    seeded = connection("cohere", cohere_stub.url + "/v1/generate", auth_type="bearer",
                        methods=[RestMethod(request_body=sample)])  # fmt: skip
    raw = run(lambda c: c.send_raw(seeded, None, None))
    assert (raw.status_code, raw.answer) == (200, "Echo: Generate a fact about our milky way")


def test_cohere_errors_models_and_embeddings(cohere_stub: CohereStub) -> None:
    err = failure(lambda c: c.chat(cohere(cohere_stub, default_model="command-z"), chat_body("hi")))
    assert err.status_code == 404 and err.message.startswith("model 'command-z' not found")
    err = failure(lambda c: c.chat(cohere(cohere_stub, secret="nope"), chat_body("hi")))
    assert (err.status_code, err.message) == (401, "invalid api token")
    cohere_stub.fail(429, "You are using a Trial key, which is limited to 10 API calls / minute.", times=2)
    err = failure(lambda c: c.chat(cohere(cohere_stub), chat_body("hi")))
    assert err.status_code == 429 and "Trial key" in err.message
    assert run(lambda c: c.list_models(cohere(cohere_stub))) == ["command-r-plus", "command", "embed-multilingual-v3.0"]
    out = run(lambda c: c.embeddings(cohere(cohere_stub), {"model": "embed-multilingual-v3.0", "input": [KOREAN]}))
    assert out["data"][0]["embedding"][0] == len(KOREAN) and out["usage"]["prompt_tokens"] == len(KOREAN)


# ---- OCI Generative AI -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def oci_identity(tmp_path_factory: pytest.TempPathFactory) -> OciTestConfig:
    return write_oci_config(tmp_path_factory.mktemp("oci"))


@pytest.fixture(scope="module")
def oci_stub(oci_identity: OciTestConfig) -> Iterator[OciGenAiStub]:
    models = ["meta.llama-3.3-70b-instruct", "cohere.command-r-plus", "cohere.command", "meta.llama-2-70b-chat",
              "cohere.embed-multilingual-v3.0", "ocid1.generativeaiendpoint.oc1..dedicated"]  # fmt: skip
    with OciGenAiStub(oci_identity, models=models) as stub:
        yield stub  # type: ignore[misc]


def signer_of(identity: OciTestConfig) -> Callable[[str], httpx.Auth]:
    signer = oci.signer.Signer.from_config(identity.as_dict())
    return lambda auth_type: OciRequestAuth(lambda: signer)


def genai(stub: OciGenAiStub, model: str, **fields: Any) -> StoredConnection:
    return connection("oci_genai", stub.url, secret=None, auth_type="oci_api_key", compartment_id=COMPARTMENT,
                      default_model=model, **fields)  # fmt: skip


def test_oci_generic_chat_and_stream_are_signed(oci_stub: OciGenAiStub, oci_identity: OciTestConfig) -> None:
    auth = signer_of(oci_identity)
    conn = genai(oci_stub, "meta.llama-3.3-70b-instruct")
    answer = run(lambda c: c.chat(conn, chat_body(KOREAN, max_tokens=100, temperature=0.2)), auth)
    assert answer["choices"][0]["message"]["content"] == f"Echo: {KOREAN}"
    assert answer["usage"]["prompt_tokens"] == 9
    sent = oci_stub.seen[-1].body
    assert sent["servingMode"] == {"servingType": "ON_DEMAND", "modelId": "meta.llama-3.3-70b-instruct"}
    assert sent["chatRequest"]["messages"][1] == {"role": "USER", "content": [{"type": "TEXT", "text": KOREAN}]}
    assert sent["chatRequest"]["maxTokens"] == 100 and sent["chatRequest"]["isStream"] is False
    chunks = stream(conn, chat_body(JAPANESE), auth)
    assert streamed_text(chunks) == f"Echo: {JAPANESE}" and finish_of(chunks) == "stop"


def test_oci_cohere_chat_uses_the_cohere_format_and_its_stream_is_not_doubled(
    oci_stub: OciGenAiStub, oci_identity: OciTestConfig
) -> None:
    auth = signer_of(oci_identity)
    conn = genai(oci_stub, "cohere.command-r-plus")
    turns = [("system", "Be brief."), ("user", "前の質問"), ("assistant", "前の答え"), ("user", KOREAN)]
    body = {"messages": [{"role": role, "content": content} for role, content in turns]}
    answer = run(lambda c: c.chat(conn, body), auth)
    assert answer["choices"][0]["message"]["content"] == f"Echo: {KOREAN}"
    assert answer["choices"][0]["finish_reason"] == "stop"
    request = oci_stub.seen[-1].body["chatRequest"]
    assert request["apiFormat"] == "COHERE" and request["message"] == KOREAN
    assert [t["role"] for t in request["chatHistory"]] == ["SYSTEM", "USER", "CHATBOT"]
    chunks = stream(conn, chat_body(JAPANESE), auth)
    assert streamed_text(chunks) == f"Echo: {JAPANESE}" and finish_of(chunks) == "stop"


def test_oci_dedicated_endpoint_summarize_and_embed(oci_stub: OciGenAiStub, oci_identity: OciTestConfig) -> None:
    auth = signer_of(oci_identity)
    dedicated = genai(oci_stub, "ocid1.generativeaiendpoint.oc1..dedicated", serving_mode="DEDICATED")
    assert run(lambda c: c.chat(dedicated, chat_body("hi")), auth)["choices"][0]["message"]["content"] == "Echo: hi"
    assert oci_stub.seen[-1].body["servingMode"]["servingType"] == "DEDICATED"
    summarize = genai(oci_stub, "cohere.command", capabilities=["summarize"])
    assert not run(lambda c: c.streams(summarize))
    out = run(lambda c: c.chat(summarize, {"messages": [{"role": "user", "content": JAPANESE}]}), auth)
    assert out["choices"][0]["message"]["content"] == f"Summary: {JAPANESE}"
    embed = genai(oci_stub, "cohere.embed-multilingual-v3.0", capabilities=["embedding"])
    vectors = run(lambda c: c.embeddings(embed, {"input": [KOREAN, JAPANESE]}), auth)
    assert [len(d["embedding"]) for d in vectors["data"]] == [3, 3]
    assert run(lambda c: c.list_models(embed), auth) is None


@pytest.mark.parametrize(
    ("model", "runtime", "answer_key"),
    [("cohere.command", "COHERE", "generatedTexts"), ("meta.llama-2-70b-chat", "LLAMA", "choices")],
)
def test_oci_seed_002_generate_text_services(
    oci_stub: OciGenAiStub, oci_identity: OciTestConfig, model: str, runtime: str, answer_key: str
) -> None:
    auth = signer_of(oci_identity)
    sample = json.dumps({"compartmentId": COMPARTMENT, "servingMode": {"servingType": "ON_DEMAND", "modelId": model},
                         "inferenceRequest": {"runtimeType": runtime, "prompt": "Tell me a joke", "maxTokens": 1000,
                                              "isStream": False, "frequencyPenalty": 1, "topP": 0.75,
                                              "temperature": 0}})  # fmt: skip
    conn = connection("oci_genai", oci_stub.url + "/20231130/actions/generateText", secret=None,
                      auth_type="oci_resource_principal", methods=[RestMethod(request_body=sample)],
                      compartment_id=COMPARTMENT, default_model=model)  # fmt: skip
    raw = run(lambda c: c.send_raw(conn, None, None), auth)
    assert (raw.status_code, raw.answer) == (200, "Echo: Tell me a joke")
    assert answer_key in json.loads(raw.body)["inferenceResponse"]
    assert not run(lambda c: c.streams(conn))
    answer = run(lambda c: c.chat(conn, {"messages": [{"role": "user", "content": KOREAN}], "max_tokens": 20}), auth)
    assert answer["choices"][0]["message"]["content"] == f"Echo: {KOREAN}"
    assert oci_stub.seen[-1].body["inferenceRequest"]["runtimeType"] == runtime


def test_oci_errors_unsigned_and_wrongly_signed(
    oci_stub: OciGenAiStub, oci_identity: OciTestConfig, tmp_path: Path
) -> None:
    conn = genai(oci_stub, "meta.llama-3.3-70b-instruct")
    stranger = signer_of(write_oci_config(tmp_path / "stranger"))
    err = failure(lambda c: c.chat(conn, chat_body("hi")), stranger)
    assert (err.status_code, err.code) == (401, "NotAuthenticated")
    err = failure(lambda c: c.chat(conn, chat_body("hi")))  # no signing set up
    assert err.status_code is None and err.code == "not_offered"
    err = failure(lambda c: c.chat(genai(oci_stub, "meta.unknown"), chat_body("hi")), signer_of(oci_identity))
    assert (err.status_code, err.code) == (404, "NotAuthorizedOrNotFound")
    oci_stub.fail(429, "Too many requests for the tenancy.", "TooManyRequests", times=2)
    err = failure(lambda c: c.chat(conn, chat_body("hi")), signer_of(oci_identity))
    assert (err.status_code, err.code, err.message) == (429, "TooManyRequests", "Too many requests for the tenancy.")


# ---- generic REST ------------------------------------------------------------------------------

TEMPLATE = json.dumps(
    {"compartmentId": COMPARTMENT, "servingMode": {"servingType": "ON_DEMAND", "modelId": "{{model}}"},
     "inferenceRequest": {"runtimeType": "COHERE", "prompt": "{{prompt}}", "maxTokens": "{{max_tokens}}",
                          "temperature": "{{temperature}}", "isStream": False}}
)  # fmt: skip


@pytest.fixture(scope="module")
def rest_stub() -> Iterator[RestStub]:
    with RestStub(key=SECRET) as stub:
        yield stub  # type: ignore[misc]


def rest(stub: RestStub) -> StoredConnection:
    return connection("rest", stub.url + "/generate", auth_type="bearer", default_model="cohere.command",
                      methods=[RestMethod(request_body=TEMPLATE)],
                      response_path="inferenceResponse.generatedTexts[0].text")  # fmt: skip


def test_rest_template_is_filled_as_json_values(rest_stub: RestStub) -> None:
    tricky = f'{KOREAN} "quoted" }}{{ {JAPANESE} \\ end'
    answer = run(lambda c: c.chat(rest(rest_stub), chat_body(tricky, max_tokens=64, temperature=0.5)))
    assert answer["choices"][0]["message"]["content"].endswith("Assistant:")  # two turns: a prompt of turns
    sent = rest_stub.seen[-1].body["inferenceRequest"]
    assert sent["maxTokens"] == 64 and sent["temperature"] == 0.5 and tricky in sent["prompt"]
    one = run(lambda c: c.chat(rest(rest_stub), {"messages": [{"role": "user", "content": tricky}]}))
    assert one["choices"][0]["message"]["content"] == f"Echo: {tricky}"
    assert "maxTokens" not in rest_stub.seen[-1].body["inferenceRequest"]  # absent value: the key is left out
    assert rest_stub.seen[-1].body["servingMode"]["modelId"] == "cohere.command"


def test_rest_cannot_stream_list_or_embed_and_reports_errors(rest_stub: RestStub) -> None:
    conn = rest(rest_stub)
    assert run(lambda c: c.streams(conn)) is False
    assert failure(lambda c: stream_of(c, conn)).code == "not_offered"
    assert run(lambda c: c.list_models(conn)) is None
    assert failure(lambda c: c.embeddings(conn, {"input": "x"})).code == "not_offered"
    rest_stub.fail(500, "Backend exploded", "InternalError")
    err = failure(lambda c: c.chat(conn, chat_body("hi")))
    assert (err.status_code, err.code, err.message) == (500, "InternalError", "Backend exploded")
    raw = run(lambda c: c.send_raw(conn, None, None))
    assert raw.status_code == 200 and raw.answer == "Echo: Say hello."
