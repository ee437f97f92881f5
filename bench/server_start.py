#!/usr/bin/env python
"""What aqua_ext costs Jupyter: start time and memory of `jupyter lab` without and with the server
extension, the extension's JavaScript a page loads before and after the panel opens, and the
server during a dataset preflight with a model (its memory, and `api/status` latency meanwhile).

    python bench/server_start.py [--runs 5] [--before-source DIR] [--before-labextension DIR]
                                 [--no-browser] [--no-preflight]

First Jupyter's load path in fresh interpreters (ServerApp.initialize with JupyterLab, without and
with aqua_ext: CPU time, peak RSS, modules; `--before-source` another checkout's aqua_ext beside this
one's), the steadiest measure on a busy machine. Then each start is a fresh `jupyter lab` process (its
own folders, see tests/e2e/lab_server.py), alternating without and with the extension; the start
time is from spawning the process to the first 200 from `api/status` (polled every 10 ms), the memory
its RSS 2 s later. The JavaScript is what
Chromium fetches from `lab/extensions/aqua-ext/static/` (the labextension built in this checkout;
`--before-labextension` another build, such as main's, measured the same way beside it).
Benchmarks print, they never assert.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bootstrap import REPO_ROOT, use_repo_environment

use_repo_environment(__file__, ("jupyter_server", "jupyterlab"))

from tests.e2e.lab_server import LabServer, launch_chromium, missing_prerequisites, open_lab  # noqa: E402

TARGET_RATIO = 1.05
STATUS_TARGET_MS = 50.0
DEMO_ID = "demo:tiny-llama"
MIB = 1024 * 1024


def rss(pid: int) -> int:
    """Resident memory of `pid` in bytes (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time `pid` used so far: steadier than wall time on a busy machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def status_ms(server: LabServer) -> float | None:
    """One GET api/status: its latency in ms, None when it did not answer 200."""
    request = urllib.request.Request(f"{server.url}/api/status", headers={"Authorization": f"token {server.token}"})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
            ok = response.status == 200
    except (OSError, urllib.error.HTTPError):
        return None
    return (time.perf_counter() - start) * 1000 if ok else None


@dataclass
class TimedLab(LabServer):
    """A LabServer whose readiness is polled every 10 ms: `started_in` is spawn to first 200."""

    started_in: float = 0.0
    started_cpu: float = 0.0

    def start(self) -> TimedLab:
        self._began = time.perf_counter()
        super().start()
        return self

    def environment(self) -> dict[str, str]:
        # This checkout's aqua_ext, not the one installed in the environment.
        env = super().environment()
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
        return env

    def wait_ready(self) -> None:
        assert self.process is not None
        while (answered := status_ms(self)) is None:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.process.returncode}:\n{self.log_tail()}")
            if time.perf_counter() - self._began > self.ready_timeout:
                raise TimeoutError(f"jupyter lab did not answer api/status:\n{self.log_tail()}")
            time.sleep(0.01)
        del answered
        self.started_in = time.perf_counter() - self._began
        self.started_cpu = cpu_seconds(self.process.pid)


def lab(base: Path, *, extension: bool = True, labextensions: Path | None = None, **kwargs: object) -> TimedLab:
    # Off: jupyter_server never imports aqua_ext (the labextension is still served, as pip installs it).
    config = {} if extension else {"ServerApp": {"jpserver_extensions": {"aqua_ext": False}}}
    extra = [f"--LabApp.extra_labextensions_path={labextensions}"] if labextensions else []
    return TimedLab(base, server_config=config, extra_args=extra, **kwargs)  # type: ignore[arg-type]


