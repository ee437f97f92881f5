"""Evaluations: the lifecycle table, merged lists, routing by id, the model an evaluation asks (a
deployment or a connection that allows "evaluate"), its parameters and dataset checked before the
driver's create, the rows page and the comparison of several runs."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..api.common import FieldError
from ..api.deployments import ChatRequest
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
    ModelParameters,
)
from ..api.job_datasets import DatasetAccess
from ..api.logs import LogPage, LogsQuery
from ..api.upstream import UpstreamTarget
from ..backends.base import Backend, EvaluatedConnection
from ..errors import AquaError, Conflict, InvalidInput
from . import genai_chat
from .chat_payload import build_payload
from .datasets import checked_dataset
from .deployments import Deployments
from .evaluation_results import MAX_COMPARED, compare, page_rows
from .finetunes import job_actions, job_why
from .resources import Lifecycle, LifecycleService, create_target
from .targets import Targets

if TYPE_CHECKING:
    from .connections import Connections

S = EvaluationState
# A connection is asked by the local evaluation job; OCI's evaluation container asks model deployments only.
CONNECTION_TARGET = "local"

_JOB_ACTIONS: dict[EvaluationState, frozenset[EvaluationAction]] = job_actions(
    "cancel", "delete", frozenset({"compare"})
)
EVALUATION_ACTIONS: dict[str, dict[EvaluationState, frozenset[EvaluationAction]]] = {
    "local": _JOB_ACTIONS,
    "oci": _JOB_ACTIONS,
}

EVALUATIONS = Lifecycle[EvaluationState, EvaluationAction]("Evaluation", EVALUATION_ACTIONS, default_why=job_why)

# An evaluation's preflight measures no tokens (no tokenizer): the length only bounds the check.
EVALUATION_MAX_SEQ = 131_072


class Evaluations(LifecycleService[EvaluationState, EvaluationAction, EvaluationDetail]):
    lifecycle = EVALUATIONS

    def __init__(self, targets: Targets, deployments: Deployments, connections: Connections) -> None:
        super().__init__(targets)
        self.deployments = deployments
        self.connections = connections

    async def read(self, driver: Backend, resource_id: str) -> EvaluationDetail:
        return await driver.get_evaluation(resource_id)

    async def list(self) -> EvaluationList:
        items, problems = await self.items(lambda d: d.list_evaluations())
        return EvaluationList(items=items, total=len(items), problems=problems)

    async def create(self, request: CreateEvaluationRequest, datasets: DatasetAccess) -> CreateEvaluationResponse:
        connection = None
        if request.connection_id:
            driver, connection = await self._connection_asked(request.connection_id, request)
        elif endpoint := await genai_chat.evaluated_endpoint(
            self.targets, self.deployments, request.deployment_id or "", self.connections.oci_signing
        ):
            # A Generative AI endpoint runs no job of its own: the local target asks it as a connection.
            driver, connection = await self._local("deployment_id"), endpoint
        else:
            driver = await self._deployment_asked(request.deployment_id or "", request)
        # The dataset's preflight is a rule: run here on the file the driver finds, and the driver gets it checked.
        found = await driver.evaluation_dataset(request, datasets)
        async with checked_dataset(datasets, found, validation_split=0.0, max_seq_length=EVALUATION_MAX_SEQ) as dataset:
            response = await driver.create_evaluation(request, dataset, connection)
        return response.model_copy(update={"evaluation": self.annotate(driver.kind, response.evaluation)})

    async def _deployment_asked(self, deployment_id: str, request: CreateEvaluationRequest) -> Backend:
        """The target that evaluates an ACTIVE chat or completion deployment: its own."""
        driver = await create_target(self.targets, request.target, deployment_id, "deployment_id")
        deployment = await self.deployments.get(deployment_id)
        if "evaluate" not in deployment.actions:
            why = (
                f"deployment '{deployment.name}' is {deployment.state.value}, not ACTIVE; an evaluation asks a "
                "running deployment (activate it, or wait until it is ACTIVE)"
                if deployment.state.value != "ACTIVE"
                else f"deployment '{deployment.name}' serves {deployment.mode}; an evaluation needs chat or "
                "completion answers"
            )
            raise Conflict(f"deployment_id: {why}.", fields=[FieldError(field="deployment_id", message=why)])
        target = await driver.evaluation_chat_target(deployment_id)
        if target is not None:
            check_params(request.params, target)
        return driver

    async def _local(self, field: str) -> Backend:
        if CONNECTION_TARGET not in self.targets.names:
            raise InvalidInput.field(
                field, f"this evaluation runs on the {CONNECTION_TARGET} target, which is not enabled"
            )
        return await self.targets.get(CONNECTION_TARGET)

    async def _connection_asked(
        self, connection_id: str, request: CreateEvaluationRequest
    ) -> tuple[Backend, EvaluatedConnection]:
        """The local target, and the connection it asks: one that may `evaluate` (it answers text),
        with its secret for the job and the model that answers."""
        if request.target not in (None, CONNECTION_TARGET):
            self.targets.driver(request.target)  # an unknown target: 400 naming the enabled ones
        if request.target not in (None, CONNECTION_TARGET) or CONNECTION_TARGET not in self.targets.names:
            enabled = "" if CONNECTION_TARGET in self.targets.names else ", which is not enabled here"
            raise InvalidInput.field(
                "connection_id", f"evaluating a connection runs on the {CONNECTION_TARGET} target{enabled}"
            )
        detail = await self.connections.get(connection_id)  # 404 for unknown ids
        if "evaluate" not in detail.actions:
            why = (
                f"connection '{detail.name}' offers {', '.join(detail.capabilities)}; an evaluation needs "
                "chat or completion answers"
            )
            raise Conflict(f"connection_id: {why}.", fields=[FieldError(field="connection_id", message=why)])
        conn, model = await self.connections.evaluated(connection_id, request.connection_model)
        return await self.targets.get(CONNECTION_TARGET), EvaluatedConnection(conn, model, self.connections.oci_signing)

    async def cancel(self, evaluation_id: str) -> EvaluationDetail:
        _, driver = await self.checked(evaluation_id, "cancel")
        return self.annotate(driver.kind, await driver.cancel_evaluation(evaluation_id))

    async def delete(self, evaluation_id: str) -> None:
        _, driver = await self.checked(evaluation_id, "delete")
        await driver.delete_evaluation(evaluation_id)

    async def rows(self, evaluation_id: str, query: EvaluationRowsQuery) -> EvaluationRows:
        driver = await self.targets.route(evaluation_id)
        return page_rows(await driver.evaluation_rows(evaluation_id), query)

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

    async def compare(self, ids: Sequence[str], *, field: str = "query.ids") -> EvaluationComparison:
        """2 to MAX_COMPARED evaluations side by side (an id given twice counts once), the best score
        of each metric named. `field`: how the caller's input names the ids (the route's query)."""
        unique = list(dict.fromkeys(ids))
        if not 2 <= len(unique) <= MAX_COMPARED:
            raise InvalidInput.field(field, f"compare 2 to {MAX_COMPARED} evaluations; got {len(unique)}")
        details = await asyncio.gather(*(self.get(i) for i in unique))
        return compare(details)


def check_params(params: ModelParameters, target: UpstreamTarget) -> None:
    """The parameters as the job will send them (services/chat_payload.py builds each request), checked
    now: max tokens against the model length, messages or a prompt as the deployment takes them."""
    turn = {"messages": [{"role": "user", "content": "?"}]} if target.mode == "chat" else {"prompt": "?"}
    try:
        build_payload(ChatRequest.model_validate({**params.model_dump(), **turn}), target)
    except AquaError as exc:
        field = exc.fields[0].field if exc.fields else "params"
        raise InvalidInput.field(f"params.{field}", exc.fields[0].message if exc.fields else exc.message) from None
