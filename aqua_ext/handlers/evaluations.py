"""Evaluations: create (after the dataset preflight), follow, cancel, delete, the rows behind
the scores, the downloadable report, and the comparison of several runs."""

from __future__ import annotations

import asyncio
import re

from tornado import web

from ..api.evaluations import CompareQuery, CreateEvaluationRequest, EvaluationList, EvaluationRowsQuery
from ..api.logs import LogsQuery
from ..errors import InvalidInput
from ..services.evaluation_results import MAX_COMPARED, compare
from .base import AquaHandler


class EvaluationsHandler(AquaHandler):
    @web.authenticated
    async def get(self) -> None:
        items = await (await self.backend()).list_evaluations()
        self.reply(EvaluationList(items=items, total=len(items)))

    @web.authenticated
    async def post(self) -> None:
        request = self.parse_body(CreateEvaluationRequest)
        self.reply(await (await self.backend()).create_evaluation(request, self.dataset_access()), status=202)


class EvaluationHandler(AquaHandler):
    @web.authenticated
    async def get(self, evaluation_id: str) -> None:
        self.reply(await (await self.backend()).get_evaluation(evaluation_id))

    @web.authenticated
    async def delete(self, evaluation_id: str) -> None:
        await (await self.backend()).delete_evaluation(evaluation_id)
        self.reply(None, status=204)


class EvaluationCancelHandler(AquaHandler):
    @web.authenticated
    async def post(self, evaluation_id: str) -> None:
        self.reply(await (await self.backend()).cancel_evaluation(evaluation_id))


class EvaluationRowsHandler(AquaHandler):
    @web.authenticated
    async def get(self, evaluation_id: str) -> None:
        query = self.parse_query(EvaluationRowsQuery)
        self.reply(await (await self.backend()).evaluation_rows(evaluation_id, query))


class EvaluationReportHandler(AquaHandler):
    @web.authenticated
    async def get(self, evaluation_id: str) -> None:
        backend = await self.backend()
        html = await backend.evaluation_report_html(evaluation_id)
        name = (await backend.get_evaluation(evaluation_id)).name
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
        self.reply(await (await self.backend()).evaluation_logs(evaluation_id, query))


class EvaluationCompareHandler(AquaHandler):
    @web.authenticated
    async def get(self) -> None:
        ids = self.parse_query(CompareQuery).id_list()
        if not 2 <= len(ids) <= MAX_COMPARED:
            raise InvalidInput.field("query.ids", f"give 2 to {MAX_COMPARED} evaluation ids, separated by commas")
        backend = await self.backend()
        details = await asyncio.gather(*(backend.get_evaluation(i) for i in ids))
        self.reply(compare(details))
