"""Fine-tuning jobs: create (after the dataset preflight), follow, cancel, delete."""

from __future__ import annotations

from ..api.finetunes import CreateFineTuneRequest, FineTuneDefaultsQuery, MetricsQuery
from ..api.logs import LogsQuery
from .resources import action_handler, collection_handler, item_handler, query_handler, terraform_handler

# The defaults for a base model live under the model's path, but the fine-tune service owns them.
FineTuneDefaultsHandler = query_handler("finetunes", "defaults", FineTuneDefaultsQuery)
FineTunesHandler = collection_handler("finetunes", CreateFineTuneRequest, reads_dataset=True)
# The create form's Terraform and SDK calls (OCI): the create's body, checks and preflight, nothing created.
FineTuneTerraformHandler = terraform_handler("finetunes", CreateFineTuneRequest, reads_dataset=True)
FineTuneHandler = item_handler("finetunes")
FineTuneCancelHandler = action_handler("finetunes", "cancel")
FineTuneLogsHandler = query_handler("finetunes", "logs", LogsQuery)
FineTuneMetricsHandler = query_handler("finetunes", "metrics", MetricsQuery)
