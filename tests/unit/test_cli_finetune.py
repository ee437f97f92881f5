"""`aqua-ext finetune …`: against a small fake backend (the CLI's own logic: the request built
from flags, the preflight's warnings, following a job to its end, exit codes, errors, Ctrl-C);
the dataset preflight in the fake is the real one, so paths are checked against the current folder."""

from __future__ import annotations

import json
import re
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from aqua_ext import cli
from aqua_ext.api.common import FieldError
from aqua_ext.api.finetunes import (
    FINAL_FINETUNE_STATES,
    CreateFineTuneRequest,
    CreateFineTuneResponse,
    FineTuneDefaults,
    FineTuneDefaultsQuery,
    FineTuneDetail,
    FineTuneMetrics,
    FineTuneParams,
    FineTuneState,
    FineTuneSummary,
    MetricPoint,
    MetricsQuery,
    TrainingFit,
)
from aqua_ext.api.info import Hardware
from aqua_ext.api.job_datasets import DatasetAccess, DatasetFile, JobDataset
from aqua_ext.api.logs import LogPage, LogsQuery
from aqua_ext.api.models import Capability, ModelDetail, ModelFormat, ModelSource
from aqua_ext.backends.training import TrainingFacts
from aqua_ext.cli import finetune as cli_finetune
from aqua_ext.cli import follow
from aqua_ext.errors import InvalidInput, NotFound
from tests.unit.cli_fakes import FakeBackendBase, canceled_at_tick, growing_log, main_with, now, run_main

TOTAL_STEPS = 6


@dataclass
class World:
    finetunes: dict[str, FineTuneDetail] = field(default_factory=dict)
    points: dict[str, list[MetricPoint]] = field(default_factory=dict)
    ticks: dict[str, int] = field(default_factory=dict)
    log_lines: dict[str, list[str]] = field(default_factory=dict)
    requests: list[CreateFineTuneRequest] = field(default_factory=list)
    defaults_queries: list[FineTuneDefaultsQuery] = field(default_factory=list)
    accesses: list[DatasetAccess] = field(default_factory=list)
    metrics_after: list[int] = field(default_factory=list)
    advance: bool = True  # each get_finetune moves a running job one tick on
    interrupt_at_tick: int | None = None  # Ctrl-C (SIGINT to this process) on reaching this tick


DEMO = ModelDetail(
    id="demo",
    name="Demo model",
    source=ModelSource.DEMO,
    capability=Capability.TEXT_TO_TEXT,
    context_length=256,
    formats=[ModelFormat.SAFETENSORS],
    ready_to_deploy=True,
    ready_to_finetune=True,
)
MACHINE = Hardware(cpu_count=2, memory_gb=8.0, gpus=[], platform="fake")


