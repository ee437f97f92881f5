"""AQUA's stacked deployment, created: one vLLM service container serving a base model and LoRA fine-tunes of it,
made as oracle-ads 2.16 makes it so that AQUA reads it as its own:

1. CreateModelGroup (ads/aqua/model/model.py `create` and `_create_model_group`, ads/model/datascience_model_group.py
   `_build_model_group_details`): createType CREATE, `modelGroupDetails` STACKED with the base as `baseModelId` and
   the base's custom metadata, `memberModelEntries.memberModelDetails` each fine-tune {modelId, inferenceKey = its
   adapter name} and then the base {modelId, inferenceKey = the served name} (AQUA appends the base last); the
   group's display name and description are the base's, its freeform tags the base's plus `aqua_stacked_model`.
   It is waited for (its work request, then GetModelGroup) until ACTIVE, as AQUA's `create()` waits.
2. CreateModelDeployment (ads/aqua/modeldeployment/deployment.py `_create`, ads/model/deployment/model_deployment.py
   for a model group runtime): deploymentType MODEL_GROUP with `modelGroupConfigurationDetails.modelGroupId` and the
   instance pool in `infrastructureConfigurationDetails`; the tags of a deployment of the base plus
   `aqua_stacked_model: "true"`; the environment VLLM_ALLOW_RUNTIME_LORA_UPDATING=true and
   MODEL=/opt/ds/model/deployed_model/<base id>/; PARAMS with `--served-model-name <the base's inference key>` and
   the adapter flags the deployments service chose (services/adapters.py: AQUA's `--max-lora-rank 32 --enable_lora`),
   each replacing the flag where it stands or appended, as AQUA's params dict does.

Nothing is left half-made: a group that does not turn ACTIVE, or a CreateModelDeployment that fails, deletes the group.
Both carry this extension's tag (deploy_mapping.TAG_OWN_GROUP): the group says its fine-tunes are adapters (one
included), the deployment names the group it made, which its delete deletes.

Calls: GetModel per adapter (cached with the model detail); CreateModelGroup with an opc-retry-token, GetWorkRequest
with backoff, GetModelGroup once; DeleteModelGroup on a failure.
"""

from __future__ import annotations

import asyncio
import logging
import shlex
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ...api.deployments import AdapterRequest, DeploymentAdapter
from ...api.models import ModelDetail, ModelSource
from ...api.upstream import served_name
from ...errors import AquaError, InvalidInput, NotFound, Upstream, UpstreamTimeout
from ..adapter_facts import AdapterFacts, BaseFacts, adapter_name, base_names
from . import deploy_mapping as dm
from . import finetune_mapping as ftm
from . import mapping
from .clients import OciClients, new_retry_token
from .config import OciSettings
from .deploy_request import DeploymentSpec, OciDeployPlan
from .job_mapping import hyper_values
from .models import OciModels
from .polling import Backoff

log = logging.getLogger(__name__)

# Where a model group deployment finds each member's artifact (ads/config.py AQUA_MODEL_DEPLOYMENT_FOLDER).
MODEL_FOLDER = "/opt/ds/model/deployed_model/"
# A group of references to existing models is made in seconds; past this something is wrong.
GROUP_TIMEOUT_SECONDS = 600.0
_TERMINAL_WORK = ("SUCCEEDED", "FAILED", "CANCELED")


# ---- the facts the deployments service checks ------------------------------------------------------


async def adapter_facts(models: OciModels, requested: Sequence[AdapterRequest]) -> tuple[AdapterFacts, ...]:
    """What OCI records of each adapter asked for: a fine-tuned model of AQUA's v2 kind (its artifact is the adapter
    alone, what a stacked group serves), its LoRA rank (the `Hyperparameters` metadatum's lora_r) and its base (the
    `fine_tune_source` metadatum AQUA checks, else the fine-tuned tag's)."""
    out = []
    for i, asked in enumerate(requested):
        field = f"adapters.{i}"
        try:
            model = await models.get_model(asked.model_id)
            record = (await models.model_record(model.id)).model
        except (NotFound, InvalidInput):
            raise InvalidInput.field(field, f"no model with id '{asked.model_id}' on this OCI target") from None
        tags = mapping.ci_tags(record.freeform_tags)
        meta = mapping.custom_metadata(record)
        why_not = _why_no_adapter(model, tags)
        rank = hyper_values(record).get("lora_r")
        out.append(
            AdapterFacts(
                index=i,
                name=adapter_name(asked, model.name),
                model_id=model.id,
                model_name=model.name,
                lora=why_not is None,
                rank=rank if isinstance(rank, int) and not isinstance(rank, bool) else None,
                base_model_name_or_path=None,  # the adapter's own config stays in Object Storage: its lineage says
                base_model_id=meta.get(ftm.MD_SOURCE) or (model.lineage.base_model_id if model.lineage else None),
                weights_path=meta.get(ftm.MD_OUTPUT_PATH) or "",
                why_not=why_not,
            )
        )
    return tuple(out)


