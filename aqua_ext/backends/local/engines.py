"""Process manager for local inference engines: `transformers serve` (CPU or
GPU; our own embedding_server.py serves its "embedding" mode), vLLM (CUDA GPU,
when installed) and llama.cpp's `llama-server` (GGUF; the [local] set-up builds it, llama_gguf.py finds it).

An engine runs as its own process group (its own session), bound to
127.0.0.1 on a port we pick, with stdout/stderr going to a log file. It is
detached from the Jupyter server on purpose: a server restart must not kill
a deployment. What we need to find it again is written next to the log as a
small JSON "run record" (pid, pgid, port, command, and the process's start
time from /proc, so a recycled pid is not mistaken for our engine).

The flow for the deployments backend:

    spec = EngineSpec(engine="transformers", model_path=..., served_model_name=...,
                      mode="chat", params=checked, port=free_port(), log_path=...)
    handle = await start(spec)
    await wait_ready(handle, timeout=600)   # raises Upstream with a human reason
    ...
    await stop(handle)

and after a Jupyter restart, `read_run_record` + `reattach` (None means
"the engine process is gone").

Nothing here imports torch or transformers: the engine is another process.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

import httpx

from ...errors import InvalidInput, Upstream, UpstreamTimeout
from ..child_env import child_environment
from ..engine_tokens import param_value
from . import llama_gguf
from .hf_cache import default_cache_dir
from .processes import process_alive, process_create_time, stop_group

HOST = "127.0.0.1"  # engines never listen beyond this machine; the server proxies to them
ENGINES = ("transformers", "vllm", "llama.cpp")
Mode = Literal["chat", "completion", "embedding"]
MODES: tuple[str, ...] = ("chat", "completion", "embedding")
RUN_RECORD_SUFFIX = ".run.json"
LOG_LINES_IN_ERRORS = 20

# What each engine can serve. transformers serve has no /v1/embeddings; our
# embedding server serves that mode for it.
ENGINE_MODES: dict[str, tuple[str, ...]] = {
    "transformers": ("chat", "completion", "embedding"),
    "vllm": ("chat", "completion"),
    "llama.cpp": ("chat", "completion", "embedding"),
}


# ----------------------------------------------------------------------------
# Spec, command, run record
# ----------------------------------------------------------------------------


@dataclass
class EngineSpec:
    engine: str  # "transformers" (later "vllm", "llama.cpp")
    model_path: Path  # the model folder, served pinned
    served_model_name: str  # the name clients use; the proxy maps it to engine_model_id
    mode: Mode  # "chat" | "completion" | "embedding"
    port: int  # chosen by us (free_port()); the engine binds 127.0.0.1:port
    log_path: Path  # stdout+stderr; the run record is written next to it
    params: list[str] = field(default_factory=list)  # checked `--name value` pairs (services/engine_params.py)
    device: str = "cpu"  # "cpu" | "cuda" | "cuda:N"
    max_model_len: int | None = None  # vLLM --max-model-len, llama.cpp --ctx-size
    hub_cache: Path | None = None  # HF_HUB_CACHE for the engine; default: the user's hub cache
    adapter_args: list[str] = field(default_factory=list)  # the flags that load LoRA adapters (services/adapters.py)

    @property
    def engine_model_id(self) -> str:
        """What to send as `model` to the engine. transformers serve in pinned
        mode answers 400 to any other name than the pinned folder path, so the
        deployment proxy must rewrite the served name to this."""
        return str(Path(self.model_path).absolute())


@dataclass
class RunRecord:
    """What is needed to find a detached engine again (JSON next to the log)."""

    pid: int
    pgid: int
    port: int
    cmd: list[str]
    create_time: int  # /proc/<pid>/stat starttime (clock ticks since boot): tells a recycled pid apart
    started_at: str  # ISO 8601, UTC
    engine: str
    mode: str
    served_model_name: str
    engine_model_id: str
    log_path: str
    host: str = HOST

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> RunRecord:
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in names})  # type: ignore[arg-type]


@dataclass
class EngineHandle:
    record: RunRecord
    # The Popen when this server started the engine (we must reap it so it
    # does not linger as a zombie); None when reattached after a restart
    # (then init is its parent and reaps it).
    proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        return self.record.pid

    @property
    def pgid(self) -> int:
        return self.record.pgid

    @property
    def port(self) -> int:
        return self.record.port

    @property
    def base_url(self) -> str:
        return f"http://{self.record.host}:{self.record.port}"

    @property
    def log_path(self) -> Path:
        return Path(self.record.log_path)


def free_port() -> int:
    """A port free on 127.0.0.1 right now. Another process may take it before
    the engine binds; wait_ready then reports "Address already in use"."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def run_record_path(log_path: Path) -> Path:
    return log_path.with_name(log_path.name + RUN_RECORD_SUFFIX)


