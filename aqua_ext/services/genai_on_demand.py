"""On-demand models of OCI Generative AI: the region's pretrained base models that OCI serves per call, with no
dedicated AI cluster. Each is a chat or embedding subject wherever a deployment is one (playground, Compare, the
OpenAI pass-through, evaluations as the model evaluated or as the judge), by its model OCID where a deployment id
goes; its turns go through the connections' OCI Generative AI dialect with servingMode ON_DEMAND
(services/genai_chat.py), signed with the genai target's signer.

The rule of which model is usable on demand is this module's: a BASE model, ACTIVE, with CHAT (chat) or
TEXT_EMBEDDINGS (embedding) among its capabilities, not retired for on-demand serving (`timeOnDemandRetired` in
the past: OCI no longer answers it). A deprecated one (`timeDeprecated` in the past) is still served: it is listed,
marked with its retirement date. The SDK's ModelSummary says nothing more about on-demand serving; in a region
where a model is "dedicated AI cluster only" its first turn gets OCI's own refusal, shown as OCI words it.

The driver reports what ListModels says (backends/genai/mapping.py); a model seen usable is kept, so a chat turn
makes no control-plane call.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, cast

from ..api.deployments import DeploymentAction, DeploymentDetail, DeploymentState, InferenceMode
from ..api.genai import GenAiModel, OnDemandModel, OnDemandModelList
from ..api.upstream import UpstreamTarget
from ..errors import InvalidInput

if TYPE_CHECKING:
    from ..backends.base import Backend
    from ..backends.genai.backend import GenAiBackend

TARGET = "genai"
# Base and fine-tuned models share this prefix; endpoints, clusters and imported models have their own.
MODEL_PREFIX = "ocid1.generativeaimodel."
# What may be done with one, by its mode: OCI serves it (nothing to start, stop or delete); an embedder gives vectors,
# no answers to evaluate. The list and the deployment detail both say this.
_ACTIONS: dict[InferenceMode, list[DeploymentAction]] = {"chat": ["chat", "evaluate"], "embedding": ["chat"]}
SHAPE = "on-demand"  # what the deployment's shape says: OCI's shared capacity, paid per call
_MODES: tuple[tuple[str, InferenceMode], ...] = (("CHAT", "chat"), ("TEXT_EMBEDDINGS", "embedding"))


def mode_of(model: GenAiModel) -> InferenceMode | None:
    """How the model is talked to on demand; None when it offers neither chat nor embeddings."""
    return next((mode for capability, mode in _MODES if capability in model.capabilities), None)


def actions(mode: InferenceMode) -> list[DeploymentAction]:
    return list(_ACTIONS.get(mode, []))


def why_not(model: GenAiModel, now: datetime) -> str | None:
    """Why the model cannot be used on demand now; None when it can."""
    if model.type != "BASE":
        return (
            f"'{model.name}' is a {'fine-tuned' if model.type == 'CUSTOM' else 'imported'} model: it is served by an "
            "endpoint on a hosting cluster, not on demand"
        )
    if model.state != "ACTIVE":
        return f"'{model.name}' is {model.state}, not ACTIVE"
    if mode_of(model) is None:
        offered = ", ".join(model.capabilities) or "no capability"
        return f"'{model.name}' offers {offered}; on demand, a model is chatted with (CHAT) or embeds (TEXT_EMBEDDINGS)"
    if model.on_demand_retired_at is not None and model.on_demand_retired_at <= now:
        return f"'{model.name}' was retired for on-demand serving on {model.on_demand_retired_at.date().isoformat()}"
    return None


def item(model: GenAiModel, now: datetime) -> OnDemandModel:
    """A usable model (why_not is None) as the pickers list it."""
    deprecated = model.deprecated_at is not None and model.deprecated_at <= now
    retires = model.on_demand_retired_at
    mode = mode_of(model) or "chat"
    note = ""
    if deprecated:
        note = f"deprecated: retires on demand on {retires.date().isoformat()}" if retires else "deprecated"
    return OnDemandModel(
        id=model.id,
        name=model.name,
        vendor=model.vendor,
        version=model.version,
        mode=mode,
        capabilities=model.capabilities,
        deprecated=deprecated,
        deprecated_at=model.deprecated_at,
        retires_at=retires,
        note=note,
        actions=actions(mode),
    )


def listed(models: list[GenAiModel], now: datetime | None = None) -> OnDemandModelList:
    """The usable ones, chat first then embeddings, each by name (retired and unusable ones left out)."""
    at = now or datetime.now(timezone.utc)
    usable = [item(m, at) for m in models if why_not(m, at) is None]
    usable.sort(key=lambda m: (m.mode != "chat", m.name))
    return OnDemandModelList(items=usable, total=len(usable))


def _genai(driver: Backend) -> GenAiBackend:
    """The genai target's driver (the deployments service routes an id to it by its prefix)."""
    return cast("GenAiBackend", driver)


