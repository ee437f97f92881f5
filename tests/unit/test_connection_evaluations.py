"""A connection as the model an evaluation asks: the request names a deployment or a connection
(one); the service sends it to the local target (OCI's evaluation container asks deployments only)
and checks the connection may `evaluate`; the local job asks the service through the connections
driver, its secret passed in the job's environment alone: the stub receives it, no file of the run
holds it. Prompts in Korean and Japanese."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from aqua_ext.api.connections import CreateConnectionRequest
from aqua_ext.api.evaluations import CreateEvaluationRequest
from aqua_ext.api.job_datasets import DatasetAccess
from aqua_ext.cli import main
from aqua_ext.config import AquaConfig
from aqua_ext.errors import AquaError, Conflict, InvalidInput, NotFound
from aqua_ext.jobs.evaluate import ROWS_FILE, SECRET_ENV
from aqua_ext.jobs.finetune import read_status
from aqua_ext.services.connections import Connections
from aqua_ext.services.evaluations import Evaluations
from aqua_ext.services.target_factory import build_connections
from tests.provider_stubs.cohere import CohereStub
from tests.stub_upstream import StubConfig, StubUpstream

ROOT = Path(__file__).resolve().parents[2]
SECRET = "sk-eval-5d41402abc4b2a76b9719d911017c592"
ANSWER = "tok0 tok1 tok2"  # the stub's answer with max_tokens 3
ROWS = [
    {"prompt": "한국의 수도는 어디인가요?", "completion": ANSWER, "category": "한국어"},
    {"prompt": "日本の首都はどこですか？", "completion": "東京です", "category": "日本語"},
    {"prompt": "What is the capital of France?", "completion": ANSWER, "category": "English"},
    {"prompt": "「こんにちは」を韓国語で言うと？", "completion": "안녕하세요", "category": "日本語"},
]


def write_rows(path: Path) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS), encoding="utf-8")
    return path


def files_holding(root: Path, text: str) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and text.encode() in p.read_bytes())


# ---- the request ------------------------------------------------------------------------------


BASE = {"name": "평가", "dataset_path": "rows.jsonl"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"deployment_id": "dep-1", "connection_id": "conn-1"}, "deployment_id"),
        ({}, "deployment_id"),
        ({"deployment_id": "dep-1", "connection_model": "gpt-4o"}, "connection_model"),
    ],
)
def test_the_request_names_a_deployment_or_a_connection(body: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        CreateEvaluationRequest.model_validate({**BASE, **body})
    assert refused.value.errors()[0]["msg"].removeprefix("Value error, ").startswith(f"{field}:")


def test_a_connection_alone_is_a_request() -> None:
    request = CreateEvaluationRequest.model_validate({**BASE, "connection_id": "conn-1", "connection_model": "m"})
    assert request.deployment_id is None and request.connection_id == "conn-1"


# ---- the service's checks ----------------------------------------------------------------------


class Targets:
    """The enabled targets' names, as the service asks them (no driver is reached in these tests)."""

    def __init__(self, *names: str) -> None:
        self.names = list(names)

    def driver(self, name: str) -> Any:
        if name not in self.names:
            raise InvalidInput.field("target", f"'{name}' is not an enabled target")
        return object()

    async def get(self, name: str) -> Any:
        raise AssertionError("the request should have been refused before a target is used")


@contextlib.asynccontextmanager
async def connections_in(tmp_path: Path) -> AsyncIterator[Connections]:
    service = build_connections(AquaConfig(data_dir=str(tmp_path / "data")))
    try:
        yield service
    finally:
        await service.close()


async def add(connections: Connections, **fields: Any) -> str:
    body = {"name": "서비스", "kind": "openai", "endpoint": "http://127.0.0.1:9/v1", **fields}
    return (await connections.create(CreateConnectionRequest.model_validate(body))).id


async def refusal(connections: Connections, targets: Targets, tmp_path: Path, **request: Any) -> AquaError:
    service = Evaluations(targets, None, connections)  # type: ignore[arg-type]  # no deployment is asked
    with pytest.raises(AquaError) as refused:
        await service.create(CreateEvaluationRequest.model_validate({**BASE, **request}), DatasetAccess(root=tmp_path))
    return refused.value


