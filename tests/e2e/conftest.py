"""Browser tests: a real `jupyter lab` subprocess (tests/e2e/lab_server.py) and Debian's
Chromium driven by Playwright's sync API: the server starts once per run, the browser
once for this folder.

Without Chromium or the installed labextension the tests are skipped with the reason;
under CI (CI=true), which installs both, they fail instead so nothing is skipped silently.
The fixtures and tests are plain (sync). pytest-jupyter's autouse loop fixtures are
switched off here: between two sync calls Playwright marks its own loop as the running
one, and pytest-jupyter would adopt that loop and then try to close it. For the same
reason Playwright lives in package-scoped fixtures: it is stopped when the browser tests
are done, before the in-process server tests of the other folders run.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.lab_server import LabServer, launch_chromium, missing_prerequisites, open_lab
from tests.model_folders import write_model_folder

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / ".screenshots"
VIEWPORT = {"width": 1280, "height": 800}


def _on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


@pytest.fixture
def jp_asyncio_loop() -> Iterator[None]:
    """Overrides pytest-jupyter's autouse fixture: these tests need no in-process loop."""
    yield None


@pytest.fixture
def jp_server_cleanup() -> Iterator[None]:
    """Overrides pytest-jupyter's autouse fixture: no in-process server to clean up."""
    yield


def _require(reasons: list[str]) -> None:
    if reasons:
        message = "browser tests need: " + "; ".join(reasons)
        if _on_ci():
            pytest.fail(message + " (CI=true installs both, so this is an error, not a skip)", pytrace=False)
        pytest.skip(message)


@pytest.fixture(scope="session")
def lab_prerequisites() -> None:
    """aqua_ext and its labextension installed in this environment."""
    _require(missing_prerequisites(browser=False))


@pytest.fixture(scope="session")
def browser_prerequisites(lab_prerequisites: None) -> None:
    """Also Chromium and Playwright."""
    _require(missing_prerequisites(browser=True))


@pytest.fixture(scope="session")
def lab_server(lab_prerequisites: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    server = LabServer(tmp_path_factory.mktemp("e2e-lab"))
    server.prepare()
    with server:
        yield server


@pytest.fixture(scope="session")
def model_folders(lab_server: LabServer) -> dict[str, Path]:
    """Valid tiny model folders inside the server's root dir, one per registering test."""
    base = lab_server.root_dir / "models"
    folders = {}
    for key in ("light", "dark"):
        folders[key] = write_model_folder(
            base / f"tiny-e2e-{key}",
            readme=f"# Tiny e2e model ({key})\n\nA **tiny** model folder written by the browser tests.\n",
        )
    return folders


@pytest.fixture(scope="package")
def browser(browser_prerequisites: None) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


class LabPage:
    """The one JupyterLab page the scenario runs in, plus uncaught page errors."""

    def __init__(self, page: Any, server: LabServer) -> None:
        self.page = page
        self.server = server
        self.errors: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def screenshot_scrolled_to(self, name: str, selector: str) -> Path:
        """The page with an element scrolled into view (e.g. the fit table below the fold)."""
        self.page.locator(selector).first.scroll_into_view_if_needed()
        return self.screenshot(name)


@contextlib.contextmanager
def lab_page(browser: Any, server: LabServer) -> Iterator[LabPage]:
    """JupyterLab of `server` loaded in a fresh browser context, closed afterwards."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(20_000)
    page = LabPage(context.new_page(), server)  # listens for page errors from the first load on
    open_lab(page.page, server)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture(scope="package")
def lab(browser: Any, lab_server: LabServer) -> Iterator[LabPage]:
    with lab_page(browser, lab_server) as page:
        yield page
