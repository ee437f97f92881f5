"""The local evaluation job against a stub OpenAI upstream: every row asked at the chosen
concurrency, rows written as they arrive, each metric equal to the library's own answer on the
same outputs; cancel keeps the rows answered; an upstream that fails ends the run FAILED."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from aqua_ext.jobs.evaluate import REPORT_HTML, REPORT_JSON, ROWS_FILE, select_rows
from aqua_ext.jobs.finetune import read_status
from tests.stub_upstream import StubConfig, StubUpstream

ROOT = Path(__file__).resolve().parents[2]
ANSWER = "tok0 tok1 tok2"  # what the stub says with max_tokens 3


def write_rows(path: Path, count: int = 12) -> Path:
    rows = []
    for i in range(count):
        reference = ANSWER if i % 3 == 0 else f"the answer is number {i}"
        rows.append({"prompt": f"Question {i}?", "completion": reference, "category": "easy" if i % 2 else "hard"})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def start(tmp_path: Path, stub: StubUpstream, **overrides: Any) -> tuple[subprocess.Popen[bytes], Path]:
    out = tmp_path / "eval"
    spec = {
        "dataset_path": str(write_rows(tmp_path / "rows.jsonl")),
        "output_dir": str(out),
        "name": "stub eval",
        "target": {
            "base_url": stub.url,
            "model": "stub-model",
            "mode": "chat",
            "dialect": "openai",
            "served_model_name": "stub",
        },
        "params": {"max_tokens": 3, "temperature": 0.0},
        "concurrency": 4,
        "metrics": ["rouge", "bleu", "chrf", "exact_match", "readability", "latency"],
        **overrides,
    }
    (tmp_path / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    out.mkdir()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    with (out / "job.log").open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "aqua_ext.jobs.evaluate", str(tmp_path / "spec.json")],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    return proc, out


def rows_of(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / ROWS_FILE).read_text().splitlines()]


def test_every_row_scored_as_the_libraries_score_it(tmp_path: Path) -> None:
    with StubUpstream(StubConfig(token_delay=0.01)) as stub:
        about = {
            "model_id": "ocid1.model.x",
            "model_name": "한국어 모델",
            "deployment_id": "ldep-1",
            "deployment_name": "日本語デプロイ",
            "dataset_path": "~/data/평가.jsonl",
        }
        proc, out = start(tmp_path, stub, about=about)
        assert proc.wait(timeout=120) == 0, (out / "job.log").read_text()
    status = read_status(out)
    assert status and status["state"] == "SUCCEEDED" and status["rows_done"] == status["rows_total"] == 12
    rows = rows_of(out)
    assert sorted(r["index"] for r in rows) == list(range(12)) and all(r["output"] == ANSWER for r in rows)

    import sacrebleu
    import textstat
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    for row in rows:
        expected = scorer.score(row["reference"], row["output"])
        assert row["scores"]["rougeL"] == pytest.approx(expected["rougeL"].fmeasure)
        assert row["scores"]["bleu"] == pytest.approx(sacrebleu.sentence_bleu(row["output"], [row["reference"]]).score)
        assert row["scores"]["chrf"] == pytest.approx(sacrebleu.sentence_chrf(row["output"], [row["reference"]]).score)
        assert row["scores"]["exact_match"] == float(row["reference"] == ANSWER)
        assert row["scores"]["readability"] == pytest.approx(textstat.flesch_reading_ease(row["output"]))
        assert row["latency_ms"] > 0 and row["tokens_per_s"] > 0

    report = json.loads((out / REPORT_JSON).read_text())
    overall = report["overall"]["scores"]
    outputs, references = [r["output"] for r in rows], [[r["reference"] for r in rows]]
    assert overall["bleu"] == pytest.approx(sacrebleu.corpus_bleu(outputs, references).score)
    assert overall["chrf"] == pytest.approx(sacrebleu.corpus_chrf(outputs, references).score)
    assert overall["exact_match"] == pytest.approx(4 / 12)
    assert set(report["categories"]) == {"easy", "hard"} and report["categories"]["hard"]["rows"] == 6
    assert overall["latency_ms_p95"] >= overall["latency_ms_p50"] > 0
    html = (out / REPORT_HTML).read_text()
    assert "<svg" in html and "stub eval" in html and "<script" not in html

    # The report says what it measured: the model asked, the dataset as scored, what was sent, with which libraries.
    prov = report["provenance"]
    digest = hashlib.sha256((tmp_path / "rows.jsonl").read_bytes()).hexdigest()
    assert prov["model_name"] == "한국어 모델" and prov["deployment_name"] == "日本語デプロイ"
    assert prov["dataset_path"] == "~/data/평가.jsonl" and prov["dataset_sha256"] == digest
    assert prov["dataset_rows"] == 12 and prov["sample_size"] is None and prov["connection_id"] is None
    assert prov["params"] == {"max_tokens": 3, "temperature": 0.0}
    assert set(prov["metric_versions"]) == {"rouge-score", "sacrebleu", "textstat"}
    assert prov["metric_versions"]["sacrebleu"] == sacrebleu.__version__
    assert prov["started_at"] <= prov["finished_at"] and prov["aqua_ext_version"]
    for shown in ("한국어 모델", "日本語デプロイ", digest, "temperature 0.0", "sacrebleu " + sacrebleu.__version__):
        assert shown in html


def test_cancel_keeps_the_rows_answered(tmp_path: Path) -> None:
    with StubUpstream(StubConfig(token_delay=0.5)) as stub:
        proc, out = start(tmp_path, stub, concurrency=1)
        deadline = time.monotonic() + 60
        while not (out / ROWS_FILE).exists() or not (out / ROWS_FILE).read_text().strip():
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.1)
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    status = read_status(out)
    assert status and status["state"] == "CANCELED"
    kept = rows_of(out)
    assert 1 <= len(kept) < 12 and all(r["output"] == ANSWER for r in kept)


def test_an_upstream_that_fails_ends_the_run_failed_with_the_reason(tmp_path: Path) -> None:
    with StubUpstream(StubConfig(mode="error")) as stub:
        proc, out = start(tmp_path, stub)
        assert proc.wait(timeout=60) == 1
    status = read_status(out)
    assert status and status["state"] == "FAILED" and "CUDA out of memory (stub)" in status["reason"]
    assert rows_of(out) and all(r["error"] for r in rows_of(out))


def test_a_sample_is_seeded_and_in_file_order() -> None:
    assert select_rows(10, None, 0) == list(range(10))
    sample = select_rows(1000, 50, 7)
    assert sample == sorted(sample) and len(set(sample)) == 50 and sample == select_rows(1000, 50, 7)


def test_a_deployment_that_fails_mid_run_fails_the_run_and_keeps_its_rows(tmp_path: Path) -> None:
    with StubUpstream(StubConfig(token_delay=0.1)) as stub:
        proc, out = start(tmp_path, stub, concurrency=1)
        deadline = time.monotonic() + 60
        while len(rows_of(out) if (out / ROWS_FILE).exists() else []) < 2:
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.05)
        stub.config.mode = "error"  # the engine starts failing every request (out of memory)
        assert proc.wait(timeout=60) == 1
    status = read_status(out)
    assert status and status["state"] == "FAILED" and "stopped answering" in status["reason"], status
    assert "CUDA out of memory (stub)" in status["reason"]
    kept = rows_of(out)
    answered = [r for r in kept if not r["error"]]
    assert len(answered) >= 2 and all(r["output"] == ANSWER for r in answered)
    assert f"{len(answered)} rows were answered" in status["reason"]
