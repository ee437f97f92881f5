"""Connections: hosted LLM services beside our deployments. The owner of their rules: what a
connection may do now (`actions`), what a stored connection looks like in the contract (its secret
never), how a service's error reads for a person (`explain`), and the test request.

Validation of the fields is connection_rules'; YAML is connection_yaml's; the driver
(backends/connections) speaks each provider's dialect and reports what the service said."""

from __future__ import annotations

import asyncio
import builtins
import json
import secrets as random
import time
from collections.abc import AsyncGenerator
from datetime import datetime, timezone
from typing import Any

import httpx

from ..api.connections import (
    CONNECTION_ID_PREFIX,
    ConnectionAction,
    ConnectionChatRequest,
    ConnectionDetail,
    ConnectionFields,
    ConnectionList,
    ConnectionModels,
    ConnectionSummary,
    ConnectionTestSummary,
    CreateConnectionRequest,
    ErrorKind,
    ExportConnectionsQuery,
    ExportConnectionsResponse,
    ImportConnectionsRequest,
    ImportConnectionsResponse,
    TestConnectionRequest,
    TestConnectionResult,
    UpdateConnectionRequest,
)
from ..api.deployments import DeploymentState
from ..backends.connections.client import ConnectionClient
from ..backends.connections.protocol import OpenAiBody, ProviderError, StoredConnection
from ..backends.connections.secrets import SecretStore
from ..backends.connections.store import ConnectionRow, ConnectionStore
from ..errors import InvalidInput, NotFound, Upstream, UpstreamTimeout
from . import connection_rules, connection_yaml
from .chat_payload import tool_fields
from .chat_stream import AnswerTally, ChatDelta, ChatDone

_RESPONSE_LIMIT = 64 * 1024
_FIELDS = set(ConnectionFields.model_fields)


def _new_id() -> str:
    return CONNECTION_ID_PREFIX + random.token_hex(8)


def actions(fields: ConnectionFields) -> list[ConnectionAction]:
    """What may be done with a connection now. Chat and evaluation need a service that answers
    text (chat or completion); an embedding-only service is tested and used by its pass-through."""
    allowed: list[ConnectionAction] = ["edit", "delete", "test", "export"]
    if {"chat", "completion", "summarize"} & set(fields.capabilities):
        allowed[1:1] = ["chat", "evaluate"]
    return allowed


def explain(error: ProviderError) -> tuple[ErrorKind, str]:
    """What a service's error means for the person who sent the request: a kind and a sentence that
    keeps the provider's own words (seed 002's context_length_exceeded, a bad key, a quota…)."""
    status, code, said = error.status_code, (error.code or "").lower(), error.message
    text = said.lower()
    if status is None:
        if error.timed_out:
            return "upstream", f"The service did not answer in time: {said}"
        return "upstream", f"The service could not be reached: {said}"
    if "context_length" in code or any(
        words in text for words in ("maximum context length", "context window", "too many tokens", "prompt is too long")
    ):
        return "context_length_exceeded", f"The request is longer than the model's context: {said}"
    if status == 401 or code in ("invalid_api_key", "notauthenticated", "unauthorized"):
        return "bad_credentials", f"The service refused the credentials ({status}): check the key or token. {said}"
    if status == 429 or code in ("insufficient_quota", "rate_limit_exceeded", "toomanyrequests"):
        return "quota", f"The service's quota or rate limit was reached ({status}): {said}"
    if status == 404 or code in ("model_not_found", "deploymentnotfound", "notauthorizedornotfound"):
        return "model_not_found", f"The service does not know this model or path ({status}): {said}"
    if status == 403:
        return "forbidden", f"The service does not allow this request ({status}): {said}"
    if 400 <= status < 500:
        return "bad_request", f"The service refused the request ({status}): {said}"
    return "upstream", f"The service failed ({status}): {said}"


def _as_aqua_error(error: ProviderError) -> Upstream:
    """A service's error as ours: 502 (504 when it timed out) with the mapped sentence; the
    provider's status stays on the error for the pass-through."""
    kind, message = explain(error)
    raised = UpstreamTimeout(message) if error.timed_out else Upstream(message)
    raised.upstream_status = error.status_code
    raised.error_kind = kind
    return raised