def read_run_record(path: Path) -> RunRecord | None:
    """The record at `path` (see run_record_path), or None if missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return RunRecord.from_dict(data) if isinstance(data, dict) else None
    except (OSError, ValueError, TypeError):
        return None


def _python_server(spec: EngineSpec, *entry: str, defaults: list[str] | None = None) -> list[str]:
    """`python -m <entry> <folder> --host --port --device`: a server of ours or of transformers, run with
    the server's own interpreter (no reliance on PATH or on where the venv's bin/ is), serving the
    pinned folder on 127.0.0.1; `defaults` go before the user's params, which may override them."""
    return [
        sys.executable,
        "-m",
        *entry,
        spec.engine_model_id,
        "--host",
        HOST,
        "--port",
        str(spec.port),
        "--device",
        spec.device,
        *(defaults or []),
        *spec.params,
    ]


def _transformers_command(spec: EngineSpec) -> list[str]:
    # `python -m transformers.cli.transformers` is the same entry point as the `transformers` console
    # script. uvicorn's access log ("POST /v1/... 200") is what shows the engine is working when
    # someone opens the log; warning hides it.
    log_level = [] if "--log-level" in spec.params else ["--log-level", "info"]
    return _python_server(spec, "transformers.cli.transformers", "serve", defaults=log_level)


def _embedding_command(spec: EngineSpec) -> list[str]:
    # Same terms as transformers serve; it logs its requests at info by default.
    return _python_server(spec, "aqua_ext.backends.local.embedding_server")


def _vllm_command(spec: EngineSpec) -> list[str]:
    # The server's own interpreter: vLLM must be installed in Jupyter's environment. The model is
    # served under its folder path, the same name the proxy sends for every engine.
    return [
        sys.executable,
        "-m",
        "vllm.entrypoints.openai.api_server",
        "--model",
        spec.engine_model_id,
        "--host",
        HOST,
        "--port",
        str(spec.port),
        *(["--max-model-len", str(spec.max_model_len)] if spec.max_model_len else []),
        *spec.params,
        *spec.adapter_args,
    ]


def gguf_file(model_path: Path) -> Path:
    """The GGUF file llama.cpp loads from a model folder: the first shard of a split model,
    else the largest file (several quantisations may sit side by side); never a projector."""
    files = sorted(p for p in Path(model_path).rglob("*.gguf") if "mmproj" not in p.name.lower())
    if not files:
        raise InvalidInput.field("engine", f"llama.cpp serves GGUF weights; {model_path} has no .gguf file")
    shards = [p for p in files if re.search(r"-0*1-of-\d+\.gguf$", p.name)]
    return shards[0] if shards else max(files, key=lambda p: p.stat().st_size)


def _llama_cpp_context(max_model_len: int, params: list[str]) -> list[str]:
    """Every slot gets the whole context: llama-server's --ctx-size is what its slots share, so with
    --ctx-size N four requests at once overflow it ("Context size has been exceeded") though each fits.
    The slots are the plan's (services/deploy_plan.py names --parallel, and the memory fit counts
    them); a deployment planned before it did was planned for one sequence, and gets one."""
    slots = param_value(params, "--parallel")  # checked (services/engine_params.py)
    if slots is not None:
        return ["--ctx-size", str(max_model_len * int(slots))]
    return ["--parallel", "1", "--ctx-size", str(max_model_len)]


def _llama_cpp_command(spec: EngineSpec) -> list[str]:
    exe = llama_gguf.llama_server()
    if exe is None:
        raise InvalidInput.field(
            "engine", f"llama.cpp is not installed: no {llama_gguf.LLAMA_SERVER} on PATH or in llama-cpp-python"
        )
    gpu = spec.device != "cpu"
    return [
        exe,
        "--model",
        str(gguf_file(spec.model_path)),
        "--alias",
        spec.engine_model_id,
        "--host",
        HOST,
        "--port",
        str(spec.port),
        *(_llama_cpp_context(spec.max_model_len, spec.params) if spec.max_model_len else []),
        *([] if "--n-gpu-layers" in spec.params else ["--n-gpu-layers", "999" if gpu else "0"]),
        *(["--embedding"] if spec.mode == "embedding" else []),
        "--metrics",  # Prometheus /metrics: requests, tokens, KV cache
        *spec.params,
        *spec.adapter_args,
    ]