class FakeBackend(FakeBackendBase):
    """Fine-tuning only. A job moves one tick per `get_finetune` (and `finetune_logs`): loading, then two steps per
    tick with a train loss each and a validation loss per epoch (3 steps), SUCCEEDED after step 6.
    A name containing "fail" ends FAILED at step 4, "cancel" never gets past loading."""

    world: World

    # ---- fine-tuning ----

    def _get(self, finetune_id: str) -> FineTuneDetail:
        return self._lookup(self.world.finetunes, finetune_id, "fine-tuning job")  # type: ignore[no-any-return]

    def _set(self, finetune_id: str, **changes: Any) -> FineTuneDetail:
        return self._update(self.world.finetunes, finetune_id, "fine-tuning job", **changes)  # type: ignore[no-any-return]

    def _tick(self, finetune_id: str) -> None:
        detail = self._get(finetune_id)
        if detail.state in FINAL_FINETUNE_STATES or detail.state == FineTuneState.CANCELING:
            return
        tick = self.world.ticks[finetune_id] = self.world.ticks[finetune_id] + 1
        if tick == self.world.interrupt_at_tick:
            signal.raise_signal(signal.SIGINT)
        points = self.world.points[finetune_id]
        if tick == 1 or "cancel" in detail.name:
            self._set(finetune_id, state=FineTuneState.IN_PROGRESS, state_message="Loading the base model")
            return
        step = 2 * (tick - 1)
        if "fail" in detail.name and step >= 4:
            self._set(
                finetune_id,
                state=FineTuneState.FAILED,
                finished_at=now(),
                state_message="Out of memory: lower the batch size or the sequence length",
                failure_log=["step 3", "RuntimeError: DefaultCPUAllocator: can't allocate memory"],
            )
            return
        if step > TOTAL_STEPS:
            self._set(
                finetune_id,
                state=FineTuneState.SUCCEEDED,
                state_message="Succeeded",
                progress=1.0,
                finished_at=now(),
                output_model_id=f"ft:{finetune_id}",
                final_train_loss=1.5,
                final_validation_loss=1.75,
                wall_seconds=83.0,
                peak_memory_mb=612.4,
                artifact_location=f"/data/runs/{finetune_id}/adapter",
            )
            return
        points.append(MetricPoint(step=step, epoch=step / 3, train_loss=3.0 - step / 4, learning_rate=2e-4))
        if step % 3 == 0:
            points.append(MetricPoint(step=step, epoch=step / 3, validation_loss=3.1 - step / 4))
        self._set(
            finetune_id,
            state_message="Training",
            step=step,
            total_steps=TOTAL_STEPS,
            epoch=step / 3,
            progress=step / TOTAL_STEPS,
            eta_seconds=(TOTAL_STEPS - step) * 10.0,
        )

    async def finetune_facts(self, model_id: str, query: FineTuneDefaultsQuery) -> TrainingFacts:
        """The demo model's own: a 256-token context, a batch of 4 (unless one is asked for), on a CPU
        with no size known to the fit (so the fine-tunes service keeps that batch)."""
        if model_id != "demo":
            raise NotFound(f"No model with id '{model_id}'.")
        self.world.defaults_queries.append(query)
        overrides = {k: v for k, v in query.model_dump(exclude={"shape"}).items() if v is not None}
        params = FineTuneParams(max_seq_length=256, batch_size=4).model_copy(update=overrides)
        return TrainingFacts(model=DEMO, params={"": params}, shapes=["cpu"], shape="cpu", hardware=MACHINE)

    async def finetune_defaults(
        self, facts: TrainingFacts, shape: str | None, params: FineTuneParams, fit: TrainingFit
    ) -> FineTuneDefaults:
        return FineTuneDefaults(
            model_id=facts.model.id,
            ready_to_finetune=True,
            notes=[],
            params=params,
            shapes=facts.shapes,
            default_shape="cpu",
            max_replicas=1,
            fit=fit,
            needs_output_uri=False,
        )

    async def list_finetunes(self) -> list[FineTuneSummary]:
        return [
            FineTuneSummary.model_validate(f.model_dump(include=set(FineTuneSummary.model_fields)))
            for f in self.world.finetunes.values()
        ]

    async def get_finetune(self, finetune_id: str) -> FineTuneDetail:
        if self.world.advance:
            self._tick(finetune_id)
        return self._get(finetune_id)

    async def resolve_finetune(self, request: CreateFineTuneRequest) -> TrainingFacts:
        """The request as the CLI sent it is recorded; the service's fit then resolves its shape."""
        if request.model_id != "demo":
            raise InvalidInput.field("model_id", f"no model '{request.model_id}'")
        if request.shape == "VM.Nope":  # a 400 whose message does not name its field
            raise InvalidInput(
                "VM.Nope is not a job shape in this compartment",
                fields=[FieldError(field="shape", message="not available")],
            )
        self.world.requests.append(request)
        shape = request.shape or "cpu"
        return TrainingFacts(model=DEMO, params={"": request.params}, shapes=[shape], shape=shape, hardware=MACHINE)

    async def finetune_dataset(self, request: CreateFineTuneRequest, access: DatasetAccess) -> DatasetFile:
        self.world.accesses.append(access)
        return DatasetFile(root=access.root, path=request.dataset_path)

    async def create_finetune(self, request: CreateFineTuneRequest, dataset: JobDataset) -> CreateFineTuneResponse:
        finetune_id = f"ftj-{len(self.world.finetunes) + 1:04x}"
        created = now()
        self.world.finetunes[finetune_id] = FineTuneDetail(
            id=finetune_id,
            name=request.name,
            description=request.description,
            base_model_id=request.model_id,
            base_model_name="Demo model",
            state=FineTuneState.ACCEPTED,
            state_message="Accepted",
            training_type=request.params.training_type,
            shape=request.shape or "cpu",
            replicas=request.replicas,
            dataset_path=dataset.shown,
            dataset_hash=dataset.sha256,
            progress=0.0,
            step=0,
            total_steps=None,
            epoch=0.0,
            eta_seconds=None,
            output_model_id=None,
            created_at=created,
            updated_at=created,
            finished_at=None,
            params=request.params,
            validation_split=request.validation_split,
            train_rows=dataset.report.train_rows,
            validation_rows=dataset.report.validation_rows,
            final_train_loss=None,
            final_validation_loss=None,
            job_id=None,
            job_run_id=None,
            output_uri=request.output_uri,
            experiment_name=request.experiment_name,
            log_group_id=request.log_group_id,
            log_id=request.log_id,
            subnet_id=request.subnet_id,
            artifact_location=None,
            wall_seconds=None,
            peak_memory_mb=None,
            failure_log=[],
        )
        self.world.points[finetune_id] = []
        self.world.ticks[finetune_id] = 0
        self.world.log_lines[finetune_id] = []
        return CreateFineTuneResponse(finetune=self.world.finetunes[finetune_id], preflight=dataset.report)

    # A driver checks no state: the fine-tunes service does (cancel a running job, delete an ended one).
    async def cancel_finetune(self, finetune_id: str) -> FineTuneDetail:
        self._get(finetune_id)
        return self._set(finetune_id, state=FineTuneState.CANCELING, state_message="Canceling")

    async def delete_finetune(self, finetune_id: str) -> None:
        self._get(finetune_id)
        del self.world.finetunes[finetune_id]

    async def finetune_logs(self, finetune_id: str, query: LogsQuery) -> LogPage:
        if self.world.advance:  # the job goes on while its log is read
            self._tick(finetune_id)
        return growing_log(
            self.world.log_lines[finetune_id],
            query,
            self._get(finetune_id).state not in FINAL_FINETUNE_STATES,
            f"/fake/runs/{finetune_id}/job.log",
        )

    async def finetune_metrics(self, finetune_id: str, query: MetricsQuery) -> FineTuneMetrics:
        detail = self._get(finetune_id)
        self.world.metrics_after.append(query.after)
        points = self.world.points[finetune_id]
        return FineTuneMetrics(points=points[query.after :], cursor=len(points), state=detail.state)


