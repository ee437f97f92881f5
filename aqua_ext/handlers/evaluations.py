"""Evaluations: create (after the dataset preflight), follow, cancel, delete, the rows behind
the scores, the downloadable report, and the comparison of several runs."""

from __future__ import annotations

import re

from tornado import web

from ..api.evaluations import CompareQuery, CreateEvaluationRequest, EvaluationRowsQuery
from ..api.logs import LogsQuery
from .base import AquaHandler
from .resources import action_handler, collection_handler, item_handler, query_handler

EvaluationsHandler = collection_handler("evaluations", CreateEvaluationRequest, reads_dataset=True)
EvaluationHandler = item_handler("evaluations")
EvaluationCancelHandler = action_handler("evaluations", "cancel")
EvaluationRowsHandler = query_handler("evaluations", "rows", EvaluationRowsQuery)
EvaluationLogsHandler = query_handler("evaluations", "logs", LogsQuery)


class EvaluationReportHandler(AquaHandler):
    @web.authenticated
    async def get(self, evaluation_id: str) -> None:
        html, name = await self.services.evaluations.report_html(evaluation_id)
        filename = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "evaluation"
        self.set_header("Content-Disposition", f'attachment; filename="{filename}-report.html"')
        # The report is our own HTML, but a download is never rendered in Jupyter's origin with scripts.
        self.set_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
        # APIHandler.finish would otherwise say application/json.
        self.finish(html, set_content_type="text/html; charset=utf-8")


class EvaluationCompareHandler(AquaHandler):
    @web.authenticated
    async def get(self) -> None:
        ids = self.parse_query(CompareQuery).id_list()
        self.reply(await self.services.evaluations.compare(ids))
