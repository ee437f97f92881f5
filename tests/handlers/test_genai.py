"""The genai target's routes over the OCI emulator: import a model (Object Storage, Hugging Face), a hosting
cluster of the recommended unit shape with its cost, an endpoint (listed with the deployments), chat with it,
fine-tune with LoRA and T-Few, and each create's Terraform (nothing created); every bad input is a 400 naming
the field and the fix, with nothing created (the emulator's call counts say so)."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.handlers.test_oci_deployments import chat_events
from tests.oci_setup import SERVICES, OciWorld

GENAI_SERVICES = (*SERVICES, "generativeai", "generativeaiinference")
LLAMA_CONFIG = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "num_hidden_layers": 2,
    "hidden_size": 64,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "max_position_embeddings": 2048,
    "torch_dtype": "bfloat16",
}
# Long context, many layers: its KV cache at 131,072 tokens outgrows one A10 (24 GB) while the weights are tiny.
LONG_CONFIG = {
    **LLAMA_CONFIG,
    "num_hidden_layers": 80,
    "hidden_size": 8192,
    "num_attention_heads": 64,
    "num_key_value_heads": 8,
    "max_position_embeddings": 131072,
}
DATASET = '{"prompt": "안녕하세요", "completion": "こんにちは"}\n{"prompt": "東京", "completion": "서울"}\n' * 5
CREATES = (
    "CreateImportedModel",
    "CreateDedicatedAiCluster",
    "CreateEndpoint",
    "CreateModel",
)


@pytest.fixture
def jp_server_config(world: OciWorld) -> dict[str, Any]:
    world.emulator.transition_seconds = 0.05
    traits = world.traits(
        backend="auto",
        targets=["oci", "genai"],
        oci_endpoints={s: world.emulator.endpoint(s) for s in GENAI_SERVICES},
        genai_price_per_ai_unit_hour=2.0,
    )
    return {
        "ServerApp": {"jpserver_extensions": {"aqua_ext": True}, "allow_unauthenticated_access": False},
        "AquaExtension": traits,
    }


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from tests.fake_hf_hub import FakeHub, FakeRepo

    for name in ("HF_TOKEN", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_CACHE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with FakeHub() as fake:
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        files = {"config.json": json.dumps(LLAMA_CONFIG).encode(), "model.safetensors": b"\0" * 2048}
        fake.add_repo(FakeRepo("org/tiny-llama", files))
        fake.add_repo(
            FakeRepo("meta-llama/Llama-3.1-8B-Instruct", files, gated=True, valid_tokens={"hf_secretvalue12345"})
        )
        yield fake


def model_folder(
    world: OciWorld, prefix: str, config: dict[str, Any] | None = None, weights: bool = True, has_config: bool = True
) -> str:
    emu = world.emulator
    if (emu.namespace, "models") not in emu.objectstorage.buckets:
        emu.add_bucket(None, "models", versioned=True, compartment_id=world.compartment_id)
    if has_config:
        emu.put_object(None, "models", f"{prefix}/config.json", json.dumps(config or LLAMA_CONFIG))
    if weights:
        emu.put_object(None, "models", f"{prefix}/model.safetensors", b"\0" * 4096)
    return f"oci://models@{emu.namespace}/{prefix}"


def assert_error(status: int, body: Any, expected: int, field: str | None = None) -> None:
    assert status == expected, body
    assert body["message"] and "Traceback" not in body["message"]
    if field is not None:
        assert field in [f["field"] for f in body.get("fields") or []], body


def creates(world: OciWorld) -> int:
    return sum(world.emulator.calls[name] for name in CREATES)


async def wait_operation(api: Any, operation_id: str, timeout: float = 30) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        status, op = await api(f"operations/{operation_id}")
        assert status == 200, op
        if op["state"] in ("SUCCEEDED", "FAILED", "CANCELED") or loop.time() > deadline:
            return op
        await asyncio.sleep(0.05)


async def imported(api: Any, world: OciWorld, prefix: str = "tiny", config: dict[str, Any] | None = None) -> str:
    uri = model_folder(world, prefix, config)
    body = {
        "source": "object_storage",
        "display_name": f"작은 모델 {prefix}",
        "capability": "TEXT_TO_TEXT",
        "os_uri": uri,
    }
    status, created = await api("genai/models", method="POST", body=body)
    assert status == 202, created
    op = await wait_operation(api, created["operation"]["id"])
    assert op["state"] == "SUCCEEDED", op
    return str(created["model"]["id"])


async def hosting_cluster(api: Any, model_id: str, name: str = "호스팅 ホスト") -> dict[str, Any]:
    status, created = await api(
        "genai/clusters", method="POST", body={"display_name": name, "type": "HOSTING", "model_id": model_id}
    )
    assert status == 202, created
    op = await wait_operation(api, created["operation"]["id"])
    assert op["state"] == "SUCCEEDED", op
    return dict(created["cluster"])


# ---- models ---------------------------------------------------------------------------------------------------


async def test_models_list_base_models_and_an_object_storage_import(api: Any, world: OciWorld) -> None:
    status, listed = await api("genai/models")
    assert status == 200, listed
    names = {m["name"]: m for m in listed["items"]}
    assert names["cohere.command-r-08-2024"]["type"] == "BASE"
    assert names["cohere.command-r-08-2024"]["actions"] == ["finetune"]
    assert "FINE_TUNE" in names["cohere.command-r-08-2024"]["capabilities"]

    model_id = await imported(api, world)
    status, model = await api(f"genai/models/{model_id}")
    assert status == 200, model
    assert model["type"] == "IMPORTED" and model["capability"] == "TEXT_TO_TEXT" and model["state"] == "ACTIVE"
    assert model["object_storage"]["prefix"] == "tiny" and model["name"] == "작은 모델 tiny"
    assert model["actions"] == ["host", "delete"]
    # The merged model list shows it too, on the genai target; the Data Science list does not claim it.
    status, merged = await api("models")
    assert status == 200
    assert [m["target"] for m in merged["items"] if m["id"] == model_id] == ["genai"]

    status, _ = await api(f"genai/models/{model_id}", method="DELETE")
    assert status == 204
    await asyncio.sleep(0.3)
    status, gone = await api(f"genai/models/{model_id}")
    assert status == 404, gone


async def test_import_from_hugging_face_sends_the_token_once_and_never_answers_it(
    api: Any, world: OciWorld, hub: Any
) -> None:
    body = {
        "source": "huggingface",
        "display_name": "llama 3.1",
        "capability": "TEXT_TO_TEXT",
        "hf_id": "meta-llama/Llama-3.1-8B-Instruct",
        "token": "hf_secretvalue12345",
    }
    status, created = await api("genai/models", method="POST", body=body)
    assert status == 202, created
    assert "hf_secretvalue12345" not in json.dumps(created)
    op = await wait_operation(api, created["operation"]["id"])
    assert op["state"] == "SUCCEEDED", op
    status, model = await api(f"genai/models/{created['model']['id']}")
    assert model["huggingface"]["hf_id"] == "meta-llama/Llama-3.1-8B-Instruct"
    assert "hf_secretvalue12345" not in json.dumps(model)


async def test_bad_imports_are_400s_naming_the_field_and_create_nothing(api: Any, world: OciWorld, hub: Any) -> None:
    no_config = model_folder(world, "no-config", has_config=False)
    no_weights = model_folder(world, "no-weights", weights=False)
    cases = [
        # A causal LM imported as an embedding model.
        ({"source": "object_storage", "capability": "EMBEDDING", "os_uri": model_folder(world, "t")}, "capability"),
        ({"source": "object_storage", "capability": "TEXT_TO_TEXT", "os_uri": no_config}, "os_uri"),
        ({"source": "object_storage", "capability": "TEXT_TO_TEXT", "os_uri": no_weights}, "os_uri"),
        # A gated Hugging Face model without the token it needs.
        ({"source": "huggingface", "capability": "TEXT_TO_TEXT", "hf_id": "meta-llama/Llama-3.1-8B-Instruct"}, "token"),
        ({"source": "huggingface", "capability": "TEXT_TO_TEXT"}, "hf_id"),
    ]
    world.emulator.reset_calls()
    for body, field in cases:
        status, error = await api("genai/models", method="POST", body={"display_name": "x", **body})
        assert_error(status, error, 400, field)
        status, error = await api("genai/models/terraform", method="POST", body={"display_name": "x", **body})
        assert_error(status, error, 400, field)
    assert creates(world) == 0


# ---- clusters -------------------------------------------------------------------------------------------------


async def test_a_hosting_cluster_takes_the_recommended_shape_and_shows_its_cost(api: Any, world: OciWorld) -> None:
    model_id = await imported(api, world)
    status, plan = await api("genai/cluster-plan", params={"model_id": model_id})
    assert status == 200, plan
    assert plan["recommended_unit_shape"] == "A10_X1"
    a10 = next(s for s in plan["shapes"] if s["unit_shape"] == "A10_X1")
    assert a10["fits"] is True and a10["limit_name"] == "dedicated-unit-a10-count" and a10["available"] == 8
    assert a10["cost"]["ai_units"] == 1.77 and a10["cost"]["hourly"] == 3.54  # 1.77 × $2 configured
    assert plan["price_per_ai_unit_hour"] == 2.0 and plan["datascience"] is not None

    cluster = await hosting_cluster(api, model_id)
    assert cluster["unit_shape"] == "A10_X1"
    status, detail = await api(f"genai/clusters/{cluster['id']}")
    assert status == 200 and detail["state"] == "ACTIVE", detail
    assert detail["cost"]["hourly"] == 3.54 and detail["limit_name"] == "dedicated-unit-a10-count"
    # Billed for at least an hour: 1.77 AI-unit hours, $3.54.
    assert detail["cost_so_far"]["ai_unit_hours"] == 1.77 and detail["cost_so_far"]["amount"] == 3.54
    assert "create_endpoint" in detail["actions"]
    status, listed = await api("genai/clusters")
    assert [c["id"] for c in listed["items"]] == [cluster["id"]]


async def test_bad_clusters_are_400s_naming_unit_shape_and_create_nothing(api: Any, world: OciWorld) -> None:
    long_model = await imported(api, world, "long", LONG_CONFIG)
    world.emulator.reset_calls()
    # A unit shape below the memory fit: the arithmetic and the shape that holds it.
    below = {"display_name": "c", "model_id": long_model, "unit_shape": "A10_X1", "context_length": 131072}
    for path in ("genai/clusters", "genai/clusters/terraform"):
        status, error = await api(path, method="POST", body=below)
        assert_error(status, error, 400, "unit_shape")
        assert "GB" in error["message"] and "A10_X1" in error["message"]
    # A quota of zero: the limit to raise is named.
    world.emulator.limits.values["dedicated-unit-a10-count"] = 0
    body = {"display_name": "c", "unit_shape": "A10_X2"}
    for path in ("genai/clusters", "genai/clusters/terraform"):
        status, error = await api(path, method="POST", body=body)
        assert_error(status, error, 400, "unit_shape")
        assert "dedicated-unit-a10-count" in error["message"]
    status, error = await api("genai/clusters", method="POST", body={"display_name": "c", "unit_shape": "B200_X9"})
    assert_error(status, error, 400, "unit_shape")
    status, error = await api("genai/clusters", method="POST", body={"display_name": "c"})
    assert_error(status, error, 400, "unit_shape")
    assert creates(world) == 0


# ---- endpoints, chat -----------------------------------------------------------------------------------------


async def test_an_endpoint_is_a_deployment_of_the_genai_target_and_chats(
    api: Any, jp_fetch: Any, world: OciWorld
) -> None:
    model_id = await imported(api, world)
    cluster = await hosting_cluster(api, model_id)
    body = {"display_name": "엔드포인트", "model_id": model_id, "dedicated_ai_cluster_id": cluster["id"]}
    status, created = await api("genai/endpoints", method="POST", body=body)
    assert status == 202, created
    op = await wait_operation(api, created["operation"]["id"])
    assert op["state"] == "SUCCEEDED", op
    endpoint_id = created["endpoint"]["id"]

    status, deployments = await api("deployments")
    assert status == 200, deployments
    (item,) = [d for d in deployments["items"] if d["id"] == endpoint_id]
    assert item["target"] == "genai" and item["engine"] == "oci-genai" and item["state"] == "ACTIVE"
    assert item["shape"] == "A10_X1" and "chat" in item["actions"]

    status, answer = await api(
        f"deployments/{endpoint_id}/v1/chat/completions",
        method="POST",
        body={"model": "x", "messages": [{"role": "user", "content": "안녕하세요"}], "max_tokens": 16},
    )
    assert status == 200, answer
    assert answer["choices"][0]["message"]["content"]

    # The playground's stream, as with any deployment: deltas, then done.
    events, _ = await chat_events(jp_fetch, endpoint_id, {"messages": [{"role": "user", "content": "東京は?"}]})
    kinds = [kind for kind, _ in events]
    assert "delta" in kinds and kinds[-1] == "done", events
    assert "".join(data["content"] for kind, data in events if kind == "delta")

    status, _ = await api(f"genai/endpoints/{endpoint_id}", method="DELETE")
    assert status == 204


async def test_an_embedding_endpoint_embeds(api: Any, world: OciWorld) -> None:
    bert = {"architectures": ["BertModel"], "model_type": "bert", "num_hidden_layers": 2, "hidden_size": 32,
            "num_attention_heads": 2, "max_position_embeddings": 512}  # fmt: skip
    uri = model_folder(world, "bert", bert)
    body = {"source": "object_storage", "display_name": "임베딩", "capability": "EMBEDDING", "os_uri": uri}
    status, created = await api("genai/models", method="POST", body=body)
    assert status == 202, created
    assert (await wait_operation(api, created["operation"]["id"]))["state"] == "SUCCEEDED"
    model_id = created["model"]["id"]
    cluster = await hosting_cluster(api, model_id)
    body = {"display_name": "embed", "model_id": model_id, "dedicated_ai_cluster_id": cluster["id"]}
    status, endpoint = await api("genai/endpoints", method="POST", body=body)
    assert status == 202, endpoint
    assert (await wait_operation(api, endpoint["operation"]["id"]))["state"] == "SUCCEEDED"
    endpoint_id = endpoint["endpoint"]["id"]
    status, detail = await api(f"deployments/{endpoint_id}")
    assert status == 200 and detail["mode"] == "embedding", detail
    status, embedded = await api(
        f"deployments/{endpoint_id}/embed", method="POST", body={"inputs": ["안녕하세요", "こんにちは"]}
    )
    assert status == 200, embedded
    assert embedded["dimensions"] > 0 and len(embedded["similarity"]) == 2


async def test_an_endpoint_needs_a_hosting_cluster(api: Any, world: OciWorld) -> None:
    model_id = await imported(api, world)
    tuning = world.emulator.generative_ai.add_cluster(world.compartment_id, "tuning", kind="FINE_TUNING")
    world.emulator.reset_calls()
    body = {"display_name": "e", "model_id": model_id, "dedicated_ai_cluster_id": tuning}
    status, error = await api("genai/endpoints", method="POST", body=body)
    assert_error(status, error, 400, "dedicated_ai_cluster_id")
    status, error = await api("genai/endpoints", method="POST", body={**body, "dedicated_ai_cluster_id": "ocid1.x"})
    assert_error(status, error, 400, "dedicated_ai_cluster_id")
    assert creates(world) == 0


# ---- fine-tuning ---------------------------------------------------------------------------------------------


def base_model(world: OciWorld, name: str) -> str:
    found = world.emulator.generative_ai.base_model(name)
    assert found is not None
    return str(found["id"])


def dataset(world: OciWorld, name: str, text: str) -> dict[str, str]:
    emu = world.emulator
    if (emu.namespace, "data") not in emu.objectstorage.buckets:
        emu.add_bucket(None, "data", versioned=True, compartment_id=world.compartment_id)
    emu.put_object(None, "data", name, text)
    return {"namespace": emu.namespace, "bucket": "data", "object": name}


async def start_finetune(api: Any, world: OciWorld, base: str, config: dict[str, Any], name: str) -> dict[str, Any]:
    """A fine-tune of `base` on a new FINE_TUNING cluster with DATASET: the 202's body."""
    cluster = world.emulator.generative_ai.add_cluster(world.compartment_id, f"{name} cluster", kind="FINE_TUNING")
    body = {
        "display_name": name,
        "base_model_id": base_model(world, base),
        "dedicated_ai_cluster_id": cluster,
        "training_dataset": dataset(world, "train.jsonl", DATASET),
        "training_config": config,
    }
    status, created = await api("genai/finetunes", method="POST", body=body)
    assert status == 202, created
    return dict(created)


