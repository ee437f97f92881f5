"""Local fine-tuning over HTTP with the demo model and real trl + peft training on the CPU:
create (after the preflight) → IN_PROGRESS → SUCCEEDED with loss curves → the fine-tuned
model under Models with its lineage → deployed, it answers its training prompts better than
the base model does; cancel; bad input refused before anything is created."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.handlers.test_deployments import DEMO, wait_state
from tests.model_folders import needs_local_extra
from tests.waiting import wait_for_state

pytestmark = [needs_local_extra, pytest.mark.engine]

COLORS = ("red", "green", "blue", "yellow")
# Values the demo model learns in 3 epochs: the answer is a word of the prompt, always the same one.
FAST = {
    "epochs": 3,
    "learning_rate": 1e-2,
    "batch_size": 8,
    "max_seq_length": 64,
    "lora_r": 8,
    "lora_alpha": 16,
    "lora_dropout": 0.0,
    "logging_steps": 5,
    "seed": 0,
}


def color_rows(count: int = 200) -> list[dict[str, str]]:
    return [
        {"prompt": f"Item {i} is {COLORS[i % 4]}. Which color is item {i}?", "completion": COLORS[i % 4]}
        for i in range(count)
    ]


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


async def wait_job(
    api: Any, finetune_id: str, *states: str, timeout: float = 300.0, until: Any = None
) -> dict[str, Any]:
    return await wait_for_state(
        api, f"finetunes/{finetune_id}", *states, timeout=timeout, until=until, stop_on_failure=True
    )


async def answer(api: Any, deployment_id: str, prompt: str) -> str:
    status, body = await api(
        f"deployments/{deployment_id}/v1/chat/completions",
        method="POST",
        body={"model": "x", "messages": [{"role": "user", "content": prompt}], "max_tokens": 6, "temperature": 0.0},
    )
    assert status == 200, body
    return body["choices"][0]["message"]["content"]


async def exact_match_rate(api: Any, deployment_id: str, rows: list[dict[str, str]]) -> float:
    hits = [(await answer(api, deployment_id, r["prompt"])).strip() == r["completion"] for r in rows]
    return sum(hits) / len(hits)


async def test_finetune_deploy_and_beat_the_base_model(
    api: Any, jp_root_dir: Path, aqua_data_dir: Path, demo_ready: Path
) -> None:
    rows = color_rows()
    write_jsonl(jp_root_dir / "data" / "colors.jsonl", rows)

    status, defaults = await api(f"models/{DEMO}/finetune-defaults")
    assert status == 200, defaults
    assert defaults["ready_to_finetune"] and defaults["shapes"][-1] == "cpu" and defaults["max_replicas"] == 1
    assert defaults["fit"]["total_gb"] > 0 and any(t["name"] == "cpu" and t["fits"] for t in defaults["fit"]["targets"])
    assert defaults["params"]["max_seq_length"] <= 512  # the demo model's context

    status, created = await api(
        "finetunes",
        method="POST",
        body={
            "model_id": DEMO,
            "name": "Colors",
            "dataset_path": "data/colors.jsonl",
            "validation_split": 0.1,
            "params": FAST,
        },
    )
    assert status == 202, created
    job = created["finetune"]
    assert job["state"] == "ACCEPTED" and job["base_model_id"] == DEMO and job["shape"] == "cpu"
    assert job["dataset_path"] == "data/colors.jsonl" and len(job["dataset_hash"]) == 64
    report = created["preflight"]
    assert report["valid_rows"] == 200 and report["validation_rows"] > 0 and report["tokens"]["over_limit"] == 0

    _, listing = await api("finetunes")
    assert [j["id"] for j in listing["items"]] == [job["id"]]

    detail = await wait_job(api, job["id"], "SUCCEEDED", "FAILED")
    assert detail["state"] == "SUCCEEDED", detail
    assert detail["progress"] == 1.0 and detail["step"] == detail["total_steps"] and detail["epoch"] == 3.0
    assert detail["train_rows"] + detail["validation_rows"] == 200
    assert detail["final_validation_loss"] is not None and detail["wall_seconds"] > 0
    assert detail["peak_memory_mb"] > 0 and detail["finished_at"] is not None

    # The curves: train loss every 5 steps falling, one validation loss per epoch; then the cursor.
    _, metrics = await api(f"finetunes/{job['id']}/metrics")
    train = [p["train_loss"] for p in metrics["points"] if p["train_loss"] is not None]
    validation = [p["validation_loss"] for p in metrics["points"] if p["validation_loss"] is not None]
    assert len(train) >= 5 and train[-1] < train[0] and len(validation) == 3
    assert detail["final_train_loss"] == train[-1]
    _, after = await api(f"finetunes/{job['id']}/metrics", params={"after": metrics["cursor"]})
    assert after["points"] == [] and after["cursor"] == metrics["cursor"] and after["state"] == "SUCCEEDED"
    _, logs = await api(f"finetunes/{job['id']}/logs")
    assert any("Succeeded" in line for line in logs["lines"]), logs

    # The fine-tuned model is under Models, with its lineage, ready to deploy.
    model_id = detail["output_model_id"]
    _, models = await api("models", params={"source": "fine-tuned"})
    assert [m["id"] for m in models["items"]] == [model_id]
    _, model = await api(f"models/{model_id}")
    assert model["source"] == "fine-tuned" and model["ready_to_deploy"] and model["name"] == "Colors"
    assert model["lineage"] == {
        "base_model_id": DEMO,
        "dataset_hash": job["dataset_hash"],
        "finetune_job_id": job["id"],
    }
    assert "config.json" in model["files"] and "Colors" in model["card_markdown"]

    # Deployed side by side, the fine-tuned model answers its training prompts; the base does not.
    deployments = []
    try:
        for name, mid in (("tuned", model_id), ("base", DEMO)):
            status, dep = await api("deployments", method="POST", body={"model_id": mid, "name": name})
            assert status == 202, dep
            deployments.append(dep["deployment"]["id"])
        for dep_id in deployments:
            assert (await wait_state(api, dep_id, "ACTIVE", "FAILED"))["state"] == "ACTIVE"
        sample = rows[::17]  # 12 training prompts, every color
        tuned = await exact_match_rate(api, deployments[0], sample)
        base = await exact_match_rate(api, deployments[1], sample)
        print(f"exact match on {len(sample)} training prompts: fine-tuned {tuned:.0%}, base {base:.0%}")
        assert tuned >= 0.75 and tuned > base

        status, body = await api(f"finetunes/{job['id']}", method="DELETE")
        assert status == 409 and "tuned" in body["message"], body
    finally:
        for dep_id in deployments:
            await api(f"deployments/{dep_id}", method="DELETE")

    status, _ = await api(f"models/{model_id}", method="DELETE")
    assert status == 204
    assert (await api(f"finetunes/{job['id']}"))[0] == 404
    assert (await api(f"models/{model_id}"))[0] == 404
    assert not (aqua_data_dir / "finetunes" / job["id"]).exists()


async def test_cancel_a_running_job(api: Any, jp_root_dir: Path, demo_ready: Path) -> None:
    write_jsonl(jp_root_dir / "colors.jsonl", color_rows())
    status, created = await api(
        "finetunes",
        method="POST",
        body={"model_id": DEMO, "name": "Long", "dataset_path": "colors.jsonl", "params": {**FAST, "epochs": 50}},
    )
    assert status == 202, created
    job_id = created["finetune"]["id"]
    running = await wait_job(api, job_id, "IN_PROGRESS", until=lambda d: d["step"] >= 2)
    assert running["total_steps"] > running["step"] and running["eta_seconds"] is not None
    assert 0 < running["progress"] < 1

    status, canceling = await api(f"finetunes/{job_id}/cancel", method="POST")
    assert status == 200 and canceling["state"] in ("CANCELING", "CANCELED"), canceling
    done = await wait_job(api, job_id, "CANCELED", timeout=60)
    assert done["output_model_id"] is None and done["finished_at"] is not None
    status, body = await api(f"finetunes/{job_id}/cancel", method="POST")
    assert status == 409, body
    _, models = await api("models", params={"source": "fine-tuned"})
    assert models["items"] == []
    assert (await api(f"finetunes/{job_id}", method="DELETE"))[0] == 204


async def test_bad_requests_create_nothing(
    api: Any, jp_root_dir: Path, aqua_data_dir: Path, tmp_path: Path, demo_ready: Path
) -> None:
    good = write_jsonl(jp_root_dir / "good.jsonl", color_rows(20))
    write_jsonl(
        jp_root_dir / "bad.jsonl",
        [color_rows(1)[0], color_rows(2)[1], '{"prompt": "x", "completion": ', {"prompt": "no completion"}],
    )
    (jp_root_dir / "empty.jsonl").write_text("")
    (jp_root_dir / "binary.jsonl").write_bytes(b'{"prompt": "a"}\n\x00\x01\x02\n')
    outside = write_jsonl(tmp_path / "outside.jsonl", color_rows(5))
    base = {"model_id": DEMO, "name": "x", "dataset_path": good.name}

    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"dataset_path": "bad.jsonl"}, "dataset_path", "line 3"),
        ({"dataset_path": "empty.jsonl"}, "dataset_path", "empty"),
        ({"dataset_path": "binary.jsonl"}, "dataset_path", "binary"),
        ({"dataset_path": str(outside)}, "dataset_path", "outside the Jupyter root"),
        ({"dataset_path": "../outside.jsonl"}, "dataset_path", "outside the Jupyter root"),
        ({"dataset_path": "missing.jsonl"}, "dataset_path", "no such file"),
        ({"model_id": "catalog:Qwen--Qwen2.5-0.5B-Instruct"}, "model_id", "cannot be fine-tuned"),
        ({"replicas": 2}, "replicas", "OCI option"),
        ({"output_uri": "oci://bucket@ns/out"}, "output_uri", "OCI option"),
        ({"shape": "gpu"}, "shape", "no GPU"),
        ({"shape": "BM.GPU.H100.8"}, "shape", "not a local shape"),
        ({"params": {"max_seq_length": 4096}}, "params.max_seq_length", "context length"),
        ({"params": {"training_type": "last_layers", "last_n_layers": 99}}, "params.last_n_layers", "layers"),
        ({"params": {"epochs": 0}}, "params.epochs", "greater than or equal to 1"),
        ({"params": {"optimizer": "sgd"}}, "params.optimizer", "Extra inputs"),
        ({"validation_split": 0.9}, "validation_split", "less than or equal to 0.5"),
        ({"params": {"lora_target_modules": ["q_proj; rm -rf"]}}, "params.lora_target_modules", "module name"),
    ]
    for change, field, text in cases:
        status, body = await api("finetunes", method="POST", body={**base, **change})
        assert status == 400, (change, status, body)
        fields = {f["field"]: f["message"] for f in body.get("fields") or []}
        assert any(k == field or k.startswith(field) for k in fields), (change, body)
        assert text in body["message"] + " ".join(fields.values()), (change, body)
        assert "Traceback" not in json.dumps(body)

    status, body = await api("finetunes", method="POST", body={**base, "model_id": "demo:nope"})
    assert status == 404, body
    _, listing = await api("finetunes")
    assert listing["items"] == []
    assert not list((aqua_data_dir / "finetunes").iterdir())
