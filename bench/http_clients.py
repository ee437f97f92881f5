#!/usr/bin/env python
"""CPU per token of each candidate HTTP client for the proxy's hot path, reading the same stream.

    python bench/http_clients.py [--tokens 256] [--concurrency 32] [--rounds 8]

The stub upstream (`python -m tests.stub_upstream`, its own process) streams N tokens as fast as it
can, one SSE event per write, as vLLM does; this process reads them with httpx (`aiter_raw`),
aiohttp (`content.iter_any`) and tornado's `AsyncHTTPClient` (`streaming_callback`), rounds
interleaved, and prints this process's CPU per token for each: the client's own cost of relaying
(services/engine_wire.py says which one the server uses, and why). Benchmarks print, never assert.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bootstrap import REPO_ROOT, use_repo_environment

use_repo_environment(__file__, ("httpx", "aiohttp", "tornado"))

import aiohttp  # noqa: E402
import httpx  # noqa: E402
from tornado.httpclient import AsyncHTTPClient, HTTPRequest  # noqa: E402


def cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system


async def bench(port: int, args: argparse.Namespace) -> None:
    url = f"http://127.0.0.1:{port}/v1/chat/completions"
    body = json.dumps(
        {"model": "m", "messages": [{"role": "user", "content": "hi"}], "stream": True, "max_tokens": args.tokens}
    ).encode()
    headers = {"Content-Type": "application/json"}
    limit = args.concurrency * 2
    hx = httpx.AsyncClient(trust_env=False, limits=httpx.Limits(max_connections=limit))
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=limit))
    AsyncHTTPClient.configure(None, max_clients=limit)
    tornado_client = AsyncHTTPClient()

    async def with_httpx() -> int:
        n = 0
        async with hx.stream("POST", url, content=body, headers=headers) as r:
            async for chunk in r.aiter_raw():
                n += chunk.count(b"data:")
        return n

    async def with_aiohttp() -> int:
        n = 0
        async with session.post(url, data=body, headers=headers) as r:
            async for chunk in r.content.iter_any():
                n += chunk.count(b"data:")
        return n

    async def with_tornado() -> int:
        n = 0

        def on_chunk(chunk: bytes) -> None:
            nonlocal n
            n += chunk.count(b"data:")

        request = HTTPRequest(url, method="POST", body=body, headers=headers, streaming_callback=on_chunk)
        await tornado_client.fetch(request)
        return n

    clients: dict[str, Callable[[], Awaitable[int]]] = {
        "httpx": with_httpx,
        "aiohttp": with_aiohttp,
        "tornado": with_tornado,
    }
    totals = {name: [0, 0.0] for name in clients}
    try:
        for r in range(args.rounds + 1):  # round 0 warms the pools up
            for name, read in clients.items():
                before = cpu_seconds()
                counts = await asyncio.gather(*(read() for _ in range(args.concurrency)))
                if r:
                    totals[name][0] += sum(counts)
                    totals[name][1] += cpu_seconds() - before
    finally:
        await hx.aclose()
        await session.close()
        tornado_client.close()
    print(
        f"HTTP clients reading a stub stream: {args.tokens} tokens × {args.concurrency} concurrent × {args.rounds} "
        f"rounds; {os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    for name, (tokens, cpu) in totals.items():
        print(f"  {name:<8} {cpu / tokens * 1e6:6.1f} µs CPU per token  ({tokens} tokens)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=256)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    stub = subprocess.Popen(
        [sys.executable, "-m", "tests.stub_upstream"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    try:
        assert stub.stdout is not None
        port = int(stub.stdout.readline().split()[1])
        asyncio.run(bench(port, args))
    finally:
        stub.terminate()
        stub.wait(10)


if __name__ == "__main__":
    main()
