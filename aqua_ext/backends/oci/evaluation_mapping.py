"""OCI evaluation jobs ↔ our evaluation entity, following Oracle AQUA's conventions so that either
tool sees what the other created (pure: no SDK calls).

An evaluation is its evaluation model (AQUA: `AquaEvaluationSummary.id` is that model's OCID):
- a model record without weights, tagged `aqua_evaluation`, in a model version set tagged
  `aqua_evaluation` (AQUA's "experiment"); custom metadata `evaluation_source` (the deployment),
  `evaluation_source_name`, `evaluation_output_path` (the report location), `evaluation_job_id`,
  `evaluation_job_run_id`, and ours (the dataset's sha256 and row count, the served model); the taxonomy
  metadatum `Hyperparameters` holds `{"model_params": {shape, dataset_path, report_path, model, max_tokens,
  temperature, top_p, top_k, presence_penalty, frequency_penalty, stop}}` as AQUA writes it, plus our own
  choices under `aqua_ext` (metrics, concurrency, fine-tune);
- the job runs the service container `odsc-llm-evaluate` on a CPU shape with `AIP_SMC_EVALUATION_ARGUMENTS`
  (`{evaluation_id, evaluation_target_id, input_data{columns, format, url}, metrics[{key, args}], output_dir,
  params{model_parameters, inference_configuration}}`);
- the container writes `report.json`, `report.html` (and, in our shape, `rows.jsonl`) under
  `<output_dir>/<evaluation id>/`; the state is the job run's, its exit code becomes a readable reason.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from pydantic import ValidationError

from ...api.evaluations import (
    EvaluationDetail,
    EvaluationReport,
    EvaluationState,
    EvaluationSummary,
    MetricName,
    MetricScores,
    ModelParameters,
)
from ..evaluation_files import report_from
from . import job_mapping as jm
from .job_mapping import hyper_values as _hyper_values
from .mapping import EVALUATION_FAMILY, ci_tags, custom_metadata

TAG_EVALUATION = "aqua_evaluation"  # marks evaluation models, their jobs and runs, and their experiments
MD_SOURCE = "evaluation_source"
MD_SOURCE_NAME = "evaluation_source_name"
MD_OUTPUT_PATH = "evaluation_output_path"
MD_JOB_ID = "evaluation_job_id"
MD_RUN_ID = "evaluation_job_run_id"
MD_ERROR = "aqua_evaluate_error"
MD_DATASET_HASH = "evaluation_dataset_hash"
MD_ROWS = "evaluation_rows"
MD_MODEL_ID = "evaluation_model_id"  # the deployed model (ours)
MD_MODEL_NAME = "evaluation_model_name"
HYPERPARAMETERS = jm.HYPERPARAMETERS
EVAL_ARGUMENTS = "AIP_SMC_EVALUATION_ARGUMENTS"
DEFAULT_FAMILY = EVALUATION_FAMILY
DEFAULT_EXPERIMENT = "aqua-ext evaluations"  # the contract has no experiment name: one set for ours
BLOCK_STORAGE_GB = 200
REPORT_JSON, ROWS_JSONL, REPORT_HTML, STATUS_JSON = "report.json", "rows.jsonl", "report.html", "status.json"

# Our metrics by the evaluation container's keys. The container computes BERTScore, ROUGE, BLEU,
# text readability (and perplexity, which we do not offer); chrF, exact match and latency are computed
# by our local job only, so an OCI evaluation cannot give them.
CONTAINER_METRICS: dict[MetricName, str] = {
    "bertscore": "bertscore",
    "rouge": "rouge",
    "bleu": "bleu",
    "readability": "text_readability",
}
OUR_METRICS: dict[str, MetricName] = {key: ours for ours, key in CONTAINER_METRICS.items()}

# AQUA's evaluation shapes (the container's evaluation configuration), when the container lists none.
DEFAULT_SHAPES: dict[str, dict[str, Any]] = {
    name: {"ocpu": 8, "memory_in_gbs": 128, "block_storage_size": BLOCK_STORAGE_GB}
    for name in ("VM.Standard.E4.Flex", "VM.Standard.E3.Flex", "VM.Standard3.Flex", "VM.Optimized3.Flex")
}
DEFAULT_SHAPE = "VM.Standard.E4.Flex"

# Why the container stopped, by its exit code (AQUA's catalog of codes, in our words).
EXIT_REASONS = {
    1: "the evaluation failed; open the logs for the reason",
    10: "the evaluation configuration (AIP_SMC_EVALUATION_ARGUMENTS) is not valid",
    11: "the evaluation configuration was not given to the job",
    12: "the report location is not valid: use oci://bucket@namespace/prefix",
    13: "the dataset path is not valid: use oci://bucket@namespace/path/to/file.jsonl",
    14: "the evaluation id is not valid",
    15: "the evaluated deployment's id is not valid",
    16: "the evaluation configuration failed validation",
    20: "the report location could not be found or written: allow the job run to manage objects in the bucket",
    21: "the dataset is not valid: its rows need prompt and completion fields",
    22: "the dataset could not be found: check that the object exists and that the job run may read it",
    23: "the evaluation model could not be found in the model catalog",
    24: "this evaluation was already performed",
    25: "the evaluated deployment could not be found (was it deleted?) or is not ACTIVE",
    26: "the deployment answered none of the prompts: check that it is ACTIVE and that the job run may call it "
    "(a policy allowing the job run to use model deployments)",
    27: "computing the scores failed",
    28: "the report could not be written",
    29: "the deployment's answers were not in the expected format",
    30: "some of the requested metrics are not supported by the evaluation container",
    31: "a metric could not be computed",
    32: "the evaluation results could not be saved to the model catalog: allow the job run to manage models",
}


@dataclass
class Facts:
    """What does not change once an evaluation exists: from our own create, or read once from the
    model (GetModel)."""

    evaluation_id: str
    name: str
    description: str
    created_at: datetime
    deployment_id: str
    deployment_name: str
    model_id: str
    model_name: str
    job_id: str | None
    run_id: str | None
    params: ModelParameters
    metrics: list[MetricName]
    dataset_path: str
    dataset_hash: str
    rows_total: int
    report_uri: str | None
    shape: str
    concurrency: int
    finetune_id: str | None
    error: str | None  # aqua_evaluate_error: AQUA's record of a failure outside the run
    log_group_id: str | None = None
    log_id: str | None = None


# ---- requests ---------------------------------------------------------------------------------


def container_metrics(metrics: list[str]) -> list[dict[str, Any]]:
    """Our metric names → the container's `[{key, args}]`."""
    return [{"key": CONTAINER_METRICS[m], "args": {}} for m in metrics if m in CONTAINER_METRICS]


