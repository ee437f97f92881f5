"""A deployment on OCI (the emulator) as the judge of a local evaluation: the local job reaches its
predict endpoint signed with the server's OCI settings, as the server's own chat turns are, and
its grades land on each row; an evaluation that runs on OCI takes no judge (the field named)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from tests.handlers.test_evaluation_judge import connection, evaluate
from tests.handlers.test_targets import both
from tests.judge_stub import exact_grade
from tests.oci_emulator.core import Request, Response
from tests.oci_emulator.predict import echo_predict
from tests.oci_setup import OciWorld, seed_deployment
from tests.stub_upstream import StubConfig, StubUpstream
from tests.unit.test_eval_judge import EXACT, ROWS


@pytest.fixture
def jp_server_config(world: OciWorld, aqua_data_dir: Path, hf_cache_dir: Path) -> dict[str, Any]:
    return both(world, aqua_data_dir, hf_cache_dir)


async def test_an_oci_deployment_grades_a_local_evaluation(api: Any, jp_root_dir: Path, world: OciWorld) -> None:
    judge = seed_deployment(world, "심판 OCI")
    signed_by: list[str] = []

    def grading(md: dict[str, Any], req: Request) -> Response:
        """The emulator's echo of a grade made from the judge prompt it was sent (the signer noted)."""
        body = json.loads(req.body)
        grade = {"score": exact_grade(body), "reason": "OCI 채점"}
        reply = json.dumps(grade, ensure_ascii=False)
        # Asked as the deployment's mode asks (chat messages, or a completion prompt).
        body.update({"messages": [{"role": "user", "content": reply}]} if "messages" in body else {"prompt": reply})
        signed_by.append(req.principal)
        return echo_predict(md, dataclasses.replace(req, body=json.dumps(body).encode()))

    world.emulator.deployments.predict_handler = grading
    (jp_root_dir / "rows.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS), encoding="utf-8"
    )
    with StubUpstream(StubConfig(tokens=3)) as answering:
        asked = await connection(api, "답변 서비스", answering)
        detail = await evaluate(api, asked, "OCI 심판", {"judges": [{"deployment_id": judge}]})
    assert len(signed_by) == len(ROWS) and all(signed_by), signed_by
    assert detail["judge"]["judges"] == [
        {"name": "심판 OCI", "deployment_id": judge, "connection_id": None, "model": None}
    ]
    tally = detail["report"]["judge"]["judges"][0]
    assert (tally["rows_scored"], tally["rows_failed"]) == (len(ROWS), 0) and tally["prompt_tokens"] > 0
    status, page = await api(f"evaluations/{detail['id']}/rows")
    assert status == 200, page
    verdicts = {r["index"]: r["judgements"][0] for r in page["items"]}
    assert [verdicts[i]["score"] for i in range(len(ROWS))] == EXACT
    assert {v["reason"] for v in verdicts.values()} == {"OCI 채점"}


async def test_an_evaluation_on_oci_takes_no_judge(api: Any, world: OciWorld) -> None:
    evaluated = seed_deployment(world, "evaluated")
    body = {
        "deployment_id": evaluated,
        "name": "x",
        "dataset_path": "oci://bucket@ns/rows.jsonl",
        "judge": {"judges": [{"deployment_id": evaluated}]},
    }
    status, refused = await api("evaluations", method="POST", body=body)
    assert status == 400, refused
    assert [f["field"] for f in refused["fields"]] == ["judge"], refused
    assert "local evaluation job" in refused["fields"][0]["message"]
    assert (await api("evaluations"))[1]["items"] == []
