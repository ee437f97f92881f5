"""Deployments: a model served by an inference engine, and the chat with it."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from .common import (
    LOG_PAIR_SCHEMA,
    NOT_BLANK_SCHEMA,
    ApiModel,
    TargetProblem,
    each_matching,
    log_pair,
    not_blank,
    strings_matching,
)
from .fit import Dtype
from .models import Capability
from .operations import Operation


class DeploymentState(str, Enum):
    """OCI's model deployment states; the local backend uses the same words."""

    CREATING = "CREATING"
    ACTIVE = "ACTIVE"
    UPDATING = "UPDATING"  # activating or deactivating
    INACTIVE = "INACTIVE"
    DELETING = "DELETING"
    FAILED = "FAILED"
    NEEDS_ATTENTION = "NEEDS_ATTENTION"


# What may be done with a deployment now (the UI shows a button for each, and only those).
# "adapters": its set of LoRA adapters may be changed now (PUT deployments/{id}/adapters).
DeploymentAction = Literal["activate", "deactivate", "delete", "chat", "evaluate", "adapters"]

TRANSITIONAL_STATES = frozenset({DeploymentState.CREATING, DeploymentState.UPDATING, DeploymentState.DELETING})

InferenceMode = Literal["chat", "completion", "embedding"]
ChatInput = Literal["text", "image"]
EngineName = Literal["transformers", "vllm", "llama.cpp", "tgi"]
# What serves a deployment: one of the engines, or an OCI Generative AI endpoint (the service's own, not chosen).
ServingEngine = Literal["transformers", "vllm", "llama.cpp", "tgi", "oci-genai"]

IDLE_STOP_MIN, IDLE_STOP_MAX = 5, 7 * 24 * 60  # minutes

_PARAM_TOKEN = r"^[^\x00-\x1f]{1,1000}$"  # one argv token; no control characters

# An adapter's served name (what a request's `model` names): a slug, as served_name() makes them.
ADAPTER_NAME = r"^[a-z0-9][a-z0-9._-]{0,63}$"
MAX_ADAPTERS = 8


class AdapterRequest(ApiModel):
    """A LoRA adapter served beside the deployment's base model: a fine-tuned model (LoRA) of this target."""

    model_id: str = Field(min_length=1, max_length=400)
    # What a request's `model` names to be answered by it ("<name>" or "<deployment>/<name>");
    # omitted: the fine-tuned model's name as a slug.
    name: str | None = Field(default=None, pattern=ADAPTER_NAME)


class DeploymentAdapter(ApiModel):
    """An adapter a deployment serves: requests whose `model` is `name` (or `<served name>/<name>`) get it."""

    name: str
    model_id: str
    model_name: str
    rank: int | None = None


def unique_adapters(adapters: list[AdapterRequest]) -> list[AdapterRequest]:
    """A field validator: an adapter is served once (two entries naming the same model are a mistake)."""
    ids = [a.model_id for a in adapters]
    if len(set(ids)) != len(ids):
        raise ValueError("the same model is given twice")
    names = [a.name for a in adapters if a.name]
    if len(set(names)) != len(names):
        raise ValueError("two adapters have the same name")
    return adapters


class CreateDeploymentRequest(ApiModel):
    model_config = ConfigDict(json_schema_extra=LOG_PAIR_SCHEMA)

    model_id: str = Field(min_length=1, max_length=400)
    name: str = Field(min_length=1, max_length=100, json_schema_extra=NOT_BLANK_SCHEMA)
    description: str = Field(default="", max_length=2000)
    # Local: "cpu" or "gpu" (omitted: gpu when there is one). OCI: a shape name
    # (omitted: the smallest shape the memory fit recommends).
    shape: str | None = Field(default=None, max_length=100)
    replicas: int = Field(default=1, ge=1, le=10)  # OCI only; local deployments run one engine
    # Omitted: transformers locally (llama.cpp for GGUF), vllm on OCI.
    engine: EngineName | None = None
    mode: InferenceMode = "chat"
    dtype: Dtype | None = None  # for the memory fit; omitted: bfloat16 on GPU, float32 on CPU
    # The weights' dtype or quantization: one of the model fit's `quantizations` for the engine (a
    # dtype for transformers, the GGUF level for llama.cpp, fp8 / bitsandbytes / awq for vLLM).
    # Omitted: the engine's default. One the engine cannot run is refused on this field.
    quantization: str | None = Field(default=None, min_length=1, max_length=40)
    max_model_len: int | None = Field(default=None, ge=16, le=2_000_000)
    # `--name value` tokens, validated against the engine's allowlist.
    params: list[str] = Field(default_factory=list, max_length=100, json_schema_extra=strings_matching(_PARAM_TOKEN))
    log_group_id: str | None = Field(default=None, max_length=255)  # OCI logging
    log_id: str | None = Field(default=None, max_length=255)
    # The target to deploy on (GET info lists them); omitted: the model's own target.
    target: str | None = Field(default=None, max_length=50)
    # Deactivate after this many minutes without a request through this server (chat or the
    # OpenAI pass-through); omitted: never. Bounded: under 5 minutes an engine that takes minutes
    # to load would spend more time starting than serving; a week is the longest idle wait kept.
    idle_stop_minutes: int | None = Field(default=None, ge=IDLE_STOP_MIN, le=IDLE_STOP_MAX)
    # LoRA adapters served beside the base model, each picked per request by `model`.
    adapters: list[AdapterRequest] = Field(default_factory=list, max_length=MAX_ADAPTERS)

    _name_not_blank = field_validator("name")(not_blank)
    _unique_adapters = field_validator("adapters")(unique_adapters)

    _tokens = field_validator("params")(each_matching(_PARAM_TOKEN, "is empty, too long or holds control characters"))

    _log_pair = model_validator(mode="after")(log_pair)