def run_with_fake(world: World, argv: list[str]) -> int:
    return main_with(lambda operations: FakeBackend(operations, world), argv)


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> World:
    monkeypatch.setattr(follow, "POLL_S", 0.01)
    monkeypatch.chdir(tmp_path)  # datasets are relative to the current folder
    rows = [{"prompt": f"What is {i}+1?", "completion": str(i + 1)} for i in range(40)]
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows + rows[:2]))
    return World()


def run(capsys: pytest.CaptureFixture[str], world: World, *argv: str) -> tuple[int, str, str]:
    return run_main(capsys, lambda operations: FakeBackend(operations, world), *argv)


def created(capsys: pytest.CaptureFixture[str], world: World, name: str = "ft") -> str:
    code, out, err = run(capsys, world, "--json", "finetune", "create", "demo", "data/train.jsonl", "--name", name)
    assert code == 0, err
    return str(json.loads(out)["finetune"]["id"])


# ---- create --------------------------------------------------------------------------------


def test_create_builds_the_request_from_flags(capsys: pytest.CaptureFixture[str], world: World, tmp_path: Path) -> None:
    code, out, err = run(
        capsys,
        world,
        "finetune",
        "create",
        "demo",
        "data/train.jsonl",
        "--name",
        "  My tune ",
        "--description",
        "sums",
        "--epochs",
        "5",
        "--learning-rate",
        "1e-3",
        "--batch-size",
        "4",
        "--max-seq-length",
        "256",
        "--validation-split",
        "0.2",
        "--training-type",
        "lora",
        "--lora-r",
        "16",
        "--lora-alpha",
        "32",
        "--lora-dropout",
        "0.1",
        "--lora-target-modules",
        "q_proj, v_proj,",
        "--pad-to-max-length",
        "--early-stopping-patience",
        "2",
        "--early-stopping-threshold",
        "0.01",
        "--logging-steps",
        "5",
        "--seed",
        "7",
        "--shape",
        "cpu",
        "--replicas",
        "2",
        "--output-uri",
        "oci://b@ns/out",
        "--experiment-name",
        "exp",
        "--subnet-id",
        "ocid1.subnet.x",
        "--log-group-id",
        "ocid1.loggroup.x",
        "--log-id",
        "ocid1.log.x",
    )
    assert code == 0, err
    request = world.requests[-1]
    assert request.model_id == "demo" and request.name == "My tune" and request.description == "sums"
    assert request.dataset_path == "data/train.jsonl" and request.validation_split == 0.2
    assert request.shape == "cpu" and request.replicas == 2 and request.output_uri == "oci://b@ns/out"
    assert (request.experiment_name, request.subnet_id, request.log_group_id, request.log_id) == (
        "exp",
        "ocid1.subnet.x",
        "ocid1.loggroup.x",
        "ocid1.log.x",
    )
    p = request.params
    assert (p.training_type, p.epochs, p.learning_rate, p.batch_size, p.max_seq_length) == ("lora", 5, 1e-3, 4, 256)
    assert (p.lora_r, p.lora_alpha, p.lora_dropout, p.lora_target_modules) == (16, 32, 0.1, ["q_proj", "v_proj"])
    assert p.pad_to_max_length and p.early_stopping_patience == 2 and p.early_stopping_threshold == 0.01
    assert p.logging_steps == 5 and p.seed == 7
    # The dataset is looked up under the current folder, as `datasets validate` does.
    assert world.accesses[-1].root == tmp_path
    # The preflight's summary and warnings, then the id (not followed: the job is left ACCEPTED).
    assert "dataset data/train.jsonl: 42 instruction rows" in err and "warning: 2 duplicate rows" in err
    assert "created My tune as ftj-0001: ACCEPTED (lora, cpu)" in out
    assert "aqua-ext finetune logs ftj-0001 --follow" in out
    assert world.finetunes["ftj-0001"].state == FineTuneState.ACCEPTED and world.metrics_after == []