def server_start(runs: int) -> None:
    """Alternating fresh starts without and with the extension: start time and settled RSS."""
    times: dict[bool, list[float]] = {False: [], True: []}
    cpu: dict[bool, list[float]] = {False: [], True: []}
    memory: dict[bool, list[int]] = {False: [], True: []}
    with tempfile.TemporaryDirectory(prefix="aqua-bench-start-") as tmp:
        for run in range(runs + 1):  # the first pair warms the page cache and is not counted
            for extension in (False, True):
                server = lab(Path(tmp) / f"{run}-{extension}", extension=extension).start()
                try:
                    assert server.process is not None
                    time.sleep(2.0)  # the extension's start work (hardware probe, targets) settles
                    settled = rss(server.process.pid)
                    # Then one request shows whether aqua_ext is there (it loads it: after the RSS reading).
                    status, _ = server.get("aqua-ext/info")
                    assert status == (200 if extension else 404), f"aqua_ext {'not ' if extension else ''}loaded"
                    if run:
                        times[extension].append(server.started_in)
                        cpu[extension].append(server.started_cpu)
                        memory[extension].append(settled)
                finally:
                    server.stop()
    t0, t1 = statistics.median(times[False]), statistics.median(times[True])
    c0, c1 = statistics.median(cpu[False]), statistics.median(cpu[True])
    m0, m1 = statistics.median(memory[False]), statistics.median(memory[True])
    verdict = "OK" if max(t1 / t0, c1 / c0, m1 / m0) <= TARGET_RATIO else "ABOVE TARGET"
    print(f"jupyter lab start, median of {runs} fresh starts each (spawn to first api/status 200):")
    print(f"  time: without aqua_ext {t0:.2f} s, with {t1:.2f} s (x{t1 / t0:.3f}, +{(t1 - t0) * 1000:.0f} ms)")
    print(f"  CPU time to ready: without {c0:.2f} s, with {c1:.2f} s (x{c1 / c0:.3f})")
    print(f"  RSS 2 s after ready: without {m0 / MIB:.1f} MiB, with {m1 / MIB:.1f} MiB (x{m1 / m0:.3f})")
    print(f"  target: both within x{TARGET_RATIO}: {verdict}")


LOAD_PATH = """
import json, resource, sys, time
start = time.process_time()
from jupyter_server.serverapp import ServerApp
extensions = {{"jupyterlab": True, "aqua_ext": {extension}}}
app = ServerApp(jpserver_extensions=extensions, root_dir={root!r}, open_browser=False)
app.initialize(argv=["--AquaExtension.data_dir={data}"], find_extensions=False, new_httpserver=False)
cpu = time.process_time() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({{"cpu": cpu, "rss": rss, "modules": len(sys.modules)}}))
"""


def load_path(runs: int, sources: dict[str, Path]) -> None:
    """Jupyter's own load path in fresh interpreters: ServerApp.initialize with JupyterLab, without and
    with aqua_ext (linked, loaded, handlers registered), for each source tree of aqua_ext."""
    print(f"jupyter_server + JupyterLab initialize in-process, median of {runs} fresh interpreters each:")
    with tempfile.TemporaryDirectory(prefix="aqua-bench-load-") as tmp:
        for name, source in sources.items():
            results: dict[bool, list[dict[str, float]]] = {False: [], True: []}
            for run in range(runs + 1):
                for extension in (False, True):
                    script = LOAD_PATH.format(extension=extension, root=tmp, data=f"{tmp}/data")
                    env = {**os.environ, "PYTHONPATH": str(source)}
                    done = subprocess.run(
                        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp, env=env, check=True
                    )
                    if run:  # the first pair warms the page cache and the bytecode
                        results[extension].append(json.loads(done.stdout.strip().splitlines()[-1]))
            cpu = [statistics.median(r["cpu"] for r in results[e]) for e in (False, True)]
            rss_ = [statistics.median(r["rss"] for r in results[e]) for e in (False, True)]
            modules = [results[e][0]["modules"] for e in (False, True)]
            print(
                f"  {name} ({source}): CPU {cpu[0]:.3f} -> {cpu[1]:.3f} s (x{cpu[1] / cpu[0]:.3f}), "
                f"max RSS {rss_[0] / MIB:.1f} -> {rss_[1] / MIB:.1f} MiB (x{rss_[1] / rss_[0]:.3f}), "
                f"modules {modules[0]} -> {modules[1]} (+{modules[1] - modules[0]})"
            )


