"""ODA's `exportedRestServices` YAML in and out: seed 002's example imports as its three services;
an export imports back unchanged (Korean and Japanese text included, secrets only when given);
bad documents are refused naming the entry and the key; alias bombs are refused before they grow."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from aqua_ext.api.connections import ConnectionDetail, ConnectionFields, RestMethod
from aqua_ext.errors import InvalidInput
from aqua_ext.services.connection_yaml import EXTRA_KEY, dump_services, parse_services

SEED_FILE = Path(__file__).parent.parent / "fixtures" / "oda_llm_services.yaml"
OCI_BASE = "https://inference.generativeai.us-chicago-1.oci.oraclecloud.com"


def seed_text() -> str:
    return SEED_FILE.read_text(encoding="utf-8")


def refused(text: str) -> tuple[str, str]:
    with pytest.raises(InvalidInput) as caught:
        parse_services(text)
    assert caught.value.status == 400 and caught.value.fields, caught.value.message
    return caught.value.fields[0].field, caught.value.fields[0].message


def test_seed_002_imports_as_its_three_services() -> None:
    services = parse_services(seed_text())
    raw = yaml.safe_load(seed_text())["exportedRestServices"]
    assert [s.name for s in services] == ["genAI_cohere", "genAI_cohere_light", "genAI_llama"]
    assert [s.default_model for s in services] == ["cohere.command", "cohere.command-light", "meta.llama-2-70b-chat"]
    for service, entry in zip(services, raw, strict=True):
        assert service.kind == "oci_genai"
        assert service.endpoint == OCI_BASE
        assert service.auth_type == "oci_resource_principal"
        assert service.capabilities == ["completion"]  # generateText
        assert service.compartment_id == "ocid1.compartment.oc1..aaaaaaaaexampleuniqueID"
        assert service.serving_mode == "ON_DEMAND"
        assert service.models == [service.default_model]
        assert service.secret is None
        [method] = service.methods
        [oda_method] = entry["restServiceMethods"]
        assert (method.method, method.content_type, method.status_code) == ("POST", "application/json", 200)
        assert method.request_body == oda_method["requestBody"]
        assert method.mock_response == oda_method["mockResponsePayload"]
        assert method.params == []
    assert '"runtimeType": "LLAMA"' in services[2].methods[0].request_body
    assert "Why don't scientists trust atoms?" in services[1].methods[0].mock_response


def test_seed_002_exports_as_oda_writes_it_and_imports_back() -> None:
    services = parse_services(seed_text())
    text = dump_services([(s, None) for s in services])
    assert EXTRA_KEY not in text  # nothing ODA cannot say itself
    assert text.count(f"{OCI_BASE}/20231130/actions/generateText") == 3
    assert "authType: resourcePrincipal" in text and "requestBody: |-" in text
    assert yaml.safe_load(text) == yaml.safe_load(seed_text())  # the seed folds its endpoints (>-): same data
    assert parse_services(text) == services


def fields(**changes: Any) -> ConnectionFields:
    base: dict[str, Any] = {"name": "x", "kind": "openai", "endpoint": "https://api.openai.com/v1"}
    return ConnectionFields.model_validate(base | changes)


ROUND_TRIPS = [
    fields(
        name="평가용 GPT",
        description="한국어 평가 심사위원 모델입니다.\n두 번째 줄.",
        auth_type="bearer",
        models=["gpt-4o", "gpt-4o-mini"],
        default_model="gpt-4o-mini",
        headers={"OpenAI-Organization": "org-team-1"},
        timeout_s=30,
        capabilities=["chat", "embedding"],
    ),
    fields(name="ローカル vLLM", endpoint="http://127.0.0.1:8000/v1", description="社内の評価サーバー"),
    fields(
        name="azure",
        kind="azure_openai",
        endpoint="https://my-res.openai.azure.com",
        auth_type="api_key_header",
        api_version="2024-10-21",
        models=["gpt4o-dep"],
        default_model="gpt4o-dep",
    ),
    fields(
        name="azure without deployment",
        kind="azure_openai",
        endpoint="https://my-res.openai.azure.com",
        auth_type="api_key_header",
        api_key_header="X-Custom-Key",
        api_version="2024-10-21",
    ),
    fields(
        name="cohere",
        kind="cohere",
        endpoint="https://api.cohere.ai",
        auth_type="bearer",
        capabilities=["completion"],
        methods=[RestMethod(request_body='{"model": "command", "prompt": "天の川について"}')],
        models=["command"],
        default_model="command",
    ),
    fields(
        name="oci dedicated",
        kind="oci_genai",
        endpoint=OCI_BASE,
        auth_type="oci_api_key",
        compartment_id="ocid1.compartment.oc1..abc",
        serving_mode="DEDICATED",
        capabilities=["chat"],
        models=["ocid1.generativeaiendpoint.oc1..e"],
        default_model="ocid1.generativeaiendpoint.oc1..e",
    ),
    fields(
        name="oci summarize, a model list the body does not name",
        kind="oci_genai",
        endpoint=OCI_BASE,
        auth_type="oci_resource_principal",
        compartment_id="ocid1.compartment.oc1..abc",
        capabilities=["summarize"],
        methods=[
            RestMethod(
                request_body='{"compartmentId": "ocid1.compartment.oc1..other", '
                '"servingMode": {"modelId": "cohere.command"}}'
            )
        ],
        models=["cohere.command", "cohere.command-r"],
        default_model="cohere.command-r",
    ),
    fields(
        name="요약 REST",
        kind="rest",
        endpoint="https://example.com/api/chat/completions",
        auth_type="basic",
        username="사용자",
        response_path="result.text",
        allow_link_local=True,
        methods=[
            RestMethod(
                method="PUT",
                status_code=201,
                request_body='{"q": "{{prompt}}", "n": {{max_tokens}}}',
                mock_response='{"result": {"text": "答え"}}',
                error_response='{"error": {"code": "context_length_exceeded", "message": "長すぎます"}}',
                params=[{"key": "version", "value": "2", "type": "query"}],
            ),
            RestMethod(content_type="text/plain", request_body="trailing spaces   \n  and tabs\t\n"),
        ],
    ),
]


@pytest.mark.parametrize("connection", ROUND_TRIPS, ids=lambda c: c.name)
def test_an_export_imports_back_unchanged(connection: ConnectionFields) -> None:
    text = dump_services([(connection, None)])
    [back] = parse_services(text)
    assert back.secret is None
    assert back.model_dump(exclude={"secret"}) == connection.model_dump()


def test_non_latin_text_is_written_as_it_is() -> None:
    text = dump_services([(ROUND_TRIPS[0], None), (ROUND_TRIPS[1], None)])
    assert "평가용 GPT" in text and "社内の評価サーバー" in text


def test_secrets_are_written_only_when_given() -> None:
    bearer = ROUND_TRIPS[0]
    assert "secret" not in dump_services([(bearer, None)])
    text = dump_services([(bearer, "sk-비밀")])
    [back] = parse_services(text)
    assert back.secret is not None and back.secret.get_secret_value() == "sk-비밀"


def test_a_connection_detail_exports_like_its_fields() -> None:
    connection = ROUND_TRIPS[2]
    now = datetime.now(timezone.utc)
    detail = ConnectionDetail(
        **connection.model_dump(),
        id="conn-1",
        secret_set=True,
        streaming=True,
        last_test=None,
        created_at=now,
        updated_at=now,
    )
    assert dump_services([(detail, None)]) == dump_services([(connection, None)])


@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [
        (
            "https://my-res.openai.azure.com/openai/deployments/gpt35/completions?api-version=2023-05-15",
            {
                "kind": "azure_openai",
                "endpoint": "https://my-res.openai.azure.com",
                "api_version": "2023-05-15",
                "default_model": "gpt35",
                "capabilities": ["completion"],
            },
        ),
        (
            "https://api.cohere.ai/v1/generate",
            {"kind": "cohere", "endpoint": "https://api.cohere.ai", "capabilities": ["completion"]},
        ),
        (
            "https://api.cohere.com/v2/chat",
            {"kind": "cohere", "endpoint": "https://api.cohere.com", "capabilities": ["chat"]},
        ),
        (
            "https://generativeai.aiservice.us-chicago-1.oci.oraclecloud.com/20231130/actions/generateText",
            {"kind": "oci_genai", "capabilities": ["completion"]},
        ),
        (f"{OCI_BASE}/20231130/actions/summarizeText", {"kind": "oci_genai", "capabilities": ["summarize"]}),
        (f"{OCI_BASE}/20231130/actions/embedText", {"kind": "oci_genai", "capabilities": ["embedding"]}),
        ("http://localhost:11434/v1/chat/completions", {"kind": "openai", "endpoint": "http://localhost:11434/v1"}),
        ("https://api.openai.com/v1/completions", {"kind": "openai", "capabilities": ["completion"]}),
        ("https://example.com/generate", {"kind": "rest", "endpoint": "https://example.com/generate"}),
    ],
)
def test_the_kind_is_read_from_the_endpoint(endpoint: str, expected: dict[str, Any]) -> None:
    auth = "resourcePrincipal" if "oraclecloud" in endpoint else "apiKey" if "azure" in endpoint else "bearerToken"
    compartment = '{"compartmentId": "ocid1.compartment.oc1..c"}' if "oraclecloud" in endpoint else '{"model": "m"}'
    mock = '{"text": "a"}'
    document = {
        "exportedRestServices": [
            {
                "endpoint": endpoint,
                "name": "s",
                "authType": auth,
                "restServiceMethods": [{"requestBody": compartment, "mockResponsePayload": mock}],
            }
        ]
    }
    [service] = parse_services(yaml.safe_dump(document))
    got = service.model_dump()
    assert {key: got[key] for key in expected} == expected
    if service.kind == "rest":
        assert service.response_path == "text"  # read from the mock response


def test_models_come_from_the_body_of_cohere_and_openai() -> None:
    document = {
        "exportedRestServices": [
            {
                "endpoint": "https://api.cohere.ai/v1/generate",
                "name": "co",
                "authType": "bearerToken",
                "restServiceMethods": [{"requestBody": '{"model": "command", "prompt": "p"}'}],
            }
        ]
    }
    [service] = parse_services(yaml.safe_dump(document))
    assert (service.models, service.default_model) == (["command"], "command")


@pytest.mark.parametrize(
    ("spelling", "auth"),
    [("noAuth", "none"), ("BASIC_AUTH", "basic"), ("apiKey", "api_key_header"), ("bearer-token", "bearer")],
)
def test_auth_type_spellings(spelling: str, auth: str) -> None:
    entry: dict[str, Any] = {
        "endpoint": "https://api.openai.com/v1/chat/completions",
        "name": "s",
        "authType": spelling,
    }
    if auth == "basic":
        entry[EXTRA_KEY] = {"username": "u"}
    if auth == "api_key_header":
        entry[EXTRA_KEY] = {"api_key_header": "X-Key"}
    [service] = parse_services(yaml.safe_dump({"exportedRestServices": [entry]}))
    assert service.auth_type == auth


SEED_ENTRY = "exportedRestServices:\n  - endpoint: https://api.openai.com/v1/chat/completions\n    name: 서비스\n"


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("exportedRestServices: [\n  {name: a,\n", "yaml", "line 3"),
        ("a: b\n  c: d\n", "yaml", "line 2, column"),
        ("- just\n- a list\n", "yaml", "mapping"),
        ("other: 1\n", "exportedRestServices", "missing"),
        ("exportedRestServices: {a: 1}\n", "exportedRestServices", "list"),
        ("exportedRestServices: [3]\n", "exportedRestServices[0]", "mapping"),
        ("exportedRestServices:\n  - name: ない\n", "exportedRestServices[0].endpoint", "entry 0 (ない)"),
        (
            "exportedRestServices:\n  - endpoint: https://a.example/x\n",
            "exportedRestServices[0].name",
            "name is missing",
        ),
        (
            SEED_ENTRY + "    authType: oauth2\n",
            "exportedRestServices[0].authType",
            "entry 0 (서비스): unknown authType",
        ),
        (SEED_ENTRY + "    authType: [1]\n", "exportedRestServices[0].authType", "unknown authType"),
        (
            SEED_ENTRY + "    restServiceMethods:\n      - requestBody: '{\"a\": }'\n",
            "exportedRestServices[0].restServiceMethods[0].requestBody",
            "line 1, column 7",
        ),
        (
            SEED_ENTRY + "    restServiceMethods:\n      - statusCode: 42\n",
            "exportedRestServices[0].restServiceMethods[0].statusCode",
            "entry 0 (서비스)",
        ),
        (SEED_ENTRY + "    restServiceMethods: {}\n", "exportedRestServices[0].restServiceMethods", "list"),
        (
            SEED_ENTRY + f"    {EXTRA_KEY}: {{colour: red}}\n",
            f"exportedRestServices[0].{EXTRA_KEY}.colour",
            "not a field",
        ),
        (
            SEED_ENTRY + f"    {EXTRA_KEY}: {{headers: {{Authorization: x}}}}\n",
            f"exportedRestServices[0].{EXTRA_KEY}.headers.Authorization",
            "set by the connection itself",
        ),
        (
            "exportedRestServices:\n  - endpoint: http://169.254.169.254/latest\n    name: imds\n",
            "exportedRestServices[0].endpoint",
            "link-local",
        ),
        (
            "exportedRestServices:\n  - endpoint: https://example.com/x\n    name: r\n",
            "exportedRestServices[0].restServiceMethods",
            "REST connection",
        ),
    ],
)
def test_bad_documents_name_the_entry_and_the_key(text: str, field: str, words: str) -> None:
    found, message = refused(text)
    assert found == field
    assert words in message


def test_an_alias_bomb_is_refused_before_expanding() -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [
        f"a{i}: &a{i} [*a{i - 1},*a{i - 1},*a{i - 1},*a{i - 1},*a{i - 1},*a{i - 1},*a{i - 1},*a{i - 1},*a{i - 1}]"
        for i in range(1, 10)
    ]
    # Refused at the first anchor (line 1), before the 9^10 strings could be built; timings are bench/'s.
    field, message = refused("\n".join(lines) + "\nexportedRestServices: *a9\n")
    assert field == "yaml" and "anchors and aliases" in message and "line 1" in message


def test_a_single_anchor_or_merge_is_refused_too() -> None:
    text = (
        "base: &b {authType: noAuth}\nexportedRestServices:\n  - <<: *b\n    name: n\n    endpoint: https://a.example\n"
    )
    assert "anchors and aliases" in refused(text)[1]


def test_only_plain_data_is_built() -> None:
    assert refused("exportedRestServices: !!python/object/apply:os.system [echo]\n")[0] == "yaml"
    assert refused("exportedRestServices: " + "1" * 5000 + "\n")[0] == "yaml"  # over Python's int digits


def test_deep_nesting_and_size_are_bounded() -> None:
    assert "nested deeper" in refused("exportedRestServices: " + "[" * 500 + "]" * 500 + "\n")[1]
    assert "characters" in refused("#" * 2_000_001)[1]
