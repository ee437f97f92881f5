"""`aqua-ext evaluations …`: against a small fake backend (the CLI's own logic: the request built
from flags, the preflight, following to the end with the rows answered and the scores, exit codes,
errors, Ctrl-C, the rows table, the report file, the comparison); the dataset preflight in the
fake is the real one, so paths are checked against the current folder. One test runs the real
local backend with the demo model end to end."""

from __future__ import annotations

import json
import re
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from aqua_ext import cli
from aqua_ext.api.deployments import DeploymentDetail, DeploymentState
from aqua_ext.api.evaluations import (
    ALL_METRICS,
    CreateEvaluationRequest,
    CreateEvaluationResponse,
    EvaluationDetail,
    EvaluationReport,
    EvaluationRow,
    EvaluationSummary,
    MetricScores,
    ModelParameters,
)
from aqua_ext.api.finetunes import FINAL_FINETUNE_STATES, FineTuneState
from aqua_ext.api.job_datasets import DatasetAccess, DatasetFile
from aqua_ext.api.logs import LogPage, LogsQuery
from aqua_ext.api.upstream import UpstreamTarget
from aqua_ext.backends.base import EvaluationOrder
from aqua_ext.cli import evaluations as cli_evaluations
from aqua_ext.cli import follow
from aqua_ext.errors import Conflict, InvalidInput, NotFound
from aqua_ext.services.evaluation_results import summary_of
from tests.unit.cli_fakes import FakeBackendBase, canceled_at_tick, growing_log, now, run_main

S = FineTuneState
ROWS_PER_TICK = 3
# The fake's deployments: id → (name, state).
DEPLOYMENTS = {"dep-1": ("tuned", "ACTIVE"), "dep-2": ("base", "ACTIVE"), "dep-off": ("stopped", "INACTIVE")}
# What each deployment scores: the tuned one better on everything, and faster.
QUALITY = {"dep-1": 0.8, "dep-2": 0.4}


@dataclass
class World:
    evaluations: dict[str, EvaluationDetail] = field(default_factory=dict)
    rows: dict[str, list[EvaluationRow]] = field(default_factory=dict)
    ticks: dict[str, int] = field(default_factory=dict)
    log_lines: dict[str, list[str]] = field(default_factory=dict)
    requests: list[CreateEvaluationRequest] = field(default_factory=list)
    accesses: list[DatasetAccess] = field(default_factory=list)
    finetune_data: Path | None = None  # the training data of fine-tuning job ftj-1
    advance: bool = True  # each get_evaluation moves a running evaluation one tick on
    interrupt_at_tick: int | None = None  # Ctrl-C (SIGINT to this process) on reaching this tick


def _scores(quality: float, latency: float) -> dict[str, float]:
    return {
        "rougeL": quality,
        "rouge1": quality + 0.05,
        "bleu": quality * 60,
        "exact_match": quality / 2,
        "latency_ms_p50": latency,
        "latency_ms_p95": latency * 1.5,
    }


def _row(index: int, quality: float, category: str) -> EvaluationRow:
    if index == 2:  # the deployment answered this one with an error
        return EvaluationRow(
            index=2,
            prompt="Question 2?",
            reference="answer 2",
            output="",
            category=category,
            latency_ms=None,
            tokens_per_s=None,
            scores={},
            error="The engine answered 500",
        )
    rouge = round(quality * (index % 4 + 1) / 4, 3)
    return EvaluationRow(
        index=index,
        prompt=f"Question {index}?\nPlease answer briefly.",
        reference=f"answer {index}",
        output=f"the answer {index}",
        category=category,
        latency_ms=100.0 + index,
        tokens_per_s=20.0,
        scores={"rougeL": rouge, "bleu": rouge * 60},
        error=None,
    )


