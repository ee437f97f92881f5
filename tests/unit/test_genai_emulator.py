"""The OCI emulator's Generative AI, driven with the real `oci` SDK clients (signed requests): dedicated AI
clusters that become ACTIVE over time, endpoints on them, fine-tuning with LoRA and T-Few, imported models,
work requests, service limits, faults and the inference host reaching endpoints."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

import oci
import pytest

from tests.oci_emulator import FaultConfig, OciEmulator, OciTestConfig, write_oci_config

G = oci.generative_ai.models
I = oci.generative_ai_inference.models  # noqa: E741
NO_RETRY = oci.retry.NoneRetryStrategy()
DATASET = '{"prompt": "안녕하세요", "completion": "こんにちは"}\n{"prompt": "東京", "completion": "서울"}\n' * 5


@pytest.fixture(scope="module")
def cfg(tmp_path_factory: pytest.TempPathFactory) -> OciTestConfig:
    return write_oci_config(tmp_path_factory.mktemp("oci"))


@pytest.fixture
def emu(cfg: OciTestConfig) -> Any:
    with OciEmulator(config=cfg, transition_seconds=0.05) as emulator:
        yield emulator


def _client(emu: OciEmulator, cls: type, service: str) -> Any:
    return cls(emu.config, service_endpoint=emu.endpoint(service), retry_strategy=NO_RETRY)


@pytest.fixture
def genai(emu: OciEmulator) -> Any:
    return _client(emu, oci.generative_ai.GenerativeAiClient, "generativeai")


@pytest.fixture
def comp(emu: OciEmulator) -> str:
    return emu.add_compartment("개발-開発")


def _wait(get: Any, states: tuple[str, ...], timeout: float = 5.0) -> Any:
    """Poll like a client would (no fast-forward): the state moves with time."""
    deadline = time.monotonic() + timeout
    while True:
        data = get().data
        if data.lifecycle_state in states or time.monotonic() > deadline:
            return data
        time.sleep(0.02)


def _base(genai: Any, comp: str, name: str) -> Any:
    models = genai.list_models(comp, display_name=name).data.items
    assert len(models) == 1, name
    return models[0]


def _cluster(genai: Any, comp: str, kind: str, shape: str, count: int = 1, name: str = "クラスタ") -> Any:
    return genai.create_dedicated_ai_cluster(
        G.CreateDedicatedAiClusterDetails(
            compartment_id=comp, type=kind, unit_shape=shape, unit_count=count, display_name=name
        )
    )


def _error(call: Any) -> oci.exceptions.ServiceError:
    with pytest.raises(oci.exceptions.ServiceError) as info:
        call()
    return info.value


def test_a_hosting_cluster_becomes_active_over_time_and_hosts_an_endpoint(emu: OciEmulator, genai: Any,
                                                                         comp: str) -> None:  # fmt: skip
    created = _cluster(genai, comp, "HOSTING", "A10_X2", name="호스팅-クラスタ")
    cluster = created.data
    assert (cluster.lifecycle_state, cluster.unit_shape, cluster.unit_count) == ("CREATING", "A10_X2", 1)
    assert cluster.display_name == "호스팅-クラスタ"
    wr_id = created.headers["opc-work-request-id"]
    progress = []
    while (wr := genai.get_work_request(wr_id).data).status not in ("SUCCEEDED", "FAILED"):
        progress.append(wr.percent_complete)
        time.sleep(0.02)
    assert wr.status == "SUCCEEDED" and wr.percent_complete == 100.0
    assert progress == sorted(progress) and len(set(progress)) >= 2, progress  # it moved, never backwards
    assert wr.resources[0].identifier == cluster.id and wr.resources[0].action_type == "CREATED"
    active = genai.get_dedicated_ai_cluster(cluster.id).data
    assert active.lifecycle_state == "ACTIVE"
    assert isinstance(active.capacity, G.DedicatedAiClusterHostingCapacity)
    assert active.capacity.used_endpoint_capacity == 0
    assert [c.id for c in genai.list_dedicated_ai_clusters(comp).data.items] == [cluster.id]

    base = _base(genai, comp, "meta.llama-3.3-70b-instruct")
    endpoint = genai.create_endpoint(
        G.CreateEndpointDetails(
            compartment_id=comp, model_id=base.id, dedicated_ai_cluster_id=cluster.id, display_name="エンドポイント"
        )
    ).data
    assert endpoint.lifecycle_state == "CREATING"
    assert _wait(lambda: genai.get_endpoint(endpoint.id), ("ACTIVE",)).lifecycle_state == "ACTIVE"
    assert genai.get_dedicated_ai_cluster(cluster.id).data.capacity.used_endpoint_capacity == 1
    assert [e.display_name for e in genai.list_endpoints(comp).data.items] == ["エンドポイント"]

    # Nothing is deleted from under an endpoint; the endpoint goes first, then the cluster.
    assert _error(lambda: genai.delete_dedicated_ai_cluster(cluster.id)).status == 409
    wr = genai.delete_endpoint(endpoint.id).headers["opc-work-request-id"]
    assert genai.get_endpoint(endpoint.id).data.lifecycle_state == "DELETING"
    emu.fast_forward()
    assert genai.get_work_request(wr).data.operation_type == "DELETE_ENDPOINT"
    assert genai.get_endpoint(endpoint.id).data.lifecycle_state == "DELETED"
    genai.delete_dedicated_ai_cluster(cluster.id)
    emu.fast_forward()
    assert genai.get_dedicated_ai_cluster(cluster.id).data.lifecycle_state == "DELETED"


def test_list_models_shows_the_region_s_base_models_with_their_capabilities(genai: Any, comp: str) -> None:
    items = genai.list_models(comp).data.items
    by_name = {m.display_name: m for m in items}
    assert {"cohere.command-r-08-2024", "meta.llama-3.1-70b-instruct", "cohere.embed-multilingual-v3.0"} <= set(by_name)
    assert all(m.type == "BASE" and m.lifecycle_state == "ACTIVE" for m in items)
    assert "FINE_TUNE" in by_name["meta.llama-3.1-70b-instruct"].capabilities
    assert by_name["cohere.embed-multilingual-v3.0"].capabilities == ["TEXT_EMBEDDINGS"]
    embedders = genai.list_models(comp, capability=["TEXT_EMBEDDINGS"]).data.items
    assert [m.display_name for m in embedders] == ["cohere.embed-multilingual-v3.0"]
    first = genai.list_models(comp, limit=2, sort_by="displayName", sort_order="ASC")
    assert len(first.data.items) == 2 and first.next_page
    rest = genai.list_models(comp, limit=100, page=first.next_page, sort_by="displayName", sort_order="ASC")
    names = [m.display_name for m in first.data.items + rest.data.items]
    assert names == sorted(names) and len(names) == len(items)


@pytest.mark.parametrize(
    ("base_name", "config", "metrics_type"),
    [
        ("meta.llama-3.1-70b-instruct",
         G.LoraTrainingConfig(total_training_epochs=2, learning_rate=0.0003, training_batch_size=8, lora_r=16,
                              lora_alpha=32, lora_dropout=0.05, early_stopping_patience=5,
                              early_stopping_threshold=0.001, log_model_metrics_interval_in_steps=5),
         "CHAT_MODEL_METRICS"),
        ("cohere.command-r-08-2024", G.TFewTrainingConfig(total_training_epochs=1, training_batch_size=16),
         "CHAT_MODEL_METRICS"),
        ("cohere.command", G.VanillaTrainingConfig(num_of_last_layers=4), "TEXT_GENERATION_MODEL_METRICS"),
    ],
    ids=["lora", "t-few", "vanilla"],
)  # fmt: skip
def test_fine_tuning_trains_on_a_fine_tuning_cluster_and_reports_metrics(
    emu: OciEmulator, genai: Any, comp: str, base_name: str, config: Any, metrics_type: str
) -> None:
    emu.add_bucket(None, "学習データ")
    emu.put_object(None, "学習データ", "train.jsonl", DATASET.encode())
    cluster = _cluster(genai, comp, "FINE_TUNING", "LARGE_GENERIC", count=2).data
    emu.fast_forward()
    base = _base(genai, comp, base_name)
    dataset = G.ObjectStorageDataset(namespace_name=emu.namespace, bucket_name="学習データ", object_name="train.jsonl")
    created = genai.create_model(
        G.CreateModelDetails(
            compartment_id=comp, base_model_id=base.id, display_name="미세조정-微調整",
            fine_tune_details=G.FineTuneDetails(training_dataset=dataset, dedicated_ai_cluster_id=cluster.id,
                                                training_config=config),
        )
    )  # fmt: skip
    model = created.data
    assert (model.lifecycle_state, model.type, model.base_model_id) == ("CREATING", "CUSTOM", base.id)
    assert model.fine_tune_details.training_config.training_config_type == config.training_config_type
    wr = genai.get_work_request(created.headers["opc-work-request-id"]).data
    assert wr.operation_type == "CREATE_MODEL" and wr.status in ("ACCEPTED", "IN_PROGRESS")
    assert _error(lambda: genai.delete_dedicated_ai_cluster(cluster.id)).status == 409  # still training
    done = _wait(lambda: genai.get_model(model.id), ("ACTIVE", "FAILED"))
    assert done.lifecycle_state == "ACTIVE", done.lifecycle_details
    assert done.display_name == "미세조정-微調整"
    assert done.model_metrics.model_metrics_type == metrics_type
    assert 0 < done.model_metrics.final_accuracy <= 1 and done.model_metrics.final_loss > 0
    trained = done.fine_tune_details.training_config
    for attr in ("total_training_epochs", "learning_rate", "training_batch_size", "early_stopping_patience"):
        assert getattr(trained, attr) is not None, attr  # the service's defaults filled in
    for attr in config.attribute_map:
        if getattr(config, attr) is not None:
            assert getattr(trained, attr) == getattr(config, attr), attr
    assert done.capabilities and "FINE_TUNE" not in done.capabilities
    assert model.id in [m.id for m in genai.list_models(comp, id=model.id).data.items]
    genai.delete_model(model.id)
    emu.fast_forward()
    assert genai.get_model(model.id).data.lifecycle_state == "DELETED"


def test_fine_tuning_refuses_bad_hyperparameters_naming_the_field(emu: OciEmulator, genai: Any, comp: str) -> None:
    cluster = _cluster(genai, comp, "FINE_TUNING", "SMALL_COHERE_V2", count=8).data
    emu.fast_forward()
    llama = _base(genai, comp, "meta.llama-3.1-70b-instruct")
    dataset = G.ObjectStorageDataset(namespace_name=emu.namespace, bucket_name="b", object_name="t.jsonl")

    def create(config: Any, base: Any = llama) -> oci.exceptions.ServiceError:
        return _error(lambda: genai.create_model(G.CreateModelDetails(
            compartment_id=comp, base_model_id=base.id,
            fine_tune_details=G.FineTuneDetails(training_dataset=dataset, dedicated_ai_cluster_id=cluster.id,
                                                training_config=config))))  # fmt: skip

    err = create(G.LoraTrainingConfig(lora_r=0))
    assert (err.status, err.code) == (400, "InvalidParameter") and "loraR" in err.message
    err = create(G.TFewTrainingConfig())
    assert "trainingConfigType" in err.message and "LORA_TRAINING_CONFIG" in err.message
    err = create(G.LoraTrainingConfig(total_training_epochs=1, learning_rate=2.0))
    assert "learningRate" in err.message
    err = create(G.LoraTrainingConfig(), base=_base(genai, comp, "cohere.embed-multilingual-v3.0"))
    assert "cannot be fine-tuned" in err.message
    hosting = _cluster(genai, comp, "HOSTING", "A10_X1").data
    emu.fast_forward()
    on_hosting = G.FineTuneDetails(training_dataset=dataset, dedicated_ai_cluster_id=hosting.id)
    err = _error(lambda: genai.create_model(
        G.CreateModelDetails(compartment_id=comp, base_model_id=llama.id, fine_tune_details=on_hosting)))  # fmt: skip
    assert err.status == 400 and "FINE_TUNING" in err.message
    assert [m for m in genai.list_models(comp).data.items if m.type == "CUSTOM"] == []  # nothing was created


def test_a_dataset_with_a_bad_line_fails_the_training_with_the_line_number(emu: OciEmulator, genai: Any,
                                                                          comp: str) -> None:  # fmt: skip
    emu.add_bucket(None, "data")
    emu.put_object(None, "data", "bad.jsonl", DATASET + '{"prompt": "только prompt"}\n')
    cluster = _cluster(genai, comp, "FINE_TUNING", "LARGE_GENERIC", count=2).data
    emu.fast_forward()
    created = genai.create_model(G.CreateModelDetails(
        compartment_id=comp, base_model_id=_base(genai, comp, "meta.llama-3.1-70b-instruct").id,
        fine_tune_details=G.FineTuneDetails(
            training_dataset=G.ObjectStorageDataset(namespace_name=emu.namespace, bucket_name="data",
                                                    object_name="bad.jsonl"),
            dedicated_ai_cluster_id=cluster.id, training_config=G.LoraTrainingConfig())))  # fmt: skip
    emu.fast_forward()
    model = genai.get_model(created.data.id).data
    assert model.lifecycle_state == "FAILED" and "line 11" in model.lifecycle_details
    wr_id = created.headers["opc-work-request-id"]
    assert genai.get_work_request(wr_id).data.status == "FAILED"
    errors = genai.list_work_request_errors(wr_id).data.items
    assert len(errors) == 1 and "line 11" in errors[0].message
    assert any("failed" in log.message for log in genai.list_work_request_logs(wr_id).data.items)


def test_imported_models_from_hugging_face_and_object_storage(emu: OciEmulator, genai: Any, comp: str) -> None:
    hf = genai.create_imported_model(G.CreateImportedModelDetails(
        compartment_id=comp, display_name="쿠엔-クウェン", capabilities=["TEXT_TO_TEXT"],
        data_source=G.HuggingFaceModel(model_id="Qwen/Qwen2.5-7B-Instruct", branch="main")))  # fmt: skip
    assert hf.data.lifecycle_state == "CREATING" and isinstance(hf.data.data_source, G.HuggingFaceModel)
    gated = genai.create_imported_model(G.CreateImportedModelDetails(
        compartment_id=comp, capabilities=["TEXT_TO_TEXT"],
        data_source=G.HuggingFaceModel(model_id="meta-llama/Llama-3.1-8B-Instruct")))  # fmt: skip
    token = genai.create_imported_model(G.CreateImportedModelDetails(
        compartment_id=comp, capabilities=["TEXT_TO_TEXT"],
        data_source=G.HuggingFaceModel(model_id="meta-llama/Llama-3.1-8B-Instruct",
                                       access_token="hf_secret")))  # fmt: skip
    assert token.data.data_source.access_token is None  # the token is never answered back
    emu.add_bucket(None, "weights")
    emu.put_object(None, "weights", "e5/config.json", b"{}")
    emu.put_object(None, "weights", "e5/model.safetensors", b"\0")

    def from_bucket(prefix: str) -> Any:
        source = G.ObjectStorageObject(namespace_name=emu.namespace, bucket_name="weights", prefix_name=prefix)
        return genai.create_imported_model(
            G.CreateImportedModelDetails(compartment_id=comp, capabilities=["EMBEDDING"], data_source=source)
        )

    bucket, no_config = from_bucket("e5/"), from_bucket("none")
    emu.fast_forward()
    state = {r.data.id: genai.get_imported_model(r.data.id).data for r in (hf, gated, token, bucket, no_config)}
    assert state[hf.data.id].lifecycle_state == "ACTIVE"
    assert state[gated.data.id].lifecycle_state == "FAILED" and "token" in state[gated.data.id].lifecycle_details
    assert state[token.data.id].lifecycle_state == "ACTIVE"
    assert state[bucket.data.id].lifecycle_state == "ACTIVE"
    assert "config.json" in state[no_config.data.id].lifecycle_details
    listed = genai.list_imported_models(comp, capability=["EMBEDDING"]).data.items
    assert {m.id for m in listed} == {bucket.data.id, no_config.data.id}
    err = _error(lambda: genai.create_imported_model(G.CreateImportedModelDetails(
        compartment_id=comp, capabilities=["TEXT_TO_TEXT", "EMBEDDING"],
        data_source=G.HuggingFaceModel(model_id="x/y"))))  # fmt: skip
    assert (err.status, err.code) == (400, "InvalidParameter") and "capabilities" in err.message
    genai.delete_imported_model(hf.data.id)
    emu.fast_forward()
    assert genai.get_imported_model(hf.data.id).data.lifecycle_state == "DELETED"


def test_clusters_count_against_the_generative_ai_limits(emu: OciEmulator, genai: Any, comp: str) -> None:
    limits = _client(emu, oci.limits.LimitsClient, "limits")
    assert "generative-ai" in [s.name for s in limits.list_services(emu.tenancy_id).data]
    names = {d.name for d in limits.list_limit_definitions(emu.tenancy_id, service_name="generative-ai").data}
    assert {"dedicated-unit-a10-count", "dedicated-unit-a100-40g-count", "dedicated-unit-a100-80g-count",
            "dedicated-unit-h100-count", "dedicated-unit-h200-count"} <= names  # fmt: skip
    emu.limits.values["dedicated-unit-h100-count"] = 8
    _cluster(genai, comp, "HOSTING", "H100_X4")  # 4 of 8
    got = limits.get_resource_availability("generative-ai", "dedicated-unit-h100-count", comp).data
    assert (got.used, got.available) == (4, 4)
    err = _error(lambda: _cluster(genai, comp, "HOSTING", "H100_X8"))
    assert (err.status, err.code) == (400, "LimitExceeded") and "dedicated-unit-h100-count" in err.message
    emu.limits.values["dedicated-unit-a10-count"] = 0
    err = _error(lambda: _cluster(genai, comp, "HOSTING", "A10_X1"))
    assert "dedicated-unit-a10-count" in err.message
    assert len(genai.list_dedicated_ai_clusters(comp).data.items) == 1  # the refused ones were never created
    err = _error(lambda: limits.get_resource_availability("data-science", "dedicated-unit-a10-count", comp))
    assert err.status == 404


def test_faults_a_failed_create_an_unavailable_shape_and_injected_errors(emu: OciEmulator, genai: Any,
                                                                          comp: str) -> None:  # fmt: skip
    emu.generative_ai.fail_next["CREATE_DEDICATED_AI_CLUSTER"] = 1
    failed = _cluster(genai, comp, "HOSTING", "A100_80G_X1")
    emu.generative_ai.unavailable_shapes.add("H200_X8")
    no_room = _cluster(genai, comp, "HOSTING", "H200_X8")
    emu.fast_forward()
    first = genai.get_dedicated_ai_cluster(failed.data.id).data
    assert first.lifecycle_state == "FAILED"
    assert genai.get_work_request(failed.headers["opc-work-request-id"]).data.status == "FAILED"
    assert "capacity" in genai.get_dedicated_ai_cluster(no_room.data.id).data.lifecycle_details
    again = _cluster(genai, comp, "HOSTING", "A100_80G_X1").data  # only the next one failed
    emu.fast_forward()
    assert genai.get_dedicated_ai_cluster(again.id).data.lifecycle_state == "ACTIVE"
    # A FAILED cluster holds no units: its units are free again.
    got = _client(emu, oci.limits.LimitsClient, "limits").get_resource_availability(
        "generative-ai", "dedicated-unit-a100-80g-count", comp).data  # fmt: skip
    assert got.used == 1
    emu.faults = FaultConfig(rate=1.0, kinds=("429",), operations=("GetDedicatedAiCluster",))
    err = _error(lambda: genai.get_dedicated_ai_cluster(again.id))
    assert (err.status, err.code) == (429, "TooManyRequests")
    emu.faults = None
    err = _error(lambda: genai.get_endpoint("ocid1.generativeaiendpoint.oc1.iad.nosuch"))
    assert (err.status, err.code) == (404, "NotAuthorizedOrNotFound") and err.request_id
    creating = _cluster(genai, comp, "HOSTING", "A10_X1").data
    err = _error(lambda: genai.create_endpoint(G.CreateEndpointDetails(
        compartment_id=comp, model_id=_base(genai, comp, "cohere.command").id,
        dedicated_ai_cluster_id=creating.id)))  # fmt: skip
    assert (err.status, err.code) == (409, "IncorrectState")
    err = _error(lambda: _cluster(genai, comp, "HOSTING", "A10_X3"))
    assert err.status == 400 and "unitShape" in err.message


def test_inference_reaches_only_active_endpoints(emu: OciEmulator, genai: Any, comp: str) -> None:
    inference = _client(emu, oci.generative_ai_inference.GenerativeAiInferenceClient, "generativeaiinference")
    cluster = _cluster(genai, comp, "HOSTING", "LARGE_COHERE_V2").data
    emu.fast_forward()
    cohere = _base(genai, comp, "cohere.command-r-08-2024")
    endpoint = genai.create_endpoint(G.CreateEndpointDetails(
        compartment_id=comp, model_id=cohere.id, dedicated_ai_cluster_id=cluster.id)).data  # fmt: skip
    chat = I.ChatDetails(compartment_id=comp, serving_mode=I.DedicatedServingMode(endpoint_id=endpoint.id),
                         chat_request=I.CohereChatRequest(message="안녕, 世界"))  # fmt: skip
    err = _error(lambda: inference.chat(chat))  # still CREATING
    assert (err.status, err.code) == (404, "NotAuthorizedOrNotFound")
    emu.fast_forward()
    answer = inference.chat(chat).data
    assert answer.chat_response.text == "Echo: 안녕, 世界"
    generic = I.ChatDetails(compartment_id=comp, serving_mode=I.DedicatedServingMode(endpoint_id=endpoint.id),
                            chat_request=I.GenericChatRequest(messages=[I.UserMessage(
                                content=[I.TextContent(text="hi")])]))  # fmt: skip
    err = _error(lambda: inference.chat(generic))  # a cohere model takes the COHERE format
    assert err.status == 400 and "GENERIC" in err.message
    on_demand = I.ChatDetails(compartment_id=comp,
                              serving_mode=I.OnDemandServingMode(model_id="meta.llama-3.3-70b-instruct"),
                              chat_request=I.GenericChatRequest(messages=[I.UserMessage(
                                  content=[I.TextContent(text="こんにちは")])]))  # fmt: skip
    assert inference.chat(on_demand).data.chat_response.choices[0].message.content[0].text == "Echo: こんにちは"
    embed = inference.embed_text(I.EmbedTextDetails(
        compartment_id=comp, inputs=["한국어", "日本語"],
        serving_mode=I.OnDemandServingMode(model_id="cohere.embed-multilingual-v3.0"))).data  # fmt: skip
    assert len(embed.embeddings) == 2
    text = inference.generate_text(I.GenerateTextDetails(
        compartment_id=comp, serving_mode=I.DedicatedServingMode(endpoint_id=endpoint.id),
        inference_request=I.CohereLlmInferenceRequest(prompt="東京"))).data  # fmt: skip
    assert text.inference_response.generated_texts[0].text == "Echo: 東京"
    unknown = I.OnDemandServingMode(model_id="acme.no-such-model")
    err = _error(lambda: inference.embed_text(I.EmbedTextDetails(compartment_id=comp, inputs=["x"],
                                                                 serving_mode=unknown)))  # fmt: skip
    assert err.status == 404
    genai.delete_endpoint(endpoint.id)
    emu.fast_forward()
    assert _error(lambda: inference.chat(chat)).status == 404
    assert emu.calls["Chat"] == 5


def test_inference_streams_a_chat(emu: OciEmulator, genai: Any, comp: str) -> None:
    inference = _client(emu, oci.generative_ai_inference.GenerativeAiInferenceClient, "generativeaiinference")
    details = I.ChatDetails(compartment_id=comp, serving_mode=I.OnDemandServingMode(
        model_id="meta.llama-3.3-70b-instruct"), chat_request=I.GenericChatRequest(is_stream=True, messages=[
            I.UserMessage(content=[I.TextContent(text="한국어 日本語")])]))  # fmt: skip
    events = [e.data for e in inference.chat(details).data.events()]
    assert events and "finishReason" in events[-1]
    assert "".join(__import__("json").loads(e)["message"]["content"][0]["text"] for e in events) == (
        "Echo: 한국어 日本語"
    )


def test_base_models_report_their_retirement_and_a_retired_one_is_not_served_on_demand(
    emu: OciEmulator, genai: Any, comp: str
) -> None:
    """timeDeprecated, timeOnDemandRetired, timeDedicatedRetired as the SDK reads them (datetimes), on the list and
    the detail; an on-demand call to a model retired on demand answers 404, a deprecated one is still served."""
    now = datetime.now(timezone.utc)
    by_name = {m.display_name: m for m in genai.list_models(comp).data.items}
    deprecated, retired = by_name["meta.llama-3.1-70b-instruct"], by_name["meta.llama-3-70b-instruct"]
    assert deprecated.time_deprecated < now < deprecated.time_on_demand_retired < deprecated.time_dedicated_retired
    assert retired.time_on_demand_retired < now < retired.time_dedicated_retired
    current = by_name["meta.llama-3.3-70b-instruct"]
    assert current.time_deprecated is None and current.time_on_demand_retired is None
    detail = genai.get_model(deprecated.id).data
    assert detail.time_on_demand_retired == deprecated.time_on_demand_retired

    inference = _client(emu, oci.generative_ai_inference.GenerativeAiInferenceClient, "generativeaiinference")

    def ask(model_id: str) -> Any:
        return inference.chat(I.ChatDetails(compartment_id=comp, serving_mode=I.OnDemandServingMode(model_id=model_id),
                                            chat_request=I.GenericChatRequest(messages=[I.UserMessage(
                                                content=[I.TextContent(text="안녕하세요")])])))  # fmt: skip

    assert ask(deprecated.id).data.chat_response.choices[0].message.content[0].text == "Echo: 안녕하세요"
    for ident in (retired.id, "meta.llama-3-70b-instruct"):
        err = _error(lambda ident=ident: ask(ident))
        assert (err.status, err.code) == (404, "NotAuthorizedOrNotFound")


def test_unsigned_inference_is_refused(emu: OciEmulator, comp: str) -> None:
    import requests

    resp = requests.post(f"{emu.endpoint('generativeaiinference')}/20231130/actions/chat", json={}, timeout=5)
    assert resp.status_code == 401 and resp.json()["code"] == "NotAuthenticated"
    assert resp.headers["opc-request-id"]


def test_a_missing_policy_hides_generative_ai_but_not_data_science(emu: OciEmulator, genai: Any, comp: str) -> None:
    emu.deny("manage data-science-models")  # Data Science's GetModel / ListModels share the operation names
    assert genai.list_models(comp).data.items
    emu.deny("manage generative-ai-family")
    err = _error(lambda: genai.list_models(comp))
    assert (err.status, err.code) == (404, "NotAuthorizedOrNotFound")
    emu.policies.allow_all()
    assert genai.list_dedicated_ai_clusters(comp).data.items == []


def test_a_retried_create_with_its_retry_token_gets_the_same_cluster(emu: OciEmulator, genai: Any, comp: str) -> None:
    details = G.CreateDedicatedAiClusterDetails(compartment_id=comp, type="HOSTING", unit_shape="A10_X1", unit_count=1)
    first = genai.create_dedicated_ai_cluster(details, opc_retry_token="retry-1").data
    again = genai.create_dedicated_ai_cluster(details, opc_retry_token="retry-1").data
    assert again.id == first.id and len(genai.list_dedicated_ai_clusters(comp).data.items) == 1
    details.unit_count = 2
    err = _error(lambda: genai.create_dedicated_ai_cluster(details, opc_retry_token="retry-1"))
    assert (err.status, err.code) == (409, "Conflict")
