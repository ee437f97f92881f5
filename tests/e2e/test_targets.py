"""Several targets at once, in a real JupyterLab and Chromium: one `jupyter lab` with
targets ["local", "oci"], OCI pointing at the emulator (tests/oci_emulator/).

As a user sees it: the backend badge lists Local and OCI, both ready; the Model Explorer
shows local and OCI models side by side, each with its target badge; the register dialog
offers the Target picker and its sources follow the chosen target; the deploy form from a
local model is fixed on the local target and offers this machine's hardware, from an OCI
model the OCI shapes. A second server whose OCI settings are broken still lists the local
models, and its badge says why OCI is unavailable. Light and dark screenshots go to
.screenshots/ (light-targets-*.png, dark-targets-*.png).
"""

from __future__ import annotations

import re
import shutil
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
from tests.e2e.test_deploy_playground import DEMO_NAME
from tests.e2e.test_model_explorer import execute
from tests.e2e.test_oci_deploy_playground import hide_toasts
from tests.model_folders import write_model_folder
from tests.oci_setup import OciWorld, seed_deployable_model, start_world

pytestmark = pytest.mark.e2e

OCI_MODEL = "acme-chat-13b"
LOCAL_FOLDER = "tiny-local-registered"
EXPLORER = ".jp-AquaExt-App-explorer:not([hidden])"
CARDS = f"{EXPLORER} .jp-AquaExt-ModelCard"
BADGE = ".jp-AquaExt-BackendBadge"
DETAIL = ".jp-AquaExt-ModelDetail"
DEPLOY_DIALOG = '[role="dialog"][aria-label="Deploy model"]'


def lab_with_targets(base: Path, demo_model_dir: Path, traits: dict[str, Any]) -> LabServer:
    """A lab server enabling local and OCI, with the demo model where the local target expects it."""
    server = LabServer(base, server_config={"AquaExtension": {**traits, "targets": ["local", "oci"]}})
    # LabServer passes --AquaExtension.backend=<backend>; "auto" leaves `targets` as configured.
    server.backend = "auto"
    server.prepare()
    shutil.copytree(demo_model_dir, server.data_dir / "models" / "demo-tiny-llama")
    return server


@pytest.fixture(scope="module")
def oci_world(lab_prerequisites: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OciWorld]:
    world = start_world(tmp_path_factory.mktemp("targets-world"))
    seed_deployable_model(
        world,
        OCI_MODEL,
        parameter_count=13_000_000_000,
        layers=40,
        hidden_size=5120,
        heads=40,
        kv_heads=40,
        context_length=4096,
    )
    try:
        yield world
    finally:
        world.emulator.stop()


@pytest.fixture(scope="module")
def targets_lab(
    browser: Any, oci_world: OciWorld, demo_model_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LabPage]:
    traits = oci_world.traits()
    traits.pop("backend")
    server = lab_with_targets(tmp_path_factory.mktemp("targets-lab"), demo_model_dir, traits)
    with server, lab_page(browser, server) as page:
        yield page


def set_theme(lab: LabPage, dark: bool) -> None:
    execute(lab, "apputils:change-theme", {"theme": "JupyterLab Dark" if dark else "JupyterLab Light"})
    light = "false" if dark else "true"
    lab.page.wait_for_selector(f'body[data-jp-theme-light="{light}"]', state="attached", timeout=20_000)
    lab.page.wait_for_timeout(300)  # let the theme's stylesheet settle


def show_explorer(lab: LabPage) -> None:
    execute(lab, "aqua-ext:open-models")
    expect(lab.page.locator(EXPLORER)).to_be_visible()
    search = lab.page.locator(f'{EXPLORER} input[aria-label="Search models"]')
    search.fill("")
    expect(lab.page.locator(CARDS).first).to_be_visible()


def card(lab: LabPage, name: str) -> Any:
    return lab.page.locator(f'{CARDS}[aria-label="{name}"]')


def open_deploy_form(lab: LabPage, search: str, name: str) -> Any:
    show_explorer(lab)
    lab.page.locator(f'{EXPLORER} input[aria-label="Search models"]').fill(search)
    card(lab, name).click()
    detail = lab.page.locator(DETAIL)
    expect(detail.locator(".jp-AquaExt-ResourceDetail-name")).to_have_text(name)
    deploy = detail.get_by_role("button", name="Deploy", exact=True)
    expect(deploy).to_be_enabled()
    deploy.click()
    dialog = lab.page.locator(DEPLOY_DIALOG)
    expect(dialog).to_be_visible()
    return dialog


def close_dialog(lab: LabPage, dialog: Any) -> None:
    dialog.get_by_role("button", name="Close dialog").click()
    expect(dialog).to_have_count(0)


def back_to_models(lab: LabPage) -> None:
    lab.page.get_by_role("button", name="← All models").click()
    expect(lab.page.locator(DETAIL)).to_have_count(0)


