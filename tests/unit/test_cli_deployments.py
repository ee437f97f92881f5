"""`aqua-ext deployments …` and `aqua-ext chat`: against a small fake backend (the CLI's own
logic: waiting, output, errors, streaming, Ctrl-C) and end to end on the local backend with
the demo model."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from aqua_ext import cli
from aqua_ext.api.deployments import (
    CreateDeploymentRequest,
    CreateDeploymentResponse,
    DeploymentDetail,
    DeploymentState,
    DeploymentSummary,
)
from aqua_ext.api.info import Hardware
from aqua_ext.api.logs import LogPage, LogsQuery
from aqua_ext.api.models import Capability, ModelDetail, ModelFormat, ModelSource
from aqua_ext.api.upstream import UpstreamTarget
from aqua_ext.backends.local.deployments import LocalDeployFacts, LocalDeployPlan
from aqua_ext.backends.operations import Progress
from aqua_ext.cli import chat as cli_chat
from aqua_ext.cli import follow
from aqua_ext.errors import Conflict, InvalidInput, NotFound, Upstream
from aqua_ext.services.deploy_plan import plan_deployment
from aqua_ext.services.operations import OperationRegistry
from tests.model_folders import HAS_LOCAL_EXTRA
from tests.stub_upstream import StubConfig, StubUpstream
from tests.unit.cli_fakes import FakeBackendBase, main_with

REPO_ROOT = Path(__file__).resolve().parents[2]

# ---- a fake backend: deployments kept in a World shared across CLI invocations ----------------


@dataclass
class World:
    upstream_url: str = "http://127.0.0.1:9"  # nothing listens there
    deployments: dict[str, DeploymentDetail] = field(default_factory=dict)
    log_lines: list[str] = field(default_factory=list)
    requests: list[CreateDeploymentRequest] = field(default_factory=list)
    upstream_failures: list[str] = field(default_factory=list)
    logs_calls: int = 0
    logs_until_gone: int | None = None  # `deployment_logs` raises NotFound after this many calls
    target: str = "local"  # the fake's target kind, whose rules the services apply ("oci": OciFakeBackend)


def _now() -> datetime:
    return datetime.now(timezone.utc)


class FakeBackend(FakeBackendBase):
    """Deployments only, on a local-like target. `create` with a name containing "fail" ends FAILED
    with a reason and a log. As a driver, it checks no state: the deployments service does."""

    world: World

    def _get(self, deployment_id: str) -> DeploymentDetail:
        try:
            return self.world.deployments[deployment_id]
        except KeyError:
            raise NotFound(f"No deployment with id '{deployment_id}'.") from None

    def _set(self, deployment_id: str, **changes: Any) -> DeploymentDetail:
        detail = self._get(deployment_id).model_copy(update={**changes, "updated_at": _now()})
        self.world.deployments[deployment_id] = detail
        return detail

    async def list_deployments(self) -> list[DeploymentSummary]:
        return [
            DeploymentSummary.model_validate(d.model_dump(include=set(DeploymentSummary.model_fields)))
            for d in self.world.deployments.values()
        ]

    async def get_deployment(self, deployment_id: str) -> DeploymentDetail:
        return self._get(deployment_id)

    def _start(self, deployment_id: str, fail: bool) -> Any:
        async def work(progress: Progress) -> str:
            for step, pct in (("Starting the engine", 0.2), ("Loading the weights", 0.6), ("Warming up", 0.9)):
                progress.update(progress=pct, message=step)
                self._set(deployment_id, state_message=step)
                await asyncio.sleep(0.02)
            if fail:
                self._set(
                    deployment_id,
                    state=DeploymentState.FAILED,
                    state_message="The engine ran out of memory while loading the weights.",
                    failure_log=["Loading weights", "torch.OutOfMemoryError: CUDA out of memory"],
                    operation_id=None,
                )
                raise Upstream("The engine ran out of memory while loading the weights.")
            self._set(
                deployment_id,
                state=DeploymentState.ACTIVE,
                state_message="",
                operation_id=None,
                upstream_url=self.world.upstream_url,
            )
            return deployment_id

        return work

    async def resolve_deployment(self, request: CreateDeploymentRequest) -> LocalDeployFacts:
        """The demo model on a CPU-only machine; the deployments service checks the params on it."""
        if request.model_id != "demo":
            raise InvalidInput.field("model_id", f"no model '{request.model_id}'")
        demo = ModelDetail(
            id="demo",
            name="Demo model",
            source=ModelSource.DEMO,
            capability=Capability.TEXT_TO_TEXT,
            formats=[ModelFormat.SAFETENSORS],
            ready_to_deploy=True,
            ready_to_finetune=True,
        )
        machine = Hardware(cpu_count=2, memory_gb=8.0, gpus=[], platform="fake")
        engine, shape = request.engine or "transformers", request.shape or "cpu"
        return LocalDeployFacts(request, demo, machine, engine, shape, list(request.params))

    async def create_deployment(self, plan: LocalDeployPlan) -> CreateDeploymentResponse:
        request = plan.facts.request
        self.world.requests.append(request)
        deployment_id = f"dep-{len(self.world.deployments) + 1}"
        now = _now()
        self.world.deployments[deployment_id] = DeploymentDetail(
            id=deployment_id,
            name=request.name,
            description=request.description,
            model_id=request.model_id,
            model_name="Demo model",
            state=DeploymentState.CREATING,
            state_message="Queued",
            mode=request.mode,
            engine=request.engine or "transformers",
            shape=request.shape or "cpu",
            replicas=request.replicas,
            created_at=now,
            updated_at=now,
            openai_base_path=f"aqua-ext/deployments/{deployment_id}/v1",
            params=request.params,
            max_model_len=request.max_model_len,
            idle_stop_minutes=request.idle_stop_minutes,
            dtype=request.dtype,
            log_group_id=request.log_group_id,
            log_id=request.log_id,
        )
        op = self.operations.start(
            "create-deployment",
            f"Deploy {request.name}",
            self._start(deployment_id, "fail" in request.name),
            resource_id=deployment_id,
        )
        detail = self._set(deployment_id, operation_id=op.id)
        return CreateDeploymentResponse(deployment=detail, operation=op)

    async def activate_deployment(self, deployment_id: str) -> CreateDeploymentResponse:
        detail = self._get(deployment_id)
        self._set(deployment_id, state=DeploymentState.UPDATING, failure_log=[])
        op = self.operations.start(
            "activate-deployment",
            f"Activate {detail.name}",
            self._start(deployment_id, False),
            resource_id=deployment_id,
        )
        return CreateDeploymentResponse(deployment=self._set(deployment_id, operation_id=op.id), operation=op)

    async def deactivate_deployment(self, deployment_id: str) -> DeploymentDetail:
        self._get(deployment_id)
        return self._set(deployment_id, state=DeploymentState.INACTIVE, upstream_url=None)

    async def delete_deployment(self, deployment_id: str) -> None:
        self._get(deployment_id)
        del self.world.deployments[deployment_id]

    async def deployment_logs(self, deployment_id: str, query: LogsQuery) -> LogPage:
        self._get(deployment_id)
        self.world.logs_calls += 1
        if self.world.logs_until_gone is not None and self.world.logs_calls > self.world.logs_until_gone:
            raise NotFound(f"No deployment with id '{deployment_id}'.")
        start = int(query.after) if query.after else max(0, len(self.world.log_lines) - query.tail)
        lines = self.world.log_lines[start:]
        if self.world.logs_until_gone is not None:  # follow mode: a new line appears on each call
            self.world.log_lines.append(f"line {len(self.world.log_lines)}")
        return LogPage(lines=lines, cursor=str(start + len(lines)), source="/fake/engine.log")

    async def upstream(self, deployment_id: str) -> UpstreamTarget:
        detail = self._get(deployment_id)
        if detail.state != DeploymentState.ACTIVE:
            raise Conflict(f"Deployment '{deployment_id}' is {detail.state.value}, not ACTIVE.")
        return UpstreamTarget(
            deployment_id=deployment_id,
            mode=detail.mode,
            model="/pinned/model",
            base_url=self.world.upstream_url,
            served_model_name=detail.name,
        )

    async def upstream_failed(self, deployment_id: str, error: str) -> DeploymentState | None:
        self.world.upstream_failures.append(error)
        if error.startswith("The engine answered"):  # it answered: it is alive
            return None
        self._set(deployment_id, state=DeploymentState.FAILED, state_message=error)
        return DeploymentState.FAILED


class OciFakeBackend(FakeBackend):
    """The same deployments on an OCI-like target: OCI's rules (a deployment goes on by itself, so
    --no-wait is allowed; nothing may be done while it is UPDATING)."""

    kind = "oci"


def run_with_fake(world: World, argv: list[str]) -> int:
    """main() with the fake backend in place of the real one (also used from a subprocess)."""
    fake = OciFakeBackend if world.target == "oci" else FakeBackend
    return main_with(lambda operations: fake(operations, world), argv)


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setattr(follow, "POLL_S", 0.01)
    return World()


def run(capsys: pytest.CaptureFixture[str], world: World, *argv: str) -> tuple[int, str, str]:
    code = run_with_fake(world, list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def active(capsys: pytest.CaptureFixture[str], world: World, mode: str = "chat") -> str:
    code, out, err = run(capsys, world, "--json", "deployments", "create", "demo", "--name", "d", "--mode", mode)
    assert code == 0, err
    return str(json.loads(out)["id"])


# ---- deployments ---------------------------------------------------------------------------


def test_create_follows_the_operation_to_active(capsys: pytest.CaptureFixture[str], world: World) -> None:
    code, out, err = run(
        capsys,
        world,
        "deployments",
        "create",
        "demo",
        "--name",
        "  My chat ",
        "--description",
        "for the demo",
        "--shape",
        "cpu",
        "--max-model-len",
        "2048",
        "--idle-stop-minutes",
        "45",
        "--dtype",
        "float32",
        "--param",
        "--dtype float32",
        "--param=--compile",
        "--param",
        "--chat-template-kwargs '{\"a\": 1}'",
    )
    assert code == 0, err
    request = world.requests[-1]
    assert request.name == "My chat" and request.max_model_len == 2048 and request.dtype == "float32"
    assert request.idle_stop_minutes == 45
    assert request.params == ["--dtype", "float32", "--compile", "--chat-template-kwargs", '{"a": 1}']
    # Progress on stderr, one line per step (stderr is not a terminal here); the result on stdout.
    assert "creating My chat as dep-1" in err and "Loading the weights" in err and "60%" in err
    assert "deployed My chat (dep-1): ACTIVE" in out and "aqua-ext/deployments/dep-1/v1" in out
    assert 'aqua-ext chat dep-1 "Hello!"' in out


def test_create_as_json_prints_only_the_deployment(capsys: pytest.CaptureFixture[str], world: World) -> None:
    code, out, err = run(capsys, world, "--json", "deployments", "create", "demo", "--name", "x")
    assert code == 0 and err == ""
    detail = json.loads(out)
    assert detail["state"] == "ACTIVE" and detail["upstream_url"] == world.upstream_url


def test_create_failed_exits_non_zero_with_the_reason(capsys: pytest.CaptureFixture[str], world: World) -> None:
    code, out, err = run(capsys, world, "deployments", "create", "demo", "--name", "will fail")
    assert code == 1 and out == ""
    assert "error: deployment dep-1 is FAILED: The engine ran out of memory while loading the weights." in err
    assert "| torch.OutOfMemoryError: CUDA out of memory" in err
    code, out, err = run(capsys, world, "--json", "deployments", "create", "demo", "--name", "fail again")
    assert code == 1 and json.loads(out)["state"] == "FAILED" and "out of memory" in err


def test_create_no_wait(capsys: pytest.CaptureFixture[str], world: World) -> None:
    world.target = "oci"  # OCI goes on by itself: leaving at once is allowed
    code, out, _ = run(capsys, world, "--json", "deployments", "create", "demo", "--name", "x", "--no-wait")
    body = json.loads(out)
    assert code == 0 and body["deployment"]["state"] == "CREATING" and body["operation"]["state"] == "RUNNING"
    code, out, _ = run(capsys, world, "deployments", "create", "demo", "--name", "y", "--no-wait")
    assert code == 0 and "creating y as dep-2 (CREATING)" in out

    dep = active(capsys, world)
    code, out, _ = run(capsys, world, "--json", "deployments", "deactivate", dep)
    assert code == 0 and json.loads(out)["state"] == "INACTIVE"
    code, out, _ = run(capsys, world, "--json", "deployments", "activate", dep, "--no-wait")
    assert code == 0 and json.loads(out)["deployment"]["state"] == "UPDATING"
    # OCI's rule, from the deployments service: nothing is done while OCI changes it.
    code, _, err = run(capsys, world, "deployments", "delete", dep)
    assert code == 1 and "error: Deployment 'd' is UPDATING; only an ACTIVE, INACTIVE, FAILED or CREATING" in err
    assert dep in world.deployments


def test_no_wait_is_refused_on_the_local_backend(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, world: World
) -> None:
    code = cli.main(["--data-dir", str(tmp_path / "data"), "deployments", "create", "any", "--name", "x", "--no-wait"])
    _, err = capsys.readouterr()
    assert code == 2 and "no_wait: a local deployment is brought up by this command" in err
    dep = active(capsys, world)
    assert run(capsys, world, "deployments", "deactivate", dep)[0] == 0
    code, _, err = run(capsys, world, "deployments", "activate", dep, "--no-wait")
    assert code == 2 and "no_wait: a local deployment is brought up by this command" in err
    assert world.deployments[dep].state == DeploymentState.INACTIVE


def test_create_input_errors(capsys: pytest.CaptureFixture[str], world: World) -> None:
    code, _, err = run(capsys, world, "deployments", "create", "demo", "--name", "x", "--log-id", "ocid1.log")
    assert code == 2 and "error: log_id: a log needs both log_group_id and log_id" in err
    code, _, err = run(capsys, world, "deployments", "create", "demo", "--name", "x", "--replicas", "0")
    assert code == 2 and "error: replicas: Input should be greater than or equal to 1" in err
    code, _, err = run(capsys, world, "deployments", "create", "demo", "--name", "   ")
    assert code == 2 and "error: name: must not be blank" in err
    code, _, err = run(capsys, world, "deployments", "create", "nope", "--name", "x")
    assert code == 2 and "error: model_id: no model 'nope'" in err
    code, _, err = run(capsys, world, "deployments", "create", "demo", "--name", "x", "--param", "--bad 1")
    assert code == 2 and "params: --bad is not an allowed" in err
    code, _, err = run(capsys, world, "deployments", "create", "demo", "--name", "x", "--param", "--a 'open")
    assert code == 2 and "params:" in err and "quotation" in err
    assert not world.deployments


def test_list_get_deactivate_activate_delete(capsys: pytest.CaptureFixture[str], world: World) -> None:
    dep = active(capsys, world)
    code, out, _ = run(capsys, world, "deployments", "list")
    assert code == 0 and out.splitlines()[0].split() == [
        "ID",
        "NAME",
        "MODEL",
        "STATE",
        "MODE",
        "ENGINE",
        "SHAPE",
        "CREATED",
    ]
    assert dep in out and "ACTIVE" in out and out.rstrip().endswith("1 deployments")
    code, out, _ = run(capsys, world, "--json", "deployments", "list")
    assert code == 0 and [d["id"] for d in json.loads(out)] == [dep]

    code, out, _ = run(capsys, world, "deployments", "get", dep)
    assert code == 0 and "state         ACTIVE" in out and f"aqua-ext/deployments/{dep}/v1" in out
    code, out, _ = run(capsys, world, "--json", "deployments", "get", dep)
    assert code == 0 and json.loads(out)["params"] == []

    code, out, _ = run(capsys, world, "deployments", "deactivate", dep)
    assert code == 0 and f"deactivated d ({dep}): INACTIVE" in out
    code, _, err = run(capsys, world, "deployments", "deactivate", dep)
    assert code == 1 and "is INACTIVE" in err
    code, _, err = run(capsys, world, "chat", dep, "hi")
    assert code == 1 and "not ACTIVE" in err

    code, out, err = run(capsys, world, "deployments", "activate", dep)
    assert code == 0 and f"activated d ({dep}): ACTIVE" in out and "Warming up" in err
    code, out, _ = run(capsys, world, "--json", "deployments", "deactivate", dep)
    assert code == 0 and json.loads(out)["state"] == "INACTIVE"

    code, out, _ = run(capsys, world, "deployments", "delete", dep)
    assert code == 0 and f"deleted {dep}" in out
    code, _, err = run(capsys, world, "deployments", "get", dep)
    assert code == 1 and "No deployment" in err
    code, out, _ = run(capsys, world, "--json", "deployments", "list")
    assert json.loads(out) == []


def test_activate_an_active_deployment_is_refused(capsys: pytest.CaptureFixture[str], world: World) -> None:
    """The deployments service's rule, as the server answers it (409): the driver is not asked."""
    dep = active(capsys, world)
    code, out, err = run(capsys, world, "deployments", "activate", dep)
    assert code == 1 and out == ""
    assert (
        "error: Deployment 'd' is ACTIVE; only INACTIVE or FAILED deployments can be activated: "
        "it is already serving." in err
    )
    assert world.deployments[dep].state == DeploymentState.ACTIVE and world.deployments[dep].operation_id is None
    # The JSON shows which actions the deployment allows now (what the UI's buttons are made of).
    code, out, _ = run(capsys, world, "--json", "deployments", "get", dep)
    assert json.loads(out)["actions"] == ["chat", "evaluate", "deactivate", "delete"]
    assert json.loads(out)["target"] == "local"


