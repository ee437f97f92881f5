"""The local embedding server (embedding_server.py), started the way a
deployment starts it: engines.start + engines.wait_ready on the demo model,
in embedding mode. Then the OpenAI /v1/embeddings contract: shapes, norms,
batching, the openai client, errors, truncation, and a clean stop."""

from __future__ import annotations

import asyncio
import json
import math
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from aqua_ext.backends.local.engines import (
    EngineHandle,
    EngineSpec,
    free_port,
    is_alive,
    reattach,
    start,
    stop,
    tail_log,
    wait_ready,
)
from aqua_ext.errors import Upstream
from tests.model_folders import needs_local_extra
from tests.process_groups import group_gone

pytestmark = [pytest.mark.engine, needs_local_extra]

READY_TIMEOUT = 120.0
# Small enough that the requests below span several forward passes, each with padding.
MAX_BATCH_SIZE = 2
TEXTS = [
    "Return a new list.",
    "The socket module gives access to the BSD socket interface on all modern Unix systems.",
    "heapq",
    "Create a new dictionary with keys from iterable and values set to value, then return it.",
    "Decimal fixed point and floating point arithmetic.",
]


def _spec(folder: Path, work: Path, params: list[str] | None = None) -> EngineSpec:
    return EngineSpec(
        engine="transformers",
        model_path=folder,
        served_model_name="demo-embed",
        mode="embedding",
        port=free_port(),
        log_path=work / "deploy" / "engine.log",
        hub_cache=work / "hub",
        params=params or [],
    )


@pytest.fixture(scope="module")
def server(demo_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[EngineHandle, str]]:
    """One embedding server for the module (it takes seconds to start): (handle, the model id to send)."""
    spec = _spec(demo_model_dir, tmp_path_factory.mktemp("embed"), ["--max-batch-size", str(MAX_BATCH_SIZE)])

    async def up() -> EngineHandle:
        handle = await start(spec)
        await wait_ready(handle, timeout=READY_TIMEOUT)
        return handle

    handle = asyncio.run(up())
    try:
        yield handle, spec.engine_model_id
    finally:
        asyncio.run(stop(handle))


@pytest.fixture
def client(server: tuple[EngineHandle, str]) -> Iterator[httpx.Client]:
    # trust_env=False: a proxy from the environment must not get 127.0.0.1 traffic.
    with httpx.Client(base_url=server[0].base_url, trust_env=False, timeout=60) as c:
        yield c


def _embed(client: httpx.Client, model: str, inputs: object, **extra: object) -> dict[str, Any]:
    response = client.post("/v1/embeddings", json={"model": model, "input": inputs, **extra})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _vectors(body: dict[str, Any]) -> list[list[float]]:
    data = body["data"]
    assert [item["index"] for item in data] == list(range(len(data)))
    return [item["embedding"] for item in data]


def _norm(v: list[float]) -> float:
    return math.sqrt(sum(x * x for x in v))


def _cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True)) / (_norm(a) * _norm(b))


def _hidden_size(folder: Path) -> int:
    return int(json.loads((folder / "config.json").read_text())["hidden_size"])


# ---------------------------------------------------------------------------
# The contract
# ---------------------------------------------------------------------------


def test_three_inputs_have_the_model_dimension_and_unit_norm(
    server: tuple[EngineHandle, str], client: httpx.Client, demo_model_dir: Path
) -> None:
    model = server[1]
    body = _embed(client, model, TEXTS[:3])
    assert body["object"] == "list" and body["model"] == model
    vectors = _vectors(body)
    assert len(vectors) == 3
    for item in body["data"]:
        assert item["object"] == "embedding"
    for v in vectors:
        assert len(v) == _hidden_size(demo_model_dir) == 64
        assert abs(_norm(v) - 1.0) < 1e-5
    usage = body["usage"]
    assert isinstance(usage, dict) and usage["prompt_tokens"] == usage["total_tokens"] > 3
    # Different texts, different vectors.
    assert _cosine(vectors[0], vectors[1]) < 0.999


def test_identical_inputs_have_cosine_one(server: tuple[EngineHandle, str], client: httpx.Client) -> None:
    model = server[1]
    same = _vectors(_embed(client, model, [TEXTS[1], TEXTS[0], TEXTS[1]]))
    assert _cosine(same[0], same[2]) == pytest.approx(1.0, abs=1e-6)
    again = _vectors(_embed(client, model, TEXTS[1]))[0]  # a plain string, another request
    assert _cosine(same[0], again) == pytest.approx(1.0, abs=1e-6)