async def test_a_connection_is_evaluated_on_the_local_target_only(tmp_path: Path) -> None:
    async with connections_in(tmp_path) as connections:
        conn = await add(connections)
        error = await refusal(connections, Targets("local", "oci"), tmp_path, connection_id=conn, target="oci")
        assert isinstance(error, InvalidInput)
        assert [f.field for f in error.fields] == ["connection_id"]
        assert "evaluating a connection runs on the local target" in error.message
        error = await refusal(connections, Targets("oci"), tmp_path, connection_id=conn)
        assert isinstance(error, InvalidInput) and [f.field for f in error.fields] == ["connection_id"]
        assert "not enabled" in error.message
        error = await refusal(connections, Targets("local"), tmp_path, connection_id=conn, target="elsewhere")
        assert isinstance(error, InvalidInput) and [f.field for f in error.fields] == ["target"]


async def test_the_connection_must_answer_text(tmp_path: Path) -> None:
    async with connections_in(tmp_path) as connections:
        conn = await add(connections, capabilities=["embedding"], models=["text-embedding-3-small"])
        error = await refusal(connections, Targets("local"), tmp_path, connection_id=conn)
        assert isinstance(error, Conflict) and [f.field for f in error.fields] == ["connection_id"]
        assert "chat or completion" in error.message
        error = await refusal(connections, Targets("local"), tmp_path, connection_id="conn-0000")
        assert isinstance(error, NotFound)


async def test_the_model_is_one_of_the_connection_s(tmp_path: Path) -> None:
    async with connections_in(tmp_path) as connections:
        conn = await add(
            connections,
            kind="cohere",
            endpoint="http://127.0.0.1:9",
            auth_type="bearer",
            secret=SECRET,
            models=["command-r"],
        )
        error = await refusal(connections, Targets("local"), tmp_path, connection_id=conn, connection_model="gpt-4o")
        assert isinstance(error, InvalidInput) and [f.field for f in error.fields] == ["connection_model"]
        assert SECRET not in error.message


# ---- the job ---------------------------------------------------------------------------------------


@pytest.fixture
def stub() -> Iterator[StubUpstream]:
    with StubUpstream(StubConfig(tokens=3)) as upstream:
        yield upstream