# A base model and a training configuration of each method the issue asks for (LoRA, T-Few).
FINETUNE_CASES = [
    ("meta.llama-3.1-70b-instruct", {"training_config_type": "LORA_TRAINING_CONFIG", "lora_r": 16}),
    ("cohere.command", {"training_config_type": "TFEW_TRAINING_CONFIG", "total_training_epochs": 2}),
]


@pytest.mark.parametrize(("base", "config"), FINETUNE_CASES)
async def test_finetune_with_lora_and_tfew_reports_metrics_and_is_hostable(
    api: Any, world: OciWorld, base: str, config: dict[str, Any]
) -> None:
    created = await start_finetune(api, world, base, config, "미세 조정 微調整")
    assert "80/20" in created["finetune"]["split"]
    op = await wait_operation(api, created["operation"]["id"])
    assert op["state"] == "SUCCEEDED", op
    status, done = await api(f"genai/finetunes/{created['finetune']['id']}")
    assert status == 200, done
    assert done["state"] == "ACTIVE" and done["progress"] == 1.0 and done["actions"] == ["host", "delete"]
    assert done["metrics"]["final_accuracy"] > 0 and done["metrics"]["final_loss"] > 0
    assert done["training_config"]["training_config_type"] == config["training_config_type"]
    status, listed = await api("genai/finetunes")
    assert [f["id"] for f in listed["items"]] == [done["id"]]
    # The result is a model a hosting cluster's endpoint can serve.
    status, model = await api(f"genai/models/{done['id']}")
    assert model["type"] == "CUSTOM" and model["state"] == "ACTIVE" and "host" in model["actions"]


