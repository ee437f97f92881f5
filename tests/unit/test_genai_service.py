"""The genai service's own rules, without OCI: the target must be enabled (503 saying how), what may be done
with a model, a fine-tune and a cluster in each state, and a cluster's cost per hour and since creation."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

import pytest

from aqua_ext.api.genai import GenAiCluster, GenAiFineTune, GenAiModel, ObjectStorageDataset
from aqua_ext.errors import Unavailable
from aqua_ext.services.genai import GenAi, _cluster_actions, _with_finetune_actions, _with_model_actions


class _Targets:
    names = ("local", "oci")


def _models() -> SimpleNamespace:
    """What the service needs of the models service: the table it registers its action rule in."""
    return SimpleNamespace(action_rules={})


class _Driver:
    price_per_ai_unit_hour: float | None = 2.5


def model(**fields: Any) -> GenAiModel:
    return GenAiModel.model_validate({"id": "ocid1.generativeaimodel.oc1..x", "name": "모델", **fields})


async def test_a_server_without_the_genai_target_says_how_to_enable_it() -> None:
    with pytest.raises(Unavailable) as refused:
        await GenAi(_Targets(), _models()).list_models()  # type: ignore[arg-type]  # no driver is reached
    assert "oci_compartment_id" in refused.value.message and "genai" in refused.value.message


@pytest.mark.parametrize(
    ("fields", "actions"),
    [
        ({"type": "IMPORTED", "state": "ACTIVE"}, ["host", "delete"]),
        ({"type": "IMPORTED", "state": "CREATING"}, []),
        ({"type": "IMPORTED", "state": "FAILED"}, ["delete"]),
        ({"type": "CUSTOM", "state": "ACTIVE"}, ["host", "delete"]),
        ({"type": "BASE", "state": "ACTIVE", "capabilities": ["CHAT", "FINE_TUNE"]}, ["finetune"]),
        ({"type": "BASE", "state": "ACTIVE", "capabilities": ["CHAT"]}, []),
    ],
)
def test_model_actions(fields: dict[str, Any], actions: list[str]) -> None:
    assert _with_model_actions(model(**fields)).actions == actions


def test_finetune_and_cluster_actions() -> None:
    dataset = ObjectStorageDataset(namespace="ns", bucket="b", object="学習.jsonl")
    tune = GenAiFineTune(
        id="ocid1.generativeaimodel.oc1..t", name="ft", base_model_id="b", dedicated_ai_cluster_id="c",
        state="CREATING", training_dataset=dataset,
    )  # fmt: skip
    assert _with_finetune_actions(tune).actions == []
    assert _with_finetune_actions(tune.model_copy(update={"state": "ACTIVE"})).actions == ["host", "delete"]
    cluster = GenAiCluster(id="c", name="c", type="FINE_TUNING", unit_shape="A10_X2", unit_count=1, state="ACTIVE")
    assert _cluster_actions(cluster) == ["finetune", "delete"]
    assert _cluster_actions(cluster.model_copy(update={"type": "HOSTING"})) == ["create_endpoint", "delete"]
    assert _cluster_actions(cluster.model_copy(update={"state": "CREATING"})) == []


def test_a_running_cluster_shows_its_cost_since_creation() -> None:
    now = datetime(2026, 12, 7, 1, 0, tzinfo=timezone.utc)
    cluster = GenAiCluster(
        id="c", name="호스팅", type="HOSTING", unit_shape="A10_X2", unit_count=2, state="ACTIVE",
        created_at=now - timedelta(hours=3),
    )  # fmt: skip
    service = GenAi(_Targets(), _models())  # type: ignore[arg-type]
    shown = service._annotate(cluster, _Driver(), now)  # type: ignore[arg-type]
    assert shown.limit_name == "dedicated-unit-a10-count"
    assert shown.cost is not None and shown.cost.ai_unit_hours_per_hour == 7.08  # 3.54 AI units × 2
    assert shown.cost.hourly == 17.7  # × $2.5
    assert shown.cost_so_far is not None and shown.cost_so_far.hours == 3.0
    assert shown.cost_so_far.ai_unit_hours == 21.24 and shown.cost_so_far.amount == 53.1
    # A cluster that is not running costs nothing more; no price configured: AI units only.
    assert service._annotate(cluster.model_copy(update={"state": "FAILED"}), _Driver(), now).cost_so_far is None
    unpriced = _Driver()
    unpriced.price_per_ai_unit_hour = None
    shown = service._annotate(cluster, unpriced, now)  # type: ignore[arg-type]
    assert shown.cost is not None and shown.cost.hourly is None and shown.cost_so_far is not None
    assert shown.cost_so_far.amount is None and shown.cost_so_far.ai_unit_hours == 21.24