class DeploymentSummary(ApiModel):
    id: str
    name: str
    description: str
    model_id: str
    model_name: str
    state: DeploymentState
    # Why the state is what it is: the human failure reason, or the current step.
    state_message: str
    mode: InferenceMode
    engine: ServingEngine
    shape: str  # "cpu", "gpu", an OCI shape, or a Generative AI cluster's unit shape
    replicas: int
    created_at: datetime
    updated_at: datetime
    # The OpenAI-compatible base URL through Jupyter, relative to the server's base URL:
    # "aqua-ext/deployments/<id>/v1".
    openai_base_path: str
    # The target that runs it ("local", "oci").
    target: str = ""
    actions: list[DeploymentAction] = []
    # What a chat turn may hold (services/chat_images.py): "image" when the model reads images and its
    # engine takes them; the playground offers image input only then.
    chat_inputs: list[ChatInput] = ["text"]
    # The deployed model's capability, where the target knows it (what chat_inputs is decided from).
    capability: Capability | None = None
    # Idle stop: deactivated after this many minutes without a request (None: never).
    idle_stop_minutes: int | None = None
    # When it last became ACTIVE, where the target knows it (None otherwise, and while not ACTIVE).
    active_since: datetime | None = None
    # LoRA adapters served beside the base model (the playground, Compare and evaluations pick one).
    adapters: list[DeploymentAdapter] = []
    # The weights' dtype or quantization the deploy request chose (one of the fit's `quantizations`);
    # None: the engine's default, or a target that does not keep it.
    quantization: str | None = None


class DeploymentDetail(DeploymentSummary):
    # The defaults are what a target that does not have the fact says (a Generative AI endpoint has no
    # engine params or logs of ours), so its detail names only what it knows; responses still carry every
    # field (ApiModel's serialization schema keeps them required).
    params: list[str] = []
    max_model_len: int | None = None
    dtype: Dtype | None = None
    # Where the engine really listens: http://127.0.0.1:<port> locally, the OCI predict URL.
    # Only this server reaches it; browsers and clients go through openai_base_path.
    upstream_url: str | None = None
    log_group_id: str | None = None
    log_id: str | None = None
    # The deployment's operation while it is being created or activated.
    operation_id: str | None = None
    # The failure reason's evidence: the engine log's last lines (FAILED only).
    failure_log: list[str] = []
    # The last request this server relayed to it (chat or pass-through) since the server started.
    last_request_at: datetime | None = None
    # When idle stop will deactivate it if no request comes (ACTIVE with idle stop only).
    idle_stop_at: datetime | None = None


class UpdateDeploymentRequest(ApiModel):
    """What changes on a deployment without redeploying it."""

    # Null: never stop for idleness.
    idle_stop_minutes: int | None = Field(ge=IDLE_STOP_MIN, le=IDLE_STOP_MAX)


class SetAdaptersRequest(ApiModel):
    """The adapters a deployment serves from now on (the whole set: those left out are removed)."""

    adapters: list[AdapterRequest] = Field(max_length=MAX_ADAPTERS)

    _unique_adapters = field_validator("adapters")(unique_adapters)


class SetAdaptersResponse(ApiModel):
    deployment: DeploymentDetail
    # How the change was made: "live" (the running engine loaded and unloaded them), "restart" (the
    # engine restarts with them: `operation` follows it) or "saved" (not running: used at its next start).
    applied: Literal["live", "restart", "saved"]
    operation: Operation | None = None


