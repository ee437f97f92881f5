"""OCI model deployments for AI Quick Actions: deploy, list, start, stop, delete,
logs, and where a chat turn goes. What a new deployment is made of (model, engine,
container, parameters, shape) is checked in deploy_request.py; the shapes and
their service limits are in deploy_shapes.py.

Calls per user action (every list paged to completion, nothing per row):
- list: ListModelDeployments pages, kept `deployment_cache_seconds` (a few seconds:
  deployments change state on their own); our own mutations make the next list re-read;
- detail: GetModelDeployment (cached as briefly), plus one Logging search for the last
  log lines of a FAILED deployment that has a log (kept until its state changes), plus, for a
  deployment of a model group (AQUA's of a v2 fine-tune), one GetModelGroup the first time
  that group is seen (its members never change: kept; the list shows what is kept, else the tags);
- deploy: GetModel (cached with the model detail), ListContainers and
  ListModelDeploymentShapes (cached like the model list, run together), the
  service limit of the shape (GetResourceAvailability: for a chosen shape its
  limit, for the automatic pick the limit of the shape it would pick, and of the
  next one only when that one has no room; cached with the shapes, so nothing
  after a memory fit), CreateModelDeployment with an opc-retry-token; then an
  operation polls GetWorkRequest with backoff and ends with one GetModelDeployment;
  with adapters (AQUA's stacked deployment, stacked.py) first GetModel per adapter (cached),
  CreateModelGroup and its work request polled until the group is ACTIVE, and DeleteModelGroup
  when that or the CreateModelDeployment fails; deleting such a deployment deletes its group
  once the deployment is DELETED;
- memory fit: ListModelDeploymentShapes and one GetResourceAvailability per
  distinct limit of the compartment's GPU shapes, at once, both cached (the
  limits until our own next change of a deployment);
- activate / deactivate / delete: GetModelDeployment (skipped when seen within the
  cache window), the action, then the same polling operation;
- a chat turn: nothing. The predict URL and an ACTIVE state seen within `cache_seconds`
  are enough (a model group deployment also needs its group, read once if no detail read it:
  the request names the member by its inference key); a failed predict costs one
  GetModelDeployment (`upstream_failed`).
"""

from __future__ import annotations

import asyncio
import builtins
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any

from ...api.deployments import (
    TRANSITIONAL_STATES,
    CreateDeploymentRequest,
    CreateDeploymentResponse,
    DeploymentDetail,
    DeploymentState,
    DeploymentSummary,
)
from ...api.logs import LogPage, LogsQuery
from ...api.operations import Operation
from ...api.terraform import ModelDeploymentSpec, SdkCall
from ...api.upstream import UpstreamTarget, served_name
from ...errors import AquaError, Conflict, InvalidInput, NotFound, Unavailable, Upstream, UpstreamTimeout
from ..base import Deployments
from ..operations import Progress
from . import deploy_mapping as dm
from . import mapping, stacked
from .clients import OciClients, new_retry_token
from .context import OciContext
from .deploy_request import DeploymentSpec, DeployPlanner, OciDeployFacts, OciDeployPlan, model_deployment_spec
from .deploy_shapes import OciShapes
from .log_search import search_lines, search_log_page
from .polling import Backoff
from .signing import OciRequestAuth

log = logging.getLogger(__name__)

_TERMINAL_WORK = ("SUCCEEDED", "FAILED", "CANCELED")
FAILURE_LOG_LINES = 20


@dataclass
class _Entry:
    md: Any  # oci ModelDeployment (full) or ModelDeploymentSummary (a list row)
    full: bool  # from GetModelDeployment: lifecycleDetails is known
    seen: float  # time.monotonic() of the observation
    changed_at: datetime | None = None  # when we saw the state change (OCI records no update time)
    failure_log: list[str] | None = None


