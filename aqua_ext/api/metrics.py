"""A deployment's serving metrics: what its engine says on its Prometheus `/metrics` (vLLM,
llama.cpp) and what this server measured while relaying its requests (every engine)."""

from __future__ import annotations

from datetime import datetime

from .common import ApiModel


class EngineMetrics(ApiModel):
    """The engine's own numbers, read from its `/metrics`; None where this engine has no such metric."""

    engine: str  # "vllm", "llama.cpp"
    requests_running: float | None
    requests_waiting: float | None
    kv_cache_usage: float | None  # 0..1
    # Generation tokens per second: vLLM's counter between two reads of this server; llama.cpp's
    # own average over its recent decoding.
    tokens_per_s: float | None
    generation_tokens_total: float | None
    # From the engine's time-to-first-token histogram (vLLM), bucket upper bounds: since its start.
    ttft_p50_ms: float | None
    ttft_p95_ms: float | None


class ProxyMetrics(ApiModel):
    """What this server measured on the requests it relayed (chat and the OpenAI pass-through)."""

    window_s: float  # requests_in_window and the percentiles cover this many seconds
    requests_total: int  # since this server started
    requests_in_window: int
    in_flight: int
    tokens_per_s: float  # over the last minute
    ttft_p50_ms: float | None
    ttft_p95_ms: float | None
    last_request_age_s: float | None


class DeploymentMetrics(ApiModel):
    deployment_id: str
    measured_at: datetime
    # None when the engine exposes no metrics; `engine_note` says why (or why they could not be read).
    engine: EngineMetrics | None
    engine_note: str | None
    proxy: ProxyMetrics
    # As in the deployment's detail, as of now: the panel's countdown follows the requests.
    idle_stop_at: datetime | None
