"""The OCI Generative AI target (`genai`), in the same OCI configuration as the Data Science one: its own
`OciContext` (clients, bounded executor, credential check at start) over the Generative AI control plane
(control.py), the sources an import reads (sources.py), and its endpoints as deployments (deployments.py).

It owns the `ocid1.generativeai…` ids. Its models appear in the merged model list, its endpoints in the
merged deployments; clusters, imports, endpoint creates and fine-tunes go through the genai routes, whose
service (services/genai.py) checks each request before this driver creates anything. It decides no rule."""

from __future__ import annotations

import asyncio
import builtins
from typing import Any

from pydantic import SecretStr

from ...api import finetunes as ft
from ...api.evaluations import CreateEvaluationResponse, EvaluationDetail, EvaluationSummary
from ...api.genai import (
    CreateClusterRequest,
    CreateGenAiEndpointRequest,
    CreateGenAiFineTuneRequest,
    GenAiCluster,
    GenAiClusterResponse,
    GenAiEndpoint,
    GenAiEndpointResponse,
    GenAiFineTune,
    GenAiFineTuneResponse,
    GenAiModel,
    GenAiModelResponse,
    ImportGenAiModelRequest,
    ResolvedTrainingConfig,
)
from ...api.info import BackendDescription
from ...api.job_datasets import DatasetAccess, DatasetFile, JobDataset
from ...api.logs import LogPage, LogsQuery
from ...api.models import ModelDetail, ModelSummary, RegisterModelRequest, RegisterModelResponse
from ...api.terraform import SdkCall, ref
from ...errors import InvalidInput, NotFound
from ..base import Backend, EvaluationOrder, Evaluations, FineTunes
from ..oci.config import OciSettings
from ..oci.context import OciContext
from ..oci.job_support import fetch_remote_dataset
from ..operations import Operations
from ..training import TrainingFacts
from . import mapping, sources
from .control import GenAiControl
from .deployments import GenAiDeployments

ID_PREFIX = "ocid1.generativeai"
_ROUTES = "the genai routes (aqua-ext genai …)"