async def list_models(driver: Backend) -> OnDemandModelList:
    return listed(await _genai(driver).genai_models())


class OnDemand:
    """The on-demand models as deployments: their detail and where their turns go. A model seen usable is kept, so
    a chat turn makes no control-plane call (the retirement date is checked against the clock at every turn)."""

    def __init__(self) -> None:
        self._seen: dict[str, GenAiModel] = {}

    async def usable(self, backend: Backend, model_id: str, field: str = "deployment_id") -> GenAiModel:
        """The model `model_id` when it is usable on demand: 404 for an unknown one, 400 naming `field` for one
        that is not (fine-tuned or imported, no chat or embeddings, retired). Without a call when it was seen
        before or is in the driver's recent model list."""
        model = self._seen.get(model_id)
        if model is None:
            driver = _genai(backend)
            model = next((m for m in await driver.genai_models() if m.id == model_id), None)
            if model is None:
                model = await driver.genai_model(model_id)  # NotFound for an unknown id
        why = why_not(model, datetime.now(timezone.utc))
        if why is not None:
            self._seen.pop(model_id, None)
            raise InvalidInput.field(field, f"{why}; it cannot be used on demand")
        self._seen[model_id] = model
        return model

    async def deployment(self, backend: Backend, model_id: str) -> DeploymentDetail:
        """The on-demand model as a deployment's detail: ACTIVE while OCI serves it (a deprecated one says so)."""
        model = await self.usable(backend, model_id)
        shown = item(model, datetime.now(timezone.utc))
        created = model.created_at or datetime.now(timezone.utc)
        return DeploymentDetail(
            id=model.id,
            name=model.name,
            description=f"{model.vendor or 'OCI'} {model.name}, served on demand by OCI Generative AI",
            model_id=model.id,
            model_name=model.name,
            state=DeploymentState.ACTIVE,
            state_message=shown.note,
            mode=shown.mode,
            engine="oci-genai",
            shape=SHAPE,
            replicas=1,
            created_at=created,
            updated_at=model.updated_at or created,
            openai_base_path=f"aqua-ext/deployments/{model.id}/v1",
        )

    async def upstream(self, backend: Backend, model_id: str) -> UpstreamTarget:
        """Where a turn with the model goes: the region's inference host, servingMode ON_DEMAND naming the model by
        its OCI name (the dialect picks the COHERE or GENERIC chat format from it), signed with the target's
        signer."""
        model = await self.usable(backend, model_id)
        driver = _genai(backend)
        return UpstreamTarget(
            deployment_id=model.id,
            mode=mode_of(model) or "chat",
            model=model.name,
            base_url=driver.deployments.inference_url(),
            auth=driver.deployments.auth,
            served_model_name=model.name,
            dialect="oci_genai",
            compartment_id=driver.compartment_id,
            genai_serving_mode="ON_DEMAND",
        )


def is_on_demand(target: str, resource_id: str) -> bool:
    """Whether a deployment (by its target and id) is an on-demand model rather than an endpoint."""
    return target == TARGET and resource_id.startswith(MODEL_PREFIX)
