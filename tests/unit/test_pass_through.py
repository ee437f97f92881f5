"""The pass-through's token budget rule, without a server: what is refused, and what passes."""

from __future__ import annotations

from typing import Any

import pytest

from aqua_ext.api.upstream import UpstreamTarget
from aqua_ext.errors import InvalidInput
from aqua_ext.services.pass_through import check_token_budget

CHAT = "/v1/chat/completions"


def target(max_model_len: int | None = 2048) -> UpstreamTarget:
    return UpstreamTarget(
        deployment_id="d", mode="chat", model="m", base_url="http://127.0.0.1:1", max_model_len=max_model_len
    )


@pytest.mark.parametrize(
    ("path", "body", "field", "words"),
    [
        (CHAT, {"max_tokens": 1000000000}, "max_tokens", "at most 2047"),
        (CHAT, {"max_tokens": 2048}, "max_tokens", "2048 tokens, prompt included"),
        (CHAT, {"max_completion_tokens": 5000}, "max_completion_tokens", "at most 2047"),
        ("/v1/completions", {"prompt": "日本語", "max_tokens": 4096}, "max_tokens", "at most 2047"),
        (CHAT, {"max_tokens": "스물"}, "max_tokens", "whole number"),
        (CHAT, {"max_tokens": 12.5}, "max_tokens", "whole number"),
        (CHAT, {"max_tokens": True}, "max_tokens", "whole number"),
        (CHAT, {"max_tokens": -1}, "max_tokens", "at least 1"),
        (CHAT, {"max_tokens": 0}, "max_tokens", "at least 1"),
    ],
)
def test_refused_naming_the_field(path: str, body: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_token_budget(path, body, target())
    assert caught.value.fields is not None and caught.value.fields[0].field == field
    assert words in caught.value.message


@pytest.mark.parametrize(
    ("path", "body", "limit"),
    [
        (CHAT, {"max_tokens": 2047}, 2048),
        (CHAT, {}, 2048),
        (CHAT, {"max_tokens": None}, 2048),
        (CHAT, {"max_tokens": 1000000000}, None),  # the length is unknown: the engine decides
        ("/v1/embeddings", {"input": "한국어", "max_tokens": 1000000000}, 2048),  # no budget there
    ],
)
def test_passed(path: str, body: dict[str, Any], limit: int | None) -> None:
    check_token_budget(path, body, target(limit))
