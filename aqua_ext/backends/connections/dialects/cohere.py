"""Cohere: chat through v2 `POST /v2/chat` (messages in, `message.content[].text` out; a stream of SSE
events `message-start`, `content-delta` with `delta.message.content.text`, `message-end` with
`delta.finish_reason` and `delta.usage`), completion through v1 `POST /v1/generate` (a prompt in,
`generations[0].text` out; a stream of newline-delimited JSON `{"text", "is_finished"}`), embeddings
through v2 `POST /v2/embed`, models from `GET /v1/models`. Errors are {"message": "..."}.

A connection whose capabilities include chat uses v2 chat; one offering only completion uses v1
generate. An endpoint naming an operation (seed 002's `https://api.cohere.ai/v1/generate`) uses it."""

from __future__ import annotations

import json
from typing import Any

from ..events import StreamEvent, StreamFormat
from ..protocol import OpenAiBody, ProviderError, StoredConnection
from .dialect import (
    DONE,
    Call,
    ChunkStream,
    Dialect,
    common_error,
    completion,
    embeddings,
    event_json,
    inputs_of,
    pick,
    prompt_of,
    text_of,
    usage,
)

_GENERATE, _CHAT = "/v1/generate", "/v2/chat"
_PATHS = (_GENERATE, _CHAT, "/v1/chat", "/v2/embed", "/v1/embed", "/v1/models")

# Cohere's finish reasons in OpenAI's words; any other is passed on lower-cased.
_FINISH = {"COMPLETE": "stop", "STOP_SEQUENCE": "stop", "MAX_TOKENS": "length", "TOOL_CALL": "tool_calls"}


