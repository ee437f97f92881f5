"""A playground turn becomes the request each engine dialect accepts."""

from __future__ import annotations

import json

import pytest

from aqua_ext.api.deployments import ChatRequest
from aqua_ext.api.upstream import UpstreamTarget
from aqua_ext.errors import InvalidInput
from aqua_ext.services.chat_payload import build_payload


def target(**kw: object) -> UpstreamTarget:
    base = {"deployment_id": "dep-1", "mode": "chat", "model": "/models/x", "base_url": "http://127.0.0.1:1"}
    return UpstreamTarget(**{**base, **kw})  # type: ignore[arg-type]


def chat(**kw: object) -> ChatRequest:
    return ChatRequest.model_validate({"messages": [{"role": "user", "content": "hi"}], **kw})


def test_openai_dialect_sends_top_k_and_asks_for_usage() -> None:
    path, body = build_payload(chat(top_k=40, stop=["END"], seed=7), target())
    assert path == "/v1/chat/completions"
    assert body["top_k"] == 40 and body["stop"] == ["END"] and body["seed"] == 7
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert body["model"] == "/models/x"
    assert "frequency_penalty" not in body  # 0 is the default: not sent


def test_transformers_dialect_puts_top_k_in_a_generation_config_with_the_model_defaults() -> None:
    t = target(dialect="transformers", generation_defaults={"eos_token_id": 2, "bos_token_id": 1})
    _, body = build_payload(chat(top_k=5, temperature=0.8, frequency_penalty=0.5), t)
    assert "top_k" not in body and "stream_options" not in body
    assert json.loads(body["generation_config"]) == {
        "eos_token_id": 2,
        "bos_token_id": 1,
        "top_k": 5,
        "do_sample": True,
    }
    assert body["frequency_penalty"] == 0.5


def test_transformers_dialect_samples_when_the_model_defaults_to_greedy() -> None:
    greedy = target(dialect="transformers", generation_defaults={"eos_token_id": 2, "do_sample": False})
    _, body = build_payload(chat(temperature=0.7), greedy)
    assert json.loads(body["generation_config"]) == {"eos_token_id": 2, "do_sample": True}
    _, body = build_payload(chat(temperature=0), greedy)
    assert "generation_config" not in body  # temperature 0 is greedy already
    sampling = target(dialect="transformers", generation_defaults={"do_sample": True})
    _, body = build_payload(chat(temperature=0.7), sampling)
    assert "generation_config" not in body


def test_top_k_off_is_not_sent() -> None:
    for off in (None, -1):
        _, body = build_payload(chat(top_k=off), target())
        assert "top_k" not in body


def test_prompt_goes_to_completions_and_messages_to_a_completion_deployment_are_refused() -> None:
    path, body = build_payload(ChatRequest(prompt="Once"), target(mode="completion"))
    assert path == "/v1/completions" and body["prompt"] == "Once"
    with pytest.raises(InvalidInput) as err:
        build_payload(chat(), target(mode="completion"))
    assert err.value.fields and err.value.fields[0].field == "messages"


def test_embedding_deployments_do_not_chat() -> None:
    with pytest.raises(InvalidInput, match="embedding"):
        build_payload(chat(), target(mode="embedding"))


def test_max_tokens_must_fit_the_max_model_length() -> None:
    with pytest.raises(InvalidInput) as err:
        build_payload(chat(max_tokens=600), target(max_model_len=512))
    assert err.value.fields and err.value.fields[0].field == "max_tokens"
    build_payload(chat(max_tokens=100), target(max_model_len=512))


def test_oci_targets_post_to_predict_with_a_route_header() -> None:
    t = target(oci_route=True, base_url="https://md.example/ocid1.x/predict")
    assert t.request("/v1/chat/completions", stream=True) == (
        "https://md.example/ocid1.x/predictWithResponseStream",
        {"route": "/v1/chat/completions"},
    )
    assert t.request("/v1/completions", stream=False)[0] == "https://md.example/ocid1.x/predict"


SCHEMA = {"type": "object", "properties": {"답": {"type": "string"}}, "required": ["답"]}
FORMAT = {"type": "json_schema", "json_schema": {"name": "answer", "schema": SCHEMA}}
TOOL = {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}


def test_structured_output_and_tools_go_to_openai_engines_as_given() -> None:
    _, body = build_payload(chat(response_format=FORMAT, tools=[TOOL]), target())
    assert body["response_format"] == FORMAT
    assert body["tools"] == [TOOL]


def test_transformers_serve_takes_tools_but_not_structured_output() -> None:
    t = target(dialect="transformers")
    _, body = build_payload(chat(tools=[TOOL]), t)
    assert body["tools"] == [TOOL] and "response_format" not in body
    with pytest.raises(InvalidInput) as refused:
        build_payload(chat(response_format=FORMAT), t)
    assert refused.value.fields[0].field == "response_format"


@pytest.mark.parametrize("name", ["response_format", "tools"])
def test_a_prompt_takes_neither_schema_nor_tools(name: str) -> None:
    value = FORMAT if name == "response_format" else [TOOL]
    request = ChatRequest.model_validate({"prompt": "東京は", name: value})
    with pytest.raises(InvalidInput) as refused:
        build_payload(request, target(mode="completion"))
    assert refused.value.fields[0].field == name


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ({"role": "tool", "content": "맑음"}, "tool_call_id"),
        ({"role": "user", "content": "x", "tool_call_id": "c1"}, "tool_call_id"),
        ({"role": "user", "content": "x", "tool_calls": []}, "tool_calls"),
    ],
)
def test_tool_fields_belong_to_their_roles(message: dict[str, object], field: str) -> None:
    with pytest.raises(ValueError, match=field):
        ChatRequest.model_validate({"messages": [message]})


def test_tool_names_are_unique_and_well_formed() -> None:
    with pytest.raises(ValueError, match="same name"):
        chat(tools=[TOOL, TOOL])
    with pytest.raises(ValueError, match="name"):
        chat(tools=[{"type": "function", "function": {"name": "날씨"}}])


@pytest.mark.parametrize("name", ["response_format", "tools"])
def test_a_generative_ai_endpoint_takes_neither_schema_nor_tools(name: str) -> None:
    value = FORMAT if name == "response_format" else [TOOL]
    with pytest.raises(InvalidInput) as refused:
        build_payload(chat(**{name: value}), target(dialect="oci_genai"))
    assert refused.value.fields[0].field == name