def test_logs_tail_and_follow(capsys: pytest.CaptureFixture[str], world: World) -> None:
    dep = active(capsys, world)
    world.log_lines = [f"line {i}" for i in range(10)]
    code, out, err = run(capsys, world, "deployments", "logs", dep, "--tail", "3")
    assert code == 0 and out.splitlines() == ["line 7", "line 8", "line 9"] and "/fake/engine.log" in err
    code, out, _ = run(capsys, world, "--json", "deployments", "logs", dep, "--tail", "2")
    assert json.loads(out) == {"lines": ["line 8", "line 9"], "cursor": "10", "source": "/fake/engine.log"}
    code, _, err = run(capsys, world, "deployments", "logs", dep, "--tail", "0")
    assert code == 2 and "tail" in err

    # --follow asks again with the cursor, printing only new lines, until the deployment is gone.
    world.logs_calls, world.logs_until_gone = 0, 4
    code, out, err = run(capsys, world, "deployments", "logs", dep, "--tail", "1", "--follow")
    assert out.splitlines() == ["line 9", "line 10", "line 11", "line 12"]
    assert code == 1 and "No deployment" in err
    world.logs_calls, world.logs_until_gone = 0, 3
    code, out, _ = run(capsys, world, "--json", "deployments", "logs", dep, "--tail", "1", "--follow")
    batches = [json.loads(line) for line in out.splitlines()]
    assert [b["lines"] for b in batches] == [["line 13"], ["line 14"], ["line 15"]]


