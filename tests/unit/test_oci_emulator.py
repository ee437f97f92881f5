"""Self-tests of the OCI emulator (tests/oci_emulator) with the real `oci` SDK and real request signing.

These prove the emulator speaks the wire format the pinned SDK expects; they say nothing about a real tenancy.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import threading
import time
import types
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import oci
import pytest

from tests.oci_emulator import FaultConfig, OciEmulator, OciTestConfig, write_oci_config
from tests.oci_emulator.fixtures import oci_emulator, oci_test_config  # noqa: F401

NO_RETRY = oci.retry.NoneRetryStrategy()
NO_CB = oci.circuit_breaker.NoCircuitBreakerStrategy()


@pytest.fixture(scope="module")
def oci_cfg(tmp_path_factory: pytest.TempPathFactory) -> OciTestConfig:
    return write_oci_config(tmp_path_factory.mktemp("oci"))


@pytest.fixture
def emu(oci_cfg: OciTestConfig):
    with OciEmulator(config=oci_cfg) as e:
        yield e


def _clients(emu: OciEmulator, config: dict | None = None, **kw):
    config = config or emu.test_config.sdk_config()
    kw.setdefault("retry_strategy", NO_RETRY)
    kw.setdefault("circuit_breaker_strategy", NO_CB)
    ds = oci.data_science.DataScienceClient(config, service_endpoint=emu.endpoint("datascience"), **kw)
    os_ = oci.object_storage.ObjectStorageClient(config, service_endpoint=emu.endpoint("objectstorage"), **kw)
    return ds, os_


def _ds(emu: OciEmulator, **kw) -> oci.data_science.DataScienceClient:
    return _clients(emu, **kw)[0]


# ---------------------------------------------------------------------------------------------- auth


def test_signed_requests_succeed_and_are_counted(emu: OciEmulator) -> None:
    ds, os_ = _clients(emu)
    comp = emu.add_compartment("dev")
    resp = ds.list_models(comp)
    assert resp.status == 200 and resp.data == []
    assert resp.request_id and resp.headers["opc-request-id"]
    assert os_.get_namespace().data == emu.namespace
    assert emu.calls == {"ListModels": 1, "GetNamespace": 1}
    emu.reset_calls()
    assert sum(emu.calls.values()) == 0


def test_request_signed_with_other_key_is_rejected(emu: OciEmulator, oci_cfg: OciTestConfig, tmp_path: Path) -> None:
    other = write_oci_config(tmp_path, tenancy=oci_cfg.tenancy, user=oci_cfg.user)
    # Unknown key id (other fingerprint) ...
    with pytest.raises(oci.exceptions.ServiceError) as err:
        _ds(emu, config=other.as_dict()).list_models(oci_cfg.tenancy)
    assert err.value.status == 401 and err.value.code == "NotAuthenticated"
    assert err.value.request_id
    # ... and the registered key id, but signed with a different private key: the signature must not verify.
    forged = dict(oci_cfg.as_dict(), key_file=str(other.key_file))
    with pytest.raises(oci.exceptions.ServiceError) as err:
        _ds(emu, config=forged).list_models(oci_cfg.tenancy)
    assert err.value.status == 401 and err.value.code == "NotAuthenticated"
    assert "does not verify" in err.value.message
    assert sum(emu.calls.values()) == 0  # unauthenticated requests are not counted


def test_unsigned_raw_request_is_rejected(emu: OciEmulator) -> None:
    url = f"{emu.endpoint('datascience')}/20190101/models?compartmentId={emu.tenancy_id}"
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(url, timeout=5)
    assert err.value.code == 401
    assert err.value.headers["opc-request-id"]
    assert json.loads(err.value.read())["code"] == "NotAuthenticated"


def test_tampered_body_is_rejected(emu: OciEmulator, oci_cfg: OciTestConfig) -> None:
    from oci._vendor import requests as vendored_requests

    signer = oci.signer.Signer.from_config(oci_cfg.as_dict())
    url = f"{emu.endpoint('datascience')}/20190101/models"
    body = json.dumps({"compartmentId": emu.tenancy_id, "projectId": "ocid1.datascienceproject.oc1.iad.x"})
    prepared = vendored_requests.Request("POST", url, data=body, headers={"content-type": "application/json"}).prepare()
    signer(prepared)
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=5)

    def send(payload: bytes) -> tuple[int, dict]:
        headers = dict(prepared.headers)
        headers["content-length"] = str(len(payload))
        conn.request("POST", prepared.path_url, body=payload, headers=headers)
        r = conn.getresponse()
        return r.status, json.loads(r.read() or b"null")

    status, _ = send(body.encode())
    assert status == 200  # the untouched signed request goes through
    status, data = send(body.replace("x", "y").encode())  # same length, different content
    assert status == 401 and data["code"] == "NotAuthenticated"
    conn.close()


# ---------------------------------------------------------------------------------------------- data science


def test_list_models_pages_with_opc_next_page(emu: OciEmulator) -> None:
    ds = _ds(emu)
    comp = emu.add_compartment("dev")
    other = emu.add_compartment("other")
    ids = {emu.add_model(comp, f"m{i}", freeform_tags={"OCI_AQUA": "active"}) for i in range(25)}
    emu.add_model(other, "elsewhere")
    emu.add_model(comp, "failed", lifecycle_state="FAILED")
    emu.seed_service_models(3)
    emu.reset_calls()

    result = oci.pagination.list_call_get_all_results(ds.list_models, comp, lifecycle_state="ACTIVE")
    assert {m.id for m in result.data} == ids
    assert emu.calls["ListModels"] == 3  # 10 + 10 + 5
    assert all(m.freeform_tags == {"OCI_AQUA": "active"} and m.category == "USER" for m in result.data)

    first = ds.list_models(comp, limit=1)
    assert len(first.data) == 1 and first.has_next_page and first.next_page
    assert not ds.list_models(comp, limit=1000).has_next_page
    assert len(ds.list_models(comp, limit=1000).data) == 26  # no state filter: includes FAILED

    service = ds.list_models(comp, category="SERVICE", lifecycle_state="ACTIVE").data
    assert len(service) == 3 and all(
        m.category == "SERVICE" and m.freeform_tags["OCI_AQUA"] == "active" for m in service
    )

    with pytest.raises(oci.exceptions.ServiceError) as err:
        ds.list_models(comp, limit=1, page="garbage!")
    assert err.value.status == 400 and err.value.code == "InvalidParameter"


def test_get_unknown_model_is_404(emu: OciEmulator) -> None:
    with pytest.raises(oci.exceptions.ServiceError) as err:
        _ds(emu).get_model("ocid1.datasciencemodel.oc1.iad.doesnotexist")
    assert err.value.status == 404
    assert err.value.code == "NotAuthorizedOrNotFound"
    assert err.value.request_id


def test_create_model_is_idempotent_with_retry_token(emu: OciEmulator) -> None:
    ds = _ds(emu)
    comp = emu.add_compartment("dev")
    proj = emu.add_project(comp)
    details = oci.data_science.models.CreateModelDetails(
        compartment_id=comp,
        project_id=proj,
        display_name="registered",
        freeform_tags={"OCI_AQUA": "active", "aqua_custom_base_model": "true"},
        custom_metadata_list=[oci.data_science.models.Metadata(key="artifact_location", value="oci://b@ns/p/")],
    )
    a = ds.create_model(details, opc_retry_token="token-1").data
    b = ds.create_model(details, opc_retry_token="token-1").data
    assert a.id == b.id and a.id.startswith("ocid1.datasciencemodel.oc1.iad.")
    assert a.lifecycle_state == "ACTIVE" and a.freeform_tags["aqua_custom_base_model"] == "true"
    assert a.custom_metadata_list[0].key == "artifact_location"
    assert {m.key for m in a.defined_metadata_list} >= {"UseCaseType", "Framework"}
    assert len(ds.list_models(comp).data) == 1
    assert ds.create_model(details, opc_retry_token="token-2").data.id != a.id
    details.display_name = "changed"
    with pytest.raises(oci.exceptions.ServiceError) as err:
        ds.create_model(details, opc_retry_token="token-1")
    assert err.value.status == 409
    with pytest.raises(oci.exceptions.ServiceError) as err:
        ds.create_model(oci.data_science.models.CreateModelDetails(compartment_id=comp))
    assert err.value.status == 400 and err.value.code == "MissingParameter"


def test_update_and_metadata_artifacts(emu: OciEmulator) -> None:
    ds = _ds(emu)
    comp = emu.add_compartment("dev")
    mid = emu.add_model(comp, "m", custom_metadata={"deployment-container": "odsc-vllm-serving"},
                        defined_metadata={"Readme": "# Hello", "License": "MIT"})  # fmt: skip
    assert ds.get_model_defined_metadatum_artifact_content(mid, "Readme").data.content == b"# Hello"
    assert ds.head_model_defined_metadatum_artifact(mid, "License").status == 200
    with pytest.raises(oci.exceptions.ServiceError) as err:
        ds.get_model_defined_metadatum_artifact_content(mid, "DeploymentConfiguration")
    assert err.value.status == 404
    ds.create_model_defined_metadatum_artifact(mid, "DeploymentConfiguration", b'{"shape": []}',
                                               content_disposition='attachment; filename="c.json"')  # fmt: skip
    resp = ds.get_model_defined_metadatum_artifact_content(mid, "DeploymentConfiguration")
    assert resp.data.content == b'{"shape": []}'
    model = ds.get_model(mid)
    assert {m.key for m in model.data.defined_metadata_list if m.has_artifact} == {
        "Readme", "License", "DeploymentConfiguration"}  # fmt: skip
    updated = ds.update_model(
        mid,
        oci.data_science.models.UpdateModelDetails(freeform_tags={"OCI_AQUA": "active", "task": "text-generation"}),
        if_match=model.headers["etag"],
    ).data
    assert updated.freeform_tags["task"] == "text-generation"
    with pytest.raises(oci.exceptions.ServiceError) as err:
        ds.update_model(mid, oci.data_science.models.UpdateModelDetails(display_name="x"), if_match="stale")
    assert err.value.status == 412
    shapes = ds.list_model_deployment_shapes(comp).data
    assert any(s.name == "VM.GPU.A10.1" and s.shape_series == "NVIDIA_GPU" for s in shapes)


def test_delete_model_transitions_to_deleted(emu: OciEmulator) -> None:
    emu.transition_seconds = 0.2
    ds = _ds(emu)
    comp = emu.add_compartment("dev")
    mid = emu.add_model(comp, "doomed")
    resp = ds.delete_model(mid)
    assert resp.status == 204
    assert ds.get_model(mid).data.lifecycle_state != "DELETED"  # not instantaneous
    with pytest.raises(oci.exceptions.ServiceError) as err:
        ds.update_model(mid, oci.data_science.models.UpdateModelDetails(display_name="x"))
    assert err.value.status == 409
    deadline = time.monotonic() + 3
    while ds.get_model(mid).data.lifecycle_state != "DELETED":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert ds.list_models(comp, lifecycle_state="ACTIVE").data == []
    assert [m.id for m in ds.list_models(comp, lifecycle_state="DELETED").data] == [mid]


def test_seeded_service_models_look_like_aqua(emu: OciEmulator) -> None:
    ds = _ds(emu)
    ids = emu.seed_service_models(4)
    model = ds.get_model(ids[0]).data
    assert model.category == "SERVICE" and model.is_model_by_reference
    for tag in ("OCI_AQUA", "task", "organization", "license", "ready_to_fine_tune"):
        assert tag in model.freeform_tags
    assert model.freeform_tags["model_format"] == "SAFETENSORS"
    custom = {m.key: m.value for m in model.custom_metadata_list}
    assert custom["artifact_location"].startswith("oci://") and custom["deployment-container"]
    assert b"#" in ds.get_model_defined_metadatum_artifact_content(ids[0], "Readme").data.content


# ---------------------------------------------------------------------------------------------- object storage


def test_object_storage_buckets_and_objects(emu: OciEmulator) -> None:
    _, os_ = _clients(emu)
    ns = os_.get_namespace().data
    emu.add_bucket(ns, "versioned", versioned=True)
    emu.add_bucket(ns, "plain")
    assert os_.get_bucket(ns, "versioned").data.versioning == "Enabled"
    assert os_.get_bucket(ns, "plain").data.versioning == "Disabled"
    with pytest.raises(oci.exceptions.ServiceError) as err:
        os_.get_bucket(ns, "missing")
    assert err.value.status == 404

    put = os_.put_object(ns, "plain", "models/llama/config.json", b'{"a": 1}', opc_meta={"source": "hf"})
    assert put.status == 200 and put.headers["etag"]
    got = os_.get_object(ns, "plain", "models/llama/config.json")
    assert got.data.content == b'{"a": 1}' and got.headers["opc-meta-source"] == "hf"
    head = os_.head_object(ns, "plain", "models/llama/config.json")
    assert head.headers["content-length"] == "8"
    assert emu.get_object(ns, "plain", "models/llama/config.json") == b'{"a": 1}'
    os_.delete_object(ns, "plain", "models/llama/config.json")
    with pytest.raises(oci.exceptions.ServiceError) as err:
        os_.get_object(ns, "plain", "models/llama/config.json")
    assert err.value.status == 404 and err.value.code == "ObjectNotFound"


def test_object_storage_list_prefix_and_paging(emu: OciEmulator) -> None:
    _, os_ = _clients(emu)
    ns = emu.namespace
    emu.add_bucket(ns, "b")
    for i in range(23):
        emu.put_object(ns, "b", f"hf/model/shard-{i:02d}.safetensors", b"x" * i)
    emu.put_object(ns, "b", "other/file.txt", b"y")
    first = os_.list_objects(ns, "b", prefix="hf/", limit=5, fields="name,size,md5").data
    assert [o.name for o in first.objects] == [f"hf/model/shard-{i:02d}.safetensors" for i in range(5)]
    assert first.next_start_with == "hf/model/shard-05.safetensors"
    assert first.objects[3].size == 3 and first.objects[3].md5
    emu.reset_calls()
    everything = oci.pagination.list_call_get_all_results(os_.list_objects, ns, "b", prefix="hf/")
    assert len(everything.data.objects) == 23
    assert emu.calls["ListObjects"] == 3  # default page size 10
    assert everything.data.objects[0].size is None  # only `name` unless fields asks for more
    top = os_.list_objects(ns, "b", delimiter="/").data
    assert top.objects == [] and sorted(top.prefixes) == ["hf/", "other/"]


# ---------------------------------------------------------------------------------------------- identity, logging


def test_identity_compartments(emu: OciEmulator) -> None:
    identity = oci.identity.IdentityClient(emu.test_config.sdk_config(), service_endpoint=emu.endpoint("identity"),
                                           retry_strategy=NO_RETRY, circuit_breaker_strategy=NO_CB)  # fmt: skip
    dev = emu.add_compartment("dev")
    child = emu.add_compartment("child", parent_id=dev)
    top = identity.list_compartments(emu.tenancy_id).data
    assert [c.id for c in top] == [dev]
    subtree = identity.list_compartments(emu.tenancy_id, compartment_id_in_subtree=True).data
    assert {c.id for c in subtree} == {dev, child}
    assert identity.get_compartment(child).data.compartment_id == dev
    assert identity.get_compartment(emu.tenancy_id).data.id == emu.tenancy_id
    assert identity.get_tenancy(emu.tenancy_id).data.home_region_key == "IAD"
    assert identity.get_user(emu.test_config.user).data.lifecycle_state == "ACTIVE"
    assert identity.list_region_subscriptions(emu.tenancy_id).data[0].region_name == emu.region
    assert len(identity.list_availability_domains(emu.tenancy_id).data) == 3
    with pytest.raises(oci.exceptions.ServiceError) as err:
        identity.get_compartment("ocid1.compartment.oc1..nope")
    assert err.value.status == 404


def test_logging_search(emu: OciEmulator) -> None:
    logs = oci.loggingsearch.LogSearchClient(emu.test_config.sdk_config(), service_endpoint=emu.endpoint("logging"),
                                             retry_strategy=NO_RETRY, circuit_breaker_strategy=NO_CB)  # fmt: skip
    from datetime import datetime, timedelta, timezone

    now = datetime.now(timezone.utc)
    details = oci.loggingsearch.models.SearchLogsDetails(
        time_start=now - timedelta(hours=1), time_end=now + timedelta(minutes=1),
        search_query='search "comp/lg/ocid1.log.oc1.iad.abc" | sort by datetime desc')  # fmt: skip
    assert logs.search_logs(details).data.results == []
    emu.logging.add_record("ocid1.log.oc1.iad.abc", "hello from the model")
    result = logs.search_logs(details).data
    assert result.summary.result_count == 1
    assert result.results[0].data["logContent"]["data"]["message"] == "hello from the model"


# ---------------------------------------------------------------------------------------------- faults, latency


def test_fault_rate_one_gives_500(emu: OciEmulator) -> None:
    ds = _ds(emu)
    emu.faults = FaultConfig(rate=1.0, kinds=("500",), seed=1)
    with pytest.raises(oci.exceptions.ServiceError) as err:
        ds.list_models(emu.tenancy_id)
    assert err.value.status == 500 and err.value.code == "InternalServerError" and err.value.request_id
    emu.faults = FaultConfig(rate=1.0, kinds=("429",), methods=("POST",))
    assert ds.list_models(emu.tenancy_id).status == 200  # GET not selected
    emu.faults = None
    assert ds.list_models(emu.tenancy_id).status == 200


def test_dropped_and_timed_out_connections(emu: OciEmulator) -> None:
    ds = _ds(emu, timeout=(2, 0.5))
    emu.faults = FaultConfig(rate=1.0, kinds=("drop",))
    with pytest.raises(Exception) as err:
        ds.list_models(emu.tenancy_id)
    assert not isinstance(err.value, oci.exceptions.ServiceError)
    emu.faults = FaultConfig(rate=1.0, kinds=("timeout",), timeout_seconds=3.0)
    with pytest.raises(Exception) as err:
        ds.list_models(emu.tenancy_id)
    # The client's 0.5 s read timeout ended it: the emulator closing the stalled connection after 3 s
    # would be a dropped connection, not a read timeout.
    assert "read timed out" in repr(err.value).lower(), repr(err.value)
    emu.faults = None


def test_default_retry_strategy_survives_twenty_percent_faults(
    emu: OciEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The SDK's default strategy (8 attempts) sleeps ~1 s+ between attempts; shrink only its sleeps.
    sleeps: list[float] = []
    fake_time = types.SimpleNamespace(time=time.time, sleep=lambda s: (sleeps.append(s), time.sleep(min(s, 0.01))))
    monkeypatch.setattr(oci.retry.retry, "time", fake_time)
    ds = _ds(emu, retry_strategy=oci.retry.DEFAULT_RETRY_STRATEGY, timeout=(2, 0.5))
    comp = emu.add_compartment("dev")
    emu.add_model(comp, "m")
    emu.faults = FaultConfig(rate=0.2, kinds=("429", "500", "drop"), seed=1)
    ok = 0
    for _ in range(20):
        with contextlib.suppress(Exception):
            ok += len(ds.list_models(comp).data) == 1
    assert ok >= 18
    assert emu.calls["ListModels"] > 20  # some attempts were faulted and retried
    assert sleeps


def test_latency_is_added_and_concurrent_calls_overlap(emu: OciEmulator) -> None:
    ds = _ds(emu)
    emu.latency_seconds = 0.4
    started = time.monotonic()
    ds.list_models(emu.tenancy_id)
    assert time.monotonic() - started >= 0.4  # a lower bound: the emulator did wait
    assert emu.peak_in_flight == 1

    # Five clients at once are all inside the emulator together (each waits 1 s there), not served in turn.
    emu.latency_seconds = 1.0
    errors: list[BaseException] = []
    clients = [_ds(emu) for _ in range(5)]

    def call(client: oci.data_science.DataScienceClient) -> None:
        try:
            client.list_models(emu.tenancy_id)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=call, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert emu.peak_in_flight == 5
    assert emu.calls["ListModels"] == 6


# ---------------------------------------------------------------------------------------------- async resources

M = oci.data_science.models


def _wait_wr(ds: oci.data_science.DataScienceClient, wr_id: str, timeout: float = 3.0):
    deadline = time.monotonic() + timeout
    while True:
        wr = ds.get_work_request(wr_id).data
        if wr.status in ("SUCCEEDED", "FAILED", "CANCELED"):
            return wr
        assert time.monotonic() < deadline, f"work request stuck in {wr.status}"
        time.sleep(0.02)


def _md_details(comp: str, proj: str, model_id: str, shape: str = "VM.GPU.A10.1") -> M.CreateModelDeploymentDetails:
    return M.CreateModelDeploymentDetails(
        compartment_id=comp,
        project_id=proj,
        display_name="llm",
        freeform_tags={"OCI_AQUA": "active", "aqua_model_name": "m"},
        model_deployment_configuration_details=M.SingleModelDeploymentConfigurationDetails(
            model_configuration_details=M.ModelConfigurationDetails(
                model_id=model_id,
                instance_configuration=M.InstanceConfiguration(instance_shape_name=shape),
                scaling_policy=M.FixedSizeScalingPolicy(instance_count=1),
            ),
            environment_configuration_details=M.OcirModelDeploymentEnvironmentConfigurationDetails(
                image="iad.ocir.io/ns/vllm:1",
                server_port=8080,
                environment_variables={"PARAMS": "--max-model-len 4096"},
            ),
        ),
    )


def test_model_deployment_lifecycle_and_work_requests(emu: OciEmulator) -> None:
    emu.transition_seconds = 0.05
    ds = _ds(emu)
    comp = emu.add_compartment("dev")
    proj = emu.add_project(comp)
    mid = emu.add_model(comp, "m")
    created = ds.create_model_deployment(_md_details(comp, proj, mid), opc_retry_token="md-1")
    md = created.data
    assert md.lifecycle_state == "CREATING" and created.headers["opc-work-request-id"]
    assert isinstance(md.model_deployment_configuration_details, M.SingleModelDeploymentConfigurationDetails)
    env = md.model_deployment_configuration_details.environment_configuration_details
    assert isinstance(env, M.OcirModelDeploymentEnvironmentConfigurationDetails) and env.environment_variables
    assert ds.create_model_deployment(_md_details(comp, proj, mid), opc_retry_token="md-1").data.id == md.id
    wr = _wait_wr(ds, created.headers["opc-work-request-id"])
    assert wr.status == "SUCCEEDED" and wr.operation_type == "MODEL_DEPLOYMENT_CREATE"
    assert wr.resources[0].identifier == md.id and wr.resources[0].action_type == "CREATED"
    assert ds.get_model_deployment(md.id).data.lifecycle_state == "ACTIVE"
    assert [d.id for d in ds.list_model_deployments(comp, lifecycle_state="ACTIVE").data] == [md.id]

    resp = ds.deactivate_model_deployment(md.id)
    assert resp.status == 202
    assert ds.get_model_deployment(md.id).data.lifecycle_state == "UPDATING"
    _wait_wr(ds, resp.headers["opc-work-request-id"])
    assert ds.get_model_deployment(md.id).data.lifecycle_state == "INACTIVE"
    with pytest.raises(oci.exceptions.ServiceError) as err:
        ds.deactivate_model_deployment(md.id)
    assert err.value.status == 409 and err.value.code == "IncorrectState"
    _wait_wr(ds, ds.delete_model_deployment(md.id).headers["opc-work-request-id"])
    assert ds.get_model_deployment(md.id).data.lifecycle_state == "DELETED"

    # capacity failure and service limits
    emu.deployments.unavailable_shapes.add("BM.GPU.H100.8")
    bad = ds.create_model_deployment(_md_details(comp, proj, mid, shape="BM.GPU.H100.8"))
    wr = _wait_wr(ds, bad.headers["opc-work-request-id"])
    assert wr.status == "FAILED"
    assert "capacity" in ds.list_work_request_errors(wr.id).data[0].message
    assert ds.get_model_deployment(bad.data.id).data.lifecycle_state == "FAILED"
    emu.deployments.limits["ds-gpu-a10-count"] = 0  # = emu.limits.values: the A10 GPUs of the region
    with pytest.raises(oci.exceptions.ServiceError) as err:
        ds.create_model_deployment(_md_details(comp, proj, mid, shape="VM.GPU.A10.2"))
    assert err.value.status == 400 and err.value.code == "LimitExceeded" and "ds-gpu-a10-count" in err.value.message
    with pytest.raises(KeyError, match=r"VM\.GPU\.A10\.2 counts against ds-gpu-a10-count"):
        emu.deployments.limits["VM.GPU.A10.2"] = 1  # limits are keyed by limit name, not shape
    with pytest.raises(oci.exceptions.ServiceError) as err:
        ds.create_model_deployment(_md_details(comp, proj, "ocid1.datasciencemodel.oc1.iad.nope"))
    assert err.value.status == 404


def _limits(emu: OciEmulator, **kw) -> oci.limits.LimitsClient:
    kw.setdefault("retry_strategy", NO_RETRY)
    return oci.limits.LimitsClient(emu.test_config.sdk_config(), service_endpoint=emu.endpoint("limits"), **kw)


def _md_scaled(comp: str, proj: str, mid: str, shape: str, instances: int, ocpus: float | None = None):
    details = _md_details(comp, proj, mid, shape=shape)
    mcd = details.model_deployment_configuration_details.model_configuration_details
    mcd.scaling_policy = M.FixedSizeScalingPolicy(instance_count=instances)
    if ocpus is not None:
        mcd.instance_configuration.model_deployment_instance_shape_config_details = (
            M.ModelDeploymentInstanceShapeConfigDetails(ocpus=ocpus, memory_in_gbs=16)
        )
    return details


def test_limits_resource_availability_counts_live_deployments(emu: OciEmulator) -> None:
    emu.transition_seconds = 0.0
    ds, limits = _ds(emu), _limits(emu)
    comp = emu.add_compartment("dev")
    proj = emu.add_project(comp)
    mid = emu.add_model(comp, "m")
    emu.limits.values["ds-gpu-a10-count"] = 6

    def a10() -> oci.limits.models.ResourceAvailability:
        return limits.get_resource_availability("data-science", "ds-gpu-a10-count", comp).data

    first = a10()
    assert isinstance(first, oci.limits.models.ResourceAvailability) and (first.used, first.available) == (0, 6)
    # Units are GPUs: 2 instances of VM.GPU.A10.2 take 4 of the 6; one A10.1 instance takes 1 more.
    two = ds.create_model_deployment(_md_scaled(comp, proj, mid, "VM.GPU.A10.2", 2)).data
    assert (a10().used, a10().available) == (4, 2)
    ds.create_model_deployment(_md_details(comp, proj, mid, shape="VM.GPU.A10.1"))
    assert (a10().used, a10().available) == (5, 1)
    # CreateModelDeployment agrees with the availability: 2 more GPUs are refused, 1 is not.
    with pytest.raises(oci.exceptions.ServiceError) as err:
        ds.create_model_deployment(_md_details(comp, proj, mid, shape="VM.GPU.A10.2"))
    assert err.value.status == 400 and err.value.code == "LimitExceeded"
    assert "ds-gpu-a10-count (6 GPUs in the region, 5 in use, 2 requested)" in err.value.message
    ds.create_model_deployment(_md_details(comp, proj, mid, shape="VM.GPU.A10.1"))
    assert a10().available == 0
    # Other families have their own limits; the availability domain does not narrow a regional limit.
    h100 = limits.get_resource_availability("data-science", "ds-gpu-h100-count", comp, availability_domain="AD-1").data
    assert (h100.used, h100.available) == (0, 16)

    # A deactivated deployment releases its instances, and activating it needs them again.
    emu.fast_forward()
    _wait_wr(ds, ds.deactivate_model_deployment(two.id).headers["opc-work-request-id"])
    assert (a10().used, a10().available) == (2, 4)
    ds.create_model_deployment(_md_scaled(comp, proj, mid, "VM.GPU.A10.1", 3))
    with pytest.raises(oci.exceptions.ServiceError) as err:
        ds.activate_model_deployment(two.id)
    assert err.value.code == "LimitExceeded"
    emu.limits.values["ds-gpu-a10-count"] = 9
    _wait_wr(ds, ds.activate_model_deployment(two.id).headers["opc-work-request-id"])
    assert (a10().used, a10().available) == (9, 0)
    # Scaling out through an update is checked too; failed and deleted deployments count for nothing.
    update = M.UpdateModelDeploymentDetails(
        model_deployment_configuration_details=M.UpdateSingleModelDeploymentConfigurationDetails(
            model_configuration_details=M.UpdateModelConfigurationDetails(
                model_id=mid, scaling_policy=M.FixedSizeScalingPolicy(instance_count=3)
            )
        )
    )
    with pytest.raises(oci.exceptions.ServiceError) as err:
        ds.update_model_deployment(two.id, update)
    assert err.value.code == "LimitExceeded"
    _wait_wr(ds, ds.delete_model_deployment(two.id).headers["opc-work-request-id"])
    assert a10().used == 5

    # Core limits count OCPUs: a Flex instance takes its ocpus.
    ds.create_model_deployment(_md_scaled(comp, proj, mid, "VM.Standard.E4.Flex", 2, ocpus=4))
    e4 = limits.get_resource_availability("data-science", "ds-e4-core-count", comp).data
    assert (e4.used, e4.available) == (8, 248)
    assert emu.calls["GetResourceAvailability"] >= 10


def test_limits_definitions_values_and_errors(emu: OciEmulator) -> None:
    limits = _limits(emu)
    comp = emu.add_compartment("dev")
    services = limits.list_services(emu.tenancy_id).data
    assert [s.name for s in services] == ["data-science", "generative-ai"]
    definitions = oci.pagination.list_call_get_all_results(
        limits.list_limit_definitions, comp, service_name="data-science"
    ).data
    by_name = {d.name: d for d in definitions}
    assert {
        "ds-gpu-a10-count",
        "ds-gpu4-count",
        "ds-gpu-a100-v2-count",
        "ds-gpu-h100-count",
        "ds-e4-core-count",
    } <= set(by_name)
    a10 = by_name["ds-gpu-a10-count"]
    assert (a10.scope_type, a10.is_resource_availability_supported, a10.service_name) == (
        "REGION",
        True,
        "data-science",
    )
    emu.limits.values["ds-gpu4-count"] = 8
    values = limits.list_limit_values(emu.tenancy_id, "data-science", name="ds-gpu4-count").data
    assert [(v.name, v.scope_type, v.value) for v in values] == [("ds-gpu4-count", "REGION", 8)]
    assert limits.list_limit_values(emu.tenancy_id, "data-science", scope_type="AD").data == []
    assert limits.list_limit_values(emu.tenancy_id, "compute").data == []

    for call, status in [
        (lambda: limits.get_resource_availability("data-science", "ds-gpu-b9000-count", comp), 404),
        (lambda: limits.get_resource_availability("compute", "gpu-a10-count", comp), 404),
        (
            lambda: limits.get_resource_availability(
                "data-science", "ds-gpu-a10-count", "ocid1.compartment.oc1..unknown"
            ),
            404,
        ),
    ]:
        with pytest.raises(oci.exceptions.ServiceError) as err:
            call()
        assert err.value.status == status and err.value.code == "NotAuthorizedOrNotFound"
    # No policy to read them: every Limits call answers 404, as OCI does without "inspect resource-availability".
    emu.limits.denied = True
    with pytest.raises(oci.exceptions.ServiceError) as err:
        limits.get_resource_availability("data-science", "ds-gpu-a10-count", comp)
    assert err.value.status == 404
    emu.limits.denied = False
    # Signed like every other service: a request without a signature is refused.
    req = urllib.request.Request(
        f"{emu.endpoint('limits')}/20190729/services/data-science/limits/ds-gpu-a10-count/resourceAvailability"
        f"?compartmentId={comp}"
    )
    with pytest.raises(urllib.error.HTTPError) as http_err:
        urllib.request.urlopen(req)
    assert http_err.value.code == 401


def test_model_deployment_predict_is_signed(emu: OciEmulator) -> None:
    comp = emu.add_compartment("dev")
    md_id = emu.add_deployment(comp, emu.add_model(comp, "m"), display_name="llm")
    client = oci.model_deployment.ModelDeploymentClient(
        emu.test_config.sdk_config(), service_endpoint=emu.endpoint("modeldeployment"), retry_strategy=NO_RETRY
    )
    body = {"model": "odsc-llm", "messages": [{"role": "user", "content": "hello"}], "max_tokens": 10}
    reply = client.predict(md_id, request_body=body).data
    reply = json.loads(reply) if isinstance(reply, str) else reply
    assert reply["choices"][0]["message"]["content"].endswith("hello")
    url = _ds(emu).get_model_deployment(md_id).data.model_deployment_url + "/predict"
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=5)
    assert err.value.code == 401
    assert emu.calls["Predict"] == 1


def test_jobs_and_job_runs(emu: OciEmulator) -> None:
    ds = _ds(emu)
    comp = emu.add_compartment("dev")
    proj = emu.add_project(comp)
    job = ds.create_job(
        M.CreateJobDetails(
            compartment_id=comp,
            project_id=proj,
            display_name="finetune",
            job_configuration_details=M.DefaultJobConfigurationDetails(environment_variables={"A": "1"}),
            job_infrastructure_configuration_details=M.StandaloneJobInfrastructureConfigurationDetails(
                shape_name="VM.GPU.A10.1", block_storage_size_in_gbs=256
            ),
            job_log_configuration_details=M.JobLogConfigurationDetails(
                enable_logging=True, enable_auto_log_creation=True, log_group_id="ocid1.loggroup.oc1.iad.lg"
            ),
        )
    ).data
    assert job.lifecycle_state == "ACTIVE"  # as OCI answers CreateJob: a run can be created at once
    run = ds.create_job_run(
        M.CreateJobRunDetails(
            compartment_id=comp,
            project_id=proj,
            job_id=job.id,
            job_configuration_override_details=M.DefaultJobConfigurationDetails(environment_variables={"B": "2"}),
        )
    ).data
    assert run.lifecycle_state == "ACCEPTED" and run.log_details.log_id
    # The run reports what it runs with (the SDK marks jobConfigurationOverrideDetails required).
    assert run.job_configuration_override_details.environment_variables == {"A": "1", "B": "2"}
    emu.fast_forward()
    run = ds.get_job_run(run.id).data
    assert run.lifecycle_state == "SUCCEEDED" and run.time_started and run.time_finished
    assert run.lifecycle_details == "Job run artifact execution succeeded"
    messages = [r["logContent"]["data"]["message"] for r in emu.logging.records]
    assert messages == ["Job run started", "Job run finished: SUCCEEDED"]

    emu.jobs.run_outcome = lambda r: ("FAILED", None)
    failed = ds.create_job_run(M.CreateJobRunDetails(compartment_id=comp, project_id=proj, job_id=job.id)).data
    emu.fast_forward()
    assert ds.get_job_run(failed.id).data.lifecycle_details == "Job run failed with exit code 1"
    running = ds.create_job_run(M.CreateJobRunDetails(compartment_id=comp, project_id=proj, job_id=job.id)).data
    assert ds.cancel_job_run(running.id).status == 202
    assert ds.get_job_run(running.id).data.lifecycle_state == "CANCELING"
    emu.fast_forward()
    assert ds.get_job_run(running.id).data.lifecycle_state == "CANCELED"
    assert len(ds.list_job_runs(comp, job_id=job.id).data) == 3

    with pytest.raises(oci.exceptions.ServiceError) as err:
        ds.delete_job(job.id)
    assert err.value.status == 409
    resp = ds.delete_job(job.id, delete_related_job_runs=True)
    assert resp.status == 202 and resp.headers["opc-work-request-id"]
    emu.fast_forward()
    assert ds.get_job(job.id).data.lifecycle_state == "DELETED"
    assert ds.get_job_run(run.id).data.lifecycle_state == "DELETED"


def test_model_version_sets_and_provenance(emu: OciEmulator) -> None:
    ds = _ds(emu)
    comp = emu.add_compartment("dev")
    proj = emu.add_project(comp)
    details = M.CreateModelVersionSetDetails(
        compartment_id=comp, project_id=proj, name="exp", freeform_tags={"aqua_finetuning": "aqua_finetuning"}
    )
    mvs = ds.create_model_version_set(details, opc_retry_token="t1").data
    assert mvs.lifecycle_state == "ACTIVE" and mvs.category == "USER" and mvs.name == "exp"
    assert ds.create_model_version_set(details, opc_retry_token="t1").data.id == mvs.id  # replayed
    with pytest.raises(oci.exceptions.ServiceError) as err:  # names are unique in a compartment
        ds.create_model_version_set(details)
    assert err.value.status == 409
    listed = ds.list_model_version_sets(comp, name="exp").data
    assert [s.id for s in listed] == [mvs.id] and ds.list_model_version_sets(comp, name="other").data == []
    model = ds.create_model(
        M.CreateModelDetails(compartment_id=comp, project_id=proj, display_name="m", model_version_set_id=mvs.id)
    ).data
    assert (model.model_version_set_name, model.version_id) == ("exp", 1)
    with pytest.raises(oci.exceptions.ServiceError) as err:
        ds.create_model(M.CreateModelDetails(compartment_id=comp, project_id=proj, model_version_set_id="ocid1.x"))
    assert err.value.status == 404 and len(emu.datascience.models) == 1

    with pytest.raises(oci.exceptions.ServiceError) as err:
        ds.get_model_provenance(model.id)
    assert err.value.status == 404
    ds.update_model_provenance(model.id, M.UpdateModelProvenanceDetails(training_id="ocid1.datasciencejobrun.x"))
    assert ds.get_model_provenance(model.id).data.training_id == "ocid1.datasciencejobrun.x"

    with pytest.raises(oci.exceptions.ServiceError) as err:  # it holds a model
        ds.delete_model_version_set(mvs.id)
    assert err.value.status == 409
    assert ds.delete_model_version_set(mvs.id, is_delete_related_models=True).status == 202
    emu.fast_forward()
    assert ds.get_model_version_set(mvs.id).data.lifecycle_state == "DELETED"
    assert ds.get_model(model.id).data.lifecycle_state == "DELETED"


def _ft_job(ds, comp: str, proj: str, model_id: str, output: str, data: str, *, nodes: int = 1):
    env = {
        "AIP_SMC_FT_ARGUMENTS": json.dumps(
            {
                "baseModel": {"type": "modelCatalog", "modelId": "ocid1.base"},
                "outputModel": {"type": "modelCatalog", "modelId": model_id},
            }
        ),
        "OCI__LAUNCH_CMD": f"--training_data {data} --output_dir {output} --val_set_size 0.1 --num_epochs 3",
        "NODE_COUNT": str(nodes),
    }
    config = M.DefaultJobConfigurationDetails(environment_variables=env)
    image = M.OcirContainerJobEnvironmentConfigurationDetails(image="dsmc://odsc-llm-fine-tuning:1")
    logs = M.JobLogConfigurationDetails(
        enable_logging=True, log_group_id="ocid1.loggroup.oc1.iad.g", log_id="ocid1.log.oc1.iad.l"
    )
    if nodes == 1:
        return ds.create_job(
            M.CreateJobDetails(
                compartment_id=comp,
                project_id=proj,
                job_configuration_details=config,
                job_infrastructure_configuration_details=M.ManagedEgressStandaloneJobInfrastructureConfigurationDetails(
                    shape_name="VM.GPU.A10.1", block_storage_size_in_gbs=750
                ),
                job_environment_configuration_details=image,
                job_log_configuration_details=logs,
            )
        ).data
    group = M.JobNodeGroupConfigurationDetails(
        name="node-group",
        replicas=nodes,
        minimum_success_replicas=nodes,
        job_configuration_details=config,
        job_infrastructure_configuration_details=M.MultiNodeJobInfrastructureConfigurationDetails(
            shape_name="VM.GPU.A10.2", block_storage_size_in_gbs=750
        ),
        job_environment_configuration_details=image,
    )
    return ds.create_job(
        M.CreateJobDetails(
            compartment_id=comp,
            project_id=proj,
            job_log_configuration_details=logs,
            job_node_configuration_details=M.MultiNodeJobNodeConfigurationDetails(
                startup_order="IN_PARALLEL",
                job_node_group_configuration_details_list=[group],
                job_network_configuration=M.JobCustomNetworkConfiguration(subnet_id="ocid1.subnet.oc1.iad.s"),
            ),
        )
    ).data


def test_fine_tuning_container_writes_metrics_and_the_adapter(emu: OciEmulator) -> None:
    ds = _ds(emu)
    emu.transition_seconds = 0.0
    comp = emu.add_compartment("dev")
    proj = emu.add_project(comp)
    mid = emu.add_model(comp, "ft", freeform_tags={"aqua_fine_tuned_model": "ocid1.base#base"})
    emu.add_bucket(None, "out", versioned=True)
    emu.put_object(None, "out", "d/train.jsonl", b"{}\n")
    job = _ft_job(
        ds, comp, proj, mid, f"oci://out@{emu.namespace}/runs", f"oci://out@{emu.namespace}/d/train.jsonl", nodes=2
    )
    # ADS sends no top-level configuration for a multi-node job; OCI reports the SDK's EMPTY types (required).
    assert job.job_infrastructure_configuration_details.job_infrastructure_type == "EMPTY"
    assert job.job_configuration_details.job_type == "EMPTY"
    assert job.job_node_configuration_details.job_node_group_configuration_details_list[0].replicas == 2
    emu.fast_forward()
    emu.jobs.run_seconds = 2.0
    run = ds.create_job_run(M.CreateJobRunDetails(compartment_id=comp, project_id=proj, job_id=job.id)).data
    assert run.node_group_details_list[0].lifecycle_state == "CREATING"
    emu.run_due()  # IN_PROGRESS now; the epochs follow 0.5 s apart
    time.sleep(0.75)
    emu.run_due()
    written = [m for m in emu.get_model_record(mid)["customMetadataList"] if m["description"] == "train_metrics_epoch"]
    assert [json.loads(m["value"])["epoch"] for m in written] == [1]
    emu.fast_forward()
    run = ds.get_job_run(run.id).data
    assert run.lifecycle_state == "SUCCEEDED" and run.node_group_details_list[0].lifecycle_state == "DELETED"
    meta = {m["key"]: m for m in emu.get_model_record(mid)["customMetadataList"]}
    train = [json.loads(meta[f"train_metrics_epoch_{e}"]["value"])["loss"] for e in (1, 2, 3)]
    assert train == sorted(train, reverse=True) and meta["val_metrics_final"]["description"] == "val_metrics_final"
    assert meta["fine_tune_output_path"]["value"] == f"oci://out@{emu.namespace}/runs/{mid}/"
    assert emu.get_model_record(mid)["freeformTags"]["OCI_AQUA"] == "active"  # the container marks it ready
    assert emu.list_object_names(None, "out", f"runs/{mid}/") == [
        f"runs/{mid}/adapter_config.json",
        f"runs/{mid}/adapter_model.safetensors",
    ]
    messages = [r["logContent"]["data"]["message"] for r in emu.logging.records]
    assert "Epoch 3/3: train_loss=" in messages[-3] and messages[-1] == "Job run finished: SUCCEEDED"

    # Its exit codes: an unversioned output bucket, missing data, and any code a test asks for.
    emu.add_bucket(None, "plain", versioned=False)
    cases = [
        (f"oci://plain@{emu.namespace}/r", f"oci://out@{emu.namespace}/d/train.jsonl", None, 52),
        (f"oci://out@{emu.namespace}/r", f"oci://out@{emu.namespace}/d/none.jsonl", None, 41),
        (f"oci://out@{emu.namespace}/r", f"oci://out@{emu.namespace}/d/train.jsonl", 100, 100),
    ]
    for output, data, forced, code in cases:
        emu.finetuning.exit_code = forced
        failing = _ft_job(ds, comp, proj, mid, output, data)
        emu.fast_forward()
        run = ds.create_job_run(M.CreateJobRunDetails(compartment_id=comp, project_id=proj, job_id=failing.id)).data
        emu.fast_forward()
        run = ds.get_job_run(run.id).data
        assert (run.lifecycle_state, run.lifecycle_details) == (
            "FAILED",
            f"Job run artifact execution failed with exit code {code}",
        ), code


def test_evaluation_container_writes_the_report_by_name(emu: OciEmulator) -> None:
    ds = _ds(emu)
    emu.transition_seconds = 0.0
    comp = emu.add_compartment("dev")
    proj = emu.add_project(comp)
    mid = emu.add_model(comp, "eval", freeform_tags={"aqua_evaluation": "aqua_evaluation"})
    md = emu.add_deployment(comp, mid, "target")
    emu.add_bucket(None, "out", versioned=True)
    rows = [
        {"prompt": f"p{i}", "completion": f"the answer is {i}", "category": "a" if i % 2 else "b"} for i in range(6)
    ]
    emu.put_object(None, "out", "d/eval.jsonl", "".join(json.dumps(r) + "\n" for r in rows))

    def run_eval(data: str, metrics: list[str], target: str = md) -> object:
        args = {
            "evaluation_id": mid,
            "evaluation_target_id": target,
            "input_data": {"format": ".jsonl", "url": f"oci://out@{emu.namespace}/{data}"},
            "metrics": [{"key": k, "args": {}} for k in metrics],
            "output_dir": f"oci://out@{emu.namespace}/r",
            "params": {"model_parameters": {"model": "odsc-llm"}},
        }
        job = ds.create_job(
            M.CreateJobDetails(
                compartment_id=comp,
                project_id=proj,
                display_name="eval",
                job_configuration_details=M.DefaultJobConfigurationDetails(
                    environment_variables={"AIP_SMC_EVALUATION_ARGUMENTS": json.dumps(args)}
                ),
                job_infrastructure_configuration_details=M.ManagedEgressStandaloneJobInfrastructureConfigurationDetails(
                    shape_name="VM.Standard.E4.Flex", block_storage_size_in_gbs=200
                ),
            )
        ).data
        emu.fast_forward()
        run = ds.create_job_run(M.CreateJobRunDetails(compartment_id=comp, project_id=proj, job_id=job.id)).data
        emu.fast_forward()
        return ds.get_job_run(run.id).data

    run = run_eval("d/eval.jsonl", ["bertscore", "bleu"])
    assert run.lifecycle_state == "SUCCEEDED", run.lifecycle_details
    assert emu.list_object_names(None, "out", f"r/{mid}/") == [
        f"r/{mid}/{n}" for n in ("report.html", "report.json", "rows.jsonl", "status.json")
    ]
    report = json.loads(emu.get_object(None, "out", f"r/{mid}/report.json"))
    assert report["rows_total"] == 6 and set(report["categories"]) == {"a", "b"}
    assert set(report["overall"]["scores"]) == {"bertscore", "bleu"}
    lines = emu.get_object(None, "out", f"r/{mid}/rows.jsonl").decode().splitlines()
    assert len(lines) == 6 and json.loads(lines[2])["scores"]["bleu"] < json.loads(lines[0])["scores"]["bleu"]
    # AQUA's report goes into the evaluation model's artifact, where ads.aqua.evaluation's load_metrics reads it.
    with zipfile.ZipFile(io.BytesIO(ds.get_model_artifact_content(mid).data.content)) as artifact:
        assert sorted(artifact.namelist()) == ["report.html", "report.json", "report.md"]
        aqua = json.loads(artifact.read("report.json"))
    assert {m["metric"] for m in aqua["metric_summary_result"]} == {"BERTScore", "BLEU"}
    assert set(aqua["metric_results"]) == {"bertscore", "bleu"}
    # Its exit codes: missing data, an unknown metric, a deployment that is gone.
    for data, metrics, target, code in (
        ("d/none.jsonl", ["bleu"], md, 22),
        ("d/eval.jsonl", ["chrf"], md, 30),
        ("d/eval.jsonl", ["bleu"], "ocid1.datasciencemodeldeployment.oc1.iad.x", 25),
    ):
        run = run_eval(data, metrics, target)
        assert (run.lifecycle_state, run.lifecycle_details) == (
            "FAILED",
            f"Job run artifact execution failed with exit code {code}",
        ), code
    emu.evaluation.exit_code = 26
    assert run_eval("d/eval.jsonl", ["bleu"]).lifecycle_details.endswith("exit code 26")


def test_register_model_artifact_reference(emu: OciEmulator) -> None:
    ds = _ds(emu)
    comp = emu.add_compartment("dev")
    emu.add_bucket(None, "models")
    emu.put_object(None, "models", "llama/config.json", b"{}")

    def register(model_id: str, prefix: str) -> str:
        ref = M.OSSModelArtifactReferenceDetails(namespace=emu.namespace, bucket_name="models", prefix=prefix)
        resp = ds.register_model_artifact_reference(
            M.RegisterModelArtifactReferenceDetails(model_artifact_references=[ref]), model_id
        )
        assert resp.status == 202
        emu.fast_forward()
        return ds.get_work_request(resp.headers["opc-work-request-id"]).data.status

    good = emu.add_model(comp, "good")
    assert register(good, "llama/") == "SUCCEEDED"
    assert ds.get_model(good).data.is_model_by_reference is True
    assert register(emu.add_model(comp, "bad"), "missing/") == "FAILED"


def test_object_storage_streams_and_multipart(emu: OciEmulator, tmp_path: Path) -> None:
    _, os_ = _clients(emu)
    ns = emu.namespace
    emu.add_bucket(ns, "b")
    payload = bytes(range(256)) * 9000  # ~2.2 MiB
    path = tmp_path / "model.safetensors"
    path.write_bytes(payload)
    with path.open("rb") as fh:
        assert os_.put_object(ns, "b", "single", fh).status == 200
    assert emu.get_object(ns, "b", "single") == payload
    manager = oci.object_storage.UploadManager(os_, allow_parallel_uploads=True, parallel_process_count=3)
    resp = manager.upload_file(ns, "b", "multi", str(path), part_size=1024 * 1024)
    assert resp.status == 200 and resp.headers["opc-multipart-md5"].endswith("-3")
    assert emu.get_object(ns, "b", "multi") == payload
    assert emu.calls["UploadPart"] == 3 and emu.calls["CommitMultipartUpload"] == 1
    assert os_.get_object(ns, "b", "multi", range="bytes=0-9").data.content == payload[:10]


def test_logging_management_log_groups(emu: OciEmulator) -> None:
    client = oci.logging.LoggingManagementClient(emu.test_config.sdk_config(), service_endpoint=emu.endpoint("logging"),
                                                 retry_strategy=NO_RETRY)  # fmt: skip
    comp = emu.add_compartment("dev")
    group = emu.logging_management.add_log_group(comp, "aqua-logs")
    log = emu.logging_management.add_log(group, "predict")
    assert [g.id for g in client.list_log_groups(comp).data] == [group]
    assert [lg.id for lg in client.list_logs(group).data] == [log]
    assert client.get_log(group, log).data.display_name == "predict"


def test_fixtures_and_unknown_paths(oci_emulator: OciEmulator) -> None:  # noqa: F811
    from oci._vendor import requests as vendored_requests

    signer = oci.signer.Signer.from_config(oci_emulator.config)
    resp = vendored_requests.get(f"{oci_emulator.endpoint('datascience')}/20190101/nothingHere", auth=signer)
    assert resp.status_code == 404 and resp.json()["code"] == "NotAuthorizedOrNotFound"
    assert resp.headers["opc-request-id"]
    resp = vendored_requests.get(f"{oci_emulator.base_url}/nosuchservice/x", auth=signer)
    assert resp.status_code == 404
    assert sum(oci_emulator.calls.values()) == 0  # requests that reach no operation are not counted
    with pytest.raises(ValueError):
        oci_emulator.endpoint("compute")


def test_wire_json_matches_sdk_models(emu: OciEmulator) -> None:
    """Raw JSON keys are the SDK models' camelCase attribute names and no enum deserializes to UNKNOWN."""
    from oci._vendor import requests as vendored_requests

    emu.transition_seconds = 0.0
    ds = _ds(emu)
    comp = emu.add_compartment("dev")
    proj = emu.add_project(comp)
    mid = emu.seed_service_models(1)[0]
    user_mid = emu.add_model(comp, "u", defined_metadata={"Readme": "x"})
    md = ds.create_model_deployment(_md_details(comp, proj, user_mid)).data
    job = ds.create_job(
        M.CreateJobDetails(
            compartment_id=comp,
            project_id=proj,
            job_configuration_details=M.DefaultJobConfigurationDetails(),
            job_infrastructure_configuration_details=M.StandaloneJobInfrastructureConfigurationDetails(
                shape_name="VM.Standard.E4.Flex",
                job_shape_config_details=M.JobShapeConfigDetails(ocpus=2, memory_in_gbs=32),
            ),
            job_environment_configuration_details=M.OcirContainerJobEnvironmentConfigurationDetails(image="x/y:1"),
        )
    ).data
    emu.fast_forward()
    run = ds.create_job_run(M.CreateJobRunDetails(compartment_id=comp, project_id=proj, job_id=job.id)).data
    multi = _ft_job(ds, comp, proj, user_mid, "oci://b@ns/x", "oci://b@ns/d.jsonl", nodes=2)
    emu.fast_forward()
    multi_run = ds.create_job_run(M.CreateJobRunDetails(compartment_id=comp, project_id=proj, job_id=multi.id)).data
    mvs = ds.create_model_version_set(
        M.CreateModelVersionSetDetails(compartment_id=comp, project_id=proj, name="exp")
    ).data
    ds.update_model_provenance(user_mid, M.UpdateModelProvenanceDetails(training_id=run.id))
    emu.fast_forward()
    emu.add_bucket(None, "b", versioned=True)
    emu.put_object(None, "b", "o", b"1")
    signer = oci.signer.Signer.from_config(emu.config)
    dsx = f"{emu.endpoint('datascience')}/20190101"
    osx = f"{emu.endpoint('objectstorage')}/n/{emu.namespace}/b"
    cases = [
        (f"{dsx}/models/{mid}", M.Model),
        (f"{dsx}/models?compartmentId={comp}&category=SERVICE", M.ModelSummary),
        (f"{dsx}/modelDeployments/{md.id}", M.ModelDeployment),
        (f"{dsx}/modelDeployments?compartmentId={comp}", M.ModelDeploymentSummary),
        (f"{dsx}/workRequests?compartmentId={comp}", M.WorkRequestSummary),
        (f"{dsx}/projects/{proj}", M.Project),
        (f"{dsx}/jobs/{job.id}", M.Job),
        (f"{dsx}/jobs?compartmentId={comp}", M.JobSummary),
        (f"{dsx}/jobRuns/{run.id}", M.JobRun),
        (f"{dsx}/jobRuns?compartmentId={comp}", M.JobRunSummary),
        (f"{dsx}/jobShapes?compartmentId={comp}", M.JobShapeSummary),
        (f"{dsx}/jobs/{multi.id}", M.Job),
        (f"{dsx}/jobRuns/{multi_run.id}", M.JobRun),
        (f"{dsx}/modelVersionSets/{mvs.id}", M.ModelVersionSet),
        (f"{dsx}/modelVersionSets?compartmentId={comp}", M.ModelVersionSetSummary),
        (f"{dsx}/models/{user_mid}/provenance", M.ModelProvenance),
        (f"{dsx}/containers", M.ContainerSummary),
        (f"{dsx}/modelDeploymentShapes?compartmentId={comp}", M.ModelDeploymentShapeSummary),
        (f"{osx}/b", oci.object_storage.models.Bucket),
        (f"{osx}/b/o?fields=name,size,etag,md5,timeCreated,timeModified", oci.object_storage.models.ListObjects),
        (f"{emu.endpoint('identity')}/20160918/compartments/{comp}", oci.identity.models.Compartment),
        (
            f"{emu.endpoint('limits')}/20190729/services/data-science/limits/ds-gpu-a10-count/resourceAvailability"
            f"?compartmentId={comp}",
            oci.limits.models.ResourceAvailability,
        ),
        (
            f"{emu.endpoint('limits')}/20190729/limitDefinitions?compartmentId={comp}",
            oci.limits.models.LimitDefinitionSummary,
        ),
        (
            f"{emu.endpoint('limits')}/20190729/limitValues?compartmentId={comp}&serviceName=data-science",
            oci.limits.models.LimitValueSummary,
        ),
    ]
    deserializers = {
        "data_science": ds,
        "object_storage": oci.object_storage.ObjectStorageClient(emu.config, service_endpoint=emu.base_url),
        "identity": oci.identity.IdentityClient(emu.config, service_endpoint=emu.base_url),
        "limits": oci.limits.LimitsClient(emu.config, service_endpoint=emu.base_url),
    }
    for url, model_cls in cases:
        resp = vendored_requests.get(url, auth=signer)
        assert resp.status_code == 200, url
        raw = resp.json()
        for item in raw if isinstance(raw, list) else [raw]:
            allowed = set(model_cls().attribute_map.values())
            assert set(item) <= allowed, (model_cls.__name__, set(item) - allowed)
            client = deserializers[model_cls.__module__.split(".")[1]]
            obj = client.base_client.deserialize_response_data(json.dumps(item).encode(), model_cls.__name__)
            assert "UNKNOWN_ENUM_VALUE" not in str(oci.util.to_dict(obj)), model_cls.__name__


