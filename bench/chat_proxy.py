#!/usr/bin/env python
"""Chat proxy benchmark — PROXY PRIMITIVE (no Jupyter route yet).

    python bench/chat_proxy.py [--tokens 256] [--streams-c1 40] [--rounds-c32 6]

Three processes, as in real use (engine, Jupyter server, browser):
  - the stub upstream (`python -m tests.stub_upstream`) streams N tokens as fast as it can;
  - a minimal tornado app (this file with `--serve-proxy`) that does what the future
    `POST aqua-ext/deployments/{id}/chat` handler will: `StreamLimiter` slot →
    `stream_chat` → `format_event` per delta + flush → `event: done`; the upstream task is
    cancelled in `on_connection_close`. It is NOT mounted in jupyter server (no route yet);
  - this process, the client: httpx + `SseParser`, the same parsing work for both paths.

Measured side by side in one run, direct (client → stub) vs proxied (client → proxy → stub),
at concurrency 1 and 32, rounds interleaved: aggregate tokens/s and p50 time to first token;
plus `GET /status` latency on the proxy while 32 streams run (event-loop health).
Targets: throughput ratio ≥ 0.95, added TTFT ≤ 5 ms at p50, status p99 ≤ 50 ms.
Benchmarks print, they never assert.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bootstrap import REPO_ROOT, use_repo_environment  # noqa: E402

use_repo_environment(__file__, ("httpx", "tornado"))

import httpx  # noqa: E402

from aqua_ext.errors import AquaError  # noqa: E402
from aqua_ext.services.chat_stream import ChatDelta, ChatDone, StreamLimiter, stream_chat  # noqa: E402
from aqua_ext.services.sse import SseParser, format_event  # noqa: E402

TARGET_THROUGHPUT_RATIO = 0.95
TARGET_ADDED_TTFT_MS = 5.0
TARGET_STATUS_P99_MS = 50.0
LABEL = "proxy primitive (no Jupyter route yet)"


# ---- the proxy process -------------------------------------------------------------


def serve_proxy(upstream: str, max_streams: int) -> None:
    from tornado import httpserver, netutil, web

    logging.getLogger("tornado.access").setLevel(logging.WARNING)

    class ChatHandler(web.RequestHandler):
        def initialize(self, client: httpx.AsyncClient, limiter: StreamLimiter) -> None:
            self.client = client
            self.limiter = limiter
            self.task: asyncio.Task[None] | None = None

        def on_connection_close(self) -> None:
            if self.task is not None:
                self.task.cancel()

        # Coalesced flushing: deltas parsed from one upstream read are written together and
        # flushed once, when stream_chat next waits on the network (call_soon runs then). One
        # token per read (the usual case at low load) still goes out at once; under load fewer,
        # larger writes. Backpressure: a slow client makes us wait on the previous flush once
        # about FLUSH_BACKLOG bytes (counted as ~64 bytes per delta) are pending.
        FLUSH_BACKLOG = 64 * 1024
        _flush_pending = False
        _last_flush: "asyncio.Future[None] | None" = None
        _unflushed = 0

        def _do_flush(self) -> None:
            self._flush_pending = False
            self._unflushed = 0
            if self.request.connection is None or self._finished:
                return
            fut = self.flush()
            fut.add_done_callback(lambda f: f.cancelled() or f.exception())
            self._last_flush = fut

        async def _flush_soon(self) -> None:
            self._unflushed += 1
            if not self._flush_pending:
                self._flush_pending = True
                asyncio.get_running_loop().call_soon(self._do_flush)
            last = self._last_flush
            if last is not None and not last.done() and self._unflushed * 64 > self.FLUSH_BACKLOG:
                await last

        async def post(self) -> None:
            payload = json.loads(self.request.body)
            self.task = asyncio.create_task(self._stream(payload))
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

        async def _stream(self, payload: dict[str, Any]) -> None:
            self.set_header("Content-Type", "text/event-stream")
            self.set_header("Cache-Control", "no-cache")
            self.set_header("X-Accel-Buffering", "no")
            try:
                async with self.limiter.slot():
                    async with contextlib.aclosing(stream_chat(self.client, upstream + "/v1/chat/completions",
                                                               payload, first_byte_timeout=30,
                                                               idle_timeout=30)) as stream:
                        async for item in stream:
                            if isinstance(item, ChatDelta):
                                if item.content:
                                    self.write(format_event({"content": item.content}))
                                    await self._flush_soon()
                            elif isinstance(item, ChatDone):
                                self.write(format_event(item.to_dict(), event="done"))
            except AquaError as exc:
                self.write(format_event({"status": exc.status, "message": exc.message}, event="error"))
            self.finish()

    class StatusHandler(web.RequestHandler):
        def get(self) -> None:
            self.finish({"ok": True})

    async def main() -> None:
        client = httpx.AsyncClient(limits=httpx.Limits(max_connections=256, max_keepalive_connections=64),
                                   timeout=httpx.Timeout(30.0))
        limiter = StreamLimiter(max_streams, max_wait_s=30)
        app = web.Application([(r"/chat", ChatHandler, {"client": client, "limiter": limiter}),
                               (r"/status", StatusHandler)])
        sockets = netutil.bind_sockets(0, "127.0.0.1")
        httpserver.HTTPServer(app).add_sockets(sockets)
        print(f"PORT {sockets[0].getsockname()[1]}", flush=True)
        await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())


# ---- the client (this process) -----------------------------------------------------


def spawn(args: list[str]) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen([sys.executable, *args], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}, start_new_session=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("PORT "):
        proc.kill()
        raise SystemExit(f"{args} did not start: {line!r}")
    return proc, int(line.split()[1])


async def one_stream(client: httpx.AsyncClient, url: str, payload: dict[str, Any], proxied: bool) -> tuple[int, float]:
    """Returns (content tokens received, time to first content token in s)."""
    parser = SseParser()
    tokens = 0
    ttft = float("nan")
    started = time.perf_counter()
    async with client.stream("POST", url, json=payload) as response:
        response.raise_for_status()
        async for chunk in response.aiter_raw():
            for event in parser.feed(chunk):
                if event.data == "[DONE]" or event.event == "done":
                    continue
                if event.event == "error":
                    raise RuntimeError(event.data)
                obj = json.loads(event.data)
                text = obj.get("content") if proxied else (obj["choices"][0].get("delta") or {}).get("content")
                if text:
                    if tokens == 0:
                        ttft = time.perf_counter() - started
                    tokens += 1
    parser.close()
    return tokens, ttft


async def run_round(client: httpx.AsyncClient, url: str, payload: dict[str, Any], proxied: bool,
                    concurrency: int) -> tuple[int, float, list[float]]:
    started = time.perf_counter()
    results = await asyncio.gather(*(one_stream(client, url, payload, proxied) for _ in range(concurrency)))
    wall = time.perf_counter() - started
    return sum(r[0] for r in results), wall, [r[1] for r in results]


async def poll_status(client: httpx.AsyncClient, url: str, stop: asyncio.Event, out: list[float]) -> None:
    while not stop.is_set():
        t = time.perf_counter()
        r = await client.get(url)
        r.raise_for_status()
        out.append(time.perf_counter() - t)
        await asyncio.sleep(0.01)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), 0 where unavailable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q / 100 * (len(values) - 1))))]


async def bench(stub_port: int, proxy_port: int, proxy_pid: int, args: argparse.Namespace) -> None:
    direct_url = f"http://127.0.0.1:{stub_port}/v1/chat/completions"
    proxy_url = f"http://127.0.0.1:{proxy_port}/chat"
    payload = {"model": "stub", "messages": [{"role": "user", "content": "hi"}], "stream": True,
               "max_tokens": args.tokens, "stub": {"token_delay": args.token_delay}}
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=64)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        for proxied, url in ((False, direct_url), (True, proxy_url)):  # warm-up: 32 pooled connections each
            await run_round(client, url, payload, proxied, 32)

        print(f"chat proxy bench — {LABEL}")
        rate = "as fast as it can" if not args.token_delay else f"{args.token_delay * 1000:g} ms between tokens"
        print(f"  stub upstream: {args.tokens} tokens per stream, {rate}; client: httpx + SseParser; "
              f"3 processes; {os.cpu_count()} CPUs")
        for concurrency, rounds in ((1, args.streams_c1), (32, args.rounds_c32)):
            stats: dict[bool, dict[str, Any]] = {False: {"tokens": 0, "wall": 0.0, "ttft": []},
                                                 True: {"tokens": 0, "wall": 0.0, "ttft": []}}
            status_lat: list[float] = []
            proxy_cpu = 0.0
            for r in range(rounds):
                order = (False, True) if r % 2 == 0 else (True, False)  # interleaved, alternating first
                for proxied in order:
                    url = proxy_url if proxied else direct_url
                    stop = asyncio.Event()
                    poller = None
                    if proxied and concurrency > 1:
                        poller = asyncio.create_task(
                            poll_status(client, f"http://127.0.0.1:{proxy_port}/status", stop, status_lat))
                    cpu_before = cpu_seconds(proxy_pid)
                    tokens, wall, ttfts = await run_round(client, url, payload, proxied, concurrency)
                    if proxied:
                        proxy_cpu += cpu_seconds(proxy_pid) - cpu_before
                    stop.set()
                    if poller is not None:
                        await poller
                    s = stats[proxied]
                    s["tokens"] += tokens
                    s["wall"] += wall
                    s["ttft"] += ttfts
            d, p = stats[False], stats[True]
            d_tps, p_tps = d["tokens"] / d["wall"], p["tokens"] / p["wall"]
            d_ttft, p_ttft = statistics.median(d["ttft"]) * 1000, statistics.median(p["ttft"]) * 1000
            ratio, added = p_tps / d_tps, p_ttft - d_ttft
            n_streams = len(d["ttft"])
            print(f"\n  concurrency {concurrency} ({n_streams} streams per path, "
                  f"{d['tokens']} / {p['tokens']} tokens received direct / proxied)")
            print(f"    tokens/s   direct {d_tps:10.0f}   proxied {p_tps:10.0f}   ratio {ratio:.3f}"
                  f"   (target ≥ {TARGET_THROUGHPUT_RATIO}) {'OK' if ratio >= TARGET_THROUGHPUT_RATIO else 'MISS'}")
            print(f"    TTFT p50   direct {d_ttft:8.2f} ms  proxied {p_ttft:8.2f} ms  added {added:+.2f} ms"
                  f"   (target ≤ {TARGET_ADDED_TTFT_MS:g} ms) {'OK' if added <= TARGET_ADDED_TTFT_MS else 'MISS'}")
            if proxy_cpu:
                us = proxy_cpu / p["tokens"] * 1e6
                print(f"    proxy process CPU: {us:.1f} µs per token  (one core sustains ≈ {1e6 / us:,.0f} tokens/s;"
                      f" busy {proxy_cpu / p['wall'] * 100:.0f}% of a core during the proxied rounds)")
            if status_lat:
                p99 = pct(status_lat, 99) * 1000
                print(f"    proxy GET /status while {concurrency} streams run: p50 {pct(status_lat, 50) * 1000:.2f} ms"
                      f"  p99 {p99:.2f} ms over {len(status_lat)} requests   (target ≤ {TARGET_STATUS_P99_MS:g} ms)"
                      f" {'OK' if p99 <= TARGET_STATUS_P99_MS else 'MISS'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=256, help="tokens per stream")
    parser.add_argument("--streams-c1", type=int, default=40, help="sequential streams per path at concurrency 1")
    parser.add_argument("--rounds-c32", type=int, default=6, help="rounds of 32 concurrent streams per path")
    parser.add_argument("--token-delay", type=float, default=0.0,
                        help="seconds between tokens at the stub (0 = as fast as it can; 0.01 ≈ a 100 tok/s engine)")
    parser.add_argument("--serve-proxy", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--upstream", help=argparse.SUPPRESS)
    parser.add_argument("--max-streams", type=int, default=64, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_proxy:
        serve_proxy(args.upstream, args.max_streams)
        return

    procs: list[subprocess.Popen[str]] = []
    try:
        stub, stub_port = spawn(["-m", "tests.stub_upstream"])
        procs.append(stub)
        proxy, proxy_port = spawn([str(Path(__file__).resolve()), "--serve-proxy",
                                   "--upstream", f"http://127.0.0.1:{stub_port}"])
        procs.append(proxy)
        asyncio.run(bench(stub_port, proxy_port, proxy.pid, args))
    finally:
        for proc in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(5)


if __name__ == "__main__":
    main()
