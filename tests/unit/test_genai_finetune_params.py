"""Generative AI fine-tuning hyperparameters (seed 003): which method takes which field, defaults, ranges."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from aqua_ext.api.genai import CreateGenAiFineTuneRequest, GenAiTrainingConfig, TrainingConfigType
from aqua_ext.errors import InvalidInput
from aqua_ext.services.genai_finetune import (
    SPLIT_STATEMENT,
    resolve_training_config,
    split_counts,
    split_statement,
)

LORA = TrainingConfigType.LORA
TFEW = TrainingConfigType.TFEW
VANILLA = TrainingConfigType.VANILLA


def _field_of(exc: InvalidInput) -> str:
    assert exc.fields, exc.message
    return exc.fields[0].field


def test_lora_defaults() -> None:
    resolved = resolve_training_config(GenAiTrainingConfig(training_config_type=LORA))
    assert (resolved.total_training_epochs, resolved.learning_rate, resolved.training_batch_size) == (3, 0.0002, 8)
    assert (resolved.early_stopping_patience, resolved.early_stopping_threshold) == (15, 0.0001)
    assert resolved.log_model_metrics_interval_in_steps == 10
    assert (resolved.lora_r, resolved.lora_alpha, resolved.lora_dropout) == (8, 8, 0.1)
    assert resolved.num_of_last_layers is None
    assert "lora_r" in resolved.defaulted and "training_config_type" not in resolved.defaulted


def test_tfew_and_vanilla_defaults() -> None:
    tfew = resolve_training_config(GenAiTrainingConfig(training_config_type=TFEW))
    assert tfew.learning_rate == 0.01 and tfew.lora_r is None and tfew.num_of_last_layers is None
    vanilla = resolve_training_config(GenAiTrainingConfig(training_config_type=VANILLA))
    assert vanilla.num_of_last_layers == 15 and vanilla.lora_alpha is None


def test_given_values_are_kept_and_not_marked_defaulted() -> None:
    resolved = resolve_training_config(
        GenAiTrainingConfig(training_config_type=LORA, lora_r=64, lora_dropout=0.0, training_batch_size=16)
    )
    assert (resolved.lora_r, resolved.lora_dropout, resolved.training_batch_size) == (64, 0.0, 16)
    assert not {"lora_r", "lora_dropout", "training_batch_size"} & set(resolved.defaulted)


@pytest.mark.parametrize(
    ("kind", "field", "value", "owner"),
    [
        (TFEW, "lora_r", 16, "LORA_TRAINING_CONFIG"),
        (VANILLA, "lora_alpha", 16, "LORA_TRAINING_CONFIG"),
        (TFEW, "lora_dropout", 0.1, "LORA_TRAINING_CONFIG"),
        (LORA, "num_of_last_layers", 4, "VANILLA_TRAINING_CONFIG"),
        (TFEW, "num_of_last_layers", 4, "VANILLA_TRAINING_CONFIG"),
    ],
)
def test_field_not_allowed_for_the_method_names_it(
    kind: TrainingConfigType, field: str, value: Any, owner: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        resolve_training_config(GenAiTrainingConfig.model_validate({"training_config_type": kind, field: value}))
    assert caught.value.status == 400
    assert _field_of(caught.value) == field
    assert f"applies to training_config_type {owner} only, not {kind.value}" in caught.value.message


@pytest.mark.parametrize(
    ("kind", "field", "value", "range_text"),
    [
        (LORA, "training_batch_size", 32, "from 8 to 16"),
        (LORA, "training_batch_size", 4, "from 8 to 16"),
        (LORA, "lora_r", 65, "from 1 to 64"),
        (LORA, "lora_alpha", 129, "from 1 to 128"),
        (VANILLA, "num_of_last_layers", 16, "from 1 to 15"),
    ],
)
def test_out_of_range_names_the_field_range_and_default(
    kind: TrainingConfigType, field: str, value: Any, range_text: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        resolve_training_config(GenAiTrainingConfig.model_validate({"training_config_type": kind, field: value}))
    assert _field_of(caught.value) == field
    assert f"{value} is out of range for {kind.value}: {range_text}" in caught.value.message
    assert "the default is" in caught.value.message


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("total_training_epochs", 0),
        ("learning_rate", 0),
        ("learning_rate", 1.5),
        ("early_stopping_patience", -1),
        ("log_model_metrics_interval_in_steps", -1),
        ("lora_dropout", 1.0),
        ("unknown_knob", 1),
    ],
)
def test_contract_bounds_every_method_shares(field: str, value: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        GenAiTrainingConfig.model_validate({"training_config_type": "LORA_TRAINING_CONFIG", field: value})
    assert caught.value.errors()[0]["loc"] == (field,)


def test_method_names_are_the_providers() -> None:
    assert [t.value for t in TrainingConfigType] == [
        "LORA_TRAINING_CONFIG",
        "TFEW_TRAINING_CONFIG",
        "VANILLA_TRAINING_CONFIG",
    ]
    with pytest.raises(ValidationError):
        GenAiTrainingConfig.model_validate({"training_config_type": "QLORA"})


def test_request_carries_one_dataset() -> None:
    request = CreateGenAiFineTuneRequest.model_validate(
        {
            "display_name": "微調整 모델",
            "base_model_id": "ocid1.generativeaimodel.oc1..base",
            "dedicated_ai_cluster_id": "ocid1.generativeaidedicatedaicluster.oc1..ft",
            "training_dataset": {"namespace": "ns", "bucket": "データ", "object": "train.jsonl"},
        }
    )
    assert request.training_config is None and request.training_dataset.bucket == "データ"


def test_split_is_80_20() -> None:
    assert split_counts(1000) == (800, 200), "1,000 × 0.8 = 800 train, 1,000 − 800 = 200 validate"
    assert split_counts(7) == (6, 1), "7 × 0.8 = 5.6 ≈ 6 train, 7 − 6 = 1 validate"
    assert split_counts(0) == (0, 0)
    assert split_statement(1234).startswith("1,234 lines: about 987 train and 247 validate (80/20).")
    assert "80/20" in SPLIT_STATEMENT and "JSONL" in SPLIT_STATEMENT