def test_resource_search_like_aqua(emu: OciEmulator) -> None:
    search = oci.resource_search.ResourceSearchClient(
        emu.test_config.sdk_config(), service_endpoint=emu.endpoint("search"), retry_strategy=NO_RETRY
    )
    comp = emu.add_compartment("dev")
    ft = emu.add_model(comp, "ft", freeform_tags={"OCI_AQUA": "active", "aqua_fine_tuned_model": "ocid#base"})
    emu.add_model(comp, "custom", freeform_tags={"OCI_AQUA": "active", "aqua_custom_base_model": "true"})
    emu.add_model(
        comp, "old-ft", freeform_tags={"OCI_AQUA": "", "aqua_fine_tuned_model": "x"}, lifecycle_state="INACTIVE"
    )
    emu.seed_service_models(2)
    query = (f"query datasciencemodel resources where (compartmentId = '{comp}' && lifecycleState = 'ACTIVE' "
             "&& (freeformTags.key = 'OCI_AQUA' && freeformTags.key = 'aqua_fine_tuned_model'))")  # fmt: skip
    result = oci.pagination.list_call_get_all_results(
        search.search_resources,
        oci.resource_search.models.StructuredSearchDetails(query=query, type="Structured"),
        tenant_id=emu.tenancy_id,
    ).data
    assert [r.identifier for r in result] == [ft] and result[0].resource_type == "DataScienceModel"
    every = search.search_resources(oci.resource_search.models.StructuredSearchDetails(
        query="query datasciencemodel resources", type="Structured")).data.items  # fmt: skip
    assert len(every) == 3  # service models are not in the tenancy
    with pytest.raises(oci.exceptions.ServiceError) as err:
        search.search_resources(oci.resource_search.models.StructuredSearchDetails(
            query="query datasciencemodel resources where timeCreated > 'x'", type="Structured"))  # fmt: skip
    assert err.value.status == 400
    # additionalDetails: empty unless the query asks for allAdditionalFields (AQUA reads the metadata there).
    assert every[0].additional_details == {}
    query = f"query datasciencemodel resources return allAdditionalFields where identifier = '{ft}'"
    full = search.search_resources(oci.resource_search.models.StructuredSearchDetails(query=query)).data.items
    assert [r.identifier for r in full] == [ft]
    details = full[0].additional_details
    record = emu.get_model_record(ft)  # custom then defined metadata: AQUA looks up keys of both in one list
    assert details["metadata"] == record["customMetadataList"] + record["definedMetadataList"]
    assert "projectId" in details
    assert {"createdBy", "description", "modelVersionSetId", "modelVersionSetName", "versionLabel"} <= set(details)


