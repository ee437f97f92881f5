from __future__ import annotations

from pathlib import Path

from tornado import web

from ..api.datasets import ValidateDatasetRequest
from ..services.datasets import DEFAULT_MAX_BYTES, validate_dataset
from .base import AquaHandler


class DatasetValidateHandler(AquaHandler):
    @web.authenticated
    async def post(self) -> None:
        request = self.parse_body(ValidateDatasetRequest)
        root = Path(self.settings.get("server_root_dir") or self.aqua.serverapp.root_dir)
        backend = await self.backend()
        report = await validate_dataset(request, root, backend.get_model,
                                        max_bytes=int(self.settings.get("aqua_dataset_max_bytes", DEFAULT_MAX_BYTES)))
        self.reply(report)
