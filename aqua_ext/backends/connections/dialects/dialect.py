"""What every dialect gives the client: the HTTP call for each operation, and the provider's answers,
stream events and error payloads read back into OpenAI's shapes (protocol.py names them). Each dialect
module builds its calls and reads its answers; the client sends, times out, retries and signs."""

from __future__ import annotations

import json
import time
import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from ..events import StreamEvent, StreamFormat
from ..protocol import OpenAiBody, ProviderError, StoredConnection


@dataclass(frozen=True)
class Call:
    """One HTTP request to the service. `json` is sent as the body (None: no body)."""

    method: str
    url: str
    json: Any = None
    params: dict[str, str] = field(default_factory=dict)


class StreamDecoder(ABC):
    """Reads one streamed answer's events into chat.completion.chunk dicts. Most streams are SSE and
    end with their last event; a decoder says where its stream differs."""

    format: StreamFormat = "sse"
    done = False  # the provider said the answer is over (an end event, `[DONE]`)

    @abstractmethod
    def event(self, event: StreamEvent) -> list[OpenAiBody]:
        """The chunks this event carries (raises ProviderError for an error event)."""

    def end(self) -> list[OpenAiBody]:
        """At EOF: the chunks still owed (none for most)."""
        return []

    def ended_or_json(self, event: StreamEvent) -> Any:
        """The event's JSON (event_json), None where there is nothing to read: an empty event, or
        OpenAI's `[DONE]`, which ends the stream."""
        obj = event_json(event)
        if obj is DONE:
            self.done = True
            return None
        return obj


class ChunkStream(StreamDecoder):
    """A decoder that builds the chunks itself, from a provider's own event shapes."""

    def __init__(self, model: str | None) -> None:
        self._chunks = Chunks(model)


class Dialect(ABC):
    """One provider's calls and answers. The defaults are what most providers do: the key in
    `Authorization`, a sample body (not a template), streamed chats, no model list, and errors in
    the usual payloads."""

    # The header an `api_key_header` connection uses when it names none.
    default_key_header = "Authorization"
    # The connection's request body is a template this dialect fills (a `rest` service), not a sample.
    fills_template = False

    def streams(self, conn: StoredConnection) -> bool:
        return True

    @abstractmethod
    def chat_call(self, conn: StoredConnection, body: OpenAiBody, model: str | None, *, stream: bool) -> Call: ...

    @abstractmethod
    def chat_answer(self, conn: StoredConnection, model: str | None, data: Any) -> OpenAiBody: ...

    @abstractmethod
    def stream_decoder(self, conn: StoredConnection, model: str | None) -> StreamDecoder: ...

    @abstractmethod
    def embeddings_call(self, conn: StoredConnection, body: OpenAiBody, model: str | None) -> Call | None:
        """None: this service offers no embeddings."""

    @abstractmethod
    def embeddings_answer(self, conn: StoredConnection, model: str | None, data: Any) -> OpenAiBody: ...

    def models_call(self, conn: StoredConnection) -> Call | None:
        """None: this service cannot list its models."""
        return None

    def models_answer(self, data: Any) -> list[str]:
        return []

    def error(self, data: Any, text: str) -> tuple[str | None, str]:
        """(code, message) from an error payload (`data` is the parsed JSON, or None)."""
        return common_error(data, text)

    @abstractmethod
    def raw_url(self, conn: StoredConnection, model: str | None) -> str:
        """Where the test request goes: the URL a chat (or the connection's one method) uses."""

    @abstractmethod
    def answer_text(self, conn: StoredConnection, data: Any) -> str | None:
        """The answer's text in a response to the test request, wherever this dialect puts it."""


# ---- OpenAI's shapes, built from a provider's parts ----------------------------------------------


# What an SSE stream's `data: [DONE]` reads as: the end, not an event.
DONE = object()


def event_json(event: StreamEvent) -> Any:
    """One stream event's JSON; None for an empty event, DONE for OpenAI's `[DONE]` sentinel.
    A service that sends something else mid-stream is a ProviderError naming what came."""
    data = event.data.strip()
    if data == "[DONE]":
        return DONE
    if not data:
        return None
    try:
        return json.loads(data)
    except ValueError:
        raise ProviderError(f"The service sent a stream event that is not JSON: {data[:200]!r}") from None


def pick(data: Any, *path: str | int) -> Any:
    """data[path[0]][path[1]]…, or None where any step is missing or of another type."""
    for step in path:
        if isinstance(step, int):
            if not isinstance(data, list) or not -len(data) <= step < len(data):
                return None
        elif not isinstance(data, dict):
            return None
        data = data[step] if isinstance(step, int) else data.get(step)
    return data


def text_of(content: Any) -> str:
    """An OpenAI message's content as text: a string, or the text parts of a list of parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(p.get("text") or "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return ""


def usage(prompt: Any, completion: Any) -> dict[str, int] | None:
    if not isinstance(prompt, int) or not isinstance(completion, int):
        return None
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def completion(model: str | None, text: str, finish_reason: str | None, used: dict[str, int] | None) -> OpenAiBody:
    out: OpenAiBody = {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model or "",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish_reason or "stop"}
        ],
    }
    if used is not None:
        out["usage"] = used
    return out


class Chunks:
    """chat.completion.chunk dicts of one answer (one id, one `created`)."""

    def __init__(self, model: str | None) -> None:
        self.id = f"chatcmpl-{uuid.uuid4().hex}"
        self.created = int(time.time())
        self.model = model or ""
        self.role_sent = False

    def make(
        self, content: str | None = None, finish_reason: str | None = None, used: dict[str, int] | None = None
    ) -> OpenAiBody:
        delta: dict[str, str] = {}
        if not self.role_sent:
            delta["role"] = "assistant"  # OpenAI's first chunk names the role
            self.role_sent = True
        if content is not None:
            delta["content"] = content
        out: OpenAiBody = {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
        }
        if used is not None:
            out["usage"] = used
        return out


def embeddings(model: str | None, vectors: list[Any], used: dict[str, int] | None) -> OpenAiBody:
    out: OpenAiBody = {
        "object": "list",
        "data": [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)],
        "model": model or "",
    }
    if used is not None:
        out["usage"] = used
    return out


def inputs_of(body: OpenAiBody) -> list[str]:
    """OpenAI's embeddings `input` (a string or a list of strings) as a list."""
    value = body.get("input")
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return []


def prompt_of(messages: Any) -> str:
    """A chat as one prompt, for the completion-only APIs: the one message's text, else each turn on
    its own line after its role (what those APIs' own chat wrappers did)."""
    turns = [m for m in messages or () if isinstance(m, dict)]
    if len(turns) == 1:
        return text_of(turns[0].get("content"))
    lines = [f"{str(m.get('role') or 'user').capitalize()}: {text_of(m.get('content'))}" for m in turns]
    return "\n".join([*lines, "Assistant:"])


def common_error(data: Any, text: str) -> tuple[str | None, str]:
    """(code, message) from the usual error payloads: OpenAI's {"error": {...}}, {"message"}, {"detail"}."""
    err = pick(data, "error")
    if isinstance(err, dict) and err.get("message"):
        code = err.get("code") or err.get("type")
        return (str(code) if code is not None else None), str(err["message"])
    if isinstance(err, str) and err:
        return None, err
    for key in ("message", "detail"):
        value = pick(data, key)
        if isinstance(value, str) and value:
            code = pick(data, "code")
            return (str(code) if code is not None else None), value
    return None, text.strip()[:500] or "no message"