def test_list_object_versions(emu: OciEmulator) -> None:
    os_ = _clients(emu)[1]
    emu.add_bucket(None, "v", versioned=True)
    emu.add_bucket(None, "plain")
    ns = emu.namespace
    first = os_.put_object(ns, "v", "a/x.txt", b"1").headers["version-id"]
    second = os_.put_object(ns, "v", "a/x.txt", b"22").headers["version-id"]
    os_.put_object(ns, "v", "b.txt", b"b")
    os_.delete_object(ns, "v", "b.txt")
    data = os_.list_object_versions(ns, "v", fields="name,size").data
    rows = [(i.name, i.version_id, i.is_delete_marker, i.size) for i in data.items]
    assert rows[:2] == [("a/x.txt", second, False, 2), ("a/x.txt", first, False, 1)]
    assert [(r[0], r[2]) for r in rows[2:]] == [("b.txt", True), ("b.txt", False)]  # the marker, then the object
    assert all(i.time_modified for i in data.items)
    assert [i.name for i in os_.list_object_versions(ns, "v", prefix="a/").data.items] == ["a/x.txt"] * 2
    assert os_.list_object_versions(ns, "v", delimiter="/").data.prefixes == ["a/"]
    paged = oci.pagination.list_call_get_all_results(os_.list_object_versions, ns, "v", limit=1).data
    assert len(paged) == 4  # list_call_get_all_results flattens the collections' items
    os_.put_object(ns, "plain", "p.txt", b"p")
    os_.put_object(ns, "plain", "p.txt", b"q")
    plain = os_.list_object_versions(ns, "plain").data.items
    assert len(plain) == 1 and plain[0].version_id and not plain[0].is_delete_marker  # no history kept


