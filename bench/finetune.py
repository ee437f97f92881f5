#!/usr/bin/env python
"""Fine-tuning benchmark: the local LoRA job on the demo model, and the dataset preflight
that comes before it (with and without the tokenizer pass).

    python bench/finetune.py [--rows 200] [--epochs 3] [--preflight-rows 100000]
                             [--token-rows 10000] [--quick]

1. `python -m aqua_ext.jobs.finetune SPEC.json` in a subprocess, as the local backend starts a
   user's job: the demo model, a generated instruction dataset (--rows, 10% held out), the
   fine-tune form's default hyperparameters but --epochs. Wall time and peak RSS as the job
   writes them into status.json (start-up and training apart, from the moment the state turns
   IN_PROGRESS), beside the peak RSS of a process that only imports the same libraries; the
   first and final train loss and the final validation loss from metrics.jsonl.
2. `scan_jsonl` on a --preflight-rows file (stream, JSON, row checks, duplicate hashes, split;
   no tokenizer), best of 3, against the 50k rows/s target; and keeping the rows for the token
   pass, side by side.
3. The token pass (`token_stats`, the demo model's tokenizer and chat template) on a
   --token-rows sample: what the fine-tune form's inline preflight adds per row.

--quick: 64 rows for 1 epoch, 20k preflight rows, 2k token rows (under a minute).
Benchmarks print, they never assert.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # the demo model's "Writing model shards" bar
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(BENCH_DIR))
from _bootstrap import REPO_ROOT, use_repo_environment  # noqa: E402

use_repo_environment(__file__, ("pydantic",))

from bench.datasets import TARGET_ROWS_PER_S, generate  # noqa: E402

# With this folder on sys.path, `datasets` (Hugging Face's, which transformers looks for) would be
# bench/datasets.py.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]

from aqua_ext.api.finetunes import FineTuneParams  # noqa: E402
from aqua_ext.services.datasets import scan_jsonl  # noqa: E402

TRAINING_LIBRARIES = ("torch", "transformers", "trl", "peft", "datasets")


def has_local_extra() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(name) is not None for name in TRAINING_LIBRARIES)


def child_env() -> dict[str, str]:
    path = os.pathsep.join([str(REPO_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    return {
        **os.environ,
        "PYTHONPATH": path,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
    }


def busy_cpu_s() -> float | None:
    """CPU seconds the whole machine has spent busy (all processes), from /proc/stat; None elsewhere."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    except (OSError, ValueError, IndexError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def own_cpu_s() -> float:
    """CPU seconds of this process and its waited-for children."""
    return sum(
        r.ru_utime + r.ru_stime
        for r in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
    )


# ---- 1. the LoRA job --------------------------------------------------------------------


