"""The playground's embeddings view: embed texts on a deployment and compare them."""

from __future__ import annotations

import math
import time
from typing import Any

import httpx

from ..api.deployments import ChatUsage, EmbedResponse
from ..api.upstream import UpstreamTarget
from ..errors import Upstream
from . import genai_chat


class EngineUnreachable(Upstream):
    """The request never got an answer: the engine may be gone."""


def usage_of(usage: dict[str, Any] | None) -> ChatUsage | None:
    """An engine's `usage` object as the contract's, ignoring fields the contract does not know."""
    return ChatUsage.model_validate({k: usage.get(k) for k in ChatUsage.model_fields}) if usage else None


def cosine_matrix(vectors: list[list[float]]) -> list[list[float]]:
    norms = [math.sqrt(sum(x * x for x in v)) or 1.0 for v in vectors]
    return [
        [
            round(sum(a * b for a, b in zip(u, v, strict=True)) / (nu * nv), 6)
            for v, nv in zip(vectors, norms, strict=True)
        ]
        for u, nu in zip(vectors, norms, strict=True)
    ]


async def embed(client: httpx.AsyncClient, target: UpstreamTarget, inputs: list[str]) -> EmbedResponse:
    started = time.perf_counter()
    if genai_chat.speaks_genai(target):  # a Generative AI endpoint: its dialect answers OpenAI's shape
        data = await genai_chat.embeddings(client, target, inputs)
    else:
        data = await _engine_embeddings(client, target, inputs)
    total_ms = round((time.perf_counter() - started) * 1000, 1)
    vectors = [row["embedding"] for row in sorted(data["data"], key=lambda r: r["index"])]
    return EmbedResponse(
        dimensions=len(vectors[0]) if vectors else 0,
        similarity=cosine_matrix(vectors),
        preview=[[round(x, 4) for x in v[:8]] for v in vectors],
        usage=usage_of(data.get("usage")),
        total_ms=total_ms,
    )


async def _engine_embeddings(client: httpx.AsyncClient, target: UpstreamTarget, inputs: list[str]) -> Any:
    url, headers = target.request("/v1/embeddings", stream=False)
    try:
        response = await client.post(
            url,
            json={"model": target.model, "input": inputs},
            headers=headers,
            auth=target.auth or httpx.USE_CLIENT_DEFAULT,
        )
    except httpx.HTTPError as exc:
        raise EngineUnreachable(f"Could not reach the engine: {exc or type(exc).__name__}") from None
    if not response.is_success:
        raise Upstream(f"The engine answered {response.status_code}: {response.text[:500]}")
    return response.json()
