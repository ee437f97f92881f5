"""OCI Generative AI inference (API version 20231130), requests signed by the caller's OCI auth:

- `POST /20231130/actions/chat`: {compartmentId, servingMode, chatRequest}; chatRequest's apiFormat is
  COHERE for a `cohere.*` model (message + chatHistory; the answer's `text`) and GENERIC otherwise
  (messages whose content is [{type: TEXT, text}]; the answer's `choices[0].message.content`). Streams
  are SSE: GENERIC events {index, message: {role, content: [{type: TEXT, text}]}, finishReason?},
  COHERE events {apiFormat: COHERE, text, finishReason?};
- `generateText` ({inferenceRequest: {runtimeType COHERE|LLAMA, prompt, …}}; `generatedTexts[0].text` or
  `choices[0].text`), `summarizeText` ({input}; `summary`), `embedText` ({inputs}; `embeddings`);
- servingMode is {servingType: ON_DEMAND, modelId} or, for a dedicated AI cluster's endpoint,
  {servingType: DEDICATED, endpointId} (the connection's model is then the endpoint's OCID);
- errors are {"code", "message"}. OCI lists its models in the control plane, not here: none listed.

An endpoint ending in `/20231130/actions/<action>` (seed 002's imported services) uses that action."""

from __future__ import annotations

import json
from typing import Any

from ..events import StreamEvent
from ..protocol import OpenAiBody, ProviderError, StoredConnection
from .cohere import finish_reason
from .dialect import (
    Call,
    ChunkStream,
    Dialect,
    common_error,
    completion,
    embeddings,
    inputs_of,
    pick,
    prompt_of,
    text_of,
    usage,
)

API = "/20231130/actions/"
_ROLES_GENERIC = {"system": "SYSTEM", "user": "USER", "assistant": "ASSISTANT"}
_ROLES_COHERE = {"system": "SYSTEM", "user": "USER", "assistant": "CHATBOT"}


def _split(endpoint: str) -> tuple[str, str | None]:
    base = endpoint.split("?", 1)[0].rstrip("/")
    at = base.find(API)
    if at >= 0:
        return base[:at], base[at + len(API) :] or None
    return base.removesuffix(API.rstrip("/")), None


def action(conn: StoredConnection) -> str:
    named = _split(conn.fields.endpoint)[1]
    if named:
        return named
    caps = conn.fields.capabilities
    if "chat" in caps:
        return "chat"
    if "completion" in caps:
        return "generateText"
    if "summarize" in caps:
        return "summarizeText"
    return "chat"


def _url(conn: StoredConnection, name: str) -> str:
    return _split(conn.fields.endpoint)[0] + API + name


def _is_cohere(model: str | None) -> bool:
    return bool(model) and str(model).lower().startswith("cohere.")


def _envelope(conn: StoredConnection, model: str | None) -> dict[str, Any]:
    if conn.fields.serving_mode == "DEDICATED":
        serving = {"servingType": "DEDICATED", "endpointId": model}
    else:
        serving = {"servingType": "ON_DEMAND", "modelId": model}
    return {"compartmentId": conn.fields.compartment_id, "servingMode": serving}


_SAMPLING = {
    "max_tokens": "maxTokens",
    "temperature": "temperature",
    "top_p": "topP",
    "top_k": "topK",
    "frequency_penalty": "frequencyPenalty",
    "presence_penalty": "presencePenalty",
    "seed": "seed",
}


def _sampling(body: OpenAiBody, stop_name: str) -> dict[str, Any]:
    out = {theirs: body[ours] for ours, theirs in _SAMPLING.items() if body.get(ours) is not None}
    stop = body.get("stop")
    if stop:
        out[stop_name] = [stop] if isinstance(stop, str) else list(stop)
    return out


def _turns(body: OpenAiBody) -> list[dict[str, Any]]:
    return [m for m in body.get("messages") or () if isinstance(m, dict)]


def _generic_request(body: OpenAiBody, stream: bool) -> dict[str, Any]:
    messages = [
        {
            "role": _ROLES_GENERIC.get(str(m.get("role")), "USER"),
            "content": [{"type": "TEXT", "text": text_of(m.get("content"))}],
        }
        for m in _turns(body)
    ]
    return {"apiFormat": "GENERIC", "messages": messages, **_sampling(body, "stop"), "isStream": stream}


def _cohere_request(body: OpenAiBody, stream: bool) -> dict[str, Any]:
    turns = _turns(body)
    # Cohere's chat takes the last user turn as `message` and the turns before it as history.
    last = next((i for i in range(len(turns) - 1, -1, -1) if turns[i].get("role") == "user"), None)
    message = text_of(turns[last].get("content")) if last is not None else ""
    history = [
        {"role": _ROLES_COHERE.get(str(m.get("role")), "USER"), "message": text_of(m.get("content"))}
        for i, m in enumerate(turns)
        if i != last
    ]
    out: dict[str, Any] = {"apiFormat": "COHERE", "message": message}
    if history:
        out["chatHistory"] = history
    return {**out, **_sampling(body, "stopSequences"), "isStream": stream}


