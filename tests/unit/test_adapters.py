"""The rules of several LoRA adapters on one base (services/adapters.py): the checks (same base, rank within the
engine's limit, names), the engines' flags (vLLM: tested as flags only, no GPU here), and per-request routing."""

from __future__ import annotations

from typing import Any

import pytest

from aqua_ext.api.upstream import UpstreamTarget
from aqua_ext.backends.adapter_facts import AdapterFacts, BaseFacts, base_names
from aqua_ext.errors import InvalidInput
from aqua_ext.services.adapters import (
    adapter_args,
    adapter_named,
    check_adapters,
    live_fits,
    models_listing,
    route,
    route_openai,
    takes_adapters,
    where_adapters_change,
)

BASE = BaseFacts(names=base_names("demo:tiny", "/models/tiny"), label="'tiny'", hidden_size=64)


def adapter(index: int, name: str, rank: int | None = 8, base: str | None = "/models/tiny", **kw: Any) -> AdapterFacts:
    fields: dict[str, Any] = {
        "index": index,
        "name": name,
        "model_id": f"ft:{name}",
        "model_name": name.title(),
        "lora": True,
        "rank": rank,
        "base_model_name_or_path": base,
        "base_model_id": None,
        "weights_path": f"/jobs/{name}/adapter",
        **kw,
    }
    return AdapterFacts(**fields)


def refused(*args: Any, **kwargs: Any) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        check_adapters(*args, **kwargs)
    return caught.value


def test_vllm_flags_name_every_adapter_and_the_smallest_rank_that_holds_them() -> None:
    adapters = [
        adapter(0, "ko", rank=8, model_name="한국어 답변"),
        adapter(1, "ja", rank=40, model_name="日本語の回答"),
    ]
    checked = check_adapters("vllm", adapters, BASE, "base")
    assert [(a.name, a.model_name, a.rank) for a in checked] == [("ko", "한국어 답변", 8), ("ja", "日本語の回答", 40)]
    assert adapter_args("vllm", adapters, [8, 40]) == [
        "--enable-lora",
        "--max-loras",
        "2",
        "--max-lora-rank",
        "64",  # vLLM takes 1, 8, 16, 32, 64, …: the smallest that holds rank 40
        "--lora-modules",
        "ko=/jobs/ko/adapter",
        "ja=/jobs/ja/adapter",
    ]


def test_llama_cpp_flags_load_the_adapters_off() -> None:
    adapters = [adapter(0, "a", weights_path="/a.gguf"), adapter(1, "b", weights_path="/b.gguf")]
    assert adapter_args("llama.cpp", adapters, [8, 8]) == [
        "--lora",
        "/a.gguf",
        "--lora",
        "/b.gguf",
        "--lora-init-without-apply",
    ]


def test_a_rank_above_the_engines_limit_is_named() -> None:
    err = refused("vllm", [adapter(0, "a"), adapter(1, "wide", rank=1024)], BASE, "base")
    assert err.fields[0].field == "adapters.1" and "up to 512" in err.message
    # AQUA's stacked deployments on OCI start vLLM with --max-lora-rank 32.
    err = refused("vllm", [adapter(0, "a", rank=64)], BASE, "base", target="oci")
    assert err.fields[0].field == "adapters.0" and "up to 32" in err.message
    assert check_adapters("vllm", [adapter(0, "a", rank=32)], BASE, "base", target="oci")
    # A rank OCI does not record (AQUA's own fine-tunes record none) is not refused: AQUA deploys those.
    assert check_adapters("vllm", [adapter(0, "a", rank=None)], BASE, "base", target="oci")
    # llama.cpp has no limit of its own: the base's hidden size bounds a low-rank adapter.
    err = refused("llama.cpp", [adapter(0, "a", rank=128)], BASE, "base")
    assert err.fields[0].field == "adapters.0" and "hidden size is 64" in err.message


def test_an_adapter_of_another_base_is_named() -> None:
    err = refused("llama.cpp", [adapter(0, "a", base="/models/other")], BASE, "base")
    assert err.fields[0].field == "adapters.0" and "/models/other" in err.message
    # The lineage counts as well as the path (a folder named two ways is one folder).
    assert check_adapters("llama.cpp", [adapter(0, "a", base=None, base_model_id="demo:tiny")], BASE, "base")
    assert check_adapters("llama.cpp", [adapter(0, "a", base="/models/./tiny")], BASE, "base")


