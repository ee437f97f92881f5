"""LLM-as-judge over HTTP, end to end on the local target: a connection (a stub OpenAI-compatible
service) answers Korean and Japanese rows, two judges (stub services that grade deterministically,
one keyed) grade each answer; the detail, the rows, the HTML report and the comparison carry the
grades, reasons, agreement and token cost; a judge that is unknown or cannot chat, and a custom
rubric without its text, are 400s naming the field, with nothing created."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aqua_ext.jobs.eval_judge import agreement
from tests.handlers.test_deployments import DEMO
from tests.handlers.test_evaluations import deploy
from tests.judge_stub import exact_judge, script_judge
from tests.model_folders import needs_local_extra
from tests.stub_upstream import StubConfig, StubUpstream
from tests.unit.test_eval_judge import EXACT, ROWS, SCRIPT
from tests.waiting import wait_for_state

SECRET = "sk-judge-http-7215ee9c7d9dc229d2921a40e899ec5f"


@pytest.fixture
def stubs() -> Iterator[tuple[StubUpstream, StubUpstream, StubUpstream]]:
    with (
        StubUpstream(StubConfig(tokens=3)) as answering,
        StubUpstream(StubConfig(content=exact_judge, model="grader")) as first,
        StubUpstream(StubConfig(content=script_judge, model="채점기")) as second,
    ):
        yield answering, first, second


async def connection(api: Any, name: str, stub: StubUpstream, **fields: Any) -> str:
    body = {"name": name, "kind": "openai", "endpoint": stub.url + "/v1", "models": ["stub-model"], **fields}
    status, created = await api("connections", method="POST", body=body)
    assert status in (200, 201), created
    return str(created["id"])


async def evaluate(api: Any, conn: str, name: str, judge: dict[str, Any]) -> dict[str, Any]:
    body = {
        "connection_id": conn,
        "name": name,
        "dataset_path": "rows.jsonl",
        "metrics": ["exact_match", "latency"],
        "params": {"max_tokens": 3},
        "judge": judge,
    }
    status, created = await api("evaluations", method="POST", body=body)
    assert status == 202, created
    return await wait_for_state(
        api, f"evaluations/{created['evaluation']['id']}", "SUCCEEDED", timeout=120, stop_on_failure=True
    )


async def test_two_judges_grade_a_connection_s_answers(
    api: Any, jp_fetch: Any, jp_root_dir: Path, aqua_data_dir: Path, stubs: tuple[StubUpstream, ...]
) -> None:
    answering, first, second = stubs
    (jp_root_dir / "rows.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS), encoding="utf-8"
    )
    asked = await connection(api, "답변 서비스", answering)
    grader = await connection(api, "採点", first, models=["grader"], auth_type="bearer", secret=SECRET)
    korean = await connection(api, "채점 서비스", second, models=["채점기"])

    judge = {
        "judges": [{"connection_id": grader}, {"connection_id": korean, "model": "채점기"}],
        "rubric": "helpfulness",
    }
    detail = await evaluate(api, asked, "두 심판", judge)
    assert detail["metrics"] == ["exact_match", "latency", "judge"]
    assert detail["judge"] == {
        "rubric": "helpfulness",
        "rubric_text": "",
        "concurrency": 8,
        "judges": [
            {"name": "採点 · grader", "deployment_id": None, "connection_id": grader, "model": "grader"},
            {"name": "채점 서비스 · 채점기", "deployment_id": None, "connection_id": korean, "model": "채점기"},
        ],
    }
    report = detail["report"]["judge"]
    assert [(t["rows_scored"], t["rows_failed"]) for t in report["judges"]] == [(6, 0), (6, 0)]
    assert report["prompt_tokens"] == 5 * 12 and report["completion_tokens"] > 0
    expected = agreement(EXACT, SCRIPT)
    assert report["agreement"] == pytest.approx(expected)
    assert detail["scores"]["judge"] == pytest.approx(
        sum((a - 1) / 4 + (b - 1) / 4 for a, b in zip(EXACT, SCRIPT, strict=True)) / 12
    )
    assert first.stats.authorizations == [f"Bearer {SECRET}"] * len(ROWS)

    status, page = await api(f"evaluations/{detail['id']}/rows", params={"sort": "judge", "descending": "true"})
    assert status == 200, page
    assert [r["index"] for r in page["items"]][:2] == [2, 3]  # the exact answers: 5 from both judges
    by_index = {r["index"]: r for r in page["items"]}
    assert [[v["score"] for v in by_index[i]["judgements"]] for i in range(6)] == [
        [a, b] for a, b in zip(EXACT, SCRIPT, strict=True)
    ]
    assert by_index[0]["judgements"][1]["reason"] == "참조 답변과 비교했습니다"

    response = await jp_fetch("aqua-ext", "evaluations", detail["id"], "report.html")
    html = response.body.decode()
    assert "採点 · grader" in html and "참조 답변과 비교했습니다" in html and "Spearman" in html

    one = await evaluate(api, asked, "한 심판", {"judges": [{"connection_id": grader}]})
    assert one["report"]["judge"]["agreement"] is None and "judge_1" not in one["scores"]
    status, compared = await api("compare/evaluations", params={"ids": f"{detail['id']},{one['id']}"})
    assert status == 200, compared
    assert set(compared["overall"]["judge"]) == {detail["id"], one["id"]}
    assert (
        "The judge scores come from different judges or rubrics, so they are not directly comparable: "
        "採点 · grader and 채점 서비스 · 채점기, helpfulness rubric ('두 심판') "
        "vs 採点 · grader, correctness rubric ('한 심판')."
    ) in compared["notes"]
    # Nothing of the key in the files of the runs.
    assert [p.name for p in aqua_data_dir.rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()] == [
        "connections.json"
    ]


async def test_a_judge_that_cannot_grade_is_refused_naming_the_field(
    api: Any, jp_root_dir: Path, stubs: tuple[StubUpstream, ...]
) -> None:
    answering = stubs[0]
    (jp_root_dir / "rows.jsonl").write_text(json.dumps(ROWS[0], ensure_ascii=False) + "\n", encoding="utf-8")
    asked = await connection(api, "답변", answering)
    vectors = await connection(api, "埋め込み", answering, capabilities=["embedding"])
    cases = [
        ({"judges": [{"connection_id": "conn-0000000000"}]}, "judge.judges.0.connection_id", "no connection"),
        ({"judges": [{"connection_id": asked}, {"connection_id": vectors}]}, "judge.judges.1.connection_id", "chat"),
        ({"judges": [{"deployment_id": "ldep-0000000000"}]}, "judge.judges.0.deployment_id", "no deployment"),
        ({"judges": [{"connection_id": asked}], "rubric": "custom"}, "judge.rubric_text", "custom rubric"),
    ]
    for judge, field, text in cases:
        body = {"connection_id": asked, "name": "x", "dataset_path": "rows.jsonl", "judge": judge}
        status, refused = await api("evaluations", method="POST", body=body)
        assert status == 400, refused
        assert [f["field"] for f in refused["fields"]] == [field], refused
        assert text in refused["fields"][0]["message"], refused
    assert (await api("evaluations"))[1]["items"] == []


@needs_local_extra
@pytest.mark.engine
async def test_a_local_deployment_judges(
    api: Any, jp_root_dir: Path, demo_ready: Path, stubs: tuple[StubUpstream, ...]
) -> None:
    """The demo model on `transformers serve` as the judge: the job asks its engine as the playground
    does (its dialect); a tiny random model cannot grade, so each row says why, with the tokens it
    cost, and no row gets a score (never a 0)."""
    (jp_root_dir / "rows.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS[:3]), encoding="utf-8"
    )
    judge = await deploy(api, DEMO, "데모 심판")
    try:
        asked = await connection(api, "답변 서비스", stubs[0])
        detail = await evaluate(api, asked, "데모 심판 평가", {"judges": [{"deployment_id": judge}]})
        tally = detail["report"]["judge"]["judges"][0]
        assert (tally["name"], tally["rows_scored"], tally["rows_failed"]) == ("데모 심판", 0, 3)
        assert "judge" not in detail["scores"] and tally["completion_tokens"] > 0
        status, page = await api(f"evaluations/{detail['id']}/rows")
        assert status == 200, page
        errors = [r["judgements"][0]["error"] for r in page["items"]]
        assert all(e and e.startswith("the judge's") for e in errors), errors
    finally:
        await api(f"deployments/{judge}", method="DELETE")
