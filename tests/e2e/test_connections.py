"""Connections in a real JupyterLab and Chromium: seed 002's flow from the UI, against local stubs.

The flow: the Connections section; Import YAML with seed 002's file pasted (genAI_cohere,
genAI_cohere_light, genAI_llama); genAI_llama pointed at the OCI Generative AI stub and signed
with the server's OCI config (the stub checks every signature) through the Edit dialog, then its
Test request (200, the latency, the answer); an OpenAI-compatible connection created in the form
with a key; the local demo model's deployment compared with it in the playground (a Korean
prompt, both answers streaming, the stats, then Stop, which also cuts the upstream request); Export
YAML downloaded without the key. Then the key is looked for everywhere it must not be: the page,
every aqua-ext response the browser got, localStorage, the lab's log and every file of the
server except the secret store. The list, the test result and the Compare playground are
screenshot in the light and the dark theme (.screenshots/*-connection*.png).
"""

from __future__ import annotations

import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser_prerequisites fixture skips (or, under CI, fails) with the reason
    expect = None  # type: ignore[assignment]

from tests.e2e.conftest import VIEWPORT, LabPage
from tests.e2e.lab_server import LabServer, open_lab
from tests.e2e.test_deploy_playground import DEMO_ID, api, delete_all_deployments, wait_state
from tests.e2e.test_model_explorer import assert_no_page_errors, assert_readable, execute
from tests.model_folders import needs_local_extra
from tests.oci_emulator.keys import OciTestConfig, write_oci_config
from tests.provider_stubs.oci_genai import OciGenAiStub
from tests.stub_upstream import StubConfig, StubUpstream

pytestmark = [pytest.mark.e2e, needs_local_extra]

SEED_YAML = Path(__file__).parent.parent / "fixtures" / "oda_llm_services.yaml"
SEED_SERVICES = ["genAI_cohere", "genAI_cohere_light", "genAI_llama"]
OCI_MODELS = ["cohere.command", "cohere.command-light", "meta.llama-2-70b-chat"]
OPENAI_NAME = "e2e OpenAI 호환"
DEPLOYMENT_NAME = "e2e demo 비교"
# A distinctive key, new every run: the test greps for it wherever it must not be.
SECRET = f"sk-e2e-{secrets.token_hex(12)}"
PROMPT = "안녕하세요! 한국어로 짧게 자기소개를 해 주세요."
LIST = ".jp-AquaExt-ConnectionList"
PLAYGROUND = ".jp-AquaExt-PlaygroundArea:not(.lm-mod-hidden) .jp-AquaExt-Playground"
COLUMNS = f"{PLAYGROUND} .jp-AquaExt-Playground-column"
# Between two tokens of the OpenAI stub: slow enough to watch its answer grow.
TOKEN_DELAY_S = 0.05


# ---- stubs, server and page ------------------------------------------------------------


@pytest.fixture(scope="module")
def oci_identity(lab_prerequisites: None, tmp_path_factory: pytest.TempPathFactory) -> OciTestConfig:
    """A throwaway OCI API key: the server signs with it, the stub checks the signatures."""
    return write_oci_config(tmp_path_factory.mktemp("oci-identity"))


@pytest.fixture(scope="module")
def genai_stub(oci_identity: OciTestConfig) -> Iterator[OciGenAiStub]:
    with OciGenAiStub(oci_identity, models=OCI_MODELS) as stub:
        yield stub  # type: ignore[misc]


@pytest.fixture(scope="module")
def openai_stub(lab_prerequisites: None) -> Iterator[StubUpstream]:
    with StubUpstream(StubConfig(token_delay=TOKEN_DELAY_S, model="gpt-stub")) as stub:
        yield stub


@pytest.fixture(scope="module")
def conn_server(
    oci_identity: OciTestConfig, demo_model_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LabServer]:
    """The local target only (so a deployment of the demo model), with the OCI identity to sign with."""
    config = {"oci_config_file": str(oci_identity.config_file), "oci_profile": oci_identity.profile}
    server = LabServer(tmp_path_factory.mktemp("e2e-connections"), server_config={"AquaExtension": config})
    server.prepare()
    shutil.copytree(demo_model_dir, server.data_dir / "models" / "demo-tiny-llama")
    with server:
        try:
            yield server
        finally:
            delete_all_deployments(server)


