"""OCI Generative AI (the `genai` target): what is checked before its driver creates anything, and the
figures shown beside what it reports.

Rules applied here, each owned by its module: the capability an imported model may have against its
config.json (genai_units.check_capabilities), the unit shape the memory fit recommends or refuses
(genai_units), the service limit a cluster takes (genai_units.limit_request, against what the Limits
service says is left), the cost per hour and since creation (genai_units.hourly_cost / cost_since), the
training configuration's defaults and ranges (genai_finetune), the dataset preflight (datasets), and the
Terraform of each create (terraform). The driver (backends/genai) reports what OCI says and creates what
it is handed; a create and its Terraform export run the same checks, so an export proves the create would
pass them, creating nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import BaseModel

from ..api import genai as contract
from ..api.fit import FitQuery
from ..api.job_datasets import DatasetAccess
from ..api.models import ModelAction, ModelDetail
from ..api.terraform import SdkCall, TerraformExport
from ..backends.genai.mapping import finetune_state
from ..errors import Conflict, InvalidInput, NotFound, Unavailable
from . import genai_finetune as ft
from . import genai_on_demand
from . import genai_units as units
from .cli_command import GenAiCreateRequest, create_command
from .datasets import checked_dataset
from .finetunes import FINETUNES
from .sdk_snippet import render_snippet
from .terraform import (
    ClusterSpec,
    EndpointSpec,
    ImportedModelSpec,
    cluster_tf,
    endpoint_tf,
    finetune_tf,
    imported_model_tf,
    tf_file_name,
)

if TYPE_CHECKING:
    from ..backends.genai.backend import GenAiBackend
    from .models import Models
    from .targets import Targets

TARGET = "genai"
# States in which a cluster is billed (it holds its GPUs).
BILLED_STATES = frozenset({"ACTIVE", "UPDATING", "NEEDS_ATTENTION"})
T = TypeVar("T")


class GenAi:
    def __init__(self, targets: Targets, models: Models) -> None:
        self.targets = targets
        self.models = models
        # The merged model list and detail show genai models with this service's rule (one owner).
        models.action_rules[TARGET] = self.merged_model_actions

    async def driver(self) -> GenAiBackend:
        if TARGET not in self.targets.names:
            raise Unavailable(
                "The OCI Generative AI target is not enabled: it is enabled with OCI (an OCI config file, or "
                "AquaExtension.oci_compartment_id); AquaExtension.targets may name 'genai' too."
            )
        driver = await self.targets.get(TARGET)
        return driver  # type: ignore[return-value]  # the genai target's driver is a GenAiBackend

    # ---- models ----------------------------------------------------------------------------------------------

    async def list_models(self) -> contract.GenAiModelList:
        items = [_with_model_actions(m) for m in await (await self.driver()).genai_models()]
        return contract.GenAiModelList(items=items, total=len(items))

    async def get_model(self, model_id: str) -> contract.GenAiModel:
        return _with_model_actions(await (await self.driver()).genai_model(model_id))

    async def list_on_demand_models(self) -> contract.OnDemandModelList:
        """The region's base models OCI serves on demand: chat and embedding subjects by their OCID wherever a
        deployment id goes (the rule: services/genai_on_demand.py)."""
        return await genai_on_demand.list_models(await self.driver())

    async def merged_model_actions(self, model_ids: list[str]) -> dict[str, list[ModelAction]]:
        """The same rule in the merged list's words: hosting is the card's Deploy (the panel opens the endpoint
        form for a genai model), fine-tuning its Fine-tune (the Generative AI fine-tune form)."""
        driver = await self.driver()
        listed = {m.id: m for m in await driver.genai_models()}  # the driver's cached list: no call per card
        decided: dict[str, list[ModelAction]] = {}
        for model_id in model_ids:
            model = listed.get(model_id) or await driver.genai_model(model_id)
            decided[model_id] = [MERGED_MODEL_ACTIONS[a] for a in model_actions(model)]
        return decided

    async def delete_model(self, model_id: str) -> None:
        await (await self.driver()).delete_genai_model(model_id)

    async def _checked_import(self, request: contract.ImportGenAiModelRequest) -> tuple[GenAiBackend, dict[str, Any]]:
        """config.json and the weights where the request says (the driver reads them; a gated model without a
        token is a 400 naming `token`), and the capability against config.json's architecture; the source's
        fields for the Terraform."""
        driver = await self.driver()
        facts = await driver.import_source(request)
        units.check_capabilities([request.capability], facts.config)
        return driver, driver.import_source_fields(request, facts)

    async def import_model(self, request: contract.ImportGenAiModelRequest) -> contract.GenAiModelResponse:
        driver, _ = await self._checked_import(request)
        response = await driver.import_model(request)
        return response.model_copy(update={"model": _with_model_actions(response.model)})

    async def model_terraform(self, request: contract.ImportGenAiModelRequest) -> TerraformExport:
        driver, source = await self._checked_import(request)
        spec = ImportedModelSpec(**_spec_fields(driver, request, ImportedModelSpec), **source)
        return _export(driver, request, "imported_model", imported_model_tf(spec), driver.create_call(request))

    # ---- dedicated AI clusters ---------------------------------------------------------------------------------

    async def _model_for_fit(self, model_id: str | None) -> ModelDetail | None:
        if not model_id:
            return None
        try:
            return await self.models.get(model_id)
        except InvalidInput:
            raise
        except Exception as exc:  # NotFound, an unavailable target: the field is what was wrong
            message = getattr(exc, "message", str(exc))
            raise InvalidInput.field(
                "model_id", f"'{model_id}' could not be read for the memory fit: {message}"
            ) from None

    async def cluster_plan(self, query: contract.ClusterPlanQuery) -> contract.ClusterPlan:
        driver = await self.driver()
        model = await self._model_for_fit(query.model_id)
        fit_query = FitQuery(dtype=query.dtype, context_length=query.context_length)
        price = driver.price_per_ai_unit_hour
        report = units.unit_shape_fit(model, fit_query) if model is not None else None
        fits = {t.name: t.fits for t in report.shapes} if report is not None and report.total_gb is not None else {}
        recommended = report.recommended_shape if report is not None else None
        limits = await driver.limit_availability(sorted({s.limit_name for s in units.UNIT_SHAPES}))
        shapes = []
        for shape in units.UNIT_SHAPES:
            need = units.limit_request(shape, query.unit_count)
            shapes.append(
                contract.UnitShapeOption(
                    unit_shape=shape.name,
                    gpu=shape.gpu,
                    gpu_count=shape.gpu_count,
                    gpu_memory_gb=shape.total_gpu_memory_gb,
                    fits=fits.get(shape.name),
                    recommended=shape.name == recommended,
                    limit_name=shape.limit_name,
                    units_needed=need.units,
                    available=limits.get(shape.limit_name),
                    cost=units.hourly_cost(shape, query.unit_count, price),
                )
            )
        notes: list[str] = []
        datascience = None
        if model is not None:
            comparison = units.compare_costs(model, fit_query, price, query.unit_count)
            datascience = comparison.datascience
            notes += comparison.notes
        else:
            notes.append("No model given: every unit shape is listed without a memory fit.")
        return contract.ClusterPlan(
            model_id=model.id if model else None,
            model_name=model.name if model else None,
            recommended_unit_shape=recommended,
            shapes=shapes,
            datascience=datascience,
            price_per_ai_unit_hour=price,
            arithmetic=list(report.arithmetic) if report is not None else [],
            notes=notes,
        )

    async def _checked_cluster(self, request: contract.CreateClusterRequest) -> tuple[GenAiBackend, units.UnitShape]:
        """The unit shape (recommended, or asked for and checked against the memory fit) and the service limit
        it takes, checked with the Limits service: 400 naming `unit_shape` with the limit to raise."""
        driver = await self.driver()
        model = await self._model_for_fit(request.model_id)
        fit_query = FitQuery(dtype=request.dtype, context_length=request.context_length)
        if request.unit_shape:
            shape = (
                units.require_unit_shape_fit(model, fit_query, request.unit_shape)
                if model is not None
                else units.require_unit_shape_name(request.unit_shape)
            )
        elif model is None:
            raise InvalidInput.field(
                "unit_shape", "choose a unit shape, or give model_id so the memory fit recommends one"
            )
        else:
            picked = units.recommend_unit_shape(model, fit_query)
            if picked is None:
                raise InvalidInput.field(
                    "unit_shape",
                    f"no unit shape holds '{model.name}' by the memory fit (or its size is unknown); choose one",
                )
            shape = picked
        need = units.limit_request(shape, request.unit_count)
        available = (await driver.limit_availability([shape.limit_name])).get(shape.limit_name)
        if available is not None and available < need.units:
            raise InvalidInput.field(
                "unit_shape",
                f"the service limit {need.limit_name} ({need.service}) has {available} unit"
                f"{'s' if available != 1 else ''} left and {need.line}. Request a limit increase for "
                f"{need.limit_name} (Console → Governance → Limits, Quotas and Usage → Request a service limit "
                "increase), or choose a unit shape whose limit has room.",
            )
        return driver, shape

    async def create_cluster(self, request: contract.CreateClusterRequest) -> contract.GenAiClusterResponse:
        driver, shape = await self._checked_cluster(request)
        response = await driver.create_cluster(request, shape.name)
        return response.model_copy(update={"cluster": self._annotate(response.cluster, driver)})

    async def cluster_terraform(self, request: contract.CreateClusterRequest) -> TerraformExport:
        driver, shape = await self._checked_cluster(request)
        spec = ClusterSpec(**{**_spec_fields(driver, request, ClusterSpec), "unit_shape": shape.name})
        call = driver.create_call(request, unit_shape=shape.name)
        return _export(driver, request, "dedicated_ai_cluster", cluster_tf(spec), call)

    async def list_clusters(self) -> contract.GenAiClusterList:
        driver = await self.driver()
        items = [self._annotate(c, driver) for c in await driver.clusters()]
        return contract.GenAiClusterList(items=items, total=len(items))

    async def get_cluster(self, cluster_id: str) -> contract.GenAiCluster:
        driver = await self.driver()
        return self._annotate(await driver.cluster(cluster_id), driver)

    async def delete_cluster(self, cluster_id: str) -> None:
        await (await self.driver()).delete_cluster(cluster_id)

    def _annotate(
        self, cluster: contract.GenAiCluster, driver: GenAiBackend, now: datetime | None = None
    ) -> contract.GenAiCluster:
        """Its limit, its cost per hour and, while it is billed, since it was created; what may be done with it."""
        shape = units.get_unit_shape(cluster.unit_shape)
        price = driver.price_per_ai_unit_hour
        update: dict[str, object] = {"actions": _cluster_actions(cluster)}
        if shape is not None:
            update["limit_name"] = shape.limit_name
            update["cost"] = units.hourly_cost(shape, cluster.unit_count, price)
            if cluster.state in BILLED_STATES and cluster.created_at is not None:
                since = cluster.created_at
                so_far = units.cost_since(shape, since, now or datetime.now(timezone.utc), cluster.unit_count, price)
                update["cost_so_far"] = contract.ClusterCostSoFar(
                    since=since,
                    hours=so_far.hours,
                    ai_unit_hours=so_far.ai_unit_hours,
                    amount=so_far.amount,
                    line=so_far.line,
                )
        return cluster.model_copy(update=update)

    # ---- endpoints -----------------------------------------------------------------------------------------------

    async def _checked_endpoint(self, request: contract.CreateGenAiEndpointRequest) -> GenAiBackend:
        """The cluster is an ACTIVE HOSTING one and the model ACTIVE (400 / 409 naming the field)."""
        driver = await self.driver()
        cluster = await _field(driver.cluster(request.dedicated_ai_cluster_id), "dedicated_ai_cluster_id")
        if cluster.type != "HOSTING":
            raise InvalidInput.field(
                "dedicated_ai_cluster_id",
                f"'{cluster.name}' is a {cluster.type} cluster; endpoints need a HOSTING cluster (create one with "
                "type HOSTING)",
            )
        if cluster.state != "ACTIVE":
            raise Conflict(f"The dedicated AI cluster '{cluster.name}' is {cluster.state}; wait until it is ACTIVE.")
        model = await _field(driver.genai_model(request.model_id), "model_id")
        if model.state != "ACTIVE":
            raise Conflict(f"The model '{model.name}' is {model.state}; wait until it is ACTIVE.")
        return driver

    async def create_endpoint(self, request: contract.CreateGenAiEndpointRequest) -> contract.GenAiEndpointResponse:
        driver = await self._checked_endpoint(request)
        return await driver.create_endpoint(request)

    async def endpoint_terraform(self, request: contract.CreateGenAiEndpointRequest) -> TerraformExport:
        driver = await self._checked_endpoint(request)
        spec = EndpointSpec(**_spec_fields(driver, request, EndpointSpec))
        return _export(driver, request, "endpoint", endpoint_tf(spec), driver.create_call(request))

    async def list_endpoints(self) -> contract.GenAiEndpointList:
        items = await (await self.driver()).endpoints()
        return contract.GenAiEndpointList(items=items, total=len(items))

    async def get_endpoint(self, endpoint_id: str) -> contract.GenAiEndpoint:
        return await (await self.driver()).endpoint(endpoint_id)

    async def delete_endpoint(self, endpoint_id: str) -> None:
        await (await self.driver()).delete_endpoint(endpoint_id)

    # ---- fine-tuning ---------------------------------------------------------------------------------------------

    def training_defaults(self) -> contract.GenAiTrainingDefaults:
        methods = [
            contract.TrainingMethod(
                training_config_type=kind,
                fields=[
                    contract.TrainingField(
                        name=name,
                        default=bound.default,
                        low=bound.low,
                        high=bound.high,
                        high_exclusive=bound.below,
                        integer=name in ft.INTEGER_FIELDS,
                    )
                    for name, bound in bounds.items()
                ],
            )
            for kind, bounds in ft.BOUNDS.items()
        ]
        return contract.GenAiTrainingDefaults(methods=methods, split_statement=ft.SPLIT_STATEMENT)

    async def _checked_finetune(
        self, request: contract.CreateGenAiFineTuneRequest, access: DatasetAccess
    ) -> tuple[GenAiBackend, contract.ResolvedTrainingConfig | None, str]:
        """The training configuration (defaults and ranges), the base model and the FINE_TUNING cluster, then
        the dataset's preflight (every line a prompt/completion pair): 400 naming the field, nothing created."""
        resolved = ft.resolve_training_config(request.training_config) if request.training_config else None
        driver = await self.driver()
        base = await _field(driver.genai_model(request.base_model_id), "base_model_id")
        if base.type != "BASE" or "FINE_TUNE" not in base.capabilities:
            raise InvalidInput.field(
                "base_model_id", f"'{base.name}' cannot be fine-tuned; choose a base model that lists FINE_TUNE"
            )
        if (
            resolved is not None
            and base.training_methods
            and resolved.training_config_type not in base.training_methods
        ):
            offered = ", ".join(m.value for m in base.training_methods)
            raise InvalidInput.field(
                "training_config.training_config_type",
                f"{resolved.training_config_type.value} is not offered for {base.name} (offered: {offered})",
            )
        cluster = await _field(driver.cluster(request.dedicated_ai_cluster_id), "dedicated_ai_cluster_id")
        if cluster.type != "FINE_TUNING":
            raise InvalidInput.field(
                "dedicated_ai_cluster_id",
                f"'{cluster.name}' is a {cluster.type} cluster; fine-tuning needs a FINE_TUNING cluster",
            )
        if cluster.state != "ACTIVE":
            raise Conflict(f"The dedicated AI cluster '{cluster.name}' is {cluster.state}; wait until it is ACTIVE.")
        file = await driver.finetune_dataset_file(request, access)
        async with checked_dataset(access, file, validation_split=1 - ft.SPLIT_TRAIN, max_seq_length=4096) as job:
            report = job.report
            if report.format != "instruction":
                raise InvalidInput.field(
                    "training_dataset", 'Generative AI trains on {"prompt", "completion"} lines, not conversations'
                )
            if report.valid_rows < 2:
                raise InvalidInput.field("training_dataset", "at least 2 lines are needed (the dataset is split 80/20)")
        return driver, resolved, ft.split_statement(report.valid_rows)

    async def create_finetune(
        self, request: contract.CreateGenAiFineTuneRequest, access: DatasetAccess
    ) -> contract.GenAiFineTuneResponse:
        driver, resolved, split = await self._checked_finetune(request, access)
        response = await driver.create_genai_finetune(request, resolved)
        finetune = _with_finetune_actions(response.finetune).model_copy(update={"split": split})
        return response.model_copy(update={"finetune": finetune})

    async def finetune_terraform(
        self, request: contract.CreateGenAiFineTuneRequest, access: DatasetAccess
    ) -> TerraformExport:
        driver, resolved, _ = await self._checked_finetune(request, access)
        call = driver.create_call(request, resolved=resolved)
        return _export(driver, request, "fine_tuned_model", finetune_tf(request, driver.compartment_id), call)

    async def list_finetunes(self) -> contract.GenAiFineTuneList:
        items = [_with_finetune_actions(f) for f in await (await self.driver()).genai_finetunes()]
        return contract.GenAiFineTuneList(items=items, total=len(items))

    async def get_finetune(self, finetune_id: str) -> contract.GenAiFineTune:
        return _with_finetune_actions(await (await self.driver()).genai_finetune(finetune_id))

    async def delete_finetune(self, finetune_id: str) -> None:
        await (await self.driver()).delete_genai_model(finetune_id)


