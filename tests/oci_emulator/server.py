"""``OciEmulator``: one local HTTP server hosting emulated OCI services on per-service prefixes.

Runs ``http.server.ThreadingHTTPServer`` in its own background thread (one thread per request, so
slow calls overlap); it never touches the test's asyncio / tornado loop.
"""

from __future__ import annotations

import base64
import contextlib
import email.utils
import hashlib
import heapq
import itertools
import json
import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from .core import OciError, Request, Response, Router, new_ocid, new_request_id, now_rfc3339, parse_query
from .keys import OciTestConfig, write_oci_config
from .policies import Policies

# service name -> URL prefix on the emulator. Aliases resolve to the same prefix.
SERVICE_PREFIXES = {
    "datascience": "datascience",
    "data_science": "datascience",
    "objectstorage": "objectstorage",
    "object_storage": "objectstorage",
    "identity": "identity",
    "logging": "logging",
    "loggingsearch": "logging",
    "logging_search": "logging",
    "logging_management": "logging",
    "search": "search",
    "resource_search": "search",
    "resourcesearch": "search",
    "modeldeployment": "modeldeployment",
    "model_deployment": "modeldeployment",
    "limits": "limits",
    "generativeai": "generativeai",
    "generative_ai": "generativeai",
    "generativeaiinference": "generativeaiinference",
    "generative_ai_inference": "generativeaiinference",
}

FAULT_KINDS = ("409", "429", "500", "503", "timeout", "drop", "drop_after")

_GENERIC_SIGNED = ("date", "(request-target)", "host")
_BODY_SIGNED = ("content-length", "content-type", "x-content-sha256")
MAX_CLOCK_SKEW_SECONDS = 300
_LOGGED_HEADERS = {"opc-retry-token", "opc-request-id", "opc-client-retries", "if-match", "if-none-match",
                   "content-type", "content-length", "range", "user-agent", "route", "enable-streaming"}  # fmt: skip
# Operations the SDK calls with ``enforce_content_headers=False`` (body not covered by the signature).
UNSIGNED_BODY_OPERATIONS = {
    "PutObject",
    "UploadPart",
    "CreateModelArtifact",
    "CreateModelDefinedMetadatumArtifact",
    "UpdateModelDefinedMetadatumArtifact",
    "CreateModelCustomMetadatumArtifact",
    "UpdateModelCustomMetadatumArtifact",
    "CreateJobArtifact",
}


@dataclass
class FaultConfig:
    """Per-request fault injection, decided with a seeded RNG.

    rate: probability (0..1) that a matching request gets a fault.
    kinds: faults to pick from uniformly: "409" (IncorrectState, which the SDK retries), "429", "500", "503",
        "timeout" (sleep ``timeout_seconds`` then close the connection without a reply), "drop" (close the
        connection without a reply, the operation not run), "drop_after" (run the operation, then close the
        connection without a reply: a lost answer, e.g. a create that happened but whose reply never came).
    methods: HTTP methods eligible (None = all). operations: operation names eligible (None = all).
    """

    rate: float = 0.0
    kinds: tuple[str, ...] = ("429", "500")
    seed: int | None = 0
    methods: tuple[str, ...] | None = None
    operations: tuple[str, ...] | None = None
    timeout_seconds: float = 5.0

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {FAULT_KINDS}")
        self.kinds = tuple(self.kinds)
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()

    def decide(self, method: str, operation: str) -> str | None:
        if self.rate <= 0 or not self.kinds:
            return None
        if self.methods is not None and method not in {m.upper() for m in self.methods}:
            return None
        if self.operations is not None and operation not in self.operations:
            return None
        with self._lock:
            if self._rng.random() >= self.rate:
                return None
            return self._rng.choice(self.kinds)


class _Drop(Exception):
    """Close the connection without writing a response."""


