"""The deployment's "Use it from code" snippet inserted into a notebook of the same lab and run
there, in a real JupyterLab, Chromium and a real kernel: the kernel gets no JUPYTER_TOKEN, so the
snippet's `aqua_ext.client` finds the server and its token in Jupyter's runtime files. Then the
other way round: a playground answer, edited, saved as a dataset row past a leakage warning.

The deployment is real (registered and deployed through the API) but its engine is the stand-in
`llama-server` of tests/fake_engines, so no model runs: it answers "llama says hi".
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser_prerequisites fixture skips (or, under CI, fails) with the reason
    expect = None

from tests.e2e.conftest import REPO_ROOT, LabPage, lab_page
from tests.e2e.lab_server import LabServer, installed_labextension
from tests.e2e.test_deploy_playground import api, delete_all_deployments, wait_state
from tests.e2e.test_model_explorer import assert_no_page_errors, execute
from tests.model_folders import write_gguf, write_model_folder

pytestmark = [pytest.mark.e2e]

FAKE_ENGINES = REPO_ROOT / "tests" / "fake_engines"
NOTEBOOK = "작업/client.ipynb"  # the kernel starts in the notebook's folder, under the lab's root
DEPLOYMENT = "e2e 노트북 llama"


class CheckoutLab(LabServer):
    """A lab with the stand-in llama-server on PATH and, when this checkout's labextension is built
    but another one is installed (a worktree beside the installed checkout), this one in front."""

    def environment(self) -> dict[str, str]:
        env = super().environment()
        env["PATH"] = os.pathsep.join([str(FAKE_ENGINES), env["PATH"]])
        env["FAKE_LLAMA_REQUESTS"] = str(self.base / "llama-requests.jsonl")
        env.pop("JUPYTER_TOKEN", None)  # as in any kernel: the client must find the token itself
        built = REPO_ROOT / "aqua_ext" / "labextension"
        installed = installed_labextension()
        if (built / "package.json").is_file() and (installed is None or installed.resolve() != built.resolve()):
            front = self.base / "checkout-jupyter-path" / "labextensions"
            front.mkdir(parents=True, exist_ok=True)
            if not (front / "aqua-ext").exists():
                (front / "aqua-ext").symlink_to(built)
            # JUPYTER_PATH is searched first, and the first aqua-ext found is the one loaded.
            env["JUPYTER_PATH"] = str(front.parent)
        return env


@pytest.fixture(scope="module")
def notebook_server(lab_prerequisites: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    server = CheckoutLab(tmp_path_factory.mktemp("e2e-notebook"))
    server.prepare()
    folder = write_model_folder(server.root_dir / "tiny-gguf", weights=False)
    write_gguf(folder / "tiny-Q4_K_M.gguf", context_length=4096)
    # Room for the snippet's max_tokens (128) and its prompt: the folder's config says 128 tokens in all.
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "max_position_embeddings": 4096}))
    write_notebook(server.root_dir / NOTEBOOK)
    with server:
        try:
            yield server
        finally:
            delete_all_deployments(server)


@pytest.fixture(scope="module")
def deployed(notebook_server: LabServer) -> str:
    """The stand-in llama deployment, ACTIVE; its id."""
    server = notebook_server
    status, registered = api(
        server, "POST", "models", {"source": "local_folder", "path": str(server.root_dir / "tiny-gguf")}
    )
    assert status == 202, registered
    status, created = api(
        server,
        "POST",
        "deployments",
        {"model_id": registered["model"]["id"], "name": DEPLOYMENT, "max_model_len": 1024},
    )
    assert status == 202, created
    deployment_id = str(created["deployment"]["id"])
    assert wait_state(server, deployment_id, "ACTIVE", "FAILED", timeout=60)["state"] == "ACTIVE"
    return deployment_id


def write_notebook(path: Path) -> None:
    """A Python notebook of one code cell (`x = 1`), its folder made."""
    path.parent.mkdir(parents=True)
    cell = {"cell_type": "code", "metadata": {}, "source": "x = 1", "outputs": [], "execution_count": None}
    kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook = {"cells": [cell], "metadata": {"kernelspec": kernelspec}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(notebook))


def open_widget(lab: LabPage, command: str, args: dict[str, Any]) -> None:
    """Run a command that resolves to a widget, which cannot come back to Python: it is dropped."""
    lab.page.evaluate("([id, args]) => window.jupyterapp.commands.execute(id, args).then(() => null)", [command, args])


@pytest.fixture(scope="module")
def page(browser: Any, notebook_server: LabServer) -> Iterator[LabPage]:
    with lab_page(browser, notebook_server) as lab:
        yield lab


def test_the_snippet_inserted_into_a_notebook_runs_in_its_kernel(
    page: LabPage, notebook_server: LabServer, deployed: str
) -> None:
    lab, server, deployment_id = page, notebook_server, deployed

    # Insert with no notebook open says so.
    row = lab.page.locator(f'.jp-AquaExt-DeploymentRow[data-deployment-id="{deployment_id}"]')
    execute(lab, "aqua-ext:open-deployments")
    row.get_by_role("button", name=DEPLOYMENT).click()
    snippets = lab.page.locator(".jp-AquaExt-DeploymentDetail .jp-AquaExt-CodeSnippets")
    insert = snippets.get_by_role("button", name="Insert into notebook")
    insert.click()
    expect(snippets.get_by_role("status")).to_contain_text("No notebook is open")

    # The notebook, its kernel started; then back to the deployment, whose snippet goes below its cell.
    open_widget(lab, "docmanager:open", {"path": NOTEBOOK})
    notebook = lab.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    expect(notebook.locator(".jp-Notebook-cell")).to_have_count(1)
    # Its kernel up and idle (the session is connected: a cell run before that is dropped).
    lab.page.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel?.status === 'idle'",
        timeout=60_000,
    )
    execute(lab, "aqua-ext:open-deployments")
    if not insert.is_visible():  # the section opened on its list
        row.get_by_role("button", name=DEPLOYMENT).click()
    insert.click()
    # The notebook comes to the front (the panel, hidden behind it, keeps what it said).
    expect(snippets.locator('[role="status"]')).to_have_text(f"Inserted into {NOTEBOOK} as a new code cell.")

    # The notebook is in front with the new cell active: run it.
    lab.page.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget?.content?.model?.cells.length === 2", timeout=10_000
    )
    expect(notebook.locator(".jp-Notebook-cell")).to_have_count(2, timeout=10_000)
    cell = notebook.locator(".jp-Notebook-cell").nth(1)
    expect(cell).to_contain_text(f'client.openai_client("{deployment_id}")')
    expect(cell).to_have_class(re.compile(r"\bjp-mod-active\b"))
    # Notebook commands act on the notebook in front, once the shell says it is (focus is tracked after a tick).
    lab.page.wait_for_function("() => window.jupyterapp.commands.isEnabled('notebook:run-cell')")
    execute(lab, "notebook:run-cell")
    output = cell.locator(".jp-OutputArea-output")
    expect(output).to_contain_text("llama says hi", timeout=60_000)
    assert "Error" not in output.inner_text()
    # The engine got the snippet's chat request through the pass-through.
    sent = [json.loads(line) for line in Path(server.base / "llama-requests.jsonl").read_text().splitlines()]
    assert sent[-1]["path"] == "/v1/chat/completions" and sent[-1]["body"]["stream"] is True
    lab.screenshot("light-notebook-snippet")
    assert_no_page_errors(lab)


PLAYGROUND = ".jp-AquaExt-PlaygroundArea:not(.lm-mod-hidden) .jp-AquaExt-Playground"


def test_an_edited_answer_is_saved_to_a_dataset_past_the_leakage_warning(
    page: LabPage, notebook_server: LabServer, deployed: str
) -> None:
    lab, server = page, notebook_server
    data = server.root_dir / "data"
    data.mkdir(exist_ok=True)
    prompt = "서울의 인구는?"
    (data / "eval.jsonl").write_text(
        json.dumps({"prompt": prompt, "completion": "약 940만 명"}, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    open_widget(lab, "aqua-ext:open-playground", {"deploymentId": deployed})
    lab.page.locator(f"{PLAYGROUND} .jp-AquaExt-Composer-input").fill(prompt)
    lab.page.locator(f"{PLAYGROUND} .jp-AquaExt-sendButton").click()
    answer = lab.page.locator(f"{PLAYGROUND} .jp-AquaExt-Turn.jp-mod-assistant").last
    expect(answer).to_have_attribute("data-status", "done", timeout=60_000)
    answer.get_by_role("button", name="Save to dataset").click()

    dialog = lab.page.get_by_role("dialog", name="Save the turn to a dataset")
    expect(dialog.get_by_role("textbox", name="Prompt")).to_have_value(prompt)
    expect(dialog.get_by_role("textbox", name="Answer")).to_have_value(re.compile(r"^llama says hi\s*$"))
    dialog.get_by_role("textbox", name="Dataset").fill("data/train.jsonl")
    dialog.get_by_role("textbox", name="Answer").fill("서울의 인구는 약 940만 명입니다. 東京は約1400万人です。")
    dialog.get_by_role("button", name="Save row").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Leakage: the same prompt is in data/eval.jsonl (line 1)")
    assert not (data / "train.jsonl").exists()
    lab.screenshot("light-playground-save-turn-warning")
    dialog.get_by_role("button", name="Save anyway").click()

    expect(lab.page.locator(f"{PLAYGROUND} .jp-AquaExt-Playground-savedNote")).to_have_text(
        "Saved as line 1 of data/train.jsonl (a new file)."
    )
    rows = [json.loads(line) for line in (data / "train.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows == [{"prompt": prompt, "completion": "서울의 인구는 약 940만 명입니다. 東京は約1400万人です。"}]
    assert_no_page_errors(lab)


WEATHER_TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        },
    }
]
DEFINE_GET_WEATHER = 'def get_weather(city):\n    return {"city": city, "temp": 21}'


def test_a_tool_call_is_answered_by_a_function_of_the_notebooks_kernel(
    page: LabPage, notebook_server: LabServer, deployed: str
) -> None:
    """The stand-in llama calls the first tool it is given (with {"city": "서울"}) until it has its result."""
    lab, server = page, notebook_server

    # get_weather defined by a cell run in the notebook's kernel.
    open_widget(lab, "docmanager:open", {"path": NOTEBOOK})
    lab.page.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel?.status === 'idle'",
        timeout=60_000,
    )
    add_cell(lab, DEFINE_GET_WEATHER)
    lab.page.wait_for_function("() => window.jupyterapp.commands.isEnabled('notebook:run-cell')")
    execute(lab, "notebook:run-cell")
    cell = lab.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-cell").last
    expect(cell).to_contain_text("def get_weather")
    expect(cell.locator(".jp-InputPrompt")).to_have_text(re.compile(r"\[\d+\]"), timeout=60_000)
    count = lab.page.evaluate("() => window.jupyterapp.shell.currentWidget.content.activeCell.model.executionCount")

    # The playground, given the tool: the model calls it.
    open_widget(lab, "aqua-ext:open-playground", {"deploymentId": deployed})
    panel = lab.page.locator(PLAYGROUND)
    tools_box = panel.get_by_role("textbox", name="Tools (JSON)")
    if not tools_box.is_visible():
        panel.get_by_role("button", name=re.compile("Structured output and tools")).click()
    tools_box.fill(json.dumps(WEATHER_TOOLS))
    panel.locator(".jp-AquaExt-Composer-input").fill("서울 날씨는?")
    panel.locator(".jp-AquaExt-sendButton").click()
    answers = panel.locator(".jp-AquaExt-Turn.jp-mod-assistant")
    expect(answers.last).to_have_attribute("data-status", "done", timeout=60_000)
    answer = answers.nth(answers.count() - 1)  # this one, not the last once the model goes on
    expect(answer).to_contain_text("Calls get_weather")

    # A name the kernel does not know says so; the tool's own name runs get_weather in the kernel.
    function = answer.get_by_role("textbox", name="Kernel function for get_weather")
    expect(function).to_have_value("get_weather")
    function.fill("get_wether")
    answer.get_by_role("button", name="Answer with kernel function").click()
    expect(answer.get_by_role("alert")).to_contain_text("get_wether is not defined in the kernel", timeout=30_000)
    function.fill("get_weather")
    answer.get_by_role("button", name="Answer with kernel function").click()
    result = answer.get_by_role("textbox", name="Result of get_weather")
    expect(result).to_have_value('{"city": "서울", "temp": 21}', timeout=30_000)
    expect(answer.get_by_role("status")).to_contain_text(f"get_weather() returned in the kernel of {NOTEBOOK}")
    lab.screenshot("light-playground-kernel-tool")
    answer.get_by_role("button", name="Send the result").click()

    # The result goes back as the tool message, and the model answers in words.
    expect(answer.locator(".jp-AquaExt-Turn-toolResult")).to_contain_text('{"city": "서울", "temp": 21}')
    expect(answers.last).to_contain_text("llama says hi", timeout=60_000)
    expect(answers.last).to_have_attribute("data-status", "done")
    sent = [json.loads(line) for line in Path(server.base / "llama-requests.jsonl").read_text().splitlines()]
    messages = sent[-1]["body"]["messages"]
    assert messages[-2]["role"] == "assistant"
    assert messages[-2]["tool_calls"][0]["function"] == {"name": "get_weather", "arguments": '{"city": "서울"}'}
    assert messages[-1] == {"role": "tool", "tool_call_id": "call-1", "content": '{"city": "서울", "temp": 21}'}

    # The calls ran silently: the next cell run in the notebook is the next in its count.
    open_widget(lab, "docmanager:open", {"path": NOTEBOOK})
    add_cell(lab, 'get_weather("東京")')
    lab.page.wait_for_function("() => window.jupyterapp.commands.isEnabled('notebook:run-cell')")
    execute(lab, "notebook:run-cell")
    cell = lab.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-cell").last
    expect(cell.locator(".jp-OutputArea-output")).to_contain_text("{'city': '東京', 'temp': 21}", timeout=60_000)
    expect(cell.locator(".jp-InputPrompt")).to_have_text(f"[{count + 1}]:")
    assert_no_page_errors(lab)


def add_cell(lab: LabPage, code: str) -> None:
    """A code cell at the end of the notebook in front, made the active cell."""
    lab.page.evaluate(
        """(code) => {
             const notebook = window.jupyterapp.shell.currentWidget.content;
             notebook.model.sharedModel.insertCell(notebook.model.cells.length, { cell_type: 'code', source: code });
             notebook.activeCellIndex = notebook.model.cells.length - 1;
           }""",
        code,
    )
