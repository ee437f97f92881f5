"""What every OCI driver shares: one `OciContext`, built once per OCI target and handed to each driver
(models, shapes, deployments, fine-tunes, evaluations), so that no driver reaches into another.

It holds the settings, the operation registry, the clients and the Object Storage namespace (from
`start`, which proves the credentials), the bounded executor the clients run blocking work in, the
cache clock, and the Object Storage calls more than one driver makes: the versioned-bucket check, a
file upload and the removal of objects.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ...api.info import BackendDescription, TargetKind
from ...errors import AquaError, InvalidInput, NotFound, Unavailable
from ..operations import Operations
from . import mapping
from .auth import AuthProblem, make_auth
from .clients import OciClients, OciNotAuthenticated, policy_hint
from .config import OciSettings

log = logging.getLogger(__name__)

MULTIPART_UPLOAD_BYTES = 128 * 1024 * 1024  # bigger files go up in parts (the SDK's UploadManager)


class OciContext:
    def __init__(self, settings: OciSettings, operations: Operations) -> None:
        self.settings = settings
        self.operations = operations
        self.clients: OciClients | None = None
        self.namespace: str | None = None
        self.check_problem: str | None = None  # a credential check that could not complete at start

    # ---- lifecycle -------------------------------------------------------

    async def start(self) -> None:
        """Build the signer and the clients once, and prove the credentials with one
        cheap signed call. Raises (so `info` shows it) for what only a configuration
        change can fix: no compartment, no config file, a bad key, rejected credentials."""
        s = self.settings
        if s.problem:
            raise AuthProblem(s.problem + ".")
        if not s.compartment_id:
            raise AuthProblem(
                "No OCI compartment: set AquaExtension.oci_compartment_id (or "
                "NB_SESSION_COMPARTMENT_OCID) to the compartment whose models you want to see."
            )
        if mapping.ocid_kind(s.compartment_id) not in ("compartment", "tenancy"):
            raise AuthProblem(
                f"AquaExtension.oci_compartment_id '{s.compartment_id}' is not a compartment OCID "
                "(ocid1.compartment.oc1..…)."
            )
        if s.project_id and mapping.ocid_kind(s.project_id) != "datascienceproject":
            raise AuthProblem(
                f"AquaExtension.oci_project_id '{s.project_id}' is not a Data Science project OCID "
                "(ocid1.datascienceproject.oc1.…)."
            )
        auth = await asyncio.to_thread(make_auth, s)  # reads the config and key files: off the event loop
        self.clients = OciClients(s, auth)
        if auth.kind == "security_token":  # session tokens expire within hours: re-read on a 401
            self.clients.reauth = functools.partial(make_auth, s)
        try:
            response = await self.clients.call("objectstorage", self.clients.object_storage.get_namespace)
            self.namespace = response.data
        except OciNotAuthenticated:
            self.clients.close()
            self.clients = None
            raise
        except AquaError as exc:  # reachable later perhaps; each call reports its own trouble
            self.check_problem = f"The OCI credential check at start did not complete: {exc.message}"
            log.warning("aqua_ext: %s", self.check_problem)

    def close(self) -> None:
        if self.clients is not None:
            self.clients.close()

    @property
    def region(self) -> str | None:
        return self.clients.auth.region if self.clients else (self.settings.region or None)

    def description(self, kind: TargetKind, service: str, **extra: Any) -> BackendDescription:
        """A started target of this OCI configuration, for `info`: `service` in its region."""
        region = self.region
        return BackendDescription(
            kind=kind,
            label=f"{service} · {region}" if region else service,
            ready=True,
            problem=self.check_problem,
            region=region,
            compartment_id=self.settings.compartment_id or None,
            **extra,
        )

    # ---- clients, executor, cache clock -------------------------------------

    def client(self) -> OciClients:
        """The clients, once started."""
        if self.clients is None:
            raise Unavailable("The OCI backend is not started.")
        return self.clients

    async def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Blocking work in the clients' bounded executor (never on the event loop)."""
        return await self.client().run(fn, *args, **kwargs)

    def fresh(self, stamp: float | None, seconds: float | None = None) -> bool:
        """Whether something read at `stamp` (time.monotonic()) is still young enough to be used again:
        within `seconds`, by default the cache lifetime (`cache_seconds`)."""
        keep = self.settings.cache_seconds if seconds is None else seconds
        return stamp is not None and time.monotonic() - stamp < keep

    # ---- Object Storage calls shared by the drivers -------------------------

    async def versioned_bucket(
        self,
        bucket: str,
        namespace: str,
        *,
        field: str = "os_uri",
        why: str = "models registered by reference need object versioning so their files cannot change under them",
    ) -> None:
        """GetBucket (it always reports versioning): InvalidInput on `field` for a missing or unversioned
        bucket, saying how to enable versioning."""
        c = self.client()
        try:
            data = (await c.call("objectstorage", c.object_storage.get_bucket, namespace, bucket, not_found="")).data
        except NotFound:
            hint = policy_hint("objectstorage", self.settings.compartment_id)
            raise InvalidInput.field(
                field, f"bucket '{bucket}' was not found in namespace '{namespace}' (or you may not read it: {hint})"
            ) from None
        if (getattr(data, "versioning", None) or "Disabled") != "Enabled":
            raise InvalidInput.field(
                field,
                f"bucket '{bucket}' is not versioned; {why}. Enable it with `oci os bucket update --namespace "
                f"{namespace} --name {bucket} --versioning Enabled` (or Console → Buckets → {bucket} → Edit → "
                "Object Versioning), or choose a versioned bucket.",
            )

    async def put_file(self, namespace: str, bucket: str, name: str, path: Path) -> None:
        """Upload one file as object `name`."""
        c = self.client()
        # The SDK's UploadManager splits big files into parts; one PutObject per small file.
        if path.stat().st_size > MULTIPART_UPLOAD_BYTES:
            import oci

            manager = oci.object_storage.UploadManager(c.object_storage, allow_parallel_uploads=False)
            await self.run(manager.upload_file, namespace, bucket, name, str(path))
            return

        def put() -> Any:
            with path.open("rb") as body:
                return c.object_storage.put_object(namespace, bucket, name, body)

        # put_object takes a file; the retry loop re-opens it on each attempt.
        await c.call("objectstorage", put)

    async def delete_objects(self, bucket: str, namespace: str, names: list[str]) -> None:
        """Remove objects, logging (not raising) what could not be removed."""
        c = self.client()
        for name in names:
            try:
                await c.call("objectstorage", c.object_storage.delete_object, namespace, bucket, name, gone_ok=True)
            except AquaError as exc:
                log.warning("could not remove %s from %s: %s", name, bucket, exc.message)
