#!/usr/bin/env python
"""OCI backend benchmark: OCI calls per user action, and whether slow OCI calls block Jupyter.

    python bench/oci_calls.py [--latency 2.0] [--service-models 25] [--keep]

A real `jupyter lab` (started by tests/e2e/lab_server.py, as the browser tests and
bench/explorer.py do) runs aqua_ext with backend=oci against the OCI emulator
(tests/oci_emulator: the real `oci` SDK, real request signing), which sleeps
`--latency` seconds in every OCI call. Prints (benchmarks print, they never assert):
  - OCI calls per user action, as counted by the emulator, and each action's wall time:
    open the explorer (cold, then again within the cache lifetime, then with refresh),
    open a model detail, its memory fit (ListModelDeploymentShapes, then one
    GetResourceAvailability per distinct service limit of those shapes, at once: 5 calls in
    two round trips with the emulator's shapes), register a model from Object Storage, delete it;
  - GET api/status (Jupyter's own route) latency p50 / p99 / max while five model details
    are being fetched at once (five slow OCI calls in flight), next to the same with nothing
    in flight; target p99 <= 50 ms (the event loop is never blocked).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bootstrap import use_repo_environment

use_repo_environment(__file__, ("jupyterlab", "oci"))

from tests.e2e.lab_server import LabServer  # noqa: E402
from tests.oci_setup import OciWorld, seed_user_model, start_world  # noqa: E402

TARGET_STATUS_P99_MS = 50.0
CONCURRENT_DETAILS = 5


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def calls_of(world: OciWorld) -> dict[str, int]:
    return {k: v for k, v in sorted(world.emulator.calls.items()) if v}


def action(server: LabServer, world: OciWorld, label: str, method: str, path: str, body: Any = None) -> Any:
    world.emulator.reset_calls()
    start = time.perf_counter()
    status, reply = request(server, method, path, body)
    elapsed = time.perf_counter() - start
    counted = calls_of(world)
    total = sum(counted.values())
    detail = ", ".join(f"{k} {v}" for k, v in counted.items()) or "none"
    print(f"  {label:<40} {total:>3} calls  {elapsed:6.2f} s  HTTP {status}  ({detail})")
    return reply


def request(server: LabServer, method: str, path: str, body: Any = None, timeout: float = 120) -> tuple[int, Any]:
    import urllib.error
    import urllib.request

    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        f"{server.url}/{path.lstrip('/')}",
        data=data,
        method=method,
        headers={"Authorization": f"token {server.token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    return status, (json.loads(raw) if raw else None)


def status_latencies(server: LabServer, stop: threading.Event, out: list[float], gap: float = 0.01) -> None:
    while not stop.is_set():
        start = time.perf_counter()
        code, _ = server.get("api/status", timeout=30)
        out.append((time.perf_counter() - start) * 1000)
        assert code == 200
        time.sleep(gap)


def measure_status(server: LabServer, seconds: float) -> list[float]:
    stop = threading.Event()
    out: list[float] = []
    thread = threading.Thread(target=status_latencies, args=(server, stop, out))
    thread.start()
    time.sleep(seconds)
    stop.set()
    thread.join()
    return out


def fmt(values: list[float]) -> str:
    return (
        f"p50 {statistics.median(values):5.1f} ms  p99 {percentile(values, 99):5.1f} ms  "
        f"max {max(values):6.1f} ms  (n={len(values)})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency", type=float, default=2.0, help="seconds the emulator sleeps in every OCI call")
    parser.add_argument("--service-models", type=int, default=25)
    parser.add_argument("--user-models", type=int, default=5)
    parser.add_argument("--page-size", type=int, default=10)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)

    base = Path(tempfile.mkdtemp(prefix="aqua-bench-oci-"))
    world = start_world(base, page_size=args.page_size)
    server: LabServer | None = None
    try:
        service_ids = world.emulator.seed_service_models(args.service_models)
        for i in range(args.user_models):
            seed_user_model(world, f"team-model-{i}")
        uri = world.add_model_folder("models", "team/tiny-llama", readme="# Tiny llama\n")

        traits = world.traits(oci_read_timeout=30.0)
        traits.pop("backend")
        server = LabServer(base / "lab", backend="oci", server_config={"AquaExtension": traits})
        server.start()
        world.emulator.latency_seconds = args.latency

        print(
            f"aqua_ext OCI backend against the emulator: {args.latency:g} s per OCI call, "
            f"{args.service_models} service + {args.user_models} registered models, page size {args.page_size}"
        )
        print("OCI calls per user action:")
        info = action(server, world, "server start (credential check, GET info)", "GET", "aqua-ext/info")
        if info["backend"]["kind"] != "oci" or not info["backend"]["ready"]:
            print(f"the OCI backend is not ready: {info['backend']}\n{server.log_tail()}")
            return 1
        listing = action(server, world, "open the explorer (cold)", "GET", "aqua-ext/models")
        action(server, world, "open the explorer again (cached)", "GET", "aqua-ext/models")
        action(server, world, "refresh the explorer", "GET", "aqua-ext/models?refresh=true")
        action(server, world, "open a model detail", "GET", f"aqua-ext/models/{service_ids[1]}")
        action(server, world, "memory fit of that model", "GET", f"aqua-ext/models/{service_ids[1]}/fit")
        reply = action(
            server,
            world,
            "register from Object Storage",
            "POST",
            "aqua-ext/models",
            {"source": "object_storage", "os_uri": uri},
        )
        action(server, world, "open the explorer after registering", "GET", "aqua-ext/models")
        action(server, world, "delete the registered model", "DELETE", f"aqua-ext/models/{reply['model']['id']}")
        print(f"  ({listing['total']} models listed; every list paged to completion, no per-row calls)")

        idle = measure_status(server, 3.0)
        stop = threading.Event()
        busy: list[float] = []
        poller = threading.Thread(target=status_latencies, args=(server, stop, busy))
        world.emulator.reset_calls()
        details = [
            threading.Thread(target=request, args=(server, "GET", f"aqua-ext/models/{mid}"))
            for mid in service_ids[2 : 2 + CONCURRENT_DETAILS]
        ]
        poller.start()
        time.sleep(0.2)
        started = time.perf_counter()
        for t in details:
            t.start()
        for t in details:
            t.join()
        took = time.perf_counter() - started
        stop.set()
        poller.join()
        verdict = "OK" if percentile(busy, 99) <= TARGET_STATUS_P99_MS else "MISSED"
        print(
            f"GET api/status while {CONCURRENT_DETAILS} model details wait on OCI "
            f"({sum(world.emulator.calls.values())} slow calls, {took:.1f} s):"
        )
        print(f"  idle:     {fmt(idle)}")
        print(f"  in flight: {fmt(busy)}  target p99 <= {TARGET_STATUS_P99_MS:g} ms: {verdict}")
        return 0
    finally:
        if server is not None:
            server.stop()
        world.emulator.stop()
        if args.keep:
            print(f"kept {base}")
        else:
            import shutil

            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
