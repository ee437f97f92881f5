"""Evaluations: the lifecycle table, merged lists, routing by id, the model an evaluation asks (a
deployment or a connection that allows "evaluate"), its parameters and dataset checked before the
driver's create, the rows page and the comparison of several runs."""

from __future__ import annotations

import asyncio
import builtins
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
from ..backends.base import Backend, EvaluatedConnection, EvaluationJudge, EvaluationOrder
from ..errors import AquaError, Conflict, InvalidInput, NotFound
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
# Judges grade in the local evaluation job too (OCI's container computes its own metrics).
JUDGING_TARGET = "local"

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
        judges = await self._judges(request, driver.kind)
        # The dataset's preflight is a rule: run here on the file the driver finds, and the driver gets it checked.
        found = await driver.evaluation_dataset(request, datasets)
        async with checked_dataset(datasets, found, validation_split=0.0, max_seq_length=EVALUATION_MAX_SEQ) as dataset:
            response = await driver.create_evaluation(EvaluationOrder(request, dataset, connection, judges))
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
        if request.adapter and request.adapter not in {a.name for a in deployment.adapters}:
            served = ", ".join(a.name for a in deployment.adapters) or "none"
            raise InvalidInput.field(
                "adapter",
                f"deployment '{deployment.name}' serves no adapter '{request.adapter}'; its adapters: {served}",
            )
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

    async def _judges(self, request: CreateEvaluationRequest, target: str) -> builtins.list[EvaluationJudge]:
        """The models that grade the answers (LLM-as-judge), each checked: it exists and answers text.
        A judge may be a deployment on any target or a connection; the grading runs in the local job."""
        if request.judge is None:
            return []
        if target != JUDGING_TARGET:
            raise InvalidInput.field(
                "judge", f"LLM-as-judge runs in the {JUDGING_TARGET} evaluation job; this evaluation runs on {target}"
            )
        judges = []
        for place, judge in enumerate(request.judge.judges):
            field = f"judge.judges.{place}"
            if judge.connection_id:
                judges.append(await self._connection_judge(judge.connection_id, judge.model, field))
            else:
                judges.append(await self._deployment_judge(judge.deployment_id or "", field))
        return judges

    async def _deployment_judge(self, deployment_id: str, field: str) -> EvaluationJudge:
        try:
            deployment = await self.deployments.get(deployment_id)
        except (NotFound, InvalidInput):  # unknown, or an id no enabled target holds
            raise InvalidInput.field(f"{field}.deployment_id", f"no deployment with id '{deployment_id}'") from None
        if "chat" not in deployment.actions or deployment.mode == "embedding":
            why = (
                f"deployment '{deployment.name}' serves embeddings; a judge answers in text (chat or completion)"
                if deployment.mode == "embedding"
                else f"deployment '{deployment.name}' is {deployment.state.value}; a judge must be ACTIVE to answer"
            )
            raise InvalidInput.field(f"{field}.deployment_id", why)
        signing = self.connections.oci_signing
        endpoint = await genai_chat.evaluated_endpoint(self.targets, self.deployments, deployment_id, signing)
        if endpoint is not None:  # a Generative AI endpoint is asked as a connection is (its dialect, signed)
            return EvaluationJudge(deployment.name, deployment_id=deployment_id, connection=endpoint)
        target = await self.deployments.upstream(deployment_id)
        # A signed engine (OCI) is asked with the server's OCI settings, as a connection to OCI is.
        return EvaluationJudge(
            deployment.name, deployment_id=deployment_id, target=target, oci_signing=signing if target.auth else {}
        )

    async def _connection_judge(self, connection_id: str, model: str | None, field: str) -> EvaluationJudge:
        try:
            detail = await self.connections.get(connection_id)
        except NotFound:
            raise InvalidInput.field(f"{field}.connection_id", f"no connection with id '{connection_id}'") from None
        if "chat" not in detail.actions:
            why = f"connection '{detail.name}' offers {', '.join(detail.capabilities)}; a judge answers in chat"
            raise InvalidInput.field(f"{field}.connection_id", why)
        conn, chosen = await self.connections.evaluated(connection_id, model, field=f"{field}.model")
        asked = EvaluatedConnection(conn, chosen, self.connections.oci_signing)
        return EvaluationJudge(f"{detail.name} · {chosen}", connection=asked)

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