# ---- chat ------------------------------------------------------------------------------------


@pytest.fixture
def stub(world: World) -> Any:
    with StubUpstream(StubConfig(tokens=8)) as s:
        world.upstream_url = s.url
        yield s


def test_chat_streams_the_answer_and_stats(
    capsys: pytest.CaptureFixture[str], world: World, stub: StubUpstream
) -> None:
    dep = active(capsys, world)
    code, out, err = run(
        capsys,
        world,
        "chat",
        dep,
        "Hello",
        "--system",
        "Be brief",
        "--max-tokens",
        "5",
        "--temperature",
        "0",
        "--top-k",
        "40",
        "--stop",
        "###",
        "--stop",
        "END",
        "--seed",
        "7",
    )
    assert code == 0, err
    assert out == "tok0 tok1 tok2 tok3 tok4\n"
    assert err.startswith("— TTFT ") and "5 tokens in" in err and "tokens/s" in err
    assert "usage: prompt 5, completion 5, total 10" in err and "finish: length" in err
    assert [s.path for s in stub.stats.streams] == ["/v1/chat/completions"]

    code, out, err = run(capsys, world, "--json", "chat", dep, "Hello", "--max-tokens", "3")
    stats = json.loads(out)
    assert code == 0 and err == ""
    assert stats["content"] == "tok0 tok1 tok2" and stats["tokens"] == 3 and stats["finish_reason"] == "length"
    assert stats["usage"]["completion_tokens"] == 3 and stats["ttft_ms"] >= 0 and stats["tokens_per_s"] > 0