def test_request_details_latency_by_operation_and_predict_logs(emu: OciEmulator) -> None:
    ds = _ds(emu)
    comp = emu.add_compartment("dev")
    proj = emu.add_project(comp)
    ds.create_model(M.CreateModelDetails(compartment_id=comp, project_id=proj), opc_retry_token="tok-9")
    detail = emu.request_details[-1]
    assert detail["operation"] == "CreateModel" and detail["headers"]["opc-retry-token"] == "tok-9"
    assert detail["body_size"] > 0 and "authorization" not in detail["headers"]

    emu.latency_by_operation = {"GetModel": 0.3}
    mid = ds.list_models(comp).data[0].id
    started = time.monotonic()
    ds.get_model(mid)
    assert time.monotonic() - started >= 0.3  # a lower bound: the emulator did wait
    assert [(d["operation"], d["latency"]) for d in emu.request_details[-2:]] == [
        ("ListModels", 0.0),
        ("GetModel", 0.3),
    ]
    emu.latency_by_operation = {}

    emu.faults = FaultConfig(rate=1.0, kinds=("409",))
    with pytest.raises(oci.exceptions.ServiceError) as err:
        ds.get_model(mid)
    assert (err.value.status, err.value.code) == (409, "IncorrectState")
    emu.faults = None

    md_id = emu.add_deployment(comp, mid)
    with emu.lock:
        emu.deployments.deployments[md_id]["categoryLogDetails"] = {
            "access": {"logId": "ocid1.log.oc1.iad.access", "logGroupId": "ocid1.loggroup.oc1.iad.g"},
            "predict": {"logId": "ocid1.log.oc1.iad.predict", "logGroupId": "ocid1.loggroup.oc1.iad.g"},
        }
    client = oci.model_deployment.ModelDeploymentClient(emu.config, service_endpoint=emu.endpoint("modeldeployment"),
                                                        retry_strategy=NO_RETRY)  # fmt: skip
    client.predict(md_id, request_body={"prompt": "hi"})
    logs = {r["logContent"]["oracle"]["logid"]: r["logContent"] for r in emu.logging.records}
    assert set(logs) == {"ocid1.log.oc1.iad.access", "ocid1.log.oc1.iad.predict"}
    assert logs["ocid1.log.oc1.iad.access"]["source"] == md_id


