"""A server with the local and the OCI target enabled side by side (OCI: the emulator): lists merge
both, every resource says which target owns it and what may be done with it now, requests are
routed by id, creates pick a target, and a target that cannot start never hides the other."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.model_folders import write_model_folder
from tests.oci_setup import OciWorld, seed_deployable_model, seed_deployment


def both(world: OciWorld, aqua_data_dir: Path, hf_cache_dir: Path, **oci: Any) -> dict[str, Any]:
    traits = world.traits(**oci)
    del traits["backend"]
    traits.update(
        targets=["local", "oci"],
        data_dir=str(aqua_data_dir),
        hf_cache_dir=str(hf_cache_dir),
        generate_demo_model=False,
    )
    return {
        "ServerApp": {"jpserver_extensions": {"aqua_ext": True}, "allow_unauthenticated_access": False},
        "AquaExtension": traits,
    }


@pytest.fixture
def jp_server_config(world: OciWorld, aqua_data_dir: Path, hf_cache_dir: Path) -> dict[str, Any]:
    return both(world, aqua_data_dir, hf_cache_dir)


async def test_info_lists_every_target_with_its_hardware_or_shapes(api: Any) -> None:
    status, info = await api("info")
    assert status == 200, info
    targets = {t["name"]: t for t in info["targets"]}
    assert list(targets) == ["local", "oci"]
    assert all(t["ready"] and t["problem"] is None for t in targets.values()), targets
    assert targets["local"]["hardware"]["cpu_count"] >= 1 and targets["local"]["data_dir"]
    assert "VM.GPU.A10.1" in targets["oci"]["shapes"] and targets["oci"]["hardware"] is None
    assert targets["oci"]["region"] and targets["oci"]["compartment_id"]
    # The old single-backend field: the default target (the first ready one).
    assert info["backend"]["kind"] == "local" and info["backend"]["name"] == "local"


async def test_lists_merge_both_targets_and_requests_route_by_id(
    api: Any, world: OciWorld, tmp_path: Path, jp_root_dir: Path
) -> None:
    emu = world.emulator
    service = emu.seed_service_models(1)[0]
    active = seed_deployment(world, "cloud chat", state="ACTIVE")
    failed = seed_deployment(world, "cloud broken", state="FAILED")
    folder = write_model_folder(jp_root_dir / "mine")

    # A register that names no target goes to the first ready one (local).
    status, registered = await api("models", method="POST", body={"source": "local_folder", "path": str(folder)})
    assert status == 202, registered
    mine = registered["model"]
    assert mine["target"] == "local" and {"deploy", "delete"} <= set(mine["actions"]), mine

    status, models = await api("models")
    assert status == 200 and models["problems"] == []
    by_id = {m["id"]: m for m in models["items"]}
    assert by_id[mine["id"]]["target"] == "local"
    assert by_id[service]["target"] == "oci" and "delete" not in by_id[service]["actions"]
    assert {m["target"] for m in models["items"]} == {"local", "oci"}
    assert all(m["id"].startswith("ocid1.") == (m["target"] == "oci") for m in models["items"])

    status, deployments = await api("deployments")
    assert status == 200, deployments
    listed = {d["id"]: d for d in deployments["items"]}
    assert listed[active]["target"] == "oci" and listed[active]["actions"] == [
        "chat",
        "evaluate",
        "deactivate",
        "delete",
    ]
    # OCI cannot activate or deactivate a FAILED deployment: the button is not offered, and the route says why.
    assert listed[failed]["actions"] == ["delete"]
    status, err = await api(f"deployments/{failed}/activate", method="POST")
    assert status == 409 and "OCI cannot restart a FAILED model deployment" in err["message"], err

    # Routed by id: an OCID goes to OCI, anything else to this machine.
    status, detail = await api(f"deployments/{active}")
    assert status == 200 and detail["target"] == "oci" and detail["name"] == "cloud chat"
    status, detail = await api(f"models/{mine['id']}")
    assert status == 200 and detail["target"] == "local" and detail["name"] == "mine"
    assert (await api("deployments/dep-nope"))[0] == 404  # the local target's answer
    assert (await api("deployments/ocid1.datasciencemodeldeployment.oc1.iad.nope"))[0] == 404

    for path in ("finetunes", "evaluations"):
        status, body = await api(path)
        assert status == 200 and body == {"items": [], "total": 0, "problems": []}, body


async def test_a_create_runs_on_the_target_that_owns_its_model(api: Any, world: OciWorld, jp_root_dir: Path) -> None:
    cloud_model = seed_deployable_model(world, "cloud-model")
    status, err = await api(
        "deployments", method="POST", body={"model_id": cloud_model, "name": "x", "target": "local"}
    )
    assert status == 400 and err["fields"][0]["field"] == "target", err
    assert "belongs to the oci target" in err["message"]
    status, err = await api(
        "deployments", method="POST", body={"model_id": cloud_model, "name": "x", "target": "genai"}
    )
    assert status == 400 and "'genai' is not an enabled target (enabled: local, oci)" in err["message"], err
    status, created = await api(
        "deployments", method="POST", body={"model_id": cloud_model, "name": "on oci", "target": "oci"}
    )
    assert status == 202, created
    assert created["deployment"]["target"] == "oci" and created["deployment"]["id"].startswith("ocid1.")
    assert created["deployment"]["actions"] == ["delete"]  # CREATING

    # A model in Object Storage is registered on OCI without naming the target.
    uri = world.add_model_folder("models", "team/tiny-llama")
    status, registered = await api("models", method="POST", body={"source": "object_storage", "os_uri": uri})
    assert status == 202, registered
    assert registered["model"]["target"] == "oci" and registered["model"]["id"].startswith("ocid1.")


class TestBrokenOci:
    """The OCI target's config file is missing: OCI cannot start, the local target serves on."""

    @pytest.fixture
    def jp_server_config(
        self, world: OciWorld, aqua_data_dir: Path, hf_cache_dir: Path, tmp_path: Path
    ) -> dict[str, Any]:
        return both(world, aqua_data_dir, hf_cache_dir, oci_config_file=str(tmp_path / "nowhere" / "config"))

    async def test_a_target_that_cannot_start_never_hides_the_other(self, api: Any, jp_root_dir: Path) -> None:
        status, info = await api("info")
        assert status == 200
        targets = {t["name"]: t for t in info["targets"]}
        assert targets["local"]["ready"] is True
        assert targets["oci"]["ready"] is False and "No OCI config file at" in targets["oci"]["problem"]
        assert info["backend"]["name"] == "local"  # the default target is the ready one

        status, models = await api("models")
        assert status == 200, models
        assert models["items"] and {m["target"] for m in models["items"]} == {"local"}
        [problem] = models["problems"]
        assert problem["target"] == "oci" and "No OCI config file at" in problem["message"]
        status, deployments = await api("deployments")
        assert status == 200 and deployments["items"] == [] and deployments["problems"][0]["target"] == "oci"

        # What OCI owns answers 503 with the reason; what this machine owns still works.
        status, err = await api("deployments/ocid1.datasciencemodeldeployment.oc1.iad.x")
        assert status == 503 and "No OCI config file at" in err["message"], err
        folder = write_model_folder(jp_root_dir / "mine")
        status, registered = await api("models", method="POST", body={"source": "local_folder", "path": str(folder)})
        assert status == 202 and registered["model"]["target"] == "local", registered
