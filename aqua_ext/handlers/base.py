"""Shared handler plumbing: the one error shape, request parsing, JSON replies.

Handlers stay thin: parse → call a service → serialize. They never touch a backend (a target's
driver): the services route each request to the target that owns the resource.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from pydantic import BaseModel, ValidationError
from tornado import web

from ..api.common import ErrorBody, FieldError
from ..api.job_datasets import DEFAULT_MAX_BYTES, DatasetAccess
from ..errors import AquaError, InvalidInput, NotFound, storage_error
from ..services import Services
from ..services.oci_setup import setup_check_for
from ..services.operations import OperationRegistry

if TYPE_CHECKING:
    from ..app import AquaExtension

M = TypeVar("M", bound=BaseModel)


def _field_errors(exc: ValidationError, prefix: str) -> list[FieldError]:
    fields = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        message = err["msg"].removeprefix("Value error, ")
        # A model-level validator names its field at the start of the message ("path: required ...").
        if not loc and ": " in message:
            field, message = message.split(": ", 1)
            loc = [field]
        fields.append(
            FieldError(field=".".join([prefix, *loc]) if prefix else ".".join(loc) or prefix, message=message)
        )
    return fields


class AquaHandler(ExtensionHandlerMixin, APIHandler):
    request_id: str

    async def prepare(self) -> None:  # type: ignore[override]  # as APIHandler.prepare, which drops a private flag
        self.request_id = uuid.uuid4().hex[:16]
        self.set_header("X-Request-Id", self.request_id)
        await super().prepare()

    @property
    def aqua(self) -> AquaExtension:
        return self.settings["aqua_app"]

    @property
    def services(self) -> Services:
        return self.aqua.services

    @property
    def operations(self) -> OperationRegistry:
        return self.aqua.operations

    def dataset_access(self) -> DatasetAccess:
        """Datasets are files inside the Jupyter root, under a size limit."""
        root = Path(self.settings.get("server_root_dir") or self.serverapp.root_dir)
        return DatasetAccess(root=root, max_bytes=int(self.settings.get("aqua_dataset_max_bytes", DEFAULT_MAX_BYTES)))

    # ---- input -----------------------------------------------------------

    def parse_body(self, model: type[M]) -> M:
        try:
            text = (self.request.body or b"null").decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput(
                f"The request body is not UTF-8 text (byte {exc.start}).",
                fields=[FieldError(field="body", message="must be JSON encoded as UTF-8")],
            ) from None
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput(
                f"The request body is not valid JSON (line {exc.lineno}, column {exc.colno}).",
                fields=[FieldError(field="body", message=exc.msg)],
            ) from None
        if not isinstance(raw, dict):
            raise InvalidInput.field("body", "expected a JSON object")
        try:
            return model.model_validate(raw)
        except ValidationError as exc:
            fields = _field_errors(exc, "")
            raise InvalidInput("; ".join(f"{f.field}: {f.message}" for f in fields), fields=fields) from None

    def parse_query(self, model: type[M]) -> M:
        raw: dict[str, Any] = {}
        for name in self.request.query_arguments:
            value = self.get_query_argument(name)
            # `token` is Jupyter's own auth parameter; an empty value means "not set".
            if name == "token" or value == "":
                continue
            raw[name] = value
        try:
            return model.model_validate(raw)
        except ValidationError as exc:
            fields = _field_errors(exc, "query")
            raise InvalidInput("; ".join(f"{f.field}: {f.message}" for f in fields), fields=fields) from None

    # ---- output ----------------------------------------------------------

    def reply(self, model: BaseModel | None, status: int = 200) -> None:
        self.set_status(status)
        if model is None:
            self.finish()
        else:
            self.finish(model.model_dump_json())

    def _handle_request_exception(self, e: BaseException) -> None:
        # A full disk at any write point is a 507 naming the cause, not an unexpected 500.
        e = e if isinstance(e, AquaError) else (storage_error(e) or e)
        if isinstance(e, AquaError):
            if e.status >= 500:
                self.log.warning("%s %s → %s: %s", self.request.method, self.request.path, e.status, e.message)
            self.send_error(e.status, exc_info=(type(e), e, e.__traceback__))
            return
        super()._handle_request_exception(e)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(self.error_body(status_code, **kwargs).model_dump_json(exclude_none=True))

    def error_body(self, status_code: int, **kwargs: Any) -> ErrorBody:
        """The one error shape, for `write_error` (and a route that adds to it)."""
        exc = kwargs.get("exc_info", (None, None, None))[1]
        fields, setup_check = None, None
        if isinstance(exc, AquaError):
            message, reason, fields = exc.message, exc.reason, exc.fields
            setup_check = setup_check_for(exc)
        elif isinstance(exc, web.HTTPError):
            message = exc.log_message % exc.args if exc.log_message and exc.args else (exc.log_message or "")
            reason = exc.reason or self._reason
            message = message or reason
        else:
            # Never a traceback in a reply: the log has it, the user gets the id to find it.
            reason = self._reason
            message = f"Unexpected server error; the Jupyter server log has the details (request {self.request_id})."
        return ErrorBody(
            status=status_code,
            message=message,
            reason=reason,
            fields=fields,
            request_id=getattr(self, "request_id", ""),
            setup_check=setup_check,
        )


class UnknownRouteHandler(AquaHandler):
    """Registered last: any other path under aqua-ext/ answers the one error shape (404),
    not Jupyter's HTML page. Authenticated like every route: without a token it is a 403."""

    @web.authenticated
    def get(self) -> None:
        raise NotFound(f"No route {self.request.method} {self.request.path}; the OpenAPI document lists the routes.")

    post = put = patch = delete = get
