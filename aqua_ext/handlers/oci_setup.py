from __future__ import annotations

from tornado import web

from ..api.oci_setup import SetupQuery
from .base import AquaHandler


class OciSetupHandler(AquaHandler):
    """The policies AQUA needs in the compartment and the read-only checks of each (never creates anything)."""

    @web.authenticated
    async def get(self) -> None:
        self.reply(await self.services.oci_setup.report(self.parse_query(SetupQuery)))
