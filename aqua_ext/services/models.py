"""Models: merged lists over the targets, routing by id, which actions a model allows (deploy,
fine-tune, delete), and the memory fit (the one place a fit report is built)."""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import Awaitable, Callable
from typing import TypeVar

from ..api.fit import FitQuery, FitReport
from ..api.models import (
    ConvertToGgufRequest,
    ModelAction,
    ModelDetail,
    ModelFormat,
    ModelList,
    ModelListQuery,
    ModelSource,
    ModelSummary,
    RegisterModelRequest,
    RegisterModelResponse,
)
from ..api.operations import Operation
from ..backends.oci.shapes import OCI_GPU_SHAPES
from ..errors import AquaError, Conflict, InvalidInput
from .deploy_plan import published_shapes
from .finetunes import refuse_if_served
from .memory_fit import estimate_fit
from .model_filter import filter_models
from .resources import merged
from .targets import Targets

# Per target kind: the sources a user may delete (the rest are built in or provided by the service),
# why the others cannot be, and whether we check first that no deployment serves the model (OCI
# refuses deleting a model a deployment uses by itself, at no extra call of ours).
DELETABLE_SOURCES: dict[str, frozenset[ModelSource]] = {
    "local": frozenset({ModelSource.REGISTERED, ModelSource.FINE_TUNED}),
    "oci": frozenset({ModelSource.REGISTERED, ModelSource.FINE_TUNED}),
}
NOT_DELETABLE_WHY: dict[str, str] = {
    "local": "Only registered models can be deleted; catalog, cache and demo models are built in.",
    "oci": "Service models are provided by OCI Data Science and cannot be deleted; only registered "
    "and fine-tuned models can.",
    "genai": "Base models are provided by OCI Generative AI and cannot be deleted; imported and fine-tuned "
    "models can, once they are no longer being created or deleted.",
}
CHECK_SERVED_BEFORE_DELETE: dict[str, bool] = {"local": True, "oci": False}

# model ids → their actions, decided by the service that owns a target's rule where that target's models have
# states a card does not carry (genai: services/genai.py decides host / fine-tune / delete from the lifecycle).
ModelActionRule = Callable[[list[str]], Awaitable[dict[str, list[ModelAction]]]]


def model_actions(target: str, model: ModelSummary) -> list[ModelAction]:
    actions: list[ModelAction] = []
    if model.ready_to_deploy:
        actions.append("deploy")
    if model.ready_to_finetune:
        actions.append("finetune")
    if model.source in DELETABLE_SOURCES.get(target, frozenset()):
        actions.append("delete")
    return actions


M = TypeVar("M", bound=ModelSummary)


def annotate(target: str, model: M) -> M:
    return model.model_copy(update={"target": target, "actions": model_actions(target, model)})


class Models:
    def __init__(self, targets: Targets) -> None:
        self.targets = targets
        # target kind → the rule its own service registers (GenAi registers genai's).
        self.action_rules: dict[str, ModelActionRule] = {}

    async def list(self, query: ModelListQuery | None = None) -> ModelList:
        query = query or ModelListQuery()
        refresh = query.refresh
        items, problems = await merged(self.targets, lambda d: d.list_models(refresh=refresh))
        models = filter_models(await self._ruled([annotate(t, m) for t, m in items]), query)
        return ModelList(items=models, total=len(models), problems=problems)

    async def get(self, model_id: str) -> ModelDetail:
        driver = await self.targets.route(model_id)
        return (await self._ruled([annotate(driver.kind, await driver.get_model(model_id))]))[0]

    async def _ruled(self, models: builtins.list[M]) -> builtins.list[M]:
        """The actions of the models whose target's service owns the rule, by that rule."""
        decided: dict[str, builtins.list[ModelAction]] = {}
        for target, rule in self.action_rules.items():
            ids = [m.id for m in models if m.target == target]
            if not ids:
                continue
            try:
                decided.update(await rule(ids))
            except AquaError:  # the target stopped answering since it listed them: nothing is offered
                decided.update({i: [] for i in ids})
        if not decided:
            return models
        return [m.model_copy(update={"actions": decided[m.id]}) if m.id in decided else m for m in models]

    async def register(self, request: RegisterModelRequest) -> RegisterModelResponse:
        """On the target the request names; else on OCI when the model is or goes to Object Storage
        (`os_uri`), else on the first ready target."""
        target = request.target
        if target is None and request.os_uri and "oci" in self.targets.names:
            target = "oci"
        driver = await self.targets.for_create(target)
        response = await driver.register_model(request)
        if response.model is None:
            return response
        return response.model_copy(update={"model": annotate(driver.kind, response.model)})

    async def convert_to_gguf(self, model_id: str, request: ConvertToGgufRequest) -> Operation:
        """Convert a model's safetensors weights to GGUF at the level asked for, in the background, on the
        model's target; the result is registered as a new model (the operation's resource)."""
        driver = await self.targets.route(model_id)
        model = await driver.get_model(model_id)
        if ModelFormat.SAFETENSORS not in model.formats or not model.ready_to_deploy or not model.artifact_location:
            has = ", ".join(f.value for f in model.formats) or "no weights on this machine"
            raise InvalidInput.field(
                "model_id", f"'{model.name}' has no safetensors weights here to convert to GGUF (it has {has})"
            )
        return await driver.convert_to_gguf(model, request)

    async def delete(self, model_id: str) -> None:
        driver = await self.targets.route(model_id)
        target = driver.kind
        rule = self.action_rules.get(target)
        if rule is not None:
            if "delete" not in (await rule([model_id])).get(model_id, []):
                raise Conflict(NOT_DELETABLE_WHY.get(target, f"'{model_id}' cannot be deleted now."))
            await driver.delete_model(model_id)
            return
        # The listing is cached by every driver: the rule costs no call when it knows the model.
        known = next((m for m in await driver.list_models() if m.id == model_id), None)
        if known is not None:
            if known.source not in DELETABLE_SOURCES.get(target, frozenset()):
                raise Conflict(NOT_DELETABLE_WHY.get(target, f"'{known.name}' cannot be deleted."))
            if CHECK_SERVED_BEFORE_DELETE.get(target):
                await refuse_if_served(driver, model_id, known.name)
        await driver.delete_model(model_id)

    async def fit(self, model_id: str, query: FitQuery) -> FitReport:
        """Where the model fits: this machine's CPU and GPUs (local target) and the OCI shapes (those the
        target can deploy to, where it knows them; every known shape otherwise)."""
        driver = await self.targets.route(model_id)
        model, shapes, availability = await asyncio.gather(
            driver.get_model(model_id), driver.fit_shapes(), driver.fit_availability()
        )
        # On OCI models run on OCI shapes; this notebook machine is no place to deploy them.
        hardware = await self.targets.hardware() if driver.kind == "local" else None
        offered = OCI_GPU_SHAPES if shapes is None else shapes
        published = published_shapes(model)
        if driver.kind != "local" and any(s.name in published for s in offered):
            offered = [s for s in offered if s.name in published]  # the publisher's shapes, as AQUA lists them
        return estimate_fit(model, query, hardware, offered, availability=availability)
