"""Generative AI models and fine-tunes in the merged lists (GET models, GET finetunes) beside the other
targets', with the actions the genai service's rules decide, against the OCI emulator."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.handlers.test_genai import (
    FINETUNE_CASES,
    base_model,
    imported,
    jp_server_config,  # noqa: F401  (the genai server configuration)
    start_finetune,
    wait_operation,
)
from tests.oci_setup import OciWorld


async def eventually(check: Any, what: str) -> None:
    """Polls `check()` (an awaitable of a bool) until it holds: the emulator deletes over time, however busy
    the machine is."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while not await check():
        assert loop.time() < deadline, what
        await asyncio.sleep(0.1)


async def test_merged_models_offer_deploy_and_finetune_by_the_genai_rule(api: Any, world: OciWorld) -> None:
    model_id = await imported(api, world, prefix="병합")
    status, merged = await api("models")
    assert status == 200, merged
    cards = {m["id"]: m for m in merged["items"] if m["target"] == "genai"}
    # An ACTIVE imported model is hosted (Deploy opens the endpoint form) and deleted; a base model that lists
    # FINE_TUNE is fine-tuned; a base model that cannot be fine-tuned offers nothing.
    assert cards[model_id]["actions"] == ["deploy", "delete"]
    assert cards[base_model(world, "cohere.command-r-08-2024")]["actions"] == ["finetune"]
    assert cards[base_model(world, "meta.llama-3.3-70b-instruct")]["actions"] == []
    status, detail = await api(f"models/{model_id}")
    assert status == 200, detail
    assert detail["target"] == "genai" and detail["actions"] == ["deploy", "delete"]
    status, detail = await api(f"models/{base_model(world, 'cohere.command-r-08-2024')}")
    assert status == 200 and detail["actions"] == ["finetune"], detail

    # Deleting follows the same rule: a base model is refused (409), an imported one goes.
    status, refused = await api(f"models/{base_model(world, 'cohere.command-r-08-2024')}", method="DELETE")
    assert status == 409, refused
    assert "Generative AI" in refused["message"]
    status, _ = await api(f"models/{model_id}", method="DELETE")
    assert status == 204

    async def gone() -> bool:
        status, _ = await api(f"genai/models/{model_id}")
        return bool(status == 404)

    await eventually(gone, f"{model_id} still answers after its delete")


@pytest.mark.parametrize(("base", "config"), FINETUNE_CASES)
async def test_genai_finetunes_are_jobs_of_the_merged_list(
    api: Any, world: OciWorld, base: str, config: dict[str, Any]
) -> None:
    method = {"LORA_TRAINING_CONFIG": "lora", "TFEW_TRAINING_CONFIG": "tfew"}[config["training_config_type"]]
    world.emulator.transition_seconds = 0.3  # long enough to see it train
    created = await start_finetune(api, world, base, config, "병합 미세 조정 マージ")
    job_id = created["finetune"]["id"]
    status, listed = await api("finetunes")
    assert status == 200, listed
    training = next(j for j in listed["items"] if j["id"] == job_id)
    # While the work request runs: in progress, nothing to deploy yet and no cancel from here.
    assert training["target"] == "genai" and training["state"] == "IN_PROGRESS", training
    assert training["actions"] == [] and training["output_model_id"] is None
    assert training["training_type"] == method and training["base_model_name"] == base

    op = await wait_operation(api, created["operation"]["id"])
    assert op["state"] == "SUCCEEDED", op
    status, job = await api(f"finetunes/{job_id}")
    assert status == 200, job
    assert job["state"] == "SUCCEEDED" and job["progress"] == 1.0 and job["target"] == "genai"
    assert job["actions"] == ["deploy", "delete"] and job["output_model_id"] == job_id
    assert job["final_accuracy"] > 0 and job["final_validation_loss"] > 0
    assert job["dataset_path"].endswith("/train.jsonl") and job["validation_split"] == 0.2
    assert job["shape"] and job["name"] == "병합 미세 조정 マージ"
    # What the request set is what the job reports (a field left out takes the service's default).
    if "total_training_epochs" in config:
        assert job["params"]["epochs"] == config["total_training_epochs"]
    if "lora_r" in config:
        assert job["params"]["lora_r"] == config["lora_r"]
    status, metrics = await api(f"finetunes/{job_id}/metrics")
    assert status == 200 and metrics["points"] == [] and metrics["state"] == "SUCCEEDED", metrics
    status, logs = await api(f"finetunes/{job_id}/logs")
    assert status == 200 and logs["lines"] == [], logs
    # The genai route follows the same rule in its words; the result's model card offers Deploy.
    status, genai = await api(f"genai/finetunes/{job_id}")
    assert genai["actions"] == ["host", "delete"]
    status, model = await api(f"models/{job_id}")
    assert status == 200 and model["actions"] == ["deploy", "delete"], model

    status, _ = await api(f"finetunes/{job_id}", method="DELETE")
    assert status == 204

    async def unlisted() -> bool:
        status, listed = await api("finetunes")
        return status == 200 and job_id not in [j["id"] for j in listed["items"]]

    await eventually(unlisted, f"{job_id} still listed after its delete")
