"""`aqua-ext evaluations create|list|get|cancel|delete|rows|report|compare|logs`.

`create` checks the dataset and starts an evaluation of an ACTIVE deployment, or of a connection
(run on the local target; --model picks which of its models answers) (model parameters left
out: the contract's defaults); --follow prints the rows answered and, at the end, the overall
scores. `report` writes the self-contained HTML report (never over an existing file without
--force); `compare` puts 2 to 8 evaluations side by side, the best score of each metric marked,
with notes on what makes the comparison unfair."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, get_args

from ..api.connections import is_connection_id
from ..api.evaluations import (
    ALL_METRICS,
    MAX_JUDGES,
    CreateEvaluationRequest,
    CreateEvaluationResponse,
    EvaluationComparison,
    EvaluationDetail,
    EvaluationReport,
    EvaluationRows,
    EvaluationRowsQuery,
    EvaluationSummary,
    JudgeReport,
    JudgeRubric,
    JudgeVerdict,
    MetricScores,
    ModelParameters,
)
from ..api.finetunes import FINAL_FINETUNE_STATES, FineTuneState
from ..errors import InvalidInput
from ..services.evaluation_results import MAX_COMPARED
from .context import Context, add_command, add_group, add_oci_logging_flags, add_target_flag, given_flags
from .jobs import JobKind, StateChanges, add_job_commands, follow_job, job_basics, job_facts, job_failed, job_started
from .output import (
    SCORE_LABELS,
    Column,
    StatusLines,
    clip,
    detail_text,
    emit,
    emit_json,
    fmt_duration,
    fmt_score,
    lifecycle_listing,
    preflight_lines,
    score_keys,
    set_only,
    table,
    time_facts,
)


def add_parser(sub: Any) -> None:
    ev = add_group(sub, "evaluations", "evaluate a deployment on a JSONL dataset; read and compare the scores")
    evc = add_command(ev, "create", "check the dataset and start an evaluation of an ACTIVE deployment or a connection")
    evc.add_argument(
        "deployment_id",
        metavar="DEPLOYMENT_ID|CONNECTION_ID",
        help="an ACTIVE chat or completion deployment, or a connection (conn-…; evaluated on the local target)",
    )
    evc.add_argument("--model", help="a connection's model (default: its default model)")
    evc.add_argument(
        "dataset",
        nargs="?",
        help="{prompt, completion[, category]} rows: a .jsonl file under the "
        "current folder (OCI: also oci://bucket@namespace/path)",
    )
    evc.add_argument("--finetune-id", help="instead of DATASET: the training data of this fine-tuning job")
    evc.add_argument("--name", required=True)
    evc.add_argument("--description")
    evc.add_argument("--sample-size", type=int, help="a seeded sample of N rows (default: every row)")
    evc.add_argument("--metrics", metavar="A,B", help=f"of {','.join(ALL_METRICS)} (default: all)")
    evc.add_argument(
        "--concurrency",
        type=int,
        help=f"requests in flight at once (default {CreateEvaluationRequest.model_fields['concurrency'].default})",
    )
    jg = evc.add_argument_group("LLM-as-judge (graded in the local evaluation job)")
    jg.add_argument(
        "--judge",
        action="append",
        metavar="ID",
        help=f"a deployment or a connection (conn-…) that grades each answer (up to {MAX_JUDGES}: repeat)",
    )
    jg.add_argument(
        "--judge-model",
        action="append",
        metavar="M",
        help="a connection judge's model (repeat: one per connection judge, in order; default: its default)",
    )
    jg.add_argument("--rubric", choices=get_args(JudgeRubric), help="how the judge grades (default correctness)")
    jg.add_argument("--rubric-text", metavar="T", help="with --rubric custom: what makes an answer score 5, and 1")
    jg.add_argument("--judge-concurrency", type=int, help="judge requests in flight at once (default 8)")
    mp = evc.add_argument_group("model parameters (as in the playground)")
    defaults = ModelParameters()
    mp.add_argument("--max-tokens", type=int, help=f"default {defaults.max_tokens}")
    mp.add_argument("--temperature", type=float, help=f"0-2, default {defaults.temperature:g}")
    mp.add_argument("--top-p", type=float, help=f"(0, 1], default {defaults.top_p:g}")
    mp.add_argument("--top-k", type=int, help="default off")
    mp.add_argument("--frequency-penalty", type=float, help="-2 to 2, default 0")
    mp.add_argument("--presence-penalty", type=float, help="-2 to 2, default 0")
    mp.add_argument("--stop", action="append", metavar="S", help="stop sequence (repeatable, up to 8)")
    mp.add_argument("--seed", type=int)
    where = evc.add_argument_group("where it runs (OCI)")
    where.add_argument("--shape", help="the evaluation job's CPU shape")
    where.add_argument("--report-uri", help="oci://bucket@namespace/prefix for the report")
    add_oci_logging_flags(where)
    add_target_flag(where, "to run on (the deployment's own)")
    evc.add_argument(
        "--follow",
        "-f",
        action="store_true",
        help="print the rows answered until it ends, then the scores (exit 1 unless it SUCCEEDED); "
        "Ctrl-C stops following, not the evaluation",
    )
    add_job_commands(
        ev,
        "evaluation_id",
        "list evaluations with their headline scores",
        (
            ("get", "show one evaluation with its overall and per-category scores"),
            ("cancel", "stop a running evaluation (the rows answered stay)"),
            ("delete", "remove a finished evaluation and its report"),
        ),
        "the evaluation job's log",
        "keep printing new lines until the evaluation ends (or Ctrl-C)",
    )
    evr = add_command(ev, "rows", "the rows behind the scores: prompt, reference, answer, scores")
    evr.add_argument("evaluation_id")
    evr.add_argument("--sort", metavar="KEY", help="a score (rougeL, bleu, …), latency_ms or index")
    evr.add_argument("--desc", action="store_true", help="highest first")
    evr.add_argument("--category")
    evr.add_argument("--limit", type=int, default=20, help="rows to show (1-1000, default 20)")
    evr.add_argument("--offset", type=int, default=0, help="rows to skip")
    evh = add_command(ev, "report", "save the self-contained HTML report (a SUCCEEDED evaluation)")
    evh.add_argument("evaluation_id")
    evh.add_argument("-o", "--output", metavar="FILE", help="default: <name>-report.html in the current folder")
    evh.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    evx = add_command(ev, "compare", "evaluations side by side, the best score of each marked")
    evx.add_argument("evaluation_ids", nargs="+", metavar="EVALUATION_ID", help=f"2 to {MAX_COMPARED}")


# Flags that become ModelParameters fields when given; left out, the contract's defaults apply.
_EVALUATION_PARAM_FLAGS = (
    "max_tokens",
    "temperature",
    "top_p",
    "top_k",
    "frequency_penalty",
    "presence_penalty",
    "seed",
)


def _scores_table(columns: Sequence[tuple[str, MetricScores]]) -> str:
    """Scores down, columns (overall, then each category) across, with the rows each counted."""
    keys = score_keys(k for _, column in columns for k in column.scores)
    rows = [[SCORE_LABELS.get(k, k), *(fmt_score(k, column.scores.get(k)) for _, column in columns)] for k in keys]
    rows.append(["rows", *(f"{column.rows:,}" for _, column in columns)])
    return table(rows, ["SCORE", *(name for name, _ in columns)])


def _report_table(report: EvaluationReport, *, categories: bool) -> str:
    columns = [("OVERALL", report.overall)]
    if categories:
        columns += sorted(report.categories.items())
    text = _scores_table(columns)
    if report.judge is not None:
        text += "\n\n" + _judge_text(report.judge)
    if report.rows_failed:
        text += f"\n{report.rows_failed:,} of {report.rows_total:,} rows failed (the deployment answered an error)"
    # The notes say how a score was computed or why it was not: a score missing here is not a 0.
    # One line per note, naming every score it is about (ROUGE-1, ROUGE-2, ROUGE-L share theirs).
    by_note: dict[str, list[str]] = {}
    for key in score_keys(report.notes):
        by_note.setdefault(report.notes[key], []).append(SCORE_LABELS.get(key, key))
    text += "".join(f"\nnote: {', '.join(labels)}: {note}" for note, labels in by_note.items())
    return text


def _evaluation_request(args: argparse.Namespace) -> CreateEvaluationRequest:
    """The request the REST route takes, from the flags (left out: the contract's defaults)."""
    params = given_flags(args, _EVALUATION_PARAM_FLAGS)
    if args.stop:
        params["stop"] = args.stop
    asked = "connection_id" if is_connection_id(args.deployment_id) else "deployment_id"
    body: dict[str, Any] = {
        asked: args.deployment_id,
        "connection_model": args.model,
        "name": args.name,
        "description": args.description or "",
        "dataset_path": args.dataset,
        "finetune_id": args.finetune_id,
        "sample_size": args.sample_size,
        "params": params,
        "shape": args.shape,
        "report_uri": args.report_uri,
        "log_group_id": args.log_group_id,
        "log_id": args.log_id,
        "target": args.target,
    }
    if args.metrics is not None:
        body["metrics"] = [m.strip() for m in args.metrics.split(",") if m.strip()]
    if args.concurrency is not None:
        body["concurrency"] = args.concurrency
    judge = _judge_settings(args)
    if judge is not None:
        body["judge"] = judge
    return CreateEvaluationRequest.model_validate(body)


def _judge_settings(args: argparse.Namespace) -> dict[str, Any] | None:
    """The request's `judge` from --judge (repeated), --judge-model (one per connection judge, in
    order), --rubric, --rubric-text and --judge-concurrency; None without --judge."""
    if not args.judge:
        if args.judge_model or args.rubric or args.rubric_text or args.judge_concurrency is not None:
            raise InvalidInput.field("judge", "--judge-model, --rubric, --rubric-text go with --judge ID")
        return None
    models = list(args.judge_model or [])
    connections = sum(1 for j in args.judge if is_connection_id(j))
    if len(models) > connections:
        raise InvalidInput.field("judge.model", f"{len(models)} --judge-model for {connections} connection judges")
    judges: list[dict[str, Any]] = []
    for judge in args.judge:
        if is_connection_id(judge):
            judges.append({"connection_id": judge, "model": models.pop(0) if models else None})
        else:
            judges.append({"deployment_id": judge})
    settings: dict[str, Any] = {"judges": judges, "rubric": args.rubric or "correctness"}
    if args.rubric_text is not None:
        settings["rubric_text"] = args.rubric_text
    if args.judge_concurrency is not None:
        settings["concurrency"] = args.judge_concurrency
    return settings


def _judge_text(judge: JudgeReport) -> str:
    """The judges' summary: rubric, each judge's grades and token cost, and two judges' agreement."""
    low, high = judge.scale
    rubric = judge.rubric + (f" ({clip(judge.rubric_text, 60)})" if judge.rubric_text else "")
    rows = [
        [
            t.name,
            f"{t.rows_scored:,}",
            f"{t.rows_failed:,}",
            "-" if t.mean_score is None else f"{t.mean_score:.2f}",
            f"{t.prompt_tokens:,} + {t.completion_tokens:,}",
        ]
        for t in judge.judges
    ]
    text = f"judged with the {rubric} rubric, {low}-{high}:\n"
    text += table(rows, ["JUDGE", "GRADED", "NOT GRADED", f"MEAN ({low}-{high})", "TOKENS (PROMPT + COMPLETION)"])
    text += f"\njudge tokens in all: {judge.prompt_tokens:,} prompt + {judge.completion_tokens:,} completion"
    a = judge.agreement
    if a is not None:
        shown = {"exact": a.exact, "Cohen's kappa (quadratic)": a.kappa, "Spearman": a.spearman}
        values = ", ".join(f"{k} {'-' if v is None else f'{v:.3f}'}" for k, v in shown.items())
        text += f"\nagreement of the two judges on {a.rows:,} rows: {values}"
    return text


def _rows_done(e: EvaluationSummary) -> str:
    return f"{e.rows_done:,}/{e.rows_total:,}"


def _asked(e: EvaluationSummary) -> str:
    return f"{e.deployment_name} (connection)" if e.connection_id else f"{e.deployment_name} (deployment)"


def _evaluation_rows(items: Sequence[EvaluationSummary], several_targets: bool) -> str:
    own: list[Column] = [
        ("ROWS", _rows_done),
        ("ROUGE-L", lambda e: fmt_score("rougeL", e.scores.get("rougeL"))),
        ("BERTSCORE", lambda e: fmt_score("bertscore", e.scores.get("bertscore"))),
    ]
    # What answered: a deployment or a connection (its name is in deployment_name), said as such.
    subject: Column = ("ASKS", _asked)
    return lifecycle_listing(items, subject, own, several_targets=several_targets)


def _params_text(p: ModelParameters) -> str:
    parts = [f"max tokens {p.max_tokens}", f"temperature {p.temperature:g}", f"top p {p.top_p:g}"]
    optional = (
        ("top k", p.top_k),
        ("frequency penalty", p.frequency_penalty),
        ("presence penalty", p.presence_penalty),
        ("seed", p.seed),
    )
    parts += [f"{label} {value:g}" for label, value in set_only(optional)]
    if p.stop:
        parts.append("stop " + ", ".join(map(repr, p.stop)))
    return " · ".join(parts)


def _evaluation_text(e: EvaluationDetail) -> str:
    rows = f"{_rows_done(e)} answered" + (f" (a seeded sample of {e.sample_size:,})" if e.sample_size else "")
    progress = f"{e.progress * 100:.0f}%"
    if e.eta_seconds is not None and e.state not in FINAL_FINETUNE_STATES:
        progress += f" · ETA {fmt_duration(e.eta_seconds)}"
    if e.report is not None and e.report.wall_seconds is not None:
        progress += f" · wall {fmt_duration(e.report.wall_seconds)}"
    facts = [
        *job_facts(e),
        (
            ("connection", f"{e.deployment_name}  ({e.connection_id})")
            if e.connection_id
            else ("deployment", f"{e.deployment_name}  ({e.deployment_id})")
        ),
        ("model", f"{e.model_name}  ({e.model_id})"),
        ("dataset", f"{e.dataset_path}  (sha256 {e.dataset_hash[:12]})"),
        ("rows", rows),
        ("metrics", ", ".join(e.metrics)),
        ("parameters", _params_text(e.params)),
        ("concurrency", str(e.concurrency)),
        ("progress", progress),
    ]
    facts += set_only(
        (("fine-tune", e.finetune_id), ("job", e.job_id), ("job run", e.job_run_id), ("report uri", e.report_uri))
    )
    if e.judge is not None:
        names = [j.name for j in e.judge.judges]
        facts.append(("judges", f"{', '.join(names)}  (rubric {e.judge.rubric})"))
    scores = "" if e.report is None else "\n\n" + _report_table(e.report, categories=True)
    return detail_text(e, facts + time_facts(e), 12, log="job", extra=scores)


async def _follow_evaluation(ctx: Context, detail: EvaluationDetail) -> EvaluationDetail:
    """Print the state changes and the rows answered (a line each tenth; on a terminal, a ticking
    line for every row) until the evaluation ends; return its final detail."""
    args, evaluations = ctx.args, ctx.services.evaluations
    states = StateChanges()
    tenth = 0

    async def poll(status: StatusLines, clock: str) -> bool:
        nonlocal detail, tenth
        detail = await evaluations.get(detail.id)
        if args.json or detail.state in FINAL_FINETUNE_STATES:
            return detail.state in FINAL_FINETUNE_STATES
        states.show(status, clock, detail)
        rows = f"{clock} rows {_rows_done(detail)}"
        if detail.rows_total and detail.rows_done * 10 // detail.rows_total > tenth:
            tenth = detail.rows_done * 10 // detail.rows_total
            status.line(rows)
        eta = f" · ETA {fmt_duration(detail.eta_seconds)}" if detail.eta_seconds is not None else ""
        status.tick(f"{rows} ({detail.progress * 100:.0f}%){eta}")
        return False

    await follow_job(args, poll, "evaluations", "the evaluation", detail.id)
    return detail


def _evaluation_outcome(args: argparse.Namespace, response: CreateEvaluationResponse) -> int:
    e = response.evaluation
    if e.state != FineTuneState.SUCCEEDED:
        job_failed(args, response, f"evaluation {e.id}", e.state, e.state_message, e.failure_log)
        return 1
    wall = e.report.wall_seconds if e.report is not None else None
    text = f"evaluated {e.name} ({e.id}): SUCCEEDED · {_rows_done(e)} rows" + (
        f" in {fmt_duration(wall)}" if wall is not None else ""
    )
    if e.report is not None:
        text += "\n\n" + _report_table(e.report, categories=False) + "\n"
    text += (
        f"\n  per category: aqua-ext evaluations get {e.id}"
        f"\n  the rows: aqua-ext evaluations rows {e.id} --sort rougeL"
        f"\n  the report: aqua-ext evaluations report {e.id}"
    )
    emit(args, response, text)
    return 0


def _verdicts_text(verdicts: Sequence[JudgeVerdict]) -> str:
    """A row's grades on one line: each judge's score and reason, or its error."""
    shown = [f"{v.score}: {v.reason}" if v.error is None else f"error: {v.error}" for v in verdicts]
    return clip(" | ".join(shown), 48) if shown else "-"


def _rows_text(page: EvaluationRows, query: EvaluationRowsQuery) -> str:
    keys = score_keys(k for r in page.items for k in r.scores)
    judged = any(r.judgements for r in page.items)
    rows = [
        [
            str(r.index),
            r.category or "-",
            clip(r.prompt),
            clip(r.reference),
            clip(f"error: {r.error}" if r.error else r.output),
            fmt_score("latency", r.latency_ms),
            *(fmt_score(k, r.scores.get(k)) for k in keys),
            *([_verdicts_text(r.judgements)] if judged else []),
        ]
        for r in page.items
    ]
    headers = ["INDEX", "CATEGORY", "PROMPT", "REFERENCE", "OUTPUT", "latency_ms", *keys]
    text = table(rows, headers + (["JUDGE (1-5): REASON"] if judged else []))
    shown = f"rows {query.offset + 1}-{query.offset + len(page.items)}" if page.items else "no rows"
    text += f"\n{shown} of {page.total:,}" + (f" in category {query.category}" if query.category else "")
    if query.sort:
        text += f", by {query.sort}{' (highest first)' if query.descending else ''}"
    if page.categories:
        text += f"; categories: {', '.join(page.categories)}"
    return text


def _report_file_name(name: str) -> str:
    stem = "".join(c if c.isalnum() or c in "._-" else "-" for c in name).strip("-.") or "evaluation"
    return f"{stem}-report.html"


async def _write_report(ctx: Context) -> int:
    args, evaluations = ctx.args, ctx.services.evaluations
    detail = await evaluations.get(args.evaluation_id)
    path = Path(args.output or _report_file_name(detail.name))
    if path.exists() and not args.force:
        raise InvalidInput.field("output", f"{path} exists; --force overwrites it")
    html, _ = await evaluations.report_html(detail.id)  # 409 until it SUCCEEDED
    try:
        await asyncio.to_thread(path.write_text, html, encoding="utf-8")
    except OSError as exc:
        raise InvalidInput.field("output", f"{path}: {exc.strerror or exc}") from None
    size = len(html.encode())
    if args.json:
        emit_json({"evaluation_id": detail.id, "path": str(path.resolve()), "bytes": size})
    else:
        print(f"wrote the report of {detail.name} ({detail.id}) to {path} ({size / 1024:,.0f} KB)")
    return 0


def _comparison_text(c: EvaluationComparison) -> str:
    names = {e.id: clip(e.name, 24) for e in c.evaluations}
    if len(set(names.values())) < len(names):  # the same name twice: the ids tell them apart
        names = {e.id: f"{clip(e.name, 24)} ({e.id})" for e in c.evaluations}
    ids = [e.id for e in c.evaluations]
    lines = [
        f"  {names[e.id]}: {e.id} · {e.deployment_name} · {e.dataset_path} · {_rows_done(e)} rows · {e.state.value}"
        for e in c.evaluations
    ]

    def compared(scores: Mapping[str, Mapping[str, float]], best_of: Mapping[str, Sequence[str]]) -> str:
        rows = []
        for key in score_keys(scores):
            best = best_of.get(key, ())
            rows.append(
                [
                    SCORE_LABELS.get(key, key),
                    *(fmt_score(key, scores[key].get(i)) + (" ★" if i in best else "") for i in ids),
                ]
            )
        return table(rows, ["SCORE", *(names[i] for i in ids)])

    text = "\n".join(lines) + "\n\n" + compared(c.overall, c.best)
    for category, scores in sorted(c.categories.items()):
        text += f"\n\ncategory {category}\n" + compared(scores, c.category_best.get(category, {}))
    text += "\n\n★ best (the lowest latency, else the highest score)"
    text += "".join(f"\nnote: {note}" for note in c.notes)
    return text


async def run(ctx: Context) -> int:
    args, evaluations = ctx.args, ctx.services.evaluations
    cmd = args.evaluations_command
    kind = JobKind(
        "evaluations",
        "evaluation_id",
        evaluations,
        _evaluation_rows,
        _evaluation_text,
        command="evaluations",
        noun="evaluation",
        field="evaluation",
        follow=_follow_evaluation,
        outcome=_evaluation_outcome,
    )
    if cmd == "create":
        response = await evaluations.create(_evaluation_request(args), ctx.dataset_access())
        e = response.evaluation
        what = f"{e.rows_total:,} rows; {', '.join(e.metrics)}"
        return await job_started(ctx, kind, response, preflight_lines(response.preflight, split=False), what)

    done = await job_basics(ctx, cmd, kind)
    if done is not None:
        return done

    if cmd == "rows":
        query = EvaluationRowsQuery(
            offset=args.offset, limit=args.limit, sort=args.sort, descending=args.desc, category=args.category
        )
        page = await evaluations.rows(args.evaluation_id, query)
        emit(args, page, _rows_text(page, query))
        return 0

    if cmd == "report":
        return await _write_report(ctx)

    if cmd == "compare":
        comparison = await evaluations.compare(args.evaluation_ids, field="evaluation_ids")
        emit(args, comparison, _comparison_text(comparison))
        return 0
    raise AssertionError(args)
