"""Fine-tune from a dataset in the file browser and deploy the result, in a real JupyterLab and
Chromium on the local backend with real trl + peft training and a real `transformers serve`.

The flow: right-click a .jsonl → "Fine-tune with this dataset" → the form opens prefilled; a
file with a bad line is refused inline (line number, submit disabled); a good one shows the
preflight and the training memory fit; submit → the job's detail, whose loss curve grows while
it trains → SUCCEEDED → Deploy → the fine-tuned model ACTIVE in Deployments. Screenshots (light
and dark) go to .screenshots/.
"""

from __future__ import annotations

import json
import re
import shutil
import time
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
from tests.e2e.test_deploy_playground import (
    ACTIVE_TIMEOUT_MS,
    api,
    delete_all_deployments,
    open_deploy_form_from_model,
)
from tests.e2e.test_model_explorer import assert_no_page_errors, execute
from tests.handlers.test_finetunes import color_rows
from tests.model_folders import needs_local_extra

pytestmark = [pytest.mark.e2e, needs_local_extra]

FORM = '[role="dialog"][aria-label="Fine-tune model"]'
DEPLOY_FORM = '[role="dialog"][aria-label="Deploy model"]'
DETAIL = ".jp-AquaExt-FineTuneDetail"
JOB_NAME = "e2e colors"
FINAL = ("SUCCEEDED", "FAILED", "CANCELED")


def delete_all_finetunes(server: LabServer) -> None:
    status, listing = api(server, "GET", "finetunes")
    if status != 200:
        return
    for item in listing["items"]:
        if item["state"] not in FINAL:
            api(server, "POST", f"finetunes/{item['id']}/cancel")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        items = api(server, "GET", "finetunes")[1]["items"]
        if all(i["state"] in FINAL for i in items):
            break
        time.sleep(0.5)
    for item in api(server, "GET", "finetunes")[1]["items"]:
        api(server, "DELETE", f"finetunes/{item['id']}")


@pytest.fixture(scope="module")
def finetune_server(
    lab_prerequisites: None, demo_model_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LabServer]:
    server = LabServer(tmp_path_factory.mktemp("e2e-finetune"))
    server.prepare()
    shutil.copytree(demo_model_dir, server.data_dir / "models" / "demo-tiny-llama")
    datasets = server.root_dir / "datasets"
    datasets.mkdir()
    rows = color_rows()
    (datasets / "colors.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (datasets / "broken.jsonl").write_text(
        json.dumps(rows[0]) + "\n{not json\n" + json.dumps(rows[1]) + "\n", encoding="utf-8"
    )
    with server:
        try:
            yield server
        finally:
            delete_all_deployments(server)
            delete_all_finetunes(server)


@pytest.fixture(scope="module")
def page(browser: Any, finetune_server: LabServer) -> Iterator[LabPage]:
    with lab_page(browser, finetune_server) as lab:
        yield lab


def open_form_from_file_browser(lab: LabPage, file_name: str) -> Any:
    pg = lab.page
    execute(lab, "filebrowser:go-to-path", {"path": "/datasets"})
    item = pg.locator('.jp-DirListing-item[data-file-type="jsonl"]', has_text=file_name)
    expect(item).to_be_visible()
    item.click(button="right")
    pg.locator(".lm-Menu-item", has_text="Fine-tune with this dataset").click()
    form = pg.locator(FORM)
    expect(form).to_be_visible()
    expect(form.get_by_label("Dataset (JSONL)")).to_have_value(f"datasets/{file_name}")
    expect(pg.get_by_role("tab", name="Fine-tuning")).to_have_attribute("aria-selected", "true")
    return form


def look_at_the_adapter_offered(lab: LabPage, theme: str) -> None:
    """The base model's deploy form offers the fine-tune as a LoRA adapter: screenshot, then Cancel."""
    base_form = open_deploy_form_from_model(lab)
    adapters = base_form.locator('fieldset[data-field="adapters"]')
    choice = adapters.locator("label.jp-AquaExt-choice", has_text=JOB_NAME).get_by_role("checkbox")
    # transformers, the default engine, serves no adapters: the form says which engines do
    expect(choice).to_be_disabled()
    expect(adapters).to_contain_text("llama.cpp")
    base_form.get_by_role("radio", name=re.compile(r"^llama\.cpp")).check()
    expect(choice).to_be_enabled()
    choice.check()
    expect(adapters).to_contain_text("Each adapter answers the requests that name it")
    expect(base_form.get_by_text("Estimating memory…")).to_have_count(0)  # the fit for llama.cpp shown
    adapters.scroll_into_view_if_needed()
    lab.screenshot(f"{theme}-deploy-form-adapters")
    base_form.get_by_role("button", name="Cancel").click()
    expect(lab.page.locator(DEPLOY_FORM)).to_have_count(0)


