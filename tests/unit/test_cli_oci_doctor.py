"""`aqua-ext oci doctor` against the emulator: a compartment missing one policy and an unversioned bucket
(each named, with what fixes it), the all-ok case, the opt-in test resource, a service limit too small, the
Terraform file, and bad input (never a stack trace)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from aqua_ext.cli.entry import main
from aqua_ext.services.oci_setup import STATEMENTS
from tests.oci_setup import OciWorld

MODELS_STATEMENT = "Allow dynamic-group aqua-dynamic-group to manage data-science-models in compartment aqua-tests"


def doctor(capsys: pytest.CaptureFixture[str], world: OciWorld, *argv: str) -> tuple[int, str, str]:
    code = main([*world.cli_args(), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def checks(out: str) -> dict[str, dict]:
    return {c["key"]: c for c in json.loads(out)["checks"]}


def test_a_namespace_oci_will_not_show_is_a_missing_statement(
    capsys: pytest.CaptureFixture[str], world: OciWorld
) -> None:
    # GetNamespace answers 404 NotAuthorizedOrNotFound (not a 403): the client reads it as a refusal,
    # and the check says which statement is missing rather than "unknown".
    world.emulator.deny("read objectstorage-namespaces")
    code, out, err = doctor(capsys, world, "--json", "oci", "doctor")
    assert code == 1, err
    found = checks(out)
    assert found["namespace"]["status"] == "missing", found["namespace"]
    assert found["namespace"]["fix"] == [
        "Allow dynamic-group aqua-dynamic-group to read objectstorage-namespaces in compartment aqua-tests"
    ]


def test_a_missing_policy_and_an_unversioned_bucket_are_named_with_their_fix(
    capsys: pytest.CaptureFixture[str], world: OciWorld
) -> None:
    world.emulator.add_bucket(None, "aqua-out", versioned=False, compartment_id=world.compartment_id)
    world.emulator.deny("manage data-science-models")

    code, out, err = doctor(capsys, world, "--json", "oci", "doctor", "--bucket", "aqua-out")
    assert code == 1, err
    report = json.loads(out)
    assert report["ready"] is False and report["compartment_name"] == "aqua-tests"
    found = checks(out)
    missing = {k for k, c in found.items() if c["status"] == "missing"}
    assert missing == {"models", "service-models", "bucket-versioning"}, found
    assert found["models"]["fix_kind"] == "statement" and found["models"]["fix"] == [MODELS_STATEMENT]
    assert "Endorse any-user to read data-science-models in tenancy datascience" in found["service-models"]["fix"][1]
    ns = world.emulator.namespace
    assert found["bucket-versioning"]["fix"] == [
        f"oci os bucket update --name aqua-out --namespace {ns} --versioning Enabled"
    ]
    assert found["bucket-versioning"]["fix_kind"] == "command"
    assert found["create-test-resource"]["status"] == "skipped"
    # Every statement of the table is written out, filled in: no placeholder is left but the admin group.
    assert len(report["statements"]) == len(STATEMENTS)
    texts = [s["text"] for s in report["statements"] if s["policy"] == "aqua"]
    assert not any("<" in t for t in texts), texts
    assert "target.bucket.name='aqua-out'" in texts[-1]
    groups = {g["name"]: g["matching_rule"] for g in report["dynamic_groups"]}
    assert set(groups) == {"aqua-dynamic-group", "distributed_training_job_runs"}
    assert groups["aqua-dynamic-group"].count(f"resource.compartment.id='{world.compartment_id}'") == 3

    # The text a person reads: the failed check, the statement that fixes it, the command; no traceback.
    code, out, err = doctor(capsys, world, "oci", "doctor", "--bucket", "aqua-out")
    assert code == 1
    assert "✗ List models in the compartment" in out and f"      {MODELS_STATEMENT}\n" in out
    assert f"$ oci os bucket update --name aqua-out --namespace {ns} --versioning Enabled" in out
    assert "Traceback" not in out + err


def test_all_ok_with_a_versioned_bucket_a_shape_and_the_test_resource(
    capsys: pytest.CaptureFixture[str], world: OciWorld
) -> None:
    emu = world.emulator
    emu.add_bucket(None, "aqua-out", versioned=True, compartment_id=world.compartment_id)
    projects = len(emu.datascience.projects)
    argv = ("--json", "oci", "doctor", "--bucket", "aqua-out", "--shape", "VM.GPU.A10.2", "--create-test-resource")
    code, out, err = doctor(capsys, world, *argv)
    assert code == 0, out + err
    found = checks(out)
    assert {c["status"] for c in found.values()} == {"ok"}, found
    assert "of 'ds-gpu-a10-count' available" in found["limit:VM.GPU.A10.2"]["detail"]
    # The test project was made with its tag and deleted again.
    made = list(emu.datascience.projects.values())[projects:]
    assert len(made) == 1 and made[0]["freeformTags"] == {"aqua-ext-doctor": "test-resource"}
    assert made[0]["lifecycleState"] == "DELETED" and emu.calls["DeleteProject"] == 1


def test_a_denied_test_resource_and_a_limit_too_small(capsys: pytest.CaptureFixture[str], world: OciWorld) -> None:
    world.emulator.deny("data-science-projects")
    world.emulator.limits.values["ds-gpu-a10-count"] = 1
    code, out, _ = doctor(capsys, world, "--json", "oci", "doctor", "--shape", "VM.GPU.A10.2", "--create-test-resource")
    assert code == 1
    found = checks(out)
    fix = "Allow dynamic-group aqua-dynamic-group to manage data-science-projects in compartment aqua-tests"
    assert found["projects"]["fix"] == [fix] and found["create-test-resource"]["fix"] == [fix]
    limit = found["limit:VM.GPU.A10.2"]
    assert limit["status"] == "missing" and limit["fix_kind"] == "limit" and "'ds-gpu-a10-count'" in limit["fix"][0]
    assert found["bucket"]["status"] == "skipped" and found["bucket-versioning"]["status"] == "skipped"


def test_unread_limits_name_their_statement(capsys: pytest.CaptureFixture[str], world: OciWorld) -> None:
    world.emulator.deny("resource-availability")
    code, out, _ = doctor(capsys, world, "--json", "oci", "doctor", "--compartment-name", "team")
    found = checks(out)
    assert code == 1 and found["resource-availability"]["fix"] == [
        "Allow dynamic-group aqua-dynamic-group to read resource-availability in compartment team"
    ]


def test_the_terraform_file(capsys: pytest.CaptureFixture[str], world: OciWorld, tmp_path: Path) -> None:
    world.emulator.add_bucket(None, "b1", versioned=True, compartment_id=world.compartment_id)
    target = tmp_path / "aqua.tf"
    code, out, _ = doctor(capsys, world, "--json", "oci", "doctor", "--bucket", "b1", "--terraform", str(target))
    assert code == 0
    text = target.read_text()
    assert text == json.loads(out)["terraform"]
    # The shape: two dynamic groups and two policies in the tenancy, every statement once, quotes balanced.
    assert re.findall(r'^resource "(\w+)" "(\w+)" \{$', text, re.M) == [
        ("oci_identity_dynamic_group", "aqua"),
        ("oci_identity_dynamic_group", "distributed_training"),
        ("oci_identity_policy", "aqua"),
        ("oci_identity_policy", "aqua_admin"),
    ]
    assert text.count("compartment_id = var.tenancy_ocid") == 4
    assert f'default = "{world.identity.tenancy}"' in text
    assert text.count("{") == text.count("}") and text.count('"') % 2 == 0
    for statement in json.loads(out)["statements"]:
        assert text.count(f'    "{statement["text"]}",\n') == 1
    if shutil.which("terraform"):  # its own parser, and the canonical layout
        done = subprocess.run(["terraform", "fmt", "-check", "-"], input=text, capture_output=True, text=True)
        assert done.returncode == 0 and done.stdout == "", done.stderr


def test_a_bucket_not_there_or_not_readable(capsys: pytest.CaptureFixture[str], world: OciWorld) -> None:
    code, out, _ = doctor(capsys, world, "--json", "oci", "doctor", "--bucket", "nowhere")
    found = checks(out)
    assert code == 1 and found["bucket"]["status"] == "missing" and "does not exist" in found["bucket"]["detail"]
    assert found["bucket"]["fix"] == [
        "Allow dynamic-group aqua-dynamic-group to read buckets in compartment aqua-tests"
    ]
    assert found["bucket-versioning"]["status"] == "unknown"


def test_bad_input_names_the_field(capsys: pytest.CaptureFixture[str], world: OciWorld) -> None:
    code, _, err = doctor(capsys, world, "oci", "doctor", "--shape", "VM.GPU;rm")
    assert code == 2 and "shapes" in err and "Traceback" not in err
    code, _, err = doctor(capsys, world, "oci", "doctor", "--bucket", "no/such")
    assert code == 2 and "bucket" in err and "Traceback" not in err


def test_the_emulator_denies_a_named_permission(world: OciWorld) -> None:
    import oci

    emu = world.emulator
    with pytest.raises(ValueError, match="unknown resource type"):
        emu.deny("manage unicorns")
    emu.deny("manage data-science-model-deployments")
    ds = oci.data_science.DataScienceClient(
        emu.config, service_endpoint=emu.endpoint("datascience"), retry_strategy=oci.retry.NoneRetryStrategy()
    )
    with pytest.raises(oci.exceptions.ServiceError) as refused:
        ds.list_model_deployments(world.compartment_id)
    assert (refused.value.status, refused.value.code) == (404, "NotAuthorizedOrNotFound")
    assert ds.list_models(world.compartment_id).status == 200  # models are another resource type
    emu.policies.allow_all()
    assert ds.list_model_deployments(world.compartment_id).status == 200


def test_an_authorization_error_elsewhere_points_to_the_doctor(
    capsys: pytest.CaptureFixture[str], world: OciWorld
) -> None:
    world.emulator.deny("data-science-model-deployments")
    code, out, err = doctor(capsys, world, "--backend", "oci", "deployments", "list")
    assert "manage data-science-family" in out + err and "`aqua-ext oci doctor`" in out + err, (code, out, err)


def test_no_compartment_says_which_setting_to_set(capsys: pytest.CaptureFixture[str], world: OciWorld) -> None:
    # OCI is enabled by a config file alone: the target refuses to start without a compartment, so the doctor
    # never probes with an empty one (every check would answer "unknown").
    code, out, err = doctor(capsys, world, "--oci-compartment-id", "", "oci", "doctor")
    assert code != 0 and out == "", (out, err)
    assert "AquaExtension.oci_compartment_id" in err and "Traceback" not in err, err
