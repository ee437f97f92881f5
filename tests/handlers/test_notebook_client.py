"""`aqua_ext.client` against a real Jupyter server with aqua_ext, as a notebook kernel uses it: the
server and its token found from the runtime file the server writes, the `openai` client through
the pass-through to a connection and to a deployment (both answered by the stub upstream), with
Korean and Japanese prompts; an unknown id lists what exists."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from aqua_ext import client
from aqua_ext.api.deployments import DeploymentState, DeploymentSummary
from aqua_ext.api.upstream import UpstreamTarget
from tests.stub_upstream import StubConfig, StubUpstream
from tests.unit.test_lifecycle_actions import deployment


@pytest.fixture
def stub() -> Iterator[StubUpstream]:
    with StubUpstream(StubConfig(tokens=4, model="gpt-stub")) as s:
        yield s


@pytest.fixture
def lab(jp_fetch: Any, jp_serverapp: Any) -> Any:
    """The test server, listening (jp_fetch starts it) and with its jpserver-<pid>.json written
    where a kernel's client looks (pytest-jupyter points JUPYTER_RUNTIME_DIR at a temporary folder)."""
    jp_serverapp.write_server_info_file()
    yield jp_serverapp
    jp_serverapp.remove_server_info_file()


@pytest.fixture
def stub_deployment(jp_serverapp: Any, stub: StubUpstream, monkeypatch: pytest.MonkeyPatch) -> str:
    """An ACTIVE deployment `dep-stub` whose engine is the stub (the driver's answers patched:
    these tests are about the client, not engines)."""
    [app] = jp_serverapp.extension_manager.extension_apps["aqua_ext"]
    backend = app.aqua_backend
    summary = deployment(DeploymentState.ACTIVE).model_copy(
        update={"id": "dep-stub", "name": "한국어 데모", "openai_base_path": "aqua-ext/deployments/dep-stub/v1"}
    )

    async def list_deployments() -> list[DeploymentSummary]:
        return [summary]

    async def upstream(deployment_id: str) -> UpstreamTarget:
        return UpstreamTarget(deployment_id=deployment_id, mode="chat", model="stub-model", base_url=stub.url)

    monkeypatch.setattr(backend, "list_deployments", list_deployments)
    monkeypatch.setattr(backend, "upstream", upstream)
    return "dep-stub"


def chat(oai: Any, model: str, prompt: str) -> str:
    answer = oai.chat.completions.create(model=model, messages=[{"role": "user", "content": prompt}], max_tokens=3)
    return str(answer.choices[0].message.content)


async def test_the_client_finds_the_lab_and_reaches_a_connection(lab: Any, api: Any, stub: StubUpstream) -> None:
    status, created = await api(
        "connections",
        method="POST",
        body={
            "name": "팀 서비스",
            "kind": "openai",
            "endpoint": stub.url + "/v1",
            "auth_type": "none",
            "models": ["gpt-stub"],
            "default_model": "gpt-stub",
        },
    )
    assert status == 201, created
    # The kernel side runs in a thread: the server shares this test's event loop.
    server = await asyncio.to_thread(client.find_server)
    assert server.token == lab.identity_provider.token and server.url == lab.connection_url
    listed = await asyncio.to_thread(client.connections)
    assert [c["id"] for c in listed] == [created["id"]]

    oai = await asyncio.to_thread(client.openai_client, created["id"], max_retries=0)
    assert str(oai.base_url).endswith(f"aqua-ext/connections/{created['id']}/v1/")
    assert await asyncio.to_thread(chat, oai, "gpt-stub", "안녕하세요, 한 문장으로 답해 주세요") == "tok0 tok1 tok2"
    # The Jupyter token went to Jupyter, not to the service (auth_type none).
    assert stub.stats.authorizations == [None]


async def test_the_client_reaches_a_deployment(lab: Any, stub: StubUpstream, stub_deployment: str) -> None:
    listed = await asyncio.to_thread(client.deployments)
    assert [(d["id"], d["state"]) for d in listed] == [("dep-stub", "ACTIVE")]
    oai = await asyncio.to_thread(client.openai_client, stub_deployment, max_retries=0)
    assert await asyncio.to_thread(chat, oai, "any", "日本語で答えてください") == "tok0 tok1 tok2"
    pieces = await asyncio.to_thread(
        lambda: [
            c.choices[0].delta.content or ""
            for c in oai.chat.completions.create(
                model="any", messages=[{"role": "user", "content": "서울은?"}], max_tokens=2, stream=True
            )
            if c.choices
        ]
    )
    assert "".join(pieces) == "tok0 tok1"


async def test_an_unknown_id_or_a_wrong_token_is_said_plainly(lab: Any, stub_deployment: str) -> None:
    with pytest.raises(client.UnknownResource, match=r"No deployment 'dep-nope'.*dep-stub \(한국어 데모, ACTIVE\)"):
        await asyncio.to_thread(client.openai_client, "dep-nope")
    with pytest.raises(client.UnknownResource, match=r"No connection 'conn-nope'.*connections: none"):
        await asyncio.to_thread(client.openai_client, "conn-nope")
    with pytest.raises(PermissionError, match="refused the token"):
        await asyncio.to_thread(client.deployments, token="wrong")
