"""Connections: hosted LLM services (OpenAI and compatible servers, Azure OpenAI, Cohere, OCI
Generative AI, any REST service) used beside our own deployments, the way Oracle Digital
Assistant's "LLM services" are (seed 002): a name, an endpoint, an authentication type, headers,
a sample request, mock and error payloads, a test request, and YAML import/export.

The secret (API key, token, password) goes in on create or update and never comes back out: a
response says only whether one is set (`secret_set`)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, SecretStr, field_validator

from .common import ApiModel, not_blank
from .deployments import ChatRequest

ConnectionKind = Literal["openai", "azure_openai", "cohere", "oci_genai", "rest"]
# ODA's authentication types (seed 002), in our words: `api_key_header` sends the secret in the
# header `api_key_header`; `bearer` as `Authorization: Bearer …`; `basic` with `username`;
# `oci_api_key` signs with the OCI config the server already uses; `oci_resource_principal` signs
# as the notebook session or job (ODA's `resourcePrincipal`).
AuthType = Literal["none", "api_key_header", "bearer", "basic", "oci_resource_principal", "oci_api_key"]
Capability = Literal["chat", "completion", "embedding", "rerank", "summarize"]
ServingMode = Literal["ON_DEMAND", "DEDICATED"]
ConnectionAction = Literal["edit", "delete", "test", "chat", "evaluate", "export"]


def _chat() -> list[Capability]:
    return ["chat"]


HEADER_NAME_PATTERN = r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$"  # an HTTP token (RFC 9110)
# A connection's id starts with this: where a deployment's id may go (the CLI's chat, an
# evaluation), a connection's is told apart by it.
CONNECTION_ID_PREFIX = "conn-"


def is_connection_id(value: str) -> bool:
    return value.startswith(CONNECTION_ID_PREFIX)


class RestMethod(ApiModel):
    """One method of a REST-style service (ODA's `restServiceMethods` entry)."""

    method: Literal["POST", "GET", "PUT", "PATCH", "DELETE"] = "POST"
    content_type: str = Field(default="application/json", max_length=200)
    status_code: int = Field(default=200, ge=100, le=599)
    # A JSON request body. For a `rest` connection it is the request template: `{{prompt}}`,
    # `{{messages}}`, `{{model}}`, `{{max_tokens}}` and `{{temperature}}` are filled per request.
    request_body: str = Field(default="", max_length=200_000)
    mock_response: str = Field(default="", max_length=200_000)  # ODA's mockResponsePayload
    error_response: str = Field(default="", max_length=200_000)  # a sample error payload
    params: list[dict[str, str]] = Field(default_factory=list, max_length=100)  # ODA's restServiceParams


class ConnectionFields(ApiModel):
    """What a user sets on a connection (create takes all of it; update any part)."""

    name: str = Field(min_length=1, max_length=100)
    kind: ConnectionKind
    # The service's base URL: https://api.openai.com/v1, https://<resource>.openai.azure.com,
    # https://api.cohere.com, https://inference.generativeai.<region>.oci.oraclecloud.com, or, for a
    # `rest` connection, the full URL it posts to.
    endpoint: str = Field(min_length=1, max_length=2000)
    description: str = Field(default="", max_length=2000)
    auth_type: AuthType = "none"
    api_key_header: str | None = Field(default=None, pattern=HEADER_NAME_PATTERN)
    username: str | None = Field(default=None, max_length=200)  # basic auth
    # Extra headers sent as they are (not secret: shown and exported). Auth headers are refused.
    headers: dict[str, str] = Field(default_factory=dict, max_length=50)
    capabilities: list[Capability] = Field(default_factory=lambda: _chat(), min_length=1, max_length=5)
    # The models it offers, typed by the user; listed from the service where it can (`models` route).
    models: list[str] = Field(default_factory=list, max_length=200)
    default_model: str | None = Field(default=None, max_length=200)
    api_version: str | None = Field(default=None, max_length=50)  # Azure OpenAI's `api-version`
    compartment_id: str | None = Field(default=None, max_length=255)  # OCI Generative AI
    serving_mode: ServingMode = "ON_DEMAND"  # OCI Generative AI: DEDICATED = `default_model` is an endpoint OCID
    # `rest`: where the answer's text is in the response, e.g. `inferenceResponse.generatedTexts[0].text`.
    response_path: str | None = Field(default=None, max_length=500)
    methods: list[RestMethod] = Field(default_factory=list, max_length=20)
    # Link-local and cloud-metadata addresses are refused unless the user says so here.
    allow_link_local: bool = False
    timeout_s: float = Field(default=120.0, gt=0, le=3600)

    _name_not_blank = field_validator("name", "endpoint")(not_blank)

    def model_for(self, asked: str | None) -> str | None:
        """The model a request goes to: the one it names, else the default, else the first offered.
        (The one rule for it: the service and the driver both ask here.)"""
        return asked or self.default_model or (self.models[0] if self.models else None)


class CreateConnectionRequest(ConnectionFields):
    secret: SecretStr | None = Field(default=None, max_length=10_000)


class UpdateConnectionRequest(ApiModel):
    """Only the fields given change. `secret`: absent keeps it, "" removes it, a value replaces it."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    endpoint: str | None = Field(default=None, min_length=1, max_length=2000)
    description: str | None = Field(default=None, max_length=2000)
    auth_type: AuthType | None = None
    api_key_header: str | None = Field(default=None, pattern=HEADER_NAME_PATTERN)
    username: str | None = Field(default=None, max_length=200)
    headers: dict[str, str] | None = Field(default=None, max_length=50)
    capabilities: list[Capability] | None = Field(default=None, min_length=1, max_length=5)
    models: list[str] | None = Field(default=None, max_length=200)
    default_model: str | None = Field(default=None, max_length=200)
    api_version: str | None = Field(default=None, max_length=50)
    compartment_id: str | None = Field(default=None, max_length=255)
    serving_mode: ServingMode | None = None
    response_path: str | None = Field(default=None, max_length=500)
    methods: list[RestMethod] | None = Field(default=None, max_length=20)
    allow_link_local: bool | None = None
    timeout_s: float | None = Field(default=None, gt=0, le=3600)
    secret: SecretStr | None = Field(default=None, max_length=10_000)


class ConnectionTestSummary(ApiModel):
    """The last test request's outcome, kept with the connection."""

    ok: bool
    status_code: int | None
    latency_ms: float | None
    message: str
    tested_at: datetime


class ConnectionSummary(ApiModel):
    id: str  # "conn-…"
    name: str
    kind: ConnectionKind
    endpoint: str
    auth_type: AuthType
    capabilities: list[Capability]
    models: list[str]
    default_model: str | None
    secret_set: bool
    streaming: bool  # the provider streams answers; when False the playground shows the answer at once
    last_test: ConnectionTestSummary | None
    created_at: datetime
    updated_at: datetime
    actions: list[ConnectionAction] = []


class ConnectionDetail(ConnectionSummary):
    description: str
    api_key_header: str | None
    username: str | None
    headers: dict[str, str]
    api_version: str | None
    compartment_id: str | None
    serving_mode: ServingMode
    response_path: str | None
    methods: list[RestMethod]
    allow_link_local: bool
    timeout_s: float


class ConnectionList(ApiModel):
    connections: list[ConnectionSummary]


class TestConnectionRequest(ApiModel):
    """A test request: the connection's sample payload (its first method's request body) when
    `payload` and `prompt` are absent, else a one-turn chat with `prompt`, or `payload` as it is."""

    model: str | None = Field(default=None, max_length=200)
    prompt: str | None = Field(default=None, max_length=100_000)
    payload: str | None = Field(default=None, max_length=200_000)  # a JSON body sent unchanged


ErrorKind = Literal[
    "context_length_exceeded", "bad_credentials", "forbidden", "quota", "model_not_found", "bad_request", "upstream"
]


class TestConnectionResult(ApiModel):
    ok: bool  # the service answered with the expected status (200 unless the method says otherwise)
    status_code: int | None  # None: no answer (unreachable, timed out)
    latency_ms: float | None
    answer: str | None  # the text found in the answer, when there is one
    response: str  # the raw response body (first 64 KiB), secrets never in it
    error_kind: ErrorKind | None
    message: str  # a human sentence: "OK: 200 in 312 ms", or the mapped error


class ConnectionModels(ApiModel):
    models: list[str]
    source: Literal["service", "configured"]  # listed by the service, or the typed list when it cannot list
    message: str = ""  # why the service's list is not shown, when it is not


class ImportConnectionsRequest(ApiModel):
    yaml: str = Field(min_length=1, max_length=2_000_000)  # ODA's `exportedRestServices` document


class ImportConnectionsResponse(ApiModel):
    created: list[ConnectionSummary]


class ExportConnectionsQuery(ApiModel):
    # Comma-separated connection ids (as compare/evaluations takes its ids); empty: every connection.
    ids: str = Field(default="", max_length=20_000)
    include_secrets: bool = False  # only when the user asks, explicitly

    def id_list(self) -> list[str]:
        return list(dict.fromkeys(i.strip() for i in self.ids.split(",") if i.strip()))


class ExportConnectionsResponse(ApiModel):
    yaml: str
    file_name: str


class ConnectionChatRequest(ChatRequest):
    """A playground turn with a connection: a deployment's turn, plus which of its models answers
    (absent: the connection's default model, else its first)."""

    model: str | None = Field(default=None, max_length=200)
