"""Connections in and out of Oracle Digital Assistant's YAML (seed 002):

    exportedRestServices:
      - endpoint: https://inference.generativeai.us-chicago-1.oci.oraclecloud.com/20231130/actions/generateText
        name: genAI_cohere
        authType: resourcePrincipal
        restServiceMethods:
          - {restServiceMethodType: POST, contentType: application/json, statusCode: 200,
             methodIncrementId: 0, requestBody: "{…}", mockResponsePayload: "{…}", restServiceParams: []}

ODA's file says where the service is and how it is called; our kind, base URL, models, compartment
and capability are read from that (the endpoint's host and path, the request body). What ODA's format
has no key for (headers, timeouts, a model list that differs from the body's, a method's sample error
payload …) goes in an `x-aqua-ext` mapping of the entry or of the method, which ODA does not read,
so that an export imports back unchanged: parse_services(dump_services(x)) == x.

A document is untrusted input: its size is bounded, anchors and aliases are refused (PyYAML's
safe_load expands them without limit: a few lines can make billions of nodes), and so is deep nesting."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml  # type: ignore[import-untyped,unused-ignore]  # PyYAML ships no types; types-PyYAML is not installed
from pydantic import ValidationError

from ..api.connections import (
    AuthType,
    Capability,
    ConnectionDetail,
    ConnectionFields,
    ConnectionKind,
    CreateConnectionRequest,
    RestMethod,
)
from ..errors import InvalidInput
from .connection_rules import check_fields

ROOT_KEY = "exportedRestServices"
EXTRA_KEY = "x-aqua-ext"  # ours, per entry and per method: what ODA's format has no key for
MAX_DOCUMENT_CHARS = 2_000_000
MAX_SERVICES = 500
MAX_DEPTH = 20  # seed 002 nests 4 deep; a payload written as YAML (not a JSON string) a few more

# ODA's authType values. Only `resourcePrincipal` is in seed 002; Oracle does not publish the others'
# spelling in the YAML, so import reads the names its UI shows in the usual spellings (case, `_`
# and `-` aside), and export writes the first of each.
_AUTH_FROM_ODA: dict[str, AuthType] = {
    "noauth": "none",
    "none": "none",
    "noauthentication": "none",
    "noauthenticationrequired": "none",
    "basicauth": "basic",
    "basic": "basic",
    "basicauthentication": "basic",
    "apikey": "api_key_header",
    "apikeyheader": "api_key_header",
    "bearertoken": "bearer",
    "bearer": "bearer",
    "resourceprincipal": "oci_resource_principal",
    "ociresourceprincipal": "oci_resource_principal",
    "ociapikey": "oci_api_key",
    "ociapikeysigning": "oci_api_key",
}
_AUTH_TO_ODA: dict[AuthType, str] = {
    "none": "noAuth",
    "basic": "basicAuth",
    "api_key_header": "apiKey",
    "bearer": "bearerToken",
    "oci_resource_principal": "resourcePrincipal",
    "oci_api_key": "ociApiKey",
}

# OCI Generative AI's inference actions (API version 20231130) and the capability each serves.
OCI_API = "20231130"
_OCI_ACTIONS: dict[str, Capability] = {
    "chat": "chat",
    "generateText": "completion",
    "summarizeText": "summarize",
    "embedText": "embedding",
    "rerankText": "rerank",
}
_COHERE_PATHS: dict[str, Capability] = {
    "/v1/chat": "chat",
    "/v2/chat": "chat",
    "/v1/generate": "completion",
    "/v1/summarize": "summarize",
    "/v1/embed": "embedding",
    "/v2/embed": "embedding",
    "/v1/rerank": "rerank",
    "/v2/rerank": "rerank",
}
# The OpenAI paths (after the base URL, or after /openai/deployments/{deployment} on Azure).
_OPENAI_PATHS: dict[str, Capability] = {
    "/chat/completions": "chat",
    "/completions": "completion",
    "/embeddings": "embedding",
}
_AZURE_PATH = re.compile(
    r"^/openai/deployments/(?P<deployment>[^/]+)(?P<op>/chat/completions|/completions|/embeddings)$"
)
# Where the answer is in the usual mock responses, for a REST service imported without a response path.
_KNOWN_ANSWER_PATHS = (
    "choices[0].message.content",
    "choices[0].text",
    "inferenceResponse.generatedTexts[0].text",
    "inferenceResponse.choices[0].text",
    "chatResponse.text",
    "chatResponse.choices[0].message.content[0].text",
    "generations[0].text",
    "message.content[0].text",
    "text",
    "summary",
)
# Our fields that ODA's entry carries by its own keys; every other field may go in x-aqua-ext.
_ODA_FIELDS = frozenset({"name", "description", "methods"})
_EXTRA_FIELDS = tuple(name for name in ConnectionFields.model_fields if name not in _ODA_FIELDS)


# --------------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------------


def parse_services(text: str) -> list[CreateConnectionRequest]:
    """The connections an ODA `exportedRestServices` document describes, checked (check_fields);
    InvalidInput naming the entry (index and name) and the key otherwise. Blocking for a large
    document (see load_document): the service calls it in a worker thread."""
    document = load_document(text)
    if not isinstance(document, dict):
        raise InvalidInput.field("yaml", f"the document must be a mapping with the key {ROOT_KEY}")
    entries = document.get(ROOT_KEY)
    if entries is None:
        raise InvalidInput.field(ROOT_KEY, "missing: the document has no services to import")
    if not isinstance(entries, list):
        raise InvalidInput.field(ROOT_KEY, "must be a list of services")
    if len(entries) > MAX_SERVICES:
        raise InvalidInput.field(ROOT_KEY, f"at most {MAX_SERVICES} services at once (got {len(entries)})")
    requests = []
    for index, entry in enumerate(entries):
        where = f"{ROOT_KEY}[{index}]"
        if not isinstance(entry, dict):
            raise InvalidInput.field(where, "must be a mapping (endpoint, name, authType, restServiceMethods …)")
        label = f"entry {index}" + (f" ({entry['name']})" if isinstance(entry.get("name"), str) else "")
        request = _request_of(entry, where, label)
        try:
            check_fields(request, secret_given=request.secret is not None)
        except InvalidInput as exc:
            field = exc.fields[0].field if exc.fields else ""
            message = exc.fields[0].message if exc.fields else exc.message
            raise InvalidInput.field(f"{where}.{_oda_key(field)}", f"{label}: {message}") from None
        requests.append(request)
    return requests


def load_document(text: str) -> Any:
    """The YAML document as plain data (safe types only); InvalidInput on `yaml` for a syntax error
    (with its line and column), anchors or aliases, nesting deeper than MAX_DEPTH, or too much text.
    Blocking (libyaml reads 2 MB in about half a second, pure Python in seconds): call it off the loop."""
    if len(text) > MAX_DOCUMENT_CHARS:
        raise InvalidInput.field("yaml", f"the document is over {MAX_DOCUMENT_CHARS:,} characters")
    try:
        # First the events alone (no node is built), so a bomb is refused before it can grow.
        _check_events(yaml.parse(text, Loader=_LOADER))
        return yaml.load(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        raise InvalidInput.field("yaml", f"not valid YAML{where}: {exc.problem or exc.context}") from None
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: an integer of more digits than Python converts
        raise InvalidInput.field("yaml", f"not valid YAML: {exc}") from None


# libyaml's parser when PyYAML was built with it (the wheels are), else PyYAML's own.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _check_events(events: Iterable[Any]) -> None:
    depth = 0
    for event in events:
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            # No expansion bombs, and no `<<` merges, which need an alias.
            raise _refusal(event, "anchors and aliases (&, *) are not accepted in an import")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _refusal(event, f"nested deeper than {MAX_DEPTH} levels")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _refusal(event: Any, problem: str) -> InvalidInput:
    mark = event.start_mark
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    return InvalidInput.field("yaml", f"{problem}{where}")


def _request_of(entry: dict[str, Any], where: str, label: str) -> CreateConnectionRequest:
    fields = _inferred(entry, where, label)
    extra = entry.get(EXTRA_KEY)
    extra = {} if extra is None else extra
    if not isinstance(extra, dict):
        raise InvalidInput.field(f"{where}.{EXTRA_KEY}", f"{label}: must be a mapping of aqua_ext's fields")
    unknown = sorted(str(key) for key in extra if key not in _EXTRA_FIELDS and key != "secret")
    if unknown:
        raise InvalidInput.field(
            f"{where}.{EXTRA_KEY}.{unknown[0]}", f"{label}: not a field of a connection ({', '.join(_EXTRA_FIELDS)})"
        )
    fields.update(extra)  # ours overrides what was read from ODA's keys
    try:
        return CreateConnectionRequest.model_validate(fields)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(f"[{part}]" if isinstance(part, int) else str(part) for part in error["loc"]).replace(
            ".[", "["
        )
        raise InvalidInput.field(f"{where}.{_oda_key(field)}", f"{label}: {error['msg']}") from None


def _inferred(entry: dict[str, Any], where: str, label: str) -> dict[str, Any]:
    """Our fields as ODA's keys say them (before x-aqua-ext)."""
    name = _text(entry, "name", where, label, required=True)
    endpoint = _text(entry, "endpoint", where, label, required=True).strip()
    auth_name = entry.get("authType", "noAuth")
    auth = _AUTH_FROM_ODA.get(re.sub(r"[^a-z]", "", str(auth_name).lower())) if isinstance(auth_name, str) else None
    if auth is None:
        known = ", ".join(_AUTH_TO_ODA.values())
        raise InvalidInput.field(f"{where}.authType", f"{label}: unknown authType {auth_name!r} (known: {known})")
    raw_methods = entry.get("restServiceMethods")
    raw_methods = [] if raw_methods is None else raw_methods
    if not isinstance(raw_methods, list):
        raise InvalidInput.field(f"{where}.restServiceMethods", f"{label}: must be a list of methods")
    methods = [_method_of(m, f"{where}.restServiceMethods[{i}]", label) for i, m in enumerate(raw_methods)]
    fields: dict[str, Any] = {"name": name, "endpoint": endpoint, "auth_type": auth, "methods": methods}
    if "description" in entry:
        fields["description"] = _text(entry, "description", where, label)
    fields.update(_from_endpoint(endpoint))
    body = _json_object(methods[0]["request_body"]) if methods else None
    if body is not None:
        fields.update(_from_body(fields["kind"], body))
    if fields["kind"] == "rest" and methods:
        mock = _json_object(methods[0]["mock_response"])
        found = next((path for path in _KNOWN_ANSWER_PATHS if mock and _has_path(mock, path)), None)
        if found:
            fields["response_path"] = found
    return fields


