"""The local engine process manager: parameter allowlist, and the lifecycle of
a real `transformers serve` on the demo model (start, ready, stream, stop,
reattach, crash, failed start)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from aqua_ext.backends.local import engines, llama_gguf, processes
from aqua_ext.backends.local.engines import (
    EngineSpec,
    build_command,
    free_port,
    is_alive,
    read_run_record,
    reattach,
    run_record_path,
    start,
    stop,
    tail_log,
    wait_ready,
)
from aqua_ext.errors import InvalidInput, Upstream
from aqua_ext.services.engine_params import validate_engine_params
from tests.model_folders import needs_local_extra
from tests.process_groups import group_gone

READY_TIMEOUT = 120.0


# ---------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------


def test_allowed_params_are_normalised() -> None:
    out = validate_engine_params(
        "transformers",
        [
            "--dtype",
            "bfloat16",
            "--attn-implementation=sdpa",
            "--no-compile",
            "--default-seed",
            "007",
            "--chat-template-kwargs",
            '{"enable_thinking": false}',
        ],
    )
    assert out == [
        "--dtype",
        "bfloat16",
        "--attn-implementation",
        "sdpa",
        "--no-compile",
        "--default-seed",
        "7",
        "--chat-template-kwargs",
        '{"enable_thinking": false}',
    ]
    assert validate_engine_params("transformers", []) == []


@pytest.mark.parametrize(
    "params, named",
    [
        (["--port", "9000"], "--port"),
        (["--host", "0.0.0.0"], "--host"),
        (["--host=0.0.0.0"], "--host"),
        (["--served-model-name", "x"], "--served-model-name"),
        (["--device", "cuda"], "--device"),
        (["--trust-remote-code"], "--trust-remote-code"),
        (["--decision-config", "/etc/passwd"], "--decision-config"),
        (["--dtype", "float16", "--enable-cors"], "--enable-cors"),
    ],
)
def test_engine_owned_and_dangerous_params_are_refused(params: list[str], named: str) -> None:
    with pytest.raises(InvalidInput) as info:
        validate_engine_params("transformers", params)
    err = info.value
    assert err.status == 400
    assert err.fields and err.fields[0].field == "params"
    assert named in err.fields[0].message


@pytest.mark.parametrize(
    "params, named",
    [
        (["--dtype"], "--dtype"),  # value missing
        (["--dtype", "--no-compile"], "--dtype"),  # value missing, next is a flag
        (["bfloat16"], "bfloat16"),  # a bare value
        (["--no-compile", "sdpa"], "sdpa"),  # a value after a flag
        (["--dtype", "int3"], "--dtype"),  # not a choice
        (["--default-seed", "x"], "--default-seed"),
        (["--cb-max-memory-percent", "2"], "--cb-max-memory-percent"),
        (["--chat-template-kwargs", "[1]"], "--chat-template-kwargs"),
        (["--no-compile=1"], "--no-compile"),
        (["--frobnicate", "1"], "--frobnicate"),  # unknown
    ],
)
def test_malformed_params_name_the_token(params: list[str], named: str) -> None:
    with pytest.raises(InvalidInput) as info:
        validate_engine_params("transformers", params)
    assert info.value.fields and info.value.fields[0].field == "params"
    assert named in info.value.fields[0].message


def test_unknown_engine() -> None:
    with pytest.raises(InvalidInput) as info:
        validate_engine_params("nope", [])
    assert info.value.fields and info.value.fields[0].field == "engine"


def test_vllm_command_serves_the_folder_on_a_gpu_with_the_max_model_len(tmp_path: Path) -> None:
    spec = EngineSpec(
        engine="vllm",
        model_path=tmp_path / "m",
        served_model_name="x",
        mode="chat",
        port=8124,
        log_path=tmp_path / "engine.log",
        params=["--gpu-memory-utilization", "0.8", "--enforce-eager"],
        device="cuda",
        max_model_len=4096,
    )
    cmd = build_command(spec)
    assert cmd[1:3] == ["-m", "vllm.entrypoints.openai.api_server"]
    joined = " ".join(cmd)
    assert f"--model {(tmp_path / 'm').absolute()}" in joined and "--host 127.0.0.1 --port 8124" in joined
    assert "--max-model-len 4096" in joined and cmd[-3:] == ["--gpu-memory-utilization", "0.8", "--enforce-eager"]
    with pytest.raises(InvalidInput) as info:
        build_command(EngineSpec(**{**spec.__dict__, "device": "cpu"}))
    assert info.value.fields and info.value.fields[0].field == "shape"
    for owned in ("--max-model-len", "--served-model-name", "--trust-remote-code", "--download-dir"):
        with pytest.raises(InvalidInput, match=owned):
            validate_engine_params("vllm", [owned, "1"])


def test_llama_cpp_command_loads_the_gguf_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "model-Q4_K_M.gguf").write_bytes(b"x" * 10)
    (folder / "model-Q8_0.gguf").write_bytes(b"x" * 20)
    (folder / "mmproj-f16.gguf").write_bytes(b"x" * 30)
    spec = EngineSpec(
        engine="llama.cpp",
        model_path=folder,
        served_model_name="x",
        mode="embedding",
        port=8125,
        log_path=tmp_path / "engine.log",
        params=["--threads", "2"],
        max_model_len=2048,
    )
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(llama_gguf, "_package_dir", lambda name: None)  # nor one built with llama-cpp-python
    with pytest.raises(InvalidInput, match="no llama-server on PATH"):
        build_command(spec)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "llama-server").write_text("#!/bin/sh\n")
    (bin_dir / "llama-server").chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    cmd = build_command(spec)
    joined = " ".join(cmd)
    assert cmd[0] == str(bin_dir / "llama-server")
    assert f"--model {folder / 'model-Q8_0.gguf'}" in joined  # the largest quantisation, never the projector
    # A deployment planned without slots (before the plan named them) gets one, with the whole context.
    assert f"--alias {folder.absolute()}" in joined and "--parallel 1 --ctx-size 2048" in joined
    assert "--n-gpu-layers 0" in joined and "--embedding" in cmd and cmd[-2:] == ["--threads", "2"]
    for owned in ("--ctx-size", "--path", "--hf-repo", "--embedding"):
        with pytest.raises(InvalidInput, match=owned):
            validate_engine_params("llama.cpp", [owned, "1"])
    # The plan's slots (services/deploy_plan.py names 4, or what the deployment asked for): each of them
    # gets the deployment's whole context, as they share --ctx-size.
    for slots in (4, 2):
        planned = build_command(dataclasses.replace(spec, params=["--parallel", str(slots)]))
        assert f"--ctx-size {2048 * slots}" in " ".join(planned) and planned.count("--parallel") == 1


def test_build_command_pins_the_folder_on_localhost(tmp_path: Path) -> None:
    spec = EngineSpec(
        engine="transformers",
        model_path=tmp_path / "m",
        served_model_name="my-model",
        mode="chat",
        port=8123,
        log_path=tmp_path / "engine.log",
        params=validate_engine_params("transformers", ["--dtype=float32"]),
    )
    cmd = build_command(spec)
    assert cmd[1:5] == ["-m", "transformers.cli.transformers", "serve", str((tmp_path / "m").absolute())]
    joined = " ".join(cmd)
    assert "--host 127.0.0.1" in joined and "--port 8123" in joined and "--device cpu" in joined
    assert cmd[-2:] == ["--dtype", "float32"]
    for field, change in (
        ("mode", {"mode": "rerank"}),
        ("device", {"device": "tpu"}),
    ):
        with pytest.raises(InvalidInput) as info:
            build_command(EngineSpec(**{**spec.__dict__, **change}))
        assert info.value.fields and info.value.fields[0].field == field


def test_embedding_mode_runs_the_embedding_server(tmp_path: Path) -> None:
    # transformers serve has no /v1/embeddings: embedding mode runs ours, on the same terms.
    spec = EngineSpec(
        engine="transformers",
        model_path=tmp_path / "m",
        served_model_name="my-embedder",
        mode="embedding",
        port=8124,
        log_path=tmp_path / "engine.log",
        device="cuda:1",
        params=validate_engine_params("transformers", ["--pooling=cls", "--max-batch-size", "016"], "embedding"),
    )
    cmd = build_command(spec)
    assert cmd[:4] == [
        sys.executable,
        "-m",
        "aqua_ext.backends.local.embedding_server",
        str((tmp_path / "m").absolute()),
    ]
    joined = " ".join(cmd)
    assert "--host 127.0.0.1" in joined and "--port 8124" in joined and "--device cuda:1" in joined
    assert cmd[-4:] == ["--pooling", "cls", "--max-batch-size", "16"]
    assert "embedding" in engines.ENGINE_MODES["transformers"]


def test_embedding_params_have_their_own_allowlist() -> None:
    assert validate_engine_params(
        "transformers", ["--dtype", "float16", "--log-level=debug", "--pooling", "last"], "embedding"
    ) == ["--dtype", "float16", "--log-level", "debug", "--pooling", "last"]
    for params, mode in (
        (["--attn-implementation", "sdpa"], "embedding"),  # transformers serve's, not ours
        (["--continuous-batching"], "embedding"),
        (["--pooling", "max"], "embedding"),
        (["--max-batch-size", "0"], "embedding"),
        (["--host", "0.0.0.0"], "embedding"),
        (["--pooling", "mean"], "chat"),  # ours, not transformers serve's
        (["--max-batch-size", "8"], "completion"),
    ):
        with pytest.raises(InvalidInput) as info:
            validate_engine_params("transformers", params, mode)
        assert info.value.fields and info.value.fields[0].field == "params"
        assert params[0] in info.value.fields[0].message


def test_human_reasons() -> None:
    assert "memory" in (engines.human_reason(["torch.OutOfMemoryError: CUDA out of memory."]) or "")
    assert "port" in (engines.human_reason(["ERROR: [Errno 98] Address already in use"]) or "")
    assert "incomplete" in (engines.human_reason(["OSError: x does not appear to have a file named config.json"]) or "")
    assert "architecture" in (engines.human_reason(["ValueError: Unrecognized model in /x"]) or "")
    assert engines.human_reason(["[aqua_ext] starting: ... --device cuda", "boom"]) is None


def test_a_failure_reason_comes_from_the_error_not_from_the_printed_config() -> None:
    # The engine prints its configuration (words such as "max_position_embeddings", "CUDA",
    # "not supported") before it fails: the reason is the traceback's exception.
    log = [
        "INFO 05-01 12:00:00 [config.py:1] Config: max_position_embeddings=32768, context length 32768",
        "INFO 05-01 12:00:00 [config.py:2] CUDA graphs not supported on this platform; out of memory guard on",
        "Traceback (most recent call last):",
        '  File "/x/vllm/entrypoints/openai/api_server.py", line 1, in <module>',
        "    from vllm.model_executor import layers",
        "ImportError: cannot import name 'layers' from 'vllm.model_executor'",
    ]
    assert "not installed" in (engines.human_reason(log) or "")
    # The last exception first; an earlier one names the root cause when the last says nothing.
    chained = [
        "ValueError: The model's max seq len (131072) is too long for this engine",
        "RuntimeError: Engine core initialization failed. See root cause above.",
    ]
    assert "context" in (engines.human_reason(chained) or "")
    # Without any exception or error-level line there is no evidence: no reason is made up.
    assert engines.human_reason(["INFO max_position_embeddings=4096 out of memory CUDA"]) is None
    # An error-level record (no traceback) still counts.
    assert "memory" in (engines.human_reason(["INFO loading", "ERROR 05-01 [core.py:9] CUDA out of memory"]) or "")


# ---------------------------------------------------------------------------
# tail_log
# ---------------------------------------------------------------------------


def test_tail_log_reads_only_the_end(tmp_path: Path) -> None:
    log = tmp_path / "big.log"
    with open(log, "w", encoding="utf-8") as f:
        for i in range(300_000):  # ~8 MB
            f.write(f"line {i:07d} {'x' * 12}\n")
    assert tail_log(log, 3) == [f"line {i:07d} {'x' * 12}" for i in (299_997, 299_998, 299_999)]
    assert len(tail_log(log, 200)) == 200
    assert tail_log(log, 200)[0].startswith("line 0299800")
    assert tail_log(tmp_path / "missing.log") == []
    small = tmp_path / "small.log"
    small.write_text("a\nb", encoding="utf-8")  # no final newline
    assert tail_log(small, 10) == ["a", "b"]

    reads: list[int] = []
    real_open = open

    class Counting:
        def __init__(self, f):  # type: ignore[no-untyped-def]
            self.f = f

        def __enter__(self):  # type: ignore[no-untyped-def]
            return self

        def __exit__(self, *exc):  # type: ignore[no-untyped-def]
            self.f.close()

        def read(self, n: int) -> bytes:
            reads.append(n)
            return self.f.read(n)

        def __getattr__(self, name):  # type: ignore[no-untyped-def]
            return getattr(self.f, name)

    import builtins

    try:
        builtins.open = lambda *a, **k: Counting(real_open(*a, **k))  # type: ignore[assignment]
        tail_log(log, 20)
    finally:
        builtins.open = real_open  # type: ignore[assignment]
    assert sum(reads) <= 64 * 1024


# ---------------------------------------------------------------------------
# A real engine on the demo model
# ---------------------------------------------------------------------------


def _spec(folder: Path, work: Path, **changes: object) -> EngineSpec:
    spec = EngineSpec(
        engine="transformers",
        model_path=folder,
        served_model_name="demo",
        mode="chat",
        port=free_port(),
        log_path=work / "deploy" / "engine.log",
        hub_cache=work / "hub",
    )
    return EngineSpec(**{**spec.__dict__, **changes})


async def _stream_chunks(base_url: str, model: str) -> list[dict[str, object]]:
    chunks: list[dict[str, object]] = []
    body = {
        "model": model,
        "messages": [{"role": "user", "content": "Tell me about lists"}],
        "max_tokens": 8,
        "stream": True,
    }
    async with (
        httpx.AsyncClient(base_url=base_url, trust_env=False, timeout=60) as client,
        client.stream("POST", "/v1/chat/completions", json=body) as response,
    ):
        assert response.status_code == 200
        async for line in response.aiter_lines():  # no [DONE]: the stream just ends
            if line.startswith("data:"):
                chunks.append(json.loads(line[5:]))
    return chunks


@pytest.mark.engine
@needs_local_extra
def test_engine_lifecycle(demo_model_dir: Path, tmp_path: Path) -> None:
    spec = _spec(demo_model_dir, tmp_path)

    async def scenario() -> None:
        handle = await start(spec)
        try:
            record_file = run_record_path(spec.log_path)
            record = read_run_record(record_file)
            assert record is not None
            assert (record.pid, record.pgid, record.port) == (handle.pid, handle.pid, spec.port)
            assert os.getpgid(handle.pid) == handle.pid  # its own group...
            assert os.getsid(handle.pid) == handle.pid  # ...and session: detached from us
            assert record.create_time > 0 and record.cmd[0]

            await wait_ready(handle, timeout=READY_TIMEOUT)
            chunks = await _stream_chunks(handle.base_url, spec.engine_model_id)
            assert len(chunks) >= 2

            again = await reattach(record)
            assert again is not None and again.proc is None and again.port == spec.port
            assert is_alive(record)
            # A recycled pid (same pid, other start time) is not our engine.
            assert (
                await reattach(engines.RunRecord(**{**record.__dict__, "create_time": record.create_time + 1})) is None
            )
        finally:
            await stop(handle)
        assert group_gone(handle.pgid)
        assert not is_alive(record)
        assert await reattach(record) is None
        await stop(handle)  # idempotent
        await stop(again)  # a reattached handle to a gone engine: nothing to do
        assert any("POST /v1/chat/completions" in line for line in tail_log(spec.log_path))

    asyncio.run(scenario())


@pytest.mark.engine
@needs_local_extra
def test_killed_engine_is_not_alive(demo_model_dir: Path, tmp_path: Path) -> None:
    spec = _spec(demo_model_dir, tmp_path)

    async def scenario() -> None:
        handle = await start(spec)
        try:
            assert is_alive(handle.record)
            time.sleep(0.3)  # mid-life: it is importing torch
            os.kill(handle.pid, signal.SIGKILL)
            for _ in range(100):
                handle.proc.poll()  # type: ignore[union-attr]  # we are its parent: reap it
                if not is_alive(handle.record):
                    break
                await asyncio.sleep(0.05)
            assert not is_alive(handle.record)
            assert await reattach(handle.record) is None
        finally:
            await stop(handle)
        assert group_gone(handle.pgid)

    asyncio.run(scenario())


@pytest.mark.engine
@needs_local_extra
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
        assert "exited" in message
        assert "incomplete" in message  # the human reason
        assert "Error: OSError: Error no file named model.safetensors" in message  # the traceback's last line
        assert "Last lines of" in message and len(message.splitlines()) >= 5  # and the log lines
        assert group_gone(handle.pgid)
        assert not is_alive(handle.record)

    asyncio.run(scenario())


@pytest.mark.engine
@needs_local_extra
def test_cancelled_wait_stops_the_engine(demo_model_dir: Path, tmp_path: Path) -> None:
    spec = _spec(demo_model_dir, tmp_path)

    async def scenario() -> None:
        handle = await start(spec)
        waiting = asyncio.create_task(wait_ready(handle, timeout=READY_TIMEOUT))
        await asyncio.sleep(0.5)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert group_gone(handle.pgid)

    asyncio.run(scenario())


@pytest.mark.engine
@needs_local_extra
def test_engine_outlives_the_process_that_started_it(demo_model_dir: Path, tmp_path: Path) -> None:
    """What a Jupyter restart looks like: the starter exits, the engine runs on,
    and a new process reattaches from the run record and stops it."""
    spec = _spec(demo_model_dir, tmp_path)
    starter = (
        "import asyncio, sys; from pathlib import Path\n"
        "from aqua_ext.backends.local.engines import EngineSpec, start\n"
        f"spec = EngineSpec(engine='transformers', model_path=Path({str(spec.model_path)!r}), served_model_name='demo',"
        f" mode='chat', port={spec.port}, log_path=Path({str(spec.log_path)!r}),"
        f" hub_cache=Path({str(spec.hub_cache)!r}))\n"
        "asyncio.run(start(spec))\n"
    )
    subprocess.run(
        [sys.executable, "-c", starter],
        check=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(Path(engines.__file__).resolve().parents[3])},
    )
    record = read_run_record(run_record_path(spec.log_path))
    assert record is not None

    async def scenario() -> None:
        try:
            assert is_alive(record)  # its starter is gone, it is not
            await wait_ready(engines.EngineHandle(record=record), timeout=READY_TIMEOUT)
            handle = await reattach(record)
            assert handle is not None
            assert len(await _stream_chunks(handle.base_url, record.engine_model_id)) >= 2
        finally:
            await stop(engines.EngineHandle(record=record))
        assert not is_alive(record)
        assert not processes.live_group_members(record.pgid)

    asyncio.run(scenario())