def _error_of_body(body: str) -> tuple[str | None, str]:
    """The code and message a service put in an error body: OpenAI's {"error": {code, message}},
    OCI's {code, message}, Cohere's {message}; else the body's first line."""
    try:
        data = json.loads(body)
    except ValueError:
        return None, body.strip().splitlines()[0][:500] if body.strip() else "no message"
    if isinstance(data, dict):
        inner = data.get("error")
        if isinstance(inner, dict):
            return (str(inner["code"]) if inner.get("code") else None), str(inner.get("message") or inner)
        if isinstance(inner, str):
            return None, inner
        if data.get("message"):
            return (str(data["code"]) if data.get("code") else None), str(data["message"])
    return None, body[:500]


class Connections:
    def __init__(
        self,
        store: ConnectionStore,
        secrets: SecretStore,
        client: ConnectionClient,
        http: httpx.AsyncClient,
        oci_signing: dict[str, str] | None = None,
    ) -> None:
        self.store = store
        self.secrets = secrets
        self.client = client
        self._http = http  # the client's pool, closed with the service
        self.oci_signing = oci_signing or {}  # the server's OCI settings an evaluation job signs with

    async def close(self) -> None:
        await self.store.close()
        await self._http.aclose()

    # ---- reading ----------------------------------------------------------------

    async def _row(self, connection_id: str) -> ConnectionRow:
        row = await self.store.get(connection_id)
        if row is None:
            raise NotFound(f"Connection '{connection_id}' not found.")
        return row

    async def _summary_parts(self, row: ConnectionRow) -> dict[str, Any]:
        fields = ConnectionFields.model_validate(row.fields)
        stored = StoredConnection(row.id, fields)
        return {
            "id": row.id,
            "name": fields.name,
            "kind": fields.kind,
            "endpoint": fields.endpoint,
            "auth_type": fields.auth_type,
            "capabilities": fields.capabilities,
            "models": fields.models,
            "default_model": fields.default_model,
            "secret_set": await self.secrets.has(row.id),
            "streaming": self.client.streams(stored),
            "last_test": ConnectionTestSummary.model_validate(row.last_test) if row.last_test else None,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
            "actions": actions(fields),
        }

    async def _detail(self, row: ConnectionRow) -> ConnectionDetail:
        fields = ConnectionFields.model_validate(row.fields)
        rest = fields.model_dump(exclude={"name", "kind", "endpoint", "auth_type", "capabilities", "models"})
        rest.pop("default_model")
        return ConnectionDetail(**await self._summary_parts(row), **rest)

    async def list(self) -> ConnectionList:
        rows = await self.store.all()
        return ConnectionList(connections=[ConnectionSummary(**await self._summary_parts(r)) for r in rows])

    async def get(self, connection_id: str) -> ConnectionDetail:
        return await self._detail(await self._row(connection_id))

    async def stored(self, connection_id: str) -> StoredConnection:
        """The connection with its secret, for one call to the service (never returned to a client)."""
        row = await self._row(connection_id)
        fields = ConnectionFields.model_validate(row.fields)
        return StoredConnection(row.id, fields, await self.secrets.get(row.id))

    # ---- writing ----------------------------------------------------------------

    async def create(self, request: CreateConnectionRequest) -> ConnectionDetail:
        created = await self._create_all([request])
        return await self.get(created[0].id)

    async def _create_all(self, requests: builtins.list[CreateConnectionRequest]) -> builtins.list[ConnectionRow]:
        """Every request checked first, then all rows in one transaction and their secrets: an
        import with one bad entry creates nothing."""
        now = datetime.now(timezone.utc)
        rows = []
        for request in requests:
            secret = request.secret.get_secret_value() if request.secret else None
            fields = ConnectionFields.model_validate(request.model_dump(include=_FIELDS))
            connection_rules.check_fields(fields, secret_given=bool(secret))
            if secret:
                connection_rules.check_secret(fields, secret)
            rows.append((ConnectionRow(_new_id(), fields.name, fields.model_dump(mode="json"), None, now, now), secret))
        await self.store.insert([row for row, _ in rows])
        try:
            for row, secret in rows:
                if secret:
                    await self.secrets.set(row.id, secret)
        except BaseException:
            for row, _ in rows:  # no connection without the secret it was given
                await self.store.delete(row.id)
                await self.secrets.delete(row.id)
            raise
        return [row for row, _ in rows]

    async def update(self, connection_id: str, request: UpdateConnectionRequest) -> ConnectionDetail:
        """The stored fields with the update applied are checked whole. A secret: absent keeps it,
        "" removes it; an auth type that takes none (none, OCI signing) removes it too."""
        row = await self._row(connection_id)
        given = request.model_dump(exclude_unset=True, exclude={"secret"})
        try:
            fields = ConnectionFields.model_validate({**row.fields, **given})
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
        new_secret = request.secret.get_secret_value() if request.secret is not None else None
        takes_secret = connection_rules.takes_secret(fields.auth_type)
        if new_secret:
            keep = False
        else:
            keep = "secret" not in request.model_fields_set and takes_secret and await self.secrets.has(connection_id)
        connection_rules.check_fields(fields, secret_given=bool(new_secret) or keep)
        if new_secret:
            connection_rules.check_secret(fields, new_secret)
        await self.store.update(connection_id, fields.name, fields.model_dump(mode="json"))
        if new_secret:
            await self.secrets.set(connection_id, new_secret)
        elif not keep:
            await self.secrets.delete(connection_id)
        return await self.get(connection_id)

    async def delete(self, connection_id: str) -> None:
        await self._row(connection_id)
        await self.store.delete(connection_id)
        await self.secrets.delete(connection_id)

    # ---- talking to the service ---------------------------------------------------

    async def _reachable(self, conn: StoredConnection) -> None:
        """The link-local rule again at call time: a name may resolve elsewhere than at create."""
        await connection_rules.check_endpoint_now(conn.fields.endpoint, conn.fields.allow_link_local)

    async def test(self, connection_id: str, request: TestConnectionRequest) -> TestConnectionResult:
        """Seed 002's "Test request": the sample payload (or a one-line chat) sent as it is; the
        outcome is kept with the connection (`last_test`)."""
        conn = await self.stored(connection_id)
        if request.payload is not None:
            try:
                json.loads(request.payload)
            except ValueError as exc:
                raise InvalidInput.field("payload", f"not valid JSON ({exc})") from None
        expected = conn.fields.methods[0].status_code if conn.fields.methods else 200
        try:
            try:
                await self._reachable(conn)
            except Upstream as exc:  # the name does not resolve (now): the test's answer, not an error
                raise ProviderError(exc.message, timed_out=isinstance(exc, UpstreamTimeout)) from None
            if request.prompt is not None:
                started = time.perf_counter()
                body = {"model": request.model or "", "messages": [{"role": "user", "content": request.prompt}]}
                answer = await self.client.chat(conn, {**body, "max_tokens": 256})
                latency = (time.perf_counter() - started) * 1000
                text = _answer_text(answer)
                result = TestConnectionResult(
                    ok=True,
                    status_code=200,
                    latency_ms=round(latency, 1),
                    answer=text,
                    response=json.dumps(answer, ensure_ascii=False)[:_RESPONSE_LIMIT],
                    error_kind=None,
                    message=f"OK: 200 in {latency:.0f} ms",
                )
            else:
                raw = await self.client.send_raw(conn, request.payload, request.model)
                ok = raw.status_code == expected
                kind: ErrorKind | None = None
                if ok:
                    message = f"OK: {raw.status_code} in {raw.latency_ms:.0f} ms"
                else:
                    code, said = _error_of_body(raw.body)
                    kind, message = explain(ProviderError(said, status_code=raw.status_code, code=code))
                result = TestConnectionResult(
                    ok=ok,
                    status_code=raw.status_code,
                    latency_ms=round(raw.latency_ms, 1),
                    answer=raw.answer,
                    response=raw.body[:_RESPONSE_LIMIT],
                    error_kind=kind,
                    message=message,
                )
        except ProviderError as exc:
            kind, message = explain(exc)
            result = TestConnectionResult(
                ok=False,
                status_code=exc.status_code,
                latency_ms=None,
                answer=None,
                response=exc.body[:_RESPONSE_LIMIT],
                error_kind=kind,
                message=message,
            )
        summary = ConnectionTestSummary(
            ok=result.ok,
            status_code=result.status_code,
            latency_ms=result.latency_ms,
            message=result.message,
            tested_at=datetime.now(timezone.utc),
        )
        await self.store.set_last_test(connection_id, summary.model_dump(mode="json"))
        return result

    async def models(self, connection_id: str) -> ConnectionModels:
        """The models the service lists, or the typed list when it cannot list (or failed to)."""
        conn = await self.stored(connection_id)
        await self._reachable(conn)
        try:
            listed = await self.client.list_models(conn)
        except ProviderError as exc:
            return ConnectionModels(models=conn.fields.models, source="configured", message=explain(exc)[1])
        if listed is None:
            return ConnectionModels(
                models=conn.fields.models, source="configured", message="This service does not list its models."
            )
        return ConnectionModels(models=listed, source="service")

    def _model_of(self, conn: StoredConnection, asked: str | None, field: str = "model") -> str:
        """The model a turn goes to; one the connection does not offer is a 400 naming `field`,
        except on an OpenAI-compatible server, whose list may be longer than the one typed in."""
        model = conn.fields.model_for(asked) or ""
        if conn.fields.models and asked and asked not in conn.fields.models and conn.fields.kind != "openai":
            raise InvalidInput.field(field, f"'{asked}' is not one of this connection's models")
        return model

    async def evaluated(
        self, connection_id: str, model: str | None, *, field: str = "connection_model"
    ) -> tuple[StoredConnection, str]:
        """The connection an evaluation asks (or grades with), with its secret (for the evaluation job's
        environment only), and the model that answers (`field`; absent: as a playground turn picks it)."""
        conn = await self.stored(connection_id)
        chosen = self._model_of(conn, model, field)
        await self._reachable(conn)
        return conn, chosen

    async def chat(self, connection_id: str, request: ConnectionChatRequest) -> ConnectionTurn:
        """A playground turn: 404 / 400 before anything is sent."""
        conn = await self.stored(connection_id)
        if "chat" not in actions(conn.fields):
            raise InvalidInput.field("connection", "this connection serves no chat or completion")
        for name in ("response_format", "tools"):
            # Only the OpenAI wire carries them; the other dialects translate text turns only.
            if getattr(request, name) is not None and conn.fields.kind not in OPENAI_WIRE:
                raise InvalidInput.field(name, f"a {conn.fields.kind} connection does not take {name}")
        for i, message in enumerate(request.messages or ()):
            # Which provider model reads images is not known here; the pass-through takes them as they are.
            if not isinstance(message.content, str):
                raise InvalidInput.field(
                    f"messages[{i}].content",
                    "a connection's playground turn takes text; send images through its OpenAI API",
                )
        await self._reachable(conn)
        return ConnectionTurn(self.client, conn, openai_chat_body(request, self._model_of(conn, request.model)))

    async def openai(self, connection_id: str, path: str, body: OpenAiBody) -> OpenAiBody | AsyncGenerator[OpenAiBody]:
        """The pass-through (`connections/<id>/v1/<path>`): an OpenAI body in, OpenAI's answer out
        (chunks when it asked for a stream and the service streams). Errors: Upstream with the
        provider's status kept (`upstream_status`)."""
        conn = await self.stored(connection_id)
        await self._reachable(conn)
        body = {**body, "model": self._model_of(conn, body.get("model") or None)}
        try:
            if path == "/v1/embeddings":
                return await self.client.embeddings(conn, body)
            if path != "/v1/chat/completions":
                raise InvalidInput.field("path", f"{path} is not served for connections (chat/completions, embeddings)")
            if body.get("stream") and self.client.streams(conn):
                return self._chunks(conn, body)
            return await self.client.chat(conn, {**body, "stream": False})
        except ProviderError as exc:
            raise _as_aqua_error(exc) from None

    async def _chunks(self, conn: StoredConnection, body: OpenAiBody) -> AsyncGenerator[OpenAiBody]:
        try:
            async for chunk in self.client.chat_stream(conn, body):
                yield chunk
        except ProviderError as exc:
            raise _as_aqua_error(exc) from None

    # ---- YAML ---------------------------------------------------------------------

    async def import_yaml(self, request: ImportConnectionsRequest) -> ImportConnectionsResponse:
        # A large document takes a noticeable fraction of a second to read: off the event loop.
        parsed = await asyncio.to_thread(connection_yaml.parse_services, request.yaml)
        rows = await self._create_all(parsed)
        return ImportConnectionsResponse(
            created=[ConnectionSummary(**await self._summary_parts(r)) for r in await self._rows([r.id for r in rows])]
        )

    async def _rows(self, ids: builtins.list[str]) -> builtins.list[ConnectionRow]:
        return [await self._row(i) for i in ids]

    async def export_yaml(self, query: ExportConnectionsQuery) -> ExportConnectionsResponse:
        ids = query.id_list()
        rows = await self._rows(ids) if ids else await self.store.all()
        items = []
        for row in rows:
            fields = ConnectionFields.model_validate(row.fields)
            items.append((fields, await self.secrets.get(row.id) if query.include_secrets else None))
        # PyYAML's dumper is pure Python and payloads run to 200 KB each: off the event loop.
        text = await asyncio.to_thread(connection_yaml.dump_services, items)
        return ExportConnectionsResponse(yaml=text, file_name="llm-services.yaml")


