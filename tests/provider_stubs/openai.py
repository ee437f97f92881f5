"""OpenAI's API (and Azure OpenAI's, on its own paths) as documented: chat completions with SSE
streaming ending in `data: [DONE]` (usage in a last chunk with no choices when `stream_options.
include_usage`), models, embeddings; errors {"error": {"message", "type", "param", "code"}}, seed 002's
`context_length_exceeded` among them (a prompt longer than CONTEXT_TOKENS "tokens", one per character).

It answers "Echo: <the last user message>" so a test sees its text (Korean, Japanese) come back."""

from __future__ import annotations

import time
from typing import Any

from .server import ProviderStub, Refuse, StubHandler, pieces_of, refuse_unknown, require, sse

CONTEXT_TOKENS = 8192
CHAT_FIELDS = frozenset(
    {
        "model", "messages", "max_tokens", "max_completion_tokens", "temperature", "top_p", "stop", "seed",
        "stream", "stream_options", "frequency_penalty", "presence_penalty", "n", "user", "logprobs",
        "top_logprobs", "response_format", "tools", "tool_choice", "logit_bias", "parallel_tool_calls",
    }
)  # fmt: skip
EMBEDDING_FIELDS = frozenset({"model", "input", "encoding_format", "dimensions", "user"})
ROLES = ("system", "developer", "user", "assistant", "tool")
AZURE_VERSIONS = ("2024-02-01", "2024-06-01", "2024-10-21", "2025-01-01-preview")


def echo(messages: list[dict[str, Any]]) -> str:
    last = next((m for m in reversed(messages) if m.get("role") == "user"), {"content": ""})
    content = last.get("content")
    if isinstance(content, list):
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return f"Echo: {content}"


def vector(text: str) -> list[float]:
    return [float(len(text)), float(len(text.encode())), 0.5]


class _OpenAiHandler(StubHandler):
    azure = False

    def error_payload(self, status: int, message: str, code: str | None) -> dict[str, Any]:
        if self.azure:
            return {"error": {"code": code or str(status), "message": message}}
        kind = {401: "invalid_request_error", 429: "requests", 500: "server_error"}.get(status, "invalid_request_error")
        param = "messages" if code == "context_length_exceeded" else None  # as in seed 002's sample
        return {"error": {"message": message, "type": kind, "param": param, "code": code}}

    def check_auth(self) -> None:
        if self.stub.key is None:
            return
        if self.azure:
            if self.request.headers.get("api-key") != self.stub.key:
                raise Refuse(
                    401,
                    "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a "
                    "valid key for an active subscription and use a correct regional API endpoint for your resource.",
                    "401",
                )
            return
        sent = self.request.headers.get("Authorization", "")
        if sent != f"Bearer {self.stub.key}":
            # Deliberately leaky (OpenAI masks the key): the driver must keep it out of what it returns.
            raise Refuse(401, f"Incorrect API key provided: {sent.removeprefix('Bearer ')}.", "invalid_api_key")

    def check_model(self, model: Any) -> None:
        if self.stub.models and model not in self.stub.models:
            if self.azure:
                raise Refuse(
                    404,
                    "The API deployment for this resource does not exist. If you created the deployment within "
                    "the last 5 minutes, please wait a moment and try again.",
                    "DeploymentNotFound",
                )
            raise Refuse(404, f"The model `{model}` does not exist or you do not have access to it.", "model_not_found")


