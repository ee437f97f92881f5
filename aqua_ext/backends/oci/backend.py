"""OCI Data Science backend.

Not built yet (it is the next capability on the roadmap). Until then selecting
it is honest about that: `info` reports the backend as not ready and every
model call answers 503 with the same explanation, instead of pretending.
"""

from __future__ import annotations

from ...api.info import BackendDescription
from ...api.models import ModelDetail, ModelSummary, RegisterModelRequest, RegisterModelResponse
from ...errors import Unavailable
from ..base import Backend

NOT_AVAILABLE = (
    "The OCI Data Science backend is not available in this version of aqua_ext. "
    "Start Jupyter with --AquaExtension.backend=local to use this machine."
)


class OciBackend(Backend):
    kind = "oci"

    async def describe(self) -> BackendDescription:
        return BackendDescription(kind="oci", label="OCI Data Science", ready=False, problem=NOT_AVAILABLE)

    async def list_models(self, *, refresh: bool = False) -> list[ModelSummary]:
        raise Unavailable(NOT_AVAILABLE)

    async def get_model(self, model_id: str) -> ModelDetail:
        raise Unavailable(NOT_AVAILABLE)

    async def register_model(self, request: RegisterModelRequest) -> RegisterModelResponse:
        raise Unavailable(NOT_AVAILABLE)

    async def delete_model(self, model_id: str) -> None:
        raise Unavailable(NOT_AVAILABLE)
