"""The OCI backend's pieces that need no emulator: settings, mapping, error mapping, retries."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import oci
import pytest

from aqua_ext.api.models import Capability, ModelFormat, ModelSource
from aqua_ext.backends.oci import mapping
from aqua_ext.backends.oci.auth import AuthProblem, make_auth
from aqua_ext.backends.oci.clients import OciClients, OciNotAuthenticated
from aqua_ext.backends.oci.config import OciSettings, parse_endpoints
from aqua_ext.errors import Conflict, InvalidInput, NotFound, Upstream, UpstreamTimeout

COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaabbbbbbbb"


# ---- settings --------------------------------------------------------------------


def test_settings_fall_back_to_the_notebook_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NB_SESSION_COMPARTMENT_OCID", COMPARTMENT)
    monkeypatch.setenv("PROJECT_OCID", "ocid1.datascienceproject.oc1.iad.xyz")
    monkeypatch.setenv("OCI_CONFIG_PROFILE", "TEAM")
    monkeypatch.setenv("OCI_ODSC_SERVICE_ENDPOINT", "https://ds.example")
    s = OciSettings()
    assert (s.compartment_id, s.project_id, s.profile) == (COMPARTMENT, "ocid1.datascienceproject.oc1.iad.xyz", "TEAM")
    assert s.endpoint("datascience") == "https://ds.example" and s.problem == ""
    explicit = OciSettings(compartment_id="ocid1.compartment.oc1..other", profile="P")
    assert (explicit.compartment_id, explicit.profile) == ("ocid1.compartment.oc1..other", "P")


def test_settings_keep_mistakes_as_a_problem_instead_of_raising() -> None:
    s = OciSettings(endpoints={"datascience": "ftp://x", "compute": "http://y"})
    assert "unknown service compute" in s.problem and "must start with http" in s.problem


def test_parse_endpoints() -> None:
    assert parse_endpoints(["datascience=http://a", "objectstorage=http://b,identity=http://c", ""]) == {
        "datascience": "http://a", "objectstorage": "http://b", "identity": "http://c"}
    with pytest.raises(ValueError, match="service=url"):
        parse_endpoints(["http://a"])


# ---- auth problems ---------------------------------------------------------------


def test_missing_config_file_says_how_to_create_one(tmp_path: Any) -> None:
    with pytest.raises(AuthProblem, match="No OCI config file at .*oci setup config"):
        make_auth(OciSettings(auth="api_key", config_file=str(tmp_path / "nope")))


def test_missing_profile_and_bad_key_are_named(tmp_path: Any) -> None:
    config = tmp_path / "config"
    key = tmp_path / "key.pem"
    key.write_text("not a key")
    config.write_text(f"[DEFAULT]\nuser=ocid1.user.oc1..aaaa\nfingerprint={':'.join(['aa'] * 16)}\n"
                      f"tenancy=ocid1.tenancy.oc1..aaaa\nregion=us-ashburn-1\nkey_file={key}\n")
    with pytest.raises(AuthProblem, match="no profile 'OTHER'"):
        make_auth(OciSettings(auth="api_key", config_file=str(config), profile="OTHER"))
    with pytest.raises(AuthProblem, match="private key"):
        make_auth(OciSettings(auth="api_key", config_file=str(config)))


def test_resource_principal_outside_oci_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OCI_RESOURCE_PRINCIPAL_VERSION", raising=False)
    with pytest.raises(AuthProblem, match="inside OCI"):
        make_auth(OciSettings(auth="resource_principal"))


# ---- mapping ---------------------------------------------------------------------


def summary(**kw: Any) -> Any:
    base = dict(id="ocid1.datasciencemodel.oc1.iad.abc", display_name="m", category="USER", freeform_tags={},
                lifecycle_state="ACTIVE", time_created=None, description=None)
    base.update(kw)
    return SimpleNamespace(**base)


def test_ocids_and_os_uris() -> None:
    assert mapping.ocid_kind("ocid1.datasciencemodel.oc1.iad.aaaa") == "datasciencemodel"
    assert mapping.ocid_kind(COMPARTMENT) == "compartment"
    assert mapping.ocid_kind("ocid1.tenancy.oc1..aaaa") == "tenancy"
    for bad in ("", "ocid2.x.oc1..a", "catalog:x", "ocid1.datasciencemodel"):
        assert mapping.ocid_kind(bad) is None
    assert mapping.parse_os_uri("oci://b@ns/a/b/") == ("b", "ns", "a/b")
    assert mapping.parse_os_uri("oci://b@ns") == ("b", "ns", "")
    with pytest.raises(ValueError):
        mapping.parse_os_uri("oci://b/ns")


def test_mapping_follows_aqua_tags() -> None:
    service = mapping.to_summary(summary(
        category="SERVICE", display_name="Qwen/Qwen2.5-7B-Instruct",
        freeform_tags={"oci_aqua": "ACTIVE", "task": "text_generation", "organization": "Alibaba",
                       "license": "Apache 2.0", "ready_to_fine_tune": "TRUE", "model_format": "SAFETENSORS,GGUF"}))
    assert service.source == ModelSource.CATALOG and service.ready_to_deploy and service.ready_to_finetune
    assert service.formats == [ModelFormat.SAFETENSORS, ModelFormat.GGUF]
    assert service.parameter_count and service.hf_id == "Qwen/Qwen2.5-7B-Instruct"  # from the curated catalog
    embed = mapping.to_summary(summary(freeform_tags={"aqua_custom_base_model": "true", "task": "feature_extraction",
                                                      "model_format": "GGUF"}))
    assert embed.source == ModelSource.REGISTERED and embed.capability == Capability.EMBEDDING
    assert embed.ready_to_finetune is False
    tuned = mapping.to_summary(summary(freeform_tags={"aqua_fine_tuned_model": "ocid1.x#base"}))
    assert tuned.source == ModelSource.FINE_TUNED
    assert mapping.is_service_aqua_model(summary(freeform_tags={"OCI_AQUA": ""}))
    assert not mapping.is_user_aqua_model(summary(freeform_tags={"OCI_AQUA": "active"}))


def test_detail_reads_custom_metadata_and_lineage() -> None:
    meta = [SimpleNamespace(key="artifact_location", value="oci://b@ns/m/"),
            SimpleNamespace(key="architecture", value='{"model_type":"llama","num_hidden_layers":2}'),
            SimpleNamespace(key="parameter_count", value="1000"),
            SimpleNamespace(key="fine_tune_job_id", value="ocid1.datasciencejob.oc1.iad.j")]
    model = summary(freeform_tags={"aqua_fine_tuned_model": "ocid1.datasciencemodel.oc1.iad.base#Base"},
                    custom_metadata_list=meta)
    detail = mapping.to_detail(model, readme="# Card", license_text="MIT")
    assert detail.artifact_location == "oci://b@ns/m/" and detail.parameter_count == 1000
    assert detail.architecture and detail.architecture.num_hidden_layers == 2
    assert detail.lineage and detail.lineage.base_model_id == "ocid1.datasciencemodel.oc1.iad.base"
    assert detail.card_markdown.startswith("# Card") and "## License\n\nMIT" in detail.card_markdown


# ---- error mapping and retries -----------------------------------------------------


class FakeClients(OciClients):
    """The retry and error logic without SDK clients."""

    def __init__(self, settings: OciSettings) -> None:  # noqa: D107 - no super(): no clients needed
        from collections import Counter
        from concurrent.futures import ThreadPoolExecutor

        self.settings = settings
        self._executor = ThreadPoolExecutor(2)
        self.calls = Counter()
        self.reauth = None

    def endpoint_of(self, service: str) -> str:
        return "http://emulated"


def service_error(status: int, code: str) -> oci.exceptions.ServiceError:
    return oci.exceptions.ServiceError(status, code, {"opc-request-id": "RID"}, f"{code} happened")


def failing(*errors: BaseException) -> Any:
    queue = list(errors)

    def fn() -> str:
        if queue:
            raise queue.pop(0)
        return "ok"

    return fn


@pytest.fixture
def clients() -> Any:
    c = FakeClients(OciSettings(compartment_id="ocid1.compartment.oc1..aaaa", retry_base_delay=0.001))
    yield c
    c.close()


@pytest.mark.parametrize(
    ("error", "kwargs", "expected", "text"),
    [
        (service_error(404, "NotAuthorizedOrNotFound"), {"not_found": "No model X"}, NotFound, "No model X"),
        (service_error(404, "NotAuthorizedOrNotFound"), {"list_read": True}, Upstream,
         "Allow dynamic-group <your notebook dynamic group> to manage data-science-family in compartment"),
        (service_error(403, "NotAuthorized"), {}, Upstream, "manage data-science-family"),
        (service_error(400, "InvalidParameter"), {}, InvalidInput, "InvalidParameter"),
        (service_error(409, "IncorrectState"), {}, Conflict, "IncorrectState"),
        (service_error(401, "NotAuthenticated"), {}, OciNotAuthenticated, "fingerprint and key_file"),
    ],
)
def test_service_errors_map_to_clear_domain_errors(clients: Any, error: Any, kwargs: dict, expected: type,
                                                   text: str) -> None:
    with pytest.raises(expected) as info:
        asyncio.run(clients.call("datascience", failing(error), **kwargs))
    assert text in info.value.message
    assert expected is NotFound or "RID" in info.value.message  # the opc-request-id, for support
    assert clients.calls["datascience.fn"] == 1, "not retried"


def test_throttling_and_5xx_are_retried_then_reported(clients: Any) -> None:
    fn = failing(service_error(429, "TooManyRequests"), service_error(503, "ServiceUnavailable"))
    assert asyncio.run(clients.call("datascience", fn)) == "ok"
    with pytest.raises(Upstream, match="after 4 attempts") as info:
        asyncio.run(clients.call("datascience", failing(*[service_error(500, "InternalServerError")] * 5)))
    assert info.value.status == 502


def test_timeouts_and_dropped_connections(clients: Any) -> None:
    from oci._vendor.requests import exceptions as rexc

    timeout = oci.exceptions.RequestException(rexc.ReadTimeout("read timed out"))
    with pytest.raises(UpstreamTimeout) as info:
        asyncio.run(clients.call("objectstorage", failing(*[timeout] * 4)))
    assert info.value.status == 504
    dropped = oci.exceptions.RequestException(rexc.ConnectionError("reset by peer"))
    with pytest.raises(Upstream, match="Cannot reach OCI Object Storage"):
        asyncio.run(clients.call("objectstorage", failing(*[dropped] * 4)))
    assert asyncio.run(clients.call("objectstorage", failing(dropped))) == "ok"


def test_a_retried_delete_that_finds_nothing_already_succeeded(clients: Any) -> None:
    fn = failing(oci.exceptions.RequestException(Exception("dropped")), service_error(404, "NotFound"))
    assert asyncio.run(clients.call("datascience", fn, gone_ok=True)) is None
    with pytest.raises(NotFound):  # but a first-attempt 404 is a real 404
        asyncio.run(clients.call("datascience", failing(service_error(404, "NotFound")), gone_ok=True))


def test_a_rejected_session_token_is_reread_once(clients: Any) -> None:
    refreshed = []
    clients._clients = lambda: []
    clients.reauth = lambda: refreshed.append(1) or SimpleNamespace(signer=None)
    assert asyncio.run(clients.call("datascience", failing(service_error(401, "NotAuthenticated")))) == "ok"
    assert refreshed == [1]
    with pytest.raises(OciNotAuthenticated):
        asyncio.run(clients.call("datascience", failing(*[service_error(401, "NotAuthenticated")] * 2)))
    assert refreshed == [1, 1], "one fresh signer per call, not a loop"


def test_retries_stop_when_the_call_budget_is_spent() -> None:
    import time

    c = FakeClients(OciSettings(retry_base_delay=0.2, retry_attempts=10, call_budget_seconds=0.0, read_timeout=0.5))
    start = time.monotonic()
    try:
        with pytest.raises(Upstream, match=r"after [1-4] attempts?;"):
            asyncio.run(c.call("datascience", failing(*[service_error(503, "ServiceUnavailable")] * 10)))
    finally:
        c.close()
    assert time.monotonic() - start < 0.6, "no retry starts after the budget"


def test_resource_principal_failure_names_the_dynamic_group_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCI_RESOURCE_PRINCIPAL_VERSION", "2.2")
    for name in ("OCI_RESOURCE_PRINCIPAL_RPST", "OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM", "OCI_RESOURCE_PRINCIPAL_REGION"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(AuthProblem, match="Resource principal authentication failed.*dynamic group"):
        make_auth(OciSettings())  # auto → resource principal where OCI_RESOURCE_PRINCIPAL_VERSION is set


def test_security_token_profile_without_a_token_is_explained(tmp_path: Any) -> None:
    from tests.oci_emulator import write_oci_config

    identity = write_oci_config(tmp_path)
    with pytest.raises(AuthProblem, match="security_token_file"):
        make_auth(OciSettings(auth="security_token", config_file=str(identity.config_file)))


def test_a_401_on_the_last_attempt_is_still_a_credentials_error() -> None:
    c = FakeClients(OciSettings(retry_attempts=1, retry_base_delay=0.001))
    c._clients = lambda: []
    c.reauth = lambda: SimpleNamespace(signer=None)
    try:
        with pytest.raises(OciNotAuthenticated):
            asyncio.run(c.call("datascience", failing(*[service_error(401, "NotAuthenticated")] * 2)))
    finally:
        c.close()
