"""Checks the emulator's responses against the `oci` SDK's models (the pinned SDK is the spec we have).

``response_type(service, operation)`` reads the SDK client method's ``response_type`` from its source (e.g.
``GetJobRun`` -> ``"JobRun"``, ``ListModels`` -> ``"list[ModelSummary]"``, ``DeleteModel`` -> None: no body).
``violations(service, operation, body)`` walks a response body through that type: every key must be a field of
the model (its ``attribute_map``), fields whose getter docstring says ``**[Required]**`` must be present and not
null, enum values must be in the setter's ``allowed_values``, and each value must have its ``swagger_types``
type (polymorphic models are resolved with the SDK's own ``get_subtype``). The SDK itself only maps a bad enum
to ``UNKNOWN_ENUM_VALUE`` and a missing field to None, so none of this shows up without the check.

``error_violations(...)`` checks one error answer as it went on the wire (``emu.error_log``): OCI's envelope
``{"code", "message"}`` as JSON, an ``opc-request-id`` header, and a code OCI sends with that status
(``ERROR_STATUS``, from OCI's API Errors page).
"""

from __future__ import annotations

import functools
import inspect
import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import oci

# Emulator service prefix -> the SDK clients whose operations it serves.
CLIENTS: dict[str, tuple[type, ...]] = {
    "datascience": (oci.data_science.DataScienceClient,),
    "objectstorage": (oci.object_storage.ObjectStorageClient,),
    "identity": (oci.identity.IdentityClient,),
    "logging": (oci.loggingsearch.LogSearchClient, oci.logging.LoggingManagementClient),
    "search": (oci.resource_search.ResourceSearchClient,),
    "limits": (oci.limits.LimitsClient,),
    "modeldeployment": (oci.model_deployment.ModelDeploymentClient,),
    "generativeai": (oci.generative_ai.GenerativeAiClient,),
    "generativeaiinference": (oci.generative_ai_inference.GenerativeAiInferenceClient,),
}


def _unversioned(obj: dict) -> bool:
    return not obj.get("modelVersionSetId")


# Fields the SDK's docstrings mark **[Required]** that OCI leaves null while the feature they describe is unused
# (the SDK's own docs say what they are "associated to"; a model outside a version set has no version). Each
# entry: (SDK model, JSON field) -> (when null is allowed, why). Everything else the SDK marks required must be
# there and not null.
NULL_WHEN_UNUSED: dict[tuple[str, str], tuple[Any, str]] = {
    **{
        (model, field): (_unversioned, "the model belongs to no model version set")
        for model in ("Model", "ModelSummary")
        for field in ("modelVersionSetId", "modelVersionSetName", "versionId", "versionLabel")
    },
    **{
        ("Model", field): (lambda obj: True, "the model was created without backup / retention settings")
        for field in ("backupSetting", "retentionSetting", "backupOperationDetails", "retentionOperationDetails")
    },
    ("Model", "lifecycleDetails"): (
        lambda obj: obj.get("lifecycleState") in ("ACTIVE", "INACTIVE", "DELETED"),
        "nothing is in progress (the emulator sets it during a delete; OCI's wording at rest is unknown)",
    ),
    ("ModelVersionSet", "description"): (lambda obj: True, "it was created without a description (optional)"),
    # Generative AI's generateText (COHERE runtime): seed 002's real answers carry no likelihood when the request
    # asked for none (returnLikelihoods NONE, the default), though the SDK marks it required.
    ("GeneratedText", "likelihood"): (lambda obj: True, "the request asked for no likelihoods"),
}


