"""The rule of which Generative AI models are usable on demand (services/genai_on_demand.py), on the contract's
models as the driver maps them from the SDK: a BASE, ACTIVE model with CHAT or TEXT_EMBEDDINGS, not retired for
on-demand serving; a deprecated one listed and marked; the list ordered chat first."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from aqua_ext.api.genai import GenAiModel
from aqua_ext.services.genai_on_demand import is_on_demand, listed, mode_of, why_not

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=timezone.utc)


def model(name: str, capabilities: list[str], **extra: Any) -> GenAiModel:
    fields: dict[str, Any] = {"id": f"ocid1.generativeaimodel.oc1.us-chicago-1.{name}", "name": name,
                              "state": "ACTIVE", "type": "BASE", "capabilities": capabilities, **extra}  # fmt: skip
    return GenAiModel(**fields)


def test_chat_and_embedding_models_are_usable_and_their_mode_follows_the_capability() -> None:
    chat = model("meta.llama-3.3-70b-instruct", ["CHAT"])
    tuned_chat = model("cohere.command-r-08-2024", ["CHAT", "FINE_TUNE"])
    embed = model("cohere.embed-multilingual-v3.0", ["TEXT_EMBEDDINGS"])
    assert [why_not(m, NOW) for m in (chat, tuned_chat, embed)] == [None, None, None]
    assert [mode_of(m) for m in (chat, tuned_chat, embed)] == ["chat", "chat", "embedding"]


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"type": "CUSTOM"}, "fine-tuned"),
        ({"type": "IMPORTED", "id": "ocid1.generativeaiimportedmodel.oc1..x"}, "imported"),
        ({"state": "CREATING"}, "CREATING"),
        ({"capabilities": ["TEXT_RERANK"]}, "TEXT_RERANK"),
        ({"capabilities": ["TEXT_GENERATION", "TEXT_SUMMARIZATION"]}, "TEXT_GENERATION"),
        ({"on_demand_retired_at": NOW - timedelta(days=1)}, "retired for on-demand serving on 2026-12-06"),
    ],
    ids=["fine-tuned", "imported", "not-active", "reranker", "text-generation", "retired"],
)
def test_what_cannot_be_used_on_demand_says_why(overrides: dict[str, Any], words: str) -> None:
    unusable = model("모델", ["CHAT"]).model_copy(update=overrides)
    why = why_not(unusable, NOW)
    assert why is not None and words in why and "'모델'" in why


def test_a_deprecated_model_is_listed_marked_and_a_retired_one_is_not() -> None:
    deprecated = model("meta.llama-3.1-70b-instruct", ["CHAT"], deprecated_at=NOW - timedelta(days=30),
                       on_demand_retired_at=NOW + timedelta(days=60))  # fmt: skip
    soon = model("later-deprecated", ["CHAT"], deprecated_at=NOW + timedelta(days=5))
    retired = model("meta.llama-3-70b-instruct", ["CHAT"], on_demand_retired_at=NOW - timedelta(seconds=1))
    embed = model("cohere.embed-multilingual-v3.0", ["TEXT_EMBEDDINGS"])
    rerank = model("cohere.rerank-multilingual-v3.1", ["TEXT_RERANK"])
    items = listed([embed, retired, rerank, soon, deprecated], NOW).items
    assert [m.name for m in items] == [
        "later-deprecated",
        "meta.llama-3.1-70b-instruct",
        "cohere.embed-multilingual-v3.0",
    ]
    marked = items[1]
    assert marked.deprecated and marked.retires_at == NOW + timedelta(days=60)
    assert marked.note == "deprecated: retires on demand on 2027-02-05"
    assert not items[0].deprecated and items[0].note == ""  # deprecated only from a date still ahead
    assert items[0].actions == ["chat", "evaluate"] and items[2].actions == ["chat"]


def test_only_a_genai_model_id_is_an_on_demand_deployment() -> None:
    assert is_on_demand("genai", "ocid1.generativeaimodel.oc1.us-chicago-1.abc")
    assert not is_on_demand("genai", "ocid1.generativeaiendpoint.oc1.us-chicago-1.abc")
    assert not is_on_demand("oci", "ocid1.generativeaimodel.oc1.us-chicago-1.abc")