def test_chat_payload_is_the_handlers(
    capsys: pytest.CaptureFixture[str], world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The body sent upstream is build_payload's (the handler's), with the target's model name."""
    from aqua_ext.services import chat_stream

    sent: list[tuple[str, dict[str, Any]]] = []

    async def fake_stream(client: Any, url: str, payload: dict[str, Any], **_: Any) -> Any:
        sent.append((url, payload))
        yield chat_stream.ChatDelta(content="ok")
        yield chat_stream.ChatDone(usage=None, ttft_s=0.01, total_s=0.02, tokens=1, tokens_per_s=50.0)

    monkeypatch.setattr(chat_stream, "stream_chat", fake_stream)
    dep = active(capsys, world)
    code, out, err = run(capsys, world, "chat", dep, "Hi", "--system", "S", "--top-k", "40", "--stop", "X")
    assert code == 0 and out == "ok\n" and "usage: not reported" in err
    url, body = sent[-1]
    assert url == world.upstream_url + "/v1/chat/completions"
    assert body["model"] == "/pinned/model" and body["top_k"] == 40 and body["stop"] == ["X"]
    assert body["messages"] == [{"role": "system", "content": "S"}, {"role": "user", "content": "Hi"}]
    assert body["max_tokens"] == 512 and body["temperature"] == 0.7  # ChatRequest's defaults

    comp = active(capsys, world, mode="completion")
    code, out, _ = run(capsys, world, "chat", comp, "Once upon")
    url, body = sent[-1]
    assert code == 0 and url.endswith("/v1/completions") and body["prompt"] == "Once upon" and "messages" not in body