def test_service_containers(emu: OciEmulator) -> None:
    ds = _ds(emu)
    inference = ds.list_containers(is_latest=True, usage_query_param="INFERENCE").data
    assert {c.container_name for c in inference} >= {"odsc-vllm-serving", "odsc-llama-cpp-serving"}
    vllm = next(c for c in inference if c.container_name == "odsc-vllm-serving")
    workload = vllm.workload_configuration_details_list[0]
    assert isinstance(workload, M.ModelDeployWorkloadConfigurationDetails)
    assert workload.server_port == 8080 and json.loads(workload.additional_configurations["restrictedParams"])
    jobs = ds.list_containers(target_workload="JOB_RUN").data
    assert {c.usages[0] for c in jobs} == {"FINE_TUNE", "EVALUATION"}


def test_lost_reply_then_retry_with_same_token_creates_once(emu: OciEmulator) -> None:
    ds = _ds(emu, timeout=(2, 2))
    comp = emu.add_compartment("dev")
    proj = emu.add_project(comp)
    details = M.CreateModelDetails(compartment_id=comp, project_id=proj, display_name="once")
    emu.faults = FaultConfig(rate=1.0, kinds=("drop_after",), operations=("CreateModel",))
    with pytest.raises(Exception) as err:
        ds.create_model(details, opc_retry_token="lost-1")
    assert not isinstance(err.value, oci.exceptions.ServiceError)
    assert len(ds.list_models(comp).data) == 1  # it was created although the reply was lost
    emu.faults = None
    again = ds.create_model(details, opc_retry_token="lost-1").data
    assert [m.id for m in ds.list_models(comp).data] == [again.id]


