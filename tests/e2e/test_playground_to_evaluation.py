"""One scenario across the playground, datasets, evaluation and the notebook, in a real JupyterLab,
Chromium and real engines on the local target with the demo models (random weights):

- chat with tools (a connection to a stub service whose model calls get_weather: the demo models' random
  weights never call a tool) answered by get_weather defined in a notebook's kernel;
- chat with an image with the vision demo model (a tiny Llava) on real `transformers serve`: the
  engine's prompt holds the image's 16 tokens;
- chat with a JSON schema with the demo model's GGUF twin on real llama.cpp: the engine's grammar
  makes even random weights answer JSON that follows the schema, and the playground says so;
- edit that turn's answer and save it as a row of a dataset;
- evaluate the deployment on Korean and Japanese rows (and one English row) with ROUGE, BERTScore and
  a judge (a connection to a stub service that grades deterministically: tests/judge_stub.py), and
  check the scores against rouge-score called directly and against the grades the judge gave;
- run the deployment's "Use it from code" snippet in a notebook cell of the same lab.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
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
from tests.e2e.test_model_explorer import assert_no_page_errors, execute
from tests.e2e.test_notebook_client import (
    DEFINE_GET_WEATHER,
    FAKE_ENGINES,
    WEATHER_TOOLS,
    CheckoutLab,
    add_cell,
    open_widget,
    write_notebook,
)
from tests.judge_stub import exact_grade, exact_judge
from tests.model_folders import demo_gguf_twin, needs_local_extra
from tests.stub_upstream import StubConfig, StubUpstream

pytestmark = [pytest.mark.e2e, needs_local_extra]

DEPLOYMENT = "데모 GGUF 한국어"
NOTEBOOK = "작업/흐름.ipynb"
PLAYGROUND = ".jp-AquaExt-PlaygroundArea:not(.lm-mod-hidden) .jp-AquaExt-Playground"
EVAL_FORM = '[role="dialog"][aria-label="New evaluation"]'
EVAL_DETAIL = ".jp-AquaExt-EvaluationDetail"
# The city is Hangul by pattern, not any string: llama.cpp's grammar lets the random model's byte tokens
# write invalid UTF-8 inside a free string, and its own answer parser then refuses the answer with a 500
# ("does not match the expected peg-native format"), about one answer in four.
SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "pattern": "^[가-힣]{1,6}$"},
        "temp": {"type": "integer", "minimum": -50, "maximum": 60},
    },
    "required": ["city", "temp"],
    "additionalProperties": False,
}
# Korean and Japanese rows, and one English row (the one BERTScore's English encoder may score).
EVAL_ROWS = [
    {"prompt": "한국의 수도는 어디입니까?", "completion": "한국의 수도는 서울입니다."},
    {"prompt": "서울의 인구는?", "completion": "서울의 인구는 약 940만 명입니다."},
    {"prompt": "日本の首都はどこですか?", "completion": "日本の首都は東京です。"},
    {"prompt": "富士山の高さは?", "completion": "富士山の高さは3776メートルです。"},
    {"prompt": "What does the function return?", "completion": "It returns the value of the parameter."},
]


class RealEnginesLab(CheckoutLab):
    """CheckoutLab (this checkout's labextension in front, no JUPYTER_TOKEN for kernels) with the real
    llama-server, not the stand-in that lab puts on PATH."""

    def environment(self) -> dict[str, str]:
        env = super().environment()
        env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != str(FAKE_ENGINES))
        return env


@pytest.fixture(scope="module")
def judge_stub() -> Iterator[StubUpstream]:
    with StubUpstream(StubConfig(content=exact_judge, model="grader")) as stub:
        yield stub


@pytest.fixture(scope="module")
def tool_stub() -> Iterator[StubUpstream]:
    """A service whose model calls get_weather: the demo models' random weights never call a tool."""
    call = {"name": "get_weather", "arguments": json.dumps({"city": "서울"}, ensure_ascii=False)}
    with StubUpstream(StubConfig(tool_call=call, model="도구")) as stub:
        yield stub


@pytest.fixture(scope="module")
def flow_server(
    lab_prerequisites: None, demo_model_dir: Path, vision_demo_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LabServer]:
    server = RealEnginesLab(tmp_path_factory.mktemp("e2e-flow"))
    server.prepare()
    shutil.copytree(vision_demo_dir, server.data_dir / "models" / "demo-tiny-llava")
    from PIL import Image

    (server.root_dir / "사진").mkdir()
    Image.new("RGB", (48, 32), (200, 40, 40)).save(server.root_dir / "사진" / "빨강.png")
    # The conversion runs its own event loop: in a thread, away from the one Playwright's sync API runs.
    with ThreadPoolExecutor(1) as pool:
        twin = pool.submit(demo_gguf_twin, demo_model_dir, "Q4_K_M").result()
    shutil.copytree(twin, server.root_dir / "데모-gguf")
    data = server.root_dir / "데이터"
    data.mkdir()
    (data / "eval-ko-ja.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in EVAL_ROWS), encoding="utf-8"
    )
    write_notebook(server.root_dir / NOTEBOOK)
    with server:
        try:
            yield server
        finally:
            delete_all_deployments(server)


@pytest.fixture(scope="module")
def deployed(flow_server: LabServer) -> str:
    """The demo model's GGUF twin registered and deployed on llama.cpp, ACTIVE; its id."""
    server = flow_server
    status, registered = api(
        server, "POST", "models", {"source": "local_folder", "path": str(server.root_dir / "데모-gguf")}
    )
    assert status == 202, registered
    status, created = api(
        server,
        "POST",
        "deployments",
        {"model_id": registered["model"]["id"], "name": DEPLOYMENT, "engine": "llama.cpp"},
    )
    assert status == 202, created
    deployment_id = str(created["deployment"]["id"])
    assert wait_state(server, deployment_id, "ACTIVE", "FAILED", timeout=120)["state"] == "ACTIVE"
    return deployment_id


def _connection(server: LabServer, name: str, stub: StubUpstream, model: str) -> str:
    body = {"name": name, "kind": "openai", "endpoint": stub.url + "/v1", "models": [model]}
    status, created = api(server, "POST", "connections", body)
    assert status in (200, 201), created
    return str(created["id"])


@pytest.fixture(scope="module")
def vision_deployed(flow_server: LabServer) -> str:
    """The vision demo model on transformers serve, ACTIVE; its id."""
    status, created = api(flow_server, "POST", "deployments", {"model_id": "demo:tiny-llava", "name": "데모 비전"})
    assert status == 202, created
    deployment_id = str(created["deployment"]["id"])
    assert wait_state(flow_server, deployment_id, "ACTIVE", "FAILED", timeout=180)["state"] == "ACTIVE"
    return deployment_id


@pytest.fixture(scope="module")
def judge_connection(flow_server: LabServer, judge_stub: StubUpstream) -> str:
    return _connection(flow_server, "채점 서비스", judge_stub, "grader")


@pytest.fixture(scope="module")
def tool_connection(flow_server: LabServer, tool_stub: StubUpstream) -> str:
    return _connection(flow_server, "도구 서비스", tool_stub, "도구")


@pytest.fixture(scope="module")
def page(browser: Any, flow_server: LabServer) -> Iterator[LabPage]:
    with lab_page(browser, flow_server) as lab:
        yield lab


def _send(lab: LabPage, prompt: str) -> Any:
    lab.page.locator(f"{PLAYGROUND} .jp-AquaExt-Composer-input").fill(prompt)
    lab.page.locator(f"{PLAYGROUND} .jp-AquaExt-sendButton").click()
    answer = lab.page.locator(f"{PLAYGROUND} .jp-AquaExt-Turn.jp-mod-assistant").last
    expect(answer).to_have_attribute("data-status", "done", timeout=60_000)
    return answer


def test_chat_with_a_schema_save_the_edited_turn_evaluate_and_run_the_snippet(
    page: LabPage,
    flow_server: LabServer,
    deployed: str,
    judge_connection: str,
    tool_connection: str,
    tool_stub: StubUpstream,
    vision_deployed: str,
) -> None:
    lab, server = page, flow_server

    # -- a notebook whose kernel defines get_weather, for the tool call further on
    open_widget(lab, "docmanager:open", {"path": NOTEBOOK})
    notebook = lab.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    expect(notebook.locator(".jp-Notebook-cell")).to_have_count(1)
    lab.page.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel?.status === 'idle'",
        timeout=60_000,
    )
    add_cell(lab, DEFINE_GET_WEATHER)
    lab.page.wait_for_function("() => window.jupyterapp.commands.isEnabled('notebook:run-cell')")
    execute(lab, "notebook:run-cell")
    expect(notebook.locator(".jp-Notebook-cell").nth(1).locator(".jp-InputPrompt")).to_have_text(
        re.compile(r"\[\d+\]"), timeout=60_000
    )

    # -- chat with tools: the model calls get_weather, the notebook's kernel answers, the result goes back
    open_widget(lab, "aqua-ext:open-playground", {"connectionId": tool_connection})
    playground = lab.page.locator(PLAYGROUND)
    playground.get_by_role("button", name=re.compile("Structured output and tools")).click()
    playground.get_by_role("textbox", name="Tools (JSON)").fill(json.dumps(WEATHER_TOOLS))
    _send(lab, "서울 날씨는?")
    answers = playground.locator(".jp-AquaExt-Turn.jp-mod-assistant")
    called = answers.nth(answers.count() - 1)  # this turn, not the last once the model goes on
    expect(called).to_contain_text("Calls get_weather")
    called.get_by_role("button", name="Answer with kernel function").click()
    expect(called.get_by_role("textbox", name="Result of get_weather")).to_have_value(
        '{"city": "서울", "temp": 21}', timeout=30_000
    )
    called.get_by_role("button", name="Send the result").click()
    expect(called.locator(".jp-AquaExt-Turn-toolResult")).to_contain_text('{"city": "서울", "temp": 21}')
    deadline = time.monotonic() + 30
    while not any(m.get("role") == "tool" for b in tool_stub.stats.bodies for m in b.get("messages", [])):
        assert time.monotonic() < deadline, tool_stub.stats.bodies
        time.sleep(0.3)
    follow_up = next(b for b in tool_stub.stats.bodies if any(m.get("role") == "tool" for m in b["messages"]))
    assert follow_up["messages"][-1]["content"] == '{"city": "서울", "temp": 21}'
    assert follow_up["messages"][-2]["tool_calls"][0]["function"]["name"] == "get_weather"
    lab.screenshot("light-flow-tools")

    # -- chat with an image: the vision demo model's prompt holds the image's tokens
    open_widget(lab, "aqua-ext:open-playground", {"deploymentId": vision_deployed})
    playground.locator('input[aria-label="Image files"]').set_input_files(str(server.root_dir / "사진" / "빨강.png"))
    expect(playground.get_by_role("list", name="Images to send").locator("img")).to_have_count(1)
    with_image = _send(lab, "이 그림은 무슨 색입니까?")
    question = playground.locator(".jp-AquaExt-Turn.jp-mod-user").last
    expect(question.locator("img.jp-AquaExt-thumbnail")).to_have_count(1)
    lab.screenshot("light-flow-image")
    prompt_with = _prompt_tokens(with_image)
    playground.get_by_role("button", name="Clear").click()
    prompt_without = _prompt_tokens(_send(lab, "이 그림은 무슨 색입니까?"))
    assert prompt_with - prompt_without == 16, (prompt_with, prompt_without)  # 16 image tokens per image

    # -- chat with a JSON schema: llama.cpp's grammar holds the random model to it
    open_widget(lab, "aqua-ext:open-playground", {"deploymentId": deployed})
    playground = lab.page.locator(PLAYGROUND)
    schema_box = playground.get_by_role("textbox", name="JSON schema of the answer")
    if not schema_box.is_visible():
        playground.get_by_role("button", name=re.compile("Structured output and tools")).click()
    schema_box.fill(json.dumps(SCHEMA))
    playground.get_by_role("textbox", name="Tools (JSON)").fill("")
    answer = _send(lab, "서울 날씨를 JSON으로 알려 주세요")
    expect(answer.get_by_label("Schema check")).to_contain_text("✓ Valid JSON for the schema.")
    lab.screenshot("light-flow-schema")

    # -- that turn, its answer edited, saved as a dataset row
    answer.get_by_role("button", name="Save to dataset").click()
    dialog = lab.page.get_by_role("dialog", name="Save the turn to a dataset")
    expect(dialog.get_by_role("textbox", name="Prompt")).to_have_value("서울 날씨를 JSON으로 알려 주세요")
    edited = json.dumps({"city": "서울", "temp": 21}, ensure_ascii=False)
    dialog.get_by_role("textbox", name="Dataset").fill("데이터/train.jsonl")
    dialog.get_by_role("textbox", name="Answer").fill(edited)
    dialog.get_by_role("button", name="Save row").click()
    expect(playground.locator(".jp-AquaExt-Playground-savedNote")).to_have_text(
        "Saved as line 1 of 데이터/train.jsonl (a new file)."
    )
    rows = (server.root_dir / "데이터" / "train.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(r) for r in rows] == [{"prompt": "서울 날씨를 JSON으로 알려 주세요", "completion": edited}]

    # -- evaluate the deployment on the Korean and Japanese rows: ROUGE, BERTScore and a judge
    execute(lab, "aqua-ext:new-evaluation", {"deploymentId": deployed})
    form = lab.page.locator(EVAL_FORM)
    expect(form).to_be_visible()
    form.get_by_label("Name").fill("한국어·日本語 평가")
    form.get_by_role("radio", name="A dataset").check()
    form.get_by_label("Dataset (JSONL)").fill("데이터/eval-ko-ja.jsonl")
    for metric in ("bleu", "chrf", "exact_match", "readability", "latency"):
        checkbox = form.locator(f'[data-metric="{metric}"] input')
        if checkbox.is_checked():
            checkbox.uncheck()
    for metric in ("rouge", "bertscore"):
        form.locator(f'[data-metric="{metric}"] input').check()
    form.get_by_label("Judge", exact=True).select_option(judge_connection)
    lab.screenshot("light-flow-evaluation-form")
    form.get_by_role("button", name="Start evaluation").click()
    expect(lab.page.locator(EVAL_FORM)).to_have_count(0, timeout=30_000)
    detail = lab.page.locator(EVAL_DETAIL)
    evaluation_id = detail.get_attribute("data-evaluation-id")
    expect(detail.locator("[data-state]").first).to_have_attribute("data-state", "SUCCEEDED", timeout=180_000)
    scores = detail.get_by_role("table", name="Overall scores")
    expect(scores.locator("tr[data-score=rougeL]")).to_be_visible()
    expect(scores.locator("tr[data-score=judge]")).to_be_visible()
    status, evaluation = api(server, "GET", f"evaluations/{evaluation_id}")
    assert status == 200, evaluation
    assert evaluation["metrics"] == ["bertscore", "rouge", "judge"], evaluation
    expect(detail.get_by_role("list", name="Notes on the scores")).to_contain_text("not meaningful for this language")
    rows_table = detail.get_by_role("table", name="Rows")
    expect(rows_table.locator("tbody tr")).to_have_count(len(EVAL_ROWS))
    expect(rows_table).to_contain_text("differs")  # the judge's reason, per row
    lab.screenshot("light-flow-evaluation-report")

    # The scores, checked against rouge-score called directly and against the judge's own grades.
    status, evaluation = api(server, "GET", f"evaluations/{evaluation_id}")
    assert status == 200, evaluation
    status, listing = api(server, "GET", f"evaluations/{evaluation_id}/rows")
    assert status == 200, listing
    by_prompt = {r["prompt"]: r for r in listing["items"]}
    assert set(by_prompt) == {r["prompt"] for r in EVAL_ROWS}
    expected_rouge = [_rouge_l(r["completion"], by_prompt[r["prompt"]]["output"]) for r in EVAL_ROWS]
    for row, expected in zip(EVAL_ROWS, expected_rouge, strict=True):
        assert by_prompt[row["prompt"]]["scores"]["rougeL"] == pytest.approx(expected, abs=1e-6), row
    assert evaluation["scores"]["rougeL"] == pytest.approx(sum(expected_rouge) / len(expected_rouge), abs=1e-6)
    grades = [
        exact_grade(_judge_body(r["prompt"], r["completion"], by_prompt[r["prompt"]]["output"])) for r in EVAL_ROWS
    ]
    for row, grade in zip(EVAL_ROWS, grades, strict=True):
        assert [j["score"] for j in by_prompt[row["prompt"]]["judgements"]] == [grade], row
    assert evaluation["scores"]["judge"] == pytest.approx(sum((g - 1) / 4 for g in grades) / len(grades))
    # BERTScore: the bundled encoder is English-only, so the Korean and Japanese rows have none (never 0).
    bert = {r["prompt"]: by_prompt[r["prompt"]]["scores"].get("bertscore") for r in EVAL_ROWS}
    assert [p for p, v in bert.items() if v is not None] == [EVAL_ROWS[-1]["prompt"]], bert

    # -- the deployment's snippet, inserted into the notebook and run in its kernel
    open_widget(lab, "docmanager:open", {"path": NOTEBOOK})
    lab.page.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel?.status === 'idle'",
        timeout=60_000,
    )
    execute(lab, "aqua-ext:open-deployments")
    row = lab.page.locator(f'.jp-AquaExt-DeploymentRow[data-deployment-id="{deployed}"]')
    snippets = lab.page.locator(".jp-AquaExt-DeploymentDetail .jp-AquaExt-CodeSnippets")
    if not snippets.is_visible():
        row.get_by_role("button", name=DEPLOYMENT).click()
    snippets.get_by_role("button", name="Insert into notebook").click()
    lab.page.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget?.content?.model?.cells.length === 3", timeout=10_000
    )
    cell = notebook.locator(".jp-Notebook-cell").nth(2)
    expect(cell).to_contain_text(f'client.openai_client("{deployed}")')
    lab.page.wait_for_function("() => window.jupyterapp.commands.isEnabled('notebook:run-cell')")
    execute(lab, "notebook:run-cell")
    output = cell.locator(".jp-OutputArea-output")
    expect(output).not_to_have_count(0, timeout=60_000)
    deadline = time.monotonic() + 60
    while cell.locator(".jp-InputArea-prompt").inner_text().strip() in ("[*]:", "[ ]:"):
        assert time.monotonic() < deadline, "the snippet's cell did not finish"
        time.sleep(0.5)
    assert "Error" not in output.inner_text() and output.inner_text().strip()
    lab.screenshot("light-flow-notebook")

    # The same views in the dark theme, for the eye (.screenshots/).
    execute(lab, "apputils:change-theme", {"theme": "JupyterLab Dark"})
    lab.page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'")
    open_widget(lab, "aqua-ext:open-playground", {"deploymentId": vision_deployed})
    lab.screenshot("dark-flow-image")
    open_widget(lab, "aqua-ext:open-playground", {"connectionId": tool_connection})
    lab.screenshot("dark-flow-tools")
    execute(lab, "apputils:change-theme", {"theme": "JupyterLab Light"})
    lab.page.wait_for_function("() => document.body.dataset.jpThemeLight === 'true'")
    assert_no_page_errors(lab)


