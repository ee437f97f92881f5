"""Plays Oracle AQUA's evaluation service container (``odsc-llm-evaluate``) inside emulated job runs.

A job whose environment carries ``AIP_SMC_EVALUATION_ARGUMENTS`` (``{evaluation_id, evaluation_target_id,
input_data{url}, metrics[{key}], output_dir, params{model_parameters, inference_configuration}}``) is an
evaluation job. While its run is IN_PROGRESS the "container":

* logs what it does (when the run has a log);
* writes ``status.json`` (``{rows_done, rows_total}``) into ``<output_dir>/<evaluation_id>/`` as rows are
  "answered";
* at the end checks what the real container checks, failing the run with AQUA's exit codes ("Job run artifact
  execution failed with exit code N"): 22 dataset missing, 20 output bucket missing, 25 the deployment missing
  or not ACTIVE, 30 an unsupported metric, 21 a row without prompt/completion; else it writes ``rows.jsonl``,
  ``report.json`` (aqua_ext's shape: ``{overall{scores, rows}, categories{name: {scores, rows}}, rows_total,
  rows_answered, rows_failed, wall_seconds, metrics}``) and ``report.html`` next to it, puts AQUA's report
  (report.json in AQUA's ``metric_results`` / ``metric_summary_result`` shape, report.md, report.html, zipped)
  into the evaluation model's artifact, where AQUA reads it, and the run SUCCEEDS.

Assumptions (the container is closed source, and the real one writes AQUA's own report.json shape, which the
backend also reads): the "deployment" answers each prompt with its reference, except every third row, which it
answers with a shortened one; scores are simple token overlaps (a fixture, not the metrics). Knobs on
``emu.evaluation``: ``exit_code = N`` (the next run fails with it), ``aqua_report = True`` (write AQUA's
``metric_summary_result`` shape and no rows.jsonl), ``progress_steps``.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .core import now_rfc3339
from .finetuning import _os_parts

if TYPE_CHECKING:
    from .jobs import JobService

EVAL_ARGUMENTS = "AIP_SMC_EVALUATION_ARGUMENTS"
SUPPORTED_METRICS = ("bertscore", "rouge", "bleu", "perplexity_score", "text_readability")


@dataclass
class _Evaluation:
    evaluation_id: str
    target_id: str
    dataset: str
    output_dir: str
    metrics: list[str]
    params: dict[str, Any] = field(default_factory=dict)


def _tokens(text: str) -> list[str]:
    return [t for t in "".join(ch.lower() if ch.isalnum() else " " for ch in text).split() if t]


def _overlap(output: str, reference: str) -> float:
    out, ref = _tokens(output), _tokens(reference)
    if not out or not ref:
        return 0.0
    common = sum(min(out.count(t), ref.count(t)) for t in set(out))
    if not common:
        return 0.0
    precision, recall = common / len(out), common / len(ref)
    return round(2 * precision * recall / (precision + recall), 4)


def row_scores(output: str, reference: str, metrics: list[str]) -> dict[str, float]:
    f1 = _overlap(output, reference)
    scores: dict[str, float] = {}
    if "bertscore" in metrics:
        scores["bertscore"] = round(0.8 + 0.2 * f1, 4)
    if "rouge" in metrics:
        scores["rouge1"], scores["rougeL"] = f1, round(f1 * 0.95, 4)
    if "bleu" in metrics:
        scores["bleu"] = round(100 * f1**2, 2)
    if "text_readability" in metrics:
        scores["readability"] = round(100 - 5 * len(_tokens(output)), 2)
    return scores


def _mean(rows: list[dict], metric_names: list[str]) -> dict[str, float]:
    return {k: round(sum(r["scores"][k] for r in rows) / len(rows), 4) for k in metric_names} if rows else {}


class EvaluationContainer:
    def __init__(self, jobs: JobService) -> None:
        self.jobs = jobs
        self.emu = jobs.emu
        self.running: dict[str, _Evaluation] = {}  # run OCID -> what it evaluates
        # Knobs:
        self.exit_code: int | None = None
        self.aqua_report = False
        self.progress_steps = 2

    def _plan(self, run: dict, job: dict) -> _Evaluation | None:
        from .jobs import job_environment

        env = job_environment(job)
        env.update(((run.get("jobConfigurationOverrideDetails") or {}).get("environmentVariables")) or {})
        if EVAL_ARGUMENTS not in env:
            return None
        args = json.loads(env[EVAL_ARGUMENTS])
        return _Evaluation(
            evaluation_id=args.get("evaluation_id", ""),
            target_id=args.get("evaluation_target_id", ""),
            dataset=(args.get("input_data") or {}).get("url", ""),
            output_dir=args.get("output_dir", ""),
            metrics=[m.get("key", "") for m in args.get("metrics") or []],
            params=args.get("params") or {},
        )

    def _folder(self, plan: _Evaluation) -> tuple[str, str, str] | None:
        out = _os_parts(plan.output_dir)
        if out is None or (out[1], out[0]) not in self.emu.objectstorage.buckets:
            return None
        bucket, namespace, prefix = out
        return namespace, bucket, f"{prefix}/{plan.evaluation_id}/" if prefix else f"{plan.evaluation_id}/"

    def _put(self, plan: _Evaluation, name: str, data: str) -> None:
        where = self._folder(plan)
        if where is not None:
            namespace, bucket, folder = where
            self.emu.objectstorage.put(namespace, bucket, folder + name, data)

    def _rows(self, plan: _Evaluation) -> list[dict] | None:
        data = _os_parts(plan.dataset)
        store = self.emu.objectstorage.objects.get((data[1], data[0]), {}) if data else {}
        if data is None or data[2] not in store:
            return None
        text = self.emu.objectstorage.get(data[1], data[0], data[2]).decode("utf-8", "replace")
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    # ------------------------------------------------------------------ the run
    def started(self, run: dict, job: dict, duration: float) -> None:
        plan = self._plan(run, job)
        if plan is None:
            return
        self.running[run["id"]] = plan
        self.jobs._log(
            run, f"Evaluating deployment {plan.target_id} on {plan.dataset} (metrics: {', '.join(plan.metrics)})"
        )
        rows = self._rows(plan) or []
        for step in range(1, self.progress_steps + 1):
            done = len(rows) * step // (self.progress_steps + 1)
            self.emu.schedule(duration * step / (self.progress_steps + 1), self._progress(run, plan, done, len(rows)))

    def _progress(self, run: dict, plan: _Evaluation, done: int, total: int) -> Callable[[], None]:
        def step() -> None:
            if run["lifecycleState"] != "IN_PROGRESS":
                return
            self._put(plan, "status.json", json.dumps({"rows_done": done, "rows_total": total}))
            self.jobs._log(run, f"Answered {done} of {total} rows")

        return step

    def _check(self, plan: _Evaluation, rows: list[dict] | None) -> int | None:
        if rows is None:
            return 22
        if any(not isinstance(r, dict) or "prompt" not in r or "completion" not in r for r in rows):
            return 21
        if self._folder(plan) is None:
            return 20
        md = self.emu.deployments.deployments.get(plan.target_id)
        if md is None or md["lifecycleState"] != "ACTIVE":
            return 25
        if any(m not in SUPPORTED_METRICS for m in plan.metrics):
            return 30
        return None

    def finished(self, run: dict, job: dict) -> tuple[str, str | None] | None:
        plan = self.running.pop(run["id"], None) or self._plan(run, job)
        if plan is None:
            return None
        rows = self._rows(plan)
        code, self.exit_code = self.exit_code, None
        code = code or self._check(plan, rows)
        if code is not None:
            self.jobs._log(run, f"Evaluation stopped with exit code {code}")
            return "FAILED", f"Job run artifact execution failed with exit code {code}"
        assert rows is not None
        records = []
        for i, row in enumerate(rows):
            reference = str(row["completion"])
            words = reference.split()
            output = reference if i % 3 != 2 else " ".join(words[: max(1, len(words) // 2)]) + " maybe"
            records.append({"index": i, "prompt": str(row["prompt"]), "reference": reference, "output": output,
                            "category": row.get("category"), "latency_ms": float(120 + 7 * i),
                            "tokens_per_s": 40.0, "error": None,
                            "scores": row_scores(output, reference, plan.metrics)})  # fmt: skip
        names = sorted({k for r in records for k in r["scores"]})
        categories: dict[str, list[dict]] = {}
        for r in records:
            if r["category"] is not None:
                categories.setdefault(str(r["category"]), []).append(r)
        aqua_report = _aqua_report(plan, records, names)
        if self.aqua_report:
            report: dict[str, Any] = aqua_report
        else:
            report = {
                "overall": {"scores": _mean(records, names), "rows": len(records)},
                "categories": {
                    name: {"scores": _mean(rs, names), "rows": len(rs)} for name, rs in sorted(categories.items())
                },
                "rows_total": len(records),
                "rows_answered": len(records),
                "rows_failed": 0,
                "wall_seconds": 1.5,
                "metrics": plan.metrics,
            }
            self._put(plan, "rows.jsonl", "".join(json.dumps(r) + "\n" for r in records))
        self._put(plan, "report.json", json.dumps(report))
        self._put(
            plan,
            "report.html",
            f"<!doctype html><html><head><title>Evaluation {plan.evaluation_id}</title>"
            f"</head><body><h1>Evaluation report</h1><p>{len(records)} rows, "
            f"{now_rfc3339()}</p></body></html>",
        )
        self._put(plan, "status.json", json.dumps({"rows_done": len(records), "rows_total": len(records)}))
        self._write_model_artifact(plan, aqua_report, len(records))
        self.jobs._log(run, f"Wrote the report for {len(records)} rows to {plan.output_dir}/{plan.evaluation_id}/")
        return "SUCCEEDED", None

    def _write_model_artifact(self, plan: _Evaluation, report: dict[str, Any], rows: int) -> None:
        """AQUA's reports into the evaluation model's artifact, where AQUA's metrics view and report download
        read them (``ads.aqua.evaluation`` ``load_metrics`` / ``download_report``: report.md, report.json,
        report.html in the downloaded artifact)."""
        ds = self.jobs.ds
        if plan.evaluation_id not in ds.models or plan.evaluation_id in ds.model_artifacts:
            return  # no evaluation model (deleted meanwhile), or one that already has its artifact
        summary = "\n".join(f"| {m['metric']} | {m['score']} | {m['grade']} |" for m in report["metric_summary_result"])
        files = {
            "report.json": json.dumps(report),
            "report.md": f"# Evaluation {plan.evaluation_id}\n\n{rows} rows of {plan.dataset}\n\n"
            f"| Metric | Score | Grade |\n| --- | --- | --- |\n{summary}\n",
            "report.html": f"<!doctype html><html><head><title>Evaluation {plan.evaluation_id}</title></head>"
            f"<body><h1>Evaluation report</h1><p>{rows} rows</p></body></html>",
        }
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, text in files.items():
                archive.writestr(name, text)
        disposition = f"attachment; filename={plan.evaluation_id}.zip"
        ds.model_artifacts[plan.evaluation_id] = (buffer.getvalue(), disposition)


_LABELS = {"bertscore": "BERTScore", "rouge1": "ROUGE-1", "rougeL": "ROUGE-L", "bleu": "BLEU",
           "readability": "Text Readability"}  # fmt: skip


def _aqua_report(plan: _Evaluation, records: list[dict], names: list[str]) -> dict[str, Any]:
    """report.json in AQUA's shape (``EvaluationReportJson``: metric_results, metric_summary_result)."""
    overall = _mean(records, names)
    return {
        "metric_results": {k: {"key": k, "name": _LABELS.get(k, k), "description": ""} for k in names},
        "metric_summary_result": [
            {"metric": _LABELS.get(k, k), "score": str(v), "grade": "-"} for k, v in overall.items()
        ],
        "dataset": {"url": plan.dataset, "size": len(records)},
    }
