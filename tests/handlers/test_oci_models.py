"""The Model Explorer on the OCI backend, through a real Jupyter server, against the
OCI emulator with the real `oci` SDK and real request signing."""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.oci_emulator import FaultConfig
from tests.oci_setup import OciWorld, seed_user_model

PAGE = 3  # emulator page size: small, so every list really pages


@pytest.fixture
def jp_server_config(world: OciWorld) -> dict[str, Any]:
    return {
        "ServerApp": {"jpserver_extensions": {"aqua_ext": True}, "allow_unauthenticated_access": False},
        "AquaExtension": world.traits(),
    }


async def start(api: Any, world: OciWorld) -> OciWorld:
    """The backend started (credentials checked), with the emulator's call counts reset."""
    status, body = await api("info")
    assert status == 200 and body["backend"]["ready"], body
    world.emulator.reset_calls()
    return world


def assert_error(status: int, body: Any, expected: int, field: str | None = None) -> None:
    assert status == expected, body
    assert body["status"] == expected and body["message"] and body["request_id"]
    assert "Traceback" not in body["message"]
    if field is not None:
        assert field in [f["field"] for f in body.get("fields") or []], body


# The GPU shapes the emulator's compartment can deploy to.
ALL_GPU_SHAPES = ["VM.GPU.A10.1", "VM.GPU.A10.2", "BM.GPU.A10.4", "BM.GPU4.8", "BM.GPU.A100-v2.8", "BM.GPU.H100.8"]


def publish_shapes(emu: Any, model_id: str, shapes: list[str]) -> None:
    """The service model's published DeploymentConfiguration lists `shapes` (the seeded one lists two A10s)."""
    config = json.dumps({"shape": shapes, "configuration": {}}).encode()
    emu.datascience.metadata_artifacts[(model_id, "defined", "DeploymentConfiguration")] = (config, None)


def calls(world: OciWorld) -> dict[str, int]:
    return {k: v for k, v in world.emulator.calls.items() if v}


# ---- info ------------------------------------------------------------------------


async def test_info_shows_the_oci_backend_region_and_compartment(api: Any, world: OciWorld) -> None:
    status, body = await api("info")
    assert status == 200
    backend = body["backend"]
    assert backend["kind"] == "oci" and backend["ready"] is True and backend["problem"] is None
    assert backend["region"] == "us-ashburn-1"
    assert backend["label"] == "OCI Data Science · us-ashburn-1"
    assert backend["compartment_id"] == world.compartment_id


# ---- list ------------------------------------------------------------------------


async def test_list_pages_to_completion_without_per_row_calls_and_caches(api: Any, world: OciWorld) -> None:
    started = await start(api, world)
    world = started
    world.emulator.seed_service_models(7)
    world.emulator.add_model(world.compartment_id, "not-aqua-service", category="SERVICE")  # no OCI_AQUA tag
    mine = [seed_user_model(world, f"mine-{i}") for i in range(4)]
    tuned = seed_user_model(world, "tuned", fine_tuned=True)
    world.emulator.add_model(world.compartment_id, "someone-elses-sklearn-model")  # USER, not AQUA
    other = world.emulator.add_compartment("elsewhere")
    seed_user_model(OciWorld(world.emulator, world.identity, other, world.project_id), "in-another-compartment")

    status, body = await api("models")
    assert status == 200
    by_id = {m["id"]: m for m in body["items"]}
    assert body["total"] == 7 + 4 + 1
    assert {by_id[i]["source"] for i in mine} == {"registered"} and by_id[tuned]["source"] == "fine-tuned"
    service = [m for m in body["items"] if m["source"] == "catalog"]
    assert len(service) == 7 and all("verified" in m["tags"] for m in service)
    names = {m["name"] for m in body["items"]}
    assert not names & {"not-aqua-service", "someone-elses-sklearn-model", "in-another-compartment"}
    mistral = next(m for m in service if m["name"] == "mistralai/Mistral-7B-Instruct-v0.3")
    assert (mistral["organization"], mistral["license"], mistral["task"]) == (
        "Mistral AI",
        "Apache 2.0",
        "text-generation",
    )
    assert mistral["ready_to_finetune"] is True and mistral["ready_to_deploy"] is False  # ready_to_import: HF first
    assert mistral["parameter_count"] and mistral["hf_id"] == "mistralai/Mistral-7B-Instruct-v0.3"
    e5 = next(m for m in service if m["name"] == "intfloat/e5-mistral-7b-instruct")
    assert e5["capability"] == "EMBEDDING"

    # One paged list per category: as many ListModels calls as pages, and nothing per row.
    service_pages = math.ceil(8 / PAGE)  # every SERVICE model is listed, then filtered on OCI_AQUA
    user_pages = math.ceil(6 / PAGE)  # USER models of this compartment
    assert calls(world) == {"ListModels": service_pages + user_pages}

    # A second open within the cache lifetime makes no call at all.
    world.emulator.reset_calls()
    status, again = await api("models")
    assert status == 200 and again == body
    assert calls(world) == {}

    # Refresh drops the cache and lists again (and sees what changed meanwhile).
    seed_user_model(world, "added-in-the-console")
    status, fresh = await api("models", params={"refresh": "true"})
    assert status == 200 and fresh["total"] == body["total"] + 1
    assert calls(world) == {"ListModels": service_pages + math.ceil(7 / PAGE)}


