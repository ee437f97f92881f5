"""The protocol every backend implements.

Methods are async; a backend runs blocking work (SQLite, SDK calls, file
walks) in its own bounded executor so the Jupyter event loop never waits.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence

from ..api.deployments import (
    CreateDeploymentRequest,
    CreateDeploymentResponse,
    DeploymentDetail,
    DeploymentLogs,
    DeploymentLogsQuery,
    DeploymentState,
    DeploymentSummary,
)
from ..api.info import BackendDescription
from ..api.models import ModelDetail, ModelSummary, RegisterModelRequest, RegisterModelResponse
from ..services.operations import OperationRegistry
from ..services.shapes import GpuShape
from ..services.upstream import UpstreamTarget


class Backend(abc.ABC):
    kind: str

    def __init__(self, operations: OperationRegistry) -> None:
        self.operations = operations

    async def start(self) -> None:
        """Open connections, reconcile state. Must not raise for a
        misconfiguration: `describe()` reports it instead."""

    async def close(self) -> None:
        """Release resources; running operations are canceled by the registry."""

    @abc.abstractmethod
    async def describe(self) -> BackendDescription: ...

    async def fit_shapes(self) -> Sequence[GpuShape] | None:
        """The OCI GPU shapes memory fit compares against: those this user can deploy to,
        where the backend knows them; None means every known shape."""
        return None

    async def fit_availability(self) -> Mapping[str, int | None] | None:
        """Shape name → how many more instances of it the backend's service limits allow
        (None: unknown); None when the backend has no such limits."""
        return None

    @abc.abstractmethod
    async def list_models(self, *, refresh: bool = False) -> list[ModelSummary]: ...

    @abc.abstractmethod
    async def get_model(self, model_id: str) -> ModelDetail: ...

    @abc.abstractmethod
    async def register_model(self, request: RegisterModelRequest) -> RegisterModelResponse: ...

    @abc.abstractmethod
    async def delete_model(self, model_id: str) -> None: ...

    # ---- deployments: each backend's Deployments object does the work ----------

    deployments: "Deployments"

    async def list_deployments(self) -> list[DeploymentSummary]:
        return await self.deployments.list()

    async def get_deployment(self, deployment_id: str) -> DeploymentDetail:
        return await self.deployments.get(deployment_id)

    async def create_deployment(self, request: CreateDeploymentRequest) -> CreateDeploymentResponse:
        return await self.deployments.create(request)

    async def activate_deployment(self, deployment_id: str) -> CreateDeploymentResponse:
        return await self.deployments.activate(deployment_id)

    async def deactivate_deployment(self, deployment_id: str) -> DeploymentDetail:
        return await self.deployments.deactivate(deployment_id)

    async def delete_deployment(self, deployment_id: str) -> None:
        await self.deployments.delete(deployment_id)

    async def deployment_logs(self, deployment_id: str, query: DeploymentLogsQuery) -> DeploymentLogs:
        return await self.deployments.logs(deployment_id, query)

    async def upstream(self, deployment_id: str) -> UpstreamTarget:
        return await self.deployments.upstream(deployment_id)

    async def upstream_failed(self, deployment_id: str, error: str) -> DeploymentState | None:
        return await self.deployments.upstream_failed(deployment_id, error)


class Deployments(abc.ABC):
    """A backend's deployments: the lifecycle, logs, and where an engine answers."""

    @abc.abstractmethod
    async def list(self) -> list[DeploymentSummary]: ...

    @abc.abstractmethod
    async def get(self, deployment_id: str) -> DeploymentDetail: ...

    @abc.abstractmethod
    async def create(self, request: CreateDeploymentRequest) -> CreateDeploymentResponse:
        """Validate everything (model ready, engine, params, shape fit: InvalidInput naming the
        field), record the deployment as CREATING and start it in the background; the answer's
        operation reports progress until ACTIVE or FAILED."""

    @abc.abstractmethod
    async def activate(self, deployment_id: str) -> CreateDeploymentResponse:
        """INACTIVE (or FAILED) → UPDATING → ACTIVE. Conflict in any other state."""

    @abc.abstractmethod
    async def deactivate(self, deployment_id: str) -> DeploymentDetail:
        """ACTIVE (or FAILED) → INACTIVE: the engine stops, the record stays."""

    @abc.abstractmethod
    async def delete(self, deployment_id: str) -> None: ...

    @abc.abstractmethod
    async def logs(self, deployment_id: str, query: DeploymentLogsQuery) -> DeploymentLogs: ...

    @abc.abstractmethod
    async def upstream(self, deployment_id: str) -> UpstreamTarget:
        """Where an ACTIVE deployment's engine answers: NotFound for an unknown id, Conflict
        (409) when it is not ACTIVE. Must not make a control-plane call per request."""

    async def upstream_failed(self, deployment_id: str, error: str) -> DeploymentState | None:
        """A request to the engine failed (connection refused, dropped mid-answer). Check whether
        the engine is gone and, if so, record the deployment's new state (FAILED with the reason);
        return the state now known, or None when unchanged."""
        return None