async def test_bad_finetunes_are_400s_and_create_nothing(api: Any, world: OciWorld) -> None:
    tuning = world.emulator.generative_ai.add_cluster(world.compartment_id, "tuning", kind="FINE_TUNING")
    hosting = world.emulator.generative_ai.add_cluster(world.compartment_id, "hosting")
    good = {
        "display_name": "ft",
        "base_model_id": base_model(world, "meta.llama-3.1-70b-instruct"),
        "dedicated_ai_cluster_id": tuning,
        "training_dataset": dataset(world, "good.jsonl", DATASET),
        "training_config": {"training_config_type": "LORA_TRAINING_CONFIG"},
    }
    bad_lines = dataset(world, "bad.jsonl", DATASET + "{not json\n" + '{"prompt": "only"}\n')
    world.emulator.reset_calls()
    cases = [
        ({"training_dataset": bad_lines}, "training_dataset"),
        ({"dedicated_ai_cluster_id": hosting}, "dedicated_ai_cluster_id"),
        ({"base_model_id": base_model(world, "meta.llama-3.3-70b-instruct")}, "base_model_id"),
        ({"training_config": {"training_config_type": "TFEW_TRAINING_CONFIG", "lora_r": 8}}, "lora_r"),
        ({"training_config": {"training_config_type": "LORA_TRAINING_CONFIG", "lora_r": 65}}, "lora_r"),
    ]
    for change, field in cases:
        for path in ("genai/finetunes", "genai/finetunes/terraform"):
            status, error = await api(path, method="POST", body={**good, **change})
            assert status == 400, error
            fields = [f["field"] for f in error.get("fields") or []]
            assert any(f == field or f.startswith(f"{field}:") for f in fields), error
    assert creates(world) == 0


