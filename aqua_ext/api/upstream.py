"""Where a deployment's engine answers, as the chat stream and the OpenAI
pass-through need it. Backends hand one out per request without a
control-plane call (OCI caches the predict endpoint).

A contract type between the drivers that return it and the services and handlers
that use it, so it lives in api/ below them all (it is not part of the REST schema)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import httpx

# The OpenAI paths a deployment serves, by inference mode.
OPENAI_PATHS: dict[str, tuple[str, ...]] = {
    "chat": ("/v1/chat/completions", "/v1/completions"),
    "completion": ("/v1/completions",),
    "embedding": ("/v1/embeddings",),
}


def served_name(deployment_name: str) -> str:
    """The model name clients see (/v1/models) on every target: the deployment's name as a slug."""
    slug = re.sub(r"[^a-z0-9._-]+", "-", deployment_name.lower()).strip("-")
    return slug or "model"


@dataclass(frozen=True)
class UpstreamTarget:
    deployment_id: str
    mode: str  # "chat" | "completion" | "embedding"
    # What the engine expects as the request's `model` (transformers serve: the pinned folder;
    # OCI AQUA containers: "odsc-llm"). Clients may send anything; the proxy rewrites it.
    model: str
    # Local: http://127.0.0.1:<port>. OCI: the deployment's predict URL (…/<ocid>/predict).
    base_url: str
    # OCI model deployments take every OpenAI path on one predict URL, with the real path in a
    # `route` header; streaming answers come from `predictWithResponseStream`.
    oci_route: bool = False
    # Request signing (OCI); None locally.
    auth: httpx.Auth | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # The name clients see in /v1/models and in answers.
    served_model_name: str = ""
    # "openai" (vLLM, llama.cpp, TGI, OCI containers), "oci_genai" (a Generative AI endpoint: requests are
    # translated by the connections' OCI Generative AI dialect, services/genai_chat.py) or "transformers":
    # `transformers serve` refuses fields outside OpenAI's schema (top_k, stream_options) and takes extra sampling
    # settings as a whole generation config, so it needs the model's own defaults to merge into.
    dialect: str = "openai"
    # The deployment's max model length: a turn may not ask for more new tokens than this.
    max_model_len: int | None = None
    generation_defaults: dict[str, object] | None = None
    # The engine's Prometheus metrics (vLLM, llama.cpp), when it exposes them to this server.
    metrics_url: str | None = None
    # "oci_genai" (an OCI Generative AI endpoint; `dialect` above): the compartment its requests name.
    compartment_id: str | None = None
    # "oci_genai": DEDICATED (`model` is an endpoint's OCID) or ON_DEMAND (`model` is a base model's OCID that
    # OCI serves per call, services/genai_on_demand.py).
    genai_serving_mode: str = "DEDICATED"
    # The engine and the model's capability, where the target knows them: whether a turn may hold
    # images is decided from them (services/chat_images.py).
    engine: str | None = None
    capability: str | None = None

    def request(self, openai_path: str, *, stream: bool) -> tuple[str, dict[str, str]]:
        """The URL and extra headers for one OpenAI request (`/v1/chat/completions`…)."""
        headers = dict(self.headers)
        if not self.oci_route:
            return self.base_url.rstrip("/") + openai_path, headers
        headers["route"] = openai_path
        url = self.base_url.rstrip("/")
        return (url + "WithResponseStream" if stream else url), headers