def build_command(spec: EngineSpec) -> list[str]:
    """The argv that serves `spec.model_path` pinned on 127.0.0.1:spec.port.
    Validates engine, mode and device (InvalidInput); `spec.params` come checked against the
    engine's allowlist by the deployments service (services/engine_params.py)."""
    if spec.engine not in ENGINES:
        raise InvalidInput.field("engine", f"unknown engine '{spec.engine}'; known: {', '.join(ENGINES)}")
    if spec.mode not in ENGINE_MODES[spec.engine]:
        raise InvalidInput.field(
            "mode",
            f"the {spec.engine} engine cannot serve '{spec.mode}'; it serves {', '.join(ENGINE_MODES[spec.engine])}",
        )
    if not re.fullmatch(r"cpu|cuda(:\d+)?", spec.device):
        raise InvalidInput.field("device", f"'{spec.device}' is not a device (cpu, cuda or cuda:N)")
    if not 0 < spec.port < 65536:
        raise InvalidInput.field("port", f"{spec.port} is not a port")
    if spec.engine == "vllm":
        if spec.device == "cpu":
            raise InvalidInput.field("shape", "vLLM runs on a CUDA GPU; choose the gpu shape or another engine")
        return _vllm_command(spec)
    if spec.engine == "llama.cpp":
        return _llama_cpp_command(spec)
    return _embedding_command(spec) if spec.mode == "embedding" else _transformers_command(spec)


# ----------------------------------------------------------------------------
# Liveness of a recorded engine
# ----------------------------------------------------------------------------


def is_alive(record: RunRecord) -> bool:
    """True when the recorded engine process still runs: the pid exists, is
    not a zombie, and started at the recorded time (not a recycled pid)."""
    return process_alive(record.pid, record.create_time)


# ----------------------------------------------------------------------------
# Start, readiness, stop, reattach
# ----------------------------------------------------------------------------


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:  # a full disk leaves no half-written temp file
        tmp.unlink(missing_ok=True)
        raise


def _spawn(spec: EngineSpec, cmd: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[bytes], RunRecord]:
    spec.log_path.parent.mkdir(parents=True, exist_ok=True)
    hub_cache = Path(env["HF_HUB_CACHE"])
    # transformers serve's /v1/models answers 500 CacheNotFound without it.
    hub_cache.mkdir(parents=True, exist_ok=True)
    # One log per start: the reason for a failure is then the end of this log.
    with open(spec.log_path, "wb") as log, open(os.devnull, "rb") as devnull:
        log.write(f"[aqua_ext] {datetime.now(timezone.utc).isoformat()} starting: {' '.join(cmd)}\n".encode())
        log.flush()
        proc = subprocess.Popen(
            cmd,
            stdin=devnull,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=str(spec.log_path.parent),
            # Its own session and process group: a Jupyter restart (SIGTERM/
            # SIGINT/SIGHUP to the server's group or terminal) does not reach
            # it, and stop() can signal everything it started at once.
            start_new_session=True,
            close_fds=True,
        )
    create_time = process_create_time(proc.pid)
    if create_time is None:  # it already exited and was not reaped yet: /proc still has it, so this is rare
        create_time = -1
    record = RunRecord(
        pid=proc.pid,
        pgid=proc.pid,  # start_new_session makes it the leader of its own group
        port=spec.port,
        cmd=cmd,
        create_time=create_time,
        started_at=datetime.now(timezone.utc).isoformat(),
        engine=spec.engine,
        mode=spec.mode,
        served_model_name=spec.served_model_name,
        engine_model_id=spec.engine_model_id,
        log_path=str(spec.log_path.absolute()),
    )
    _write_atomic(run_record_path(spec.log_path), record.to_json())
    return proc, record


async def start(spec: EngineSpec) -> EngineHandle:
    """Spawn the engine detached from this server and write its run record.
    Returns at once; call wait_ready next."""
    cmd = build_command(spec)
    if not Path(spec.model_path).is_dir():
        raise InvalidInput.field("model_path", f"{spec.model_path} is not a folder")
    hub_cache = spec.hub_cache or default_cache_dir()
    env = child_environment(
        HF_HUB_OFFLINE="1",  # the folder is local; an engine must never download
        HF_HUB_CACHE=str(hub_cache),
        HF_HUB_DISABLE_UPDATE_CHECK="1",  # the CLI would otherwise ask PyPI for a newer version
        HF_HUB_DISABLE_PROGRESS_BARS="1",  # tqdm bars clutter the log and the error tail
        TOKENIZERS_PARALLELISM="false",
    )
    if spec.engine == "llama.cpp":
        env.update(llama_gguf.server_environment(cmd[0], env))
    if spec.engine == "vllm" and spec.adapter_args:
        # Adapters are then added and removed on the running engine (POST /v1/load_lora_adapter, …/unload_…).
        env["VLLM_ALLOW_RUNTIME_LORA_UPDATING"] = "True"
    # Popen forks and execs, and we write files: keep it off the event loop.
    proc, record = await asyncio.to_thread(_spawn, spec, cmd, env)
    return EngineHandle(record=record, proc=proc)


