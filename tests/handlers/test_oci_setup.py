"""GET aqua-ext/oci/setup: the policies AQUA needs and which are missing, over the emulator; bad input is a
400 naming the field; a GET never creates the test resource."""

from __future__ import annotations

from typing import Any

import pytest

from tests.oci_setup import OciWorld, seed_deployable_model


@pytest.fixture
def jp_server_config(world: OciWorld) -> dict[str, Any]:
    return {
        "ServerApp": {"jpserver_extensions": {"aqua_ext": True}, "allow_unauthenticated_access": False},
        "AquaExtension": world.traits(),
    }


async def test_a_missing_policy_and_an_unversioned_bucket(api: Any, world: OciWorld) -> None:
    world.emulator.add_bucket(None, "aqua-out", versioned=False, compartment_id=world.compartment_id)
    world.emulator.deny("use logging-family")
    status, body = await api("oci/setup", params={"bucket": "aqua-out", "shapes": "VM.GPU.A10.2"})
    assert status == 200, body
    found = {c["key"]: c for c in body["checks"]}
    assert {k for k, c in found.items() if c["status"] == "missing"} == {"logging", "bucket-versioning"}
    assert found["logging"]["fix"] == [
        "Allow dynamic-group aqua-dynamic-group to use logging-family in compartment aqua-tests"
    ]
    assert "--versioning Enabled" in found["bucket-versioning"]["fix"][0]
    assert found["create-test-resource"]["status"] == "skipped" and world.emulator.calls["CreateProject"] == 0
    assert body["ready"] is False and 'resource "oci_identity_policy" "aqua"' in body["terraform"]


async def test_all_ok(api: Any, world: OciWorld) -> None:
    world.emulator.add_bucket(None, "aqua-out", versioned=True, compartment_id=world.compartment_id)
    status, body = await api("oci/setup", params={"bucket": "aqua-out"})
    assert status == 200 and body["ready"] is True
    assert {c["status"] for c in body["checks"]} == {"ok", "skipped"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"compartment_id": "my-compartment"}, "compartment_id"),
        ({"compartment_id": "ocid1.datasciencemodel.oc1.iad.abc"}, "compartment_id"),
        ({"bucket": "a b"}, "bucket"),
        ({"create_test_resource": "true"}, "create_test_resource"),  # only the CLI creates
    ],
)
async def test_bad_input_is_a_400_naming_the_field(api: Any, world: OciWorld, params: dict, field: str) -> None:
    status, body = await api("oci/setup", params=params)
    assert status == 400, body
    assert field in body["message"] and "Traceback" not in body["message"]
    if field == "compartment_id":
        assert "must be a compartment OCID" in body["message"], body


async def test_a_refused_call_names_the_setup_check_that_covers_it(api: Any, world: OciWorld) -> None:
    world.emulator.deny("manage data-science-model-deployments")
    status, body = await api("deployments")
    assert status == 502, body
    assert body["setup_check"] == "deployments" and "NotAuthorizedOrNotFound" in body["message"]
    status, body = await api("oci/setup")
    assert {c["key"]: c["status"] for c in body["checks"]}["deployments"] == "missing"  # the check it names


async def test_an_error_that_is_no_refusal_names_no_check(api: Any, world: OciWorld) -> None:
    status, body = await api("deployments/ocid1.datasciencemodeldeployment.oc1.iad.nosuch")
    assert status == 404, body
    assert "setup_check" not in body


async def test_a_refused_create_names_the_setup_check_that_covers_it(api: Any, world: OciWorld) -> None:
    assert (await api("info"))[0] == 200
    model = seed_deployable_model(world, "small")
    world.emulator.deny("manage data-science-model-deployments")
    status, body = await api("deployments", method="POST", body={"name": "x", "model_id": model})
    # OCI answers a refused create 404 NotAuthorizedOrNotFound: the status stands, and the body names the check.
    assert status == 404 and "NotAuthorizedOrNotFound" in body["message"], body
    assert body["setup_check"] == "deployments"