def test_standalone_process(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.oci_emulator", "--folder", str(tmp_path), "--service-models", "3"],
        cwd=repo,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        info = json.loads(proc.stdout.readline())
        config = oci.config.from_file(info["config_file"], info["profile"])
        ds = oci.data_science.DataScienceClient(config, service_endpoint=info["endpoints"]["datascience"],
                                                retry_strategy=NO_RETRY)  # fmt: skip
        assert len(ds.list_models(info["compartment_id"], category="SERVICE").data) == 3
        state = json.loads((tmp_path / "emulator.json").read_text())
        assert state["pid"] == proc.pid
        assert ds.get_model(state["deployable_model_id"]).data.freeform_tags["aqua_custom_base_model"] == "true"
        assert state["log_id"].startswith("ocid1.log.")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


# ---------------------------------------------------------------------------------------------- data plane


def _signed_httpx(emu: OciEmulator):
    """An httpx client signing like the extension's chat proxy (the oci signer through httpx.Auth)."""
    import httpx

    from aqua_ext.backends.oci.signing import OciRequestAuth

    signer = oci.signer.Signer.from_config(emu.config)
    return httpx.Client(auth=OciRequestAuth(lambda: signer), timeout=10)


def _predict_url(emu: OciEmulator, md_id: str, stream: bool = False) -> str:
    return f"{emu.base_url}/modeldeployment/{md_id}/predict{'WithResponseStream' if stream else ''}"


def test_predict_stream_is_chunked_and_incremental(emu: OciEmulator) -> None:
    comp = emu.add_compartment("dev")
    md_id = emu.add_deployment(
        comp,
        emu.add_model(comp, "m"),
        display_name="llm",
        env={"MODEL_DEPLOY_PREDICT_ENDPOINT": "/v1/chat/completions"},
    )
    emu.deployments.stream_delay_seconds = 0.08
    # With the SDK: predictWithResponseStream answers a chunked stream that arrives piece by piece.
    client = oci.model_deployment.ModelDeploymentClient(emu.config, service_endpoint=emu.endpoint("modeldeployment"),
                                                        retry_strategy=NO_RETRY)  # fmt: skip
    body = {"model": "odsc-llm", "messages": [{"role": "user", "content": "one two three"}], "stream": True}
    resp = client.predict_with_response_stream(md_id, request_body=body)
    assert resp.headers["transfer-encoding"] == "chunked"
    assert resp.headers["content-type"] == "text/event-stream"
    arrivals, events = [], []
    for event in resp.data.events():  # the SDK's own SSE reader
        arrivals.append(time.monotonic())
        events.append(event.data)
    assert len(arrivals) >= 5 and arrivals[-1] - arrivals[0] >= 0.3, "one flushed chunk per word, 80 ms apart"
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks) == "Echo from llm: one two three"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    # The same on /predict comes at once (one body with a length), still as SSE.
    resp = client.predict(md_id, request_body=body)
    assert resp.headers["content-length"] and resp.data.endswith("data: [DONE]\n\n")


