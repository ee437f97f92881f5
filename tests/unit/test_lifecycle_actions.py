"""The lifecycle tables of services/: which actions each state allows, per target, and the 409
a refused action answers. The one place these rules live; the UI renders the `actions` they give."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, cast

import pytest

from aqua_ext.api.deployments import DeploymentDetail, DeploymentState, DeploymentSummary, SetAdaptersRequest
from aqua_ext.api.evaluations import EvaluationState
from aqua_ext.api.finetunes import FineTuneState, FineTuneSummary
from aqua_ext.api.models import Capability, ModelSource, ModelSummary
from aqua_ext.errors import Conflict
from aqua_ext.services.deployments import DEPLOYMENTS, Deployments, deployment_actions
from aqua_ext.services.evaluations import EVALUATIONS
from aqua_ext.services.finetunes import FINETUNES, finetune_actions
from aqua_ext.services.models import model_actions

D = DeploymentState
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)

# state → actions, as a user sees them on each target.
DEPLOYMENT_EXPECTED: dict[str, dict[DeploymentState, set[str]]] = {
    "local": {
        D.CREATING: {"delete"},
        # Adapters change live or by a restart (ACTIVE), or are saved for the next start (INACTIVE, FAILED).
        D.ACTIVE: {"chat", "evaluate", "deactivate", "delete", "adapters"},
        D.UPDATING: {"delete"},
        D.INACTIVE: {"activate", "delete", "adapters"},
        D.FAILED: {
            "activate",
            "deactivate",
            "delete",
            "adapters",
        },  # our own process: start it again, or leave it quiet
        D.NEEDS_ATTENTION: {"deactivate", "delete"},
        D.DELETING: {"delete"},
    },
    "oci": {
        D.CREATING: {"delete"},
        D.ACTIVE: {"chat", "evaluate", "deactivate", "delete"},
        D.UPDATING: set(),
        D.INACTIVE: {"activate", "delete"},
        D.FAILED: {"delete"},  # OCI refuses to activate or deactivate a FAILED model deployment
        D.NEEDS_ATTENTION: {"deactivate", "delete"},
        D.DELETING: set(),
    },
}


def deployment(state: DeploymentState, mode: str = "chat", engine: str = "vllm") -> DeploymentSummary:
    return DeploymentSummary(
        id="dep-1",
        name="chatty",
        description="",
        model_id="m",
        model_name="m",
        state=state,
        state_message="",
        mode=mode,  # type: ignore[arg-type]
        engine=engine,  # type: ignore[arg-type]
        shape="gpu",
        replicas=1,
        created_at=NOW,
        updated_at=NOW,
        openai_base_path="aqua-ext/deployments/dep-1/v1",
    )


@pytest.mark.parametrize("target", ["local", "oci"])
@pytest.mark.parametrize("state", list(DeploymentState))
def test_deployment_actions_per_state_and_target(target: str, state: DeploymentState) -> None:
    assert set(deployment_actions(target, deployment(state))) == DEPLOYMENT_EXPECTED[target][state]


def test_every_deployment_state_has_a_row_on_every_target() -> None:
    for target, rows in DEPLOYMENTS.table.items():
        assert set(rows) == set(DeploymentState), target


def test_an_embedding_deployment_is_not_evaluated_nor_given_adapters() -> None:
    assert deployment_actions("local", deployment(D.ACTIVE, "embedding")) == ["chat", "deactivate", "delete"]


@pytest.mark.parametrize(("engine", "takes"), [("vllm", True), ("llama.cpp", True), ("transformers", False)])
def test_adapters_change_where_the_engine_serves_them(engine: str, takes: bool) -> None:
    assert ("adapters" in deployment_actions("local", deployment(D.INACTIVE, engine=engine))) is takes
    assert "adapters" not in deployment_actions("oci", deployment(D.ACTIVE, engine=engine))


def test_adapters_refused_while_a_change_is_under_way() -> None:
    with pytest.raises(Conflict, match="can be given other adapters: wait until the change in progress is finished"):
        DEPLOYMENTS.require("local", "chatty", D.UPDATING, "adapters")


def test_actions_come_in_a_stable_order() -> None:
    assert deployment_actions("oci", deployment(D.ACTIVE)) == ["chat", "evaluate", "deactivate", "delete"]
    assert deployment_actions("local", deployment(D.ACTIVE)) == ["chat", "evaluate", "deactivate", "delete", "adapters"]


@pytest.mark.parametrize(
    ("target", "state", "action", "words"),
    [
        ("oci", D.FAILED, "activate", "OCI cannot restart a FAILED model deployment"),
        ("oci", D.FAILED, "deactivate", "a FAILED deployment is not running"),
        ("oci", D.ACTIVE, "activate", "is ACTIVE; only an INACTIVE deployment can be activated: it is already serving"),
        ("oci", D.INACTIVE, "deactivate", "only an ACTIVE deployment can be deactivated: it is already stopped"),
        ("oci", D.CREATING, "activate", "CREATING; only an INACTIVE deployment can be activated: wait"),
        ("oci", D.UPDATING, "delete", "only an ACTIVE, INACTIVE, FAILED or CREATING deployment can be deleted"),
        ("local", D.ACTIVE, "activate", "only INACTIVE or FAILED deployments can be activated"),
        ("local", D.INACTIVE, "deactivate", "only ACTIVE, FAILED or NEEDS_ATTENTION deployments can be deactivated"),
    ],
)
def test_a_refused_deployment_action_is_a_409_saying_why(
    target: str, state: DeploymentState, action: Any, words: str
) -> None:
    with pytest.raises(Conflict, match=words) as refused:
        DEPLOYMENTS.require(target, "chatty", state, action)
    assert refused.value.message.startswith(f"Deployment 'chatty' is {state.value}; ")


def test_an_allowed_action_passes() -> None:
    DEPLOYMENTS.require("local", "chatty", D.FAILED, "activate")
    DEPLOYMENTS.require("oci", "chatty", D.INACTIVE, "activate")


def finetune(state: FineTuneState, output: str | None = None) -> FineTuneSummary:
    return FineTuneSummary(
        id="ftj-1",
        name="tuned",
        description="",
        base_model_id="m",
        base_model_name="m",
        state=state,
        state_message="",
        training_type="lora",
        shape="gpu",
        replicas=1,
        dataset_path="d.jsonl",
        dataset_hash="0" * 64,
        progress=0.0,
        step=0,
        total_steps=None,
        epoch=0.0,
        eta_seconds=None,
        output_model_id=output,
        created_at=NOW,
        updated_at=NOW,
        finished_at=None,
    )


F = FineTuneState
JOB_EXPECTED = {
    F.ACCEPTED: {"cancel"},
    F.IN_PROGRESS: {"cancel"},
    F.CANCELING: set(),
    F.FAILED: {"delete"},
    F.CANCELED: {"delete"},
}


@pytest.mark.parametrize("target", ["local", "oci"])
@pytest.mark.parametrize("state", list(FineTuneState))
def test_finetune_actions_per_state_and_target(target: str, state: FineTuneState) -> None:
    expected = JOB_EXPECTED.get(state, {"deploy", "evaluate", "delete"})
    assert set(finetune_actions(target, finetune(state, "ft:1" if state == F.SUCCEEDED else None))) == expected


def test_a_finetune_without_its_model_is_not_deployed() -> None:
    assert finetune_actions("local", finetune(F.SUCCEEDED, None)) == ["delete"]


@pytest.mark.parametrize("target", ["local", "oci"])
def test_job_refusals_say_what_to_do(target: str) -> None:
    with pytest.raises(Conflict, match="already being canceled"):
        FINETUNES.require(target, "tuned", F.CANCELING, "cancel")
    with pytest.raises(Conflict, match="cancel it first"):
        FINETUNES.require(target, "tuned", F.IN_PROGRESS, "delete")
    with pytest.raises(Conflict, match="is CANCELED; only ACCEPTED or IN_PROGRESS fine-tunes can be canceled"):
        FINETUNES.require(target, "tuned", F.CANCELED, "cancel")
    with pytest.raises(Conflict, match=r"Evaluation 'e' is ACCEPTED; .* cancel it first"):
        EVALUATIONS.require(target, "e", EvaluationState.ACCEPTED, "delete")


@pytest.mark.parametrize("target", ["local", "oci"])
def test_evaluation_actions(target: str) -> None:
    assert EVALUATIONS.actions(target, EvaluationState.SUCCEEDED) == ["compare", "delete"]
    assert EVALUATIONS.actions(target, EvaluationState.IN_PROGRESS) == ["cancel"]
    assert EVALUATIONS.actions(target, EvaluationState.CANCELING) == []
    assert EVALUATIONS.actions(target, EvaluationState.FAILED) == ["delete"]


def model(source: ModelSource, *, deploy: bool = True, finetune: bool = False) -> ModelSummary:
    return ModelSummary(
        id="m",
        name="m",
        source=source,
        capability=Capability.TEXT_TO_TEXT,
        formats=[],
        ready_to_deploy=deploy,
        ready_to_finetune=finetune,
    )


@pytest.mark.parametrize("target", ["local", "oci"])
def test_model_actions(target: str) -> None:
    assert model_actions(target, model(ModelSource.REGISTERED, finetune=True)) == ["deploy", "finetune", "delete"]
    assert model_actions(target, model(ModelSource.FINE_TUNED)) == ["deploy", "delete"]
    assert model_actions(target, model(ModelSource.CATALOG, deploy=False)) == []
    assert model_actions(target, model(ModelSource.DEMO)) == ["deploy"]


class _OneDeployment:
    """Targets and driver at once, holding one deployment: the service's check runs before the driver is asked."""

    kind = "local"

    def __init__(self, detail: DeploymentDetail) -> None:
        self.detail = detail

    async def route(self, resource_id: str) -> _OneDeployment:
        return self

    async def get(self, target: str) -> _OneDeployment:
        return self

    async def get_deployment(self, deployment_id: str) -> DeploymentDetail:
        return self.detail

    async def resolve_adapters(self, deployment_id: str, adapters: Any) -> Any:
        raise AssertionError("the driver is not asked when the service refuses")


@pytest.mark.parametrize(
    ("state", "engine", "words"),
    [
        (D.UPDATING, "llama.cpp", "only ACTIVE, INACTIVE or FAILED deployments can be given other adapters: wait"),
        (D.ACTIVE, "transformers", "serves chat with transformers on the local target: its LoRA adapters cannot be"),
    ],
)
async def test_putting_adapters_is_refused_by_the_same_rule_as_the_action(
    state: DeploymentState, engine: str, words: str
) -> None:
    summary = deployment(state, engine=engine)
    detail = DeploymentDetail(**summary.model_dump())
    service = Deployments(cast(Any, _OneDeployment(detail)))
    with pytest.raises(Conflict, match=words):
        await service.set_adapters("dep-1", SetAdaptersRequest(adapters=[]))
