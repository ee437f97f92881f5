from __future__ import annotations

from tornado import web

from ..api.operations import OperationList
from .base import AquaHandler


class OperationsHandler(AquaHandler):
    @web.authenticated
    async def get(self) -> None:
        self.reply(OperationList(items=self.operations.list()))


class OperationHandler(AquaHandler):
    @web.authenticated
    async def get(self, operation_id: str) -> None:
        self.reply(self.operations.get(operation_id))

    @web.authenticated
    async def delete(self, operation_id: str) -> None:
        self.reply(await self.operations.cancel(operation_id))
