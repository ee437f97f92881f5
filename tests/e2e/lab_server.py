"""Start a real `jupyter lab` with aqua_ext in throwaway folders, and Chromium to drive it.

The one place that knows how: the browser tests (tests/e2e/conftest.py) and the
benchmarks (bench/explorer.py) both import it. No pytest here, so a plain script can use it.

The server runs as a subprocess in its own process group (never in-process: the
sync Playwright API would block the event loop an in-process server runs on), with
its own config, data, runtime, settings and workspaces folders so that nothing
under ~/.jupyter is read or written. The labextension is found where pip installed
it (`<sys.prefix>/share/jupyter/labextensions`), which Jupyter always searches.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("AQUA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LABEXTENSION_NAME = "aqua-ext"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def installed_labextension() -> Path | None:
    """The folder of the installed aqua-ext labextension, searched the way JupyterLab does."""
    try:
        from jupyter_core.paths import jupyter_path
    except ImportError:
        return None
    for base in jupyter_path("labextensions"):
        candidate = Path(base) / LABEXTENSION_NAME / "package.json"
        if candidate.is_file():
            return candidate.parent
    return None


def missing_prerequisites(*, browser: bool = True) -> list[str]:
    """Why a lab (and, with `browser`, a browser) run cannot happen here; empty when it can."""
    reasons = []
    if browser:
        if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
            reasons.append(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set AQUA_CHROMIUM)")
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reasons.append("the playwright package is not installed (pip install '.[test]')")
    if installed_labextension() is None:
        reasons.append(
            f"the {LABEXTENSION_NAME} labextension is not installed in {sys.prefix} "
            "(run scripts/setup, or pip install .)"
        )
    try:
        import aqua_ext  # noqa: F401
    except ImportError:
        reasons.append("the aqua_ext package is not importable (pip install '.[local]')")
    return reasons


@dataclass
class LabServer:
    """`jupyter lab` on 127.0.0.1:<free port>, token-protected, in folders under `base`."""

    base: Path
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    port: int = field(default_factory=free_port)
    extra_args: list[str] = field(default_factory=list)
    backend: str = "local"
    # Written to the server's jupyter_server_config.json (e.g. the OCI traits pointing at the emulator).
    server_config: dict[str, Any] = field(default_factory=dict)
    ready_timeout: float = 60.0
    process: subprocess.Popen[bytes] | None = None

    @property
    def root_dir(self) -> Path:
        return self.base / "root"

    @property
    def data_dir(self) -> Path:
        return self.base / "aqua-data"

    @property
    def hf_cache_dir(self) -> Path:
        return self.base / "hf-cache"

    @property
    def settings_dir(self) -> Path:
        return self.base / "lab-settings"

    @property
    def log_path(self) -> Path:
        return self.base / "jupyter-lab.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def lab_url(self) -> str:
        return f"{self.url}/lab?token={self.token}"

    def prepare(self) -> None:
        """Create the folders (idempotent); call before seeding data_dir or root_dir."""
        for folder in (
            self.root_dir,
            self.data_dir,
            self.hf_cache_dir,
            self.settings_dir,
            self.base / "workspaces",
            self.base / "jupyter-config",
            self.base / "jupyter-data",
            self.base / "jupyter-runtime",
        ):
            folder.mkdir(parents=True, exist_ok=True)
        # The news toast would cover the bottom right of every screenshot.
        notification = self.settings_dir / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
        notification.parent.mkdir(parents=True, exist_ok=True)
        notification.write_text(json.dumps({"fetchNews": "false"}))
        if self.server_config:
            (self.base / "jupyter-config" / "jupyter_server_config.json").write_text(json.dumps(self.server_config))

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--allow-root",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root_dir}",
            f"--AquaExtension.backend={self.backend}",
            f"--AquaExtension.data_dir={self.data_dir}",
            f"--AquaExtension.hf_cache_dir={self.hf_cache_dir}",
            "--AquaExtension.generate_demo_model=False",
            "--LabApp.expose_app_in_browser=True",
            *self.extra_args,
        ]

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                # User-level folders only: the venv's share/jupyter (labextensions, lab settings) stays searched.
                "JUPYTER_CONFIG_DIR": str(self.base / "jupyter-config"),
                "JUPYTER_DATA_DIR": str(self.base / "jupyter-data"),
                "JUPYTER_RUNTIME_DIR": str(self.base / "jupyter-runtime"),
                "JUPYTERLAB_SETTINGS_DIR": str(self.settings_dir),
                "JUPYTERLAB_WORKSPACES_DIR": str(self.base / "workspaces"),
                "HF_HUB_OFFLINE": "1",
                "HF_HUB_CACHE": str(self.hf_cache_dir),
                "PYTHONUNBUFFERED": "1",
            }
        )
        # The venv's bin first, as `jupyter` execs `jupyter-lab` from PATH.
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        return env

    def start(self) -> LabServer:
        if self.process is not None and self.process.poll() is None:
            # A second start would orphan the first server (stop() only knows the last one).
            raise RuntimeError(f"jupyter lab is already running (pid {self.process.pid})")
        self.prepare()
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            self.command(),
            cwd=self.root_dir,
            env=self.environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def wait_ready(self) -> None:
        deadline = time.monotonic() + self.ready_timeout
        last_error = "no answer yet"
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"jupyter lab exited with code {self.process.returncode} before it was ready:\n{self.log_tail()}"
                )
            try:
                status, _ = self.get("api/status", timeout=2)
                if status == 200:
                    return
                last_error = f"HTTP {status}"
            except OSError as exc:
                last_error = str(exc)
            time.sleep(0.25)
        raise TimeoutError(
            f"jupyter lab did not answer /api/status within {self.ready_timeout:.0f} s "
            f"({last_error}):\n{self.log_tail()}"
        )

    def get(self, path: str, *, timeout: float = 30) -> tuple[int, Any]:
        """GET <url>/<path> with the token; (status, parsed JSON or text or None)."""
        request = urllib.request.Request(
            f"{self.url}/{path.lstrip('/')}", headers={"Authorization": f"token {self.token}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, body = exc.code, exc.read()
        text = body.decode("utf-8", "replace")
        try:
            return status, (json.loads(text) if text else None)
        except ValueError:
            return status, text

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                return
            try:
                process.wait(wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def __enter__(self) -> LabServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium through Playwright (never a downloaded browser)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def open_lab(page: Any, server: LabServer, *, timeout_ms: float = 60_000) -> None:
    """Load JupyterLab and wait until the launcher and `window.jupyterapp` are there."""
    page.goto(server.lab_url, wait_until="domcontentloaded", timeout=timeout_ms)
    page.wait_for_selector(".jp-Launcher", state="visible", timeout=timeout_ms)
    page.wait_for_function(
        "() => !!(window.jupyterapp && window.jupyterapp.commands"
        " && window.jupyterapp.commands.hasCommand('aqua-ext:open'))",
        timeout=timeout_ms,
    )
