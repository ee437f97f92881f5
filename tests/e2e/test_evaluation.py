"""Evaluate deployments from the UI, in a real JupyterLab and Chromium on the local backend: the
demo model fine-tuned on a dataset and its base, both deployed on real `transformers serve`
engines; an evaluation created in the form on the fine-tune's training data, watched to its
report (scores, the rows behind them, sorted), the report's download link, then the comparison
of the tuned model and its base. Screenshots (light and dark) go to .screenshots/.
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
from tests.e2e.test_deploy_playground import api, delete_all_deployments, wait_state
from tests.e2e.test_finetune import FINAL, delete_all_finetunes
from tests.e2e.test_model_explorer import assert_no_page_errors, execute
from tests.handlers.test_finetunes import FAST, color_rows
from tests.model_folders import needs_local_extra

pytestmark = [pytest.mark.e2e, needs_local_extra]

FORM = '[role="dialog"][aria-label="New evaluation"]'
DETAIL = ".jp-AquaExt-EvaluationDetail"


def wait_for(server: LabServer, path: str, done: Any, timeout: float = 300) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        status, body = api(server, "GET", path)
        assert status == 200, body
        if done(body):
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.5)


@pytest.fixture(scope="module")
def evaluation_server(
    lab_prerequisites: None, demo_model_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LabServer, dict[str, str]]]:
    """A lab server with the demo model fine-tuned on colors.jsonl, the tuned and the base model deployed."""
    server = LabServer(tmp_path_factory.mktemp("e2e-evaluation"))
    server.prepare()
    shutil.copytree(demo_model_dir, server.data_dir / "models" / "demo-tiny-llama")
    (server.root_dir / "colors.jsonl").write_text("".join(json.dumps(r) + "\n" for r in color_rows()), encoding="utf-8")
    with server:
        try:
            status, body = api(
                server,
                "POST",
                "finetunes",
                {"model_id": "demo:tiny-llama", "name": "Colors", "dataset_path": "colors.jsonl", "params": FAST},
            )
            assert status == 202, body
            job = wait_for(server, f"finetunes/{body['finetune']['id']}", lambda d: d["state"] in FINAL)
            assert job["state"] == "SUCCEEDED", job
            ids = {"finetune": job["id"]}
            for key, model_id in (("tuned", job["output_model_id"]), ("base", "demo:tiny-llama")):
                status, body = api(server, "POST", "deployments", {"model_id": model_id, "name": key})
                assert status == 202, body
                ids[key] = body["deployment"]["id"]
            for key in ("tuned", "base"):
                assert wait_state(server, ids[key], "ACTIVE", "FAILED")["state"] == "ACTIVE"
            yield server, ids
        finally:
            delete_all_deployments(server)
            delete_all_finetunes(server)


@pytest.fixture(scope="module")
def page(browser: Any, evaluation_server: tuple[LabServer, dict[str, str]]) -> Iterator[LabPage]:
    with lab_page(browser, evaluation_server[0]) as lab:
        yield lab


def test_evaluate_watch_the_report_and_compare_with_the_base(
    page: LabPage, evaluation_server: tuple[LabServer, dict[str, str]]
) -> None:
    lab, (server, ids) = page, evaluation_server
    pg = lab.page

    # -- the form: the tuned deployment, on the fine-tune's training data, a sample of 24 rows
    execute(lab, "aqua-ext:new-evaluation", {"deploymentId": ids["tuned"]})
    form = pg.locator(FORM)
    expect(form).to_be_visible()
    expect(pg.get_by_role("tab", name="Evaluations")).to_have_attribute("aria-selected", "true")
    form.get_by_label("Name").fill("tuned on its data")
    form.get_by_role("radio", name="The training data of a fine-tune").check()
    form.get_by_label("Fine-tuning job", exact=True).select_option(ids["finetune"])
    form.get_by_label("Sample size (optional)").fill("24")
    lab.screenshot("light-evaluation-form")
    form.get_by_role("button", name="Start evaluation").click()
    expect(pg.locator(FORM)).to_have_count(0, timeout=30_000)

    # -- the detail: progress, then the report with its scores and the rows behind them
    detail = pg.locator(DETAIL)
    expect(detail).to_be_visible()
    evaluation_id = detail.get_attribute("data-evaluation-id")
    assert evaluation_id and evaluation_id.startswith("evj-")
    progress = detail.get_by_role("progressbar", name="Evaluation progress")
    expect(progress).to_have_attribute("aria-valuetext", re.compile(r"rows \d+ of 24"))
    expect(detail.locator("[data-state]").first).to_have_attribute("data-state", "SUCCEEDED", timeout=180_000)
    expect(progress).to_have_attribute("aria-valuetext", re.compile(r"rows 24 of 24"))
    scores = detail.get_by_role("table", name="Overall scores")
    expect(scores.locator("tr[data-score=rougeL]")).to_be_visible()
    expect(scores.locator("tr[data-score=bertscore]")).to_be_visible()
    rows = detail.get_by_role("table", name="Rows")
    expect(rows.locator("tbody tr")).to_have_count(24)
    rows.get_by_role("button", name="ROUGE-L").click()
    expect(rows.locator("th[data-sort-key=rougeL]")).to_have_attribute("aria-sort", "ascending")
    lab.screenshot("light-evaluation-report")

    # The download link carries no token (the browser's session authenticates it) and serves the report.
    link = detail.get_by_role("link", name="Download report")
    href = link.get_attribute("href") or ""
    assert href.endswith(f"aqua-ext/evaluations/{evaluation_id}/report.html") and server.token not in href
    with pg.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith("-report.html")

    # -- the base model on the same rows (through the API), then Compare in the list
    status, body = api(
        server,
        "POST",
        "evaluations",
        {
            "deployment_id": ids["base"],
            "name": "base on the same data",
            "finetune_id": ids["finetune"],
            "sample_size": 24,
        },
    )
    assert status == 202, body
    base_id = body["evaluation"]["id"]
    wait_for(server, f"evaluations/{base_id}", lambda d: d["state"] in FINAL)
    detail.get_by_role("button", name="← All evaluations").click()
    table = pg.get_by_role("table", name="Evaluations")
    for name in ("tuned on its data", "base on the same data"):
        # The list shows what its last poll saw; the base's row comes with the next one (10 s apart when
        # nothing runs), or the one after when a poll fails: waited for, up to three polls.
        box = table.get_by_role("checkbox", name=f"Select “{name}” for comparison")
        expect(box).to_be_visible(timeout=30_000)
        box.check()
    pg.get_by_role("button", name="Compare (2)").click()
    compared = pg.get_by_role("table", name="Overall scores compared")
    expect(compared).to_be_visible()
    best = compared.locator("tr", has_text="ROUGE-L").locator("[data-best=true]")
    expect(best).to_have_count(1)
    tuned_score = api(server, "GET", f"evaluations/{evaluation_id}")[1]["scores"]["rougeL"]
    base_score = api(server, "GET", f"evaluations/{base_id}")[1]["scores"]["rougeL"]
    assert tuned_score > base_score, (tuned_score, base_score)
    lab.screenshot("light-evaluation-compare")

    execute(lab, "apputils:change-theme", {"theme": "JupyterLab Dark"})
    pg.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'")
    time.sleep(1.0)  # charts re-read the theme's colours
    lab.screenshot("dark-evaluation-compare")
    execute(lab, "apputils:change-theme", {"theme": "JupyterLab Light"})
    assert_no_page_errors(lab)
