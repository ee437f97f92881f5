"""Jupyter's start stays light: importing aqua_ext.app, and Jupyter loading and starting the extension,
import none of the heavy libraries (each measured in fresh interpreters, sys.modules read back). The
targets and services load with the first request, or at once when an earlier server left work to watch.

The denylist is what Jupyter itself does not import (bench/server_start.py: with JupyterLab, httpx and
with it rich, click, pygments and zstandard are imported by JupyterLab's extension manager anyway)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from aqua_ext.api.deployments import DeploymentState
from aqua_ext.api.finetunes import FineTuneState
from aqua_ext.backends.local.live_work import SETTLED_DEPLOYMENT_STATES, SETTLED_JOB_STATES, has_live_work
from aqua_ext.backends.local.store import MIGRATIONS

REPO = Path(__file__).resolve().parents[2]
# Never at Jupyter's start: the ML stack, the cloud SDKs, and what only a request needs (the contract's
# pydantic models, the HTTP client and its CLI extras, the stores). Not listed: what jupyter_server
# imports itself (yaml through jupyter_events, multiprocessing).
DENYLIST = (
    "torch",
    "transformers",
    "tokenizers",
    "safetensors",
    "numpy",
    "pandas",
    "oci",
    "huggingface_hub",
    "fastapi",
    "pydantic",
    "httpx",
    "rich",
    "click",
    "pygments",
    "zstandard",
    "aiosqlite",
    "aqua_ext.services",
    "aqua_ext.backends.base",
    "aqua_ext.api",
)


def imported_by(script: str) -> list[str]:
    """The denylisted modules in sys.modules after `script` ran in a fresh interpreter."""
    probe = f"\nimport json, sys\nprint(json.dumps(sorted(m for m in {DENYLIST!r} if m in sys.modules)))\n"
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script) + probe], capture_output=True, text=True, timeout=120, cwd=REPO
    )
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_importing_the_extension_imports_nothing_heavy() -> None:
    assert imported_by("import aqua_ext.app") == []


SERVER = """
import asyncio
from jupyter_server.serverapp import ServerApp

async def main():
    app = ServerApp(jpserver_extensions={{"aqua_ext": True}}, root_dir={root!r}, open_browser=False)
    app.initialize(argv=["--AquaExtension.data_dir={data}", "--AquaExtension.generate_demo_model=False"],
                   find_extensions=False, new_httpserver=False)
    await app._post_start()  # the extensions' start hooks
    extension = app.extension_manager.extensions["aqua_ext"].extension_points["aqua_ext"].app
    if extension._background is not None:
        await extension._background
    print("loaded" if extension._parts is not None else "not loaded")
    if extension._parts is not None:
        await extension.stop_extension()

asyncio.run(main())
"""


def test_jupyter_loads_and_starts_the_extension_without_anything_heavy(tmp_path: Path) -> None:
    (tmp_path / "root").mkdir()
    script = SERVER.format(root=str(tmp_path / "root"), data=tmp_path / "data")
    assert imported_by(script) == []


def write_store(db: Path, deployments: list[str], finetunes: list[str], evaluations: list[str]) -> Path:
    """A local store with the driver's own migrations and rows in these states."""
    with sqlite3.connect(db) as conn:
        for script in MIGRATIONS:
            conn.executescript(script)
        stamp = "2026-12-07T00:00:00+00:00"
        for i, state in enumerate(deployments):
            conn.execute(
                "INSERT INTO deployments (id, name, state, state_message, model_id, config, created_at, updated_at)"
                " VALUES (?, ?, ?, '', 'm', '{}', ?, ?)",
                (f"d{i}", f"배포 {i}", state, stamp, stamp),
            )
        for table, states in (("finetunes", finetunes), ("evaluations", evaluations)):
            other = "base_model_id" if table == "finetunes" else "deployment_id"
            for i, state in enumerate(states):
                conn.execute(
                    f"INSERT INTO {table} (id, name, {other}, state, state_message, config, created_at, updated_at)"
                    " VALUES (?, ?, 'x', ?, '', '{}', ?, ?)",
                    (f"j{i}", f"ジョブ {i}", state, stamp, stamp),
                )
    conn.close()
    return db


def test_the_settled_states_are_the_contracts_words() -> None:
    assert set(SETTLED_DEPLOYMENT_STATES) < {s.value for s in DeploymentState}
    assert set(SETTLED_JOB_STATES) < {s.value for s in FineTuneState}


@pytest.mark.parametrize(
    ("deployments", "finetunes", "evaluations", "live"),
    [
        ([], [], [], False),
        (["INACTIVE", "FAILED"], ["SUCCEEDED", "CANCELED"], ["FAILED"], False),
        (["ACTIVE"], [], [], True),
        (["INACTIVE", "UPDATING"], [], [], True),
        ([], ["IN_PROGRESS"], [], True),
        ([], [], ["ACCEPTED"], True),
    ],
)
def test_live_work_in_the_local_store(
    tmp_path: Path, deployments: list[str], finetunes: list[str], evaluations: list[str], live: bool
) -> None:
    assert has_live_work(write_store(tmp_path / "state.db", deployments, finetunes, evaluations)) is live


def test_no_store_is_no_work_and_an_unreadable_one_is_judged_by_the_driver(tmp_path: Path) -> None:
    assert has_live_work(tmp_path / "state.db") is False
    (tmp_path / "state.db").write_text("not a database")
    assert has_live_work(tmp_path / "state.db") is True


def test_a_server_with_a_running_deployment_to_watch_loads_the_targets_at_start(tmp_path: Path) -> None:
    (tmp_path / "root").mkdir()
    (tmp_path / "data").mkdir()
    write_store(tmp_path / "data" / "state.db", ["ACTIVE"], [], [])
    script = SERVER.format(root=str(tmp_path / "root"), data=tmp_path / "data")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "loaded"


def test_without_work_to_watch_the_targets_wait_for_the_first_request(tmp_path: Path) -> None:
    (tmp_path / "root").mkdir()
    script = SERVER.format(root=str(tmp_path / "root"), data=tmp_path / "data")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "not loaded"
