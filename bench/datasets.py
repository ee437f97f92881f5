#!/usr/bin/env python
"""Dataset preflight benchmark: a generated 100k-row instruction JSONL through
`validate_jsonl` (stream, JSON, checks, duplicate hashes, split; no tokenizer), then the
token pass on 2k rows with the demo model's tokenizer and chat template when the [local]
extra is installed.

    python bench/datasets.py [--rows 100000] [--token-rows 2000]

Prints rows/s against the target (benchmarks print, they never assert).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bootstrap import use_repo_environment

use_repo_environment(__file__, ("pydantic",))

from aqua_ext.services.datasets import scan_jsonl, token_stats, validate_jsonl  # noqa: E402

TARGET_ROWS_PER_S = 50_000.0
WORDS = (
    "model",
    "data",
    "train",
    "answer",
    "question",
    "token",
    "layer",
    "weight",
    "shape",
    "deploy",
    "cloud",
    "notebook",
    "python",
    "vector",
    "matrix",
    "loss",
    "epoch",
    "batch",
    "tensor",
    "prompt",
)


def generate(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w") as f:
        for i in range(rows):
            prompt = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 40)))
            completion = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 60)))
            row = {"prompt": f"[{i}] {prompt}?", "completion": completion, "category": f"c{i % 5}"}
            f.write(json.dumps(row) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--token-rows", type=int, default=2_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="aqua-bench-datasets-") as tmp:
        data = Path(tmp) / "train.jsonl"
        generate(data, args.rows)
        size_mb = data.stat().st_size / 1e6
        validate_jsonl(data)  # warm the page cache and the imports
        times = []
        for _ in range(3):
            start = time.perf_counter()
            report = validate_jsonl(data)
            times.append(time.perf_counter() - start)
        best = min(times)
        rate = report.rows / best
        verdict = "OK" if rate >= TARGET_ROWS_PER_S else "BELOW TARGET"
        print(
            f"validate_jsonl: {report.rows:,} rows ({size_mb:.1f} MB) in {best * 1000:.0f} ms (best of 3) "
            f"= {rate:,.0f} rows/s, {size_mb / best:.0f} MB/s; target >= {TARGET_ROWS_PER_S:,.0f} rows/s: {verdict}"
        )
        print(
            f"  valid={report.valid_rows:,} errors={report.errors_total} duplicates={report.duplicates} "
            f"train={report.train_rows:,} validation={report.validation_rows:,}"
        )

        try:
            from tests.model_folders import HAS_LOCAL_EXTRA
        except ImportError:
            HAS_LOCAL_EXTRA = False
        if not HAS_LOCAL_EXTRA:
            print("token pass: skipped (needs the [local] extra: torch, transformers, tokenizers)")
            return
        from aqua_ext.backends.local.demo_model import generate_demo_model
        from aqua_ext.services.datasets import load_tokenizer

        small = Path(tmp) / "small.jsonl"
        generate(small, args.token_rows, seed=11)
        model_dir = Path(tmp) / "demo"
        generate_demo_model(model_dir)
        rows = scan_jsonl(small, keep_rows=True).rows
        start = time.perf_counter()
        tokenizer = load_tokenizer(model_dir)
        loaded = time.perf_counter() - start
        start = time.perf_counter()
        stats = token_stats(rows, tokenizer, 256, model_id="demo:tiny-llama")
        took = time.perf_counter() - start
        if stats is None:
            print("token pass: no rows")
            return
        print(
            f"token pass (demo model, {stats.template}): {len(rows):,} rows in {took * 1000:.0f} ms "
            f"= {len(rows) / took:,.0f} rows/s (+ {loaded * 1000:.0f} ms tokenizer load); "
            f"p50={stats.p50} p95={stats.p95} max={stats.max} over 256: {stats.over_limit}"
        )


if __name__ == "__main__":
    main()