def extension_link(folder: Path, labextension: Path) -> Path:
    """A labextensions folder holding `labextension` as aqua-ext (what extra_labextensions_path reads)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "aqua-ext").symlink_to(labextension.resolve(), target_is_directory=True)
    return folder


def loaded_javascript(browser: Any, server: TimedLab) -> tuple[dict[str, int], dict[str, int]]:
    """aqua-ext's .js files (name -> bytes) Chromium fetched with the page, and then when the panel opened."""
    loaded: dict[str, int] = {}

    def record(response: Any) -> None:
        url = response.url.split("?")[0]
        if "/lab/extensions/aqua-ext/static/" in url and url.endswith(".js"):
            loaded[url.rsplit("/", 1)[-1]] = len(response.body())

    page = browser.new_page()
    page.on("response", record)
    open_lab(page, server)
    page.wait_for_load_state("networkidle")
    initial = dict(loaded)
    page.evaluate("() => window.jupyterapp.commands.execute('aqua-ext:open')")
    page.wait_for_selector(".jp-AquaExt-Panel", state="visible", timeout=60_000)
    page.wait_for_load_state("networkidle")
    page.close()
    return initial, {name: size for name, size in loaded.items() if name not in initial}


def javascript(builds: dict[str, Path]) -> None:
    """Bytes of aqua-ext JavaScript Chromium loads with the page, then when the panel opens."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="aqua-bench-js-") as tmp, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            for name, build in builds.items():
                links = extension_link(Path(tmp) / name / "labextensions", build)
                server = lab(Path(tmp) / name, labextensions=links).start()
                try:
                    initial, opened = loaded_javascript(browser, server)
                finally:
                    server.stop()
                files = ", ".join(f"{k} {v / 1024:.1f}" for k, v in sorted(initial.items()))
                print(
                    f"  {name}: with the page {sum(initial.values()) / 1024:.1f} KiB in {len(initial)} files "
                    f"({files}); "
                    f"when the panel first opens +{sum(opened.values()) / 1024:.1f} KiB in {len(opened)} files"
                )
        finally:
            browser.close()


def preflight(rows: int) -> None:
    """A dataset preflight with the demo model's tokenizer through a running server: the server's
    RSS before and after, and api/status latency, polled all along."""
    from aqua_ext.backends.local.demo_model import generate_demo_model

    with tempfile.TemporaryDirectory(prefix="aqua-bench-preflight-") as tmp:
        server = lab(Path(tmp) / "lab")
        server.prepare()
        generate_demo_model(server.data_dir / "models" / "demo-tiny-llama")
        lines = []
        for i in range(rows):
            lines.append({"prompt": f"Question {i}: what is {i} + {i}?", "completion": f"{2 * i}."})
            lines.append({"prompt": f"질문 {i}: 서울의 인구는?", "completion": f"答え {i}: 東京は日本の首都です。"})
        (server.root_dir / "data.jsonl").write_text(
            "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in lines)
        )
        server.start()
        try:
            assert server.process is not None
            pid = server.process.pid
            time.sleep(2.0)
            idle = [ms for _ in range(200) if (ms := status_ms(server)) is not None]
            at_start = rss(pid)
            with Poller(server) as first:
                began = time.perf_counter()
                status, _ = server.get("aqua-ext/info")
                first_ms = (time.perf_counter() - began) * 1000
            assert status == 200
            before = rss(pid)
            answer: dict[str, object] = {}

            def validate() -> None:
                body = json.dumps({"path": "data.jsonl", "model_id": DEMO_ID, "max_seq_length": 64}).encode()
                request = urllib.request.Request(
                    f"{server.url}/aqua-ext/datasets/validate",
                    data=body,
                    method="POST",
                    headers={"Authorization": f"token {server.token}", "Content-Type": "application/json"},
                )
                with urllib.request.urlopen(request, timeout=300) as response:
                    answer.update(json.loads(response.read()))

            child_peak = 0
            with Poller(server) as during:
                began = time.perf_counter()
                caller = threading.Thread(target=validate)
                caller.start()
                while caller.is_alive():
                    for child in children(pid):
                        with contextlib.suppress(OSError, RuntimeError):  # the child ended meanwhile
                            child_peak = max(child_peak, rss(child))
                    time.sleep(0.05)
                took = time.perf_counter() - began
            after = rss(pid)
        finally:
            server.stop()
    tokens = answer.get("tokens") or {}
    p99 = during.p99()
    verdict = "OK" if p99 < STATUS_TARGET_MS and after / before <= TARGET_RATIO else "ABOVE TARGET"
    print(
        f"first request to aqua-ext (GET info; loads the contract, services and targets): {first_ms:.0f} ms; "
        f"server RSS {at_start / MIB:.1f} -> {before / MIB:.1f} MiB; api/status meanwhile max {first.max():.0f} ms"
    )
    print(f"dataset preflight with {DEMO_ID} ({len(lines):,} rows, English/Korean/Japanese), first in this server:")
    print(
        f"  took {took:.2f} s; tokens p50={tokens.get('p50')} max={tokens.get('max')} template={tokens.get('template')}"
    )
    print(
        f"  server RSS: before {before / MIB:.1f} MiB, after {after / MIB:.1f} MiB (x{after / before:.3f}); "
        f"the token pass's child process peaked at {child_peak / MIB:.1f} MiB"
    )
    print(
        f"  api/status during it: {len(during.latencies)} calls, p50 {statistics.median(during.latencies):.1f} ms, "
        f"p99 {p99:.1f} ms, max {during.max():.1f} ms (idle p50 {statistics.median(idle):.1f} ms); "
        f"target p99 < {STATUS_TARGET_MS:.0f} ms and RSS within x{TARGET_RATIO}: {verdict}"
    )


class Poller:
    """GET api/status every 5 ms in a thread while the block runs: the latencies in ms."""

    def __init__(self, server: TimedLab) -> None:
        self.server = server
        self.latencies: list[float] = []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._poll)

    def _poll(self) -> None:
        while not self._done.is_set():
            if (ms := status_ms(self.server)) is not None:
                self.latencies.append(ms)
            time.sleep(0.005)

    def __enter__(self) -> Poller:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()

    def p99(self) -> float:
        return statistics.quantiles(self.latencies, n=100)[98] if len(self.latencies) >= 2 else float("nan")

    def max(self) -> float:
        return max(self.latencies, default=float("nan"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh starts without and with the extension, each")
    parser.add_argument("--before-labextension", type=Path, help="another build to compare (e.g. main's)")
    parser.add_argument("--before-source", type=Path, help="another checkout's root whose aqua_ext to compare")
    parser.add_argument("--rows", type=int, default=2_000, help="row pairs in the preflight's dataset")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--no-preflight", action="store_true")
    args = parser.parse_args()

    missing = missing_prerequisites(browser=False)
    if missing:
        sys.exit("; ".join(missing))
    sources = {"this checkout": REPO_ROOT}
    if args.before_source:
        sources = {"before": args.before_source, **sources}
    load_path(args.runs, sources)
    server_start(args.runs)

    build = REPO_ROOT / "aqua_ext" / "labextension"
    if args.no_browser or missing_prerequisites(browser=True):
        print(f"extension JavaScript: skipped ({'; '.join(missing_prerequisites(browser=True)) or '--no-browser'})")
    elif not (build / "package.json").is_file():
        print(f"extension JavaScript: skipped (no build at {build}: jlpm build)")
    else:
        print("aqua-ext JavaScript fetched by Chromium (KiB):")
        builds = {"this checkout": build}
        if args.before_labextension:
            builds = {"before": args.before_labextension, **builds}
        javascript(builds)

    from tests.model_folders import HAS_LOCAL_EXTRA

    if args.no_preflight or not HAS_LOCAL_EXTRA:
        print(
            "dataset preflight: skipped ("
            + ("--no-preflight" if args.no_preflight else "needs the [local] extra")
            + ")"
        )
    else:
        preflight(args.rows)


if __name__ == "__main__":
    main()