def _exited(handle: EngineHandle) -> int | None:
    """The exit code if the engine process has ended, else None."""
    if handle.proc is not None:
        return handle.proc.poll()  # also reaps it
    return None if is_alive(handle.record) else -1


def _warmup_request(record: RunRecord) -> tuple[str, dict[str, object]]:
    if record.mode == "chat":
        return "/v1/chat/completions", {
            "model": record.engine_model_id,
            "messages": [{"role": "user", "content": "Hello"}],
            "max_tokens": 1,
            "stream": False,
        }
    if record.mode == "completion":
        return "/v1/completions", {"model": record.engine_model_id, "prompt": "Hello", "max_tokens": 1, "stream": False}
    return "/v1/embeddings", {"model": record.engine_model_id, "input": "Hello"}


async def wait_ready(handle: EngineHandle, timeout: float, *, poll_interval: float = 0.5) -> None:
    """Wait until the engine answers /health and one warm-up request (a
    1-token completion, or an embedding). The engine may listen before it can
    generate, and transformers serve's /v1/models does not list a pinned
    folder, so only a real request proves readiness.

    On failure (the process exits, a warm-up answers an error, or `timeout`
    seconds pass) the engine's process group is stopped, so nothing is left
    behind, and Upstream (UpstreamTimeout on timeout) is raised with a human
    reason and the last lines of the log.
    """
    try:
        await _wait_ready(handle, timeout, poll_interval)
    except asyncio.CancelledError:
        # The deploy was cancelled: a half-started engine must not survive it.
        await asyncio.shield(stop(handle))
        raise


async def _wait_ready(handle: EngineHandle, timeout: float, poll_interval: float) -> None:
    deadline = time.monotonic() + timeout
    path, body = _warmup_request(handle.record)
    async with httpx.AsyncClient(base_url=handle.base_url, trust_env=False) as client:
        while True:
            code = _exited(handle)
            if code is not None:
                await stop(handle)
                raise await _failure(handle, f"The engine exited (exit code {code}) before it was ready")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                await stop(handle)
                raise await _failure(handle, f"The engine was not ready after {timeout:g} s", timeout=True)
            try:
                health = await client.get("/health", timeout=min(5.0, remaining))
                if health.status_code == 200:
                    # Loading may still go on (lazy engines): give the warm-up
                    # all the time left.
                    warm = await client.post(path, json=body, timeout=max(1.0, deadline - time.monotonic()))
                    if warm.status_code == 200:
                        return
                    if warm.status_code >= 400 and warm.status_code != 503:
                        await stop(handle)
                        raise await _failure(
                            handle,
                            f"The engine answered the warm-up request with HTTP {warm.status_code}: {warm.text[:500]}",
                        )
            except httpx.TransportError:
                pass  # not listening yet, or it died: the next poll tells
            await asyncio.sleep(poll_interval)


# Known failure signatures in engine logs, most specific first.
_REASONS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"out of memory|OutOfMemoryError|Cannot allocate memory|MemoryError", re.I),
        "The model does not fit in memory. Choose a bigger shape, a smaller model, or a lower precision (--dtype).",
    ),
    (
        re.compile(r"Address already in use|address in use|Errno 98", re.I),
        "The engine's port was taken by another process. Try again (a new port is picked).",
    ),
    (
        re.compile(
            r"does not appear to have a file named|no file named .*safetensors|Error no file named|"
            r"Unrecognized processing class|Can't load tokenizer|couldn't find .*file",
            re.I,
        ),
        "The model folder is incomplete: weights, config or tokenizer files are missing.",
    ),
    (
        re.compile(r"Unrecognized model|not supported|does not recognize this architecture|model type .* not", re.I),
        "This engine does not support this model's architecture.",
    ),
    (
        re.compile(r"max_position_embeddings|maximum context length|context length|too long", re.I),
        "The requested context is longer than the model supports (max_position_embeddings).",
    ),
    (
        re.compile(r"CUDA|NVIDIA driver|no GPU|nccl", re.I),
        "The GPU could not be used (CUDA error, no GPU, or a driver problem).",
    ),
    (
        re.compile(r"ModuleNotFoundError|No module named|ImportError|cannot import name", re.I),
        "The engine is not installed in this environment (pip install 'aqua_ext[local]').",
    ),
]

