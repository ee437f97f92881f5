"""Long-running operations (downloads, generation) with progress and cancel."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from .common import ApiModel


class OperationState(str, Enum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELING = "CANCELING"
    CANCELED = "CANCELED"


TERMINAL_STATES = frozenset({OperationState.SUCCEEDED, OperationState.FAILED, OperationState.CANCELED})


class Operation(ApiModel):
    id: str
    kind: str  # "register-model", "generate-demo-model", ...
    title: str  # human summary, e.g. "Download Qwen/Qwen2.5-0.5B-Instruct"
    state: OperationState
    progress: float | None = None  # 0..1 when known
    message: str = ""  # the latest human-readable step
    error: str | None = None
    # A failure because OCI refused a call for want of a policy: the key of the OCI setup check (GET oci/setup)
    # that covers it, as an error reply's `setup_check`, so the UI can link the failed operation to its fix.
    setup_check: str | None = None
    resource_id: str | None = None  # the model (or other resource) it creates
    created_at: datetime
    updated_at: datetime


class OperationList(ApiModel):
    items: list[Operation]