class GenAiBackend(Backend):
    kind = "genai"
    deployments: GenAiDeployments

    def __init__(
        self, operations: Operations, settings: OciSettings | None = None, price_per_ai_unit_hour: float | None = None
    ) -> None:
        super().__init__(operations)
        self.settings = settings or OciSettings()
        self.context = OciContext(self.settings, operations)
        self.control = GenAiControl(self.context)
        self.deployments = GenAiDeployments(self.control)
        self.finetunes = _GenAiFineTunes(self)
        self.evaluations = _NoEvaluations()
        # Configuration (AquaExtension.genai_price_per_ai_unit_hour), read by the genai service's cost rule.
        self.price_per_ai_unit_hour = price_per_ai_unit_hour
        # Imported model id → what its files say (they do not change under an imported model).
        self._facts: dict[str, sources.SourceFacts] = {}

    @property
    def compartment_id(self) -> str:
        return self.settings.compartment_id

    def owns(self, resource_id: str) -> bool:
        return resource_id.startswith(ID_PREFIX)

    async def start(self) -> None:
        await self.context.start()

    async def close(self) -> None:
        self.context.close()

    async def describe(self) -> BackendDescription:
        return self.context.description("genai", "OCI Generative AI")

    # ---- models (the merged list's cards, and the genai routes' models) ---------------------------------------

    async def genai_models(self) -> list[GenAiModel]:
        return await self.control.models()

    async def genai_model(self, model_id: str) -> GenAiModel:
        return await self.control.model(model_id)

    async def list_models(self, *, refresh: bool = False) -> list[ModelSummary]:
        return [mapping.model_summary(m) for m in await self.control.models()]

    async def get_model(self, model_id: str) -> ModelDetail:
        """The card, with the memory-fit facts of an imported model read from its files (once)."""
        item = await self.control.model(model_id)
        summary = mapping.model_summary(item)
        facts = await self._source_facts(item)
        if facts is None:
            return ModelDetail(**summary.model_dump())
        return ModelDetail(
            **summary.model_dump(exclude={"size_bytes", "context_length", "parameter_count"}),
            size_bytes=facts.weight_bytes or None,
            parameter_count=facts.parameter_count,
            context_length=facts.context_length,
            architecture=facts.architecture,
        )

    async def _source_facts(self, item: GenAiModel) -> sources.SourceFacts | None:
        if item.id in self._facts:
            return self._facts[item.id]
        try:
            if item.huggingface is not None:
                facts = await sources.huggingface(item.huggingface.hf_id, item.huggingface.revision, None)
            elif item.object_storage is not None:
                facts = await sources.object_storage(self.context.client(), sources.os_source_uri(item.object_storage))
            else:
                return None
        except (InvalidInput, NotFound):
            return None  # a gated repository (the token was not kept) or files moved: the size stays unknown
        self._facts[item.id] = facts
        return facts

    async def import_source(self, request: ImportGenAiModelRequest) -> sources.SourceFacts:
        """What the files the request names say (config.json, the weights checked there): 400 naming the field."""
        return await sources.of_request(self.context.client(), request)

    def import_source_fields(self, request: ImportGenAiModelRequest, facts: sources.SourceFacts) -> dict[str, Any]:
        """The request's source as services/terraform.ImportedModelSpec names it."""
        return sources.terraform_fields(request, facts.gated)

    async def import_model(self, request: ImportGenAiModelRequest) -> GenAiModelResponse:
        created, operation = await self.control.import_model(request)
        return GenAiModelResponse(model=created, operation=operation)

    async def delete_genai_model(self, model_id: str) -> None:
        await self.control.delete_model(model_id)
        self._facts.pop(model_id, None)

    async def register_model(self, request: RegisterModelRequest) -> RegisterModelResponse:
        raise InvalidInput.field(
            "target", "models are imported into Generative AI with POST genai/models (`aqua-ext genai models import`)"
        )

    async def delete_model(self, model_id: str) -> None:
        await self.delete_genai_model(model_id)

    # ---- clusters ----------------------------------------------------------------------------------------------

    async def clusters(self) -> list[GenAiCluster]:
        return await self.control.clusters()

    async def cluster(self, cluster_id: str) -> GenAiCluster:
        return await self.control.cluster(cluster_id)

    async def limit_availability(self, names: builtins.list[str]) -> dict[str, int | None]:
        return await self.control.limit_availability(names)

    async def create_cluster(self, request: CreateClusterRequest, unit_shape: str) -> GenAiClusterResponse:
        created, operation = await self.control.create_cluster(request, unit_shape)
        return GenAiClusterResponse(cluster=created, operation=operation)

    async def delete_cluster(self, cluster_id: str) -> None:
        await self.control.delete_cluster(cluster_id)

    # ---- endpoints -----------------------------------------------------------------------------------------------

    async def endpoints(self) -> list[GenAiEndpoint]:
        return await self.control.endpoints()

    async def endpoint(self, endpoint_id: str) -> GenAiEndpoint:
        return await self.control.endpoint(endpoint_id)

    async def create_endpoint(self, request: CreateGenAiEndpointRequest) -> GenAiEndpointResponse:
        created, operation = await self.control.create_endpoint(request)
        return GenAiEndpointResponse(endpoint=created, operation=operation)

    async def delete_endpoint(self, endpoint_id: str) -> None:
        await self.control.delete_endpoint(endpoint_id)

    # ---- fine-tunes ----------------------------------------------------------------------------------------------

    async def genai_finetunes(self) -> list[GenAiFineTune]:
        return [self._progress(f) for f in await self.control.finetunes()]

    async def genai_finetune(self, finetune_id: str) -> GenAiFineTune:
        return self._progress(await self.control.finetune(finetune_id))

    def _progress(self, finetune: GenAiFineTune) -> GenAiFineTune:
        """While it trains: how far its work request is, as the operation following it last read it."""
        operation_id = self.control.operations.get(finetune.id)
        if finetune.state != "CREATING" or operation_id is None:
            return finetune
        try:
            progress = self.operations.get(operation_id).progress
        except NotFound:  # an operation forgotten since (a restart): the progress is unknown
            return finetune
        return finetune.model_copy(update={"progress": progress})

    async def finetune_dataset_file(self, request: CreateGenAiFineTuneRequest, access: DatasetAccess) -> DatasetFile:
        """The JSONL object, downloaded for the service's preflight (gone once the create is over)."""
        d = request.training_dataset
        uri = f"oci://{d.bucket}@{d.namespace}/{d.object}"
        return await fetch_remote_dataset(
            self.context.client(),
            self.compartment_id,
            uri,
            access,
            container="Generative AI fine-tuning",
            field_name="training_dataset",
        )

    async def create_genai_finetune(
        self, request: CreateGenAiFineTuneRequest, resolved: ResolvedTrainingConfig | None
    ) -> GenAiFineTuneResponse:
        created, operation = await self.control.create_finetune(request, resolved)
        return GenAiFineTuneResponse(finetune=created, operation=operation)

    # ---- the same creates as SDK calls (the exports' Python) -----------------------------------------------------

    def create_call(
        self,
        request: ImportGenAiModelRequest
        | CreateClusterRequest
        | CreateGenAiEndpointRequest
        | CreateGenAiFineTuneRequest,
        *,
        unit_shape: str = "",
        resolved: ResolvedTrainingConfig | None = None,
    ) -> SdkCall:
        """The SDK call the create of this (checked) request makes, with the very details it sends; a Hugging Face
        token stands as `ref("hf_token")` (the script reads it from the environment), never itself."""
        client = "oci.generative_ai.GenerativeAiClient"
        c = self.control
        if isinstance(request, ImportGenAiModelRequest):
            if request.token is not None:
                request = request.model_copy(update={"token": SecretStr(ref("hf_token"))})
            return SdkCall(client, "create_imported_model", (c.import_details(request),), "imported_model")
        if isinstance(request, CreateClusterRequest):
            details = c.cluster_details(request, unit_shape)
            return SdkCall(client, "create_dedicated_ai_cluster", (details,), "cluster")
        if isinstance(request, CreateGenAiEndpointRequest):
            return SdkCall(client, "create_endpoint", (c.endpoint_details(request),), "endpoint")
        return SdkCall(client, "create_model", (c.finetune_details(request, resolved),), "fine_tuned_model")