def _prompt_tokens(turn: Any) -> int:
    """The prompt tokens the engine reported, from the turn's statistics line."""
    found = re.search(r"prompt (\d+)", turn.inner_text())
    assert found, turn.inner_text()
    return int(found.group(1))


def _rouge_l(reference: str, answer: str) -> float:
    """ROUGE-L F from rouge-score itself, on tokens split the way the report says it splits them (words;
    Hangul, Kana and Han one character each): a tokenizer written here, not the one under test."""
    from rouge_score import rouge_scorer

    class CharAndWords:
        def tokenize(self, text: str) -> list[str]:
            from nltk.stem import porter

            stem = porter.PorterStemmer().stem
            tokens = re.findall(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7a3]|[^\W_]+", text.lower())
            return [stem(t) if len(t) > 3 and re.fullmatch(r"[a-z0-9]+", t) else t for t in tokens]

    return float(
        rouge_scorer.RougeScorer(["rougeL"], tokenizer=CharAndWords()).score(reference, answer)["rougeL"].fmeasure
    )


def _judge_body(question: str, reference: str, answer: str) -> dict[str, Any]:
    """What exact_judge reads: the judge prompt's sections (jobs/eval_judge.py puts them there)."""
    text = f"<question>\n{question}\n</question>\n<reference>\n{reference}\n</reference>\n<answer>\n{answer}\n</answer>"
    return {"messages": [{"role": "user", "content": text}]}