def test_names_engines_and_modes() -> None:
    assert refused("llama.cpp", [adapter(0, "base")], BASE, "base").fields[0].field == "adapters.0"
    assert refused("llama.cpp", [adapter(0, "a"), adapter(1, "a")], BASE, "b").fields[0].field == "adapters.1"
    assert refused("transformers", [adapter(0, "a")], BASE, "b").fields[0].field == "engine"
    assert refused("llama.cpp", [adapter(0, "a")], BASE, "b", mode="embedding").fields[0].field == "adapters"
    err = refused("llama.cpp", [adapter(0, "a", lora=False)], BASE, "b")
    assert err.fields[0].field == "adapters.0" and "not a LoRA" in err.message
    assert check_adapters("transformers", [], BASE, "b") == []  # no adapters: any engine


def target(routing: str | None, *names: str) -> UpstreamTarget:
    return UpstreamTarget(
        deployment_id="dep",
        mode="chat",
        model="/engine/id",
        base_url="http://127.0.0.1:1",
        served_model_name="colors",
        adapters=names,
        adapter_routing=routing,
    )


def test_llama_cpp_requests_carry_every_adapters_scale() -> None:
    t = target("llama.cpp", "red", "blue")
    body: dict[str, Any] = {"model": "colors/blue"}
    route_openai(t, body)
    assert body == {"model": "/engine/id", "lora": [{"id": 0, "scale": 0.0}, {"id": 1, "scale": 1.0}]}
    body = {"model": "colors"}
    route_openai(t, body)
    assert body["lora"] == [{"id": 0, "scale": 0.0}, {"id": 1, "scale": 0.0}]  # the base: all off
    with pytest.raises(InvalidInput) as caught:
        route_openai(t, {"model": "green"})
    assert caught.value.fields[0].field == "model" and "colors, red, blue" in caught.value.message
    with pytest.raises(InvalidInput) as caught:
        route_openai(t, {"model": "red", "lora": [{"id": 1, "scale": 5}]})
    assert caught.value.fields[0].field == "lora"


def test_model_routing_names_the_adapter_and_no_adapters_takes_any_name() -> None:
    body: dict[str, Any] = {}
    route(target("model", "red"), adapter_named(target("model", "red"), "red", "adapter"), body)
    assert body == {"model": "red"}
    body = {"model": "whatever-the-client-says"}
    route_openai(target(None), body)
    assert body == {"model": "/engine/id"}
    with pytest.raises(InvalidInput) as caught:
        adapter_named(target(None), "red", "adapter")
    assert caught.value.fields[0].field == "adapter"


def test_models_listing_names_the_base_then_its_adapters() -> None:
    listing = models_listing(target("llama.cpp", "red", "blue"))
    assert [(m["id"], m.get("parent")) for m in listing] == [("colors", None), ("red", "colors"), ("blue", "colors")]


def test_vllm_changes_live_only_within_what_it_was_started_with() -> None:
    started = adapter_args("vllm", [adapter(0, "a", rank=16), adapter(1, "b")], [16, 8])
    assert live_fits(started, adapter_args("vllm", [adapter(0, "c"), adapter(1, "b", rank=16)], [8, 16]))
    assert live_fits(started, [])  # removing every adapter
    # A rank above the --max-lora-rank it started with, more adapters than its --max-loras (they would not be
    # served in one batch), or an engine started without adapters: restart.
    assert not live_fits(started, adapter_args("vllm", [adapter(0, "wide", rank=64)], [64]))
    assert not live_fits(started, adapter_args("vllm", [adapter(i, f"x{i}") for i in range(3)], [8] * 3))
    assert not live_fits([], adapter_args("vllm", [adapter(0, "a")], [8]))


def test_which_deployments_take_other_adapters_and_the_words_when_not() -> None:
    assert takes_adapters("local", "llama.cpp", "chat") and takes_adapters("local", "vllm", "completion")
    assert not takes_adapters("local", "vllm", "embedding")
    assert not takes_adapters("local", "transformers", "chat")
    # AQUA's stacked deployments are created with their adapters; other ones need a new model group: not offered.
    assert not takes_adapters("oci", "vllm", "chat")
    assert where_adapters_change() == (
        "adapters change on chat or completion deployments served by llama.cpp or vllm on the local target"
    )
