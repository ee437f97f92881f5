"""GET deployments/<id>/metrics: the engine's own metrics (a stub upstream serving a vLLM /metrics
sample) beside what the server measured while relaying the chat route and the pass-through.

The backend's `get_deployment` and `upstream()` are pointed at the stub: this is about the route
and the measuring, not engines (tests/unit/test_serving_metrics.py reads the samples in detail)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from aqua_ext.api.deployments import DeploymentDetail, DeploymentState
from aqua_ext.api.upstream import UpstreamTarget
from tests.handlers.test_deployments import chat_events, wait_state
from tests.stub_upstream import StubConfig, StubUpstream
from tests.unit.test_lease import FAKE_ENGINES, gguf_folder

VLLM_SAMPLE = (Path(__file__).resolve().parents[1] / "fixtures" / "engine_metrics" / "vllm_v1.prom").read_text()
DEP = "dep-stub"


@pytest.fixture
def stub() -> Iterator[StubUpstream]:
    with StubUpstream(StubConfig(tokens=5, metrics=VLLM_SAMPLE)) as s:
        yield s


def detail(state: DeploymentState = DeploymentState.ACTIVE) -> DeploymentDetail:
    now = datetime.now(timezone.utc)
    return DeploymentDetail(
        id=DEP,
        name="스텁 スタブ",
        description="",
        model_id="m",
        model_name="m",
        state=state,
        state_message="",
        mode="chat",
        engine="vllm",
        shape="gpu",
        replicas=1,
        created_at=now,
        updated_at=now,
        openai_base_path=f"aqua-ext/deployments/{DEP}/v1",
        idle_stop_minutes=30,
        active_since=now if state == DeploymentState.ACTIVE else None,
    )


@pytest.fixture
def routed(jp_serverapp: Any, stub: StubUpstream, monkeypatch: pytest.MonkeyPatch) -> StubUpstream:
    [app] = jp_serverapp.extension_manager.extension_apps["aqua_ext"]
    backend = app.aqua_backend
    state = {"value": DeploymentState.ACTIVE}

    async def get_deployment(deployment_id: str) -> DeploymentDetail:
        return detail(state["value"])

    async def upstream(deployment_id: str) -> UpstreamTarget:
        return UpstreamTarget(
            deployment_id=deployment_id,
            mode="chat",
            model="stub-model",
            base_url=stub.url,
            served_model_name="stub",
            metrics_url=stub.url + "/metrics",
        )

    monkeypatch.setattr(backend, "get_deployment", get_deployment)
    monkeypatch.setattr(backend, "upstream", upstream)
    stub.state = state  # type: ignore[attr-defined]
    return stub


@pytest.fixture
def server(jp_fetch: Any, jp_serverapp: Any, jp_http_port: int, jp_base_url: str) -> tuple[str, dict[str, str]]:
    token = jp_serverapp.identity_provider.token
    return f"http://127.0.0.1:{jp_http_port}{jp_base_url}aqua-ext/deployments/{DEP}", {
        "Authorization": f"token {token}"
    }


HELLO = {"messages": [{"role": "user", "content": "안녕하세요, こんにちは"}], "max_tokens": 4}


async def test_metrics_show_the_engine_and_what_the_proxy_relayed(routed: StubUpstream, server: Any) -> None:
    url, headers = server
    async with httpx.AsyncClient(headers=headers, timeout=30) as client:
        before = (await client.get(url + "/metrics")).json()
        assert before["proxy"]["requests_total"] == 0 and before["proxy"]["last_request_age_s"] is None

        assert (await client.post(url + "/chat", json=HELLO)).status_code == 200
        streamed = await client.post(
            url + "/v1/chat/completions", json={**HELLO, "model": "x", "stream": True, "max_tokens": 3}
        )
        assert streamed.status_code == 200 and b"[DONE]" in streamed.content
        whole = await client.post(url + "/v1/chat/completions", json={**HELLO, "model": "x", "max_tokens": 2})
        assert whole.status_code == 200

        r = await client.get(url + "/metrics")
        assert r.status_code == 200, r.text
        body = r.json()
        proxy = body["proxy"]
        assert (proxy["requests_total"], proxy["requests_in_window"], proxy["in_flight"]) == (3, 3, 0)
        assert proxy["tokens_per_s"] > 0 and proxy["ttft_p50_ms"] is not None and proxy["ttft_p95_ms"] is not None
        engine = body["engine"]
        assert engine["engine"] == "vllm" and engine["requests_running"] == 3 and engine["kv_cache_usage"] == 0.1875
        assert body["engine_note"] is None and body["idle_stop_at"] is not None

        # The detail shows the last request and when idle stop will act.
        shown = (await client.get(url)).json()
        assert shown["last_request_at"] is not None and shown["idle_stop_at"] is not None


async def test_a_refused_request_is_no_traffic(routed: StubUpstream, server: Any) -> None:
    url, headers = server
    async with httpx.AsyncClient(headers=headers, timeout=30) as client:
        bad = await client.post(url + "/chat", json={"messages": []})
        assert bad.status_code == 400
        assert (await client.get(url + "/metrics")).json()["proxy"]["requests_total"] == 0


async def test_an_engine_without_metrics_and_a_stopped_deployment_say_why(routed: StubUpstream, server: Any) -> None:
    url, headers = server
    routed.config.metrics = None
    async with httpx.AsyncClient(headers=headers, timeout=30) as client:
        body = (await client.get(url + "/metrics")).json()
        assert body["engine"] is None and "HTTP 404" in body["engine_note"]
        routed.state["value"] = DeploymentState.INACTIVE  # type: ignore[attr-defined]
        body = (await client.get(url + "/metrics")).json()
        assert body["engine"] is None and "INACTIVE" in body["engine_note"]


async def test_an_unknown_deployment_is_404(api: Any) -> None:
    status, err = await api("deployments/dep-nope/metrics")
    assert status == 404, err


@pytest.mark.parametrize("body", [{"idle_stop_minutes": 4}, {"idle_stop_minutes": "soon"}, {}])
async def test_a_bad_idle_stop_is_400_naming_the_field(api: Any, body: dict[str, Any]) -> None:
    status, err = await api("deployments/dep-nope", method="PATCH", body=body)
    assert status == 400, err
    assert err["fields"][0]["field"] == "idle_stop_minutes", err


async def test_patching_an_unknown_deployment_is_404(api: Any) -> None:
    status, err = await api("deployments/dep-nope", method="PATCH", body={"idle_stop_minutes": None})
    assert status == 404, err


@pytest.mark.engine
async def test_idle_stop_end_to_end_in_the_server(
    api: Any, jp_fetch: Any, jp_serverapp: Any, jp_root_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deployed over HTTP on the stand-in llama-server with an idle stop; a chat through the server's
    own route counts; the server's idle-stop watcher (its look, with the traffic clock moved on)
    deactivates it through the local driver; the detail says why."""
    monkeypatch.setenv("PATH", f"{FAKE_ENGINES}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_LLAMA_REQUESTS", str(tmp_path / "llama-requests.jsonl"))
    folder = gguf_folder(jp_root_dir)
    status, registered = await api("models", method="POST", body={"source": "local_folder", "path": str(folder)})
    assert status == 202, registered
    status, created = await api(
        "deployments",
        method="POST",
        body={"model_id": registered["model"]["id"], "name": "유휴 アイドル", "idle_stop_minutes": 5},
    )
    assert status == 202, created
    dep = created["deployment"]["id"]
    try:
        detail = await wait_state(api, dep, "ACTIVE", "FAILED", timeout=60)
        assert detail["state"] == "ACTIVE" and detail["idle_stop_minutes"] == 5 and detail["active_since"]
        events = await chat_events(jp_fetch, dep, {"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 8})
        assert events[-1][0] == "done"
        _, detail = await api(f"deployments/{dep}")
        assert detail["last_request_at"] is not None and detail["idle_stop_at"] is not None

        [app] = jp_serverapp.extension_manager.extension_apps["aqua_ext"]
        traffic = app.services.deployments.traffic
        assert traffic.last_request(dep) is not None and traffic.in_flight(dep) == 0
        later = time.time() + 5 * 60 + 1
        monkeypatch.setattr(traffic, "clock", lambda: later)
        assert await app.services.idle_stop.look() == [dep]
        _, stopped = await api(f"deployments/{dep}")
        assert stopped["state"] == "INACTIVE" and stopped["state_message"].startswith("Stopped by idle stop")
        assert "activate" in stopped["actions"]
    finally:
        await api(f"deployments/{dep}", method="DELETE")
