"""Lets `python bench/<name>.py` run from any Python: puts the repository on sys.path
and, when the project's packages are missing, re-runs the script with the repo's .venv."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
_VENV_PYTHON = REPO_ROOT / ".venv" / "bin" / "python"


def use_repo_environment(script: str, needs: tuple[str, ...]) -> None:
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    missing = [name for name in needs if importlib.util.find_spec(name) is None]
    if missing and _VENV_PYTHON.is_file() and Path(sys.prefix).resolve() != (REPO_ROOT / ".venv").resolve():
        os.execv(str(_VENV_PYTHON), [str(_VENV_PYTHON), str(Path(script).resolve()), *sys.argv[1:]])
