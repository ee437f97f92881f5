"""A deployment's serving metrics: its engine's Prometheus `/metrics` (vLLM, llama.cpp's
llama-server started with --metrics), read on demand and reduced to a few numbers, beside what this
server measured while relaying its requests (services/traffic.py, every engine).

The text is parsed by prometheus_client's parser (jupyter_server depends on it, so it is always
there). Metric names, as the engines' sources define them:
- vLLM (vllm/v1/metrics/loggers.py; V0: vllm/engine/metrics.py): `vllm:num_requests_running`,
  `vllm:num_requests_waiting` (gauges), `vllm:kv_cache_usage_perc` (`vllm:gpu_cache_usage_perc`
  before 0.10; 0..1), `vllm:generation_tokens_total` (counter),
  `vllm:time_to_first_token_seconds` (histogram); one series per engine core (label `engine`).
- llama.cpp (tools/server/server.cpp, `/metrics`): `llamacpp:requests_processing`,
  `llamacpp:requests_deferred` (gauges), `llamacpp:kv_cache_usage_ratio` (gone from newer builds),
  `llamacpp:tokens_predicted_total` (counter), `llamacpp:predicted_tokens_seconds` (gauge: its own
  average generation speed); no time-to-first-token histogram."""

from __future__ import annotations

import asyncio
import math
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import httpx
from prometheus_client.parser import text_string_to_metric_families

from ..api.deployments import DeploymentState
from ..api.metrics import DeploymentMetrics, EngineMetrics
from ..errors import AquaError

if TYPE_CHECKING:
    from .deployments import Deployments

READ_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class _Names:
    engine: str
    running: str
    waiting: str
    kv_cache: tuple[str, ...]  # the first one present
    generated: str  # the generation tokens counter's sample name
    speed: str | None  # a gauge of the engine's own tokens/s, where it has one
    ttft: str | None  # the time-to-first-token histogram


_ENGINES = {
    "vllm:": _Names(
        engine="vllm",
        running="vllm:num_requests_running",
        waiting="vllm:num_requests_waiting",
        kv_cache=("vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc"),
        generated="vllm:generation_tokens_total",
        speed=None,
        ttft="vllm:time_to_first_token_seconds",
    ),
    "llamacpp:": _Names(
        engine="llama.cpp",
        running="llamacpp:requests_processing",
        waiting="llamacpp:requests_deferred",
        kv_cache=("llamacpp:kv_cache_usage_ratio",),
        generated="llamacpp:tokens_predicted_total",
        speed="llamacpp:predicted_tokens_seconds",
        ttft=None,
    ),
}


@dataclass(frozen=True)
class Reading:
    """One read of an engine's /metrics: the counter tokens/s is computed from two of them."""

    at: float
    generated: float | None


class ParsedMetrics:
    """The samples of one /metrics text, summed over the series of each name (vLLM has one series
    per engine core and model), and the histogram buckets by upper bound."""

    def __init__(self, text: str) -> None:
        self.values: dict[str, float] = defaultdict(float)
        self.highest: dict[str, float] = {}
        self.buckets: dict[str, dict[float, float]] = defaultdict(lambda: defaultdict(float))
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name.endswith("_bucket") and "le" in sample.labels:
                    self.buckets[sample.name[: -len("_bucket")]][float(sample.labels["le"])] += sample.value
                    continue
                self.values[sample.name] += sample.value
                self.highest[sample.name] = max(self.highest.get(sample.name, -math.inf), sample.value)

    def get(self, name: str) -> float | None:
        return self.values.get(name)

    def quantile(self, histogram: str, q: float) -> float | None:
        """The upper bound of the bucket holding the q-quantile (Prometheus buckets are cumulative);
        None without observations, or when it lies in the +Inf bucket (no bound to give)."""
        buckets = sorted(self.buckets.get(histogram, {}).items())
        total = buckets[-1][1] if buckets else 0.0
        if total <= 0:
            return None
        for bound, count in buckets:
            if count >= q * total:
                return None if math.isinf(bound) else bound
        return None