def test_chat_completion_mode(capsys: pytest.CaptureFixture[str], world: World, stub: StubUpstream) -> None:
    dep = active(capsys, world, mode="completion")
    code, out, err = run(capsys, world, "chat", dep, "Once upon a time", "--max-tokens", "2")
    assert code == 0 and out == "tok0 tok1\n", err
    assert [s.path for s in stub.stats.streams] == ["/v1/completions"]
    code, _, err = run(capsys, world, "chat", dep, "Once", "--system", "x")
    assert code == 2 and "system: this is a completion deployment" in err


def test_chat_flags_are_validated_as_the_api_does(
    capsys: pytest.CaptureFixture[str], world: World, stub: StubUpstream
) -> None:
    dep = active(capsys, world)
    for flags, expected in (
        (["--temperature", "3"], "temperature: Input should be less than or equal to 2"),
        (["--top-p", "0"], "top_p: Input should be greater than 0"),
        (["--max-tokens", "0"], "max_tokens: Input should be greater than or equal to 1"),
        (["--top-k", "-5"], "top_k: Input should be greater than or equal to -1"),
        (["--stop", ""], "stop: stop sequences must not be empty"),
        (["--stop", "a"] * 9, "stop: List should have at most 8 items"),
    ):
        code, _, err = run(capsys, world, "chat", dep, "hi", *flags)
        assert code == 2 and f"error: {expected}" in err, (flags, err)
    assert stub.stats.started == 0  # nothing reached the engine