def model_parameters(params: ModelParameters, served_model: str) -> dict[str, Any]:
    """AQUA's model_parameters: the served model's name and the sampling fields."""
    values: dict[str, Any] = {
        "model": served_model,
        "max_tokens": params.max_tokens,
        "temperature": params.temperature,
        "top_p": params.top_p,
        "top_k": params.top_k if params.top_k is not None else -1,
        "presence_penalty": params.presence_penalty,
        "frequency_penalty": params.frequency_penalty,
        "stop": list(params.stop),
    }
    if params.seed is not None:
        values["seed"] = params.seed
    return values


def params_from(values: dict[str, Any] | None) -> ModelParameters:
    """Our parameters from AQUA's model_params; values this contract would refuse are left at defaults."""
    ours = {k: v for k, v in (values or {}).items() if k in ModelParameters.model_fields and v is not None}
    if ours.get("top_k") == -1:
        ours.pop("top_k")
    if isinstance(ours.get("stop"), str):
        ours["stop"] = [ours["stop"]]
    return jm.validate_lenient(ModelParameters, ours)


def evaluation_arguments(
    *,
    evaluation_id: str,
    target_id: str,
    dataset_uri: str,
    metrics: list[str],
    output_dir: str,
    model_params: dict[str, Any],
    inference: dict[str, Any],
) -> str:
    """AIP_SMC_EVALUATION_ARGUMENTS, as AQUA builds it."""
    suffix = dataset_uri.rsplit(".", 1)[-1] if "." in dataset_uri.rsplit("/", 1)[-1] else "jsonl"
    return json.dumps(
        {
            "evaluation_id": evaluation_id,
            "evaluation_target_id": target_id,
            "input_data": {
                "columns": {"prompt": "prompt", "completion": "completion"},
                "format": f".{suffix}",
                "url": dataset_uri,
            },
            "metrics": container_metrics(metrics),
            "output_dir": output_dir,
            "params": {"model_parameters": model_params, "inference_configuration": inference},
        }
    )


