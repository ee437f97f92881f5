"""Every rule of a connection refuses with a 400 that names the field; good connections of each kind
(with names and descriptions in Korean and Japanese) pass; the resolver check refuses names that
point at link-local and metadata addresses. No test resolves a name outside this machine."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest

from aqua_ext.api.connections import ConnectionFields, RestMethod
from aqua_ext.errors import InvalidInput, Upstream, UpstreamTimeout
from aqua_ext.services import connection_rules
from aqua_ext.services.connection_rules import check_endpoint_now, check_fields, key_header_name

OCI_BODY = '{"compartmentId": "ocid1.compartment.oc1..x", "servingMode": {"modelId": "cohere.command"}}'


def make(**changes: Any) -> ConnectionFields:
    base: dict[str, Any] = {
        "name": "社内 vLLM",
        "kind": "openai",
        "endpoint": "http://127.0.0.1:8000/v1",
        "description": "팀의 평가용 서버",
    }
    return ConnectionFields.model_validate(base | changes)


def refused(fields: ConnectionFields, *, secret_given: bool = False) -> tuple[str, str]:
    with pytest.raises(InvalidInput) as caught:
        check_fields(fields, secret_given=secret_given)
    error = caught.value
    assert error.status == 400 and error.fields, error.message
    return error.fields[0].field, error.fields[0].message


GOOD = [
    make(),
    make(
        kind="openai",
        endpoint="https://api.openai.com/v1",
        auth_type="bearer",
        models=["gpt-4o"],
        default_model="gpt-4o",
    ),
    make(endpoint="http://localhost:11434/v1"),  # Ollama
    make(endpoint="http://192.168.1.20:1234/v1"),  # LM Studio on the team's network
    make(endpoint="http://10.0.0.5:8000/v1", headers={"X-Team": "hyouka-team"}),
    make(endpoint="http://[::1]:8000/v1"),
    make(
        kind="azure_openai", endpoint="https://r.openai.azure.com", auth_type="api_key_header", api_version="2024-10-21"
    ),
    make(kind="cohere", endpoint="https://api.cohere.com", auth_type="bearer"),
    make(
        kind="oci_genai",
        endpoint="https://inference.generativeai.us-chicago-1.oci.oraclecloud.com",
        auth_type="oci_resource_principal",
        compartment_id="ocid1.compartment.oc1..x",
    ),
    make(
        kind="rest",
        endpoint="https://example.com/generate",
        auth_type="basic",
        username="사용자",
        response_path="result.texts[0].text",
        methods=[RestMethod(request_body='{"prompt": "{{prompt}}", "n": {{max_tokens}}, "messages": {{ messages }}}')],
    ),
    make(endpoint="http://169.254.169.254/v1", allow_link_local=True),  # the user said so
]


@pytest.mark.parametrize("fields", GOOD, ids=range(len(GOOD)))
def test_good_connections_pass(fields: ConnectionFields) -> None:
    check_fields(fields, secret_given=fields.auth_type not in ("none", "oci_resource_principal", "oci_api_key"))


@pytest.mark.parametrize(
    ("endpoint", "words"),
    [
        ("ftp://example.com/v1", "http"),
        ("file:///etc/passwd", "http"),
        ("example.com/v1", "http"),
        ("http:///v1", "no host"),
        ("https://user:pw@example.com/v1", "user name or password"),
        ("https://token@example.com/v1", "user name or password"),
        ("http://example.com:99999/v1", "not a URL"),
        ("http://exa mple.com/v1", "spaces"),
        ("http://example.com/v1\r\nX: y", "control"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://169.254.0.1:8080", "link-local"),
        ("http://[fe80::1]/v1", "link-local"),
        ("http://[fd00:ec2::254]/latest", "metadata"),
        ("http://[::ffff:169.254.169.254]/", "link-local"),
        ("http://[64:ff9b::a9fe:a9fe]/", "link-local"),  # NAT64
        ("http://2852039166/", "link-local"),  # 169.254.169.254 as one number
        ("http://0xa9.0xfe.0xa9.0xfe/", "link-local"),
        ("http://metadata.google.internal/computeMetadata/v1/", "metadata"),
        ("http://METADATA.GOOGLE.INTERNAL./", "metadata"),
        ("http://100.100.100.200/latest/meta-data", "metadata"),
    ],
)
def test_endpoint_rules(endpoint: str, words: str) -> None:
    field, message = refused(make(endpoint=endpoint))
    assert field == "endpoint"
    assert words in message


def test_metadata_addresses_are_named_with_the_way_out() -> None:
    _, message = refused(make(endpoint="http://169.254.169.254/"))
    assert "allow_link_local" in message


@pytest.mark.parametrize(
    "name",
    [
        "Authorization",
        "proxy-authorization",
        "Cookie",
        "Host",
        "Content-Length",
        "Transfer-Encoding",
        "Content-Type",
        "Connection",
        "date",
        "x-content-sha256",
        "opc-obo-token",
        "OPC-Request-Id",
        "X-Api-Key",
    ],
)
def test_headers_that_override_auth_or_transport(name: str) -> None:
    field, message = refused(make(headers={name: "v"}))
    assert field == f"headers.{name}"
    assert "set by the connection itself" in message


@pytest.mark.parametrize(
    ("name", "hint"),
    [("Authorization", "secret"), ("Content-Type", "content_type"), ("opc-obo-token", "signing"), ("Host", "client")],
)
def test_a_refused_header_says_where_its_value_comes_from(name: str, hint: str) -> None:
    assert hint in refused(make(headers={name: "v"}))[1]


def test_the_key_header_cannot_be_set_again_as_a_plain_header() -> None:
    fields = make(auth_type="api_key_header", api_key_header="X-Key", headers={"x-key": "plain"})
    assert refused(fields)[0] == "headers.x-key"
    azure = make(
        kind="azure_openai", endpoint="https://r.openai.azure.com", api_version="1", auth_type="api_key_header"
    )
    assert key_header_name(azure) == "api-key"


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("Bad Name", "v", "header name"),
        ("X-ヘッダー", "v", "header name"),
        ("X-A", "one\r\nInjected: yes", "line breaks"),
        ("X-A", "one\nInjected: yes", "line breaks"),
        ("X-A", "nul\x00", "NUL"),
        ("X-Team", "評価チーム", "ASCII"),
        ("X-Team", "한국 팀", "ASCII"),
    ],
)
def test_header_names_are_tokens_and_values_single_lines(name: str, value: str, words: str) -> None:
    field, message = refused(make(headers={name: value}))
    assert field == f"headers.{name}"
    assert words in message


def test_a_tab_in_a_header_value_is_allowed() -> None:
    check_fields(make(headers={"X-A": "a\tb"}), secret_given=False)


@pytest.mark.parametrize(
    ("method", "field", "where"),
    [
        (RestMethod(request_body='{"a": 1,\n "b": }'), "methods[0].request_body", "line 2, column 7"),
        (RestMethod(mock_response="{'single': 'quotes'}"), "methods[0].mock_response", "line 1, column 2"),
        (RestMethod(error_response='{"error": '), "methods[0].error_response", "line 1"),
        (RestMethod(request_body='{"n": {{max_tokens}}, }'), "methods[0].request_body", "line 1, column 23"),
    ],
)
def test_payloads_must_be_json_when_the_content_type_is_json(method: RestMethod, field: str, where: str) -> None:
    found, message = refused(make(methods=[method]))
    assert found == field
    assert "not valid JSON" in message and where in message


def test_payloads_of_another_content_type_are_not_parsed() -> None:
    method = RestMethod(content_type="text/plain", request_body="질문: {{prompt}}", mock_response="答え")
    check_fields(make(methods=[method]), secret_given=False)
    vendor = RestMethod(content_type="application/vnd.api+json; charset=utf-8", request_body="{oops")
    assert refused(make(methods=[RestMethod(), vendor]))[0] == "methods[1].request_body"


@pytest.mark.parametrize(
    ("changes", "secret_given", "field", "words"),
    [
        ({"auth_type": "basic"}, True, "username", "user name"),
        ({"auth_type": "basic", "username": "  "}, True, "username", "user name"),
        ({"auth_type": "bearer", "username": "u"}, True, "username", "only with auth_type basic"),
        ({"auth_type": "api_key_header"}, True, "api_key_header", "header's name"),
        ({"auth_type": "api_key_header", "api_key_header": "Host"}, True, "api_key_header", "transport"),
        ({"auth_type": "bearer", "api_key_header": "X-Key"}, True, "api_key_header", "only with"),
        ({"auth_type": "none"}, True, "secret", "takes no secret"),
        ({"auth_type": "oci_api_key"}, False, "auth_type", "oci_genai and rest"),
        (
            {
                "kind": "oci_genai",
                "endpoint": "https://x.oraclecloud.com",
                "compartment_id": "ocid1.c",
                "auth_type": "bearer",
            },
            True,
            "auth_type",
            "signed",
        ),
        (
            {
                "kind": "oci_genai",
                "endpoint": "https://x.oraclecloud.com",
                "compartment_id": "ocid1.c",
                "auth_type": "oci_resource_principal",
            },
            True,
            "secret",
            "takes no secret",
        ),
    ],
)
def test_auth_type_agrees_with_kind_and_fields(
    changes: dict[str, Any], secret_given: bool, field: str, words: str
) -> None:
    found, message = refused(make(**changes), secret_given=secret_given)
    assert found == field
    assert words in message


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "azure_openai", "endpoint": "https://r.openai.azure.com"}, "api_version"),
        ({"kind": "oci_genai", "endpoint": "https://x.oraclecloud.com", "auth_type": "oci_api_key"}, "compartment_id"),
        (
            {
                "kind": "oci_genai",
                "endpoint": "https://x.oraclecloud.com",
                "auth_type": "oci_api_key",
                "compartment_id": "c1",
            },
            "compartment_id",
        ),
        ({"kind": "rest", "response_path": "text"}, "methods"),
        ({"kind": "rest", "response_path": "text", "methods": [RestMethod()]}, "methods[0].request_body"),
        ({"kind": "rest", "methods": [RestMethod(request_body="{}")]}, "response_path"),
        ({"response_path": "choices[0]..text"}, "response_path"),
        ({"models": ["a", "b"], "default_model": "c"}, "default_model"),
        ({"models": ["a", " "]}, "models[1]"),
    ],
)
def test_each_kind_has_what_it_needs(changes: dict[str, Any], field: str) -> None:
    assert refused(make(**changes))[0] == field


def test_a_default_model_without_a_model_list_is_typed_freely() -> None:
    check_fields(make(default_model="llama-3-ko"), secret_given=False)


async def test_a_name_resolving_to_a_metadata_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = {
        "evil.example": ["169.254.169.254"],
        "two.example": ["10.0.0.2", "fe80::1%eth0"],
        "ok.example": ["10.0.0.2", "2001:db8::1"],
    }

    async def fake_getaddrinfo(host: str, port: int, **kwargs: Any) -> list[Any]:
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in answers[host]
        ]

    loop = asyncio.get_running_loop()
    monkeypatch.setattr(loop, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(InvalidInput) as caught:
        await check_endpoint_now("https://evil.example/v1", False)
    assert caught.value.fields and caught.value.fields[0].field == "endpoint"
    assert "169.254.169.254" in caught.value.message
    with pytest.raises(InvalidInput, match="fe80::1"):
        await check_endpoint_now("https://two.example/v1", False)
    await check_endpoint_now("https://ok.example/v1", False)
    await check_endpoint_now("https://evil.example/v1", True)  # allowed explicitly: not even resolved
    with pytest.raises(Upstream, match="does not resolve"):
        await check_endpoint_now("https://nowhere.example/v1", False)
    with pytest.raises(InvalidInput):  # an address literal is judged without a look-up
        await check_endpoint_now("http://[fd00:ec2::254]/", False)


async def test_a_resolver_that_does_not_answer_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    async def hanging(*args: Any, **kwargs: Any) -> list[Any]:
        await asyncio.sleep(60)
        return []

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", hanging)
    monkeypatch.setattr(connection_rules, "RESOLVE_TIMEOUT_S", 0.05)
    with pytest.raises(UpstreamTimeout):
        await check_endpoint_now("https://slow.example/v1", False)


async def test_localhost_resolves_and_passes() -> None:
    await check_endpoint_now("http://localhost:11434/v1", False)