def _snake(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


@functools.cache
def sdk_method(service: str, operation: str) -> tuple[type, str]:
    """(client class, method name) of an emulated operation; KeyError when the SDK has no such operation."""
    name = _snake(operation)
    for client in CLIENTS[service]:
        if hasattr(client, name):
            return client, name
    raise KeyError(f"{service}:{operation} is no operation of {[c.__name__ for c in CLIENTS[service]]}")


@functools.cache
def response_type(service: str, operation: str) -> str | None:
    client, name = sdk_method(service, operation)
    found = re.search(r'response_type="([^"]+)"', inspect.getsource(getattr(client, name)))
    return found.group(1) if found else None


@functools.cache
def _models(service: str) -> dict[str, type]:
    mappings: dict[str, type] = {}
    for client in CLIENTS[service]:
        module = inspect.getmodule(client)
        assert module is not None
        package = module.__name__.rsplit(".", 1)[0]
        mappings.update(__import__(f"{package}.models", fromlist=["models"]).__dict__)
    return {k: v for k, v in mappings.items() if inspect.isclass(v)}


@functools.cache
def _required(cls: type, attr: str) -> bool:
    return "**[Required]**" in (getattr(cls, attr).__doc__ or "")


@functools.cache
def _allowed(cls: type, attr: str) -> tuple[str, ...] | None:
    setter = getattr(cls, attr).fset
    found = re.search(r"allowed_values = \[([^\]]*)\]", inspect.getsource(setter)) if setter else None
    return tuple(re.findall(r'"([^"]*)"', found.group(1))) if found else None


def _check(service: str, value: Any, kind: str, where: str, out: list[str]) -> None:
    if value is None:
        return
    if kind.startswith("list["):
        if not isinstance(value, list):
            out.append(f"{where}: {type(value).__name__}, expected {kind}")
            return
        for i, item in enumerate(value):
            _check(service, item, kind[5:-1], f"{where}[{i}]", out)
        return
    if kind.startswith("dict("):
        if not isinstance(value, dict):
            out.append(f"{where}: {type(value).__name__}, expected {kind}")
            return
        inner = kind[5:-1].split(", ", 1)[1]
        for key, item in value.items():
            _check(service, item, inner, f"{where}.{key}", out)
        return
    simple = {"str": str, "int": int, "float": (int, float), "bool": bool, "object": object}
    if kind in simple:
        if not isinstance(value, simple[kind]) or (kind in ("int", "float") and isinstance(value, bool)):
            out.append(f"{where}: {value!r} is not {kind}")
        return
    if kind in ("datetime", "date"):
        try:
            datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            out.append(f"{where}: {value!r} is not an RFC 3339 {kind}")
        return
    _check_model(service, value, kind, where, out)


def _check_model(service: str, value: Any, kind: str, where: str, out: list[str]) -> None:
    models = _models(service)
    cls = models.get(kind)
    if cls is None:
        out.append(f"{where}: unknown SDK type {kind}")
        return
    if not isinstance(value, dict):
        out.append(f"{where}: {type(value).__name__}, expected a {kind} object")
        return
    if hasattr(cls, "get_subtype"):
        sub = cls.get_subtype(value)
        if sub != kind and sub not in models:
            out.append(f"{where}: discriminator of {kind} names no subtype ({sub})")
            return
        cls, kind = models[sub], sub
    model = cls()
    by_json = {json_name: attr for attr, json_name in model.attribute_map.items()}
    for key in value:
        if key not in by_json:
            out.append(f"{where}.{key}: not a field of {kind}")
    for attr, json_name in model.attribute_map.items():
        field = f"{where}.{json_name}"
        item = value.get(json_name)
        if item is None:
            allowed_null = NULL_WHEN_UNUSED.get((kind, json_name))
            if _required(cls, attr) and not (allowed_null and allowed_null[0](value)):
                out.append(f"{field}: required in {kind}, but {'null' if json_name in value else 'missing'}")
            continue
        allowed = _allowed(cls, attr)
        if allowed is not None:
            for v in item if isinstance(item, list) else [item]:
                if v not in allowed:
                    out.append(f"{field}: {v!r} is not one of {kind}'s {', '.join(allowed)}")
        _check(service, item, model.swagger_types[attr], field, out)


def violations(service: str, operation: str, body: Any) -> list[str]:
    """What in ``body`` (a response of ``operation``) the SDK's model of that response does not allow."""
    kind = response_type(service, operation)
    out: list[str] = []
    if kind is None:
        if body not in (None, b"", ""):
            out.append(f"{operation}: the SDK expects no body, got {type(body).__name__}")
    elif kind == "stream":
        if not isinstance(body, (bytes, str)) and not hasattr(body, "__iter__"):
            out.append(f"{operation}: expected a byte stream, got {type(body).__name__}")
    elif body is None:
        out.append(f"{operation}: no body, expected {kind}")
    elif kind == "str" and isinstance(body, (dict, list, bytes)):
        pass  # a data-plane answer (Predict): the SDK hands the body's text through as it came
    elif isinstance(body, Iterator):
        # A streamed answer (Generative AI's chat with isStream): the SDK hands text/event-stream through unparsed
        # instead of building `kind`; what can be checked is that each event is one JSON object.
        out += _event_violations(operation, getattr(body, "events", None))
    else:
        _check(service, body, kind, operation, out)
    return out


def _event_violations(operation: str, events: list[bytes] | None) -> list[str]:
    if events is None:
        return [f"{operation}: a stream whose events were not kept (return an EventStream)"]
    out = []
    for i, event in enumerate(events):
        data = [ln[len(b"data: ") :] for ln in event.splitlines() if ln.startswith(b"data: ")]
        try:
            parsed = json.loads(b"".join(data)) if data else None
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict) or not event.endswith(b"\n\n"):
            out.append(f"{operation}: event {i} is not one JSON object ending with a blank line: {event[:60]!r}")
    return out


