"""Local deployments over HTTP with the demo model and a real `transformers serve`:
create → ACTIVE → chat stream → the openai client through the pass-through →
deactivate → activate → an engine killed → FAILED with a reason → delete."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest

from aqua_ext.api.sse import SseParser
from aqua_ext.backends.local import engines
from tests.model_folders import needs_local_extra, write_model_folder

DEMO = "demo:tiny-llama"


async def wait_state(api: Any, deployment_id: str, *states: str, timeout: float = 180.0) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        status, detail = await api(f"deployments/{deployment_id}")
        assert status == 200, detail
        if detail["state"] in states:
            return detail
        assert loop.time() < deadline, f"still {detail['state']}: {detail['state_message']}"
        await asyncio.sleep(0.3)


async def chat_events(jp_fetch: Any, deployment_id: str, body: dict[str, Any]) -> list[tuple[str, Any]]:
    response = await jp_fetch(
        "aqua-ext", "deployments", deployment_id, "chat", method="POST", body=json.dumps(body), request_timeout=120
    )
    assert response.headers["Content-Type"].startswith("text/event-stream")
    parser = SseParser()
    events = parser.feed(response.body) + parser.close()
    return [(e.event, e.json()) for e in events]


def engine_record(aqua_data_dir: Path, deployment_id: str) -> engines.RunRecord:
    log = aqua_data_dir / "deployments" / deployment_id / "engine.log"
    record = engines.read_run_record(engines.run_record_path(log))
    assert record is not None
    return record


@needs_local_extra
@pytest.mark.engine
async def test_deploy_chat_openai_client_lifecycle(
    api: Any,
    jp_fetch: Any,
    jp_serverapp: Any,
    jp_base_url: str,
    jp_http_port: int,
    aqua_data_dir: Path,
    demo_ready: Path,
) -> None:
    status, created = await api("deployments", method="POST", body={"model_id": DEMO, "name": "Demo chat"})
    assert status == 202, created
    dep = created["deployment"]
    assert dep["state"] == "CREATING" and dep["shape"] == "cpu" and dep["engine"] == "transformers"
    assert created["operation"]["kind"] == "deploy"
    try:
        detail = await wait_state(api, dep["id"], "ACTIVE", "FAILED")
        assert detail["state"] == "ACTIVE", detail
        assert detail["upstream_url"].startswith("http://127.0.0.1:")
        _, listing = await api("deployments")
        assert [d["id"] for d in listing["items"]] == [dep["id"]]

        # The playground's stream: deltas, then one done event with usage and timings.
        events = await chat_events(
            jp_fetch,
            dep["id"],
            {
                "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello"}],
                "max_tokens": 12,
                "temperature": 0.5,
                "top_k": 20,
                "stop": ["\n\n\n"],
                "seed": 7,
            },
        )
        kinds = [k for k, _ in events]
        assert kinds[-1] == "done" and set(kinds[:-1]) == {"delta"}, events
        done = events[-1][1]
        assert done["tokens"] >= 1 and done["total_ms"] > 0 and done["ttft_ms"] is not None
        # Sampling, although the demo model's generation_config says do_sample false (greedy
        # decoding of random weights repeats one whitespace token).
        assert "".join(d["content"] for k, d in events if k == "delta").strip()

        # Completion mode on a chat deployment goes to /v1/completions.
        events = await chat_events(jp_fetch, dep["id"], {"prompt": "Once upon a time", "max_tokens": 5})
        assert events[-1][0] == "done", events

        # Any OpenAI client reaches it through Jupyter's auth (the token as the API key).
        from openai import OpenAI

        token = jp_serverapp.identity_provider.token
        client = OpenAI(
            base_url=f"http://127.0.0.1:{jp_http_port}{jp_base_url}aqua-ext/deployments/{dep['id']}/v1", api_key=token
        )
        answer = await asyncio.to_thread(
            lambda: client.chat.completions.create(
                model="anything", messages=[{"role": "user", "content": "Hi"}], max_tokens=5
            )
        )
        assert answer.choices[0].message.content is not None
        pieces = await asyncio.to_thread(
            lambda: [
                c.choices[0].delta.content or ""
                for c in client.chat.completions.create(
                    model="x", messages=[{"role": "user", "content": "Hi"}], max_tokens=5, stream=True
                )
                if c.choices
            ]
        )
        assert "".join(pieces)
        models = await asyncio.to_thread(lambda: client.models.list())
        assert [m.id for m in models.data] == ["demo-chat"]
        # LangChain's ChatOpenAI, as in the deployment's snippet.
        from langchain_openai import ChatOpenAI

        llm = ChatOpenAI(base_url=str(client.base_url), api_key=token, model="demo-chat", max_tokens=5)
        reply = await llm.ainvoke("Hello")
        assert isinstance(reply.content, str)

        # A wrong token is refused before anything reaches the engine.
        bad = OpenAI(base_url=client.base_url, api_key="wrong", max_retries=0)
        with pytest.raises(Exception) as refused:
            await asyncio.to_thread(
                lambda: bad.chat.completions.create(
                    model="x", messages=[{"role": "user", "content": "Hi"}], max_tokens=2
                )
            )
        assert getattr(refused.value, "status_code", None) == 403

        # Logs: tail, then follow from the cursor.
        _, logs = await api(f"deployments/{dep['id']}/logs", params={"tail": 50})
        assert any("/v1/chat/completions" in line for line in logs["lines"]), logs["lines"][-10:]
        _, more = await api(f"deployments/{dep['id']}/logs", params={"after": logs["cursor"]})
        assert isinstance(more["lines"], list)

        # Deactivate keeps the record and stops the engine; chat is then a 409.
        record = engine_record(aqua_data_dir, dep["id"])
        status, inactive = await api(f"deployments/{dep['id']}/deactivate", method="POST")
        assert status == 200 and inactive["state"] == "INACTIVE", inactive
        assert not engines.is_alive(record)
        status, err = await api(
            f"deployments/{dep['id']}/chat", method="POST", body={"messages": [{"role": "user", "content": "Hi"}]}
        )
        assert status == 409 and "INACTIVE" in err["message"]

        status, again = await api(f"deployments/{dep['id']}/activate", method="POST")
        assert status == 202 and again["deployment"]["state"] == "UPDATING"
        assert (await wait_state(api, dep["id"], "ACTIVE", "FAILED"))["state"] == "ACTIVE"

        # The engine dies: the deployment turns FAILED with a reason and the log's last lines.
        record = engine_record(aqua_data_dir, dep["id"])
        os.killpg(record.pgid, signal.SIGKILL)
        failed = await wait_state(api, dep["id"], "FAILED", timeout=30)
        assert "exited" in failed["state_message"] and failed["failure_log"]
        status, err = await api(
            f"deployments/{dep['id']}/chat", method="POST", body={"messages": [{"role": "user", "content": "Hi"}]}
        )
        assert status == 409
    finally:
        status, _ = await api(f"deployments/{dep['id']}", method="DELETE")
        assert status == 204
    status, _ = await api(f"deployments/{dep['id']}")
    assert status == 404
    assert not (aqua_data_dir / "deployments" / dep["id"]).exists()


@needs_local_extra
@pytest.mark.engine
async def test_engine_dying_mid_stream_sends_an_error_event(
    api: Any, jp_fetch: Any, aqua_data_dir: Path, demo_ready: Path
) -> None:
    _, created = await api("deployments", method="POST", body={"model_id": DEMO, "name": "dies"})
    dep = created["deployment"]
    try:
        assert (await wait_state(api, dep["id"], "ACTIVE", "FAILED"))["state"] == "ACTIVE"
        record = engine_record(aqua_data_dir, dep["id"])

        async def kill_soon() -> None:
            await asyncio.sleep(1.0)
            os.killpg(record.pgid, signal.SIGKILL)

        killer = asyncio.ensure_future(kill_soon())
        events = await chat_events(
            jp_fetch,
            dep["id"],
            {
                # Greedy: the demo model then repeats one token and never reaches its end-of-sequence.
                "messages": [{"role": "user", "content": "Tell a long story"}],
                "max_tokens": 100_000,
                "temperature": 0,
            },
        )
        await killer
        kind, error = events[-1]
        assert kind == "error", events[-3:]
        assert error["status"] in (502, 504) and error["deployment_state"] == "FAILED"
        assert (await wait_state(api, dep["id"], "FAILED", timeout=10))["state_message"]
    finally:
        await api(f"deployments/{dep['id']}", method="DELETE")


@needs_local_extra
@pytest.mark.engine
async def test_embedding_deployment(
    api: Any, jp_serverapp: Any, jp_base_url: str, jp_http_port: int, demo_ready: Path
) -> None:
    _, created = await api(
        "deployments",
        method="POST",
        body={"model_id": DEMO, "name": "vectors", "mode": "embedding", "params": ["--pooling", "mean"]},
    )
    dep = created["deployment"]
    try:
        assert (await wait_state(api, dep["id"], "ACTIVE", "FAILED"))["state"] == "ACTIVE"
        status, result = await api(
            f"deployments/{dep['id']}/embed",
            method="POST",
            body={"inputs": ["the cat sat", "the cat sat", "stock prices fell"]},
        )
        assert status == 200, result
        assert result["dimensions"] == 64
        sim = result["similarity"]
        assert sim[0][1] == pytest.approx(1.0, abs=1e-5) and sim[0][0] == pytest.approx(1.0, abs=1e-5)
        assert sim[0][2] == sim[2][0] and sim[0][2] < 0.99999
        assert len(result["preview"][0]) == 8

        from openai import OpenAI

        client = OpenAI(
            base_url=f"http://127.0.0.1:{jp_http_port}{jp_base_url}aqua-ext/deployments/{dep['id']}/v1",
            api_key=jp_serverapp.identity_provider.token,
        )
        vectors = await asyncio.to_thread(lambda: client.embeddings.create(model="vectors", input=["a", "b"]))
        assert len(vectors.data) == 2 and len(vectors.data[0].embedding) == 64

        # An embedding deployment does not chat, and its pass-through serves embeddings only.
        status, err = await api(
            f"deployments/{dep['id']}/chat", method="POST", body={"messages": [{"role": "user", "content": "Hi"}]}
        )
        assert status == 400 and "embedding" in err["message"]
        status, err = await api(
            f"deployments/{dep['id']}/v1/chat/completions",
            method="POST",
            body={"messages": [{"role": "user", "content": "Hi"}]},
        )
        assert status == 400 and err["fields"][0]["field"] == "path"
    finally:
        await api(f"deployments/{dep['id']}", method="DELETE")


# ---- bad input: no engine is started ------------------------------------------------------


@needs_local_extra
@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"name": "x"}, "model_id", "Field required"),
        ({"model_id": DEMO, "name": "  "}, "name", "blank"),
        ({"model_id": DEMO, "name": "x", "params": ["--port", "9"]}, "params", "--port cannot be set"),
        ({"model_id": DEMO, "name": "x", "params": ["--served-model-name", "y"]}, "params", "--served-model-name"),
        ({"model_id": DEMO, "name": "x", "params": ["--dtype", "float99"]}, "params", "--dtype must be one of"),
        ({"model_id": DEMO, "name": "x", "params": ["--no-such-flag"]}, "params", "not an allowed"),
        ({"model_id": DEMO, "name": "x", "shape": "VM.GPU.A10.1"}, "shape", "not a local shape"),
        ({"model_id": DEMO, "name": "x", "replicas": 2}, "replicas", "OCI option"),
        ({"model_id": DEMO, "name": "x", "engine": "vllm"}, "engine", "not available"),
        ({"model_id": DEMO, "name": "x", "max_model_len": 100_000}, "max_model_len", "longer than the model"),
        ({"model_id": DEMO, "name": "x", "log_group_id": "ocid1.loggroup"}, "log_id", "both"),
    ],
)
async def test_create_rejects_bad_input_naming_the_field(
    api: Any, demo_ready: Path, body: dict[str, Any], field: str, words: str
) -> None:
    status, err = await api("deployments", method="POST", body=body)
    assert status == 400, err
    assert any(f["field"] == field and words in f["message"] for f in err["fields"]), err
    _, listing = await api("deployments")
    assert listing["items"] == []  # nothing half-created


async def test_a_model_too_big_for_this_machine_is_refused_with_the_arithmetic(api: Any, jp_root_dir: Path) -> None:
    from tests.model_folders import write_safetensors

    folder = write_model_folder(jp_root_dir / "huge", weights=False)
    # 40 billion float32 parameters (160 GB), as a sparse file that takes no disk.
    write_safetensors(folder / "model.safetensors", {"w": [200_000, 200_000]}, sparse=True)
    status, registered = await api("models", method="POST", body={"source": "local_folder", "path": str(folder)})
    assert status == 202, registered
    status, err = await api(
        "deployments", method="POST", body={"model_id": registered["model"]["id"], "name": "huge", "dtype": "float32"}
    )
    assert status == 400, err
    [field] = err["fields"]
    assert field["field"] == "shape"
    assert "needs about" in field["message"] and "weights = 40.00 B params × 4 bytes (float32)" in field["message"]
    _, listing = await api("deployments")
    assert listing["items"] == []


@needs_local_extra
async def test_create_for_a_model_not_on_this_machine_says_so(api: Any, demo_ready: Path) -> None:
    # Catalog models that are not downloaded cannot be deployed here at all.
    _, models = await api("models", params={"source": "catalog"})
    model_id = models["items"][0]["id"]
    status, err = await api("deployments", method="POST", body={"model_id": model_id, "name": "big"})
    assert status == 400 and err["fields"][0]["field"] == "model_id"


async def test_unknown_deployment_is_404_everywhere(api: Any) -> None:
    for path, method, body in [
        ("deployments/dep-nope", "GET", None),
        ("deployments/dep-nope", "DELETE", None),
        ("deployments/dep-nope/activate", "POST", None),
        ("deployments/dep-nope/deactivate", "POST", None),
        ("deployments/dep-nope/logs", "GET", None),
        ("deployments/dep-nope/chat", "POST", {"messages": [{"role": "user", "content": "x"}]}),
        ("deployments/dep-nope/embed", "POST", {"inputs": ["x"]}),
        ("deployments/dep-nope/v1/chat/completions", "POST", {"messages": []}),
        ("deployments/dep-nope/v1/models", "GET", None),
    ]:
        status, err = await api(path, method=method, body=body)
        assert status == 404, (path, err)
        assert "dep-nope" in err["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"messages": []}, "messages"),
        ({}, "messages"),
        ({"messages": [{"role": "user", "content": "x"}], "prompt": "y"}, "prompt"),
        ({"messages": [{"role": "user", "content": "x"}], "temperature": 3}, "temperature"),
        ({"messages": [{"role": "user", "content": "x"}], "top_p": 0}, "top_p"),
        ({"messages": [{"role": "user", "content": "x"}], "max_tokens": 0}, "max_tokens"),
        ({"messages": [{"role": "user", "content": "x"}], "frequency_penalty": 2.5}, "frequency_penalty"),
        ({"messages": [{"role": "robot", "content": "x"}]}, "messages.0.role"),
        ({"messages": [{"role": "assistant", "content": "x"}]}, "messages"),
        ({"prompt": "   "}, "prompt"),
    ],
)
async def test_chat_rejects_bad_input_before_looking_up_the_deployment(
    api: Any, body: dict[str, Any], field: str
) -> None:
    status, err = await api("deployments/dep-nope/chat", method="POST", body=body)
    assert status == 400, err
    assert err["fields"][0]["field"] == field, err


async def test_pass_through_rejects_malformed_json(api: Any) -> None:
    status, err = await api("deployments/dep-nope/v1/chat/completions", method="POST", raw_body="{nope")
    assert status == 400 and err["fields"][0]["field"] == "body"