async def test_concurrent_opens_share_one_listing(api: Any, world: OciWorld) -> None:
    started = await start(api, world)
    started.emulator.seed_service_models(4)
    results = await asyncio.gather(*(api("models") for _ in range(5)))
    assert all(status == 200 and body["total"] == 4 for status, body in results)
    assert calls(started) == {"ListModels": math.ceil(4 / PAGE) + 1}


# ---- detail ----------------------------------------------------------------------


async def test_detail_has_card_license_and_memory_fit(api: Any, world: OciWorld) -> None:
    started = await start(api, world)
    ids = started.emulator.seed_service_models(2)  # Llama 3.1 8B, Mistral 7B
    status, body = await api(f"models/{ids[1]}")
    assert status == 200
    assert body["name"] == "mistralai/Mistral-7B-Instruct-v0.3" and body["source"] == "catalog"
    assert "is a text-generation model published by Mistral AI" in body["card_markdown"]
    assert "## License" in body["card_markdown"] and "Apache 2.0 license text" in body["card_markdown"]
    assert body["architecture"]["num_hidden_layers"] and body["parameter_count"] > 7e9
    assert body["notes"] and "Hugging Face" in body["notes"][0]
    assert body["artifact_location"].startswith("oci://service-managed-models@")
    assert body["deployment_config"]["shape"] == ["VM.GPU.A10.1", "VM.GPU.A10.2"]
    assert body["finetune_config"] is None  # the model lists no FineTuneConfiguration: no call for it
    assert calls(started) == {"GetModel": 1, "GetModelDefinedMetadatumArtifactContent": 3}

    started.emulator.reset_calls()
    status, fit = await api(f"models/{ids[1]}/fit")
    assert status == 200 and fit["total_gb"] > 14 and fit["recommended_shape"] == "VM.GPU.A10.1"
    # Only the shapes its published deployment configuration lists, as AQUA offers a service model (the
    # compartment could deploy to A10, A100 and H100 ones).
    assert [s["name"] for s in fit["shapes"]] == ["VM.GPU.A10.1", "VM.GPU.A10.2"]
    # How many more instances of each the service limits allow: 16 GPUs per family by default in the
    # emulator, so 16 one-GPU A10 VMs, 8 two-GPU ones.
    assert [s["available"] for s in fit["shapes"]] == [16, 8]
    # the detail is cached (no second GetModel); one GetResourceAvailability per distinct limit of the shapes
    # the compartment offers (read at once with the detail, before its published list is known); the shapes
    # were listed once by `info` (which shows them), cached and shared
    assert calls(started) == {"GetResourceAvailability": 4}
    started.emulator.reset_calls()
    status, fit = await api(f"models/{ids[1]}/fit", params={"dtype": "int4"})
    assert status == 200 and calls(started) == {}


