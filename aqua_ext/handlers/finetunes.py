"""Fine-tuning jobs: create (after the dataset preflight), follow, cancel, delete."""

from __future__ import annotations

from tornado import web

from ..api.finetunes import CreateFineTuneRequest, FineTuneDefaultsQuery, MetricsQuery
from ..api.logs import LogsQuery
from .base import AquaHandler


class FineTuneDefaultsHandler(AquaHandler):
    @web.authenticated
    async def get(self, model_id: str) -> None:
        query = self.parse_query(FineTuneDefaultsQuery)
        self.reply(await self.services.finetunes.defaults(model_id, query))


class FineTunesHandler(AquaHandler):
    @web.authenticated
    async def get(self) -> None:
        self.reply(await self.services.finetunes.list())

    @web.authenticated
    async def post(self) -> None:
        request = self.parse_body(CreateFineTuneRequest)
        self.reply(await self.services.finetunes.create(request, self.dataset_access()), status=202)


class FineTuneHandler(AquaHandler):
    @web.authenticated
    async def get(self, finetune_id: str) -> None:
        self.reply(await self.services.finetunes.get(finetune_id))

    @web.authenticated
    async def delete(self, finetune_id: str) -> None:
        await self.services.finetunes.delete(finetune_id)
        self.reply(None, status=204)


class FineTuneCancelHandler(AquaHandler):
    @web.authenticated
    async def post(self, finetune_id: str) -> None:
        self.reply(await self.services.finetunes.cancel(finetune_id))


class FineTuneLogsHandler(AquaHandler):
    @web.authenticated
    async def get(self, finetune_id: str) -> None:
        query = self.parse_query(LogsQuery)
        self.reply(await self.services.finetunes.logs(finetune_id, query))


class FineTuneMetricsHandler(AquaHandler):
    @web.authenticated
    async def get(self, finetune_id: str) -> None:
        query = self.parse_query(MetricsQuery)
        self.reply(await self.services.finetunes.metrics(finetune_id, query))
