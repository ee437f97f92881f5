"""Building blocks shared by the contract's models."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict


class ApiModel(BaseModel):
    """Base of every contract model: unknown fields are rejected, not ignored,
    so a typo in a request body is a 400 naming the field."""

    # Responses always carry every field, so the generated TypeScript types mark them
    # required; request bodies keep their defaults optional.
    model_config = ConfigDict(extra="forbid", populate_by_name=True, json_schema_serialization_defaults_required=True)


M = TypeVar("M")


def not_blank(value: str) -> str:
    """A field validator (`_name_not_blank = field_validator("name")(not_blank)`): stripped, never blank."""
    if not value.strip():
        raise ValueError("must not be blank")
    return value.strip()


def log_pair(model: M) -> M:
    """A model validator (`_log_pair = model_validator(mode="after")(log_pair)`): an OCI log is named by
    both `log_group_id` and `log_id`, or not at all."""
    target: Any = model
    if bool(target.log_group_id) != bool(target.log_id):
        raise ValueError("log_id: a log needs both log_group_id and log_id")
    return model


class FieldError(ApiModel):
    """One problem with one input field, addressed by a dotted path (`hf_id`,
    `body.path`, `query.limit`) or, for uploaded files, a line number."""

    field: str
    message: str


class TargetProblem(ApiModel):
    """A target that could not answer a merged list (it did not start, or OCI failed): the list
    still holds every other target's items."""

    target: str
    message: str


class ErrorBody(ApiModel):
    """The one error shape every handler answers with."""

    status: int
    message: str
    reason: str
    fields: list[FieldError] | None = None
    request_id: str
