"""Cohere's API as documented: v2 chat (`POST /v2/chat`; SSE events message-start, content-start,
content-delta, content-end, message-end), v1 generate (`POST /v1/generate`, seed 002's payload; a
stream of newline-delimited JSON ending with `is_finished: true`), v2 embed, v1 models, a bearer key;
errors {"message": "..."}."""

from __future__ import annotations

import json
from typing import Any

from .openai import vector
from .server import ProviderStub, Refuse, StubHandler, pieces_of, refuse_unknown, require, sse

CHAT_FIELDS = frozenset(
    {
        "model", "messages", "stream", "max_tokens", "temperature", "p", "k", "seed", "stop_sequences",
        "frequency_penalty", "presence_penalty", "documents", "tools", "response_format", "safety_mode",
        "citation_options", "logprobs", "strict_tools", "tool_choice",
    }
)  # fmt: skip
GENERATE_FIELDS = frozenset(
    {
        "prompt", "model", "num_generations", "stream", "max_tokens", "truncate", "temperature", "seed", "preset",
        "end_sequences", "stop_sequences", "k", "p", "frequency_penalty", "presence_penalty",
        "return_likelihoods", "raw_prompting",
    }
)  # fmt: skip
EMBED_FIELDS = frozenset({"model", "texts", "images", "inputs", "input_type", "embedding_types", "truncate",
                          "output_dimension", "max_tokens"})  # fmt: skip
ROLES = ("system", "user", "assistant", "tool")


class _CohereHandler(StubHandler):
    def error_payload(self, status: int, message: str, code: str | None) -> dict[str, Any]:
        return {"message": message}

    def check(self, body: Any, allowed: frozenset[str], *required: str) -> dict[str, Any]:
        if self.stub.key is not None and self.request.headers.get("Authorization") != f"Bearer {self.stub.key}":
            raise Refuse(401, "invalid api token")
        if not isinstance(body, dict):
            raise Refuse(400, "invalid request: the body must be a JSON object")
        unknown = sorted(set(body) - allowed)
        if unknown:
            raise Refuse(400, f"invalid request: unknown field: parameter {unknown[0]} is not a valid field")
        for name in required:
            if name not in body:
                raise Refuse(400, f"invalid request: {name} must not be empty")
        model = body.get("model")
        if model is not None and self.stub.models and model not in self.stub.models:
            raise Refuse(
                404,
                f"model '{model}' not found, make sure the correct model ID was used and that you have access "
                "to the model.",
            )
        return body


class ChatHandler(_CohereHandler):
    async def post(self) -> None:
        try:
            body = self.check(self.json_body(), CHAT_FIELDS, "model", "messages")
            for i, m in enumerate(body["messages"]):
                if not isinstance(m, dict) or m.get("role") not in ROLES:
                    raise Refuse(400, f"invalid request: messages[{i}].role must be one of {list(ROLES)}")
                refuse_unknown(m, {"role", "content", "tool_calls", "tool_call_id", "tool_plan", "citations"})
                if not isinstance(m.get("content"), (str, list)):
                    raise Refuse(400, f"invalid request: messages[{i}].content must be a string or a list")
        except Refuse as exc:
            self.refuse(exc)
            return
        last = next((m for m in reversed(body["messages"]) if m["role"] == "user"), {"content": ""})
        text = f"Echo: {last['content']}"
        usage = {
            "billed_units": {"input_tokens": 7, "output_tokens": len(text)},
            "tokens": {"input_tokens": 70, "output_tokens": len(text)},
        }
        if not body.get("stream"):
            self.finish(
                {
                    "id": "c0ffee-chat",
                    "finish_reason": "COMPLETE",
                    "message": {"role": "assistant", "content": [{"type": "text", "text": text}]},
                    "usage": usage,
                }
            )
            return
        events = [
            sse({"type": "message-start", "id": "c0ffee-chat",
                 "delta": {"message": {"role": "assistant", "content": [], "tool_plan": "", "tool_calls": [],
                                       "citations": []}}}, "message-start"),
            sse({"type": "content-start", "index": 0,
                 "delta": {"message": {"content": {"type": "text", "text": ""}}}}, "content-start"),
        ]  # fmt: skip
        events += [
            sse({"type": "content-delta", "index": 0, "delta": {"message": {"content": {"text": piece}}}},
                "content-delta")
            for piece in pieces_of(text)
        ]  # fmt: skip
        events += [
            sse({"type": "content-end", "index": 0}, "content-end"),
            sse({"type": "message-end", "delta": {"finish_reason": "COMPLETE", "usage": usage}}, "message-end"),
        ]
        await self.stream(events)


class GenerateHandler(_CohereHandler):
    async def post(self) -> None:
        try:
            body = self.check(self.json_body(), GENERATE_FIELDS, "prompt")
            if body.get("return_likelihoods", "NONE") not in ("NONE", "GENERATION", "ALL"):
                raise Refuse(400, "invalid request: return_likelihoods must be one of NONE, GENERATION, ALL")
        except Refuse as exc:
            self.refuse(exc)
            return
        text = f"Echo: {body['prompt']}"
        response = {
            "id": "c0ffee-generate",
            "generations": [{"id": "g-1", "text": text, "finish_reason": "COMPLETE"}],
            "prompt": body["prompt"],
            "meta": {"api_version": {"version": "1"}, "billed_units": {"input_tokens": 5, "output_tokens": len(text)}},
        }
        if not body.get("stream"):
            self.finish(response)
            return
        lines = [
            (json.dumps({"is_finished": False, "text": p}, ensure_ascii=False) + "\n").encode() for p in pieces_of(text)
        ]
        end = {"is_finished": True, "finish_reason": "COMPLETE", "response": response}
        lines.append((json.dumps(end, ensure_ascii=False) + "\n").encode())
        await self.stream(lines, "application/stream+json")


class EmbedHandler(_CohereHandler):
    def post(self) -> None:
        try:
            body = self.check(self.json_body(), EMBED_FIELDS, "model", "input_type", "embedding_types")
            require(body, "texts")
        except Refuse as exc:
            self.refuse(exc)
            return
        texts = body["texts"]
        self.finish(
            {
                "id": "c0ffee-embed",
                "embeddings": {"float": [vector(t) for t in texts]},
                "texts": texts,
                "meta": {"api_version": {"version": "2"}, "billed_units": {"input_tokens": sum(map(len, texts))}},
                "response_type": "embeddings_by_type",
            }
        )


class ModelsHandler(_CohereHandler):
    def get(self) -> None:
        if self.stub.key is not None and self.request.headers.get("Authorization") != f"Bearer {self.stub.key}":
            self.refuse(Refuse(401, "invalid api token"))
            return
        models = [
            {"name": m, "endpoints": ["chat", "generate"], "finetuned": False, "context_length": 128000,
             "default_endpoints": []}
            for m in self.stub.models
        ]  # fmt: skip
        self.finish({"models": models, "next_page_token": ""})


class CohereStub(ProviderStub):
    def routes(self) -> list[Any]:
        return [
            (r"/v2/chat", ChatHandler),
            (r"/v1/generate", GenerateHandler),
            (r"/v2/embed", EmbedHandler),
            (r"/v1/models", ModelsHandler),
        ]