async def test_fit_shows_service_limit_availability_and_recommends_around_full_limits(
    api: Any, world: OciWorld
) -> None:
    started = await start(api, world)
    emu = started.emulator
    mistral = emu.seed_service_models(2)[1]  # ~16 GB: every A10 shape and up holds it
    publish_shapes(emu, mistral, ALL_GPU_SHAPES)  # AQUA offers a service model only the shapes it publishes
    # 4 A10 GPUs in the region, 2 of them taken by a live deployment (in another compartment: limits are
    # regional); H100s: none at all.
    emu.limits.values["ds-gpu-a10-count"] = 4
    emu.limits.values["ds-gpu-h100-count"] = 0
    elsewhere = emu.add_compartment("elsewhere")
    emu.add_deployment(elsewhere, emu.add_model(elsewhere, "m"), shape="VM.GPU.A10.2")
    emu.add_deployment(elsewhere, emu.add_model(elsewhere, "n"), shape="VM.GPU.A10.1", lifecycle_state="INACTIVE")
    status, fit = await api(f"models/{mistral}/fit")
    assert status == 200, fit
    available = {s["name"]: s["available"] for s in fit["shapes"]}
    assert available == {
        "VM.GPU.A10.1": 2,
        "VM.GPU.A10.2": 1,
        "BM.GPU.A10.4": 0,
        "BM.GPU4.8": 2,
        "BM.GPU.A100-v2.8": 2,
        "BM.GPU.H100.8": 0,
    }
    assert fit["recommended_shape"] == "VM.GPU.A10.1"
    assert fit["local"] == []  # on OCI, models run on OCI shapes, not on this notebook machine
    assert any("service limit is reached" in a for a in fit["assumptions"])
    assert calls(started) == {
        "GetModel": 1,
        "GetModelDefinedMetadatumArtifactContent": 3,
        "GetResourceAvailability": 4,  # the shapes: listed once by `info`, cached
    }
    sent = [r for r in emu.request_details if r["operation"] == "GetResourceAvailability"]
    assert sorted(r["path"].split("/")[5] for r in sent) == [
        "ds-gpu-a10-count",
        "ds-gpu-a100-v2-count",
        "ds-gpu-h100-count",
        "ds-gpu4-count",
    ]
    assert {r["query"]["compartmentId"] for r in sent} == {started.compartment_id}

    # Cached with the shapes: another fit (another dtype) asks nothing.
    emu.reset_calls()
    status, again = await api(f"models/{mistral}/fit", params={"dtype": "int8"})
    assert status == 200 and calls(started) == {}
    assert [s["available"] for s in again["shapes"]] == [s["available"] for s in fit["shapes"]]


async def test_fit_recommends_past_a_shape_at_its_limit(api: Any, world: OciWorld) -> None:
    started = await start(api, world)
    emu = started.emulator
    mistral = emu.seed_service_models(2)[1]
    publish_shapes(emu, mistral, ALL_GPU_SHAPES)  # AQUA offers a service model only the shapes it publishes
    emu.limits.values["ds-gpu-a10-count"] = 0  # no A10 at all: the smallest shape that holds it is out
    status, fit = await api(f"models/{mistral}/fit")
    assert status == 200
    a10 = [s for s in fit["shapes"] if "A10." in s["name"]]
    assert a10 and all(s["fits"] and s["available"] == 0 and not s["recommended"] for s in a10)
    assert fit["recommended_shape"] == "BM.GPU4.8"


