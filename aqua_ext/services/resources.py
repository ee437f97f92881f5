"""What the resource services share: the lifecycle table type, merged lists, routing by id."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from ..api.common import TargetProblem
from ..backends.base import Backend
from ..errors import AquaError, Conflict, InvalidInput, Unavailable
from .targets import Targets

log = logging.getLogger(__name__)

S = TypeVar("S")  # a state enum
A = TypeVar("A", bound=str)  # an action word
T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)  # a resource summary or detail (the contract model)


class Lifecycle(Generic[S, A]):
    """One resource's rules: per target kind, the actions each state allows, and why an action is
    refused in a state (the 409 message). The one place these rules live: the drivers only report
    states, the UI only shows the `actions` computed here."""

    def __init__(
        self,
        noun: str,
        table: Mapping[str, Mapping[S, frozenset[A]]],
        *,
        why: Mapping[tuple[str, A, S], str] | None = None,
        default_why: Callable[[str, A, S], str | None] | None = None,
        allowed_text: Mapping[tuple[str, A], str] | None = None,
    ) -> None:
        self.noun = noun
        self.table = table
        self._why = why or {}
        self._default_why = default_why
        self._allowed_text = allowed_text or {}

    def actions(self, target: str, state: S) -> list[A]:
        """The actions `state` allows on `target`, in a stable order."""
        allowed = self.table.get(target, {}).get(state, frozenset())
        order = {a: i for i, a in enumerate(_ACTION_ORDER)}
        return sorted(allowed, key=lambda a: order.get(a, len(order)))

    def allows(self, target: str, state: S, action: A) -> bool:
        return action in self.table.get(target, {}).get(state, frozenset())

    def states_allowing(self, target: str, action: A) -> list[S]:
        return [s for s, allowed in self.table.get(target, {}).items() if action in allowed]

    def require(self, target: str, name: str, state: S, action: A) -> None:
        """Conflict (409) naming the state, what the action needs and why, unless `state` allows it."""
        if self.allows(target, state, action):
            return
        value = getattr(state, "value", state)
        states = self.states_allowing(target, action)
        why = self._why.get((target, action, state))
        if why is None and self._default_why is not None:
            why = self._default_why(target, action, state)
        if not states:
            text = f"{self.noun} '{name}' is {value}; no {self.noun.lower()} can be {_past(action)} on {target}"
        else:
            allowed = self._allowed_text.get((target, action)) or (
                ", ".join(str(getattr(s, "value", s)) for s in states[:-1])
                + (" or " if len(states) > 1 else "")
                + str(getattr(states[-1], "value", states[-1]))
                + f" {self.noun.lower()}s"
            )
            text = f"{self.noun} '{name}' is {value}; only {allowed} can be {_past(action)}"
        raise Conflict(text + (f": {why}" if why else "."))


_ACTION_ORDER = ("chat", "deploy", "finetune", "evaluate", "compare", "activate", "deactivate", "cancel", "delete")


def _past(action: str) -> str:
    return {
        "chat": "chatted with",
        "finetune": "fine-tuned",
        "compare": "compared",
        "adapters": "given other adapters",
    }.get(action, action + ("d" if action.endswith("e") else "ed"))


async def merged(
    targets: Targets, fetch: Callable[[Backend], Awaitable[list[T]]]
) -> tuple[list[tuple[str, T]], list[TargetProblem]]:
    """Every started target's items, tagged with the target's name; a target that failed to start or
    to list becomes a problem, not a failed list. Unavailable only when no target answered."""
    drivers, problems = await targets.started()
    results = await asyncio.gather(*(fetch(d) for d in drivers), return_exceptions=True)
    items: list[tuple[str, T]] = []
    out = [TargetProblem(target=p.target, message=p.message) for p in problems]
    answered = 0
    for driver, result in zip(drivers, results, strict=True):
        if isinstance(result, AquaError):
            log.warning("the %s target's list failed: %s", driver.kind, result.message)
            out.append(TargetProblem(target=driver.kind, message=result.message))
        elif isinstance(result, BaseException):
            raise result
        else:
            answered += 1
            items.extend((driver.kind, item) for item in result)
    if not answered:
        if len(targets.names) == 1 and len(drivers) == 1:
            # One target, and it failed: the error is the answer, as it always was.
            result = results[0]
            assert isinstance(result, BaseException)
            raise result
        raise Unavailable("; ".join(p.message for p in out) or "No target is enabled.")
    return items, out


async def create_target(targets: Targets, requested: str | None, owned_id: str, field: str) -> Backend:
    """The target a create request runs on: the one it names, else the one that owns `owned_id`
    (the model deployed or fine-tuned, the deployment evaluated). A request naming another target
    than the owner's is refused: a model lives on one target."""
    owner = targets.owner(owned_id)
    if requested and requested != owner:
        targets.driver(requested)  # an unknown target: 400 naming the enabled ones
        raise InvalidInput.field(
            "target", f"'{owned_id}' ({field}) belongs to the {owner} target; it cannot be used on {requested}"
        )
    return await targets.get(owner)


