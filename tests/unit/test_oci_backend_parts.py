"""The OCI backend's pieces that need no emulator: settings, mapping, error mapping, retries."""

from __future__ import annotations

import asyncio
import json
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
        "datascience": "http://a",
        "objectstorage": "http://b",
        "identity": "http://c",
    }
    with pytest.raises(ValueError, match="service=url"):
        parse_endpoints(["http://a"])


# ---- auth problems ---------------------------------------------------------------


def test_missing_config_file_says_how_to_create_one(tmp_path: Any) -> None:
    with pytest.raises(AuthProblem, match=r"No OCI config file at .*oci setup config"):
        make_auth(OciSettings(auth="api_key", config_file=str(tmp_path / "nope")))


def test_missing_profile_and_bad_key_are_named(tmp_path: Any) -> None:
    config = tmp_path / "config"
    key = tmp_path / "key.pem"
    key.write_text("not a key")
    config.write_text(
        f"[DEFAULT]\nuser=ocid1.user.oc1..aaaa\nfingerprint={':'.join(['aa'] * 16)}\n"
        f"tenancy=ocid1.tenancy.oc1..aaaa\nregion=us-ashburn-1\nkey_file={key}\n"
    )
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
    base = dict(
        id="ocid1.datasciencemodel.oc1.iad.abc",
        display_name="m",
        category="USER",
        freeform_tags={},
        lifecycle_state="ACTIVE",
        time_created=None,
        description=None,
    )
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
    service = mapping.to_summary(
        summary(
            category="SERVICE",
            display_name="Qwen/Qwen2.5-7B-Instruct",
            freeform_tags={
                "oci_aqua": "ACTIVE",
                "task": "text_generation",
                "organization": "Alibaba",
                "license": "Apache 2.0",
                "ready_to_fine_tune": "TRUE",
                "model_format": "SAFETENSORS,GGUF",
            },
        )
    )
    assert service.source == ModelSource.CATALOG and service.ready_to_deploy and service.ready_to_finetune
    assert service.formats == [ModelFormat.SAFETENSORS, ModelFormat.GGUF]
    assert service.parameter_count and service.hf_id == "Qwen/Qwen2.5-7B-Instruct"  # from the curated catalog
    embed = mapping.to_summary(
        summary(freeform_tags={"aqua_custom_base_model": "true", "task": "feature_extraction", "model_format": "GGUF"})
    )
    assert embed.source == ModelSource.REGISTERED and embed.capability == Capability.EMBEDDING
    assert embed.ready_to_finetune is False
    tuned = mapping.to_summary(summary(freeform_tags={"aqua_fine_tuned_model": "ocid1.x#base"}))
    assert tuned.source == ModelSource.FINE_TUNED
    assert mapping.is_service_aqua_model(summary(freeform_tags={"OCI_AQUA": ""}))
    assert not mapping.is_user_aqua_model(summary(freeform_tags={"OCI_AQUA": "active"}))


def test_detail_reads_custom_metadata_and_lineage() -> None:
    meta = [
        SimpleNamespace(key="artifact_location", value="oci://b@ns/m/"),
        SimpleNamespace(key="architecture", value='{"model_type":"llama","num_hidden_layers":2}'),
        SimpleNamespace(key="parameter_count", value="1000"),
        SimpleNamespace(key="fine_tune_job_id", value="ocid1.datasciencejob.oc1.iad.j"),
    ]
    model = summary(
        freeform_tags={"aqua_fine_tuned_model": "ocid1.datasciencemodel.oc1.iad.base#Base"}, custom_metadata_list=meta
    )
    detail = mapping.to_detail(model, readme="# Card", license_text="MIT")
    assert detail.artifact_location == "oci://b@ns/m/" and detail.parameter_count == 1000
    assert detail.architecture and detail.architecture.num_hidden_layers == 2
    assert detail.lineage and detail.lineage.base_model_id == "ocid1.datasciencemodel.oc1.iad.base"
    assert detail.card_markdown.startswith("# Card") and "## License\n\nMIT" in detail.card_markdown


# ---- error mapping and retries -----------------------------------------------------


class FakeClients(OciClients):
    """The retry and error logic without SDK clients."""

    def __init__(self, settings: OciSettings) -> None:
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
        (
            service_error(404, "NotAuthorizedOrNotFound"),
            {"list_read": True},
            Upstream,
            "Allow dynamic-group <your notebook dynamic group> to manage data-science-family in compartment",
        ),
        (service_error(403, "NotAuthorized"), {}, Upstream, "manage data-science-family"),
        (service_error(400, "InvalidParameter"), {}, InvalidInput, "InvalidParameter"),
        (service_error(409, "IncorrectState"), {}, Conflict, "IncorrectState"),
        (service_error(401, "NotAuthenticated"), {}, OciNotAuthenticated, "fingerprint and key_file"),
    ],
)
def test_service_errors_map_to_clear_domain_errors(
    clients: Any, error: Any, kwargs: dict, expected: type, text: str
) -> None:
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