def _method_of(raw: Any, where: str, label: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise InvalidInput.field(where, f"{label}: a method must be a mapping")
    method: dict[str, Any] = {
        "method": str(raw.get("restServiceMethodType", "POST")).upper(),
        "content_type": str(raw.get("contentType", "application/json")),
        "status_code": raw.get("statusCode", 200),
        "request_body": _payload(raw, "requestBody", where, label),
        "mock_response": _payload(raw, "mockResponsePayload", where, label),
    }
    params = raw.get("restServiceParams")
    params = [] if params is None else params
    if not isinstance(params, list) or not all(isinstance(p, dict) for p in params):
        raise InvalidInput.field(f"{where}.restServiceParams", f"{label}: must be a list of mappings")
    for i, param in enumerate(params):
        for key, value in param.items():
            if isinstance(value, dict | list):
                raise InvalidInput.field(f"{where}.restServiceParams[{i}].{key}", f"{label}: must be a plain value")
    method["params"] = [{str(k): "" if v is None else str(v) for k, v in p.items()} for p in params]
    extra = raw.get(EXTRA_KEY)
    extra = {} if extra is None else extra
    if not isinstance(extra, dict) or any(key != "error_response" for key in extra):
        raise InvalidInput.field(f"{where}.{EXTRA_KEY}", f"{label}: a method's {EXTRA_KEY} holds error_response only")
    method["error_response"] = _payload(extra, "error_response", f"{where}.{EXTRA_KEY}", label)
    return method


def _from_endpoint(endpoint: str) -> dict[str, Any]:
    """The kind, base URL, capability (and on Azure the deployment and api-version) an ODA endpoint says.
    A URL is taken apart only where it is rebuilt the same (dump_services); else it is a `rest` URL."""
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    base = f"{parts.scheme}://{parts.netloc}"
    path = parts.path.rstrip("/")
    if parts.fragment or parts.username or parts.password:
        return {"kind": "rest"}
    if "generativeai" in host and host.endswith(".oraclecloud.com") and not parts.query:
        action = re.fullmatch(rf"/{OCI_API}/actions/(\w+)", path)
        if action and action.group(1) in _OCI_ACTIONS:
            return {"kind": "oci_genai", "endpoint": base, "capabilities": [_OCI_ACTIONS[action.group(1)]]}
    if host in ("api.cohere.ai", "api.cohere.com") and path in _COHERE_PATHS and not parts.query:
        return {"kind": "cohere", "endpoint": base, "capabilities": [_COHERE_PATHS[path]]}
    if host.endswith(".openai.azure.com"):
        query = parse_qs(parts.query)
        azure = _AZURE_PATH.match(path)
        if azure and list(query) == ["api-version"] and len(query["api-version"]) == 1:
            deployment = azure.group("deployment")
            return {
                "kind": "azure_openai",
                "endpoint": base,
                "api_version": query["api-version"][0],
                "models": [deployment],
                "default_model": deployment,
                "capabilities": [_OPENAI_PATHS[azure.group("op")]],
            }
    for suffix, capability in _OPENAI_PATHS.items():
        if path.endswith(suffix) and not parts.query:
            return {"kind": "openai", "endpoint": base + path.removesuffix(suffix), "capabilities": [capability]}
    return {"kind": "rest"}


def _from_body(kind: ConnectionKind, body: dict[str, Any]) -> dict[str, Any]:
    """The models (and on OCI the compartment and serving mode) a sample request body names."""
    found: dict[str, Any] = {}
    if kind == "oci_genai":
        if isinstance(body.get("compartmentId"), str):
            found["compartment_id"] = body["compartmentId"]
        serving = body.get("servingMode")
        if isinstance(serving, dict):
            if serving.get("servingType") in ("ON_DEMAND", "DEDICATED"):
                found["serving_mode"] = serving["servingType"]
            # DEDICATED names an endpoint's OCID where ON_DEMAND names a model.
            model = serving.get("endpointId") if serving.get("servingType") == "DEDICATED" else serving.get("modelId")
            if isinstance(model, str) and model:
                found["models"], found["default_model"] = [model], model
    elif kind in ("openai", "cohere") and isinstance(body.get("model"), str) and body["model"]:
        found["models"], found["default_model"] = [body["model"]], body["model"]
    return found


def _text(entry: dict[str, Any], key: str, where: str, label: str, *, required: bool = False) -> str:
    value = entry.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInput.field(f"{where}.{key}", f"{label}: {key} is missing")
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise InvalidInput.field(f"{where}.{key}", f"{label}: must be text")
    return str(value)


def _payload(raw: dict[str, Any], key: str, where: str, label: str) -> str:
    """A payload as its JSON text: ODA writes a string; a mapping written as YAML is taken as JSON too."""
    value = raw.get(key)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        try:
            return json.dumps(value, indent=4, ensure_ascii=False)
        except (TypeError, ValueError):  # a YAML date or set has no JSON form
            pass
    raise InvalidInput.field(f"{where}.{key}", f"{label}: must be a JSON text")


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text) if text.strip() else None
    except json.JSONDecodeError:
        return None  # check_fields names it, with its line and column
    return value if isinstance(value, dict) else None


