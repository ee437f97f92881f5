"""Deployments, both ways: what aqua_ext deploys AQUA lists and opens; what AQUA deploys aqua_ext lists
and opens. Both deploy the model AQUA registered (it has the container metadata both tools need)."""

from __future__ import annotations

from typing import Any

from .conftest import World


def test_aqua_lists_a_deployment_aqua_ext_created(world: World, aqua: Any, ext_deployment: dict) -> None:
    listed = aqua.deployment.list(compartment_id=world.compartment_id, project_id=world.project_id)
    found = [d for d in listed if d.id == ext_deployment["id"]]
    assert found, "AQUA's deployment list lacks aqua_ext's deployment"
    assert found[0].display_name == "ext-deployment" and found[0].shape_info.instance_shape == "VM.GPU.A10.2"


def test_aqua_opens_a_deployment_aqua_ext_created(aqua: Any, ext_deployment: dict) -> None:
    opened = aqua.deployment.get(model_deployment_id=ext_deployment["id"])
    assert opened.id == ext_deployment["id"] and opened.state == "ACTIVE"


def test_aqua_ext_lists_and_opens_a_deployment_aqua_created(world: World, aqua_deployment: Any) -> None:
    listed = world.cli("deployments", "list")
    assert aqua_deployment.id in [d["id"] for d in listed], "aqua_ext's list lacks AQUA's deployment"
    opened = world.cli("deployments", "get", aqua_deployment.id)
    assert opened["name"] == "aqua-deployment" and opened["state"] == "ACTIVE", opened
