"""The local evaluation job: `python -m aqua_ext.jobs.evaluate SPEC.json`.

Asks a model every prompt of a JSONL dataset (`{prompt, completion[, category]}`), `concurrency`
requests at a time, and scores the answers against the references
(aqua_ext.jobs.eval_metrics). Run detached by the server like the fine-tuning job; it writes
into `output_dir`:

- `status.json`: state, message, progress, rows_done / rows_total, pid, timings; on failure
  `reason`. Rewritten atomically.
- `rows.jsonl`: one line per answered row *as it arrives* (index, prompt, reference, output,
  category, latency_ms, tokens_per_s, error), so a canceled or crashed run keeps what it has;
  once scored, rewritten with each row's scores.
- `report.json` (overall and per-category scores, and `notes`: score name → how it was computed
  or why rows have none) and `report.html` (self-contained, with charts), on success. A row's
  score None means "not meaningful for this row" (BERTScore or readability on text not in a Latin
  script); summaries leave such rows out rather than count them as 0.

States: ACCEPTED → IN_PROGRESS → SUCCEEDED | FAILED; SIGTERM → CANCELING → CANCELED (the rows
answered so far stay). A deployment that stops answering ends the run FAILED with the reason
and the rows it finished.

The spec (JSON object): dataset_path, output_dir, the model asked, params (the ModelParameters
fields), metrics, concurrency, sample_size (None: every row), seed, and `about` (what the server
knows of the model asked and the dataset, for the report's provenance: jobs/eval_provenance.py).
The model asked is one of:

- `target`: a deployment's engine (the UpstreamTarget fields: base_url, model, mode, dialect,
  served_model_name, max_model_len, generation_defaults), asked as the playground asks it;
- `connection`: a hosted service ({id, fields: the ConnectionFields, model}), asked through the
  connections driver. Its secret never is in the spec: the server passes it in the environment
  (SECRET_ENV), and the job takes it out of its environment before anything else runs.

`judge` (optional, LLM-as-judge: jobs/eval_judge.py holds its rules): {rubric, rubric_text,
concurrency, judges: [{name, ids shown in the report, and `target` or `connection` as above}]}.
Once every row is answered, each judge grades each answered row (`judgements` in rows.jsonl, the
"judge" scores, the report's `judge` section); a connection judge's secret comes in the environment
too (JUDGE_SECRET_ENV with the judge's place). A deployment on OCI is reached signed
(`target.oci_signing`: the server's OCI settings, none of them secret).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import sys
import time
import traceback
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import finetune
from . import job_status as jobs  # the shared status conventions (states, atomic writes, peak RSS)

if TYPE_CHECKING:
    import httpx

ROWS_FILE, REPORT_JSON, REPORT_HTML = "rows.jsonl", "report.json", "report.html"
STATUS_FILE, LOG_FILE = jobs.STATUS_FILE, jobs.LOG_FILE
REQUIRED = ("dataset_path", "output_dir")
SOURCES = ("target", "connection")  # the model asked: exactly one
DEFAULTS: dict[str, Any] = {
    "params": {},
    "metrics": None,
    "concurrency": 4,
    "sample_size": None,
    "seed": 0,
    "judge": None,
}
SECRET_ENV = "AQUA_EVALUATED_CONNECTION_SECRET"
JUDGE_SECRET_ENV = "AQUA_JUDGE_CONNECTION_SECRET_{}"  # the judge's place in spec.judge.judges
# The answers to one prompt: ChatDelta items, then one ChatDone (services/chat_stream.py).
Answers = Callable[[str], AsyncIterator[Any]]
# This many failed requests in a row means the deployment is gone (or broken): the run stops FAILED
# with the rows it has. A row that fails alone is recorded with its error and the run goes on.
CONSECUTIVE_FAILURES_TO_STOP = 5
STATUS_INTERVAL_S = 0.25
# The progress bar: answering takes this much of it, then judging (when a judge grades) up to
# JUDGED_SHARE, then scoring the rest.
ANSWERING_SHARE, ANSWERING_SHARE_JUDGED, JUDGED_SHARE = 0.9, 0.6, 0.9


class EvaluationError(Exception):
    """A failure with a reason people can act on."""


def select_rows(count: int, sample_size: int | None, seed: int) -> list[int]:
    """The dataset rows to evaluate: all, or a seeded sample kept in file order."""
    if sample_size is None or sample_size >= count:
        return list(range(count))
    return sorted(random.Random(seed).sample(range(count), sample_size))


class Evaluation(jobs.StatusFile):
    def __init__(
        self, spec: dict[str, Any], secret: str | None = None, judge_secrets: dict[int, str] | None = None
    ) -> None:
        self.spec = spec
        self._secret = secret  # the connection's, from the environment (never written anywhere)
        self._judge_secrets = judge_secrets or {}  # connection judges' by their place, the same way
        self.output_dir = Path(spec["output_dir"]).expanduser().absolute()
        self.status: dict[str, Any] = {}
        self.cancel_requested = False
        self.started = time.monotonic()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._main: asyncio.Task[Any] | None = None

    def on_signal(self, signum: int, _frame: Any) -> None:
        if self.cancel_requested:
            return
        self.cancel_requested = True
        print(f"Received {signal.Signals(signum).name}: canceling", flush=True)
        if self.status.get("state") not in jobs.FINAL_STATES:
            self.update(state=jobs.CANCELING, message="Canceling")
        if self._loop is not None and self._main is not None:
            self._loop.call_soon_threadsafe(self._main.cancel)  # stops asking; answered rows stay

    def run(self) -> int:
        self.output_dir.mkdir(parents=True, exist_ok=True)
        (self.output_dir / ROWS_FILE).unlink(missing_ok=True)
        self.update(
            state=jobs.ACCEPTED,
            message="Accepted",
            progress=0.0,
            rows_done=0,
            rows_total=None,
            started_at=jobs.now(),
            pid=os.getpid(),
        )
        try:
            finished = asyncio.run(self._answer_all())
            if finished and self.spec.get("judge"):
                finished = asyncio.run(self._judge_all())
            if not finished:
                self.update(
                    state=jobs.CANCELED,
                    message=f"Canceled after {self.status['rows_done']} rows",
                    wall_s=round(time.monotonic() - self.started, 2),
                )
                print("Canceled", flush=True)
                return 0
            self._score()
        except BaseException as exc:
            traceback.print_exc()
            reason = str(exc) if isinstance(exc, EvaluationError) else finetune.human_reason(exc)
            self.update(
                state=jobs.FAILED,
                message=reason,
                reason=reason,
                error=f"{type(exc).__name__}: {exc}"[:2000],
                peak_rss_mb=jobs.peak_rss_mb(),
                wall_s=round(time.monotonic() - self.started, 2),
            )
            return 1
        return 0

    # ---- answering ---------------------------------------------------------------------

    async def _answer_all(self) -> bool:
        """Ask every selected row; False when canceled."""

        from ..services.chat_stream import ChatDone

        self._loop, self._main = asyncio.get_running_loop(), asyncio.current_task()
        if self.cancel_requested:
            return False
        spec = self.spec
        rows = load_rows(Path(spec["dataset_path"]).expanduser())
        selected = select_rows(len(rows), spec["sample_size"], int(spec["seed"]))
        params = dict(spec["params"])
        total = len(selected)
        asked = "the service" if spec.get("connection") else "the deployment"
        self.update(
            state=jobs.IN_PROGRESS,
            message=f"Asking {asked}",
            rows_total=total,
            dataset_rows=len(rows),
            answering_started_at=jobs.now(),
        )
        done = failures_in_a_row = failed_so_far = 0
        last_status = 0.0
        last_error = ""
        out = (self.output_dir / ROWS_FILE).open("a", encoding="utf-8")
        semaphore = asyncio.Semaphore(int(spec["concurrency"]))
        share = ANSWERING_SHARE_JUDGED if spec.get("judge") else ANSWERING_SHARE  # of the progress bar

        async def ask(index: int, answers: Answers) -> dict[str, Any]:
            row = rows[index]
            record: dict[str, Any] = {
                "index": index,
                "prompt": row.prompt,
                "reference": row.completion,
                "category": row.category,
                "output": "",
                "latency_ms": None,
                "tokens_per_s": None,
                "error": None,
            }
            async with semaphore:
                started = time.perf_counter()
                try:
                    parts: list[str] = []
                    async for item in answers(row.prompt):
                        if isinstance(item, ChatDone):
                            record["tokens_per_s"] = item.tokens_per_s
                        else:
                            parts.append(item.content)
                    record["output"] = "".join(parts)
                    record["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
                except Exception as exc:
                    record["error"] = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
            return record

        async with http_client(spec) as client:
            answers = answers_of(spec, params, client, self._secret)
            pending = [asyncio.create_task(ask(i, answers)) for i in selected]
            try:
                for next_done in asyncio.as_completed(pending):
                    record = await next_done
                    out.write(json.dumps(record) + "\n")
                    out.flush()  # a crash keeps every row answered so far
                    done += 1
                    if record["error"]:
                        failures_in_a_row += 1
                        last_error = record["error"]
                    else:
                        failures_in_a_row = 0
                    failed_so_far += bool(record["error"])
                    # status.json at most every STATUS_INTERVAL_S: at high concurrency rows arrive faster
                    # than a progress bar needs, and each rewrite costs the answering loop.
                    if time.monotonic() - last_status >= STATUS_INTERVAL_S or done == total or record["error"]:
                        self.update(rows_done=done, progress=round(done / total * share, 4), rows_failed=failed_so_far)
                        last_status = time.monotonic()
                    if failures_in_a_row >= min(CONSECUTIVE_FAILURES_TO_STOP, total):
                        raise EvaluationError(
                            f"{asked.capitalize()} stopped answering ({last_error}); "
                            f"{done - failed_so_far} rows were answered"
                        )
            except asyncio.CancelledError:
                return False
            finally:
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
                out.close()
                self.update(rows_done=done, rows_failed=failed_so_far)  # the last counts, however it ended
        if self.cancel_requested:
            return False
        if done and failed_so_far == done:
            raise EvaluationError(f"{asked.capitalize()} answered no row ({last_error})")
        return True

    # ---- judging (LLM-as-judge: the rules are jobs/eval_judge.py's) ------------------------------

    async def _judge_all(self) -> bool:
        """Every judge grades every answered row; rows.jsonl rewritten with their `judgements`.
        False when canceled (the rows stay as answered, ungraded)."""
        from .eval_judge import JUDGE_PARAMS, Judge, grade_rows, rubric_text

        self._loop, self._main = asyncio.get_running_loop(), asyncio.current_task()
        if self.cancel_requested:
            return False
        settings = self.spec["judge"]
        records = read_records(self.output_dir / ROWS_FILE)
        answered = [r for r in records if not r["error"]]
        total = len(answered)
        self.update(message=f"Judging the answers (0 of {total})", judged_rows=0)
        last_status = 0.0

        def graded(count: int) -> None:
            nonlocal last_status
            if time.monotonic() - last_status >= STATUS_INTERVAL_S or count == total:
                share = ANSWERING_SHARE_JUDGED + (JUDGED_SHARE - ANSWERING_SHARE_JUDGED) * count / max(total, 1)
                self.update(
                    message=f"Judging the answers ({count} of {total})", progress=round(share, 4), judged_rows=count
                )
                last_status = time.monotonic()

        async with contextlib.AsyncExitStack() as stack:
            judges = []
            for place, judge in enumerate(settings["judges"]):
                client = await stack.enter_async_context(http_client(judge))
                answers = answers_of(judge, JUDGE_PARAMS, client, self._judge_secrets.get(place))
                judges.append(Judge(judge["name"], answers))
            try:
                await grade_rows(
                    answered,
                    judges,
                    rubric_text(settings["rubric"], settings.get("rubric_text") or ""),
                    concurrency=int(settings.get("concurrency") or 8),
                    on_graded=graded,
                )
            except asyncio.CancelledError:
                return False
        if self.cancel_requested:
            return False
        write_records(self.output_dir / ROWS_FILE, records)
        return True

    # ---- scoring and the report -----------------------------------------------------------

    def _score(self) -> None:
        from .eval_judge import judge_note, judge_report, row_scores
        from .eval_metrics import METRICS, ScoredRow, by_category, metric_notes, score_rows, summarize
        from .eval_provenance import provenance
        from .eval_report import render_html

        metrics = list(self.spec["metrics"] or METRICS)
        self.update(message="Scoring the answers", progress=0.92)
        records = read_records(self.output_dir / ROWS_FILE)
        answered = [r for r in records if not r["error"]]
        scored = [
            ScoredRow(
                prompt=r["prompt"],
                reference=r["reference"],
                output=r["output"],
                category=r["category"],
                latency_ms=r["latency_ms"],
                tokens_per_s=r["tokens_per_s"],
            )
            for r in answered
        ]
        score_rows(scored, metrics)
        judge = self.spec.get("judge")
        for record, row in zip(answered, scored, strict=True):
            if judge:
                row.scores |= row_scores(record.get("judgements") or [])
            record["scores"] = row.scores
        for record in records:
            record.setdefault("scores", {})
        report = {
            "overall": {"scores": summarize(scored, metrics), "rows": len(scored)},
            "categories": {name: value for name, value in by_category(scored, metrics).items()},
            "rows_total": self.status["rows_total"],
            "rows_answered": len(answered),
            "rows_failed": len(records) - len(answered),
            "wall_seconds": round(time.monotonic() - self.started, 2),
            "metrics": metrics,
            # Score name → how it was computed, or why some rows have None (not meaningful), not 0.
            "notes": metric_notes(scored, metrics),
        }
        if judge:
            report["judge"] = judge_report(
                answered, [shown_judge(j) for j in judge["judges"]], judge["rubric"], judge.get("rubric_text") or ""
            )
            report["notes"]["judge"] = judge_note(report["judge"], len(answered))
        dataset = Path(self.spec["dataset_path"]).expanduser()
        report["provenance"] = provenance(
            self.spec,
            dataset=dataset,
            dataset_rows=self.status.get("dataset_rows") or len(load_rows(dataset)),
            metrics=metrics,
            started_at=self.status.get("started_at"),
            finished_at=jobs.now(),
        )
        write_records(self.output_dir / ROWS_FILE, records)
        jobs.write_json_atomic(self.output_dir / REPORT_JSON, report)
        html = render_html(report, records, title=str(self.spec.get("name") or "Evaluation"))
        tmp = self.output_dir / f".{REPORT_HTML}.tmp"
        tmp.write_text(html, encoding="utf-8")
        os.replace(tmp, self.output_dir / REPORT_HTML)
        self.update(
            state=jobs.SUCCEEDED,
            message="Succeeded",
            progress=1.0,
            scores=report["overall"]["scores"],
            peak_rss_mb=jobs.peak_rss_mb(),
            wall_s=report["wall_seconds"],
        )
        print(f"Succeeded: {len(answered)} rows scored (peak RSS {jobs.peak_rss_mb()} MiB)", flush=True)


def read_records(path: Path) -> list[dict[str, Any]]:
    """rows.jsonl, in dataset order."""
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return sorted(records, key=lambda r: r["index"])


def write_records(path: Path, records: list[dict[str, Any]]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    os.replace(tmp, path)


def shown_judge(judge: dict[str, Any]) -> dict[str, Any]:
    """A judge as the report names it (no way of reaching it)."""
    return {k: judge.get(k) for k in ("name", "deployment_id", "connection_id", "model")}


# ---- the model asked: two sources, one way of asking -----------------------------------------


def http_client(source: dict[str, Any]) -> httpx.AsyncClient:
    """The HTTP client that asks `source` (the evaluated model, or a judge). Our engine is reached
    directly; a hosted service or an OCI deployment may sit behind the proxy the environment names."""
    import httpx

    trust_env = bool(source.get("connection") or (source.get("target") or {}).get("oci_signing"))
    return httpx.AsyncClient(timeout=httpx.Timeout(600.0, connect=10.0), trust_env=trust_env)


def answers_of(source: dict[str, Any], params: dict[str, Any], http: httpx.AsyncClient, secret: str | None) -> Answers:
    """How to ask `source` (a spec, or one of its judges): a connection's service or a deployment's engine."""
    if source.get("connection"):
        return connection_answers(source["connection"], params, http, secret)
    return engine_answers(source["target"], params, http)


def engine_answers(fields: dict[str, Any], params: dict[str, Any], http: httpx.AsyncClient) -> Answers:
    """A deployment's engine, asked as the playground asks it (services/chat_payload.py)."""
    from ..api.deployments import ChatRequest
    from ..api.upstream import UpstreamTarget
    from ..services.chat_payload import build_payload
    from ..services.chat_stream import stream_chat

    fields = dict(fields)
    signing = fields.pop("oci_signing", None)
    target = UpstreamTarget(deployment_id="evaluation", auth=oci_auth(signing) if signing else None, **fields)

    def answers(prompt: str) -> AsyncIterator[Any]:
        turn = {"messages": [{"role": "user", "content": prompt}]} if target.mode == "chat" else {"prompt": prompt}
        path, body = build_payload(ChatRequest.model_validate({**params, **turn}), target)
        url, headers = target.request(path, stream=True)
        return stream_chat(http, url, body, headers=headers, auth=target.auth)

    return answers


