from __future__ import annotations

import asyncio

from tornado import web

from ..api.fit import FitQuery
from ..api.models import ModelList, ModelListQuery, RegisterModelRequest
from ..services.memory_fit import estimate_fit
from ..services.model_filter import filter_models
from ..services.shapes import OCI_GPU_SHAPES
from .base import AquaHandler


class ModelsHandler(AquaHandler):
    @web.authenticated
    async def get(self) -> None:
        query = self.parse_query(ModelListQuery)
        models = await (await self.backend()).list_models(refresh=query.refresh)
        items = filter_models(models, query)
        self.reply(ModelList(items=items, total=len(items)))

    @web.authenticated
    async def post(self) -> None:
        request = self.parse_body(RegisterModelRequest)
        self.reply(await (await self.backend()).register_model(request), status=202)


class ModelHandler(AquaHandler):
    @web.authenticated
    async def get(self, model_id: str) -> None:
        self.reply(await (await self.backend()).get_model(model_id))

    @web.authenticated
    async def delete(self, model_id: str) -> None:
        await (await self.backend()).delete_model(model_id)
        self.reply(None, status=204)


class ModelFitHandler(AquaHandler):
    @web.authenticated
    async def get(self, model_id: str) -> None:
        query = self.parse_query(FitQuery)
        backend = await self.backend()
        model, shapes, availability = await asyncio.gather(
            backend.get_model(model_id), backend.fit_shapes(), backend.fit_availability()
        )
        # On OCI models run on OCI shapes; this notebook machine is no place to deploy them.
        hardware = await self.aqua.get_hardware() if backend.kind == "local" else None
        report = estimate_fit(
            model, query, hardware, OCI_GPU_SHAPES if shapes is None else shapes, availability=availability
        )
        self.reply(report)
