"""Evaluations: create (after the dataset preflight), follow, cancel, delete, the rows behind
the scores, the downloadable report, and the comparison of several runs."""

from __future__ import annotations

import re

from tornado import web

from ..api.evaluations import CompareQuery, CreateEvaluationRequest, EvaluationRowsQuery
from ..api.logs import LogsQuery
from .base import AquaHandler


class EvaluationsHandler(AquaHandler):
    @web.authenticated
    async def get(self) -> None:
        self.reply(await self.services.evaluations.list())

    @web.authenticated
    async def post(self) -> None:
        request = self.parse_body(CreateEvaluationRequest)
        self.reply(await self.services.evaluations.create(request, self.dataset_access()), status=202)


class EvaluationHandler(AquaHandler):
    @web.authenticated
    async def get(self, evaluation_id: str) -> None:
        self.reply(await self.services.evaluations.get(evaluation_id))

    @web.authenticated
    async def delete(self, evaluation_id: str) -> None:
        await self.services.evaluations.delete(evaluation_id)
        self.reply(None, status=204)


class EvaluationCancelHandler(AquaHandler):
    @web.authenticated
    async def post(self, evaluation_id: str) -> None:
        self.reply(await self.services.evaluations.cancel(evaluation_id))


class EvaluationRowsHandler(AquaHandler):
    @web.authenticated
    async def get(self, evaluation_id: str) -> None:
        query = self.parse_query(EvaluationRowsQuery)
        self.reply(await self.services.evaluations.rows(evaluation_id, query))


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


class EvaluationLogsHandler(AquaHandler):
    @web.authenticated
    async def get(self, evaluation_id: str) -> None:
        query = self.parse_query(LogsQuery)
        self.reply(await self.services.evaluations.logs(evaluation_id, query))


class EvaluationCompareHandler(AquaHandler):
    @web.authenticated
    async def get(self) -> None:
        ids = self.parse_query(CompareQuery).id_list()
        self.reply(await self.services.evaluations.compare(ids))