# ---- Terraform ------------------------------------------------------------------------------------------------


async def test_each_create_exports_terraform_that_parses_and_creates_nothing(api: Any, world: OciWorld) -> None:
    hcl2 = pytest.importorskip("hcl2")
    from hcl2.utils import SerializationOptions

    options = SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)
    model_id = await imported(api, world)
    cluster = await hosting_cluster(api, model_id)
    tuning = world.emulator.generative_ai.add_cluster(world.compartment_id, "tuning", kind="FINE_TUNING")
    world.emulator.reset_calls()
    exports = {
        "genai/models/terraform": {
            "source": "object_storage",
            "display_name": "모델",
            "capability": "TEXT_TO_TEXT",
            "os_uri": model_folder(world, "tf"),
        },
        "genai/clusters/terraform": {"display_name": "클러스터", "model_id": model_id},
        "genai/endpoints/terraform": {
            "display_name": "エンドポイント",
            "model_id": model_id,
            "dedicated_ai_cluster_id": cluster["id"],
        },
        "genai/finetunes/terraform": {
            "display_name": "ft",
            "base_model_id": base_model(world, "cohere.command"),
            "dedicated_ai_cluster_id": tuning,
            "training_dataset": dataset(world, "tf.jsonl", DATASET),
            "training_config": {"training_config_type": "TFEW_TRAINING_CONFIG"},
        },
    }
    resources = {}
    for path, body in exports.items():
        status, export = await api(path, method="POST", body=body)
        assert status == 200, export
        assert export["file_name"].endswith(".tf")
        assert export["cli"].startswith("aqua-ext genai ") and body["display_name"] in export["cli"]
        parsed = hcl2.loads(export["hcl"], serialization_options=options)
        (resource,) = parsed["resource"]
        resources.update(resource)
    assert set(resources) == {
        "oci_generative_ai_imported_model",
        "oci_generative_ai_dedicated_ai_cluster",
        "oci_generative_ai_endpoint",
        "oci_generative_ai_model",
    }
    assert creates(world) == 0


