"""`aqua-ext --backend oci ...`: the same commands against the OCI emulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aqua_ext.cli import main
from tests.handlers.test_oci_finetunes import counts, dataset_text, output_bucket, seed_base
from tests.oci_setup import OciWorld, seed_user_model


def run(capsys: pytest.CaptureFixture[str], world: OciWorld, *argv: str) -> tuple[int, str, str]:
    code = main([*world.cli_args(), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_info_list_register_get_fit_delete(capsys: pytest.CaptureFixture[str], world: OciWorld) -> None:
    world.emulator.seed_service_models(3)
    seed_user_model(world, "team-model")
    code, out, _ = run(capsys, world, "--json", "info")
    backend = json.loads(out)["backend"]
    assert code == 0 and backend["kind"] == "oci" and backend["region"] == "us-ashburn-1"

    code, out, _ = run(capsys, world, "models", "list", "--source", "catalog")
    assert code == 0 and out.rstrip().endswith("3 models") and "mistralai/Mistral-7B-Instruct-v0.3" in out

    uri = world.add_model_folder("models", "cli/tiny")
    code, out, err = run(capsys, world, "--json", "models", "register", "--os-uri", uri, "--name", "CLI tiny")
    assert code == 0, err
    model = json.loads(out)
    assert model["name"] == "CLI tiny" and model["source"] == "registered"

    code, out, _ = run(capsys, world, "models", "get", model["id"])
    assert code == 0 and "CLI tiny" in out and uri in out
    code, out, _ = run(capsys, world, "models", "fit", model["id"])
    assert code == 0 and "weights =" in out and "VM.GPU.A10.1" in out
    code, out, _ = run(capsys, world, "models", "delete", model["id"])
    assert code == 0 and "deleted" in out


def test_oci_problems_are_clear_errors(capsys: pytest.CaptureFixture[str], world: OciWorld, tmp_path: Path) -> None:
    code, _, err = run(capsys, world, "models", "register", "--os-uri", "oci://plain-bucket/x")
    assert code == 2 and "os_uri" in err
    world.emulator.add_bucket(None, "plain", versioned=False)
    code, _, err = run(capsys, world, "models", "register", "--os-uri", f"oci://plain@{world.emulator.namespace}/x")
    assert code == 2 and "--versioning Enabled" in err
    code, _, err = run(capsys, world, "--oci-config-file", str(tmp_path / "none"), "models", "list")
    assert code == 1 and "No OCI config file" in err
    code, out, _ = run(capsys, world, "--oci-config-file", str(tmp_path / "none"), "--json", "info")
    backend = json.loads(out)["backend"]
    assert code == 1 and backend["ready"] is False and "No OCI config file" in backend["problem"]
    code, _, err = run(capsys, world, "models", "get", "nope")
    assert code == 2 and "model_id" in err


def test_deployments_create_export_terraform(
    capsys: pytest.CaptureFixture[str], world: OciWorld, tmp_path: Path
) -> None:
    """`--export terraform` runs the create's checks and prints (or writes) the HCL; nothing is created."""
    hcl2 = pytest.importorskip("hcl2")
    from hcl2.utils import SerializationOptions

    from tests.oci_setup import seed_deployable_model

    options = SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)

    model = seed_deployable_model(world, "cli-tf")
    argv = ("deployments", "create", model, "--name", "배포 デプロイ", "--param=--enforce-eager")
    code, out, err = run(capsys, world, *argv, "--export", "terraform")
    assert code == 0, err
    assert 'resource "oci_datascience_model_deployment" "model_deployment"' in out
    (resource,) = hcl2.loads(out, serialization_options=options)["resource"]
    body = resource["oci_datascience_model_deployment"]["model_deployment"]
    assert body["display_name"] == "배포 デプロイ"
    (config,) = body["model_deployment_configuration_details"]
    (model_config,) = config["model_configuration_details"]
    assert model_config["instance_configuration"] == [{"instance_shape_name": "VM.GPU.A10.1"}]
    assert "--enforce-eager" in config["environment_configuration_details"][0]["environment_variables"]["PARAMS"]

    target = tmp_path / "md.tf"
    code, out, err = run(capsys, world, "--json", *argv, "--export", "terraform", "-o", str(target))
    assert code == 0, err
    assert json.loads(out)["path"] == str(target.resolve())
    assert 'variable "compartment_ocid"' in target.read_text(encoding="utf-8")

    # The create's 400s, and -o alone is no export.
    code, _, err = run(capsys, world, *argv[:4], "x", "--param=--frobnicate", "--export", "terraform")
    assert code == 2 and "params" in err
    code, _, err = run(capsys, world, *argv, "-o", str(target))
    assert code == 2 and "--export terraform" in err
    assert world.emulator.calls["CreateModelDeployment"] == 0
    code, out, _ = run(capsys, world, "deployments", "list")
    assert code == 0 and "cli-tf" not in out


def test_finetune_create_export_terraform_and_python(
    capsys: pytest.CaptureFixture[str], world: OciWorld, tmp_path: Path
) -> None:
    """`finetune create --export terraform|python` runs the create's checks and preflight and prints the job as
    Terraform, or writes the SDK calls; nothing is created."""
    base = seed_base(world)
    output = output_bucket(world)
    world.emulator.put_object(None, "ft-out", "data/train.jsonl", dataset_text())
    dataset = f"oci://ft-out@{world.emulator.namespace}/data/train.jsonl"
    argv = ("finetune", "create", base, dataset, "--name", "수학 数学", "--output-uri", output, "--epochs", "2")
    before = counts(world)
    code, out, err = run(capsys, world, *argv, "--export", "terraform")
    assert code == 0, err
    assert 'resource "oci_datascience_job" "fine_tune"' in out and 'resource "oci_datascience_job_run"' in out
    assert "--num_epochs 2" in out and f'default     = "{dataset}"' in out

    script = tmp_path / "finetune.py"
    code, out, err = run(capsys, world, *argv, "--export", "python", "-o", str(script))
    assert code == 0, err
    assert out.startswith(f"wrote {script}")
    text = script.read_text(encoding="utf-8")
    compile(text, str(script), "exec")
    assert "data_science.create_job(" in text and "put_object" not in text  # an oci:// dataset is read in place

    # The create's 400s, and -o alone is no export.
    code, _, err = run(capsys, world, *argv[:4], "--name", "x", "--export", "terraform")
    assert code == 2 and "output_uri" in err
    code, _, err = run(capsys, world, *argv, "-o", str(script))
    assert code == 2 and "--export terraform" in err
    assert counts(world) == before