def oci_auth(signing: dict[str, Any]) -> httpx.Auth:
    """Signs requests to an OCI model deployment as the server does (its OCI settings: auth kind,
    config file, profile, region). The signer is made on first use, in the signing thread."""
    import functools

    from ..backends.oci.auth import make_auth
    from ..backends.oci.config import OciSettings
    from ..backends.oci.signing import OciRequestAuth

    settings = OciSettings(**signing)
    return OciRequestAuth(functools.cache(lambda: make_auth(settings).signer))


def connection_answers(
    asked: dict[str, Any], params: dict[str, Any], http: httpx.AsyncClient, secret: str | None
) -> Answers:
    """A connection's service, asked as a playground turn with it is (services/connections.py): the
    driver speaks its dialect, streams when it can, and keeps the secret out of its errors. OCI
    signing uses the server's OCI settings, which the spec carries (no secret among them)."""
    from ..api.connections import ConnectionChatRequest, ConnectionFields
    from ..backends.connections.client import ConnectionClient
    from ..backends.connections.oci_signing import OciSigners
    from ..backends.connections.protocol import StoredConnection
    from ..backends.oci.config import OciSettings
    from ..services.connections import ConnectionTurn, openai_chat_body

    conn = StoredConnection(str(asked["id"]), ConnectionFields.model_validate(asked["fields"]), secret)
    client = ConnectionClient(http, OciSigners(OciSettings(**asked.get("oci_signing") or {})).auth)

    def answers(prompt: str) -> AsyncIterator[Any]:
        request = ConnectionChatRequest.model_validate({**params, "messages": [{"role": "user", "content": prompt}]})
        body = openai_chat_body(request, str(asked["model"]))
        if conn.fields.kind == "openai":
            # An OpenAI stream carries usage (a judge's token cost) only when asked for it; the dialect
            # drops the option when the service does not stream.
            body["stream_options"] = {"include_usage": True}
        turn = ConnectionTurn(client, conn, body)
        return turn.stream(http, timeout=conn.fields.timeout_s)

    return answers