def _why_no_adapter(model: ModelDetail, tags: dict[str, str]) -> str | None:
    """Why `model` has no adapter a stacked group serves (None: it has one)."""
    if model.source != ModelSource.FINE_TUNED:
        return f"'{model.name}' is not a fine-tuned model: it has no LoRA adapter to serve"
    if tags.get(ftm.TAG_FT_VERSION, "").lower() != ftm.FT_VERSION:
        # AQUA's rule (validate_ft_model_v2): a legacy fine-tune's artifact holds the base too.
        return (
            f"'{model.name}' is a legacy AQUA fine-tune (not {ftm.TAG_FT_VERSION} {ftm.FT_VERSION}); convert it "
            f"with `ads aqua model convert_fine_tune --model_id {model.id}` to serve it as an adapter"
        )
    if not model.ready_to_deploy:
        return f"'{model.name}' is not ready: " + (" ".join(model.notes) or "its fine-tuning has not succeeded")
    return None


def base_facts(model: ModelDetail) -> BaseFacts:
    """The names a fine-tune's record gives its base by: the base model's OCID."""
    hidden = model.architecture.hidden_size if model.architecture else None
    return BaseFacts(names=base_names(model.id), label=f"'{model.name}'", hidden_size=hidden)


# ---- what is sent ---------------------------------------------------------------------------------


def with_flag(params: list[str], flag: str, value: str | None) -> list[str]:
    """`params` with `flag` set to `value` (None: a flag without a value) where it stands, else appended: AQUA's
    `get_params_dict(...).update(...)` then `build_params_string`."""
    out: list[str] = []
    placed = False
    i = 0
    while i < len(params):
        token = params[i]
        name = token.split("=", 1)[0]
        if name != flag:
            out.append(token)
            i += 1
            continue
        # Skip the old value (the next token unless it is a flag, or the `=value` part).
        i += 1
        if "=" not in token and i < len(params) and not params[i].startswith("--"):
            i += 1
        if not placed:
            out.extend([flag] if value is None else [flag, value])
            placed = True
    if not placed:
        out.extend([flag] if value is None else [flag, value])
    return out


def base_key(plan: OciDeployPlan) -> str:
    """The base's inference key: the deployment's served name (a request naming it gets the base)."""
    return served_name(plan.facts.request.name)


def stacked_spec(spec: DeploymentSpec, plan: OciDeployPlan, adapter_args: Sequence[str]) -> DeploymentSpec:
    """The deployment of the base (deploy_request's build) as AQUA's `_create` changes it for a model group."""
    params = with_flag(list(spec.params), "--served-model-name", base_key(plan))
    i = 0
    while i < len(adapter_args):  # "--flag value" or "--flag" pairs, in the order the service chose
        flag = adapter_args[i]
        value = adapter_args[i + 1] if i + 1 < len(adapter_args) and not adapter_args[i + 1].startswith("--") else None
        params = with_flag(params, flag, value)
        i += 1 if value is None else 2
    env = dict(spec.env)
    env.update(
        {
            "VLLM_ALLOW_RUNTIME_LORA_UPDATING": "true",
            "MODEL": f"{MODEL_FOLDER}{spec.model.id}/",
            "PARAMS": shlex.join(params),  # as deploy_request writes it (AQUA's build_params_string: by spaces)
        }
    )
    tags = {**spec.tags, dm.TAG_STACKED: "true"}
    return replace(spec, params=params, env=env, tags=tags)


def group_details(settings: OciSettings, base: Any, adapters: Sequence[DeploymentAdapter], key: str) -> Any:
    """CreateModelGroupDetails of the stacked group (`base`: the base's oci Model record)."""
    import oci

    m = oci.data_science.models
    members = [m.MemberModelDetails(model_id=a.model_id, inference_key=a.name) for a in adapters]
    members.append(m.MemberModelDetails(model_id=base.id, inference_key=key))  # AQUA appends the base last
    metadata = [
        m.CustomMetadata(key=i.key, value=i.value, description=i.description, category=i.category)
        for i in base.custom_metadata_list or []
    ]
    tags = {
        **{str(k): str(v) for k, v in (base.freeform_tags or {}).items()},
        dm.TAG_STACKED: "true",
        dm.TAG_OWN_GROUP: dm.OWN_GROUP_VALUE,
    }
    return m.CreateModelGroupDetails(
        create_type="CREATE",
        compartment_id=settings.compartment_id,
        project_id=settings.project_id,
        display_name=base.display_name,
        description=base.description,
        freeform_tags=tags,
        model_group_details=m.StackedModelGroupDetails(custom_metadata_list=metadata, base_model_id=base.id),
        member_model_entries=m.MemberModelEntries(member_model_details=members),
    )


