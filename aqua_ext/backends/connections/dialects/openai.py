"""OpenAI and every server that speaks its API (vLLM, Ollama, LM Studio, another Jupyter's pass-through):
`POST {endpoint}/chat/completions`, SSE streams of chat.completion.chunk ending at `data: [DONE]`,
`GET {endpoint}/models`, `POST {endpoint}/embeddings`, errors as {"error": {"code", "message", "type",
"param"}}. The endpoint is the base URL with its `/v1`; one that already ends with an operation's path
(an imported service's full URL) is cut back to the base.

OpenAI's shapes are ours: requests and answers pass through unchanged but for the model filled in."""

from __future__ import annotations

import json
from typing import Any

from ..events import StreamEvent
from ..protocol import OpenAiBody, ProviderError, StoredConnection
from .dialect import Call, Dialect, StreamDecoder, common_error, pick

_OPERATIONS = ("/chat/completions", "/completions", "/embeddings", "/models")


def base_url(endpoint: str) -> str:
    base = endpoint.split("?", 1)[0].rstrip("/")
    for suffix in _OPERATIONS:
        if base.endswith(suffix):
            return base[: -len(suffix)]
    return base


def stream_error(data: Any, text: str) -> ProviderError:
    code, message = common_error(data, text)
    return ProviderError(message, code=code, body=text[:65536])


class OpenAiStream(StreamDecoder):
    """OpenAI's chunks are already chat.completion.chunk: passed on as they come."""

    def event(self, event: StreamEvent) -> list[OpenAiBody]:
        obj = self.ended_or_json(event)
        if obj is None:
            return []
        # vLLM and OpenAI report a failure mid-answer as an event with an `error` and no choices.
        if event.event == "error" or (isinstance(obj, dict) and "error" in obj and not obj.get("choices")):
            raise stream_error(obj, event.data.strip())
        return [obj] if isinstance(obj, dict) else []


class OpenAiDialect(Dialect):
    def chat_url(self, conn: StoredConnection, model: str | None) -> str:
        return base_url(conn.fields.endpoint) + "/chat/completions"

    def chat_call(self, conn: StoredConnection, body: OpenAiBody, model: str | None, *, stream: bool) -> Call:
        payload = dict(body)
        if model:
            payload["model"] = model
        if stream:
            payload["stream"] = True
        else:
            payload.pop("stream", None)
            payload.pop("stream_options", None)  # OpenAI refuses stream_options without stream
        return Call("POST", self.chat_url(conn, model), payload)

    def chat_answer(self, conn: StoredConnection, model: str | None, data: Any) -> OpenAiBody:
        if not isinstance(data, dict) or not isinstance(data.get("choices"), list):
            raise ProviderError("The service's answer has no `choices`.", body=json.dumps(data)[:65536])
        return data

    def stream_decoder(self, conn: StoredConnection, model: str | None) -> OpenAiStream:
        return OpenAiStream()

    def embeddings_call(self, conn: StoredConnection, body: OpenAiBody, model: str | None) -> Call | None:
        payload = dict(body)
        if model:
            payload["model"] = model
        return Call("POST", base_url(conn.fields.endpoint) + "/embeddings", payload)

    def embeddings_answer(self, conn: StoredConnection, model: str | None, data: Any) -> OpenAiBody:
        if not isinstance(data, dict) or not isinstance(data.get("data"), list):
            raise ProviderError("The service's answer has no `data`.", body=json.dumps(data)[:65536])
        return data

    def models_call(self, conn: StoredConnection) -> Call | None:
        return Call("GET", base_url(conn.fields.endpoint) + "/models")

    def models_answer(self, data: Any) -> list[str]:
        return [str(m["id"]) for m in pick(data, "data") or () if isinstance(m, dict) and m.get("id")]

    def raw_url(self, conn: StoredConnection, model: str | None) -> str:
        # An imported service's full URL (`…/completions`) is where its sample request goes, as it is.
        if base_url(conn.fields.endpoint) != conn.fields.endpoint.split("?", 1)[0].rstrip("/"):
            return conn.fields.endpoint
        return self.chat_url(conn, model)

    def answer_text(self, conn: StoredConnection, data: Any) -> str | None:
        text = pick(data, "choices", 0, "message", "content")
        if text is None:
            text = pick(data, "choices", 0, "text")  # a /completions answer
        return text if isinstance(text, str) else None


DIALECT = OpenAiDialect()
