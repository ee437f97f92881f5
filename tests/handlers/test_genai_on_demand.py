"""On-demand models of OCI Generative AI over the emulator: the region's base models that OCI serves per call are
listed (chat and embeddings; a deprecated one marked with its retirement date; a retired one, a reranker and a
text-generation-only one left out), and each is a deployment by its OCID: read, chatted with through the
playground's stream and the OpenAI pass-through (signed by the SDK's signer, servingMode ON_DEMAND naming the model,
the COHERE format for cohere.* models), embedded. An id that is no model, or a model that cannot be used on demand,
is a 404 or a 400 naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from tests.handlers.test_genai import GENAI_SERVICES, assert_error, base_model
from tests.handlers.test_oci_deployments import chat_events
from tests.oci_setup import OciWorld

ON_DEMAND = {
    "cohere.command-r-08-2024": "chat",
    "cohere.command-r-plus-08-2024": "chat",
    "meta.llama-3.1-70b-instruct": "chat",
    "meta.llama-3.3-70b-instruct": "chat",
    "cohere.embed-multilingual-v3.0": "embedding",
}


@pytest.fixture
def jp_server_config(world: OciWorld) -> dict[str, Any]:
    world.emulator.transition_seconds = 0.05
    traits = world.traits(
        backend="auto",
        targets=["oci", "genai"],
        oci_endpoints={s: world.emulator.endpoint(s) for s in GENAI_SERVICES},
    )
    return {
        "ServerApp": {"jpserver_extensions": {"aqua_ext": True}, "allow_unauthenticated_access": False},
        "AquaExtension": traits,
    }


async def test_the_region_s_on_demand_models_are_listed_by_the_rule(api: Any, world: OciWorld) -> None:
    status, listed = await api("genai/on-demand-models")
    assert status == 200, listed
    by_name = {m["name"]: m for m in listed["items"]}
    # Left out: cohere.command (TEXT_GENERATION only), the reranker, and meta.llama-3-70b-instruct (retired on demand).
    assert {name: m["mode"] for name, m in by_name.items()} == ON_DEMAND
    assert listed["total"] == len(ON_DEMAND)
    assert [m["mode"] for m in listed["items"]] == sorted(
        (m["mode"] for m in listed["items"]), key=lambda x: x != "chat"
    )
    assert all(m["target"] == "genai" and m["id"].startswith("ocid1.generativeaimodel.") for m in listed["items"])
    assert by_name["meta.llama-3.3-70b-instruct"]["actions"] == ["chat", "evaluate"]
    assert by_name["cohere.embed-multilingual-v3.0"]["actions"] == ["chat"]  # an embedder has no answers to score

    deprecated = by_name["meta.llama-3.1-70b-instruct"]
    retires = world.emulator.generative_ai.base_model("meta.llama-3.1-70b-instruct")["timeOnDemandRetired"]
    assert deprecated["deprecated"] is True and deprecated["retires_at"] is not None
    assert deprecated["note"] == f"deprecated: retires on demand on {retires[:10]}"
    assert (
        by_name["meta.llama-3.3-70b-instruct"]["deprecated"] is False
        and not by_name["meta.llama-3.3-70b-instruct"]["note"]
    )

    # They are OCI's to serve, not deployments of the user: the deployments list does not hold them.
    status, deployments = await api("deployments")
    assert status == 200, deployments
    assert not {d["id"] for d in deployments["items"]} & {m["id"] for m in listed["items"]}


@pytest.mark.parametrize(
    ("name", "question"),
    [
        ("meta.llama-3.3-70b-instruct", "안녕하세요, 서울의 날씨는 어때요?"),
        ("cohere.command-r-08-2024", "東京の天気は? And in English?"),
    ],
    ids=["generic", "cohere"],
)
async def test_an_on_demand_model_chats_as_a_deployment(
    api: Any, jp_fetch: Any, world: OciWorld, name: str, question: str
) -> None:
    model_id = base_model(world, name)
    status, detail = await api(f"deployments/{model_id}")
    assert status == 200, detail
    assert detail["state"] == "ACTIVE" and detail["target"] == "genai" and detail["mode"] == "chat", detail
    assert detail["shape"] == "on-demand" and detail["engine"] == "oci-genai" and detail["model_name"] == name
    assert detail["actions"] == ["chat", "evaluate"]

    world.emulator.reset_calls()
    # The playground's stream, through the SDK signer against the emulator (which refuses unsigned calls): the echo
    # comes back only from the model named ON_DEMAND, in the format its vendor speaks.
    events, _ = await chat_events(jp_fetch, model_id, {"messages": [{"role": "user", "content": question}]})
    kinds = [kind for kind, _ in events]
    assert kinds[-1] == "done", events
    assert "".join(data["content"] for kind, data in events if kind == "delta") == f"Echo: {question}"
    assert world.emulator.calls["Chat"] == 1
    # No control-plane call per turn: the model was seen when its detail was read.
    assert world.emulator.calls["ListModels"] == 0 and world.emulator.calls["GetModel"] == 0

    status, answer = await api(
        f"deployments/{model_id}/v1/chat/completions",
        method="POST",
        body={"model": "any", "messages": [{"role": "user", "content": question}], "max_tokens": 32},
    )
    assert status == 200, answer
    assert answer["choices"][0]["message"]["content"] == f"Echo: {question}"

    # OCI serves it: nothing to stop, start or delete.
    status, error = await api(f"deployments/{model_id}", method="DELETE")
    assert_error(status, error, 409)


async def test_an_on_demand_embedding_model_embeds(api: Any, world: OciWorld) -> None:
    model_id = base_model(world, "cohere.embed-multilingual-v3.0")
    status, detail = await api(f"deployments/{model_id}")
    assert status == 200 and detail["mode"] == "embedding" and detail["actions"] == ["chat"], detail
    status, embedded = await api(
        f"deployments/{model_id}/embed", method="POST", body={"inputs": ["안녕하세요", "こんにちは", "hello"]}
    )
    assert status == 200, embedded
    assert embedded["dimensions"] == 3 and len(embedded["similarity"]) == 3
    assert world.emulator.calls["EmbedText"] == 1


async def test_bad_on_demand_ids_are_404s_or_400s_naming_the_field(api: Any, world: OciWorld) -> None:
    unknown = "ocid1.generativeaimodel.oc1.us-chicago-1.nosuchmodel"
    status, error = await api(f"deployments/{unknown}")
    assert_error(status, error, 404)
    status, error = await api(f"deployments/{unknown}/v1/chat/completions", method="POST",
                              body={"model": "m", "messages": [{"role": "user", "content": "안녕"}]})  # fmt: skip
    assert_error(status, error, 404)
    # A model that cannot be used on demand: a reranker, a text-generation-only one, one retired on demand.
    for name, why in (
        ("cohere.rerank-multilingual-v3.1", "TEXT_RERANK"),
        ("cohere.command", "TEXT_GENERATION"),
        ("meta.llama-3-70b-instruct", "retired"),
    ):
        status, error = await api(f"deployments/{base_model(world, name)}")
        assert_error(status, error, 400, "deployment_id")
        assert why in error["message"] and "on demand" in error["message"], error
    # An embedder has no answers to score: evaluating it is a 400 naming deployment_id, nothing started.
    embedder = base_model(world, "cohere.embed-multilingual-v3.0")
    world.emulator.reset_calls()
    body = {"deployment_id": embedder, "name": "e", "dataset_path": "x.jsonl"}
    status, error = await api("evaluations", method="POST", body=body)
    assert_error(status, error, 400, "deployment_id")
    assert "embeddings" in error["message"], error
    assert world.emulator.calls["Chat"] == 0 and world.emulator.calls["EmbedText"] == 0
