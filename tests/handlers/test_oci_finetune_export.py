"""POST aqua-ext/finetunes/terraform over the OCI emulator: an OCI (Data Science) fine-tune as Terraform
(`oci_datascience_job` + `oci_datascience_job_run`, parsed back with python-hcl2) and as the `oci` SDK calls in
Python, from the same checks, memory fit and dataset preflight as the create (the same 400s); nothing created.

The script is run against the emulator and the job it makes is compared with the job the form's own create
makes from the same request: the same configuration, environment (but the output model's id), shape and
infrastructure. The Terraform job is compared with that job too, attribute by attribute."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.handlers.test_oci_finetunes import (  # noqa: F401 - jp_server_config is a fixture
    counts,
    jp_server_config,
    output_bucket,
    seed_base,
    write_dataset,
)
from tests.oci_setup import OciWorld, add_log
from tests.sdk_snippets import run_snippet
from tests.terraform_schema import unknown_paths

hcl2 = pytest.importorskip("hcl2")
from hcl2.utils import SerializationOptions  # noqa: E402


def parse(text: str) -> dict[str, Any]:
    options = SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)
    parsed: dict[str, Any] = hcl2.loads(text, serialization_options=options)
    return parsed


def resources(parsed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {}
    for item in parsed["resource"]:
        for kind, named in item.items():
            (body,) = named.values()
            out[kind] = dict(body)
    return out


def job_env(job: dict[str, Any]) -> dict[str, str]:
    return dict(job["jobConfigurationDetails"]["environmentVariables"])


def request_body(world: OciWorld, output: str, **extra: Any) -> dict[str, Any]:
    return {
        "model_id": seed_base(world),
        "name": "수학 数学",
        "dataset_path": "data/train.jsonl",
        "output_uri": output,
        "params": {"epochs": 2},
        **extra,
    }


def without_readiness(tags: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in tags.items() if k != "OCI_AQUA"}


def terraform_environment(hcl: str, folder: Path, **variables: str) -> dict[str, str]:
    """The job's environment_variables as Terraform evaluates them (`terraform console`), from the file's own
    variables (their defaults, and `variables` for those without one): the templates and escapes read back."""
    start = hcl.index('resource "oci_datascience_job"')
    env = re.search(r"^    environment_variables = (\{.*?^    \})$", hcl[start:], re.S | re.M)
    assert env is not None
    (folder / "main.tf").write_text(hcl[:start] + f"locals {{\n  env = {env.group(1)}\n}}\n", encoding="utf-8")
    args = [f"-var={name}={value}" for name, value in variables.items()]
    result = subprocess.run(
        ["terraform", "console", *args], input="jsonencode(local.env)\n", capture_output=True, text=True,
        timeout=60, cwd=folder, check=True,
    )  # fmt: skip
    return dict(json.loads(json.loads(result.stdout.strip())))


async def test_the_export_is_the_create_s_job_and_creates_nothing(
    api: Any, world: OciWorld, jp_root_dir: Path, tmp_path: Path
) -> None:
    emu = world.emulator
    group, log_id = add_log(world, "fine-tuning")
    write_dataset(jp_root_dir)
    body = request_body(world, output_bucket(world), experiment_name="math", log_group_id=group, log_id=log_id)
    before = counts(world)
    emu.reset_calls()
    status, export = await api("finetunes/terraform", method="POST", body=body)
    assert status == 200, export
    assert counts(world) == before
    for operation in ("CreateModel", "CreateJob", "CreateJobRun", "CreateModelVersionSet", "PutObject"):
        assert emu.calls[operation] == 0, operation
    assert export["file_name"] == "fine_tune.tf"  # a Korean and Japanese name keeps the default
    assert export["cli"].startswith(f"aqua-ext finetune create {body['model_id']} data/train.jsonl")
    assert "--shape=VM.GPU.A10.1" in export["cli"] and "--epochs=2" in export["cli"]

    # Python: run it as a user would (before the create, as the experiment does not exist yet).
    emu.transition_seconds = 0.02
    jobs_before = set(emu.jobs.jobs)
    done = await asyncio.to_thread(run_snippet, export["python"], world, cwd=jp_root_dir)
    model, job_made, run_made = done["model"], done["job"], done["run"]
    (new_job,) = set(emu.jobs.jobs) - jobs_before

    # The form's own create of the same request: the job the exports must describe.
    status, created = await api("finetunes", method="POST", body=body)
    assert status == 202, created
    ft = created["finetune"]
    real = emu.jobs.jobs[ft["job_id"]]

    # Terraform: the same job, the dataset and the output model variables.
    parsed = parse(export["hcl"])
    assert unknown_paths(parsed) == {}  # every attribute and block is in the provider's schema
    variables = {name: v for item in parsed["variable"] for name, v in item.items()}
    dataset_uri = f"oci://ft-out@{emu.namespace}/runs/train.jsonl"
    assert variables["compartment_ocid"]["default"] == world.compartment_id
    assert variables["project_ocid"]["default"] == world.project_id
    assert variables["dataset_uri"]["default"] == dataset_uri
    assert "default" not in variables["output_model_id"]
    made = resources(parsed)
    job, run = made["oci_datascience_job"], made["oci_datascience_job_run"]
    assert (job["compartment_id"], job["project_id"]) == ("${var.compartment_ocid}", "${var.project_ocid}")
    assert job["display_name"] == real["displayName"] and job["freeform_tags"] == real["freeformTags"]
    (config,) = job["job_configuration_details"]
    env = config["environment_variables"]
    real_env = job_env(real)
    assert set(env) == set(real_env)
    assert env["NODE_COUNT"] == real_env["NODE_COUNT"] == "1"
    assert json.loads(env["AIP_SMC_FT_ARGUMENTS"].replace('\\"', '"')) == {
        "baseModel": {"type": "modelCatalog", "modelId": body["model_id"]},
        "outputModel": {"type": "modelCatalog", "modelId": "${var.output_model_id}"},
    }
    assert env["OCI__LAUNCH_CMD"].replace("${var.dataset_uri}", dataset_uri) == real_env["OCI__LAUNCH_CMD"]
    (infra,) = job["job_infrastructure_configuration_details"]
    real_infra = real["jobInfrastructureConfigurationDetails"]
    assert (infra["job_infrastructure_type"], infra["shape_name"], infra["block_storage_size_in_gbs"]) == (
        real_infra["jobInfrastructureType"],
        real_infra["shapeName"],
        real_infra["blockStorageSizeInGBs"],
    )
    (environment,) = job["job_environment_configuration_details"]
    assert environment["image"] == real["jobEnvironmentConfigurationDetails"]["image"]
    (logs,) = job["job_log_configuration_details"]
    assert (logs["log_group_id"], logs["log_id"], logs["enable_logging"]) == (group, log_id, True)
    assert run["job_id"] == "${oci_datascience_job.fine_tune.id}" and run["display_name"] == real["displayName"]

    if shutil.which("terraform"):
        # terraform fmt leaves it as is, and Terraform reads the environment as the create sends it.
        fmt = subprocess.run(["terraform", "fmt", "-"], input=export["hcl"], capture_output=True, text=True, timeout=60)
        assert fmt.returncode == 0 and fmt.stdout == export["hcl"], fmt.stderr
        assert terraform_environment(export["hcl"], tmp_path, output_model_id=ft["id"]) == real_env

    # The script's job is the create's, but for the output model it made.
    assert new_job == job_made.id and run_made.job_id == job_made.id
    script_job = emu.jobs.jobs[new_job]
    script_env = job_env(script_job)
    assert json.loads(script_env["AIP_SMC_FT_ARGUMENTS"])["outputModel"]["modelId"] == model.id
    assert script_env["OCI__LAUNCH_CMD"] == real_env["OCI__LAUNCH_CMD"]
    assert script_env["NODE_COUNT"] == real_env["NODE_COUNT"]
    for key in ("jobInfrastructureConfigurationDetails", "jobEnvironmentConfigurationDetails", "freeformTags"):
        assert script_job[key] == real[key], key
    assert script_job["jobLogConfigurationDetails"]["logId"] == log_id
    # The model: the create's tags and metadata, naming the script's job and run; the experiment; the dataset.
    record = emu.get_model_record(model.id)
    real_record = emu.get_model_record(ft["id"])
    # (OCI_AQUA turns "active" once a run SUCCEEDED, which either run may have by now.)
    assert without_readiness(record["freeformTags"]) == without_readiness(real_record["freeformTags"])
    meta = {m["key"]: m["value"] for m in record["customMetadataList"]}
    assert meta["fine_tune_job_id"] == job_made.id and meta["fine_tune_job_run_id"] == run_made.id
    assert meta["fine_tune_source"] == body["model_id"]
    assert record["modelVersionSetName"] == "math" and done["experiment"].name == "math"
    assert emu.get_object(None, "ft-out", "runs/train.jsonl") == (jp_root_dir / "data/train.jsonl").read_bytes()


async def test_an_oci_dataset_and_replicas_export_a_multi_node_job(
    api: Any, world: OciWorld, jp_root_dir: Path
) -> None:
    emu = world.emulator
    group, log_id = add_log(world, "fine-tuning")
    output = output_bucket(world)
    emu.put_object(None, "ft-out", "data/train.jsonl", (write_dataset(jp_root_dir)).read_bytes())
    subnet = "ocid1.subnet.oc1.iad.aaaasubnet"
    body = request_body(
        world,
        output,
        dataset_path=f"oci://ft-out@{emu.namespace}/data/train.jsonl",
        replicas=2,
        subnet_id=subnet,
        log_group_id=group,
        log_id=log_id,
    )
    status, export = await api("finetunes/terraform", method="POST", body=body)
    assert status == 200, export
    parsed = parse(export["hcl"])
    assert unknown_paths(parsed) == {}
    job = resources(parsed)["oci_datascience_job"]
    (nodes,) = job["job_node_configuration_details"]
    assert nodes["job_node_type"] == "MULTI_NODE"
    assert nodes["job_network_configuration"] == [{"job_network_type": "CUSTOM_NETWORK", "subnet_id": subnet}]
    (group_config,) = nodes["job_node_group_configuration_details_list"]
    assert group_config["replicas"] == 2
    assert (
        "--training_data ${var.dataset_uri}"
        in group_config["job_configuration_details"][0]["environment_variables"]["OCI__LAUNCH_CMD"]
    )
    # An oci:// dataset is read where it is: no upload in the script.
    assert "put_object" not in export["python"]
    assert re.search(r"replicas=2", export["python"])


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"output_uri": None}, "output_uri"),
        ({"params": {"training_type": "last_layers"}}, "params.training_type"),
        ({"shape": "VM.Standard.E4.Flex"}, "shape"),
        ({"replicas": 2}, "subnet_id"),
        ({"dataset_path": "data/missing.jsonl"}, "dataset_path"),
    ],
)
async def test_bad_input_is_the_create_s_400_and_nothing_is_created(
    api: Any, world: OciWorld, jp_root_dir: Path, extra: dict[str, Any], field: str
) -> None:
    write_dataset(jp_root_dir)
    body = {**request_body(world, output_bucket(world)), **extra}
    before = counts(world)
    status, error = await api("finetunes/terraform", method="POST", body=body)
    assert status == 400, error
    assert field in [f["field"] for f in error.get("fields") or []], error
    assert counts(world) == before
