"""The environment of a child Python process that runs part of aqua_ext (a download, the demo model's
generator, an engine, a job)."""

from __future__ import annotations

import os
from pathlib import Path


def package_root() -> Path:
    # The folder holding the aqua_ext package, for PYTHONPATH: the child must
    # import this very copy of aqua_ext even when it is not pip-installed and
    # the server's working directory is elsewhere.
    return Path(__file__).resolve().parents[2]


def child_environment(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    root = str(package_root())
    env["PYTHONPATH"] = os.pathsep.join([root, *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])])
    env["PYTHONUNBUFFERED"] = "1"  # progress lines must arrive as they are printed
    env.update(extra)
    return env