# ---- errors ----------------------------------------------------------------------------------------------------

# OCI's error codes and the HTTP status each comes with: the "Common Errors Returned by All Services" table of
# OCI's API Errors page (docs.oracle.com/iaas/Content/API/References/apierrors.htm), then Object Storage's own.
# RelatedResourceNotAuthorizedOrNotFound: that table says 400; the emulator sends it as 404 like
# NotAuthorizedOrNotFound (an assumption: what Data Science really sends for a deployment's unknown model is
# not documented), so both pass.
ERROR_STATUS: dict[str, tuple[int, ...]] = {
    "CannotParseRequest": (400,),
    "InvalidParameter": (400, 404),  # 404: "a dynamic path component is invalid"
    "LimitExceeded": (400,),
    "MissingParameter": (400,),
    "QuotaExceeded": (400,),
    "RelatedResourceNotAuthorizedOrNotFound": (400, 404),
    "NotAuthenticated": (401,),
    "SignUpRequired": (402,),
    "NotAllowed": (403,),
    "NotAuthorized": (403,),
    "NotAuthorizedOrNotFound": (404,),
    "NotFound": (404,),
    "MethodNotAllowed": (405,),
    "Conflict": (409,),
    "IncorrectState": (409,),
    "InvalidatedRetryToken": (409,),
    "NotAuthorizedOrResourceAlreadyExists": (409,),
    "NoEtagMatch": (412,),
    "PayloadTooLarge": (413,),
    "TooManyRequests": (429,),
    "InternalServerError": (500,),
    "MethodNotImplemented": (501,),
    "ServiceUnavailable": (503,),
    # Object Storage
    "BucketNotFound": (404,),
    "ObjectNotFound": (404,),
    "NoSuchUpload": (404,),
    "BucketAlreadyExists": (409,),
    "BucketNotEmpty": (409,),
    "IfMatchFailed": (412,),
    "IfNoneMatchFailed": (412,),
    "InvalidRange": (416,),
    "UnmatchedContentMD5": (400,),
}
# The keys OCI's error body may have (the SDK's ServiceError reads these; code and message always).
ERROR_KEYS = ("code", "message", "originalMessage", "originalMessageTemplate", "messageArguments")
# A model deployment's data plane hands the model server's own error body through (vLLM's, not OCI's envelope).
PASSTHROUGH_OPERATIONS = {("modeldeployment", "Predict"), ("modeldeployment", "PredictWithResponseStream")}


def error_violations(service: str, operation: str, status: int, headers: dict[str, str], body: bytes) -> list[str]:
    """What in one error answer (headers with lower-cased names, the body's bytes) is not OCI's error envelope:
    an ``opc-request-id`` header, a JSON object body with string ``code`` and ``message`` (a HEAD answer has no
    body), and a code that OCI sends with that status."""
    where = f"{service or '?'}:{operation or '?'} {status}"
    out: list[str] = []
    if not headers.get("opc-request-id"):
        out.append(f"{where}: no opc-request-id header")
    if (service, operation) in PASSTHROUGH_OPERATIONS or operation.startswith("Head"):
        return out  # a HEAD answer carries no body; the status is all the SDK sees
    if not (headers.get("content-type") or "").startswith("application/json"):
        out.append(f"{where}: Content-Type {headers.get('content-type')!r}, expected application/json")
    try:
        parsed = json.loads(body)
    except ValueError:
        return [*out, f"{where}: the body is not JSON: {body[:80]!r}"]
    if not isinstance(parsed, dict):
        return [*out, f"{where}: the body is {type(parsed).__name__}, expected an object"]
    out += [f"{where}: unexpected key {key!r} in the error body" for key in parsed if key not in ERROR_KEYS]
    for key in ("code", "message"):
        if not isinstance(parsed.get(key), str) or not parsed[key]:
            out.append(f"{where}: {key} is {parsed.get(key)!r}, expected a non-empty string")
    code = parsed.get("code")
    known = ERROR_STATUS.get(code) if isinstance(code, str) else None
    if isinstance(code, str) and known is None:
        out.append(f"{where}: {code} is no OCI error code")
    elif known is not None and status not in known:
        out.append(f"{where}: OCI sends {code} with status {' or '.join(map(str, known))}")
    return out
