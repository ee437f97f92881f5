"""An evaluation of a Generative AI endpoint, as of any deployment, and of an on-demand model: the local target's
job asks it through the OCI Generative AI dialect (DEDICATED or ON_DEMAND serving), signing as the server does,
against the emulator."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from tests.handlers.test_genai import GENAI_SERVICES, hosting_cluster, imported, wait_operation
from tests.oci_setup import OciWorld

ROWS = [
    {"prompt": "한국의 수도는 어디인가요?", "completion": "서울", "category": "한국어"},
    {"prompt": "日本の首都はどこですか？", "completion": "東京", "category": "日本語"},
]


@pytest.fixture
def jp_server_config(world: OciWorld, aqua_data_dir: Path) -> dict[str, Any]:
    world.emulator.transition_seconds = 0.05
    traits = world.traits(
        backend="auto",
        targets=["local", "oci", "genai"],
        data_dir=str(aqua_data_dir),
        generate_demo_model=False,
        oci_endpoints={s: world.emulator.endpoint(s) for s in GENAI_SERVICES},
    )
    return {
        "ServerApp": {"jpserver_extensions": {"aqua_ext": True}, "allow_unauthenticated_access": False},
        "AquaExtension": traits,
    }


async def test_an_endpoint_is_evaluated_by_the_local_job(api: Any, world: OciWorld, jp_root_dir: Path) -> None:
    model_id = await imported(api, world)
    cluster = await hosting_cluster(api, model_id)
    body = {"display_name": "평가 評価", "model_id": model_id, "dedicated_ai_cluster_id": cluster["id"]}
    status, created = await api("genai/endpoints", method="POST", body=body)
    assert status == 202, created
    assert (await wait_operation(api, created["operation"]["id"]))["state"] == "SUCCEEDED"
    endpoint_id = created["endpoint"]["id"]
    status, detail = await api(f"deployments/{endpoint_id}")
    assert "evaluate" in detail["actions"], detail

    (jp_root_dir / "capitals.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS), encoding="utf-8"
    )
    request = {
        "deployment_id": endpoint_id,
        "name": "endpoint eval",
        "dataset_path": "capitals.jsonl",
        "metrics": ["exact_match", "latency"],
        "params": {"max_tokens": 8, "temperature": 0.0},
    }
    status, started = await api("evaluations", method="POST", body=request)
    assert status == 202, started
    evaluation = started["evaluation"]
    assert evaluation["target"] == "local"
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 90
    while evaluation["state"] not in ("SUCCEEDED", "FAILED", "CANCELED"):
        assert loop.time() < deadline, evaluation
        await asyncio.sleep(0.3)
        status, evaluation = await api(f"evaluations/{evaluation['id']}")
        assert status == 200, evaluation
    assert evaluation["state"] == "SUCCEEDED", evaluation
    status, rows = await api(f"evaluations/{evaluation['id']}/rows")
    assert status == 200 and len(rows["items"]) == 2, rows
    assert all(r["output"] and r["error"] is None for r in rows["items"]), rows


async def test_an_on_demand_model_is_evaluated_by_the_local_job(api: Any, world: OciWorld, jp_root_dir: Path) -> None:
    """A base model OCI serves on demand, named by its OCID as the deployment: no cluster, no endpoint."""
    model_id = str(world.emulator.generative_ai.base_model("meta.llama-3.3-70b-instruct")["id"])
    (jp_root_dir / "capitals.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS), encoding="utf-8"
    )
    request = {
        "deployment_id": model_id,
        "name": "on-demand eval 온디맨드",
        "dataset_path": "capitals.jsonl",
        "metrics": ["exact_match", "latency"],
        "params": {"max_tokens": 8, "temperature": 0.0},
    }
    status, started = await api("evaluations", method="POST", body=request)
    assert status == 202, started
    evaluation = started["evaluation"]
    assert evaluation["target"] == "local" and evaluation["deployment_name"] == "meta.llama-3.3-70b-instruct"
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 90
    while evaluation["state"] not in ("SUCCEEDED", "FAILED", "CANCELED"):
        assert loop.time() < deadline, evaluation
        await asyncio.sleep(0.3)
        status, evaluation = await api(f"evaluations/{evaluation['id']}")
        assert status == 200, evaluation
    assert evaluation["state"] == "SUCCEEDED", evaluation
    status, rows = await api(f"evaluations/{evaluation['id']}/rows")
    assert status == 200 and len(rows["items"]) == 2, rows
    # The emulator's echo of each prompt: the job asked the model ON_DEMAND, signed as the server signs.
    assert all(r["output"] == f"Echo: {r['prompt']}" and r["error"] is None for r in rows["items"]), rows
    assert world.emulator.calls["Chat"] >= 2


async def test_an_unknown_on_demand_model_is_a_400_naming_deployment_id(api: Any, world: OciWorld) -> None:
    request = {
        "deployment_id": "ocid1.generativeaimodel.oc1.us-chicago-1.nosuchmodel",
        "name": "없는 모델",
        "dataset_path": "capitals.jsonl",
    }
    status, error = await api("evaluations", method="POST", body=request)
    assert status == 400, error
    assert "deployment_id" in [f["field"] for f in error["fields"]], error