def test_chat_engine_errors(capsys: pytest.CaptureFixture[str], world: World, stub: StubUpstream) -> None:
    dep = active(capsys, world)
    stub.config.mode = "error"
    code, out, err = run(capsys, world, "chat", dep, "hi")
    assert code == 1 and out == "" and "error: The engine answered 500: CUDA out of memory (stub)" in err
    assert "now FAILED" not in err  # the engine answered: it is not gone

    stub.config.mode, stub.config.drop_after = "drop", 3
    code, out, err = run(capsys, world, "chat", dep, "hi")
    assert code == 1 and out == "tok0 tok1 tok2\n"  # what came, then the error on its own line
    assert "The engine closed the stream mid-answer" in err and "The deployment is now FAILED" in err
    assert len(world.upstream_failures) == 2


def test_chat_engine_unreachable(capsys: pytest.CaptureFixture[str], world: World) -> None:
    dep = active(capsys, world)  # upstream_url: nothing listens there
    code, _, err = run(capsys, world, "chat", dep, "hi")
    assert code == 1 and "Could not reach the engine" in err and "now FAILED" in err


def test_chat_streams_as_tokens_arrive_and_ctrl_c_closes_the_stream(world: World) -> None:
    """In a real process: the first tokens are on stdout while the engine is still generating;
    SIGINT ends the command (130) and the engine sees the client go away."""
    with StubUpstream(StubConfig(token_delay=0.05)) as stub:
        world.upstream_url = stub.url
        dep = "dep-1"
        asyncio.run(_seed_active(world, dep))
        script = (
            "import json, sys; from tests.unit.test_cli_deployments import World, run_with_fake, _world_from; "
            "sys.exit(run_with_fake(_world_from(sys.argv[1]), sys.argv[2:]))"
        )
        proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                script,
                json.dumps({"url": stub.url, "id": dep}),
                "chat",
                dep,
                "count",
                "--max-tokens",
                "400",
            ],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT), "PYTHONUNBUFFERED": "1"},
        )
        try:
            assert proc.stdout is not None
            seen = b""
            deadline = time.monotonic() + 30
            while b"tok3" not in seen and time.monotonic() < deadline:
                chunk = os.read(proc.stdout.fileno(), 4096)
                if not chunk:
                    break
                seen += chunk
            assert seen.startswith(b"tok0 tok1 tok2 tok3"), seen
            assert stub.stats.streams[0].tokens_sent < 100  # still generating: this is streaming
            proc.send_signal(signal.SIGINT)
            _out, err = proc.communicate(timeout=20)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == 130, err
        assert stub.wait_for(lambda s: s.disconnected == 1, timeout=5)
        assert stub.stats.streams[0].tokens_sent < 400


