"""Models, both ways: what aqua_ext registers AQUA lists, opens, deploys and fine-tunes; what AQUA
registers aqua_ext lists and opens with the parameters, context and architecture of its config.json,
and deploys with a max model length the model allows."""

from __future__ import annotations

import re
from typing import Any

from .conftest import World


def test_aqua_lists_and_opens_a_model_aqua_ext_registered(world: World, aqua: Any, ext_model: dict) -> None:
    listed = aqua.model.list(compartment_id=world.compartment_id, category="USER", model_type="BASE")
    assert ext_model["id"] in [m.id for m in listed], "AQUA's custom-model list lacks aqua_ext's model"
    opened = aqua.model.get(ext_model["id"])
    assert opened.name == "ext-tiny-chat" and opened.ready_to_deploy


def test_aqua_deploys_a_model_aqua_ext_registered(world: World, aqua: Any, ext_model: dict) -> None:
    md = aqua.deployment.create(
        model_id=ext_model["id"],
        instance_shape="VM.GPU.A10.1",
        display_name="aqua-deploys-ext-model",
        compartment_id=world.compartment_id,
        project_id=world.project_id,
    )
    assert md.id and md.model_id == ext_model["id"]


def test_aqua_ext_lists_and_opens_a_model_aqua_registered(world: World, aqua_model: Any) -> None:
    listed = world.cli("models", "list")
    assert aqua_model.id in [m["id"] for m in listed], "aqua_ext's list lacks AQUA's registered model"
    opened = world.cli("models", "get", aqua_model.id)
    assert opened["name"] == "acme/tiny-chat"


def test_aqua_ext_reads_context_and_architecture_of_a_model_aqua_registered(world: World, aqua_model: Any) -> None:
    opened = world.cli("models", "get", aqua_model.id)
    facts = {
        "context_length": opened.get("context_length"),
        "model_type": (opened.get("architecture") or {}).get("model_type"),
    }
    assert facts == {"context_length": 2048, "model_type": "llama"}, facts  # the config.json add_model_folder wrote


def test_aqua_ext_deploys_a_model_aqua_registered_within_its_context(world: World, aqua_model: Any) -> None:
    md = world.cli(
        "deployments", "create", aqua_model.id, "--name", "ext-deploys-aqua-model", "--shape", "VM.GPU.A10.1"
    )
    env = world.emulator.deployments.deployments[md["id"]]["modelDeploymentConfigurationDetails"][
        "environmentConfigurationDetails"
    ]["environmentVariables"]
    lengths = re.findall(r"--max-model-len[ =](\d+)", env.get("PARAMS", ""))
    assert lengths and all(int(n) <= 2048 for n in lengths), f"PARAMS={env.get('PARAMS')!r}"