def _has_path(value: Any, path: str) -> bool:
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        if name:
            if not isinstance(value, dict) or name not in value:
                return False
            value = value[name]
        else:
            if not isinstance(value, list) or int(index) >= len(value):
                return False
            value = value[int(index)]
    return isinstance(value, str)


def _oda_key(field: str) -> str:
    """Our field path as the document spells it: methods[0].request_body -> restServiceMethods[0].requestBody."""
    method = re.match(r"^methods\[(\d+)\]\.?(\w*)(.*)$", field)
    if method:
        index, name, rest = method.groups()
        oda = {
            "request_body": "requestBody",
            "mock_response": "mockResponsePayload",
            "error_response": f"{EXTRA_KEY}.error_response",
            "content_type": "contentType",
            "status_code": "statusCode",
            "method": "restServiceMethodType",
            "params": "restServiceParams",
        }.get(name, name)
        return f"restServiceMethods[{index}]" + (f".{oda}" if oda else "") + rest
    head = re.split(r"[.\[]", field, maxsplit=1)[0]
    if head in ("name", "endpoint", "description"):
        return field
    if head == "auth_type":
        return "authType"
    if head == "methods":
        return "restServiceMethods"
    return f"{EXTRA_KEY}.{field}" if field else field


# --------------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------------


