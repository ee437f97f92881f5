"""OCI model deployments ↔ our deployment entity, following Oracle AQUA's tags and
container conventions so that either tool sees what the other created.

- AQUA deployments carry the freeform tag `OCI_AQUA`, the model's display name in
  `aqua_model_name`, its `task`, and the model's origin tag (`aqua_service_model`,
  `aqua_custom_base_model` or `aqua_fine_tuned_model`); ours add `aqua_ext_dtype` (the
  dtype the memory fit was checked with);
- the engine is the service container's family in the image (`dsmc://odsc-vllm-serving:<tag>`);
- the inference mode is the container's `MODEL_DEPLOY_PREDICT_ENDPOINT`;
- the engine parameters are the `PARAMS` environment variable;
- predict / access logs are `categoryLogDetails`.
Everything is read from one ListModelDeployments row or one GetModelDeployment answer, except
the model of a MODEL_GROUP deployment: AQUA deploys a "v2" fine-tune as a stacked model group
(the base model plus the fine-tune as a LoRA member, `modelGroupConfigurationDetails`), and
only the group (GetModelGroup, read by the driver on a detail) says which member it is. A group that
stacks several fine-tunes, or that this extension made for a base with adapters (stacked.py, its tag), is
the base serving each fine-tune as an adapter by its inference key.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from datetime import datetime
from typing import Any, get_args

from ...api.deployments import (
    IDLE_STOP_MAX,
    IDLE_STOP_MIN,
    DeploymentAdapter,
    DeploymentDetail,
    DeploymentState,
    DeploymentSummary,
)
from ...api.fit import Dtype
from ..engine_tokens import param_value
from .mapping import (
    SERVING_FAMILY_LLAMA_CPP,
    SERVING_FAMILY_VLLM,
    TAG_AQUA,
    TAG_CUSTOM_BASE,
    TAG_FINE_TUNED,
    TAG_SERVICE_MODEL,
    TAG_TASK,
    aware,
    ci_tags,
)

TAG_MODEL_NAME = "aqua_model_name"
TAG_MODEL_ID = "aqua_model_id"
TAG_MODEL_FILE = "model_file"
TAG_DTYPE = "aqua_ext_dtype"
TAG_QUANTIZATION = "aqua_ext_quantization"  # the weights' choice of the deploy request (its detail shows it)
TAG_IDLE_STOP = "aqua_ext_idle_stop_minutes"  # idle stop: the server that relays its traffic deactivates it
TAG_STACKED = "aqua_stacked_model"  # AQUA's Tags.STACKED_MODEL_TYPE_TAG: a stacked model group deployment
# The model group this extension made for a deployment of a base with adapters (backends/oci/stacked.py): on
# the group ("adapters": each fine-tune is an adapter, even one), and on the deployment (the group's id: deleted
# with it; a group AQUA or someone else made is never deleted here).
TAG_OWN_GROUP = "aqua_ext_model_group"
OWN_GROUP_VALUE = "adapters"

# The service container family of each engine (AQUA's InferenceContainerTypeFamily).
ENGINE_FAMILIES = {"vllm": SERVING_FAMILY_VLLM, "tgi": "odsc-tgi-serving", "llama.cpp": SERVING_FAMILY_LLAMA_CPP}
# What the container serves by default, per inference mode (the `route` header can ask for another path).
PREDICT_ENDPOINTS = {"chat": "/v1/chat/completions", "completion": "/v1/completions", "embedding": "/v1/embeddings"}
SERVED_MODEL = "odsc-llm"  # the --served-model-name AQUA's containers use

# Why a deployment is in a state, when OCI gives no lifecycleDetails (list rows never do).
STATE_MESSAGES = {
    DeploymentState.CREATING: "OCI is creating the model deployment (this usually takes 10 to 20 minutes)",
    DeploymentState.ACTIVE: "Serving",
    DeploymentState.UPDATING: "OCI is updating the model deployment (activating or deactivating it)",
    DeploymentState.INACTIVE: "Stopped; activate it to serve again",
    DeploymentState.DELETING: "OCI is deleting the model deployment",
    DeploymentState.FAILED: "OCI reports the deployment FAILED; open it for the reason",
    DeploymentState.NEEDS_ATTENTION: "OCI reports that the model deployment needs attention",
}


def is_aqua(md: Any) -> bool:
    return TAG_AQUA.lower() in ci_tags(md.freeform_tags)


def engine_of(image: str | None) -> str:
    """The engine behind a container image (a dsmc:// service container or an OCIR path)."""
    name = (image or "").lower().rsplit("/", 1)[-1]
    if "llama-cpp" in name or "llama_cpp" in name or "llamacpp" in name:
        return "llama.cpp"
    if "tgi" in name:
        return "tgi"
    # vLLM families, and anything else AQUA deploys (e.g. TEI, bring-your-own containers): the contract
    # knows only our four engines, and vLLM's OpenAI paths are what every AQUA container answers.
    return "vllm"


def mode_of(predict_endpoint: str | None) -> str:
    path = (predict_endpoint or "").strip().rstrip("/")
    if path == "/v1/chat/completions":
        return "chat"
    if path in ("/v1/embeddings", "/v1/embedding"):
        return "embedding"
    return "completion"  # AQUA's containers default to /v1/completions


def state_of(value: str | None) -> DeploymentState:
    try:
        return DeploymentState(value or "")
    except ValueError:  # DELETED is filtered before; an unknown value needs a look
        return DeploymentState.NEEDS_ATTENTION


@dataclass(frozen=True)
class GroupModel:
    """The model a stacked model group serves as itself, from its member entries."""

    model_id: str
    # The member's inferenceKey: AQUA writes the model's display name there, and it is the name
    # an OpenAI request carries to reach that member (AQUA's LoraModuleSpec.model_name).
    inference_key: str | None
    # A group that stacks several fine-tunes serves its base and each of them as a LoRA adapter, reached by
    # its inference key: (inference key, model id) of each, in the group's order. Empty for one or none.
    adapters: tuple[tuple[str, str], ...] = ()


def model_group_id(md: Any) -> str | None:
    """The model group a MODEL_GROUP deployment serves (None for a single model deployment)."""
    cfg = getattr(md, "model_deployment_configuration_details", None)
    return getattr(getattr(cfg, "model_group_configuration_details", None), "model_group_id", None) or None


def group_model(group: Any) -> GroupModel | None:
    """A stacked group's one fine-tuned member (the member that is not its base model); its base model
    when it stacks none or several, or when this extension made it for a base with adapters (its tag: then
    one fine-tune is an adapter too). None for a group of independent models (AQUA's multi-model
    deployments), which no single model stands for."""
    base = getattr(getattr(group, "model_group_details", None), "base_model_id", None)
    entries = getattr(getattr(group, "member_model_entries", None), "member_model_details", None) or []
    members = [m for m in entries if getattr(m, "model_id", None)]
    if not base:
        return None
    tuned = [m for m in members if m.model_id != base]
    as_adapters = len(tuned) > 1 or ci_tags(getattr(group, "freeform_tags", None)).get(TAG_OWN_GROUP) == OWN_GROUP_VALUE
    chosen = tuned[0] if len(tuned) == 1 and not as_adapters else next((m for m in members if m.model_id == base), None)
    adapters = tuple((key, m.model_id) for m in tuned if (key := getattr(m, "inference_key", None)) and as_adapters)
    if chosen is None:
        return GroupModel(model_id=base, inference_key=None, adapters=adapters)
    key = getattr(chosen, "inference_key", None) or None
    return GroupModel(model_id=chosen.model_id, inference_key=key, adapters=adapters)


def served_model(md: Any, group: GroupModel | None = None) -> str:
    """The `model` an OpenAI request to the deployment's container carries: a stacked group's member
    by its inference key, else the `--served-model-name` the container was started with (AQUA sets
    the base model's inference key there for a stacked group), else AQUA's default."""
    if group is not None and group.inference_key:
        return group.inference_key
    return param_value(params_of(md), "--served-model-name") or SERVED_MODEL


def _config(md: Any) -> tuple[Any, Any, Any]:
    """(modelConfigurationDetails, instanceConfiguration, environmentConfigurationDetails), each maybe None."""
    cfg = getattr(md, "model_deployment_configuration_details", None)
    model_cfg = getattr(cfg, "model_configuration_details", None) or getattr(
        cfg, "infrastructure_configuration_details", None
    )
    instance = getattr(model_cfg, "instance_configuration", None)
    env = getattr(cfg, "environment_configuration_details", None)
    return model_cfg, instance, env


def env_of(md: Any) -> dict[str, str]:
    _, _, env = _config(md)
    return dict(getattr(env, "environment_variables", None) or {})


def params_of(md: Any) -> list[str]:
    try:
        return shlex.split(env_of(md).get("PARAMS") or "")
    except ValueError:  # unbalanced quotes written by someone else: show it as it is
        return (env_of(md).get("PARAMS") or "").split()


def log_ids(md: Any) -> tuple[str | None, list[str]]:
    """(log group, [predict log, access log]) of a deployment, without duplicates."""
    details = getattr(md, "category_log_details", None)
    group = None
    logs: list[str] = []
    for category in ("predict", "access"):
        item = getattr(details, category, None)
        if item is not None and getattr(item, "log_id", None):
            group = group or item.log_group_id
            if item.log_id not in logs:
                logs.append(item.log_id)
    return group, logs


def predict_url(md: Any) -> str | None:
    url = getattr(md, "model_deployment_url", None)
    return url.rstrip("/") + "/predict" if url else None


def to_detail(
    md: Any,
    *,
    operation_id: str | None = None,
    updated_at: datetime | None = None,
    failure_log: list[str] | None = None,
    group: GroupModel | None = None,
    active_since: datetime | None = None,
    stop_reason: str | None = None,
) -> DeploymentDetail:
    """A ListModelDeployments row or a GetModelDeployment answer → our detail (a row has no
    lifecycleDetails: the state's generic message stands in). `group`: the model its model group
    serves, when the group was read; without it a MODEL_GROUP deployment names what its tags say
    (AQUA tags a stacked deployment with the base model's name and no model id)."""
    tags = ci_tags(md.freeform_tags)
    model_cfg, instance, env = _config(md)
    variables = env_of(md)
    engine = engine_of(getattr(env, "image", None))
    params = params_of(md)
    state = state_of(md.lifecycle_state)
    details = (getattr(md, "lifecycle_details", None) or "").strip()
    max_len = param_value(params, "--max-model-len") or param_value(params, "--max-total-tokens")
    dtype = tags.get(TAG_DTYPE)
    scaling = getattr(model_cfg, "scaling_policy", None)
    created = aware(md.time_created)
    log_group, logs = log_ids(md)
    return DeploymentDetail(
        id=md.id,
        name=md.display_name or md.id,
        description=md.description or "",
        model_id=(group.model_id if group else None)
        or getattr(model_cfg, "model_id", None)
        or tags.get(TAG_MODEL_ID)
        or "",
        model_name=(group.inference_key if group else None) or tags.get(TAG_MODEL_NAME) or "",
        state=state,
        state_message=(stop_reason if state == DeploymentState.INACTIVE else None) or details or STATE_MESSAGES[state],
        mode=mode_of(variables.get("MODEL_DEPLOY_PREDICT_ENDPOINT")),
        engine=engine,
        shape=getattr(instance, "instance_shape_name", None) or "",
        replicas=int(getattr(scaling, "instance_count", None) or 1),
        created_at=created,
        updated_at=max(created, updated_at) if updated_at else created,
        openai_base_path=f"aqua-ext/deployments/{md.id}/v1",
        params=params,
        max_model_len=int(max_len) if max_len and max_len.isdigit() else None,
        dtype=dtype if dtype in get_args(Dtype) else None,
        upstream_url=predict_url(md),
        log_group_id=log_group,
        log_id=logs[0] if logs else None,
        operation_id=operation_id,
        failure_log=failure_log or [],
        idle_stop_minutes=_minutes(tags.get(TAG_IDLE_STOP)),
        active_since=active_since if state == DeploymentState.ACTIVE else None,
        adapters=[DeploymentAdapter(name=k, model_id=m, model_name=k) for k, m in (group.adapters if group else ())],
        quantization=(tags.get(TAG_QUANTIZATION) or "")[:40] or None,
    )


def _minutes(tag: str | None) -> int | None:
    """The idle-stop tag, when it is a whole number in range (a tag edited in the Console may not be)."""
    if tag is None or not tag.strip().isdigit():
        return None
    value = int(tag)
    return value if IDLE_STOP_MIN <= value <= IDLE_STOP_MAX else None


def to_summary(detail: DeploymentDetail) -> DeploymentSummary:
    return DeploymentSummary.model_validate(detail.model_dump(include=set(DeploymentSummary.model_fields)))


def deployment_tags(
    *,
    model_id: str,
    model_name: str,
    source: str,
    task: str | None,
    dtype: str | None,
    base_model_id: str | None = None,
    model_file: str | None = None,
    idle_stop_minutes: int | None = None,
    quantization: str | None = None,
) -> dict[str, str]:
    """Freeform tags of a deployment we create, as AQUA writes them (plus our dtype)."""
    tags = {TAG_AQUA: "active", TAG_MODEL_NAME: model_name[:255], TAG_TASK: task or "text_generation"}
    if source == "catalog":
        tags[TAG_SERVICE_MODEL] = model_id
    elif source == "fine-tuned":
        tags[TAG_FINE_TUNED] = f"{base_model_id or ''}#{model_name}"[:255]
    else:
        tags[TAG_CUSTOM_BASE] = "true"
    if dtype:
        tags[TAG_DTYPE] = dtype
    if model_file:
        tags[TAG_MODEL_FILE] = model_file
    if quantization:
        tags[TAG_QUANTIZATION] = quantization
    if idle_stop_minutes is not None:
        tags[TAG_IDLE_STOP] = str(idle_stop_minutes)
    return tags
