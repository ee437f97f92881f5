"""OCI fine-tuning through a real Jupyter server, against the OCI emulator with the real `oci` SDK
and real request signing. The emulator plays AQUA's fine-tuning container inside the job run
(tests/oci_emulator/finetuning.py): per-epoch metrics into the model's custom metadata, the adapter
into the output bucket, its exit codes on failure.

The whole life (create → SUCCEEDED → metrics, logs → the model deployable → deployed → delete), cancel,
a multi-node run from an oci:// dataset, a failure's reason, a fine-tune AQUA made, the form's defaults,
and every refused input (a 400 naming the field, with nothing created in OCI).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path
from typing import Any

import oci
import pytest

from tests.oci_setup import OciWorld, add_log
from tests.waiting import wait_for_state

FT_CONFIG = json.dumps(
    {
        "shape": {
            "VM.GPU.A10.1": {"batch_size": 2, "replica": "1-4"},
            "VM.GPU.A10.2": {"batch_size": 4, "replica": "1-8"},
        },
        "finetuning_params": "--trust_remote_code True",
        "configuration": {
            "epochs": 2,
            "learning_rate": 0.0003,
            "micro_batch_size": 1,
            "sequence_len": 1024,
            "lora_r": 16,
            "lora_alpha": 32,
        },
    }
)


@pytest.fixture
def jp_server_config(world: OciWorld) -> dict[str, Any]:
    # Fast lifecycles: a job is ACTIVE after 20 ms, a run trains its epochs in 0.3 s.
    world.emulator.transition_seconds = 0.02
    world.emulator.jobs.run_seconds = 0.3
    return {
        "ServerApp": {"jpserver_extensions": {"aqua_ext": True}, "allow_unauthenticated_access": False},
        "AquaExtension": world.traits(),
    }


# ---- helpers -----------------------------------------------------------------------------------


def seed_base(
    world: OciWorld,
    name: str = "acme-1b",
    *,
    parameter_count: int = 1_000_000_000,
    layers: int = 16,
    hidden: int = 2048,
    ready: bool = True,
    ft_config: str | None = FT_CONFIG,
) -> str:
    """A registered AQUA model that can be fine-tuned: safetensors, size and architecture, a card."""
    tags = {
        "OCI_AQUA": "active",
        "aqua_custom_base_model": "true",
        "task": "text_generation",
        "organization": "acme",
        "license": "apache-2.0",
        "model_format": "SAFETENSORS",
        "ready_to_fine_tune": "true" if ready else "false",
    }
    architecture = {
        "model_type": "llama",
        "num_hidden_layers": layers,
        "hidden_size": hidden,
        "num_attention_heads": 16,
        "num_key_value_heads": 8,
    }
    meta = [
        {"key": "artifact_location", "value": f"oci://models@{world.emulator.namespace}/{name}/", "category": "Other"},
        {"key": "parameter_count", "value": str(parameter_count), "category": "Other"},
        {"key": "context_length", "value": "8192", "category": "Other"},
        {"key": "architecture", "value": json.dumps(architecture, separators=(",", ":")), "category": "Other"},
        {"key": "deployment-container", "value": "odsc-vllm-serving", "category": "Other"},
    ]
    defined = {"Readme": f"# {name}\n\nA base model.\n"}
    if ft_config:
        defined["FineTuneConfiguration"] = ft_config
    return world.emulator.add_model(
        world.compartment_id,
        name,
        freeform_tags=tags,
        project_id=world.project_id,
        custom_metadata=meta,
        defined_metadata=defined,
    )


def bucket_uri(world: OciWorld, name: str, prefix: str, *, versioned: bool = True) -> str:
    """A new bucket in the world's compartment, as oci://name@namespace/prefix."""
    world.emulator.add_bucket(None, name, versioned=versioned, compartment_id=world.compartment_id)
    return f"oci://{name}@{world.emulator.namespace}/{prefix}"


def output_bucket(world: OciWorld, name: str = "ft-out", *, versioned: bool = True) -> str:
    return bucket_uri(world, name, "runs", versioned=versioned)


def jsonl_text(lines: list[str], bad_line: int | None = None) -> str:
    """The lines as a JSONL file's text, line `bad_line` (1-based) replaced by a row with no completion."""
    if bad_line is not None:
        lines[bad_line - 1] = '{"prompt": "no completion"}'
    return "\n".join(lines) + "\n"