def _world_from(spec: str) -> World:
    data = json.loads(spec)
    world = World(upstream_url=data["url"])
    asyncio.run(_seed_active(world, data["id"]))
    return world


async def _seed_active(world: World, deployment_id: str) -> None:
    backend = FakeBackend(OperationRegistry(), world)
    request = CreateDeploymentRequest(model_id="demo", name="d")
    response = await backend.create_deployment(await plan_deployment(await backend.resolve_deployment(request)))
    await backend.operations.wait(response.operation.id)
    if response.deployment.id != deployment_id:
        world.deployments[deployment_id] = world.deployments.pop(response.deployment.id).model_copy(
            update={"id": deployment_id}
        )


def test_usage_and_parser() -> None:
    assert cli_chat._usage_text({"prompt_tokens": 3, "completion_tokens": 4}) == "usage: prompt 3, completion 4"
    assert cli_chat._usage_text(None) == "usage: not reported"
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["deployments", "create", "demo"])  # --name is required


# ---- end to end on the local backend with the demo model ------------------------------------


def _local_deployments_ready() -> bool:
    if not HAS_LOCAL_EXTRA:
        return False
    from aqua_ext.backends.local.backend import LocalBackend

    return not getattr(LocalBackend, "__abstractmethods__", None)


@pytest.mark.skipif(not _local_deployments_ready(), reason="needs the [local] extra and local deployments")
def test_local_deploy_chat_deactivate_delete(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, demo_model_dir: Path
) -> None:
    """The real thing: register the demo model, deploy it (a detached transformers serve), chat
    with it from a new CLI process-worth of backend, deactivate and delete."""
    base = ["--data-dir", str(tmp_path / "data"), "--allowed-root", str(demo_model_dir.parent)]

    def call(*argv: str) -> tuple[int, str, str]:
        code = cli.main([*base, *argv])
        out, err = capsys.readouterr()
        return code, out, err

    code, out, err = call("--json", "models", "register", "--path", str(demo_model_dir), "--name", "Demo")
    assert code == 0, err
    model_id = json.loads(out)["id"]
    code, out, err = call("--json", "deployments", "create", model_id, "--name", "x", "--shape", "cpu")
    dep = json.loads(out) if out.strip() else {}
    try:
        assert code == 0 and dep["state"] == "ACTIVE", err
        code, out, err = call("deployments", "list")
        assert code == 0 and dep["id"] in out and "ACTIVE" in out
        code, out, err = call("chat", dep["id"], "Hello", "--max-tokens", "8", "--temperature", "0")
        assert code == 0, err
        assert out and "TTFT" in err and "8 tokens in" in err and "usage: prompt" in err
        code, out, err = call("deployments", "logs", dep["id"], "--tail", "5")
        assert code == 0 and out.strip(), err
        code, out, err = call("deployments", "deactivate", dep["id"])
        assert code == 0 and "INACTIVE" in out, err
        code, _, err = call("chat", dep["id"], "Hello")
        assert code == 1 and "INACTIVE" in err
    finally:
        if dep.get("id"):
            code, out, err = call("deployments", "delete", dep["id"])
            assert code == 0 and "deleted" in out, err
    code, out, _ = call("--json", "deployments", "list")
    assert json.loads(out) == []


