"""A playground turn (ChatRequest) as the OpenAI request an engine understands."""

from __future__ import annotations

import json
from typing import Any

from ..api.deployments import ChatRequest
from ..api.upstream import UpstreamTarget
from ..errors import InvalidInput
from .adapters import adapter_named, route


def build_payload(request: ChatRequest, target: UpstreamTarget) -> tuple[str, dict[str, Any]]:
    """The OpenAI path and streaming body for one turn. A chat deployment takes messages (or a
    prompt, sent to /v1/completions); a completion deployment takes a prompt only."""
    if target.mode == "embedding":
        raise InvalidInput.field("mode", "this is an embedding deployment: use the embeddings view (embed), not chat")
    if target.max_model_len is not None and request.max_tokens >= target.max_model_len:
        raise InvalidInput.field(
            "max_tokens",
            f"{request.max_tokens} does not fit in the deployment's max model "
            f"length ({target.max_model_len} tokens, prompt included)",
        )
    body: dict[str, Any] = {
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
        "top_p": request.top_p,
        "stream": True,
    }
    route(target, adapter_named(target, request.adapter, "adapter"), body)  # the base, or the adapter asked for
    # Penalties are sent only when set: 0 is OpenAI's default, and transformers serve warns
    # about presence_penalty, which it does not implement.
    if request.frequency_penalty:
        body["frequency_penalty"] = request.frequency_penalty
    if request.presence_penalty:
        body["presence_penalty"] = request.presence_penalty
    top_k = request.top_k if request.top_k is not None and request.top_k > 0 else None  # -1 / None: off
    if target.dialect == "transformers":
        defaults = target.generation_defaults or {}
        sample = request.temperature > 0
        # transformers serve applies temperature but keeps the model's do_sample, so a model
        # whose generation_config says do_sample false would answer greedily at any temperature;
        # and it has no top_k field. Both go in a generation config, which replaces the model's
        # own, so its defaults (eos_token_id, …) are merged in or generation would never stop.
        if top_k is not None or (sample and defaults.get("do_sample") is not True):
            config = {**defaults, "do_sample": sample, **({"top_k": top_k} if top_k is not None else {})}
            body["generation_config"] = json.dumps(config)
    else:
        # top_k is not in OpenAI's API, but vLLM, llama.cpp and TGI take it; the reference
        # drops it silently.
        if top_k is not None:
            body["top_k"] = top_k
        # Engines that support it report usage in a last chunk.
        body["stream_options"] = {"include_usage": True}
    if request.stop:
        body["stop"] = request.stop
    if request.seed is not None:
        body["seed"] = request.seed
    if request.messages is not None:
        if target.mode != "chat":
            raise InvalidInput.field("messages", "this is a completion deployment: send a prompt, not messages")
        body["messages"] = [m.model_dump(exclude_none=True) for m in request.messages]
        body.update(chat_extras(request, target))
        return "/v1/chat/completions", body
    for name in ("response_format", "tools"):
        if getattr(request, name) is not None:
            raise InvalidInput.field(
                name, "a prompt is completed as text: structured output and tools need chat messages"
            )
    body["prompt"] = request.prompt
    return "/v1/completions", body


def tool_fields(request: ChatRequest) -> dict[str, Any]:
    """`response_format` and `tools` of a turn in OpenAI's form (absent when not set)."""
    fields: dict[str, Any] = {}
    if request.response_format is not None:
        fields["response_format"] = request.response_format.model_dump(by_alias=True, exclude_none=True)
    if request.tools is not None:
        fields["tools"] = [tool.model_dump(exclude_none=True) for tool in request.tools]
    return fields


def chat_extras(request: ChatRequest, target: UpstreamTarget) -> dict[str, Any]:
    """Structured output and tools, for the engines that take them. vLLM and the llama.cpp server
    take both (a JSON schema becomes a grammar); `transformers serve` takes tools but refuses
    `response_format` (its list of unused fields), so that turn is refused here with a reason
    instead of the engine's bare 422; a Generative AI endpoint takes neither here."""
    if target.dialect == "oci_genai":
        # A Generative AI endpoint's turn is translated by the OCI Generative AI dialect, which
        # carries text turns only.
        for name in ("response_format", "tools"):
            if getattr(request, name) is not None:
                raise InvalidInput.field(name, f"a Generative AI endpoint's playground turn does not take {name}")
    if request.response_format is not None and target.dialect == "transformers":
        raise InvalidInput.field(
            "response_format",
            "transformers serve does not support structured output: deploy with vLLM or llama.cpp, or clear the schema",
        )
    return tool_fields(request)
