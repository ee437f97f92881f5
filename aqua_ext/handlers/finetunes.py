"""Fine-tuning jobs: create (after the dataset preflight), follow, cancel, delete."""

from __future__ import annotations

from tornado import web

from ..api.finetunes import CreateFineTuneRequest, FineTuneDefaultsQuery, MetricsQuery
from ..api.logs import LogsQuery
from .base import AquaHandler
from .resources import action_handler, item_handler, job_collection_handler, query_handler

# The defaults for a base model live under the model's path, but the fine-tune service owns them.
FineTuneDefaultsHandler = query_handler("finetunes", "defaults", FineTuneDefaultsQuery)
FineTunesHandler = job_collection_handler("finetunes", CreateFineTuneRequest)
FineTuneHandler = item_handler("finetunes")
FineTuneCancelHandler = action_handler("finetunes", "cancel")
FineTuneLogsHandler = query_handler("finetunes", "logs", LogsQuery)
FineTuneMetricsHandler = query_handler("finetunes", "metrics", MetricsQuery)


class FineTuneTerraformHandler(AquaHandler):
    """The create form's Terraform and SDK calls (OCI): the create's body, checks and preflight, nothing created."""

    @web.authenticated
    async def post(self) -> None:
        request = self.parse_body(CreateFineTuneRequest)
        self.reply(await self.services.finetunes.terraform(request, self.dataset_access()))
