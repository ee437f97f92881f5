"""Local evaluations over HTTP with the demo model on real `transformers serve` engines: the base
model and its fine-tuned version, each evaluated on the fine-tune's training data; the tuned one
scores higher; the report, its rows, the HTML download and the comparison; cancel keeps the rows
answered; bad input refused before anything is created."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.handlers.test_deployments import DEMO, wait_state
from tests.handlers.test_finetunes import FAST, color_rows, wait_job, write_jsonl
from tests.model_folders import needs_local_extra
from tests.waiting import wait_for_state

pytestmark = [needs_local_extra, pytest.mark.engine]


async def wait_evaluation(
    api: Any, evaluation_id: str, *states: str, timeout: float = 300.0, until: Any = None
) -> dict[str, Any]:
    return await wait_for_state(
        api, f"evaluations/{evaluation_id}", *states, timeout=timeout, until=until, stop_on_failure=True
    )


async def deploy(api: Any, model_id: str, name: str) -> str:
    status, created = await api("deployments", method="POST", body={"model_id": model_id, "name": name})
    assert status == 202, created
    deployment_id = created["deployment"]["id"]
    assert (await wait_state(api, deployment_id, "ACTIVE", "FAILED"))["state"] == "ACTIVE"
    return deployment_id


async def test_the_finetuned_model_scores_higher_than_its_base(
    api: Any, jp_fetch: Any, jp_root_dir: Path, aqua_data_dir: Path, demo_ready: Path
) -> None:
    write_jsonl(jp_root_dir / "colors.jsonl", color_rows())
    status, created = await api(
        "finetunes",
        method="POST",
        body={"model_id": DEMO, "name": "Colors", "dataset_path": "colors.jsonl", "params": FAST},
    )
    assert status == 202, created
    job = await wait_job(api, created["finetune"]["id"], "SUCCEEDED")

    deployments: list[str] = []
    try:  # engines run detached: every deployment made here is deleted, whatever happens
        try:
            deployments.append(await deploy(api, job["output_model_id"], "tuned"))
            deployments.append(await deploy(api, DEMO, "base"))
            evaluations = []
            for deployment_id, name in zip(deployments, ("tuned on its data", "base on the same data"), strict=True):
                status, body = await api(
                    "evaluations",
                    method="POST",
                    body={
                        "deployment_id": deployment_id,
                        "name": name,
                        "finetune_id": job["id"],
                        "sample_size": 24,
                        "metrics": ["rouge", "exact_match", "bleu", "bertscore", "latency"],
                        "params": {"max_tokens": 6, "temperature": 0.0},
                        "concurrency": 4,
                    },
                )
                assert status == 202, body
                assert body["evaluation"]["rows_total"] == 24 and body["preflight"]["valid_rows"] == 200
                assert "training data of 'Colors'" in body["evaluation"]["dataset_path"]
                evaluations.append(body["evaluation"]["id"])
            tuned, base = [await wait_evaluation(api, e, "SUCCEEDED") for e in evaluations]
        finally:
            for deployment_id in deployments[1:]:
                await api(f"deployments/{deployment_id}", method="DELETE")

        print(
            f"ROUGE-L on 24 training rows: fine-tuned {tuned['scores']['rougeL']:.3f},"
            f" base {base['scores']['rougeL']:.3f}; "
            f"exact match {tuned['scores']['exact_match']:.0%} vs {base['scores']['exact_match']:.0%}"
        )
        assert tuned["scores"]["rougeL"] > base["scores"]["rougeL"]
        assert tuned["report"]["rows_answered"] == 24 and tuned["report"]["rows_failed"] == 0
        assert tuned["scores"]["latency_ms_p95"] >= tuned["scores"]["latency_ms_p50"] > 0
        assert 0 <= tuned["scores"]["bertscore"] <= 1 and tuned["rows_done"] == 24 and tuned["progress"] == 1.0

        # The rows behind the scores, best first; the report as a download; the comparison.
        status, rows = await api(
            f"evaluations/{tuned['id']}/rows", params={"sort": "rougeL", "descending": "true", "limit": "5"}
        )
        assert status == 200 and rows["total"] == 24 and len(rows["items"]) == 5
        values = [r["scores"]["rougeL"] for r in rows["items"]]
        assert values == sorted(values, reverse=True)
        assert (await api(f"evaluations/{tuned['id']}/rows", params={"sort": "nonsense"}))[0] == 400
        response = await jp_fetch("aqua-ext", "evaluations", tuned["id"], "report.html")
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert "<svg" in response.body.decode() and "tuned on its data" in response.body.decode()
        status, comparison = await api("compare/evaluations", params={"ids": f"{tuned['id']},{base['id']}"})
        assert status == 200 and comparison["same_dataset"] is True, comparison
        assert set(comparison["overall"]["rougeL"]) == {tuned["id"], base["id"]}
        assert (await api("compare/evaluations", params={"ids": tuned["id"]}))[0] == 400

        # The deployment stops: a new evaluation of it is refused (409); the reports stay.
        assert (await api(f"deployments/{deployments[0]}/deactivate", method="POST"))[0] == 200
        status, body = await api(
            "evaluations",
            method="POST",
            body={"deployment_id": deployments[0], "name": "again", "finetune_id": job["id"]},
        )
        assert status == 409, body
        await api(f"deployments/{deployments[0]}", method="DELETE")
        _, listing = await api("evaluations")
        assert {e["id"] for e in listing["items"]} == set(evaluations)
        for evaluation_id in evaluations:
            assert (await api(f"evaluations/{evaluation_id}", method="DELETE"))[0] == 204
        assert not list((aqua_data_dir / "evaluations").iterdir())
    finally:
        for deployment_id in deployments:
            await api(f"deployments/{deployment_id}", method="DELETE")


async def test_cancel_keeps_the_rows_answered_and_bad_input_creates_nothing(
    api: Any, jp_root_dir: Path, aqua_data_dir: Path, demo_ready: Path
) -> None:
    rows = color_rows(60)
    write_jsonl(jp_root_dir / "colors.jsonl", rows)
    write_jsonl(
        jp_root_dir / "chat.jsonl",
        [{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}],
    )
    write_jsonl(jp_root_dir / "bad.jsonl", [rows[0], '{"prompt": "x"', rows[1]])
    deployment_id = await deploy(api, DEMO, "base")
    try:
        base = {"deployment_id": deployment_id, "name": "x", "dataset_path": "colors.jsonl"}
        cases: list[tuple[dict[str, Any], int, str, str]] = [
            ({"dataset_path": "bad.jsonl"}, 400, "dataset_path", "line 2"),
            ({"dataset_path": "chat.jsonl"}, 400, "dataset_path", "conversational"),
            ({"dataset_path": "../outside.jsonl"}, 400, "dataset_path", "outside the Jupyter root"),
            ({"metrics": ["rouge", "perplexity"]}, 400, "metrics.1", "'bertscore', 'rouge'"),
            ({"params": {"temperature": 5}}, 400, "params.temperature", "less than or equal to 2"),
            ({"concurrency": 0}, 400, "concurrency", "greater than or equal to 1"),
            ({"report_uri": "oci://b@ns/r"}, 400, "report_uri", "OCI option"),
            ({"finetune_id": "ftj-nope", "dataset_path": None}, 400, "finetune_id", "no fine-tuning job"),
            ({"deployment_id": "dep-nope"}, 404, "", "No deployment"),
        ]
        for change, code, field, text in cases:
            status, body = await api("evaluations", method="POST", body={**base, **change})
            assert status == code, (change, body)
            fields = {f["field"]: f["message"] for f in body.get("fields") or []}
            assert not field or any(k == field or k.startswith(field) for k in fields), (change, body)
            assert text in body["message"] + json.dumps(fields), (change, body)
        assert (await api("evaluations"))[1]["items"] == []
        assert not (aqua_data_dir / "evaluations").exists() or not list((aqua_data_dir / "evaluations").iterdir())

        # Long answers one at a time (the random-weights model never stops by itself): cancel mid-run.
        status, body = await api(
            "evaluations",
            method="POST",
            body={
                **base,
                "name": "long",
                "metrics": ["rouge"],
                "params": {"max_tokens": 120, "temperature": 0.0},
                "concurrency": 1,
            },
        )
        assert status == 202, body
        evaluation_id = body["evaluation"]["id"]
        running = await wait_evaluation(api, evaluation_id, "IN_PROGRESS", until=lambda d: d["rows_done"] >= 1)
        assert running["rows_total"] == 60 and running["eta_seconds"] is not None
        status, canceled = await api(f"evaluations/{evaluation_id}/cancel", method="POST")
        assert status == 200 and canceled["state"] in ("CANCELING", "CANCELED"), canceled
        done = await wait_evaluation(api, evaluation_id, "CANCELED", timeout=60)
        assert done["report"] is None
        _, kept = await api(f"evaluations/{evaluation_id}/rows")
        assert 1 <= kept["total"] < 60 and all(r["output"] for r in kept["items"])
        assert (await api(f"evaluations/{evaluation_id}/report.html"))[0] == 409
    finally:
        await api(f"deployments/{deployment_id}", method="DELETE")
