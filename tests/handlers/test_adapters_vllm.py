"""Adapters changed on a running vLLM engine ("live"), against a stand-in for vLLM's OpenAI server
(tests/fake_engines/vllm_site: vLLM needs a CUDA GPU this machine lacks; a stand-in nvidia-smi reports one).
Real LoRA fine-tunes of the demo model (ranks 16 and 8) are deployed with engine vllm; a change the engine
can take goes through /v1/load_lora_adapter and /v1/unload_lora_adapter on the same process, and each adapter
then answers through the pass-through. (A rank above what the engine was started with restarts it: the rule is
tests/unit/test_adapters.py's, the restart is llama.cpp's path in test_adapters.py.)"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from aqua_ext.backends.local import engines
from tests.handlers.test_adapters import train
from tests.handlers.test_deployments import DEMO, wait_state
from tests.model_folders import needs_local_extra

pytestmark = [needs_local_extra, pytest.mark.engine]

FAKE_ENGINES = Path(__file__).resolve().parents[1] / "fake_engines"


@pytest.fixture
def vllm_requests(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A GPU on PATH before the server starts (its hardware is read once); what the stand-in was asked."""
    monkeypatch.setenv("PATH", f"{FAKE_ENGINES / 'gpu'}{os.pathsep}{os.environ['PATH']}")
    requests = tmp_path / "vllm-requests.jsonl"
    monkeypatch.setenv("FAKE_VLLM_REQUESTS", str(requests))
    return requests


def install_vllm(monkeypatch: pytest.MonkeyPatch) -> None:
    """vLLM "installed": found by this process (the engine list) and imported by the engine's process. Only
    after the fine-tunes: a training job must not find a vLLM to import (trl looks for one)."""
    site = str(FAKE_ENGINES / "vllm_site")
    monkeypatch.syspath_prepend(site)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (site, os.environ.get("PYTHONPATH")) if p))


def lora_calls(requests: Path) -> list[tuple[str, str]]:
    lines = requests.read_text(encoding="utf-8").splitlines() if requests.exists() else []
    calls = [json.loads(line) for line in lines]
    return [(c["path"].rsplit("/", 1)[1], c["body"]["lora_name"]) for c in calls if "lora_adapter" in c["path"]]


def engine_pid(data_dir: Path, deployment_id: str) -> int:
    record = engines.read_run_record(engines.run_record_path(data_dir / "deployments" / deployment_id / "engine.log"))
    assert record is not None
    return record.pid


async def answer_of(api: Any, deployment_id: str, model: str) -> tuple[int, Any]:
    body = {"model": model, "messages": [{"role": "user", "content": "안녕하세요"}], "max_tokens": 4}
    return await api(f"deployments/{deployment_id}/v1/chat/completions", method="POST", body=body)


async def test_vllm_adapters_change_on_the_running_engine(
    vllm_requests: Path,
    api: Any,
    jp_root_dir: Path,
    aqua_data_dir: Path,
    demo_ready: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wide = await train(api, jp_root_dir, "넓은", "red", shape="cpu", lora_r=16, lora_alpha=16, epochs=1)
    narrow = await train(api, jp_root_dir, "좁은", "blue", shape="cpu", epochs=1)
    install_vllm(monkeypatch)
    status, created = await api(
        "deployments",
        method="POST",
        body={
            "model_id": DEMO,
            "name": "vllm-lora",
            "engine": "vllm",
            "adapters": [{"model_id": wide, "name": "wide"}],
        },
    )
    assert status == 202, created
    dep = created["deployment"]["id"]
    try:
        detail = await wait_state(api, dep, "ACTIVE", "FAILED", timeout=120)
        assert detail["state"] == "ACTIVE", detail
        started = engine_pid(aqua_data_dir, dep)
        status, answer = await answer_of(api, dep, "wide")
        assert status == 200 and answer["choices"][0]["message"]["content"] == "answered by wide", answer

        # The rank-16 adapter out, the rank-8 one in: the engine (started for rank 16) takes it live.
        status, changed = await api(
            f"deployments/{dep}/adapters", method="PUT", body={"adapters": [{"model_id": narrow, "name": "narrow"}]}
        )
        assert status == 200 and changed["applied"] == "live", changed
        assert lora_calls(vllm_requests) == [("unload_lora_adapter", "wide"), ("load_lora_adapter", "narrow")]
        status, answer = await answer_of(api, dep, "narrow")
        assert status == 200 and answer["choices"][0]["message"]["content"] == "answered by narrow", answer
        status, err = await answer_of(api, dep, "wide")
        assert status == 400 and err["error"]["param"] == "model", err

        # The rank-16 one back: still live, as the engine runs with rank 16 (not the rank 8 its last set needed).
        status, changed = await api(
            f"deployments/{dep}/adapters", method="PUT", body={"adapters": [{"model_id": wide, "name": "wide"}]}
        )
        assert status == 200 and changed["applied"] == "live", changed
        assert lora_calls(vllm_requests)[2:] == [("unload_lora_adapter", "narrow"), ("load_lora_adapter", "wide")]
        assert engine_pid(aqua_data_dir, dep) == started  # the same engine all along

        # Both: more than the one adapter it batches (--max-loras 1): the engine restarts with both.
        both = [{"model_id": narrow, "name": "narrow"}, {"model_id": wide, "name": "wide"}]
        status, changed = await api(f"deployments/{dep}/adapters", method="PUT", body={"adapters": both})
        assert status == 202 and changed["applied"] == "restart", changed
        assert (await wait_state(api, dep, "ACTIVE", "FAILED", timeout=120))["state"] == "ACTIVE"
        assert engine_pid(aqua_data_dir, dep) != started
        for name in ("narrow", "wide"):
            status, answer = await answer_of(api, dep, name)
            assert status == 200 and answer["choices"][0]["message"]["content"] == f"answered by {name}", answer
    finally:
        await api(f"deployments/{dep}", method="DELETE")
