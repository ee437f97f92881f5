#!/usr/bin/env python
"""Engines side by side on this CPU: transformers serve (fp32, bf16) against llama.cpp (Q8_0, Q4_K_M).

    python bench/engines.py [--layers 8] [--hidden 1024] [--tokens 32] [--rounds 3] [--fresh]

One generated model folder (random weights, the demo model's tokenizer, a Llama of a few hundred MB
in fp32 so that decode reads real memory), converted to GGUF Q8_0 and Q4_K_M by aqua_ext's own
conversion (llama.cpp's converter and quantizer, llama_gguf.convert_folder). Each of the four is
started the way a local deployment starts (backends/local/engines.py: the same command, `start` and
`wait_ready`, whose return is the deployment turning ACTIVE); then the rounds go round-robin over
the four, one streamed chat request each, so that whatever else the machine does hits every engine
alike. Per engine:

  - time to ACTIVE (spawn → /health and a 1-token warm-up answered),
  - time to first token (median over the rounds),
  - decode tokens/s (chunks after the first ÷ the time from the first to the last, median),
  - resident memory of the engine's process group after the rounds (VmRSS, summed),
  - the memory fit's predicted decode tokens/s on this machine's CPU (services/decode_speed.py:
    the measured RAM bandwidth ÷ bytes read per token), and measured ÷ predicted.

Ratios are to transformers fp32, the reference. The model's answers are nonsense (random weights);
its lm_head rows of the end tokens are zeroed so greedy decoding never ends early. Benchmarks
print, they never assert. The generated folders are kept under ~/.cache/aqua_ext/bench-engines
(--fresh builds them again).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bootstrap import use_repo_environment

use_repo_environment(__file__, ("httpx", "torch", "transformers", "llama_cpp"))

import httpx  # noqa: E402

from aqua_ext.api.fit import FitQuery  # noqa: E402
from aqua_ext.api.models import Capability, ModelDetail, ModelSource  # noqa: E402
from aqua_ext.backends.local import demo_model, engines, llama_gguf  # noqa: E402
from aqua_ext.backends.local.hardware import detect_hardware  # noqa: E402
from aqua_ext.backends.local.model_folder import inspect_folder  # noqa: E402
from aqua_ext.backends.local.processes import live_group_members  # noqa: E402
from aqua_ext.services.memory_fit import estimate_fit  # noqa: E402

CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "aqua_ext" / "bench-engines"
PROMPT = "Write a long story about a lighthouse keeper and the sea."
CONTEXT = 512  # llama.cpp --ctx-size, and the context the fit's KV cache is priced at


@dataclass
class Engine:
    label: str
    engine: str  # transformers | llama.cpp
    folder: Path
    quantization: str  # the fit's choice: float32, bfloat16, Q8_0, Q4_K_M
    params: list[str] = field(default_factory=list)
    handle: engines.EngineHandle | None = None
    active_s: float | None = None
    ttft: list[float] = field(default_factory=list)
    decode: list[float] = field(default_factory=list)
    tokens: list[int] = field(default_factory=list)
    rss_mb: float | None = None
    predicted: float | None = None
    weights_gb: float | None = None
    error: str | None = None


class _NoProgress:
    def update(self, *, progress: float | None = None, message: str | None = None) -> None:
        pass


def build_model(folder: Path, layers: int, hidden: int) -> None:
    """A random-weight Llama with the demo model's tokenizer: untied head, whose end-token rows are
    zero so that greedy decoding (a positive max logit among the rest) never stops early."""
    import torch
    from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM

    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo"
        demo_model.generate_demo_model(demo)
        base = LlamaConfig.from_pretrained(demo)
        config = LlamaConfig(
            vocab_size=base.vocab_size,
            hidden_size=hidden,
            intermediate_size=hidden * 11 // 4 // 256 * 256,  # Llama's ~2.7×, a multiple of 256 (k-quant blocks)
            num_hidden_layers=layers,
            num_attention_heads=hidden // 64,
            num_key_value_heads=max(1, hidden // 256),
            max_position_embeddings=2048,
            tie_word_embeddings=False,
            bos_token_id=base.bos_token_id,
            eos_token_id=base.eos_token_id,
            pad_token_id=base.pad_token_id,
        )
        torch.manual_seed(0)
        model = LlamaForCausalLM(config)
        stops = demo_model_stop_ids(demo)
        with torch.no_grad():
            for token in stops:
                model.lm_head.weight[token].zero_()
        model.generation_config = GenerationConfig(
            do_sample=False, max_new_tokens=512, bos_token_id=base.bos_token_id, eos_token_id=stops
        )
        work = folder.with_name(folder.name + ".partial")
        shutil.rmtree(work, ignore_errors=True)
        model.save_pretrained(work)
        for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja"):
            if (demo / name).is_file():
                shutil.copyfile(demo / name, work / name)
        os.replace(work, folder)


def demo_model_stop_ids(demo: Path) -> list[int]:
    generation = json.loads((demo / "generation_config.json").read_text())
    eos = generation.get("eos_token_id")
    return [int(t) for t in (eos if isinstance(eos, list) else [eos]) if t is not None]


async def prepare(layers: int, hidden: int, fresh: bool) -> tuple[Path, dict[str, Path]]:
    root = CACHE / f"llama-l{layers}-h{hidden}"
    if fresh:
        shutil.rmtree(root, ignore_errors=True)
    source = root / "safetensors"
    if not (source / "config.json").is_file():
        root.mkdir(parents=True, exist_ok=True)
        print(f"generating the model in {source} …", flush=True)
        await asyncio.to_thread(build_model, source, layers, hidden)
    ggufs: dict[str, Path] = {}
    for level in ("Q8_0", "Q4_K_M"):
        target = root / level
        if not target.is_dir():
            print(f"converting to GGUF {level} (llama.cpp's converter and quantizer) …", flush=True)
            await llama_gguf.convert_folder(source, target, level, _NoProgress())
        ggufs[level] = target
    return source, ggufs


def model_detail(folder: Path) -> ModelDetail:
    """The folder as the local target lists a registered model (what the fit reads)."""
    info = inspect_folder(folder)
    return ModelDetail(
        id=f"bench:{folder.name}",
        name=folder.name,
        source=ModelSource.REGISTERED,
        capability=Capability.TEXT_TO_TEXT,
        parameter_count=info.parameter_count,
        context_length=info.context_length,
        formats=info.formats,
        size_bytes=info.size_bytes,
        ready_to_deploy=True,
        ready_to_finetune=False,
        architecture=info.architecture,
    )


def rss_mb(pgid: int) -> float:
    total = 0
    for pid in live_group_members(pgid):
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total / 1e6


async def start(entry: Engine, logs: Path) -> None:
    spec = engines.EngineSpec(
        engine=entry.engine,
        model_path=entry.folder,
        served_model_name="bench",
        mode="chat",
        port=engines.free_port(),
        log_path=logs / f"{entry.label.replace(' ', '-')}.log",
        params=entry.params,
        max_model_len=CONTEXT if entry.engine == "llama.cpp" else None,
    )
    began = time.perf_counter()
    try:
        entry.handle = await engines.start(spec)
        await engines.wait_ready(entry.handle, timeout=240)
        entry.active_s = time.perf_counter() - began
    except Exception as exc:  # a bench reports an engine that fails, and goes on with the others
        entry.error = f"{type(exc).__name__}: {exc}"[:300]
        entry.handle = None


async def one_request(client: httpx.AsyncClient, entry: Engine, tokens: int) -> None:
    assert entry.handle is not None
    body: dict[str, Any] = {
        "model": entry.handle.record.engine_model_id,
        "messages": [{"role": "user", "content": PROMPT}],
        "max_tokens": tokens,
        "stream": True,
    }
    if entry.engine == "llama.cpp":
        body.update(temperature=0, ignore_eos=True)  # greedy and the full length, as transformers' config is
    sent = time.perf_counter()
    stamps: list[float] = []
    async with client.stream("POST", f"{entry.handle.base_url}/v1/chat/completions", json=body, timeout=300) as r:
        r.raise_for_status()
        async for line in r.aiter_lines():
            if not line.startswith("data:") or line.strip() == "data: [DONE]":
                continue
            chunk = json.loads(line[5:])
            choices = chunk.get("choices") or []
            if choices and (choices[0].get("delta") or {}).get("content"):
                stamps.append(time.perf_counter())
    if len(stamps) >= 2:
        entry.ttft.append(stamps[0] - sent)
        entry.decode.append((len(stamps) - 1) / (stamps[-1] - stamps[0]))
        entry.tokens.append(len(stamps))


def predict(entry: Engine, hardware: Any) -> None:
    model = model_detail(entry.folder)
    query = FitQuery(context_length=CONTEXT, engine=entry.engine, quantization=entry.quantization)
    report = estimate_fit(model, query, hardware)
    cpu = next(t for t in report.local if t.kind == "local-cpu")
    entry.predicted = cpu.tokens_per_s
    entry.weights_gb = report.weights_gb


def fmt(value: float | None, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def ratio(value: float | None, reference: float | None) -> str:
    return "—" if value is None or not reference else f"{value / reference:.2f}×"


async def bench(args: argparse.Namespace) -> None:
    wall = time.perf_counter()
    source, ggufs = await prepare(args.layers, args.hidden, args.fresh)
    hardware = await asyncio.to_thread(detect_hardware)
    params = model_detail(source).parameter_count or 0
    print(
        f"\nmodel: random-weight Llama, {args.layers} layers × {args.hidden} hidden, {params / 1e6:.1f} M parameters; "
        f"CPU: {hardware.cpu_count} cores, RAM bandwidth {hardware.memory_bandwidth_gb_s} GB/s (one thread's "
        f"memory copy, measured once); {args.rounds} rounds × {args.tokens} tokens each; load average "
        f"{os.getloadavg()[0]:.1f} (other work on this machine slows every engine alike, rounds interleaved)\n",
        flush=True,
    )
    entries = [
        Engine("transformers fp32", "transformers", source, "float32", ["--dtype", "float32"]),
        Engine("transformers bf16", "transformers", source, "bfloat16", ["--dtype", "bfloat16"]),
        Engine("llama.cpp Q8_0", "llama.cpp", ggufs["Q8_0"], "Q8_0"),
        Engine("llama.cpp Q4_K_M", "llama.cpp", ggufs["Q4_K_M"], "Q4_K_M"),
    ]
    for entry in entries:
        predict(entry, hardware)
    with tempfile.TemporaryDirectory() as logs:
        try:
            for entry in entries:  # one at a time: a start takes the CPU the others would be measured on
                await start(entry, Path(logs))
            running = [e for e in entries if e.handle is not None]
            async with httpx.AsyncClient(trust_env=False) as client:
                for _ in range(args.rounds):
                    for entry in running:
                        await one_request(client, entry, args.tokens)
            for entry in running:
                assert entry.handle is not None
                entry.rss_mb = rss_mb(entry.handle.pgid)
        finally:
            await asyncio.gather(*(engines.stop(e.handle) for e in entries if e.handle is not None))

    reference = entries[0]
    med = {
        id(e): (statistics.median(e.ttft) if e.ttft else None, statistics.median(e.decode) if e.decode else None)
        for e in entries
    }
    head = (
        f"{'engine':<19} {'weights':>8} {'ACTIVE s':>9} {'TTFT ms':>8} {'decode t/s':>10} {'RSS MB':>7} "
        f"{'fit t/s':>8} {'meas/fit':>8} │ {'ACTIVE':>6} {'TTFT':>6} {'decode':>7} {'RSS':>6}"
    )
    print(head)
    print("─" * len(head))
    ref_ttft, ref_decode = med[id(reference)]
    for e in entries:
        ttft, decode = med[id(e)]
        if e.error:
            print(f"{e.label:<19} failed: {e.error}")
            continue
        print(
            f"{e.label:<19} {fmt(e.weights_gb, '>6.2f')} GB {fmt(e.active_s, '>9.1f')} "
            f"{fmt(ttft * 1000 if ttft else None, '>8.0f')} {fmt(decode, '>10.1f')} {fmt(e.rss_mb, '>7.0f')} "
            f"{fmt(e.predicted, '>8.1f')} {ratio(decode, e.predicted):>8} │ "
            f"{ratio(e.active_s, reference.active_s):>6} {ratio(ttft, ref_ttft):>6} {ratio(decode, ref_decode):>7} "
            f"{ratio(e.rss_mb, reference.rss_mb):>6}"
        )
    tokens = sorted({t for e in entries for t in e.tokens})
    print(
        f"\nratios (right) are to {reference.label}; tokens per answer seen: {tokens}. "
        "fit t/s: the memory fit's CPU estimate (bandwidth ÷ (weights + KV cache)), an upper bound for one "
        "thread's copy bandwidth; meas/fit above 1 means the engine's threads read faster than one thread "
        f"copies. Load average at the end: {os.getloadavg()[0]:.1f}. Whole run: {time.perf_counter() - wall:.0f} s."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--layers", type=int, default=8)
    parser.add_argument("--hidden", type=int, default=1024)
    parser.add_argument("--tokens", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--fresh", action="store_true", help="generate and convert the model again")
    asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    main()
