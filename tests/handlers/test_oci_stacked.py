"""A base model with LoRA fine-tunes as adapters on OCI: AQUA's stacked deployment (a STACKED model group of the base
and its fine-tunes, deployed as MODEL_GROUP), created through a real Jupyter server against the OCI emulator with the
real `oci` SDK, and read back as the SDK's models read it. Then each adapter answers by its inference key through the
OpenAI pass-through, bad adapters are refused on their field with nothing made, a failed create leaves no model group,
and deleting the deployment deletes the group this extension made for it.
"""

from __future__ import annotations

import asyncio
import json
import shlex
from typing import Any

import oci
import pytest

from tests.handlers.test_oci_deployments import wait_state
from tests.oci_emulator import FaultConfig
from tests.oci_emulator.core import Request, Response
from tests.oci_setup import OciWorld, seed_deployable_model


@pytest.fixture
def jp_server_config(world: OciWorld) -> dict[str, Any]:
    world.emulator.transition_seconds = 0.05
    return {
        "ServerApp": {"jpserver_extensions": {"aqua_ext": True}, "allow_unauthenticated_access": False},
        "AquaExtension": world.traits(),
    }


def seed_finetune(
    world: OciWorld, base: str, name: str, *, rank: int | None = 16, version: str | None = "v2", base_name: str = "acme"
) -> str:
    """A fine-tuned model as AQUA's fine-tuning leaves it (finetune_mapping.py): the fine-tuned tag naming its base,
    `fine_tune_model_version` v2, the base in `fine_tune_source`, the adapter's place, lora_r in Hyperparameters."""
    ns = world.emulator.namespace
    tags = {
        "OCI_AQUA": "active",
        "task": "text_generation",
        "aqua_fine_tuned_model": f"{base}#{base_name}",
        "ready_to_fine_tune": "false",
        "model_format": "SAFETENSORS",
    }
    if version:
        tags["fine_tune_model_version"] = version
    meta = [
        {"key": "artifact_location", "value": f"oci://models@{ns}/{base_name}/", "category": "Other"},
        {"key": "fine_tune_source", "value": base, "category": "Other"},
        {"key": "fine_tune_source_name", "value": base_name, "category": "Other"},
        {"key": "fine_tune_output_path", "value": f"oci://tuned@{ns}/{name}/", "category": "Other"},
    ]
    hyper = {"epochs": 1, **({"lora_r": rank} if rank is not None else {})}
    return world.emulator.add_model(
        world.compartment_id,
        name,
        freeform_tags=tags,
        project_id=world.project_id,
        custom_metadata=meta,
        defined_metadata={"Hyperparameters": json.dumps(hyper)},
    )


def sdk(world: OciWorld) -> Any:
    return oci.data_science.DataScienceClient(
        oci.config.from_file(str(world.identity.config_file), world.identity.profile),
        service_endpoint=world.emulator.endpoint("datascience"),
    )


def groups(world: OciWorld) -> dict[str, str]:
    """The emulator's model groups: id → state."""
    with world.emulator.lock:
        return {g["id"]: g["lifecycleState"] for g in world.emulator.model_groups.groups.values()}