class FakeBackend(FakeBackendBase):
    """Evaluations only. One tick per `get_evaluation` (and `evaluation_logs`): asking (3 rows a tick),
    scoring, SUCCEEDED with a report. A name containing "fail" ends FAILED after 3 rows, "slow" never
    gets past the first rows."""

    world: World

    def _get(self, evaluation_id: str) -> EvaluationDetail:
        return self._lookup(self.world.evaluations, evaluation_id, "evaluation")  # type: ignore[no-any-return]

    def _set(self, evaluation_id: str, **changes: Any) -> EvaluationDetail:
        return self._update(self.world.evaluations, evaluation_id, "evaluation", **changes)  # type: ignore[no-any-return]

    def _tick(self, evaluation_id: str) -> None:
        e = self._get(evaluation_id)
        if e.state in FINAL_FINETUNE_STATES or e.state == S.CANCELING:
            return
        tick = self.world.ticks[evaluation_id] = self.world.ticks[evaluation_id] + 1
        if tick == self.world.interrupt_at_tick:
            signal.raise_signal(signal.SIGINT)
        if "fail" in e.name and e.rows_done >= ROWS_PER_TICK:
            self._set(
                evaluation_id,
                state=S.FAILED,
                finished_at=now(),
                state_message="The deployment stopped answering (connection refused); 3 rows were answered",
                failure_log=["row 4", "httpx.ConnectError: connection refused"],
            )
            return
        if e.rows_done < e.rows_total:
            done = e.rows_done if tick == 1 or "slow" in e.name else min(e.rows_total, e.rows_done + ROWS_PER_TICK)
            quality = QUALITY.get(e.deployment_id, 0.5)
            self.world.rows[evaluation_id] = [_row(i, quality, "easy" if i % 2 else "hard") for i in range(done)]
            self._set(
                evaluation_id,
                state=S.IN_PROGRESS,
                state_message="Asking the deployment",
                rows_done=done,
                progress=round(done / e.rows_total * 0.9, 4),
                eta_seconds=(e.rows_total - done) * 2.0,
            )
        elif e.state_message != "Scoring the answers":
            self._set(evaluation_id, state_message="Scoring the answers", progress=0.92, eta_seconds=None)
        else:
            quality, latency = QUALITY.get(e.deployment_id, 0.5), 300.0 - 200 * QUALITY.get(e.deployment_id, 0.5)
            categories = {
                name: MetricScores(scores=_scores(quality + delta, latency), rows=e.rows_total // 2)
                for name, delta in (("easy", 0.1), ("hard", -0.1))
            }
            report = EvaluationReport(
                overall=MetricScores(scores=_scores(quality, latency), rows=e.rows_total - 1),
                categories=categories,
                rows_total=e.rows_total,
                rows_answered=e.rows_total - 1,
                rows_failed=1,
                wall_seconds=75.0,
                notes={
                    **dict.fromkeys(("rouge1", "rouge2", "rougeL"), "ROUGE on words, CJK text by character"),
                    "bertscore": "not computed for 11 of 11 rows: not meaningful for this language",
                },
            )
            self._set(
                evaluation_id,
                state=S.SUCCEEDED,
                state_message="Succeeded",
                progress=1.0,
                finished_at=now(),
                report=report,
                scores=report.overall.scores,
            )

    async def list_evaluations(self) -> list[EvaluationSummary]:
        return [summary_of(e) for e in self.world.evaluations.values()]

    async def get_evaluation(self, evaluation_id: str) -> EvaluationDetail:
        if self.world.advance:
            self._tick(evaluation_id)
        return self._get(evaluation_id)

    async def get_deployment(self, deployment_id: str) -> DeploymentDetail:
        """The deployments evaluated (the evaluations service checks one allows "evaluate")."""
        if deployment_id not in DEPLOYMENTS:
            raise NotFound(f"No deployment with id '{deployment_id}'.")
        name, state = DEPLOYMENTS[deployment_id]
        created = now()
        return DeploymentDetail(
            id=deployment_id,
            name=name,
            description="",
            model_id="demo",
            model_name="Demo model",
            state=DeploymentState(state),
            state_message="",
            mode="chat",
            engine="transformers",
            shape="cpu",
            replicas=1,
            created_at=created,
            updated_at=created,
            openai_base_path=f"aqua-ext/deployments/{deployment_id}/v1",
        )

    async def evaluation_dataset(self, request: CreateEvaluationRequest, access: DatasetAccess) -> DatasetFile:
        self.world.accesses.append(access)
        if request.finetune_id is not None:
            if request.finetune_id != "ftj-1" or self.world.finetune_data is None:
                raise InvalidInput.field("finetune_id", f"no fine-tuning job with id '{request.finetune_id}'")
            return DatasetFile(
                root=self.world.finetune_data.parent,
                path=self.world.finetune_data.name,
                field_name="finetune_id",
                display_path="sums.jsonl (the training data of 'Sums')",
            )
        assert request.dataset_path is not None
        return DatasetFile(root=access.root, path=request.dataset_path)

    async def evaluation_chat_target(self, deployment_id: str) -> UpstreamTarget | None:
        return None  # the fake's job sends no chat requests

    async def create_evaluation(self, order: EvaluationOrder) -> CreateEvaluationResponse:
        # The fake evaluates deployments, with no judge.
        request, dataset = order.request, order.dataset
        assert request.deployment_id is not None and order.connection is None and not order.judges
        name, _ = DEPLOYMENTS[request.deployment_id]
        self.world.requests.append(request)
        evaluation_id = f"evj-{len(self.world.evaluations) + 1:04x}"
        created = now()
        rows_total = min(dataset.report.valid_rows, request.sample_size or dataset.report.valid_rows)
        self.world.evaluations[evaluation_id] = EvaluationDetail(
            id=evaluation_id,
            name=request.name,
            description=request.description,
            deployment_id=request.deployment_id,
            deployment_name=name,
            model_id="demo",
            model_name="Demo model",
            state=S.ACCEPTED,
            state_message="Starting the evaluation",
            metrics=request.metrics,
            dataset_path=dataset.shown,
            dataset_hash=dataset.sha256,
            rows_total=rows_total,
            rows_done=0,
            progress=0.0,
            eta_seconds=None,
            scores={},
            created_at=created,
            updated_at=created,
            finished_at=None,
            params=request.params,
            concurrency=request.concurrency,
            sample_size=request.sample_size,
            finetune_id=request.finetune_id,
            report=None,
            job_id=None,
            job_run_id=None,
            report_uri=request.report_uri,
            failure_log=[],
        )
        self.world.ticks[evaluation_id] = 0
        self.world.rows[evaluation_id] = []
        self.world.log_lines[evaluation_id] = []
        return CreateEvaluationResponse(evaluation=self.world.evaluations[evaluation_id], preflight=dataset.report)

    # A driver checks no state: the evaluations service does (cancel a running one, delete an ended one).
    async def cancel_evaluation(self, evaluation_id: str) -> EvaluationDetail:
        self._get(evaluation_id)
        return self._set(evaluation_id, state=S.CANCELING, state_message="Canceling")

    async def delete_evaluation(self, evaluation_id: str) -> None:
        self._get(evaluation_id)
        del self.world.evaluations[evaluation_id]

    async def evaluation_rows(self, evaluation_id: str) -> list[EvaluationRow]:
        self._get(evaluation_id)
        return self.world.rows[evaluation_id]

    async def evaluation_report_html(self, evaluation_id: str) -> str:
        e = self._get(evaluation_id)
        if e.state != S.SUCCEEDED:
            raise Conflict(f"The evaluation '{e.name}' is {e.state.value}; its report comes when it SUCCEEDED.")
        return f"<!doctype html><title>{e.name}</title><svg></svg>"

    async def evaluation_logs(self, evaluation_id: str, query: LogsQuery) -> LogPage:
        if self.world.advance:  # the job goes on while its log is read
            self._tick(evaluation_id)
        return growing_log(
            self.world.log_lines[evaluation_id],
            query,
            self._get(evaluation_id).state not in FINAL_FINETUNE_STATES,
            f"/fake/evaluations/{evaluation_id}/job.log",
        )


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> World:
    monkeypatch.setattr(follow, "POLL_S", 0.01)
    monkeypatch.chdir(tmp_path)  # datasets are relative to the current folder
    rows = [
        {"prompt": f"What is {i}+1?", "completion": str(i + 1), "category": "easy" if i % 2 else "hard"}
        for i in range(10)
    ]
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "eval.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows + rows[:1]))
    (tmp_path / "data" / "chat.jsonl").write_text(json.dumps({"messages": [{"role": "user", "content": "hi"}]}) + "\n")
    (tmp_path / "ftj-1").mkdir()
    (tmp_path / "ftj-1" / "dataset.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[:6]))
    return World(finetune_data=tmp_path / "ftj-1" / "dataset.jsonl")


def run(capsys: pytest.CaptureFixture[str], world: World, *argv: str) -> tuple[int, str, str]:
    return run_main(capsys, lambda operations: FakeBackend(operations, world), *argv)


def created(capsys: pytest.CaptureFixture[str], world: World, name: str = "ev", deployment: str = "dep-1") -> str:
    code, out, err = run(
        capsys, world, "--json", "evaluations", "create", deployment, "data/eval.jsonl", "--name", name
    )
    assert code == 0, err
    return str(json.loads(out)["evaluation"]["id"])


def finish(capsys: pytest.CaptureFixture[str], world: World, evaluation_id: str) -> EvaluationDetail:
    for _ in range(10):
        if world.evaluations[evaluation_id].state in FINAL_FINETUNE_STATES:
            break
        assert run(capsys, world, "--json", "evaluations", "get", evaluation_id)[0] == 0
    return world.evaluations[evaluation_id]


# ---- create --------------------------------------------------------------------------------


def test_create_builds_the_request_from_flags(capsys: pytest.CaptureFixture[str], world: World, tmp_path: Path) -> None:
    code, out, err = run(
        capsys,
        world,
        "evaluations",
        "create",
        "dep-1",
        "data/eval.jsonl",
        "--name",
        "  Sums ",
        "--description",
        "after tuning",
        "--sample-size",
        "8",
        "--metrics",
        "rouge, bleu,latency,",
        "--max-tokens",
        "64",
        "--temperature",
        "0.3",
        "--top-p",
        "0.9",
        "--top-k",
        "40",
        "--frequency-penalty",
        "0.5",
        "--presence-penalty",
        "-0.5",
        "--stop",
        "###",
        "--stop",
        "\n\n",
        "--seed",
        "7",
        "--concurrency",
        "8",
        "--shape",
        "VM.Standard.E4.Flex",
        "--report-uri",
        "oci://b@ns/r",
        "--log-group-id",
        "ocid1.loggroup.x",
        "--log-id",
        "ocid1.log.x",
    )
    assert code == 0, err
    request = world.requests[-1]
    assert (request.deployment_id, request.name, request.description) == ("dep-1", "Sums", "after tuning")
    assert request.dataset_path == "data/eval.jsonl" and request.finetune_id is None and request.sample_size == 8
    assert request.metrics == ["rouge", "bleu", "latency"] and request.concurrency == 8
    assert request.params == ModelParameters(
        max_tokens=64,
        temperature=0.3,
        top_p=0.9,
        top_k=40,
        frequency_penalty=0.5,
        presence_penalty=-0.5,
        stop=["###", "\n\n"],
        seed=7,
    )
    assert (request.shape, request.report_uri, request.log_group_id, request.log_id) == (
        "VM.Standard.E4.Flex",
        "oci://b@ns/r",
        "ocid1.loggroup.x",
        "ocid1.log.x",
    )
    # The dataset is looked up under the current folder, as `datasets validate` does.
    assert world.accesses[-1].root == tmp_path
    # The preflight's summary and warnings (no train/validation split here), then the id; not followed.
    assert "dataset data/eval.jsonl: 11 instruction rows\n" in err and "warning: 1 duplicate row" in err
    assert "train" not in err
    assert "created Sums as evj-0001: ACCEPTED (8 rows; rouge, bleu, latency)" in out
    assert "aqua-ext evaluations logs evj-0001 --follow" in out
    assert world.evaluations["evj-0001"].state == S.ACCEPTED


def test_flags_left_out_take_the_contracts_defaults(capsys: pytest.CaptureFixture[str], world: World) -> None:
    code, out, err = run(
        capsys, world, "--json", "evaluations", "create", "dep-1", "--finetune-id", "ftj-1", "--name", "x"
    )
    assert code == 0 and err == ""  # JSON: nothing on stderr, the warnings are in the preflight
    assert world.requests[-1] == CreateEvaluationRequest(deployment_id="dep-1", name="x", finetune_id="ftj-1")
    assert world.requests[-1].metrics == list(ALL_METRICS)
    body = json.loads(out)
    assert body["evaluation"]["rows_total"] == 6 and body["preflight"]["valid_rows"] == 6
    assert body["evaluation"]["dataset_path"] == "sums.jsonl (the training data of 'Sums')"


def test_follow_until_succeeded_prints_rows_then_scores(capsys: pytest.CaptureFixture[str], world: World) -> None:
    code, out, err = run(
        capsys, world, "evaluations", "create", "dep-1", "data/eval.jsonl", "--name", "sums", "--follow"
    )
    assert code == 0, err
    assert "created sums as evj-0001 (11 rows; bertscore, rouge" in err and "following it" in err
    progress = [line.split("] ", 1)[1] for line in err.splitlines() if line.startswith("[")]
    assert progress == [
        "IN_PROGRESS: Asking the deployment",
        "rows 3/11",
        "rows 6/11",
        "rows 9/11",
        "rows 11/11",
        "IN_PROGRESS: Scoring the answers",
    ]
    assert "evaluated sums (evj-0001): SUCCEEDED · 11/11 rows in 1m15s" in out
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("SCORE"))
    assert lines[header].split() == ["SCORE", "OVERALL"]  # the overall scores only; categories: `get`
    table = dict(
        re.split(r"\s{2,}", line, maxsplit=1) for line in lines[header + 2 :] if re.match(r"\S", line) and "  " in line
    )
    assert table["ROUGE-1"] == "0.850" and table["ROUGE-L"] == "0.800" and table["BLEU"] == "48.0"
    assert table["latency p50"] == "140 ms" and table["rows"] == "10"
    assert list(table)[:4] == ["ROUGE-1", "ROUGE-L", "exact match", "BLEU"]  # in the screens' order
    assert "1 of 11 rows failed" in out
    assert "aqua-ext evaluations rows evj-0001 --sort rougeL" in out and "aqua-ext evaluations report evj-0001" in out

    code, out, err = run(
        capsys, world, "--json", "evaluations", "create", "dep-1", "data/eval.jsonl", "--name", "j", "-f"
    )
    body = json.loads(out)
    assert code == 0 and err == ""
    assert body["evaluation"]["state"] == "SUCCEEDED" and body["evaluation"]["report"]["rows_failed"] == 1


def test_follow_until_failed_or_canceled(capsys: pytest.CaptureFixture[str], world: World) -> None:
    code, out, err = run(
        capsys, world, "evaluations", "create", "dep-1", "data/eval.jsonl", "--name", "will fail", "-f"
    )
    assert code == 1 and out == ""
    assert "rows 3/11" in err and "rows 6/11" not in err
    assert (
        "error: evaluation evj-0001 is FAILED: The deployment stopped answering (connection refused); 3 rows "
        "were answered"
    ) in err
    assert "| httpx.ConnectError: connection refused" in err
    code, out, err = run(
        capsys, world, "--json", "evaluations", "create", "dep-1", "data/eval.jsonl", "--name", "fail again", "--follow"
    )
    assert code == 1 and json.loads(out)["evaluation"]["state"] == "FAILED" and "connection refused" in err

    with canceled_at_tick(FakeBackend, 2, "Canceled after 3 rows"):
        code, out, err = run(capsys, world, "evaluations", "create", "dep-1", "data/eval.jsonl", "--name", "c", "-f")
    assert code == 1 and "error: evaluation evj-0003 is CANCELED: Canceled after 3 rows" in err


def test_ctrl_c_stops_following_not_the_evaluation(capsys: pytest.CaptureFixture[str], world: World) -> None:
    world.interrupt_at_tick = 3
    code, out, err = run(capsys, world, "evaluations", "create", "dep-1", "data/eval.jsonl", "--name", "long", "-f")
    assert code == 130 and out == ""
    assert "stopped following; the evaluation goes on" in err
    assert "`aqua-ext evaluations cancel evj-0001` stops it" in err
    assert world.evaluations["evj-0001"].state == S.IN_PROGRESS  # not canceled


def test_create_input_errors(capsys: pytest.CaptureFixture[str], world: World) -> None:
    def create(*flags: str, dataset: str | None = "data/eval.jsonl", deployment: str = "dep-1") -> tuple[int, str]:
        code, _, err = run(
            capsys, world, "evaluations", "create", deployment, *([dataset] if dataset else []), "--name", "x", *flags
        )
        return code, err

    # Refused by the contract, before the backend is asked: exit 2, the field named.
    code, err = create("--finetune-id", "ftj-1")
    assert code == 2 and "error: dataset_path: give a dataset_path or a finetune_id" in err
    code, err = create(dataset=None)
    assert code == 2 and "error: dataset_path: give a dataset_path or a finetune_id" in err
    code, err = create("--metrics", "rouge,perplexity")
    assert code == 2 and "error: metrics.1: Input should be 'bertscore', 'rouge'" in err
    code, err = create("--temperature", "5")
    assert code == 2 and "error: params.temperature: Input should be less than or equal to 2" in err
    code, err = create("--concurrency", "0")
    assert code == 2 and "error: concurrency: Input should be greater than or equal to 1" in err
    code, err = create("--stop", "")
    assert code == 2 and "error: params.stop: stop sequences must not be empty" in err
    code, err = create("--log-id", "ocid1.log.x")
    assert code == 2 and "error: log_id: a log needs both log_group_id and log_id" in err
    # Refused by the backend or the service: a bad field (400) is exit 2, an unknown or stopped deployment exit 1.
    code, err = create(dataset="missing.jsonl")
    assert code == 2 and "error: dataset_path: missing.jsonl: no such file" in err
    code, err = create(dataset="/etc/passwd")
    assert code == 2 and "error: dataset_path: /etc/passwd is outside" in err
    code, err = create("--finetune-id", "ftj-nope", dataset=None)
    assert code == 2 and "error: finetune_id: no fine-tuning job with id 'ftj-nope'" in err
    code, err = create(deployment="dep-nope")
    assert code == 1 and "error: No deployment with id 'dep-nope'." in err
    code, err = create(deployment="dep-off")
    assert code == 1 and (
        "error: deployment_id: deployment 'stopped' is INACTIVE, not ACTIVE; an evaluation asks a running "
        "deployment (activate it, or wait until it is ACTIVE)." in err
    )
    assert not world.evaluations


# ---- list, get, cancel, delete, logs --------------------------------------------------------


def test_list_get_cancel_delete(capsys: pytest.CaptureFixture[str], world: World) -> None:
    done = created(capsys, world, "done")
    running = created(capsys, world, "slow one", deployment="dep-2")
    finish(capsys, world, done)
    run(capsys, world, "evaluations", "get", running)
    run(capsys, world, "evaluations", "get", running)

    world.advance = False
    code, out, _ = run(capsys, world, "evaluations", "list")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == [
        "ID",
        "NAME",
        "ASKS",
        "STATE",
        "ROWS",
        "ROUGE-L",
        "BERTSCORE",
        "CREATED",
    ]
    assert lines[2].split()[:8] == [done, "done", "tuned", "(deployment)", "SUCCEEDED", "11/11", "0.800", "-"]
    assert lines[3].split()[:9] == [running, "slow", "one", "base", "(deployment)", "IN_PROGRESS", "0/11", "-", "-"]
    assert lines[-1] == "2 evaluations"
    code, out, _ = run(capsys, world, "--json", "evaluations", "list")
    assert code == 0 and [e["id"] for e in json.loads(out)] == [done, running]

    code, out, _ = run(capsys, world, "evaluations", "get", done)
    assert code == 0 and out.startswith("done\n")
    assert "  state        SUCCEEDED\n" in out and "deployment   tuned  (dep-1)" in out
    assert "model        Demo model  (demo)" in out and "dataset      data/eval.jsonl  (sha256 " in out
    assert "rows         11/11 answered\n" in out
    assert "metrics      bertscore, rouge, bleu, chrf, exact_match, readability, latency" in out
    assert "parameters   max tokens 256 · temperature 0 · top p 1\n" in out and "concurrency  4" in out
    assert "progress     100% · wall 1m15s" in out
    # The overall and per-category scores side by side.
    header = next(line for line in out.splitlines() if line.startswith("SCORE"))
    assert header.split() == ["SCORE", "OVERALL", "easy", "hard"]
    assert next(line for line in out.splitlines() if line.startswith("ROUGE-L")).split() == [
        "ROUGE-L",
        "0.800",
        "0.900",
        "0.700",
    ]
    assert next(line for line in out.splitlines() if line.startswith("rows ")).split() == ["rows", "10", "5", "5"]
    # How a score was computed, and why one is missing (not computed, not 0), one line per note.
    assert "\nnote: BERTScore: not computed for 11 of 11 rows: not meaningful for this language\n" in out
    assert "\nnote: ROUGE-1, ROUGE-2, ROUGE-L: ROUGE on words, CJK text by character\n" in out
    code, out, _ = run(capsys, world, "--json", "evaluations", "get", done)
    assert code == 0 and json.loads(out)["report"]["overall"]["scores"]["rougeL"] == 0.8

    code, out, _ = run(capsys, world, "evaluations", "get", running)
    assert code == 0 and "state        IN_PROGRESS  (Asking the deployment)" in out and "ETA" in out
    assert "SCORE" not in out

    code, out, _ = run(capsys, world, "evaluations", "cancel", running)
    assert code == 0 and f"canceling slow one ({running}): CANCELING" in out
    code, _, err = run(capsys, world, "evaluations", "cancel", done)
    assert code == 1 and "error: Evaluation 'done' is SUCCEEDED; only ACCEPTED or IN_PROGRESS evaluations can be" in err
    code, _, err = run(capsys, world, "evaluations", "delete", running)
    assert code == 1 and "cancel it first" in err
    code, out, _ = run(capsys, world, "evaluations", "delete", done)
    assert code == 0 and f"deleted {done}" in out
    code, _, err = run(capsys, world, "evaluations", "get", done)
    assert code == 1 and "error: No evaluation with id" in err


def test_get_shows_a_failure_with_its_log(capsys: pytest.CaptureFixture[str], world: World) -> None:
    evaluation = created(capsys, world, "will fail")
    assert finish(capsys, world, evaluation).state == S.FAILED
    code, out, _ = run(capsys, world, "evaluations", "get", evaluation)
    assert code == 0 and "state        FAILED  (The deployment stopped answering" in out
    assert "job log (last lines):\n    row 4\n    httpx.ConnectError: connection refused" in out


def test_logs_follow_until_the_evaluation_ends(capsys: pytest.CaptureFixture[str], world: World) -> None:
    evaluation = created(capsys, world)
    code, out, err = run(capsys, world, "evaluations", "logs", evaluation, "--tail", "1", "--follow")
    assert code == 0 and world.evaluations[evaluation].state == S.SUCCEEDED
    assert out.splitlines() == [f"log {i}" for i in range(len(world.log_lines[evaluation]))]
    assert "# the job is SUCCEEDED" in err
    code, _, err = run(capsys, world, "evaluations", "logs", "evj-nope")
    assert code == 1 and "No evaluation with id" in err


# ---- rows, report, compare -----------------------------------------------------------------


def test_rows_table_sorted_filtered_limited(capsys: pytest.CaptureFixture[str], world: World) -> None:
    evaluation = created(capsys, world)
    finish(capsys, world, evaluation)
    world.advance = False

    code, out, _ = run(capsys, world, "evaluations", "rows", evaluation)
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == [
        "INDEX",
        "CATEGORY",
        "PROMPT",
        "REFERENCE",
        "OUTPUT",
        "latency_ms",
        "rougeL",
        "bleu",
    ]
    assert len(lines) == 2 + 11 + 1 and lines[-1] == "rows 1-11 of 11; categories: easy, hard"
    # One line a row: the prompt's newline folded, long text clipped.
    assert lines[2].split()[:6] == ["0", "hard", "Question", "0?", "Please", "answer"]
    assert "Question 0? Please answer brief… " in lines[2] and "answer 0" in lines[2] and "100 ms" in lines[2]
    assert "error: The engine answered 500" in lines[4] and lines[4].split()[-3:] == ["-", "-", "-"]

    code, out, _ = run(
        capsys,
        world,
        "evaluations",
        "rows",
        evaluation,
        "--sort",
        "rougeL",
        "--desc",
        "--category",
        "easy",
        "--limit",
        "3",
    )
    lines = out.splitlines()
    values = [float(line.split()[-2]) for line in lines[2:-1]]
    assert code == 0 and len(values) == 3 and values == sorted(values, reverse=True) and values[0] == 0.8
    assert all(line.split()[1] == "easy" for line in lines[2:-1])
    assert lines[-1] == "rows 1-3 of 5 in category easy, by rougeL (highest first); categories: easy, hard"
    code, out, _ = run(capsys, world, "evaluations", "rows", evaluation, "--sort", "latency_ms", "--offset", "9")
    lines = out.splitlines()
    assert code == 0 and lines[-1].startswith("rows 10-11 of 11, by latency_ms")
    assert lines[-2].split()[0] == "2"  # the failed row (no latency) last

    code, out, _ = run(capsys, world, "--json", "evaluations", "rows", evaluation, "--limit", "2")
    body = json.loads(out)
    assert code == 0 and body["total"] == 11 and [r["index"] for r in body["items"]] == [0, 1]
    code, _, err = run(capsys, world, "evaluations", "rows", evaluation, "--sort", "nonsense")
    assert code == 2 and "error: query.sort: 'nonsense' is not a score of these rows" in err
    code, _, err = run(capsys, world, "evaluations", "rows", evaluation, "--limit", "0")
    assert code == 2 and "error: limit: Input should be greater than or equal to 1" in err


def test_report_is_written_once_unless_forced(capsys: pytest.CaptureFixture[str], world: World, tmp_path: Path) -> None:
    running = created(capsys, world, "slow")
    code, _, err = run(capsys, world, "evaluations", "report", running)
    assert code == 1 and "its report comes when it SUCCEEDED" in err
    assert not list(tmp_path.glob("*.html"))

    evaluation = created(capsys, world, "Sums / tuned v2")
    finish(capsys, world, evaluation)
    code, out, err = run(capsys, world, "evaluations", "report", evaluation)
    target = tmp_path / "Sums---tuned-v2-report.html"
    assert code == 0, err
    assert out.startswith(f"wrote the report of Sums / tuned v2 ({evaluation}) to Sums---tuned-v2-report.html (")
    assert target.read_text() == "<!doctype html><title>Sums / tuned v2</title><svg></svg>"

    target.write_text("mine")
    code, _, err = run(capsys, world, "evaluations", "report", evaluation)
    assert code == 2 and "error: output: Sums---tuned-v2-report.html exists; --force overwrites it" in err
    assert target.read_text() == "mine"
    code, _, _ = run(capsys, world, "evaluations", "report", evaluation, "--force")
    assert code == 0 and "<svg>" in target.read_text()

    code, out, _ = run(capsys, world, "--json", "evaluations", "report", evaluation, "-o", "out/r.html")
    assert code == 2  # no such folder
    (tmp_path / "out").mkdir()
    code, out, _ = run(capsys, world, "--json", "evaluations", "report", evaluation, "-o", "out/r.html")
    assert code == 0 and json.loads(out)["path"] == str(tmp_path / "out" / "r.html")


def test_compare_marks_the_best_and_says_what_is_unfair(capsys: pytest.CaptureFixture[str], world: World) -> None:
    tuned = created(capsys, world, "tuned", deployment="dep-1")
    base = created(capsys, world, "base", deployment="dep-2")
    for evaluation in (tuned, base):
        finish(capsys, world, evaluation)
    world.advance = False

    code, out, err = run(capsys, world, "evaluations", "compare", tuned, base)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(f"  tuned: {tuned} · tuned · data/eval.jsonl · 11/11 rows · SUCCEEDED")
    header = lines.index(next(line for line in lines if line.startswith("SCORE")))
    assert lines[header].split() == ["SCORE", "tuned", "base"]
    rows = {line[:20].strip(): line[20:].split("  ") for line in lines[header + 2 : header + 9]}
    assert lines[header + 2].split() == ["ROUGE-1", "0.850", "★", "0.450"]
    assert next(line for line in lines if line.startswith("BLEU")).split() == ["BLEU", "48.0", "★", "24.0"]
    # Latency: the lower is the better.
    assert next(line for line in lines if line.startswith("latency p50")).split() == [
        "latency",
        "p50",
        "140",
        "ms",
        "★",
        "220",
        "ms",
    ]
    assert rows and "category easy" in out and "category hard" in out
    assert "★ best (the lowest latency, else the highest score)" in out and "note:" not in out

    # A different dataset and different parameters: the notes say so.
    code, out, err = run(
        capsys,
        world,
        "--json",
        "evaluations",
        "create",
        "dep-2",
        "--finetune-id",
        "ftj-1",
        "--name",
        "other",
        "--temperature",
        "0.7",
    )
    other = json.loads(out)["evaluation"]["id"]
    world.advance = True
    finish(capsys, world, other)
    world.advance = False
    code, out, err = run(capsys, world, "evaluations", "compare", tuned, other, base)
    assert code == 0, err
    assert "note: The evaluations scored different datasets (or samples)" in out
    assert "note: The evaluations asked with different model parameters" in out
    # Which parameters, with each evaluation's value: not just "they differ".
    body = json.loads(run(capsys, world, "--json", "evaluations", "compare", tuned, other)[1])
    [params_note] = [n for n in body["notes"] if "model parameters" in n]
    assert "temperature 0.0 (" in params_note and "0.7 ('other')" in params_note
    assert "max_tokens" not in params_note  # the same in both: not named
    [dataset_note] = [n for n in body["notes"] if "datasets" in n]
    assert "dataset sha256" in dataset_note
    code, out, _ = run(capsys, world, "--json", "evaluations", "compare", tuned, base)
    body = json.loads(out)
    assert code == 0 and body["same_dataset"] is True and set(body["overall"]["rougeL"]) == {tuned, base}
    # The best of each score, chosen by the evaluations service (the ★ above; the UI may mark the same).
    assert body["best"]["rougeL"] == [tuned] and body["best"]["latency_ms_p50"] == [tuned]
    assert body["category_best"]["hard"]["bleu"] == [tuned]

    code, _, err = run(capsys, world, "evaluations", "compare", tuned, tuned)
    assert code == 2 and "error: evaluation_ids: compare 2 to 8 evaluations; got 1" in err
    code, _, err = run(capsys, world, "evaluations", "compare", tuned, "evj-nope")
    assert code == 1 and "No evaluation with id 'evj-nope'" in err
    # One not finished yet: compared all the same, with a note.
    running = created(capsys, world, "running")
    code, out, _ = run(capsys, world, "evaluations", "compare", tuned, running)
    assert code == 0 and "note: 'running' has no report yet (ACCEPTED)." in out
    assert "★" not in out.split("★ best")[0]  # one value is no comparison


def test_parser() -> None:
    parser = cli.build_parser()
    with pytest.raises(SystemExit):
        parser.parse_args(["evaluations", "create", "dep-1", "d.jsonl"])  # --name is required
    with pytest.raises(SystemExit):
        parser.parse_args(["evaluations", "compare"])
    args = parser.parse_args(["evaluations", "create", "dep-1", "d.jsonl", "--name", "x"])
    assert cli_evaluations._evaluation_request(args) == CreateEvaluationRequest(
        deployment_id="dep-1", name="x", dataset_path="d.jsonl"
    )


# ---- end to end on the local backend with the demo model ------------------------------------


def _local_evaluations_ready() -> bool:
    from tests.model_folders import HAS_LOCAL_EXTRA

    if not HAS_LOCAL_EXTRA:
        return False
    import importlib.util

    return all(importlib.util.find_spec(name) is not None for name in ("rouge_score", "sacrebleu"))


@pytest.mark.engine
@pytest.mark.skipif(not _local_evaluations_ready(), reason="needs the [local] extra (torch, transformers, rouge-score)")
def test_local_deploy_evaluate_report_compare(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_model_dir: Path
) -> None:
    """The real thing: the demo model deployed (a detached transformers serve), evaluated twice on a
    small dataset with cheap metrics and followed to SUCCEEDED, its rows, its report, the comparison."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(follow, "POLL_S", 0.2)
    rows = [
        {"prompt": f"What is {i}+1?", "completion": str(i + 1), "category": "easy" if i % 2 else "hard"}
        for i in range(8)
    ]
    (tmp_path / "sums.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    base = ["--data-dir", str(tmp_path / "data"), "--allowed-root", str(demo_model_dir.parent)]

    def call(*argv: str) -> tuple[int, str, str]:
        code = cli.main([*base, *argv])
        out, err = capsys.readouterr()
        return code, out, err

    code, out, err = call("--json", "models", "register", "--path", str(demo_model_dir), "--name", "Demo")
    assert code == 0, err
    code, out, err = call("--json", "deployments", "create", json.loads(out)["id"], "--name", "demo", "--shape", "cpu")
    dep = json.loads(out) if out.strip() else {}
    try:
        assert code == 0 and dep["state"] == "ACTIVE", err
        ids = []
        for name, temperature in (("greedy", "0"), ("warm", "0.9")):
            code, out, err = call(
                "evaluations",
                "create",
                dep["id"],
                "sums.jsonl",
                "--name",
                name,
                "--metrics",
                "rouge,exact_match,latency",
                "--max-tokens",
                "4",
                "--temperature",
                temperature,
                "--seed",
                "1",
                "--follow",
            )
            assert code == 0, err
            assert "dataset sums.jsonl: 8 instruction rows" in err and "rows 8/8" in err
            assert f"evaluated {name} (evj-" in out and "ROUGE-L" in out and "latency p50" in out
            ids.append(out.split("(", 1)[1].split(")", 1)[0])
        code, out, err = call("evaluations", "list")
        assert code == 0 and all(i in out for i in ids) and out.count("SUCCEEDED") == 2, err
        code, out, err = call("evaluations", "rows", ids[0], "--sort", "rougeL", "--desc", "--limit", "3")
        assert code == 0 and out.splitlines()[-1].startswith("rows 1-3 of 8"), err
        code, out, err = call("evaluations", "report", ids[0])
        assert code == 0 and "<svg" in (tmp_path / "greedy-report.html").read_text(), err
        code, out, err = call("evaluations", "compare", *ids)
        assert code == 0 and "ROUGE-L" in out and "different model parameters" in out, err
        for evaluation_id in ids:
            assert call("evaluations", "delete", evaluation_id)[0] == 0
    finally:
        if dep.get("id"):
            call("deployments", "delete", dep["id"])
    code, out, _ = call("--json", "evaluations", "list")
    assert json.loads(out) == []