def _elsewhere(what: str) -> InvalidInput:
    return InvalidInput.field("target", f"{what} on OCI Generative AI go through {_ROUTES}")


class _GenAiFineTunes(FineTunes):
    """The generic fine-tune routes: Generative AI's fine-tunes are created through their own (genai/finetunes),
    with the request of seed 003, and listed here too as jobs of the merged list (deleted here as well)."""

    def __init__(self, backend: GenAiBackend) -> None:
        self.backend = backend

    async def facts(self, model_id: str, query: ft.FineTuneDefaultsQuery) -> TrainingFacts:
        raise _elsewhere("Fine-tunes")

    def defaults(
        self, facts: TrainingFacts, shape: str | None, params: ft.FineTuneParams, fit: ft.TrainingFit
    ) -> ft.FineTuneDefaults:
        raise _elsewhere("Fine-tunes")

    async def resolve(self, request: ft.CreateFineTuneRequest) -> TrainingFacts:
        raise _elsewhere("Fine-tunes")

    async def _shapes(self) -> dict[str, str]:
        return {c.id: c.unit_shape for c in await self.backend.clusters()}  # the cached list: one call for all

    async def list(self) -> builtins.list[ft.FineTuneSummary]:
        jobs, shapes = await asyncio.gather(self.backend.genai_finetunes(), self._shapes())
        return [mapping.finetune_job(f, shapes.get(f.dedicated_ai_cluster_id, "")) for f in jobs]

    async def get(self, finetune_id: str) -> ft.FineTuneDetail:
        job, shapes = await asyncio.gather(self.backend.genai_finetune(finetune_id), self._shapes())
        return mapping.finetune_job(job, shapes.get(job.dedicated_ai_cluster_id, ""))

    async def create(self, request: ft.CreateFineTuneRequest, dataset: JobDataset) -> ft.CreateFineTuneResponse:
        raise _elsewhere("Fine-tunes")

    async def cancel(self, finetune_id: str) -> ft.FineTuneDetail:
        raise InvalidInput.field("id", "a Generative AI fine-tune is stopped by deleting its model")

    async def delete(self, finetune_id: str) -> None:
        await self.backend.delete_genai_model(finetune_id)

    async def logs(self, finetune_id: str, query: LogsQuery) -> LogPage:
        await self.backend.genai_finetune(finetune_id)  # a 404 for what is no fine-tune
        return LogPage(lines=[], cursor="0", source="OCI Generative AI keeps no training log")

    async def metrics(self, finetune_id: str, query: ft.MetricsQuery) -> ft.FineTuneMetrics:
        """No curve: the service reports the final accuracy and loss only (in the job's detail)."""
        job = await self.backend.genai_finetune(finetune_id)
        return ft.FineTuneMetrics(points=[], cursor=0, state=mapping.finetune_state(job.state))


class _NoEvaluations(Evaluations):
    """No evaluation job runs on Generative AI itself: an evaluation of an endpoint runs elsewhere."""

    async def list(self) -> builtins.list[EvaluationSummary]:
        return []

    async def get(self, evaluation_id: str) -> EvaluationDetail:
        raise NotFound(f"No evaluation '{evaluation_id}' on OCI Generative AI.")

    async def create(self, order: EvaluationOrder) -> CreateEvaluationResponse:
        raise InvalidInput.field("target", "evaluations do not run on OCI Generative AI; choose the local target")

    async def cancel(self, evaluation_id: str) -> EvaluationDetail:
        raise NotFound(f"No evaluation '{evaluation_id}' on OCI Generative AI.")

    async def delete(self, evaluation_id: str) -> None:
        raise NotFound(f"No evaluation '{evaluation_id}' on OCI Generative AI.")

    async def rows(self, evaluation_id: str) -> builtins.list[Any]:
        raise NotFound(f"No evaluation '{evaluation_id}' on OCI Generative AI.")

    async def report_html(self, evaluation_id: str) -> str:
        raise NotFound(f"No evaluation '{evaluation_id}' on OCI Generative AI.")

    async def logs(self, evaluation_id: str, query: LogsQuery) -> LogPage:
        raise NotFound(f"No evaluation '{evaluation_id}' on OCI Generative AI.")
