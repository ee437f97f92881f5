"""OCI deployments against the OCI emulator, with the real `oci` SDK and real request signing
(the predict calls too, through `OciRequestAuth`).

Backend level: create → ACTIVE → upstream() → a streamed chat → logs → deactivate → INACTIVE →
activate → ACTIVE → delete; the inputs deploy refuses (with the field and the reason); the
calls each action costs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from aqua_ext.api.deployments import CreateDeploymentRequest, DeploymentState
from aqua_ext.api.logs import LogsQuery
from aqua_ext.api.models import RegisterModelRequest
from aqua_ext.api.operations import OperationState
from aqua_ext.api.upstream import UpstreamTarget
from aqua_ext.backends.oci.backend import OciBackend
from aqua_ext.errors import Conflict, InvalidInput, NotFound
from aqua_ext.services.chat_stream import ChatDelta, ChatDone, stream_chat
from aqua_ext.services.deployments import Deployments
from aqua_ext.services.operations import OperationRegistry
from aqua_ext.services.targets import Targets
from tests.oci_emulator import FaultConfig
from tests.oci_setup import OciWorld, add_log, backend_settings, seed_deployable_model, seed_user_model


@contextlib.asynccontextmanager
async def oci_backend(world: OciWorld, **overrides: Any) -> AsyncIterator[OciBackend]:
    backend = OciBackend(OperationRegistry(), backend_settings(world, **overrides))
    await backend.start()
    world.emulator.reset_calls()
    try:
        yield backend
    finally:
        await backend.operations.close()
        await backend.close()


def rules(backend: OciBackend) -> Deployments:
    """The deployments service over this one started backend: where the lifecycle rules live."""
    return Deployments(Targets([backend], started=True))


def calls(world: OciWorld) -> dict[str, int]:
    return {k: v for k, v in world.emulator.calls.items() if v}


def request_body(world: OciWorld, operation: str) -> dict[str, Any]:
    """The JSON body OCI received in the last `operation` call (from the emulator's record)."""
    emu = world.emulator
    with emu.lock:
        md = next(d for d in reversed(list(emu.deployments.deployments.values())))
        return {"md": md, "headers": next(r for r in reversed(emu.request_details) if r["operation"] == operation)}


async def finished(backend: OciBackend, operation_id: str) -> Any:
    op = await backend.operations.wait(operation_id, timeout=20)
    assert op.state in (OperationState.SUCCEEDED, OperationState.FAILED, OperationState.CANCELED), op
    return op


async def chat(target: UpstreamTarget, text: str, **extra: Any) -> tuple[list[ChatDelta], ChatDone, list[float]]:
    """One streamed chat turn through `stream_chat`, signed by the target's auth; with arrival times."""
    url, headers = target.request("/v1/chat/completions", stream=True)
    body = {"model": target.model, "messages": [{"role": "user", "content": text}], **extra}
    deltas: list[ChatDelta] = []
    arrivals: list[float] = []
    done: ChatDone | None = None
    async with (
        httpx.AsyncClient(auth=target.auth, timeout=10) as client,
        contextlib.aclosing(stream_chat(client, url, body, headers=headers)) as stream,
    ):
        async for item in stream:
            if isinstance(item, ChatDone):
                done = item
            elif item.content:
                deltas.append(item)
                arrivals.append(time.monotonic())
    assert done is not None
    return deltas, done, arrivals


def deploy_request(model_id: str, **kw: Any) -> CreateDeploymentRequest:
    return CreateDeploymentRequest(model_id=model_id, name=kw.pop("name", "chat"), **kw)


# ---- the whole life of a deployment --------------------------------------------------


async def test_deploy_chat_stop_start_delete(world: OciWorld) -> None:
    model = seed_deployable_model(world, "acme-1b")
    group, log_id = add_log(world)
    world.emulator.deployments.stream_delay_seconds = 0.05
    async with oci_backend(world) as backend:
        created = await rules(backend).create(
            deploy_request(
                model,
                description="the playground's model",
                params=["--enforce-eager", "--max-num-seqs=8"],
                log_group_id=group,
                log_id=log_id,
                replicas=2,
            )
        )
        md_id = created.deployment.id
        assert created.deployment.state == DeploymentState.CREATING
        assert created.deployment.shape == "VM.GPU.A10.1"  # the smallest shape that fits, chosen by the memory fit
        assert created.deployment.engine == "vllm" and created.deployment.mode == "chat"
        assert created.operation.state == OperationState.RUNNING and created.operation.resource_id == md_id
        assert created.deployment.operation_id == created.operation.id
        # deploy = the model (GetModel, and at once its deployment_config.json where AQUA looks: config/, then
        # the artifact root; GetObject each, none here) + the containers and shapes (one list each) + the
        # service limit of the picked shape (ds-gpu-a10-count) + the create
        assert calls(world) == {
            "GetModel": 1,
            "GetObject": 2,
            "ListContainers": 1,
            "ListModelDeploymentShapes": 1,
            "GetResourceAvailability": 1,
            "CreateModelDeployment": 1,
        }

        # What OCI was asked for: AQUA's container conventions and tags, with a retry token.
        sent = request_body(world, "CreateModelDeployment")
        assert sent["headers"]["headers"]["opc-retry-token"]
        md = sent["md"]
        cfg = md["modelDeploymentConfigurationDetails"]
        env = cfg["environmentConfigurationDetails"]
        assert env["image"] == "dsmc://odsc-vllm-serving:0.6.4.post1.2" and env["serverPort"] == 8080
        variables = env["environmentVariables"]
        assert variables["BASE_MODEL"] == "acme-1b"
        assert variables["MODEL_DEPLOY_PREDICT_ENDPOINT"] == "/v1/chat/completions"
        assert variables["PARAMS"] == (
            "--served-model-name odsc-llm --disable-custom-all-reduce --seed 42 "
            "--max-model-len 4096 --enforce-eager --max-num-seqs 8"
        )
        assert variables["PORT"] == "8080" and variables["MD_COMPARTMENT_OCID"] == world.compartment_id
        assert cfg["modelConfigurationDetails"]["scalingPolicy"] == {"policyType": "FIXED_SIZE", "instanceCount": 2}
        assert md["categoryLogDetails"]["predict"] == {"logId": log_id, "logGroupId": group}
        tags = md["freeformTags"]
        assert tags["OCI_AQUA"] == "active" and tags["aqua_model_name"] == "acme-1b"
        assert tags["aqua_custom_base_model"] == "true" and tags["aqua_ext_dtype"] == "bfloat16"

        op = await finished(backend, created.operation.id)
        assert op.state == OperationState.SUCCEEDED, op.error
        detail = await backend.get_deployment(md_id)
        assert detail.state == DeploymentState.ACTIVE and detail.operation_id is None
        assert detail.replicas == 2 and detail.max_model_len == 4096 and detail.dtype == "bfloat16"
        assert detail.upstream_url == f"{world.emulator.base_url}/modeldeployment/{md_id}/predict"
        assert detail.openai_base_path == f"aqua-ext/deployments/{md_id}/v1"
        assert (detail.log_group_id, detail.log_id) == (group, log_id)

        # A chat turn costs no control-plane call: the predict URL and the ACTIVE state are cached.
        world.emulator.reset_calls()
        target = await backend.upstream(md_id)
        assert target.oci_route and target.model == "odsc-llm" and target.mode == "chat"
        deltas, done, arrivals = await chat(target, "Hello there")
        assert "".join(d.content for d in deltas) == "Echo from chat: Hello there"
        assert done.ended_by == "done" and done.finish_reason == "stop"
        assert calls(world) == {"PredictWithResponseStream": 1}
        streamed = next(r for r in world.emulator.request_details if r["operation"] == "PredictWithResponseStream")
        assert streamed["headers"]["route"] == "/v1/chat/completions"
        # Really incremental: the words arrive one by one, 50 ms apart, not all at the end.
        assert arrivals[-1] - arrivals[0] >= 0.1

        # The deployment's log: the engine's start and the request just made, oldest first.
        logs = await backend.deployment_logs(md_id, LogsQuery())
        assert any("Application startup complete." in line for line in logs.lines), logs.lines
        assert any("route=/v1/chat/completions 200" in line for line in logs.lines), logs.lines
        assert log_id in logs.source and logs.cursor
        await chat(target, "again")
        more = await backend.deployment_logs(md_id, LogsQuery(after=logs.cursor))
        assert len(more.lines) == 2 and all(line not in logs.lines for line in more.lines)
        tail = await backend.deployment_logs(md_id, LogsQuery(tail=1))
        assert tail.lines == more.lines[-1:]

        # Stop: UPDATING at once, INACTIVE when OCI is done; the playground then gets a 409.
        stopped = await backend.deactivate_deployment(md_id)
        assert stopped.state == DeploymentState.UPDATING and stopped.operation_id
        assert (await finished(backend, stopped.operation_id)).state == OperationState.SUCCEEDED
        assert (await backend.get_deployment(md_id)).state == DeploymentState.INACTIVE
        with pytest.raises(Conflict, match="INACTIVE, not ACTIVE"):
            await backend.upstream(md_id)
        with pytest.raises(Conflict, match="is INACTIVE; only an ACTIVE deployment can be deactivated"):
            await rules(backend).deactivate(md_id)

        # Start again.
        started = await backend.activate_deployment(md_id)
        assert started.deployment.state == DeploymentState.UPDATING
        assert (await finished(backend, started.operation.id)).state == OperationState.SUCCEEDED
        assert (await backend.upstream(md_id)).base_url == detail.upstream_url
        with pytest.raises(Conflict, match="is ACTIVE; only an INACTIVE deployment can be activated"):
            await rules(backend).activate(md_id)

        # Delete: DELETING, then gone from the list and the detail.
        assert await backend.delete_deployment(md_id) is None
        listed = {d.id: d for d in await backend.list_deployments()}
        assert listed[md_id].state == DeploymentState.DELETING
        ops = [o for o in backend.operations.list() if o.kind == "delete-deployment"]
        assert (await finished(backend, ops[0].id)).state == OperationState.SUCCEEDED
        with pytest.raises(NotFound):
            await backend.get_deployment(md_id)
        assert md_id not in {d.id for d in await backend.list_deployments()}


async def test_list_is_one_paged_call_of_aqua_deployments_cached_briefly(world: OciWorld) -> None:
    emu = world.emulator
    model = seed_deployable_model(world, "m")
    mine = [
        emu.add_deployment(
            world.compartment_id,
            model,
            f"aqua-{i}",
            freeform_tags={"OCI_AQUA": "active", "aqua_model_name": "m"},
            env={
                "MODEL_DEPLOY_PREDICT_ENDPOINT": "/v1/completions",
                "PARAMS": "--served-model-name odsc-llm --max-model-len 2048",
            },
        )
        for i in range(4)
    ]
    emu.add_deployment(world.compartment_id, model, "not-aqua")  # no OCI_AQUA tag: someone else's
    gone = emu.add_deployment(
        world.compartment_id, model, "gone", lifecycle_state="DELETED", freeform_tags={"OCI_AQUA": "active"}
    )
    async with oci_backend(world) as backend:
        items = await backend.list_deployments()
        assert {d.id for d in items} == set(mine) and gone not in {d.id for d in items}
        assert calls(world) == {"ListModelDeployments": 2}  # 5 rows (page size 3): two pages, nothing per row
        first = next(d for d in items if d.id == mine[0])
        assert (first.model_name, first.mode, first.engine, first.shape) == ("m", "completion", "vllm", "VM.GPU.A10.1")
        assert first.state == DeploymentState.ACTIVE and first.state_message == "Serving"

        world.emulator.reset_calls()
        assert await backend.list_deployments() == items
        assert calls(world) == {}  # within the cache window

        # Our own mutation makes the next list read OCI again (and see the new state).
        await backend.deactivate_deployment(mine[0])
        again = {d.id: d for d in await backend.list_deployments()}
        assert again[mine[0]].state == DeploymentState.UPDATING
        assert calls(world)["ListModelDeployments"] == 2

        with pytest.raises(NotFound, match="not created by AI Quick Actions"):
            await backend.get_deployment(
                next(d for d, r in emu.deployments.deployments.items() if r["displayName"] == "not-aqua")
            )
        with pytest.raises(NotFound):
            await backend.get_deployment("nonsense")


async def test_list_cache_expires_after_a_few_seconds(world: OciWorld) -> None:
    seed = seed_deployable_model(world, "m")
    async with oci_backend(world, deployment_cache_seconds=0.2) as backend:
        assert await backend.list_deployments() == []
        world.emulator.add_deployment(world.compartment_id, seed, "from-the-console", freeform_tags={"OCI_AQUA": "1"})
        assert await backend.list_deployments() == []
        await asyncio.sleep(0.25)
        assert [d.name for d in await backend.list_deployments()] == ["from-the-console"]


# ---- what deploy refuses ---------------------------------------------------------


async def test_bad_inputs_name_the_field_and_create_nothing(world: OciWorld) -> None:
    small = seed_deployable_model(world, "small")
    # 70 B parameters: 140 GB of bf16 weights, more than any A10 shape.
    big = seed_deployable_model(
        world,
        "big-70b",
        parameter_count=70_000_000_000,
        layers=80,
        hidden_size=8192,
        heads=64,
        kv_heads=8,
        context_length=131072,
    )
    gguf = seed_deployable_model(
        world, "tiny-gguf", formats="GGUF", model_file="tiny.Q4_0.gguf", size_bytes=700_000_000
    )
    embedder = seed_deployable_model(world, "embedder", task="feature_extraction")

    async def refused(field: str, request: CreateDeploymentRequest, *text: str) -> str:
        with pytest.raises(InvalidInput) as info:
            await rules(backend).create(request)
        error = info.value
        assert [f.field for f in error.fields or []] == [field], error.message
        for piece in text:
            assert piece in error.message, error.message
        return error.message

    async with oci_backend(world) as backend:
        await refused(
            "shape",
            deploy_request(small, shape="VM.GPU.Z9.1"),
            "'VM.GPU.Z9.1' is not a model deployment shape in this compartment",
            "VM.GPU.A10.1",
        )
        message = await refused(
            "shape",
            deploy_request(big, shape="VM.GPU.A10.2"),
            "does not fit on VM.GPU.A10.2",
            "43.20 GB usable",
            "weights = 70.00 B params × 2 bytes (bfloat16) = 140.00 GB",
            "KV cache = 2 × 80 layers",
            "total =",
            "Choose BM.GPU4.8, the smallest shape",
        )
        assert "overhead = max(1 GB, 10% of weights) = 14.00 GB" in message
        await refused(
            "shape",
            deploy_request(small, shape="VM.Standard.E4.Flex"),
            "runs on NVIDIA_GPU shapes; VM.Standard.E4.Flex is a AMD_ROME shape",
        )
        await refused("params", deploy_request(small, params=["--port", "9000"]), "--port cannot be set")
        await refused("params", deploy_request(small, params=["--served-model-name=x"]), "--served-model-name")
        await refused("params", deploy_request(small, params=["--seed", "1"]), "--seed cannot be set")
        await refused(
            "params",
            deploy_request(small, params=["--frobnicate"]),
            "--frobnicate is not an allowed vllm (OCI) parameter; allowed:",
            "--dtype",
            "more",
        )
        await refused(
            "params", deploy_request(small, params=["--max-num-seqs", "lots"]), "--max-num-seqs must be an integer"
        )
        await refused("engine", deploy_request(small, engine="transformers"), "local backend only")
        await refused("engine", deploy_request(gguf, engine="vllm"), "vllm serves SAFETENSORS weights")
        await refused("mode", deploy_request(gguf, mode="embedding"), "embedding deployments run on vllm or tgi")
        await refused("mode", deploy_request(embedder), "is an embedding model")
        await refused("params", deploy_request(gguf, params=["--threads", "4"]), "takes no parameter overrides")
        await refused(
            "max_model_len",
            deploy_request(small, max_model_len=100_000),
            "longer than the model's context length (8,192 tokens)",
        )
        await refused(
            "log_group_id",
            deploy_request(small, log_group_id="ocid1.log.oc1.iad.x", log_id="ocid1.log.oc1.iad.y"),
            "log group OCID",
        )
        await refused("model_id", deploy_request("ocid1.compartment.oc1..x"), "OCI Data Science model OCID")
        with pytest.raises(NotFound):
            await rules(backend).create(deploy_request("ocid1.datasciencemodel.oc1.iad.nope"))
        assert "CreateModelDeployment" not in calls(world)

        # Service limits we could not read beforehand (no policy to): OCI's LimitExceeded becomes a shape
        # error that says what to do.
        world.emulator.limits.denied = True
        world.emulator.deployments.limits["ds-gpu-a10-count"] = 0
        await refused(
            "shape", deploy_request(small, shape="VM.GPU.A10.1"), "no VM.GPU.A10.1 capacity is left", "LimitExceeded"
        )

    # The request model itself refuses half a log and out-of-range replicas (400 before any call).
    with pytest.raises(ValidationError, match="log_id: a log needs both"):
        CreateDeploymentRequest(model_id=small, name="x", log_id="ocid1.log.oc1.iad.y")
    with pytest.raises(ValidationError, match="replicas"):
        CreateDeploymentRequest(model_id=small, name="x", replicas=11)


async def refused_create(backend: OciBackend, field: str, request: CreateDeploymentRequest, *text: str) -> str:
    with pytest.raises(InvalidInput) as info:
        await rules(backend).create(request)
    error = info.value
    assert [f.field for f in error.fields or []] == [field], error.message
    for piece in text:
        assert piece in error.message, error.message
    return error.message


async def test_deploy_checks_the_service_limits_before_creating(world: OciWorld) -> None:
    small = seed_deployable_model(world, "small")  # ~3 GB: every GPU shape holds it
    emu = world.emulator
    emu.limits.values["ds-gpu-a10-count"] = 1  # one A10 GPU left in the region
    async with oci_backend(world) as backend:
        # A chosen shape whose limit has no room: refused before CreateModelDeployment, naming the limit and the fix.
        await refused_create(
            backend,
            "shape",
            deploy_request(small, shape="VM.GPU.A10.2"),
            "VM.GPU.A10.2 has reached its service limit ds-gpu-a10-count (1 GPU left, 2 per "
            "instance); request a limit increase or choose another shape",
        )
        # Room for fewer instances than the replicas asked for.
        await refused_create(
            backend,
            "shape",
            deploy_request(small, shape="VM.GPU.A10.1", replicas=2),
            "the service limit ds-gpu-a10-count allows 1 more VM.GPU.A10.1 instance (1 GPU left, "
            "1 per instance), not 2; request a limit increase or choose another shape",
        )
        assert "CreateModelDeployment" not in calls(world)
        assert calls(world)["GetResourceAvailability"] == 1, "one read of the limit, kept for the second ask"

        # The automatic pick skips the shapes whose limit has no room for the replicas: two A10.1 instances do
        # not fit in one GPU, the A10.2 / A10.4 share the limit, so the next smallest that holds it is BM.GPU4.8.
        emu.reset_calls()
        two = await rules(backend).create(deploy_request(small, name="two", replicas=2))
        assert two.deployment.shape == "BM.GPU4.8" and two.deployment.replicas == 2
        assert calls(world)["GetResourceAvailability"] == 1, "A10's limit was known; BM.GPU4.8's read once"
        # One replica does fit in the last A10 GPU: the memory fit's first choice stands.
        emu.reset_calls()
        one = await rules(backend).create(deploy_request(small, name="one"))
        assert one.deployment.shape == "VM.GPU.A10.1"
        assert calls(world)["GetResourceAvailability"] == 1, "our create made the cached limits stale"

        # Nothing left anywhere that holds the model: the pick says which limits are full.
        emu.limits.values["ds-gpu-a100-v2-count"] = 0
        emu.limits.values["ds-gpu-h100-count"] = 7  # under the 8 GPUs of one instance
        emu.reset_calls()
        await refused_create(
            backend,
            "shape",
            deploy_request(small, name="none"),
            "the service limits allow an instance of no shape here that holds 'small': "
            "VM.GPU.A10.1 (ds-gpu-a10-count: 0 more instances); BM.GPU4.8 (ds-gpu4-count: 0 more "
            "instances); BM.GPU.A100-v2.8 (ds-gpu-a100-v2-count: 0 more instances); BM.GPU.H100.8 "
            "(ds-gpu-h100-count: 0 more instances); request a limit increase",
        )
        asked = {k: v for k, v in calls(world).items() if k not in ("GetWorkRequest", "GetModelDeployment")}
        assert asked == {"GetResourceAvailability": 4}  # one per family it considered (the others follow creates)
        # What the fit shows agrees with what deploy says.
        availability = await backend.fit_availability()
        assert availability == {
            "VM.GPU.A10.1": 0,
            "VM.GPU.A10.2": 0,
            "BM.GPU.A10.4": 0,
            "BM.GPU4.8": 0,
            "BM.GPU.A100-v2.8": 0,
            "BM.GPU.H100.8": 0,
        }


async def test_deploy_goes_ahead_when_the_limits_cannot_be_read(world: OciWorld) -> None:
    small = seed_deployable_model(world, "small")
    emu = world.emulator
    emu.faults = FaultConfig(rate=1.0, kinds=("503",), operations=("GetResourceAvailability",))
    async with oci_backend(world, retry_attempts=2) as backend:
        assert await backend.fit_availability() == {
            name: None
            for name in (
                "VM.GPU.A10.1",
                "VM.GPU.A10.2",
                "BM.GPU.A10.4",
                "BM.GPU4.8",
                "BM.GPU.A100-v2.8",
                "BM.GPU.H100.8",
            )
        }
        created = await rules(backend).create(deploy_request(small, shape="VM.GPU.A10.2"))
        assert created.deployment.shape == "VM.GPU.A10.2"  # no early word: OCI decides
        assert calls(world)["CreateModelDeployment"] == 1
        # Each read is retried (429/5xx) like every call, then given up as "unknown" and remembered as such for
        # a while: the create does not ask again.
        assert calls(world)["GetResourceAvailability"] == 4 * 2


async def test_http_fit_and_deploy_agree_on_the_limits(api: Any, world: OciWorld) -> None:
    assert (await api("info"))[0] == 200
    small = seed_deployable_model(world, "small")
    emu = world.emulator
    emu.limits.values["ds-gpu-h100-count"] = 0
    emu.reset_calls()
    status, fit = await api(f"models/{small}/fit")
    assert status == 200
    available = {s["name"]: s["available"] for s in fit["shapes"]}
    assert available["VM.GPU.A10.1"] == 16 and available["BM.GPU.H100.8"] == 0
    assert calls(world)["GetResourceAvailability"] == 4

    status, err = await api(
        "deployments", method="POST", body={"name": "x", "model_id": small, "shape": "BM.GPU.H100.8"}
    )
    assert status == 400 and err["fields"][0]["field"] == "shape", err
    assert (
        "ds-gpu-h100-count" in err["message"] and "request a limit increase or choose another shape" in err["message"]
    )
    assert "CreateModelDeployment" not in calls(world)

    # A deploy right after the fit reads no limit again; the next fit re-reads them (our create took one).
    emu.reset_calls()
    status, created = await api("deployments", method="POST", body={"name": "y", "model_id": small})
    assert status == 202 and created["deployment"]["shape"] == "VM.GPU.A10.1", created
    assert "GetResourceAvailability" not in calls(world)
    status, fit = await api(f"models/{small}/fit")
    assert {s["name"]: s["available"] for s in fit["shapes"]}["VM.GPU.A10.1"] == 15


async def test_llama_cpp_on_an_arm_flex_shape_and_tgi_and_embeddings(world: OciWorld) -> None:
    gguf = seed_deployable_model(
        world, "tiny-gguf", formats="GGUF", model_file="tiny.Q4_0.gguf", size_bytes=700_000_000
    )
    small = seed_deployable_model(world, "small")
    embedder = seed_deployable_model(world, "embedder", task="feature_extraction")
    async with oci_backend(world) as backend:
        # GGUF-only → llama.cpp by default, on the compartment's ARM shape, sized for the file.
        created = await rules(backend).create(deploy_request(gguf, name="gguf", mode="completion"))
        assert (created.deployment.engine, created.deployment.shape) == ("llama.cpp", "VM.Standard.A1.Flex")
        md = world.emulator.deployments.deployments[created.deployment.id]
        instance = md["modelDeploymentConfigurationDetails"]["modelConfigurationDetails"]["instanceConfiguration"]
        assert instance["modelDeploymentInstanceShapeConfigDetails"] == {"ocpus": 1.0, "memoryInGBs": 16.0}
        env = md["modelDeploymentConfigurationDetails"]["environmentConfigurationDetails"]
        assert env["image"].startswith("dsmc://odsc-llama-cpp-serving:")
        assert env["environmentVariables"]["BASE_MODEL_FILE"] == "tiny.Q4_0.gguf"
        assert "PARAMS" not in env["environmentVariables"] and md["freeformTags"]["model_file"] == "tiny.Q4_0.gguf"

        tgi = await rules(backend).create(
            deploy_request(
                small, name="tgi", engine="tgi", max_model_len=2048, params=["--max-concurrent-requests", "64"]
            )
        )
        env = world.emulator.deployments.deployments[tgi.deployment.id]["modelDeploymentConfigurationDetails"][
            "environmentConfigurationDetails"
        ]
        assert env["environmentVariables"]["PARAMS"] == (
            "--max-input-tokens 2047 --max-total-tokens 2048 --max-concurrent-requests 64"
        )
        assert tgi.deployment.engine == "tgi" and tgi.deployment.max_model_len == 2048

        emb = await rules(backend).create(deploy_request(embedder, name="emb", mode="embedding"))
        assert (await finished(backend, emb.operation.id)).state == OperationState.SUCCEEDED
        target = await backend.upstream(emb.deployment.id)
        assert target.mode == "embedding"
        url, headers = target.request("/v1/embeddings", stream=False)
        async with httpx.AsyncClient(auth=target.auth, timeout=10) as client:
            reply = await client.post(url, headers=headers, json={"model": target.model, "input": ["a", "b", "a"]})
        assert reply.status_code == 200, reply.text
        vectors = [row["embedding"] for row in reply.json()["data"]]
        assert len(vectors[0]) == 16 and vectors[0] == vectors[2] != vectors[1]


async def test_publisher_defaults_apply_when_no_params_are_given(world: OciWorld) -> None:
    config = json.dumps(
        {
            "shape": ["VM.GPU.A10.2"],
            "configuration": {
                "VM.GPU.A10.2": {
                    "parameters": {"VLLM_PARAMS": "--max-model-len 2048 --tensor-parallel-size 2 --port 1"}
                }
            },
        }
    )
    model = seed_deployable_model(world, "published", deployment_config=config)
    async with oci_backend(world) as backend:
        created = await rules(backend).create(deploy_request(model, shape="VM.GPU.A10.2"))
        assert created.deployment.max_model_len == 4096  # --port is refused, so none of the defaults apply
        config = json.dumps(
            {
                "configuration": {
                    "VM.GPU.A10.2": {"parameters": {"VLLM_PARAMS": "--max-model-len 2048 --tensor-parallel-size 2"}}
                }
            }
        )
        other = seed_deployable_model(world, "published-2", deployment_config=config)
        created = await rules(backend).create(deploy_request(other, shape="VM.GPU.A10.2"))
        assert created.deployment.max_model_len == 2048
        assert created.deployment.params[-4:] == ["--max-model-len", "2048", "--tensor-parallel-size", "2"]
        explicit = await rules(backend).create(deploy_request(other, shape="VM.GPU.A10.2", params=["--enforce-eager"]))
        assert "--tensor-parallel-size" not in explicit.deployment.params


async def test_a_deployment_without_logs_still_has_aquas_category_log_details(world: OciWorld) -> None:
    """AQUA always sends `categoryLogDetails` (`{access: null, predict: null}` without a log) and its
    deployment detail reads `category_log_details.access` unguarded: a deployment we make without a log
    must carry the (empty) object too. Neither field is required in the SDK's CategoryLogDetails."""
    import oci

    model = seed_deployable_model(world, "no-logs")
    async with oci_backend(world) as backend:
        created = await rules(backend).create(deploy_request(model, name="no-logs"))
        md_id = created.deployment.id
    assert world.emulator.deployments.deployments[md_id]["categoryLogDetails"] is not None
    client = oci.data_science.DataScienceClient(
        world.emulator.config,
        service_endpoint=world.emulator.endpoint("datascience"),
        retry_strategy=oci.retry.NoneRetryStrategy(),
    )
    md = client.get_model_deployment(md_id).data
    assert md.category_log_details is not None  # what AQUA's detail dereferences
    assert md.category_log_details.access is None and md.category_log_details.predict is None


async def test_an_aqua_registered_model_shows_its_config_and_deploys_within_its_context(world: OciWorld) -> None:
    """AQUA's register records only `artifact_location` and the container families: parameter count,
    context length and architecture come from the folder's config.json (read with the detail, at once with
    the folder listing), and deploy passes a --max-model-len the model allows (2048, not the 4096 default)."""
    uri = world.add_model_folder("models", "aqua/tiny")  # config.json: llama, 2 layers, 2048 positions
    model = world.emulator.add_model(
        world.compartment_id,
        "tiny-from-aqua",
        freeform_tags={"OCI_AQUA": "active", "aqua_custom_base_model": "true", "model_format": "SAFETENSORS"},
        project_id=world.project_id,
        custom_metadata=[
            {"key": "artifact_location", "value": uri + "/", "category": "Other"},
            {"key": "deployment-container", "value": "odsc-vllm-serving", "category": "Other"},
            {"key": "evaluation-container", "value": "odsc-llm-evaluate", "category": "Other"},
        ],
    )
    async with oci_backend(world) as backend:
        listed = {m.id: m for m in await backend.list_models()}
        assert listed[model].parameter_count is None  # ListModels has no metadata: nothing read per row
        listing_calls = calls(world)
        world.emulator.reset_calls()
        detail = await backend.get_model(model)
        assert detail.context_length == 2048
        assert detail.parameter_count == 2048  # 4096 bytes of bfloat16 weights
        assert detail.architecture is not None and detail.architecture.num_hidden_layers == 2
        assert detail.architecture.model_type == "llama"
        # config.json and deployment_config.json in config/ and at the root (none here) with the folder
        # listing, all at once
        assert calls(world) == {"GetModel": 1, "ListObjects": 1, "GetObject": 3}
        # The card learns it too, and a refreshed listing keeps it without reading config.json again.
        assert {m.id: m for m in await backend.list_models()}[model].parameter_count == 2048
        world.emulator.reset_calls()
        assert {m.id: m for m in await backend.list_models(refresh=True)}[model].context_length == 2048
        assert calls(world) == listing_calls

        created = await rules(backend).create(deploy_request(model, name="tiny"))
        env = world.emulator.deployments.deployments[created.deployment.id]["modelDeploymentConfigurationDetails"][
            "environmentConfigurationDetails"
        ]["environmentVariables"]
        assert "--max-model-len 2048" in env["PARAMS"] and created.deployment.max_model_len == 2048


async def test_registered_models_list_their_parameter_count(world: OciWorld) -> None:
    """ListModels rows carry tags but no metadata: the parameter count we register is a tag as well, so the
    model list's card shows it (before: "params unknown")."""
    uri = world.add_model_folder("models", "ours/tiny")
    async with oci_backend(world) as backend:
        response = await backend.register_model(RegisterModelRequest(source="object_storage", os_uri=uri))
        assert response.model is not None
        model_id = response.model.id
    async with oci_backend(world) as fresh:  # a new server: nothing cached
        listed = {m.id: m for m in await fresh.list_models()}
        assert listed[model_id].parameter_count == 2048


async def test_a_registered_models_deployment_config_json_is_honoured(world: OciWorld) -> None:
    """`config/deployment_config.json` beside a registered model's weights (seed 004), read as AQUA's
    get_deployment_config reads it when no DeploymentConfiguration artifact is stored: its `shape` list is
    what deploy picks from, a CPU shape gets one of its OCPU / memory configurations, and its per-shape
    VLLM_PARAMS are the deploy defaults."""
    emu = world.emulator
    emu.add_bucket(None, "models", versioned=True, compartment_id=world.compartment_id)
    gpu = seed_deployable_model(world, "published-gpu")
    emu.put_object(
        None,
        "models",
        "published-gpu/config/deployment_config.json",
        json.dumps(
            {
                "shape": ["VM.GPU.A10.2", "BM.GPU.A10.4"],
                "configuration": {"VM.GPU.A10.2": {"parameters": {"VLLM_PARAMS": "--max-model-len 1024"}}},
            }
        ),
    )
    gguf = seed_deployable_model(
        world, "published-gguf", formats="GGUF", model_file="tiny.Q4_0.gguf", size_bytes=700_000_000
    )
    emu.put_object(
        None,
        "models",
        "published-gguf/config/deployment_config.json",
        json.dumps(
            {
                "shape": ["VM.GPU.A10.1", "VM.Standard.A1.Flex"],
                "configuration": {
                    "VM.Standard.A1.Flex": {
                        "parameters": {},
                        "shape_info": {
                            "configs": [{"memory_in_gbs": 256, "ocpu": 40}, {"memory_in_gbs": 128, "ocpu": 20}],
                            "type": "CPU",
                        },
                    }
                },
            }
        ),
    )
    async with oci_backend(world) as backend:
        detail = await backend.get_model(gpu)
        assert detail.deployment_config is not None and detail.deployment_config["shape"][0] == "VM.GPU.A10.2"
        from aqua_ext.api.fit import FitQuery
        from aqua_ext.services.models import Models

        fit = await Models(Targets([backend], started=True)).fit(gpu, FitQuery())
        assert [s.name for s in fit.shapes] == ["VM.GPU.A10.2", "BM.GPU.A10.4"]  # the fit lists the same shapes
        created = await rules(backend).create(deploy_request(gpu, name="gpu"))
        # A 1B model fits VM.GPU.A10.1, but the publisher lists A10.2 and A10.4 only: the smallest of those.
        assert created.deployment.shape == "VM.GPU.A10.2"
        assert created.deployment.max_model_len == 1024 and created.deployment.params[-2:] == [
            "--max-model-len",
            "1024",
        ]

        created = await rules(backend).create(deploy_request(gguf, name="cpu", mode="completion"))
        assert (created.deployment.engine, created.deployment.shape) == ("llama.cpp", "VM.Standard.A1.Flex")
        md = emu.deployments.deployments[created.deployment.id]
        instance = md["modelDeploymentConfigurationDetails"]["modelConfigurationDetails"]["instanceConfiguration"]
        assert instance["modelDeploymentInstanceShapeConfigDetails"] == {"ocpus": 20.0, "memoryInGBs": 128.0}


async def test_deployment_config_json_at_the_artifact_root_is_read_where_aqua_reads_it(world: OciWorld) -> None:
    """AQUA's get_config looks in `config/` first and, when the folder is not there, at the artifact root;
    a `config/` folder without the file hides the root one (AQUA reads the file of the folder it found)."""
    emu = world.emulator
    emu.add_bucket(None, "models", versioned=True, compartment_id=world.compartment_id)
    published = json.dumps({"shape": ["VM.GPU.A10.2"], "configuration": {}})
    root = seed_deployable_model(world, "at-root")
    emu.put_object(None, "models", "at-root/deployment_config.json", published)
    hidden = seed_deployable_model(world, "hidden")
    emu.put_object(None, "models", "hidden/deployment_config.json", published)
    emu.put_object(None, "models", "hidden/config/other.json", "{}")
    # A location without the trailing '/': AQUA's first candidate is dirname()'s, the bucket's config/ (none).
    plain = seed_deployable_model(world, "plain")
    for item in emu.datascience.models[plain]["customMetadataList"]:
        if item["key"] == "artifact_location":
            item["value"] = item["value"].rstrip("/")
    emu.put_object(None, "models", "plain/config/deployment_config.json", published)
    async with oci_backend(world) as backend:
        assert (await backend.get_model(root)).deployment_config == {"shape": ["VM.GPU.A10.2"], "configuration": {}}
        assert (await backend.get_model(plain)).deployment_config == {"shape": ["VM.GPU.A10.2"], "configuration": {}}
    # ... and where the bucket has one, that config/ is the one AQUA reads (os.path.dirname of ".../plain").
    emu.put_object(None, "models", "config/deployment_config.json", json.dumps({"shape": ["BM.GPU.A10.4"]}))
    async with oci_backend(world) as backend:
        assert (await backend.get_model(plain)).deployment_config == {"shape": ["BM.GPU.A10.4"]}
        assert (await backend.get_model(root)).deployment_config == {"shape": ["VM.GPU.A10.2"], "configuration": {}}
        created = await rules(backend).create(deploy_request(root, name="root"))
        assert created.deployment.shape == "VM.GPU.A10.2"  # a 1B model, on the one shape its publisher lists
        world.emulator.reset_calls()
        assert (await backend.get_model(hidden)).deployment_config is None
        # both files read at once; the folder's existence asked only because the root holds one
        seen = calls(world)
        assert {k: seen.get(k) for k in ("GetModel", "GetObject", "ListObjects")} == {
            "GetModel": 1,
            "GetObject": 2,
            "ListObjects": 1,
        }
        created = await rules(backend).create(deploy_request(hidden, name="hidden"))
        assert created.deployment.shape == "VM.GPU.A10.1"


async def test_a_service_model_deploys_on_a_shape_its_deployment_config_lists(world: OciWorld) -> None:
    """AQUA offers a service model the shapes of its published DeploymentConfiguration only: deploy picks the
    smallest of those that holds it, not the smallest the compartment offers."""
    emu = world.emulator
    mistral = emu.seed_service_models(2)[1]  # ~16 GB: VM.GPU.A10.1 holds it
    config = json.dumps({"shape": ["VM.GPU.A10.2", "BM.GPU.A10.4"], "configuration": {}}).encode()
    emu.datascience.metadata_artifacts[(mistral, "defined", "DeploymentConfiguration")] = (config, None)
    del emu.datascience.models[mistral]["freeformTags"]["ready_to_import"]  # its weights are deployable as is
    async with oci_backend(world) as backend:
        created = await rules(backend).create(deploy_request(mistral, name="mistral"))
        assert created.deployment.shape == "VM.GPU.A10.2"


# ---- failures, conflicts, cancel ---------------------------------------------------------


async def test_a_failed_create_fails_the_operation_with_oci_s_reason_and_the_log(world: OciWorld) -> None:
    model = seed_deployable_model(world, "m")
    group, log_id = add_log(world)
    world.emulator.deployments.fail_next = 1
    async with oci_backend(world) as backend:
        created = await rules(backend).create(deploy_request(model, log_group_id=group, log_id=log_id))
        op = await finished(backend, created.operation.id)
        assert op.state == OperationState.FAILED
        assert op.error == "Model deployment failed: the container did not become healthy (injected)."
        detail = await backend.get_deployment(created.deployment.id)
        assert detail.state == DeploymentState.FAILED and detail.state_message == op.error
        assert any("ERROR Model deployment failed" in line for line in detail.failure_log)
        with pytest.raises(Conflict, match="OCI cannot restart a FAILED model deployment"):
            await rules(backend).activate(created.deployment.id)
        with pytest.raises(Conflict, match="FAILED deployment is not running"):
            await rules(backend).deactivate(created.deployment.id)
        with pytest.raises(Conflict, match="FAILED, not ACTIVE"):
            await backend.upstream(created.deployment.id)
        await backend.delete_deployment(created.deployment.id)  # a FAILED deployment can go

        # No log configured: an empty list that says so.
        quiet = await rules(backend).create(deploy_request(model, name="quiet"))
        logs = await backend.deployment_logs(quiet.deployment.id, LogsQuery())
        assert logs.lines == [] and logs.source == "no OCI log configured for this deployment"
        with pytest.raises(Conflict, match="CREATING; only an INACTIVE deployment can be activated: wait"):
            await rules(backend).activate(quiet.deployment.id)


async def test_canceling_a_create_deletes_the_half_made_deployment(world: OciWorld) -> None:
    model = seed_deployable_model(world, "m")
    async with oci_backend(world, poll_min_seconds=0.5) as backend:
        created = await rules(backend).create(deploy_request(model))
        await asyncio.sleep(0.05)  # the operation is watching (a task canceled before it starts never runs)
        op = await backend.operations.cancel(created.operation.id)
        assert op.state == OperationState.CANCELED
        record = world.emulator.deployments.deployments[created.deployment.id]
        assert record["lifecycleState"] in ("DELETING", "DELETED")


async def test_upstream_needs_no_call_and_a_failed_predict_rechecks_the_state(world: OciWorld) -> None:
    emu = world.emulator
    model = seed_deployable_model(world, "m")
    md_id = emu.add_deployment(
        world.compartment_id,
        model,
        "served",
        freeform_tags={"OCI_AQUA": "active"},
        env={"MODEL_DEPLOY_PREDICT_ENDPOINT": "/v1/chat/completions"},
    )
    async with oci_backend(world) as backend:
        with pytest.raises(NotFound):
            await backend.upstream("ocid1.datasciencemodeldeployment.oc1.iad.unknown")
        world.emulator.reset_calls()
        target = await backend.upstream(md_id)  # first sight: one GetModelDeployment
        assert calls(world) == {"GetModelDeployment": 1}
        world.emulator.reset_calls()
        for _ in range(3):
            await backend.upstream(md_id)
        assert calls(world) == {}

        # Someone stops it in the OCI Console: the next predict fails, one read tells why.
        with emu.lock:
            emu.deployments.deployments[md_id]["lifecycleState"] = "INACTIVE"
        with pytest.raises(Exception, match="409"):
            await chat(target, "hi")
        assert await backend.upstream_failed(md_id, "HTTP 409") == DeploymentState.INACTIVE
        with pytest.raises(Conflict, match="INACTIVE"):
            await backend.upstream(md_id)
        with emu.lock:
            emu.deployments.deployments[md_id]["lifecycleState"] = "ACTIVE"
        assert await backend.upstream_failed(md_id, "connection reset") is None


def stacked_deployment(
    world: OciWorld, base: str, tuned: str, name: str, more: tuple[tuple[str, str], ...] = ()
) -> tuple[str, str]:
    """AQUA's deployment of a v2 fine-tune, made as AQUA 2.16 makes it: a STACKED model group of the base
    model and the fine-tune (each member with its inference key), deployed as MODEL_GROUP with the base
    model's name in its tags and the base model's inference key as the served name; `more`: further
    fine-tunes stacked on the same base, (model id, inference key). (group id, deployment id)"""
    import oci

    m = oci.data_science.models
    ds = oci.data_science.DataScienceClient(
        oci.config.from_file(str(world.identity.config_file), world.identity.profile),
        service_endpoint=world.emulator.endpoint("datascience"),
    )
    group = ds.create_model_group(
        m.CreateModelGroupDetails(
            create_type="CREATE",
            compartment_id=world.compartment_id,
            project_id=world.project_id,
            display_name="베이스 모델",
            model_group_details=m.StackedModelGroupDetails(base_model_id=base),
            member_model_entries=m.MemberModelEntries(
                member_model_details=[
                    m.MemberModelDetails(model_id=tuned, inference_key="日本語ファインチューン"),
                    *(m.MemberModelDetails(model_id=mid, inference_key=key) for mid, key in more),
                    m.MemberModelDetails(model_id=base, inference_key="베이스 모델"),
                ]
            ),
        )
    ).data
    deployment = ds.create_model_deployment(
        m.CreateModelDeploymentDetails(
            compartment_id=world.compartment_id,
            project_id=world.project_id,
            display_name=name,
            freeform_tags={"OCI_AQUA": "active", "aqua_model_name": "베이스 모델", "aqua_stacked_model": "true"},
            model_deployment_configuration_details=m.ModelGroupDeploymentConfigurationDetails(
                model_group_configuration_details=m.ModelGroupConfigurationDetails(model_group_id=group.id),
                infrastructure_configuration_details=m.InstancePoolInfrastructureConfigurationDetails(
                    instance_configuration=m.InstanceConfiguration(instance_shape_name="VM.GPU.A10.1"),
                    scaling_policy=m.FixedSizeScalingPolicy(instance_count=1),
                    bandwidth_mbps=10,
                ),
                environment_configuration_details=m.OcirModelDeploymentEnvironmentConfigurationDetails(
                    image="dsmc://odsc-vllm-serving:0.6.4.post1.2",
                    server_port=8080,
                    health_check_port=8080,
                    environment_variables={
                        "MODEL_DEPLOY_PREDICT_ENDPOINT": "/v1/chat/completions",
                        "PARAMS": "--served-model-name 베이스-모델 --max-model-len 4096 --enable_lora",
                    },
                ),
            ),
        )
    ).data
    world.emulator.fast_forward()
    return group.id, deployment.id


async def test_a_model_group_deployment_names_its_fine_tune_read_once_not_per_row(world: OciWorld) -> None:
    base = seed_deployable_model(world, "베이스-모델")
    tuned = seed_user_model(world, "日本語ファインチューン", fine_tuned=True)
    _, md_id = stacked_deployment(world, base, tuned, "stacked")
    async with oci_backend(world) as backend:
        # The list reads no group (nothing per row): the tags name the base model and no model id.
        row = next(d for d in await backend.list_deployments() if d.id == md_id)
        assert (row.model_id, row.model_name) == ("", "베이스 모델")
        assert calls(world) == {"ListModelDeployments": 1}

        world.emulator.reset_calls()
        detail = await backend.get_deployment(md_id)
        assert (detail.model_id, detail.model_name) == (tuned, "日本語ファインチューン")
        assert (detail.shape, detail.replicas, detail.max_model_len) == ("VM.GPU.A10.1", 1, 4096)
        assert calls(world) == {"GetModelDeployment": 1, "GetModelGroup": 1}

        # The group is kept: a later detail, the list and a chat turn read it no more.
        world.emulator.reset_calls()
        await backend.get_deployment(md_id)
        row = next(d for d in await backend.list_deployments() if d.id == md_id)
        assert (row.model_id, row.model_name) == (tuned, "日本語ファインチューン")
        target = await backend.upstream(md_id)
        assert "GetModelGroup" not in calls(world)
        # The request names the fine-tune by its inference key (the base answers to its served name).
        assert target.model == "日本語ファインチューン"
        deltas, done, _ = await chat(target, "こんにちは")
        assert "".join(d.content for d in deltas).endswith("こんにちは") and done.finish_reason == "stop"


async def test_a_group_stacking_several_fine_tunes_serves_each_as_an_adapter_by_its_inference_key(
    world: OciWorld,
) -> None:
    from aqua_ext.services.adapters import adapter_named, route, route_openai

    base = seed_deployable_model(world, "base")
    tuned = seed_user_model(world, "tuned", fine_tuned=True)
    korean = seed_user_model(world, "korean", fine_tuned=True)
    _, md_id = stacked_deployment(world, base, tuned, "stacked", more=((korean, "한국어-어댑터"),))
    async with oci_backend(world) as backend:
        detail = await backend.get_deployment(md_id)
        # Several fine-tunes: the deployment is the base, with each fine-tune an adapter.
        assert detail.model_id == base
        assert [(a.name, a.model_id) for a in detail.adapters] == [
            ("日本語ファインチューン", tuned),
            ("한국어-어댑터", korean),
        ]
        target = await backend.upstream(md_id)
        assert target.model == "베이스 모델" and target.adapters == ("日本語ファインチューン", "한국어-어댑터")
        # AQUA's `model` routing: the base by its inference key, an adapter by its own.
        body: dict[str, Any] = {}
        route(target, adapter_named(target, "한국어-어댑터", "adapter"), body)
        assert body == {"model": "한국어-어댑터"}
        body = {"model": "stacked"}
        route_openai(target, body)
        assert body == {"model": "베이스 모델"}
        deltas, done, _ = await chat(target, "안녕하세요")
        assert "".join(d.content for d in deltas).endswith("안녕하세요") and done.finish_reason == "stop"


async def test_a_chat_turn_reads_an_unknown_model_group_once(world: OciWorld) -> None:
    base = seed_deployable_model(world, "base")
    tuned = seed_user_model(world, "tuned", fine_tuned=True)
    _, md_id = stacked_deployment(world, base, tuned, "stacked")
    async with oci_backend(world) as backend:
        target = await backend.upstream(md_id)
        assert target.model == "日本語ファインチューン"
        assert calls(world) == {"GetModelDeployment": 1, "GetModelGroup": 1}


async def test_a_session_that_signs_with_another_key_cannot_predict(world: OciWorld, tmp_path: Any) -> None:
    from tests.oci_emulator import write_oci_config

    model = seed_deployable_model(world, "m")
    md_id = world.emulator.add_deployment(world.compartment_id, model, "served", freeform_tags={"OCI_AQUA": "1"})
    async with oci_backend(world) as backend:
        target = await backend.upstream(md_id)
        stranger = write_oci_config(tmp_path / "stranger")  # a key the emulator does not know
        import oci

        from aqua_ext.backends.oci.signing import OciRequestAuth

        signer = oci.signer.Signer.from_config(stranger.as_dict())
        url, headers = target.request("/v1/chat/completions", stream=False)
        async with httpx.AsyncClient(auth=OciRequestAuth(lambda: signer), timeout=10) as client:
            reply = await client.post(url, headers=headers, json={"messages": [{"role": "user", "content": "x"}]})
        assert reply.status_code == 401 and reply.json()["code"] == "NotAuthenticated"
        async with httpx.AsyncClient(auth=target.auth, timeout=10) as client:
            reply = await client.post(url, headers=headers, json={"messages": [{"role": "user", "content": "x"}]})
        assert reply.status_code == 200 and reply.json()["choices"][0]["message"]["content"].endswith("x")


# ---- through a real Jupyter server (the lead's handlers): HTTP, SSE, the openai client ---------


@pytest.fixture
def jp_server_config(world: OciWorld) -> dict[str, Any]:
    return {
        "ServerApp": {"jpserver_extensions": {"aqua_ext": True}, "allow_unauthenticated_access": False},
        "AquaExtension": world.traits(),
    }


async def wait_state(api: Any, deployment_id: str, *states: str, timeout: float = 20.0) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        status, detail = await api(f"deployments/{deployment_id}")
        if status == 404 and "GONE" in states:
            return {"state": "GONE"}
        assert status == 200, detail
        if detail["state"] in states:
            return detail
        assert loop.time() < deadline, f"still {detail['state']}: {detail['state_message']}"
        await asyncio.sleep(0.1)


async def chat_events(
    jp_fetch: Any, deployment_id: str, body: dict[str, Any]
) -> tuple[list[tuple[str, Any]], list[float]]:
    """The chat stream's events, and when each piece of the body arrived."""
    from aqua_ext.api.sse import SseParser

    parser = SseParser()
    events: list[tuple[str, Any]] = []
    arrivals: list[float] = []

    def on_chunk(chunk: bytes) -> None:
        arrivals.append(time.monotonic())
        events.extend((e.event, e.json()) for e in parser.feed(chunk))

    response = await jp_fetch(
        "aqua-ext",
        "deployments",
        deployment_id,
        "chat",
        method="POST",
        body=json.dumps(body),
        streaming_callback=on_chunk,
    )
    assert response.code == 200 and response.headers["Content-Type"].startswith("text/event-stream")
    events.extend((e.event, e.json()) for e in parser.close())
    return events, arrivals


async def test_http_deploy_chat_openai_client_stop_start_delete(
    api: Any, jp_fetch: Any, jp_serverapp: Any, jp_base_url: str, jp_http_port: int, world: OciWorld
) -> None:
    status, info = await api("info")
    assert status == 200 and info["backend"]["kind"] == "oci" and info["backend"]["ready"], info
    model = seed_deployable_model(world, "acme-1b")
    group, log_id = add_log(world)
    world.emulator.deployments.stream_delay_seconds = 0.05

    status, created = await api(
        "deployments",
        method="POST",
        body={"model_id": model, "name": "OCI chat", "log_group_id": group, "log_id": log_id},
    )
    assert status == 202, created
    dep = created["deployment"]
    assert (dep["state"], dep["shape"], dep["engine"], dep["mode"]) == ("CREATING", "VM.GPU.A10.1", "vllm", "chat")
    assert created["operation"]["kind"] == "create-deployment" and created["operation"]["resource_id"] == dep["id"]
    detail = await wait_state(api, dep["id"], "ACTIVE", "FAILED")
    assert detail["state"] == "ACTIVE", detail
    status, op = await api(f"operations/{created['operation']['id']}")
    assert status == 200 and op["state"] == "SUCCEEDED"
    _, listing = await api("deployments")
    assert [d["id"] for d in listing["items"]] == [dep["id"]] and listing["items"][0]["state"] == "ACTIVE"

    # The playground's stream: deltas as the engine sends them, then done; no control-plane call.
    world.emulator.reset_calls()
    events, arrivals = await chat_events(
        jp_fetch,
        dep["id"],
        {
            "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello"}],
            "max_tokens": 50,
            "temperature": 0.5,
            "top_k": 20,
        },
    )
    kinds = [k for k, _ in events]
    assert kinds[-1] == "done" and set(kinds[:-1]) == {"delta"}, events
    assert "".join(d["content"] for k, d in events if k == "delta") == "Echo from OCI chat: Hello"
    assert events[-1][1]["finish_reason"] == "stop" and events[-1][1]["tokens"] >= 4
    assert arrivals[-1] - arrivals[0] >= 0.1, "the deltas reach the browser as they come, not at the end"
    assert calls(world) == {"PredictWithResponseStream": 1}

    # A prompt goes to /v1/completions on the same deployment (the route header says which).
    events, _ = await chat_events(jp_fetch, dep["id"], {"prompt": "Once upon a time", "max_tokens": 3})
    assert "".join(d["content"] for k, d in events if k == "delta") == "Echo from OCI"
    assert events[-1][1]["finish_reason"] == "length"
    routes = [
        r["headers"].get("route")
        for r in world.emulator.request_details
        if r["operation"] == "PredictWithResponseStream"
    ]
    assert routes == ["/v1/chat/completions", "/v1/completions"]

    # Any OpenAI client reaches it through Jupyter's auth (the token as the API key), signed on to OCI.
    from openai import OpenAI

    token = jp_serverapp.identity_provider.token
    client = OpenAI(
        base_url=f"http://127.0.0.1:{jp_http_port}{jp_base_url}aqua-ext/deployments/{dep['id']}/v1",
        api_key=token,
        max_retries=0,
    )
    answer = await asyncio.to_thread(
        lambda: client.chat.completions.create(
            model="anything", messages=[{"role": "user", "content": "Hi"}], max_tokens=20
        )
    )
    assert answer.choices[0].message.content == "Echo from OCI chat: Hi"
    pieces = await asyncio.to_thread(
        lambda: [
            c.choices[0].delta.content or ""
            for c in client.chat.completions.create(
                model="x", messages=[{"role": "user", "content": "Hi"}], max_tokens=20, stream=True
            )
            if c.choices
        ]
    )
    assert "".join(pieces) == "Echo from OCI chat: Hi"
    completion = await asyncio.to_thread(lambda: client.completions.create(model="x", prompt="Tell", max_tokens=20))
    assert completion.choices[0].text == "Echo from OCI chat: Tell"
    models = await asyncio.to_thread(lambda: client.models.list())
    assert [m.id for m in models.data] == ["oci-chat"]
    status, refused = await api(f"deployments/{dep['id']}/embed", method="POST", body={"inputs": ["a"]})
    assert status == 400 and "serves chat" in refused["message"]

    # Logs from OCI Logging: the engine's start, the requests; then only what came after the cursor.
    status, logs = await api(f"deployments/{dep['id']}/logs", params={"tail": 100})
    assert status == 200 and any("Application startup complete." in line for line in logs["lines"]), logs
    await asyncio.to_thread(lambda: client.completions.create(model="x", prompt="more", max_tokens=2))
    _, more = await api(f"deployments/{dep['id']}/logs", params={"after": logs["cursor"]})
    assert len(more["lines"]) == 2 and "route=/v1/completions 200" in more["lines"][0], more
    status, bad = await api(f"deployments/{dep['id']}/logs", params={"after": "yesterday"})
    assert status == 400 and bad["fields"][0]["field"] == "query.after"

    # Stop: the chat is then a 409 that names the state; start again; delete.
    status, stopped = await api(f"deployments/{dep['id']}/deactivate", method="POST")
    assert status == 200 and stopped["state"] == "UPDATING" and stopped["operation_id"], stopped
    assert (await wait_state(api, dep["id"], "INACTIVE"))["state"] == "INACTIVE"
    status, err = await api(
        f"deployments/{dep['id']}/chat", method="POST", body={"messages": [{"role": "user", "content": "Hi"}]}
    )
    assert status == 409 and "INACTIVE" in err["message"], err
    status, err = await api(f"deployments/{dep['id']}/deactivate", method="POST")
    assert status == 409 and "is INACTIVE" in err["message"]
    status, again = await api(f"deployments/{dep['id']}/activate", method="POST")
    assert status == 202 and again["deployment"]["state"] == "UPDATING" and again["operation"]["state"] == "RUNNING"
    assert (await wait_state(api, dep["id"], "ACTIVE"))["state"] == "ACTIVE"
    events, _ = await chat_events(jp_fetch, dep["id"], {"messages": [{"role": "user", "content": "back"}]})
    assert events[-1][0] == "done"
    status, _ = await api(f"deployments/{dep['id']}", method="DELETE")
    assert status == 204
    assert (await wait_state(api, dep["id"], "GONE"))["state"] == "GONE"
    _, listing = await api("deployments")
    assert listing["items"] == []