def load_rows(path: Path) -> list[Any]:
    rows = finetune.load_rows(path)
    if any(r.format != "instruction" for r in rows):
        raise EvaluationError("Data error: evaluation rows are {prompt, completion[, category]}")
    return rows


def load_spec(path: Path) -> dict[str, Any]:
    raw = jobs.read_spec(path, required=REQUIRED, allowed={*DEFAULTS, *SOURCES, "name", "about"}, error=EvaluationError)
    if sum(bool(raw.get(source)) for source in SOURCES) != 1:
        raise EvaluationError("Invalid job spec: give the model asked as a target or a connection, one")
    for source in [raw, *_judges(raw.get("judge"))]:
        connection = source.get("connection")
        if connection and not (isinstance(connection, dict) and {"id", "fields", "model"} <= set(connection)):
            raise EvaluationError("Invalid job spec: a connection is {id, fields, model}")
    return {**DEFAULTS, **raw}


def _judges(judge: Any) -> list[dict[str, Any]]:
    """The spec's judges, checked: each asked as a target or a connection, one, under a name; a known rubric."""
    from .eval_judge import RUBRICS

    if judge is None:
        return []
    judges = judge.get("judges") if isinstance(judge, dict) else None
    if not isinstance(judges, list) or not 1 <= len(judges) <= 2:
        raise EvaluationError("Invalid job spec: judge.judges is one or two judges")
    for one in judges:
        if not isinstance(one, dict) or not one.get("name") or sum(bool(one.get(s)) for s in SOURCES) != 1:
            raise EvaluationError("Invalid job spec: a judge has a name and a target or a connection, one")
    rubric = judge.get("rubric")
    if rubric not in RUBRICS and not (rubric == "custom" and str(judge.get("rubric_text") or "").strip()):
        raise EvaluationError(f"Invalid job spec: judge.rubric is {', '.join(RUBRICS)} or custom with its text")
    return judges


def main(argv: list[str] | None = None) -> int:
    # Out of the environment first: no child, log line or crash report of this job sees it again.
    secret = os.environ.pop(SECRET_ENV, None) or None
    judge_secrets = {}
    for place in range(2):
        if judge_secret := os.environ.pop(JUDGE_SECRET_ENV.format(place), None):
            judge_secrets[place] = judge_secret
    return jobs.run_main(
        argv,
        "aqua_ext.jobs.evaluate",
        load_spec=load_spec,
        spec_errors=(EvaluationError,),
        make_job=lambda spec: Evaluation(spec, secret, judge_secrets),
    )


if __name__ == "__main__":
    sys.exit(main())
