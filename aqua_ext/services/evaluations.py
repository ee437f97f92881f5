"""Evaluations: the lifecycle table, merged lists, routing by id, the deployment an evaluation asks
(it must allow "evaluate"), and the comparison of several runs."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TypeVar

from ..api.common import FieldError
from ..api.evaluations import (
    CreateEvaluationRequest,
    CreateEvaluationResponse,
    EvaluationAction,
    EvaluationComparison,
    EvaluationDetail,
    EvaluationList,
    EvaluationRows,
    EvaluationRowsQuery,
    EvaluationState,
    EvaluationSummary,
)
from ..api.logs import LogPage, LogsQuery
from ..errors import Conflict, InvalidInput
from .datasets import DatasetAccess
from .deployments import Deployments
from .evaluation_results import MAX_COMPARED, compare
from .finetunes import job_actions, job_why
from .resources import Lifecycle, create_target, merged
from .targets import Targets

S = EvaluationState

_JOB_ACTIONS: dict[EvaluationState, frozenset[EvaluationAction]] = job_actions(
    "cancel", "delete", frozenset({"compare"})
)
EVALUATION_ACTIONS: dict[str, dict[EvaluationState, frozenset[EvaluationAction]]] = {
    "local": _JOB_ACTIONS,
    "oci": _JOB_ACTIONS,
}

EVALUATIONS = Lifecycle[EvaluationState, EvaluationAction]("Evaluation", EVALUATION_ACTIONS, default_why=job_why)

E = TypeVar("E", bound=EvaluationSummary)


def annotate(target: str, item: E) -> E:
    return item.model_copy(update={"target": target, "actions": EVALUATIONS.actions(target, item.state)})


class Evaluations:
    def __init__(self, targets: Targets, deployments: Deployments) -> None:
        self.targets = targets
        self.deployments = deployments

    async def list(self) -> EvaluationList:
        items, problems = await merged(self.targets, lambda d: d.list_evaluations())
        out = [annotate(t, i) for t, i in items]
        return EvaluationList(items=out, total=len(out), problems=problems)

    async def get(self, evaluation_id: str) -> EvaluationDetail:
        driver = await self.targets.route(evaluation_id)
        return annotate(driver.kind, await driver.get_evaluation(evaluation_id))

    async def create(self, request: CreateEvaluationRequest, datasets: DatasetAccess) -> CreateEvaluationResponse:
        driver = await create_target(self.targets, request.target, request.deployment_id, "deployment_id")
        deployment = await self.deployments.get(request.deployment_id)
        if "evaluate" not in deployment.actions:
            why = (
                f"deployment '{deployment.name}' is {deployment.state.value}, not ACTIVE; an evaluation asks a "
                "running deployment (activate it, or wait until it is ACTIVE)"
                if deployment.state.value != "ACTIVE"
                else f"deployment '{deployment.name}' serves {deployment.mode}; an evaluation needs chat or "
                "completion answers"
            )
            raise Conflict(f"deployment_id: {why}.", fields=[FieldError(field="deployment_id", message=why)])
        response = await driver.create_evaluation(request, datasets)
        return response.model_copy(update={"evaluation": annotate(driver.kind, response.evaluation)})

    async def cancel(self, evaluation_id: str) -> EvaluationDetail:
        detail = await self.get(evaluation_id)
        EVALUATIONS.require(detail.target, detail.name, detail.state, "cancel")
        driver = await self.targets.get(detail.target)
        return annotate(driver.kind, await driver.cancel_evaluation(evaluation_id))

    async def delete(self, evaluation_id: str) -> None:
        detail = await self.get(evaluation_id)
        EVALUATIONS.require(detail.target, detail.name, detail.state, "delete")
        driver = await self.targets.get(detail.target)
        await driver.delete_evaluation(evaluation_id)

    async def rows(self, evaluation_id: str, query: EvaluationRowsQuery) -> EvaluationRows:
        driver = await self.targets.route(evaluation_id)
        return await driver.evaluation_rows(evaluation_id, query)

    async def report_html(self, evaluation_id: str) -> tuple[str, str]:
        """The report (Conflict until the evaluation SUCCEEDED) and the evaluation's name."""
        detail = await self.get(evaluation_id)
        if detail.state != S.SUCCEEDED:
            raise Conflict(
                f"The evaluation '{detail.name}' is {detail.state.value}; its report comes when it SUCCEEDED."
            )
        driver = await self.targets.get(detail.target)
        return await driver.evaluation_report_html(evaluation_id), detail.name

    async def logs(self, evaluation_id: str, query: LogsQuery) -> LogPage:
        driver = await self.targets.route(evaluation_id)
        return await driver.evaluation_logs(evaluation_id, query)

    async def compare(self, ids: Sequence[str]) -> EvaluationComparison:
        if not 2 <= len(ids) <= MAX_COMPARED:
            raise InvalidInput.field("query.ids", f"give 2 to {MAX_COMPARED} evaluation ids, separated by commas")
        details = await asyncio.gather(*(self.get(i) for i in ids))
        return compare(details)