_ERROR_LINE = re.compile(r"^(?:[\w.]+\.)?\w*(?:Error|Exception|Interrupt)\b.*")
# A log record at error level (vLLM's "ERROR 05-01 …", uvicorn's "ERROR:", llama.cpp's "error loading").
_ERROR_LEVEL = re.compile(r"\b(?:ERROR|CRITICAL|FATAL|error)\b")


def _error_lines(lines: list[str]) -> list[str]:
    """The lines that say what went wrong, the most telling first: the exceptions of the log's
    tracebacks (the last one first), then error-level records (the last one first). Everything
    else (the configuration an engine prints, our own header with its command) is no evidence."""
    lines = [line.strip() for line in lines if not line.startswith("[aqua_ext]")]
    exceptions = [line for line in reversed(lines) if _ERROR_LINE.match(line)]
    errors = [line for line in reversed(lines) if _ERROR_LEVEL.search(line) and not _ERROR_LINE.match(line)]
    return exceptions + errors


def human_reason(log_lines: list[str]) -> str | None:
    """A one-sentence reason for a failed engine, from the error lines of its log, or None."""
    for line in _error_lines(log_lines):
        for pattern, reason in _REASONS:
            if pattern.search(line):
                return reason
    return None


def _last_error_line(lines: list[str]) -> str | None:
    """The last `SomeError: message` line (the end of a Python traceback)."""
    for line in reversed(lines):
        if _ERROR_LINE.match(line.strip()) and not line.startswith("[aqua_ext]"):
            return line.strip()[:500]
    return None


async def _failure(handle: EngineHandle, what: str, *, timeout: bool = False) -> Upstream:
    lines = await asyncio.to_thread(tail_log, handle.log_path, 200)
    reason = human_reason(lines) or "See the engine log for details."
    error = _last_error_line(lines)
    last = "\n".join(lines[-LOG_LINES_IN_ERRORS:]) or "(the log is empty)"
    message = f"{what}. {reason}"
    if error:
        message += f"\nError: {error}"
    message += f"\nLast lines of {handle.log_path}:\n{last}"
    return (UpstreamTimeout if timeout else Upstream)(message)


async def stop(handle: EngineHandle, grace: float = 5.0) -> None:
    """SIGTERM the engine's process group, SIGKILL what is left after
    `grace` seconds. Idempotent; returns once no live process of the group
    remains."""
    # A reattached engine whose pid was recycled is not ours: never signal it.
    if handle.proc is None and not is_alive(handle.record):
        return
    if not await stop_group(handle.pgid, handle.proc, grace):
        raise Upstream(f"Engine process group {handle.pgid} did not exit after SIGKILL.")


async def _port_answers(record: RunRecord) -> bool:
    try:
        async with httpx.AsyncClient(trust_env=False) as client:
            response = await client.get(f"http://{record.host}:{record.port}/health", timeout=3.0)
        return response.status_code == 200
    except httpx.HTTPError:
        return False


async def reattach(record: RunRecord) -> EngineHandle | None:
    """A handle on a previously started engine if its process still runs (same
    pid and start time) and its port answers /health; else None (the caller
    marks the deployment FAILED: "the engine process is gone")."""
    if not await asyncio.to_thread(is_alive, record):
        return None
    if not await _port_answers(record):
        return None
    return EngineHandle(record=record, proc=None)


# ----------------------------------------------------------------------------
# Logs
# ----------------------------------------------------------------------------


def tail_log(path: Path, lines: int = 200) -> list[str]:
    """The last `lines` lines of `path` (without newlines), reading only the
    end of the file: engine logs can grow to gigabytes. [] if missing."""
    if lines <= 0:
        return []
    block = 64 * 1024
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            end = f.tell()
            pos = end
            data = b""
            # lines+1 newlines guarantee `lines` complete lines (the first may be partial).
            while pos > 0 and data.count(b"\n") <= lines:
                step = min(block, pos)
                pos -= step
                f.seek(pos)
                data = f.read(step) + data
    except OSError:
        return []
    text = data.decode("utf-8", errors="replace")
    result = text.splitlines()
    if pos > 0 and result:
        result = result[1:]  # began mid-line
    return result[-lines:]
