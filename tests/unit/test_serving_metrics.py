"""Serving metrics: the engines' /metrics texts (tests/fixtures/engine_metrics, sources in its
SOURCES.md) reduced to the panel's numbers, and what the proxy measures (services/traffic.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aqua_ext.services.serving_metrics import engine_metrics
from aqua_ext.services.traffic import RATE_WINDOW_S, WINDOW_S, Traffic

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "engine_metrics"


def sample(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_vllm_v1_gauges_histogram_and_the_counter_between_two_reads() -> None:
    text = sample("vllm_v1.prom")
    first, reading = engine_metrics(text, None, now=1000.0)
    assert first is not None and first.engine == "vllm"
    assert (first.requests_running, first.requests_waiting) == (3.0, 1.0)
    assert first.kv_cache_usage == pytest.approx(0.1875)
    assert first.generation_tokens_total == 4096.0
    # 20 first tokens: the 10th falls in the 60 ms bucket, the 19th in the 250 ms one.
    assert (first.ttft_p50_ms, first.ttft_p95_ms) == (60.0, 250.0)
    assert first.tokens_per_s is None  # one read of a counter says no rate

    later = text.replace("} 4096.0", "} 4196.0")  # 100 more tokens, read 10 s later
    second, _ = engine_metrics(later, reading, now=1010.0)
    assert second is not None and second.tokens_per_s == 10.0


def test_vllm_series_of_several_engine_cores_are_summed() -> None:
    text = sample("vllm_v1.prom")
    core = "\n".join(
        line.replace('engine="0"', 'engine="1"')
        for line in text.splitlines()
        if line.startswith(("vllm:num_requests_running", "vllm:kv_cache_usage_perc"))
    )
    two = text.replace("vllm:num_requests_running{", core + "\nvllm:num_requests_running{", 1)
    metrics, _ = engine_metrics(two, None, now=0.0)
    assert metrics is not None and metrics.requests_running == 6.0
    assert metrics.kv_cache_usage == pytest.approx(0.1875)  # the fullest core, not a sum over 1


def test_vllm_v0_reads_the_gpu_cache_gauge() -> None:
    metrics, _ = engine_metrics(sample("vllm_v0.prom"), None, now=0.0)
    assert metrics is not None
    assert metrics.kv_cache_usage == 0.0 and metrics.requests_running == 0.0
    assert metrics.generation_tokens_total == 87.0
    assert (metrics.ttft_p50_ms, metrics.ttft_p95_ms) == (100.0, 100.0)  # one request, in the 100 ms bucket


def test_llama_cpp_gauges_and_its_own_speed() -> None:
    text = sample("llama_cpp.prom")
    metrics, reading = engine_metrics(text, None, now=50.0)
    assert metrics is not None and metrics.engine == "llama.cpp"
    assert (metrics.requests_running, metrics.requests_waiting) == (1.0, 2.0)
    assert metrics.kv_cache_usage == pytest.approx(0.421875)
    assert metrics.tokens_per_s == 0.98  # the engine's own gauge, before a second read
    assert metrics.ttft_p50_ms is None and metrics.ttft_p95_ms is None  # llama-server has no such histogram
    later, _ = engine_metrics(text.replace("tokens_predicted_total 3469", "tokens_predicted_total 3509"), reading, 54.0)
    assert later is not None and later.tokens_per_s == 10.0


def test_llama_cpp_builds_without_the_kv_cache_gauge() -> None:
    text = "\n".join(line for line in sample("llama_cpp.prom").splitlines() if "kv_cache" not in line) + "\n"
    metrics, _ = engine_metrics(text, None, now=0.0)
    assert metrics is not None and metrics.kv_cache_usage is None and metrics.requests_running == 1.0


def test_an_engine_restart_gives_no_negative_speed() -> None:
    _, reading = engine_metrics(sample("vllm_v1.prom"), None, now=0.0)
    restarted, _ = engine_metrics(sample("vllm_v1.prom").replace("} 4096.0", "} 12.0"), reading, now=5.0)
    assert restarted is not None and restarted.tokens_per_s is None


def test_text_of_another_program_is_not_read_as_an_engine() -> None:
    metrics, _ = engine_metrics("# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 1.5\n", None, 0.0)
    assert metrics is None
    with pytest.raises(ValueError):
        engine_metrics("vllm:num_requests_running{engine= 3\n", None, 0.0)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_the_proxy_measures_requests_tokens_and_first_tokens_over_a_window() -> None:
    clock = Clock()
    traffic = Traffic(clock=clock)
    for ttft in (0.1, 0.2, 0.3, 0.4, 1.0):
        meter = traffic.begin("dep-한국")
        clock.now += ttft
        meter.tokens()
        clock.now += 1.0
        meter.tokens(9)
        meter.end()
    running = traffic.begin("dep-한국")
    snap = traffic.snapshot("dep-한국")
    assert (snap.requests_total, snap.requests_in_window, snap.in_flight) == (6, 5, 1)
    assert (snap.ttft_p50_ms, snap.ttft_p95_ms) == (300.0, 1000.0)
    assert snap.tokens_per_s == round(50 / RATE_WINDOW_S, 2)
    assert snap.last_request_age_s == 0.0
    running.end(tokens=0)
    running.end()  # a second end (finish, then a closed connection) counts once
    assert traffic.in_flight("dep-한국") == 0

    clock.now += WINDOW_S + 1
    later = traffic.snapshot("dep-한국")
    assert later.requests_in_window == 0 and later.ttft_p50_ms is None and later.tokens_per_s == 0.0
    assert later.requests_total == 6
    assert traffic.snapshot("dep-日本").requests_total == 0  # a deployment nothing was relayed to


def test_the_engine_token_count_replaces_the_proxy_count() -> None:
    clock = Clock()
    traffic = Traffic(clock=clock)
    meter = traffic.begin("d")
    meter.tokens(2)  # two coalesced deltas
    meter.end(tokens=7)  # the engine's usage says 7
    assert traffic.snapshot("d").tokens_per_s == round(7 / RATE_WINDOW_S, 2)