def write_text(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def dataset_text(rows: int = 60, *, bad_line: int | None = None) -> str:
    return jsonl_text(
        [json.dumps({"prompt": f"What is {i} + {i}?", "completion": str(2 * i)}) for i in range(rows)], bad_line
    )


def write_dataset(root: Path, name: str = "data/train.jsonl", **kw: Any) -> Path:
    return write_text(root, name, dataset_text(**kw))


def counts(world: OciWorld) -> dict[str, int]:
    emu = world.emulator
    with emu.lock:
        return {
            "models": sum(1 for m in emu.datascience.models.values() if m["lifecycleState"] != "DELETED"),
            "jobs": sum(1 for j in emu.jobs.jobs.values() if j["lifecycleState"] != "DELETED"),
            "runs": sum(1 for r in emu.jobs.runs.values() if r["lifecycleState"] != "DELETED"),
            "version_sets": sum(1 for v in emu.version_sets.sets.values() if v["lifecycleState"] != "DELETED"),
            "objects": sum(len(o) for o in emu.objectstorage.objects.values()),
        }


def ds_client(world: OciWorld) -> Any:
    return oci.data_science.DataScienceClient(
        world.identity.sdk_config(),
        service_endpoint=world.emulator.endpoint("datascience"),
        retry_strategy=oci.retry.NoneRetryStrategy(),
    )


async def wait_state(api: Any, finetune_id: str, *states: str, timeout: float = 20.0) -> dict[str, Any]:
    return await wait_for_state(api, f"finetunes/{finetune_id}", *states, timeout=timeout, interval=0.05)


async def wait_deployment(api: Any, deployment_id: str, *states: str, timeout: float = 20.0) -> str:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        status, detail = await api(f"deployments/{deployment_id}")
        state = "GONE" if status == 404 else detail["state"]
        if state in states:
            return state
        assert loop.time() < deadline, f"deployment still {state}"
        await asyncio.sleep(0.05)


def last_body(world: OciWorld, operation: str) -> dict[str, Any]:
    detail = next(r for r in reversed(world.emulator.request_details) if r["operation"] == operation)
    return detail


# ---- the whole life -------------------------------------------------------------------------------


async def test_create_train_metrics_logs_deploy_delete(api: Any, world: OciWorld, jp_root_dir: Path) -> None:
    emu = world.emulator
    assert (await api("info"))[0] == 200
    base = seed_base(world)
    output = output_bucket(world)
    group, log_id = add_log(world, "fine-tuning")
    data = write_dataset(jp_root_dir)
    emu.reset_calls()

    status, created = await api(
        "finetunes",
        method="POST",
        body={
            "model_id": base,
            "name": "acme-math",
            "dataset_path": "data/train.jsonl",
            "output_uri": output,
            "experiment_name": "math",
            "log_group_id": group,
            "log_id": log_id,
            "params": {"epochs": 3},
        },
    )
    assert status == 202, created
    ft = created["finetune"]
    ft_id = ft["id"]
    assert ft_id.startswith("ocid1.datasciencemodel.") and ft["output_model_id"] == ft_id
    assert ft["state"] == "ACCEPTED" and ft["shape"] == "VM.GPU.A10.1"  # the smallest GPU shape that holds it
    assert (ft["base_model_id"], ft["base_model_name"], ft["replicas"]) == (base, "acme-1b", 1)
    assert ft["dataset_path"] == f"oci://ft-out@{emu.namespace}/runs/train.jsonl"
    assert ft["dataset_hash"] == hashlib.sha256(data.read_bytes()).hexdigest()
    assert ft["experiment_name"] == "math" and (ft["log_group_id"], ft["log_id"]) == (group, log_id)
    assert ft["job_id"] and ft["job_run_id"] and ft["output_uri"] == output
    assert ft["train_rows"] + ft["validation_rows"] == 60
    # What the request set, then the model's FineTuneConfiguration, then the form's defaults.
    assert (ft["params"]["epochs"], ft["params"]["batch_size"], ft["params"]["lora_r"]) == (3, 1, 16)
    assert ft["params"]["lora_dropout"] == 0.05
    report = created["preflight"]
    assert report["path"] == "data/train.jsonl" and report["valid_rows"] == 60 and report["errors"] == []
    # Every create carried a retry token.
    for operation in ("CreateModelVersionSet", "CreateModel", "CreateJob", "CreateJobRun"):
        assert emu.calls[operation] == 1 and last_body(world, operation)["headers"]["opc-retry-token"], operation

    # What OCI holds: AQUA's conventions, so AQUA sees the same fine-tune.
    assert emu.get_object(None, "ft-out", "runs/train.jsonl") == data.read_bytes()
    record = emu.get_model_record(ft_id)
    tags = record["freeformTags"]
    assert tags["aqua_fine_tuned_model"] == f"{base}#acme-1b" and tags["OCI_AQUA"] == ""
    assert tags["fine_tune_model_version"] == "v2" and tags["ready_to_fine_tune"] == "false"
    assert "license" not in tags and "aqua_custom_base_model" not in tags
    meta = {m["key"]: m["value"] for m in record["customMetadataList"]}
    assert meta["fine_tune_source"] == base and meta["fine_tune_source_name"] == "acme-1b"
    assert meta["fine_tune_job_id"] == ft["job_id"] and meta["fine_tune_job_run_id"] == ft["job_run_id"]
    assert meta["artifact_location"] == f"oci://models@{emu.namespace}/acme-1b/"
    assert meta["fine_tune_dataset_hash"] == ft["dataset_hash"] and meta["parameter_count"] == "1000000000"
    hyper = json.loads(next(m["value"] for m in record["definedMetadataList"] if m["key"] == "Hyperparameters"))
    assert hyper["val_set_size"] == 0.1 and hyper["training_data"] == ft["dataset_path"] and hyper["epochs"] == 3
    assert hyper["lora_target_linear"] is True and hyper["sequence_len"] == 1024
    assert record["modelVersionSetName"] == "math"
    assert next(iter(emu.version_sets.sets.values()))["freeformTags"] == {"aqua_finetuning": "aqua_finetuning"}
    assert emu.datascience.metadata_artifacts[(ft_id, "defined", "Readme")][0].startswith(b"# acme-1b")
    assert (ft_id, "defined", "FineTuneConfiguration") not in emu.datascience.metadata_artifacts
    assert record["_provenance"]["trainingId"] == ft["job_run_id"]
    job = emu.jobs.jobs[ft["job_id"]]
    env = job["jobConfigurationDetails"]["environmentVariables"]
    assert json.loads(env["AIP_SMC_FT_ARGUMENTS"]) == {
        "baseModel": {"type": "modelCatalog", "modelId": base},
        "outputModel": {"type": "modelCatalog", "modelId": ft_id},
    }
    command = env["OCI__LAUNCH_CMD"]
    assert command.startswith(f"--training_data {ft['dataset_path']} --output_dir {output} --val_set_size 0.1 ")
    assert "--num_epochs 3" in command and "--micro_batch_size 1" in command and "--lora_target_linear True" in command
    assert command.endswith("--trust_remote_code True")  # the model's own finetuning_params
    assert env["NODE_COUNT"] == "1"
    infra = job["jobInfrastructureConfigurationDetails"]
    assert infra == {
        "jobInfrastructureType": "ME_STANDALONE",
        "shapeName": "VM.GPU.A10.1",
        "blockStorageSizeInGBs": 750,
    }
    assert job["jobEnvironmentConfigurationDetails"]["image"] == "dsmc://odsc-llm-fine-tuning:2.2.62.70"
    assert job["jobLogConfigurationDetails"]["logId"] == log_id

    # The explorer shows the fine-tuned model at once, not yet deployable.
    _, models = await api("models")
    listed = {m["id"]: m for m in models["items"]}
    assert listed[ft_id]["source"] == "fine-tuned" and listed[ft_id]["ready_to_deploy"] is False

    done = await wait_state(api, ft_id, "SUCCEEDED", "FAILED")
    assert done["state"] == "SUCCEEDED", done["state_message"]
    assert done["progress"] == 1.0 and done["epoch"] == 3.0 and done["step"] == 3 and done["total_steps"] == 3
    assert done["final_train_loss"] and done["final_validation_loss"] > done["final_train_loss"]
    assert done["artifact_location"] == f"oci://ft-out@{emu.namespace}/runs/{ft_id}/"
    assert done["finished_at"] and done["wall_seconds"] is not None and done["failure_log"] == []
    assert emu.list_object_names(None, "ft-out", f"runs/{ft_id}/") == [
        f"runs/{ft_id}/adapter_config.json",
        f"runs/{ft_id}/adapter_model.safetensors",
    ]

    # The loss per epoch, and the cursor that gives only what came next.
    status, metrics = await api(f"finetunes/{ft_id}/metrics")
    assert status == 200 and metrics["state"] == "SUCCEEDED" and metrics["cursor"] == 3
    points = metrics["points"]
    assert [p["epoch"] for p in points] == [1.0, 2.0, 3.0] and [p["step"] for p in points] == [1, 2, 3]
    train = [p["train_loss"] for p in points]
    assert train == sorted(train, reverse=True) and all(p["validation_loss"] for p in points)
    _, tail = await api(f"finetunes/{ft_id}/metrics", params={"after": 2})
    assert tail["points"] == points[2:] and tail["cursor"] == 3
    _, nothing = await api(f"finetunes/{ft_id}/metrics", params={"after": 3})
    assert nothing["points"] == [] and nothing["cursor"] == 3

    # The job run's log from OCI Logging.
    status, logs = await api(f"finetunes/{ft_id}/logs")
    assert status == 200 and log_id in logs["source"] and logs["cursor"]
    text = "\n".join(logs["lines"])
    assert "Epoch 1/3" in text and "Job run finished: SUCCEEDED" in text
    _, more = await api(f"finetunes/{ft_id}/logs", params={"after": logs["cursor"]})
    assert more["lines"] == []

    # The model is now deployable, with its lineage, in our explorer and (by its tag) in AQUA's.
    assert emu.get_model_record(ft_id)["freeformTags"]["OCI_AQUA"] == "active"
    status, model = await api(f"models/{ft_id}")
    assert status == 200 and model["source"] == "fine-tuned" and model["ready_to_deploy"] is True
    assert model["lineage"] == {"base_model_id": base, "dataset_hash": ft["dataset_hash"], "finetune_job_id": ft_id}
    assert model["ready_to_finetune"] is False
    _, models = await api("models")
    assert {m["id"]: m for m in models["items"]}[ft_id]["ready_to_deploy"] is True
    _, listing = await api("finetunes")
    assert [(f["id"], f["state"]) for f in listing["items"]] == [(ft_id, "SUCCEEDED")]

    # Deploy it; while served it cannot be deleted.
    status, deployed = await api("deployments", method="POST", body={"model_id": ft_id, "name": "math chat"})
    assert status == 202, deployed
    dep_id = deployed["deployment"]["id"]
    assert await wait_deployment(api, dep_id, "ACTIVE", "FAILED") == "ACTIVE"
    md = emu.deployments.deployments[dep_id]
    assert md["freeformTags"]["aqua_fine_tuned_model"].startswith(base)
    # AQUA's serving contract for a fine-tuned model: the base weights plus the adapter the run wrote.
    variables = md["modelDeploymentConfigurationDetails"]["environmentConfigurationDetails"]["environmentVariables"]
    assert variables["BASE_MODEL"] == "acme-1b" and variables["FT_MODEL"] == f"runs/{ft_id}"
    status, err = await api(f"finetunes/{ft_id}", method="DELETE")
    assert status == 409 and "math chat" in err["message"], err
    assert (await api(f"deployments/{dep_id}", method="DELETE"))[0] == 204
    assert await wait_deployment(api, dep_id, "GONE") == "GONE"

    status, _ = await api(f"finetunes/{ft_id}", method="DELETE")
    assert status == 204
    emu.fast_forward()
    assert emu.get_model_record(ft_id)["lifecycleState"] == "DELETED"
    assert emu.jobs.jobs[ft["job_id"]]["lifecycleState"] == "DELETED"
    assert emu.jobs.runs[ft["job_run_id"]]["lifecycleState"] == "DELETED"
    assert (await api(f"finetunes/{ft_id}"))[0] == 404
    _, listing = await api("finetunes")
    assert listing["items"] == []
    _, models = await api("models")
    assert ft_id not in {m["id"] for m in models["items"]}


async def test_cancel_and_delete_follow_the_run(api: Any, world: OciWorld, jp_root_dir: Path) -> None:
    world.emulator.jobs.run_seconds = 30.0  # it keeps running until canceled
    base = seed_base(world)
    output = output_bucket(world)
    write_dataset(jp_root_dir)
    status, created = await api(
        "finetunes",
        method="POST",
        body={"model_id": base, "name": "long", "dataset_path": "data/train.jsonl", "output_uri": output},
    )
    assert status == 202, created
    ft_id = created["finetune"]["id"]
    assert created["finetune"]["experiment_name"] is None and not world.emulator.version_sets.sets

    running = await wait_state(api, ft_id, "IN_PROGRESS")
    assert running["progress"] < 1.0 and running["finished_at"] is None
    status, err = await api(f"finetunes/{ft_id}", method="DELETE")
    assert status == 409 and "cancel it first" in err["message"], err
    status, logs = await api(f"finetunes/{ft_id}/logs")
    assert status == 200 and logs["lines"] == [] and "Logging was not configured" in logs["source"]

    world.emulator.transition_seconds = 0.5  # CANCELING lasts long enough for the second cancel to see it
    status, canceling = await api(f"finetunes/{ft_id}/cancel", method="POST")
    assert status == 200 and canceling["state"] == "CANCELING", canceling
    status, err = await api(f"finetunes/{ft_id}/cancel", method="POST")
    assert status == 409 and "already being canceled" in err["message"]
    world.emulator.transition_seconds = 0.02
    canceled = await wait_state(api, ft_id, "CANCELED")
    assert canceled["finished_at"] and canceled["state_message"] == "Canceled"
    status, err = await api(f"finetunes/{ft_id}/cancel", method="POST")
    assert status == 409 and "is CANCELED" in err["message"]

    assert (await api(f"finetunes/{ft_id}", method="DELETE"))[0] == 204
    assert (await api(f"finetunes/{ft_id}"))[0] == 404
    assert (await api("finetunes/not-an-ocid/cancel", method="POST"))[0] == 404
    assert (await api("finetunes/ocid1.datasciencemodel.oc1.iad.missing"))[0] == 404
    status, err = await api(f"finetunes/{base}")  # a model, but not a fine-tuned one
    assert status == 404 and "not a fine-tuned model" in err["message"]


async def test_multi_node_run_from_an_oci_dataset(api: Any, world: OciWorld) -> None:
    emu = world.emulator
    base = seed_base(world)
    output = output_bucket(world)
    emu.add_bucket(None, "data", versioned=False, compartment_id=world.compartment_id)
    emu.put_object(None, "data", "sets/train.jsonl", dataset_text(80))
    group, log_id = add_log(world)
    subnet = "ocid1.subnet.oc1.iad.aaaaexample"
    uri = f"oci://data@{emu.namespace}/sets/train.jsonl"
    status, created = await api(
        "finetunes",
        method="POST",
        body={
            "model_id": base,
            "name": "wide",
            "dataset_path": uri,
            "output_uri": output,
            "replicas": 2,
            "shape": "VM.GPU.A10.2",
            "subnet_id": subnet,
            "log_group_id": group,
            "log_id": log_id,
            "validation_split": 0.2,
        },
    )
    assert status == 202, created
    ft = created["finetune"]
    assert (ft["replicas"], ft["shape"], ft["subnet_id"]) == (2, "VM.GPU.A10.2", subnet)
    assert ft["dataset_path"] == uri and ft["validation_split"] == 0.2
    assert created["preflight"]["path"] == uri and created["preflight"]["valid_rows"] == 80
    assert ft["dataset_hash"] == hashlib.sha256(dataset_text(80).encode()).hexdigest()
    assert "PutObject" not in emu.calls  # an oci:// dataset is read where it is

    job = emu.jobs.jobs[ft["job_id"]]
    # ADS-style: no top-level configuration (OCI reports the SDK's EMPTY types in their place).
    assert job["jobInfrastructureConfigurationDetails"] == {"jobInfrastructureType": "EMPTY"}
    assert job["jobConfigurationDetails"] == {"jobType": "EMPTY"}
    nodes = job["jobNodeConfigurationDetails"]
    assert nodes["jobNodeType"] == "MULTI_NODE" and nodes["jobNetworkConfiguration"] == {
        "jobNetworkType": "CUSTOM_NETWORK",
        "subnetId": subnet,
    }
    group_cfg = nodes["jobNodeGroupConfigurationDetailsList"][0]
    assert group_cfg["replicas"] == 2 and group_cfg["minimumSuccessReplicas"] == 2
    assert group_cfg["jobInfrastructureConfigurationDetails"]["shapeName"] == "VM.GPU.A10.2"
    env = group_cfg["jobConfigurationDetails"]["environmentVariables"]
    assert env["NODE_COUNT"] == "2" and "--val_set_size 0.2" in env["OCI__LAUNCH_CMD"]

    done = await wait_state(api, ft["id"], "SUCCEEDED", "FAILED")
    assert done["state"] == "SUCCEEDED", done["state_message"]
    assert emu.jobs.runs[ft["job_run_id"]]["nodeGroupDetailsList"][0]["lifecycleState"] == "DELETED"


async def test_a_failed_run_says_why_with_its_log(api: Any, world: OciWorld, jp_root_dir: Path) -> None:
    base = seed_base(world)
    output = output_bucket(world)
    group, log_id = add_log(world)
    write_dataset(jp_root_dir)
    world.emulator.finetuning.exit_code = 100
    status, created = await api(
        "finetunes",
        method="POST",
        body={
            "model_id": base,
            "name": "oom",
            "dataset_path": "data/train.jsonl",
            "output_uri": output,
            "log_group_id": group,
            "log_id": log_id,
        },
    )
    assert status == 202, created
    failed = await wait_state(api, created["finetune"]["id"], "FAILED", "SUCCEEDED")
    assert failed["state"] == "FAILED"
    assert "ran out of memory" in failed["state_message"] and "(exit code 100)" in failed["state_message"]
    assert any("exit code 100" in line for line in failed["failure_log"]), failed["failure_log"]
    status, model = await api(f"models/{failed['id']}")
    assert model["ready_to_deploy"] is False and any("not succeeded" in n for n in model["notes"])


async def test_a_fine_tune_aqua_made_is_listed(api: Any, world: OciWorld) -> None:
    """AQUA's own records (its tags, metadata keys and job), with no metadata of ours: listed and explained."""
    emu = world.emulator
    base = seed_base(world)
    hyper = {
        "epochs": 4,
        "learning_rate": 0.0002,
        "batch_size": 2,
        "sequence_len": 2048,
        "lora_r": 32,
        "lora_alpha": 16,
        "lora_dropout": 0.05,
        "lora_target_linear": True,
        "val_set_size": 0.15,
        "training_data": f"oci://b@{emu.namespace}/d.jsonl",
    }
    ft_id = emu.add_model(
        world.compartment_id,
        "aqua-made",
        project_id=world.project_id,
        freeform_tags={
            "OCI_AQUA": "",
            "aqua_fine_tuned_model": f"{base}#acme-1b",
            "fine_tune_model_version": "v2",
            "task": "text_generation",
        },
        custom_metadata={"fine_tune_source": base, "fine_tune_source_name": "acme-1b"},
        defined_metadata={"Hyperparameters": json.dumps(hyper)},
    )
    m = oci.data_science.models
    ds = ds_client(world)
    job = ds.create_job(
        m.CreateJobDetails(
            compartment_id=world.compartment_id,
            project_id=world.project_id,
            display_name="aqua-made",
            job_configuration_details=m.DefaultJobConfigurationDetails(
                environment_variables={
                    "AIP_SMC_FT_ARGUMENTS": json.dumps(
                        {
                            "baseModel": {"type": "modelCatalog", "modelId": base},
                            "outputModel": {"type": "modelCatalog", "modelId": ft_id},
                        }
                    ),
                    "OCI__LAUNCH_CMD": f"--training_data {hyper['training_data']}"
                    f" --output_dir oci://o@{emu.namespace}/x --val_set_size 0.15 --num_epochs 4",
                }
            ),
            job_infrastructure_configuration_details=m.ManagedEgressStandaloneJobInfrastructureConfigurationDetails(
                shape_name="VM.GPU.A10.2", block_storage_size_in_gbs=750
            ),
            job_environment_configuration_details=m.OcirContainerJobEnvironmentConfigurationDetails(
                image="dsmc://odsc-llm-fine-tuning:1"
            ),
        ),
        opc_retry_token="aqua",
    ).data
    emu.fast_forward()
    run = ds.create_job_run(
        m.CreateJobRunDetails(compartment_id=world.compartment_id, project_id=world.project_id, job_id=job.id)
    ).data
    ds.update_model(
        ft_id,
        m.UpdateModelDetails(
            custom_metadata_list=[
                m.Metadata(key="fine_tune_source", value=base),
                m.Metadata(key="fine_tune_job_id", value=job.id),
                m.Metadata(key="fine_tune_job_run_id", value=run.id),
            ]
        ),
    )
    emu.fast_forward()  # the container finds no training data: exit code 41

    assert (await api("info"))[0] == 200
    emu.reset_calls()
    status, listing = await api("finetunes")
    assert status == 200 and [f["id"] for f in listing["items"]] == [ft_id]
    # The model list pages, the runs in one list, and what never changes read once: GetModel + GetJob.
    assert {k: v for k, v in emu.calls.items() if k not in ("ListModels",)} == {
        "ListJobRuns": 1,
        "GetModel": 1,
        "GetJob": 1,
    }, emu.calls
    emu.reset_calls()
    assert (await api("finetunes"))[1] == listing and not emu.calls  # within the cache windows: no call
    item = listing["items"][0]
    assert item["state"] == "FAILED" and "(exit code 41)" in item["state_message"]
    assert (item["shape"], item["replicas"], item["base_model_name"]) == ("VM.GPU.A10.2", 1, "acme-1b")
    status, detail = await api(f"finetunes/{ft_id}")
    assert detail["params"]["epochs"] == 4 and detail["params"]["max_seq_length"] == 2048
    assert detail["params"]["lora_r"] == 32 and detail["validation_split"] == 0.15
    assert detail["output_uri"] == f"oci://o@{emu.namespace}/x" and detail["job_id"] == job.id


async def test_defaults_for_the_form(api: Any, world: OciWorld) -> None:
    base = seed_base(world)
    status, defaults = await api(f"models/{base}/finetune-defaults")
    assert status == 200, defaults
    assert defaults["ready_to_finetune"] is True and defaults["needs_output_uri"] is True
    shapes = defaults["shapes"]
    assert shapes[:5] == ["VM.GPU.A10.1", "VM.GPU.A10.2", "BM.GPU.A10.4", "BM.GPU.A100-v2.8", "BM.GPU.H100.8"]
    assert set(shapes[5:]) == {"VM.Standard.E4.Flex", "VM.Standard3.Flex"}
    assert defaults["default_shape"] == "VM.GPU.A10.1" and defaults["max_replicas"] == 4
    params = defaults["params"]  # the model's FineTuneConfiguration, with the shape's batch size
    assert (params["epochs"], params["learning_rate"], params["max_seq_length"]) == (2, 0.0003, 1024)
    assert (params["batch_size"], params["lora_r"], params["lora_alpha"]) == (2, 16, 32)
    fit = defaults["fit"]
    assert fit["dtype"] == "bfloat16" and fit["total_gb"] and fit["recommended_shape"] == "VM.GPU.A10.1"
    assert {t["name"] for t in fit["targets"]} == set(shapes[:5])

    _, wider = await api(f"models/{base}/finetune-defaults", params={"shape": "VM.GPU.A10.2", "batch_size": 16})
    assert wider["default_shape"] == "VM.GPU.A10.2" and wider["max_replicas"] == 8
    assert wider["params"]["batch_size"] == 16 and wider["fit"]["total_gb"] > fit["total_gb"]

    plain = seed_base(world, "plain", ready=False, ft_config=None)
    status, refused = await api(f"models/{plain}/finetune-defaults")
    assert status == 200 and refused["ready_to_finetune"] is False
    assert any("ready_to_fine_tune" in note for note in refused["notes"]), refused["notes"]
    assert refused["params"]["epochs"] == 3 and refused["max_replicas"] == 16  # the form's own defaults
    assert (await api("models/ocid1.datasciencemodel.oc1.iad.missing/finetune-defaults"))[0] == 404


# ---- refused inputs: a 400 naming the field, and nothing created -----------------------------------


async def test_bad_input_is_refused_before_anything_is_created(
    api: Any, world: OciWorld, jp_root_dir: Path, tmp_path: Path
) -> None:
    emu = world.emulator
    assert (await api("info"))[0] == 200
    base = seed_base(world)
    big = seed_base(world, "big-70b", parameter_count=70_000_000_000, layers=80, hidden=8192)
    not_ready = seed_base(world, "frozen", ready=False)
    output = output_bucket(world)
    unversioned = output_bucket(world, "plain-bucket", versioned=False)
    group, log_id = add_log(world)
    write_dataset(jp_root_dir)
    write_dataset(jp_root_dir, "data/bad.jsonl", bad_line=7)
    write_dataset(jp_root_dir, "data/small.jsonl", rows=10)
    outside = write_dataset(tmp_path, "elsewhere/train.jsonl")
    emu.add_bucket(None, "data", versioned=True, compartment_id=world.compartment_id)
    emu.put_object(None, "data", "bad.jsonl", dataset_text(60, bad_line=12))
    emu.version_sets.add_set(world.compartment_id, world.project_id, "evals", freeform_tags={"aqua_evaluation": "x"})
    before = counts(world)
    emu.reset_calls()
    good = {"model_id": base, "name": "x", "dataset_path": "data/train.jsonl", "output_uri": output}

    async def refused(change: dict[str, Any], field: str, *words: str) -> None:
        status, err = await api("finetunes", method="POST", body={**good, **change})
        assert status == 400, (change, err)
        assert err["fields"][0]["field"] == field, (change, err)
        for word in words:
            assert word in err["message"], (change, word, err["message"])

    await refused({"model_id": not_ready}, "model_id", "cannot be fine-tuned", "ready_to_fine_tune")
    await refused({"shape": "VM.GPU.Nope"}, "shape", "not a job shape", "VM.GPU.A10.1")
    await refused({"shape": "VM.Standard.E4.Flex"}, "shape", "needs a GPU")
    await refused(
        {"model_id": big, "shape": "VM.GPU.A10.1"},
        "shape",
        "does not fit on VM.GPU.A10.1",
        "weights = 70B params",
        "Choose BM.GPU",
    )
    await refused({"output_uri": unversioned}, "output_uri", "not versioned", "--versioning Enabled")
    await refused({"output_uri": None}, "output_uri", "versioned bucket")
    await refused({"output_uri": f"oci://nope@{emu.namespace}/x"}, "output_uri", "was not found")
    await refused({"replicas": 2}, "subnet_id", "private subnet")
    await refused({"replicas": 2, "subnet_id": "ocid1.subnet.oc1.iad.s"}, "log_id", "log_group_id and log_id")
    await refused({"dataset_path": "data/bad.jsonl"}, "dataset_path: line 7", "line 7", 'missing key "completion"')
    await refused({"dataset_path": str(outside)}, "dataset_path", "outside the Jupyter root")
    await refused({"dataset_path": "data/missing.jsonl"}, "dataset_path", "no such file")
    await refused({"dataset_path": "data/small.jsonl"}, "dataset_path", "at least 50")
    await refused(
        {"dataset_path": f"oci://data@{emu.namespace}/bad.jsonl"},
        "dataset_path: line 12",
        f"oci://data@{emu.namespace}/bad.jsonl",
        "line 12",
    )
    await refused({"dataset_path": f"oci://data@{emu.namespace}/none.jsonl"}, "dataset_path", "no object")
    await refused({"dataset_path": f"oci://data@{emu.namespace}/x.csv"}, "dataset_path", ".jsonl")
    await refused({"experiment_name": "evals"}, "experiment_name", "not a fine-tuning experiment")
    await refused({"params": {"training_type": "last_layers"}}, "params.training_type", "LoRA")
    await refused({"log_group_id": group, "log_id": "ocid1.bucket.oc1.iad.x"}, "log_id", "log OCID")
    status, err = await api("finetunes", method="POST", body={**good, "model_id": "ocid1.datasciencemodel.oc1.iad.no"})
    assert status == 404, err

    assert counts(world) == before
    assert not {"CreateModel", "CreateJob", "CreateJobRun", "CreateModelVersionSet", "PutObject"} & set(emu.calls)
    # The same request, corrected, goes through.
    status, created = await api("finetunes", method="POST", body={**good, "log_group_id": group, "log_id": log_id})
    assert status == 202, created


async def test_a_failure_after_the_model_exists_leaves_nothing(api: Any, world: OciWorld, jp_root_dir: Path) -> None:
    """CreateJob refused by OCI after the experiment, the upload and the model were made: all removed."""
    from tests.oci_emulator import FaultConfig

    emu = world.emulator
    base = seed_base(world)
    output = output_bucket(world)
    write_dataset(jp_root_dir)
    assert (await api("info"))[0] == 200
    before = counts(world)
    emu.faults = FaultConfig(rate=1.0, kinds=("409",), operations=("CreateJob",))
    status, err = await api(
        "finetunes",
        method="POST",
        body={
            "model_id": base,
            "name": "doomed",
            "dataset_path": "data/train.jsonl",
            "output_uri": output,
            "experiment_name": "doomed-exp",
        },
    )
    assert status == 409 and "IncorrectState" in err["message"], err
    assert emu.calls["CreateModel"] == emu.calls["DeleteModel"] == 1 and emu.calls["PutObject"] == 1
    emu.faults = None
    emu.fast_forward()
    assert counts(world) == before
    assert all(s["lifecycleState"] == "DELETED" for s in emu.version_sets.sets.values())
    _, models = await api("models")
    assert "doomed" not in {m["name"] for m in models["items"]}


async def test_the_explorer_shows_a_finished_model_deployable_without_writing(
    api: Any, world: OciWorld, jp_root_dir: Path
) -> None:
    """Nobody watched the run: a refreshed model list finds it SUCCEEDED and shows its model deployable.
    A read never writes: the tag is the container's to set (issue 12; this asserted an UpdateModel before)."""
    emu = world.emulator
    emu.finetuning.tags_model = False  # a container that leaves the tag: the run still says it is ready
    base = seed_base(world)
    output = output_bucket(world)
    write_dataset(jp_root_dir)
    status, created = await api(
        "finetunes",
        method="POST",
        body={"model_id": base, "name": "unwatched", "dataset_path": "data/train.jsonl", "output_uri": output},
    )
    assert status == 202, created
    ft_id = created["finetune"]["id"]
    emu.fast_forward()
    assert emu.jobs.runs[created["finetune"]["job_run_id"]]["lifecycleState"] == "SUCCEEDED"
    assert emu.get_model_record(ft_id)["freeformTags"]["OCI_AQUA"] == ""
    emu.reset_calls()
    _, models = await api("models", params={"refresh": "true"})
    assert {m["id"]: m for m in models["items"]}[ft_id]["ready_to_deploy"] is True
    assert emu.get_model_record(ft_id)["freeformTags"]["OCI_AQUA"] == ""
    # The facts were known from the create: one ListJobRuns, no GetModel or GetJob, and no write.
    assert emu.calls["ListJobRuns"] == 1 and "UpdateModel" not in emu.calls
    assert "GetModel" not in emu.calls and "GetJob" not in emu.calls
    _, again = await api("models", params={"refresh": "true"})
    assert {m["id"]: m for m in again["items"]}[ft_id]["ready_to_deploy"] is True
    _, listing = await api("finetunes")
    assert {f["id"]: f for f in listing["items"]}[ft_id]["state"] == "SUCCEEDED"
    assert "UpdateModel" not in emu.calls  # listing models or fine-tunes is a read


async def test_a_dataset_already_uploaded_is_reused_never_overwritten(
    api: Any, world: OciWorld, jp_root_dir: Path
) -> None:
    emu = world.emulator
    base = seed_base(world)
    output = output_bucket(world)
    path = write_dataset(jp_root_dir)
    body = {"model_id": base, "name": "first", "dataset_path": "data/train.jsonl", "output_uri": output}
    assert (await api("finetunes", method="POST", body=body))[0] == 202
    emu.reset_calls()
    status, second = await api("finetunes", method="POST", body={**body, "name": "second"})
    assert status == 202 and "PutObject" not in emu.calls  # the same file is there already
    assert second["finetune"]["dataset_path"] == f"oci://ft-out@{emu.namespace}/runs/train.jsonl"
    path.write_text(dataset_text(70))
    status, err = await api("finetunes", method="POST", body={**body, "name": "third"})
    assert status == 400 and err["fields"][0]["field"] == "dataset_path" and "different file" in err["message"]
    assert emu.get_object(None, "ft-out", "runs/train.jsonl") == dataset_text(60).encode()


async def test_an_unwatched_finished_fine_tune_deploys_at_once(api: Any, world: OciWorld, jp_root_dir: Path) -> None:
    """Deploy reads the model's detail, which asks the run (one GetJobRun) when the tag says not yet."""
    emu = world.emulator
    emu.finetuning.tags_model = False  # a container that leaves the tag: the run still says it is ready
    base = seed_base(world)
    write_dataset(jp_root_dir)
    status, created = await api(
        "finetunes",
        method="POST",
        body={
            "model_id": base,
            "name": "quiet",
            "dataset_path": "data/train.jsonl",
            "output_uri": output_bucket(world),
        },
    )
    assert status == 202, created
    ft_id = created["finetune"]["id"]
    emu.fast_forward()
    emu.reset_calls()
    status, deployed = await api("deployments", method="POST", body={"model_id": ft_id, "name": "quiet chat"})
    assert status == 202, deployed
    assert emu.calls["GetJobRun"] == 1 and "UpdateModel" not in emu.calls  # reading the model writes nothing
    _, models = await api("models")
    assert {m["id"]: m for m in models["items"]}[ft_id]["ready_to_deploy"] is True


async def test_without_a_policy_to_tag_it_the_model_still_shows_deployable(
    api: Any, world: OciWorld, jp_root_dir: Path
) -> None:
    from tests.oci_emulator import FaultConfig

    emu = world.emulator
    emu.finetuning.tags_model = False  # a container that leaves the tag: the run still says it is ready
    base = seed_base(world)
    write_dataset(jp_root_dir)
    status, created = await api(
        "finetunes",
        method="POST",
        body={
            "model_id": base,
            "name": "readonly",
            "dataset_path": "data/train.jsonl",
            "output_uri": output_bucket(world),
        },
    )
    assert status == 202, created
    ft_id = created["finetune"]["id"]
    emu.fast_forward()
    emu.faults = FaultConfig(rate=1.0, kinds=("409",), operations=("UpdateModel",))
    emu.reset_calls()
    assert (await wait_state(api, ft_id, "SUCCEEDED"))["state"] == "SUCCEEDED"
    status, model = await api(f"models/{ft_id}")
    assert status == 200 and model["ready_to_deploy"] is True
    _, models = await api("models", params={"refresh": "true"})
    assert {m["id"]: m for m in models["items"]}[ft_id]["ready_to_deploy"] is True
    assert emu.get_model_record(ft_id)["freeformTags"]["OCI_AQUA"] == ""
    assert "UpdateModel" not in emu.calls  # never asked: a read does not write
