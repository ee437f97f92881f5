"""OCI Generative AI from the UI, in a real JupyterLab and Chromium, against the OCI emulator (its Generative AI
control plane, work requests, limits and signed inference): issue 14's import → cluster → endpoint → chat.

The flow: the Generative AI section (a server with the oci and genai targets); Import model from an Object
Storage prefix holding config.json and weights (the Hugging Face token input is a password that the page never
holds in its HTML); a hosting cluster for that model with the recommended unit shape marked, each shape's AI
units and cost, the Data Science figure beside it, and the form as Terraform (nothing created); the cluster
CREATING then ACTIVE in the list with its cost per hour; an endpoint from the cluster's row, shown with the
deployments; the playground chatting with it. Then (the second test) Compare: the endpoint beside a Data Science
deployment of the same model, both answering; and a T-Few fine-tune from the Generative AI form, listed in the
Fine-tuning section with the other targets' jobs, its final accuracy and loss in its detail. The forms, the
lists, the playground, Compare and the fine-tune's detail are screenshot in the light and the dark theme
(.screenshots/*-genai-*.png).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser_prerequisites fixture skips (or, under CI, fails) with the reason
    expect = None  # type: ignore[assignment]

from tests.e2e.conftest import LabPage, lab_page
from tests.e2e.lab_server import LabServer
from tests.e2e.test_deploy_playground import api, wait_state
from tests.e2e.test_model_explorer import assert_no_page_errors, assert_readable, execute
from tests.oci_setup import SERVICES, OciWorld, seed_deployable_model, start_world

pytestmark = pytest.mark.e2e

GENAI_SERVICES = (*SERVICES, "generativeai", "generativeaiinference")
MODEL_NAME = "작은 라마 e2e"
CLUSTER_NAME = "호스팅 クラスタ e2e"
ENDPOINT_NAME = "채팅 エンドポイント e2e"
PREFIX = "imports/tiny-llama"
TOKEN = "hf_e2e_never_in_the_page"
CONFIG = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "num_hidden_layers": 2,
    "hidden_size": 64,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "max_position_embeddings": 2048,
    "torch_dtype": "bfloat16",
}
PANEL = ".jp-AquaExt-Panel"
CLUSTERS = ".jp-AquaExt-ClusterList"
PLAYGROUND = ".jp-AquaExt-PlaygroundArea:not(.lm-mod-hidden) .jp-AquaExt-Playground"
COLUMNS = f"{PLAYGROUND} .jp-AquaExt-Playground-column"
DS_DEPLOYMENT_NAME = "데이터 사이언스 デプロイ e2e"
FINETUNE_NAME = "T-Few 조정 チューニング e2e"
TUNING_CLUSTER_NAME = "조정 クラスタ e2e"
DATASET = '{"prompt": "안녕하세요", "completion": "こんにちは"}\n{"prompt": "東京", "completion": "서울"}\n' * 5
# Each lifecycle step of the emulator: long enough to see CREATING, short enough for one run.
STEP_SECONDS = 0.5


@pytest.fixture(scope="module")
def genai_world(lab_prerequisites: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OciWorld]:
    world = start_world(tmp_path_factory.mktemp("genai-world"))
    world.emulator.transition_seconds = STEP_SECONDS
    emu = world.emulator
    emu.add_bucket(None, "models", versioned=True, compartment_id=world.compartment_id)
    emu.put_object(None, "models", f"{PREFIX}/config.json", json.dumps(CONFIG))
    emu.put_object(None, "models", f"{PREFIX}/model.safetensors", b"\0" * 4096)
    try:
        yield world
    finally:
        emu.stop()


@pytest.fixture(scope="module")
def genai_server(genai_world: OciWorld, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    traits = genai_world.traits(
        targets=["oci", "genai"],
        oci_endpoints={s: genai_world.emulator.endpoint(s) for s in GENAI_SERVICES},
        genai_price_per_ai_unit_hour=2.0,
    )
    traits.pop("backend")
    server = LabServer(tmp_path_factory.mktemp("genai-lab"), backend="auto", server_config={"AquaExtension": traits})
    with server:
        yield server


@pytest.fixture(scope="module")
def genai_page(browser: Any, genai_server: LabServer) -> Iterator[LabPage]:
    with lab_page(browser, genai_server) as page:
        yield page


def hide_toasts(lab: LabPage) -> None:
    """Close JupyterLab's notification toasts (they cover the bottom right of a screenshot)."""
    toasts = '.Toastify__toast-container [title="Hide notification"]'
    lab.page.evaluate("(selector) => document.querySelectorAll(selector).forEach(button => button.click())", toasts)