class ChatHandler(_OpenAiHandler):
    async def post(self, deployment: str | None = None) -> None:
        try:
            self.check_auth()
            body = self.json_body()
            if not isinstance(body, dict):
                raise Refuse(400, "We could not parse the JSON body of your request.", None)
            refuse_unknown(body, CHAT_FIELDS)
            require(body, "messages") if self.azure else require(body, "model", "messages")
            model = deployment if self.azure else body["model"]
            self.check_model(model)
            messages = body["messages"]
            if not isinstance(messages, list) or not messages:
                raise Refuse(400, "[] is too short - 'messages'", None)
            for i, m in enumerate(messages):
                if not isinstance(m, dict) or m.get("role") not in ROLES or "content" not in m:
                    raise Refuse(400, f"Invalid value for 'messages[{i}]'.", "invalid_value")
                refuse_unknown(m, {"role", "content", "name", "tool_calls", "tool_call_id"}, f"messages[{i}].")
            if "stream_options" in body and not body.get("stream"):
                raise Refuse(400, "The 'stream_options' parameter is only allowed when 'stream' is enabled.", None)
            prompt_tokens = sum(len(str(m["content"])) for m in messages)
            asked = body.get("max_tokens") or 0
            if prompt_tokens + asked > CONTEXT_TOKENS:
                raise Refuse(
                    400,
                    f"This model's maximum context length is {CONTEXT_TOKENS} tokens. However, you requested "
                    f"{prompt_tokens + asked} tokens ({prompt_tokens} in the messages, {asked} in the completion). "
                    "Please reduce the length of the messages or completion.",
                    "context_length_exceeded",
                )
        except Refuse as exc:
            self.refuse(exc)
            return
        text = echo(messages)
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": len(text),
            "total_tokens": prompt_tokens + len(text),
        }
        created = int(time.time())
        answer_model = str(model)
        if not body.get("stream"):
            self.finish(
                {
                    "id": "chatcmpl-stub",
                    "object": "chat.completion",
                    "created": created,
                    "model": answer_model,
                    "choices": [
                        {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
                    ],
                    "usage": usage,
                }
            )
            return

        def chunk(delta: dict[str, Any], finish: str | None) -> bytes:
            choice = {"index": 0, "delta": delta, "finish_reason": finish}
            return sse(
                {"id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": created,
                 "model": answer_model, "choices": [choice]}
            )  # fmt: skip

        events = [chunk({"role": "assistant", "content": ""}, None)]
        events += [chunk({"content": piece}, None) for piece in pieces_of(text)]
        if self.stub.error_after is not None:  # a failure mid-answer, reported as OpenAI and vLLM do
            failed = {"error": {"message": "The server had an error while processing your request.",
                                "type": "server_error", "param": None, "code": None}}  # fmt: skip
            events = [*events[: self.stub.error_after + 1], sse(failed), b"data: [DONE]\n\n"]
            await self.stream(events)
            return
        events.append(chunk({}, "stop"))
        if (body.get("stream_options") or {}).get("include_usage"):
            events.append(
                sse({"id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": created,
                     "model": answer_model, "choices": [], "usage": usage})
            )  # fmt: skip
        events.append(b"data: [DONE]\n\n")
        await self.stream(events)


class EmbeddingsHandler(_OpenAiHandler):
    def post(self, deployment: str | None = None) -> None:
        try:
            self.check_auth()
            body = self.json_body()
            if not isinstance(body, dict):
                raise Refuse(400, "We could not parse the JSON body of your request.", None)
            refuse_unknown(body, EMBEDDING_FIELDS)
            require(body, "input") if self.azure else require(body, "model", "input")
            self.check_model(deployment if self.azure else body["model"])
            inputs = [body["input"]] if isinstance(body["input"], str) else body["input"]
        except Refuse as exc:
            self.refuse(exc)
            return
        tokens = sum(len(t) for t in inputs)
        self.finish(
            {
                "object": "list",
                "data": [{"object": "embedding", "index": i, "embedding": vector(t)} for i, t in enumerate(inputs)],
                "model": deployment or body["model"],
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            }
        )


class ModelsHandler(_OpenAiHandler):
    def get(self) -> None:
        try:
            self.check_auth()
        except Refuse as exc:
            self.refuse(exc)
            return
        data = [{"id": m, "object": "model", "created": 1686935002, "owned_by": "stub"} for m in self.stub.models]
        self.finish({"object": "list", "data": data})


class _AzureMixin:
    azure = True

    def prepare_azure(self: Any) -> None:
        version = self.get_query_argument("api-version", None)
        if version is None:
            raise Refuse(404, "Resource not found", "404")
        if version not in AZURE_VERSIONS:
            raise Refuse(400, "API version not supported", "BadRequest")


class AzureChatHandler(_AzureMixin, ChatHandler):
    async def post(self, deployment: str | None = None) -> None:
        try:
            self.prepare_azure()
        except Refuse as exc:
            self.refuse(exc)
            return
        await super().post(deployment)


class AzureEmbeddingsHandler(_AzureMixin, EmbeddingsHandler):
    def post(self, deployment: str | None = None) -> None:
        try:
            self.prepare_azure()
        except Refuse as exc:
            self.refuse(exc)
            return
        super().post(deployment)


class OpenAiStub(ProviderStub):
    """OpenAI at `{url}/v1`. `error_after = n`: streams fail after n content chunks."""

    def routes(self) -> list[Any]:
        return [
            (r"/v1/chat/completions", ChatHandler),
            (r"/v1/embeddings", EmbeddingsHandler),
            (r"/v1/models", ModelsHandler),
        ]


class AzureOpenAiStub(ProviderStub):
    """Azure OpenAI at `{url}` (the resource's endpoint); `models` are the deployments."""

    def routes(self) -> list[Any]:
        return [
            (r"/openai/deployments/([^/]+)/chat/completions", AzureChatHandler),
            (r"/openai/deployments/([^/]+)/embeddings", AzureEmbeddingsHandler),
        ]