async def until(check: Any, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_http_a_base_with_two_fine_tunes_is_aquas_stacked_deployment(
    api: Any, jp_serverapp: Any, jp_base_url: str, jp_http_port: int, world: OciWorld
) -> None:
    assert (await api("info"))[0] == 200
    base = seed_deployable_model(world, "acme")
    japanese = seed_finetune(world, base, "日本語-ft", rank=16)
    korean = seed_finetune(world, base, "korean-ft", rank=8)

    status, created = await api(
        "deployments",
        method="POST",
        body={
            "model_id": base,
            "name": "Stacked chat",
            "engine": "vllm",
            "adapters": [{"model_id": japanese, "name": "japanese"}, {"model_id": korean}],
        },
    )
    assert status == 202, created
    dep = created["deployment"]
    # The group's members are known at once: the base, with each fine-tune an adapter (one GetModelGroup spared).
    assert dep["model_id"] == base
    assert [(a["name"], a["model_id"]) for a in dep["adapters"]] == [("japanese", japanese), ("korean-ft", korean)]

    # The model group, as the SDK reads it: STACKED on the base, the fine-tunes then the base (AQUA's order).
    ds = sdk(world)
    md = ds.get_model_deployment(dep["id"]).data
    config = md.model_deployment_configuration_details
    assert isinstance(config, oci.data_science.models.ModelGroupDeploymentConfigurationDetails)
    assert config.deployment_type == "MODEL_GROUP"
    group = ds.get_model_group(config.model_group_configuration_details.model_group_id).data
    assert group.lifecycle_state == "ACTIVE" and group.create_type == "CREATE"
    assert isinstance(group.model_group_details, oci.data_science.models.StackedModelGroupDetails)
    assert (group.model_group_details.type, group.model_group_details.base_model_id) == ("STACKED", base)
    assert [(m.model_id, m.inference_key) for m in group.member_model_entries.member_model_details] == [
        (japanese, "japanese"),
        (korean, "korean-ft"),
        (base, "stacked-chat"),
    ]
    assert group.display_name == "acme"  # AQUA names the group after the base
    assert group.freeform_tags["aqua_stacked_model"] == "true" and group.freeform_tags["OCI_AQUA"] == "active"
    assert {m.key for m in group.model_group_details.custom_metadata_list} >= {"artifact_location", "architecture"}

    # The deployment, as AQUA's `_create` writes a stacked one.
    infra = config.infrastructure_configuration_details
    assert infra.infrastructure_type == "INSTANCE_POOL"
    assert infra.instance_configuration.instance_shape_name == "VM.GPU.A10.1"
    assert infra.scaling_policy.instance_count == 1
    env = config.environment_configuration_details.environment_variables
    assert env["VLLM_ALLOW_RUNTIME_LORA_UPDATING"] == "true"
    assert env["MODEL"] == f"/opt/ds/model/deployed_model/{base}/"
    assert env["BASE_MODEL"] == "acme" and "FT_MODEL" not in env
    assert env["MODEL_DEPLOY_PREDICT_ENDPOINT"] == "/v1/chat/completions"
    params = shlex.split(env["PARAMS"])
    assert params[params.index("--served-model-name") + 1] == "stacked-chat"
    assert params.count("--served-model-name") == 1
    assert params[params.index("--max-lora-rank") + 1] == "32" and "--enable_lora" in params
    assert params[params.index("--max-model-len") + 1] == "4096"
    assert config.environment_configuration_details.image.startswith("dsmc://odsc-vllm-serving")
    tags = md.freeform_tags
    assert tags["OCI_AQUA"] == "active" and tags["aqua_stacked_model"] == "true"
    assert tags["aqua_model_name"] == "acme" and tags["aqua_custom_base_model"] == "true"
    assert tags["aqua_ext_model_group"] == group.id

    detail = await wait_state(api, dep["id"], "ACTIVE", "FAILED")
    assert detail["state"] == "ACTIVE", detail
    assert [a["name"] for a in detail["adapters"]] == ["japanese", "korean-ft"] and detail["model_id"] == base

    # The OpenAI pass-through: `model` picks the member by its inference key (the container's echo records it).
    seen: list[str] = []
    echo = world.emulator.deployments.predict_handler

    def recording(md_rec: dict, req: Request) -> Response:
        seen.append(json.loads(req.body)["model"])
        return echo(md_rec, req)

    world.emulator.deployments.predict_handler = recording
    from openai import OpenAI

    client = OpenAI(
        base_url=f"http://127.0.0.1:{jp_http_port}{jp_base_url}aqua-ext/deployments/{dep['id']}/v1",
        api_key=jp_serverapp.identity_provider.token,
        max_retries=0,
    )
    for name in ("japanese", "korean-ft", "stacked-chat", "stacked-chat/japanese"):
        answer = await asyncio.to_thread(
            lambda n=name: client.chat.completions.create(model=n, messages=[{"role": "user", "content": "Hi"}])
        )
        assert answer.choices[0].message.content.endswith("Hi")
    assert seen == ["japanese", "korean-ft", "stacked-chat", "japanese"]
    models = await asyncio.to_thread(lambda: client.models.list())
    assert [m.id for m in models.data] == ["stacked-chat", "japanese", "korean-ft"]

    # Delete: the deployment goes, then the model group this extension made for it.
    status, _ = await api(f"deployments/{dep['id']}", method="DELETE")
    assert status == 204
    assert (await wait_state(api, dep["id"], "GONE"))["state"] == "GONE"
    await until(lambda: groups(world)[group.id] in ("DELETING", "DELETED"))


async def test_http_bad_adapters_are_refused_on_their_field_and_nothing_is_made(api: Any, world: OciWorld) -> None:
    assert (await api("info"))[0] == 200
    base = seed_deployable_model(world, "acme")
    other = seed_deployable_model(world, "other")
    good = seed_finetune(world, base, "good")
    of_other = seed_finetune(world, other, "of-other", base_name="other")
    wide = seed_finetune(world, base, "wide", rank=64)
    legacy = seed_finetune(world, base, "legacy", version=None)

    async def refused(body: dict[str, Any], field: str, *text: str) -> None:
        status, err = await api("deployments", method="POST", body={"model_id": base, "name": "s", **body})
        assert status == 400, err
        assert err["fields"][0]["field"] == field, err
        for t in text:
            assert t in err["message"], err

    two = [{"model_id": good}]
    await refused({"adapters": [*two, {"model_id": of_other}]}, "adapters.1", "trained on", "'acme'")
    await refused({"adapters": [{"model_id": wide}]}, "adapters.0", "rank 64", "up to 32")
    await refused({"adapters": [*two, {"model_id": other}]}, "adapters.1", "not a fine-tuned model")
    await refused({"adapters": [{"model_id": legacy}]}, "adapters.0", "legacy", "convert_fine_tune")
    await refused({"adapters": [*two, {"model_id": "ocid1.datasciencemodel.oc1.iad.nope"}]}, "adapters.1", "no model")
    await refused({"adapters": [{"model_id": good, "name": "s"}]}, "adapters.0", "base model's name")
    await refused({"adapters": two, "engine": "tgi"}, "engine", "tgi", "vllm")
    await refused({"adapters": two, "engine": "llama.cpp"}, "engine")
    await refused({"adapters": two, "mode": "embedding"}, "adapters", "embedding")
    status, err = await api("deployments", method="POST", body={"model_id": good, "name": "s", "adapters": two})
    assert status == 400 and err["fields"][0]["field"] == "model_id" and "fine-tuned" in err["message"], err

    # The Terraform export writes one deployment of one model: a stacked one is refused there.
    status, err = await api(
        "deployments/terraform", method="POST", body={"model_id": base, "name": "s", "adapters": two}
    )
    assert status == 400 and err["fields"][0]["field"] == "adapters", err

    assert world.emulator.calls["CreateModelGroup"] == 0 and world.emulator.calls["CreateModelDeployment"] == 0
    assert groups(world) == {}


async def test_http_a_failed_create_leaves_no_model_group(api: Any, world: OciWorld) -> None:
    assert (await api("info"))[0] == 200
    base = seed_deployable_model(world, "acme")
    tuned = seed_finetune(world, base, "tuned")
    body = {"model_id": base, "name": "s", "adapters": [{"model_id": tuned}]}

    # CreateModelDeployment fails (past the retries): the group made for it is deleted, the error is OCI's.
    world.emulator.faults = FaultConfig(rate=1.0, kinds=("500",), operations=("CreateModelDeployment",))
    status, err = await api("deployments", method="POST", body=body)
    assert status == 502, err
    assert world.emulator.calls["CreateModelGroup"] == 1
    assert list(groups(world).values()) == ["DELETING"] or list(groups(world).values()) == ["DELETED"]
    assert not world.emulator.deployments.deployments

    # The group does not turn ACTIVE: nothing is deployed, the group goes, the reason is OCI's.
    world.emulator.faults = FaultConfig()
    world.emulator.model_groups.fail_next = 1
    before = set(groups(world))
    status, err = await api("deployments", method="POST", body=body)
    assert status == 502 and "model group" in err["message"] and "injected" in err["message"], err
    (failed,) = set(groups(world)) - before
    assert groups(world)[failed] in ("DELETING", "DELETED")
    assert not world.emulator.deployments.deployments

    # Then a create that works.
    status, created = await api("deployments", method="POST", body=body)
    assert status == 202, created
    assert [a["model_id"] for a in created["deployment"]["adapters"]] == [tuned]


async def test_http_a_group_not_active_in_time_is_a_504_and_goes(api: Any, world: OciWorld, monkeypatch: Any) -> None:
    from aqua_ext.backends.oci import stacked

    assert (await api("info"))[0] == 200
    base = seed_deployable_model(world, "acme")
    tuned = seed_finetune(world, base, "tuned")
    monkeypatch.setattr(stacked, "GROUP_TIMEOUT_SECONDS", 0.5)
    world.emulator.transition_seconds = 30.0  # the group's work request outlasts the wait
    status, err = await api(
        "deployments", method="POST", body={"model_id": base, "name": "s", "adapters": [{"model_id": tuned}]}
    )
    assert status == 504 and "model group" in err["message"], err
    assert list(groups(world).values()) == ["DELETING"]
    assert world.emulator.calls["CreateModelDeployment"] == 0


async def test_http_canceling_a_stacked_create_deletes_the_deployment_then_its_group(api: Any, world: OciWorld) -> None:
    assert (await api("info"))[0] == 200
    base = seed_deployable_model(world, "acme")
    tuned = seed_finetune(world, base, "tuned")
    world.emulator.transition_seconds = 2.0  # the create is still under way when it is canceled
    status, created = await api(
        "deployments", method="POST", body={"model_id": base, "name": "s", "adapters": [{"model_id": tuned}]}
    )
    assert status == 202, created
    (group_id,) = groups(world)
    await asyncio.sleep(0.1)  # the operation is watching
    status, op = await api(f"operations/{created['operation']['id']}", method="DELETE")
    assert status == 200 and op["state"] == "CANCELED", op
    # OCI keeps a group that a deployment serves: it goes once the deployment is DELETED.
    world.emulator.transition_seconds = 0.05
    await until(lambda: groups(world)[group_id] in ("DELETING", "DELETED"), timeout=20)
    with world.emulator.lock:
        assert world.emulator.deployments.deployments[created["deployment"]["id"]]["lifecycleState"] == "DELETED"