async def test_http_refusals_are_400_404_409_with_fields(api: Any, world: OciWorld) -> None:
    assert (await api("info"))[0] == 200
    small = seed_deployable_model(world, "small")
    big = seed_deployable_model(
        world,
        "big-70b",
        parameter_count=70_000_000_000,
        layers=80,
        hidden_size=8192,
        heads=64,
        kv_heads=8,
        context_length=131072,
    )

    async def create(body: dict[str, Any]) -> tuple[int, Any]:
        return await api("deployments", method="POST", body={"name": "x", **body})

    status, err = await create({"model_id": big, "shape": "VM.GPU.A10.1"})
    assert status == 400 and err["fields"][0]["field"] == "shape"
    assert "does not fit on VM.GPU.A10.1" in err["message"] and "weights = 70.00 B params" in err["message"]
    status, err = await create({"model_id": small, "shape": "VM.GPU.Nope"})
    assert status == 400 and err["fields"][0]["field"] == "shape" and "VM.GPU.A10.1" in err["message"]
    status, err = await create({"model_id": small, "params": ["--host", "0.0.0.0"]})
    assert status == 400 and err["fields"][0]["field"] == "params" and "--host" in err["message"]
    status, err = await create({"model_id": small, "log_id": "ocid1.log.oc1.iad.x"})
    assert status == 400 and "log" in err["message"]
    status, err = await create({"model_id": small, "replicas": 0})
    assert status == 400 and err["fields"][0]["field"] == "replicas"
    # Adapters on OCI are AQUA's stacked model groups of the base's fine-tunes (test_oci_stacked.py): a model that
    # is not a fine-tune is refused on its item.
    status, err = await create({"model_id": small, "adapters": [{"model_id": small}]})
    assert status == 400 and err["fields"][0]["field"] == "adapters.0" and "not a fine-tuned" in err["message"], err
    status, err = await create({"model_id": "ocid1.datasciencemodel.oc1.iad.missing"})
    assert status == 404
    assert "CreateModelDeployment" not in calls(world)

    status, err = await api("deployments/ocid1.datasciencemodeldeployment.oc1.iad.missing")
    assert status == 404 and "No deployment" in err["message"]
    for action in ("activate", "deactivate"):
        status, err = await api(f"deployments/ocid1.datasciencemodeldeployment.oc1.iad.missing/{action}", method="POST")
        assert status == 404, err
    status, err = await api(
        "deployments/not-an-ocid/chat", method="POST", body={"messages": [{"role": "user", "content": "Hi"}]}
    )
    assert status == 404

    world.emulator.deployments.fail_next = 1
    status, created = await create({"model_id": small, "name": "doomed"})
    assert status == 202
    failed = await wait_state(api, created["deployment"]["id"], "FAILED", "ACTIVE")
    assert failed["state"] == "FAILED" and "did not become healthy" in failed["state_message"]
    _, op = await api(f"operations/{created['operation']['id']}")
    assert op["state"] == "FAILED" and op["error"] == failed["state_message"]
    status, err = await api(f"deployments/{created['deployment']['id']}/activate", method="POST")
    assert status == 409 and "FAILED" in err["message"]
    status, err = await api(
        f"deployments/{created['deployment']['id']}/chat",
        method="POST",
        body={"messages": [{"role": "user", "content": "Hi"}]},
    )
    assert status == 409 and "FAILED" in err["message"]
