#!/usr/bin/env python
"""Model explorer benchmark: a real `jupyter lab` with 2,000 registered models seeded into
a fresh data dir, measured over HTTP and in Debian's Chromium.

    python bench/explorer.py [--models 2000] [--requests 200] [--keep]

Prints, each with its target and a verdict (benchmarks print, they never assert):
  - GET aqua-ext/models: p50 / p95 / max over sequential requests (after 5 warm-ups);
  - first render: from executing `aqua-ext:open` to the first visible model card, median of 5;
  - per keystroke: from the input event to the DOM showing the filtered result (and to the
    next painted frame), median and p95 over 48 keystrokes.

The server is started by tests/e2e/lab_server.py, the module the browser tests use.
Run it with the project's venv (`.venv/bin/python bench/explorer.py`), where aqua_ext and
its labextension are installed.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bootstrap import use_repo_environment

use_repo_environment(__file__, ("aiosqlite", "httpx", "jupyterlab", "playwright"))

from tests.e2e.lab_server import LabServer, launch_chromium, missing_prerequisites, open_lab  # noqa: E402

TARGET_SERVER_P50_MS = 30.0
TARGET_FIRST_RENDER_MS = 1000.0
TARGET_KEYSTROKE_MS = 50.0
WARMUPS = 5
RENDER_RUNS = 5
# Eight 6-character queries over the seeded vocabulary (48 keystrokes), picked so that many
# keystrokes narrow the list: only those show how long the DOM takes to follow.
QUERIES = ("llama3", "8b-ins", "14b-ft", "med 7b", "phi-4 ", "smolvl", "sql 7b", "coder ")

# ---- seeding -------------------------------------------------------------------------

FAMILIES: dict[str, list[tuple[str, str, str]]] = {
    # capability: (organization, family, license)
    "TEXT_TO_TEXT": [
        ("meta-llama", "Llama-3.1", "llama3.1"),
        ("meta-llama", "Llama-3.2", "llama3.2"),
        ("Qwen", "Qwen2.5", "apache-2.0"),
        ("Qwen", "Qwen2.5-Coder", "apache-2.0"),
        ("mistralai", "Mistral", "apache-2.0"),
        ("mistralai", "Mixtral", "apache-2.0"),
        ("google", "gemma-2", "gemma"),
        ("microsoft", "Phi-3.5", "mit"),
        ("microsoft", "Phi-4", "mit"),
        ("deepseek-ai", "DeepSeek-R1-Distill", "mit"),
        ("ibm-granite", "granite-3.1", "apache-2.0"),
        ("HuggingFaceTB", "SmolLM2", "apache-2.0"),
        ("tiiuae", "Falcon3", "falcon-llm"),
        ("allenai", "OLMo-2", "apache-2.0"),
        ("01-ai", "Yi-1.5", "apache-2.0"),
    ],
    "IMAGE_TEXT_TO_TEXT": [
        ("Qwen", "Qwen2-VL", "apache-2.0"),
        ("meta-llama", "Llama-3.2-Vision", "llama3.2"),
        ("HuggingFaceTB", "SmolVLM", "apache-2.0"),
        ("microsoft", "Phi-3.5-vision", "mit"),
    ],
    "EMBEDDING": [
        ("BAAI", "bge", "mit"),
        ("intfloat", "e5", "mit"),
        ("sentence-transformers", "all-MiniLM", "apache-2.0"),
        ("nomic-ai", "nomic-embed-text", "apache-2.0"),
        ("Snowflake", "snowflake-arctic-embed", "apache-2.0"),
    ],
    "RERANK": [
        ("BAAI", "bge-reranker", "apache-2.0"),
        ("mixedbread-ai", "mxbai-rerank", "apache-2.0"),
        ("jinaai", "jina-reranker", "cc-by-nc-4.0"),
    ],
}
CAPABILITY_WEIGHTS = {"TEXT_TO_TEXT": 70, "IMAGE_TEXT_TO_TEXT": 8, "EMBEDDING": 14, "RERANK": 8}
TEXT_SIZES_B = [0.135, 0.36, 0.5, 1, 1.5, 1.7, 3, 7, 8, 9, 13, 14, 27, 32, 70]
SMALL_SIZES_B = [0.022, 0.033, 0.11, 0.137, 0.335, 0.568]
VARIANTS = [
    "Instruct",
    "Chat",
    "Base",
    "it",
    "Math",
    "sft",
    "dpo",
    "lora-merged",
    "ft-legal",
    "ft-support",
    "ft-sql",
    "ft-medical",
    "distilled",
    "long-context",
]
TASKS = {
    "TEXT_TO_TEXT": "text-generation",
    "IMAGE_TEXT_TO_TEXT": "image-text-to-text",
    "EMBEDDING": "feature-extraction",
    "RERANK": "text-ranking",
}


def _size_label(billions: float) -> str:
    return f"{billions:g}B" if billions >= 1 else f"{round(billions * 1000)}M"


def seed_rows(count: int, rng: random.Random) -> list[Any]:
    from aqua_ext.backends.local.store import ModelRow

    capabilities = list(CAPABILITY_WEIGHTS)
    weights = list(CAPABILITY_WEIGHTS.values())
    now = datetime.now(timezone.utc)
    rows = []
    for i in range(count):
        capability = rng.choices(capabilities, weights)[0]
        org, family, license_ = rng.choice(FAMILIES[capability])
        text_like = capability in ("TEXT_TO_TEXT", "IMAGE_TEXT_TO_TEXT")
        billions = rng.choice(TEXT_SIZES_B if text_like else SMALL_SIZES_B)
        params = int(billions * 1e9 * rng.uniform(0.93, 1.07))
        variant = rng.choice(VARIANTS) if text_like else rng.choice(["v1.5", "base", "large", "small", "v2"])
        name = f"{family}-{_size_label(billions)}-{variant}-{i:04d}"
        gguf = text_like and rng.random() < 0.2
        formats = (
            ["gguf"] if gguf else (["safetensors", "gguf"] if text_like and rng.random() < 0.1 else ["safetensors"])
        )
        bytes_per_param = 0.56 if gguf else 2
        layers = max(2, int(8 * math.log2(max(params / 1e8, 2))))
        hidden = 256 * max(1, int(math.sqrt(params / (12 * layers)) / 256))
        heads = max(1, hidden // 128)
        from_hub = rng.random() < 0.4
        slug = name.lower()
        rows.append(
            ModelRow(
                id=f"reg:{rng.getrandbits(48):012x}",
                name=name,
                origin="huggingface" if from_hub else "local_folder",
                path=f"/data/models/{'hf--' + org + '--' if from_hub else ''}{slug}",
                owns_path=from_hub,
                hf_id=f"{org}/{name}" if from_hub else None,
                revision=f"{rng.getrandbits(160):040x}" if from_hub else None,
                summary={
                    "organization": org if from_hub else None,
                    "license": license_ if rng.random() < 0.8 else None,
                    "task": TASKS[capability],
                    "capability": capability,
                    "parameter_count": params,
                    "context_length": rng.choice([512, 8192, 32768, 131072]) if text_like else rng.choice([512, 8192]),
                    "formats": formats,
                    "size_bytes": int(params * bytes_per_param),
                    "architecture": {
                        "model_type": family.split("-")[0].lower(),
                        "num_hidden_layers": layers,
                        "hidden_size": hidden,
                        "num_attention_heads": heads,
                        "num_key_value_heads": max(1, heads // 4),
                        "head_dim": 128,
                        "torch_dtype": "bfloat16",
                    },
                    "ready_to_deploy": True,
                    "ready_to_finetune": capability == "TEXT_TO_TEXT" and not gguf,
                    "notes": [],
                },
                created_at=now - timedelta(minutes=rng.randrange(0, 525_600)),
            )
        )
    return rows


async def seed(data_dir: Path, count: int) -> None:
    from aqua_ext.backends.local.store import Store

    store = Store(data_dir / "state.db")
    await store.open()
    try:
        await store.insert_models(seed_rows(count, random.Random(20240601)))
    finally:
        await store.close()


# ---- measuring -----------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"


def bench_http(server: LabServer, requests: int) -> tuple[int, list[float]]:
    import httpx

    url = f"{server.url}/aqua-ext/models"
    with httpx.Client(headers={"Authorization": f"token {server.token}"}, timeout=60) as client:
        total = 0
        for _ in range(WARMUPS):
            response = client.get(url)
            response.raise_for_status()
            total = response.json()["total"]
        times = []
        for _ in range(requests):
            start = time.perf_counter()
            response = client.get(url)
            _ = response.content
            times.append((time.perf_counter() - start) * 1000)
            response.raise_for_status()
    return total, times


FIRST_RENDER_JS = """
async () => {
  const visibleCard = () => {
    const card = document.querySelector('.jp-AquaExt-App-explorer:not([hidden]) .jp-AquaExt-ModelCard');
    if (!card) return false;
    const box = card.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < window.innerHeight;
  };
  const t0 = performance.now();
  const inDom = new Promise((resolve, reject) => {
    const observer = new MutationObserver(() => {
      if (visibleCard()) { observer.disconnect(); resolve(performance.now()); }
    });
    observer.observe(document.body, { childList: true, subtree: true, attributes: true });
    setTimeout(() => { observer.disconnect(); reject(new Error('no model card within 30 s')); }, 30000);
  });
  await window.jupyterapp.commands.execute('aqua-ext:open');
  const tDom = await inDom;
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return { dom: tDom - t0, painted: performance.now() - t0 };
}
"""

CLOSE_PANEL_JS = """
async () => {
  for (const widget of Array.from(window.jupyterapp.shell.widgets('main'))) {
    if (widget.id === 'aqua-ext-main') widget.dispose();
  }
  while (document.getElementById('aqua-ext-main')) await new Promise(r => setTimeout(r, 10));
}
"""

KEYSTROKE_JS = """
async ({ value, expected }) => {
  const root = document.querySelector('.jp-AquaExt-App-explorer:not([hidden])');
  const input = root.querySelector('input[aria-label="Search models"]');
  const count = root.querySelector('.jp-AquaExt-ModelExplorer-count');
  const shown = () => parseInt(count.textContent.replace(/[^0-9].*$/s, ''), 10);
  const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
  const t0 = performance.now();
  setValue.call(input, value);
  input.dispatchEvent(new Event('input', { bubbles: true }));
  const tDom = await new Promise((resolve, reject) => {
    // React commits after the event handler returns: an unchanged count is checked in a microtask.
    const observer = new MutationObserver(() => {
      if (shown() === expected) { observer.disconnect(); resolve(performance.now()); }
    });
    observer.observe(count, { childList: true, subtree: true, characterData: true });
    queueMicrotask(() => {
      if (shown() === expected) { observer.disconnect(); resolve(performance.now()); }
    });
    setTimeout(() => {
      observer.disconnect();
      reject(new Error(`count never showed ${expected} for "${value}" (shows ${count.textContent})`));
    }, 5000);
  });
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return { dom: tDom - t0, painted: performance.now() - t0 };
}
"""


def search_text(model: dict[str, Any]) -> str:
    """As the frontend's searchText(): the fields it searches, lowercased."""
    parts = [
        model.get("name"),
        model.get("hf_id"),
        model.get("organization"),
        model.get("task"),
        model.get("description"),
        *(model.get("tags") or []),
    ]
    return " ".join(p for p in parts if p).lower()