def _spec_fields(driver: GenAiBackend, request: BaseModel, spec: type) -> dict[str, Any]:
    """What a Terraform spec (services/terraform.py) takes from the create request, by the same names,
    with the target's compartment."""
    names = {f.name for f in dataclasses.fields(spec)} - {"compartment_ocid"}
    return {"compartment_ocid": driver.compartment_id, **request.model_dump(include=names)}


def _export(
    driver: GenAiBackend, request: GenAiCreateRequest, default_name: str, hcl: str, call: SdkCall
) -> TerraformExport:
    return TerraformExport(
        file_name=tf_file_name(request.display_name, default_name),
        hcl=hcl,
        cli=create_command(request),
        python=render_snippet([call], names={driver.compartment_id: "compartment_id"}),
    )


# States a delete is refused in (OCI: the resource is being made or removed).
_BUSY = frozenset({"CREATING", "DELETING", "DELETED", "UPDATING"})


# A genai model's action → the merged model list's action that starts it.
MERGED_MODEL_ACTIONS: dict[contract.GenAiModelAction, ModelAction] = {
    "host": "deploy",
    "finetune": "finetune",
    "delete": "delete",
}


def _with_model_actions(model: contract.GenAiModel) -> contract.GenAiModel:
    return model.model_copy(update={"actions": model_actions(model)})


