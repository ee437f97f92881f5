from __future__ import annotations

from tornado import web

from .base import AquaHandler


class InfoHandler(AquaHandler):
    @web.authenticated
    async def get(self) -> None:
        self.reply(await self.services.info.get())