def test_predict_route_header_selects_chat_completions_or_embeddings(emu: OciEmulator) -> None:
    comp = emu.add_compartment("dev")
    md_id = emu.add_deployment(
        comp, emu.add_model(comp, "m"), display_name="llm", env={"MODEL_DEPLOY_PREDICT_ENDPOINT": "/v1/completions"}
    )
    with _signed_httpx(emu) as http:
        # No route header: the deployment's MODEL_DEPLOY_PREDICT_ENDPOINT.
        reply = http.post(_predict_url(emu, md_id), json={"prompt": "hi", "max_tokens": 2})
        assert reply.status_code == 200 and reply.json()["choices"][0] == {
            "index": 0,
            "text": "Echo from",
            "finish_reason": "length",
        }
        reply = http.post(
            _predict_url(emu, md_id),
            headers={"route": "/v1/chat/completions"},
            json={"messages": [{"role": "user", "content": "hi"}]},
        )
        assert reply.json()["object"] == "chat.completion" and reply.json()["usage"]["completion_tokens"] == 4
        first = http.post(
            _predict_url(emu, md_id), headers={"route": "/v1/embeddings"}, json={"input": ["alpha", "beta"]}
        ).json()
        again = http.post(f"{_predict_url(emu, md_id)}/v1/embeddings", json={"input": "alpha"}).json()
        vectors = [row["embedding"] for row in first["data"]]
        assert len(vectors[0]) == 16 and vectors[0] != vectors[1] and again["data"][0]["embedding"] == vectors[0]
        assert abs(sum(v * v for v in vectors[0]) - 1.0) < 1e-4  # unit vectors
        # Streaming with usage, on the streaming endpoint, for completions.
        with http.stream(
            "POST",
            _predict_url(emu, md_id, stream=True),
            headers={"route": "/v1/completions"},
            json={"prompt": "x", "stream": True, "stream_options": {"include_usage": True}},
        ) as r:
            text = r.read().decode()
        assert r.headers["transfer-encoding"] == "chunked" and '"usage"' in text and text.endswith("data: [DONE]\n\n")
        # Errors come in vLLM's shape; an unknown route is a 404.
        bad = http.post(_predict_url(emu, md_id), headers={"route": "/v1/chat/completions"}, json={"prompt": "x"})
        assert bad.status_code == 400 and bad.json()["object"] == "error"
        assert http.post(_predict_url(emu, md_id), headers={"route": "/v1/nope"}, json={}).status_code == 404
    # Unsigned: 401 before the container sees anything.
    import httpx

    assert httpx.post(_predict_url(emu, md_id), json={"prompt": "x"}).status_code == 401