def run_job(tmp: Path, model_dir: Path, rows: int, epochs: int) -> None:
    from aqua_ext.jobs.finetune import IN_PROGRESS, METRICS_FILE, SUCCEEDED, read_status

    data = tmp / "finetune.jsonl"
    generate(data, rows, seed=3)
    params = FineTuneParams(epochs=epochs)  # the form's defaults
    out = tmp / "job"
    out.mkdir()
    spec = {
        **params.model_dump(),
        "lora_target_modules": params.lora_target_modules or "all-linear",
        "validation_split": 0.1,
        "base_model_path": str(model_dir),
        "dataset_path": str(data),
        "output_dir": str(out),
    }
    spec_path = tmp / "spec.json"
    spec_path.write_text(json.dumps(spec), encoding="utf-8")

    start = time.monotonic()
    busy_before, own_before = busy_cpu_s(), own_cpu_s()
    training_started: float | None = None
    with (out / "job.log").open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "aqua_ext.jobs.finetune", str(spec_path)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=tmp,
            env=child_env(),
            start_new_session=True,
        )
    try:
        while proc.poll() is None:
            if training_started is None and (read_status(out) or {}).get("state") == IN_PROGRESS:
                training_started = time.monotonic()
            time.sleep(0.05)
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    process_s = time.monotonic() - start
    busy_after, own_after = busy_cpu_s(), own_cpu_s()
    status = read_status(out) or {}
    print(
        f"1. local LoRA fine-tune of the demo model (python -m aqua_ext.jobs.finetune, CPU, "
        f"{len(os.sched_getaffinity(0))} threads)"
    )
    if status.get("state") != SUCCEEDED:
        print(f"   {status.get('state', 'no status')}: {status.get('reason') or status.get('error') or ''}")
        print("   " + "\n   ".join((out / "job.log").read_text(errors="replace").splitlines()[-15:]))
        return

    points = [json.loads(line) for line in (out / METRICS_FILE).read_text().splitlines() if line.strip()]
    train = [p for p in points if p.get("train_loss") is not None]
    validation = [p for p in points if p.get("validation_loss") is not None]
    steps = int(status.get("step") or 0)
    wall = float(status["wall_s"])
    targets = spec["lora_target_modules"]
    print(
        f"   data: {rows} instruction rows ({status.get('train_rows')} train / {status.get('validation_rows')} "
        f"validation), {epochs} epoch{'s' if epochs != 1 else ''}; the form's defaults: batch {params.batch_size}, "
        f"lr {params.learning_rate:g}, LoRA r {params.lora_r} on {targets}, max seq {params.max_seq_length}"
    )
    print(f"   wall {wall:.1f} s (the job's own clock, as status.json reports it)")
    # Start-up as seen from here (until status.json turned IN_PROGRESS); training on the trainer's clock.
    train_s = (status.get("summary") or {}).get("train_runtime")
    if training_started is not None and train_s:
        startup_s = training_started - start
        rows_per_s = int(status.get("train_rows") or 0) * epochs / train_s
        print(
            f"   the process: {process_s:.1f} s = start-up {startup_s:.1f} s (interpreter, imports, model, dataset) "
            f"+ training {train_s:.1f} s ({steps} steps, {steps / train_s:.2f} steps/s, {rows_per_s:.1f} rows/s, "
            f"evaluation included) "
            f"+ saving and exit {process_s - startup_s - train_s:.1f} s"
        )

    if busy_before is not None and busy_after is not None:
        # Timings on a shared machine: how much of it others took while the job ran.
        others = max(0.0, (busy_after - busy_before) - (own_after - own_before)) / process_s
        print(
            f"   meanwhile other processes kept {others:.2f} of the {os.cpu_count()} CPUs busy "
            f"(the job used {(own_after - own_before) / process_s:.2f})"
        )

    baseline = imports_peak_rss_mb()
    peak = float(status["peak_rss_mb"])
    print(
        f"   peak RSS {peak:,.0f} MiB; a process that only imports {', '.join(TRAINING_LIBRARIES)}: "
        f"{baseline:,.0f} MiB (the run adds {peak - baseline:,.0f} MiB, ×{peak / baseline:.2f})"
    )
    if train:

        def series(name: str, key: str, where: str, points: list[dict[str, Any]]) -> str:
            first, last = points[0], points[-1]
            text = f"{name} loss {first[key]:.4f} ({where} {first[where]:g})"
            if len(points) == 1:
                return text + ", the only one logged"
            return text + f" → {last[key]:.4f} ({where} {last[where]:g})"

        line = "   " + series("train", "train_loss", "step", train)
        if validation:
            line += "; " + series("validation", "validation_loss", "epoch", validation)
        print(line)


def imports_peak_rss_mb() -> float:
    """Peak RSS of a fresh process that imports the training libraries and nothing else."""
    code = (
        f"import {', '.join(TRAINING_LIBRARIES)}, trl.trainer.sft_trainer, resource; "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=child_env(),
        cwd=tempfile.gettempdir(),
        check=True,
    )
    return float(result.stdout.strip().splitlines()[-1])


# ---- 2. the preflight without the tokenizer --------------------------------------------------


def best_of(n: int, work: Any) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(n):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return min(times), result