def model_actions(model: contract.GenAiModel) -> list[contract.GenAiModelAction]:
    """An ACTIVE imported or fine-tuned model can be hosted (an endpoint on a hosting cluster) and deleted; a
    base model that lists FINE_TUNE can be fine-tuned; base models are the service's, never deleted."""
    actions: list[contract.GenAiModelAction] = []
    owned = model.type in ("IMPORTED", "CUSTOM")
    if owned and model.state == "ACTIVE":
        actions.append("host")
    if model.type == "BASE" and model.state == "ACTIVE" and "FINE_TUNE" in model.capabilities:
        actions.append("finetune")
    if owned and model.state not in _BUSY:
        actions.append("delete")
    return actions


# The fine-tune list's action → the genai routes' word for it (Deploy is hosting on an endpoint).
_GENAI_FINETUNE_ACTIONS: dict[str, Literal["delete", "host"]] = {"deploy": "host", "delete": "delete"}


def _with_finetune_actions(finetune: contract.GenAiFineTune) -> contract.GenAiFineTune:
    """The fine-tunes' lifecycle rule (services/finetunes.py, target genai), in the genai routes' words."""
    allowed = FINETUNES.actions(TARGET, finetune_state(finetune.state))
    actions = [_GENAI_FINETUNE_ACTIONS[a] for a in allowed if a in _GENAI_FINETUNE_ACTIONS]
    return finetune.model_copy(update={"actions": actions})


def _cluster_actions(cluster: contract.GenAiCluster) -> list[contract.GenAiClusterAction]:
    actions: list[contract.GenAiClusterAction] = []
    if cluster.state == "ACTIVE":
        actions.append("create_endpoint" if cluster.type == "HOSTING" else "finetune")
    if cluster.state in ("ACTIVE", "FAILED", "NEEDS_ATTENTION"):
        actions.append("delete")
    return actions


async def _field(read: Awaitable[T], field: str) -> T:
    """A resource a request names by id: its NotFound is a bad field of the request (400), not a missing route."""
    try:
        return await read
    except NotFound as exc:
        raise InvalidInput.field(field, exc.message) from None
