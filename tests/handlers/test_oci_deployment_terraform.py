"""POST aqua-ext/deployments/terraform over the OCI emulator: the Terraform of the Deploy form's request,
from the same checks and plan as the create (the same 400s), with what the OCI driver would send (shape,
service container image, environment), parsed back with python-hcl2; nothing is created."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.oci_setup import OciWorld, add_log, seed_deployable_model
from tests.sdk_snippets import run_snippet

hcl2 = pytest.importorskip("hcl2")
from hcl2.utils import SerializationOptions  # noqa: E402


@pytest.fixture
def jp_server_config(world: OciWorld) -> dict[str, Any]:
    return {
        "ServerApp": {"jpserver_extensions": {"aqua_ext": True}, "allow_unauthenticated_access": False},
        "AquaExtension": world.traits(),
    }


def parse(text: str) -> dict[str, Any]:
    options = SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)
    parsed: dict[str, Any] = hcl2.loads(text, serialization_options=options)
    return parsed


def deployment(parsed: dict[str, Any]) -> dict[str, Any]:
    (item,) = parsed["resource"]
    (body,) = item["oci_datascience_model_deployment"].values()
    return dict(body)


async def test_the_hcl_holds_what_a_create_would_send_and_nothing_is_created(api: Any, world: OciWorld) -> None:
    model = seed_deployable_model(world, "acme-1b")
    group, log_id = add_log(world)
    body = {
        "model_id": model,
        "name": "채팅 チャット",
        "description": "the playground's model",
        "params": ["--enforce-eager"],
        "replicas": 2,
        "log_group_id": group,
        "log_id": log_id,
    }
    world.emulator.reset_calls()
    status, export = await api("deployments/terraform", method="POST", body=body)
    assert status == 200, export
    assert export["file_name"] == "model_deployment.tf"  # a Korean and Japanese name keeps the default
    assert export["cli"].startswith("aqua-ext deployments create ")
    assert world.emulator.calls["CreateModelDeployment"] == 0
    status, listed = await api("deployments")
    assert status == 200 and listed["items"] == []

    parsed = parse(export["hcl"])
    variables = {name: v for item in parsed["variable"] for name, v in item.items()}
    assert variables["compartment_ocid"]["default"] == world.compartment_id
    md = deployment(parsed)
    assert md["compartment_id"] == "${var.compartment_ocid}"
    assert md["display_name"] == "채팅 チャット" and md["project_id"] == world.project_id
    (config,) = md["model_deployment_configuration_details"]
    (model_config,) = config["model_configuration_details"]
    assert model_config["model_id"] == model
    # The shape the memory fit picks on create, and the service container's image and conventions.
    assert model_config["instance_configuration"] == [{"instance_shape_name": "VM.GPU.A10.1"}]
    assert model_config["scaling_policy"] == [{"policy_type": "FIXED_SIZE", "instance_count": 2}]
    (environment,) = config["environment_configuration_details"]
    assert environment["image"] == "dsmc://odsc-vllm-serving:0.6.4.post1.2" and environment["server_port"] == 8080
    env = environment["environment_variables"]
    assert env["BASE_MODEL"] == "acme-1b" and env["MD_COMPARTMENT_OCID"] == world.compartment_id
    assert env["PARAMS"].endswith("--max-model-len 4096 --enforce-eager")
    (logs,) = md["category_log_details"]
    assert logs["predict"] == [{"log_group_id": group, "log_id": log_id}]
    assert md["freeform_tags"]["OCI_AQUA"] == "active"


async def test_an_ascii_name_names_the_file(api: Any, world: OciWorld) -> None:
    model = seed_deployable_model(world, "small")
    status, export = await api(
        "deployments/terraform", method="POST", body={"model_id": model, "name": "My Chat 1", "shape": "VM.GPU.A10.2"}
    )
    assert status == 200, export
    assert export["file_name"] == "my-chat-1.tf"
    (config,) = deployment(parse(export["hcl"]))["model_deployment_configuration_details"]
    assert config["model_configuration_details"][0]["instance_configuration"][0]["instance_shape_name"] == (
        "VM.GPU.A10.2"
    )


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"params": ["--frobnicate"]}, "params"),
        ({"engine": "transformers"}, "engine"),
        ({"max_model_len": 10_000_000}, "max_model_len"),
        ({"target": "local"}, "target"),
    ],
)
async def test_bad_input_is_the_create_s_400_and_nothing_is_created(
    api: Any, world: OciWorld, extra: dict[str, Any], field: str
) -> None:
    model = seed_deployable_model(world, "small")
    body = {"model_id": model, "name": "x", **extra}
    status, refused = await api("deployments/terraform", method="POST", body=body)
    assert status == 400, refused
    assert field in refused["message"] and "Traceback" not in refused["message"]
    create_status, created = await api("deployments", method="POST", body=body)
    assert (create_status, created["message"]) == (status, refused["message"])
    assert world.emulator.calls["CreateModelDeployment"] == 0


class TestLocalTarget:
    """A local deployment is no OCI resource: a 400 naming `target`, before anything is read."""

    @pytest.fixture
    def jp_server_config(self, aqua_data_dir: Path, hf_cache_dir: Path) -> dict[str, Any]:
        return {
            "ServerApp": {"jpserver_extensions": {"aqua_ext": True}, "allow_unauthenticated_access": False},
            "AquaExtension": {
                "backend": "local",
                "data_dir": str(aqua_data_dir),
                "hf_cache_dir": str(hf_cache_dir),
                "generate_demo_model": False,
            },
        }

    async def test_refused(self, api: Any) -> None:
        status, body = await api("deployments/terraform", method="POST", body={"model_id": "mine", "name": "x"})
        assert status == 400, body
        assert "target" in body["message"] and "Terraform describes OCI resources" in body["message"]


async def test_the_python_script_deploys_what_the_form_s_create_deploys(api: Any, world: OciWorld) -> None:
    """The export's script, run as a user would against the emulator, makes the deployment the form's own create
    makes from the same request (shape, container, environment, logs, tags), with the SDK's own model classes."""
    model = seed_deployable_model(world, "acme-1b")
    group, log_id = add_log(world)
    body = {"model_id": model, "name": "채팅 チャット", "replicas": 2, "log_group_id": group, "log_id": log_id}
    status, export = await api("deployments/terraform", method="POST", body=body)
    assert status == 200, export
    code = export["python"]
    assert "oci.data_science.models.CreateModelDeploymentDetails(" in code
    assert f"compartment_id = {world.compartment_id!r}" in code
    store = world.emulator.datascience.deployments.deployments
    before = set(store)
    done = await asyncio.to_thread(run_snippet, code, world)
    (made,) = set(store) - before
    assert done["deployment"].id == made

    status, created = await api("deployments", method="POST", body=body)
    assert status == 202, created
    ours, real = store[made], store[created["deployment"]["id"]]
    for key in ("displayName", "projectId", "compartmentId", "freeformTags", "categoryLogDetails"):
        assert ours[key] == real[key], key
    config, real_config = ours["modelDeploymentConfigurationDetails"], real["modelDeploymentConfigurationDetails"]
    assert config == real_config
