"""llama.cpp for real, over HTTP: the demo model's GGUF twin (converted and quantized to Q4_K_M by
llama.cpp's own tools) registered and deployed on the real llama-server, streaming through the playground
route and the OpenAI pass-through, its /metrics read; an embedding deployment; conversion to GGUF as a
background operation that registers its result, or fails with the converter's reason leaving nothing;
bad input named by field. The demo model's answers are nonsense: tests assert on the stream, not words."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.handlers.test_deployments import DEMO, chat_events, engine_record, wait_state
from tests.handlers.test_genai import wait_operation
from tests.model_folders import needs_local_extra, write_gguf, write_model_folder

pytestmark = [needs_local_extra, pytest.mark.engine]
KOREAN = "안녕하세요! 오늘 서울 날씨는 어때요?"
CAT = "고양이가 앉았다"


async def register(api: Any, folder: Path) -> dict[str, Any]:
    status, registered = await api("models", method="POST", body={"source": "local_folder", "path": str(folder)})
    assert status == 202, registered
    model: dict[str, Any] = registered["model"]
    return model


async def deploy(api: Any, model_id: str, **fields: Any) -> dict[str, Any]:
    status, created = await api("deployments", method="POST", body={"model_id": model_id, **fields})
    assert status == 202, created
    dep: dict[str, Any] = created["deployment"]
    assert dep["engine"] == "llama.cpp"  # the default for a GGUF-only model
    detail = await wait_state(api, dep["id"], "ACTIVE", "FAILED", timeout=120)
    assert detail["state"] == "ACTIVE", detail
    return dep


def sse_data(body: bytes) -> list[Any]:
    """The `data:` payloads of an OpenAI stream, parsed ("[DONE]" kept as it is)."""
    lines = [line[5:].strip() for line in body.decode().split("\n") if line.startswith("data:")]
    return [line if line == "[DONE]" else json.loads(line) for line in lines]


async def test_the_gguf_twin_streams_through_the_real_llama_server(
    api: Any, jp_fetch: Any, jp_root_dir: Path, demo_gguf_dir: Path, aqua_data_dir: Path
) -> None:
    model = await register(api, shutil.copytree(demo_gguf_dir, jp_root_dir / "demo-gguf"))
    assert model["formats"] == ["gguf"] and model["architecture"]["quantization"]["level"] == "Q4_K_M"
    dep = await deploy(
        api, model["id"], name="llama-ko", max_model_len=512, params=["--threads", "2", "--parallel", "1"]
    )
    try:
        # The playground route: deltas as they come, then usage (asked for with stream_options).
        korean = {"messages": [{"role": "user", "content": KOREAN}], "max_tokens": 12, "top_k": 30}
        events = await chat_events(jp_fetch, dep["id"], korean)
        kinds = [k for k, _ in events]
        assert kinds[-1] == "done" and set(kinds[:-1]) == {"delta"}, events
        assert len(kinds) >= 3  # streamed in pieces, not one block
        done = events[-1][1]
        assert 1 <= done["tokens"] <= 12 and done["ttft_ms"] is not None

        # The OpenAI pass-through, a streamed completion in Japanese: OpenAI's chunks, usage, [DONE].
        response = await jp_fetch(
            "aqua-ext",
            "deployments",
            dep["id"],
            "v1",
            "completions",
            method="POST",
            body=json.dumps(
                {
                    "model": "llama-ko",
                    "prompt": "こんにちは、今日は",
                    "max_tokens": 8,
                    "stream": True,
                    "stream_options": {"include_usage": True},
                }
            ),
            request_timeout=120,
        )
        chunks = sse_data(response.body)
        assert chunks[-1] == "[DONE]"
        texts = [c["choices"][0]["text"] for c in chunks[:-1] if c.get("choices")]
        assert len(texts) >= 2
        [usage] = [c["usage"] for c in chunks[:-1] if c.get("usage")]
        assert 1 <= usage["completion_tokens"] <= 8 and usage["prompt_tokens"] >= 2

        # llama-server's own /metrics (started with --metrics) counts what it generated.
        record = engine_record(aqua_data_dir, dep["id"])
        async with httpx.AsyncClient(trust_env=False) as client:
            scraped = await client.get(f"http://{record.host}:{record.port}/metrics")
        metrics = {s.name: s.value for f in text_string_to_metric_families(scraped.text) for s in f.samples}
        assert metrics["llamacpp:tokens_predicted_total"] >= usage["completion_tokens"]
        assert "llamacpp:requests_processing" in metrics

        _, logs = await api(f"deployments/{dep['id']}/logs", params={"tail": 400})
        joined = "\n".join(logs["lines"])
        assert "--ctx-size 512" in joined and "--n-gpu-layers 0" in joined and "--metrics" in joined
        assert "-Q4_K_M.gguf" in joined
    finally:
        await api(f"deployments/{dep['id']}", method="DELETE")


async def test_an_embedding_deployment_on_llama_cpp(
    api: Any, jp_fetch: Any, jp_root_dir: Path, demo_gguf_dir: Path
) -> None:
    model = await register(api, shutil.copytree(demo_gguf_dir, jp_root_dir / "demo-gguf"))
    dep = await deploy(api, model["id"], name="vectors", mode="embedding", params=["--pooling", "mean"])
    try:
        # The plan names the slots the memory fit counted (llama.cpp's 4), each with the whole context.
        assert dep["params"] == ["--pooling", "mean", "--parallel", "4"]
        status, result = await api(
            f"deployments/{dep['id']}/embed", method="POST", body={"inputs": [CAT, CAT, "株価が下がった"]}
        )
        assert status == 200, result
        assert result["dimensions"] == 64  # the demo model's hidden size
        sim = result["similarity"]
        assert sim[0][1] == pytest.approx(1.0, abs=1e-4) and sim[0][2] < 0.9999
    finally:
        await api(f"deployments/{dep['id']}", method="DELETE")


async def test_conversion_to_gguf_is_an_operation_that_registers_its_result(
    api: Any, demo_ready: Path, aqua_data_dir: Path
) -> None:
    status, op = await api(f"models/{DEMO}/gguf", method="POST", body={"quantization": "Q8_0"})
    assert status == 202, op
    assert op["kind"] == "convert-gguf" and op["state"] == "RUNNING"
    done = await wait_operation(api, op["id"], timeout=300)
    assert done["state"] == "SUCCEEDED", done
    status, model = await api(f"models/{done['resource_id']}")
    assert status == 200, model
    assert model["formats"] == ["gguf"] and model["ready_to_deploy"] and not model["ready_to_finetune"]
    assert model["architecture"]["quantization"]["level"] == "Q8_0"
    assert model["lineage"]["base_model_id"] == DEMO and model["name"].endswith(" Q8_0")
    assert any(f.endswith("-Q8_0.gguf") for f in model["files"])
    # Deleting it removes the folder it owns.
    folder = Path(model["artifact_location"])
    assert folder.parent == aqua_data_dir / "models"
    assert (await api(f"models/{model['id']}", method="DELETE"))[0] == 204
    assert not folder.exists()


async def test_a_conversion_that_fails_says_why_and_registers_nothing(
    api: Any, jp_root_dir: Path, aqua_data_dir: Path
) -> None:
    source = write_model_folder(jp_root_dir / "odd")
    config = json.loads((source / "config.json").read_text())
    (source / "config.json").write_text(json.dumps({**config, "architectures": ["SchrodingerForCausalLM"]}))
    model = await register(api, source)
    _, before = await api("models", params={"source": "registered"})
    status, op = await api(f"models/{model['id']}/gguf", method="POST", body={"quantization": "Q4_K_M"})
    assert status == 202, op
    done = await wait_operation(api, op["id"], timeout=300)
    assert done["state"] == "FAILED" and "SchrodingerForCausalLM" in done["error"], done
    _, after = await api("models", params={"source": "registered"})
    assert [m["id"] for m in after["items"]] == [m["id"] for m in before["items"]]
    assert sorted(p.name for p in (aqua_data_dir / "models").iterdir()) == []


async def test_bad_conversion_requests_name_the_field(api: Any, jp_root_dir: Path, demo_ready: Path) -> None:
    status, err = await api(f"models/{DEMO}/gguf", method="POST", body={"quantization": "Q3_K_XS"})
    assert status == 400 and err["fields"][0]["field"] == "quantization", err
    status, err = await api(f"models/{DEMO}/gguf", method="POST", body={})
    assert status == 400 and err["fields"][0]["field"] == "quantization", err
    status, err = await api("models/reg:nope/gguf", method="POST", body={"quantization": "Q8_0"})
    assert status == 404, err
    # A GGUF model has nothing left to convert.
    folder = write_model_folder(jp_root_dir / "already", weights=False)
    write_gguf(folder / "already-Q4_0.gguf", file_type=2)
    model = await register(api, folder)
    status, err = await api(f"models/{model['id']}/gguf", method="POST", body={"quantization": "Q8_0"})
    assert status == 400 and err["fields"][0]["field"] == "model_id", err
    # A .gguf file that is not GGUF is refused at registration, naming the path.
    bogus = write_model_folder(jp_root_dir / "가짜", weights=False)
    (bogus / "model-Q4_K_M.gguf").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    status, err = await api("models", method="POST", body={"source": "local_folder", "path": str(bogus)})
    assert status == 400 and err["fields"][0]["field"] == "path" and "not a GGUF file" in err["message"], err
