"""Fine-tuning jobs: create (after the dataset preflight), follow, cancel, delete."""

from __future__ import annotations

from tornado import web

from ..api.finetunes import CreateFineTuneRequest, FineTuneDefaultsQuery, FineTuneList, MetricsQuery
from ..api.logs import LogsQuery
from .base import AquaHandler


class FineTuneDefaultsHandler(AquaHandler):
    @web.authenticated
    async def get(self, model_id: str) -> None:
        query = self.parse_query(FineTuneDefaultsQuery)
        self.reply(await (await self.backend()).finetune_defaults(model_id, query))


class FineTunesHandler(AquaHandler):
    @web.authenticated
    async def get(self) -> None:
        items = await (await self.backend()).list_finetunes()
        self.reply(FineTuneList(items=items, total=len(items)))

    @web.authenticated
    async def post(self) -> None:
        request = self.parse_body(CreateFineTuneRequest)
        self.reply(await (await self.backend()).create_finetune(request, self.dataset_access()), status=202)


class FineTuneHandler(AquaHandler):
    @web.authenticated
    async def get(self, finetune_id: str) -> None:
        self.reply(await (await self.backend()).get_finetune(finetune_id))

    @web.authenticated
    async def delete(self, finetune_id: str) -> None:
        await (await self.backend()).delete_finetune(finetune_id)
        self.reply(None, status=204)


class FineTuneCancelHandler(AquaHandler):
    @web.authenticated
    async def post(self, finetune_id: str) -> None:
        self.reply(await (await self.backend()).cancel_finetune(finetune_id))


class FineTuneLogsHandler(AquaHandler):
    @web.authenticated
    async def get(self, finetune_id: str) -> None:
        query = self.parse_query(LogsQuery)
        self.reply(await (await self.backend()).finetune_logs(finetune_id, query))


class FineTuneMetricsHandler(AquaHandler):
    @web.authenticated
    async def get(self, finetune_id: str) -> None:
        query = self.parse_query(MetricsQuery)
        self.reply(await (await self.backend()).finetune_metrics(finetune_id, query))
