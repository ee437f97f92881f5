#!/usr/bin/env python
"""Chat proxy benchmark, through the real Jupyter routes.

    python bench/chat_proxy.py [--tokens 256] [--streams-c1 40] [--rounds-c32 6] [--token-delay 0]
                               [--paced-delay 0.01] [--rounds-paced 3] [--profile-server FILE]

Three processes, as in real use (engine, Jupyter server, browser or OpenAI client):
  - the stub upstream (`python -m tests.stub_upstream`) streams N tokens as fast as it can
    (OpenAI streaming format, like vLLM or `transformers serve`);
  - a real Jupyter server (`jupyter_server.serverapp.ServerApp`, run by this file with
    `--serve-jupyter` in its own process): token auth, temporary root, config and data
    folders, the aqua_ext extension with the handlers it ships. Only its backend is swapped,
    in that process, for a tiny `BenchBackend` whose `upstream()` points deployment `bench`
    at the stub: the streaming handlers ask the backend nothing else, so everything on the
    request path (auth, routing, the stream limiter, the shared httpx pool, `stream_chat`,
    SSE framing and flushing, cancel on disconnect) is the shipped code;
  - this process, the client: a minimal keep-alive HTTP/1.1 client on asyncio streams (httpx
    costs ~5 ms of CPU per request at 32 concurrent streams, enough to hide what is measured)
    + `SseParser`, the same parsing work on every path.

  - a reference relay: 40 lines of aiohttp (server + ClientSession, bytes relayed as they come),
    in a fourth process, the yardstick for "a proxy at wire speed".

Measured side by side, rounds interleaved, at concurrency 1 and 32 against the fast stub, then at
concurrency 32 against a second stub paced like a 100 tokens/s engine (deployment `paced`):
  - direct        client → stub                         POST /v1/chat/completions
  - relay         client → aiohttp relay → stub         POST /<deployment>/v1/chat/completions
  - pass-through  client → Jupyter → stub               POST aqua-ext/deployments/bench/v1/chat/completions
  - playground    client → Jupyter (SSE events) → stub  POST aqua-ext/deployments/bench/chat
  - jupyter floor client → Jupyter → stub               POST bench-floor/<deployment>/v1/chat/completions
                  (the relay's loop as an authenticated Jupyter route, added by this file: what any
                  route in Jupyter costs, so that what aqua_ext adds on top of Jupyter shows apart)
aggregate tokens/s (ratio to direct), p50 time to first token (added over direct), the proxy
process's CPU per token (the relay's, or Jupyter's), the stub's CPU use, and `GET api/status`
latency while 32 paced streams run (the Jupyter event loop's health; polled in the paced phase only,
so that its CPU is not counted as the streams').
Targets (issue 16): each Jupyter path's CPU per token ≤ the relay's; throughput ratio ≥ 0.95 at
concurrency 32 paced; added TTFT p50 ≤ the relay's at concurrency 1 and 32; api/status p99 ≤ 50 ms
during 32 playground streams.
Benchmarks print, they never assert. `--profile-server FILE` writes a cProfile of the
Jupyter process (read it with `python -m pstats FILE`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bootstrap import REPO_ROOT, use_repo_environment

use_repo_environment(__file__, ("httpx", "tornado", "jupyter_server"))

import httpx  # noqa: E402

from aqua_ext.api.sse import SseParser  # noqa: E402

TARGET_THROUGHPUT_RATIO = 0.95
TARGET_STATUS_P99_MS = 50.0
DEPLOYMENT_ID = "bench"
PACED_ID = "paced"
PATHS = ("direct", "relay", "floor", "pass-through", "playground")
LABELS = {
    "direct": "direct        client → stub",
    "relay": "relay         aiohttp, 40 lines",
    "floor": "floor         the relay in Jupyter",
    "pass-through": "pass-through  …/v1/chat/completions",
    "playground": "playground    …/chat (SSE events)",
}


# ---- the Jupyter server process ------------------------------------------------------


def serve_relay(upstreams: dict[str, str], port: int) -> None:
    """The reference: the least a Python relay can do (aiohttp server and client, one shared
    connector, each upstream chunk written as it arrives). No auth, no checks, no counting."""
    from aiohttp import ClientSession, ClientTimeout, TCPConnector, web

    async def relay(request: web.Request) -> web.StreamResponse:
        upstream = upstreams[request.match_info["deployment"]]
        body = await request.read()
        session: ClientSession = request.app["session"]
        async with session.post(
            upstream + "/v1/chat/completions", data=body, headers={"Content-Type": "application/json"}
        ) as answer:
            response = web.StreamResponse(
                status=answer.status, headers={"Content-Type": answer.headers.get("Content-Type", "text/plain")}
            )
            await response.prepare(request)
            async for chunk in answer.content.iter_any():
                await response.write(chunk)
            await response.write_eof()
            return response

    async def session(app: web.Application) -> AsyncIterator[None]:
        app["session"] = ClientSession(connector=TCPConnector(limit=0), timeout=ClientTimeout(sock_read=120))
        yield
        await app["session"].close()

    app = web.Application()
    app.cleanup_ctx.append(session)
    app.router.add_post("/{deployment}/v1/chat/completions", relay)
    print(f"PORT {port}", flush=True)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def serve_jupyter(
    stub_url: str, paced_url: str, port: int, token: str, workdir: Path, profile: str | None = None
) -> None:
    """A real ServerApp with aqua_ext; only the backend is the bench's (in this process only)."""
    from jupyter_server.serverapp import ServerApp

    from aqua_ext.api.deployments import (
        CreateDeploymentRequest,
        CreateDeploymentResponse,
        DeploymentDetail,
        DeploymentSummary,
    )
    from aqua_ext.api.info import BackendDescription
    from aqua_ext.api.logs import LogPage, LogsQuery
    from aqua_ext.api.models import ModelDetail, ModelSummary, RegisterModelRequest, RegisterModelResponse
    from aqua_ext.api.upstream import UpstreamTarget
    from aqua_ext.backends.base import Backend
    from aqua_ext.errors import Conflict, NotFound

    class BenchBackend(Backend):
        """Two ACTIVE chat deployments, `bench` (the fast stub) and `paced` (the paced one); nothing else."""

        kind = "local"

        async def upstream(self, deployment_id: str) -> UpstreamTarget:
            urls = {DEPLOYMENT_ID: stub_url, PACED_ID: paced_url}
            if deployment_id not in urls:
                raise NotFound(f"No deployment with id '{deployment_id}'.")
            return UpstreamTarget(
                deployment_id=deployment_id,
                mode="chat",
                model="stub-model",
                base_url=urls[deployment_id],
                served_model_name=deployment_id,
            )

        async def describe(self) -> BackendDescription:
            return BackendDescription(kind="local", label="bench (stub upstream)", ready=True)

        async def list_models(self, *, refresh: bool = False) -> list[ModelSummary]:
            return []

        async def get_model(self, model_id: str) -> ModelDetail:
            raise NotFound(f"No model with id '{model_id}'.")

        async def register_model(self, request: RegisterModelRequest) -> RegisterModelResponse:
            raise Conflict("not in the bench")

        async def delete_model(self, model_id: str) -> None:
            raise Conflict("not in the bench")

        async def list_deployments(self) -> list[DeploymentSummary]:
            return []

        async def get_deployment(self, deployment_id: str) -> DeploymentDetail:
            raise NotFound(f"No deployment with id '{deployment_id}'.")

        async def resolve_deployment(self, request: CreateDeploymentRequest) -> Any:
            raise Conflict("not in the bench")

        async def create_deployment(self, plan: Any) -> CreateDeploymentResponse:
            raise Conflict("not in the bench")

        async def activate_deployment(self, deployment_id: str) -> CreateDeploymentResponse:
            raise Conflict("not in the bench")

        async def deactivate_deployment(self, deployment_id: str) -> DeploymentDetail:
            raise Conflict("not in the bench")

        async def delete_deployment(self, deployment_id: str) -> None:
            raise Conflict("not in the bench")

        async def deployment_logs(self, deployment_id: str, query: LogsQuery) -> LogPage:
            raise NotFound(f"No deployment with id '{deployment_id}'.")

    from jupyter_server.base.handlers import JupyterHandler
    from jupyter_server.utils import url_path_join
    from tornado import web as tornado_web

    class FloorHandler(JupyterHandler):
        """Jupyter's floor: the relay's loop as an authenticated Jupyter route (token auth, tornado's
        HTTP server and writes), none of aqua_ext's code. What any route in Jupyter costs at least."""

        session: Any = None

        @tornado_web.authenticated
        async def post(self, deployment: str) -> None:
            from aiohttp import ClientSession, ClientTimeout, TCPConnector

            if FloorHandler.session is None:
                FloorHandler.session = ClientSession(
                    connector=TCPConnector(limit=0), timeout=ClientTimeout(sock_read=120)
                )
            upstream = {DEPLOYMENT_ID: stub_url, PACED_ID: paced_url}[deployment]
            async with FloorHandler.session.post(
                upstream + "/v1/chat/completions", data=self.request.body, headers={"Content-Type": "application/json"}
            ) as answer:
                self.set_status(answer.status)
                self.set_header("Content-Type", answer.headers.get("Content-Type", "text/plain"))
                async for chunk in answer.content.iter_any():
                    self.write(chunk)
                    await self.flush()
            self.finish()

    app = ServerApp()
    app.initialize(
        argv=[
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={workdir / 'root'}",
            "--ServerApp.open_browser=False",
            f"--IdentityProvider.token={token}",
            "--ServerApp.log_level=WARN",
            "--ServerApp.allow_root=True",
        ]
    )
    floor_route = url_path_join(app.base_url, "bench-floor/([^/]+)/v1/chat/completions")
    app.web_app.add_handlers(".*$", [(floor_route, FloorHandler)])
    extension = next(iter(app.extension_manager.extension_apps["aqua_ext"]))
    # Before the first request and the start hook, so the shipped `get_backend()` starts this one.
    extension.aqua_backend = BenchBackend(extension.operations)
    print(f"PORT {app.port}", flush=True)
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    with contextlib.suppress(KeyboardInterrupt):
        app.start()
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)


