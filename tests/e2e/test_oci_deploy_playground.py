"""Deploy a model and talk to it on the OCI backend, in a real JupyterLab and Chromium: the
server's OCI backend talks, through the real `oci` SDK with signed requests, to the emulator
in tests/oci_emulator/ (control plane, work requests, Logging search, and the predict data
plane whose echo streams one word per chunk).

The flow: the model detail → Deploy; the shape list with its memory fit (a shape that fits and
one that does not, with the arithmetic), 2 replicas, an OCI log group and log; an engine
parameter OCI refuses (the 400 under Engine parameters, nothing created); then the real deploy:
CREATING with the work request's progress, ACTIVE in the list; the detail (endpoint, shape ×
replicas, logging, the log tail from Logging search); the playground (the echo streaming in
word by word, with TTFT and tokens/s); the chat's access record in the log; deactivate →
INACTIVE; delete. Screenshots go to .screenshots/ (oci-deploy-form, oci-deployment-detail,
oci-playground, and a few more).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser_prerequisites fixture skips (or, under CI, fails) with the reason
    expect = None

import itertools

from tests.e2e.conftest import LabPage, lab_page
from tests.e2e.lab_server import LabServer
from tests.e2e.test_deploy_playground import api, delete_all_deployments
from tests.e2e.test_model_explorer import assert_no_page_errors, execute
from tests.oci_setup import OciWorld, add_log, seed_deployable_model, start_world

pytestmark = pytest.mark.e2e

# 13 B parameters in bfloat16 with a 4,096-token context: about 32 GB, more than one A10 (24 GB),
# less than two (48 GB). So the shape list has both verdicts.
MODEL_NAME = "acme-chat-13b"
DEPLOYMENT_NAME = "e2e OCI chat"
EXPLORER = ".jp-AquaExt-App-explorer:not([hidden])"
DIALOG = '[role="dialog"][aria-label="Deploy model"]'
DETAIL = ".jp-AquaExt-DeploymentDetail"
PLAYGROUND = ".jp-AquaExt-PlaygroundArea:not(.lm-mod-hidden) .jp-AquaExt-Playground"
ANSWERS = f"{PLAYGROUND} .jp-AquaExt-Turn.jp-mod-assistant"
# Each lifecycle step of the emulator (work request ACCEPTED → IN_PROGRESS → done) takes this long
# while the deployment is created, so CREATING can be watched; shorter afterwards.
CREATE_STEP_SECONDS = 2.0
OTHER_STEP_SECONDS = 0.3
# Between two streamed words of the echo: slow enough to see the answer grow.
STREAM_DELAY_SECONDS = 0.12


@pytest.fixture(scope="module")
def oci_world(lab_prerequisites: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OciWorld]:
    world = start_world(tmp_path_factory.mktemp("oci-deploy-world"))
    try:
        yield world
    finally:
        world.emulator.stop()


@pytest.fixture(scope="module")
def oci_server(oci_world: OciWorld, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    traits = oci_world.traits()
    traits.pop("backend")
    server = LabServer(
        tmp_path_factory.mktemp("oci-deploy-lab"), backend="oci", server_config={"AquaExtension": traits}
    )
    with server:
        try:
            yield server
        finally:
            oci_world.emulator.transition_seconds = 0.05
            delete_all_deployments(server)


@pytest.fixture(scope="module")
def oci_page(browser: Any, oci_server: LabServer) -> Iterator[LabPage]:
    with lab_page(browser, oci_server) as page:
        yield page


def open_deploy_form(lab: LabPage) -> Any:
    """The model's detail in the explorer, then its Deploy button."""
    pg = lab.page
    execute(lab, "aqua-ext:open-models")
    explorer = pg.locator(EXPLORER)
    explorer.locator('input[aria-label="Search models"]').fill("acme-chat")
    explorer.locator(f'.jp-AquaExt-ModelCard[aria-label="{MODEL_NAME}"]').click()
    detail = pg.locator(".jp-AquaExt-ModelDetail")
    expect(detail.locator(".jp-AquaExt-ResourceDetail-name")).to_have_text(MODEL_NAME)
    deploy = detail.get_by_role("button", name="Deploy", exact=True)
    expect(deploy).to_be_enabled()
    deploy.click()
    dialog = pg.locator(DIALOG)
    expect(dialog).to_be_visible()
    return dialog


