from __future__ import annotations

from tornado import web

from ..api.fit import FitQuery
from ..api.models import ConvertToGgufRequest, ModelListQuery, RegisterModelRequest
from .base import AquaHandler
from .resources import item_handler, query_handler


class ModelsHandler(AquaHandler):
    # Not the shared collection: the list is filtered by a query, and a model is registered, not created.
    @web.authenticated
    async def get(self) -> None:
        self.reply(await self.services.models.list(self.parse_query(ModelListQuery)))

    @web.authenticated
    async def post(self) -> None:
        request = self.parse_body(RegisterModelRequest)
        self.reply(await self.services.models.register(request), status=202)


class ModelGgufHandler(AquaHandler):
    @web.authenticated
    async def post(self, model_id: str) -> None:
        request = self.parse_body(ConvertToGgufRequest)
        self.reply(await self.services.models.convert_to_gguf(model_id, request), status=202)


ModelHandler = item_handler("models")
ModelFitHandler = query_handler("models", "fit", FitQuery)