def jupyter_environment(workdir: Path) -> dict[str, str]:
    """Throwaway Jupyter folders, so the user's config and extensions stay out of the measurement."""
    config = workdir / "config"
    config.mkdir(parents=True, exist_ok=True)
    (workdir / "root").mkdir(exist_ok=True)
    (config / "jupyter_server_config.json").write_text(
        json.dumps(
            {
                "ServerApp": {"jpserver_extensions": {"aqua_ext": True}, "allow_unauthenticated_access": False},
                "AquaExtension": {
                    "backend": "local",
                    "data_dir": str(workdir / "aqua-data"),
                    "generate_demo_model": False,
                },
            }
        )
    )
    return {
        "JUPYTER_CONFIG_DIR": str(config),
        "JUPYTER_DATA_DIR": str(workdir / "data"),
        "JUPYTER_RUNTIME_DIR": str(workdir / "runtime"),
        "JUPYTER_PLATFORM_DIRS": "1",
        "JUPYTER_NO_CONFIG": "",
    }


# ---- the client (this process) -----------------------------------------------------


def spawn(args: list[str], log: Path, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], int]:
    """Start a helper process that prints `PORT <n>` when it listens; its stderr goes to `log`."""
    with open(log, "w") as err:
        proc = subprocess.Popen(
            [sys.executable, *args],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT), **(env or {})},
            start_new_session=True,
        )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("PORT "):
        proc.kill()
        proc.wait()
        raise SystemExit(f"{args[0]} did not start: {line!r}\n{log.read_text()[-3000:]}")
    return proc, int(line.split()[1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RawHttp:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams: a request with a JSON body, the
    response body yielded chunk by chunk as it arrives (chunked, sized or until close).

    The client must cost far less than what it measures: httpx spends about 5 ms of CPU per
    request at 32 concurrent streams on this kind of machine, which queues requests in the
    client and hides the proxy's own cost. This one does the same HTTP work for every path."""

    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self._idle: dict[tuple[str, int], list[tuple[asyncio.StreamReader, asyncio.StreamWriter]]] = {}

    async def request(self, method: str, url: str, body: bytes = b"") -> AsyncIterator[bytes]:
        parts = urlsplit(url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        idle = self._idle.setdefault((host, port), [])
        reader, writer = idle.pop() if idle else await asyncio.open_connection(host, port)  # TCP_NODELAY is set
        reusable = False
        try:
            writer.write(
                f"{method} {parts.path}{'?' + parts.query if parts.query else ''} HTTP/1.1\r\n"
                f"Host: {host}:{port}\r\n{self.headers}Content-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            status = int((await reader.readline()).split(b" ", 2)[1])
            headers: dict[bytes, bytes] = {}
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                headers[name.strip().lower()] = value.strip().lower()
            if status != 200:
                raise RuntimeError(f"{method} {url}: {status} {await reader.read(300)!r}")
            if headers.get(b"transfer-encoding") == b"chunked":
                while (size := int((await reader.readline()).split(b";")[0], 16)) > 0:
                    yield (await reader.readexactly(size + 2))[:-2]
                while await reader.readline() not in (b"\r\n", b""):  # trailers
                    pass
                reusable = headers.get(b"connection") != b"close"
            elif b"content-length" in headers:
                yield await reader.readexactly(int(headers[b"content-length"]))
                reusable = headers.get(b"connection") != b"close"
            else:
                while chunk := await reader.read(65536):
                    yield chunk
        finally:
            if reusable:
                idle.append((reader, writer))
            else:
                writer.close()

    async def close(self) -> None:
        for conns in self._idle.values():
            for _, writer in conns:
                writer.close()
        self._idle.clear()


async def one_stream(client: RawHttp, url: str, body: bytes, events: bool) -> tuple[int, float]:
    """Returns (content tokens received, time to first content token in s). `events`: the
    playground's `event: delta` stream; else OpenAI chunks."""
    parser = SseParser()
    tokens = 0
    ttft = float("nan")
    started = time.perf_counter()
    async for chunk in client.request("POST", url, body):
        for event in parser.feed(chunk):
            if events and event.event == "done":
                # The playground may merge the tokens of one network read into one event: its
                # done event's count (the engine's usage) is the number of tokens sent.
                tokens = json.loads(event.data).get("tokens") or tokens
                continue
            if not event.data or event.data == "[DONE]":
                continue
            if event.event == "error":
                raise RuntimeError(event.data)
            obj = json.loads(event.data)
            text = obj.get("content") if events else (obj["choices"][0].get("delta") or {}).get("content")
            if text:
                if tokens == 0:
                    ttft = time.perf_counter() - started
                tokens += 1
    parser.close()
    return tokens, ttft


async def run_round(
    client: RawHttp, url: str, body: bytes, events: bool, concurrency: int
) -> tuple[int, float, list[float]]:
    started = time.perf_counter()
    results = await asyncio.gather(*(one_stream(client, url, body, events) for _ in range(concurrency)))
    wall = time.perf_counter() - started
    return sum(r[0] for r in results), wall, [r[1] for r in results]


async def poll_status(client: RawHttp, url: str, stop: asyncio.Event, out: list[float]) -> None:
    while not stop.is_set():
        t = time.perf_counter()
        async for _ in client.request("GET", url):
            pass
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


def verdict(ok: bool) -> str:
    return "OK" if ok else "MISS"


async def wait_for_server(url: str, proc: subprocess.Popen[str], token: str) -> None:
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient(trust_env=False, headers={"Authorization": f"token {token}"}) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SystemExit(f"the Jupyter server exited ({proc.returncode}); see jupyter.log in the work folder")
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(url)).status_code == 200:
                    return
            await asyncio.sleep(0.2)
    raise SystemExit("the Jupyter server did not answer api/status within 60 s")


def own_cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system


async def bench(
    ports: dict[str, int],
    pids: dict[str, int],
    jupyter_proc: subprocess.Popen[str],
    token: str,
    args: argparse.Namespace,
) -> None:
    jupyter = f"http://127.0.0.1:{ports['jupyter']}"

    def urls(deployment: str) -> dict[str, str]:
        stub = ports["stub"] if deployment == DEPLOYMENT_ID else ports["paced"]
        return {
            "direct": f"http://127.0.0.1:{stub}/v1/chat/completions",
            "relay": f"http://127.0.0.1:{ports['relay']}/{deployment}/v1/chat/completions",
            "floor": f"{jupyter}/bench-floor/{deployment}/v1/chat/completions",
            "pass-through": f"{jupyter}/aqua-ext/deployments/{deployment}/v1/chat/completions",
            "playground": f"{jupyter}/aqua-ext/deployments/{deployment}/chat",
        }

    # Whose CPU a path's cost is: the proxy process it goes through.
    proxy_pid = {
        "direct": None,
        "relay": pids["relay"],
        "floor": pids["jupyter"],
        "pass-through": pids["jupyter"],
        "playground": pids["jupyter"],
    }
    status_url = f"{jupyter}/api/status"
    messages = [{"role": "user", "content": "hi"}]

    def bodies(tokens: int) -> dict[str, bytes]:
        openai = {"model": "anything", "messages": messages, "stream": True, "max_tokens": tokens}
        playground = {"messages": messages, "max_tokens": tokens}
        return {name: json.dumps(playground if name == "playground" else openai).encode() for name in PATHS}

    client = RawHttp({"Authorization": f"token {token}"})  # the stub and the relay ignore the token
    summary: dict[tuple[str, int], dict[str, dict[str, float]]] = {}
    try:
        await wait_for_server(status_url, jupyter_proc, token)
        for deployment in (DEPLOYMENT_ID, PACED_ID):  # warm-up: 32 kept-alive connections each, backend started
            for name, url in urls(deployment).items():
                await run_round(client, url, bodies(8)[name], name == "playground", 32)

        import jupyter_server

        print(
            f"chat proxy bench — through the Jupyter routes (jupyter_server {jupyter_server.__version__}, "
            f"aqua_ext handlers, token auth)"
        )
        rate = "as fast as it can" if not args.token_delay else f"{args.token_delay * 1000:g} ms between tokens"
        print(
            f"  fast stub: {args.tokens} tokens per stream, {rate}; paced stub: {args.paced_tokens} tokens, "
            f"{args.paced_delay * 1000:g} ms between tokens; client: raw HTTP/1.1 + SseParser; 5 processes "
            f"(2 stubs, aiohttp relay, jupyter server, client); {os.cpu_count()} CPUs; "
            f"load average at start {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
        )
        phases = (
            ("fast", DEPLOYMENT_ID, 1, args.streams_c1, args.tokens),
            ("fast", DEPLOYMENT_ID, 32, args.rounds_c32, args.tokens),
            ("paced", PACED_ID, 32, args.rounds_paced, args.paced_tokens),
        )
        for label, deployment, concurrency, rounds, tokens_per_stream in phases:
            path_urls, path_bodies = urls(deployment), bodies(tokens_per_stream)
            stats = {
                name: {"tokens": 0, "wall": 0.0, "ttft": [], "cpu": 0.0, "status": [], "stub_cpu": 0.0}
                for name in PATHS
            }
            stub_pid = pids["stub" if deployment == DEPLOYMENT_ID else "paced"]
            for r in range(rounds):
                shift = r % len(PATHS)
                order = PATHS[shift:] + PATHS[:shift]  # interleaved, each path first in turn
                for name in order:
                    stop = asyncio.Event()
                    s = stats[name]
                    poller = None
                    # api/status is polled in the paced phase only: its own CPU would count as the path's.
                    if name in ("floor", "pass-through", "playground") and label == "paced":
                        poller = asyncio.create_task(poll_status(client, status_url, stop, s["status"]))
                    pid = proxy_pid[name]
                    before = cpu_seconds(pid) if pid else 0.0, cpu_seconds(stub_pid)
                    tokens, wall, ttfts = await run_round(
                        client, path_urls[name], path_bodies[name], name == "playground", concurrency
                    )
                    s["cpu"] += (cpu_seconds(pid) - before[0]) if pid else 0.0
                    s["stub_cpu"] += cpu_seconds(stub_pid) - before[1]
                    stop.set()
                    if poller is not None:
                        await poller
                    s["tokens"] += tokens
                    s["wall"] += wall
                    s["ttft"] += ttfts

            d = stats["direct"]
            d_tps, d_ttft = d["tokens"] / d["wall"], statistics.median(d["ttft"]) * 1000
            print(
                f"\n  {label} stub, concurrency {concurrency} ({len(d['ttft'])} streams per path, interleaved; "
                f"load {os.getloadavg()[0]:.2f})"
            )
            print(
                f"    {'path':<36} {'tokens/s':>9} {'ratio':>6} {'TTFT p50':>9} {'added':>9} "
                f"{'proxy CPU/token':>16} {'(busy)':>7}"
            )
            rows: dict[str, dict[str, float]] = {}
            for name in PATHS:
                s = stats[name]
                tps, ttft = s["tokens"] / s["wall"], statistics.median(s["ttft"]) * 1000
                if name == "direct":
                    print(f"    {LABELS[name]:<36} {tps:9.0f} {'-':>6} {ttft:7.2f}ms {'-':>9} {'-':>16} {'-':>7}")
                    continue
                ratio, added = tps / d_tps, ttft - d_ttft
                us = s["cpu"] / s["tokens"] * 1e6 if s["tokens"] and s["cpu"] else float("nan")
                busy = s["cpu"] / s["wall"] * 100  # of one core, while this path's rounds ran
                rows[name] = {"ratio": ratio, "added": added, "us": us}
                print(
                    f"    {LABELS[name]:<36} {tps:9.0f} {ratio:6.3f} {ttft:7.2f}ms {added:+7.2f}ms "
                    f"{us:13.1f} µs {busy:6.0f}%"
                )
            print(
                "    stub CPU busy (% of one core) while each path ran: "
                + ";  ".join(f"{name} {stats[name]['stub_cpu'] / stats[name]['wall'] * 100:.0f}" for name in PATHS)
            )
            for name in ("floor", "pass-through", "playground"):
                lat = stats[name]["status"]
                if lat:
                    p99 = pct(lat, 99) * 1000
                    rows[name]["status_p99"] = p99
                    print(
                        f"    GET api/status during {concurrency} {name} streams: p50 {pct(lat, 50) * 1000:.2f} ms"
                        f"  p99 {p99:.2f} ms over {len(lat)} requests"
                    )
            summary[(label, concurrency)] = rows

        # The targets, each against the relay measured in the same run.
        print("\n  targets (issue 16), against the relay in this run:")
        fast1, fast32, paced32 = summary[("fast", 1)], summary[("fast", 32)], summary[("paced", 32)]
        for name in ("pass-through", "playground"):
            checks = [
                (
                    f"CPU/token ≤ relay's (fast, c32): {fast32[name]['us']:.1f} vs {fast32['relay']['us']:.1f} µs",
                    fast32[name]["us"] <= fast32["relay"]["us"],
                ),
                (
                    f"throughput ratio ≥ {TARGET_THROUGHPUT_RATIO} (paced, c32): {paced32[name]['ratio']:.3f}",
                    paced32[name]["ratio"] >= TARGET_THROUGHPUT_RATIO,
                ),
            ]
            for title, rows in (("c1", fast1), ("c32", fast32), ("paced c32", paced32)):
                checks.append(
                    (
                        f"added TTFT ≤ relay's ({title}): "
                        f"{rows[name]['added']:+.2f} vs {rows['relay']['added']:+.2f} ms",
                        rows[name]["added"] <= rows["relay"]["added"],
                    )
                )
            if name == "playground":
                worst = paced32[name].get("status_p99", float("nan"))
                checks.append(
                    (
                        f"api/status p99 ≤ {TARGET_STATUS_P99_MS:g} ms during 32 playground streams: {worst:.2f} ms",
                        worst <= TARGET_STATUS_P99_MS,
                    )
                )
            for title, ok in checks:
                print(f"    {name:<13} {title:<72} {verdict(ok)}")
        # What any Jupyter route costs (the floor) against what aqua_ext's routes add on top of it.
        print(
            "\n  Jupyter's floor (the relay's loop as a Jupyter route) against the relay, and aqua_ext over the floor:"
        )
        for title, rows in (("c1", fast1), ("c32", fast32), ("paced c32", paced32)):
            floor, relay = rows["floor"], rows["relay"]
            line = (
                f"    {title:<9} floor − relay: {floor['us'] - relay['us']:+6.1f} µs/token, "
                f"{floor['added'] - relay['added']:+7.2f} ms TTFT"
            )
            for name in ("pass-through", "playground"):
                line += (
                    f";  {name} − floor: {rows[name]['us'] - floor['us']:+6.1f} µs/token, "
                    f"{rows[name]['added'] - floor['added']:+7.2f} ms TTFT"
                )
            print(line)
        print(f"  load average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=256, help="tokens per stream")
    parser.add_argument("--streams-c1", type=int, default=40, help="sequential streams per path at concurrency 1")
    parser.add_argument("--rounds-c32", type=int, default=6, help="rounds of 32 concurrent streams per path")
    parser.add_argument(
        "--token-delay",
        type=float,
        default=0.0,
        help="seconds between tokens at the stub (0 = as fast as it can; 0.01 ≈ a 100 tok/s engine)",
    )
    parser.add_argument("--paced-delay", type=float, default=0.01, help="seconds between tokens at the paced stub")
    parser.add_argument("--paced-tokens", type=int, default=128, help="tokens per stream from the paced stub")
    parser.add_argument("--rounds-paced", type=int, default=3, help="rounds of 32 paced streams per path")
    parser.add_argument(
        "--profile-server",
        metavar="FILE",
        help="write a cProfile of the Jupyter server process to FILE (pstats format)",
    )
    parser.add_argument("--serve-jupyter", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--serve-relay", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--upstream", help=argparse.SUPPRESS)
    parser.add_argument("--upstream-paced", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_jupyter:
        serve_jupyter(
            args.upstream, args.upstream_paced, args.port, args.token, Path(args.workdir), args.profile_server
        )
        return
    if args.serve_relay:
        serve_relay({DEPLOYMENT_ID: args.upstream, PACED_ID: args.upstream_paced}, args.port)
        return

    workdir = Path(tempfile.mkdtemp(prefix="aqua-chat-bench-"))
    token = secrets.token_hex(16)
    procs: dict[str, subprocess.Popen[str]] = {}
    try:
        stub, stub_port = spawn(
            ["-m", "tests.stub_upstream", "--token-delay", str(args.token_delay)], workdir / "stub.log"
        )
        procs["stub"] = stub
        paced, paced_port = spawn(
            ["-m", "tests.stub_upstream", "--token-delay", str(args.paced_delay)], workdir / "paced.log"
        )
        procs["paced"] = paced
        upstreams = [
            "--upstream",
            f"http://127.0.0.1:{stub_port}",
            "--upstream-paced",
            f"http://127.0.0.1:{paced_port}",
        ]
        relay, relay_port = spawn(
            [str(Path(__file__).resolve()), "--serve-relay", *upstreams, "--port", str(free_port())],
            workdir / "relay.log",
        )
        procs["relay"] = relay
        jupyter, jupyter_port = spawn(
            [
                str(Path(__file__).resolve()),
                "--serve-jupyter",
                *upstreams,
                "--port",
                str(free_port()),
                "--token",
                token,
                "--workdir",
                str(workdir),
                *(["--profile-server", str(Path(args.profile_server).resolve())] if args.profile_server else []),
            ],
            workdir / "jupyter.log",
            env=jupyter_environment(workdir),
        )
        procs["jupyter"] = jupyter
        ports = {"stub": stub_port, "paced": paced_port, "relay": relay_port, "jupyter": jupyter_port}
        pids = {name: proc.pid for name, proc in procs.items()}
        asyncio.run(bench(ports, pids, jupyter, token, args))
    finally:
        for proc in procs.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
