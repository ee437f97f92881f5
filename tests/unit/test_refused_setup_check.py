"""Which OCI setup check an authorization refusal points at (services/oci_setup.py's REFUSED_CALL_CHECKS)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from aqua_ext.backends.oci.config import OciSettings
from aqua_ext.errors import NotFound, RefusedCall, Upstream
from aqua_ext.services.oci_setup import (
    PERMISSION_CHECKS,
    REFUSED_CALL_CHECKS,
    REFUSED_CATEGORY_CHECKS,
    setup_check_for,
)
from tests.unit.test_oci_backend_parts import FakeClients, service_error


def refused(service: str, operation: str, category: str | None = None) -> Upstream:
    error = Upstream("OCI refused this request")
    error.refused = RefusedCall(service=service, operation=operation, category=category)
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


@pytest.mark.parametrize(("category", "check"), [("SERVICE", "service-models"), ("USER", "models"), (None, "models")])
def test_a_refused_models_listing_maps_by_whose_models_it_reads(category: str | None, check: str) -> None:
    # Oracle's service-managed models are granted by the Endorse statements, the compartment's by its own policy.
    assert setup_check_for(refused("datascience", "list_models", category)) == check


@pytest.mark.parametrize(("category", "check"), [("SERVICE", "service-models"), ("USER", "models")])
def test_the_driver_reports_the_category_of_a_refused_listing(category: str, check: str) -> None:
    """From the SDK's refusal through OciClients to the check: the explorer lists both categories of models."""

    def list_models(compartment_id: str, **kwargs: Any) -> Any:
        raise service_error(404, "NotAuthorizedOrNotFound")

    clients = FakeClients(OciSettings(compartment_id="ocid1.compartment.oc1..aaaa", retry_base_delay=0.001))
    try:
        with pytest.raises(Upstream) as info:
            asyncio.run(clients.list_all("datascience", list_models, "ocid1.compartment.oc1..aaaa", category=category))
    finally:
        clients.close()
    assert info.value.refused == RefusedCall(service="datascience", operation="list_models", category=category)
    assert setup_check_for(info.value) == check


def test_no_check_without_a_refusal_or_for_an_unknown_service() -> None:
    assert setup_check_for(NotFound("no such deployment")) is None
    assert setup_check_for(refused("streaming", "put_messages")) is None


def test_every_mapped_check_is_one_the_setup_view_shows() -> None:
    keys = {c.key for c in PERMISSION_CHECKS} | {"resource-availability"}
    assert {key for _, _, key in REFUSED_CALL_CHECKS + REFUSED_CATEGORY_CHECKS} <= keys