def test_badge_lists_both_targets_ready(targets_lab: LabPage, oci_world: OciWorld) -> None:
    status, info = targets_lab.server.get("aqua-ext/info")
    assert status == 200, info
    assert [t["name"] for t in info["targets"]] == ["local", "oci"], info["targets"]
    assert all(t["ready"] for t in info["targets"]), info["targets"]

    show_explorer(targets_lab)
    badge = targets_lab.page.locator(f"{BADGE}.jp-AquaExt-BackendBadge-targets")
    expect(badge).to_be_visible()
    items = badge.locator(".jp-AquaExt-BackendBadge-target")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text(re.compile(r"^Local · \d+ CPUs? · "))
    expect(items.nth(1)).to_contain_text("OCI")
    expect(items.nth(1)).to_contain_text(oci_world.identity.region)
    for i in range(2):
        expect(items.nth(i)).to_have_class(re.compile(r"\bjp-mod-ready\b"))
    expect(badge.locator(".jp-AquaExt-BackendBadge-problem")).to_have_count(0)


def test_explorer_shows_local_and_oci_models_with_target_badges(targets_lab: LabPage) -> None:
    status, body = targets_lab.server.get("aqua-ext/models")
    assert status == 200, body
    by_target = {item["name"]: item["target"] for item in body["items"]}
    assert by_target[DEMO_NAME] == "local" and by_target[OCI_MODEL] == "oci", by_target
    assert not body.get("problems"), body.get("problems")

    show_explorer(targets_lab)
    # The grid renders the cards in view only; the count names them all.
    total = len(body["items"])
    expect(targets_lab.page.locator(f"{EXPLORER} .jp-AquaExt-ModelExplorer-counts")).to_have_text(
        re.compile(rf"^\s*{total} models\s*$")
    )
    expect(card(targets_lab, DEMO_NAME).locator(".jp-AquaExt-TargetBadge")).to_have_text("local")
    expect(card(targets_lab, OCI_MODEL).locator(".jp-AquaExt-TargetBadge")).to_have_text("oci")
    expect(targets_lab.page.locator(f"{EXPLORER} .jp-AquaExt-TargetProblems")).to_have_count(0)
    for name in (DEMO_NAME, OCI_MODEL):
        targets_lab.page.locator(f'{EXPLORER} input[aria-label="Search models"]').fill(name.split()[0])
        expect(card(targets_lab, name)).to_be_visible()
    targets_lab.page.locator(f'{EXPLORER} input[aria-label="Search models"]').fill("")
    for theme in ("light", "dark"):
        set_theme(targets_lab, theme == "dark")
        targets_lab.screenshot(f"{theme}-targets-explorer")
    set_theme(targets_lab, False)
    assert not targets_lab.errors, targets_lab.errors


def test_register_dialog_target_picker_switches_sources(targets_lab: LabPage) -> None:
    show_explorer(targets_lab)
    targets_lab.page.locator(f"{EXPLORER} .jp-AquaExt-registerButton").click()
    dialog = targets_lab.page.get_by_role("dialog", name="Register model")
    expect(dialog).to_be_visible()
    picker = dialog.get_by_label("Target", exact=True)
    expect(picker).to_be_visible()
    expect(picker).to_be_enabled()
    expect(picker).to_have_value("local")
    labels = [text.strip() for text in picker.locator("option").all_inner_texts()]
    assert labels[0] == "Local (this machine)" and labels[1].startswith("OCI Data Science"), labels
    expect(dialog.get_by_label("Local folder", exact=True)).to_be_checked()
    expect(dialog.get_by_label("Object Storage", exact=True)).to_have_count(0)

    picker.select_option("oci")
    expect(dialog.get_by_label("Object Storage", exact=True)).to_be_checked()
    expect(dialog.get_by_label("Local folder", exact=True)).to_have_count(0)
    expect(dialog.get_by_label("Object Storage path")).to_be_visible()
    for theme in ("light", "dark"):
        set_theme(targets_lab, theme == "dark")
        targets_lab.screenshot(f"{theme}-targets-register-oci")
    set_theme(targets_lab, False)

    picker.select_option("local")
    expect(dialog.get_by_label("Local folder", exact=True)).to_be_checked()
    folder = write_model_folder(targets_lab.server.root_dir / "models" / LOCAL_FOLDER, readme="# Tiny local\n")
    dialog.get_by_label("Folder path").fill(str(folder))
    dialog.get_by_role("button", name="Register", exact=True).click()
    expect(dialog).to_have_count(0, timeout=30_000)
    detail = targets_lab.page.locator(DETAIL)
    expect(detail.locator(".jp-AquaExt-ResourceDetail-name")).to_have_text(LOCAL_FOLDER)
    status, body = targets_lab.server.get("aqua-ext/models")
    assert status == 200, body
    registered = [item for item in body["items"] if item["name"] == LOCAL_FOLDER]
    assert [item["target"] for item in registered] == ["local"], registered
    back_to_models(targets_lab)

    # The registered models of both targets, side by side.
    source = targets_lab.page.locator(f'{EXPLORER} select[aria-label="Source"]')
    source.select_option("registered")
    expect(targets_lab.page.locator(CARDS)).to_have_count(2)
    expect(card(targets_lab, LOCAL_FOLDER).locator(".jp-AquaExt-TargetBadge")).to_have_text("local")
    expect(card(targets_lab, OCI_MODEL).locator(".jp-AquaExt-TargetBadge")).to_have_text("oci")
    hide_toasts(targets_lab)  # "Registered …" would cover the bottom right of the screenshots
    for theme in ("light", "dark"):
        set_theme(targets_lab, theme == "dark")
        targets_lab.screenshot(f"{theme}-targets-registered")
    set_theme(targets_lab, False)
    source.select_option("")
    assert not targets_lab.errors, targets_lab.errors


