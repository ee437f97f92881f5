from __future__ import annotations

from tornado import web

from ..api.datasets import SaveDatasetRowRequest, ValidateDatasetRequest
from ..services.dataset_rows import save_row
from ..services.datasets import validate_dataset
from .base import AquaHandler


class DatasetValidateHandler(AquaHandler):
    @web.authenticated
    async def post(self) -> None:
        request = self.parse_body(ValidateDatasetRequest)
        access = self.dataset_access()
        self.reply(await validate_dataset(request, access.root, self.services.models.get, max_bytes=access.max_bytes))


class DatasetRowsHandler(AquaHandler):
    """A playground turn saved as a row of a JSONL dataset (new file or appended)."""

    @web.authenticated
    async def post(self) -> None:
        request = self.parse_body(SaveDatasetRowRequest)
        self.reply(await save_row(request, self.dataset_access()))
