"""Which OCI setup check an authorization refusal points at (services/oci_setup.py's REFUSED_CALL_CHECKS)."""

from __future__ import annotations

import pytest

from aqua_ext.errors import NotFound, RefusedCall, Upstream
from aqua_ext.services.oci_setup import PERMISSION_CHECKS, REFUSED_CALL_CHECKS, setup_check_for


def refused(service: str, operation: str) -> Upstream:
    error = Upstream("OCI refused this request")
    error.refused = RefusedCall(service=service, operation=operation)
    return error


@pytest.mark.parametrize(
    ("service", "operation", "check"),
    [
        ("datascience", "list_model_deployments", "deployments"),
        ("datascience", "create_model_deployment", "deployments"),
        ("datascience", "get_model_artifact_content", "models"),
        ("datascience", "list_model_version_sets", "model-version-sets"),
        ("datascience", "get_job_run", "job-runs"),
        ("datascience", "create_job", "jobs"),
        ("datascience", "list_projects", "projects"),
        ("identity", "get_compartment", "compartment"),
        ("objectstorage", "get_namespace", "namespace"),
        ("objectstorage", "get_bucket", "bucket"),
        ("objectstorage", "put_object", "bucket-objects"),
        ("logging", "list_log_groups", "logging"),
        ("limits", "get_resource_availability", "resource-availability"),
    ],
)
def test_a_refused_call_maps_to_the_check_of_its_resource(service: str, operation: str, check: str) -> None:
    assert setup_check_for(refused(service, operation)) == check


def test_no_check_without_a_refusal_or_for_an_unknown_service() -> None:
    assert setup_check_for(NotFound("no such deployment")) is None
    assert setup_check_for(refused("streaming", "put_messages")) is None


def test_every_mapped_check_is_one_the_setup_view_shows() -> None:
    keys = {c.key for c in PERMISSION_CHECKS} | {"resource-availability"}
    assert {key for _, _, key in REFUSED_CALL_CHECKS} <= keys
