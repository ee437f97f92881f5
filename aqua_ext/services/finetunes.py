"""Fine-tuning jobs: the lifecycle table, merged lists, routing by id, the memory fit of a new job and
of the form's defaults (training_plan.py), and the rule that a model a deployment serves is not
deleted under it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TypeVar

from ..api.finetunes import (
    CreateFineTuneRequest,
    CreateFineTuneResponse,
    FineTuneAction,
    FineTuneDefaults,
    FineTuneDefaultsQuery,
    FineTuneDetail,
    FineTuneList,
    FineTuneMetrics,
    FineTuneParams,
    FineTuneState,
    FineTuneSummary,
    MetricsQuery,
)
from ..api.job_datasets import DatasetAccess, JobDataset
from ..api.logs import LogPage, LogsQuery
from ..api.terraform import TerraformExport
from ..backends.base import Backend
from ..errors import Conflict, InvalidInput, NotFound
from .cli_command import create_command
from .datasets import checked_dataset
from .resources import Lifecycle, LifecycleService, create_target, terraform_target
from .sdk_snippet import render_snippet
from .terraform import datascience_finetune_tf, tf_file_name
from .training_plan import fit_defaults, training_shape

S = FineTuneState
A = TypeVar("A", bound=str)

# What the script of an OCI fine-tune does not do that the form's create does (niceties, not the training).
FINETUNE_SNIPPET_NOTES = (
    "The form's create also copies the base model's card and license to the fine-tuned model and records the",
    "job run as its provenance.",
)


def job_actions(cancel: A, delete: A, succeeded: frozenset[A]) -> dict[FineTuneState, frozenset[A]]:
    """state → the actions a job (a fine-tune or an evaluation) allows: canceled while it runs, deleted
    once it ended, and what its success allows (`succeeded`). Nothing while OCI or the process cancels it."""
    return {
        S.ACCEPTED: frozenset({cancel}),
        S.IN_PROGRESS: frozenset({cancel}),
        S.CANCELING: frozenset(),
        S.SUCCEEDED: succeeded | {delete},
        S.FAILED: frozenset({delete}),
        S.CANCELED: frozenset({delete}),
    }


# Local jobs and OCI job runs move through the same states and allow the same actions; the table is
# per target all the same, so a target that differs says so here.
_JOB_ACTIONS: dict[FineTuneState, frozenset[FineTuneAction]] = job_actions(
    "cancel", "delete", frozenset({"deploy", "evaluate"})
)
FINETUNE_ACTIONS: dict[str, dict[FineTuneState, frozenset[FineTuneAction]]] = {
    "local": _JOB_ACTIONS,
    "oci": _JOB_ACTIONS,
    # OCI Generative AI: its work request is not canceled from here (deleting the model stops it once it
    # ended), and its result is hosted through an endpoint (Deploy opens the endpoint form); an evaluation
    # asks an endpoint, so it starts from the endpoint, not from the fine-tune.
    "genai": {
        **job_actions("cancel", "delete", frozenset({"deploy"})),
        S.ACCEPTED: frozenset(),
        S.IN_PROGRESS: frozenset(),
    },
}


def job_why(target: str, action: str, state: FineTuneState) -> str | None:
    """Why a job action is refused (shared by fine-tunes and evaluations)."""
    if action == "cancel" and state == S.CANCELING:
        return "it is already being canceled."
    if action == "delete" and state in (S.ACCEPTED, S.IN_PROGRESS, S.CANCELING):
        return "cancel it first, and delete it once it is CANCELED."
    if action in ("deploy", "evaluate", "compare"):
        return "wait until it SUCCEEDED."
    return None


FINETUNES = Lifecycle[FineTuneState, FineTuneAction]("Fine-tune", FINETUNE_ACTIONS, default_why=job_why)


def finetune_actions(target: str, item: FineTuneSummary) -> list[FineTuneAction]:
    actions = FINETUNES.actions(target, item.state)
    if not item.output_model_id:  # deploy and evaluate need the fine-tuned model
        actions = [a for a in actions if a not in ("deploy", "evaluate")]
    return actions


async def refuse_if_served(driver: Backend, model_id: str | None, name: str) -> None:
    """Conflict when a deployment of this target serves `model_id`, as its model or as one of its adapters: it
    must go first (or drop the adapter)."""
    if not model_id:
        return
    serving = [
        d
        for d in await driver.list_deployments()
        if d.model_id == model_id or any(a.model_id == model_id for a in d.adapters)
    ]
    if serving:
        names = ", ".join(f"'{d.name}' ({d.state.value})" for d in serving)
        raise Conflict(f"'{name}' is served by deployment {names}; delete the deployment first.")


class FineTunes(LifecycleService[FineTuneState, FineTuneAction, FineTuneDetail]):
    lifecycle = FINETUNES

    item_actions = staticmethod(finetune_actions)

    async def read(self, driver: Backend, resource_id: str) -> FineTuneDetail:
        return await driver.get_finetune(resource_id)

    async def defaults(self, model_id: str, query: FineTuneDefaultsQuery) -> FineTuneDefaults:
        driver = await self.targets.route(model_id)
        facts = await driver.finetune_facts(model_id, query)
        shape, params, fit = fit_defaults(facts, query)
        return await driver.finetune_defaults(facts, shape, params, fit)

    async def with_model_defaults(self, request: CreateFineTuneRequest) -> CreateFineTuneRequest:
        """The request with the hyperparameters it leaves out (not in `params.model_fields_set`) taken
        from the base model's defaults, as the fine-tune form fills them in: a sequence length the
        model holds, a batch that fits the shape, given the hyperparameters and shape it sets. An
        unknown model is a bad `model_id` (400), as the create route reports it."""
        given = request.params.model_dump(include=request.params.model_fields_set)
        query = FineTuneDefaultsQuery(
            shape=request.shape, **{k: v for k, v in given.items() if k in FineTuneDefaultsQuery.model_fields}
        )
        try:
            defaults = await self.defaults(request.model_id, query)
        except NotFound as exc:
            raise InvalidInput.field("model_id", exc.message) from None
        params = FineTuneParams.model_validate({**defaults.params.model_dump(), **given})
        return request.model_copy(update={"params": params})

    async def list(self) -> FineTuneList:
        items, problems = await self.items(lambda d: d.list_finetunes())
        return FineTuneList(items=items, total=len(items), problems=problems)

    async def _resolved(self, driver: Backend, request: CreateFineTuneRequest) -> CreateFineTuneRequest:
        """The driver's checks and facts, then the memory fit here: the request with the shape that holds the
        run and the params it trains with, complete."""
        facts = await driver.resolve_finetune(request)
        shape = training_shape(facts)
        params = FineTuneParams.model_validate(facts.params_for(facts.shape).model_dump())
        return request.model_copy(update={"shape": shape, "params": params})

    @contextlib.asynccontextmanager
    async def _dataset(
        self, driver: Backend, request: CreateFineTuneRequest, datasets: DatasetAccess
    ) -> AsyncIterator[JobDataset]:
        """The dataset's preflight is a rule too: run here on the file the driver finds, and the driver gets it
        checked (gone afterwards)."""
        found = await driver.finetune_dataset(request, datasets)
        async with checked_dataset(
            datasets, found, validation_split=request.validation_split, max_seq_length=request.params.max_seq_length
        ) as dataset:
            yield dataset

    async def create(self, request: CreateFineTuneRequest, datasets: DatasetAccess) -> CreateFineTuneResponse:
        driver = await create_target(self.targets, request.target, request.model_id, "model_id")
        request = await self._resolved(driver, request)
        async with self._dataset(driver, request, datasets) as dataset:
            response = await driver.create_finetune(request, dataset)
        return response.model_copy(update={"finetune": self.annotate(driver.kind, response.finetune)})

    async def terraform(self, request: CreateFineTuneRequest, datasets: DatasetAccess) -> TerraformExport:
        """The Terraform and the SDK calls of `create(request)`: the same checks, memory fit and preflight (the
        same 400s), then what the OCI driver would send, written as `oci_datascience_job` and its run. Nothing
        is created. `request` as the create takes it (the form's defaults filled in)."""
        driver = await terraform_target(self.targets, request.target, request.model_id, "fine-tune")
        request = await self._resolved(driver, request)
        async with self._dataset(driver, request, datasets) as dataset:
            exported = await driver.finetune_create_calls(request, dataset)
        names = {exported.job.compartment_id: "compartment_id", exported.job.project_id: "project_id"}
        return TerraformExport(
            file_name=tf_file_name(request.name, "fine_tune"),
            hcl=datascience_finetune_tf(exported),
            cli=create_command(request),
            python=render_snippet(exported.steps, names=names, notes=FINETUNE_SNIPPET_NOTES),
        )

    async def cancel(self, finetune_id: str) -> FineTuneDetail:
        _, driver = await self.checked(finetune_id, "cancel")
        return self.annotate(driver.kind, await driver.cancel_finetune(finetune_id))

    async def delete(self, finetune_id: str) -> None:
        detail, driver = await self.checked(finetune_id, "delete")
        await refuse_if_served(driver, detail.output_model_id, detail.name)
        await driver.delete_finetune(finetune_id)

    async def logs(self, finetune_id: str, query: LogsQuery) -> LogPage:
        driver = await self.targets.route(finetune_id)
        return await driver.finetune_logs(finetune_id, query)

    async def metrics(self, finetune_id: str, query: MetricsQuery) -> FineTuneMetrics:
        driver = await self.targets.route(finetune_id)
        return await driver.finetune_metrics(finetune_id, query)
