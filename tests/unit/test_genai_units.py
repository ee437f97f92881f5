"""Generative AI unit shapes (seed 001), capability rules, the recommended unit shape and the cost."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from aqua_ext.api.fit import FitQuery
from aqua_ext.api.models import Capability, ModelFormat, ModelSource, ModelSummary
from aqua_ext.errors import InvalidInput
from aqua_ext.services import genai_units as gu
from aqua_ext.services.gpu_prices import GPU_HOUR_LIST_PRICE_USD, shape_hourly

# Seed 001's table, copied by hand from the seed (name, limit name, units to request, AI units).
SEED_001 = [
    ("A10_X1", "dedicated-unit-a10-count", 1, 1.77),
    ("A10_X2", "dedicated-unit-a10-count", 2, 3.54),
    ("A10_X4", "dedicated-unit-a10-count", 4, 7.08),
    ("A100_40G_X1", "dedicated-unit-a100-40g-count", 1, 2.70),
    ("A100_40G_X2", "dedicated-unit-a100-40g-count", 2, 5.40),
    ("A100_40G_X4", "dedicated-unit-a100-40g-count", 4, 10.8),
    ("A100_40G_X8", "dedicated-unit-a100-40g-count", 8, 21.60),
    ("A100_80G_X1", "dedicated-unit-a100-80g-count", 1, 3.24),
    ("A100_80G_X2", "dedicated-unit-a100-80g-count", 2, 6.48),
    ("A100_80G_X4", "dedicated-unit-a100-80g-count", 4, 12.96),
    ("A100_80G_X8", "dedicated-unit-a100-80g-count", 8, 25.92),
    ("H100_X1", "dedicated-unit-h100-count", 1, 6.01),
    ("H100_X2", "dedicated-unit-h100-count", 2, 12.02),
    ("H100_X4", "dedicated-unit-h100-count", 4, 24.04),
    ("H100_X8", "dedicated-unit-h100-count", 8, 48.08),
    ("H200_X1", "dedicated-unit-h200-count", 1, 6.22),
    ("H200_X2", "dedicated-unit-h200-count", 2, 12.44),
    ("H200_X4", "dedicated-unit-h200-count", 4, 24.88),
    ("H200_X8", "dedicated-unit-h200-count", 8, 49.76),
]


def _model(params: int, name: str = "Llama 3.1 8B 한국어") -> ModelSummary:
    return ModelSummary(
        id="meta-llama/test",
        name=name,
        source=ModelSource.REGISTERED,
        capability=Capability.TEXT_TO_TEXT,
        parameter_count=params,
        formats=[ModelFormat.SAFETENSORS],
        ready_to_deploy=True,
        ready_to_finetune=True,
    )


def test_table_is_seed_001_row_for_row() -> None:
    got = [(s.name, s.limit_name, s.units_to_request, s.ai_units) for s in gu.UNIT_SHAPES]
    assert got == SEED_001


@pytest.mark.parametrize("shape", gu.UNIT_SHAPES, ids=lambda s: s.name)
def test_each_row_is_its_single_gpu_row_times_the_gpus(shape: gu.UnitShape) -> None:
    one = gu.get_unit_shape(shape.name.rsplit("_X", 1)[0] + "_X1")
    assert one is not None
    expected = round(one.ai_units * shape.gpu_count, 2)
    assert shape.ai_units == pytest.approx(expected), (
        f"{shape.name}: {one.ai_units} × {shape.gpu_count} GPUs = {expected}, table says {shape.ai_units}"
    )
    assert shape.units_to_request == shape.gpu_count == int(shape.name.rsplit("_X", 1)[1])


@pytest.mark.parametrize(
    ("config", "capability"),
    [
        ({"architectures": ["LlamaForCausalLM"]}, Capability.TEXT_TO_TEXT),
        ({"architectures": ["Qwen2ForCausalLM"]}, Capability.TEXT_TO_TEXT),
        (
            {"architectures": ["Qwen2VLForConditionalGeneration"], "vision_config": {"depth": 32}},
            Capability.IMAGE_TEXT_TO_TEXT,
        ),
        ({"architectures": ["BertModel"]}, Capability.EMBEDDING),
        ({"architectures": ["XLMRobertaModel"]}, Capability.EMBEDDING),
        ({"architectures": ["XLMRobertaForSequenceClassification"]}, Capability.RERANK),
        ({"architectures": ["T5ForConditionalGeneration"]}, None),  # no vision_config: not image-text
        ({"architectures": []}, None),
        ({}, None),
    ],
)
def test_capability_of_architecture(config: dict[str, object], capability: Capability | None) -> None:
    assert gu.capability_of(config) == capability


def test_capability_mismatch_names_the_field_and_the_fix() -> None:
    with pytest.raises(InvalidInput) as caught:
        gu.check_capabilities([Capability.EMBEDDING], {"architectures": ["LlamaForCausalLM"]})
    assert caught.value.fields and caught.value.fields[0].field == "capability"
    message = caught.value.fields[0].message
    assert "LlamaForCausalLM" in message and "TEXT_TO_TEXT" in message
    assert "Import it with capability TEXT_TO_TEXT" in message


def test_exactly_one_capability() -> None:
    config = {"architectures": ["BertModel"]}
    assert gu.check_capabilities([Capability.EMBEDDING], config) == Capability.EMBEDDING
    for given in ([], [Capability.EMBEDDING, Capability.RERANK]):
        with pytest.raises(InvalidInput) as caught:
            gu.check_capabilities(given, config)
        assert caught.value.fields and caught.value.fields[0].field == "capability"
        assert "exactly one" in caught.value.message


def test_no_architectures_or_unknown_architecture_is_refused() -> None:
    with pytest.raises(InvalidInput, match="names no `architectures`"):
        gu.check_capabilities([Capability.TEXT_TO_TEXT], {"model_type": "llama"})
    with pytest.raises(InvalidInput, match="WhisperForConditionalGeneration"):
        gu.check_capabilities([Capability.TEXT_TO_TEXT], {"architectures": ["WhisperForConditionalGeneration"]})


def test_recommended_unit_shape_is_the_smallest_that_holds_the_fit() -> None:
    # 8.03 B × 2 bytes = 16.06 GB + overhead 1.61 GB = 17.67 GB ≤ 24 GB × 90% = 21.6 GB on one A10.
    small = gu.recommend_unit_shape(_model(8_030_000_000), FitQuery(context_length=1))
    assert small is not None and small.name == "A10_X1", f"17.67 GB fits A10_X1 (21.6 GB usable), got {small}"
    # 70 B × 2 = 140 GB + 14 GB overhead = 154 GB: more than 80 GB × 2 × 90% = 144 GB, within 141 × 2 × 90% =
    # 253.8 GB; H200_X2 (282 GB) is the least GPU memory above it (the others that hold it have 320 GB).
    big = gu.recommend_unit_shape(_model(70_000_000_000), FitQuery(context_length=1))
    assert big is not None and big.name == "H200_X2", f"154 GB → H200_X2 (253.8 GB usable), got {big}"
    assert gu.recommend_unit_shape(_model(2_000_000_000_000), FitQuery()) is None


def test_unit_shape_below_the_fit_names_unit_shape_with_the_arithmetic() -> None:
    model = _model(70_000_000_000, name="ラマ 70B")
    with pytest.raises(InvalidInput) as caught:
        gu.require_unit_shape_fit(model, FitQuery(context_length=1), "A100_80G_X1")
    assert caught.value.fields and caught.value.fields[0].field == "unit_shape"
    message = caught.value.message
    assert "ラマ 70B" in message
    assert "about 154.00 GB" in message and "72.00 GB usable (1 × 80 GB, 90%)" in message, message
    assert "weights = 70.00 B params × 2 bytes (bfloat16) = 140.00 GB" in message, message
    assert "Choose H200_X2" in message
    assert gu.require_unit_shape_fit(model, FitQuery(context_length=1), "H200_X2").name == "H200_X2"


def test_unknown_unit_shape() -> None:
    with pytest.raises(InvalidInput) as caught:
        gu.require_unit_shape_name("LARGE_COHERE")
    assert caught.value.fields and caught.value.fields[0].field == "unit_shape"
    assert "A10_X1" in caught.value.message


def test_limit_request() -> None:
    h100 = gu.get_unit_shape("H100_X2")
    assert h100 is not None
    request = gu.limit_request(h100, 3)
    assert (request.service, request.limit_name, request.units) == ("generative-ai", "dedicated-unit-h100-count", 6)
    assert "2 × 3 = 6" in request.line


def test_hourly_cost_is_ai_units_times_price() -> None:
    a10 = gu.get_unit_shape("A10_X2")
    assert a10 is not None
    cost = gu.hourly_cost(a10, unit_count=2, price_per_ai_unit_hour=2.0)
    # 3.54 AI units × 2 units = 7.08 AI-unit hours per hour; × $2 = $14.16.
    assert cost.ai_unit_hours_per_hour == pytest.approx(7.08), "3.54 × 2 = 7.08"
    assert cost.hourly == pytest.approx(14.16), f"7.08 × $2 = $14.16, got {cost.hourly}"
    assert cost.arithmetic[-1] == "7.08 × $2 per AI-unit hour = $14.16 per hour"


def test_hourly_cost_without_a_price_gives_ai_unit_hours_only() -> None:
    h200 = gu.get_unit_shape("H200_X8")
    assert h200 is not None
    cost = gu.hourly_cost(h200)
    assert cost.hourly is None and cost.price_per_ai_unit_hour is None
    assert cost.ai_unit_hours_per_hour == pytest.approx(49.76)
    with pytest.raises(InvalidInput) as caught:
        gu.hourly_cost(h200, unit_count=0)
    assert caught.value.fields and caught.value.fields[0].field == "unit_count"


def test_cost_since_start_has_a_one_hour_floor() -> None:
    a10 = gu.get_unit_shape("A10_X1")
    assert a10 is not None
    start = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc)
    early = gu.cost_since(a10, start, start + timedelta(minutes=30), price_per_ai_unit_hour=2.0)
    # Half an hour is billed as one: 1.77 × 1 h = 1.77 AI-unit hours × $2 = $3.54.
    assert early.hours == 1.0 and early.amount == pytest.approx(3.54), early.line
    later = gu.cost_since(a10, start, start + timedelta(hours=2, minutes=30), unit_count=2, price_per_ai_unit_hour=2.0)
    # 1.77 × 2 units = 3.54 AI units × 2.5 h = 8.85 AI-unit hours × $2 = $17.70.
    assert later.ai_unit_hours == pytest.approx(8.85), later.line
    assert later.amount == pytest.approx(17.70), later.line
    with pytest.raises(ValueError):
        gu.cost_since(a10, start.replace(tzinfo=None), start)


def test_compare_costs_puts_data_science_beside_generative_ai() -> None:
    comparison = gu.compare_costs(_model(8_030_000_000), FitQuery(context_length=1), price_per_ai_unit_hour=2.0)
    assert comparison.genai is not None and comparison.genai.unit_shape == "A10_X1"
    assert comparison.genai.hourly == pytest.approx(3.54), "1.77 × $2 = $3.54"
    assert comparison.datascience is not None and comparison.datascience.shape == "VM.GPU.A10.1"
    assert comparison.datascience.hourly == pytest.approx(2.00), "1 GPU × $2.00 × 1 replica = $2.00"
    assert any("may be out of date" in note for note in comparison.notes)


def test_data_science_list_price() -> None:
    cost = shape_hourly("BM.GPU.H100.8", replicas=2)
    # 8 GPUs × $10.00 × 2 replicas = $160.00.
    assert cost.hourly == pytest.approx(8 * GPU_HOUR_LIST_PRICE_USD["BM.GPU.H100.8"] * 2), cost.arithmetic
    assert "may be out of date" in cost.note
    unknown = shape_hourly("BM.GPU.B200.8")
    assert unknown.hourly is None and unknown.price_per_gpu_hour is None and "No list price" in unknown.note