async def test_fit_works_without_permission_to_read_limits(api: Any, world: OciWorld) -> None:
    started = await start(api, world)
    emu = started.emulator
    mistral = emu.seed_service_models(2)[1]
    publish_shapes(emu, mistral, ALL_GPU_SHAPES)
    emu.limits.denied = True  # no "inspect resource-availability" policy: 404 NotAuthorizedOrNotFound
    status, fit = await api(f"models/{mistral}/fit")
    assert status == 200, fit
    assert [s["available"] for s in fit["shapes"]] == [None] * 6
    assert fit["recommended_shape"] == "VM.GPU.A10.1" and fit["total_gb"] > 14
    assert not any("service limit" in a for a in fit["assumptions"])
    # a 404 is not retried: one call per limit, and the failure is remembered for a while
    assert calls(started)["GetResourceAvailability"] == 4
    emu.reset_calls()
    assert (await api(f"models/{mistral}/fit", params={"dtype": "int4"}))[0] == 200
    assert calls(started) == {}


async def test_fit_survives_a_limits_service_that_keeps_failing(api: Any, world: OciWorld) -> None:
    started = await start(api, world)
    emu = started.emulator
    mistral = emu.seed_service_models(2)[1]
    publish_shapes(emu, mistral, ALL_GPU_SHAPES)
    emu.faults = FaultConfig(rate=1.0, kinds=("503",), operations=("GetResourceAvailability",))
    status, fit = await api(f"models/{mistral}/fit")
    assert status == 200, fit
    assert [s["available"] for s in fit["shapes"]] == [None] * 6
    assert fit["recommended_shape"] == "VM.GPU.A10.1"
    assert "ListModelDeploymentShapes" not in calls(started)  # listed once by `info`, cached


async def test_unknown_ocid_is_404_and_malformed_ids_are_400(api: Any, world: OciWorld) -> None:
    started = await start(api, world)
    unknown = "ocid1.datasciencemodel.oc1.iad." + "a" * 60
    status, body = await api(f"models/{unknown}")
    assert_error(status, body, 404)
    assert unknown in body["message"]
    for bad in ("not-an-ocid", "ocid1.datasciencejob.oc1.iad." + "a" * 60, "catalog:Qwen--Qwen2.5-0.5B-Instruct"):
        status, body = await api(f"models/{bad}")
        assert_error(status, body, 400, "model_id")
        status, body = await api(f"models/{bad}", method="DELETE")
        assert_error(status, body, 400, "model_id")
    assert "GetModel" not in calls(started) or calls(started)["GetModel"] == 1


# ---- register from Object Storage --------------------------------------------------


async def test_register_from_object_storage_creates_an_aqua_model(api: Any, world: OciWorld) -> None:
    started = await start(api, world)
    world = started
    world.emulator.seed_service_models(2)
    status, before = await api("models")
    assert status == 200
    uri = world.add_model_folder("models", "team/tiny-llama", readme="# Tiny llama\n\nOur model.")
    world.emulator.reset_calls()

    status, body = await api(
        "models", method="POST", body={"source": "object_storage", "os_uri": uri, "name": "Tiny llama"}
    )
    assert status == 202, body
    assert body["operation"]["state"] == "SUCCEEDED"
    model = body["model"]
    assert model["name"] == "Tiny llama" and model["source"] == "registered"
    assert model["artifact_location"] == uri + "/"
    assert model["architecture"]["num_hidden_layers"] == 2 and model["context_length"] == 2048
    assert "Our model." in model["card_markdown"]
    assert calls(world) == {
        "GetBucket": 1,
        "ListObjects": 1,
        "GetObject": 2,
        "CreateModel": 1,
        "CreateModelDefinedMetadatumArtifact": 1,
    }

    record = world.emulator.get_model_record(model["id"])
    assert record["freeformTags"]["aqua_custom_base_model"] == "true"
    assert record["freeformTags"]["OCI_AQUA"] == "active"
    assert record["freeformTags"]["model_format"] == "SAFETENSORS"
    meta = {m["key"]: m["value"] for m in record["customMetadataList"]}
    assert meta["artifact_location"] == uri + "/"
    assert record["projectId"] == world.project_id and record["compartmentId"] == world.compartment_id

    # The explorer shows it at once, with no listing call (no Resource Search lag either).
    world.emulator.reset_calls()
    status, after = await api("models")
    assert after["total"] == before["total"] + 1 and after["items"][0]["id"] == model["id"]
    assert calls(world) == {}
    status, detail = await api(f"models/{model['id']}")
    assert status == 200 and "Our model." in detail["card_markdown"]


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (lambda w: w.add_model_folder("plain", "m", versioned=False), "--versioning Enabled"),
        (lambda w: f"oci://nobucket@{w.emulator.namespace}/m", "was not found"),
        (lambda w: w.add_model_folder("models", "noconfig", config=False), "config.json"),
        (lambda w: w.add_model_folder("models", "noweights", weights=""), "no *.safetensors or *.gguf"),
    ],
)
async def test_register_rejects_bad_folders_creating_nothing(
    api: Any, world: OciWorld, setup: Any, expected: str
) -> None:
    started = await start(api, world)
    uri = setup(started)
    status, body = await api("models", method="POST", body={"source": "object_storage", "os_uri": uri})
    assert_error(status, body, 400, "os_uri")
    assert expected in body["message"]
    assert started.emulator.calls["CreateModel"] == 0


