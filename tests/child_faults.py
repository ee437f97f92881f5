"""Faults injected into the child processes the server starts (downloads, the demo generator):
a sitecustomize.py on their PYTHONPATH runs `code` when the child's Python starts."""

from __future__ import annotations

from pathlib import Path

import pytest


def in_children(code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run `code` at the start of every Python child process of this test (they inherit PYTHONPATH)."""
    site = tmp_path / "child-site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(code)
    monkeypatch.setenv("PYTHONPATH", str(site))