def test_flags_left_out_take_the_models_defaults(capsys: pytest.CaptureFixture[str], world: World) -> None:
    """As the form: what the flags leave out comes from the base model's defaults, asked for with
    the flags that change them (a batch that fits depends on the sequence length and the shape)."""
    code, out, err = run(
        capsys,
        world,
        "--json",
        "finetune",
        "create",
        "demo",
        "data/train.jsonl",
        "--name",
        "x",
        "--training-type",
        "last_layers",
        "--last-n-layers",
        "2",
        "--epochs",
        "4",
        "--shape",
        "cpu",
    )
    assert code == 0 and err == ""  # JSON: nothing on stderr, the warnings are in the preflight
    body = json.loads(out)
    assert body["finetune"]["state"] == "ACCEPTED"
    assert body["preflight"]["warnings"] == ["2 duplicate rows (same text after normalizing whitespace)"]
    assert world.defaults_queries[-1] == FineTuneDefaultsQuery(
        training_type="last_layers", last_n_layers=2, shape="cpu"
    )
    request = world.requests[-1]
    assert request.params == FineTuneParams(
        training_type="last_layers", last_n_layers=2, epochs=4, max_seq_length=256, batch_size=4
    )
    contract = CreateFineTuneRequest(model_id="demo", name="x", dataset_path="data/train.jsonl")
    assert request.validation_split == contract.validation_split and request.replicas == 1

    code, _, err = run(
        capsys,
        world,
        "finetune",
        "create",
        "demo",
        "data/train.jsonl",
        "--name",
        "y",
        "--batch-size",
        "16",
        "--max-seq-length",
        "128",
    )
    assert code == 0, err
    assert world.defaults_queries[-1] == FineTuneDefaultsQuery(batch_size=16, max_seq_length=128)
    assert world.requests[-1].params == FineTuneParams(batch_size=16, max_seq_length=128)
    assert world.requests[-1].shape is None  # the backend picks