def test_batching_gives_the_same_vectors_as_one_by_one(server: tuple[EngineHandle, str], client: httpx.Client) -> None:
    model = server[1]
    batched = _vectors(_embed(client, model, TEXTS))  # 5 inputs of mixed lengths: 3 padded forward passes
    for text, vector in zip(TEXTS, batched, strict=True):
        alone = _vectors(_embed(client, model, text))[0]
        assert max(abs(a - b) for a, b in zip(vector, alone, strict=True)) < 1e-5


def test_token_ids_and_model_omitted(
    server: tuple[EngineHandle, str], client: httpx.Client, demo_model_dir: Path
) -> None:
    from transformers import AutoTokenizer

    model = server[1]
    ids = AutoTokenizer.from_pretrained(demo_model_dir)(TEXTS[:2])["input_ids"]
    from_text = _vectors(_embed(client, model, TEXTS[:2]))
    from_ids = _vectors(_embed(client, model, ids))  # list[list[int]]
    one = _vectors(_embed(client, model, ids[0]))  # list[int]: one input
    for a, b in ((from_text[0], from_ids[0]), (from_text[1], from_ids[1]), (from_text[0], one[0])):
        assert max(abs(x - y) for x, y in zip(a, b, strict=True)) < 1e-5
    # `model` may be left out: the server serves one model.
    response = client.post("/v1/embeddings", json={"input": TEXTS[0]})
    assert response.status_code == 200 and response.json()["model"] == model


def test_long_input_is_truncated_to_the_model_length(server: tuple[EngineHandle, str], client: httpx.Client) -> None:
    body = _embed(client, server[1], " ".join(TEXTS) * 40)  # thousands of tokens; the demo model takes 512
    assert body["usage"]["prompt_tokens"] == 512
    assert abs(_norm(_vectors(body)[0]) - 1.0) < 1e-5
    tokens = _embed(client, server[1], [[7] * 2000])
    assert tokens["usage"]["prompt_tokens"] == 512


def test_dimensions_and_base64(server: tuple[EngineHandle, str], client: httpx.Client) -> None:
    import base64
    import struct

    model = server[1]
    full = _vectors(_embed(client, model, TEXTS[0]))[0]
    short = _vectors(_embed(client, model, TEXTS[0], dimensions=16))[0]
    assert len(short) == 16 and abs(_norm(short) - 1.0) < 1e-5
    scale = _norm(full[:16])
    assert max(abs(s - f / scale) for s, f in zip(short, full[:16], strict=True)) < 1e-5
    encoded = _embed(client, model, TEXTS[0], encoding_format="base64")["data"][0]["embedding"]
    raw = base64.b64decode(encoded)
    decoded = struct.unpack(f"<{len(raw) // 4}f", raw)
    assert len(decoded) == 64 and max(abs(a - b) for a, b in zip(decoded, full, strict=True)) < 1e-6


def test_openai_client(server: tuple[EngineHandle, str]) -> None:
    openai = pytest.importorskip("openai")
    handle, model = server
    with httpx.Client(trust_env=False) as http:
        client = openai.OpenAI(base_url=f"{handle.base_url}/v1", api_key="unused", http_client=http)
        # The client asks for base64 unless told otherwise, and decodes it.
        result = client.embeddings.create(model=model, input=TEXTS[:3])
        assert [d.index for d in result.data] == [0, 1, 2]
        assert all(len(d.embedding) == 64 for d in result.data)
        assert result.usage.prompt_tokens > 3
        as_floats = client.embeddings.create(model=model, input=TEXTS[0], encoding_format="float", dimensions=8)
        assert len(as_floats.data[0].embedding) == 8
        assert [m.id for m in client.models.list()] == [model]
        with pytest.raises(openai.BadRequestError):
            client.embeddings.create(model=model, input=[])


def test_models_and_health(server: tuple[EngineHandle, str], client: httpx.Client) -> None:
    listing = client.get("/v1/models").json()
    assert listing["object"] == "list"
    assert [(m["id"], m["object"]) for m in listing["data"]] == [(server[1], "model")]
    assert client.get("/health").status_code == 200