@contextmanager
def dark_theme(lab: LabPage) -> Iterator[None]:
    """JupyterLab Dark while the block runs, then Light again."""
    pg = lab.page
    execute(lab, "apputils:change-theme", {"theme": "JupyterLab Dark"})
    try:
        pg.wait_for_selector('body[data-jp-theme-light="false"]', state="attached", timeout=20_000)
        pg.wait_for_timeout(300)
        yield
    finally:
        execute(lab, "apputils:change-theme", {"theme": "JupyterLab Light"})
        pg.wait_for_selector('body[data-jp-theme-light="true"]', state="attached", timeout=20_000)


def wait_operation(server: LabServer, operation_id: str) -> None:
    for _ in range(240):
        status, op = api(server, "GET", f"operations/{operation_id}")
        assert status == 200, op
        if op["state"] in ("SUCCEEDED", "FAILED", "CANCELED"):
            assert op["state"] == "SUCCEEDED", op
            return
        time.sleep(0.25)
    raise AssertionError(f"the operation {operation_id} did not end")


def cluster_row(lab: LabPage) -> Any:
    return lab.page.locator(f'{CLUSTERS} tr:has-text("{CLUSTER_NAME}")')


def open_genai_section(lab: LabPage) -> Any:
    execute(lab, "aqua-ext:open")
    lab.page.locator(PANEL).get_by_role("tab", name="Generative AI").click()
    section = lab.page.locator(CLUSTERS)
    expect(section).to_be_visible()
    return section


def open_finetune_form(lab: LabPage, base_model: str) -> Any:
    """The Generative AI fine-tune form, with `base_model` chosen once the base models are listed."""
    open_genai_section(lab).get_by_role("button", name="New fine-tune").click()
    dialog = lab.page.get_by_role("dialog", name="New Generative AI fine-tune")
    base = dialog.get_by_label("Base model")
    expect(base.locator(f'option:text-is("{base_model}")')).to_have_count(1, timeout=20_000)
    base.select_option(label=base_model)
    return dialog


def fill_cluster_form(lab: LabPage, model_id: str) -> Any:
    lab.page.locator(CLUSTERS).get_by_role("button", name="New cluster").click()
    dialog = lab.page.get_by_role("dialog", name="New dedicated AI cluster")
    dialog.get_by_label("Cluster name").fill(CLUSTER_NAME)
    dialog.get_by_label("Model it is for").select_option(model_id)
    shape = dialog.get_by_label("Unit shape")
    expect(shape.locator("option").first).to_have_text("Recommended: A10_X1", timeout=20_000)
    # 1.77 AI units × $2 configured per AI-unit hour.
    expect(shape.locator('option[value="A10_X1"]')).to_have_text(
        "A10_X1 · 1 × A10 · 1.77 AI units · $3.54/h (recommended)"
    )
    cost = dialog.get_by_role("group", name="Cost per hour")
    expect(cost.locator('[data-cost="genai"]')).to_have_text("A10_X1 × 1: $3.54/h")
    expect(cost.locator('[data-cost="datascience"]')).not_to_have_text("—")
    return dialog