def expected_count(texts: list[str], query: str) -> int:
    words = query.lower().split()
    return sum(1 for text in texts if all(word in text for word in words))


def bench_browser(server: LabServer) -> tuple[list[dict[str, float]], list[dict[str, Any]], list[str]]:
    from playwright.sync_api import sync_playwright

    _, body = server.get("aqua-ext/models")
    texts = [search_text(m) for m in body["items"]]
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
            open_lab(page, server)
            renders = []
            for _ in range(RENDER_RUNS):
                page.evaluate(CLOSE_PANEL_JS)
                renders.append(page.evaluate(FIRST_RENDER_JS))
            page.wait_for_selector(".jp-AquaExt-App-explorer:not([hidden]) .jp-AquaExt-ModelCard")
            keys = []
            for query in QUERIES:
                page.evaluate(KEYSTROKE_JS, {"value": "", "expected": len(texts)})  # clear, not measured
                page.wait_for_timeout(100)
                previous = len(texts)
                for n in range(1, len(query) + 1):
                    prefix = query[:n]
                    expected = expected_count(texts, prefix)
                    try:
                        key = page.evaluate(KEYSTROKE_JS, {"value": prefix, "expected": expected})
                        keys.append({**key, "narrowed": expected != previous})
                        previous = expected
                    except Exception as exc:  # a benchmark reports, it does not stop
                        problems.append(str(exc).splitlines()[0])
        finally:
            browser.close()
    return renders, keys, problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=int, default=2000, help="registered models to seed (default 2000)")
    parser.add_argument("--requests", type=int, default=200, help="timed GET requests (default 200)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders (and the server log)")
    args = parser.parse_args()

    missing = missing_prerequisites()
    if missing:
        print("cannot run the explorer benchmark: " + "; ".join(missing), file=sys.stderr)
        return 2

    tmp = tempfile.mkdtemp(prefix="aqua-bench-explorer-")
    server = LabServer(Path(tmp))
    server.prepare()
    start = time.perf_counter()
    asyncio.run(seed(server.data_dir, args.models))
    print(f"seeded {args.models:,} registered models in {time.perf_counter() - start:.2f} s")

    start = time.perf_counter()
    with server:
        print(
            f"jupyter lab answered /api/status after {time.perf_counter() - start:.1f} s "
            f"(python {sys.version.split()[0]}, {server.url})"
        )
        total, times = bench_http(server, args.requests)
        p50 = statistics.median(times)
        print(
            f"GET aqua-ext/models ({total:,} models, {args.requests} requests): p50 {p50:.1f} ms  "
            f"p95 {percentile(times, 95):.1f} ms  max {max(times):.1f} ms  "
            f"target ≤ {TARGET_SERVER_P50_MS:.0f} ms p50: {verdict(p50 <= TARGET_SERVER_P50_MS)}"
        )

        renders, keys, problems = bench_browser(server)
    if not args.keep:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print(f"kept {tmp}")

    painted = [r["painted"] for r in renders]
    first = statistics.median(painted)
    print(
        f"first render (aqua-ext:open → first visible card, {len(renders)} runs): median {first:.0f} ms  "
        f"(card in DOM: median {statistics.median(r['dom'] for r in renders):.0f} ms; runs "
        + ", ".join(f"{v:.0f}" for v in painted)
        + f" ms)  target ≤ {TARGET_FIRST_RENDER_MS / 1000:g} s: {verdict(first <= TARGET_FIRST_RENDER_MS)}"
    )
    if keys:
        # A keystroke that leaves the count as it was is "reflected" at once: only the others time the DOM.
        dom = [k["dom"] for k in keys if k["narrowed"]] or [math.nan]
        paint = [k["painted"] for k in keys]
        key_p50 = statistics.median(paint)
        print(
            f"filter keystroke ({len(keys)} keys, queries {', '.join(repr(q) for q in QUERIES)}): "
            f"input event → filtered count and grid in the DOM ({len(dom)} keys that changed the count) "
            f"p50 {statistics.median(dom):.1f} ms  p95 {percentile(dom, 95):.1f} ms  max {max(dom):.1f} ms; "
            f"→ next painted frame (all keys) p50 {key_p50:.1f} ms  p95 {percentile(paint, 95):.1f} ms  "
            f"target ≤ {TARGET_KEYSTROKE_MS:.0f} ms per keystroke (painted, p95): "
            f"{verdict(percentile(paint, 95) <= TARGET_KEYSTROKE_MS)}"
        )
    for problem in problems:
        print(f"  problem: {problem}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
