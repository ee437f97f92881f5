"""Deploy the demo model from the UI and talk to it, in a real JupyterLab and Chromium on the
local backend with a real `transformers serve` engine.

The flow: the deploy form (memory fit, a 400 field error under the engine parameters, then
success), progress while CREATING, the detail once ACTIVE (endpoint without the token, the
Python snippet run for real through aqua_ext.client), the playground (tokens streaming in, Stop
during a long answer, the conversation back after a reload), then deactivate and delete.
A second test takes the dark-theme screenshots. Screenshots go to .screenshots/.

Engines run detached from the Jupyter server, so every deployment a test creates is deleted
through the API when the module ends, whatever happened.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser_prerequisites fixture skips (or, under CI, fails) with the reason
    expect = None

from tests.e2e.conftest import LabPage, lab_page
from tests.e2e.lab_server import LabServer
from tests.e2e.test_model_explorer import assert_no_page_errors, assert_readable, execute
from tests.model_folders import needs_local_extra

pytestmark = [pytest.mark.e2e, needs_local_extra]

DEMO_ID = "demo:tiny-llama"
DEMO_NAME = "Demo tiny Llama (random weights)"
DEPLOYMENT_NAME = "e2e demo chat"
DIALOG = '[role="dialog"][aria-label="Deploy model"]'
DETAIL = ".jp-AquaExt-DeploymentDetail"
# The playground tab in front (a closed or background tab stays in the DOM, hidden).
PLAYGROUND = ".jp-AquaExt-PlaygroundArea:not(.lm-mod-hidden) .jp-AquaExt-Playground"
ACTIVE_TIMEOUT_MS = 180_000


# ---- server and page -------------------------------------------------------------------


def api(server: LabServer, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """Call aqua-ext/<path> with the server's token; (status, parsed JSON or None)."""
    data = json.dumps(body).encode() if body is not None else (b"" if method == "POST" else None)
    request = urllib.request.Request(
        f"{server.url}/aqua-ext/{path}",
        data=data,
        method=method,
        headers={"Authorization": f"token {server.token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    return status, (json.loads(raw) if raw else None)


def delete_all_deployments(server: LabServer) -> None:
    status, listing = api(server, "GET", "deployments")
    if status != 200:
        return
    for item in listing["items"]:
        api(server, "DELETE", f"deployments/{item['id']}")


@pytest.fixture(scope="module")
def deploy_server(
    lab_prerequisites: None, demo_model_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LabServer]:
    """A lab server of its own, with the session's demo model where the local backend expects it."""
    server = LabServer(tmp_path_factory.mktemp("e2e-deploy"))
    server.prepare()
    shutil.copytree(demo_model_dir, server.data_dir / "models" / "demo-tiny-llama")
    with server:
        try:
            yield server
        finally:
            delete_all_deployments(server)


@pytest.fixture(scope="module")
def page(browser: Any, deploy_server: LabServer) -> Iterator[LabPage]:
    with lab_page(browser, deploy_server) as lab:
        yield lab


def wait_state(server: LabServer, deployment_id: str, *states: str, timeout: float = 180) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        status, detail = api(server, "GET", f"deployments/{deployment_id}")
        assert status == 200, detail
        if detail["state"] in states:
            return detail
        assert time.monotonic() < deadline, f"still {detail['state']}: {detail['state_message']}"
        time.sleep(0.5)


def deployments_tab(lab: LabPage) -> Any:
    return lab.page.get_by_role("tab", name="Deployments")


def open_deploy_form_from_model(lab: LabPage) -> Any:
    execute(lab, "aqua-ext:open-models")
    explorer = lab.page.locator(".jp-AquaExt-App-explorer:not([hidden])")
    explorer.locator('input[aria-label="Search models"]').fill("demo")
    explorer.locator(f'.jp-AquaExt-ModelCard[aria-label="{DEMO_NAME}"]').click()
    detail = lab.page.locator(".jp-AquaExt-ModelDetail")
    expect(detail.locator(".jp-AquaExt-ResourceDetail-name")).to_have_text(DEMO_NAME)
    deploy = detail.get_by_role("button", name="Deploy", exact=True)
    expect(deploy).to_be_enabled()
    deploy.click()
    dialog = lab.page.locator(DIALOG)
    expect(dialog).to_be_visible()
    return dialog


def last_answer(lab: LabPage) -> Any:
    return lab.page.locator(f"{PLAYGROUND} .jp-AquaExt-Turn.jp-mod-assistant").last


def answer_chars(lab: LabPage) -> int:
    return int(last_answer(lab).get_attribute("data-chars") or "0")


def our_dom_text(lab: LabPage) -> str:
    """The HTML of everything this extension rendered (JupyterLab's own page config holds the token)."""
    return lab.page.evaluate(
        "() => [...document.querySelectorAll('.jp-AquaExt-Panel, .jp-AquaExt-PlaygroundWidget, .jp-Dialog')]"
        ".map(e => e.outerHTML).join('\\n')"
    )


def wait_streaming(lab: LabPage, more_than: int) -> None:
    """Until the last answer is still streaming and holds more than `more_than` characters."""
    lab.page.wait_for_function(
        """([selector, least]) => {
             const answer = [...document.querySelectorAll(selector)].pop();
             return !!answer && answer.dataset.status === 'streaming' && Number(answer.dataset.chars) > least;
           }""",
        arg=[f"{PLAYGROUND} .jp-AquaExt-Turn.jp-mod-assistant", more_than],
        timeout=60_000,
    )


def send(lab: LabPage, text: str) -> None:
    composer = lab.page.locator(f"{PLAYGROUND} .jp-AquaExt-Composer-input")
    composer.fill(text)
    lab.page.locator(f"{PLAYGROUND} .jp-AquaExt-sendButton").click()


# ---- tests -----------------------------------------------------------------------------


def test_deploy_chat_stop_snippet_and_delete_from_the_ui(page: LabPage, deploy_server: LabServer) -> None:
    lab, server = page, deploy_server
    pg = lab.page

    # -- the deploy form: the memory fit of the chosen shape, engines this machine lacks disabled
    dialog = open_deploy_form_from_model(lab)
    name = dialog.get_by_label("Deployment name")
    expect(name).to_have_value(DEMO_NAME)
    expect(dialog.get_by_label(re.compile(r"^CPU"))).to_be_checked()
    expect(dialog.get_by_role("radio", name=re.compile(r"^transformers"))).to_be_checked()
    expect(dialog.get_by_role("radio", name=re.compile(r"^vLLM"))).to_be_disabled()
    expect(dialog.locator('[data-field="engine"]')).to_contain_text("pip install vllm")
    fit = dialog.locator(".jp-AquaExt-FitSummary")
    expect(fit).to_contain_text("Fits", timeout=20_000)
    expect(fit.locator(".jp-AquaExt-FitSummary-arithmetic")).to_contain_text("weights =")

    # A parameter the engine refuses: the server's 400 lands under the parameters.
    name.fill(DEPLOYMENT_NAME)
    dialog.locator("summary", has_text="Advanced options").click()
    dialog.get_by_role("button", name="Add parameter").click()
    dialog.get_by_label("Parameter 1 name").fill("--port")
    dialog.get_by_label("Parameter 1 value").fill("1234")
    dialog.get_by_role("button", name="Deploy", exact=True).click()
    error = dialog.locator('[data-field="params"] .jp-AquaExt-fieldError')
    expect(error).to_contain_text("--port")
    lab.screenshot_scrolled_to("light-deploy-form-error", f'{DIALOG} [data-field="params"]')
    assert api(server, "GET", "deployments")[1]["total"] == 0, "a refused deploy created a deployment"

    dialog.get_by_role("button", name="Remove parameter 1").click()
    dialog.locator("summary", has_text="Advanced options").click()
    dialog.locator(".jp-AquaExt-ModalDialog-body").evaluate("body => body.scrollTo(0, 0)")
    lab.screenshot("light-deploy-form")
    dialog.get_by_role("button", name="Deploy", exact=True).click()

    # -- progress while CREATING, in the Deployments section
    expect(pg.locator(DIALOG)).to_have_count(0)
    expect(deployments_tab(lab)).to_have_attribute("aria-selected", "true")
    detail = pg.locator(DETAIL)
    expect(detail.locator(".jp-AquaExt-ResourceDetail-name")).to_have_text(DEPLOYMENT_NAME)
    progress = detail.get_by_role("progressbar", name="Deployment progress")
    expect(progress).to_be_visible(timeout=10_000)
    expect(detail.locator(".jp-AquaExt-StateBadge.jp-mod-transitional")).to_contain_text("Creating")
    lab.screenshot("light-deployment-creating")

    listing = api(server, "GET", "deployments")[1]
    assert listing["total"] == 1
    deployment_id = listing["items"][0]["id"]

    # -- ACTIVE: the detail with its endpoint; the token is nowhere in our DOM
    expect(detail.locator(".jp-AquaExt-StateBadge")).to_contain_text("Active", timeout=ACTIVE_TIMEOUT_MS)
    expect(progress).to_have_count(0)
    endpoint = f"{server.url}/aqua-ext/deployments/{deployment_id}/v1"
    expect(detail.locator(".jp-AquaExt-DeploymentDetail-endpoint")).to_have_text(endpoint)
    expect(detail.locator(".jp-AquaExt-LogsView-lines")).not_to_be_empty()
    lab.screenshot("light-deployment-detail")
    lab.screenshot_scrolled_to("light-deployment-snippets", f"{DETAIL} .jp-AquaExt-DeploymentLogs")

    # -- the Python openai snippet works as shown: aqua_ext.client finds the server and its token in
    #    Jupyter's runtime files, as in a notebook's kernel (which gets no JUPYTER_TOKEN)
    snippet = detail.locator('.jp-AquaExt-CodeSnippets-code[data-snippet="python"]').inner_text()
    call = f'client.openai_client("{deployment_id}")'
    assert call in snippet and "JUPYTER_TOKEN" not in snippet
    assert server.token not in our_dom_text(lab)
    env = {key: value for key, value in os.environ.items() if key != "JUPYTER_TOKEN"}
    env.update({"JUPYTER_RUNTIME_DIR": str(server.base / "jupyter-runtime"), "NO_PROXY": "127.0.0.1,localhost"})
    run = subprocess.run(
        [sys.executable, "-c", snippet], env=env, cwd=server.root_dir, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, f"the snippet failed:\n{run.stderr[-2000:]}"
    wrong = subprocess.run(
        [
            sys.executable,
            "-c",
            snippet.replace(call, f'client.openai_client("{deployment_id}", token="not-the-token")'),
        ],
        env=env,
        cwd=server.root_dir,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert wrong.returncode != 0, "the endpoint answered without the right token"

    # -- the list: one row, ACTIVE, no spinner
    detail.get_by_role("button", name="← All deployments").click()
    row = pg.locator(f'.jp-AquaExt-DeploymentRow[data-deployment-id="{deployment_id}"]')
    expect(row).to_contain_text(DEPLOYMENT_NAME)
    expect(row.locator(".jp-AquaExt-StateBadge")).to_have_text("Active")
    lab.screenshot("light-deployments-list")
    row.get_by_role("button", name=DEPLOYMENT_NAME).click()

    # -- the playground in its own tab: tokens stream in, then the answer's stats
    detail.get_by_role("button", name="Open playground").click()
    playground = pg.locator(PLAYGROUND)
    expect(playground.locator(".jp-AquaExt-Playground-name")).to_have_text(DEPLOYMENT_NAME)
    expect(pg.get_by_role("tab", name=f"Playground: {DEPLOYMENT_NAME}")).to_have_attribute("aria-selected", "true")
    playground.locator("button", has_text="System prompt").click()
    playground.get_by_label("System prompt").fill("You are a terse assistant.")
    # A fixed seed: the random-weights model samples the same long answer every run (unseeded it
    # could draw its end-of-sequence token after a few tokens and leave nothing to watch stream).
    playground.get_by_label("Seed").fill("42")
    send(lab, "Hello! Who are you?")
    answer = last_answer(lab)
    wait_streaming(lab, more_than=0)
    seen_while_streaming = answer_chars(lab)
    expect(answer).to_have_attribute("data-status", "done", timeout=60_000)
    assert answer_chars(lab) > seen_while_streaming, "the answer did not grow while it streamed"
    stats = answer.locator(".jp-AquaExt-Turn-stats")
    expect(stats.locator(".jp-AquaExt-Turn-stat-ttft")).to_contain_text("TTFT")
    expect(stats.locator(".jp-AquaExt-Turn-stat-rate")).to_contain_text("tokens/s")
    expect(stats.locator(".jp-AquaExt-Turn-stat-tokens")).to_contain_text("tokens")
    lab.screenshot("light-playground")

    # -- Stop during a long answer: the fetch is aborted at once and nothing arrives after
    max_tokens = playground.get_by_label("Max tokens")
    max_tokens.fill("2000")
    # Greedy: the demo model then repeats one token and never reaches its end-of-sequence, so
    # the answer is surely still streaming when Stop is pressed (sampled, it may end early).
    playground.get_by_label("Temperature").fill("0")
    send(lab, "Tell me a very long story.")
    wait_streaming(lab, more_than=10)
    playground.locator(".jp-AquaExt-stopButton").click()
    expect(last_answer(lab)).to_have_attribute("data-status", "stopped", timeout=10_000)
    expect(playground.locator(".jp-AquaExt-sendButton")).to_be_visible()
    stopped_at = answer_chars(lab)
    pg.wait_for_timeout(1500)
    assert answer_chars(lab) == stopped_at, "text kept arriving after Stop"
    assert stopped_at < 2000, "the long answer finished before Stop could be pressed"
    expect(last_answer(lab).locator(".jp-AquaExt-Turn-stopped")).to_have_text("Stopped")
    lab.screenshot("light-playground-stopped")

    # -- a reload brings the tab and the conversation back (layout restorer + localStorage)
    pg.wait_for_timeout(1500)  # the workspace and the conversation are saved on a short debounce
    pg.reload(wait_until="domcontentloaded")
    restored = pg.locator(PLAYGROUND)
    expect(restored.locator(".jp-AquaExt-Playground-name")).to_have_text(DEPLOYMENT_NAME, timeout=60_000)
    expect(restored.locator(".jp-AquaExt-Turn.jp-mod-user")).to_have_count(2)
    expect(restored.locator(".jp-AquaExt-Turn.jp-mod-user").first).to_contain_text("Hello! Who are you?")
    expect(restored.locator('.jp-AquaExt-Turn[data-status="stopped"]')).to_have_count(1)
    expect(restored.get_by_label("Max tokens")).to_have_value("2000")
    expect(restored.get_by_label("System prompt")).to_have_value("You are a terse assistant.")

    # -- deactivate, then delete (with the confirm dialog)
    execute(lab, "aqua-ext:open-deployments", {"deploymentId": deployment_id})
    detail = pg.locator(DETAIL)
    expect(detail.locator(".jp-AquaExt-StateBadge")).to_contain_text("Active")
    detail.get_by_role("button", name="Deactivate").click()
    expect(detail.locator(".jp-AquaExt-StateBadge")).to_have_text("Inactive", timeout=60_000)
    assert api(server, "GET", f"deployments/{deployment_id}")[1]["state"] == "INACTIVE"

    # The playground says so instead of failing silently: a 409 inline.
    pg.get_by_role("tab", name=f"Playground: {DEPLOYMENT_NAME}").click()
    send(lab, "Are you there?")
    expect(last_answer(lab)).to_have_attribute("data-status", "error")
    expect(last_answer(lab).locator(".jp-AquaExt-Turn-error")).to_contain_text("INACTIVE")
    expect(pg.locator(f"{PLAYGROUND} .jp-AquaExt-Playground-banner")).to_contain_text("Inactive")

    execute(lab, "aqua-ext:open-deployments", {"deploymentId": deployment_id})
    detail.get_by_role("button", name="Delete").click()
    confirm = pg.locator(".jp-Dialog")
    expect(confirm).to_contain_text(DEPLOYMENT_NAME)
    confirm.get_by_role("button", name="Delete").click()
    expect(pg.locator(DETAIL)).to_have_count(0)
    expect(pg.locator(".jp-AquaExt-DeploymentList .jp-AquaExt-EmptyState")).to_contain_text("No deployments yet")
    assert api(server, "GET", "deployments")[1]["total"] == 0
    # Its playground tab went with it, and so did its stored conversation.
    expect(pg.get_by_role("tab", name=f"Playground: {DEPLOYMENT_NAME}")).to_have_count(0)
    stored = pg.evaluate("(key) => window.localStorage.getItem(key)", f"aqua-ext:playground:v1:{deployment_id}")
    assert stored is None
    assert_no_page_errors(lab)


def test_dark_theme_deploy_form_list_detail_and_playground(page: LabPage, deploy_server: LabServer) -> None:
    lab, server = page, deploy_server
    pg = lab.page
    # A completion deployment: the prompt box, and an answer with visible text (the demo model's
    # chat answers are only whitespace) rendered through rendermime.
    status, created = api(
        server, "POST", "deployments", {"model_id": DEMO_ID, "name": "e2e dark", "mode": "completion"}
    )
    assert status == 202, created
    deployment_id = created["deployment"]["id"]
    execute(lab, "apputils:change-theme", {"theme": "JupyterLab Dark"})
    try:
        pg.wait_for_selector('body[data-jp-theme-light="false"]', state="attached", timeout=20_000)
        wait_state(server, deployment_id, "ACTIVE")

        # The deploy form from "New deployment", with its model picker.
        execute(lab, "aqua-ext:open-deployments")
        pg.locator(".jp-AquaExt-newDeploymentButton").first.click()
        dialog = pg.locator(DIALOG)
        expect(dialog).to_be_visible()
        dialog.get_by_label("Model", exact=True).select_option(DEMO_ID)
        expect(dialog.get_by_label("Deployment name")).to_have_value(DEMO_NAME)
        expect(dialog.locator(".jp-AquaExt-FitSummary")).to_contain_text("Fits", timeout=20_000)
        pg.wait_for_timeout(300)
        for selector in (
            f"{DIALOG} .jp-AquaExt-formField-label",
            f"{DIALOG} .jp-AquaExt-choice-label",
            f"{DIALOG} .jp-AquaExt-choice-reason",
            f"{DIALOG} .jp-AquaExt-FitSummary-verdict",
        ):
            assert_readable(lab, selector)
        lab.screenshot("dark-deploy-form")
        dialog.get_by_role("button", name="Cancel").click()
        expect(dialog).to_have_count(0)

        row = pg.locator(f'.jp-AquaExt-DeploymentRow[data-deployment-id="{deployment_id}"]')
        expect(row.locator(".jp-AquaExt-StateBadge")).to_have_text("Active")
        for selector in (
            ".jp-AquaExt-DeploymentRow .jp-AquaExt-linkButton",
            ".jp-AquaExt-DeploymentRow .jp-AquaExt-ResourceList-model",
            ".jp-AquaExt-DeploymentRow .jp-AquaExt-StateBadge",
        ):
            assert_readable(lab, selector)
        lab.screenshot("dark-deployments-list")

        row.get_by_role("button", name="e2e dark").click()
        detail = pg.locator(DETAIL)
        expect(detail.locator(".jp-AquaExt-DeploymentDetail-endpoint")).to_contain_text(deployment_id)
        for selector in (
            f"{DETAIL} .jp-AquaExt-ResourceDetail-facts dd",
            f"{DETAIL} .jp-AquaExt-CodeSnippets-code",
            f"{DETAIL} .jp-AquaExt-LogsView-lines",
        ):
            assert_readable(lab, selector)
        lab.screenshot("dark-deployment-detail")

        detail.get_by_role("button", name="Open playground").click()
        playground = pg.locator(PLAYGROUND)
        expect(playground.locator(".jp-AquaExt-Playground-name")).to_have_text("e2e dark")
        expect(playground.get_by_label("Prompt", exact=True)).to_be_visible()
        expect(playground.get_by_label("System prompt")).to_have_count(0)
        playground.get_by_label("Max tokens").fill("48")
        playground.get_by_label("Seed").fill("42")  # the same completion every run
        send(lab, "Once upon a time")
        expect(last_answer(lab)).to_have_attribute("data-status", "done", timeout=60_000)
        expect(last_answer(lab).locator(".jp-AquaExt-MarkdownMessage .jp-RenderedMarkdown")).not_to_be_empty()
        for selector in (
            f"{PLAYGROUND} .jp-AquaExt-Turn.jp-mod-user .jp-AquaExt-Turn-text",
            f"{PLAYGROUND} .jp-AquaExt-MarkdownMessage",
            f"{PLAYGROUND} .jp-AquaExt-Turn-stats",
            f"{PLAYGROUND} .jp-AquaExt-SamplingPanel label",
        ):
            assert_readable(lab, selector)
        lab.screenshot("dark-playground")
        assert_no_page_errors(lab)
    finally:
        execute(lab, "apputils:change-theme", {"theme": "JupyterLab Light"})
        pg.wait_for_selector('body[data-jp-theme-light="true"]', state="attached", timeout=20_000)
        api(server, "DELETE", f"deployments/{deployment_id}")
