"""OCI Generative AI routes (`genai/…`): models, dedicated AI clusters, endpoints and fine-tunes, each a
list, a create (202 with its operation), its Terraform export, a read and a delete, bound to the genai
service's method of each name. Endpoints are also deployments: chat goes through the deployment routes."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel
from tornado import web

from ..api.genai import (
    ClusterPlanQuery,
    CreateClusterRequest,
    CreateGenAiEndpointRequest,
    CreateGenAiFineTuneRequest,
    ImportGenAiModelRequest,
)
from .base import AquaHandler


class _GenAi(AquaHandler):
    # Method names on services.genai; `reads_dataset`: the method takes the dataset access too.
    list_method: ClassVar[str] = ""
    create_method: ClassVar[str] = ""
    body: ClassVar[type[BaseModel]]
    reads_dataset: ClassVar[bool] = False

    async def _create(self, method: str) -> Any:
        request = self.parse_body(self.body)
        if self.reads_dataset:
            return await getattr(self.services.genai, method)(request, self.dataset_access())
        return await getattr(self.services.genai, method)(request)


class _Collection(_GenAi):
    @web.authenticated
    async def get(self) -> None:
        self.reply(await getattr(self.services.genai, self.list_method)())

    @web.authenticated
    async def post(self) -> None:
        self.reply(await self._create(self.create_method), status=202)


class _Terraform(_GenAi):
    """The create's body and checks, nothing created (200)."""

    @web.authenticated
    async def post(self) -> None:
        self.reply(await self._create(self.create_method))


class _Item(_GenAi):
    get_method: ClassVar[str]
    delete_method: ClassVar[str]

    @web.authenticated
    async def get(self, resource_id: str) -> None:
        self.reply(await getattr(self.services.genai, self.get_method)(resource_id))

    @web.authenticated
    async def delete(self, resource_id: str) -> None:
        await getattr(self.services.genai, self.delete_method)(resource_id)
        self.reply(None, status=204)


def _resource(
    noun: str, body: type[BaseModel], create: str, *, reads_dataset: bool = False
) -> tuple[type[AquaHandler], type[AquaHandler], type[AquaHandler]]:
    """The collection, Terraform and item handlers of one resource (`noun`: "model" → list_models,
    get_model, delete_model; `create`: the create method, whose Terraform is `<noun>_terraform`)."""
    common = {"body": body, "reads_dataset": reads_dataset}
    collection = type(f"GenAi{noun.title()}sHandler", (_Collection,), {
        **common, "list_method": f"list_{noun}s", "create_method": create,
    })  # fmt: skip
    terraform = type(f"GenAi{noun.title()}TerraformHandler", (_Terraform,), {
        **common, "create_method": f"{noun}_terraform",
    })  # fmt: skip
    item = type(f"GenAi{noun.title()}Handler", (_Item,), {
        **common, "get_method": f"get_{noun}", "delete_method": f"delete_{noun}",
    })  # fmt: skip
    return collection, terraform, item


GenAiModelsHandler, GenAiModelTerraformHandler, GenAiModelHandler = _resource(
    "model", ImportGenAiModelRequest, "import_model"
)
GenAiClustersHandler, GenAiClusterTerraformHandler, GenAiClusterHandler = _resource(
    "cluster", CreateClusterRequest, "create_cluster"
)
GenAiEndpointsHandler, GenAiEndpointTerraformHandler, GenAiEndpointHandler = _resource(
    "endpoint", CreateGenAiEndpointRequest, "create_endpoint"
)
GenAiFineTunesHandler, GenAiFineTuneTerraformHandler, GenAiFineTuneHandler = _resource(
    "finetune", CreateGenAiFineTuneRequest, "create_finetune", reads_dataset=True
)


class GenAiClusterPlanHandler(AquaHandler):
    @web.authenticated
    async def get(self) -> None:
        self.reply(await self.services.genai.cluster_plan(self.parse_query(ClusterPlanQuery)))


class GenAiOnDemandModelsHandler(AquaHandler):
    """The region's on-demand models (chat and embeddings, by OCID where a deployment id goes)."""

    @web.authenticated
    async def get(self) -> None:
        self.reply(await self.services.genai.list_on_demand_models())


class GenAiTrainingDefaultsHandler(AquaHandler):
    @web.authenticated
    async def get(self) -> None:
        self.reply(self.services.genai.training_defaults())
