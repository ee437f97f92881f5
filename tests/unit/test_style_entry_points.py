"""JupyterLab loads the extension's styles from `styleModule` (style/index.js) when there is one, and
`style` (style/index.css) otherwise: both must name every stylesheet, or a feature's CSS silently never
reaches the page (progress.css and charts.css were left out of index.js once)."""

from __future__ import annotations

import json
import re
from pathlib import Path

STYLE = Path(__file__).resolve().parents[2] / "style"


def _sheets() -> set[str]:
    return {p.name for p in STYLE.glob("*.css") if p.name != "index.css"}


def test_the_style_module_and_the_style_sheet_import_every_stylesheet() -> None:
    package = json.loads((STYLE.parent / "package.json").read_text())
    assert (package["style"], package["styleModule"]) == ("style/index.css", "style/index.js")
    module = set(re.findall(r"^import '\./([\w-]+\.css)';$", (STYLE / "index.js").read_text(), re.M))
    sheet = set(re.findall(r"^@import url\('([\w-]+\.css)'\);$", (STYLE / "index.css").read_text(), re.M))
    assert module == _sheets()
    assert sheet == _sheets()