class DeploymentList(ApiModel):
    items: list[DeploymentSummary]
    total: int
    problems: list[TargetProblem] = []  # targets whose deployments are missing, and why


class CreateDeploymentResponse(ApiModel):
    deployment: DeploymentDetail
    operation: Operation


# ---- chat -------------------------------------------------------------------


# OpenAI's rule for function names (and so for tool and schema names).
FUNCTION_NAME = r"^[A-Za-z0-9_-]{1,64}$"
# A JSON schema (tool parameters, structured output): the UI validates it as a schema; here only its
# size is bounded, since the engine compiles it.
JSON_SCHEMA_OBJECT = Field(json_schema_extra={"type": "object", "maxProperties": 200})


class ToolCallFunction(ApiModel):
    name: str = Field(pattern=FUNCTION_NAME)
    arguments: str = Field(max_length=100_000)  # JSON text, as the model wrote it


class ToolCall(ApiModel):
    """A function the model asked to call (an assistant message's `tool_calls`, sent back as history)."""

    id: str = Field(min_length=1, max_length=200)
    type: Literal["function"] = "function"
    function: ToolCallFunction


class TextPart(ApiModel):
    """OpenAI's text content part."""

    type: Literal["text"]
    text: str = Field(max_length=1_000_000)


class ImageUrl(ApiModel):
    # A data: URL (what the playground sends) or an http(s) URL the engine fetches; services/chat_images.py
    # checks a data: URL's type, base64 and size (413 over 20 MiB decoded, ~28 M characters). Bounded here
    # above that, so an image somewhat over the cap gets the 413 that says so.
    url: str = Field(min_length=1, max_length=40_000_000)
    detail: Literal["auto", "low", "high"] | None = None


class ImagePart(ApiModel):
    """OpenAI's image content part: for deployments whose `chat_inputs` has "image"."""

    type: Literal["image_url"]
    image_url: ImageUrl


ContentPart = Annotated[TextPart | ImagePart, Field(discriminator="type")]


class ChatMessage(ApiModel):
    """OpenAI's chat message: `tool_calls` on an assistant message that called tools, `tool_call_id`
    on the `tool` message that answers one of them. `content` is text, or OpenAI's content parts
    (text and images) on a user message."""

    role: Literal["system", "user", "assistant", "tool"]
    content: (
        Annotated[str, Field(max_length=1_000_000)] | Annotated[list[ContentPart], Field(min_length=1, max_length=32)]
    )
    tool_calls: list[ToolCall] | None = Field(default=None, max_length=64)
    tool_call_id: str | None = Field(default=None, min_length=1, max_length=200)

    @model_validator(mode="after")
    def _tool_fields(self) -> ChatMessage:
        if isinstance(self.content, list) and self.role != "user":
            raise ValueError("content: only a user message has content parts; give others text")
        if self.tool_calls is not None and self.role != "assistant":
            raise ValueError("tool_calls: only an assistant message calls tools")
        if (self.role == "tool") != (self.tool_call_id is not None):
            raise ValueError("tool_call_id: a tool message, and only one, names the call it answers")
        return self


class ToolFunction(ApiModel):
    name: str = Field(pattern=FUNCTION_NAME)
    description: str | None = Field(default=None, max_length=4000)
    parameters: dict[str, Any] = JSON_SCHEMA_OBJECT


class ToolDefinition(ApiModel):
    """A tool the model may call (OpenAI `tools[]`): a function and the JSON schema of its arguments."""

    type: Literal["function"] = "function"
    function: ToolFunction


class JsonSchemaFormat(ApiModel):
    name: str = Field(pattern=FUNCTION_NAME)
    description: str | None = Field(default=None, max_length=4000)
    # `schema` would shadow pydantic's BaseModel.schema: the field is `schema_`, `schema` on the wire.
    schema_: dict[str, Any] = Field(alias="schema", json_schema_extra={"type": "object", "maxProperties": 200})
    strict: bool | None = None


class ResponseFormat(ApiModel):
    """Structured output (OpenAI `response_format`): the answer is JSON matching the schema."""

    type: Literal["json_schema"]
    json_schema: JsonSchemaFormat