def dump_services(items: Sequence[tuple[ConnectionFields | ConnectionDetail, str | None]]) -> str:
    """The connections as an ODA `exportedRestServices` document. A secret is written (under the entry's
    x-aqua-ext) only where one is given: the caller passes secrets only when the user asked for them."""
    entries = [_entry_of(_fields_of(connection), secret) for connection, secret in items]
    text: str = yaml.dump(
        {ROOT_KEY: entries}, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000, default_flow_style=False
    )
    return text


def _fields_of(connection: ConnectionFields | ConnectionDetail) -> ConnectionFields:
    if isinstance(connection, ConnectionFields):
        return connection
    return ConnectionFields.model_validate(connection.model_dump(include=set(ConnectionFields.model_fields)))


def _entry_of(fields: ConnectionFields, secret: str | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"endpoint": _oda_endpoint(fields), "name": fields.name}
    if fields.description:
        entry["description"] = fields.description
    entry["authType"] = _AUTH_TO_ODA[fields.auth_type]
    entry["restServiceMethods"] = [_oda_method(i, m) for i, m in enumerate(fields.methods)]
    # Only what ODA's keys do not already say: what import would read back differently goes here.
    inferred = CreateConnectionRequest.model_validate(_inferred(entry, "", ""))
    wanted = fields.model_dump()
    got = inferred.model_dump()
    extra = {name: wanted[name] for name in _EXTRA_FIELDS if wanted[name] != got[name]}
    if secret is not None:
        extra["secret"] = secret
    if extra:
        entry[EXTRA_KEY] = extra
    return entry


