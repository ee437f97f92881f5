"""The OCI Data Science target: builds one `OciContext` (settings, clients, namespace, shared Object
Storage calls) and hands it to each OCI driver, wiring them together:

- models.py: the Model Explorer over the OCI model catalog, details, registration, deletion;
- deploy_shapes.py: the deployment shapes and their service limits (deploy and memory fit);
- deploy_request.py: what a new deployment is made of, checked before anything is created;
- deployments.py: model deployments, their logs and where a chat turn goes;
- finetunes.py, evaluations.py: fine-tuning and evaluation jobs (job_support.py: what both share).

Each driver's module says which OCI calls a user action costs. This class only hands the calls over.
"""

from __future__ import annotations

from ...api.info import BackendDescription
from ...api.models import ModelDetail, ModelSummary, RegisterModelRequest, RegisterModelResponse
from ...errors import AquaError
from ..base import Backend
from ..operations import Operations
from .config import OciSettings
from .context import OciContext
from .deploy_request import DeployPlanner, engine_modes
from .deploy_shapes import OciShapes
from .deployments import OciDeployments
from .evaluations import OciEvaluations
from .finetunes import OciFineTunes
from .models import OciModels
from .readiness import OciReadiness
from .shapes import GpuShape


class OciBackend(Backend):
    kind = "oci"
    deployments: OciDeployments
    finetunes: OciFineTunes
    evaluations: OciEvaluations

    def __init__(self, operations: Operations, settings: OciSettings | None = None) -> None:
        super().__init__(operations)
        self.settings = settings or OciSettings()
        self.context = OciContext(self.settings, operations)
        self.models = OciModels(self.context)
        self.shapes = OciShapes(self.context)
        self.deployments = OciDeployments(
            self.context, self.shapes, DeployPlanner(self.context, self.models, self.shapes)
        )
        self.finetunes = OciFineTunes(self.context, self.models)
        self.evaluations = OciEvaluations(self.context, self.deployments, self.finetunes)
        self.models.readiness = self.finetunes  # a fine-tuned model is deployable once its run SUCCEEDED
        self.setup = OciReadiness(self.context)  # `oci doctor`: which permissions the compartment grants

    # ---- lifecycle -------------------------------------------------------

    async def start(self) -> None:
        await self.context.start()

    async def close(self) -> None:
        self.context.close()

    async def describe(self) -> BackendDescription:
        return self.context.description("oci", "OCI Data Science", engine_modes=engine_modes())

    # ---- models ----------------------------------------------------------

    async def list_models(self, *, refresh: bool = False) -> list[ModelSummary]:
        return await self.models.list_models(refresh=refresh)

    async def get_model(self, model_id: str) -> ModelDetail:
        return await self.models.get_model(model_id)

    async def register_model(self, request: RegisterModelRequest) -> RegisterModelResponse:
        return await self.models.register_model(request)

    async def delete_model(self, model_id: str) -> None:
        await self.models.delete_model(model_id)

    # ---- shapes and memory fit --------------------------------------------

    def owns(self, resource_id: str) -> bool:
        # Every OCID but Generative AI's (`ocid1.generativeai…`: the genai target's, in the same configuration).
        return resource_id.startswith("ocid1.") and not resource_id.startswith("ocid1.generativeai")

    async def target_shapes(self) -> list[str] | None:
        """The model deployment shapes the compartment offers (cached like the listing); [] when unknown."""
        try:
            return [item.name for item in await self.shapes.shapes()]
        except AquaError:
            return []

    async def fit_shapes(self) -> list[GpuShape] | None:
        return await self.shapes.fit_shapes()

    async def fit_availability(self) -> dict[str, int | None] | None:
        return await self.shapes.fit_availability()
