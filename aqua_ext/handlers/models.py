from __future__ import annotations

from tornado import web

from ..api.fit import FitQuery
from ..api.models import ModelListQuery, RegisterModelRequest
from .base import AquaHandler


class ModelsHandler(AquaHandler):
    @web.authenticated
    async def get(self) -> None:
        self.reply(await self.services.models.list(self.parse_query(ModelListQuery)))

    @web.authenticated
    async def post(self) -> None:
        request = self.parse_body(RegisterModelRequest)
        self.reply(await self.services.models.register(request), status=202)


class ModelHandler(AquaHandler):
    @web.authenticated
    async def get(self, model_id: str) -> None:
        self.reply(await self.services.models.get(model_id))

    @web.authenticated
    async def delete(self, model_id: str) -> None:
        await self.services.models.delete(model_id)
        self.reply(None, status=204)


class ModelFitHandler(AquaHandler):
    @web.authenticated
    async def get(self, model_id: str) -> None:
        self.reply(await self.services.models.fit(model_id, self.parse_query(FitQuery)))
