"""Fixtures shared by the handler tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture
def demo_ready(aqua_data_dir: Path, demo_model_dir: Path) -> Path:
    """The session's demo model, where the backend expects a generated one."""
    target = aqua_data_dir / "models" / "demo-tiny-llama"
    shutil.copytree(demo_model_dir, target)
    return target
