"""Building blocks shared by the contract's models."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


class ApiModel(BaseModel):
    """Base of every contract model: unknown fields are rejected, not ignored,
    so a typo in a request body is a 400 naming the field."""

    # Responses always carry every field, so the generated TypeScript types mark them
    # required; request bodies keep their defaults optional.
    model_config = ConfigDict(extra="forbid", populate_by_name=True, json_schema_serialization_defaults_required=True)


M = TypeVar("M")


# What a validator checks, written into the OpenAPI document too (as `json_schema_extra`), so the
# document is never looser than the server; the validator keeps its clearer message.
NOT_BLANK_SCHEMA: dict[str, Any] = {"pattern": r"\S"}  # holds a character other than whitespace


def padded(pattern: str) -> str:
    """`^…$` of a value the validator strips first, as the document says it: blanks around allowed."""
    return r"^\s*" + pattern.removeprefix("^").removesuffix("$") + r"\s*$"


def not_blank(value: str) -> str:
    """A field validator (`_name_not_blank = field_validator("name")(not_blank)`): stripped, never blank."""
    if not value.strip():
        raise ValueError("must not be blank")
    return value.strip()


def strings_matching(pattern: str) -> dict[str, Any]:
    """The document's word for a list whose every item matches `pattern` (a field's `json_schema_extra`)."""
    return {"items": {"type": "string", "pattern": pattern}}


def each_matching(pattern: str, problem: str) -> Callable[[list[str]], list[str]]:
    """A field validator for the same list (`_x = field_validator("params")(each_matching(P, "is …"))`):
    an item that does not match is named (its first 50 characters) with `problem`."""

    def check(value: list[str]) -> list[str]:
        for item in value:
            if not re.match(pattern, item):
                raise ValueError(f"'{item[:50]}' {problem}")
        return value

    return check


def log_pair(model: M) -> M:
    """A model validator (`_log_pair = model_validator(mode="after")(log_pair)`): an OCI log is named by
    both `log_group_id` and `log_id`, or not at all."""
    target: Any = model
    if bool(target.log_group_id) != bool(target.log_id):
        raise ValueError("log_id: a log needs both log_group_id and log_id")
    return model


_GIVEN = {"type": "string", "minLength": 1}
# log_pair as the document says it (a model's `json_schema_extra`): one given, then the other too.
# (if/then, not anyOf: generated TypeScript types ignore it instead of splitting the type.)
LOG_PAIR_SCHEMA: dict[str, Any] = {
    "allOf": [
        {
            "if": {"required": [one], "properties": {one: _GIVEN}},
            "then": {"required": [other], "properties": {other: _GIVEN}},
        }
        for one, other in (("log_group_id", "log_id"), ("log_id", "log_group_id"))
    ]
}


NAME_MAX_BYTES = 255  # the longest file or folder name POSIX file systems take (NAME_MAX)
PATH_MAX_BYTES = 4096  # the longest path they take (PATH_MAX)


def _path_fits(value: str) -> str:
    """A path the file system can take: a NUL byte or an over-long name is bad input, not an OSError."""
    if "\x00" in value:
        raise ValueError("must not contain a NUL byte")
    if len(value.encode("utf-8")) > PATH_MAX_BYTES:
        raise ValueError(f"must be at most {PATH_MAX_BYTES} bytes long")
    longest = max((len(name.encode("utf-8")) for name in value.split("/")), default=0)
    if longest > NAME_MAX_BYTES:
        raise ValueError(f"a name in the path is {longest} bytes long; file systems take at most {NAME_MAX_BYTES}")
    return value


# Every path a request names (a dataset, a model folder): no NUL byte (no file system takes one),
# at most 4096 bytes (PATH_MAX), each name between slashes at most 255 bytes (NAME_MAX).
UserPath = Annotated[
    str,
    Field(
        min_length=1,
        max_length=PATH_MAX_BYTES,
        json_schema_extra={"pattern": r"^[^\x00]*$"},  # checked by _path_fits, with a clearer message
        description=f"A file system path: no NUL byte, at most {PATH_MAX_BYTES} bytes, each name between slashes "
        f"at most {NAME_MAX_BYTES} bytes.",
    ),
    AfterValidator(_path_fits),
]


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
    """The one error shape every handler answers with. `fields` is left out when no field is to blame,
    `setup_check` when the failure is no authorization refusal."""

    # Sent with exclude_none: the document must not call `fields` required.
    model_config = ConfigDict(json_schema_serialization_defaults_required=False)

    status: int
    message: str
    reason: str
    fields: list[FieldError] | None = None
    request_id: str
    # An authorization refusal by the cloud: the key of the OCI setup check (GET oci/setup) that covers it.
    setup_check: str | None = None