def hyperparameters(
    *,
    shape: str,
    dataset_uri: str,
    report_uri: str,
    model_params: dict[str, Any],
    metrics: list[str],
    concurrency: int,
    finetune_id: str | None,
) -> dict[str, Any]:
    """The taxonomy `Hyperparameters` value: AQUA's `model_params`, and our own choices beside it."""
    return {
        "model_params": {"shape": shape, "dataset_path": dataset_uri, "report_path": report_uri, **model_params},
        "aqua_ext": {"metrics": list(metrics), "concurrency": concurrency, "finetune_id": finetune_id},
    }


def report_folder(report_uri: str, evaluation_id: str) -> str:
    """The object prefix the container writes into: `<report prefix>/<evaluation id>/`."""
    from .mapping import parse_os_uri

    prefix = parse_os_uri(report_uri)[2].strip("/")
    return f"{prefix}/{evaluation_id}/" if prefix else f"{evaluation_id}/"


# ---- the catalog record -------------------------------------------------------------------------


def is_evaluation(model: Any) -> bool:
    return TAG_EVALUATION in ci_tags(getattr(model, "freeform_tags", None))


def asked_metrics(job: Any | None) -> list[MetricName]:
    """The metrics an evaluation job asks its container for (`AIP_SMC_EVALUATION_ARGUMENTS` metrics[{key}]),
    by our names; [] when the job or its arguments cannot be read."""
    config = getattr(job, "job_configuration_details", None)
    env = getattr(config, "environment_variables", None) or {}
    try:
        arguments = json.loads(env.get(EVAL_ARGUMENTS) or "{}")
    except ValueError:
        return []
    keys = (
        [m.get("key") for m in arguments.get("metrics") or [] if isinstance(m, dict)]
        if isinstance(arguments, dict)
        else []
    )
    return [OUR_METRICS[k] for k in keys if k in OUR_METRICS]


def _int(value: Any) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


def facts_from(model: Any, job: Any | None = None) -> Facts:
    """The facts of an evaluation someone else (AQUA, or this server before a restart) created."""
    meta = custom_metadata(model)
    hyper = _hyper_values(model)
    aqua = v if isinstance(v := hyper.get("model_params"), dict) else {}
    ours = v if isinstance(v := hyper.get("aqua_ext"), dict) else {}
    metrics: list[Any] = [m for m in ours.get("metrics") or [] if m in CONTAINER_METRICS]
    if not metrics:  # AQUA's record: which metrics were asked is known to its job only
        metrics = asked_metrics(job) or list(CONTAINER_METRICS)
    logs = getattr(job, "job_log_configuration_details", None)
    return Facts(
        **jm.model_facts(model, job, logs, meta.get(MD_JOB_ID)),
        evaluation_id=model.id,
        deployment_id=meta.get(MD_SOURCE, ""),
        deployment_name=meta.get(MD_SOURCE_NAME, ""),
        model_id=meta.get(MD_MODEL_ID, ""),
        model_name=meta.get(MD_MODEL_NAME, ""),
        run_id=meta.get(MD_RUN_ID) or None,
        params=params_from(aqua),
        metrics=metrics,
        dataset_path=str(aqua.get("dataset_path") or ""),
        dataset_hash=meta.get(MD_DATASET_HASH, ""),
        rows_total=_int(meta.get(MD_ROWS)),
        report_uri=meta.get(MD_OUTPUT_PATH) or aqua.get("report_path") or None,
        shape=str(aqua.get("shape") or ""),
        concurrency=max(1, min(64, _int(ours.get("concurrency")) or 4)),
        finetune_id=ours.get("finetune_id") or None,
        error=meta.get(MD_ERROR) or None,
    )


# ---- reports -------------------------------------------------------------------------------------


