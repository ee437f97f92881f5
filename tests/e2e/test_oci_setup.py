"""The OCI setup view, in a real JupyterLab and Chromium: one `jupyter lab` with targets
["local", "oci"], OCI pointing at the emulator (tests/oci_emulator/), where the compartment
lacks one statement (OCI refuses model deployments) and the output bucket is unversioned.

As a user sees it: beside the backend badge an "OCI setup" button opens the view; with the
output bucket typed in and "Check" pressed, the checks list the deployments as missing with
the exact statement that fixes them and the bucket with the command that turns versioning
on, each fix with its copy button (a click copies it); below come the dynamic groups, every
statement (and all of AQUA's at once) and the Terraform. Light and dark screenshots go to
.screenshots/ (light-oci-setup*.png, dark-oci-setup*.png).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser_prerequisites fixture skips (or, under CI, fails) with the reason
    expect = None

from tests.e2e.conftest import LabPage, lab_page
from tests.e2e.lab_server import LabServer
from tests.e2e.test_model_explorer import execute
from tests.e2e.test_targets import set_theme
from tests.oci_setup import OciWorld, start_world

pytestmark = pytest.mark.e2e

BUCKET = "aqua-out"
DENIED = "manage data-science-model-deployments"
STATEMENT = "Allow dynamic-group aqua-dynamic-group to manage data-science-model-deployments in compartment aqua-tests"
VIEW = ".jp-AquaExt-Setup"
# The screenshots: the checks, the dynamic groups and statements, the Terraform.
SHOTS = {"": "h2", "-statements": "section[aria-label='Policy statements'] h3", "-terraform": "pre"}
# What the copy buttons put on the clipboard: JupyterLab copies through a `copy` event on the body,
# which bubbles up to this listener with the text already set.
RECORD_COPIES = """() => {
  window.__aquaCopied = [];
  window.addEventListener('copy', event => window.__aquaCopied.push(event.clipboardData.getData('text')));
}"""


@pytest.fixture(scope="module")
def oci_world(lab_prerequisites: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OciWorld]:
    world = start_world(tmp_path_factory.mktemp("setup-world"))
    world.emulator.deny(DENIED)
    world.emulator.add_bucket(None, BUCKET, versioned=False, compartment_id=world.compartment_id)
    try:
        yield world
    finally:
        world.emulator.stop()


@pytest.fixture(scope="module")
def setup_lab(browser: Any, oci_world: OciWorld, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabPage]:
    traits = oci_world.traits()
    traits.pop("backend")
    server = LabServer(
        tmp_path_factory.mktemp("setup-lab"), server_config={"AquaExtension": {**traits, "targets": ["local", "oci"]}}
    )
    server.backend = "auto"  # LabServer passes --AquaExtension.backend; "auto" leaves `targets` as configured
    with server, lab_page(browser, server) as page:
        yield page


def check(view: Any, key: str) -> Any:
    return view.locator(f'[data-check="{key}"]')


def test_setup_view_names_the_missing_statement_and_the_bucket_command(setup_lab: LabPage, oci_world: OciWorld) -> None:
    lab = setup_lab
    # What the server answers is what the view shows: the two things to fix, nothing else.
    status, report = lab.server.get(f"aqua-ext/oci/setup?bucket={BUCKET}")
    assert status == 200, report
    found = {c["key"]: c for c in report["checks"]}
    assert {k for k, c in found.items() if c["status"] == "missing"} == {"deployments", "bucket-versioning"}, found
    versioning = f"oci os bucket update --name {BUCKET} --namespace {oci_world.emulator.namespace} --versioning Enabled"
    assert found["deployments"]["fix"] == [STATEMENT] and found["bucket-versioning"]["fix"] == [versioning]

    execute(lab, "aqua-ext:open-models")
    setup = lab.page.get_by_role("button", name="OCI setup", exact=True)
    expect(setup).to_be_visible()
    setup.click()
    view = lab.page.locator(VIEW)
    expect(view.get_by_role("heading", name="OCI setup")).to_be_visible()
    expect(check(view, "deployments")).to_be_visible()
    # Without a bucket named, its checks wait for one.
    expect(check(view, "bucket-versioning").locator(".jp-AquaExt-Badge")).to_have_text("skipped")

    view.get_by_label("Output bucket").fill(BUCKET)
    view.get_by_role("button", name="Check", exact=True).click()
    expect(view.get_by_role("status")).to_contain_text("2 checks are missing.")
    expect(view.get_by_role("status")).to_contain_text("Checked as api_key")

    deployments = check(view, "deployments")
    expect(deployments.locator(".jp-AquaExt-Badge")).to_have_text("missing")
    expect(deployments).to_contain_text("List model deployments")
    expect(deployments.locator(".jp-AquaExt-Setup-fix code")).to_have_text(STATEMENT)
    bucket = check(view, "bucket-versioning")
    expect(bucket.locator(".jp-AquaExt-Badge")).to_have_text("missing")
    expect(bucket).to_contain_text(f"bucket '{BUCKET}' is not versioned")
    expect(bucket.locator(".jp-AquaExt-Setup-fix code")).to_have_text(versioning)
    expect(bucket.get_by_role("button", name="Copy command")).to_be_visible()
    for key in ("models", "jobs", "logging", "bucket"):
        expect(check(view, key).locator(".jp-AquaExt-Badge")).to_have_text("ok")
    # A copy button on each fix, and a click copies exactly the fix.
    fixes = view.locator(".jp-AquaExt-Setup-fix")
    expect(fixes).to_have_count(2)
    expect(fixes.locator(".jp-AquaExt-copyButton")).to_have_count(2)
    lab.page.evaluate(RECORD_COPIES)
    deployments.get_by_role("button", name="Copy fix").click()
    bucket.get_by_role("button", name="Copy command").click()
    assert lab.page.evaluate("() => window.__aquaCopied") == [STATEMENT, versioning]

    # The dynamic groups, every statement (ours filled in with the compartment and the bucket), the Terraform.
    groups = view.get_by_role("region", name="Dynamic groups")
    expect(groups.locator(".jp-AquaExt-Setup-group")).to_have_count(len(report["dynamic_groups"]))
    expect(groups).to_contain_text("aqua-dynamic-group")
    statements = view.get_by_role("region", name="Policy statements")
    items = statements.locator(".jp-AquaExt-Setup-statements li")
    expect(items).to_have_count(len(report["statements"]))
    expect(items.filter(has_text=re.compile("^" + re.escape(STATEMENT) + "$"))).to_have_count(1)
    expect(statements).to_contain_text(f"target.bucket.name='{BUCKET}'")
    expect(statements.get_by_role("button", name="Copy all statements")).to_be_visible()
    terraform = view.get_by_role("region", name="Terraform")
    expect(terraform.locator("code")).to_contain_text('resource "oci_identity_policy" "aqua"')
    expect(terraform.get_by_role("button", name="Copy Terraform")).to_be_visible()

    for theme in ("light", "dark"):
        set_theme(lab, theme == "dark")
        for name, selector in SHOTS.items():
            lab.page.locator(f"{VIEW} {selector}").first.scroll_into_view_if_needed()
            lab.page.wait_for_timeout(300)  # Chromium paints a scrolled-to block late (an empty Terraform box)
            lab.screenshot(f"{theme}-oci-setup{name}")
    set_theme(lab, False)

    # Closing the view brings the sections back.
    view.get_by_role("button", name="Close", exact=True).click()
    expect(view).to_have_count(0)
    expect(setup).to_have_attribute("aria-pressed", "false")
    assert not lab.errors, lab.errors
