"""`info`: the version, every enabled target (ready or why not, hardware or shapes), this machine's
hardware and engines. Built once here for the server and the CLI."""

from __future__ import annotations

import asyncio

from .. import __version__
from ..api.info import Info as InfoModel
from ..backends.local.hardware import detect_engines, detect_hardware
from .targets import Targets


class Info:
    def __init__(self, targets: Targets) -> None:
        self.targets = targets

    async def get(self) -> InfoModel:
        targets = await self.targets.describe()
        hardware = await self.targets.hardware()
        if hardware is None:
            hardware = await asyncio.to_thread(detect_hardware)
        # `backend`: the default target (the first ready one, else the first), for clients that know one.
        default = next((t for t in targets if t.ready), targets[0])
        return InfoModel(
            version=__version__,
            backend=default,
            targets=targets,
            hardware=hardware,
            engines=detect_engines(hardware),
        )
