"""Deployments: lifecycle routes, the playground's chat stream, embeddings, and the
OpenAI-compatible pass-through that lets any OpenAI client reach a deployment through
Jupyter's own auth."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any, ClassVar

from tornado import web
from tornado.concurrent import future_add_done_callback
from tornado.iostream import StreamClosedError

from ..api.deployments import (
    ChatDoneEvent,
    ChatErrorEvent,
    ChatRequest,
    CreateDeploymentRequest,
    EmbedRequest,
    SetAdaptersRequest,
    UpdateDeploymentRequest,
)
from ..api.logs import LogsQuery
from ..api.sse import format_comment, format_event
from ..api.upstream import OPENAI_PATHS, UpstreamTarget
from ..errors import AquaError, InvalidInput, Upstream, UpstreamTimeout
from ..services import adapters, genai_chat
from ..services.chat import Turn
from ..services.chat_images import check_messages
from ..services.chat_stream import ChatDelta
from ..services.embeddings import EngineUnreachable, embed, usage_of
from ..services.engine_wire import EngineAnswer, open_answer
from ..services.pass_through import check_token_budget
from ..services.traffic import UNMEASURED, RequestMeter
from .base import AquaHandler
from .resources import action_handler, collection_handler, editable_item_handler, query_handler, terraform_handler

PING_INTERVAL_S = 15.0  # keeps proxies from closing a stream while the engine thinks


DeploymentsHandler = collection_handler("deployments", CreateDeploymentRequest)


# PATCH: its settings (the idle stop), without redeploying it.
DeploymentHandler = editable_item_handler("deployments", UpdateDeploymentRequest)


class DeploymentAdaptersHandler(AquaHandler):
    """PUT: the adapters it serves from now on."""

    @web.authenticated
    async def put(self, deployment_id: str) -> None:
        request = self.parse_body(SetAdaptersRequest)
        response = await self.services.deployments.set_adapters(deployment_id, request)
        self.reply(response, status=202 if response.operation else 200)


# 202: the engine comes up in the background, as on create.
DeploymentActivateHandler = action_handler("deployments", "activate", status=202)
DeploymentDeactivateHandler = action_handler("deployments", "deactivate")
DeploymentLogsHandler = query_handler("deployments", "logs", LogsQuery)


# The create form's Terraform: the create's body and checks, nothing created.
DeploymentTerraformHandler = terraform_handler("deployments", CreateDeploymentRequest)


class DeploymentMetricsHandler(AquaHandler):
    @web.authenticated
    async def get(self, deployment_id: str) -> None:
        self.reply(await self.services.deployments.metrics.read(deployment_id, self.aqua.http))


class _StreamingHandler(AquaHandler):
    """Streams an answer to the browser and cancels the engine request the moment the
    browser goes away (Stop, a closed tab): the relay runs as its own task, which
    `on_connection_close` cancels; the upstream response is closed by its `finally`."""

    _relay: asyncio.Task[None] | None = None
    _flushing: asyncio.Future[None] | None = None
    _unflushed = False
    _gone = False
    _meter: RequestMeter | None = None

    def _measure(self, deployment_id: str) -> RequestMeter:
        """Count this request as the deployment's traffic (idle stop, the metrics panel), from now
        (its checks passed) until the response ends, however it ends."""
        self._meter = self.services.deployments.traffic.begin(deployment_id)
        return self._meter

    def on_finish(self) -> None:
        if self._meter is not None:
            self._meter.end()

    def _start_stream(self) -> None:
        # Tokens are small writes: without TCP_NODELAY the second one waits for the
        # client's delayed ACK (tens of ms added to every answer's first tokens).
        stream = getattr(self.request.connection, "stream", None)
        if stream is not None:
            stream.set_nodelay(True)

    def _stream_headers(self, content_type: str | None = "text/event-stream; charset=utf-8") -> None:
        """A streamed answer's headers: nothing caches it, and nginx in front of Jupyter must not buffer
        tokens. `content_type` None: already set (the engine's own)."""
        if content_type is not None:
            self.set_header("Content-Type", content_type)
        self.set_header("Cache-Control", "no-cache, no-transform")
        self.set_header("X-Accel-Buffering", "no")

    def _emit(self, data: bytes) -> None:
        """Send `data` without waiting for the socket: while a flush is on its way, later
        pieces join the next one, so a fast engine and a slow client cost fewer writes."""
        if self._gone:
            raise StreamClosedError()
        self.write(data)
        if self._flushing is None:
            self._flush_now()
        else:
            self._unflushed = True

    def _flush_now(self) -> None:
        self._unflushed = False
        self._flushing = self.flush()
        # Tornado's helper, not the future's own method: a flush the socket took at once (the usual
        # case) is settled here and now, not by a callback scheduled on the loop for every token.
        future_add_done_callback(self._flushing, self._flushed)

    def _flushed(self, future: asyncio.Future[None]) -> None:
        self._flushing = None
        if future.cancelled() or future.exception() is not None:
            self._gone = True  # on_connection_close cancels the relay
        elif self._unflushed:
            self._flush_now()

    def on_connection_close(self) -> None:
        if self._relay is not None and not self._relay.done():
            self._relay.cancel()
        if self._meter is not None:
            self._meter.end()
        super().on_connection_close()

    async def _run_relay(self, relay: Any) -> bool:
        """Run `relay` as a cancellable task; False when the browser went away."""
        self._relay = asyncio.get_running_loop().create_task(relay)
        try:
            await self._relay
        except (asyncio.CancelledError, StreamClosedError):
            self.log.debug(
                "%s %s: the client went away; upstream request closed", self.request.method, self.request.path
            )
            return False
        return True

    async def _reply_translated(self, answer: Any) -> None:
        """An answer a dialect translated to OpenAI's shape: the whole JSON, or its chunks as SSE."""
        if isinstance(answer, dict):
            self.set_header("Content-Type", "application/json")
            self.finish(answer)
            return
        self._stream_headers()
        self._start_stream()
        try:
            async for chunk in answer:
                self._emit(format_event(chunk))
        except AquaError as exc:  # mid-stream: the headers are gone, OpenAI clients read an error chunk
            kind = exc.error_kind if isinstance(exc, Upstream) else None
            self._emit(format_event({"error": {"message": exc.message, "code": kind}}))
        finally:
            await answer.aclose()
        self._emit(b"data: [DONE]\n\n")
        self.finish()


class DeploymentChatHandler(_StreamingHandler):
    @web.authenticated
    async def post(self, deployment_id: str) -> None:
        request = self.parse_body(ChatRequest)
        turn = await self.services.deployments.chat(deployment_id, request)  # 404 / 409 / 400 as JSON, before any event
        self._measure(deployment_id)
        await self._stream_turn(turn)

    async def _stream_turn(self, turn: Turn) -> None:
        """One playground turn's events (Stop, stats), within the stream limit."""
        async with self.aqua.stream_limiter.slot():  # 503 as JSON when too many run
            self.set_status(200)
            self._stream_headers()
            if await self._run_relay(self._chat(turn)):
                self.finish()

    async def _send(self, event: str, data: Any) -> None:
        self._emit(format_event(data.model_dump(mode="json"), event=event))

    async def _ping(self) -> None:
        while True:
            await asyncio.sleep(PING_INTERVAL_S)
            self._emit(format_comment("ping"))

    async def _chat(self, turn: Turn) -> None:
        self._start_stream()
        await self.flush()  # headers now: the browser knows the stream started
        pinger = asyncio.get_running_loop().create_task(self._ping())
        meter = self._meter or UNMEASURED  # a connection's chat is no deployment's traffic
        try:
            stream = turn.stream(self.aqua.http, timeout=self.aqua.chat_idle_timeout, coalesce=True)
            async with contextlib.aclosing(stream):
                async for item in stream:
                    if isinstance(item, ChatDelta):
                        meter.tokens()  # a coalesced delta may hold several: the done event's count corrects it
                        # The hot path (once per token): ChatDeltaEvent's fields, without a model.
                        fields: dict[str, object] = {
                            "content": item.content,
                            "role": item.role,
                            "finish_reason": item.finish_reason,
                        }
                        if item.tool_calls:
                            fields["tool_calls"] = list(item.tool_calls)
                        self._emit(format_event(fields, event="delta"))
                        continue
                    usage = usage_of(item.usage)
                    meter.end(item.tokens)
                    await self._send(
                        "done",
                        ChatDoneEvent(
                            usage=usage,
                            ttft_ms=None if item.ttft_s is None else round(item.ttft_s * 1000, 1),
                            total_ms=round(item.total_s * 1000, 1),
                            tokens=item.tokens,
                            tokens_per_s=None if item.tokens_per_s is None else round(item.tokens_per_s, 2),
                            finish_reason=item.finish_reason,
                        ),
                    )
        except AquaError as exc:
            state = turn.deployment_state  # the engine died (FAILED), as its target saw
            if state is not None:
                message = f"{exc.message} The deployment is now {state.value}; its detail shows why."
            else:
                message = exc.message
            await self._send("error", ChatErrorEvent(status=exc.status, message=message, deployment_state=state))
        finally:
            pinger.cancel()


class DeploymentEmbedHandler(AquaHandler):
    @web.authenticated
    async def post(self, deployment_id: str) -> None:
        request = self.parse_body(EmbedRequest)
        deployments = self.services.deployments
        target = await deployments.upstream(deployment_id)
        if target.mode != "embedding":
            raise InvalidInput.field("inputs", f"this deployment serves {target.mode}, not embeddings")
        try:
            self.reply(await embed(self.aqua.http, target, request.inputs))
        except EngineUnreachable as exc:
            await deployments.upstream_failed(deployment_id, exc.message)
            raise


class OpenAiModelsHandler(AquaHandler):
    """`GET …/v1/models`: the model a deployment serves, under its served name, and its adapters."""

    @web.authenticated
    async def get(self, deployment_id: str) -> None:
        target = await self.services.deployments.upstream(deployment_id)
        self.finish({"object": "list", "data": adapters.models_listing(target)})


# OpenAI's error `type` for the statuses the pass-through answers itself.
_OPENAI_ERROR_TYPES = {400: "invalid_request_error", 403: "permission_error", 404: "not_found_error"}


class _OpenAiPassThrough(_StreamingHandler):
    """`aqua-ext/deployments/<id>/v1/<path>`: the request goes to the engine as it is, with
    `model` rewritten to what the engine serves; the answer comes back as it is (streamed
    when the request asked for a stream). Only known, ACTIVE deployments are reachable."""

    openai_path: ClassVar[str]

    @web.authenticated
    async def post(self, deployment_id: str) -> None:
        openai_path = self.openai_path
        try:
            body = json.loads(self.request.body or b"null")
        except json.JSONDecodeError as exc:
            raise InvalidInput.field("body", f"not valid JSON (line {exc.lineno}, column {exc.colno})") from None
        if not isinstance(body, dict):
            raise InvalidInput.field("body", "expected a JSON object")
        deployments = self.services.deployments
        target = await deployments.upstream(deployment_id)
        if openai_path not in OPENAI_PATHS.get(target.mode, ()):
            raise InvalidInput.field(
                "path",
                f"this deployment serves {target.mode}; {openai_path} is not one of "
                + ", ".join(OPENAI_PATHS.get(target.mode, ())),
            )
        check_token_budget(openai_path, body, target)
        # Images: refused for a deployment that takes none, checked (type, base64, size) off the loop.
        # Only a message with content parts can hold one: plain text skips the thread hop (~1 ms under load).
        messages = body.get("messages")
        if isinstance(messages, list) and any(
            isinstance(m, dict) and isinstance(m.get("content"), list) for m in messages
        ):
            await asyncio.to_thread(check_messages, messages, target)
        genai = genai_chat.speaks_genai(target)
        if not genai:
            adapters.route_openai(target, body)  # `model`: the base or one of its adapters
        self._measure(deployment_id)
        if genai:  # a Generative AI endpoint: its dialect translates OpenAI's shapes
            async with self.aqua.stream_limiter.slot():
                await self._run_relay(self._genai(target, openai_path, body))
            return
        stream = bool(body.get("stream"))
        async with self.aqua.stream_limiter.slot():
            if stream:
                await self._run_relay(self._stream(deployment_id, target, openai_path, body))
            else:
                await self._run_relay(self._exchange(deployment_id, target, openai_path, body))

    async def _stream(self, deployment_id: str, target: UpstreamTarget, openai_path: str, body: dict[str, Any]) -> None:
        """A streamed answer: each read relayed as it is, its `data:` lines counted."""
        quiet = f"The engine went quiet for more than {self.aqua.chat_idle_timeout:g} s."
        answer = await self._open(deployment_id, target, openai_path, body, self.aqua.chat_idle_timeout, quiet)
        try:
            self.set_status(answer.status)
            self.set_header("Content-Type", answer.content_type)
            if not answer.ok:
                self.finish(await answer.read())
                return
            self._stream_headers(None)
            self._start_stream()
            meter = self._meter
            emit = self._emit
            last = previous = b""
            try:
                async for chunk in answer.chunks():
                    emit(chunk)
                    if meter is not None:
                        # One SSE event per token from the OpenAI-compatible engines: counted without
                        # parsing (the usage event and [DONE] are counted too, a token or two too many).
                        meter.tokens(chunk.count(b"data:"))
                    previous, last = last, chunk
            except AquaError as exc:  # mid-stream: the headers are gone, OpenAI clients read an error chunk
                kind = exc.error_kind if isinstance(exc, Upstream) else None
                emit(format_event({"error": {"message": exc.message, "code": kind}}))
            if b"[DONE]" not in (previous[-64:] + last)[-64:]:
                # transformers serve ends at EOF; OpenAI clients expect the sentinel.
                self.write(b"data: [DONE]\n\n")
        finally:
            await answer.aclose()
        self.finish()

    async def _exchange(
        self, deployment_id: str, target: UpstreamTarget, openai_path: str, body: dict[str, Any]
    ) -> None:
        """A non-streamed request and its whole answer, within `pass_through_timeout`. Sent and read
        in the cancellable relay: a client that leaves mid-answer closes the engine request at once
        instead of leaving it generating. The engine says nothing until it is done, so no read
        timeout: `pass_through_timeout` bounds the whole exchange."""
        limit = self.aqua.pass_through_timeout
        try:
            async with asyncio.timeout(limit):
                answer = await self._open(
                    deployment_id, target, openai_path, body, None, "The engine did not answer in time."
                )
                try:
                    content = await answer.read()
                except Upstream as exc:
                    raise Upstream(f"The engine's answer broke off: {exc.message}") from None
                finally:
                    await answer.aclose()
        except TimeoutError:
            # A slow answer is no fault of the deployment's: it is not marked failed.
            raise UpstreamTimeout(
                f"The engine did not answer within {limit:g} s (AquaExtension.pass_through_timeout); "
                "ask for fewer tokens, or stream the answer"
            ) from None
        if self._meter is not None and answer.ok:
            self._meter.tokens(0)  # the whole answer came at once: its first token came with it
            self._meter.end(_completion_tokens(content))
        self.set_status(answer.status)
        self.set_header("Content-Type", answer.content_type)
        self.finish(content)

    async def _open(
        self,
        deployment_id: str,
        target: UpstreamTarget,
        openai_path: str,
        body: dict[str, Any],
        read_timeout: float | None,
        timeout_message: str,
    ) -> EngineAnswer:
        """The engine's answer, open (the caller closes it): local engines through the aiohttp pool,
        signed (OCI) requests through httpx. An engine that cannot be reached is reported as failed
        (it may have died)."""
        url, headers = target.request(openai_path, stream=bool(body.get("stream")))
        try:
            return await open_answer(
                self.aqua.http,
                self.aqua.wire,
                url,
                body,
                headers,
                auth=target.auth,
                read_timeout=read_timeout,
                timeout_message=timeout_message,
            )
        except UpstreamTimeout:
            raise
        except Upstream as error:
            await self.services.deployments.upstream_failed(deployment_id, error.message)
            raise

    async def _genai(self, target: UpstreamTarget, openai_path: str, body: dict[str, Any]) -> None:
        await self._reply_translated(await genai_chat.openai(self.aqua.http, target, openai_path, body))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """The usual error body plus OpenAI's `error` object, which OpenAI clients read."""
        body = self.error_body(status_code, **kwargs)
        field = body.fields[0].field if body.fields else None
        openai = {"message": body.message, "type": _OPENAI_ERROR_TYPES.get(status_code, "api_error"), "param": field}
        self.set_header("Content-Type", "application/json")
        self.finish({**body.model_dump(mode="json", exclude_none=True), "error": {**openai, "code": status_code}})


def _completion_tokens(content: bytes) -> int | None:
    """usage.completion_tokens of a whole (non-streamed) OpenAI answer, when it has one."""
    try:
        usage = json.loads(content).get("usage") or {}
    except (ValueError, AttributeError):
        return None
    tokens = usage.get("completion_tokens") if isinstance(usage, dict) else None
    return tokens if isinstance(tokens, int) else None


class OpenAiChatCompletionsHandler(_OpenAiPassThrough):
    openai_path = "/v1/chat/completions"


class OpenAiCompletionsHandler(_OpenAiPassThrough):
    openai_path = "/v1/completions"


class OpenAiEmbeddingsHandler(_OpenAiPassThrough):
    openai_path = "/v1/embeddings"