def group_deployment(single: Any, group_id: str) -> Any:
    """A CreateModelDeploymentDetails of one model (deploy_request's) as the same deployment of a model group:
    the instance pool moves to `infrastructureConfigurationDetails`, as ads' ModelDeployment builds it."""
    import oci

    m = oci.data_science.models
    config = single.model_deployment_configuration_details
    model = config.model_configuration_details
    tags = {**(single.freeform_tags or {}), dm.TAG_OWN_GROUP: group_id}
    return m.CreateModelDeploymentDetails(
        display_name=single.display_name,
        description=single.description,
        project_id=single.project_id,
        compartment_id=single.compartment_id,
        category_log_details=single.category_log_details,
        freeform_tags=tags,
        model_deployment_configuration_details=m.ModelGroupDeploymentConfigurationDetails(
            deployment_type="MODEL_GROUP",
            model_group_configuration_details=m.ModelGroupConfigurationDetails(model_group_id=group_id),
            infrastructure_configuration_details=m.InstancePoolInfrastructureConfigurationDetails(
                infrastructure_type="INSTANCE_POOL",
                instance_configuration=model.instance_configuration,
                scaling_policy=model.scaling_policy,
                bandwidth_mbps=model.bandwidth_mbps,
            ),
            environment_configuration_details=config.environment_configuration_details,
        ),
    )


def own_group(md: Any) -> str | None:
    """The model group this extension made for the deployment `md` (its tag names the group it serves), else None."""
    group_id = dm.model_group_id(md)
    tagged = mapping.ci_tags(md.freeform_tags).get(dm.TAG_OWN_GROUP)
    return group_id if group_id and tagged == group_id else None


# ---- the group's life ---------------------------------------------------------------------------------


async def create_group(c: OciClients, settings: OciSettings, details: Any) -> Any:
    """CreateModelGroup, then its work request followed (with backoff) until it ends: the ACTIVE group. A group
    that failed or is not ACTIVE in time is deleted; Upstream (502) or UpstreamTimeout (504) say why."""
    response = await c.call(
        "datascience", c.data_science.create_model_group, details, opc_retry_token=new_retry_token()
    )
    group = response.data
    work_request = response.headers.get("opc-work-request-id")
    try:
        return await _until_active(c, settings, group, work_request)
    except BaseException:
        await asyncio.shield(delete_group(c, group.id))
        raise


async def _until_active(c: OciClients, settings: OciSettings, group: Any, work_request: str | None) -> Any:
    limit = min(GROUP_TIMEOUT_SECONDS, settings.deploy_timeout_seconds)
    backoff = Backoff(settings, limit)
    errors: list[str] = []
    while group.lifecycle_state == "CREATING":
        await backoff.wait_or_raise(
            UpstreamTimeout,
            f"OCI did not create the model group of the stacked deployment within {limit:g} s; nothing was deployed.",
        )
        if work_request:
            wr = (await c.call("datascience", c.data_science.get_work_request, work_request)).data
            if wr.status not in _TERMINAL_WORK:
                continue
            if wr.status == "FAILED":
                with_errors = await c.call("datascience", c.data_science.list_work_request_errors, wr.id)
                errors = [e.message for e in with_errors.data or []]
        group = (await c.call("datascience", c.data_science.get_model_group, group.id)).data
        if work_request and group.lifecycle_state == "CREATING":
            break  # the work request ended and the group did not turn ACTIVE
    if group.lifecycle_state != "ACTIVE":
        why = "; ".join(errors) or (group.lifecycle_details or "").strip() or f"it is {group.lifecycle_state}"
        raise Upstream(f"OCI could not create the model group of the stacked deployment ({why}); nothing was deployed.")
    return group


async def delete_group(c: OciClients, group_id: str) -> None:
    """DeleteModelGroup, without waiting for its work request; a failure is logged (the group is left)."""
    try:
        await c.call("datascience", c.data_science.delete_model_group, group_id, gone_ok=True)
    except AquaError as exc:
        log.error("could not delete the model group %s: %s", group_id, exc.message)