def hide_toasts(lab: LabPage) -> None:
    """Close JupyterLab's notification toasts (they cover the bottom right of a screenshot)."""
    toasts = '.Toastify__toast-container [title="Hide notification"]'
    lab.page.evaluate("(selector) => document.querySelectorAll(selector).forEach(button => button.click())", toasts)
    expect(lab.page.locator(toasts)).to_have_count(0, timeout=5_000)


def record_answer_growth(lab: LabPage) -> None:
    """From now on, every text the last answer shows while it streams goes to window.__aquaGrowth."""
    lab.page.evaluate(
        """(selector) => {
             window.__aquaGrowth = [];
             const seen = () => {
               const answer = [...document.querySelectorAll(selector)].pop();
               if (!answer || answer.dataset.status !== 'streaming') return;
               const text = (answer.querySelector('.jp-AquaExt-MarkdownMessage') || {}).innerText || '';
               const last = window.__aquaGrowth[window.__aquaGrowth.length - 1];
               if (text.trim() && text !== last) window.__aquaGrowth.push(text);
             };
             const observer = new MutationObserver(seen);
             observer.observe(document.body, {subtree: true, childList: true, characterData: true,
                                              attributes: true, attributeFilter: ['data-chars', 'data-status']});
             window.__aquaGrowthObserver = observer;
           }""",
        ANSWERS,
    )


def answer_growth(lab: LabPage) -> list[str]:
    return lab.page.evaluate("() => { window.__aquaGrowthObserver.disconnect(); return window.__aquaGrowth; }")