def _generic_text(message: Any) -> str:
    parts = pick(message, "content")
    if not isinstance(parts, list):
        return ""
    return "".join(str(p.get("text") or "") for p in parts if isinstance(p, dict) and p.get("type") == "TEXT")


def _usage(data: Any) -> dict[str, int] | None:
    return usage(pick(data, "promptTokens"), pick(data, "completionTokens"))


class ChatStream(ChunkStream):
    """chat's SSE events → chunks. A COHERE stream's last event (with finishReason) may repeat the whole
    text; it is not sent twice."""

    def __init__(self, model: str | None) -> None:
        super().__init__(model)
        self._text = ""

    def event(self, event: StreamEvent) -> list[OpenAiBody]:
        obj = self.ended_or_json(event)
        if obj is None:
            return []
        if isinstance(obj, dict) and "code" in obj and "message" in obj:
            code, message = common_error(obj, event.data.strip())
            raise ProviderError(message, code=code, body=event.data.strip()[:65536])
        if pick(obj, "apiFormat") == "COHERE" or ("text" in obj and "message" not in obj):
            text = pick(obj, "text")
        else:
            text = _generic_text(pick(obj, "message"))
        text = text if isinstance(text, str) else ""
        reason = pick(obj, "finishReason")
        out: list[OpenAiBody] = []
        if text and not (reason and text == self._text):
            self._text += text
            out.append(self._chunks.make(text))
        if reason:
            self.done = True
            out.append(self._chunks.make(None, finish_reason(reason) or "stop", _usage(pick(obj, "usage"))))
        return out


class OciGenAiDialect(Dialect):
    def streams(self, conn: StoredConnection) -> bool:
        # generateText and summarizeText are answered whole here: the services deprecated them for chat.
        return action(conn) == "chat"

    def raw_url(self, conn: StoredConnection, model: str | None) -> str:
        return _url(conn, action(conn))

    def chat_call(self, conn: StoredConnection, body: OpenAiBody, model: str | None, *, stream: bool) -> Call:
        name = action(conn)
        payload = _envelope(conn, model)
        if name == "generateText":
            runtime = "COHERE" if _is_cohere(model) else "LLAMA"
            request: dict[str, Any] = {"runtimeType": runtime, "prompt": prompt_of(body.get("messages"))}
            request.update(_sampling(body, "stopSequences" if runtime == "COHERE" else "stop"))
            request["isStream"] = False
            payload["inferenceRequest"] = request
        elif name == "summarizeText":
            payload["input"] = prompt_of(body.get("messages"))
            if body.get("temperature") is not None:
                payload["temperature"] = body["temperature"]
        else:
            # On a dedicated endpoint the model's vendor is unknown: GENERIC, the format most models take.
            maker = _cohere_request if _is_cohere(model) else _generic_request
            payload["chatRequest"] = maker(body, stream)
        return Call("POST", _url(conn, name), payload)

    def chat_answer(self, conn: StoredConnection, model: str | None, data: Any) -> OpenAiBody:
        text = self.answer_text(conn, data)
        if text is None:
            raise ProviderError("The service's answer has no text.", body=json.dumps(data)[:65536])
        reason = (
            pick(data, "chatResponse", "choices", 0, "finishReason")
            or pick(data, "chatResponse", "finishReason")
            or pick(data, "inferenceResponse", "choices", 0, "finishReason")
        )
        used = _usage(pick(data, "chatResponse", "usage"))
        return completion(pick(data, "modelId") or model, text, finish_reason(reason), used)

    def stream_decoder(self, conn: StoredConnection, model: str | None) -> ChatStream:
        return ChatStream(model)

    def embeddings_call(self, conn: StoredConnection, body: OpenAiBody, model: str | None) -> Call | None:
        return Call("POST", _url(conn, "embedText"), {**_envelope(conn, model), "inputs": inputs_of(body)})

    def embeddings_answer(self, conn: StoredConnection, model: str | None, data: Any) -> OpenAiBody:
        vectors = pick(data, "embeddings")
        if not isinstance(vectors, list):
            raise ProviderError("The service's answer has no `embeddings`.", body=json.dumps(data)[:65536])
        return embeddings(pick(data, "modelId") or model, vectors, None)

    def answer_text(self, conn: StoredConnection, data: Any) -> str | None:
        chat = pick(data, "chatResponse")
        candidates = (
            _generic_text(pick(chat, "choices", 0, "message")) if pick(chat, "choices") else None,
            pick(chat, "text"),
            pick(data, "inferenceResponse", "generatedTexts", 0, "text"),
            pick(data, "inferenceResponse", "choices", 0, "text"),
            pick(data, "summary"),
        )
        return next((t for t in candidates if isinstance(t, str)), None)


DIALECT = OciGenAiDialect()
