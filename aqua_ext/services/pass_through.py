"""Rules for a request sent through the OpenAI pass-through: what the deployment can answer."""

from __future__ import annotations

from typing import Any

from ..api.upstream import UpstreamTarget
from ..errors import InvalidInput

# The generation routes; /v1/embeddings has no token budget.
_GENERATION_PATHS = ("/v1/chat/completions", "/v1/completions")
# `max_completion_tokens` is OpenAI's newer name for the chat route's budget; vLLM takes both.
_TOKEN_FIELDS = ("max_tokens", "max_completion_tokens")


def check_token_budget(openai_path: str, body: dict[str, Any], target: UpstreamTarget) -> None:
    """Refuse a token budget the deployment cannot hold, before the engine is asked.

    Refused (400 naming the field), not capped: OpenAI's own API answers a too-large
    `max_tokens` with a 400, so clients already handle it; a capped request would silently
    answer something else than was asked; and no cap is right without counting the prompt
    (vLLM refuses prompt + max_tokens over its max model length anyway). The point is that a
    request like `max_tokens: 1000000000` never reaches an engine that would hold a slot for it."""
    if openai_path not in _GENERATION_PATHS:
        return
    for name in _TOKEN_FIELDS:
        value = body.get(name)
        if value is None:
            continue  # absent or null: the engine's default, bounded by its context
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput.field(name, f"expected a whole number of tokens, got {value!r}")
        if value < 1:
            raise InvalidInput.field(name, f"must be at least 1, got {value}")
        if target.max_model_len is not None and value >= target.max_model_len:
            raise InvalidInput.field(
                name,
                f"{value} does not fit in the deployment's max model length "
                f"({target.max_model_len} tokens, prompt included); ask for at most {target.max_model_len - 1}",
            )