def _oda_endpoint(fields: ConnectionFields) -> str:
    """The full URL ODA calls: our base URL with the path of the connection's first capability."""
    base = fields.endpoint.rstrip("/")
    capability = fields.capabilities[0]
    if fields.kind == "oci_genai":
        action = next((a for a, c in _OCI_ACTIONS.items() if c == capability), None)
        return f"{base}/{OCI_API}/actions/{action}" if action else fields.endpoint
    if fields.kind == "cohere":
        path = next((p for p, c in _COHERE_PATHS.items() if c == capability), None)
        return base + path if path else fields.endpoint
    openai_path = next((p for p, c in _OPENAI_PATHS.items() if c == capability), None)
    if fields.kind == "azure_openai":
        deployment = fields.default_model or (fields.models[0] if fields.models else None)
        if deployment and openai_path and fields.api_version:
            return f"{base}/openai/deployments/{deployment}{openai_path}?api-version={fields.api_version}"
        return fields.endpoint
    if fields.kind == "openai" and openai_path:
        return base + openai_path
    return fields.endpoint


def _oda_method(index: int, method: RestMethod) -> dict[str, Any]:
    out: dict[str, Any] = {
        "restServiceMethodType": method.method,
        "contentType": method.content_type,
        "statusCode": method.status_code,
        "methodIncrementId": index,
        "requestBody": method.request_body,
        "mockResponsePayload": method.mock_response,
        "restServiceParams": [dict(p) for p in method.params],
    }
    if method.error_response:
        out[EXTRA_KEY] = {"error_response": method.error_response}
    return out


class _Dumper(yaml.SafeDumper):  # type: ignore[misc,unused-ignore]
    """Payloads as ODA writes them (literal blocks, `|-`), and never an anchor (import refuses them)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> Any:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_presenter)