# Chromium keeps no body of an event stream the page read as it came (Playwright's response.text()
# fails for every playground stream), so the page keeps its own copy: a clone of each aqua-ext event
# stream, read alongside the app's reader, in window.__aquaStreams (partial when Stop cut it).
RECORD_STREAMS_JS = """
(() => {
  const original = window.fetch;
  window.__aquaStreams = [];
  window.fetch = function (...args) {
    return original.apply(this, args).then(response => {
      const type = response.headers.get('content-type') || '';
      if (response.url.includes('/aqua-ext/') && type.includes('text/event-stream') && response.body) {
        const record = { url: response.url, text: '' };
        window.__aquaStreams.push(record);
        const reader = response.clone().body.getReader();
        const decoder = new TextDecoder();
        const pump = () =>
          reader.read().then(({ done, value }) => {
            if (!done) {
              record.text += decoder.decode(value, { stream: true });
              return pump();
            }
          });
        pump().catch(() => undefined);
      }
      return response;
    });
  };
})();
"""


class SeenResponses:
    """The text of every aqua-ext response the page got (its JSON and its event streams)."""

    def __init__(self) -> None:
        self.pending: list[Any] = []
        self.texts: list[tuple[str, str]] = []
        self.unreadable: list[str] = []

    def on_response(self, response: Any) -> None:
        if "/aqua-ext/" in response.url:
            self.pending.append(response)

    def drain(self) -> None:
        """Read the bodies gathered so far (read now: the browser may drop a body later)."""
        pending, self.pending = self.pending, []
        for response in pending:
            try:
                self.texts.append((response.url, response.text()))
            except Exception:  # an event stream: the page's own copy stands in for it
                self.unreadable.append(response.url)


@pytest.fixture(scope="module")
def seen() -> SeenResponses:
    return SeenResponses()


@pytest.fixture(scope="module")
def conn_page(browser: Any, conn_server: LabServer, seen: SeenResponses) -> Iterator[LabPage]:
    """As conftest's lab_page, with the stream recorder in the page before the app's first fetch."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(20_000)
    context.add_init_script(RECORD_STREAMS_JS)
    lab = LabPage(context.new_page(), conn_server)
    lab.page.on("response", seen.on_response)
    try:
        open_lab(lab.page, conn_server)
        yield lab
    finally:
        context.close()


# ---- steps -----------------------------------------------------------------------------


def open_connections(lab: LabPage) -> Any:
    execute(lab, "aqua-ext:open")
    lab.page.get_by_role("tab", name="Connections").click()
    listing = lab.page.locator(LIST)
    expect(listing).to_be_visible()
    return listing


def row(lab: LabPage, name: str) -> Any:
    named = lab.page.locator(".jp-AquaExt-ConnectionTable-name", has_text=re.compile(f"^{re.escape(name)}$"))
    return lab.page.locator(f"{LIST} .jp-AquaExt-ResourceList-row", has=named)


def hide_toasts(lab: LabPage) -> None:
    """Close JupyterLab's notification toasts (they cover the bottom right of a screenshot)."""
    toasts = '.Toastify__toast-container [title="Hide notification"]'
    lab.page.evaluate("(selector) => document.querySelectorAll(selector).forEach(button => button.click())", toasts)
    expect(lab.page.locator(toasts)).to_have_count(0, timeout=5_000)


def assert_fits(lab: LabPage, selector: str) -> None:
    """Nothing of `selector` is hidden to the right (the table fits the panel beside the file browser)."""
    scroll, client = lab.page.locator(selector).evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert scroll <= client, f"{selector} is {scroll} px wide in {client} px"


def run_test_request(lab: LabPage, name: str) -> Any:
    """The Test dialog of `name`, its sample request sent; the dialog with the 200 shown."""
    lab.page.get_by_role("button", name=f"Test: {name}").click()
    dialog = lab.page.get_by_role("dialog", name="Test request")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Send test request").click()
    result = dialog.get_by_role("region", name="Test result")
    expect(result.get_by_test_id("test-status")).to_have_text("200 · OK", timeout=20_000)
    expect(result.get_by_test_id("test-latency")).to_have_text(re.compile(r"^\d+(\.\d+)? (ms|s)$"))
    expect(result.get_by_test_id("test-answer")).to_have_text("Echo: Tell me a joke")
    return dialog


def record_growth(lab: LabPage) -> None:
    """From now on, each column's last answer's sizes while it streams go to window.__aquaGrowth."""
    lab.page.evaluate(
        """(selector) => {
             window.__aquaGrowth = [[], []];
             const seen = () => {
               document.querySelectorAll(selector).forEach((column, index) => {
                 const answer = [...column.querySelectorAll('.jp-AquaExt-Turn.jp-mod-assistant')].pop();
                 if (!answer || answer.dataset.status !== 'streaming') return;
                 const sizes = window.__aquaGrowth[index];
                 const chars = Number(answer.dataset.chars);
                 if (chars > 0 && chars !== sizes[sizes.length - 1]) sizes.push(chars);
               });
             };
             window.__aquaGrowthObserver = new MutationObserver(seen);
             window.__aquaGrowthObserver.observe(document.body, {subtree: true, childList: true, characterData: true,
               attributes: true, attributeFilter: ['data-chars', 'data-status']});
           }""",
        COLUMNS,
    )