async def test_training_defaults_list_each_method(api: Any) -> None:
    status, defaults = await api("genai/training-defaults")
    assert status == 200, defaults
    kinds = {m["training_config_type"]: {f["name"]: f for f in m["fields"]} for m in defaults["methods"]}
    assert kinds["LORA_TRAINING_CONFIG"]["lora_r"]["default"] == 8
    assert "lora_r" not in kinds["TFEW_TRAINING_CONFIG"]
    assert "80/20" in defaults["split_statement"]


# ---- failures: the work request's reason, on the operation and the resource ---------------------------------


async def test_a_failed_work_request_says_why(api: Any, world: OciWorld) -> None:
    model_id = await imported(api, world)
    world.emulator.generative_ai.unavailable_shapes.add("A10_X2")
    body = {"display_name": "꽉 찬 満杯", "unit_shape": "A10_X2", "model_id": model_id}
    status, created = await api("genai/clusters", method="POST", body=body)
    assert status == 202, created
    op = await wait_operation(api, created["operation"]["id"])
    assert op["state"] == "FAILED" and "Out of host capacity" in op["error"], op
    status, cluster = await api(f"genai/clusters/{created['cluster']['id']}")
    assert cluster["state"] == "FAILED" and "capacity" in cluster["state_message"]
    assert cluster["cost_so_far"] is None and cluster["actions"] == ["delete"]

    cluster = await hosting_cluster(api, model_id)
    world.emulator.generative_ai.fail_next["CREATE_ENDPOINT"] = 1
    body = {"display_name": "e", "model_id": model_id, "dedicated_ai_cluster_id": cluster["id"]}
    status, created = await api("genai/endpoints", method="POST", body=body)
    assert status == 202, created
    op = await wait_operation(api, created["operation"]["id"])
    assert op["state"] == "FAILED" and "failure" in op["error"], op
    status, deployment = await api(f"deployments/{created['endpoint']['id']}")
    assert deployment["state"] == "FAILED" and deployment["actions"] == ["delete"], deployment