async def test_register_gguf_only_folder(api: Any, world: OciWorld) -> None:
    started = await start(api, world)
    uri = started.add_model_folder("models", "gguf", config=False, weights="tiny.Q4_K_M.gguf")
    status, body = await api("models", method="POST", body={"source": "object_storage", "os_uri": uri})
    assert status == 202, body
    assert body["model"]["formats"] == ["gguf"] and body["model"]["ready_to_finetune"] is False
    meta = {m["key"]: m["value"] for m in started.emulator.get_model_record(body["model"]["id"])["customMetadataList"]}
    assert meta["model_file"] == "tiny.Q4_K_M.gguf"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"source": "object_storage", "os_uri": "s3://bucket/models/m"}, "os_uri"),
        ({"source": "object_storage", "os_uri": "oci://bucket/models/m"}, "os_uri"),
        ({"source": "object_storage"}, "os_uri"),
        ({"source": "huggingface", "hf_id": "acme/tiny"}, "os_uri"),
        ({"source": "local_folder", "path": "/tmp/x"}, "source"),
    ],
)
async def test_register_bad_input_names_the_field(api: Any, world: OciWorld, payload: dict, field: str) -> None:
    started = await start(api, world)
    status, body = await api("models", method="POST", body=payload)
    assert_error(status, body, 400, field)
    assert calls(started) == {}


# ---- delete ----------------------------------------------------------------------


async def test_delete_registered_model_but_not_service_models(api: Any, world: OciWorld) -> None:
    started = await start(api, world)
    world = started
    service = world.emulator.seed_service_models(1)[0]
    mine = seed_user_model(world, "mine")
    status, body = await api("models")
    assert body["total"] == 2
    world.emulator.reset_calls()

    status, body = await api(f"models/{service}", method="DELETE")
    assert_error(status, body, 409)
    assert "cannot be deleted" in body["message"]
    assert calls(world) == {}, "the listing already knew it was a service model"

    status, body = await api(f"models/{mine}", method="DELETE")
    assert status == 204, body
    assert calls(world) == {"DeleteModel": 1}
    status, body = await api("models")
    assert [m["id"] for m in body["items"]] == [service]
    await asyncio.sleep(0.4)  # the emulator moves the model to DELETED
    status, body = await api(f"models/{mine}")
    assert_error(status, body, 404)


async def test_delete_unknown_is_404_and_non_aqua_is_409(api: Any, world: OciWorld) -> None:
    started = await start(api, world)
    status, body = await api("models/ocid1.datasciencemodel.oc1.iad." + "b" * 60, method="DELETE")
    assert_error(status, body, 404)
    sklearn = started.emulator.add_model(started.compartment_id, "sklearn-model")
    status, body = await api(f"models/{sklearn}", method="DELETE")
    assert_error(status, body, 409)
    assert "not registered through AI Quick Actions" in body["message"]


# ---- faults ----------------------------------------------------------------------