def growth(lab: LabPage) -> list[list[int]]:
    return lab.page.evaluate("() => { window.__aquaGrowthObserver.disconnect(); return window.__aquaGrowth; }")


def last_answers(lab: LabPage) -> list[Any]:
    columns = lab.page.locator(COLUMNS)
    return [columns.nth(i).locator(".jp-AquaExt-Turn.jp-mod-assistant").last for i in range(2)]


def wait_both_streaming(lab: LabPage, more_than: int) -> None:
    lab.page.wait_for_function(
        """([selector, least]) => {
             const columns = [...document.querySelectorAll(selector)];
             return columns.length === 2 && columns.every(column => {
               const answer = [...column.querySelectorAll('.jp-AquaExt-Turn.jp-mod-assistant')].pop();
               return !!answer && answer.dataset.status === 'streaming' && Number(answer.dataset.chars) > least;
             });
           }""",
        arg=[COLUMNS, more_than],
        timeout=30_000,
    )


def files_holding(folder: Path, needle: bytes, skip: Path) -> list[Path]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_relative_to(skip) and needle in path.read_bytes():
            found.append(path)
    return found


# ---- the scenario ----------------------------------------------------------------------


def test_import_test_compare_export_and_the_key_stays_on_the_server(
    conn_page: LabPage,
    conn_server: LabServer,
    genai_stub: OciGenAiStub,
    openai_stub: StubUpstream,
    seen: SeenResponses,
    tmp_path: Path,
) -> None:
    lab, server = conn_page, conn_server
    pg = lab.page
    # The engine starts while the connections are set up (it takes the longest).
    status, created = api(server, "POST", "deployments", {"model_id": DEMO_ID, "name": DEPLOYMENT_NAME})
    assert status == 202, created
    deployment_id = created["deployment"]["id"]

    # -- 1. Import YAML: seed 002's file pasted; its three services in the list
    listing = open_connections(lab)
    expect(listing.locator(".jp-AquaExt-EmptyState")).to_contain_text("No connections yet")
    listing.get_by_role("button", name="Import YAML").click()
    dialog = pg.get_by_role("dialog", name="Import services (YAML)")
    dialog.get_by_label("YAML (or paste it here)").fill(SEED_YAML.read_text())
    dialog.get_by_role("button", name="Import", exact=True).click()
    created_list = dialog.get_by_role("list", name="Created services")
    expect(created_list.get_by_role("listitem")).to_have_count(3)
    for name in SEED_SERVICES:
        expect(created_list).to_contain_text(name)
    lab.screenshot("light-connection-import")
    dialog.get_by_role("button", name="Done").click()
    expect(dialog).to_have_count(0)
    expect(listing.locator(".jp-AquaExt-ResourceList-count")).to_have_text("3 connections")
    for name, model in zip(SEED_SERVICES, OCI_MODELS, strict=True):
        expect(row(lab, name)).to_contain_text("OCI Generative AI")
        expect(row(lab, name)).to_contain_text(model)
        expect(row(lab, name)).to_contain_text("Not tested")

    # -- 2. genAI_llama at the OCI stub, signed with the server's OCI config; its Test request
    pg.get_by_role("button", name="Edit: genAI_llama").click()
    dialog = pg.get_by_role("dialog", name="Edit connection")
    endpoint = dialog.get_by_label("Endpoint", exact=True)
    # The import keeps the service's base URL (the action is the capability's).
    expect(endpoint).to_have_value("https://inference.generativeai.us-chicago-1.oci.oraclecloud.com")
    endpoint.fill(f"{genai_stub.url}/20231130/actions/generateText")
    dialog.get_by_label("Authentication", exact=True).select_option("oci_api_key")
    lab.screenshot("light-connection-edit")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_have_count(0)
    expect(row(lab, "genAI_llama")).to_contain_text(genai_stub.url)

    dialog = run_test_request(lab, "genAI_llama")
    signed = [s for s in genai_stub.seen if s.path.endswith("/generateText")]
    assert signed and 'keyId="' in signed[-1].headers.get("authorization", ""), signed
    hide_toasts(lab)
    lab.screenshot("light-connection-test")
    dialog.get_by_role("button", name="Close", exact=True).click()
    expect(row(lab, "genAI_llama").locator('[data-column="last-test"]')).to_contain_text(re.compile(r"^OK · 200 · "))

    # -- 3. An OpenAI-compatible connection from the form, with a key
    listing.get_by_role("button", name="New connection").click()
    dialog = pg.get_by_role("dialog", name="New connection")
    dialog.get_by_label("Name", exact=True).fill(OPENAI_NAME)
    dialog.get_by_label("Kind", exact=True).select_option("openai")
    dialog.get_by_label("Endpoint", exact=True).fill(f"{openai_stub.url}/v1")
    dialog.get_by_label("Models (one per line)").fill("gpt-stub")
    dialog.get_by_label("Authentication", exact=True).select_option("bearer")
    dialog.get_by_label("Token", exact=True).fill(SECRET)
    expect(dialog.get_by_label("Token", exact=True)).to_have_value(SECRET)
    assert SECRET not in pg.content(), "the typed key is in the page's HTML (the input's value attribute)"
    hide_toasts(lab)
    lab.screenshot("light-connection-form")
    dialog.get_by_role("button", name="Create").click()
    expect(dialog).to_have_count(0)
    openai_row = row(lab, OPENAI_NAME)
    expect(openai_row.locator('[data-column="key"]')).to_have_text("key set")
    expect(openai_row.locator('[data-column="streaming"]')).to_have_text("streaming")
    expect(listing.locator(".jp-AquaExt-ResourceList-count")).to_have_text("4 connections")
    assert_fits(lab, f"{LIST} .jp-AquaExt-ResourceList-scroll")
    hide_toasts(lab)
    pg.mouse.move(0, 0)  # no row under the pointer (its hover background)
    lab.screenshot("light-connections-list")
    seen.drain()

    # -- 4. The demo deployment compared with the OpenAI connection: a Korean prompt, both stream
    wait_state(server, deployment_id, "ACTIVE")
    # The command answers with the tab's widget, which cannot come back to Python: drop it.
    pg.evaluate(
        "(id) => window.jupyterapp.commands.execute('aqua-ext:open-playground', {deploymentId: id}).then(() => null)",
        deployment_id,
    )
    playground = pg.locator(PLAYGROUND)
    expect(playground.locator(".jp-AquaExt-Playground-name")).to_have_text(DEPLOYMENT_NAME)
    compare = playground.get_by_label("Compare with")
    compare.focus()  # the picker loads the deployments and connections to compare with
    option = compare.locator("option", has_text=f"{OPENAI_NAME} (connection)")
    expect(option).to_have_count(1)
    compare.select_option(option.get_attribute("value"))
    expect(playground.get_by_label(f"Model of {OPENAI_NAME}")).to_be_visible()
    titles = playground.locator(".jp-AquaExt-Playground-columnTitle")
    expect(titles).to_have_text([DEPLOYMENT_NAME, OPENAI_NAME])
    playground.get_by_label("Max tokens").fill("40")
    playground.get_by_label("Seed").fill("42")  # the demo model gives the same answer every run
    record_growth(lab)
    playground.locator(".jp-AquaExt-Composer-input").fill(PROMPT)
    playground.locator(".jp-AquaExt-sendButton").click()
    answers = last_answers(lab)
    for answer in answers:
        expect(answer).to_have_attribute("data-status", "done", timeout=60_000)
    ours, theirs = growth(lab)
    assert len(ours) >= 3 and len(theirs) >= 3, (ours, theirs)  # both grew in steps: streamed
    expect(answers[1].locator(".jp-AquaExt-MarkdownMessage")).to_contain_text("tok0 tok1 tok2")
    for answer in answers:
        stats = answer.locator(".jp-AquaExt-Turn-stats")
        expect(stats.locator(".jp-AquaExt-Turn-stat-ttft")).to_contain_text(re.compile(r"TTFT \d"))
        expect(stats.locator(".jp-AquaExt-Turn-stat-rate")).to_contain_text("tokens/s")
        expect(stats.locator(".jp-AquaExt-Turn-stat-tokens")).to_contain_text("tokens")
    hide_toasts(lab)
    lab.screenshot("light-connection-compare")
    seen.drain()

    # Stop during two long answers: both stop at once, and the stub sees its client go away.
    disconnected = openai_stub.stats.disconnected
    playground.get_by_label("Max tokens").fill("2000")
    playground.get_by_label("Temperature").fill("0")  # greedy: the demo model never ends early
    playground.locator(".jp-AquaExt-Composer-input").fill("더 길게 이야기해 주세요.")
    playground.locator(".jp-AquaExt-sendButton").click()
    wait_both_streaming(lab, more_than=10)
    playground.locator(".jp-AquaExt-stopButton").click()
    answers = last_answers(lab)
    for answer in answers:
        expect(answer).to_have_attribute("data-status", "stopped", timeout=10_000)
    expect(playground.locator(".jp-AquaExt-sendButton")).to_be_visible()
    sizes = [int(answer.get_attribute("data-chars") or "0") for answer in answers]
    pg.wait_for_timeout(1000)
    assert [int(answer.get_attribute("data-chars") or "0") for answer in answers] == sizes, "text after Stop"
    assert openai_stub.wait_for(lambda stats: stats.disconnected > disconnected), "the upstream was not cut"
    seen.drain()

    # -- 5. Export YAML, without secrets: the downloaded file
    open_connections(lab)
    listing.get_by_role("button", name="Export YAML").click()
    dialog = pg.get_by_role("dialog", name="Export YAML")
    expect(dialog.get_by_label("Include secrets")).not_to_be_checked()
    with pg.expect_download() as download_info:
        dialog.get_by_role("button", name="Download").click()
    expect(dialog).to_have_count(0)
    exported_path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(exported_path)
    exported = exported_path.read_text()
    assert exported.startswith("exportedRestServices:"), exported[:200]
    for name in [*SEED_SERVICES, OPENAI_NAME]:
        assert f"name: {name}" in exported, name
    assert f"{genai_stub.url}/20231130/actions/generateText" in exported
    assert SECRET not in exported

    # -- 7. The dark theme: the list, a test's result and the Compare playground stay readable
    execute(lab, "apputils:change-theme", {"theme": "JupyterLab Dark"})
    try:
        pg.wait_for_selector('body[data-jp-theme-light="false"]', state="attached", timeout=20_000)
        pg.wait_for_timeout(300)
        for selector in (
            f"{LIST} .jp-AquaExt-ResourceList-name",
            f"{LIST} .jp-AquaExt-ConnectionTable-endpoint",
            f'{LIST} [data-column="last-test"].jp-mod-ok',
            f"{LIST} .jp-AquaExt-ConnectionTable-actions .jp-AquaExt-button",
        ):
            assert_readable(lab, selector)
        hide_toasts(lab)
        pg.mouse.move(0, 0)
        lab.screenshot("dark-connections-list")
        dialog = run_test_request(lab, "genAI_llama")
        for selector in (
            ".jp-AquaExt-TestResult-facts dd",
            ".jp-AquaExt-TestResult-answer",
            ".jp-AquaExt-TestResult-raw summary",
        ):
            assert_readable(lab, selector)
        hide_toasts(lab)
        lab.screenshot("dark-connection-test")
        dialog.get_by_role("button", name="Close", exact=True).click()
        pg.get_by_role("tab", name=f"Playground: {DEPLOYMENT_NAME}").click()
        expect(playground.locator(".jp-AquaExt-Playground-columnTitle")).to_have_count(2)
        for selector in (
            f"{PLAYGROUND} .jp-AquaExt-Playground-columnTitle",
            f"{PLAYGROUND} .jp-AquaExt-MarkdownMessage",
            f"{PLAYGROUND} .jp-AquaExt-Turn-stats",
            f"{PLAYGROUND} .jp-AquaExt-Turn-stopped",
        ):
            assert_readable(lab, selector)
        hide_toasts(lab)
        lab.screenshot("dark-connection-compare")
    finally:
        execute(lab, "apputils:change-theme", {"theme": "JupyterLab Light"})
        pg.wait_for_selector('body[data-jp-theme-light="true"]', state="attached", timeout=20_000)

    # -- 6. The key is nowhere but the secret store
    seen.drain()
    assert seen.texts, "no aqua-ext response was seen"
    streams = [(r["url"], r["text"]) for r in pg.evaluate("() => window.__aquaStreams")]
    # Each body Playwright could not read (a stream cut by Stop, at least) is one the page copied.
    assert set(seen.unreadable) <= {url for url, _ in streams}, (seen.unreadable, streams)
    assert len(streams) == 4 and all("event: delta" in text for _, text in streams), streams  # 2 prompts × 2
    for url, text in [*seen.texts, *streams]:
        assert SECRET not in text, url
    assert SECRET not in pg.content()
    assert SECRET not in pg.evaluate("() => JSON.stringify(window.localStorage)")
    assert SECRET not in server.log_path.read_text(errors="replace")
    secret_store = server.data_dir / "secrets"
    assert SECRET.encode() in (secret_store / "connections.json").read_bytes()  # it is kept, there
    assert files_holding(server.base, SECRET.encode(), skip=secret_store) == []

    assert_no_page_errors(lab)