def preflight(tmp: Path, rows: int) -> float:
    data = tmp / "preflight.jsonl"
    generate(data, rows)
    size_mb = data.stat().st_size / 1e6
    scan_jsonl(data)  # warm the page cache and the imports
    best, scan = best_of(3, lambda: scan_jsonl(data))
    rate = scan.report.rows / best
    kept_best, _ = best_of(3, lambda: scan_jsonl(data, keep_rows=True))
    kept_rate = scan.report.rows / kept_best
    verdict = "OK" if rate >= TARGET_ROWS_PER_S else "BELOW TARGET"
    print(
        f"2. preflight, no tokenizer (scan_jsonl): {scan.report.rows:,} rows ({size_mb:.1f} MB) in "
        f"{best * 1000:.0f} ms (best of 3) = {rate:,.0f} rows/s, {size_mb / best:.0f} MB/s; "
        f"target >= {TARGET_ROWS_PER_S:,.0f} rows/s: ×{rate / TARGET_ROWS_PER_S:.2f}, {verdict}"
    )
    print(
        f"   keeping the rows for a token pass: {kept_best * 1000:.0f} ms = {kept_rate:,.0f} rows/s "
        f"(×{kept_rate / rate:.2f} of the plain scan)"
    )
    return rate


# ---- 3. the token pass -----------------------------------------------------------------------


def token_pass(tmp: Path, model_dir: Path, rows: int, scan_rate: float) -> None:
    from aqua_ext.backends.local.demo_model import DEMO_MODEL_ID
    from aqua_ext.services.datasets import load_tokenizer, token_stats

    data = tmp / "sample.jsonl"
    generate(data, rows, seed=11)
    scan_s, scan = best_of(1, lambda: scan_jsonl(data, keep_rows=True))
    load_s, tokenizer = best_of(1, lambda: load_tokenizer(model_dir))
    max_len = FineTuneParams().max_seq_length
    token_stats(scan.rows[:256], tokenizer, max_len)  # warm the template compilation
    took, stats = best_of(2, lambda: token_stats(scan.rows, tokenizer, max_len, model_id=DEMO_MODEL_ID))
    rate = len(scan.rows) / took
    print(
        f"3. token pass (token_stats, demo tokenizer, {stats.template}): {len(scan.rows):,} rows in "
        f"{took * 1000:.0f} ms (best of 2) = {rate:,.0f} rows/s, ×{scan_rate / rate:.1f} the scan's cost per row; "
        f"p50 {stats.p50} · p95 {stats.p95} · max {stats.max} tokens, {stats.over_limit} over {max_len}"
    )
    total = scan_s + load_s + took
    print(
        f"   the form's inline preflight of this sample: scan {scan_s * 1000:.0f} ms + tokenizer load "
        f"{load_s * 1000:.0f} ms + token pass {took * 1000:.0f} ms = {total:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, help="fine-tuning dataset rows (default 200; --quick 64)")
    parser.add_argument("--epochs", type=int, help="fine-tuning epochs (default 3; --quick 1)")
    parser.add_argument("--preflight-rows", type=int, help="rows of the preflight file (default 100000; --quick 20000)")
    parser.add_argument("--token-rows", type=int, help="rows of the token pass sample (default 10000; --quick 2000)")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # in order with the job's stderr
    rows = args.rows or (64 if args.quick else 200)
    epochs = args.epochs or (1 if args.quick else 3)
    preflight_rows = args.preflight_rows or (20_000 if args.quick else 100_000)
    token_rows = args.token_rows or (2_000 if args.quick else 10_000)

    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="aqua-bench-finetune-") as name:
        tmp = Path(name)
        model_dir = None
        if has_local_extra():
            from aqua_ext.backends.local.demo_model import generate_demo_model

            model_dir = tmp / "demo"
            generate_demo_model(model_dir)
            run_job(tmp, model_dir, rows, epochs)
        else:
            print(f"1. fine-tune: skipped (needs the [local] extra: {', '.join(TRAINING_LIBRARIES)})")
        scan_rate = preflight(tmp, preflight_rows)
        if model_dir is not None:
            token_pass(tmp, model_dir, token_rows, scan_rate)
        else:
            print("3. token pass: skipped (needs the [local] extra)")
    # Timings on a shared machine are only as good as its load: say what it was.
    print(
        f"({time.perf_counter() - started:.0f} s in all; bench process peak RSS "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB; load average "
        f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after, on {os.cpu_count()} CPUs)"
    )


if __name__ == "__main__":
    main()