def test_finetune_from_a_dataset_watch_the_curve_and_deploy(page: LabPage, finetune_server: LabServer) -> None:
    lab, server = page, finetune_server
    pg = lab.page

    # -- a dataset with a bad line: refused inline, by line number, before anything is created
    form = open_form_from_file_browser(lab, "broken.jsonl")
    form.get_by_label("Base model").select_option("demo:tiny-llama")
    check = form.locator(".jp-AquaExt-Preflight")
    expect(check).to_have_attribute("data-status", "invalid", timeout=60_000)
    expect(check.locator('.jp-AquaExt-Preflight-lines li[data-line="2"]')).to_contain_text("invalid JSON")
    expect(form.locator(".jp-AquaExt-finetuneSubmit")).to_be_disabled()
    lab.screenshot("light-finetune-form-bad-dataset")
    form.get_by_role("button", name="Cancel").click()
    assert api(server, "GET", "finetunes")[1]["total"] == 0

    # -- the good dataset: preflight, memory fit, then submit
    form = open_form_from_file_browser(lab, "colors.jsonl")
    form.get_by_label("Base model").select_option("demo:tiny-llama")
    check = form.locator(".jp-AquaExt-Preflight")
    expect(check).to_have_attribute("data-status", "ok", timeout=60_000)
    expect(check).to_contain_text("200")  # rows
    expect(form.locator(".jp-AquaExt-TrainingFit")).to_contain_text("Fits")
    form.get_by_label("Job name").fill(JOB_NAME)
    form.get_by_label("Epochs").fill("4")  # long enough to watch the curve grow between polls
    form.get_by_text("Advanced options").click()
    form.get_by_label("Logging interval").fill("2")
    lab.screenshot("light-finetune-form")
    form.locator(".jp-AquaExt-finetuneSubmit").click()
    expect(pg.locator(FORM)).to_have_count(0, timeout=60_000)

    # -- the job's detail: the train-loss curve grows while it trains, then SUCCEEDED
    detail = pg.locator(DETAIL)
    expect(detail).to_be_visible()
    job_id = detail.get_attribute("data-finetune-id")
    assert job_id and job_id.startswith("ftj-")
    chart = detail.locator(".jp-AquaExt-LossChart")
    state_badge = detail.locator(".jp-AquaExt-ResourceDetail-header [data-state]")
    seen: list[tuple[int, str]] = []  # (points drawn, job state) each time either changed
    state = ""
    shot = False
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        points = int(chart.get_attribute("data-train-points") or "0")
        state = state_badge.get_attribute("data-state") or ""
        if not seen or (points, state) != seen[-1]:
            seen.append((points, state))
            if state == "IN_PROGRESS" and points > 0 and not shot:
                expect(detail.get_by_role("progressbar", name="Training progress")).to_have_attribute(
                    "aria-valuetext", re.compile(r"step \d+ of \d+")
                )
                expect(detail.locator(".jp-AquaExt-JobProgress-steps")).to_contain_text("of")
                lab.screenshot("light-finetune-running")
                shot = True
        if state in FINAL:
            break
        time.sleep(0.25)
    assert state == "SUCCEEDED", (state, api(server, "GET", f"finetunes/{job_id}")[1])
    final = seen[-1][0]
    partial = [p for p, s in seen if s == "IN_PROGRESS" and 0 < p < final]
    assert partial and partial == sorted(partial), f"the curve did not grow while training: {seen}"
    expect(chart).to_have_attribute("data-validation-points", "4")
    assert chart.locator("canvas").count() >= 1
    lab.screenshot("light-finetune-succeeded")

    job = api(server, "GET", f"finetunes/{job_id}")[1]
    model_id = job["output_model_id"]
    assert model_id == f"ft:{job_id}"

    # -- Deploy the result: the deploy form for the fine-tuned model, then ACTIVE in Deployments
    detail.locator(".jp-AquaExt-FineTuneDetail-deploy").click()
    deploy_form = pg.locator(DEPLOY_FORM)
    expect(deploy_form).to_be_visible()
    expect(deploy_form.get_by_label("Deployment name")).to_have_value(JOB_NAME)
    deploy_form.get_by_role("button", name="Deploy", exact=True).click()
    expect(pg.locator(DEPLOY_FORM)).to_have_count(0)
    expect(pg.get_by_role("tab", name="Deployments")).to_have_attribute("aria-selected", "true")
    deployment = pg.locator(".jp-AquaExt-DeploymentDetail:not(.jp-AquaExt-FineTuneDetail)")
    expect(deployment.locator(".jp-AquaExt-StateBadge")).to_contain_text("Active", timeout=ACTIVE_TIMEOUT_MS)
    listing = api(server, "GET", "deployments")[1]
    assert [d["model_id"] for d in listing["items"]] == [model_id]

    # -- the fine-tune offered as a LoRA adapter in its base model's deploy form (served for real, base and
    # adapter on llama.cpp, by tests/handlers/test_adapters.py; here: what the form offers, looked at)
    look_at_the_adapter_offered(lab, "light")

    # -- the fine-tuned model under Models, with its lineage; then the dark theme
    execute(lab, "aqua-ext:open-models")
    _, model = api(server, "GET", f"models/{model_id}")
    assert model["source"] == "fine-tuned" and model["lineage"]["finetune_job_id"] == job_id
    pg.get_by_role("tab", name="Fine-tuning").click()
    execute(lab, "apputils:change-theme", {"theme": "JupyterLab Dark"})
    pg.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'")
    pg.locator(DETAIL).get_by_role("button", name="← All fine-tuning jobs").click()
    row = pg.locator(f'.jp-AquaExt-FineTuneRow[data-finetune-id="{job_id}"]')
    expect(row).to_contain_text("Succeeded")
    lab.screenshot("dark-finetune-list")
    row.get_by_role("button", name=JOB_NAME).click()
    expect(pg.locator(DETAIL)).to_be_visible()
    time.sleep(1.0)  # the chart re-reads the theme's colours
    lab.screenshot("dark-finetune-succeeded")
    look_at_the_adapter_offered(lab, "dark")
    execute(lab, "apputils:change-theme", {"theme": "JupyterLab Light"})
    assert_no_page_errors(lab)
