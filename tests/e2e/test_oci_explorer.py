"""The Model Explorer on the OCI backend, in a real browser: a real `jupyter lab`
whose OCI backend talks, through the real `oci` SDK with signed requests, to the
emulator in tests/oci_emulator/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import LabPage, lab_page
from tests.e2e.lab_server import LabServer
from tests.oci_setup import OciWorld, seed_user_model, start_world

pytestmark = pytest.mark.e2e

EXPLORER = ".jp-AquaExt-App-explorer:not([hidden])"
CARDS = f"{EXPLORER} .jp-AquaExt-ModelCard"
DETAIL = ".jp-AquaExt-ModelDetail"


@pytest.fixture(scope="module")
def oci_world(lab_prerequisites: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OciWorld]:
    world = start_world(tmp_path_factory.mktemp("oci-world"))
    world.emulator.seed_service_models(4)
    seed_user_model(world, "team-llama")
    try:
        yield world
    finally:
        world.emulator.stop()


@pytest.fixture(scope="module")
def oci_lab(browser: Any, oci_world: OciWorld, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabPage]:
    traits = oci_world.traits()
    traits.pop("backend")
    server = LabServer(tmp_path_factory.mktemp("oci-lab"), backend="oci", server_config={"AquaExtension": traits})
    with server, lab_page(browser, server) as page:
        yield page


def test_oci_explorer_lists_registers_from_object_storage_and_shows_the_backend(
    oci_lab: LabPage, oci_world: OciWorld
) -> None:
    page = oci_lab.page
    page.locator('.jp-LauncherCard:has-text("AI Quick Actions")').first.click()
    badge = page.locator(".jp-AquaExt-BackendBadge")
    expect(badge).to_contain_text("OCI")
    expect(badge).to_contain_text(oci_world.identity.region)
    expect(page.locator(CARDS).first).to_be_visible()
    assert page.locator(CARDS).count() == 5  # four service models and the team's registered one
    expect(page.locator(f'{CARDS}[aria-label="team-llama"]')).to_be_visible()

    uri = oci_world.add_model_folder("models", "team/tiny-llama", readme="# Tiny llama on OCI\n\nBy reference.\n")
    unversioned = oci_world.add_model_folder("scratch", "tiny", versioned=False)
    page.locator(f"{EXPLORER} .jp-AquaExt-registerButton").click()
    dialog = page.get_by_role("dialog", name="Register model")
    expect(dialog.get_by_label("Object Storage", exact=True)).to_be_checked()
    path = dialog.get_by_label("Object Storage path")
    path.fill(unversioned)
    dialog.get_by_role("button", name="Register", exact=True).click()
    error = dialog.locator('[data-field="os_uri"] .jp-AquaExt-fieldError, .jp-AquaExt-FormErrors-message')
    expect(error.first).to_contain_text(re.compile("versioning", re.I))
    oci_lab.screenshot("oci-register-error")

    path.fill(uri)
    dialog.get_by_label("Display name (optional)").fill("Tiny llama (OCI)")
    dialog.get_by_role("button", name="Register", exact=True).click()
    expect(dialog).to_have_count(0, timeout=30_000)
    detail = page.locator(DETAIL)
    expect(detail.locator(".jp-AquaExt-ResourceDetail-name")).to_have_text("Tiny llama (OCI)")
    expect(detail.locator(".jp-AquaExt-ResourceDetail-facts").first).to_contain_text(uri)
    oci_lab.screenshot("oci-registered-detail")
    assert oci_world.emulator.calls["CreateModel"] == 1
    assert not oci_lab.errors, oci_lab.errors
