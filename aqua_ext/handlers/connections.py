"""Connections: hosted LLM services. CRUD, the test request, the models a service lists, YAML
import/export, the playground's chat stream and the OpenAI pass-through (the key stays here; a
notebook reaches every service with the Jupyter token)."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from tornado import web

from ..api.connections import (
    ConnectionChatRequest,
    CreateConnectionRequest,
    ExportConnectionsQuery,
    ImportConnectionsRequest,
    TestConnectionRequest,
    UpdateConnectionRequest,
)
from ..errors import AquaError, InvalidInput, Upstream
from .base import AquaHandler
from .deployments import DeploymentChatHandler, _StreamingHandler
from .resources import action_handler, collection_handler, editable_item_handler, post_handler

# 201: a connection is saved at once, nothing comes up in the background.
ConnectionsHandler = collection_handler("connections", CreateConnectionRequest, status=201)


ConnectionHandler = editable_item_handler("connections", UpdateConnectionRequest)


ConnectionTestHandler = action_handler("connections", "test", body=TestConnectionRequest)


class ConnectionModelsHandler(AquaHandler):
    @web.authenticated
    async def get(self, connection_id: str) -> None:
        self.reply(await self.services.connections.models(connection_id))


ConnectionsImportHandler = post_handler("connections", "import_yaml", ImportConnectionsRequest, status=201)


class ConnectionsExportHandler(AquaHandler):
    @web.authenticated
    async def get(self) -> None:
        query = self.parse_query(ExportConnectionsQuery)
        self.reply(await self.services.connections.export_yaml(query))


class ConnectionChatHandler(DeploymentChatHandler):
    """The playground's stream, as a deployment's (the same events, Stop, stats)."""

    @web.authenticated
    async def post(self, connection_id: str) -> None:
        request = self.parse_body(ConnectionChatRequest)
        await self._stream_turn(await self.services.connections.chat(connection_id, request))


class _ConnectionPassThrough(_StreamingHandler):
    """`aqua-ext/connections/<id>/v1/<path>`: an OpenAI request, translated to the service's dialect
    and back. A service's error comes back in OpenAI's error shape with the service's status, so
    an OpenAI client raises what it would have raised talking to the service."""

    openai_path: ClassVar[str]

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, AquaError):
            status = (exc.upstream_status if isinstance(exc, Upstream) else None) or exc.status
            self.set_status(status)
            self.set_header("Content-Type", "application/json")
            self.finish(
                {
                    "error": {
                        "message": exc.message,
                        "type": "invalid_request_error" if status < 500 else "api_error",
                        "code": exc.error_kind if isinstance(exc, Upstream) else None,
                        "param": exc.fields[0].field if exc.fields else None,
                    }
                }
            )
            return
        super().write_error(status_code, **kwargs)

    @web.authenticated
    async def post(self, connection_id: str) -> None:
        try:
            body = json.loads(self.request.body or b"null")
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InvalidInput.field("body", f"not valid JSON ({exc})") from None
        if not isinstance(body, dict):
            raise InvalidInput.field("body", "expected a JSON object")
        async with self.aqua.stream_limiter.slot():
            # The whole exchange runs in the cancellable relay, not just a stream: a client that
            # leaves while a non-streamed answer is being generated closes the service request too.
            await self._run_relay(self._answer(connection_id, body))

    async def _answer(self, connection_id: str, body: dict[str, Any]) -> None:
        await self._reply_translated(await self.services.connections.openai(connection_id, self.openai_path, body))


class ConnectionChatCompletionsHandler(_ConnectionPassThrough):
    openai_path = "/v1/chat/completions"


class ConnectionEmbeddingsHandler(_ConnectionPassThrough):
    openai_path = "/v1/embeddings"


class ConnectionOpenAiModelsHandler(AquaHandler):
    """`GET …/v1/models`: the models the connection offers, in OpenAI's list shape."""

    @web.authenticated
    async def get(self, connection_id: str) -> None:
        listed = await self.services.connections.models(connection_id)
        self.finish(
            {
                "object": "list",
                "data": [{"id": m, "object": "model", "owned_by": "connection", "created": 0} for m in listed.models],
            }
        )
