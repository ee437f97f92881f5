"""What the connection driver takes and gives: a stored connection with its secret, the OpenAI
shapes in and out, and the error a service answered with. The services and the handlers speak
only OpenAI's shapes; every dialect translates to and from them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...api.connections import ConnectionFields


@dataclass(frozen=True)
class StoredConnection:
    """A connection as the driver needs it. `secret` comes from the secret store for one call and is
    never logged, returned or written anywhere else."""

    id: str
    fields: ConnectionFields
    secret: str | None = None

    def __repr__(self) -> str:  # keeps the secret out of tracebacks and logs
        return f"StoredConnection(id={self.id!r}, kind={self.fields.kind!r}, secret={'set' if self.secret else None})"


@dataclass(frozen=True)
class RawAnswer:
    """What a service answered to a request sent as it is (the test request)."""

    status_code: int
    latency_ms: float
    body: str  # first 64 KiB, decoded with replacement
    answer: str | None  # the text the dialect finds in it (None when it finds none)


class ProviderError(Exception):
    """The service answered with an error (`status_code` set, `code`/`message` read from its own
    error payload by the dialect), or could not be reached (`status_code` None; `timed_out`)."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: str | None = None,
        body: str = "",
        timed_out: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.code = code
        self.body = body
        self.timed_out = timed_out


# The OpenAI shapes, as plain dicts (they pass through unchanged where the service is OpenAI's):
#   chat request   {"model", "messages": [{"role", "content"}], "max_tokens", "temperature", "top_p",
#                   "stop", "seed", "stream", "frequency_penalty", "presence_penalty", "top_k"?}
#   chat answer    {"id", "object": "chat.completion", "created", "model",
#                   "choices": [{"index", "message": {"role", "content"}, "finish_reason"}], "usage"?}
#   chat chunk     {"id", "object": "chat.completion.chunk", "created", "model",
#                   "choices": [{"index", "delta": {"role"?, "content"?}, "finish_reason"}], "usage"?}
#   embeddings     request {"model", "input": str | [str]} → {"object": "list", "data": [{"index",
#                   "embedding", "object": "embedding"}], "model", "usage"?}
OpenAiBody = dict[str, Any]
