"""Every REST route of the contract, with its inputs and outputs.

This table is what the OpenAPI document is built from; `tests/` checks that the
handlers serve exactly these routes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel

from .fit import FitQuery, FitReport
from .info import Info
from .models import ModelDetail, ModelList, ModelListQuery, RegisterModelRequest, RegisterModelResponse
from .operations import Operation, OperationList


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # relative to <base_url>/aqua-ext/, with {param} placeholders
    operation_id: str
    summary: str
    response: type[BaseModel] | None
    status: int = 200
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    errors: tuple[int, ...] = field(default=(400, 404))


ROUTES: tuple[Route, ...] = (
    Route("GET", "info", "getInfo", "Version, backend, hardware and engines", Info, errors=()),
    Route("GET", "models", "listModels", "List models from every source", ModelList, query=ModelListQuery, errors=(400, 502)),
    Route(
        "POST", "models", "registerModel", "Register a local folder or a Hugging Face model", RegisterModelResponse,
        status=202, body=RegisterModelRequest, errors=(400, 409, 502, 504),
    ),
    Route("GET", "models/{model_id}", "getModel", "Model detail with card, metadata and lineage", ModelDetail),
    Route("DELETE", "models/{model_id}", "deleteModel", "Delete a registered model", None, status=204, errors=(404, 409)),
    Route("GET", "models/{model_id}/fit", "getModelFit", "Memory estimate against this machine and OCI shapes", FitReport, query=FitQuery),
    Route("GET", "operations", "listOperations", "Recent long-running operations", OperationList, errors=()),
    Route("GET", "operations/{operation_id}", "getOperation", "One operation's state and progress", Operation, errors=(404,)),
    Route("DELETE", "operations/{operation_id}", "cancelOperation", "Cancel a running operation", Operation, errors=(404, 409)),
)
