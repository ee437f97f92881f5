"""Chat and embeddings with an OCI Generative AI endpoint (an UpstreamTarget whose dialect is "oci_genai"),
through the connections' OCI Generative AI dialect: the endpoint is sent as a DEDICATED-serving connection
signed with the genai target's OCI signer, so the playground, Compare and the OpenAI pass-through speak
OpenAI to it as to any deployment, and the dialect translates (backends/connections/dialects/oci_genai.py).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any

import httpx

from ..api.connections import Capability, ConnectionFields
from ..api.upstream import UpstreamTarget
from ..backends.base import EvaluatedConnection
from ..backends.connections.client import ConnectionClient
from ..backends.connections.protocol import OpenAiBody, ProviderError, StoredConnection
from ..errors import InvalidInput, NotFound, Upstream
from .connections import ConnectionTurn
from .connections import _as_aqua_error as provider_error  # the connections' one mapping of a service's error
from .deployment_turn import DeploymentTurn, Piece
from .genai_on_demand import is_on_demand

if TYPE_CHECKING:
    from .deployments import Deployments
    from .targets import Targets

DIALECT = "oci_genai"
TARGET = "genai"
# OCI Generative AI's own bound on one answer; the playground's own timeout applies per read.
TIMEOUT_S = 300.0


def speaks_genai(target: UpstreamTarget) -> bool:
    return target.dialect == DIALECT


def connection_of(target: UpstreamTarget, auth: str = "api_key") -> StoredConnection:
    """The endpoint as a connection: DEDICATED serving mode with the endpoint's OCID as the model, or ON_DEMAND
    with a base model's OCID (an on-demand model, services/genai_on_demand.py). `auth`: the server's OCI auth
    (an evaluation job signs as the server does)."""
    capabilities: list[Capability] = ["embedding"] if target.mode == "embedding" else ["chat"]
    fields = ConnectionFields(
        name=target.served_model_name or "endpoint",
        kind="oci_genai",
        endpoint=target.base_url,
        auth_type="oci_resource_principal" if auth == "resource_principal" else "oci_api_key",
        capabilities=capabilities,
        default_model=target.model,
        compartment_id=target.compartment_id,
        serving_mode="ON_DEMAND" if target.genai_serving_mode == "ON_DEMAND" else "DEDICATED",
        allow_link_local=True,  # the target's own configured endpoint, not a user's URL
        timeout_s=TIMEOUT_S,
    )
    return StoredConnection(id=target.deployment_id, fields=fields)


def _client(http: httpx.AsyncClient, target: UpstreamTarget) -> ConnectionClient:
    """A client whose OCI signing is the target's signer (whatever auth type the connection names)."""
    auth = target.auth
    if auth is None:
        raise Upstream("The Generative AI endpoint has no OCI signer: the genai target is not started.")
    return ConnectionClient(http, lambda _auth_type: auth)


def as_chat(body: OpenAiBody, target: UpstreamTarget) -> OpenAiBody:
    """An OpenAI body for the endpoint: the model is the endpoint; a prompt is one user message."""
    out = {k: v for k, v in body.items() if k not in ("prompt", "stream_options")}
    if "messages" not in out:
        out["messages"] = [{"role": "user", "content": str(body.get("prompt") or "")}]
    out["model"] = target.model
    return out


class EndpointTurn(DeploymentTurn):
    """A playground turn with an endpoint, shaped like a deployment's (ChatDelta…, then ChatDone)."""

    def __init__(self, deployments: Deployments, target: UpstreamTarget, payload: dict[str, Any]) -> None:
        super().__init__(deployments, target)
        self.payload = as_chat(payload, target)

    def _pieces(self, client: httpx.AsyncClient, *, timeout: float, coalesce: bool) -> AsyncGenerator[Piece, None]:
        turn = ConnectionTurn(_client(client, self.target), connection_of(self.target), self.payload)
        return turn.stream(client, timeout=timeout, coalesce=coalesce)


async def embeddings(http: httpx.AsyncClient, target: UpstreamTarget, inputs: list[str]) -> OpenAiBody:
    """OpenAI's embeddings answer for `inputs` (Upstream with the service's words on a failure)."""
    try:
        return await _client(http, target).embeddings(connection_of(target), {"model": target.model, "input": inputs})
    except ProviderError as exc:
        raise provider_error(exc) from None


async def openai(
    http: httpx.AsyncClient, target: UpstreamTarget, path: str, body: OpenAiBody
) -> OpenAiBody | AsyncGenerator[OpenAiBody, None]:
    """The OpenAI pass-through to an endpoint: the answer, or its chunks when the request asked to stream."""
    conn, client = connection_of(target), _client(http, target)
    try:
        if path == "/v1/embeddings":
            return await client.embeddings(conn, {**body, "model": target.model})
        if path not in ("/v1/chat/completions", "/v1/completions"):
            raise InvalidInput.field("path", f"{path} is not served by a Generative AI endpoint")
        chat = as_chat(body, target)
        if chat.get("stream"):
            return _chunks(client, conn, chat)
        return await client.chat(conn, {**chat, "stream": False})
    except ProviderError as exc:
        raise provider_error(exc) from None


async def _chunks(client: ConnectionClient, conn: StoredConnection, body: OpenAiBody) -> AsyncGenerator[OpenAiBody]:
    try:
        async for chunk in client.chat_stream(conn, body):
            yield chunk
    except ProviderError as exc:
        raise provider_error(exc) from None


async def evaluated_endpoint(
    targets: Targets, deployments: Deployments, deployment_id: str, signing: dict[str, str]
) -> EvaluatedConnection | None:
    """A Generative AI endpoint is evaluated as a connection is (by the local target's job, through the
    endpoint's dialect, signed as the server signs); None for a deployment of another target."""
    try:
        if TARGET not in targets.names or targets.owner(deployment_id) != TARGET:
            return None
    except NotFound:
        return None
    try:
        target = await deployments.upstream(deployment_id)  # 404, or 409 unless ACTIVE
    except NotFound as exc:
        if not is_on_demand(TARGET, deployment_id):
            raise
        # An on-demand model is named by the request, not the route: its absence is the field's fault.
        raise InvalidInput.field("deployment_id", exc.message) from None
    if target.mode == "embedding":
        what = "on-demand model" if target.genai_serving_mode == "ON_DEMAND" else "endpoint"
        raise InvalidInput.field("deployment_id", f"this {what} serves embeddings; an evaluation needs chat answers")
    return EvaluatedConnection(connection_of(target, signing.get("auth", "api_key")), target.model, signing)