def engine_metrics(text: str, previous: Reading | None, now: float) -> tuple[EngineMetrics | None, Reading]:
    """The numbers the panel shows, from one /metrics text (None: not an engine this reads)."""
    parsed = ParsedMetrics(text)
    names = next((n for prefix, n in _ENGINES.items() if any(k.startswith(prefix) for k in parsed.values)), None)
    if names is None:
        return None, Reading(at=now, generated=None)
    generated = parsed.get(names.generated)
    speed: float | None = None
    if previous is not None and previous.generated is not None and generated is not None and now > previous.at:
        delta = generated - previous.generated
        speed = delta / (now - previous.at) if delta >= 0 else None  # a restarted engine starts from 0
    if speed is None and names.speed is not None:
        speed = parsed.get(names.speed)
    kv = next((parsed.highest[k] for k in names.kv_cache if k in parsed.highest), None)
    ttft = names.ttft
    return (
        EngineMetrics(
            engine=names.engine,
            requests_running=parsed.get(names.running),
            requests_waiting=parsed.get(names.waiting),
            kv_cache_usage=kv,
            tokens_per_s=None if speed is None else round(speed, 2),
            generation_tokens_total=generated,
            ttft_p50_ms=_ms(parsed.quantile(ttft, 0.5)) if ttft else None,
            ttft_p95_ms=_ms(parsed.quantile(ttft, 0.95)) if ttft else None,
        ),
        Reading(at=now, generated=generated),
    )


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


class ServingMetrics:
    """The metrics route's work: the deployment (404 when unknown), its engine's metrics when it is
    ACTIVE and exposes them, and the proxy's own measures."""

    def __init__(self, deployments: Deployments, *, clock: Callable[[], float] = time.time) -> None:
        self.deployments = deployments
        self._clock = clock
        self._previous: dict[str, Reading] = {}

    async def read(self, deployment_id: str, http: httpx.AsyncClient) -> DeploymentMetrics:
        detail = await self.deployments.get(deployment_id)
        engine, note = None, None
        if detail.state != DeploymentState.ACTIVE:
            note = f"The deployment is {detail.state.value}: its engine is not running."
            # A stopped engine's counters start again from zero: its last reading is no base for a rate, and
            # deleted deployments leave nothing behind here.
            self._previous.pop(deployment_id, None)
        else:
            engine, note = await self._engine(deployment_id, http)
        return DeploymentMetrics(
            deployment_id=detail.id,
            measured_at=datetime.fromtimestamp(self._clock(), tz=timezone.utc),
            engine=engine,
            engine_note=note,
            proxy=self.deployments.traffic.snapshot(detail.id),
            idle_stop_at=detail.idle_stop_at,
        )

    async def _engine(self, deployment_id: str, http: httpx.AsyncClient) -> tuple[EngineMetrics | None, str | None]:
        try:
            target = await self.deployments.upstream(deployment_id)
        except AquaError as exc:
            return None, exc.message
        if target.metrics_url is None:
            where = "an OCI model deployment answers predict calls only" if target.oci_route else "this engine"
            return None, f"No engine metrics: {where} exposes no Prometheus /metrics to this server."
        try:
            response = await http.get(target.metrics_url, timeout=READ_TIMEOUT_S)
        except httpx.HTTPError as exc:
            return None, f"The engine's /metrics did not answer: {exc or type(exc).__name__}"
        if response.status_code != 200:
            return None, f"The engine's /metrics answered HTTP {response.status_code}."
        try:
            # A vLLM /metrics is tens of kB: parsed off the event loop.
            engine, reading = await asyncio.to_thread(
                engine_metrics, response.text, self._previous.get(deployment_id), self._clock()
            )
        except ValueError as exc:
            return None, f"The engine's /metrics is not Prometheus text: {exc}"
        self._previous[deployment_id] = reading
        if engine is None:
            return None, "The engine's /metrics holds no vLLM or llama.cpp metrics."
        return engine, None