def test_follow_until_succeeded(capsys: pytest.CaptureFixture[str], world: World) -> None:
    code, out, err = run(capsys, world, "finetune", "create", "demo", "data/train.jsonl", "--name", "sums", "--follow")
    assert code == 0, err
    assert "warning: 2 duplicate rows" in err and "created sums as ftj-0001 (lora, cpu); following it" in err
    progress = [line.split("] ", 1)[1] for line in err.splitlines() if line.startswith("[")]
    assert progress == [
        "IN_PROGRESS: Loading the base model",
        "IN_PROGRESS: Training",
        "step 2/6 · epoch 0.67 · train loss 2.5000 · lr 2.00e-04",
        "step 4/6 · epoch 1.33 · train loss 2.0000 · lr 2.00e-04",
        "step 6/6 · epoch 2.00 · train loss 1.5000 · lr 2.00e-04",
        "step 6/6 · epoch 2.00 · validation loss 1.6000",
    ]
    # Metrics asked for with the cursor, so each point came once.
    assert world.metrics_after == sorted(world.metrics_after) and world.metrics_after[-1] == 4
    assert "fine-tuned sums (ftj-0001): SUCCEEDED in 1m23s" in out
    assert "final loss: train 1.5000 · validation 1.7500" in out
    assert "model: ft:ftj-0001" in out and "aqua-ext deployments create ft:ftj-0001 --name sums" in out

    code, out, err = run(capsys, world, "--json", "finetune", "create", "demo", "data/train.jsonl", "--name", "j", "-f")
    body = json.loads(out)
    assert code == 0 and err == ""
    assert body["finetune"]["state"] == "SUCCEEDED" and body["preflight"]["rows"] == 42


def test_follow_until_failed_or_canceled(capsys: pytest.CaptureFixture[str], world: World) -> None:
    code, out, err = run(
        capsys, world, "finetune", "create", "demo", "data/train.jsonl", "--name", "will fail", "--follow"
    )
    assert code == 1 and out == ""
    assert "step 2/6" in err and "step 4/6" not in err
    assert (
        "error: fine-tuning job ftj-0001 is FAILED: Out of memory: lower the batch size or the sequence length"
    ) in err
    assert "| RuntimeError: DefaultCPUAllocator: can't allocate memory" in err
    code, out, err = run(
        capsys, world, "--json", "finetune", "create", "demo", "data/train.jsonl", "--name", "fail again", "--follow"
    )
    assert code == 1 and json.loads(out)["finetune"]["state"] == "FAILED" and "Out of memory" in err

    # Canceled from elsewhere while followed: exit 1 too.
    with canceled_at_tick(FakeBackend, 3, "Canceled"):
        code, out, err = run(capsys, world, "finetune", "create", "demo", "data/train.jsonl", "--name", "c", "-f")
    assert code == 1 and "error: fine-tuning job ftj-0003 is CANCELED: Canceled" in err


def test_ctrl_c_stops_following_not_the_job(capsys: pytest.CaptureFixture[str], world: World) -> None:
    world.interrupt_at_tick = 3
    code, out, err = run(capsys, world, "finetune", "create", "demo", "data/train.jsonl", "--name", "long", "-f")
    assert code == 130 and out == ""
    assert "stopped following; the fine-tuning job goes on" in err
    assert "`aqua-ext finetune cancel ftj-0001` stops it" in err
    job = world.finetunes["ftj-0001"]
    assert job.state == FineTuneState.IN_PROGRESS  # not canceled


