"""What the machine running the Jupyter server has: CPU cores, memory, GPUs,
and which engines are installed. Cheap probes only (no torch import)."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import platform
import shutil
import subprocess
import time
from functools import cache

from ...api.info import Engine, Gpu, Hardware
from . import llama_gguf


def _memory_gb() -> float:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) * 1024 / 1e9, 1)  # kB → decimal GB
    except OSError:
        pass
    try:
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9, 1)
    except (ValueError, OSError, AttributeError):
        return 0.0


def nvidia_gpus(timeout: float = 5.0) -> list[Gpu]:
    """GPUs as `nvidia-smi` reports them; none when it is absent or fails."""
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return []
    try:
        out = subprocess.run(
            [exe, "--query-gpu=index,name,memory.total", "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return parse_nvidia_smi(out)


def parse_nvidia_smi(out: str) -> list[Gpu]:
    gpus = []
    for line in out.strip().splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) != 3:
            continue
        try:
            # nvidia-smi reports MiB; the fit arithmetic uses decimal GB throughout.
            gpus.append(Gpu(index=int(parts[0]), name=parts[1], memory_gb=round(float(parts[2]) * 2**20 / 1e9, 2)))
        except ValueError:
            continue
    return gpus


# The memory copy that measures RAM bandwidth: buffers well past any CPU's last-level cache (so the
# copy goes to RAM), a few rounds, the best one (the usual STREAM convention: the others were slowed
# by something else). About a tenth of a second on a laptop, once per process.
_COPY_BYTES = 256 * 2**20
_COPY_ROUNDS = 4


@cache
def memory_bandwidth_gb_s() -> float | None:
    """RAM bandwidth in decimal GB/s, measured once per process by copying a 256 MiB buffer (one
    memcpy: the bytes read plus the bytes written, as STREAM's Copy counts them). One thread's copy:
    a many-channel server reads faster with llama.cpp's threads, so decode estimates from it err low.
    None when the memory cannot be had."""
    try:
        source = bytearray(b"\x5a") * _COPY_BYTES  # written, so its pages are real (not the zero page)
        target = bytearray(_COPY_BYTES)
        view = memoryview(target)
        view[:] = source  # fault the target's pages in before timing
        best = float("inf")
        for _ in range(_COPY_ROUNDS):
            start = time.perf_counter()
            view[:] = source
            best = min(best, time.perf_counter() - start)
    except MemoryError:
        return None
    return round(2 * _COPY_BYTES / best / 1e9, 1) if best > 0 else None


def detect_hardware() -> Hardware:
    return Hardware(
        cpu_count=os.cpu_count() or 1,
        memory_gb=_memory_gb(),
        gpus=nvidia_gpus(),
        platform=f"{platform.system()} {platform.machine()}",
        memory_bandwidth_gb_s=memory_bandwidth_gb_s(),
    )


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


_LOCAL_EXTRA = "Install the local extra: pip install 'aqua_ext[local]'"


def _engine(name: str, label: str, version: str | None, problem: str | None) -> Engine:
    """An engine is available when nothing is missing; `problem` says what is."""
    return Engine(name=name, label=label, available=problem is None, version=version, reason=problem)


def detect_engines(hardware: Hardware) -> list[Engine]:
    tf_version = _version("transformers") if _installed("transformers") else None
    serving_ok = tf_version is not None and all(_installed(m) for m in ("torch", "fastapi", "uvicorn"))
    vllm_version = _version("vllm") if _installed("vllm") else None
    has_cuda = any(g.vendor == "nvidia" for g in hardware.gpus)
    if vllm_version is None:
        vllm_problem: str | None = "Optional: pip install vllm (CUDA GPU only)"
    else:
        vllm_problem = None if has_cuda else "vLLM needs an NVIDIA GPU"
    # llama.cpp's own server binary: what its releases, Homebrew and distributions install.
    llama_server = llama_gguf.llama_server()
    trl_version = _version("trl") if _installed("trl") else None
    trl_ok = trl_version is not None and _installed("peft")
    return [
        _engine("transformers", "Transformers serve (CPU or GPU)", tf_version, None if serving_ok else _LOCAL_EXTRA),
        _engine("vllm", "vLLM (CUDA GPU)", vllm_version, vllm_problem),
        _engine(
            "llama.cpp",
            "llama.cpp (GGUF, CPU or GPU)",
            None,
            None
            if llama_server
            else "Optional: scripts/setup builds llama.cpp, or put llama-server on PATH (GGUF models)",
        ),
        _engine("trl", "LoRA fine-tuning (trl + peft)", trl_version, None if trl_ok else _LOCAL_EXTRA),
    ]
