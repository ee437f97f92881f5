"""The model explorer in a real JupyterLab and Chromium: launcher tile, grid, search and
filters, model detail (markdown card and memory fit), the register dialog (field error,
then success), dark theme, and the settings registry.

The server's own API is the oracle for what the grid must show. Screenshots of the key
steps go to .screenshots/ (light-*.png and dark-*.png) for people to look at.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser_prerequisites fixture skips (or, under CI, fails) with the reason
    expect = None

from tests.e2e.conftest import LabPage
from tests.e2e.lab_server import LabServer

pytestmark = pytest.mark.e2e

CATEGORY = "AI Quick Actions"
EXPLORER = ".jp-AquaExt-App-explorer:not([hidden])"
CARDS = f"{EXPLORER} .jp-AquaExt-ModelCard"
COUNT = f"{EXPLORER} .jp-AquaExt-ModelExplorer-counts"  # "9 models" plus "of 42" when filtered
DETAIL = ".jp-AquaExt-ModelDetail"
FACTS = ".jp-AquaExt-ResourceDetail-facts:not(.jp-mod-compact)"
DETAIL_MODEL = "Qwen2.5 7B Instruct"


# ---- helpers -------------------------------------------------------------------------


def api_models(server: LabServer, query: str = "") -> list[dict[str, Any]]:
    status, body = server.get("aqua-ext/models" + (f"?{query}" if query else ""))
    assert status == 200, body
    assert body["total"] == len(body["items"])
    return list(body["items"])


def count_pattern(shown: int, total: int | None = None) -> re.Pattern[str]:
    noun = "model" if shown == 1 else "models"
    tail = rf"\s*of {total}" if total is not None else ""
    return re.compile(rf"^\s*{shown} {noun}{tail}\s*$")


def card_names(lab: LabPage) -> list[str]:
    return [name.strip() for name in lab.page.locator(f"{CARDS} .jp-AquaExt-ModelCard-name").all_inner_texts()]


def search_box(lab: LabPage) -> Any:
    return lab.page.locator(f'{EXPLORER} input[aria-label="Search models"]')


def select(lab: LabPage, label: str) -> Any:
    return lab.page.locator(f'{EXPLORER} select[aria-label="{label}"]')


def execute(lab: LabPage, command: str, args: dict[str, Any] | None = None) -> None:
    lab.page.evaluate("([id, args]) => window.jupyterapp.commands.execute(id, args)", [command, args or {}])


def show_explorer(lab: LabPage) -> None:
    """The explorer, unfiltered, whatever state the previous test left."""
    execute(lab, "aqua-ext:open-models")
    expect(lab.page.locator(EXPLORER)).to_be_visible()
    clear = lab.page.locator(f'{EXPLORER} .jp-AquaExt-ModelExplorer-toolbar button[title="Clear filters"]')
    if clear.count():
        clear.click()
    expect(clear).to_have_count(0)
    expect(lab.page.locator(CARDS).first).to_be_visible()


def open_model(lab: LabPage, name: str) -> Any:
    search_box(lab).fill(name)
    lab.page.locator(f'{CARDS}[aria-label="{name}"]').click()
    detail = lab.page.locator(DETAIL)
    expect(detail.locator(".jp-AquaExt-ResourceDetail-name")).to_have_text(name)
    return detail


def expect_memory_fit(detail: Any) -> None:
    fit = detail.locator('section.jp-AquaExt-MemoryFit[aria-label="Memory fit"]')
    expect(fit).to_be_visible()
    expect(fit.locator(".jp-AquaExt-FitReport-totalValue")).to_have_text(re.compile(r"\d.*GB"), timeout=20_000)
    # This machine may be recommended too; an OCI shape (VM.* / BM.*) always is.
    shape = fit.locator("tr.jp-AquaExt-recommended").filter(has_text=re.compile(r"\b(VM|BM)\.[A-Za-z0-9.]+"))
    expect(shape).to_have_count(1)
    expect(shape).to_contain_text("Recommended")
    expect(shape).to_be_visible()


def go_back(lab: LabPage) -> None:
    lab.page.get_by_role("button", name="← All models").click()
    expect(lab.page.locator(DETAIL)).to_have_count(0)
    expect(lab.page.locator(EXPLORER)).to_be_visible()


def open_register_dialog(lab: LabPage) -> Any:
    lab.page.locator(f"{EXPLORER} .jp-AquaExt-registerButton").click()
    dialog = lab.page.get_by_role("dialog", name="Register model")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Local folder").check()
    return dialog


def register_missing_then_real(lab: LabPage, folder: Any, shot_prefix: str) -> Any:
    """Submit a path that does not exist (field error, nothing added), then `folder`."""
    server = lab.server
    before = api_models(server)
    dialog = open_register_dialog(lab)
    path_input = dialog.get_by_label("Folder path")
    missing = folder.parent / "does-not-exist"
    path_input.fill(str(missing))
    dialog.get_by_role("button", name="Register", exact=True).click()

    error = dialog.locator('[data-field="path"] .jp-AquaExt-fieldError')
    expect(error).to_be_visible()
    expect(error).to_contain_text("does not exist")
    expect(path_input).to_have_attribute("aria-invalid", "true")
    input_box, error_box = path_input.bounding_box(), error.bounding_box()
    assert input_box and error_box and error_box["y"] >= input_box["y"] + input_box["height"] - 1, (
        "the field error is not under the path input"
    )
    expect(dialog).to_be_visible()
    assert len(api_models(server)) == len(before), "a failed registration added a model"
    lab.screenshot(f"{shot_prefix}-register-error")

    path_input.fill(str(folder))
    dialog.get_by_role("button", name="Register", exact=True).click()
    expect(dialog).to_have_count(0, timeout=30_000)

    # The app opens the new model's detail.
    detail = lab.page.locator(DETAIL)
    expect(detail.locator(".jp-AquaExt-ResourceDetail-name")).to_have_text(folder.name)
    expect(detail.locator(".jp-AquaExt-ResourceDetail-header .jp-AquaExt-Badge-source")).to_have_text("Registered")
    expect(detail.locator(FACTS)).to_contain_text(str(folder.resolve()))
    expect(detail.locator(".jp-AquaExt-ModelDetail-card h1")).to_contain_text("Tiny e2e model")
    expect_memory_fit(detail)

    after = api_models(server)
    registered = [m for m in after if m["name"] == folder.name]
    assert len(after) == len(before) + 1 and len(registered) == 1
    assert registered[0]["source"] == "registered" and registered[0]["id"].startswith("reg:")
    lab.screenshot(f"{shot_prefix}-registered-detail")
    return registered[0]


# Colors are normalized through a canvas, so any CSS color syntax works; translucent
# backgrounds are composited over the first opaque ancestor.
COLORS_JS = """
(el) => {
  const ctx = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
  const rgba = css => {
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = '#000'; ctx.fillStyle = css; ctx.fillRect(0, 0, 1, 1);
    const d = ctx.getImageData(0, 0, 1, 1).data;
    return [d[0], d[1], d[2], d[3] / 255];
  };
  const layers = [];
  for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
    const c = rgba(getComputedStyle(node).backgroundColor);
    if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
  }
  let bg = [255, 255, 255];
  for (const [r, g, b, a] of layers.reverse()) {
    bg = [r * a + bg[0] * (1 - a), g * a + bg[1] * (1 - a), b * a + bg[2] * (1 - a)];
  }
  const f = rgba(getComputedStyle(el).color);
  const fg = [0, 1, 2].map(i => f[i] * f[3] + bg[i] * (1 - f[3]));
  return { fg, bg, color: getComputedStyle(el).color, background: getComputedStyle(el).backgroundColor };
}
"""


def contrast(fg: list[float], bg: list[float]) -> float:
    def luminance(rgb: list[float]) -> float:
        channels = []
        for value in rgb:
            c = value / 255
            channels.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    light, dark = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def assert_readable(lab: LabPage, selector: str, minimum: float = 3.0) -> float:
    colors = lab.page.locator(selector).first.evaluate(COLORS_JS)
    fg = [round(v) for v in colors["fg"]]
    bg = [round(v) for v in colors["bg"]]
    assert fg != bg, f"{selector}: text color {colors['color']} equals its background"
    ratio = contrast(fg, bg)
    assert ratio >= minimum, f"{selector}: contrast {ratio:.2f}:1 (text {fg} on {bg}) is below {minimum}:1"
    return ratio


def assert_no_page_errors(lab: LabPage) -> None:
    errors, lab.errors[:] = list(lab.errors), []
    assert not errors, f"uncaught errors in the page: {errors}"


# ---- tests ---------------------------------------------------------------------------


def test_settings_registry_holds_only_the_plugin_schema(lab_server: LabServer) -> None:
    status, body = lab_server.get("lab/api/settings?ids_only=true")
    assert status == 200, body
    ids = sorted(item["id"] for item in body["settings"] if item["id"].startswith("aqua-ext"))
    # schema/ also holds api/openapi.json: it must not leak into the settings registry.
    assert ids == ["aqua-ext:plugin"]


def test_launcher_tile_opens_explorer_that_searches_and_filters(lab: LabPage) -> None:
    page, server = lab.page, lab.server
    section = page.locator(".jp-Launcher-section").filter(
        has=page.locator(".jp-Launcher-sectionTitle", has_text=re.compile(rf"^\s*{CATEGORY}\s*$"))
    )
    expect(section).to_have_count(1)
    tile = section.locator(".jp-LauncherCard").filter(has_text=CATEGORY)
    expect(tile).to_have_count(1)
    tile.click()

    expect(page.locator(".jp-AquaExt-ModelExplorer")).to_be_visible()
    expect(page.locator(CARDS).first).to_be_visible()
    models = api_models(server)
    total = len(models)
    assert total >= 25, f"only {total} models listed"
    expect(page.locator(COUNT)).to_have_text(count_pattern(total))
    rendered = page.locator(CARDS).count()
    assert 0 < rendered <= total  # virtualized: only the visible rows are in the DOM
    lab.screenshot("light-explorer")

    # Search: only models with Qwen in their name stay.
    qwen = sorted(m["name"] for m in models if "qwen" in m["name"].lower())
    assert len(qwen) >= 2
    search_box(lab).fill("qwen")
    expect(page.locator(COUNT)).to_have_text(count_pattern(len(qwen), total))
    expect(page.locator(CARDS)).to_have_count(len(qwen))
    names = card_names(lab)
    assert all("qwen" in name.lower() for name in names), names
    assert sorted(names) == qwen

    search_box(lab).fill("")
    expect(page.locator(COUNT)).to_have_text(count_pattern(total))

    # Capability filter: embedding models only.
    embedding = sorted(m["name"] for m in api_models(server, "capability=EMBEDDING"))
    assert embedding and all(m["capability"] == "EMBEDDING" for m in models if m["name"] in embedding)
    select(lab, "Capability").select_option("EMBEDDING")
    expect(page.locator(COUNT)).to_have_text(count_pattern(len(embedding), total))
    expect(page.locator(CARDS)).to_have_count(len(embedding))
    badges = page.locator(f"{CARDS} .jp-AquaExt-Badge-capability").all_inner_texts()
    assert badges and all(b.strip() == "Embedding" for b in badges), badges
    assert sorted(card_names(lab)) == embedding
    select(lab, "Capability").select_option("")
    expect(page.locator(COUNT)).to_have_text(count_pattern(total))
    assert_no_page_errors(lab)


def test_model_detail_renders_card_markdown_and_memory_fit(lab: LabPage) -> None:
    show_explorer(lab)
    detail = open_model(lab, DETAIL_MODEL)
    expect(lab.page.locator(EXPLORER)).to_have_count(0)  # the grid is hidden meanwhile
    facts = detail.locator(FACTS)
    expect(facts).to_contain_text("License")
    expect(facts).to_contain_text("Parameters")
    expect(facts).to_contain_text("Qwen/Qwen2.5-7B-Instruct")
    expect(detail.locator(".jp-AquaExt-ResourceDetail-header .jp-AquaExt-Badge-source")).to_have_text("Catalog")
    heading = detail.locator(".jp-AquaExt-ModelDetail-card .jp-RenderedMarkdown h1")
    expect(heading).to_contain_text(DETAIL_MODEL)
    # Rendered, not shown as source text.
    expect(detail.locator(".jp-AquaExt-ModelDetail-card")).not_to_contain_text("# " + DETAIL_MODEL)
    expect_memory_fit(detail)
    lab.screenshot("light-model-detail")
    lab.screenshot_scrolled_to("light-memory-fit", ".jp-AquaExt-FitTable")
    go_back(lab)
    assert_no_page_errors(lab)


def test_register_local_folder_shows_field_error_then_registers(lab: LabPage, model_folders: dict) -> None:
    show_explorer(lab)
    model = register_missing_then_real(lab, model_folders["light"], "light")

    go_back(lab)
    page = lab.page
    select(lab, "Source").select_option("registered")
    expect(page.locator(CARDS)).to_have_count(1)
    assert card_names(lab) == [model["name"]]
    select(lab, "Source").select_option("")
    search_box(lab).fill(model["name"])
    expect(page.locator(CARDS)).to_have_count(1)
    expect(page.locator(f"{CARDS} .jp-AquaExt-Badge-source")).to_have_text("Registered")
    search_box(lab).fill("")
    assert_no_page_errors(lab)


def test_dark_theme_keeps_text_readable(lab: LabPage, model_folders: dict) -> None:
    page = lab.page
    execute(lab, "apputils:change-theme", {"theme": "JupyterLab Dark"})
    try:
        page.wait_for_selector('body[data-jp-theme-light="false"]', state="attached", timeout=20_000)
        show_explorer(lab)
        page.wait_for_timeout(300)  # let the theme's stylesheet settle before reading colors
        for selector in (
            CARDS,
            f"{CARDS} .jp-AquaExt-ModelCard-name",
            f"{CARDS} .jp-AquaExt-ModelCard-meta",
            f"{CARDS} .jp-AquaExt-ModelCard-description",
            f"{CARDS} .jp-AquaExt-Badge-capability",
            COUNT,
        ):
            assert_readable(lab, selector)
        lab.screenshot("dark-explorer")

        detail = open_model(lab, DETAIL_MODEL)
        expect_memory_fit(detail)
        for selector in (
            f"{DETAIL} .jp-AquaExt-ResourceDetail-name",
            f"{DETAIL} {FACTS} dd",
            f"{DETAIL} .jp-AquaExt-ModelDetail-card h1",
            f"{DETAIL} .jp-AquaExt-FitTable td",
        ):
            assert_readable(lab, selector)
        lab.screenshot("dark-model-detail")
        lab.screenshot_scrolled_to("dark-memory-fit", ".jp-AquaExt-FitTable")
        go_back(lab)

        register_missing_then_real(lab, model_folders["dark"], "dark")
        go_back(lab)
        assert_no_page_errors(lab)
    finally:
        execute(lab, "apputils:change-theme", {"theme": "JupyterLab Light"})
        page.wait_for_selector('body[data-jp-theme-light="true"]', state="attached", timeout=20_000)