def test_create_input_errors(capsys: pytest.CaptureFixture[str], world: World, tmp_path: Path) -> None:
    def create(*flags: str, dataset: str = "data/train.jsonl") -> tuple[int, str]:
        code, _, err = run(capsys, world, "finetune", "create", "demo", dataset, "--name", "x", *flags)
        return code, err

    # Refused by the contract, before the backend is asked.
    code, err = create("--epochs", "0")
    assert code == 2 and "error: params.epochs: Input should be greater than or equal to 1" in err
    code, err = create("--lora-target-modules", "q proj")
    assert code == 2 and "error: params.lora_target_modules:" in err and "'q proj' is not a module name" in err
    code, err = create("--validation-split", "0.9")
    assert code == 2 and "error: validation_split: Input should be less than or equal to 0.5" in err
    code, err = create("--log-id", "ocid1.log.x")
    assert code == 2 and "error: log_id: a log needs both log_group_id and log_id" in err
    code, err = create("--output-uri", "s3://b/x")
    assert code == 2 and "error: output_uri: must look like 'oci://bucket@namespace/prefix'" in err
    code, _, err = run(capsys, world, "finetune", "create", "demo", "data/train.jsonl", "--name", "  ")
    assert code == 2 and "error: name: must not be blank" in err
    # Refused by the backend (400): the field is named.
    code, _, err = run(capsys, world, "finetune", "create", "nope", "data/train.jsonl", "--name", "x")
    assert code == 2 and "error: model_id: No model with id 'nope'." in err
    code, err = create("--shape", "VM.Nope")
    assert code == 2 and "error: shape: VM.Nope is not a job shape in this compartment" in err
    code, err = create(dataset="missing.jsonl")
    assert code == 2 and "error: dataset_path: missing.jsonl: no such file" in err
    code, err = create(dataset="/etc/passwd")
    assert code == 2 and "error: dataset_path: /etc/passwd is outside" in err
    (tmp_path / "bad.jsonl").write_text('{"prompt": "a", "completion": "b"}\n{oops\n{"prompt": "c"}\n')
    code, err = create(dataset="bad.jsonl")
    assert code == 2 and "2 invalid lines" in err
    assert "dataset_path: line 2: invalid JSON" in err and 'dataset_path: line 3: missing key "completion"' in err
    assert not world.finetunes


# ---- list, get, cancel, delete, logs, metrics ---------------------------------------------------


def test_list_get_cancel_delete(capsys: pytest.CaptureFixture[str], world: World) -> None:
    done = created(capsys, world, "done")
    running = created(capsys, world, "cancel me")
    for _ in range(6):
        assert run(capsys, world, "--json", "finetune", "get", done)[0] == 0
    assert world.finetunes[done].state == FineTuneState.SUCCEEDED

    world.advance = False
    code, out, _ = run(capsys, world, "finetune", "list")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["ID", "NAME", "BASE", "MODEL", "STATE", "PROGRESS", "CREATED"]
    assert any(done in line and "SUCCEEDED" in line and "100% (6/6)" in line for line in lines)
    assert any(running in line and "ACCEPTED" in line and "0%" in line for line in lines)
    assert lines[-1] == "2 fine-tuning jobs"
    code, out, _ = run(capsys, world, "--json", "finetune", "list")
    assert code == 0 and [f["id"] for f in json.loads(out)] == [done, running]

    code, out, _ = run(capsys, world, "finetune", "get", done)
    assert code == 0 and out.startswith("done\n")
    assert "state         SUCCEEDED\n" in out and "base model    Demo model  (demo)" in out
    assert "dataset       data/train.jsonl  (sha256 " in out and "rows          train " in out and "(split 0.1)" in out
    assert "method        LoRA r=8 alpha=16 dropout=0.05 modules=all-linear" in out
    assert "epochs 3 · lr 0.0002 · batch 4 · max seq 256" in out
    assert "final loss    train 1.5000 · validation 1.7500" in out and "output model  ft:" + done in out
    assert "resources     wall 1m23s · peak memory 612 MB" in out
    code, out, _ = run(capsys, world, "--json", "finetune", "get", done)
    assert code == 0 and json.loads(out)["output_model_id"] == f"ft:{done}"

    code, out, _ = run(capsys, world, "finetune", "cancel", running)
    assert code == 0 and f"canceling cancel me ({running}): CANCELING" in out
    code, _, err = run(capsys, world, "finetune", "cancel", done)
    assert (
        code == 1
        and "error: Fine-tune 'done' is SUCCEEDED; only ACCEPTED or IN_PROGRESS fine-tunes can be canceled." in err
    )
    code, _, err = run(capsys, world, "finetune", "delete", running)
    assert code == 1 and "cancel it first" in err

    code, out, _ = run(capsys, world, "finetune", "delete", done)
    assert code == 0 and f"deleted {done}" in out
    code, _, err = run(capsys, world, "finetune", "get", done)
    assert code == 1 and "No fine-tuning job" in err


