"""The protocol every backend implements.

Methods are async; a backend runs blocking work (SQLite, SDK calls, file
walks) in its own bounded executor so the Jupyter event loop never waits.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence

from ..api.info import BackendDescription
from ..api.models import ModelDetail, ModelSummary, RegisterModelRequest, RegisterModelResponse
from ..services.operations import OperationRegistry
from ..services.shapes import GpuShape


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

    @abc.abstractmethod
    async def list_models(self, *, refresh: bool = False) -> list[ModelSummary]: ...

    @abc.abstractmethod
    async def get_model(self, model_id: str) -> ModelDetail: ...

    @abc.abstractmethod
    async def register_model(self, request: RegisterModelRequest) -> RegisterModelResponse: ...

    @abc.abstractmethod
    async def delete_model(self, model_id: str) -> None: ...
