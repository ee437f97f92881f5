"""The calls `oci doctor` makes to find which permissions the compartment grants: read-only lists and
gets, one per resource type (limit=1), the output bucket's versioning, the service limits of shapes, and
(opt-in) the create and delete of a tagged Data Science project. It reports what OCI answered; which
answer means a missing policy, and which statement fixes it, is services/oci_setup.py's rule.

Calls: one per probe, all at once; a limit probe per shape; CreateProject + DeleteProject when asked.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from ...errors import AquaError
from .context import OciContext
from .limits import SERVICE_NAME, limit_of

TEST_RESOURCE_TAG = {"aqua-ext-doctor": "test-resource"}  # freeform tag of the project made and deleted


@dataclass(frozen=True)
class Probe:
    """What one call found: OCI's answer, or its error code and message."""

    name: str
    ok: bool
    code: str | None = None  # OCI's error code (NotAuthorizedOrNotFound, BucketNotFound, …)
    # OCI refused the caller for want of a policy: clients.py's one rule, carried by the error it raised.
    refused: bool = False
    message: str = ""
    value: Any = None  # what the call read: a compartment name, a bucket's versioning, a limit's units


@dataclass(frozen=True)
class LimitProbe:
    shape: str
    limit: str | None  # None: not a GPU shape with a known limit
    per_instance: int
    probe: Probe | None


class OciReadiness:
    def __init__(self, ctx: OciContext) -> None:
        self.ctx = ctx

    @property
    def tenancy_id(self) -> str | None:
        auth = self.ctx.client().auth
        return auth.tenancy or None  # make_auth reads it from the config; principals' configs carry none

    @property
    def auth_kind(self) -> str:
        """How the calls are signed (resource_principal, api_key, security_token): whose policies are checked."""
        return self.ctx.client().auth.kind

    async def _probe(self, name: str, call: Callable[[], Awaitable[Any]]) -> Probe:
        try:
            return Probe(name, True, value=await call())
        except AquaError as exc:
            return Probe(
                name, False, code=getattr(exc, "oci_code", None), message=exc.message, refused=exc.refused is not None
            )

    async def permissions(self, compartment_id: str, bucket: str | None) -> dict[str, Probe]:
        """One read per resource type in the compartment (and the bucket's, when named), all at once."""
        c = self.ctx.client()
        ds = c.data_science

        def listing(service: str, fn: Callable[..., Any], *args: Any, **kw: Any) -> Callable[[], Awaitable[Any]]:
            async def call() -> Any:
                return (await c.call(service, fn, *args, list_read=True, **kw)).data

            return call

        async def compartment_name() -> Any:
            return (await c.call("identity", c.identity.get_compartment, compartment_id, list_read=True)).data.name

        async def namespace() -> Any:
            # list_read: OCI answers a caller no statement lets read the namespace 404 NotAuthorizedOrNotFound.
            return (await c.call("objectstorage", c.object_storage.get_namespace, list_read=True)).data

        reads: dict[str, Callable[[], Awaitable[Any]]] = {
            "list-models": listing("datascience", ds.list_models, compartment_id, limit=1),
            "list-service-models": listing("datascience", ds.list_models, compartment_id, category="SERVICE", limit=1),
            "list-model-deployments": listing("datascience", ds.list_model_deployments, compartment_id, limit=1),
            "list-jobs": listing("datascience", ds.list_jobs, compartment_id, limit=1),
            "list-job-runs": listing("datascience", ds.list_job_runs, compartment_id, limit=1),
            "list-projects": listing("datascience", ds.list_projects, compartment_id, limit=1),
            "list-model-version-sets": listing("datascience", ds.list_model_version_sets, compartment_id, limit=1),
            "list-log-groups": listing("logging", c.logging.list_log_groups, compartment_id, limit=1),
            "get-compartment": compartment_name,
            "get-namespace": namespace,
        }
        names = list(reads)
        found = await asyncio.gather(*(self._probe(n, reads[n]) for n in names))
        out = dict(zip(names, found, strict=True))
        if bucket:
            ns = out["get-namespace"].value if out["get-namespace"].ok else self.ctx.namespace
            out.update(await self._bucket(bucket, ns))
        return out

    async def _bucket(self, bucket: str, namespace: str | None) -> dict[str, Probe]:
        """GetBucket (its versioning) and one ListObjects; skipped without a namespace."""
        if not namespace:
            skipped = Probe("get-bucket", False, code="NamespaceUnknown", message="the namespace could not be read")
            return {"get-bucket": skipped, "list-objects": Probe("list-objects", False, code="NamespaceUnknown")}
        c = self.ctx.client()

        async def get_bucket() -> Any:
            data = (await c.call("objectstorage", c.object_storage.get_bucket, namespace, bucket, list_read=True)).data
            return {"namespace": namespace, "versioning": getattr(data, "versioning", None) or "Disabled"}

        async def list_objects() -> Any:
            return (
                await c.call("objectstorage", c.object_storage.list_objects, namespace, bucket, limit=1, list_read=True)
            ).data

        got, listed = await asyncio.gather(
            self._probe("get-bucket", get_bucket),
            self._probe("list-objects", list_objects),
        )
        return {"get-bucket": got, "list-objects": listed}

    async def limits(self, compartment_id: str, shapes: list[str]) -> list[LimitProbe]:
        """GetResourceAvailability of the limit each shape counts against (value: units available)."""
        c = self.ctx.client()

        async def one(shape: str) -> LimitProbe:
            limit = limit_of(shape)
            if limit is None:
                return LimitProbe(shape, None, 0, None)

            async def read() -> Any:
                data = (
                    await c.call(
                        "limits",
                        c.limits.get_resource_availability,
                        SERVICE_NAME,
                        limit.name,
                        compartment_id,
                        list_read=True,
                    )
                ).data
                return {"available": data.available, "used": data.used}

            return LimitProbe(shape, limit.name, limit.per_instance, await self._probe(limit.name, read))

        return list(await asyncio.gather(*(one(s) for s in shapes)))

    async def test_resource(self, compartment_id: str) -> Probe:
        """Create a tagged Data Science project and delete it again (proves `manage data-science-projects`)."""
        import oci

        c = self.ctx.client()
        details = oci.data_science.models.CreateProjectDetails(
            compartment_id=compartment_id,
            display_name="aqua-ext-doctor-test",
            description="Created and deleted by `aqua-ext oci doctor --create-test-resource`.",
            freeform_tags=dict(TEST_RESOURCE_TAG),
        )

        async def create_and_delete() -> Any:
            project = (await c.call("datascience", c.data_science.create_project, details)).data
            await c.call("datascience", c.data_science.delete_project, project.id, gone_ok=True)
            return project.id

        return await self._probe("create-project", create_and_delete)