async def test_reads_survive_20_percent_faults_or_fail_clearly(api: Any, world: OciWorld) -> None:
    started = await start(api, world)
    world = started
    ids = world.emulator.seed_service_models(6)
    for i in range(4):
        seed_user_model(world, f"mine-{i}")
    world.emulator.faults = FaultConfig(rate=0.2, kinds=("429", "500", "503", "drop"), seed=7)
    outcomes = []
    for i in range(12):
        status, body = await api("models", params={"refresh": "true"})
        outcomes.append(status)
        if status == 200:
            assert body["total"] == 10
        else:
            assert_error(status, body, status)
            assert status in (502, 504) and "OCI" in body["message"]
        status, body = await api(f"models/{ids[i % len(ids)]}")
        outcomes.append(status)
        assert status in (200, 502, 504), body
    assert outcomes.count(200) >= len(outcomes) * 0.8, outcomes
    assert sum(world.emulator.calls.values()) > len(outcomes), "faults were injected and retried"


async def test_creates_never_duplicate_under_faults(api: Any, world: OciWorld) -> None:
    started = await start(api, world)
    world = started
    uris = [world.add_model_folder("models", f"m{i}") for i in range(8)]
    world.emulator.faults = FaultConfig(rate=0.2, kinds=("429", "500", "503", "drop"), seed=3)
    registered = []
    for uri in uris:
        status, body = await api("models", method="POST", body={"source": "object_storage", "os_uri": uri})
        assert status in (202, 502, 504), body
        if status == 202:
            registered.append(body["model"]["id"])
    world.emulator.faults = None
    users = [m for m in world.emulator.datascience.models.values() if m["category"] == "USER"]
    assert sorted(m["id"] for m in users) == sorted(registered)
    assert len({m["customMetadataList"][0]["value"] for m in users}) == len(users)


async def test_persistent_throttling_is_a_clear_502(api: Any, world: OciWorld) -> None:
    started = await start(api, world)
    started.emulator.seed_service_models(1)
    started.emulator.faults = FaultConfig(rate=1.0, kinds=("429",), operations=("ListModels",))
    status, body = await api("models")
    assert_error(status, body, 502)
    assert "after 4 attempts" in body["message"] and "TooManyRequests" in body["message"]
    assert 4 <= started.emulator.calls["ListModels"] <= 4 * 2  # bounded: 4 attempts per list, at most two lists


async def test_timeouts_are_a_clear_504(api: Any, world: OciWorld) -> None:
    started = await start(api, world)
    ids = started.emulator.seed_service_models(1)
    started.emulator.faults = FaultConfig(rate=1.0, kinds=("timeout",), operations=("GetModel",), timeout_seconds=3)
    status, body = await api(f"models/{ids[0]}")
    assert_error(status, body, 504)
    assert "did not answer in time" in body["message"]


async def test_a_missing_bucket_names_the_policy(api: Any, world: OciWorld) -> None:
    started = await start(api, world)
    status, body = await api(
        "models",
        method="POST",
        body={"source": "object_storage", "os_uri": f"oci://gone@{started.emulator.namespace}/m"},
    )
    assert_error(status, body, 400, "os_uri")
    assert "manage object-family" in body["message"]