def test_deploy_form_follows_the_model_target(targets_lab: LabPage) -> None:
    lab = targets_lab
    # A local model: the target is fixed on local, and the form offers this machine's hardware.
    dialog = open_deploy_form(lab, "demo", DEMO_NAME)
    picker = dialog.get_by_label("Target", exact=True)
    expect(picker).to_have_value("local")
    expect(picker).to_be_disabled()
    expect(dialog.get_by_label(re.compile(r"^CPU"))).to_be_checked()
    expect(dialog.get_by_label("Shape", exact=True)).to_have_count(0)
    for theme in ("light", "dark"):
        set_theme(lab, theme == "dark")
        lab.screenshot(f"{theme}-targets-deploy-local")
    set_theme(lab, False)
    close_dialog(lab, dialog)
    back_to_models(lab)

    # An OCI model: fixed on OCI, with the OCI shapes and their memory fit.
    dialog = open_deploy_form(lab, "acme", OCI_MODEL)
    picker = dialog.get_by_label("Target", exact=True)
    expect(picker).to_have_value("oci")
    expect(picker).to_be_disabled()
    shape = dialog.get_by_label("Shape", exact=True)
    expect(shape).to_have_value("VM.GPU.A10.2", timeout=20_000)
    options = [text.strip() for text in shape.locator("option").all_inner_texts()]
    assert any(option.startswith("VM.GPU.A10.1") for option in options), options
    expect(dialog.get_by_label(re.compile(r"^CPU"))).to_have_count(0)
    for theme in ("light", "dark"):
        set_theme(lab, theme == "dark")
        lab.screenshot(f"{theme}-targets-deploy-oci")
    set_theme(lab, False)
    close_dialog(lab, dialog)
    back_to_models(lab)
    assert not lab.errors, lab.errors


def test_broken_oci_still_lists_local_models_and_badge_says_why(
    browser: Any, oci_world: OciWorld, demo_model_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    base = tmp_path_factory.mktemp("targets-broken")
    traits = oci_world.traits(oci_config_file=str(base / "no-such-oci-config"))
    traits.pop("backend")
    server = lab_with_targets(base, demo_model_dir, traits)
    with server, lab_page(browser, server) as lab:
        status, info = server.get("aqua-ext/info")
        assert status == 200, info
        oci = next(t for t in info["targets"] if t["name"] == "oci")
        assert not oci["ready"] and oci["problem"], oci

        status, body = server.get("aqua-ext/models")
        assert status == 200, body
        assert {item["target"] for item in body["items"]} == {"local"}, body["items"]
        show_explorer(lab)
        problems = body.get("problems") or []
        notice = lab.page.locator(f"{EXPLORER} .jp-AquaExt-TargetProblems")
        if problems:  # the list names the target it misses, and why
            expect(notice).to_contain_text("OCI")
        lab.page.locator(f'{EXPLORER} input[aria-label="Search models"]').fill("demo")
        expect(card(lab, DEMO_NAME)).to_be_visible()
        expect(card(lab, DEMO_NAME).locator(".jp-AquaExt-TargetBadge")).to_have_text("local")
        expect(card(lab, OCI_MODEL)).to_have_count(0)

        badge = lab.page.locator(f"{BADGE}.jp-AquaExt-BackendBadge-targets")
        expect(badge).to_have_class(re.compile(r"\bjp-mod-warn\b"))
        items = badge.locator(".jp-AquaExt-BackendBadge-target")
        expect(items.nth(0)).to_have_class(re.compile(r"\bjp-mod-ready\b"))
        expect(items.nth(1)).to_have_class(re.compile(r"\bjp-mod-warn\b"))
        problem = items.nth(1).locator(".jp-AquaExt-BackendBadge-problem")
        expect(problem).to_be_visible()
        expect(problem).to_contain_text(re.compile(r"\S"))
        expect(problem).to_contain_text(oci["problem"][:40])
        for theme in ("light", "dark"):
            set_theme(lab, theme == "dark")
            lab.screenshot(f"{theme}-targets-oci-broken")
        set_theme(lab, False)
        assert not lab.errors, lab.errors
