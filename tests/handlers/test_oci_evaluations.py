"""OCI evaluations through a real Jupyter server, against the OCI emulator with the real `oci` SDK and
real request signing. The emulator plays AQUA's evaluation container inside the job run
(tests/oci_emulator/evaluation.py): progress, then report.json, rows.jsonl and report.html into the report
bucket, its exit codes on failure.

The whole life (create on an ACTIVE deployment → SUCCEEDED → report, rows, report.html, comparison, delete),
cancel, AQUA's own report shape, and every refused input (a 400 naming the field, a 409 for a deployment
that is not ACTIVE, with nothing created in OCI).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from tornado.httpclient import HTTPClientError

from tests.handlers.test_oci_deployments import stacked_deployment
from tests.handlers.test_oci_finetunes import bucket_uri, counts, jsonl_text, last_body, write_text
from tests.oci_setup import OciWorld, add_log, seed_deployable_model, seed_deployment, seed_user_model
from tests.waiting import wait_for_state


@pytest.fixture
def jp_server_config(world: OciWorld) -> dict[str, Any]:
    world.emulator.transition_seconds = 0.02
    world.emulator.jobs.run_seconds = 0.3
    return {
        "ServerApp": {"jpserver_extensions": {"aqua_ext": True}, "allow_unauthenticated_access": False},
        "AquaExtension": world.traits(),
    }


# ---- helpers -----------------------------------------------------------------------------------


def report_bucket(world: OciWorld, name: str = "eval-out", *, versioned: bool = True) -> str:
    return bucket_uri(world, name, "reports", versioned=versioned)


def eval_text(rows: int = 9, *, bad_line: int | None = None, conversational: bool = False) -> str:
    if conversational:
        lines = [
            json.dumps(
                {"messages": [{"role": "user", "content": f"hi {i}"}, {"role": "assistant", "content": f"hello {i}"}]}
            )
            for i in range(rows)
        ]
    else:
        lines = [
            json.dumps(
                {
                    "prompt": f"What is the capital of country {i}?",
                    "completion": f"The capital of country {i} is city number {i}.",
                    "category": "geo" if i % 2 else "math",
                }
            )
            for i in range(rows)
        ]
    return jsonl_text(lines, bad_line)


def write_eval(root: Path, name: str = "data/eval.jsonl", **kw: Any) -> Path:
    return write_text(root, name, eval_text(**kw))


async def wait_state(api: Any, evaluation_id: str, *states: str, timeout: float = 20.0) -> dict[str, Any]:
    return await wait_for_state(api, f"evaluations/{evaluation_id}", *states, timeout=timeout, interval=0.05)


# ---- the whole life -------------------------------------------------------------------------------


async def test_create_report_rows_html_compare_delete(
    api: Any, jp_fetch: Any, world: OciWorld, jp_root_dir: Path
) -> None:
    emu = world.emulator
    assert (await api("info"))[0] == 200
    dep = seed_deployment(world)
    report = report_bucket(world)
    group, log_id = add_log(world, "evaluations")
    data = write_eval(jp_root_dir)
    emu.reset_calls()

    status, created = await api(
        "evaluations",
        method="POST",
        body={
            "deployment_id": dep,
            "name": "geo check",
            "dataset_path": "data/eval.jsonl",
            "report_uri": report,
            "log_group_id": group,
            "log_id": log_id,
            "params": {"max_tokens": 64, "temperature": 0.2},
        },
    )
    assert status == 202, created
    ev = created["evaluation"]
    ev_id = ev["id"]
    assert ev_id.startswith("ocid1.datasciencemodel.") and ev["state"] == "ACCEPTED"
    assert (ev["deployment_id"], ev["deployment_name"], ev["model_name"]) == (dep, "acme chat", "acme chat-model")
    # The form's default metrics: those OCI's container computes.
    assert ev["metrics"] == ["bertscore", "rouge", "bleu", "readability"]
    assert ev["dataset_path"] == f"oci://eval-out@{emu.namespace}/reports/eval.jsonl"
    assert ev["dataset_hash"] == hashlib.sha256(data.read_bytes()).hexdigest() and ev["rows_total"] == 9
    assert ev["job_id"] and ev["job_run_id"] and ev["report_uri"] == report
    assert created["preflight"]["valid_rows"] == 9 and created["preflight"]["categories"] == {"geo": 4, "math": 5}
    for operation in ("CreateModelVersionSet", "CreateModel", "CreateJob", "CreateJobRun"):
        assert emu.calls[operation] == 1 and last_body(world, operation)["headers"]["opc-retry-token"], operation

    # What OCI holds: AQUA's conventions, so AQUA lists the same evaluation.
    assert emu.get_object(None, "eval-out", "reports/eval.jsonl") == data.read_bytes()
    record = emu.get_model_record(ev_id)
    assert record["freeformTags"] == {"aqua_evaluation": "aqua_evaluation"}
    meta = {m["key"]: m["value"] for m in record["customMetadataList"]}
    assert meta["evaluation_source"] == dep and meta["evaluation_source_name"] == "acme chat"
    assert meta["evaluation_output_path"] == report
    assert meta["evaluation_job_id"] == ev["job_id"] and meta["evaluation_job_run_id"] == ev["job_run_id"]
    hyper = json.loads(next(m["value"] for m in record["definedMetadataList"] if m["key"] == "Hyperparameters"))
    assert hyper["model_params"]["shape"] == "VM.Standard.E4.Flex" and hyper["model_params"]["report_path"] == report
    assert hyper["model_params"]["model"] == "odsc-llm" and hyper["model_params"]["max_tokens"] == 64
    assert (
        record["modelVersionSetName"] == "aqua-ext evaluations"
        and record["_provenance"]["trainingId"] == ev["job_run_id"]
    )
    assert next(iter(emu.version_sets.sets.values()))["freeformTags"] == {"aqua_evaluation": "aqua_evaluation"}
    job = emu.jobs.jobs[ev["job_id"]]
    args = json.loads(job["jobConfigurationDetails"]["environmentVariables"]["AIP_SMC_EVALUATION_ARGUMENTS"])
    assert args["evaluation_id"] == ev_id and args["evaluation_target_id"] == dep
    assert args["input_data"]["url"] == ev["dataset_path"] and args["input_data"]["format"] == ".jsonl"
    assert [m["key"] for m in args["metrics"]] == ["bertscore", "rouge", "bleu", "text_readability"]
    assert args["output_dir"] == report and args["params"]["model_parameters"]["temperature"] == 0.2
    infra = job["jobInfrastructureConfigurationDetails"]
    assert infra["shapeName"] == "VM.Standard.E4.Flex" and infra["blockStorageSizeInGBs"] == 200
    assert infra["jobShapeConfigDetails"] == {"ocpus": 8.0, "memoryInGBs": 128.0}
    assert job["jobEnvironmentConfigurationDetails"]["image"] == "dsmc://odsc-llm-evaluate:0.1.3.4"
    assert job["jobLogConfigurationDetails"]["logId"] == log_id

    status, html = await api(f"evaluations/{ev_id}/report.html")
    assert status == 409, html  # not yet
    done = await wait_state(api, ev_id, "SUCCEEDED", "FAILED")
    assert done["state"] == "SUCCEEDED", done["state_message"]
    assert done["progress"] == 1.0 and done["rows_done"] == 9 and done["finished_at"]
    rep = done["report"]
    assert rep["rows_total"] == 9 and set(rep["categories"]) == {"geo", "math"}
    assert set(done["scores"]) == {"bertscore", "rouge1", "rougeL", "bleu", "readability"}
    assert 0.8 < done["scores"]["bertscore"] < 1.0

    # The report was read by object name: GetObject of report.json only, no listing or artifact download.
    emu.reset_calls()
    status, rows = await api(f"evaluations/{ev_id}/rows", params={"sort": "bleu", "descending": "true"})
    assert status == 200 and rows["total"] == 9 and rows["categories"] == ["geo", "math"]
    bleu = [r["scores"]["bleu"] for r in rows["items"]]
    assert bleu == sorted(bleu, reverse=True) and bleu[0] > bleu[-1]
    _, geo = await api(f"evaluations/{ev_id}/rows", params={"category": "geo", "sort": "bertscore"})
    assert geo["total"] == 4 and {r["category"] for r in geo["items"]} == {"geo"}
    status, err = await api(f"evaluations/{ev_id}/rows", params={"sort": "nope"})
    assert status == 400 and err["fields"][0]["field"] == "query.sort"
    response = await jp_fetch("aqua-ext", "evaluations", ev_id, "report.html")
    assert response.code == 200 and b"Evaluation report" in response.body
    assert response.headers["Content-Disposition"] == 'attachment; filename="geo-check-report.html"'
    got = [unquote(r["path"].rsplit("/o/", 1)[-1]) for r in emu.request_details if r["operation"] == "GetObject"]
    assert sorted(set(got)) == [f"reports/{ev_id}/report.html", f"reports/{ev_id}/rows.jsonl"], got
    assert emu.calls["GetObject"] == 2  # rows.jsonl once (kept), report.html once
    assert not {"ListObjects", "GetModelArtifactContent", "HeadModelArtifact"} & set(emu.calls)

    # A second evaluation, compared with the first.
    status, second = await api(
        "evaluations",
        method="POST",
        body={
            "deployment_id": dep,
            "name": "geo check 2",
            "dataset_path": "data/eval.jsonl",
            "report_uri": report,
            "metrics": ["bertscore", "bleu"],
        },
    )
    assert status == 202, second
    ev2 = second["evaluation"]["id"]
    assert emu.calls["CreateModelVersionSet"] == 0  # the experiment is reused
    assert (await wait_state(api, ev2, "SUCCEEDED", "FAILED"))["state"] == "SUCCEEDED"
    status, comparison = await api("compare/evaluations", params={"ids": f"{ev_id},{ev2}"})
    assert status == 200, comparison
    assert comparison["same_dataset"] is True and set(comparison["overall"]["bertscore"]) == {ev_id, ev2}
    assert "rougeL" in comparison["overall"] and set(comparison["overall"]["rougeL"]) == {ev_id}
    assert set(comparison["categories"]) == {"geo", "math"}

    # Listed (one list of models, one of runs), newest first, with the headline scores; no call per row.
    emu.reset_calls()
    _, listing = await api("evaluations")
    assert [(e["id"], e["state"]) for e in listing["items"]] == [(ev2, "SUCCEEDED"), (ev_id, "SUCCEEDED")]
    assert listing["items"][1]["scores"] == done["scores"]
    assert emu.calls["ListModels"] <= 1 and emu.calls["ListJobRuns"] <= 1, dict(emu.calls)
    assert not {"GetModel", "GetJob", "GetJobRun", "GetObject"} & set(emu.calls), dict(emu.calls)
    status, logs = await api(f"evaluations/{ev_id}/logs")
    assert status == 200 and "Job run finished: SUCCEEDED" in "\n".join(logs["lines"])

    assert (await api(f"evaluations/{ev_id}", method="DELETE"))[0] == 204
    emu.fast_forward()
    assert emu.get_model_record(ev_id)["lifecycleState"] == "DELETED"
    assert emu.jobs.jobs[ev["job_id"]]["lifecycleState"] == "DELETED"
    assert emu.list_object_names(None, "eval-out", f"reports/{ev_id}/") == []
    assert (await api(f"evaluations/{ev_id}"))[0] == 404
    _, listing = await api("evaluations")
    assert [e["id"] for e in listing["items"]] == [ev2]


async def test_cancel_and_delete_follow_the_run(api: Any, world: OciWorld, jp_root_dir: Path) -> None:
    world.emulator.jobs.run_seconds = 30.0  # it keeps running until canceled
    dep = seed_deployment(world)
    write_eval(jp_root_dir)
    status, created = await api(
        "evaluations",
        method="POST",
        body={
            "deployment_id": dep,
            "name": "long",
            "dataset_path": "data/eval.jsonl",
            "report_uri": report_bucket(world),
        },
    )
    assert status == 202, created
    ev_id = created["evaluation"]["id"]
    running = await wait_state(api, ev_id, "IN_PROGRESS")
    assert running["progress"] < 1.0 and running["finished_at"] is None
    status, err = await api(f"evaluations/{ev_id}", method="DELETE")
    assert status == 409 and "cancel it first" in err["message"], err
    status, err = await api(f"evaluations/{ev_id}/report.html")
    assert status == 409 and "IN_PROGRESS" in err["message"]
    status, canceling = await api(f"evaluations/{ev_id}/cancel", method="POST")
    assert status == 200 and canceling["state"] == "CANCELING", canceling
    canceled = await wait_state(api, ev_id, "CANCELED")
    assert canceled["state_message"] == "Canceled"
    status, err = await api(f"evaluations/{ev_id}/cancel", method="POST")
    assert status == 409 and "is CANCELED" in err["message"]
    assert (await api(f"evaluations/{ev_id}", method="DELETE"))[0] == 204
    assert (await api("evaluations/not-an-ocid"))[0] == 404


async def test_a_failed_run_says_why_and_aqua_reports_are_read(api: Any, world: OciWorld, jp_root_dir: Path) -> None:
    emu = world.emulator
    dep = seed_deployment(world)
    report = report_bucket(world)
    write_eval(jp_root_dir)
    emu.evaluation.exit_code = 26
    body = {"deployment_id": dep, "name": "x", "dataset_path": "data/eval.jsonl", "report_uri": report}
    status, created = await api("evaluations", method="POST", body=body)
    assert status == 202, created
    failed = await wait_state(api, created["evaluation"]["id"], "FAILED", "SUCCEEDED")
    assert failed["state"] == "FAILED" and "(exit code 26)" in failed["state_message"]
    assert "answered none of the prompts" in failed["state_message"]

    emu.evaluation.aqua_report = True  # the real container's report.json shape
    status, created = await api("evaluations", method="POST", body={**body, "name": "aqua"})
    assert status == 202, created
    done = await wait_state(api, created["evaluation"]["id"], "SUCCEEDED", "FAILED")
    assert done["state"] == "SUCCEEDED" and done["report"]["rows_total"] == 9
    assert set(done["scores"]) == {"bertscore", "rouge1", "rougeL", "bleu", "readability"}
    status, rows = await api(f"evaluations/{done['id']}/rows")
    assert status == 200 and rows["items"] == []  # AQUA's container writes no rows


# ---- refused inputs: a 400 naming the field, and nothing created -----------------------------------


async def test_bad_input_is_refused_before_anything_is_created(api: Any, world: OciWorld, jp_root_dir: Path) -> None:
    emu = world.emulator
    assert (await api("info"))[0] == 200
    dep = seed_deployment(world)
    inactive = seed_deployment(world, "sleepy", state="INACTIVE")
    report = report_bucket(world)
    unversioned = report_bucket(world, "plain-bucket", versioned=False)
    write_eval(jp_root_dir)
    write_eval(jp_root_dir, "data/bad.jsonl", bad_line=4)
    write_eval(jp_root_dir, "data/chat.jsonl", conversational=True)
    emu.add_bucket(None, "data", versioned=True, compartment_id=world.compartment_id)
    emu.put_object(None, "data", "bad.jsonl", eval_text(bad_line=6))
    base = seed_deployable_model(world, "베이스-모델")
    tuned = seed_user_model(world, "日本語ファインチューン", fine_tuned=True)
    korean = seed_user_model(world, "한국어 어댑터", fine_tuned=True)
    _, stacked = stacked_deployment(world, base, tuned, "stacked", more=((korean, "ko-adapter"),))
    before = counts(world)
    emu.reset_calls()
    good = {"deployment_id": dep, "name": "x", "dataset_path": "data/eval.jsonl", "report_uri": report}

    async def refused(change: dict[str, Any], field: str, *words: str, status_code: int = 400) -> None:
        status, err = await api("evaluations", method="POST", body={**good, **change})
        assert status == status_code, (change, err)
        assert err["fields"][0]["field"] == field, (change, err)
        for word in words:
            assert word in err["message"], (change, word, err["message"])

    await refused({"deployment_id": inactive}, "deployment_id", "INACTIVE", "not ACTIVE", status_code=409)
    # An adapter of a stacked deployment: AQUA's container would ask the base (never evaluated in its place).
    await refused({"deployment_id": stacked, "adapter": "ko-adapter"}, "adapter", "cannot pick one of its adapters")
    await refused({"report_uri": unversioned}, "report_uri", "not versioned", "--versioning Enabled")
    await refused({"report_uri": None}, "report_uri", "versioned bucket")
    await refused({"report_uri": "s3://x"}, "report_uri", "oci://bucket@namespace/prefix")
    await refused({"dataset_path": "data/chat.jsonl"}, "dataset_path", "conversational")
    await refused({"dataset_path": "data/bad.jsonl"}, "dataset_path: line 4", "line 4", 'missing key "completion"')
    await refused({"dataset_path": "data/missing.jsonl"}, "dataset_path", "no such file")
    await refused({"dataset_path": f"oci://data@{emu.namespace}/bad.jsonl"}, "dataset_path: line 6", "line 6")
    await refused({"dataset_path": f"oci://data@{emu.namespace}/none.jsonl"}, "dataset_path", "no object")
    await refused({"metrics": ["bertscore", "chrf", "latency"]}, "metrics", "chrf, latency")
    await refused({"metrics": ["nope"]}, "metrics.0")
    await refused({"shape": "VM.GPU.A10.1"}, "shape", "CPU shapes", "VM.Standard.E4.Flex")
    await refused({"shape": "VM.Nope"}, "shape", "not a job shape")
    await refused({"sample_size": 3}, "sample_size", "every row")
    await refused(
        {"log_group_id": "ocid1.loggroup.oc1.iad.g", "log_id": "ocid1.bucket.oc1.iad.x"}, "log_id", "log OCID"
    )
    status, err = await api(
        "evaluations", method="POST", body={**good, "deployment_id": "ocid1.datasciencemodeldeployment.oc1.iad.missing"}
    )
    assert status == 404, err

    assert counts(world) == before
    assert not {"CreateModel", "CreateJob", "CreateJobRun", "CreateModelVersionSet", "PutObject"} & set(emu.calls)
    status, created = await api("evaluations", method="POST", body=good)
    assert status == 202, created


async def test_a_fine_tunes_training_data_is_evaluated(api: Any, world: OciWorld, jp_root_dir: Path) -> None:
    from tests.handlers.test_oci_finetunes import seed_base

    emu = world.emulator
    dep = seed_deployment(world)
    base = seed_base(world)
    emu.add_bucket(None, "ft-out", versioned=True, compartment_id=world.compartment_id)
    emu.add_bucket(None, "data", versioned=True, compartment_id=world.compartment_id)
    emu.put_object(None, "data", "train.jsonl", eval_text(60))
    status, ft = await api(
        "finetunes",
        method="POST",
        body={
            "model_id": base,
            "name": "tuned",
            "dataset_path": f"oci://data@{emu.namespace}/train.jsonl",
            "output_uri": f"oci://ft-out@{emu.namespace}/runs",
        },
    )
    assert status == 202, ft
    status, created = await api(
        "evaluations",
        method="POST",
        body={
            "deployment_id": dep,
            "name": "on training data",
            "finetune_id": ft["finetune"]["id"],
            "report_uri": report_bucket(world),
        },
    )
    assert status == 202, created
    ev = created["evaluation"]
    assert ev["dataset_path"] == f"oci://data@{emu.namespace}/train.jsonl" and ev["finetune_id"] == ft["finetune"]["id"]
    assert ev["dataset_hash"] == ft["finetune"]["dataset_hash"] and ev["rows_total"] == 60


async def test_report_html_download_is_an_attachment_of_text(jp_fetch: Any) -> None:
    """The download route answers an unknown evaluation with a JSON 404, not an HTML page."""
    with pytest.raises(HTTPClientError) as raised:
        await jp_fetch("aqua-ext", "evaluations", "ocid1.datasciencemodel.oc1.iad.missing", "report.html")
    assert raised.value.code == 404


# ---- interoperability with Oracle's AQUA (issue 12) -----------------------------------------------


async def test_our_evaluation_leaves_aquas_report_in_the_model_artifact(
    api: Any, world: OciWorld, jp_root_dir: Path
) -> None:
    """AQUA's metrics view (`ads.aqua.evaluation` load_metrics) reads report.md and report.json from the
    evaluation model's artifact: the container writes them there when the model has no artifact yet, so
    ours is created without one, and the report lists the metrics that were asked."""
    import io
    import zipfile

    emu = world.emulator
    dep = seed_deployment(world)
    write_eval(jp_root_dir)
    body = {
        "deployment_id": dep,
        "name": "for aqua",
        "dataset_path": "data/eval.jsonl",
        "report_uri": report_bucket(world),
        "metrics": ["bertscore", "bleu"],
    }
    status, created = await api("evaluations", method="POST", body=body)
    assert status == 202, created
    ev_id = created["evaluation"]["id"]
    assert (await wait_state(api, ev_id, "SUCCEEDED", "FAILED"))["state"] == "SUCCEEDED"
    content, _ = emu.datascience.model_artifacts[ev_id]
    with zipfile.ZipFile(io.BytesIO(content)) as artifact:
        assert {"report.json", "report.md"} <= set(artifact.namelist())
        aqua = json.loads(artifact.read("report.json"))
    assert set(aqua["metric_results"]) == {"bertscore", "bleu"}
    meta = {m["key"]: m["value"] for m in emu.get_model_record(ev_id)["customMetadataList"]}
    assert meta["evaluation_source"] == dep  # what AQUA's evaluation list and detail read


async def test_an_aqua_created_evaluation_shows_the_metrics_asked_and_its_model(
    api: Any, world: OciWorld, jp_root_dir: Path
) -> None:
    """An evaluation as AQUA creates it: no `aqua_ext` choices in its Hyperparameters and no model name in
    its metadata. Its metrics are those its job asked the container for (two, not the container's four),
    and its model is the evaluated deployment's (`aqua_model_name`), never an empty name."""
    import oci

    emu = world.emulator
    dep = seed_deployment(world)  # "acme chat", of the model "acme chat-model"
    report = report_bucket(world)
    emu.put_object(None, "eval-out", "data/eval.jsonl", eval_text())
    dataset = f"oci://eval-out@{emu.namespace}/data/eval.jsonl"
    M = oci.data_science.models
    ds = oci.data_science.DataScienceClient(
        emu.config, service_endpoint=emu.endpoint("datascience"), retry_strategy=oci.retry.NoneRetryStrategy()
    )
    model = ds.create_model(
        M.CreateModelDetails(
            compartment_id=world.compartment_id,
            project_id=world.project_id,
            display_name="aqua-made evaluation",
            freeform_tags={"aqua_evaluation": "aqua_evaluation"},
            defined_metadata_list=[
                M.Metadata(
                    key="Hyperparameters",
                    value=json.dumps(
                        {
                            "model_params": {
                                "max_tokens": 500,
                                "shape": "VM.Standard.E4.Flex",
                                "dataset_path": dataset,
                                "report_path": report,
                            }
                        }
                    ),
                )
            ],
        )
    ).data
    args = {
        "evaluation_id": model.id,
        "evaluation_target_id": dep,
        "input_data": {"format": ".jsonl", "url": dataset},
        "metrics": [{"key": "bertscore", "args": {}}, {"key": "bleu", "args": {}}],
        "output_dir": report,
        "params": {"model_parameters": {"model": "odsc-llm", "max_tokens": 500}},
    }
    job = ds.create_job(
        M.CreateJobDetails(
            compartment_id=world.compartment_id,
            project_id=world.project_id,
            display_name="aqua-made evaluation",
            freeform_tags={"aqua_evaluation": "aqua_evaluation", "evaluation_model_id": model.id},
            job_configuration_details=M.DefaultJobConfigurationDetails(
                environment_variables={"AIP_SMC_EVALUATION_ARGUMENTS": json.dumps(args)}
            ),
            job_infrastructure_configuration_details=M.ManagedEgressStandaloneJobInfrastructureConfigurationDetails(
                shape_name="VM.Standard.E4.Flex", block_storage_size_in_gbs=200
            ),
        )
    ).data
    run = ds.create_job_run(
        M.CreateJobRunDetails(compartment_id=world.compartment_id, project_id=world.project_id, job_id=job.id)
    ).data
    meta = {
        "evaluation_source": dep,
        "evaluation_source_name": "acme chat",
        "evaluation_output_path": report,
        "evaluation_job_id": job.id,
        "evaluation_job_run_id": run.id,
    }
    ds.update_model(
        model.id,
        M.UpdateModelDetails(
            custom_metadata_list=[M.Metadata(key=k, value=v, category="Other") for k, v in meta.items()]
        ),
    )
    emu.fast_forward()

    status, detail = await api(f"evaluations/{model.id}")
    assert status == 200, detail
    assert detail["metrics"] == ["bertscore", "bleu"]
    assert detail["model_name"] == "acme chat-model" and detail["deployment_name"] == "acme chat"
    _, listing = await api("evaluations")
    listed = {e["id"]: e for e in listing["items"]}[model.id]
    assert listed["model_name"] == "acme chat-model"