# ---- register from Hugging Face on OCI: download, upload, create ----------------------


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from tests.fake_hf_hub import FakeHub, FakeRepo

    for name in ("HF_TOKEN", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_CACHE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with FakeHub() as fake:
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        config = (
            b'{"model_type": "llama", "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2, '
            b'"max_position_embeddings": 64}'
        )
        fake.add_repo(
            FakeRepo(
                "org/tiny",
                {"config.json": config, "model.safetensors": b"\0" * 2048, "README.md": b"# tiny\n\nFrom the hub.\n"},
                license="mit",
            )
        )
        yield fake


async def wait_operation(api: Any, operation_id: str, timeout: float = 60) -> dict:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        status, op = await api(f"operations/{operation_id}")
        assert status == 200
        if op["state"] in ("SUCCEEDED", "FAILED", "CANCELED") or loop.time() > deadline:
            return op
        await asyncio.sleep(0.1)


async def test_register_from_hugging_face_uploads_then_creates(api: Any, world: OciWorld, hub: Any) -> None:
    started = await start(api, world)
    started.emulator.add_bucket(None, "models", versioned=True, compartment_id=started.compartment_id)
    uri = f"oci://models@{started.emulator.namespace}/hf/tiny"
    status, body = await api(
        "models", method="POST", body={"source": "huggingface", "hf_id": "org/tiny", "os_uri": uri}
    )
    assert status == 202, body
    assert body["model"] is None and body["operation"]["state"] == "RUNNING"
    op = await wait_operation(api, body["operation"]["id"])
    assert op["state"] == "SUCCEEDED", op
    model_id = op["resource_id"]
    names = started.emulator.list_object_names(None, "models", "hf/tiny/")
    assert {"hf/tiny/config.json", "hf/tiny/model.safetensors", "hf/tiny/README.md"} <= set(names)
    record = started.emulator.get_model_record(model_id)
    assert record["freeformTags"]["aqua_custom_base_model"] == "true"
    assert record["freeformTags"]["organization"] == "org" and record["freeformTags"]["license"] == "mit"
    meta = {m["key"]: m["value"] for m in record["customMetadataList"]}
    assert meta["hf_id"] == "org/tiny" and meta["artifact_location"] == uri + "/"
    status, detail = await api(f"models/{model_id}")
    assert status == 200 and detail["hf_id"] == "org/tiny" and "From the hub." in detail["card_markdown"]


async def test_register_from_hugging_face_into_an_unversioned_bucket_is_400(
    api: Any, world: OciWorld, hub: Any
) -> None:
    started = await start(api, world)
    started.emulator.add_bucket(None, "plain", versioned=False, compartment_id=started.compartment_id)
    status, body = await api(
        "models",
        method="POST",
        body={"source": "huggingface", "hf_id": "org/tiny", "os_uri": f"oci://plain@{started.emulator.namespace}/x"},
    )
    assert_error(status, body, 400, "os_uri")
    assert "--versioning Enabled" in body["message"]
    occupied = started.add_model_folder("models", "taken")
    status, body = await api(
        "models", method="POST", body={"source": "huggingface", "hf_id": "org/tiny", "os_uri": occupied}
    )
    assert_error(status, body, 400, "os_uri")
    assert "already holds files" in body["message"]


async def test_hugging_face_cancel_or_upload_failure_leaves_nothing(api: Any, world: OciWorld, hub: Any) -> None:
    from tests.fake_hf_hub import FakeRepo

    started = await start(api, world)
    started.emulator.add_bucket(None, "models", versioned=True, compartment_id=started.compartment_id)
    hub.add_repo(
        FakeRepo(
            "org/slow",
            {"config.json": b"{}", "model.safetensors": b"\0" * 64 * 1024},
            slow_files={"model.safetensors": 0.05},
        )
    )
    ns = started.emulator.namespace
    status, body = await api(
        "models",
        method="POST",
        body={"source": "huggingface", "hf_id": "org/slow", "os_uri": f"oci://models@{ns}/slow"},
    )
    assert status == 202, body
    await asyncio.sleep(0.5)
    status, op = await api(f"operations/{body['operation']['id']}", method="DELETE")
    assert status == 200
    op = await wait_operation(api, op["id"])
    assert op["state"] == "CANCELED"

    started.emulator.faults = FaultConfig(rate=1.0, kinds=("500",), operations=("PutObject",))
    status, body = await api(
        "models",
        method="POST",
        body={"source": "huggingface", "hf_id": "org/tiny", "os_uri": f"oci://models@{ns}/tiny"},
    )
    assert status == 202, body
    op = await wait_operation(api, body["operation"]["id"])
    assert op["state"] == "FAILED" and "Object Storage" in op["error"] and "after 4 attempts" in op["error"]
    started.emulator.faults = None
    assert started.emulator.list_object_names(None, "models") == []
    assert started.emulator.calls["CreateModel"] == 0


def deny(world: OciWorld, operation: str, status: int = 404, code: str = "NotAuthorizedOrNotFound") -> None:
    """Make one emulated operation answer as OCI does without a policy (the emulator has no IAM)."""
    from tests.oci_emulator import OciError

    def refuse(req: Any) -> Any:
        raise OciError(status, code, "Authorization failed or requested resource not found.")

    routes = [r for router in world.emulator._routers.values() for r in router.routes if r.operation == operation]
    assert routes, operation
    for route in routes:
        route.handler = refuse


async def test_authorization_failures_name_the_missing_policy(api: Any, world: OciWorld) -> None:
    started = await start(api, world)
    deny(started, "ListModels")
    status, body = await api("models")
    assert_error(status, body, 502)
    assert "NotAuthorizedOrNotFound" in body["message"]
    assert (
        f"Allow dynamic-group <your notebook dynamic group> to manage data-science-family in compartment id "
        f"{started.compartment_id}"
    ) in body["message"]
    deny(started, "CreateModel", 403, "NotAuthorized")
    uri = started.add_model_folder("models", "m")
    status, body = await api("models", method="POST", body={"source": "object_storage", "os_uri": uri})
    assert_error(status, body, 502)
    assert "manage data-science-family" in body["message"]
    assert started.emulator.calls["CreateModel"] == 1, "an authorization failure is not retried"


async def test_a_create_whose_answer_is_lost_is_retried_without_a_duplicate(api: Any, world: OciWorld) -> None:
    """CreateModel succeeds on the emulator but the connection drops before the answer: our retry
    carries the same opc-retry-token, so OCI returns the first model instead of making a second."""
    from tests.oci_emulator.server import _Drop

    started = await start(api, world)
    routes = [r for router in started.emulator._routers.values() for r in router.routes if r.operation == "CreateModel"]
    real = routes[0].handler
    lost = []

    def create_then_drop(req: Any) -> Any:
        response = real(req)
        if not lost:
            lost.append(req.header("opc-retry-token"))
            raise _Drop()
        assert req.header("opc-retry-token") == lost[0]
        return response

    routes[0].handler = create_then_drop
    uri = started.add_model_folder("models", "once")
    status, body = await api("models", method="POST", body={"source": "object_storage", "os_uri": uri})
    assert status == 202, body
    assert lost and started.emulator.calls["CreateModel"] == 2
    users = [m for m in started.emulator.datascience.models.values() if m["category"] == "USER"]
    assert [m["id"] for m in users] == [body["model"]["id"]]


# ---- interoperability with Oracle's AQUA (issue 12) ----------------------------------------


async def test_registered_models_carry_aquas_container_metadata(api: Any, world: OciWorld) -> None:
    """AQUA deploys a registered model with the family under `deployment-container`
    (modeldeployment `_get_container_type_key` raises without it), fine-tunes it with `finetune-container`
    and evaluates it with `evaluation-container`: the values AQUA's register writes for the format."""
    started = await start(api, world)
    safetensors = started.add_model_folder("models", "interop/st")
    gguf = started.add_model_folder("models", "interop/gguf", config=False, weights="tiny.Q4_K_M.gguf")
    metas = []
    for uri in (safetensors, gguf):
        status, body = await api("models", method="POST", body={"source": "object_storage", "os_uri": uri})
        assert status == 202, body
        record = started.emulator.get_model_record(body["model"]["id"])
        metas.append({m["key"]: m for m in record["customMetadataList"]})
    st, gg = metas
    assert st["deployment-container"]["value"] == "odsc-vllm-serving"
    assert st["finetune-container"]["value"] == "odsc-llm-fine-tuning"
    assert st["evaluation-container"]["value"] == "odsc-llm-evaluate"
    assert {st[k]["category"] for k in ("deployment-container", "finetune-container", "evaluation-container")} == {
        "Other"
    }
    # GGUF: llama.cpp serves it; AQUA refuses a fine-tuning container for GGUF-only weights.
    assert gg["deployment-container"]["value"] == "odsc-llama-cpp-serving"
    assert "finetune-container" not in gg
    assert gg["evaluation-container"]["value"] == "odsc-llm-evaluate"