def finish_reason(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    return _FINISH.get(value.upper(), value.lower())


def _split(endpoint: str) -> tuple[str, str | None]:
    base = endpoint.split("?", 1)[0].rstrip("/")
    for path in _PATHS:
        if base.endswith(path):
            return base[: -len(path)], path
    return base, None


def _uses_generate(conn: StoredConnection) -> bool:
    named = _split(conn.fields.endpoint)[1]
    if named == _GENERATE:
        return True
    if named in (_CHAT, "/v1/chat"):
        return False
    return "chat" not in conn.fields.capabilities and "completion" in conn.fields.capabilities


def _billed(data: Any) -> dict[str, int] | None:
    tokens = pick(data, "tokens") or pick(data, "billed_units")
    return usage(pick(tokens, "input_tokens"), pick(tokens, "output_tokens"))


# OpenAI's sampling fields under Cohere's names (the same in v1 generate and v2 chat).
_SAMPLING = {
    "max_tokens": "max_tokens",
    "temperature": "temperature",
    "top_p": "p",
    "top_k": "k",
    "seed": "seed",
    "frequency_penalty": "frequency_penalty",
    "presence_penalty": "presence_penalty",
}


def _sampling(body: OpenAiBody) -> dict[str, Any]:
    out = {theirs: body[ours] for ours, theirs in _SAMPLING.items() if body.get(ours) is not None}
    stop = body.get("stop")
    if stop:
        out["stop_sequences"] = [stop] if isinstance(stop, str) else list(stop)
    return out


class ChatStream(ChunkStream):
    """v2 chat's events → chunks; the stream ends after `message-end`."""

    def event(self, event: StreamEvent) -> list[OpenAiBody]:
        obj = event_json(event)
        if obj is None or obj is DONE:  # Cohere ends with message-end, never [DONE]
            return []
        kind = pick(obj, "type") or event.event
        if kind == "content-delta":
            text = pick(obj, "delta", "message", "content", "text")
            return [self._chunks.make(text)] if isinstance(text, str) and text else []
        if kind == "message-end":
            self.done = True
            delta = pick(obj, "delta")
            reason = finish_reason(pick(delta, "finish_reason")) or "stop"
            return [self._chunks.make(None, reason, _billed(pick(delta, "usage")))]
        if kind == "error" or (isinstance(obj, dict) and "message" in obj and "type" not in obj):
            code, message = common_error(obj, event.data)
            raise ProviderError(message, code=code, body=event.data[:65536])
        return []  # message-start, content-start, content-end, tool and citation events


class GenerateStream(ChunkStream):
    """v1 generate's newline-delimited JSON → chunks; `is_finished: true` ends it."""

    format: StreamFormat = "ndjson"

    def event(self, event: StreamEvent) -> list[OpenAiBody]:
        try:
            obj = json.loads(event.data)
        except ValueError:
            raise ProviderError(f"The service sent a stream line that is not JSON: {event.data[:200]!r}") from None
        if pick(obj, "is_finished"):
            self.done = True
            reason = finish_reason(pick(obj, "finish_reason")) or "stop"
            if reason == "error":
                message = pick(obj, "response", "message") or "The service ended the answer with an error."
                raise ProviderError(str(message), code="ERROR", body=event.data[:65536])
            return [self._chunks.make(None, reason, _billed(pick(obj, "response", "meta", "billed_units")))]
        text = pick(obj, "text")
        return [self._chunks.make(text)] if isinstance(text, str) and text else []


class CohereDialect(Dialect):
    def raw_url(self, conn: StoredConnection, model: str | None) -> str:
        return _split(conn.fields.endpoint)[0] + (_GENERATE if _uses_generate(conn) else _CHAT)

    def chat_call(self, conn: StoredConnection, body: OpenAiBody, model: str | None, *, stream: bool) -> Call:
        payload: dict[str, Any] = {"model": model} if model else {}
        if _uses_generate(conn):
            payload["prompt"] = prompt_of(body.get("messages"))
        else:
            payload["messages"] = [
                {"role": str(m.get("role") or "user"), "content": text_of(m.get("content"))}
                for m in body.get("messages") or ()
                if isinstance(m, dict)
            ]
        payload.update(_sampling(body))
        payload["stream"] = stream
        return Call("POST", self.raw_url(conn, model), payload)

    def chat_answer(self, conn: StoredConnection, model: str | None, data: Any) -> OpenAiBody:
        if _uses_generate(conn):
            text = pick(data, "generations", 0, "text")
            reason = pick(data, "generations", 0, "finish_reason")
            used = _billed(pick(data, "meta", "billed_units"))
        else:
            parts = pick(data, "message", "content")
            text = None
            if isinstance(parts, list):
                text = "".join(str(p.get("text") or "") for p in parts if isinstance(p, dict))
            reason = pick(data, "finish_reason")
            used = _billed(pick(data, "usage"))
        if not isinstance(text, str):
            raise ProviderError("The service's answer has no text.", body=json.dumps(data)[:65536])
        return completion(model, text, finish_reason(reason), used)

    def stream_decoder(self, conn: StoredConnection, model: str | None) -> ChatStream | GenerateStream:
        return GenerateStream(model) if _uses_generate(conn) else ChatStream(model)

    def embeddings_call(self, conn: StoredConnection, body: OpenAiBody, model: str | None) -> Call | None:
        payload: dict[str, Any] = {
            "model": model,
            "texts": inputs_of(body),
            # OpenAI's API has no input type; a stored document is the general case.
            "input_type": "search_document",
            "embedding_types": ["float"],
        }
        return Call("POST", _split(conn.fields.endpoint)[0] + "/v2/embed", payload)

    def embeddings_answer(self, conn: StoredConnection, model: str | None, data: Any) -> OpenAiBody:
        vectors = pick(data, "embeddings", "float")
        if not isinstance(vectors, list):
            raise ProviderError("The service's answer has no `embeddings.float`.", body=json.dumps(data)[:65536])
        billed = pick(data, "meta", "billed_units", "input_tokens")
        used = {"prompt_tokens": billed, "total_tokens": billed} if isinstance(billed, int) else None
        return embeddings(model, vectors, used)

    def models_call(self, conn: StoredConnection) -> Call | None:
        return Call("GET", _split(conn.fields.endpoint)[0] + "/v1/models")

    def models_answer(self, data: Any) -> list[str]:
        return [str(m["name"]) for m in pick(data, "models") or () if isinstance(m, dict) and m.get("name")]

    def answer_text(self, conn: StoredConnection, data: Any) -> str | None:
        parts = pick(data, "message", "content")
        if isinstance(parts, list):
            return "".join(str(p.get("text") or "") for p in parts if isinstance(p, dict))
        for text in (pick(data, "generations", 0, "text"), pick(data, "text")):
            if isinstance(text, str):
                return text
        return None


DIALECT = CohereDialect()
