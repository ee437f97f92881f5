"""What the mappings of OCI fine-tuning and evaluation jobs share (pure: no SDK calls): the
`Hyperparameters` metadatum, a job run's state, its message and exit code read the same way,
and the run's timestamps and pace on the entity."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ...api.finetunes import FINAL_FINETUNE_STATES, FineTuneState
from .mapping import aware

HYPERPARAMETERS = "Hyperparameters"

_EXIT_CODE = re.compile(r"exit code (\d+)")

S = FineTuneState  # evaluations move through the same states (api.evaluations.EvaluationState)
M = TypeVar("M", bound=BaseModel)


def hyper_values(model: Any) -> dict[str, Any]:
    """The model's `Hyperparameters` defined metadatum as a dict ({} when absent or unreadable)."""
    item = next((m for m in getattr(model, "defined_metadata_list", None) or [] if m.key == HYPERPARAMETERS), None)
    value = getattr(item, "value", None)
    if isinstance(value, dict):
        return value
    try:
        parsed = json.loads(value) if value else {}
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def validate_lenient(model: type[M], values: dict[str, Any]) -> M:
    """`model` of AQUA's values, leaving at their defaults the ones it refuses (none: all defaults)."""
    ours = dict(values)
    while True:
        try:
            return model.model_validate(ours)
        except ValidationError as exc:
            bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
            if not bad & set(ours):
                return model()
            for name in bad:
                ours.pop(name, None)


def model_facts(model: Any, job: Any | None, logs: Any | None, job_id: str | None) -> dict[str, Any]:
    """The facts every OCI job's model gives the same way: its name, description and creation, its job
    (`job_id` as its metadata records it, else the job read), and the log its runs write to, when on."""
    logging_on = bool(getattr(logs, "enable_logging", False))
    return {
        "name": model.display_name or model.id,
        "description": getattr(model, "description", None) or "",
        "created_at": aware(model.time_created),
        "job_id": job_id or getattr(job, "id", None),
        "log_group_id": getattr(logs, "log_group_id", None) if logging_on else None,
        "log_id": getattr(logs, "log_id", None) if logging_on else None,
    }


def job_state(run_state: str | None, *, finished: bool) -> FineTuneState:
    """A job run's state → ours: NEEDS_ATTENTION (and anything unknown) is a failure; a run that no
    longer exists SUCCEEDED when what its container wrote says it `finished` (AQUA's rule), else FAILED."""
    if run_state in (None, "DELETED"):
        return S.SUCCEEDED if finished else S.FAILED
    if run_state == "NEEDS_ATTENTION":
        return S.FAILED
    try:
        return S(run_state)
    except ValueError:
        return S.FAILED


def failure_reason(what: str, details: str | None, reasons: Mapping[int, str]) -> str:
    """The run's lifecycleDetails, with the container's exit code explained ("<what> failed: …")."""
    text = (details or "").strip()
    match = _EXIT_CODE.search(text)
    if match:
        code = int(match.group(1))
        reason = reasons.get(code)
        if reason:
            return f"{what} failed: {reason} (exit code {code})."
    return f"{what} failed: {text}" if text else f"{what} failed (OCI gave no reason); open the logs."


def job_message(
    state: FineTuneState,
    run: Any | None,
    *,
    reason: Callable[[str], str],
    gone: str,
    shape: str | None,
    running: str,
    succeeded: str,
) -> str:
    """A job's state message: why it FAILED (its run `gone`, OCI's attention, else the `reason` its
    container's exit code gives), waiting for OCI to start the run on `shape`, `running`, `succeeded`."""
    details = (getattr(run, "lifecycle_details", None) or "").strip()
    if state == S.FAILED:
        if run is None or getattr(run, "lifecycle_state", None) == "DELETED":
            return gone
        if run.lifecycle_state == "NEEDS_ATTENTION":
            return f"OCI reports that the job run needs attention{': ' + details if details else ''}."
        return reason(details)
    if state == S.ACCEPTED:
        return f"Waiting for OCI to start the job run on {shape or 'its shape'}"
    if state == S.IN_PROGRESS:
        return running
    return {S.SUCCEEDED: succeeded, S.CANCELING: "Canceling the job run", S.CANCELED: "Canceled"}[state]


def eta_seconds(run: Any | None, progress: float, now: datetime) -> float | None:
    """Seconds left at the pace since the run started (None before it started, or with no progress yet)."""
    started = getattr(run, "time_started", None)
    if started is None or not 0 < progress < 1:
        return None
    elapsed = max(0.0, (now - aware(started)).total_seconds())
    return round(elapsed * (1 - progress) / progress, 1)


def run_times(created_at: datetime, run: Any | None, state: FineTuneState) -> tuple[datetime | None, datetime]:
    """(finished_at once the state is final, updated_at: the latest of the creation and the run's stamps)."""
    started, finished = getattr(run, "time_started", None), getattr(run, "time_finished", None)
    finished_at = aware(finished) if finished is not None and state in FINAL_FINETUNE_STATES else None
    stamps = [created_at] + [aware(t) for t in (getattr(run, "time_accepted", None), started, finished) if t]
    return finished_at, max(stamps)


def job_fields(
    facts: Any, run: Any | None, state: FineTuneState, message: str, failure_log: list[str] | None
) -> dict[str, Any]:
    """The detail fields every OCI job has (a fine-tune, an evaluation): what its facts name (`name`,
    `description`, `dataset_path`, `dataset_hash`, `params`, `created_at`, `job_id`, `run_id`), its state,
    the run's stamps, and the last lines of its log once it FAILED."""
    finished_at, updated_at = run_times(facts.created_at, run, state)
    return {
        "name": facts.name,
        "description": facts.description,
        "state": state,
        "state_message": message,
        "dataset_path": facts.dataset_path,
        "dataset_hash": facts.dataset_hash,
        "params": facts.params,
        "created_at": facts.created_at,
        "updated_at": updated_at,
        "finished_at": finished_at,
        "job_id": facts.job_id,
        "job_run_id": facts.run_id,
        "failure_log": (failure_log or []) if state == S.FAILED else [],
    }
