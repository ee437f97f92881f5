"""What the mappings of OCI fine-tuning and evaluation jobs share (pure: no SDK calls): the
`Hyperparameters` metadatum, a job run's state and exit code read the same way,
and the run's timestamps on the entity."""

from __future__ import annotations

import json
import re
from collections.abc import Container, Mapping
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .mapping import aware

HYPERPARAMETERS = "Hyperparameters"

_EXIT_CODE = re.compile(r"exit code (\d+)")

S = TypeVar("S")
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


def run_state(run_state: str, states: type[S], failed: S) -> S:
    """An existing job run's state → ours: NEEDS_ATTENTION (and anything unknown) is a failure."""
    if run_state == "NEEDS_ATTENTION":
        return failed
    try:
        return states(run_state)  # type: ignore[call-arg]
    except ValueError:
        return failed


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


def attention_message(details: str) -> str:
    return f"OCI reports that the job run needs attention{': ' + details if details else ''}."


def waiting_message(shape: str | None) -> str:
    return f"Waiting for OCI to start the job run on {shape or 'its shape'}"


def run_times(
    created_at: datetime, run: Any | None, state: Any, final_states: Container[Any]
) -> tuple[datetime | None, datetime]:
    """(finished_at once the state is final, updated_at: the latest of the creation and the run's stamps)."""
    started, finished = getattr(run, "time_started", None), getattr(run, "time_finished", None)
    finished_at = aware(finished) if finished is not None and state in final_states else None
    stamps = [created_at] + [aware(t) for t in (getattr(run, "time_accepted", None), started, finished) if t]
    return finished_at, max(stamps)
