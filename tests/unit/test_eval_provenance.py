"""An evaluation report's provenance (jobs/eval_provenance.py): a sample names its size and seed,
the metric versions are the installed ones, report.html shows every fact escaped, and the
contract reads report.json's provenance (or none from an older report)."""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

from aqua_ext.backends.evaluation_files import report_from
from aqua_ext.jobs.eval_provenance import metric_versions, provenance
from aqua_ext.jobs.eval_report import render_html

ROWS = '{"prompt": "서울은?", "completion": "수도"}\n{"prompt": "東京は?", "completion": "首都"}\n'


def made(tmp_path: Path, **spec: object) -> dict[str, object]:
    dataset = tmp_path / "rows.jsonl"
    dataset.write_text(ROWS, encoding="utf-8")
    return provenance(
        {"params": {"temperature": 0.2, "stop": ["</s>"]}, **spec},
        dataset=dataset,
        dataset_rows=2,
        metrics=["rouge", "bleu", "chrf", "latency"],
        started_at="2026-12-06T22:00:00Z",
        finished_at="2026-12-06T22:05:00Z",
    )


def test_a_connection_and_a_sample_are_named(tmp_path: Path) -> None:
    about = {"connection_id": "conn-1", "connection_name": "社内 <LLM>", "connection_model": "gpt-x", "evil": "x"}
    prov = made(tmp_path, about={**about, "model_id": "gpt-x", "model_name": "gpt-x"}, sample_size=1, seed=7)
    assert prov["connection_name"] == "社内 <LLM>" and prov["connection_model"] == "gpt-x"
    assert prov["deployment_id"] is None and "evil" not in prov
    assert prov["sample_size"] == 1 and prov["sample_seed"] == 7 and prov["dataset_rows"] == 2
    assert prov["dataset_sha256"] == hashlib.sha256(ROWS.encode()).hexdigest()
    # A sample as large as the dataset is every row: no sample to name.
    assert made(tmp_path, sample_size=5)["sample_size"] is None


def test_metric_versions_are_the_installed_distributions() -> None:
    assert metric_versions(["rouge", "chrf", "bleu", "exact_match"]) == {
        "rouge-score": metadata.version("rouge-score"),
        "sacrebleu": metadata.version("sacrebleu"),
    }
    assert metric_versions(["latency", "exact_match"]) == {}


def test_the_html_header_escapes_and_keeps_korean_and_japanese(tmp_path: Path) -> None:
    prov = made(tmp_path, about={"model_name": "모델 <b>", "deployment_name": "デプロイ & co"})
    report = {
        "overall": {"scores": {"rougeL": 0.5}, "rows": 2},
        "categories": {},
        "rows_total": 2,
        "rows_answered": 2,
        "rows_failed": 0,
        "wall_seconds": 1.0,
        "provenance": prov,
    }
    html = render_html(report, [], title="평가")
    assert "<h2>Provenance</h2>" in html
    assert "모델 &lt;b&gt;" in html and "デプロイ &amp; co" in html and "<b>" not in html
    assert "temperature 0.2" in html and "2026-12-06T22:05:00Z" in html
    # The contract reads it; an older report without one (or an unreadable one) still shows its scores.
    read = report_from(report).provenance
    assert read is not None and read.model_name == "모델 <b>" and read.dataset_rows == 2
    assert report_from({**report, "provenance": None}).provenance is None
    assert report_from({**report, "provenance": {"dataset_path": 3}}).provenance is None


def test_the_local_driver_tells_the_job_what_it_asks() -> None:
    from aqua_ext.backends.local.evaluations import _about

    deployment = {"deployment_name": "배포", "model_id": "m-1", "model_name": "モデル"}
    assert _about(deployment, "ldep-1", "~/평가.jsonl", None) == {
        "model_id": "m-1",
        "model_name": "モデル",
        "deployment_id": "ldep-1",
        "deployment_name": "배포",
        "dataset_path": "~/평가.jsonl",
        "finetune_id": None,
    }
    connection = {"deployment_name": "社内", "model_id": "gpt-x", "model_name": "gpt-x", "connection_id": "c-1"}
    about = _about(connection, "c-1", "rows.jsonl", "ftj-1")
    assert about["connection_name"] == "社内" and about["connection_model"] == "gpt-x" and "deployment_id" not in about
