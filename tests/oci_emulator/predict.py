"""The emulated model deployment's container: an OpenAI-style echo, as AQUA's vLLM / TGI containers
answer behind ``/predict`` and ``/predictWithResponseStream``.

The OpenAI path comes from the ``route`` header (what AQUA's client sends), else from a path below
``/predict`` (``/predict/v1/chat/completions``), else from the deployment's ``MODEL_DEPLOY_PREDICT_ENDPOINT``
environment variable, else from the body (``messages`` → chat, ``input`` → embeddings, else completions).

- ``/v1/chat/completions`` and ``/v1/completions`` answer ``Echo from <display name>: <last user text>``,
  one word per token, cut at ``max_tokens`` (``finish_reason`` "length");
- ``/v1/embeddings`` answers a deterministic unit vector per input (SHA-256 of the text), 16 dimensions;
- streaming (``stream: true`` or ``enable-streaming: true``) sends SSE chunks ending with ``data: [DONE]``;
  on ``predictWithResponseStream`` each chunk is written and flushed on its own, ``chunk_delay`` apart
  (an iterator body: the server sends it chunked), on ``predict`` the whole stream comes at once;
- a bad body gets vLLM's error shape ``{"object": "error", "message", "type", "code"}``; an unknown route 404.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from .core import Request, Response

ROUTES = ("/v1/chat/completions", "/v1/completions", "/v1/embeddings")
EMBEDDING_DIMENSIONS = 16


def engine_error(status: int, message: str, kind: str = "BadRequestError") -> Response:
    return Response(status, {"object": "error", "message": message, "type": kind, "code": status})


def route_of(md: dict, req: Request, body: dict) -> str:
    if req.params.get("route"):
        return "/" + req.params["route"].lstrip("/")
    if req.header("route"):
        return req.header("route") or ""
    env = (((md.get("modelDeploymentConfigurationDetails") or {}).get("environmentConfigurationDetails") or {})
           .get("environmentVariables") or {})  # fmt: skip
    if env.get("MODEL_DEPLOY_PREDICT_ENDPOINT"):
        return env["MODEL_DEPLOY_PREDICT_ENDPOINT"]
    if "messages" in body:
        return "/v1/chat/completions"
    return "/v1/embeddings" if "input" in body else "/v1/completions"


def embedding(text: str) -> list[float]:
    """A deterministic unit vector: equal texts get equal vectors, different texts different ones."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    raw = [(digest[i] - 127.5) / 127.5 for i in range(EMBEDDING_DIMENSIONS)]
    norm = math.sqrt(sum(v * v for v in raw)) or 1.0
    return [round(v / norm, 6) for v in raw]


def _embeddings(body: dict, model: str) -> Response:
    inputs = body.get("input")
    if isinstance(inputs, str):
        inputs = [inputs]
    if not isinstance(inputs, list) or not inputs or not all(isinstance(t, str) for t in inputs):
        return engine_error(400, "input must be a string or a non-empty list of strings")
    tokens = sum(len(t.split()) for t in inputs)
    data = [{"object": "embedding", "index": i, "embedding": embedding(t)} for i, t in enumerate(inputs)]
    return Response(200, {"object": "list", "data": data, "model": model,
                          "usage": {"prompt_tokens": tokens, "total_tokens": tokens}})  # fmt: skip


def echo_predict(md: dict, req: Request, *, chunk_delay: Callable[[], float] = lambda: 0.0,
                 sleep: Callable[[float], Any] = time.sleep) -> Response:  # fmt: skip
    try:
        body = json.loads(req.body or b"{}")
    except ValueError:
        return engine_error(400, "The body must be JSON.")
    if not isinstance(body, dict):
        return engine_error(400, "The body must be a JSON object.")
    route = route_of(md, req, body)
    model = str(body.get("model") or "odsc-llm")
    if route not in ROUTES:
        return Response(404, {"detail": "Not Found"})
    if route == "/v1/embeddings":
        return _embeddings(body, model)
    chat = route == "/v1/chat/completions"
    if chat:
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return engine_error(400, "messages must be a non-empty list")
        last = next((m.get("content") for m in reversed(messages) if isinstance(m, dict) and m.get("role") == "user"),
                    "")  # fmt: skip
    else:
        if not isinstance(body.get("prompt"), str):
            return engine_error(400, "prompt must be a string")
        last = body["prompt"]
    words = f"Echo from {md['displayName']}: {last}".split(" ")
    finish = "stop"
    max_tokens = body.get("max_tokens")
    if isinstance(max_tokens, int) and 0 < max_tokens < len(words):
        words, finish = words[:max_tokens], "length"
    prompt_tokens = len(str(last).split())
    usage = {"prompt_tokens": prompt_tokens, "completion_tokens": len(words),
             "total_tokens": prompt_tokens + len(words)}  # fmt: skip
    created = int(time.time())
    rid = f"{'chatcmpl' if chat else 'cmpl'}-{uuid.uuid4().hex[:24]}"
    stream = bool(body.get("stream")) or (req.header("enable-streaming") or "").lower() == "true"
    if not stream:
        text = " ".join(words)
        if chat:
            choice = {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish}
            return Response(200, {"id": rid, "object": "chat.completion", "created": created, "model": model,
                                  "choices": [choice], "usage": usage})  # fmt: skip
        return Response(
            200,
            {
                "id": rid,
                "object": "text_completion",
                "created": created,
                "model": model,
                "choices": [{"index": 0, "text": text, "finish_reason": finish}],
                "usage": usage,
            },
        )

    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    kind = "chat.completion.chunk" if chat else "text_completion"

    def chunk(choice: dict | None, extra: dict | None = None) -> bytes:
        obj = {"id": rid, "object": kind, "created": created, "model": model,
               "choices": [choice] if choice else [], **(extra or {})}  # fmt: skip
        return f"data: {json.dumps(obj)}\n\n".encode()

    def events() -> Iterator[bytes]:
        if chat:
            yield chunk({"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None})
        for i, word in enumerate(words):
            piece = word + (" " if i < len(words) - 1 else "")
            reason = finish if i == len(words) - 1 else None
            choice = {"index": 0, "delta": {"content": piece}} if chat else {"index": 0, "text": piece}
            yield chunk(choice | {"finish_reason": reason})
        if include_usage:
            yield chunk(None, {"usage": usage})
        yield b"data: [DONE]\n\n"

    if req.operation != "PredictWithResponseStream":
        return Response(200, b"".join(events()), content_type="text/event-stream")

    def paced() -> Iterator[bytes]:
        for i, piece in enumerate(events()):
            if i:
                sleep(chunk_delay())
            yield piece

    return Response(200, paced(), content_type="text/event-stream")
