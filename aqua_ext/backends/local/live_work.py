"""Whether the local target has work a server must watch from its start: a deployment that may have an
engine running (idle stop, a dying engine) or a fine-tuning or evaluation job not settled yet.

Read with the standard library's sqlite3, read-only and without the store's migrations, so that Jupyter's
start can ask before it imports the local driver: with nothing to watch, the driver loads with the first
request instead. The states are the store's words (api.deployments.DeploymentState, api.finetunes.FineTuneState).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

# The deployments' states without an engine, and the jobs' ends: anything else may need watching.
SETTLED_DEPLOYMENT_STATES = ("INACTIVE", "FAILED")
SETTLED_JOB_STATES = ("SUCCEEDED", "FAILED", "CANCELED")


def has_live_work(db_path: Path) -> bool:
    """True when `db_path` (the local store) records a deployment or job that may be running; also
    when the store cannot be read as expected (the driver then starts and judges it)."""
    if not db_path.is_file():
        return False
    try:
        with closing(sqlite3.connect(f"{db_path.as_uri()}?mode=ro", uri=True, timeout=1.0)) as db:
            deployments = ",".join("?" * len(SETTLED_DEPLOYMENT_STATES))
            jobs = ",".join("?" * len(SETTLED_JOB_STATES))
            row = db.execute(
                f"SELECT EXISTS (SELECT 1 FROM deployments WHERE state NOT IN ({deployments}))"
                f" OR EXISTS (SELECT 1 FROM finetunes WHERE state NOT IN ({jobs}))"
                f" OR EXISTS (SELECT 1 FROM evaluations WHERE state NOT IN ({jobs}))",
                (*SETTLED_DEPLOYMENT_STATES, *SETTLED_JOB_STATES, *SETTLED_JOB_STATES),
            ).fetchone()
    except sqlite3.Error:
        return True
    return bool(row and row[0])
