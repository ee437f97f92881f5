"""OCI clients, built once per backend (one backend per process), and the one
way to call them: `await clients.call(...)`.

- Every blocking SDK call runs in a bounded thread pool, never on the event loop.
- The SDK's own retries and circuit breaker are off (8 attempts / 600 s and a
  process-global breaker are too slow and too surprising for an interactive UI);
  our loop retries 429, 5xx (but 501), timeouts and dropped connections with
  exponential backoff and jitter, a few attempts in all, so a call's total time
  is bounded.
- Creates carry an `opc_retry_token` chosen once by the caller, so a create
  retried after a lost response never makes a second resource.
- `oci.exceptions.ServiceError` and transport errors become aqua_ext errors
  with messages that say what to check (policies, endpoints), never a traceback.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ...errors import AquaError, Conflict, InvalidInput, NotFound, RefusedCall, Upstream, UpstreamTimeout
from .auth import OciAuth
from .config import OciSettings

log = logging.getLogger(__name__)

SERVICE_LABELS = {
    "datascience": "Data Science",
    "objectstorage": "Object Storage",
    "identity": "Identity",
    "logging": "Logging",
    "limits": "Limits",
    "generativeai": "Generative AI",
}
# The policy statement a 403 / NotAuthorizedOrNotFound most likely lacks, per service.
POLICY_FAMILIES = {
    "datascience": "manage data-science-family",
    "objectstorage": "manage object-family",
    "identity": "inspect compartments",
    "logging": "read log-content",
    "limits": "inspect resource-availability",
    "generativeai": "manage generative-ai-family",
}


class OciNotAuthenticated(Upstream):
    """OCI refused the signature: wrong key, fingerprint, user or tenancy, or an expired token."""


def policy_hint(service: str, compartment: str | None) -> str:
    # Policy syntax takes a compartment name or `compartment id <ocid>`; we know the OCID.
    where = f"compartment id {compartment}" if compartment else "compartment <your compartment>"
    family = POLICY_FAMILIES.get(service, "manage data-science-family")
    return (
        f'the likely missing policy is "Allow dynamic-group <your notebook dynamic group> to {family} in {where}" '
        f'(or "Allow group <your group> to {family} in {where}" for API-key users); '
        "`aqua-ext oci doctor` (or OCI setup in AI Quick Actions) checks every policy AQUA needs"
    )


def _is_refusal(status: int, list_read: bool) -> bool:
    """OCI refused the caller for want of a policy: a 403, or a list's (or a read's the caller asked to
    read so) 404, since OCI answers NotAuthorizedOrNotFound when the compartment is not readable."""
    return status == 403 or (status == 404 and list_read)


def new_retry_token() -> str:
    return uuid.uuid4().hex


def _is_timeout(exc: BaseException) -> bool:
    import oci

    if isinstance(exc, oci.exceptions.ConnectTimeout):
        return True
    inner = exc.args[0] if exc.args else None
    try:
        from oci._vendor.requests import exceptions as rexc

        if isinstance(inner, rexc.Timeout):
            return True
    except ImportError:  # pragma: no cover
        pass
    return "timed out" in str(exc).lower()


class OciClients:
    def __init__(self, settings: OciSettings, auth: OciAuth) -> None:
        import oci

        self.settings = settings
        self.auth = auth
        common: dict[str, Any] = {
            "signer": auth.signer,
            "retry_strategy": oci.retry.NoneRetryStrategy(),
            "circuit_breaker_strategy": oci.circuit_breaker.NoCircuitBreakerStrategy(),
            "timeout": (settings.connect_timeout, settings.read_timeout),
        }

        def build(cls: type, service: str) -> Any:
            kwargs = dict(common)
            if settings.endpoint(service):
                kwargs["service_endpoint"] = settings.endpoint(service)
            return cls(auth.config, **kwargs)

        self.data_science = build(oci.data_science.DataScienceClient, "datascience")
        self.object_storage = build(oci.object_storage.ObjectStorageClient, "objectstorage")
        self.identity = build(oci.identity.IdentityClient, "identity")
        # Logging search (deployment logs); its endpoint is the "logging" one.
        self.log_search = build(oci.loggingsearch.LogSearchClient, "logging")
        # Log groups (the readiness check lists them: `use logging-family`); same endpoint.
        self.logging = build(oci.logging.LoggingManagementClient, "logging")
        # Service limits (how many more instances of a deployment shape the region allows).
        self.limits = build(oci.limits.LimitsClient, "limits")
        # Generative AI's control plane (the genai target: imported models, clusters, endpoints, fine-tunes).
        self.generative_ai = build(oci.generative_ai.GenerativeAiClient, "generativeai")
        self._executor = ThreadPoolExecutor(max_workers=max(1, settings.max_workers), thread_name_prefix="aqua-oci")
        # Calls we made, by "service.operation" (attempts included): for logs, the CLI and the bench.
        self.calls: Counter[str] = Counter()
        # Rebuilds the signer when OCI stops accepting it (a session token refreshed by
        # `oci session refresh` since we read it); None where signers renew themselves.
        self.reauth: Callable[[], OciAuth] | None = None

    def _clients(self) -> list[Any]:
        return [
            self.data_science,
            self.object_storage,
            self.identity,
            self.log_search,
            self.logging,
            self.limits,
            self.generative_ai,
        ]

    async def _refresh_auth(self) -> bool:
        if self.reauth is None:
            return False
        try:
            auth = await self.run(self.reauth)
        except Exception as exc:  # the 401 stands; say why a fresh signer was not possible
            log.warning("OCI re-authentication failed: %s", exc)
            return False
        self.auth = auth
        for client in self._clients():
            client.base_client.signer = auth.signer
        return True

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    def endpoint_of(self, service: str) -> str:
        client = {
            "datascience": self.data_science,
            "objectstorage": self.object_storage,
            "identity": self.identity,
            "logging": self.log_search,
            "limits": self.limits,
            "generativeai": self.generative_ai,
        }.get(service)
        return str(getattr(getattr(client, "base_client", None), "endpoint", "")) if client else ""

    async def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run a blocking function in the OCI pool (no retries, no error mapping)."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

    async def call(
        self,
        service: str,
        fn: Callable[..., Any],
        *args: Any,
        not_found: str | None = None,
        list_read: bool = False,
        gone_ok: bool = False,
        exists_ok: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Call `fn(*args, **kwargs)` (an SDK client method) with retries; returns the SDK Response.

        not_found: the message for a 404 (else the service's own); list_read: a 404 or 403 means
        a missing policy (OCI answers NotAuthorizedOrNotFound when a compartment is not readable);
        gone_ok: a 404 after a retried attempt means an earlier attempt already did it (deletes);
        exists_ok: the same for a 409 (creates that take no retry token, e.g. metadata artifacts).
        """
        import oci

        name = f"{service}.{getattr(fn, '__name__', 'call')}"
        attempts = max(1, self.settings.retry_attempts)
        last: BaseException | None = None
        reauthed = False
        # However many attempts are left, a call gives up once its time budget is spent.
        deadline = time.monotonic() + max(self.settings.call_budget_seconds, self.settings.read_timeout)
        for attempt in range(attempts):
            if attempt:
                delay = self.settings.retry_base_delay * (2 ** (attempt - 1)) * random.uniform(0.5, 1.5)
                if time.monotonic() + delay >= deadline:
                    attempts = attempt
                    break
                await asyncio.sleep(delay)
            self.calls[name] += 1
            try:
                return await self.run(fn, *args, **kwargs)
            except oci.exceptions.ServiceError as exc:
                last = exc
                if attempt and ((exc.status == 404 and gone_ok) or (exc.status == 409 and exists_ok)):
                    return None  # an earlier attempt whose answer was lost already did it
                if exc.status == 401 and not reauthed and self.reauth is not None:
                    reauthed = True
                    if await self._refresh_auth():
                        continue
                if exc.status == 429 or (exc.status >= 500 and exc.status != 501):
                    log.info("OCI %s: HTTP %s %s (attempt %d/%d)", name, exc.status, exc.code, attempt + 1, attempts)
                    continue
                raise self._map_service_error(
                    name, exc, not_found=not_found, list_read=list_read, category=kwargs.get("category")
                ) from None
            except (oci.exceptions.RequestException, oci.exceptions.ConnectTimeout) as exc:
                last = exc
                log.info("OCI %s: %s (attempt %d/%d)", name, type(exc).__name__, attempt + 1, attempts)
                continue
        assert last is not None
        if isinstance(last, oci.exceptions.ServiceError) and last.status != 429 and last.status < 500:
            raise self._map_service_error(
                name, last, not_found=not_found, list_read=list_read, category=kwargs.get("category")
            ) from None
        raise self._final_error(service, name, last, attempts) from None

    # ---- error mapping -------------------------------------------------------

    def _map_service_error(
        self, name: str, exc: Any, *, not_found: str | None, list_read: bool, category: str | None = None
    ) -> AquaError:
        service, _, operation = name.partition(".")
        error = self._service_error(service, exc, not_found=not_found, list_read=list_read)
        # OCI's error code (LimitExceeded, IncorrectState…), for callers that explain some of them better.
        error.oci_code = exc.code  # type: ignore[attr-defined]
        # A create names nothing in its path that could be missing: its NotAuthorizedOrNotFound is a refusal too.
        refused_create = exc.status == 404 and exc.code == "NotAuthorizedOrNotFound" and operation.startswith("create_")
        if _is_refusal(exc.status, list_read) or refused_create:
            # Which call was refused, so the reply can point at the setup check that covers it.
            error.refused = RefusedCall(service=service, operation=operation, category=category)
        return error

    def _service_error(self, service: str, exc: Any, *, not_found: str | None, list_read: bool) -> AquaError:
        label = SERVICE_LABELS.get(service, service)
        request_id = exc.request_id or "-"
        detail = f"{exc.message} ({exc.code}, HTTP {exc.status}, opc-request-id {request_id})"
        compartment = self.settings.compartment_id or None
        if exc.status == 401:
            return OciNotAuthenticated(
                f"OCI {label} did not accept this server's credentials: {detail}. Check the user, tenancy, "
                f"fingerprint and key_file of profile '{self.settings.profile}' in {self.settings.config_file} "
                "(the key must be the one uploaded for that user), or renew an expired session token."
            )
        if _is_refusal(exc.status, list_read):
            return Upstream(
                f"OCI {label} refused this request: {detail}. Either the resource does not exist or "
                f"you are not authorized: {policy_hint(service, compartment)}."
            )
        if exc.status == 404:
            return NotFound(not_found or f"OCI {label}: {detail}")
        if exc.status == 400:
            return InvalidInput(f"OCI {label} rejected the request: {detail}")
        if exc.status in (409, 412):
            return Conflict(f"OCI {label}: {detail}")
        return Upstream(f"OCI {label} failed: {detail}")

    def _final_error(self, service: str, name: str, exc: BaseException, attempts: int) -> AquaError:
        import oci

        label = SERVICE_LABELS.get(service, service)
        tries = f"after {attempts} attempt{'s' if attempts > 1 else ''}"
        if isinstance(exc, oci.exceptions.ServiceError):
            return Upstream(
                f"OCI {label} is unavailable or throttling ({exc.code}, HTTP {exc.status}) {tries}; "
                f"try again in a moment (opc-request-id {exc.request_id or '-'})."
            )
        endpoint = self.endpoint_of(service)
        if _is_timeout(exc):
            return UpstreamTimeout(
                f"OCI {label} did not answer in time {tries} ({endpoint}); "
                "try again, or check the network and AquaExtension.oci_endpoints."
            )
        return Upstream(
            f"Cannot reach OCI {label} at {endpoint} {tries}: check the network, proxy settings and "
            "AquaExtension.oci_endpoints."
        )

    # ---- pagination ------------------------------------------------------------

    async def list_all(self, service: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> list[Any]:
        """Every page of an `opc-next-page` list, one retried call per page."""
        items: list[Any] = []
        page: str | None = None
        while True:
            paging: dict[str, Any] = {"page": page} if page else {}
            response = await self.call(service, fn, *args, list_read=True, **paging, **kwargs)
            items.extend(response.data or [])
            page = response.next_page
            if not page:
                return items

    async def list_objects_all(self, namespace: str, bucket: str, prefix: str, **kwargs: Any) -> list[Any]:
        """Every object under a prefix (Object Storage pages with `start` / `nextStartWith`)."""
        objects: list[Any] = []
        start: str | None = None
        while True:
            paging: dict[str, Any] = {"start": start} if start else {}
            response = await self.call(
                "objectstorage",
                self.object_storage.list_objects,
                namespace,
                bucket,
                prefix=prefix,
                fields="name,size",
                **paging,
                not_found=None,
                list_read=True,
                **kwargs,
            )
            objects.extend(response.data.objects or [])
            start = response.data.next_start_with
            if not start:
                return objects