class OciEmulator:
    """Emulated OCI on 127.0.0.1: Data Science (models, version sets, deployments + data plane, jobs, job runs, work
    requests, containers), Object Storage, Identity, Logging search + management, Resource Search, Limits, Generative AI
    (management and inference).

    Usage::

        with OciEmulator(config=write_oci_config(tmp_path)) as emu:
            ds = oci.data_science.DataScienceClient(emu.config, service_endpoint=emu.endpoint("datascience"))
    """

    def __init__(
        self,
        config: OciTestConfig | None = None,
        config_folder: Path | str | None = None,
        region: str = "us-ashburn-1",
        region_key: str = "iad",
        namespace: str = "emulatedns",
        page_size: int = 10,
        transition_seconds: float = 0.2,
        latency_seconds: float = 0.0,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.host = host
        self._requested_port = port
        self.region = region
        self.region_key = region_key
        self.namespace = namespace
        self.page_size = page_size
        self.transition_seconds = transition_seconds
        self.latency_seconds = latency_seconds
        # Per-operation latency, e.g. {"ListModels": 2.0}; overrides latency_seconds for those operations.
        self.latency_by_operation: dict[str, float] = {}
        self.faults: FaultConfig | None = None
        self.require_auth = True
        # Missing policy statements (`emu.deny("manage data-science-models")`): see policies.py.
        self.policies = Policies()
        self.calls: Counter[str] = Counter()
        self.request_log: list[tuple[str, str, str]] = []  # (operation, method, path) of counted calls
        # Richer record of counted calls: operation, method, path, query, selected headers, body size, time.
        self.request_details: list[dict[str, Any]] = []
        # Requests inside the emulator at once, and the most seen: lets a test show calls overlapped
        # without timing them.
        self.in_flight = 0
        self.peak_in_flight = 0
        # When a list: (service prefix, operation, status, body) of every response a handler returned, for the
        # conformance tests (tests/unit/test_emulator_conformance.py check each against the SDK's model).
        self.response_log: list[tuple[str, str, int, Any]] | None = None
        # When a list: every error answer as it went on the wire, (service prefix, operation, status, headers
        # sent with lower-cased names, body bytes), for the conformance tests' check of OCI's error envelope.
        self.error_log: list[tuple[str, str, int, dict[str, str], bytes]] | None = None
        self.lock = threading.RLock()
        self._keys: dict[str, Any] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._retry_tokens: dict[tuple[str, str], tuple[float, str, str]] = {}
        self.retry_token_ttl_seconds = 24 * 3600
        self._scheduled: list[tuple[float, int, Callable[[], None]]] = []
        self._sched_seq = itertools.count()
        self._connections: set[socket.socket] = set()

        if config is None and config_folder is not None:
            config = write_oci_config(config_folder, region=region)
        self.test_config = config
        if config is not None:
            self.register_key(config)
        self.tenancy_id = config.tenancy if config else new_ocid("tenancy", "")
        # The compartment Oracle's service models live in (not the user's).
        self.service_compartment_id = new_ocid("compartment", "")

        from .datascience import DataScienceService
        from .generative_ai import GenerativeAiInferenceService, GenerativeAiService
        from .identity import IdentityService
        from .limits import LimitsService
        from .logging_management import LoggingManagementService
        from .logging_search import LoggingSearchService
        from .objectstorage import ObjectStorageService
        from .resource_search import ResourceSearchService

        self.datascience = DataScienceService(self)
        self.objectstorage = ObjectStorageService(self)
        self.identity = IdentityService(self)
        self.logging = LoggingSearchService(self)
        self.logging_management = LoggingManagementService(self)
        self.resource_search = ResourceSearchService(self)
        self.limits = LimitsService(self)
        self.generative_ai = GenerativeAiService(self)
        self.generative_ai_inference = GenerativeAiInferenceService(self, self.generative_ai)
        # Shortcuts to Data Science sub-areas.
        self.workrequests = self.datascience.workrequests
        self.deployments = self.datascience.deployments
        self.jobs = self.datascience.jobs
        self.containers = self.datascience.containers
        self.version_sets = self.datascience.version_sets
        self.model_groups = self.datascience.model_groups
        self.finetuning = self.jobs.finetuning
        self.evaluation = self.jobs.evaluation
        self._routers: dict[str, Router] = {}
        for svc in self._services():
            svc.register(self._routers.setdefault(svc.prefix, Router()))

    def _services(self) -> list[Any]:
        """Every service object (several may share a prefix, e.g. Data Science sub-areas)."""
        out = [
            self.objectstorage,
            self.identity,
            self.logging,
            self.logging_management,
            self.resource_search,
            self.limits,
            self.generative_ai,
            self.generative_ai_inference,
        ]
        out[:0] = self.datascience.services()
        return out

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> OciEmulator:
        if self._server is not None:
            return self
        emu = self

        class _Handler(_RequestHandler):
            emulator = emu

        self._stopping.clear()
        self._server = _QuietServer((self.host, self._requested_port), _Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="oci-emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()  # wakes handlers sleeping for latency / timeout faults
        self._server.shutdown()
        self._server.server_close()
        with self.lock:
            conns, self._connections = list(self._connections), set()
        for conn in conns:  # idle keep-alive connections would otherwise keep handler threads alive
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> OciEmulator:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("emulator not started")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def endpoint(self, service: str) -> str:
        """Per-service prefix URL for the SDK's ``service_endpoint`` (the SDK appends its version path)."""
        try:
            prefix = SERVICE_PREFIXES[service.lower()]
        except KeyError:
            raise ValueError(f"unknown service {service!r}; known: {sorted(SERVICE_PREFIXES)}") from None
        return f"{self.base_url}/{prefix}"

    @property
    def config(self) -> dict:
        """SDK config dict for the registered test identity (``oci.config.from_file`` equivalent)."""
        if self.test_config is None:
            raise RuntimeError("no OciTestConfig registered")
        return self.test_config.as_dict()

    # ------------------------------------------------------------------ auth
    def register_key(self, cfg_or_key_id: OciTestConfig | str, public_key_pem: bytes | None = None) -> None:
        """Accept requests signed with this key. Pass an ``OciTestConfig`` or (key_id, public PEM)."""
        if isinstance(cfg_or_key_id, OciTestConfig):
            key_id, pem = cfg_or_key_id.key_id, cfg_or_key_id.public_key_pem
        else:
            key_id, pem = cfg_or_key_id, public_key_pem
        if pem is None:
            raise ValueError("public_key_pem required")
        self._keys[key_id] = serialization.load_pem_public_key(pem)

    def _authenticate(self, req: Request) -> str:
        auth = req.header("authorization")
        if not auth or not auth.startswith("Signature "):
            raise _unauthenticated("Missing or malformed Authorization header.")
        params: dict[str, str] = {}
        for item in _split_auth_params(auth[len("Signature ") :]):
            if "=" in item:
                k, v = item.split("=", 1)
                params[k.strip()] = v.strip().strip('"')
        key_id, signature, algorithm = params.get("keyId"), params.get("signature"), params.get("algorithm")
        if not key_id or not signature or algorithm != "rsa-sha256":
            raise _unauthenticated("Authorization header lacks keyId/signature or uses an unsupported algorithm.")
        if params.get("version", "1") != "1":
            raise _unauthenticated("Unsupported signature version.")
        key = self._keys.get(key_id)
        if key is None:
            raise _unauthenticated("Unknown keyId.")
        signed = [h.lower() for h in params.get("headers", "date").split()]
        required = list(_GENERIC_SIGNED)
        # The SDK signs body headers on POST/PUT/PATCH, except binary uploads (PutObject, model artifacts:
        # ``enforce_content_headers=False``), which only sign the generic headers.
        if req.method in ("POST", "PUT", "PATCH") and req.operation not in UNSIGNED_BODY_OPERATIONS:
            required += list(_BODY_SIGNED)
        missing = [h for h in required if h not in signed]
        if missing:
            raise _unauthenticated(f"Signature does not cover required headers: {', '.join(missing)}.")
        lines = []
        for h in signed:
            if h == "(request-target)":
                lines.append(f"(request-target): {req.method.lower()} {req.target}")
            else:
                value = req.header(h)
                if value is None:
                    raise _unauthenticated(f"Signed header '{h}' is missing from the request.")
                lines.append(f"{h}: {value}")
        try:
            key.verify(base64.b64decode(signature), "\n".join(lines).encode(), padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, ValueError):
            raise _unauthenticated("The signature does not verify.") from None
        if "x-content-sha256" in signed:
            digest = base64.b64encode(hashlib.sha256(req.body).digest()).decode()
            if digest != req.header("x-content-sha256"):
                raise _unauthenticated("x-content-sha256 does not match the request body.")
        if "content-length" in signed and int(req.header("content-length") or 0) != len(req.body):
            raise _unauthenticated("content-length does not match the request body.")
        try:
            sent = email.utils.parsedate_to_datetime(req.header("date") or "").timestamp()
        except (TypeError, ValueError):
            raise _unauthenticated("Unparseable date header.") from None
        if abs(time.time() - sent) > MAX_CLOCK_SKEW_SECONDS:
            raise _unauthenticated("Date header is outside the allowed clock skew.")
        return key_id

    # ------------------------------------------------------------------ time-based transitions
    def schedule(self, delay: float, fn: Callable[[], None]) -> None:
        """Run ``fn`` (under ``emu.lock``) once ``delay`` seconds have passed. Applied lazily: due callbacks
        run at the start of the next request (or ``run_due()`` / ``fast_forward()``); no timer threads."""
        with self.lock:
            heapq.heappush(self._scheduled, (time.monotonic() + delay, next(self._sched_seq), fn))

    def schedule_steps(self, *steps: Callable[[], None], interval: float | None = None) -> None:
        """Run ``steps`` one after another, ``interval`` (default ``transition_seconds``) apart."""
        interval = self.transition_seconds if interval is None else interval
        for i, fn in enumerate(steps):
            self.schedule(interval * (i + 1), fn)

    def run_due(self) -> None:
        with self.lock:
            now = time.monotonic()
            while self._scheduled and self._scheduled[0][0] <= now:
                heapq.heappop(self._scheduled)[2]()

    def fast_forward(self) -> None:
        """Run every pending transition now (including ones scheduled by those), in order."""
        with self.lock:
            for _ in range(10_000):
                if not self._scheduled:
                    return
                heapq.heappop(self._scheduled)[2]()

    # ------------------------------------------------------------------ calls / retry tokens
    def reset_calls(self) -> None:
        with self.lock:
            self.calls.clear()
            self.request_log.clear()
            self.request_details.clear()
            self.peak_in_flight = self.in_flight

    def idempotent_create(self, req: Request, create) -> Response:
        """Honour ``opc-retry-token``: the same token (within 24 h) replays the original resource."""
        token = req.header("opc-retry-token")
        if not token:
            return create()
        body_hash = hashlib.sha256(req.body).hexdigest()
        key = (req.operation, token)
        now = time.time()
        hit = self._retry_tokens.get(key)
        if hit and now - hit[0] < self.retry_token_ttl_seconds:
            if hit[1] != body_hash:
                raise OciError(409, "Conflict", "The opc-retry-token was already used with a different request.")
            return self._replay(req, hit[2])
        resp = create()
        resource_id = resp.body.get("id") if isinstance(resp.body, dict) else None
        if resource_id and resp.status < 300:
            self._retry_tokens[key] = (now, body_hash, resource_id)
        return resp

    def _replay(self, req: Request, resource_id: str) -> Response:
        if req.service == "datascience":
            return self.datascience.replay(req, resource_id)
        if req.service == "generativeai":
            return self.generative_ai.replay(req, resource_id)
        raise OciError(409, "Conflict", "Retry token replay not supported for this operation.")

    # ------------------------------------------------------------------ seeding helpers (delegates)
    def deny(self, permission: str) -> None:
        """A missing policy statement: every operation on its resource type answers 404 NotAuthorizedOrNotFound."""
        with self.lock:
            self.policies.deny(permission)

    def add_compartment(self, name: str, parent_id: str | None = None, **kw: Any) -> str:
        return self.identity.add_compartment(name, parent_id=parent_id, **kw)

    def add_model(self, compartment_id: str, display_name: str, **kw: Any) -> str:
        return self.datascience.add_model(compartment_id, display_name, **kw)

    def seed_service_models(self, n: int = 5, **kw: Any) -> list[str]:
        return self.datascience.seed_service_models(n, **kw)

    def add_project(self, compartment_id: str, display_name: str = "project", **kw: Any) -> str:
        return self.datascience.add_project(compartment_id, display_name, **kw)

    def add_deployment(self, compartment_id: str, model_id: str, display_name: str = "deployment", **kw: Any) -> str:
        return self.deployments.add_deployment(compartment_id, model_id, display_name, **kw)

    def get_model_record(self, model_id: str) -> dict:
        self.run_due()
        return self.datascience.model_record(model_id)

    def add_bucket(self, namespace: str | None, name: str, versioned: bool = False, **kw: Any) -> None:
        self.objectstorage.add_bucket(namespace or self.namespace, name, versioned=versioned, **kw)

    def put_object(self, namespace: str | None, bucket: str, name: str, data: bytes | str, **kw: Any) -> None:
        self.objectstorage.put(namespace or self.namespace, bucket, name, data, **kw)

    def get_object(self, namespace: str | None, bucket: str, name: str) -> bytes:
        return self.objectstorage.get(namespace or self.namespace, bucket, name)

    def list_object_names(self, namespace: str | None, bucket: str, prefix: str = "") -> list[str]:
        return self.objectstorage.names(namespace or self.namespace, bucket, prefix)

    # ------------------------------------------------------------------ dispatch
    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)

    def handle(self, req: Request) -> Response:
        """Authenticate, route, count, inject latency/faults, run the handler. Raises OciError/_Drop."""
        parts = req.path.split("/", 2)  # "", prefix, rest
        prefix = parts[1] if len(parts) > 1 else ""
        router = self._routers.get(prefix)
        if router is None:
            raise OciError(404, "NotFound", f"No emulated service at /{prefix}.")
        req.service = prefix
        req.path = "/" + (parts[2] if len(parts) > 2 else "")
        try:
            found = router.match(req.method, req.path)
            route_error = None
        except OciError as err:
            found, route_error = None, err
        if found is not None:
            req.operation = found[0].operation
        if self.require_auth:
            req.principal = self._authenticate(req)
        if route_error is not None:
            raise route_error
        if found is None:
            raise OciError(404, "NotAuthorizedOrNotFound", f"Unknown resource path {req.path}.")
        route, params = found
        req.params = params
        latency = self.latency_by_operation.get(route.operation, self.latency_seconds)
        with self.lock:
            self.calls[route.operation] += 1
            self.request_log.append((route.operation, req.method, req.path))
            self.request_details.append(
                {
                    "operation": route.operation,
                    "method": req.method,
                    "path": req.path,
                    "query": {k: v[0] if len(v) == 1 else v for k, v in req.query.items()},
                    "headers": {k: v for k, v in req.headers.items() if k in _LOGGED_HEADERS},
                    "body_size": len(req.body),
                    "time": time.time(),
                    "latency": latency,
                }
            )
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            self._sleep(latency)
        finally:
            with self.lock:
                self.in_flight -= 1
        self.policies.check(route.operation, req.service)
        faults = self.faults
        kind = faults.decide(req.method, route.operation) if faults else None
        if kind == "409":
            raise OciError(409, "IncorrectState", "The resource is in a conflicting state (injected fault).")
        if kind == "429":
            raise OciError(429, "TooManyRequests", "Too many requests for the tenancy (injected fault).")
        if kind == "500":
            raise OciError(500, "InternalServerError", "Internal server error (injected fault).")
        if kind == "503":
            raise OciError(503, "ServiceUnavailable", "Service unavailable (injected fault).")
        if kind == "timeout":
            self._sleep(faults.timeout_seconds)
            raise _Drop()
        if kind == "drop":
            raise _Drop()
        with self.lock:
            self.run_due()
            resp = route.handler(req)
            if self.response_log is not None:
                body = None if req.method == "HEAD" else resp.body  # a HEAD answer's body is never sent
                self.response_log.append((req.service, route.operation, resp.status, body))
        if kind == "drop_after":
            raise _Drop()
        return resp


def _unauthenticated(detail: str) -> OciError:
    return OciError(
        401,
        "NotAuthenticated",
        f"The required information to complete authentication was not provided or was incorrect. ({detail})",
    )


def _split_auth_params(value: str) -> Iterable[str]:
    from urllib.request import parse_http_list

    return parse_http_list(value)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, OSError)):
            return  # clients closing connections (dropped faults, timeouts, shutdown) are normal here
        super().handle_error(request, client_address)


