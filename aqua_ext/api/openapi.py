"""Build `schema/api/openapi.json` from the contract.

python -m aqua_ext.api.openapi          # rewrite the committed file
python -m aqua_ext.api.openapi --check  # exit 1 when it is stale
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from .common import ErrorBody
from .routes import ROUTES

OPENAPI_PATH = Path(__file__).resolve().parents[2] / "schema" / "api" / "openapi.json"
REF_TEMPLATE = "#/components/schemas/{model}"


def _version() -> str:
    package_json = Path(__file__).resolve().parents[2] / "package.json"
    return json.loads(package_json.read_text())["version"] if package_json.exists() else "0"


def build_document() -> dict[str, Any]:
    # Responses are described as they are serialized, request bodies as they are validated.
    response_models = {ErrorBody} | {r.response for r in ROUTES if r.response is not None}
    bodies = {r.body for r in ROUTES if r.body is not None}
    by_name = lambda m: m.__name__  # noqa: E731
    keyed: list[tuple[type[BaseModel], Any]] = [(m, "serialization") for m in sorted(response_models, key=by_name)]
    keyed += [(m, "validation") for m in sorted(bodies, key=by_name)]
    _, defs = models_json_schema(keyed, ref_template=REF_TEMPLATE)
    schemas = dict(sorted(defs.get("$defs", {}).items()))

    paths: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        op: dict[str, Any] = {"operationId": route.operation_id, "summary": route.summary}
        params = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in re.findall(r"{(\w+)}", route.path)
        ]
        if route.query is not None:
            query_schema = route.query.model_json_schema(ref_template=REF_TEMPLATE)
            for name, prop in query_schema["properties"].items():
                params.append(
                    {"name": name, "in": "query", "required": name in query_schema.get("required", []), "schema": prop}
                )
        if params:
            op["parameters"] = params
        if route.body is not None:
            op["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": REF_TEMPLATE.format(model=route.body.__name__)}}},
            }
        responses: dict[str, Any] = {}
        if route.response is None and route.media_type == "application/json":
            responses[str(route.status)] = {"description": "No content"}
        elif route.response is None:
            responses[str(route.status)] = {"description": "OK", "content": {route.media_type: {}}}
        else:
            responses[str(route.status)] = {
                "description": "OK",
                "content": {route.media_type: {"schema": {"$ref": REF_TEMPLATE.format(model=route.response.__name__)}}},
            }
        for code in route.errors:
            responses[str(code)] = {
                "description": "Error",
                "content": {"application/json": {"schema": {"$ref": REF_TEMPLATE.format(model="ErrorBody")}}},
            }
        op["responses"] = responses
        paths.setdefault(f"/aqua-ext/{route.path}", {})[route.method.lower()] = op

    return {
        "openapi": "3.1.0",
        "info": {"title": "aqua_ext REST API", "version": _version()},
        "paths": paths,
        "components": {"schemas": schemas},
    }


def render() -> str:
    return json.dumps(build_document(), indent=2, sort_keys=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the committed file is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if not OPENAPI_PATH.exists() or OPENAPI_PATH.read_text() != text:
            print(f"{OPENAPI_PATH} is stale: run python -m aqua_ext.api.openapi", file=sys.stderr)
            return 1
        return 0
    OPENAPI_PATH.parent.mkdir(parents=True, exist_ok=True)
    OPENAPI_PATH.write_text(text)
    print(f"wrote {OPENAPI_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