async def terraform_target(targets: Targets, requested: str | None, model_id: str, verb: str) -> Backend:
    """The target a create's Terraform export runs its checks on (as `create_target`): only OCI's, since
    Terraform describes OCI resources. `verb`: what the create does to an OCI model ("deploy", "fine-tune")."""
    driver = await create_target(targets, requested, model_id, "model_id")
    if driver.kind != "oci":
        raise InvalidInput.field(
            "target",
            f"Terraform describes OCI resources; '{model_id}' is on the {driver.kind} target: "
            f"{verb} an OCI model (target 'oci') to export it",
        )
    return driver


D = TypeVar("D", bound=BaseModel)  # a resource detail (the contract model)


class LifecycleService(Generic[S, A, D]):
    """What the services of resources with a lifecycle (deployments, fine-tunes, evaluations) share:
    a merged list, a detail routed by id, and an action checked against the lifecycle table before
    the owning target's driver is asked. Each item carries its target and the actions allowed now."""

    lifecycle: Lifecycle[S, A]

    def __init__(self, targets: Targets) -> None:
        self.targets = targets

    def item_actions(self, target: str, item: Any) -> list[A]:
        """The actions `item`'s state allows on `target`; a service whose items' facts narrow them says how."""
        return self.lifecycle.actions(target, item.state)

    def annotate(self, target: str, item: M) -> M:
        """The item with `target` and the `actions` its state (and facts) allow."""
        return item.model_copy(update={"target": target, "actions": self.item_actions(target, item)})

    async def read(self, driver: Backend, resource_id: str) -> D:
        """The driver's detail of `resource_id`."""
        raise NotImplementedError

    def refused(self, detail: Any, action: A) -> str:
        """Why `action` is refused though the state allows it (a fact of the resource, not its state)."""
        return f"{self.lifecycle.noun} '{detail.name}' cannot be {_past(action)} now."

    async def items(self, fetch: Callable[[Backend], Awaitable[list[M]]]) -> tuple[list[M], list[TargetProblem]]:
        tagged, problems = await merged(self.targets, fetch)
        return [self.annotate(target, item) for target, item in tagged], problems

    async def get(self, resource_id: str) -> D:
        driver = await self.targets.route(resource_id)
        return self.annotate(driver.kind, await self.read(driver, resource_id))

    async def checked(self, resource_id: str, action: A) -> tuple[D, Backend]:
        """The resource and its target's driver, when the resource allows `action` now (409 otherwise)."""
        detail: Any = await self.get(resource_id)
        self.lifecycle.require(detail.target, detail.name, detail.state, action)
        if action not in detail.actions:
            raise Conflict(self.refused(detail, action))
        return detail, await self.targets.get(detail.target)
