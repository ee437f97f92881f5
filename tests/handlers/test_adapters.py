"""Several LoRA adapters on one base, for real on the CPU: two adapters trained on the demo model on different
data (real trl + peft), the demo model converted to GGUF, deployed on the real llama-server with both adapters
(converted by llama.cpp's convert_lora_to_gguf.py), and the same prompt asked with greedy decoding of the base,
adapter A and adapter B gives three different answers, through the OpenAI pass-through (`model` picks) and the
playground (`adapter` picks); an adapter removed restarts the engine without it; bad input is named by field."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.handlers.test_deployments import DEMO, chat_events, wait_state
from tests.handlers.test_evaluations import wait_evaluation
from tests.handlers.test_finetunes import wait_job, write_jsonl
from tests.handlers.test_genai import wait_operation
from tests.model_folders import needs_local_extra

pytestmark = [needs_local_extra, pytest.mark.engine]

# A few seconds of training each: a high learning rate on a constant answer, so that the two adapters differ.
TINY = {
    "epochs": 2,
    "learning_rate": 3e-2,
    "batch_size": 8,
    "max_seq_length": 48,
    "lora_r": 8,
    "lora_alpha": 16,
    "lora_dropout": 0.0,
    "logging_steps": 4,
    "seed": 0,
}
PROMPT = "Item 7 is green. Which color is item 7?"


def constant_rows(answer: str, count: int = 48) -> list[dict[str, str]]:
    return [{"prompt": f"Item {i} is green. Which color is item {i}?", "completion": answer} for i in range(count)]


async def train(api: Any, root: Path, name: str, answer: str, shape: str | None = None, **params: Any) -> str:
    """A LoRA fine-tune of the demo model on rows that always answer `answer`; its model id once it succeeded."""
    write_jsonl(root / "data" / f"{name}.jsonl", constant_rows(answer))
    body = {
        "model_id": DEMO,
        "name": name,
        "dataset_path": f"data/{name}.jsonl",
        "validation_split": 0.0,
        "params": {**TINY, **params},
        **({"shape": shape} if shape else {}),
    }
    status, created = await api("finetunes", method="POST", body=body)
    assert status == 202, created
    detail = await wait_job(api, created["finetune"]["id"], "SUCCEEDED", "FAILED")
    assert detail["state"] == "SUCCEEDED", detail
    model_id: str = detail["output_model_id"]
    return model_id


async def gguf_twin(api: Any) -> dict[str, Any]:
    """The demo model converted to GGUF by the server (its lineage names the demo model: the same weights)."""
    status, op = await api(f"models/{DEMO}/gguf", method="POST", body={"quantization": "Q8_0"})
    assert status == 202, op
    done = await wait_operation(api, op["id"], timeout=300)
    assert done["state"] == "SUCCEEDED", done
    status, model = await api(f"models/{done['resource_id']}")
    assert status == 200 and model["lineage"]["base_model_id"] == DEMO, model
    return model


async def openai_answer(api: Any, deployment_id: str, model: str) -> str:
    body = {"model": model, "messages": [{"role": "user", "content": PROMPT}], "max_tokens": 4, "temperature": 0.0}
    status, answer = await api(f"deployments/{deployment_id}/v1/chat/completions", method="POST", body=body)
    assert status == 200, answer
    text: str = answer["choices"][0]["message"]["content"]
    return text


async def playground_answer(jp_fetch: Any, deployment_id: str, adapter: str | None) -> str:
    turn = {"messages": [{"role": "user", "content": PROMPT}], "max_tokens": 4, "temperature": 0.0}
    events = await chat_events(jp_fetch, deployment_id, {**turn, **({"adapter": adapter} if adapter else {})})
    assert events[-1][0] == "done", events
    return "".join(data["content"] for kind, data in events if kind == "delta")


async def test_a_base_with_two_adapters_answers_per_adapter(
    api: Any, jp_fetch: Any, jp_root_dir: Path, demo_ready: Path
) -> None:
    red, blue = await asyncio.gather(train(api, jp_root_dir, "red", "red"), train(api, jp_root_dir, "blue", "blue"))
    base = await gguf_twin(api)
    status, created = await api(
        "deployments",
        method="POST",
        body={
            "model_id": base["id"],
            "name": "colors",
            "max_model_len": 256,
            "params": ["--threads", "2", "--parallel", "1"],
            "adapters": [{"model_id": red, "name": "red"}, {"model_id": blue}],
        },
    )
    assert status == 202, created
    dep = created["deployment"]
    assert [(a["name"], a["model_id"], a["rank"]) for a in dep["adapters"]] == [("red", red, 8), ("blue", blue, 8)]
    try:
        detail = await wait_state(api, dep["id"], "ACTIVE", "FAILED", timeout=300)
        assert detail["state"] == "ACTIVE", detail

        # /v1/models: the base under the deployment's served name, then each adapter with it as parent.
        status, models = await api(f"deployments/{dep['id']}/v1/models")
        assert status == 200, models
        assert [(m["id"], m.get("parent")) for m in models["data"]] == [
            ("colors", None),
            ("red", "colors"),
            ("blue", "colors"),
        ]

        # The same prompt, greedy: the base, adapter A and adapter B answer three different things.
        answers = {
            "base": await openai_answer(api, dep["id"], "colors"),
            "red": await openai_answer(api, dep["id"], "red"),
            "blue": await openai_answer(api, dep["id"], "colors/blue"),
        }
        print("answers per adapter:", answers)
        assert len(set(answers.values())) == 3, answers
        # Each adapter leans to its own data (a few seconds of training: "red", "bbbb" is what it gives).
        assert answers["red"].strip().startswith("r") and answers["blue"].strip().startswith("b"), answers
        # Greedy decoding is deterministic: asked again, the base still answers without the adapters.
        assert await openai_answer(api, dep["id"], "colors") == answers["base"]

        # The playground picks by `adapter`, with the same answers.
        assert await playground_answer(jp_fetch, dep["id"], "blue") == answers["blue"]
        assert await playground_answer(jp_fetch, dep["id"], None) == answers["base"]

        # An evaluation asks the adapter it names, every row as the playground would (greedy: its answer).
        write_jsonl(jp_root_dir / "data" / "eval.jsonl", [{"prompt": PROMPT, "completion": "blue"}] * 3)
        evaluation = {
            "deployment_id": dep["id"],
            "adapter": "blue",
            "name": "blue adapter",
            "dataset_path": "data/eval.jsonl",
            "metrics": ["exact_match"],
            "params": {"max_tokens": 4, "temperature": 0.0},
        }
        status, created_eval = await api("evaluations", method="POST", body=evaluation)
        assert status == 202, created_eval
        done = await wait_evaluation(api, created_eval["evaluation"]["id"], "SUCCEEDED", "FAILED")
        assert done["state"] == "SUCCEEDED" and done["adapter"] == "blue", done
        _, rows = await api(f"evaluations/{done['id']}/rows")
        assert [r["output"] for r in rows["items"]] == [answers["blue"]] * 3, rows
        status, err = await api("evaluations", method="POST", body={**evaluation, "adapter": "green"})
        assert status == 400 and err["fields"][0]["field"] == "adapter" and "red, blue" in err["message"], err

        # An adapter the deployment does not serve is named by field, in both routes.
        status, err = await api(
            f"deployments/{dep['id']}/v1/chat/completions",
            method="POST",
            body={"model": "green", "messages": [{"role": "user", "content": PROMPT}], "max_tokens": 2},
        )
        assert status == 400 and err["error"]["param"] == "model" and "red, blue" in err["message"], err
        status, err = await api(
            f"deployments/{dep['id']}/chat",
            method="POST",
            body={"messages": [{"role": "user", "content": PROMPT}], "max_tokens": 4, "adapter": "green"},
        )
        assert status == 400 and err["fields"][0]["field"] == "adapter", err

        # Removing an adapter: llama-server loads adapters at start only, so the engine restarts without it.
        status, changed = await api(
            f"deployments/{dep['id']}/adapters", method="PUT", body={"adapters": [{"model_id": red, "name": "red"}]}
        )
        assert status == 202 and changed["applied"] == "restart" and changed["operation"], changed
        assert (await wait_state(api, dep["id"], "ACTIVE", "FAILED", timeout=300))["state"] == "ACTIVE"
        status, models = await api(f"deployments/{dep['id']}/v1/models")
        assert [m["id"] for m in models["data"]] == ["colors", "red"]
        assert await openai_answer(api, dep["id"], "red") == answers["red"]
        status, err = await api(
            f"deployments/{dep['id']}/v1/chat/completions",
            method="POST",
            body={"model": "blue", "messages": [{"role": "user", "content": PROMPT}], "max_tokens": 2},
        )
        assert status == 400 and err["error"]["param"] == "model", err
        # An adapter in use is not deleted from under the deployment.
        status, err = await api(f"models/{red}", method="DELETE")
        assert status == 409 and "colors" in err["message"], err
    finally:
        await api(f"deployments/{dep['id']}", method="DELETE")


async def test_adapters_that_do_not_fit_are_refused_naming_the_field(
    api: Any, jp_root_dir: Path, demo_ready: Path, demo_gguf_dir: Path
) -> None:
    # Rank 128 on the demo model (hidden size 64): llama.cpp sets no rank limit, and a rank above the hidden
    # size is no low-rank adapter. One step of training is enough to have it.
    wide = await train(api, jp_root_dir, "wide", "red", lora_r=128, lora_alpha=128, epochs=1)
    base = await gguf_twin(api)
    _, before = await api("deployments")

    async def refused(model_id: str, adapters: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
        body = {"model_id": model_id, "name": "bad", "adapters": adapters, **fields}
        status, err = await api("deployments", method="POST", body=body)
        assert status == 400, err
        return err

    err = await refused(base["id"], [{"model_id": wide}])
    assert err["fields"][0]["field"] == "adapters.0" and "rank 128" in err["message"], err
    assert "hidden size is 64" in err["message"], err

    # A base that is not the one the adapter was trained on: a GGUF folder registered by hand (no lineage).
    status, other = await api(
        "models",
        method="POST",
        body={"source": "local_folder", "path": str(shutil.copytree(demo_gguf_dir, jp_root_dir / "other-gguf"))},
    )
    assert status == 202, other
    err = await refused(other["model"]["id"], [{"model_id": wide}])
    assert err["fields"][0]["field"] == "adapters.0" and "trained on" in err["message"], err

    # A model that is no LoRA fine-tune; the same adapter twice; an adapter named as the base; an engine
    # that serves none; an embedding deployment.
    err = await refused(base["id"], [{"model_id": DEMO}])
    assert err["fields"][0]["field"] == "adapters.0" and "not a LoRA fine-tune" in err["message"], err
    err = await refused(base["id"], [{"model_id": wide}, {"model_id": wide}])
    assert err["fields"][0]["field"] == "adapters", err
    err = await refused(base["id"], [{"model_id": wide, "name": "bad"}])
    assert err["fields"][0]["field"] == "adapters.0", err
    err = await refused(DEMO, [{"model_id": wide}], engine="transformers")
    assert err["fields"][0]["field"] == "engine" and "llama.cpp" in err["message"], err
    err = await refused(base["id"], [{"model_id": wide}], mode="embedding")
    assert err["fields"][0]["field"] == "adapters", err
    err = await refused(base["id"], [{"model_id": wide, "name": "Not A Slug"}])
    assert err["fields"][0]["field"].startswith("adapters.0"), err

    _, after = await api("deployments")
    assert after["items"] == before["items"]  # nothing half-created
    assert json.dumps(after).count('"bad"') == 0