def test_get_shows_a_failure_with_its_log(capsys: pytest.CaptureFixture[str], world: World) -> None:
    job = created(capsys, world, "will fail")
    for _ in range(3):
        run(capsys, world, "finetune", "get", job)
    code, out, _ = run(capsys, world, "finetune", "get", job)
    assert code == 0 and "state         FAILED  (Out of memory" in out
    assert "job log (last lines):\n    step 3\n    RuntimeError: DefaultCPUAllocator" in out


def test_logs_tail_and_follow_until_the_job_ends(capsys: pytest.CaptureFixture[str], world: World) -> None:
    job = created(capsys, world)
    world.advance = False
    world.log_lines[job] = [f"log {i}" for i in range(10)]
    code, out, err = run(capsys, world, "finetune", "logs", job, "--tail", "3")
    assert code == 0 and out.splitlines() == ["log 7", "log 8", "log 9"] and f"/fake/runs/{job}/job.log" in err
    code, out, _ = run(capsys, world, "--json", "finetune", "logs", job, "--tail", "2")
    assert json.loads(out) == {"lines": ["log 9", "log 10"], "cursor": "11", "source": f"/fake/runs/{job}/job.log"}
    code, _, err = run(capsys, world, "finetune", "logs", job, "--tail", "0")
    assert code == 2 and "tail" in err

    # --follow: new lines as they come (one per call while the job runs), until the job has ended.
    world.advance = True
    code, out, err = run(capsys, world, "finetune", "logs", job, "--tail", "1", "--follow")
    assert code == 0 and world.finetunes[job].state == FineTuneState.SUCCEEDED
    lines = out.splitlines()
    assert lines[0] == "log 11" and lines == [f"log {i}" for i in range(11, 11 + len(lines))] and len(lines) > 3
    assert lines[-1] == f"log {len(world.log_lines[job]) - 1}"  # every line, the last ones included
    assert "# the job is SUCCEEDED" in err
    code, out, _ = run(capsys, world, "--json", "finetune", "logs", job, "--tail", "1", "--follow")
    assert code == 0 and [json.loads(line)["lines"] for line in out.splitlines()] == [[lines[-1]]]

    code, _, err = run(capsys, world, "finetune", "logs", "ftj-nope")
    assert code == 1 and "No fine-tuning job" in err


def test_metrics_table(capsys: pytest.CaptureFixture[str], world: World) -> None:
    job = created(capsys, world)
    for _ in range(5):
        run(capsys, world, "finetune", "get", job)
    world.advance = False
    code, out, _ = run(capsys, world, "finetune", "metrics", job)
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == [
        "STEP",
        "EPOCH",
        "TRAIN",
        "LOSS",
        "VALIDATION",
        "LOSS",
        "LEARNING",
        "RATE",
    ]
    assert lines[2].split() == ["2", "0.67", "2.5000", "-", "2.00e-04"]
    assert lines[5].split() == ["6", "2.00", "-", "1.6000", "-"]
    assert lines[-1] == "4 points; the job is SUCCEEDED"
    code, out, _ = run(capsys, world, "--json", "finetune", "metrics", job)
    body = json.loads(out)
    assert code == 0 and body["cursor"] == 4 and body["state"] == "SUCCEEDED" and len(body["points"]) == 4


