"""Evaluations, both ways: what aqua_ext evaluates AQUA lists, opens, shows the metrics of and finds the
dataset of, and AQUA evaluates a deployment aqua_ext made; what AQUA evaluates aqua_ext lists and opens, with
the metrics that were asked, the model's name and every row (Korean and Japanese ones too) unchanged."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .conftest import World


@pytest.fixture(scope="module")
def ext_evaluation(world: World, aqua_deployment: Any, dataset: str) -> dict[str, Any]:
    out = world.cli(
        "evaluations",
        "create",
        aqua_deployment.id,
        dataset,
        "--name",
        "ext-evaluation",
        "--metrics",
        "bertscore,rouge",
        "--shape",
        "VM.Standard.E4.Flex",
        "--report-uri",
        world.uri("ext-eval-out/"),
    )
    world.emulator.fast_forward()
    return dict(out.get("evaluation", out))


def aqua_evaluates(world: World, aqua: Any, deployment_id: str, dataset: str, name: str) -> Any:
    summary = aqua.evaluation.create(
        evaluation_source_id=deployment_id,
        evaluation_name=name,
        dataset_path=dataset,
        report_path=world.uri("aqua-eval-out/"),
        model_parameters={"max_tokens": 64, "temperature": 0.1},
        shape_name="VM.Standard.E4.Flex",
        ocpus=2,
        memory_in_gbs=32,
        block_storage_size=50,
        experiment_name="interop-evaluations",
        metrics=[{"key": "bertscore", "args": {}}, {"key": "rouge", "args": {}}],
        compartment_id=world.compartment_id,
        project_id=world.project_id,
    )
    world.emulator.fast_forward()
    return summary


@pytest.fixture(scope="module")
def aqua_evaluation(world: World, aqua: Any, aqua_deployment: Any, dataset: str) -> Any:
    return aqua_evaluates(world, aqua, aqua_deployment.id, dataset, "aqua-evaluation")


def test_aqua_evaluates_a_deployment_aqua_ext_created(
    world: World, aqua: Any, ext_deployment: dict, dataset: str
) -> None:
    summary = aqua_evaluates(world, aqua, ext_deployment["id"], dataset, "aqua-evaluates-ext-deployment")
    assert aqua.evaluation.get(summary.id).lifecycle_state == "SUCCEEDED"


def test_aqua_lists_and_opens_an_evaluation_aqua_ext_ran(world: World, aqua: Any, ext_evaluation: dict) -> None:
    listed = aqua.evaluation.list(compartment_id=world.compartment_id)
    assert ext_evaluation["id"] in [e.id for e in listed], "AQUA's evaluation list lacks aqua_ext's evaluation"
    opened = aqua.evaluation.get(ext_evaluation["id"])
    assert opened.name == "ext-evaluation" and opened.lifecycle_state == "SUCCEEDED", opened.lifecycle_state


def test_aqua_shows_the_metrics_of_an_evaluation_aqua_ext_ran(aqua: Any, ext_evaluation: dict) -> None:
    metrics = aqua.evaluation.load_metrics(ext_evaluation["id"])
    keys = {m.key for m in metrics.metric_results}
    # The two metrics asked: BERTScore, and ROUGE, which the report gives per variant (rouge1, rougeL).
    assert "bertscore" in keys and any(key.startswith("rouge") for key in keys), metrics


def test_aqua_ext_lists_and_opens_an_evaluation_aqua_ran(world: World, aqua_evaluation: Any) -> None:
    listed = world.cli("evaluations", "list")
    assert aqua_evaluation.id in [e["id"] for e in listed], "aqua_ext's list lacks AQUA's evaluation"
    opened = world.cli("evaluations", "get", aqua_evaluation.id)
    assert opened["name"] == "aqua-evaluation" and opened["state"] == "SUCCEEDED", opened


def test_aqua_ext_reports_the_metrics_aqua_asked_and_the_model(world: World, aqua_evaluation: Any) -> None:
    opened = world.cli("evaluations", "get", aqua_evaluation.id)
    facts = {"metrics": sorted(opened["metrics"]), "model_name": opened["model_name"]}
    assert facts["metrics"] == ["bertscore", "rouge"] and facts["model_name"], facts


def test_aqua_ext_reads_every_row_aqua_evaluated_unchanged(
    world: World, aqua_evaluation: Any, dataset_rows: list[dict[str, Any]]
) -> None:
    """AQUA's evaluation answered every row of the dataset; aqua_ext shows them all, the Korean and Japanese
    prompts and references as the file has them."""
    page = world.cli("evaluations", "rows", aqua_evaluation.id, "--sort", "index", "--limit", "1000")
    got = [(row["prompt"], row["reference"]) for row in page["items"]]
    assert got == [(row["prompt"], row["completion"]) for row in dataset_rows]


def test_aqua_reads_the_dataset_of_an_evaluation_aqua_ext_ran(
    aqua: Any, ext_evaluation: dict, dataset: str, dataset_rows: list[dict[str, Any]]
) -> None:
    import fsspec  # AQUA's own way to oci:// (ocifs), with ads' auth
    from ads.common.auth import default_signer

    path = aqua.evaluation.get(ext_evaluation["id"]).parameters.dataset_path
    assert path == dataset, path
    with fsspec.open(path, "r", encoding="utf-8", **default_signer()) as f:
        assert [json.loads(line) for line in f if line.strip()] == dataset_rows
