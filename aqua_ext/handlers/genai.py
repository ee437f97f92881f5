"""OCI Generative AI routes (`genai/…`): models, dedicated AI clusters, endpoints and fine-tunes, each a
list, a create (202 with its operation), its Terraform export, a read and a delete, bound to the genai
service's method of each name. Endpoints are also deployments: chat goes through the deployment routes."""

from __future__ import annotations

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
from .resources import collection_handler, item_handler, terraform_handler


def _resource(
    noun: str, body: type[BaseModel], create: str, *, reads_dataset: bool = False
) -> tuple[type[AquaHandler], type[AquaHandler], type[AquaHandler]]:
    """The collection, Terraform and item handlers of one resource (`noun`: "model" → list_models,
    get_model, delete_model; `create`: the create method, whose Terraform is `<noun>_terraform`)."""
    return (
        collection_handler(
            "genai", body, reads_dataset=reads_dataset, list_method=f"list_{noun}s", create_method=create
        ),
        terraform_handler("genai", body, reads_dataset=reads_dataset, method=f"{noun}_terraform"),
        item_handler("genai", get_method=f"get_{noun}", delete_method=f"delete_{noun}"),
    )


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