def test_parser() -> None:
    parser = cli.build_parser()
    with pytest.raises(SystemExit):
        parser.parse_args(["finetune", "create", "demo", "d.jsonl"])  # --name is required
    with pytest.raises(SystemExit):
        parser.parse_args(["finetune", "create", "demo", "d.jsonl", "--name", "x", "--training-type", "full"])
    args = parser.parse_args(["finetune", "create", "demo", "d.jsonl", "--name", "x"])
    assert cli_finetune._finetune_request(args) == CreateFineTuneRequest(
        model_id="demo", name="x", dataset_path="d.jsonl"
    )


# ---- end to end on the local backend with the demo model ------------------------------------


def _local_finetunes_ready() -> bool:
    from tests.model_folders import HAS_LOCAL_EXTRA

    if not HAS_LOCAL_EXTRA:
        return False
    import importlib.util

    return importlib.util.find_spec("aqua_ext.backends.local.finetunes") is not None and all(
        importlib.util.find_spec(name) is not None for name in ("trl", "peft", "datasets")
    )


@pytest.mark.engine
@pytest.mark.skipif(not _local_finetunes_ready(), reason="needs the [local] extra (torch, transformers, trl, peft)")
def test_local_finetune_follow_metrics_delete(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_model_dir: Path
) -> None:
    """The real thing: a LoRA job on the demo model, followed to SUCCEEDED, its losses, its model."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(follow, "POLL_S", 0.2)
    rows = [{"prompt": f"What is {i // 20}+{i % 20}?", "completion": str(i // 20 + i % 20)} for i in range(48)]
    (tmp_path / "sums.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    base = ["--data-dir", str(tmp_path / "data"), "--allowed-root", str(demo_model_dir.parent)]

    def call(*argv: str) -> tuple[int, str, str]:
        code = cli.main([*base, *argv])
        out, err = capsys.readouterr()
        return code, out, err

    code, out, err = call("--json", "models", "register", "--path", str(demo_model_dir), "--name", "Demo")
    assert code == 0, err
    model_id = json.loads(out)["id"]
    code, out, err = call(
        "finetune",
        "create",
        model_id,
        "sums.jsonl",
        "--name",
        "sums",
        "--epochs",
        "1",
        "--learning-rate",
        "5e-3",
        "--logging-steps",
        "2",
        "--follow",
    )
    assert code == 0, err
    assert "dataset sums.jsonl: 48 instruction rows" in err and "tokens (chat_template)" in err
    # Which transient states a 0.2 s poll sees depends on the machine's load; that one was printed
    # is certain (the first poll comes before the job can end), the loss lines come by cursor.
    assert re.search(r"^\[\s*\d+s\] (ACCEPTED|IN_PROGRESS)", err, re.MULTILINE), err
    assert "train loss" in err and "validation loss" in err
    assert "fine-tuned sums (ftj-" in out and "SUCCEEDED" in out
    code, out, _ = call("--json", "finetune", "list")
    job = json.loads(out)[0]
    assert code == 0 and job["state"] == "SUCCEEDED" and job["progress"] == 1.0
    code, out, _ = call("--json", "finetune", "metrics", job["id"])
    points = json.loads(out)["points"]
    assert code == 0 and any(p["train_loss"] is not None for p in points)
    code, out, _ = call("finetune", "logs", job["id"], "--tail", "3")
    assert code == 0 and out.strip()
    code, out, _ = call("--json", "finetune", "get", job["id"])
    detail = json.loads(out)
    assert code == 0 and detail["output_model_id"] and detail["peak_memory_mb"] > 0
    code, _, err = call("finetune", "cancel", job["id"])
    assert code == 1 and "SUCCEEDED" in err
    code, out, err = call("finetune", "delete", job["id"])
    assert code == 0 and "deleted" in out, err
    code, out, _ = call("--json", "finetune", "list")
    assert json.loads(out) == []