async def test_a_gated_import_s_terraform_asks_for_the_token_and_never_writes_it(
    api: Any, world: OciWorld, hub: Any
) -> None:
    body = {
        "source": "huggingface",
        "display_name": "llama",
        "capability": "TEXT_TO_TEXT",
        "hf_id": "meta-llama/Llama-3.1-8B-Instruct",
        "revision": "main",
        "token": "hf_secretvalue12345",
    }
    world.emulator.reset_calls()
    status, export = await api("genai/models/terraform", method="POST", body=body)
    assert status == 200, export
    assert "hf_secretvalue12345" not in export["hcl"] + export["cli"]
    assert "HF_TOKEN" in export["cli"]
    assert 'variable "hf_access_token"' in export["hcl"] and "sensitive" in export["hcl"]
    assert re.search(r'branch\s+= "main"', export["hcl"]), export["hcl"]
    assert creates(world) == 0


async def test_canceling_a_create_removes_what_the_service_made(api: Any, world: OciWorld) -> None:
    """Generative AI cannot cancel a work request: the cluster is deleted once it exists, so nothing stays."""
    world.emulator.transition_seconds = 0.3  # slow enough to cancel while it is still being created
    status, created = await api("genai/clusters", method="POST", body={"display_name": "취소", "unit_shape": "A10_X1"})
    assert status == 202, created
    status, op = await api(f"operations/{created['operation']['id']}", method="DELETE")
    assert status == 200 and op["state"] == "CANCELED", op
    cluster_id = created["cluster"]["id"]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while True:
        status, cluster = await api(f"genai/clusters/{cluster_id}")
        if status == 404:
            break
        assert loop.time() < deadline, cluster
        await asyncio.sleep(0.1)
    assert world.emulator.calls["DeleteDedicatedAiCluster"] == 1


async def test_an_unreachable_generative_ai_is_a_problem_of_the_merged_lists_not_a_wait(
    api: Any, world: OciWorld
) -> None:
    from tests.oci_emulator import FaultConfig

    world.emulator.faults = FaultConfig(rate=1.0, kinds=("503",), operations=("ListEndpoints",))
    status, listed = await api("deployments")
    assert status == 200, listed
    assert [p["target"] for p in listed["problems"]] == ["genai"], listed
    first = world.emulator.calls["ListEndpoints"]
    assert first >= 1
    status, listed = await api("deployments")  # answered at once with the same problem: no more attempts
    assert [p["target"] for p in listed["problems"]] == ["genai"]
    assert world.emulator.calls["ListEndpoints"] == first