class _RequestHandler(BaseHTTPRequestHandler):
    emulator: OciEmulator
    protocol_version = "HTTP/1.1"
    server_version = "OciEmulator/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        with self.emulator.lock:
            self.emulator._connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.emulator.lock:
                self.emulator._connections.discard(self.connection)

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _dispatch(self) -> None:
        emu = self.emulator
        body = self._read_body()
        path, _, query = self.path.partition("?")
        req = Request(
            method=self.command,
            target=self.path,
            path=path,  # still percent-encoded; the router decodes path parameters
            query=parse_query(query),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        client_id = req.header("opc-request-id")
        request_id = f"{client_id}/{new_request_id()}" if client_id else new_request_id()
        try:
            resp = emu.handle(req)
        except _Drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        except OciError as err:
            resp = Response(err.status, {"code": err.code, "message": err.message}, dict(err.headers))
        except Exception as err:
            resp = Response(500, {"code": "InternalServerError", "message": f"Emulator error: {err!r}"})
        self._sent: dict[str, str] = {}
        self._req = req
        self._write(resp, request_id)

    def _log_error(self, status: int, payload: bytes) -> None:
        """Record an error answer once its headers are all set and before any of it is sent: a client that has
        its answer finds it in the log."""
        emu = self.emulator
        if status >= 400 and emu.error_log is not None:
            body = b"" if self.command == "HEAD" else payload
            emu.error_log.append((self._req.service, self._req.operation, status, dict(self._sent), body))

    def send_header(self, keyword: str, value: str) -> None:
        # Kept per request: the error log records the headers an answer really carried.
        sent = self.__dict__.get("_sent")
        if sent is not None:
            sent[keyword.lower()] = value
        super().send_header(keyword, value)

    def _write(self, resp: Response, request_id: str) -> None:
        if isinstance(resp.body, Iterator):
            self._write_chunked(resp, request_id)
            return
        if isinstance(resp.body, (bytes, bytearray)):
            payload = bytes(resp.body)
            ctype = resp.content_type or "application/octet-stream"
        elif resp.body is None:
            payload = b""
            ctype = resp.content_type
        else:
            payload = json.dumps(resp.body).encode()
            ctype = resp.content_type or "application/json"
        self.send_response(resp.status)
        self.send_header("opc-request-id", request_id)
        if ctype:
            self.send_header("Content-Type", ctype)
        headers = {k.lower(): v for k, v in resp.headers.items()}
        if self.command == "HEAD":
            self.send_header("Content-Length", headers.pop("content-length", str(len(payload))))
        else:
            headers.pop("content-length", None)
            self.send_header("Content-Length", str(len(payload)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Date", email.utils.formatdate(usegmt=True))
        self._log_error(resp.status, payload)
        self.end_headers()
        if self.command != "HEAD" and payload:
            self.wfile.write(payload)

    def _write_chunked(self, resp: Response, request_id: str) -> None:
        """An iterator body (a streaming predict): each piece goes out as one HTTP chunk, flushed at once,
        so the client sees it as it is produced. Runs outside ``emu.lock``; a client that hangs up ends it."""
        self.send_response(resp.status)
        self.send_header("opc-request-id", request_id)
        self.send_header("Content-Type", resp.content_type or "application/octet-stream")
        self.send_header("Transfer-Encoding", "chunked")
        for k, v in resp.headers.items():
            if k.lower() not in ("content-length", "transfer-encoding"):
                self.send_header(k, v)
        self.send_header("Date", email.utils.formatdate(usegmt=True))
        self.end_headers()
        body = resp.body
        try:
            for piece in body:
                if piece:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (ConnectionError, OSError):
            self.close_connection = True
        finally:
            close = getattr(body, "close", None)
            if close:
                close()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _dispatch


__all__ = ["FAULT_KINDS", "SERVICE_PREFIXES", "FaultConfig", "OciEmulator", "now_rfc3339"]
