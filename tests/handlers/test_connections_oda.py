"""Seed 002's flow through the REST API: import its `exportedRestServices` YAML (two Cohere services
and one Llama on OCI Generative AI, resource principal), point them at the OCI Generative AI stub
(which checks every request's OCI signature) and sign with the server's OCI config, send each one's
test request, chat with one in the playground, export the YAML again and import it back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped,unused-ignore]

from tests.handlers.test_connections import events_of
from tests.oci_emulator.keys import OciTestConfig, write_oci_config
from tests.provider_stubs.oci_genai import OciGenAiStub

SEED_YAML = Path(__file__).parent.parent / "fixtures" / "oda_llm_services.yaml"
MODELS = ["cohere.command", "cohere.command-light", "meta.llama-2-70b-chat"]


@pytest.fixture
def oci_identity(tmp_path: Path) -> OciTestConfig:
    return write_oci_config(tmp_path / "oci")


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any], oci_identity: OciTestConfig) -> dict[str, Any]:
    # The local target only; the OCI config signs the connections' requests.
    jp_server_config["AquaExtension"].update(
        {"oci_config_file": str(oci_identity.config_file), "oci_profile": oci_identity.profile}
    )
    return jp_server_config


@pytest.fixture
def genai_stub(oci_identity: OciTestConfig) -> Iterator[OciGenAiStub]:
    with OciGenAiStub(oci_identity, models=MODELS) as stub:
        yield stub


async def test_seed_002_import_test_chat_export(api: Any, jp_fetch: Any, genai_stub: OciGenAiStub) -> None:
    status, imported = await api("connections/import", method="POST", body={"yaml": SEED_YAML.read_text()})
    assert status == 201, imported
    services = {c["name"]: c for c in imported["created"]}
    assert sorted(services) == ["genAI_cohere", "genAI_cohere_light", "genAI_llama"]
    for name, model in zip(["genAI_cohere", "genAI_cohere_light", "genAI_llama"], MODELS, strict=True):
        assert services[name]["kind"] == "oci_genai" and services[name]["models"] == [model], services[name]
        assert services[name]["auth_type"] == "oci_resource_principal"
    _, detail = await api(f"connections/{services['genAI_llama']['id']}")
    [method] = detail["methods"]
    assert '"runtimeType": "LLAMA"' in method["request_body"] and "Windows open" not in method["mock_response"]
    assert "I'm not able to generate jokes" in method["mock_response"]

    # Outside OCI there is no resource principal: sign with the server's OCI config, at the stub.
    for connection in services.values():
        status, edited = await api(
            f"connections/{connection['id']}",
            method="PATCH",
            body={"endpoint": genai_stub.url + "/20231130/actions/generateText", "auth_type": "oci_api_key"},
        )
        assert status == 200, edited
        status, tested = await api(f"connections/{connection['id']}/test", method="POST", body={})
        assert status == 200 and tested["ok"], (connection["name"], tested)
        assert tested["status_code"] == 200 and tested["answer"], tested

    # The playground with one of them: generateText does not stream, the answer comes whole.
    cid = services["genAI_cohere"]["id"]
    _, listed = await api("connections")
    assert {c["streaming"] for c in listed["connections"]} == {False}
    response = await jp_fetch(
        "aqua-ext", "connections", cid, "chat", method="POST", body=json.dumps({"prompt": "농담 하나 / 冗談を一つ"})
    )
    events = events_of(response.body)
    assert [kind for kind, _ in events] == ["delta", "done"], events
    assert events[0][1]["content"] and events[1][1]["tokens"] >= 1
    status, exported = await api("connections/export")
    assert status == 200
    document = yaml.safe_load(exported["yaml"])
    entries = {e["name"]: e for e in document["exportedRestServices"]}
    assert set(entries) == set(services)
    assert entries["genAI_llama"]["restServiceMethods"][0]["requestBody"] == method["request_body"]

    # What was exported imports back unchanged (after the originals are gone: names are unique).
    for connection in services.values():
        assert (await api(f"connections/{connection['id']}", method="DELETE"))[0] == 204
    status, again = await api("connections/import", method="POST", body={"yaml": exported["yaml"]})
    assert status == 201, again
    for connection in again["created"]:
        _, detail2 = await api(f"connections/{connection['id']}")
        assert detail2["endpoint"] == genai_stub.url + "/20231130/actions/generateText"
        assert detail2["auth_type"] == "oci_api_key" and detail2["secret_set"] is False


async def test_bad_yaml_names_the_entry_and_key(api: Any) -> None:
    bad = SEED_YAML.read_text().replace("authType: resourcePrincipal", "authType: carrierPigeon", 1)
    status, error = await api("connections/import", method="POST", body={"yaml": bad})
    assert status == 400 and "exportedRestServices[0].authType" in error["message"], error
    status, error = await api("connections/import", method="POST", body={"yaml": "exportedRestServices: [\n"})
    assert status == 400 and "line" in error["message"], error
    _, listed = await api("connections")
    assert listed["connections"] == []  # all or none
