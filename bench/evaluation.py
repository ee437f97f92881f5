#!/usr/bin/env python
"""Evaluation benchmark: the local evaluation job's concurrency, and listing many evaluations.

    python bench/evaluation.py [--rows 200] [--answer-ms 50] [--concurrency 8] [--judge-ms 50]
                               [--evaluations 500] [--calls 20] [--quick]

1. `python -m aqua_ext.jobs.evaluate SPEC.json` in a subprocess, as the local backend starts a
   user's evaluation, against the stub upstream (tests/stub_upstream.py, OpenAI streaming format)
   answering each request after --answer-ms: --rows prompts at concurrency 1 and at --concurrency,
   in the same run. Metrics limited to cheap ones (rouge, exact_match, latency) so scoring does
   not dominate. The answering phase is timed from here by watching status.json (IN_PROGRESS
   "Asking the deployment" → "Scoring the answers"; its own timestamps are whole seconds), the
   scoring phase (until SUCCEEDED) apart; the speed-up of the answering phase against the
   ≥ 6× target (8 would be perfect), with each row's latency as the job measured it.
2. The judge metric (LLM-as-judge, jobs/eval_judge.py): the same job with a judge, a second stub
   process answering every judge request after --judge-ms with a fixed grade, graded --concurrency
   requests at a time (the judge's default, 8); the judging phase ("Judging the answers" → "Scoring
   the answers") in rows per second, against its ideal (concurrency ÷ the judge's latency).
3. `LocalBackend.list_evaluations()` over --evaluations finished evaluations seeded into the
   SQLite store (`store.evaluations.insert`) with job folders holding the status.json a finished
   job writes: p50/p95 over --calls calls on one backend (the first call reads every status.json,
   later ones use the backend's cache of finished jobs), the same with that cache emptied before
   each call (every call reads every file: a server's first listing), and the SQL query alone;
   against the p50 ≤ 50 ms target.

--quick: 48 rows, 100 evaluations, 10 calls (well under a minute).
Benchmarks print, they never assert.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bootstrap import REPO_ROOT, use_repo_environment

use_repo_environment(__file__, ("pydantic", "tornado", "httpx", "aiosqlite"))

TARGET_SPEEDUP = 6.0
TARGET_LIST_P50_MS = 50.0
CHEAP_METRICS = ["rouge", "exact_match", "latency"]
ANSWER_TOKENS = 8


def child_env() -> dict[str, str]:
    path = os.pathsep.join([str(REPO_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    return {**os.environ, "PYTHONPATH": path, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


# ---- 1. the evaluation job at concurrency 1 and N ---------------------------------------------


@contextlib.contextmanager
def stub_process(first_byte_delay: float, content: str | None = None) -> Iterator[str]:
    """The stub upstream in a process of its own, as an engine is (in this one, it would share the GIL
    with the loop that watches the job); yields its URL. `content`: its answer (a judge's grade)."""
    code = (
        "import sys; from tests.stub_upstream import StubConfig, StubUpstream; "
        f"stub = StubUpstream(StubConfig(first_byte_delay={first_byte_delay!r}, tokens={ANSWER_TOKENS}, "
        f"content={content!r})).start(); "
        "print('PORT', stub.port, flush=True); sys.stdin.read()"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=child_env(),
        cwd=REPO_ROOT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().split()
        if line[:1] != ["PORT"]:
            raise RuntimeError(f"the stub upstream did not start: {line}")
        yield f"http://127.0.0.1:{line[1]}"
    finally:
        proc.terminate()
        proc.wait(10)


def write_dataset(path: Path, rows: int) -> None:
    answer = " ".join(f"tok{i}" for i in range(ANSWER_TOKENS))  # what the stub says: some rows match exactly
    lines = []
    for i in range(rows):
        reference = answer if i % 4 == 0 else f"the answer to question {i} is {i * 7}"
        lines.append(
            json.dumps(
                {
                    "prompt": f"Question {i}: what is {i} times 7?",
                    "completion": reference,
                    "category": ("arithmetic", "trivia")[i % 2],
                }
            )
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def stub_target(url: str) -> dict[str, Any]:
    return {"base_url": url, "model": "stub-model", "mode": "chat", "dialect": "openai", "served_model_name": "stub"}


def run_job(
    tmp: Path, stub_url: str, dataset: Path, concurrency: int, judge: dict[str, Any] | None = None
) -> dict[str, Any]:
    """One evaluation job, watched from here: the phases' wall times and what the job wrote."""
    from aqua_ext.jobs.evaluate import REPORT_JSON, ROWS_FILE, STATUS_FILE

    out = tmp / f"job-c{concurrency}{'-judged' if judge else ''}"
    out.mkdir()
    spec = {
        "name": f"bench c{concurrency}",
        "dataset_path": str(dataset),
        "output_dir": str(out),
        "target": stub_target(stub_url),
        "params": {"max_tokens": ANSWER_TOKENS, "temperature": 0.0},
        "metrics": CHEAP_METRICS + (["judge"] if judge else []),
        "concurrency": concurrency,
        "judge": judge,
    }
    spec_path = out / "spec.json"
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    status_path = out / STATUS_FILE
    marks: dict[str, float] = {}
    launched = time.perf_counter()
    with (out / "job.log").open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "aqua_ext.jobs.evaluate", str(spec_path)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=tmp,
            env=child_env(),
            start_new_session=True,
        )
    try:
        while True:
            ended = proc.poll() is not None
            try:
                status = json.loads(status_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                status = {}
            at = time.perf_counter()
            if status.get("state") == "IN_PROGRESS":
                marks.setdefault("answering", at)
                if str(status.get("message")).startswith("Judging the answers"):
                    marks.setdefault("judging", at)
                if status.get("message") == "Scoring the answers":
                    marks.setdefault("scoring", at)
            if status.get("state") in ("SUCCEEDED", "FAILED", "CANCELED"):
                marks.setdefault("done", at)
            if ended:
                break
            time.sleep(0.005)
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    marks["exit"] = time.perf_counter()
    status = json.loads(status_path.read_text(encoding="utf-8"))
    rows = [json.loads(line) for line in (out / ROWS_FILE).read_text(encoding="utf-8").splitlines() if line]
    report = json.loads((out / REPORT_JSON).read_text(encoding="utf-8")) if (out / REPORT_JSON).exists() else {}
    return {
        "status": status,
        "rows": rows,
        "report": report,
        "marks": marks,
        "launched": launched,
        "log": (out / "job.log").read_text(errors="replace"),
    }


def job_line(label: str, result: dict[str, Any]) -> float | None:
    """Print one run; return its answering wall time (None when it did not succeed)."""
    status, marks, launched = result["status"], result["marks"], result["launched"]
    if status.get("state") != "SUCCEEDED":
        print(f"   {label}: {status.get('state')}: {status.get('reason') or status.get('error') or ''}")
        print("   " + "\n   ".join(result["log"].splitlines()[-10:]))
        return None
    latencies = [r["latency_ms"] for r in result["rows"] if r.get("latency_ms") is not None]
    answering_end = marks.get("judging") or marks.get("scoring") or marks.get("done")
    answering = answering_end - marks["answering"]
    rows = len(result["rows"])
    scoring = (
        f"scoring {(marks['done'] - marks['scoring']) * 1000:,.0f} ms"
        if "scoring" in marks
        else "scoring not observed (answering time includes it)"
    )
    print(
        f"   {label}: answering {answering:6.2f} s = {rows / answering:6.1f} rows/s "
        f"(row latency p50 {statistics.median(latencies):.0f} ms, p95 {percentile(latencies, 0.95):.0f} ms); "
        f"{scoring}; start-up {marks['answering'] - launched:.2f} s; process {marks['exit'] - launched:.2f} s"
    )
    return answering


def concurrency_bench(tmp: Path, rows: int, answer_ms: float, concurrency: int) -> None:
    dataset = tmp / "eval.jsonl"
    write_dataset(dataset, rows)
    print(
        f"1. the evaluation job (python -m aqua_ext.jobs.evaluate): {rows} rows, a stub upstream answering each "
        f"in {answer_ms:.0f} ms ({ANSWER_TOKENS} tokens after the delay), metrics {', '.join(CHEAP_METRICS)}"
    )
    with stub_process(answer_ms / 1000) as url:
        serial = job_line("concurrency 1", run_job(tmp, url, dataset, 1))
        parallel = job_line(f"concurrency {concurrency}", run_job(tmp, url, dataset, concurrency))
    if serial and parallel:
        speedup = serial / parallel
        verdict = "OK" if speedup >= TARGET_SPEEDUP else "BELOW TARGET"
        ideal = rows * answer_ms / 1000
        print(
            f"   speed-up of the answering phase: ×{speedup:.2f} (target ≥ ×{TARGET_SPEEDUP:g}, at most "
            f"×{concurrency}): {verdict}; concurrency 1 takes ×{serial / ideal:.2f} of {rows} × {answer_ms:.0f} ms, "
            f"concurrency {concurrency} ×{parallel / (ideal / concurrency):.2f} of its ideal "
            f"{ideal / concurrency:.2f} s"
        )


# ---- 2. the judge metric ----------------------------------------------------------------------

JUDGE_REPLY = '{"score": 4, "reason": "맞지만 조금 짧습니다"}'


def judge_bench(tmp: Path, rows: int, answer_ms: float, judge_ms: float, concurrency: int) -> None:
    dataset = tmp / "judged.jsonl"
    write_dataset(dataset, rows)
    print(
        f"2. the judge metric: the same {rows} rows answered at concurrency {concurrency}, then each answer graded by "
        f"a stub judge (its own process) replying after {judge_ms:.0f} ms, {concurrency} judge requests at a time"
    )
    with stub_process(answer_ms / 1000) as url, stub_process(judge_ms / 1000, JUDGE_REPLY) as judge_url:
        judge = {
            "rubric": "correctness",
            "concurrency": concurrency,
            "judges": [{"name": "stub judge", "target": stub_target(judge_url)}],
        }
        result = run_job(tmp, url, dataset, concurrency, judge)
    marks, status = result["marks"], result["status"]
    if status.get("state") != "SUCCEEDED" or "judging" not in marks or "scoring" not in marks:
        print(f"   judging not measured: {status.get('state')} {status.get('reason') or ''}")
        print("   " + "\n   ".join(result["log"].splitlines()[-10:]))
        return
    judging = marks["scoring"] - marks["judging"]
    graded = sum(1 for r in result["rows"] for v in r.get("judgements") or [] if v and v.get("score") is not None)
    ideal = concurrency / (judge_ms / 1000)
    tokens = result["report"].get("judge") or {}
    print(
        f"   judge at concurrency {concurrency}: {graded} of {len(result['rows'])} rows graded in {judging:.2f} s = "
        f"{graded / judging:6.1f} rows/s (ideal {ideal:.0f} rows/s = {concurrency} ÷ {judge_ms:.0f} ms: "
        f"×{graded / judging / ideal:.2f} of it); {tokens.get('prompt_tokens', 0):,} prompt + "
        f"{tokens.get('completion_tokens', 0):,} completion tokens"
    )


# ---- 3. listing many evaluations -------------------------------------------------------------


def finished_status(rows: int, index: int) -> dict[str, Any]:
    """status.json as a job that SUCCEEDED leaves it."""
    quality = 0.3 + (index % 50) / 100
    return {
        "state": "SUCCEEDED",
        "message": "Succeeded",
        "progress": 1.0,
        "rows_done": rows,
        "rows_total": rows,
        "rows_failed": 0,
        "started_at": "2025-01-01T00:00:00Z",
        "pid": 100_000 + index,
        "answering_started_at": "2025-01-01T00:00:02Z",
        "updated_at": "2025-01-01T00:05:00Z",
        "scores": {
            "bertscore": quality + 0.2,
            "rouge1": quality + 0.05,
            "rouge2": quality - 0.1,
            "rougeL": quality,
            "bleu": quality * 60,
            "chrf": quality * 70,
            "exact_match": quality / 3,
            "readability": 61.2,
            "latency_ms_mean": 812.0,
            "latency_ms_p50": 790.0,
            "latency_ms_p95": 1430.0,
            "tokens_per_s_mean": 41.5,
        },
        "peak_rss_mb": 412.3,
        "wall_s": 298.0,
    }


async def seed(backend: Any, count: int) -> None:
    from datetime import datetime, timedelta, timezone

    from aqua_ext.api.evaluations import ALL_METRICS, ModelParameters
    from aqua_ext.backends.local.store import JobRow

    jobs_dir = backend.evaluations.jobs.jobs_dir
    base = datetime(2025, 1, 1, tzinfo=timezone.utc)
    for i in range(count):
        evaluation_id = f"evj-{i:010x}"
        rows = 100 + i % 400
        created = base + timedelta(minutes=i)
        config = {
            "description": "",
            "deployment_name": f"deployment {i % 7}",
            "model_id": "demo:tiny-llama",
            "model_name": "Demo model",
            "metrics": list(ALL_METRICS),
            "params": ModelParameters().model_dump(),
            "concurrency": 4,
            "sample_size": None,
            "finetune_id": None,
            "dataset_path": f"data/eval-{i % 9}.jsonl",
            "dataset_hash": f"{i:064x}",
            "rows_total": rows,
        }
        folder = jobs_dir / evaluation_id
        folder.mkdir(parents=True)
        (folder / "status.json").write_text(json.dumps(finished_status(rows, i), indent=2) + "\n", encoding="utf-8")
        await backend.store.evaluations.insert(
            JobRow(
                id=evaluation_id,
                name=f"evaluation {i}",
                subject_id=f"dep-{i % 7:010x}",
                state="SUCCEEDED",
                state_message="Succeeded",
                config=config,
                process={"pid": 100_000 + i, "create_time": 1},
                created_at=created,
                updated_at=created + timedelta(minutes=5),
                finished_at=created + timedelta(minutes=5),
            )
        )


async def timed(calls: int, work: Any, before: Any = None) -> list[float]:
    times = []
    for _ in range(calls):
        if before is not None:
            before()
        start = time.perf_counter()
        await work()
        times.append((time.perf_counter() - start) * 1000)
    return times


def ms_line(label: str, times: list[float], extra: str = "") -> None:
    print(
        f"   {label}: p50 {statistics.median(times):6.1f} ms · p95 {percentile(times, 0.95):6.1f} ms · "
        f"first {times[0]:6.1f} ms · max {max(times):6.1f} ms{extra}"
    )


async def listing_bench(tmp: Path, count: int, calls: int) -> None:
    from aqua_ext.backends.local.backend import LocalBackend
    from aqua_ext.services.operations import OperationRegistry

    data_dir, cache = tmp / "data", tmp / "hf-cache"
    cache.mkdir()
    operations = OperationRegistry()
    backend = LocalBackend(operations, data_dir=data_dir, allowed_roots=[tmp], hf_cache_dir=cache, generate_demo=False)
    await backend.start()
    try:
        started = time.perf_counter()
        await seed(backend, count)
        seeded_s = time.perf_counter() - started
        print(
            f"3. LocalBackend.list_evaluations() over {count} finished evaluations (SQLite rows + job folders with "
            f"status.json; seeded in {seeded_s:.1f} s), {calls} calls each"
        )
        listed = await backend.list_evaluations()
        assert len(listed) == count, len(listed)
        # A fresh backend on the same data: its first calls read every status.json.
        await backend.close()
        backend = LocalBackend(
            operations, data_dir=data_dir, allowed_roots=[tmp], hf_cache_dir=cache, generate_demo=False
        )
        await backend.start()
        warm = await timed(calls, backend.list_evaluations)
        verdict = "OK" if statistics.median(warm) <= TARGET_LIST_P50_MS else "MISSES"
        ms_line(
            "one backend (the first call reads every status.json, later calls its cache)",
            warm,
            f"; target p50 ≤ {TARGET_LIST_P50_MS:.0f} ms: {verdict} "
            f"(×{statistics.median(warm) / TARGET_LIST_P50_MS:.2f} of it)",
        )
        cache_of_finished = backend.evaluations.jobs._finished  # the bench empties it; the code is untouched
        cold = await timed(calls, backend.list_evaluations, before=cache_of_finished.clear)
        ms_line(
            f"every call reading all {count} status.json (the cache emptied first)",
            cold,
            f"; ×{statistics.median(cold) / TARGET_LIST_P50_MS:.2f} of the target",
        )
        sql = await timed(calls, backend.store.evaluations.list)
        ms_line("of which the SQL query alone (store.evaluations.list: rows + JSON config)", sql)
        per_row = (statistics.median(cold) - statistics.median(warm)) / count * 1000
        print(
            f"   reading and parsing one status.json costs ≈ {per_row:.0f} µs here; the rest of a cached call is "
            f"the query ({statistics.median(sql) / statistics.median(warm):.0%} of it) and building "
            f"{count} EvaluationSummary objects"
        )
    finally:
        await backend.close()
        await operations.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, help="dataset rows (default 200; --quick 48)")
    parser.add_argument("--answer-ms", type=float, default=50.0, help="the stub's delay per answer (default 50)")
    parser.add_argument("--concurrency", type=int, default=8, help="compared with 1; the judge's (default 8)")
    parser.add_argument("--judge-ms", type=float, default=50.0, help="the stub judge's delay per grade (default 50)")
    parser.add_argument("--evaluations", type=int, help="evaluations listed (default 500; --quick 100)")
    parser.add_argument("--calls", type=int, help="list calls timed (default 20; --quick 10)")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    rows = args.rows or (48 if args.quick else 200)
    count = args.evaluations or (100 if args.quick else 500)
    calls = args.calls or (10 if args.quick else 20)

    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="aqua-bench-evaluation-") as name:
        tmp = Path(name)
        concurrency_bench(tmp, rows, args.answer_ms, args.concurrency)
        judge_bench(tmp, rows, args.answer_ms, args.judge_ms, args.concurrency)
        asyncio.run(listing_bench(tmp, count, calls))
    # Timings on a shared machine are only as good as its load: say what it was.
    print(
        f"({time.perf_counter() - started:.0f} s in all; load average {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after, on {os.cpu_count()} CPUs)"
    )


if __name__ == "__main__":
    main()