class OciDeployments(Deployments):
    def __init__(self, ctx: OciContext, shapes: OciShapes, planner: DeployPlanner) -> None:
        self.ctx = ctx
        self.settings = ctx.settings
        self.operations = ctx.operations
        self.shapes = shapes
        self.planner = planner
        self._entries: dict[str, _Entry] = {}
        self._order: list[str] = []
        self._listed_at: float | None = None
        self._listing_task: asyncio.Task[list[DeploymentSummary]] | None = None
        self._watching: dict[str, str] = {}  # deployment id → the operation following it
        self._superseded: set[str] = set()  # deployments whose followers are canceled by a delete
        # Model group id → the model it serves as itself. A group's members are fixed once it is
        # created (AQUA changes a deployment's models by pointing it at a new group), so no expiry.
        self._groups: dict[str, dm.GroupModel | None] = {}
        # Deployment id → why idle stop deactivated it, shown while it stays INACTIVE. Kept by this
        # server only: writing it to OCI (a tag) would be an update, which OCI runs as a work
        # request of its own that the deactivation would have to wait for.
        self._stop_reasons: dict[str, str] = {}
        # Deployments this server created or activated: only their time ACTIVE is known here (OCI
        # records none), and only they get an idle clock before a request passes through this server;
        # one another server started may be busy through that server.
        self._started_here: set[str] = set()
        # One signer for every predict call: the SDK clients' own, read at each request so that a
        # session token re-read after a 401 is used at once.
        self.auth = OciRequestAuth(lambda: ctx.client().auth.signer)

    # ---- small helpers ---------------------------------------------------------

    def _c(self) -> OciClients:
        return self.ctx.client()

    @staticmethod
    def _age(stamp: float) -> float:
        return time.monotonic() - stamp

    @staticmethod
    def _check_id(deployment_id: str) -> None:
        if mapping.ocid_kind(deployment_id) != "datasciencemodeldeployment":
            raise NotFound(
                f"No deployment with id '{deployment_id}': OCI model deployment ids look like "
                "ocid1.datasciencemodeldeployment.oc1.<region>.<id>."
            )

    def _remember(self, md: Any, *, full: bool) -> _Entry:
        old = self._entries.get(md.id)
        now = time.monotonic()
        changed = old.changed_at if old else None
        if old is not None and old.md.lifecycle_state != md.lifecycle_state:
            changed = datetime.now(timezone.utc)
        if old is not None and not full and old.full and old.md.lifecycle_state == md.lifecycle_state:
            # A list row knows no lifecycleDetails: keep the full answer of the same state.
            old.seen = now
            return old
        keep_log = old.failure_log if old is not None and old.md.lifecycle_state == md.lifecycle_state else None
        entry = _Entry(md=md, full=full, seen=now, changed_at=changed, failure_log=keep_log)
        self._entries[md.id] = entry
        return entry

    def _forget(self, deployment_id: str) -> None:
        self._entries.pop(deployment_id, None)
        self._order = [i for i in self._order if i != deployment_id]

    def _set_state(self, entry: _Entry, state: str) -> None:
        """What OCI answered to our own action, until the next read says more."""
        entry.md.lifecycle_state = state
        if hasattr(entry.md, "lifecycle_details"):
            entry.md.lifecycle_details = None  # it described the previous state
        entry.full = False
        entry.seen = time.monotonic()
        entry.changed_at = datetime.now(timezone.utc)
        entry.failure_log = None
        self._listed_at = None  # the list is re-read after our own mutations
        self.shapes.forget_limits()

    def _group(self, md: Any) -> dm.GroupModel | None:
        group_id = dm.model_group_id(md)
        return self._groups.get(group_id) if group_id else None

    def _detail(self, entry: _Entry) -> DeploymentDetail:
        md = entry.md
        return dm.to_detail(
            md,
            operation_id=self._watching.get(md.id),
            updated_at=entry.changed_at,
            failure_log=entry.failure_log,
            group=self._group(md),
            # When this server saw a deployment it started become ACTIVE: idle stop's clock.
            active_since=entry.changed_at if md.id in self._started_here else None,
            stop_reason=self._stop_reasons.get(md.id),
        )

    async def _read_group(self, md: Any) -> None:
        """GetModelGroup of a model group deployment, once per group: which member it serves."""
        group_id = dm.model_group_id(md)
        if not group_id or group_id in self._groups:
            return
        c = self._c()
        group = (
            await c.call(
                "datascience",
                c.data_science.get_model_group,
                group_id,
                not_found=f"The model group {group_id} that deployment '{md.display_name}' serves no longer exists.",
            )
        ).data
        self._groups[group_id] = dm.group_model(group)

    def _not_found(self, deployment_id: str) -> str:
        return f"No deployment with id '{deployment_id}' in OCI Data Science (or you may not read it)."

    async def _fetch(self, deployment_id: str) -> _Entry:
        """GetModelDeployment → the cache. NotFound for deleted and non-AQUA deployments."""
        c = self._c()
        md = (
            await c.call(
                "datascience",
                c.data_science.get_model_deployment,
                deployment_id,
                not_found=self._not_found(deployment_id),
            )
        ).data
        if md.lifecycle_state == "DELETED":
            self._forget(deployment_id)
            raise NotFound(f"Deployment '{md.display_name}' was deleted.")
        if not dm.is_aqua(md):
            raise NotFound(
                f"The model deployment '{md.display_name}' was not created by AI Quick Actions (it has "
                f"no {mapping.TAG_AQUA} tag); manage it in the OCI Console."
            )
        return self._remember(md, full=True)

    async def _current(self, deployment_id: str) -> _Entry:
        """The deployment as seen within the short cache window, else read again."""
        self._check_id(deployment_id)
        entry = self._entries.get(deployment_id)
        if entry is not None and self._age(entry.seen) < self.settings.deployment_cache_seconds:
            return entry
        return await self._fetch(deployment_id)

    # ---- list and detail ---------------------------------------------------------

    async def list(self) -> list[DeploymentSummary]:
        if self._listed_at is not None and self._age(self._listed_at) < self.settings.deployment_cache_seconds:
            return self._summaries()
        # Concurrent opens share one listing instead of each paging through OCI.
        if self._listing_task is None or self._listing_task.done():
            self._listing_task = asyncio.get_running_loop().create_task(self._fetch_list())
        return await asyncio.shield(self._listing_task)

    def _summaries(self) -> builtins.list[DeploymentSummary]:
        return [dm.to_summary(self._detail(self._entries[i])) for i in self._order if i in self._entries]

    async def _fetch_list(self) -> builtins.list[DeploymentSummary]:
        c = self._c()
        rows = await c.list_all("datascience", c.data_science.list_model_deployments, self.settings.compartment_id)
        rows = [r for r in rows if r.lifecycle_state != "DELETED" and dm.is_aqua(r)]
        listed = {r.id for r in rows}
        for gone in [i for i in self._entries if i not in listed and i not in self._watching]:
            self._entries.pop(gone, None)
        for row in rows:
            self._remember(row, full=False)
        self._order = [r.id for r in rows]  # newest first, as OCI sorts by default
        self._listed_at = time.monotonic()
        return self._summaries()

    async def get(self, deployment_id: str) -> DeploymentDetail:
        self._check_id(deployment_id)
        entry = self._entries.get(deployment_id)
        if entry is None or not entry.full or self._age(entry.seen) >= self.settings.deployment_cache_seconds:
            entry = await self._fetch(deployment_id)
        if entry.md.lifecycle_state == "FAILED" and entry.failure_log is None:
            entry.failure_log = await self._failure_log(entry.md)
        try:
            await self._read_group(entry.md)
        except AquaError as exc:  # the deployment stands without its model's name; the tags name one
            log.info("OCI model group of %s unreadable: %s", entry.md.id, exc.message)
        return self._detail(entry)

    async def _failure_log(self, md: Any) -> builtins.list[str]:
        """The evidence of a failure: the deployment log's last lines, when it has a log."""
        if not dm.log_ids(md)[1]:
            return []
        try:
            lines = await self._search_logs(md, FAILURE_LOG_LINES)
        except AquaError as exc:  # the reason stands without its evidence; say why it is missing
            log.info("OCI logs of %s unreadable: %s", md.id, exc.message)
            return []
        return lines

    # ---- create ----------------------------------------------------------------

    async def resolve(self, request: CreateDeploymentRequest) -> OciDeployFacts:
        if not self.settings.project_id:
            raise Unavailable(
                "No OCI Data Science project: set AquaExtension.oci_project_id (or PROJECT_OCID) "
                "to the project new deployments belong to."
            )
        facts = await self.planner.resolve(request)
        if not request.adapters:
            return facts
        # A stacked deployment: what OCI records of each fine-tune, for the service's adapter checks.
        adapters = await stacked.adapter_facts(self.planner.models, request.adapters)
        return replace(facts, adapters=adapters, base=stacked.base_facts(facts.model))

    async def _details(self, checked: OciDeployPlan) -> tuple[DeploymentSpec, Any]:
        plan = await self.planner.build(checked)
        return plan, self.planner.create_details(checked.facts.request, plan)

    async def create_values(self, checked: OciDeployPlan) -> tuple[ModelDeploymentSpec, SdkCall]:
        """The CreateModelDeploymentDetails `create` would send, as plain values and as its SDK call."""
        from oci.util import to_dict

        _, details = await self._details(checked)
        call = SdkCall("oci.data_science.DataScienceClient", "create_model_deployment", (details,), "deployment")
        return model_deployment_spec(to_dict(details)), call

    async def _stacked_details(self, checked: OciDeployPlan) -> tuple[DeploymentSpec, Any, str]:
        """A base with adapters (backends/oci/stacked.py): its model group created and ACTIVE, and the
        CreateModelDeploymentDetails that serve it. (spec, details, group id)"""
        spec = stacked.stacked_spec(await self.planner.build(checked), checked, checked.adapter_args)
        single = self.planner.create_details(checked.facts.request, spec)
        base = (await self.planner.models.model_record(spec.model.id)).model
        c = self._c()
        group = await stacked.create_group(
            c,
            self.settings,
            stacked.group_details(self.settings, base, checked.adapters, stacked.base_key(checked)),
        )
        self._groups[group.id] = dm.group_model(group)  # its members are known: the detail needs no read
        return spec, stacked.group_deployment(single, group.id), group.id

    async def create(self, checked: OciDeployPlan) -> CreateDeploymentResponse:
        group_id = None
        if checked.adapters:
            plan, details, group_id = await self._stacked_details(checked)
        else:
            plan, details = await self._details(checked)
        c = self._c()
        try:
            # One token for every attempt: a create retried after a lost answer makes one deployment.
            response = await c.call(
                "datascience", c.data_science.create_model_deployment, details, opc_retry_token=new_retry_token()
            )
        except BaseException as exc:
            if group_id is not None:  # nothing half-made: the group made for it goes
                self._groups.pop(group_id, None)
                await asyncio.shield(stacked.delete_group(c, group_id))
            if isinstance(exc, InvalidInput) and getattr(exc, "oci_code", "") in ("LimitExceeded", "QuotaExceeded"):
                raise InvalidInput.field(
                    "shape",
                    f"no {plan.shape.name} capacity is left in your service limits or compartment quotas "
                    f"({exc.message}); ask your tenancy administrator to raise the limit, delete a "
                    "deployment you no longer need, or choose another shape",
                ) from None
            raise
        entry = self._remember(response.data, full=True)
        self._started_here.add(entry.md.id)
        self._listed_at = None
        self.shapes.forget_limits()
        op = self._follow_in_background(
            entry.md.id,
            response.headers.get("opc-work-request-id"),
            "create-deployment",
            f"Deploy {plan.model.name} on {plan.shape.name}",
            target="ACTIVE",
            verb="Creating",
            on_cancel=lambda: self._delete_quietly(entry.md.id, group_id),
        )
        return CreateDeploymentResponse(deployment=self._detail(entry), operation=op)

    # ---- following a change through to its end ------------------------------------------

    def _follow_in_background(
        self,
        deployment_id: str,
        work_request_id: str | None,
        kind: str,
        title: str,
        *,
        target: str,
        verb: str,
        on_cancel: Callable[[], Awaitable[None]] | None = None,
        then: Callable[[], Awaitable[None]] | None = None,
    ) -> Operation:
        started: dict[str, str] = {}

        async def work(progress: Progress) -> str:
            try:
                done = await self._follow(deployment_id, work_request_id, progress, target=target, verb=verb)
                if then is not None:
                    await then()
                return done
            except asyncio.CancelledError:
                if on_cancel is not None:
                    await asyncio.shield(on_cancel())
                raise
            finally:
                if self._watching.get(deployment_id) == started.get("id"):
                    self._watching.pop(deployment_id, None)

        op = self.operations.start(kind, title, work, resource_id=deployment_id)
        started["id"] = op.id
        self._watching[deployment_id] = op.id
        return op

    async def _follow(
        self, deployment_id: str, work_request_id: str | None, progress: Progress, *, target: str, verb: str
    ) -> str:
        """Poll the work request (with backoff) until it ends, then read the deployment once.
        Succeeds when the deployment reached `target`; else fails with OCI's reason."""
        c = self._c()
        backoff = Backoff(self.settings, self.settings.deploy_timeout_seconds)
        wr: Any = None
        while True:
            await backoff.wait_or_raise(
                UpstreamTimeout,
                f"OCI did not finish {verb.lower()} the deployment within "
                f"{self.settings.deploy_timeout_seconds / 60:.0f} minutes; it may still "
                "finish: check it in the OCI Console.",
            )
            if work_request_id:
                try:
                    wr = (await c.call("datascience", c.data_science.get_work_request, work_request_id)).data
                except NotFound:
                    work_request_id = None  # follow the deployment itself instead
                    continue
                except Upstream as exc:  # OCI hiccups past the retries: keep watching until the deadline
                    log.info("OCI work request %s unreadable: %s", work_request_id, exc.message)
                else:
                    percent = float(wr.percent_complete or 0)
                    progress.update(
                        progress=min(0.95, percent / 100),
                        # The percentage is the operation's progress: not repeated here.
                        message=f"{verb}: OCI work request {str(wr.status).lower().replace('_', ' ')}",
                    )
                    if wr.status in _TERMINAL_WORK:
                        break
            else:
                try:
                    entry = await self._fetch(deployment_id)
                except NotFound:
                    if target == "DELETED":
                        return deployment_id
                    raise
                progress.update(message=f"{verb}: {entry.md.lifecycle_state}")
                if dm.state_of(entry.md.lifecycle_state) not in TRANSITIONAL_STATES:
                    break
        self.shapes.forget_limits()  # instances were taken or given back
        try:
            entry = await self._fetch(deployment_id)
        except NotFound:
            if target == "DELETED":
                self._listed_at = None
                return deployment_id
            raise
        self._listed_at = None
        if entry.md.lifecycle_state == target:
            return deployment_id
        raise Upstream(await self._failure_reason(entry, wr))

    async def _failure_reason(self, entry: _Entry, wr: Any) -> str:
        details = (getattr(entry.md, "lifecycle_details", None) or "").strip()
        if details:
            return details
        if wr is not None and wr.status == "FAILED":
            c = self._c()
            try:
                errors = (await c.call("datascience", c.data_science.list_work_request_errors, wr.id)).data
            except AquaError:
                errors = []
            if errors:
                return errors[0].message
        return f"The deployment is {entry.md.lifecycle_state} (OCI gave no reason)."

    async def _delete_quietly(self, deployment_id: str, group_id: str | None = None) -> None:
        """A canceled create leaves nothing behind: the half-created deployment goes, and the model group made
        for it goes once the deployment is DELETED (OCI keeps a group a deployment serves), followed by an
        operation of its own as a delete is: a canceled operation must end now."""
        if deployment_id in self._superseded:  # canceled because it is being deleted already
            return
        c = self._c()
        try:
            response = await c.call("datascience", c.data_science.delete_model_deployment, deployment_id, gone_ok=True)
            self._forget(deployment_id)
            self._listed_at = None
            self.shapes.forget_limits()
        except AquaError as exc:
            log.error("could not delete the canceled deployment %s: %s", deployment_id, exc.message)
            return
        if group_id is None:
            return
        self._follow_in_background(
            deployment_id,
            # None when an earlier attempt's answer was lost: the deployment itself is followed then.
            response.headers.get("opc-work-request-id") if response is not None else None,
            "delete-deployment",
            "Delete the canceled deployment",
            target="DELETED",
            verb="Deleting",
            then=lambda: stacked.delete_group(self._c(), group_id),
        )

    # ---- activate, deactivate, delete -------------------------------------------

    async def _act(self, deployment_id: str, fn: Callable[..., Any], action: str) -> tuple[_Entry, str | None]:
        """Ask OCI to `action` the deployment. Which states allow it is the service's rule
        (services/deployments.py); OCI refusing it (it changed since we looked) is a Conflict saying
        what it is now."""
        entry = await self._current(deployment_id)
        c = self._c()
        try:
            response = await c.call(
                "datascience", fn, deployment_id, not_found=self._not_found(deployment_id), gone_ok=action == "delete"
            )
        except Conflict:
            entry = await self._fetch(deployment_id)
            raise Conflict(
                f"Deployment '{entry.md.display_name}' is {entry.md.lifecycle_state}; OCI did not {action} it."
            ) from None
        work_request = response.headers.get("opc-work-request-id") if response is not None else None
        return entry, work_request

    async def activate(self, deployment_id: str) -> CreateDeploymentResponse:
        c = self._c()
        entry, wr = await self._act(deployment_id, c.data_science.activate_model_deployment, "activate")
        self._stop_reasons.pop(deployment_id, None)
        self._started_here.add(deployment_id)
        self._set_state(entry, "UPDATING")
        op = self._follow_in_background(
            deployment_id,
            wr,
            "activate-deployment",
            f"Activate {entry.md.display_name}",
            target="ACTIVE",
            verb="Activating",
        )
        return CreateDeploymentResponse(deployment=self._detail(entry), operation=op)

    async def deactivate(self, deployment_id: str, *, reason: str | None = None) -> DeploymentDetail:
        c = self._c()
        entry, wr = await self._act(deployment_id, c.data_science.deactivate_model_deployment, "deactivate")
        if reason is None:
            self._stop_reasons.pop(deployment_id, None)
        else:
            self._stop_reasons[deployment_id] = reason
        self._set_state(entry, "UPDATING")
        self._follow_in_background(
            deployment_id,
            wr,
            "deactivate-deployment",
            f"Deactivate {entry.md.display_name}",
            target="INACTIVE",
            verb="Deactivating",
        )
        return self._detail(entry)

    async def update(self, deployment_id: str, *, idle_stop_minutes: int | None) -> DeploymentDetail:
        """The idle-stop minutes live in a freeform tag: OCI updates tags as a work request (UPDATING),
        followed back to the state the deployment was in."""
        entry = await self._fetch(deployment_id)
        before = entry.md.lifecycle_state
        tags = dict(entry.md.freeform_tags or {})
        tags.pop(dm.TAG_IDLE_STOP, None)
        if idle_stop_minutes is not None:
            tags[dm.TAG_IDLE_STOP] = str(idle_stop_minutes)
        import oci  # the SDK loads with the target (light server start), as deploy_request does

        c = self._c()
        details = oci.data_science.models.UpdateModelDeploymentDetails(freeform_tags=tags)
        response = await c.call(
            "datascience",
            c.data_science.update_model_deployment,
            deployment_id,
            details,
            not_found=self._not_found(deployment_id),
        )
        entry.md.freeform_tags = tags
        self._set_state(entry, "UPDATING")
        self._follow_in_background(
            deployment_id,
            response.headers.get("opc-work-request-id") if response is not None else None,
            "update-deployment",
            f"Update {entry.md.display_name}",
            target=before,
            verb="Updating",
        )
        return self._detail(entry)

    async def delete(self, deployment_id: str) -> None:
        c = self._c()
        entry, wr = await self._act(deployment_id, c.data_science.delete_model_deployment, "delete")
        previous = self._watching.get(deployment_id)
        if previous is not None:  # stop following a create (or activation) that is being deleted
            self._superseded.add(deployment_id)
            try:
                await self.operations.cancel(previous)
            except AquaError:  # it ended meanwhile
                pass
            finally:
                self._superseded.discard(deployment_id)
        group_id = stacked.own_group(entry.md)
        self._set_state(entry, "DELETING")
        self._follow_in_background(
            deployment_id,
            wr,
            "delete-deployment",
            f"Delete {entry.md.display_name}",
            target="DELETED",
            verb="Deleting",
            # The model group this extension made for it goes once the deployment is gone (OCI keeps a group
            # that a deployment serves).
            then=(lambda: stacked.delete_group(self._c(), group_id)) if group_id else None,
        )

    # ---- logs -------------------------------------------------------------------

    async def logs(self, deployment_id: str, query: LogsQuery) -> LogPage:
        entry = await self._current(deployment_id)
        group, logs = dm.log_ids(entry.md)
        if not logs or group is None:
            return LogPage(lines=[], cursor=query.after or "", source="no OCI log configured for this deployment")
        return await search_log_page(
            self._c(),
            query,
            compartment_id=entry.md.compartment_id,
            log_group_id=group,
            log_ids=logs,
            resource_id=entry.md.id,
            created=mapping.aware(entry.md.time_created),
            with_kind=True,
            source=f"OCI Logging: log {' and '.join(logs)} (log group {group})",
        )

    async def _search_logs(self, md: Any, tail: int) -> builtins.list[str]:
        group, logs = dm.log_ids(md)
        if not logs or group is None:
            return []
        lines, _ = await search_lines(
            self._c(),
            compartment_id=md.compartment_id,
            log_group_id=group,
            log_ids=logs,
            resource_id=md.id,
            created=mapping.aware(md.time_created),
            tail=tail,
            with_kind=True,
        )
        return lines

    # ---- the data plane ---------------------------------------------------------

    async def _target(self, entry: _Entry) -> UpstreamTarget:
        # A request to a model group deployment names its member: without the group (unreadable) it
        # would reach the base model instead of the fine-tune, so its error stands.
        await self._read_group(entry.md)
        detail = self._detail(entry)
        assert detail.upstream_url is not None
        return UpstreamTarget(
            deployment_id=detail.id,
            mode=detail.mode,
            model=dm.served_model(entry.md, self._group(entry.md)),
            base_url=detail.upstream_url,
            oci_route=True,
            auth=self.auth,
            served_model_name=served_name(detail.name),
            # A stacked group of several fine-tunes: a request's `model` names one by its inference key.
            adapters=tuple(a.name for a in detail.adapters),
            adapter_routing="model" if detail.adapters else None,
        )

    async def upstream(self, deployment_id: str) -> UpstreamTarget:
        self._check_id(deployment_id)
        entry = self._entries.get(deployment_id)
        # An ACTIVE state seen within the cache window is enough: a chat turn makes no control-plane call.
        if (
            entry is not None
            and entry.md.lifecycle_state == "ACTIVE"
            and entry.md.model_deployment_url
            and self._age(entry.seen) < self.settings.cache_seconds
        ):
            return await self._target(entry)
        entry = await self._fetch(deployment_id)
        if entry.md.lifecycle_state != "ACTIVE" or not entry.md.model_deployment_url:
            detail = self._detail(entry)
            raise Conflict(f"Deployment '{detail.name}' is {detail.state.value}, not ACTIVE: {detail.state_message}.")
        return await self._target(entry)

    async def upstream_failed(self, deployment_id: str, error: str) -> DeploymentState | None:
        """A predict call failed: read the deployment once, so the next turn (and the error the
        user sees) knows whether it stopped. Returns its state when no longer ACTIVE."""
        log.info("predict on %s failed (%s); checking its state", deployment_id, error)
        try:
            entry = await self._fetch(deployment_id)
        except NotFound:
            return None
        except AquaError as exc:
            log.info("could not check %s: %s", deployment_id, exc.message)
            return None
        state = dm.state_of(entry.md.lifecycle_state)
        return None if state == DeploymentState.ACTIVE else state
