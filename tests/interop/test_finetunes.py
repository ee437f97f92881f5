"""Fine-tunes, both ways: what aqua_ext fine-tunes AQUA lists, opens, reads the dataset of (its Korean and
Japanese rows unchanged) and deploys (as a stacked model group); what AQUA fine-tunes aqua_ext lists and opens,
without writing anything while it reads, and AQUA's deployment of aqua_ext's fine-tune too."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .conftest import World


@pytest.fixture(scope="module")
def ext_finetune(world: World, aqua_model: Any, dataset: str) -> dict[str, Any]:
    job = world.cli(
        "finetune",
        "create",
        aqua_model.id,
        dataset,
        "--name",
        "ext-finetune",
        "--shape",
        "VM.GPU.A10.1",
        "--epochs",
        "1",
        "--output-uri",
        world.uri("ext-ft-out/"),
    )
    world.emulator.fast_forward()
    return dict(job["finetune"])  # its id is the fine-tuned model's OCID, as in AQUA


def aqua_fine_tunes(world: World, aqua: Any, model_id: str, dataset: str, name: str) -> Any:
    summary = aqua.finetuning.create(
        ft_source_id=model_id,
        ft_name=name,
        dataset_path=dataset,
        report_path=world.uri("aqua-ft-out/"),
        ft_parameters={"epochs": 1, "learning_rate": 0.0002},
        shape_name="VM.GPU.A10.1",
        replica=1,
        validation_set_size=0.1,
        experiment_name="interop-finetunes",
        compartment_id=world.compartment_id,
        project_id=world.project_id,
        block_storage_size=256,
    )
    world.emulator.fast_forward()
    return summary


@pytest.fixture(scope="module")
def aqua_finetune(world: World, aqua: Any, aqua_model: Any, dataset: str) -> Any:
    return aqua_fine_tunes(world, aqua, aqua_model.id, dataset, "aqua-finetune")


def test_aqua_fine_tunes_a_model_aqua_ext_registered(world: World, aqua: Any, ext_model: dict, dataset: str) -> None:
    summary = aqua_fine_tunes(world, aqua, ext_model["id"], dataset, "aqua-fine-tunes-ext-model")
    assert aqua.model.get(summary.id).is_fine_tuned_model


def test_aqua_lists_and_opens_the_model_aqua_ext_fine_tuned(world: World, aqua: Any, ext_finetune: dict) -> None:
    model_id = ext_finetune["id"]
    listed = aqua.model.list(compartment_id=world.compartment_id, category="USER", model_type="FT")
    assert model_id in [m.id for m in listed], "AQUA's fine-tuned model list lacks aqua_ext's fine-tune"
    opened = aqua.model.get(model_id)
    assert opened.is_fine_tuned_model and opened.lifecycle_state in ("ACTIVE", "SUCCEEDED"), opened.lifecycle_state


def test_aqua_reads_the_dataset_of_the_model_aqua_ext_fine_tuned(
    world: World, aqua: Any, ext_finetune: dict, dataset: str, dataset_rows: list[dict[str, Any]]
) -> None:
    """The rows aqua_ext trained on are the dataset's, all of them, and AQUA finds that same file from the
    fine-tune and reads the same rows back: the Korean and Japanese text unchanged."""
    import fsspec  # AQUA's own way to oci:// (ocifs), with ads' auth
    from ads.common.auth import default_signer

    assert (ext_finetune["train_rows"], ext_finetune["validation_rows"]) != (None, None), ext_finetune
    counted = ext_finetune["train_rows"] + ext_finetune["validation_rows"]
    assert counted == len(dataset_rows), f"aqua_ext counted {counted} rows of {len(dataset_rows)}"
    opened = aqua.model.get(ext_finetune["id"])
    assert opened.dataset == dataset, opened.dataset
    with fsspec.open(opened.dataset, "r", encoding="utf-8", **default_signer()) as f:
        read = [json.loads(line) for line in f if line.strip()]
    assert read == dataset_rows
    assert any("가상 머신(VM)" in row["completion"] for row in read) and any(
        "デプロイ" in row["prompt"] for row in read
    )


@pytest.fixture(scope="module")
def first_listing(world: World, aqua_finetune: Any) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """aqua_ext's first fine-tune list after AQUA's run finished, and the emulator operations it caused."""
    listed: list[dict[str, Any]] = []
    calls = world.calls_during(lambda: listed.extend(world.cli("finetune", "list")))
    return listed, calls


def test_aqua_ext_lists_and_opens_a_fine_tune_aqua_started(
    world: World, aqua_finetune: Any, first_listing: Any
) -> None:
    listed, _ = first_listing
    ours = [j for j in listed if aqua_finetune.id in (j.get("output_model_id"), j.get("id"), j.get("model_id"))]
    assert ours, f"aqua_ext's fine-tune list lacks AQUA's fine-tune {aqua_finetune.id}: {listed}"
    opened = world.cli("finetune", "get", ours[0]["id"])
    assert opened["name"] == "aqua-finetune" and opened["state"] == "SUCCEEDED", opened


def test_aqua_ext_lists_fine_tunes_without_writing(first_listing: Any) -> None:
    _, calls = first_listing  # issue 12 saw an UpdateModel here (a write during a read)
    writes = {op: n for op, n in calls.items() if op.startswith(("Update", "Create", "Delete", "Put"))}
    assert not writes, writes


@pytest.fixture(scope="module")
def aqua_ft_deployment(world: World, aqua: Any, ext_finetune: dict) -> Any:
    """AQUA's deployment of aqua_ext's fine-tune (ACTIVE once the emulator moves on)."""
    md = aqua.deployment.create(
        model_id=ext_finetune["id"],
        instance_shape="VM.GPU.A10.1",
        display_name="aqua-deploys-ext-finetune",
        compartment_id=world.compartment_id,
        project_id=world.project_id,
    )
    world.emulator.fast_forward()
    return md


def test_aqua_deploys_the_model_aqua_ext_fine_tuned(
    world: World, aqua: Any, ext_finetune: dict, aqua_ft_deployment: Any
) -> None:
    # AQUA deploys a v2 fine-tune (aqua_ext tags its fine-tunes so) as a stacked model group: the base model
    # with the fine-tune as its LoRA member, deployed as MODEL_GROUP.
    config = world.emulator.deployments.deployments[aqua_ft_deployment.id]["modelDeploymentConfigurationDetails"]
    assert config["deploymentType"] == "MODEL_GROUP", config["deploymentType"]
    group = world.emulator.model_groups.groups[config["modelGroupConfigurationDetails"]["modelGroupId"]]
    members = {m["modelId"]: m["inferenceKey"] for m in group["memberModelEntries"]["memberModelDetails"]}
    assert group["modelGroupDetails"]["baseModelId"] == ext_finetune["base_model_id"], group["modelGroupDetails"]
    assert members == {
        ext_finetune["base_model_id"]: ext_finetune["base_model_name"],
        ext_finetune["id"]: "ext-finetune",
    }
    opened = aqua.deployment.get(model_deployment_id=aqua_ft_deployment.id)
    assert opened.state == "ACTIVE" and opened.display_name == "aqua-deploys-ext-finetune", opened.state


def test_aqua_ext_lists_and_opens_aqua_s_deployment_of_its_fine_tune(world: World, aqua_ft_deployment: Any) -> None:
    listed = world.cli("deployments", "list")
    assert aqua_ft_deployment.id in [d["id"] for d in listed], "aqua_ext's list lacks AQUA's fine-tune deployment"
    opened = world.cli("deployments", "get", aqua_ft_deployment.id)
    assert opened["name"] == "aqua-deploys-ext-finetune" and opened["state"] == "ACTIVE", opened


def test_aqua_ext_names_the_fine_tune_aqua_deployed(world: World, ext_finetune: dict, aqua_ft_deployment: Any) -> None:
    # The deployment names the model group; the group's member that is not the base model is the fine-tune,
    # named by its inference key (AQUA writes the fine-tune's display name there).
    opened = world.cli("deployments", "get", aqua_ft_deployment.id)
    assert (opened["model_id"], opened["model_name"]) == (ext_finetune["id"], "ext-finetune"), opened


def test_aqua_opens_aqua_ext_s_stacked_deployment_of_two_fine_tunes(
    world: World, aqua: Any, ext_finetune: dict, aqua_finetune: Any
) -> None:
    # aqua_ext deploys the base with both fine-tunes (its own and AQUA's) as adapters: AQUA's stacked deployment,
    # which AQUA opens as its own, and whose model group AQUA's own reader reads as it wrote it.
    from ads.model.datascience_model_group import DataScienceModelGroup

    base = ext_finetune["base_model_id"]
    made = world.cli(
        "deployments",
        "create",
        base,
        "--name",
        "ext-stacked",
        "--shape",
        "VM.GPU.A10.1",
        "--adapter",
        f"ext-tune={ext_finetune['id']}",
        "--adapter",
        f"aqua-tune={aqua_finetune.id}",
        "--no-wait",
    )
    world.emulator.fast_forward()
    opened = aqua.deployment.get(model_deployment_id=made["deployment"]["id"])
    assert opened.state == "ACTIVE" and opened.display_name == "ext-stacked", opened.state
    assert opened.aqua_model_name == ext_finetune["base_model_name"]
    assert opened.tags["aqua_stacked_model"] == "true"
    assert opened.environment_variables["MODEL"] == f"/opt/ds/model/deployed_model/{base}/"
    assert opened.environment_variables["VLLM_ALLOW_RUNTIME_LORA_UPDATING"] == "true"
    group = DataScienceModelGroup.from_id(opened.model_id)
    assert group.base_model_id == base
    assert [(m["model_id"], m["inference_key"]) for m in group.member_models] == [
        (ext_finetune["id"], "ext-tune"),
        (aqua_finetune.id, "aqua-tune"),
        (base, "ext-stacked"),
    ]
