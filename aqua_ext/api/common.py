"""Building blocks shared by the contract's models."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ApiModel(BaseModel):
    """Base of every contract model: unknown fields are rejected, not ignored,
    so a typo in a request body is a 400 naming the field."""

    # Responses always carry every field, so the generated TypeScript types mark them
    # required; request bodies keep their defaults optional.
    model_config = ConfigDict(extra="forbid", populate_by_name=True, json_schema_serialization_defaults_required=True)


class FieldError(ApiModel):
    """One problem with one input field, addressed by a dotted path (`hf_id`,
    `body.path`, `query.limit`) or, for uploaded files, a line number."""

    field: str
    message: str


class ErrorBody(ApiModel):
    """The one error shape every handler answers with."""

    status: int
    message: str
    reason: str
    fields: list[FieldError] | None = None
    request_id: str
