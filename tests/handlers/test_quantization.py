"""The weights' choices over HTTP: the fit lists what the asked engine runs for a model (the deploy
form's select), prices the one chosen and estimates decode speed from memory bandwidth; a
quantization the engine cannot run is a 400 naming the field, and nothing is created."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from aqua_ext.backends.local import hardware as local_hardware
from tests.model_folders import needs_local_extra, write_gguf, write_model_folder, write_safetensors

PARAMS = 1_600_000_000  # 160,000 × 10,000 float32 zeros, a sparse file that takes no disk
KOREAN_NAME = "양자화 모델"


async def register_sparse(api: Any, root: Path) -> dict[str, Any]:
    folder = root / "sparse-1.6b"
    folder.mkdir()
    config = {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": 1024,
        "num_hidden_layers": 4,
        "num_attention_heads": 8,
        "num_key_value_heads": 8,
        "max_position_embeddings": 2048,
        "torch_dtype": "float32",
    }
    (folder / "config.json").write_text(json.dumps(config))
    write_safetensors(folder / "model.safetensors", {"w": [160_000, 10_000]}, sparse=True)
    status, registered = await api(
        "models", method="POST", body={"source": "local_folder", "path": str(folder), "name": KOREAN_NAME}
    )
    assert status == 202, registered
    model: dict[str, Any] = registered["model"]
    assert model["parameter_count"] == PARAMS
    return model


async def fit(api: Any, model_id: str, **params: str) -> tuple[int, Any]:
    return await api(f"models/{model_id}/fit", params={"context_length": "2048", **params})


async def test_the_fit_lists_each_engines_choices_and_prices_the_one_asked(api: Any, jp_root_dir: Path) -> None:
    model = await register_sparse(api, jp_root_dir)
    _, info = await api("info")
    cuda = any(g["vendor"] == "nvidia" for g in info["hardware"]["gpus"])

    status, report = await fit(api, model["id"], engine="transformers")
    assert status == 200, report
    values = [c["value"] for c in report["quantizations"]]
    assert values == ["float32", "bfloat16", "float16", *(["bnb-8bit", "bnb-4bit"] if cuda else [])]
    assert [c["value"] for c in report["quantizations"] if c["default"]] == ["bfloat16" if cuda else "float32"]

    status, report = await fit(api, model["id"], engine="llama.cpp")
    assert [c["value"] for c in report["quantizations"]] == ["F16", "BF16", "Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q4_0"]
    assert all(c["convert"] for c in report["quantizations"]), "a safetensors model reaches them by conversion"

    # The fit follows the choice: 1.6e9 × 8.5 / 8 = 1.70 GB at Q8_0; × 4.84 / 8 = 0.97 GB at Q4_K_M.
    _, q8 = await fit(api, model["id"], engine="llama.cpp", quantization="Q8_0")
    _, q4 = await fit(api, model["id"], engine="llama.cpp", quantization="Q4_K_M")
    assert (q8["weights_gb"], q4["weights_gb"], q4["quantization"]) == (1.7, 0.97, "Q4_K_M")
    # llama.cpp serves 4 requests at once as aqua_ext starts it, each slot with the whole context: the KV
    # cache is counted 4 times unless the query names its own concurrency.
    _, one = await fit(api, model["id"], engine="llama.cpp", quantization="Q4_K_M", concurrency="1")
    assert (q4["concurrency"], one["concurrency"]) == (4, 1)
    assert one["kv_cache_gb"] > 0 and q4["kv_cache_gb"] == pytest.approx(4 * one["kv_cache_gb"], abs=0.02)
    _, bf16 = await fit(api, model["id"], engine="transformers", quantization="bfloat16")
    assert bf16["weights_gb"] == 3.2 and bf16["dtype"] == "bfloat16", "1.6e9 × 2 bytes"
    assert bf16["concurrency"] == 1

    # Without an engine the report lists no choices (the fit's callers from before are unchanged).
    _, plain = await fit(api, model["id"])
    assert plain["quantizations"] == [] and plain["engine"] is None


async def test_a_cpu_too_slow_for_the_model_is_said_and_not_recommended(
    api: Any, jp_root_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The machine's bandwidth is measured once per process; the test fixes it so the verdict is known.
    monkeypatch.setattr(local_hardware, "memory_bandwidth_gb_s", lambda: 1.5)
    model = await register_sparse(api, jp_root_dir)
    status, report = await fit(api, model["id"], engine="llama.cpp", quantization="Q4_K_M")
    assert status == 200, report
    cpu = next(t for t in report["local"] if t["kind"] == "local-cpu")
    # 0.97 + one request's 2,048-token f16 KV cache (the fit holds llama.cpp's 4 slots; one request reads its own)
    per_token = report["weights_gb"] + round(report["kv_cache_gb"] / report["concurrency"], 2)
    assert cpu["bandwidth_gb_s"] == 1.5
    assert cpu["tokens_per_s"] == round(1.5 / per_token, 1) < 2, "1.5 GB/s ÷ ~1.0 GB"
    assert cpu["fits"] and cpu["too_slow"] and not cpu["recommended"]
    assert report["too_slow_below_tokens_per_s"] == 2.0
    assert any("too slow to recommend" in line for line in report["decode"])


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"engine": "transformers", "quantization": "fp8"}, "not a quantization transformers runs"),
        ({"engine": "tgi", "quantization": "Q4_K_M"}, "choose one of: bfloat16, float16"),
        ({"quantization": "bfloat16"}, "needs the engine"),
    ],
)
async def test_the_fit_refuses_a_quantization_the_engine_cannot_run(
    api: Any, jp_root_dir: Path, params: dict[str, str], words: str
) -> None:
    model = await register_sparse(api, jp_root_dir)
    status, err = await fit(api, model["id"], **params)
    assert status == 400, err
    assert any(f["field"] == "quantization" and words in f["message"] for f in err["fields"]), err


@needs_local_extra
@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"engine": "transformers", "quantization": "fp8"}, "not a quantization transformers runs"),
        ({"engine": "transformers", "quantization": "bnb-4bit", "shape": "cpu"}, "CUDA GPU"),
        ({"engine": "transformers", "quantization": "Q4_K_M"}, "choose one of: float32"),
        ({"engine": "transformers", "quantization": "bfloat16", "dtype": "float32"}, "disagree"),
    ],
)
async def test_deploy_refuses_a_quantization_the_engine_cannot_run(
    api: Any, jp_root_dir: Path, body: dict[str, Any], words: str
) -> None:
    model = await register_sparse(api, jp_root_dir)
    status, err = await api("deployments", method="POST", body={"model_id": model["id"], "name": "q", **body})
    assert status == 400, err
    assert any(f["field"] == "quantization" and words in f["message"] for f in err["fields"]), err
    _, listing = await api("deployments")
    assert listing["items"] == []  # nothing half-created


async def test_a_gguf_model_offers_its_own_level_and_refuses_another(api: Any, jp_root_dir: Path) -> None:
    folder = write_model_folder(jp_root_dir / "gguf-q4", weights=False)
    write_gguf(folder / "model-Q4_K_M.gguf", file_type=15)
    status, registered = await api("models", method="POST", body={"source": "local_folder", "path": str(folder)})
    assert status == 202, registered
    model_id = registered["model"]["id"]
    status, report = await fit(api, model_id, engine="llama.cpp")
    assert status == 200, report
    assert [(c["value"], c["convert"], c["default"]) for c in report["quantizations"]] == [("Q4_K_M", False, True)]
    status, err = await fit(api, model_id, engine="llama.cpp", quantization="Q8_0")
    assert status == 400 and err["fields"][0]["field"] == "quantization"
    assert "convert the model to that level first" in err["fields"][0]["message"]


# ---- OCI: vLLM's --quantization in the container's PARAMS ----------------------------------------


async def test_oci_vllm_gets_the_quantization_flag_and_refuses_one_it_cannot_run(world: Any) -> None:
    from aqua_ext.errors import InvalidInput
    from tests.handlers.test_oci_deployments import deploy_request, oci_backend, rules
    from tests.oci_setup import seed_deployable_model

    model_id = seed_deployable_model(world, "fp8-candidate")
    async with oci_backend(world) as backend:
        created = await rules(backend).create(
            deploy_request(model_id, name="fp8", engine="vllm", quantization="fp8", params=["--max-num-seqs", "8"])
        )
        md = world.emulator.deployments.deployments[created.deployment.id]
        env = md["modelDeploymentConfigurationDetails"]["environmentConfigurationDetails"]["environmentVariables"]
        assert env["PARAMS"].endswith("--max-num-seqs 8 --quantization fp8"), env["PARAMS"]
        assert created.deployment.dtype == "fp8", "the fit's dtype, kept in the deployment's tags"
        assert created.deployment.quantization == "fp8", "the choice, kept in the deployment's tags"
        assert (await rules(backend).get(created.deployment.id)).quantization == "fp8"

        before = len(world.emulator.deployments.deployments)
        with pytest.raises(InvalidInput) as refused:
            await rules(backend).create(deploy_request(model_id, name="q4", engine="vllm", quantization="Q4_K_M"))
        assert refused.value.fields[0].field == "quantization"
        assert "choose one of: bfloat16, float16, fp8, bitsandbytes" in refused.value.fields[0].message
        with pytest.raises(InvalidInput) as disagree:
            await rules(backend).create(
                deploy_request(model_id, name="two", engine="vllm", quantization="fp8", dtype="bfloat16")
            )
        assert disagree.value.fields[0].field == "quantization" and "disagree" in disagree.value.fields[0].message
        assert len(world.emulator.deployments.deployments) == before  # nothing created


# ---- the deployment keeps the choice ---------------------------------------------------------------


@needs_local_extra
async def test_a_local_deployment_records_its_quantization(api: Any, demo_ready: Path) -> None:
    body = {"model_id": "demo:tiny-llama", "name": "양자화 bf16", "engine": "transformers", "quantization": "bfloat16"}
    status, created = await api("deployments", method="POST", body=body)
    assert status == 202, created
    dep_id = created["deployment"]["id"]
    try:
        assert created["deployment"]["quantization"] == "bfloat16"
        status, detail = await api(f"deployments/{dep_id}")
        assert status == 200, detail
        assert detail["quantization"] == "bfloat16"
        assert detail["params"][:2] == ["--dtype", "bfloat16"], "the choice became the engine's flag"
        _, listing = await api("deployments")
        assert [(d["id"], d["quantization"]) for d in listing["items"]] == [(dep_id, "bfloat16")]

        # Without one: the engine's default, recorded as none.
        plain = {"model_id": "demo:tiny-llama", "name": "既定", "engine": "transformers"}
        status, other = await api("deployments", method="POST", body=plain)
        assert status == 202, other
        status, detail = await api(f"deployments/{other['deployment']['id']}")
        assert detail["quantization"] is None
        assert (await api(f"deployments/{other['deployment']['id']}", method="DELETE"))[0] == 204
    finally:
        assert (await api(f"deployments/{dep_id}", method="DELETE"))[0] == 204
