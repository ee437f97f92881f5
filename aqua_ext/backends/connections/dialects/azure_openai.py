"""Azure OpenAI: OpenAI's shapes at `{endpoint}/openai/deployments/{deployment}/chat/completions
?api-version={api_version}`, the key in the `api-key` header. The model is the deployment's name.
Deployments cannot be listed with an API key (that is the management API's, with Azure AD), so the
models are the connection's typed list."""

from __future__ import annotations

from urllib.parse import quote

from ..protocol import OpenAiBody, StoredConnection
from .dialect import Call
from .openai import OpenAiDialect

# What a connection that names no api-version uses: the GA version of the chat completions API.
DEFAULT_API_VERSION = "2024-10-21"


def resource_url(endpoint: str) -> str:
    """The resource's base URL: an imported service's full URL is cut back at `/openai/`."""
    base = endpoint.split("?", 1)[0].rstrip("/")
    at = base.find("/openai/")
    return base[:at] if at >= 0 else base.removesuffix("/openai")


class AzureOpenAiDialect(OpenAiDialect):
    default_key_header = "api-key"

    def _url(self, conn: StoredConnection, model: str | None, operation: str) -> str:
        deployment = quote(model or "", safe="")
        version = quote(conn.fields.api_version or DEFAULT_API_VERSION, safe="")
        return f"{resource_url(conn.fields.endpoint)}/openai/deployments/{deployment}/{operation}?api-version={version}"

    def chat_url(self, conn: StoredConnection, model: str | None) -> str:
        return self._url(conn, model, "chat/completions")

    def raw_url(self, conn: StoredConnection, model: str | None) -> str:
        # An imported service's full URL (seed 002's `…/deployments/{id}/completions?api-version=…`) is
        # where its sample request goes, as it is.
        if "/openai/deployments/" in conn.fields.endpoint:
            return conn.fields.endpoint
        return self.chat_url(conn, model)

    def chat_call(self, conn: StoredConnection, body: OpenAiBody, model: str | None, *, stream: bool) -> Call:
        call = super().chat_call(conn, body, model, stream=stream)
        call.json.pop("model", None)  # the deployment in the URL is the model
        return call

    def embeddings_call(self, conn: StoredConnection, body: OpenAiBody, model: str | None) -> Call | None:
        payload = dict(body)
        payload.pop("model", None)  # the deployment in the URL is the model
        return Call("POST", self._url(conn, model, "embeddings"), payload)

    def models_call(self, conn: StoredConnection) -> Call | None:
        return None


DIALECT = AzureOpenAiDialect()
