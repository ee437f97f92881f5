"""Emulated OCI Resource Search (API 20180409): ``POST /resources`` over the emulated Data Science
resources. AQUA lists custom / fine-tuned models this way, e.g.
``query datasciencemodel resources where (compartmentId = 'X' && lifecycleState = 'ACTIVE'
&& (freeformTags.key = 'OCI_AQUA' && freeformTags.key = 'aqua_fine_tuned_model'))``.

Supported query subset: ``query <type>[, <type>...] resources [return allAdditionalFields] [where <condition>]
[sorted by ...]`` with
types datasciencemodel, datasciencemodeldeployment, datasciencejob, datasciencejobrun, datascienceproject
or ``all``; conditions combine ``&&``, ``||`` and parentheses over ``field = | != 'value'`` where field is
compartmentId, lifecycleState, displayName, identifier, freeformTags.key, freeformTags.value
(``freeformTags.key = 'K'``: the resource has tag K; ``freeformTags.value = 'V'``: some tag has value V).
Anything else answers 400 InvalidParameter. Free-text search matches display names and tag values.

``additionalDetails`` is empty unless a structured query says ``return allAdditionalFields``; then it holds the
resource's own fields (``ADDITIONAL_FIELDS``; for a model the keys ``ads.aqua`` reads: ``metadata`` = its custom
then its defined metadata, ``createdBy``, ``description``, ``projectId``, ``modelVersionSetId``,
``modelVersionSetName``, ``versionLabel``). Which fields the real service returns per type beyond those is an
assumption; that ``metadata`` holds both lists is what AQUA's evaluation reader assumes (it looks up the custom
``evaluation_source`` and the defined ``Hyperparameters`` and ``ArtifactTestResults`` in that one list).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .core import OciError, Request, Response, Router, decode_page, encode_page, invalid_parameter

if TYPE_CHECKING:
    from .server import OciEmulator

V = "/20180409"
_TOKEN = re.compile(r"\s*(?:(\(|\)|&&|\|\||!=|>=|<=|=|>|<)|'((?:[^'\\]|\\.)*)'|([A-Za-z_][\w.]*)|(,))")
ALL_METADATA = "customMetadataList+definedMetadataList"
# resourceType -> (additionalDetails key, the resource record's key) under ``return allAdditionalFields``.
ADDITIONAL_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "DataScienceModel": (("metadata", ALL_METADATA), ("createdBy", "createdBy"),
                         ("description", "description"), ("projectId", "projectId"),
                         ("modelVersionSetId", "modelVersionSetId"), ("modelVersionSetName", "modelVersionSetName"),
                         ("versionLabel", "versionLabel")),
    "DataScienceModelDeployment": (("createdBy", "createdBy"), ("description", "description"),
                                   ("projectId", "projectId"), ("modelDeploymentUrl", "modelDeploymentUrl")),
    "DataScienceJob": (("createdBy", "createdBy"), ("description", "description"), ("projectId", "projectId")),
    "DataScienceJobRun": (("createdBy", "createdBy"), ("projectId", "projectId"), ("jobId", "jobId")),
    "DataScienceProject": (("createdBy", "createdBy"), ("description", "description")),
}  # fmt: skip


def _field(record: dict, field: str) -> Any:
    if field == ALL_METADATA:
        return [*(record.get("customMetadataList") or []), *(record.get("definedMetadataList") or [])]
    return record.get(field)


_FIELDS = ("compartmentId", "lifecycleState", "displayName", "identifier", "freeformTags.key", "freeformTags.value")


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise invalid_parameter(f"Cannot parse search query near {text[pos : pos + 20]!r}.")
        op, string, word, comma = m.groups()
        if op:
            tokens.append(("op", op))
        elif string is not None:
            tokens.append(("str", string.replace("\\'", "'")))
        elif word:
            tokens.append(("word", word))
        elif comma:
            tokens.append(("op", ","))
        pos = m.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.t = tokens
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.t[self.i] if self.i < len(self.t) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise invalid_parameter("Unexpected end of search query.")
        self.i += 1
        return tok

    def expect_word(self, word: str) -> None:
        kind, val = self.take()
        if kind != "word" or val.lower() != word:
            raise invalid_parameter(f"Expected '{word}' in search query, got {val!r}.")

    def parse_or(self) -> Callable[[dict], bool]:
        left = self.parse_and()
        while self.peek() == ("op", "||"):
            self.take()
            right = self.parse_and()
            left = (lambda a, b: lambda r: a(r) or b(r))(left, right)
        return left

    def parse_and(self) -> Callable[[dict], bool]:
        left = self.parse_atom()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.parse_atom()
            left = (lambda a, b: lambda r: a(r) and b(r))(left, right)
        return left

    def parse_atom(self) -> Callable[[dict], bool]:
        if self.peek() == ("op", "("):
            self.take()
            inner = self.parse_or()
            if self.take() != ("op", ")"):
                raise invalid_parameter("Unbalanced parentheses in search query.")
            return inner
        kind, field = self.take()
        if kind != "word" or field not in _FIELDS:
            raise invalid_parameter(f"Unsupported search field {field!r} (emulator supports {', '.join(_FIELDS)}).")
        kind, op = self.take()
        if kind != "op" or op not in ("=", "!="):
            raise invalid_parameter(f"Unsupported operator {op!r} in search query.")
        kind, value = self.take()
        if kind != "str":
            raise invalid_parameter("Search values must be quoted strings.")

        def test(r: dict, field: str = field, value: str = value) -> bool:
            tags = r.get("freeformTags") or {}
            if field == "freeformTags.key":
                return any(k.lower() == value.lower() for k in tags)
            if field == "freeformTags.value":
                return any(str(v).lower() == value.lower() for v in tags.values())
            return str(r.get(field, "")).lower() == value.lower()

        return test if op == "=" else (lambda r, t=test: not t(r))


class ResourceSearchService:
    prefix = "search"

    def __init__(self, emu: OciEmulator) -> None:
        self.emu = emu

    def register(self, r: Router) -> None:
        r.add("POST", f"{V}/resources", "SearchResources", self.search_resources)

    def _resources(self, all_fields: bool = False) -> dict[str, list[dict]]:
        ds = self.emu.datascience

        def extra(r: dict, rtype: str) -> dict:
            return {key: _field(r, field) for key, field in ADDITIONAL_FIELDS[rtype]} if all_fields else {}

        def rows(records: Any, rtype: str, time_key: str = "timeCreated") -> list[dict]:
            return [
                {
                    "resourceType": rtype,
                    "identifier": r["id"],
                    "compartmentId": r["compartmentId"],
                    "timeCreated": r.get(time_key),
                    "displayName": r.get("displayName"),
                    "availabilityDomain": None,
                    "lifecycleState": r.get("lifecycleState"),
                    "freeformTags": r.get("freeformTags") or {},
                    "definedTags": r.get("definedTags") or {},
                    "systemTags": {},
                    "searchContext": None,
                    "identityContext": {},
                    "additionalDetails": extra(r, rtype),
                }
                for r in records
            ]

        return {
            # Only the tenancy's own (USER) models are searchable; Oracle's service models are not.
            "datasciencemodel": rows([m for m in ds.models.values() if m["category"] == "USER"], "DataScienceModel"),
            "datasciencemodeldeployment": rows(ds.deployments.deployments.values(), "DataScienceModelDeployment"),
            "datasciencejob": rows(ds.jobs.jobs.values(), "DataScienceJob"),
            "datasciencejobrun": rows(ds.jobs.runs.values(), "DataScienceJobRun", "timeAccepted"),
            "datascienceproject": rows(ds.projects.values(), "DataScienceProject"),
        }

    def search_resources(self, req: Request) -> Response:
        body = req.json()
        kind = body.get("type")
        if kind == "Structured":
            query = body.get("query") or ""
            query = re.split(r"\bsorted\s+by\b", query, flags=re.I)[0]
            all_fields = re.search(r"\bresources\s+return\s+allAdditionalFields\b", query, flags=re.I)
            if all_fields:
                query = query[: all_fields.start()] + "resources" + query[all_fields.end() :]
            resources = self._resources(all_fields=bool(all_fields))
            p = _Parser(_tokenize(query))
            p.expect_word("query")
            types = []
            while True:
                k, v = p.take()
                if k != "word":
                    raise invalid_parameter("Expected a resource type after 'query'.")
                types.append(v.lower())
                if p.peek() != ("op", ","):
                    break
                p.take()
            p.expect_word("resources")
            predicate: Callable[[dict], bool] = lambda r: True  # noqa: E731
            if p.peek() is not None:
                p.expect_word("where")
                predicate = p.parse_or()
                if p.peek() is not None:
                    raise invalid_parameter(f"Unexpected {p.peek()[1]!r} in search query.")
            if types == ["all"]:
                types = list(resources)
            unknown = [t for t in types if t not in resources]
            if unknown:
                raise invalid_parameter(
                    f"Unknown resource type(s) {', '.join(unknown)} (emulated: {', '.join(resources)})."
                )
            items = [r for t in types for r in resources[t] if predicate(r)]
        elif kind == "FreeText":
            resources = self._resources()
            text = (body.get("text") or "").lower()
            items = [
                r
                for rows in resources.values()
                for r in rows
                if text in (r["displayName"] or "").lower()
                or any(text in str(v).lower() for v in r["freeformTags"].values())
            ]
        else:
            raise OciError(400, "InvalidParameter", "type must be Structured or FreeText.")
        items.sort(key=lambda r: r["timeCreated"] or "", reverse=True)
        limit = req.q_int("limit", 100)
        start = decode_page(req.q("page"))
        headers = {"opc-next-page": encode_page(start + limit)} if start + limit < len(items) else {}
        return Response(200, {"items": items[start : start + limit]}, headers)