def test_oci_deploy_chat_logs_deactivate_delete_from_the_ui(
    oci_page: LabPage, oci_server: LabServer, oci_world: OciWorld
) -> None:
    lab, server, emu = oci_page, oci_server, oci_world.emulator
    pg = lab.page
    model_id = seed_deployable_model(
        oci_world,
        MODEL_NAME,
        parameter_count=13_000_000_000,
        layers=40,
        hidden_size=5120,
        heads=40,
        kv_heads=40,
        context_length=4096,
    )
    log_group, log_id = add_log(oci_world, "aqua-e2e")
    emu.deployments.stream_delay_seconds = STREAM_DELAY_SECONDS
    emu.transition_seconds = CREATE_STEP_SECONDS

    # -- the deploy form: OCI shapes with their memory fit
    dialog = open_deploy_form(lab)
    expect(dialog.get_by_label("Deployment name")).to_have_value(MODEL_NAME)
    expect(dialog.get_by_role("radio", name=re.compile(r"^vLLM"))).to_be_checked()
    shape = dialog.get_by_label("Shape", exact=True)
    # The recommended shape is chosen once the fit report is there: the smallest that fits.
    expect(shape).to_have_value("VM.GPU.A10.2", timeout=20_000)
    options = [text.strip() for text in shape.locator("option").all_inner_texts()]
    fitting = [text for text in options if "— fits" in text]
    not_fitting = [text for text in options if "— does not fit" in text]
    assert fitting and not_fitting, options
    assert any(text.startswith("VM.GPU.A10.1 — 1 GPU, 24.0 GB — does not fit") for text in not_fitting), options
    assert any(text.startswith("VM.GPU.A10.2 — 2 GPUs, 48.0 GB — fits · recommended") for text in fitting), options
    assert options[0].startswith("Let the server choose")

    fit = dialog.locator(".jp-AquaExt-FitSummary")
    arithmetic = fit.locator(".jp-AquaExt-FitSummary-arithmetic")
    shape.select_option("VM.GPU.A10.1")
    expect(fit).to_have_class(re.compile(r"jp-mod-doesNotFit"))
    expect(fit.locator(".jp-AquaExt-FitSummary-verdict")).to_contain_text("✗ Does not fit")
    expect(fit.locator(".jp-AquaExt-FitSummary-verdict")).to_contain_text(
        "needs 32.0 GB of 24.0 GB on VM.GPU.A10.1 (10.4 GB short)"
    )
    expect(arithmetic).to_contain_text("weights = 13.00 B params × 2 bytes (bfloat16) = 26.00 GB")
    expect(arithmetic).to_contain_text("KV cache = 2 × 40 layers")
    expect(arithmetic).to_contain_text("total = 26.00 + 3.36 + 2.60 ≈ 31.96 GB")
    lab.screenshot("oci-deploy-form-does-not-fit")
    shape.select_option("VM.GPU.A10.2")
    expect(fit).to_have_class(re.compile(r"jp-mod-fits"))
    expect(fit.locator(".jp-AquaExt-FitSummary-verdict")).to_contain_text("✓ Fits")
    expect(fit.locator(".jp-AquaExt-FitSummary-verdict")).to_contain_text(
        "needs 32.0 GB of 48.0 GB on VM.GPU.A10.2 (11.2 GB headroom)"
    )
    expect(arithmetic).to_contain_text("overhead = max(1 GB, 10% of weights) = 2.60 GB")

    # Name, replicas, and the OCI log the engine writes to.
    dialog.get_by_label("Deployment name").fill(DEPLOYMENT_NAME)
    dialog.get_by_label("Replicas").fill("2")
    dialog.locator("summary", has_text="Advanced options").click()
    dialog.get_by_label("Log group OCID").fill(log_group)
    dialog.get_by_label("Log OCID", exact=True).fill(log_id)

    # An engine parameter OCI's vLLM container does not take: the 400 lands under the parameters.
    dialog.get_by_role("button", name="Add parameter").click()
    dialog.get_by_label("Parameter 1 name").fill("--frobnicate")
    dialog.get_by_label("Parameter 1 value").fill("1")
    dialog.get_by_role("button", name="Deploy", exact=True).click()
    error = dialog.locator('[data-field="params"] .jp-AquaExt-fieldError')
    expect(error).to_contain_text("--frobnicate is not an allowed vllm (OCI) parameter")
    expect(dialog.locator('[data-field="params"]')).to_have_class(re.compile(r"jp-mod-error"))
    lab.screenshot_scrolled_to("oci-deploy-form-error", f'{DIALOG} [data-field="params"]')
    assert api(server, "GET", "deployments")[1]["total"] == 0, "a refused deploy created a deployment"
    assert emu.calls["CreateModelDeployment"] == 0, "OCI was asked to create a refused deployment"

    dialog.get_by_role("button", name="Remove parameter 1").click()
    expect(error).to_have_count(0)  # the refused parameter is gone, and so is its error
    lab.screenshot_scrolled_to("oci-deploy-form-logging", f'{DIALOG} [data-field="logging"]')
    dialog.locator(".jp-AquaExt-ModalDialog-body").evaluate("body => body.scrollTo(0, 0)")
    lab.screenshot("oci-deploy-form")
    dialog.get_by_role("button", name="Deploy", exact=True).click()

    # -- CREATING with the work request's progress, in the detail and the list; then ACTIVE
    expect(pg.locator(DIALOG)).to_have_count(0)
    expect(pg.get_by_role("tab", name="Deployments")).to_have_attribute("aria-selected", "true")
    detail = pg.locator(DETAIL)
    expect(detail.locator(".jp-AquaExt-ResourceDetail-name")).to_have_text(DEPLOYMENT_NAME)
    expect(detail.locator(".jp-AquaExt-StateBadge.jp-mod-transitional")).to_contain_text("Creating")
    progress = detail.get_by_role("progressbar", name="Deployment progress")
    expect(progress).to_be_visible(timeout=10_000)

    listing = api(server, "GET", "deployments")[1]
    assert listing["total"] == 1
    deployment_id = listing["items"][0]["id"]
    record = emu.deployments.deployments[deployment_id]
    model_config = record["modelDeploymentConfigurationDetails"]["modelConfigurationDetails"]
    assert model_config["instanceConfiguration"]["instanceShapeName"] == "VM.GPU.A10.2"
    assert model_config["scalingPolicy"] == {"policyType": "FIXED_SIZE", "instanceCount": 2}
    assert record["categoryLogDetails"]["predict"] == {"logId": log_id, "logGroupId": log_group}

    detail.get_by_role("button", name="← All deployments").click()
    row = pg.locator(f'.jp-AquaExt-DeploymentRow[data-deployment-id="{deployment_id}"]')
    expect(row).to_contain_text(DEPLOYMENT_NAME)
    expect(row).to_contain_text("VM.GPU.A10.2 × 2")
    expect(row.locator(".jp-AquaExt-StateBadge")).to_have_text("Creating")
    # Back in the detail, the progress follows OCI's work request: accepted, then half way.
    row.get_by_role("button", name=DEPLOYMENT_NAME).click()
    expect(progress).to_have_attribute("aria-valuenow", "50", timeout=15_000)
    expect(detail.locator(".jp-AquaExt-OperationProgress-message")).to_contain_text("OCI work request in progress")
    hide_toasts(lab)
    lab.screenshot("oci-deployment-creating")
    detail.get_by_role("button", name="← All deployments").click()
    expect(row.locator(".jp-AquaExt-StateBadge")).to_have_text("Active", timeout=60_000)
    emu.transition_seconds = OTHER_STEP_SECONDS

    # -- the detail once ACTIVE: endpoint, shape × replicas, logging, the log tail from Logging search
    row.get_by_role("button", name=DEPLOYMENT_NAME).click()
    expect(detail.locator(".jp-AquaExt-StateBadge")).to_have_text("Active")
    expect(progress).to_have_count(0)
    endpoint = f"{server.url}/aqua-ext/deployments/{deployment_id}/v1"
    expect(detail.locator(".jp-AquaExt-DeploymentDetail-endpoint")).to_have_text(endpoint)
    facts = detail.locator(".jp-AquaExt-DeploymentDetail-facts")
    expect(facts).to_contain_text("VM.GPU.A10.2 × 2 replicas")
    expect(facts).to_contain_text(f"{log_group} / {log_id}")
    expect(facts).to_contain_text("vLLM")
    logs = detail.locator(".jp-AquaExt-LogsView-lines")
    expect(logs).to_contain_text("Application startup complete.")
    expect(logs).to_contain_text("Starting container dsmc://odsc-vllm-serving")
    expect(detail.locator(".jp-AquaExt-LogsView-source")).to_contain_text(log_id)

    # -- the playground: the echo streams in word by word, then the answer's stats
    detail.get_by_role("button", name="Open playground").click()
    playground = pg.locator(PLAYGROUND)
    expect(playground.locator(".jp-AquaExt-Playground-name")).to_have_text(DEPLOYMENT_NAME)
    expect(playground.locator(".jp-AquaExt-Playground-meta")).to_contain_text("VM.GPU.A10.2")
    expect(pg.get_by_role("tab", name=f"Playground: {DEPLOYMENT_NAME}")).to_have_attribute("aria-selected", "true")
    message = "Hello from the browser, please echo these words back"
    expected = f"Echo from {DEPLOYMENT_NAME}: {message}"
    record_answer_growth(lab)
    playground.locator(".jp-AquaExt-Composer-input").fill(message)
    playground.locator(".jp-AquaExt-sendButton").click()
    answer = pg.locator(ANSWERS).last
    expect(answer).to_have_attribute("data-status", "done", timeout=30_000)
    expect(answer.locator(".jp-AquaExt-MarkdownMessage")).to_have_text(expected)
    growth = [" ".join(text.split()) for text in answer_growth(lab)]
    # Word by word: many partial answers, each a longer prefix of the whole.
    assert len(growth) >= 5, growth
    assert all(expected.startswith(text) for text in growth), growth
    assert all(len(a) < len(b) for a, b in itertools.pairwise(growth)), growth
    assert len(growth[0]) < len(expected) / 2, growth
    stats = answer.locator(".jp-AquaExt-Turn-stats")
    expect(stats.locator(".jp-AquaExt-Turn-stat-ttft")).to_contain_text(re.compile(r"TTFT \d"))
    expect(stats.locator(".jp-AquaExt-Turn-stat-rate")).to_contain_text(re.compile(r"\d+\.\d tokens/s"))
    expect(stats.locator(".jp-AquaExt-Turn-stat-tokens")).to_contain_text("tokens")
    assert emu.calls["PredictWithResponseStream"] == 1
    hide_toasts(lab)
    lab.screenshot("oci-playground")

    # -- the chat is in the log now (OCI's access record, found through Logging search)
    execute(lab, "aqua-ext:open-deployments", {"deploymentId": deployment_id})
    expect(detail.locator(".jp-AquaExt-ResourceDetail-name")).to_have_text(DEPLOYMENT_NAME)
    detail.locator(".jp-AquaExt-DeploymentLogs").get_by_role("button", name="Refresh").click()
    expect(logs).to_contain_text("route=/v1/chat/completions 200")
    hide_toasts(lab)
    detail.evaluate("element => element.scrollTo(0, 0)")  # the detail is its own scroll container
    lab.screenshot("oci-deployment-detail")
    lab.screenshot_scrolled_to("oci-deployment-logs", f"{DETAIL} .jp-AquaExt-DeploymentLogs")

    # The Python snippet works as shown against OCI too (signed predict calls behind the proxy).
    snippet = detail.locator('.jp-AquaExt-CodeSnippets-code[data-snippet="python"]').inner_text()
    # aqua_ext.client finds the server and its token in Jupyter's runtime files, as a notebook's kernel does.
    assert f'client.openai_client("{deployment_id}")' in snippet and "JUPYTER_TOKEN" not in snippet
    env = {key: value for key, value in os.environ.items() if key != "JUPYTER_TOKEN"}
    env.update({"JUPYTER_RUNTIME_DIR": str(server.base / "jupyter-runtime"), "NO_PROXY": "127.0.0.1,localhost"})
    run = subprocess.run(
        [sys.executable, "-c", snippet], env=env, cwd=server.root_dir, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, f"the snippet failed:\n{run.stderr[-2000:]}"
    assert f"Echo from {DEPLOYMENT_NAME}: " in run.stdout, run.stdout
    assert emu.calls["PredictWithResponseStream"] == 2

    # -- deactivate → INACTIVE (OCI's UPDATING in between), then delete with the confirm dialog
    detail.get_by_role("button", name="Deactivate").click()
    expect(detail.locator(".jp-AquaExt-StateBadge")).to_have_text("Inactive", timeout=60_000)
    assert api(server, "GET", f"deployments/{deployment_id}")[1]["state"] == "INACTIVE"
    assert emu.deployments.deployments[deployment_id]["lifecycleState"] == "INACTIVE"
    expect(detail.get_by_role("button", name="Activate")).to_be_visible()

    detail.get_by_role("button", name="Delete").click()
    confirm = pg.locator(".jp-Dialog")
    expect(confirm).to_contain_text(DEPLOYMENT_NAME)
    confirm.get_by_role("button", name="Delete").click()
    expect(pg.locator(DETAIL)).to_have_count(0)
    expect(pg.locator(".jp-AquaExt-DeploymentList .jp-AquaExt-EmptyState")).to_contain_text(
        "No deployments yet", timeout=30_000
    )
    assert api(server, "GET", "deployments")[1]["total"] == 0
    assert emu.calls["DeleteModelDeployment"] == 1
    expect(pg.get_by_role("tab", name=f"Playground: {DEPLOYMENT_NAME}")).to_have_count(0)
    assert model_id in emu.datascience.models, "deleting the deployment must leave the model"
    assert_no_page_errors(lab)
