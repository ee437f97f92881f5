"""Operations end in a terminal state however they are canceled; one that OCI refused names the setup check."""

from __future__ import annotations

import asyncio

import pytest

from aqua_ext.api.operations import OperationState
from aqua_ext.backends.operations import Progress
from aqua_ext.errors import AquaError, Conflict, RefusedCall, Upstream
from aqua_ext.services.operations import OperationRegistry


async def test_cancel_before_the_work_started_ends_canceled() -> None:
    registry = OperationRegistry()
    started = False

    async def work(progress: Progress) -> str:
        nonlocal started
        started = True
        return "x"

    op = registry.start("test", "never runs", work)
    canceled = await registry.cancel(op.id)  # no await between start and cancel: the task has not run
    assert not started
    assert canceled.state == OperationState.CANCELED


async def test_cancel_while_running_runs_the_cleanup() -> None:
    registry = OperationRegistry()
    cleaned = asyncio.Event()

    async def work(progress: Progress) -> str:
        try:
            await asyncio.sleep(60)
        finally:
            cleaned.set()
        return "x"

    op = registry.start("test", "sleeps", work)
    await asyncio.sleep(0)
    assert (await registry.cancel(op.id)).state == OperationState.CANCELED
    assert cleaned.is_set()


def _refused(service: str, operation: str, message: str) -> Upstream:
    error = Upstream(message)
    error.refused = RefusedCall(service=service, operation=operation)
    return error


@pytest.mark.parametrize(
    ("error", "check"),
    [
        # The upload of a Hugging Face download into the bucket, then the model's creation.
        (_refused("objectstorage", "put_object", "OCI Object Storage がこの要求を拒否しました"), "bucket-objects"),
        (_refused("datascience", "create_model", "OCI Data Science 요청이 거부되었습니다"), "models"),
        (Conflict("モデル「小さい」は既にあります"), None),  # no refusal: no check
    ],
)
async def test_a_failed_operation_names_the_setup_check_of_a_refusal(error: AquaError, check: str | None) -> None:
    registry = OperationRegistry()

    async def work(progress: Progress) -> str:
        raise error

    op = registry.start("register-model", "Download 한국어/모델", work)
    failed = await registry.wait(op.id, timeout=5)
    assert failed.state == OperationState.FAILED and failed.error == error.message
    assert failed.setup_check == check
    # What the operations routes answer: the check is in the JSON the UI reads.
    assert failed.model_dump(mode="json")["setup_check"] == check
