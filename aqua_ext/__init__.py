"""aqua_ext: AI Quick Actions for JupyterLab, on this machine or on OCI Data Science."""

from __future__ import annotations

from typing import Any

try:
    from ._version import __version__
except ImportError:  # a source checkout that was never built
    __version__ = "0.0.0+dev"


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "aqua-ext"}]


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from .app import AquaExtension

    return [{"module": "aqua_ext", "app": AquaExtension}]
