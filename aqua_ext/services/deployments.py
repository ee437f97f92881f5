"""Deployments: the lifecycle table (which action each state allows, per target), merged lists,
routing by id, and the checks of a new deployment (deploy_plan.py). The drivers start and stop
engines or call OCI; the rules are here."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, cast

from ..api.deployments import (
    TRANSITIONAL_STATES,
    ChatRequest,
    CreateDeploymentRequest,
    CreateDeploymentResponse,
    DeploymentAction,
    DeploymentDetail,
    DeploymentList,
    DeploymentState,
    DeploymentSummary,
    SetAdaptersRequest,
    SetAdaptersResponse,
    UpdateDeploymentRequest,
)
from ..api.logs import LogPage, LogsQuery
from ..api.terraform import TerraformExport
from ..api.upstream import UpstreamTarget
from ..backends.base import Backend
from ..errors import Conflict, InvalidInput
from . import genai_on_demand
from .adapters import ADAPTER_ENGINES, adapter_args, check_adapters, live_fits, takes_adapters, where_adapters_change
from .chat import Turn, start_turn
from .chat_images import chat_inputs
from .cli_command import create_command
from .deploy_plan import plan_deployment
from .idle_stop import idle_stop_at
from .resources import Lifecycle, LifecycleService, M, create_target, terraform_target
from .sdk_snippet import render_snippet
from .serving_metrics import ServingMetrics
from .targets import Targets
from .terraform import model_deployment_tf, tf_file_name
from .traffic import Traffic

if TYPE_CHECKING:
    from .engine_wire import EngineWire

S = DeploymentState
_SERVING: frozenset[DeploymentAction] = frozenset({"chat", "evaluate", "deactivate", "delete"})

# state → the actions it allows, per target kind. Local: the engine is our process, so a FAILED one
# can be started again (activate) or left quiet (deactivate), and anything can be deleted (the engine
# is stopped first); its adapters change while nothing else is changing it (live or by a restart when
# ACTIVE, saved for the next start otherwise), where its engine and mode take adapters (takes_adapters).
# OCI: a FAILED model deployment cannot be activated nor deactivated (OCI refuses
# both), only deleted; nothing can be done while OCI is changing it (UPDATING, DELETING).
DEPLOYMENT_ACTIONS: dict[str, dict[DeploymentState, frozenset[DeploymentAction]]] = {
    "local": {
        S.CREATING: frozenset({"delete"}),
        S.ACTIVE: _SERVING | frozenset({"adapters"}),
        S.UPDATING: frozenset({"delete"}),
        S.INACTIVE: frozenset({"activate", "delete", "adapters"}),
        S.FAILED: frozenset({"activate", "deactivate", "delete", "adapters"}),
        S.NEEDS_ATTENTION: frozenset({"deactivate", "delete"}),
        S.DELETING: frozenset({"delete"}),
    },
    "oci": {
        S.CREATING: frozenset({"delete"}),
        S.ACTIVE: _SERVING,
        S.UPDATING: frozenset(),
        S.INACTIVE: frozenset({"activate", "delete"}),
        S.FAILED: frozenset({"delete"}),
        S.NEEDS_ATTENTION: frozenset({"deactivate", "delete"}),
        S.DELETING: frozenset(),
    },
    # A Generative AI endpoint serves while it exists (no stop or start); OCI refuses to delete one it is
    # still creating. It is evaluated by the local target's job (services/genai_chat.evaluated_endpoint).
    "genai": {
        S.CREATING: frozenset(),
        S.ACTIVE: frozenset({"chat", "evaluate", "delete"}),
        S.UPDATING: frozenset(),
        S.INACTIVE: frozenset({"delete"}),
        S.FAILED: frozenset({"delete"}),
        S.NEEDS_ATTENTION: frozenset({"delete"}),
        S.DELETING: frozenset(),
    },
}

_WHY: dict[tuple[str, DeploymentAction, DeploymentState], str] = {
    ("oci", "activate", S.FAILED): "OCI cannot restart a FAILED model deployment: delete it and deploy again.",
    ("oci", "deactivate", S.FAILED): "a FAILED deployment is not running: delete it, or deploy the model again.",
    ("oci", "delete", S.DELETING): "it is already being deleted.",
}


def _default_why(target: str, action: DeploymentAction, state: DeploymentState) -> str | None:
    if action == "activate" and state == S.ACTIVE:
        return "it is already serving."
    if action == "deactivate" and state == S.INACTIVE:
        return "it is already stopped."
    if action in ("chat", "evaluate") and state in (S.INACTIVE, S.FAILED):
        return "activate it first."
    if state in TRANSITIONAL_STATES:
        return "wait until the change in progress is finished."
    return None


DEPLOYMENTS = Lifecycle[DeploymentState, DeploymentAction](
    "Deployment",
    DEPLOYMENT_ACTIONS,
    why=_WHY,
    default_why=_default_why,
    allowed_text={
        ("oci", "activate"): "an INACTIVE deployment",
        ("oci", "deactivate"): "an ACTIVE deployment",
        ("oci", "delete"): "an ACTIVE, INACTIVE, FAILED or CREATING deployment",
    },
)


def deployment_actions(target: str, item: DeploymentSummary) -> list[DeploymentAction]:
    if genai_on_demand.is_on_demand(target, item.id):  # OCI serves it: talked to, never started, stopped or deleted
        return genai_on_demand.actions(item.mode)
    actions = DEPLOYMENTS.actions(target, item.state)
    if item.mode == "embedding":  # an evaluation asks for answers; an embedding model gives vectors
        actions = [a for a in actions if a != "evaluate"]
    if not takes_adapters(target, item.engine, item.mode):
        actions = [a for a in actions if a != "adapters"]
    return actions


class Deployments(LifecycleService[DeploymentState, DeploymentAction, DeploymentDetail]):
    lifecycle = DEPLOYMENTS

    def __init__(self, targets: Targets, traffic: Traffic | None = None) -> None:
        super().__init__(targets)
        # What this server relays to each deployment: idle stop and the metrics read it.
        self.traffic = traffic or Traffic()
        # The server's pool for unsigned engine requests (engine_wire.py), set by the server app;
        # None elsewhere (the CLI, jobs): their turns go through the httpx client they pass.
        self.wire: EngineWire | None = None
        self.metrics = ServingMetrics(self, clock=self.traffic.clock)
        # The genai target's on-demand models, deployments by their model OCID (services/genai_on_demand.py).
        self.on_demand = genai_on_demand.OnDemand()

    async def get(self, resource_id: str) -> DeploymentDetail:
        detail = await super().get(resource_id)
        last = self.traffic.last_request(detail.id)
        return detail.model_copy(
            update={
                "last_request_at": None if last is None else datetime.fromtimestamp(last, tz=timezone.utc),
                "idle_stop_at": idle_stop_at(detail, self.traffic),
            }
        )

    item_actions = staticmethod(deployment_actions)

    def annotate(self, target: str, item: M) -> M:
        """Also what a chat turn with it may hold (images: chat_images.py's rule)."""
        annotated = super().annotate(target, item)
        return annotated.model_copy(update={"chat_inputs": chat_inputs(cast(DeploymentSummary, annotated))})

    async def read(self, driver: Backend, resource_id: str) -> DeploymentDetail:
        if genai_on_demand.is_on_demand(driver.kind, resource_id):
            return await self.on_demand.deployment(driver, resource_id)
        return await driver.get_deployment(resource_id)

    def refused(self, detail: Any, action: DeploymentAction) -> str:
        if genai_on_demand.is_on_demand(detail.target, detail.id):
            return f"'{detail.name}' is served on demand by OCI Generative AI: it cannot be {action}d from here."
        if action == "adapters":
            return (
                f"Deployment '{detail.name}' serves {detail.mode} with {detail.engine} on the {detail.target} "
                f"target: its LoRA adapters cannot be changed; {where_adapters_change()}."
            )
        # Allowed by the state, not by the mode: an embedding model gives vectors, not answers to evaluate.
        return f"Deployment '{detail.name}' serves {detail.mode}; it cannot be {action}d."

    async def list(self) -> DeploymentList:
        items, problems = await self.items(lambda d: d.list_deployments())
        return DeploymentList(items=items, total=len(items), problems=problems)

    async def create(self, request: CreateDeploymentRequest) -> CreateDeploymentResponse:
        driver = await create_target(self.targets, request.target, request.model_id, "model_id")
        # The driver resolves the facts, the rules run here, the driver creates what they passed.
        plan = await plan_deployment(await driver.resolve_deployment(request))
        response = await driver.create_deployment(plan)
        return response.model_copy(update={"deployment": self.annotate(driver.kind, response.deployment)})

    async def terraform(self, request: CreateDeploymentRequest) -> TerraformExport:
        """The Terraform of `create(request)`: the same checks and plan (the same 400s), then what the OCI
        driver would send, written as `oci_datascience_model_deployment`. Nothing is created."""
        driver = await terraform_target(self.targets, request.target, request.model_id, "deploy")
        if request.adapters:
            # A stacked deployment is two resources, a model group and its deployment, made in order and undone
            # together (backends/oci/stacked.py); the export writes one deployment of one model.
            raise InvalidInput.field(
                "adapters", "the Terraform export writes a deployment of one model; create a stacked deployment here"
            )
        plan = await plan_deployment(await driver.resolve_deployment(request))
        spec, call = await driver.deployment_create_values(plan)
        names = {spec.compartment_ocid: "compartment_id", spec.project_id: "project_id"}
        return TerraformExport(
            file_name=tf_file_name(request.name),
            hcl=model_deployment_tf(spec),
            cli=create_command(request),
            python=render_snippet([call], names=names),
        )

    async def activate(self, deployment_id: str) -> CreateDeploymentResponse:
        _, driver = await self.checked(deployment_id, "activate")
        response = await driver.activate_deployment(deployment_id)
        return response.model_copy(update={"deployment": self.annotate(driver.kind, response.deployment)})

    async def deactivate(self, deployment_id: str, *, reason: str | None = None) -> DeploymentDetail:
        """A user's Deactivate, or idle stop's (`reason`: why, shown as the INACTIVE state's message)."""
        _, driver = await self.checked(deployment_id, "deactivate")
        if reason is None:  # a user's: asked as every driver takes it (drivers without idle stop record no reason)
            return self.annotate(driver.kind, await driver.deactivate_deployment(deployment_id))
        return self.annotate(driver.kind, await driver.deactivate_deployment(deployment_id, reason=reason))

    async def update(self, deployment_id: str, request: UpdateDeploymentRequest) -> DeploymentDetail:
        """Change its settings (the idle stop); not while a change is under way on it."""
        detail = await self.get(deployment_id)
        if detail.state in TRANSITIONAL_STATES:
            raise Conflict(
                f"Deployment '{detail.name}' is {detail.state.value}: wait until the change in progress is finished."
            )
        driver = await self.targets.get(detail.target)
        updated = await driver.update_deployment(deployment_id, idle_stop_minutes=request.idle_stop_minutes)
        return self.annotate(driver.kind, updated)

    async def set_adapters(self, deployment_id: str, request: SetAdaptersRequest) -> SetAdaptersResponse:
        """Serve this set of adapters from now on: checked as at create (the same base, a rank the engine
        loads), then loaded live where the engine allows it, else by restarting the engine (services/adapters.py)."""
        _, driver = await self.checked(deployment_id, "adapters")
        change = await driver.resolve_adapters(deployment_id, request.adapters)
        adapters = check_adapters(change.engine, list(change.facts), change.base, change.served, mode=change.mode)
        args = adapter_args(change.engine, list(change.facts), [a.rank for a in adapters]) if adapters else []
        support = ADAPTER_ENGINES.get(change.engine)
        how = support.applied if support is not None else "restart"
        if how == "live" and not live_fits(change.running, args):
            how = "restart"
        checked = replace(change, adapters=tuple(adapters), args=tuple(args), how=how)
        response = await driver.set_adapters(checked)
        return response.model_copy(update={"deployment": self.annotate(driver.kind, response.deployment)})

    async def delete(self, deployment_id: str) -> None:
        _, driver = await self.checked(deployment_id, "delete")
        await driver.delete_deployment(deployment_id)

    async def logs(self, deployment_id: str, query: LogsQuery) -> LogPage:
        driver = await self.targets.route(deployment_id)
        return await driver.deployment_logs(deployment_id, query)

    async def upstream(self, deployment_id: str) -> UpstreamTarget:
        """Where an ACTIVE deployment's engine answers (no control-plane call per chat turn: the driver
        keeps what it last saw; a deployment that is not serving is a Conflict naming its state)."""
        driver = await self.targets.route(deployment_id)
        if genai_on_demand.is_on_demand(driver.kind, deployment_id):
            return await self.on_demand.upstream(driver, deployment_id)
        return await driver.upstream(deployment_id)

    async def chat(self, deployment_id: str, request: ChatRequest) -> Turn:
        """One playground turn, ready to stream (what the deployment's mode takes is checked here)."""
        return await start_turn(self, deployment_id, request)

    async def upstream_failed(self, deployment_id: str, error: str) -> DeploymentState | None:
        driver = await self.targets.route(deployment_id)
        if genai_on_demand.is_on_demand(driver.kind, deployment_id):
            return None  # OCI serves it: a failed turn changes no state of ours (the error says what OCI said)
        return await driver.upstream_failed(deployment_id, error)
