"""The rules the chat handler and `aqua-ext chat` share (services/chat.py), and the best score of
a comparison (services/evaluation_results.py)."""

from __future__ import annotations

import pytest

from aqua_ext.api.deployments import ChatMessage, ChatRequest
from aqua_ext.api.upstream import UpstreamTarget
from aqua_ext.errors import InvalidInput
from aqua_ext.services.chat import for_mode
from aqua_ext.services.chat_payload import build_payload
from aqua_ext.services.evaluation_results import best_ids


def target(mode: str) -> UpstreamTarget:
    return UpstreamTarget(deployment_id="dep-1", mode=mode, model="m", base_url="http://127.0.0.1:9")


def turn(*messages: tuple[str, str]) -> ChatRequest:
    return ChatRequest(messages=[ChatMessage(role=role, content=text) for role, text in messages])  # type: ignore[arg-type]


def test_a_completion_deployment_takes_one_user_message_as_its_prompt() -> None:
    request = for_mode(turn(("user", "Once upon")), target("completion"))
    assert request.prompt == "Once upon" and request.messages is None
    path, body = build_payload(request, target("completion"))
    assert path == "/v1/completions" and body["prompt"] == "Once upon"
    with pytest.raises(InvalidInput) as refused:
        for_mode(turn(("system", "Be brief"), ("user", "Once")), target("completion"))
    assert refused.value.fields[0].field == "system" and "no system message" in refused.value.message
    # A conversation stays one: build_payload refuses it, as before.
    several = turn(("user", "a"), ("assistant", "b"), ("user", "c"))
    assert for_mode(several, target("completion")) == several
    chat = turn(("system", "S"), ("user", "hi"))
    assert for_mode(chat, target("chat")) == chat


def test_the_best_is_the_lowest_latency_else_the_highest_score() -> None:
    assert best_ids("rougeL", {"a": 0.8, "b": 0.4}) == ["a"]
    assert best_ids("latency_ms_p50", {"a": 140.0, "b": 220.0}) == ["a"]
    assert best_ids("bleu", {"a": 30.0, "b": 30.0, "c": 10.0}) == ["a", "b"]
    assert best_ids("bleu", {"a": 30.0, "b": 30.0}) == []  # all tie: none is better
    assert best_ids("bleu", {"a": 30.0, "b": float("nan")}) == []  # one value is no comparison