# ---- end to end on the OCI backend, against the OCI emulator (real SDK, real signing) -----------


@pytest.fixture
def oci_world(tmp_path: Path) -> Any:
    from tests.oci_setup import start_world

    w = start_world(tmp_path)
    try:
        yield w
    finally:
        w.emulator.stop()


def test_oci_deploy_chat_deactivate_delete(
    capsys: pytest.CaptureFixture[str], oci_world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The OCI flow: create follows the work request to ACTIVE; chat streams through the signed
    predictWithResponseStream call (target.auth, the `route` header); --no-wait is allowed on OCI."""
    from tests.oci_setup import seed_deployable_model

    monkeypatch.setattr(follow, "POLL_S", 0.05)
    model_id = seed_deployable_model(oci_world, "cli-deploy")

    def call(*argv: str) -> tuple[int, str, str]:
        code = cli.main([*oci_world.cli_args(), *argv])
        out, err = capsys.readouterr()
        return code, out, err

    code, out, err = call("--json", "deployments", "create", model_id, "--name", "cli md", "--shape", "VM.GPU.A10.1")
    assert code == 0, err
    dep = json.loads(out)
    assert dep["state"] == "ACTIVE" and dep["shape"] == "VM.GPU.A10.1"
    code, out, err = call("deployments", "list")
    assert code == 0 and dep["id"] in out and "ACTIVE" in out

    code, out, err = call("chat", dep["id"], "Hello", "--max-tokens", "4")
    assert code == 0, err
    assert out.strip() and "TTFT" in err and "tokens/s" in err

    code, out, err = call("deployments", "deactivate", dep["id"])
    assert code == 0 and "INACTIVE" in out, err
    code, out, err = call("deployments", "activate", dep["id"])
    assert code == 0 and f"activated cli md ({dep['id']}): ACTIVE" in out, err
    code, out, err = call("deployments", "delete", dep["id"])
    assert code == 0 and "deleted" in out, err

    # --no-wait: OCI goes on by itself; the command returns with the deployment CREATING.
    code, out, err = call("--json", "deployments", "create", model_id, "--name", "later", "--no-wait")
    body = json.loads(out)
    assert code == 0 and body["deployment"]["state"] == "CREATING", err
    code, out, err = call("deployments", "delete", body["deployment"]["id"])
    assert code == 0, err