def run_job(tmp_path: Path, spec: dict[str, Any], secret: str | None) -> tuple[int, Path]:
    out = tmp_path / "run"
    out.mkdir(exist_ok=True)
    full = {"dataset_path": str(write_rows(tmp_path / "rows.jsonl")), "output_dir": str(out), **spec}
    (out / "spec.json").write_text(json.dumps(full, ensure_ascii=False), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    env.pop(SECRET_ENV, None)
    if secret is not None:
        env[SECRET_ENV] = secret
    with (out / "job.log").open("wb") as log:
        code = subprocess.run(
            [sys.executable, "-m", "aqua_ext.jobs.evaluate", str(out / "spec.json")],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            timeout=120,
        ).returncode
    return code, out


def connection_spec(stub: Any, **fields: Any) -> dict[str, Any]:
    connection = {
        "name": "스텁",
        "kind": "openai",
        "endpoint": stub.url + "/v1",
        "auth_type": "bearer",
        "models": ["stub-model"],
        **fields,
    }
    return {
        "name": "connection eval",
        "connection": {"id": "conn-test", "fields": connection, "model": "stub-model"},
        "params": {"max_tokens": 3, "temperature": 0.0},
        "metrics": ["rouge", "exact_match", "latency"],
        "concurrency": 2,
    }


def test_the_job_asks_the_connection_with_the_secret_of_its_environment(tmp_path: Path, stub: StubUpstream) -> None:
    code, out = run_job(tmp_path, connection_spec(stub), SECRET)
    assert code == 0, (out / "job.log").read_text()
    status = read_status(out)
    assert status and status["state"] == "SUCCEEDED" and status["rows_done"] == len(ROWS)
    rows = sorted(
        (json.loads(line) for line in (out / ROWS_FILE).read_text(encoding="utf-8").splitlines()),
        key=lambda r: r["index"],
    )
    assert [r["prompt"] for r in rows] == [r["prompt"] for r in ROWS]
    assert all(r["output"] == ANSWER and r["error"] is None and r["latency_ms"] > 0 for r in rows)
    assert [r["scores"]["exact_match"] for r in rows] == [1.0, 0.0, 1.0, 0.0]
    assert stub.stats.authorizations == [f"Bearer {SECRET}"] * len(ROWS)
    assert files_holding(tmp_path, SECRET) == []


def test_the_job_asks_a_cohere_connection_in_its_own_dialect(tmp_path: Path) -> None:
    fields = {"name": "코히어", "kind": "cohere", "auth_type": "bearer", "models": ["command-r-plus"]}
    # The stub refuses a request without the key, or with a field Cohere's chat does not take.
    with CohereStub(key=SECRET, models=["command-r-plus"]) as stub:
        spec = connection_spec(stub, **fields, endpoint=stub.url)
        spec["connection"]["model"] = "command-r-plus"
        code, out = run_job(tmp_path, spec, SECRET)
        seen = list(stub.seen)
    assert code == 0, (out / "job.log").read_text()
    rows = sorted(
        (json.loads(line) for line in (out / ROWS_FILE).read_text(encoding="utf-8").splitlines()),
        key=lambda r: r["index"],
    )
    assert [r["output"] for r in rows] == [f"Echo: {r['prompt']}" for r in ROWS]
    assert {(s.path, s.body["model"], s.body["stream"]) for s in seen} == {("/v2/chat", "command-r-plus", True)}
    assert files_holding(tmp_path, SECRET) == []


def test_a_service_that_refuses_fails_the_run_with_its_words_not_the_secret(tmp_path: Path) -> None:
    refusing = StubConfig(mode="error", error_status=401, error_message=f"Incorrect API key provided: {SECRET}")
    with StubUpstream(refusing) as stub:
        code, out = run_job(tmp_path, connection_spec(stub), SECRET)
    assert code == 1
    status = read_status(out)
    assert status and status["state"] == "FAILED"
    # The driver's words for the service's error, the key it echoed hidden.
    assert status["reason"].startswith("The service ") and "refused the credentials (401)" in status["reason"]
    assert "Incorrect API key provided: [secret]" in status["reason"]
    assert files_holding(tmp_path, SECRET) == []


def test_the_job_takes_one_model_asked(tmp_path: Path, stub: StubUpstream) -> None:
    spec = connection_spec(stub)
    both = {**spec, "target": {"base_url": stub.url, "model": "m", "mode": "chat"}}
    assert run_job(tmp_path, both, None)[0] == 2
    partial = {**spec, "connection": {"id": "conn-test", "model": "m"}}
    assert run_job(tmp_path, partial, None)[0] == 2
    neither = {k: v for k, v in spec.items() if k != "connection"}
    assert run_job(tmp_path, neither, None)[0] == 2


# ---- end to end: the CLI, the services, the local target, the job --------------------------------


def test_evaluate_a_connection_from_the_cli(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, stub: StubUpstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STUB_KEY", SECRET)
    data = tmp_path / "data"
    write_rows(tmp_path / "rows.jsonl")

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["--data-dir", str(data), "--backend", "local", *argv])
        out, err = capsys.readouterr()
        assert SECRET not in out + err
        return code, out, err

    code, out, err = run(
        "connections", "create", "스텁 サービス", "--kind", "openai", "--endpoint", stub.url + "/v1",
        "--auth-type", "bearer", "--secret-env", "STUB_KEY", "--model", "stub-model", "--json",
    )  # fmt: skip
    assert code == 0, err
    conn = json.loads(out)["id"]
    code, out, err = run(
        "evaluations", "create", conn, "rows.jsonl", "--name", "호스팅 모델", "--max-tokens", "3",
        "--metrics", "rouge,exact_match,latency", "--follow", "--json",
    )  # fmt: skip
    assert code == 0, err
    evaluation = json.loads(out)["evaluation"]
    assert evaluation["state"] == "SUCCEEDED" and evaluation["rows_done"] == len(ROWS)
    assert evaluation["connection_id"] == conn and evaluation["deployment_id"] == ""
    assert evaluation["deployment_name"] == "스텁 サービス" and evaluation["model_name"] == "stub-model"
    assert set(evaluation["report"]["categories"]) == {"한국어", "日本語", "English"}
    assert stub.stats.authorizations == [f"Bearer {SECRET}"] * len(ROWS)
    code, out, _ = run("evaluations", "get", evaluation["id"])
    assert code == 0 and f"connection   스텁 サービス  ({conn})" in out
    # The secret store is the one file holding the secret: not the spec, the rows, the log, the database.
    assert files_holding(data, SECRET) == ["secrets/connections.json"]

    code, _, err = run(
        "evaluations", "create", conn, "rows.jsonl", "--name", "x", "--model", "other", "--target", "oci"
    )
    assert code == 2 and "target" in err