def test_import_cluster_endpoint_chat_from_the_ui(
    genai_page: LabPage, genai_server: LabServer, genai_world: OciWorld
) -> None:
    lab, server = genai_page, genai_server
    pg = lab.page
    section = open_genai_section(lab)
    expect(section.locator(".jp-AquaExt-EmptyState")).to_contain_text("No dedicated AI clusters yet")
    expect(pg.locator(f"{PANEL} .jp-AquaExt-BackendBadge")).to_contain_text("OCI Generative AI")

    # -- 1. Import from Object Storage; the Hugging Face token was typed first and never reaches the page's HTML
    section.get_by_role("button", name="Import model").click()
    dialog = pg.get_by_role("dialog", name="Import model")
    token = dialog.get_by_label("Token (gated models)")
    expect(token).to_have_attribute("type", "password")
    token.fill(TOKEN)
    assert TOKEN not in pg.content()
    dialog.get_by_label("Object Storage", exact=False).first.check()
    expect(dialog.get_by_label("Token (gated models)")).to_have_count(0)
    dialog.get_by_label("Object Storage prefix").fill(f"oci://models@{genai_world.emulator.namespace}/{PREFIX}")
    dialog.get_by_label("Display name").fill(MODEL_NAME)
    lab.screenshot("light-genai-import")
    dialog.get_by_role("button", name="Import", exact=True).click()
    expect(dialog).to_have_count(0)
    model_id = ""
    for _ in range(120):
        status, listed = api(server, "GET", "genai/models")
        assert status == 200, listed
        found = [m for m in listed["items"] if m["name"] == MODEL_NAME]
        if found and found[0]["state"] == "ACTIVE":
            model_id = found[0]["id"]
            break
        pg.wait_for_timeout(250)
    assert model_id, f"the import of {MODEL_NAME} did not become ACTIVE"

    # -- 2. A hosting cluster: the recommended shape, each shape's cost, the Data Science figure, its Terraform
    dialog = fill_cluster_form(lab, model_id)
    lab.screenshot("light-genai-cluster-form")
    dialog.get_by_role("button", name="Terraform").click()
    terraform = pg.get_by_role("dialog", name="Terraform")
    expect(terraform.locator(".jp-AquaExt-TerraformDialog-hcl")).to_contain_text(
        'resource "oci_generative_ai_dedicated_ai_cluster"'
    )
    lab.screenshot("light-genai-cluster-terraform")
    terraform.get_by_role("button", name="Close", exact=True).click()
    status, listed = api(server, "GET", "genai/clusters")
    assert status == 200 and listed["items"] == [], listed  # the export created nothing
    dialog.get_by_role("button", name="Create cluster").click()
    expect(dialog).to_have_count(0)
    row = cluster_row(lab)
    expect(row.locator('[data-column="state"]')).to_contain_text("Active", timeout=60_000)
    expect(row.locator('[data-column="shape"]')).to_contain_text("A10_X1 × 1")
    expect(row.locator('[data-column="ai-units"]')).to_have_text("1.77")
    expect(row.locator('[data-column="cost"]')).to_contain_text("$3.54/h")
    hide_toasts(lab)
    pg.mouse.move(0, 0)
    lab.screenshot("light-genai-clusters")

    # -- 3. An endpoint from the cluster's row, then shown with the deployments
    row.get_by_role("button", name=f"New endpoint: {CLUSTER_NAME}").click()
    dialog = pg.get_by_role("dialog", name="New endpoint")
    model = dialog.get_by_label("Model")
    expect(model.locator(f'option[value="{model_id}"]')).to_have_count(1, timeout=20_000)
    model.select_option(model_id)
    dialog.get_by_label("Endpoint name").fill(ENDPOINT_NAME)
    dialog.get_by_role("button", name="Create endpoint").click()
    expect(dialog).to_have_count(0)
    expect(pg.locator(PANEL).get_by_role("tab", name="Deployments")).to_have_attribute("aria-selected", "true")
    detail = pg.locator(".jp-AquaExt-DeploymentDetail")
    expect(detail.get_by_role("heading", name=ENDPOINT_NAME)).to_be_visible(timeout=20_000)
    expect(detail.locator('[data-state="ACTIVE"]').first).to_be_visible(timeout=60_000)
    open_playground = detail.get_by_role("button", name="Open playground")
    expect(open_playground).to_be_enabled()
    hide_toasts(lab)
    lab.screenshot("light-genai-endpoint")

    # -- 4. Chat with it in the playground, as with any deployment
    open_playground.click()
    composer = pg.locator(f"{PLAYGROUND} .jp-AquaExt-Composer-input")
    expect(composer).to_be_visible()
    composer.fill("東京はどこ? 한 문장으로.")
    pg.locator(f"{PLAYGROUND} .jp-AquaExt-sendButton").click()
    answer = pg.locator(f"{PLAYGROUND} .jp-AquaExt-Turn.jp-mod-assistant").last
    expect(answer).to_have_attribute("data-status", "done", timeout=30_000)
    assert int(answer.get_attribute("data-chars") or "0") > 0
    hide_toasts(lab)
    lab.screenshot("light-genai-playground")

    # -- 5. The dark theme: the clusters, the cluster form and the playground stay readable
    with dark_theme(lab):
        lab.screenshot("dark-genai-playground")
        open_genai_section(lab)
        for selector in (
            f"{CLUSTERS} .jp-AquaExt-ConnectionTable-name",
            f'{CLUSTERS} [data-column="cost"]',
            f'{CLUSTERS} [data-column="shape"] .jp-AquaExt-ResourceList-model',
            f"{CLUSTERS} .jp-AquaExt-ConnectionTable-actions .jp-AquaExt-button",
        ):
            assert_readable(lab, selector)
        hide_toasts(lab)
        pg.mouse.move(0, 0)
        lab.screenshot("dark-genai-clusters")
        dialog = fill_cluster_form(lab, model_id)
        for selector in (".jp-AquaExt-GenAiCost-list dd", ".jp-AquaExt-GenAiCost-list dt"):
            assert_readable(lab, selector)
        lab.screenshot("dark-genai-cluster-form")
        dialog.get_by_role("button", name="Cancel").click()

    # -- 6. The fine-tune form of seed 003: a base model's training methods, LoRA's hyperparameters with the
    #       service's defaults and ranges; the Terraform button runs the create's checks first
    dialog = open_finetune_form(lab, "cohere.command-r-08-2024")
    expect(dialog.get_by_label("LoRA", exact=True)).to_be_checked()
    expect(dialog.get_by_label("LoRA r (rank)")).to_have_attribute("placeholder", "8")
    dialog.get_by_label("Fine-tuned model name").fill("요약 チューニング")
    dialog.get_by_label("LoRA r (rank)").fill("65")
    dialog.get_by_role("button", name="Terraform").click()
    expect(dialog.locator('[data-field="lora_r"] .jp-AquaExt-fieldError')).to_contain_text("from 1 to 64")
    expect(dialog.locator('[data-field="training_dataset"] .jp-AquaExt-fieldError')).to_be_visible()
    hide_toasts(lab)
    lab.screenshot("light-genai-finetune-form")
    dialog.get_by_role("button", name="Cancel").click()

    assert TOKEN not in pg.content()
    assert TOKEN not in server.log_path.read_text(errors="replace")
    assert_no_page_errors(lab)


