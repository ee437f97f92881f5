"""Shared plumbing for the emulated services: requests, responses, errors, routing, ids, paging."""

from __future__ import annotations

import base64
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs, unquote

_OCID_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"


def new_ocid(resource_type: str, region_key: str = "iad", realm: str = "oc1") -> str:
    """An OCID shaped like the real thing: ``ocid1.<type>.oc1.<region>.<60 base32-ish chars>``."""
    suffix = "".join(secrets.choice(_OCID_ALPHABET) for _ in range(60))
    return f"ocid1.{resource_type}.{realm}.{region_key}.{suffix}"


def now_rfc3339() -> str:
    """RFC3339 UTC with milliseconds, like OCI (``2024-03-01T12:34:56.789Z``)."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_request_id() -> str:
    return secrets.token_hex(16).upper()


class OciError(Exception):
    """Raise from a handler to send OCI's error envelope ``{"code", "message"}``."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def not_found(what: str = "resource") -> OciError:
    return OciError(
        404,
        "NotAuthorizedOrNotFound",
        f"Authorization failed or requested {what} not found.",
    )


def missing_parameter(name: str) -> OciError:
    return OciError(400, "MissingParameter", f"Missing required parameter '{name}'.")


def invalid_parameter(message: str) -> OciError:
    return OciError(400, "InvalidParameter", message)


@dataclass
class Request:
    method: str
    target: str  # raw request-target as sent (path + query), used for signatures
    path: str  # decoded path below the service prefix (e.g. "/20190101/models")
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    service: str = ""
    operation: str = ""
    params: dict[str, str] = field(default_factory=dict)
    principal: str = ""  # keyId that signed the request

    def q(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def q_list(self, name: str) -> list[str]:
        out: list[str] = []
        for v in self.query.get(name, []):
            out.extend(p for p in v.split(",") if p)
        return out

    def q_int(self, name: str, default: int | None = None, lo: int = 1, hi: int = 1000) -> int | None:
        raw = self.q(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise invalid_parameter(f"Invalid value for '{name}': {raw!r} is not an integer.") from None
        if not lo <= value <= hi:
            raise invalid_parameter(f"Invalid value for '{name}': must be between {lo} and {hi}.")
        return value

    def require_q(self, name: str) -> str:
        value = self.q(name)
        if not value:
            raise missing_parameter(name)
        return value

    def json(self) -> Any:
        if not self.body:
            raise OciError(400, "CannotParseRequest", "Request body is missing.")
        try:
            return json.loads(self.body)
        except ValueError:
            raise OciError(400, "CannotParseRequest", "Request body is not valid JSON.") from None

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)


@dataclass
class Response:
    status: int = 200
    body: Any = None  # JSON-able, bytes, or None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None


Handler = Callable[[Request], Response]


@dataclass
class Route:
    method: str
    pattern: re.Pattern
    operation: str
    handler: Handler


class Router:
    """Tiny regex router: ``router.add("GET", "/20190101/models/{modelId}", "GetModel", fn)``.

    ``{name}`` matches one path segment; ``{name+}`` matches the rest of the path (object names with ``/``).
    """

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, template: str, operation: str, handler: Handler) -> None:
        regex = ""
        for part in re.split(r"(\{[A-Za-z_]+\+?\})", template):
            if part.startswith("{") and part.endswith("+}"):
                regex += f"(?P<{part[1:-2]}>.+)"
            elif part.startswith("{"):
                regex += f"(?P<{part[1:-1]}>[^/]+)"
            else:
                regex += re.escape(part)
        self.routes.append(Route(method, re.compile(f"^{regex}/?$"), operation, handler))

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """Returns (route, params) or raises a 404/405-style OciError when nothing fits."""
        path_matched = False
        for route in self.routes:
            m = route.pattern.match(path)
            if not m:
                continue
            path_matched = True
            if route.method == method:
                return route, {k: unquote(v) for k, v in m.groupdict().items()}
        if path_matched:
            raise OciError(405, "MethodNotAllowed", f"Method {method} is not allowed on {path}.")
        return None


def parse_query(raw: str) -> dict[str, list[str]]:
    return parse_qs(raw, keep_blank_values=True)


def encode_page(offset: int) -> str:
    """Opaque page token (clients must treat it as opaque)."""
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def decode_page(token: str | None) -> int:
    if not token:
        return 0
    try:
        pad = "=" * (-len(token) % 4)
        return int(json.loads(base64.urlsafe_b64decode(token + pad))["o"])
    except Exception:
        raise invalid_parameter("Invalid page token.") from None


def paginate(items: list, req: Request, default_limit: int) -> Response:
    """Slice ``items`` by ``limit``/``page``; bare JSON array plus ``opc-next-page`` when more remain."""
    limit = req.q_int("limit", default_limit)
    start = decode_page(req.q("page"))
    chunk = items[start : start + limit]
    headers: dict[str, str] = {}
    if start + limit < len(items):
        headers["opc-next-page"] = encode_page(start + limit)
    if start > 0:
        headers["opc-prev-page"] = encode_page(max(0, start - limit))
    return Response(200, chunk, headers)


def pick(record: dict, keys: list[str]) -> dict:
    return {k: record.get(k) for k in keys}
