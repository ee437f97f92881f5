from __future__ import annotations

from tornado import web

from .. import __version__
from ..api.info import Info
from ..services.hardware import detect_engines
from .base import AquaHandler


class InfoHandler(AquaHandler):
    @web.authenticated
    async def get(self) -> None:
        hardware = await self.aqua.get_hardware()
        info = Info(
            version=__version__,
            backend=await self.aqua.describe_backend(),
            hardware=hardware,
            engines=detect_engines(hardware),
        )
        self.reply(info)