def test_compare_with_data_science_and_a_t_few_fine_tune_from_the_ui(
    genai_page: LabPage, genai_server: LabServer, genai_world: OciWorld
) -> None:
    """After the first test: its endpoint is ACTIVE."""
    lab, server, emu = genai_page, genai_server, genai_world.emulator
    pg = lab.page
    status, listed = api(server, "GET", "genai/endpoints")
    assert status == 200, listed
    endpoint = next((e for e in listed["items"] if e["name"] == ENDPOINT_NAME), None)
    assert endpoint is not None, "the first test's endpoint is missing"

    # -- 1. A Data Science deployment of the same model (its config.json's architecture), through the API
    model_id = seed_deployable_model(genai_world, "tiny-llama", layers=2, hidden_size=64, heads=4, kv_heads=2)
    status, created = api(server, "POST", "deployments", {"name": DS_DEPLOYMENT_NAME, "model_id": model_id})
    assert status == 202, created
    wait_state(server, created["deployment"]["id"], "ACTIVE")

    # -- 2. Compare: the endpoint's playground beside the Data Science deployment; both answer
    pg.evaluate(
        "(id) => window.jupyterapp.commands.execute('aqua-ext:open-playground', {deploymentId: id}).then(() => null)",
        endpoint["id"],
    )
    playground = pg.locator(PLAYGROUND)
    expect(playground.locator(".jp-AquaExt-Playground-name")).to_have_text(ENDPOINT_NAME)
    compare = playground.get_by_label("Compare with")
    compare.focus()  # the picker loads the deployments and connections to compare with
    option = compare.locator("option", has_text=DS_DEPLOYMENT_NAME)
    expect(option).to_have_count(1, timeout=20_000)
    compare.select_option(option.get_attribute("value"))
    titles = playground.locator(".jp-AquaExt-Playground-columnTitle")
    expect(titles).to_contain_text([ENDPOINT_NAME, DS_DEPLOYMENT_NAME])
    playground.locator(".jp-AquaExt-Composer-input").fill("서울과 東京, 한 문장으로 비교해 주세요.")
    playground.locator(".jp-AquaExt-sendButton").click()
    columns = pg.locator(COLUMNS)
    answers = [columns.nth(i).locator(".jp-AquaExt-Turn.jp-mod-assistant").last for i in range(2)]
    for answer in answers:
        expect(answer).to_have_attribute("data-status", "done", timeout=60_000)
        assert int(answer.get_attribute("data-chars") or "0") > 0
    hide_toasts(lab)
    lab.screenshot("light-genai-compare")
    with dark_theme(lab):
        assert_readable(lab, f"{PLAYGROUND} .jp-AquaExt-Playground-columnTitle")
        lab.screenshot("dark-genai-compare")

    # -- 3. A T-Few fine-tune from the Generative AI form, on a fine-tuning cluster, with a JSONL dataset
    body = {"display_name": TUNING_CLUSTER_NAME, "type": "FINE_TUNING", "unit_shape": "A10_X2"}
    status, created = api(server, "POST", "genai/clusters", body)
    assert status == 202, created
    wait_operation(server, created["operation"]["id"])
    emu.add_bucket(None, "data", versioned=True, compartment_id=genai_world.compartment_id)
    emu.put_object(None, "data", "train.jsonl", DATASET)
    dialog = open_finetune_form(lab, "cohere.command")
    dialog.get_by_label("T-Few", exact=True).check()
    cluster = dialog.get_by_label("Fine-tuning cluster")
    expect(cluster.locator("option", has_text=TUNING_CLUSTER_NAME)).to_have_count(1, timeout=20_000)
    cluster.select_option(label=TUNING_CLUSTER_NAME)
    dialog.get_by_label("Fine-tuned model name").fill(FINETUNE_NAME)
    dialog.get_by_label("Training dataset (JSONL)").fill(f"oci://data@{emu.namespace}/train.jsonl")
    hide_toasts(lab)
    lab.screenshot("light-genai-finetune-tfew")
    dialog.get_by_role("button", name="Fine-tune", exact=True).click()
    expect(dialog).to_have_count(0, timeout=20_000)

    # -- 4. In the Fine-tuning section beside the other targets' jobs; once trained, its accuracy and loss
    execute(lab, "aqua-ext:open-finetunes")
    row = pg.locator(f'.jp-AquaExt-FineTuneRow:has-text("{FINETUNE_NAME}")')
    expect(row).to_be_visible(timeout=30_000)
    expect(row).to_contain_text("T-Few")
    expect(row).to_contain_text("Succeeded", timeout=60_000)
    hide_toasts(lab)
    pg.mouse.move(0, 0)
    lab.screenshot("light-genai-finetune-list")
    row.get_by_role("button", name=FINETUNE_NAME).click()
    outcome = pg.get_by_label("Outcome")
    expect(outcome).to_contain_text("Final accuracy", timeout=60_000)
    expect(outcome).to_contain_text("Final validation loss")
    expect(pg.get_by_role("button", name="Deploy", exact=True)).to_be_visible()
    hide_toasts(lab)
    pg.mouse.move(0, 0)
    lab.screenshot("light-genai-finetune-detail")
    with dark_theme(lab):
        lab.screenshot("dark-genai-finetune-detail")
    assert_no_page_errors(lab)