class ChatRequest(ApiModel):
    """One turn of a playground conversation. Chat deployments take `messages`,
    completion deployments take `prompt`; the last message is not the assistant's."""

    # The document says what _one_input checks (but the last message's role): messages or prompt, one.
    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {"required": ["messages"], "properties": {"messages": {"type": "array"}}},
                {"required": ["prompt"], "properties": {"prompt": {"type": "string"}}},
            ]
        }
    )

    messages: list[ChatMessage] | None = Field(default=None, max_length=1000, json_schema_extra={"minItems": 1})
    prompt: str | None = Field(default=None, max_length=1_000_000, json_schema_extra=NOT_BLANK_SCHEMA)
    max_tokens: int = Field(default=512, ge=1, le=131_072)
    temperature: float = Field(default=0.7, ge=0.0, le=2.0)
    top_p: float = Field(default=1.0, gt=0.0, le=1.0)
    top_k: int | None = Field(default=None, ge=-1, le=10_000)  # -1 or None: off
    frequency_penalty: float = Field(default=0.0, ge=-2.0, le=2.0)
    presence_penalty: float = Field(default=0.0, ge=-2.0, le=2.0)
    stop: list[str] = Field(
        default_factory=list, max_length=8, json_schema_extra={"items": {"type": "string", "minLength": 1}}
    )
    seed: int | None = Field(default=None, ge=0, le=2**32 - 1)
    # Chat only; engines that cannot honour them refuse the turn (400 naming the field).
    response_format: ResponseFormat | None = None
    tools: list[ToolDefinition] | None = Field(default=None, min_length=1, max_length=64)
    # One of the deployment's adapters (its `name`) answers; omitted: the base model.
    adapter: str | None = Field(default=None, pattern=ADAPTER_NAME)

    @model_validator(mode="after")
    def _one_input(self) -> ChatRequest:
        if self.messages is None and self.prompt is None:
            raise ValueError("messages: give messages (chat) or prompt (completion)")
        if self.messages is not None and self.prompt is not None:
            raise ValueError("prompt: give messages or prompt, not both")
        if self.messages is not None:
            if not self.messages:
                raise ValueError("messages: must hold at least one message")
            if self.messages[-1].role == "assistant":
                raise ValueError("messages: the last message must be from the user (or the system)")
        if self.prompt is not None and not self.prompt.strip():
            raise ValueError("prompt: must not be empty")
        if any(not s for s in self.stop):
            raise ValueError("stop: stop sequences must not be empty")
        names = [tool.function.name for tool in self.tools or ()]
        if len(set(names)) != len(names):
            raise ValueError("tools: two tools have the same name")
        return self


class ToolCallDelta(ApiModel):
    """A piece of a tool call as the engine streams it: `index` says which call; the first piece
    has its id and name, the following ones add to its arguments."""

    index: int
    id: str | None = None
    name: str | None = None
    arguments: str | None = None


class ChatDeltaEvent(ApiModel):
    """SSE `event: delta`: a piece of the answer."""

    content: str
    role: str | None = None
    finish_reason: str | None = None
    tool_calls: list[ToolCallDelta] | None = None


class ChatUsage(ApiModel):
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None


class ChatDoneEvent(ApiModel):
    """SSE `event: done`: the end of the answer, with usage and timings."""

    usage: ChatUsage | None
    ttft_ms: float | None  # request sent → first token, as seen by this server
    total_ms: float
    tokens: int  # completion tokens (the engine's count when it sent usage)
    tokens_per_s: float | None
    finish_reason: str | None  # "stop", "length" (max_tokens reached), ...


class ChatErrorEvent(ApiModel):
    """SSE `event: error`: the answer could not be completed."""

    status: int
    message: str
    deployment_state: DeploymentState | None = None  # e.g. FAILED when the engine died


class ChatStreamEvents(ApiModel):
    """Not sent as such: documents the three event payloads of the chat stream
    (`event: delta`, `event: done`, `event: error`), so TypeScript gets their types."""

    delta: ChatDeltaEvent
    done: ChatDoneEvent
    error: ChatErrorEvent


class EmbedRequest(ApiModel):
    inputs: list[str] = Field(
        min_length=1,
        max_length=64,
        json_schema_extra={"items": {"type": "string", "maxLength": 100_000, **NOT_BLANK_SCHEMA}},
    )

    @field_validator("inputs")
    @classmethod
    def _not_blank(cls, value: list[str]) -> list[str]:
        for i, text in enumerate(value):
            if not text.strip():
                raise ValueError(f"input {i + 1} is empty")
            if len(text) > 100_000:
                raise ValueError(f"input {i + 1} is longer than 100000 characters")
        return value


class EmbedResponse(ApiModel):
    dimensions: int
    # Cosine similarity of every pair of inputs (a symmetric matrix, 1.0 on the diagonal).
    similarity: list[list[float]]
    # The first values of each vector, for a glance; the full vectors come from /v1/embeddings.
    preview: list[list[float]]
    usage: ChatUsage | None
    total_ms: float
