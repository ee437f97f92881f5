"""LLM-as-judge (jobs/eval_judge.py): the prompt carries Korean and Japanese rows as they are; the
reply is parsed strictly, then tolerantly (the first JSON object), and a reply with no usable grade
is an error, never a 0; two judges' agreement equals scikit-learn's and SciPy's; the request's judge
settings are checked naming the field; the evaluation job grades every answered row with two stub
judges (a deployment's engine and a connection, its secret in the environment only)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from aqua_ext.api.evaluations import CreateEvaluationRequest
from aqua_ext.jobs.eval_judge import RUBRICS, VerdictError, agreement, judge_prompt, parse_verdict, row_scores
from aqua_ext.jobs.evaluate import JUDGE_SECRET_ENV, REPORT_HTML, REPORT_JSON, ROWS_FILE
from aqua_ext.jobs.finetune import read_status
from tests.judge_stub import broken_judge, exact_judge, script_judge
from tests.provider_stubs.openai import OpenAiStub
from tests.stub_upstream import StubConfig, StubUpstream

ROOT = Path(__file__).resolve().parents[2]
SECRET = "sk-judge-9b74c9897bac770ffc029102a200c5de"
ANSWER = "tok0 tok1 tok2"  # what the evaluated stub says with max_tokens 3
# Seed 000's Korean Llama-2 [INST] row, as its dataset holds it.
KOREAN_INST = (
    "<s>[INST]<<SYS>>당신은 클라우드 전문가입니다. 도움이 되고 상세하며 정확한 답변을 제공합니다.<</SYS>>"
    "OCI 가상머신 서비스에 대해서 설명해줘[/INST]"
)
KOREAN_ANSWER = "가상 머신(VM)은 클라우드에서 안전하고 탄력적인 컴퓨팅 용량을 제공합니다."
ROWS = [
    {"prompt": KOREAN_INST, "completion": KOREAN_ANSWER, "category": "한국어"},
    {"prompt": "日本の首都はどこですか？", "completion": "東京です", "category": "日本語"},
    {"prompt": "What is the capital of France?", "completion": ANSWER, "category": "English"},
    {"prompt": "한국의 수도는 어디인가요?", "completion": ANSWER, "category": "한국어"},
    {"prompt": "「こんにちは」を韓国語で言うと？", "completion": "안녕하세요", "category": "日本語"},
    {"prompt": "Name a primary color.", "completion": "Blue", "category": "English"},
]
# What the stub judges give each row (tests/judge_stub.py): the answer is always ANSWER.
EXACT = [2, 2, 5, 5, 2, 2]
SCRIPT = [1, 3, 5, 5, 1, 3]


# ---- the prompt ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prompt", "reference", "output"),
    [
        (KOREAN_INST, KOREAN_ANSWER, "VM은 가상 컴퓨터입니다."),
        ("「こんにちは」を韓国語で言うと？", "안녕하세요", "アンニョンハセヨ（안녕하세요）です。"),
    ],
)
def test_the_prompt_carries_any_script_as_it_is(prompt: str, reference: str, output: str) -> None:
    text = judge_prompt(prompt, reference, output, RUBRICS["correctness"])
    assert f"<question>\n{prompt}\n</question>" in text
    assert f"<reference>\n{reference}\n</reference>" in text
    assert f"<answer>\n{output}\n</answer>" in text
    assert RUBRICS["correctness"] in text and "from 1 (worst) to 5 (best)" in text
    assert "Korean, Japanese" in text and "language of the question" in text
    assert '{"score": <integer>, "reason":' in text


def test_a_custom_rubric_is_the_users_text() -> None:
    rubric = "敬語を使っているか。5: 丁寧, 1: 失礼"
    assert f"Rubric: {rubric}\n" in judge_prompt("質問", "参考", "回答", rubric)


# ---- the reply ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (
            '{"score": 4, "reason": "핵심은 맞지만 가격 정보가 빠졌습니다."}',
            (4, "핵심은 맞지만 가격 정보가 빠졌습니다."),
        ),
        ('{"reason": "参考回答と同じ意味です。", "score": 5}', (5, "参考回答と同じ意味です。")),
        ('```json\n{"score": 1, "reason": "無関係"}\n```', (1, "無関係")),
        ('Here is my grade: {"score": 3, "reason": "partly right"} Hope it helps.', (3, "partly right")),
        ('점수 {없음} 그리고 {"score": 2, "reason": "대부분 틀림"}', (2, "대부분 틀림")),
        ('{"score": 5.0, "reason": "ok"}', (5, "ok")),
        ('{"score": 5}', (5, "")),
        ('{"score": 3, "reason": "a"} {"score": 1, "reason": "b"}', (3, "a")),
    ],
)
def test_a_grade_is_read_strictly_then_from_the_first_json_object(reply: str, expected: tuple[int, str]) -> None:
    assert parse_verdict(reply) == expected


@pytest.mark.parametrize(
    ("reply", "why"),
    [
        ("", "no JSON object: (empty)"),
        ("좋은 답변입니다. 4점을 드립니다.", "no JSON object"),
        ("とても良い回答です", "no JSON object"),
        ('[{"score": 4}]', "no JSON object"),
        ('{"score": "4", "reason": "文字列"}', "no integer score"),
        ('{"score": true, "reason": "x"}', "no integer score"),
        ('{"score": 3.5, "reason": "x"}', "no integer score"),
        ('{"grade": 4}', "no integer score"),
        ('{"score": 0, "reason": "x"}', "outside 1–5"),
        ('{"score": 6, "reason": "x"}', "outside 1–5"),
        ('{"score": 4, "reason": ["x"]}', "reason is not text"),
        ('{"score": 4, "reason": "truncated', "no JSON object"),
    ],
)
def test_a_reply_without_a_usable_grade_is_an_error_not_a_zero(reply: str, why: str) -> None:
    with pytest.raises(VerdictError) as refused:
        parse_verdict(reply)
    assert why in str(refused.value)


def test_a_row_score_is_normalised_and_an_ungraded_judge_is_left_out() -> None:
    assert row_scores([{"score": 5}]) == {"judge": 1.0}
    assert row_scores([{"score": 1}, {"score": 4}]) == {"judge_1": 0.0, "judge_2": 0.75, "judge": 0.375}
    assert row_scores([{"score": None, "error": "x"}, {"score": 3}]) == {"judge_2": 0.5, "judge": 0.5}
    assert row_scores([{"score": None, "error": "x"}]) == {}


# ---- agreement, against the libraries ------------------------------------------------------------


def library_agreement(a: list[int], b: list[int]) -> tuple[float, float]:
    from scipy.stats import spearmanr  # type: ignore[import-untyped]
    from sklearn.metrics import cohen_kappa_score  # type: ignore[import-untyped]

    kappa = cohen_kappa_score(a, b, labels=[1, 2, 3, 4, 5], weights="quadratic")
    return float(kappa), float(spearmanr(a, b).statistic)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (EXACT, SCRIPT),
        ([1, 2, 3, 4, 5, 5, 4, 3], [1, 2, 3, 4, 5, 4, 4, 2]),
        ([5, 4, 4, 3, 1, 2, 2, 5, 3, 3, 4, 1], [4, 4, 5, 3, 2, 2, 1, 5, 3, 4, 4, 1]),
        ([2, 2, 3], [5, 1, 4]),
    ],
)
def test_agreement_is_what_scikit_learn_and_scipy_compute(a: list[int], b: list[int]) -> None:
    pytest.importorskip("sklearn")
    pytest.importorskip("scipy")
    found = agreement(a, b)
    kappa, rho = library_agreement(a, b)
    assert found["rows"] == len(a)
    assert found["exact"] == sum(x == y for x, y in zip(a, b, strict=True)) / len(a)
    assert found["kappa"] == pytest.approx(kappa, abs=1e-12)
    assert found["spearman"] == pytest.approx(rho, abs=1e-12)


def test_agreement_that_is_undefined_is_none() -> None:
    assert agreement([], []) == {"rows": 0, "exact": None, "kappa": None, "spearman": None}
    same = agreement([4, 4, 4], [4, 4, 4])  # one score for every row: no chance correction, no ranks
    assert same == {"rows": 3, "exact": 1.0, "kappa": None, "spearman": None}
    assert agreement([1, 5], [1, 5])["kappa"] == 1.0


# ---- the request -------------------------------------------------------------------------------

BASE = {"name": "평가", "dataset_path": "rows.jsonl", "deployment_id": "ldep-1"}


@pytest.mark.parametrize(
    ("judge", "field"),
    [
        ({"judges": [{"deployment_id": "ldep-2"}], "rubric": "custom"}, "judge.rubric_text"),
        ({"judges": [{"deployment_id": "ldep-2"}], "rubric": "custom", "rubric_text": "  "}, "judge.rubric_text"),
        ({"judges": [{"deployment_id": "ldep-2"}], "rubric": "helpfulness", "rubric_text": "x"}, "judge.rubric_text"),
        ({"judges": []}, "judge.judges"),
        ({"judges": [{"deployment_id": f"ldep-{i}"} for i in range(3)]}, "judge.judges"),
        ({"judges": [{"deployment_id": "ldep-2"}], "rubric": "style"}, "judge.rubric"),
        ({"judges": [{"deployment_id": "ldep-2"}], "concurrency": 0}, "judge.concurrency"),
    ],
)
def test_judge_settings_out_of_bounds_name_their_field(judge: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        CreateEvaluationRequest.model_validate({**BASE, "judge": judge})
    assert ".".join(map(str, refused.value.errors()[0]["loc"])) == field


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"judge": {"judges": [{"deployment_id": "a", "connection_id": "conn-b"}]}}, "judge.judges.0.deployment_id"),
        ({"judge": {"judges": [{"deployment_id": "a"}, {}]}}, "judge.judges.1.deployment_id"),
        ({"judge": {"judges": [{"deployment_id": "a", "model": "m"}]}}, "judge.judges.0.model"),
        ({"metrics": ["rouge", "judge"]}, "judge"),
    ],
)
def test_a_judge_is_a_deployment_or_a_connection(body: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        CreateEvaluationRequest.model_validate({**BASE, **body})
    assert refused.value.errors()[0]["msg"].removeprefix("Value error, ").startswith(f"{field}:")


def test_a_judge_adds_the_judge_metric() -> None:
    request = CreateEvaluationRequest.model_validate(
        {**BASE, "metrics": ["rouge"], "judge": {"judges": [{"connection_id": "conn-1", "model": "m"}]}}
    )
    assert request.metrics == ["rouge", "judge"]
    assert request.judge is not None and request.judge.rubric == "correctness" and request.judge.concurrency == 8


# ---- the job -----------------------------------------------------------------------------------


@pytest.fixture
def evaluated() -> Iterator[StubUpstream]:
    with StubUpstream(StubConfig(tokens=3)) as stub:
        yield stub


def start_job(
    tmp_path: Path,
    spec: dict[str, Any],
    env_extra: dict[str, str] | None = None,
    rows: list[dict[str, Any]] = ROWS,
) -> tuple[subprocess.Popen[bytes], Path]:
    """`python -m aqua_ext.jobs.evaluate` on `rows` as the server starts it; its folder."""
    out = tmp_path / "run"
    out.mkdir()
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    full = {"dataset_path": str(data), "output_dir": str(out), "name": "판정", **spec}
    (out / "spec.json").write_text(json.dumps(full, ensure_ascii=False), encoding="utf-8")
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    with (out / "job.log").open("wb") as log:
        command = [sys.executable, "-m", "aqua_ext.jobs.evaluate", str(out / "spec.json")]
        env = {**os.environ, "PYTHONPATH": path, **(env_extra or {})}
        return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True), out


def run_job(
    tmp_path: Path,
    spec: dict[str, Any],
    env_extra: dict[str, str] | None = None,
    rows: list[dict[str, Any]] = ROWS,
) -> tuple[int, Path]:
    proc, out = start_job(tmp_path, spec, env_extra, rows)
    return proc.wait(timeout=120), out


def target(stub: StubUpstream) -> dict[str, Any]:
    return {"base_url": stub.url, "model": "stub-model", "mode": "chat", "dialect": "openai"}


def spec_for(stub: StubUpstream, judges: list[dict[str, Any]], **judge: Any) -> dict[str, Any]:
    return {
        "target": target(stub),
        "params": {"max_tokens": 3, "temperature": 0.0},
        "metrics": ["exact_match", "latency", "judge"],
        "concurrency": 2,
        "judge": {"rubric": "correctness", "rubric_text": "", "concurrency": 3, "judges": judges, **judge},
    }


def rows_of(out: Path) -> list[dict[str, Any]]:
    return sorted((json.loads(line) for line in (out / ROWS_FILE).read_text().splitlines()), key=lambda r: r["index"])


def test_two_judges_grade_every_row_and_their_agreement_is_reported(tmp_path: Path, evaluated: StubUpstream) -> None:
    judges: list[dict[str, Any]] = [
        {"name": "엄격한 심판", "deployment_id": "ldep-judge"},
        {"name": "審判 · judge-model", "connection_id": "conn-judge", "model": "judge-model"},
    ]
    with (
        StubUpstream(StubConfig(content=exact_judge)) as first,
        StubUpstream(StubConfig(content=script_judge, model="judge-model")) as second,
    ):
        judges[0]["target"] = target(first)
        connection = {"name": "審判", "kind": "openai", "endpoint": second.url + "/v1", "auth_type": "bearer"}
        judges[1]["connection"] = {"id": "conn-judge", "fields": connection, "model": "judge-model"}
        code, out = run_job(tmp_path, spec_for(evaluated, judges), {JUDGE_SECRET_ENV.format(1): SECRET})
        authorizations = list(second.stats.authorizations)
    assert code == 0, (out / "job.log").read_text()
    assert authorizations == [f"Bearer {SECRET}"] * len(ROWS)
    assert [p.name for p in tmp_path.rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()] == []

    rows = rows_of(out)
    assert [[v["score"] for v in r["judgements"]] for r in rows] == [list(p) for p in zip(EXACT, SCRIPT, strict=True)]
    assert all(
        v["error"] is None and v["prompt_tokens"] == 5 and v["completion_tokens"] > 0
        for r in rows
        for v in r["judgements"]
    )
    assert rows[0]["judgements"][1]["reason"] == "참조 답변과 비교했습니다"  # out of the prose and the fence
    assert [r["scores"]["judge_1"] for r in rows] == [(s - 1) / 4 for s in EXACT]
    assert [r["scores"]["judge"] for r in rows] == [
        ((a - 1) / 4 + (b - 1) / 4) / 2 for a, b in zip(EXACT, SCRIPT, strict=True)
    ]

    report = json.loads((out / REPORT_JSON).read_text())
    judge = report["judge"]
    assert [t["name"] for t in judge["judges"]] == ["엄격한 심판", "審判 · judge-model"]
    assert [(t["rows_scored"], t["rows_failed"]) for t in judge["judges"]] == [(6, 0), (6, 0)]
    assert judge["judges"][0]["mean_score"] == pytest.approx(sum(EXACT) / 6)
    assert judge["prompt_tokens"] == 5 * 2 * len(ROWS)
    assert judge["completion_tokens"] == sum(v["completion_tokens"] for r in rows for v in r["judgements"])
    assert judge["agreement"] == {"rows": 6, **{k: v for k, v in agreement(EXACT, SCRIPT).items() if k != "rows"}}
    pytest.importorskip("sklearn")
    pytest.importorskip("scipy")
    kappa, rho = library_agreement(EXACT, SCRIPT)
    assert judge["agreement"]["exact"] == pytest.approx(2 / 6)
    assert judge["agreement"]["kappa"] == pytest.approx(kappa) and judge["agreement"]["spearman"] == pytest.approx(rho)
    overall = report["overall"]["scores"]
    assert overall["judge_1"] == pytest.approx(sum((s - 1) / 4 for s in EXACT) / 6)
    assert report["categories"]["한국어"]["scores"]["judge_2"] == pytest.approx(((1 - 1) / 4 + (5 - 1) / 4) / 2)
    assert "1–5 score normalised to 0..1" in report["notes"]["judge"]
    html = (out / REPORT_HTML).read_text()
    assert "참조 답변과 비교했습니다" in html and "Cohen&#x27;s kappa" in html and "엄격한 심판" in html
    assert read_status(out)["state"] == "SUCCEEDED"  # type: ignore[index]


def test_an_unparsable_grade_is_an_error_for_its_row_never_a_zero(tmp_path: Path, evaluated: StubUpstream) -> None:
    with StubUpstream(StubConfig(content=broken_judge)) as judge:
        spec = spec_for(
            evaluated, [{"name": "judge", "target": target(judge)}], rubric="custom", rubric_text="日本語で"
        )
        code, out = run_job(tmp_path, spec)
    assert code == 0, (out / "job.log").read_text()
    rows = rows_of(out)
    japanese = [i for i, r in enumerate(ROWS) if "日本" in r["prompt"]]
    assert japanese == [1]
    for i, row in enumerate(rows):
        (verdict,) = row["judgements"]
        if i in japanese:
            assert verdict["score"] is None and "no JSON object" in verdict["error"] and "judge" not in row["scores"]
        else:
            assert verdict["error"] is None and row["scores"]["judge"] == (EXACT[i] - 1) / 4
    report = json.loads((out / REPORT_JSON).read_text())
    assert report["judge"]["judges"][0] | {"mean_score": None} == {
        "name": "judge",
        "deployment_id": None,
        "connection_id": None,
        "model": None,
        "rows_scored": 5,
        "rows_failed": 1,
        "mean_score": None,
        "prompt_tokens": 5 * 6,
        "completion_tokens": report["judge"]["completion_tokens"],
    }
    assert report["judge"]["rubric"] == "custom" and report["judge"]["rubric_text"] == "日本語で"
    assert report["overall"]["scores"]["judge"] == pytest.approx(sum((EXACT[i] - 1) / 4 for i in (0, 2, 3, 4, 5)) / 5)
    assert "judge: 1 of 6 rows" in report["notes"]["judge"] and report["judge"]["agreement"] is None


def test_a_judge_that_cannot_be_reached_leaves_the_other_scores(tmp_path: Path, evaluated: StubUpstream) -> None:
    gone = {"base_url": "http://127.0.0.1:9", "model": "m", "mode": "chat", "dialect": "openai"}
    code, out = run_job(tmp_path, spec_for(evaluated, [{"name": "gone", "target": gone}]))
    assert code == 0, (out / "job.log").read_text()
    report = json.loads((out / REPORT_JSON).read_text())
    assert report["judge"]["judges"][0]["rows_failed"] == len(ROWS) and "judge" not in report["overall"]["scores"]
    assert report["overall"]["scores"]["exact_match"] == pytest.approx(2 / 6)


def test_the_job_refuses_a_judge_spec_it_cannot_follow(tmp_path: Path, evaluated: StubUpstream) -> None:
    spec = spec_for(evaluated, [{"name": "x"}])
    assert run_job(tmp_path, spec)[0] == 2


def test_an_openai_connection_judge_is_asked_for_its_usage(tmp_path: Path, evaluated: StubUpstream) -> None:
    # OpenAI's stub echoes the judge prompt; the question holds a grade, which the tolerant parser finds
    # (the prompt's reply template before it is not JSON). Usage comes only when the stream asks for it.
    question = '「首都」を説明して {"score": 4, "reason": "エコー"}'
    with OpenAiStub(key=SECRET, models=["gpt-4o-mini"]) as judge:
        fields = {"name": "OpenAI", "kind": "openai", "endpoint": judge.url + "/v1", "auth_type": "bearer"}
        connection = {"id": "conn-openai", "fields": fields, "model": "gpt-4o-mini"}
        spec = spec_for(evaluated, [{"name": "OpenAI · gpt-4o-mini", "connection": connection}])
        rows = [{"prompt": question, "completion": "東京"}]
        code, out = run_job(tmp_path, spec, {JUDGE_SECRET_ENV.format(0): SECRET}, rows=rows)
        seen = [s.body for s in judge.seen if s.path == "/v1/chat/completions"]
    assert code == 0, (out / "job.log").read_text()
    assert [(b["stream"], b["stream_options"]) for b in seen] == [(True, {"include_usage": True})]
    (row,) = rows_of(out)
    (verdict,) = row["judgements"]
    assert (verdict["score"], verdict["reason"], verdict["error"]) == (4, "エコー", None)
    assert verdict["prompt_tokens"] > 0 and verdict["completion_tokens"] > 0
    report = json.loads((out / REPORT_JSON).read_text())
    assert report["judge"]["prompt_tokens"] == verdict["prompt_tokens"]


def test_cancel_while_judging_keeps_the_answers(tmp_path: Path, evaluated: StubUpstream) -> None:
    with StubUpstream(StubConfig(content=exact_judge, first_byte_delay=30.0)) as slow:
        proc, out = start_job(tmp_path, spec_for(evaluated, [{"name": "slow", "target": target(slow)}]))
        try:
            # Every row answered, the judges asked (and not answering yet): then cancel.
            assert slow.wait_for(lambda stats: len(stats.authorizations) >= 3, timeout=60)
            status = read_status(out)
            assert status and str(status["message"]).startswith("Judging the answers")
            os.kill(proc.pid, signal.SIGTERM)
            assert proc.wait(timeout=30) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
    status = read_status(out)
    assert status and status["state"] == "CANCELED"
    kept = rows_of(out)
    assert len(kept) == len(ROWS) and all(r["output"] == ANSWER and "judgements" not in r for r in kept)
    assert not (out / REPORT_JSON).exists()