# Connection kinds that speak OpenAI's chat API itself, structured output and tools included.
OPENAI_WIRE = ("openai", "azure_openai")


def openai_chat_body(request: ConnectionChatRequest, model: str) -> OpenAiBody:
    """A playground turn as an OpenAI chat request (a prompt is one user message)."""
    messages = (
        [m.model_dump(exclude_none=True) for m in request.messages]
        if request.messages is not None
        else [{"role": "user", "content": request.prompt or ""}]
    )
    body: OpenAiBody = {
        "model": model,
        "messages": messages,
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
        "top_p": request.top_p,
    }
    if request.stop:
        body["stop"] = request.stop
    if request.seed is not None:
        body["seed"] = request.seed
    if request.frequency_penalty:
        body["frequency_penalty"] = request.frequency_penalty
    if request.presence_penalty:
        body["presence_penalty"] = request.presence_penalty
    body.update(tool_fields(request))
    return body


def _answer_text(answer: OpenAiBody) -> str | None:
    for choice in answer.get("choices") or ():
        message = choice.get("message") or {}
        if isinstance(message.get("content"), str):
            return str(message["content"])
    return None


class ConnectionTurn:
    """A playground turn with a connection, shaped like a deployment's (`stream` gives ChatDelta…
    then ChatDone). A service that cannot stream answers whole: one delta with all of it, so the
    time to first token is the whole answer's (the UI says the service does not stream)."""

    deployment_state: DeploymentState | None = None  # a connection has no deployment that could have died

    def __init__(self, client: ConnectionClient, conn: StoredConnection, body: OpenAiBody) -> None:
        self.client = client
        self.conn = conn
        self.body = body

    async def stream(
        self, client: httpx.AsyncClient, *, timeout: float, coalesce: bool = False
    ) -> AsyncGenerator[ChatDelta | ChatDone]:
        """`client`, `timeout`, `coalesce` are the deployment turn's: the connection's own HTTP client
        and timeout apply here, and translated chunks are already whole."""
        tally = AnswerTally(time.perf_counter())
        try:
            if self.client.streams(self.conn):
                async for chunk in self.client.chat_stream(self.conn, {**self.body, "stream": True}):
                    for delta in tally.chunk(chunk):
                        yield delta
                tally.ended_by = "done"
            else:
                answer = await self.client.chat(self.conn, {**self.body, "stream": False})
                # The whole answer as one chunk: each choice's message is its delta.
                whole = {
                    "model": answer.get("model"),
                    "usage": answer.get("usage"),
                    "choices": [
                        {**choice, "delta": choice.get("message") or {"content": ""}}
                        for choice in answer.get("choices") or ()
                    ],
                }
                for delta in tally.chunk(whole):
                    yield delta
                tally.ended_by = "done"
        except ProviderError as exc:
            raise _as_aqua_error(exc) from None
        done: ChatDone = tally.done()
        yield done
