"""`aqua-ext genai …` against the OCI emulator: import, a cluster of the recommended shape, an endpoint, a
T-Few fine-tune, `--export terraform` for each create (nothing created: the emulator's counts), and bad input
as exit code 2 naming the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aqua_ext.cli import main
from tests.handlers.test_genai import CREATES, DATASET, LLAMA_CONFIG, dataset, model_folder
from tests.oci_setup import OciWorld


def run(capsys: pytest.CaptureFixture[str], world: OciWorld, *argv: str) -> tuple[int, str, str]:
    base = list(world.cli_args())
    base[base.index("--backend") + 1] = "genai"
    endpoints = [f"{s}={world.emulator.endpoint(s)}" for s in ("generativeai", "generativeaiinference")]
    code = main([*base, *[a for e in endpoints for a in ("--oci-endpoint", e)], *argv])
    out, err = capsys.readouterr()
    return code, out, err


def creates(world: OciWorld) -> int:
    return sum(world.emulator.calls[name] for name in CREATES)


def test_import_cluster_endpoint_finetune_from_the_cli(
    capsys: pytest.CaptureFixture[str], world: OciWorld, tmp_path: Path
) -> None:
    world.emulator.transition_seconds = 0.05
    uri = model_folder(world, "cli", LLAMA_CONFIG)
    imp = ("genai", "models", "import", "--name", "모델 モデル", "--capability", "TEXT_TO_TEXT", "--os-uri", uri)

    world.emulator.reset_calls()
    out_file = tmp_path / "import.tf"
    code, out, err = run(capsys, world, *imp, "--export", "terraform", "-o", str(out_file))
    assert code == 0, err
    assert 'resource "oci_generative_ai_imported_model"' in out_file.read_text()
    assert creates(world) == 0

    code, out, err = run(capsys, world, "--json", *imp)
    assert code == 0, err
    model = json.loads(out)
    assert model["state"] == "ACTIVE" and model["capability"] == "TEXT_TO_TEXT"

    code, out, err = run(capsys, world, "genai", "clusters", "plan", "--model-id", model["id"])
    assert code == 0, err
    assert "A10_X1 *" in out and "dedicated-unit-a10-count" in out

    cluster_args = ("genai", "clusters", "create", "--name", "호스팅", "--model-id", model["id"])
    code, out, err = run(capsys, world, *cluster_args, "--export", "terraform")
    assert code == 0, err
    assert 'resource "oci_generative_ai_dedicated_ai_cluster"' in out and '"A10_X1"' in out
    code, out, err = run(capsys, world, "--json", *cluster_args)
    assert code == 0, err
    cluster = json.loads(out)
    assert cluster["unit_shape"] == "A10_X1" and cluster["cost"]["ai_units"] == 1.77

    endpoint_args = ("genai", "endpoints", "create", "--name", "ep", "--model-id", model["id"])
    code, out, err = run(capsys, world, "--json", *endpoint_args, "--cluster-id", cluster["id"])
    assert code == 0, err
    assert json.loads(out)["state"] == "ACTIVE"
    endpoint_id = json.loads(out)["id"]
    code, out, _ = run(capsys, world, "genai", "endpoints", "list")
    assert code == 0 and "1 endpoints" in out
    # `aqua-ext chat` talks to it as to any deployment.
    code, out, err = run(capsys, world, "chat", endpoint_id, "안녕하세요, こんにちは", "--max-tokens", "8")
    assert code == 0 and out.strip(), err

    tuning = world.emulator.generative_ai.add_cluster(world.compartment_id, "tuning", kind="FINE_TUNING")
    base = world.emulator.generative_ai.base_model("cohere.command")
    assert base is not None
    data = dataset(world, "cli.jsonl", DATASET)
    ft = (
        "genai", "finetunes", "create", "--name", "ft", "--base-model-id", base["id"], "--cluster-id", tuning,
        "--dataset", f"oci://{data['bucket']}@{data['namespace']}/{data['object']}",
        "--training-type", "TFEW_TRAINING_CONFIG", "--total-training-epochs", "2",
    )  # fmt: skip
    world.emulator.reset_calls()
    code, out, err = run(capsys, world, *ft, "--export", "terraform")
    assert code == 0, err
    assert "total_training_epochs" in out and creates(world) == 0
    code, out, err = run(capsys, world, "--json", *ft)
    assert code == 0, err
    done = json.loads(out)
    assert done["state"] == "ACTIVE" and done["metrics"]["final_loss"] > 0


def test_bad_input_exits_2_naming_the_field(capsys: pytest.CaptureFixture[str], world: OciWorld) -> None:
    uri = model_folder(world, "bad", LLAMA_CONFIG)
    world.emulator.reset_calls()
    code, _, err = run(
        capsys, world, "genai", "models", "import", "--name", "x", "--capability", "EMBEDDING", "--os-uri", uri
    )
    assert code == 2 and "capability" in err
    world.emulator.limits.values["dedicated-unit-a10-count"] = 0
    code, _, err = run(capsys, world, "genai", "clusters", "create", "--name", "x", "--unit-shape", "A10_X1")
    assert code == 2 and "unit_shape" in err and "dedicated-unit-a10-count" in err
    code, _, err = run(capsys, world, "genai", "clusters", "create", "--name", "x", "-o", "f.tf")
    assert code == 2 and "output" in err
    assert creates(world) == 0


def test_on_demand_models_are_listed_and_chat_by_their_ocid(
    capsys: pytest.CaptureFixture[str], world: OciWorld
) -> None:
    code, out, err = run(capsys, world, "--json", "genai", "models", "on-demand")
    assert code == 0, err
    by_name = {m["name"]: m for m in json.loads(out)["items"]}
    assert by_name["meta.llama-3.3-70b-instruct"]["mode"] == "chat" and "meta.llama-3-70b-instruct" not in by_name
    assert by_name["meta.llama-3.1-70b-instruct"]["deprecated"] is True
    # `aqua-ext chat` talks to one by its OCID, as to any deployment.
    code, out, err = run(capsys, world, "chat", by_name["meta.llama-3.3-70b-instruct"]["id"], "안녕하세요")
    assert code == 0, err
    assert "Echo: 안녕하세요" in out
