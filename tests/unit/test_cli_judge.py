"""`aqua-ext evaluations create … --judge ID [--judge-model M] [--rubric … --rubric-text T]`, end to
end on the local target: a connection answers, a keyed connection judges with a custom rubric in
Japanese; `get` and `rows` show the grades, reasons and token cost; flag misuse names the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aqua_ext.cli import main
from tests.judge_stub import exact_judge
from tests.stub_upstream import StubConfig, StubUpstream
from tests.unit.test_eval_judge import EXACT, ROWS

SECRET = "sk-judge-cli-45c48cce2e2d7fbdea1afc51c7c6ad26"


def test_judge_an_evaluation_from_the_cli(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JUDGE_KEY", SECRET)
    data = tmp_path / "data"
    (tmp_path / "rows.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS), "utf-8")

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["--data-dir", str(data), "--backend", "local", *argv])
        out, err = capsys.readouterr()
        assert SECRET not in out + err
        return code, out, err

    with StubUpstream(StubConfig(tokens=3)) as answering, StubUpstream(StubConfig(content=exact_judge)) as grading:
        code, out, err = run(
            "connections", "create", "답변", "--kind", "openai", "--endpoint", answering.url + "/v1",
            "--model", "stub-model", "--json",
        )  # fmt: skip
        assert code == 0, err
        asked = json.loads(out)["id"]
        code, out, err = run(
            "connections", "create", "審判", "--kind", "openai", "--endpoint", grading.url + "/v1",
            "--auth-type", "bearer", "--secret-env", "JUDGE_KEY", "--model", "judge-model", "--json",
        )  # fmt: skip
        assert code == 0, err
        judge = json.loads(out)["id"]

        code, out, err = run(
            "evaluations", "create", asked, "rows.jsonl", "--name", "심판 평가", "--max-tokens", "3",
            "--metrics", "exact_match", "--judge", judge, "--judge-model", "judge-model",
            "--rubric", "custom", "--rubric-text", "参考回答と同じ意味なら5、違えば1。", "--follow",
        )  # fmt: skip
        assert code == 0, err
        assert "judged with the custom (参考回答と同じ意味なら5、違えば1。) rubric, 1-5" in out
        assert "審判 · judge-model" in out and f"judge tokens in all: {5 * len(ROWS)} prompt" in out
        assert grading.stats.authorizations == [f"Bearer {SECRET}"] * len(ROWS)

        code, out, _ = run("evaluations", "list", "--json")
        evaluation_id = json.loads(out)[0]["id"]
        code, out, _ = run("evaluations", "get", evaluation_id)
        assert code == 0 and "judges       審判 · judge-model  (rubric custom)" in out
        assert f"{sum(EXACT) / len(EXACT):.2f}" in out  # the judge's mean on its 1-5 scale

        code, out, _ = run("evaluations", "rows", evaluation_id, "--sort", "judge", "--desc", "--json")
        rows = json.loads(out)["items"]
        assert [r["judgements"][0]["score"] for r in rows] == sorted(EXACT, reverse=True)
        code, out, _ = run("evaluations", "rows", evaluation_id, "--limit", "1")
        assert "JUDGE (1-5): REASON" in out and "2: differs" in out

    code, _, err = run("evaluations", "create", asked, "rows.jsonl", "--name", "x", "--rubric", "helpfulness")
    assert code == 2 and "judge" in err
    code, _, err = run(
        "evaluations", "create", asked, "rows.jsonl", "--name", "x", "--judge", judge, "--rubric", "custom"
    )  # fmt: skip
    assert code == 2 and "judge.rubric_text" in err
    code, _, err = run(
        "evaluations", "create", asked, "rows.jsonl", "--name", "x", "--judge", "ldep-0000000000"
    )  # fmt: skip
    assert code == 2 and "judge.judges.0.deployment_id" in err and "no deployment" in err
