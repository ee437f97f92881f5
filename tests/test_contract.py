"""The contract, the handlers and the generated files agree."""

from __future__ import annotations

import re

from tornado.web import RequestHandler

from aqua_ext.api import openapi
from aqua_ext.api.routes import ROUTES
from aqua_ext.handlers import routes
from aqua_ext.handlers.base import UnknownRouteHandler


def test_committed_openapi_document_is_fresh() -> None:
    assert openapi.main(["--check"]) == 0, "schema/api/openapi.json is stale: run python -m aqua_ext.api.openapi"


def test_handlers_serve_exactly_the_contract_routes() -> None:
    served: set[tuple[str, str]] = set()
    for pattern, handler in routes():
        if handler is UnknownRouteHandler:  # the catch-all 404, registered last
            continue
        path = re.sub(r"\(\[\^/\]\+\)", "{}", pattern)
        for verb in ("get", "post", "put", "patch", "delete"):
            # Inherited verbs count (the OpenAI pass-through shares one post).
            if getattr(handler, verb) is not getattr(RequestHandler, verb):
                served.add((verb.upper(), path))
    declared = {(r.method, re.sub(r"{\w+}", "{}", r.path)) for r in ROUTES}
    assert served == declared


def test_operation_ids_are_unique() -> None:
    ids = [r.operation_id for r in ROUTES]
    assert len(ids) == len(set(ids))