def _score_name(metric: str) -> str:
    """A name of AQUA's summary table ("BERTScore", "ROUGE-L", "bleu"…) → ours."""
    key = re.sub(r"[^a-z0-9]", "", metric.lower())
    named = {
        "bertscore": "bertscore",
        "bleu": "bleu",
        "rouge1": "rouge1",
        "rouge2": "rouge2",
        "rougel": "rougeL",
        "rougelsum": "rougeLsum",
        "rouge": "rougeL",
        "textreadability": "readability",
        "readability": "readability",
        "fleschreadingease": "readability",
        "perplexity": "perplexity",
        "perplexityscore": "perplexity",
    }
    return named.get(key, metric)


def report_of(data: Any) -> EvaluationReport | None:
    """report.json in our shape, or in AQUA's (`metric_summary_result[{metric, score, grade}]`: the overall
    scores only; AQUA's report has no per-category table in JSON)."""
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("overall"), dict):
        try:
            return report_from(data)
        except (KeyError, TypeError, ValueError, ValidationError):
            return None
    summary = data.get("metric_summary_result")
    if not isinstance(summary, list):
        return None
    scores: dict[str, float] = {}
    for item in summary:
        if not isinstance(item, dict) or not item.get("metric"):
            continue
        try:
            scores[_score_name(str(item["metric"]))] = float(item["score"])
        except (KeyError, TypeError, ValueError):
            continue
    dataset = v if isinstance(v := data.get("dataset"), dict) else {}
    rows = _int(dataset.get("size") or dataset.get("rows") or data.get("rows_total"))
    return EvaluationReport(
        overall=MetricScores(scores=scores, rows=rows),
        categories={},
        rows_total=rows,
        rows_answered=rows,
        rows_failed=0,
        wall_seconds=None,
    )


# ---- states -------------------------------------------------------------------------------------


def state_of(run_state: str | None, facts: Facts, report_known: bool) -> EvaluationState:
    """A job run state → ours (AQUA's rule when the run is gone: FAILED with a recorded error,
    SUCCEEDED when the report exists, else FAILED)."""
    return jm.job_state(run_state, finished=report_known and not facts.error)


def failure_reason(details: str | None) -> str:
    return jm.failure_reason("Evaluation", details, EXIT_REASONS)


def state_message(state: EvaluationState, run: Any | None, facts: Facts, rows_done: int) -> str:
    if state == EvaluationState.FAILED and facts.error:
        return f"Evaluation failed: {facts.error}"
    return jm.job_message(
        state,
        run,
        reason=failure_reason,
        gone="The job run no longer exists in OCI Data Science, and no report was found.",
        shape=facts.shape,
        running=f"Evaluating: {rows_done} of {facts.rows_total or '?'} rows answered"
        if rows_done
        else "Starting: the container reads the dataset and asks the deployment",
        succeeded="Done: the report is ready",
    )


# ---- the entity ---------------------------------------------------------------------------------


def to_detail(
    facts: Facts,
    run: Any | None,
    report: EvaluationReport | None,
    *,
    rows_done: int = 0,
    failure_log: list[str] | None = None,
    now: datetime | None = None,
) -> EvaluationDetail:
    now = now or datetime.now(timezone.utc)
    state = state_of(getattr(run, "lifecycle_state", None), facts, report is not None)
    total = facts.rows_total or (report.rows_total if report else 0)
    if state == EvaluationState.SUCCEEDED:
        done, progress = (report.rows_total if report else total), 1.0
    else:
        done = min(rows_done, total) if total else rows_done
        progress = min(0.99, done / total) if total else 0.0
    eta = jm.eta_seconds(run, progress, now) if state == EvaluationState.IN_PROGRESS else None
    return EvaluationDetail(
        **jm.job_fields(facts, run, state, state_message(state, run, facts, done), failure_log),
        id=facts.evaluation_id,
        deployment_id=facts.deployment_id,
        deployment_name=facts.deployment_name,
        model_id=facts.model_id,
        model_name=facts.model_name,
        metrics=facts.metrics,
        rows_total=total,
        rows_done=done,
        progress=progress,
        eta_seconds=eta,
        scores=dict(report.overall.scores) if report else {},
        concurrency=facts.concurrency,
        sample_size=None,
        finetune_id=facts.finetune_id,
        report=report,
        report_uri=facts.report_uri,
    )


def to_summary(detail: EvaluationDetail) -> EvaluationSummary:
    return EvaluationSummary.model_validate(detail.model_dump(include=set(EvaluationSummary.model_fields)))