def test_predict_needs_an_active_deployment(emu: OciEmulator) -> None:
    comp = emu.add_compartment("dev")
    mid = emu.add_model(comp, "m")
    with _signed_httpx(emu) as http:
        for state in ("CREATING", "UPDATING", "INACTIVE", "FAILED"):
            md_id = emu.add_deployment(comp, mid, lifecycle_state=state)
            reply = http.post(_predict_url(emu, md_id, stream=True), json={"prompt": "x", "stream": True})
            assert reply.status_code == 409 and reply.json() == {
                "code": "IncorrectState",
                "message": f"The model deployment is {state}.",
            }
        gone = emu.add_deployment(comp, mid, lifecycle_state="DELETED")
        assert http.post(_predict_url(emu, gone), json={"prompt": "x"}).status_code == 404


def test_deployment_lifecycle_and_requests_are_logged(emu: OciEmulator) -> None:
    from datetime import datetime, timedelta, timezone

    emu.transition_seconds = 0.02
    ds = _ds(emu)
    comp = emu.add_compartment("dev")
    proj = emu.add_project(comp)
    group = emu.logging_management.add_log_group(comp, "g")
    log_id = emu.logging_management.add_log(group, "predict")
    details = _md_details(comp, proj, emu.add_model(comp, "m"))
    logs = M.CategoryLogDetails(predict=M.LogDetails(log_id=log_id, log_group_id=group))
    details.category_log_details = logs
    md = ds.create_model_deployment(details).data
    _wait_wr(ds, emu.workrequests.work_requests[next(reversed(emu.workrequests.work_requests))]["id"])
    with _signed_httpx(emu) as http:
        assert http.post(_predict_url(emu, md.id), json={"prompt": "x"}).status_code == 200
    _wait_wr(ds, ds.deactivate_model_deployment(md.id).headers["opc-work-request-id"])
    emu.deployments.fail_next_activation = 1
    wr = _wait_wr(ds, ds.activate_model_deployment(md.id).headers["opc-work-request-id"])
    assert wr.status == "FAILED" and ds.get_model_deployment(md.id).data.lifecycle_state == "FAILED"

    search = oci.loggingsearch.LogSearchClient(emu.config, service_endpoint=emu.endpoint("logging"),
                                               retry_strategy=NO_RETRY)  # fmt: skip
    now = datetime.now(timezone.utc)
    query = f"search \"{comp}/{group}/{log_id}\" | where source = '*{md.id}' | sort by datetime asc"
    found = search.search_logs(
        oci.loggingsearch.models.SearchLogsDetails(
            time_start=now - timedelta(minutes=5), time_end=now + timedelta(minutes=1), search_query=query
        )
    ).data
    messages = [r.data["logContent"]["data"]["message"] for r in found.results]
    assert messages[:3] == [
        "Starting container iad.ocir.io/ns/vllm:1",
        "PARAMS: --max-model-len 4096",
        "Application startup complete.",
    ]
    assert "predict request handled with status 200" in messages[3]
    assert messages[4] == "Shutting down: the model deployment was deactivated."
    assert messages[-1].startswith("ERROR Model deployment activation failed")
    # The window is compared as instants: the SDK's "+00:00" microsecond bounds include a record at the edge.
    first = datetime.fromisoformat(found.results[0].data["datetime"].replace("Z", "+00:00"))
    edge = search.search_logs(
        oci.loggingsearch.models.SearchLogsDetails(time_start=first, time_end=first, search_query=query)
    ).data
    assert edge.summary.result_count >= 1


def test_tgi_and_llama_cpp_containers_have_no_vllm_cmd(emu: OciEmulator) -> None:
    inference = {c.container_name: c for c in _ds(emu).list_containers(usage_query_param="INFERENCE").data}
    assert {"odsc-vllm-serving", "odsc-tgi-serving", "odsc-llama-cpp-serving"} <= set(inference)
    tgi = inference["odsc-tgi-serving"].workload_configuration_details_list[0]
    assert tgi.cmd == "" and "--num-shard" in json.loads(tgi.additional_configurations["restrictedParams"])