@pytest.mark.parametrize(
    "body, param",
    [
        ({"input": ""}, "input"),
        ({"input": []}, "input"),
        ({"input": [""]}, "input"),
        ({"input": ["ok", ""]}, "input"),
        ({"input": [[]]}, "input"),
        ({"input": 5}, "input"),
        ({"input": None}, "input"),
        ({"input": {"text": "x"}}, "input"),
        ({"input": ["a", 1]}, "input"),
        ({"input": [1, True]}, "input"),
        ({"input": [1.5]}, "input"),
        ({"input": [[1, "a"]]}, "input"),
        ({"input": [[[1]]]}, "input"),
        ({"input": [-1]}, "input"),
        ({"input": [10**12]}, "input"),
        ({"input": ["x"] * 2049}, "input"),
        ({}, "input"),
        ({"input": "x", "encoding_format": "int8"}, "encoding_format"),
        ({"input": "x", "dimensions": 0}, "dimensions"),
        ({"input": "x", "dimensions": 65}, "dimensions"),
        ({"input": "x", "dimensions": "8"}, "dimensions"),
        ({"input": "x", "model": 3}, "model"),
        ([{"input": "x"}], None),
        ("not json", None),
    ],
)
def test_bad_input_is_a_400_with_an_openai_error(client: httpx.Client, body: object, param: str | None) -> None:
    if body == "not json":
        response = client.post("/v1/embeddings", content=b"{not json", headers={"content-type": "application/json"})
    else:
        response = client.post("/v1/embeddings", json=body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error" and error["param"] == param and error["message"]
    assert "Traceback" not in response.text


def test_other_model_and_unknown_route_are_404s(client: httpx.Client) -> None:
    response = client.post("/v1/embeddings", json={"model": "text-embedding-3-small", "input": "x"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "model_not_found"
    response = client.get("/v1/nowhere")
    assert response.status_code == 404 and response.json()["error"]["message"]
    response = client.get("/v1/embeddings")
    assert response.status_code == 405 and response.json()["error"]["message"]


def test_health_answers_while_a_big_request_runs(server: tuple[EngineHandle, str], client: httpx.Client) -> None:
    # 128 inputs of 512 tokens: long enough on a CPU (over a second) to probe /health meanwhile.
    big = [" ".join(TEXTS) * 40] * 128
    done = threading.Event()

    def embed() -> None:
        try:
            with httpx.Client(base_url=server[0].base_url, trust_env=False, timeout=300) as other:
                assert other.post("/v1/embeddings", json={"input": big}).status_code == 200
        finally:
            done.set()

    worker = threading.Thread(target=embed)
    worker.start()
    try:
        time.sleep(0.3)  # let it reach the model
        started = time.perf_counter()
        assert client.get("/health", timeout=5).status_code == 200
        health_s = time.perf_counter() - started
        still_running = not done.is_set()
    finally:
        worker.join()
    assert health_s < 1.0
    if not still_running:
        pytest.skip("the big request finished before /health was asked; this machine is too fast to tell")


# ---------------------------------------------------------------------------
# Lifecycle
# ---------------------------------------------------------------------------


def test_lifecycle_logs_requests_and_stop_leaves_nothing(demo_model_dir: Path, tmp_path: Path) -> None:
    spec = _spec(demo_model_dir, tmp_path, ["--pooling", "last", "--dtype", "float32"])

    async def scenario() -> None:
        handle = await start(spec)
        try:
            assert handle.record.mode == "embedding"
            assert handle.record.cmd[1:4] == ["-m", "aqua_ext.backends.local.embedding_server", spec.engine_model_id]
            await wait_ready(handle, timeout=READY_TIMEOUT)
            again = await reattach(handle.record)
            assert again is not None and again.port == spec.port
            async with httpx.AsyncClient(base_url=handle.base_url, trust_env=False, timeout=60) as c:
                response = await c.post("/v1/embeddings", json={"input": ["a b c", "d"]})
                assert response.status_code == 200
                assert all(abs(_norm(d["embedding"]) - 1.0) < 1e-5 for d in response.json()["data"])
        finally:
            await stop(handle)
        assert group_gone(handle.pgid)
        assert not is_alive(handle.record)
        assert await reattach(handle.record) is None
        await stop(handle)  # idempotent
        lines = tail_log(spec.log_path)
        # One access line per request: the warm-up and ours.
        assert sum('"POST /v1/embeddings" 200' in line for line in lines) == 2
        assert any("pooling last" in line for line in lines)

    asyncio.run(scenario())


def test_failed_start_explains_and_leaves_nothing(demo_model_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "no-weights"
    shutil.copytree(demo_model_dir, broken)
    (broken / "model.safetensors").unlink()
    spec = _spec(broken, tmp_path)

    async def scenario() -> None:
        handle = await start(spec)
        with pytest.raises(Upstream) as info:
            await wait_ready(handle, timeout=READY_TIMEOUT)
        message = info.value.message
        assert "exited" in message and "incomplete" in message
        assert "Error: OSError:" in message and "Last lines of" in message
        assert group_gone(handle.pgid)
        assert not is_alive(handle.record)

    asyncio.run(scenario())