def test_a_backoff_waits_until_its_deadline_then_raises_the_callers_error() -> None:
    from aqua_ext.backends.oci.polling import Backoff

    async def watch() -> int:
        backoff = Backoff(OciSettings(poll_min_seconds=0.01, poll_max_seconds=0.04), timeout_s=0.15)
        waits = 0
        while True:
            await backoff.wait_or_raise(UpstreamTimeout, f"gave up after {waits} waits")
            waits += 1

    # 0.01 + 0.02 + 0.04 + 0.04 + 0.04 s: five waits at most, fewer on a busy machine.
    with pytest.raises(UpstreamTimeout, match=r"^gave up after [2-5] waits$"):
        asyncio.run(watch())


def test_resource_principal_failure_names_the_dynamic_group_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCI_RESOURCE_PRINCIPAL_VERSION", "2.2")
    for name in ("OCI_RESOURCE_PRINCIPAL_RPST", "OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM", "OCI_RESOURCE_PRINCIPAL_REGION"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(AuthProblem, match=r"Resource principal authentication failed.*dynamic group"):
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


# ---- deployments: engine parameters, mapping, containers, signing ---------------------------


def test_oci_engine_params_allowlist() -> None:
    from aqua_ext.backends.engine_tokens import param_value
    from aqua_ext.backends.oci.engine_params import max_len_params
    from aqua_ext.services.engine_params import validate_oci_params

    assert validate_oci_params("vllm", ["--max-num-seqs=8", "--enforce-eager", "--dtype", "half"]) == [
        "--max-num-seqs",
        "8",
        "--enforce-eager",
        "--dtype",
        "half",
    ]
    for token, why in (
        ("--port", "fixed by the service container"),
        ("--host", "listens"),
        ("--served-model-name", "odsc-llm"),
        ("--seed", "service container sets it"),
        ("--max-model-len", "max_model_len"),
        ("--model", "deployment's model"),
    ):
        with pytest.raises(InvalidInput, match=f"{token} cannot be set: .*{why}") as info:
            validate_oci_params("vllm", [token, "1"])
        assert info.value.fields[0].field == "params"
    with pytest.raises(InvalidInput, match="the vllm service container restricts it"):
        validate_oci_params("vllm", ["--max-num-seqs", "4"], restricted=["--max-num-seqs"])
    with pytest.raises(InvalidInput, match="--gpu-memory-utilization must be between"):
        validate_oci_params("vllm", ["--gpu-memory-utilization", "2"])
    with pytest.raises(InvalidInput, match="--enforce-eager is a flag"):
        validate_oci_params("vllm", ["--enforce-eager=1"])
    with pytest.raises(InvalidInput, match="'8' is a value without a parameter name"):
        validate_oci_params("vllm", ["8"])
    with pytest.raises(InvalidInput, match="--trust-remote-code cannot be set: the TGI service container"):
        validate_oci_params("tgi", ["--trust-remote-code"])
    assert validate_oci_params("tgi", ["--quantize", "awq"]) == ["--quantize", "awq"]
    with pytest.raises(InvalidInput, match="takes no parameter overrides"):
        validate_oci_params("llama.cpp", ["--threads", "4"])
    assert validate_oci_params("llama.cpp", []) == []
    assert max_len_params("vllm", 4096) == ["--max-model-len", "4096"]
    assert max_len_params("tgi", 2048) == ["--max-input-tokens", "2047", "--max-total-tokens", "2048"]
    assert max_len_params("llama.cpp", 2048) == [] and max_len_params("vllm", None) == []
    assert param_value(["--a", "1", "--b=2"], "--b") == "2" and param_value(["--a"], "--a") is None


def _md(**kw: Any) -> Any:
    """A ModelDeployment as the SDK builds it, with AQUA's conventions."""
    m = oci.data_science.models
    env = m.OcirModelDeploymentEnvironmentConfigurationDetails(
        image=kw.pop("image", "dsmc://odsc-vllm-serving:0.6.4"),
        server_port=8080,
        environment_variables=kw.pop(
            "env",
            {
                "MODEL_DEPLOY_PREDICT_ENDPOINT": "/v1/chat/completions",
                "PARAMS": "--served-model-name odsc-llm --max-model-len 2048",
            },
        ),
    )
    config = m.SingleModelDeploymentConfigurationDetails(
        deployment_type="SINGLE_MODEL",
        environment_configuration_details=env,
        model_configuration_details=m.ModelConfigurationDetails(
            model_id="ocid1.datasciencemodel.oc1.iad.m",
            instance_configuration=m.InstanceConfiguration(instance_shape_name="VM.GPU.A10.2"),
            scaling_policy=m.FixedSizeScalingPolicy(instance_count=3),
        ),
    )
    summary = kw.pop("summary", False)
    values = dict(
        id="ocid1.datasciencemodeldeployment.oc1.iad.d",
        display_name="d",
        description=None,
        lifecycle_state="ACTIVE",
        time_created=None,
        model_deployment_configuration_details=config,
        model_deployment_url="https://md.example/ocid1.datasciencemodeldeployment.oc1.iad.d/",
        freeform_tags={"oci_aqua": "active", "aqua_model_name": "Llama", "aqua_ext_dtype": "float16"},
        category_log_details=None,
    )
    values.update(kw)
    return (m.ModelDeploymentSummary if summary else m.ModelDeployment)(**values)


def test_deployment_mapping_reads_aqua_conventions() -> None:
    from aqua_ext.api.deployments import DeploymentState
    from aqua_ext.backends.oci import deploy_mapping as dm

    detail = dm.to_detail(_md())
    assert dm.is_aqua(_md())  # the OCI_AQUA tag, case-insensitively
    assert (detail.engine, detail.mode, detail.shape, detail.replicas) == ("vllm", "chat", "VM.GPU.A10.2", 3)
    assert (detail.model_name, detail.model_id, detail.dtype, detail.max_model_len) == (
        "Llama",
        "ocid1.datasciencemodel.oc1.iad.m",
        "float16",
        2048,
    )
    assert detail.params == ["--served-model-name", "odsc-llm", "--max-model-len", "2048"]
    assert detail.upstream_url == "https://md.example/ocid1.datasciencemodeldeployment.oc1.iad.d/predict"
    assert detail.state_message == "Serving" and detail.description == ""
    failed = dm.to_detail(_md(lifecycle_state="FAILED", lifecycle_details="Out of host capacity"))
    assert failed.state == DeploymentState.FAILED and failed.state_message == "Out of host capacity"
    row = dm.to_detail(_md(summary=True, lifecycle_state="CREATING"))
    assert row.state_message.startswith("OCI is creating")  # list rows carry no lifecycleDetails
    assert dm.state_of("UNKNOWN_ENUM_VALUE") == DeploymentState.NEEDS_ATTENTION
    for image, engine in (
        ("dsmc://odsc-tgi-serving:2", "tgi"),
        ("iad.ocir.io/ns/odsc-llama-cpp-serving:1", "llama.cpp"),
        ("dsmc://odsc-vllm-serving-v1:0.9", "vllm"),
        ("dsmc://odsc-tei-serving:1", "vllm"),
    ):
        assert dm.engine_of(image) == engine
    assert [dm.mode_of(p) for p in ("/v1/completions", "/v1/embedding", None)] == [
        "completion",
        "embedding",
        "completion",
    ]
    m = oci.data_science.models
    same = m.LogDetails(log_id="ocid1.log.oc1.iad.l", log_group_id="ocid1.loggroup.oc1.iad.g")
    logs = dm.log_ids(_md(category_log_details=m.CategoryLogDetails(access=same, predict=same)))
    assert logs == ("ocid1.loggroup.oc1.iad.g", ["ocid1.log.oc1.iad.l"])
    tags = dm.deployment_tags(model_id="ocid1.x", model_name="M", source="catalog", task=None, dtype="bfloat16")
    assert tags == {
        "OCI_AQUA": "active",
        "aqua_model_name": "M",
        "task": "text_generation",
        "aqua_service_model": "ocid1.x",
        "aqua_ext_dtype": "bfloat16",
    }


def _group_md(**kw: Any) -> Any:
    """AQUA 2.16's deployment of a v2 fine-tune: MODEL_GROUP, its tags naming the base model."""
    m = oci.data_science.models
    config = m.ModelGroupDeploymentConfigurationDetails(
        deployment_type="MODEL_GROUP",
        model_group_configuration_details=m.ModelGroupConfigurationDetails(
            model_group_id="ocid1.datasciencemodelgroup.oc1.iad.g"
        ),
        infrastructure_configuration_details=m.InstancePoolInfrastructureConfigurationDetails(
            instance_configuration=m.InstanceConfiguration(instance_shape_name="VM.GPU.A10.2"),
            scaling_policy=m.FixedSizeScalingPolicy(instance_count=2),
        ),
        environment_configuration_details=m.OcirModelDeploymentEnvironmentConfigurationDetails(
            image="dsmc://odsc-vllm-serving:0.6.4",
            environment_variables={
                "MODEL_DEPLOY_PREDICT_ENDPOINT": "/v1/chat/completions",
                "PARAMS": "--served-model-name 라마-베이스 --max-model-len 4096 --max-lora-rank 32 --enable_lora",
            },
        ),
    )
    tags = {"OCI_AQUA": "active", "aqua_model_name": "라마 베이스", "aqua_stacked_model": "true", "task": ""}
    return _md(model_deployment_configuration_details=config, freeform_tags=tags, **kw)


def _group(base: str | None, *members: tuple[str, str | None]) -> Any:
    m = oci.data_science.models
    details = m.StackedModelGroupDetails(base_model_id=base) if base else m.HeterogeneousModelGroupDetails()
    entries = [m.MemberModelDetails(model_id=i, inference_key=k) for i, k in members]
    return m.ModelGroup(
        model_group_details=details, member_model_entries=m.MemberModelEntries(member_model_details=entries)
    )


def test_a_model_group_deployment_names_the_fine_tuned_member() -> None:
    from aqua_ext.backends.oci import deploy_mapping as dm

    base, tuned = "ocid1.datasciencemodel.oc1.iad.base", "ocid1.datasciencemodel.oc1.iad.ft"
    for md in (_group_md(), _group_md(summary=True)):
        assert dm.model_group_id(md) == "ocid1.datasciencemodelgroup.oc1.iad.g"
        # Unread (a list row): what the tags say, the base model's name and no id; the rest as for one model.
        row = dm.to_detail(md)
        assert (row.model_id, row.model_name) == ("", "라마 베이스")
        assert (row.shape, row.replicas, row.max_model_len, row.mode) == ("VM.GPU.A10.2", 2, 4096, "chat")
        assert dm.served_model(md) == "라마-베이스"  # the base model's served name
    assert dm.model_group_id(_md()) is None and dm.served_model(_md()) == "odsc-llm"
    assert dm.served_model(_md(env={"PARAMS": "--max-model-len 2048"})) == "odsc-llm"  # AQUA's default

    # Read: the member that is not the base model, by its inference key (members in any order).
    group = dm.group_model(_group(base, (base, "라마 베이스"), (tuned, "日本語の微調整")))
    assert group == dm.GroupModel(model_id=tuned, inference_key="日本語の微調整")
    detail = dm.to_detail(_group_md(), group=group)
    assert (detail.model_id, detail.model_name) == (tuned, "日本語の微調整")
    assert dm.served_model(_group_md(), group) == "日本語の微調整"
    # No inference key: the id still, the name from the tags, the served name from PARAMS.
    keyless = dm.group_model(_group(base, (tuned, None), (base, None)))
    assert keyless == dm.GroupModel(model_id=tuned, inference_key=None)
    assert dm.to_detail(_group_md(), group=keyless).model_name == "라마 베이스"
    assert dm.served_model(_group_md(), keyless) == "라마-베이스"
    # Several fine-tunes (or none) stacked: the base model stands for the group.
    several = _group(base, (tuned, "a"), ("ocid1.datasciencemodel.oc1.iad.ft2", "b"), (base, "라마 베이스"))
    # Several fine-tunes on one base: the base, with each fine-tune an adapter reached by its inference key.
    assert dm.group_model(several) == dm.GroupModel(
        model_id=base,
        inference_key="라마 베이스",
        adapters=(("a", tuned), ("b", "ocid1.datasciencemodel.oc1.iad.ft2")),
    )
    assert dm.group_model(_group(base, (base, "라마 베이스"))) == dm.GroupModel(base, "라마 베이스")
    # Independent models (AQUA's multi-model deployments): no one model; the tags stand.
    assert dm.group_model(_group(None, (base, "a"), (tuned, "b"))) is None


def test_service_containers_are_read_like_aqua() -> None:
    from aqua_ext.backends.oci import containers as smc

    m = oci.data_science.models

    def container(name: str, tag: str, latest: bool) -> Any:
        workload = m.ModelDeployWorkloadConfigurationDetails(
            workload_type="MODEL_DEPLOYMENT",
            cmd="--served-model-name odsc-llm --seed 42",
            server_port=8080,
            health_check_port=8081,
            additional_configurations={
                "platforms": "NVIDIA_GPU",
                "modelFormats": "SAFETENSORS",
                "restrictedParams": '["--port"]',
                "MODEL_DEPLOY_PREDICT_ENDPOINT": "/v1/completions",
                "MODEL_DEPLOY_HEALTH_ENDPOINT": "",
                "PORT": "8080",
            },
        )
        return m.ContainerSummary(
            container_name=name,
            family_name=name,
            tag=tag,
            is_latest=latest,
            workload_configuration_details_list=[workload],
        )

    picked = smc.pick(
        [
            container("odsc-vllm-serving", "0.5", False),
            container("odsc-vllm-serving", "0.6", True),
            container("odsc-tgi-serving", "2", True),
        ],
        "odsc-vllm-serving",
    )
    assert picked is not None and picked.image == "dsmc://odsc-vllm-serving:0.6"
    assert picked.cmd == ["--served-model-name", "odsc-llm", "--seed", "42"] and picked.restricted == {"--port"}
    assert picked.env == {"MODEL_DEPLOY_PREDICT_ENDPOINT": "/v1/completions", "PORT": "8080"}  # empty ones dropped
    assert picked.platforms == {"NVIDIA_GPU"} and picked.model_formats == {"SAFETENSORS"}
    assert smc.pick([], "odsc-vllm-serving") is None
    assert [smc.shape_platform(s) for s in ("NVIDIA_GPU", "ARM", "AMD_ROME", None)] == [
        "NVIDIA_GPU",
        "ARM_CPU",
        "CPU",
        "CPU",
    ]


def test_request_signing_for_httpx_passes_the_emulator_check(tmp_path: Any) -> None:
    import httpx

    from aqua_ext.backends.oci.signing import OciRequestAuth
    from tests.oci_emulator import OciEmulator, write_oci_config

    identity = write_oci_config(tmp_path / "me")
    with OciEmulator(config=identity) as emu:
        signer = oci.signer.Signer.from_config(identity.as_dict())
        current = {"signer": signer}
        auth = OciRequestAuth(lambda: current["signer"])
        base = emu.endpoint("datascience") + "/20190101"
        compartment = emu.add_compartment("dev")
        with httpx.Client(auth=auth, timeout=5) as http:
            listed = http.get(f"{base}/models", params={"compartmentId": compartment})
            assert listed.status_code == 200 and listed.json() == []
            body = {"compartmentId": compartment, "projectId": emu.add_project(compartment), "displayName": "ü"}
            created = http.post(f"{base}/models", json=body)  # body signed: x-content-sha256 and content-length
            assert created.status_code == 200, created.text
            sent = created.request.headers
            assert "x-content-sha256" in sent["authorization"] and sent["x-content-sha256"]
            # The signature covers the body: a different body under the same headers is refused.
            tampered = created.request.content.replace("ü".encode(), "ý".encode())  # same length, other content
            assert tampered != created.request.content
            forged = httpx.post(f"{base}/models", content=tampered, headers=dict(sent))
            assert forged.status_code == 401
            # A signer swapped in (a re-read session token) is used from the next request on.
            other = write_oci_config(tmp_path / "other")
            current["signer"] = oci.signer.Signer.from_config(other.as_dict())
            assert http.get(f"{base}/models", params={"compartmentId": compartment}).status_code == 401
            current["signer"] = signer

        async def signed_async() -> int:
            async with httpx.AsyncClient(auth=auth, timeout=5) as client:
                return (await client.post(f"{base}/models", json=body)).status_code

        assert asyncio.run(signed_async()) == 200


# ---- fine-tuning mapping -------------------------------------------------------------


def test_fine_tune_parameters_travel_by_aqua_names_and_back() -> None:
    from aqua_ext.api.finetunes import FineTuneParams
    from aqua_ext.backends.oci import finetune_mapping as fm

    params = FineTuneParams(
        epochs=5,
        batch_size=4,
        max_seq_length=1024,
        lora_target_modules=["q_proj", "v_proj"],
        early_stopping_patience=2,
        early_stopping_threshold=0.01,
        seed=7,
    )
    hyper = fm.hyperparameters(params, 0.2, "oci://b@ns/d.jsonl")
    assert (
        hyper["sequence_len"] == 1024
        and hyper["batch_size"] == 4
        and hyper["lora_target_modules"] == ["q_proj", "v_proj"]
    )
    assert "lora_target_linear" not in hyper and hyper["val_set_size"] == 0.2 and hyper["training_data"]
    assert fm.params_from(hyper) == params
    plain = FineTuneParams()
    hyper = fm.hyperparameters(plain, 0.1, "x")
    assert hyper["lora_target_linear"] is True and "early_stopping_patience" not in hyper
    assert fm.params_from(hyper) == plain
    # AQUA's own spellings, and values our contract refuses, which keep our defaults.
    loose = fm.params_from(
        {
            "epochs": 0,
            "micro_batch_size": 2,
            "learning_rate": "fast",
            "optimizer": "adam",
            "lora_target_modules": "q_proj, k_proj",
            "num_epochs": None,
        }
    )
    assert (loose.epochs, loose.batch_size, loose.learning_rate) == (3, 2, 2e-4)
    assert loose.lora_target_modules == ["q_proj", "k_proj"]


def test_fine_tune_launch_command_is_aqua_s() -> None:
    from aqua_ext.api.finetunes import FineTuneParams
    from aqua_ext.backends.oci import finetune_mapping as fm

    command = fm.launch_command(
        "oci://b@ns/d.jsonl", "oci://o@ns/out", 0.1, FineTuneParams(epochs=2), "--trust_remote_code True"
    )
    assert command == (
        "--training_data oci://b@ns/d.jsonl --output_dir oci://o@ns/out --val_set_size 0.1 "
        "--num_epochs 2 --learning_rate 0.0002 --micro_batch_size 8 --sequence_len 512 "
        "--pad_to_sequence_len False --lora_r 8 --lora_alpha 16 --lora_dropout 0.05 --seed 42 "
        "--logging_steps 10 --lora_target_linear True --trust_remote_code True"
    )
    flags = fm.launch_flags(command)
    assert flags["output_dir"] == "oci://o@ns/out" and flags["num_epochs"] == "2"
    assert json.loads(fm.ft_arguments("b", "o"))["outputModel"] == {"type": "modelCatalog", "modelId": "o"}


def test_fine_tune_metric_series_from_custom_metadata() -> None:
    from aqua_ext.backends.oci import finetune_mapping as fm

    def item(key: str, value: str, description: str) -> Any:
        return SimpleNamespace(key=key, value=value, description=description)

    model = SimpleNamespace(
        custom_metadata_list=[
            item("t2", '{"epoch": 2, "loss": 1.0}', "train_metrics_epoch"),
            item("t1", '{"epoch": 1, "loss": 1.5}', "train_metrics_epoch"),
            item("v1", '{"epoch": 1, "eval_loss": 1.7}', "val_metrics_epoch"),
            item("t3", "0.8", "train_metrics_epoch"),  # a bare number: the next epoch
            item("junk", "not json", "train_metrics_epoch"),
            item("tf", '{"epoch": 3, "loss": 0.8}', "train_metrics_final"),
            item("artifact_location", "oci://x", ""),
        ]
    )
    series = fm.metric_series(model)
    assert [(p.step, p.train_loss, p.validation_loss) for p in series.points] == [
        (1, 1.5, 1.7),
        (2, 1.0, None),
        (3, 0.8, None),
    ]
    assert series.final_train_loss == 0.8 and series.final_validation_loss is None
    assert fm.metric_series(SimpleNamespace(custom_metadata_list=None)).points == []


def test_fine_tune_states_and_failure_reasons() -> None:
    from aqua_ext.api.finetunes import FineTuneState
    from aqua_ext.backends.oci import finetune_mapping as fm

    done = fm.MetricSeries(final_train_loss=0.5)
    assert fm.state_of("NEEDS_ATTENTION", None) == FineTuneState.FAILED
    assert fm.state_of("IN_PROGRESS", None) == FineTuneState.IN_PROGRESS
    assert fm.state_of(None, done) == FineTuneState.SUCCEEDED and fm.state_of("DELETED", None) == FineTuneState.FAILED
    reason = fm.failure_reason("Job run artifact execution failed with exit code 43")
    assert "could not be loaded" in reason and reason.endswith("(exit code 43).")
    assert "{" not in fm.failure_reason("failed with exit code 31")  # never a set literal, as AQUA once showed
    assert fm.failure_reason("Job run failed with exit code 1") == "Fine-tuning failed: Job run failed with exit code 1"
    assert fm.failure_reason(None).startswith("Fine-tuning failed (OCI gave no reason)")


def test_fine_tune_progress_eta_and_facts_of_an_aqua_job() -> None:
    from datetime import datetime, timedelta, timezone

    from aqua_ext.backends.oci import finetune_mapping as fm

    now = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
    env = {
        "OCI__LAUNCH_CMD": "--training_data oci://b@ns/d.jsonl --output_dir oci://o@ns/x --val_set_size 0.25 "
        "--num_epochs 4",
        "NODE_COUNT": "2",
    }
    infra = SimpleNamespace(shape_name="VM.GPU.A10.2")
    group = SimpleNamespace(
        replicas=2,
        job_infrastructure_configuration_details=infra,
        job_configuration_details=SimpleNamespace(environment_variables=env),
    )
    job = SimpleNamespace(
        id="ocid1.datasciencejob.oc1.iad.j",
        job_infrastructure_configuration_details=None,
        job_log_configuration_details=SimpleNamespace(enable_logging=True, log_group_id="g", log_id="l"),
        job_node_configuration_details=SimpleNamespace(
            job_node_group_configuration_details_list=[group],
            job_network_configuration=SimpleNamespace(subnet_id="ocid1.subnet.oc1.iad.s"),
        ),
    )
    model = summary(
        freeform_tags={"aqua_fine_tuned_model": "ocid1.base#Base", "OCI_AQUA": ""},
        time_created=now - timedelta(minutes=5),
        model_version_set_name="exp",
        custom_metadata_list=[
            SimpleNamespace(key="fine_tune_jobrun_id", value="ocid1.run", description=""),
            SimpleNamespace(
                key="train_metrics_epoch_1", value='{"epoch": 1, "loss": 2.0}', description="train_metrics_epoch"
            ),
        ],
        defined_metadata_list=[SimpleNamespace(key="Hyperparameters", value='{"epochs": 4, "lora_r": 64}')],
    )
    facts = fm.facts_from(model, job)
    assert (facts.base_model_id, facts.base_model_name, facts.run_id) == ("ocid1.base", "Base", "ocid1.run")
    assert (facts.shape, facts.replicas, facts.subnet_id, facts.log_id) == (
        "VM.GPU.A10.2",
        2,
        "ocid1.subnet.oc1.iad.s",
        "l",
    )
    assert (facts.params.lora_r, facts.validation_split, facts.output_uri) == (64, 0.25, "oci://o@ns/x")
    assert facts.dataset_path == "oci://b@ns/d.jsonl" and facts.experiment_name == "exp"
    run = SimpleNamespace(
        lifecycle_state="IN_PROGRESS",
        lifecycle_details=None,
        time_finished=None,
        time_accepted=now - timedelta(seconds=40),
        time_started=now - timedelta(seconds=30),
    )
    detail = fm.to_detail(facts, run, fm.metric_series(model), now=now)
    assert (detail.progress, detail.step, detail.total_steps, detail.eta_seconds) == (0.25, 1, 4, 90.0)
    assert detail.state_message == "Training: epoch 1 of 4 done" and detail.finished_at is None
    assert fm.to_summary(detail).id == model.id and detail.output_model_id == model.id


def test_fine_tune_configuration_and_model_tags() -> None:
    from aqua_ext.backends.oci import finetune_mapping as fm

    config = {
        "shape": {"VM.GPU.A10.1": {"batch_size": 2, "replica": "1-4"}},
        "configuration": {"epochs": 6, "micro_batch_size": 1},
        "finetuning_params": "--trust_remote_code True",
    }
    assert fm.config_defaults(config, "VM.GPU.A10.1").batch_size == 2
    assert fm.config_defaults(config, None).batch_size == 1 and fm.config_defaults(config, None).epochs == 6
    assert fm.config_max_replicas(config, "VM.GPU.A10.1", 16) == 4 and fm.config_max_replicas(None, "x", 16) == 16
    from aqua_ext.api.finetunes import FineTuneParams

    asked = FineTuneParams.model_validate({"epochs": 9, "lora_r": 4})
    merged = fm.request_params(config, "VM.GPU.A10.1", asked)
    assert (merged.epochs, merged.lora_r, merged.batch_size, merged.learning_rate) == (9, 4, 2, 2e-4)
    assert fm.extra_flags(config) == "--trust_remote_code True" and fm.extra_flags({"finetuning_params": 3}) == ""
    tags = fm.model_tags(
        {"OCI_AQUA": "active", "license": "MIT", "aqua_custom_base_model": "true", "task": "t"}, "ocid1.b", "Base"
    )
    assert tags == {
        "task": "t",
        "OCI_AQUA": "",
        "aqua_fine_tuned_model": "ocid1.b#Base",
        "fine_tune_model_version": "v2",
        "ready_to_fine_tune": "false",
    }


def test_fine_tuned_models_deploy_once_tagged_and_name_their_lineage() -> None:
    running = summary(freeform_tags={"aqua_fine_tuned_model": "ocid1.b#Base", "OCI_AQUA": ""})
    assert mapping.to_summary(running).ready_to_deploy is False
    done = summary(
        freeform_tags={"aqua_fine_tuned_model": "ocid1.b#Base", "OCI_AQUA": "active"},
        custom_metadata_list=[SimpleNamespace(key="fine_tune_dataset_hash", value="abc")],
    )
    detail = mapping.to_detail(done)
    assert detail.ready_to_deploy and detail.lineage is not None
    assert (detail.lineage.base_model_id, detail.lineage.dataset_hash, detail.lineage.finetune_job_id) == (
        "ocid1.b",
        "abc",
        done.id,
    )
    assert any("not succeeded" in n for n in mapping.to_detail(running).notes)


def test_job_containers_are_picked_by_family() -> None:
    from aqua_ext.backends.oci import containers

    def row(tag: str, latest: bool, family: str = "odsc-llm-fine-tuning") -> Any:
        return SimpleNamespace(
            family_name=family, container_name=family, tag=tag, is_latest=latest, target_workloads=["JOB_RUN"]
        )

    rows = [row("1.0", False), row("2.0", True), row("9.0", True, "odsc-llm-evaluate")]
    assert containers.job_image(rows, "odsc-llm-fine-tuning") == "dsmc://odsc-llm-fine-tuning:2.0"
    assert containers.job_image(rows, "odsc-nope") is None


# ---- evaluations (evaluation_mapping) ---------------------------------------------------------------


def test_evaluation_arguments_and_parameters_follow_aqua() -> None:
    from aqua_ext.api.evaluations import ModelParameters
    from aqua_ext.backends.oci import evaluation_mapping as em

    params = ModelParameters(max_tokens=64, temperature=0.3, top_k=20, stop=["\n\n"])
    aqua = em.model_parameters(params, "odsc-llm")
    assert aqua["model"] == "odsc-llm" and aqua["top_k"] == 20 and aqua["stop"] == ["\n\n"]
    assert em.params_from(aqua) == params
    assert em.params_from({"max_tokens": 0, "top_k": -1}) == ModelParameters()  # refused values: defaults
    args = json.loads(
        em.evaluation_arguments(
            evaluation_id="ev",
            target_id="md",
            dataset_uri="oci://b@n/d.jsonl",
            metrics=["bertscore", "readability"],
            output_dir="oci://b@n/r",
            model_params=aqua,
            inference={"inference_max_threads": 4},
        )
    )
    assert args["input_data"] == {
        "columns": {"prompt": "prompt", "completion": "completion"},
        "format": ".jsonl",
        "url": "oci://b@n/d.jsonl",
    }
    assert args["metrics"] == [{"key": "bertscore", "args": {}}, {"key": "text_readability", "args": {}}]
    assert em.report_folder("oci://b@n/r/", "ev") == "r/ev/" and em.report_folder("oci://b@n", "ev") == "ev/"


def test_evaluation_reports_in_both_shapes_and_exit_codes() -> None:
    from aqua_ext.backends.oci import evaluation_mapping as em

    ours = em.report_of(
        {
            "overall": {"scores": {"bleu": 30.0}, "rows": 3},
            "categories": {"a": {"scores": {}, "rows": 1}},
            "rows_total": 3,
            "rows_answered": 3,
            "rows_failed": 0,
            "wall_seconds": 1.0,
        }
    )
    assert ours is not None and ours.overall.scores == {"bleu": 30.0} and set(ours.categories) == {"a"}
    aqua = em.report_of(
        {
            "metric_summary_result": [
                {"metric": "BERTScore", "score": "0.91", "grade": "Good"},
                {"metric": "ROUGE-L", "score": "0.4"},
                {"metric": "Text Readability", "score": "n/a"},
            ],
            "dataset": {"size": 12},
        }
    )
    assert aqua is not None and aqua.overall.scores == {"bertscore": 0.91, "rougeL": 0.4} and aqua.rows_total == 12
    assert em.report_of("nope") is None and em.report_of({}) is None
    text = em.failure_reason("Job run artifact execution failed with exit code 22")
    assert "dataset could not be found" in text and "(exit code 22)" in text
    assert em.failure_reason("").startswith("Evaluation failed (OCI gave no reason)")


# ---- the drivers and the context they share --------------------------------------------


def test_every_driver_is_handed_the_one_context_not_the_backend() -> None:
    from aqua_ext.backends.oci.backend import OciBackend
    from aqua_ext.errors import Unavailable
    from aqua_ext.services.operations import OperationRegistry

    backend = OciBackend(OperationRegistry(), OciSettings(compartment_id=COMPARTMENT))
    ctx = backend.context
    drivers = [backend.models, backend.shapes, backend.deployments, backend.finetunes, backend.evaluations]
    assert all(d.ctx is ctx for d in drivers) and ctx.operations is backend.operations
    assert not any(hasattr(d, "backend") for d in drivers)
    assert backend.models.readiness is backend.finetunes  # a fine-tuned model is deployable once its run succeeded
    with pytest.raises(Unavailable, match="not started"):
        ctx.client()


def test_no_oci_module_reaches_into_another_modules_private_names() -> None:
    import ast
    from pathlib import Path

    import aqua_ext.backends.oci as package

    for path in sorted(Path(package.__file__).parent.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level:
                assert node.module != "backend" or path.name == "__init__.py", f"{path.name} imports the backend"
                private = [a.name for a in node.names if a.name.startswith("_")]
                assert not private, f"{path.name} imports {private} from .{node.module}"
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                owner = ast.unparse(node.value)
                assert owner in ("self", "cls", "super()"), (
                    f"{path.name}:{node.lineno} reaches into {owner}.{node.attr}"
                )
