"""What a model deployment is made of, checked before anything is created: the model (ready, with its
weights), the engine and its service container (`resolve`: the facts the deployments service checks
the parameters and picks the shape on, services/deploy_plan.py), and the CreateModelDeploymentDetails
built from the checked plan (`build`, `create_details`).

Calls: GetModel (cached with the model detail), ListContainers and ListModelDeploymentShapes (cached
like the model list, run together), the service limit of the shape (see deploy_shapes.py), and for a
llama.cpp deployment GetModel once more (its .gguf file name).
"""

from __future__ import annotations

import asyncio
import shlex
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...api.deployments import CreateDeploymentRequest, DeploymentAdapter
from ...api.models import Capability, ModelDetail, ModelFormat, ModelSource
from ...api.terraform import BANDWIDTH_MBPS, ModelDeploymentSpec
from ...errors import InvalidInput
from ..adapter_facts import AdapterFacts, BaseFacts
from . import containers as smc
from . import deploy_mapping as dm
from . import finetune_mapping as ftm
from . import mapping
from .context import OciContext
from .deploy_shapes import OciShapes
from .engine_params import max_len_params
from .log_search import check_log_ocids
from .models import OciModels

OCI_ENGINES = ("vllm", "llama.cpp", "tgi")
EMBEDDING_ENGINES = ("vllm", "tgi")
# AQUA's usual --max-model-len on a single A10: the context a deployment gets unless asked for more.
DEFAULT_MAX_MODEL_LEN = 4096


def engine_modes() -> dict[str, list[str]]:
    """The modes each service container deploys, as `resolve` checks them (told to the deploy dialog)."""
    return {
        engine: ["chat", "completion", *(["embedding"] if engine in EMBEDDING_ENGINES else [])]
        for engine in OCI_ENGINES
    }


@dataclass(frozen=True)
class OciDeployFacts:
    """What OCI says about a deploy request, once the checks only it can make passed (the model is
    ready with its weights, the region offers the engine's container and it serves the model's
    format). The deployments service checks the parameters and picks or checks the shape on it
    (services/deploy_plan.py), reading the service limits through `limits`."""

    request: CreateDeploymentRequest
    model: ModelDetail
    artifact_location: str  # the model's, known to be there
    engine: str
    container: smc.ServiceContainer
    shapes: list[Any]  # the compartment's ModelDeploymentShapeSummary list
    max_len: int | None  # the context asked for, or the default (None: llama.cpp sets its own)
    limits: OciShapes
    # The LoRA adapters asked for (a stacked deployment, backends/oci/stacked.py) and the base's names they
    # are checked against: none without adapters.
    adapters: tuple[AdapterFacts, ...] = ()
    base: BaseFacts | None = None


@dataclass(frozen=True)
class OciDeployPlan:
    """A deploy request the deployments service checked: what `create` builds and creates."""

    facts: OciDeployFacts
    params: list[str]  # the user's (or the publisher's for the shape), checked against the allowlist
    max_len: int | None
    dtype: str
    shape: Any  # ModelDeploymentShapeSummary
    shape_config: tuple[float, float] | None  # (ocpus, memory GB) of a Flex shape
    adapters: tuple[DeploymentAdapter, ...] = ()  # checked (services/adapters.py): a stacked deployment
    adapter_args: tuple[str, ...] = ()  # the engine's flags that serve them (the service's choice)


@dataclass
class DeploymentSpec:
    """Everything a CreateModelDeployment needs, validated."""

    model: ModelDetail
    engine: str
    shape: Any  # ModelDeploymentShapeSummary
    container: smc.ServiceContainer
    params: list[str]
    env: dict[str, str]
    tags: dict[str, str]
    shape_config: tuple[float, float] | None  # (ocpus, memory GB) of a Flex shape


class DeployPlanner:
    def __init__(self, ctx: OciContext, models: OciModels, shapes: OciShapes) -> None:
        self.ctx = ctx
        self.settings = ctx.settings
        self.models = models
        self.shapes = shapes
        self._containers: tuple[float, list[Any]] | None = None

    async def _container_index(self) -> list[Any]:
        if self._containers is not None and self.ctx.fresh(self._containers[0]):
            return self._containers[1]
        c = self.ctx.client()
        items = await c.list_all(
            "datascience",
            c.data_science.list_containers,
            is_latest=True,
            target_workload="MODEL_DEPLOYMENT",
            usage_query_param="INFERENCE",
        )
        self._containers = (time.monotonic(), items)
        return items

    async def resolve(self, request: CreateDeploymentRequest) -> OciDeployFacts:
        """Check the request against the model and what the region offers; the service's rules
        (parameters, shape and memory fit, service limits) come next."""
        model = await self.models.get_model(request.model_id)
        if not model.ready_to_deploy:
            why = " ".join(model.notes) or "it is not ready to deploy"
            raise InvalidInput.field("model_id", f"'{model.name}' cannot be deployed: {why}")
        if not model.artifact_location:
            raise InvalidInput.field(
                "model_id",
                f"'{model.name}' records no artifact_location (where its weights "
                "are); re-register it from Object Storage to deploy it",
            )
        formats = set(model.formats)
        engine = request.engine or ("llama.cpp" if formats == {ModelFormat.GGUF} else "vllm")
        if engine not in OCI_ENGINES:
            raise InvalidInput.field(
                "engine", f"'{engine}' runs on the local backend only; on OCI choose one of {', '.join(OCI_ENGINES)}"
            )
        if request.mode == "embedding" and engine not in EMBEDDING_ENGINES:
            raise InvalidInput.field(
                "mode", f"embedding deployments run on {' or '.join(EMBEDDING_ENGINES)}, not {engine}"
            )
        if model.capability == Capability.EMBEDDING and request.mode != "embedding":
            raise InvalidInput.field("mode", f"'{model.name}' is an embedding model: deploy it with mode 'embedding'")
        check_log_ocids(request.log_group_id, request.log_id)
        if engine == "llama.cpp" and request.max_model_len is not None:
            raise InvalidInput.field("max_model_len", "the llama.cpp service container sets its context size itself")
        max_len = None
        if engine != "llama.cpp":
            max_len = request.max_model_len or min(model.context_length or DEFAULT_MAX_MODEL_LEN, DEFAULT_MAX_MODEL_LEN)
            if model.context_length and max_len > model.context_length:
                raise InvalidInput.field(
                    "max_model_len",
                    f"{max_len:,} is longer than the model's context length ({model.context_length:,} tokens)",
                )

        index, shapes = await asyncio.gather(self._container_index(), self.shapes.shapes())
        family = dm.ENGINE_FAMILIES[engine]
        container = smc.pick(index, family)
        if container is None:
            raise InvalidInput.field(
                "engine", f"OCI Data Science offers no {engine} service container ({family}) in this region"
            )
        wanted = {f.value.upper() for f in formats}
        if container.model_formats and not wanted & container.model_formats:
            raise InvalidInput.field(
                "engine",
                f"{engine} serves {', '.join(sorted(container.model_formats))} "
                f"weights; '{model.name}' has {', '.join(sorted(wanted))}",
            )
        return OciDeployFacts(
            request=request,
            model=model,
            artifact_location=model.artifact_location,
            engine=engine,
            container=container,
            shapes=shapes,
            max_len=max_len,
            limits=self.shapes,
        )

    async def build(self, plan: OciDeployPlan) -> DeploymentSpec:
        """Everything a CreateModelDeployment needs, from a checked plan (a fine-tuned model's adapter
        and a llama.cpp model's file are read here: one GetModel)."""
        facts = plan.facts
        request, model, engine, container, shape = facts.request, facts.model, facts.engine, facts.container, plan.shape
        dtype = plan.dtype
        params = list(container.cmd)
        if engine == "vllm" and "--served-model-name" not in params:
            params = ["--served-model-name", dm.SERVED_MODEL, *params]
        params += [*max_len_params(engine, plan.max_len), *plan.params]

        env = dict(container.env)
        env.update(
            {
                "BASE_MODEL": _artifact_prefix(facts.artifact_location),
                "MODEL_DEPLOY_PREDICT_ENDPOINT": dm.PREDICT_ENDPOINTS[request.mode],
                "MD_COMPARTMENT_OCID": self.settings.compartment_id,
            }
        )
        if params:
            env["PARAMS"] = shlex.join(params)
        if model.source == ModelSource.FINE_TUNED:
            # AQUA's contract: BASE_MODEL is the base weights (the fine-tuned model's artifact location
            # points there), FT_MODEL the adapter the fine-tuning container wrote.
            record = await self.models.model_record(model.id)
            output = mapping.custom_metadata(record.model).get(ftm.MD_OUTPUT_PATH)
            if not output:
                raise InvalidInput.field(
                    "model_id",
                    f"'{model.name}' records no fine-tuned weights "
                    f"({ftm.MD_OUTPUT_PATH}); its fine-tuning did not finish",
                )
            env["FT_MODEL"] = _artifact_prefix(output)
        model_file = None
        if engine == "llama.cpp":
            model_file = await self._model_file(model)
            env["BASE_MODEL_FILE"] = model_file
        tags = dm.deployment_tags(
            model_id=model.id,
            model_name=model.name,
            source=model.source.value,
            task=model.task,
            dtype=dtype if engine != "llama.cpp" else None,
            base_model_id=model.lineage.base_model_id if model.lineage else None,
            model_file=model_file,
            idle_stop_minutes=request.idle_stop_minutes,
            quantization=request.quantization,
        )
        return DeploymentSpec(
            model=model,
            engine=engine,
            shape=shape,
            container=container,
            params=params,
            env=env,
            tags=tags,
            shape_config=plan.shape_config,
        )

    async def _model_file(self, model: ModelDetail) -> str:
        c = self.ctx.client()
        raw = (await c.call("datascience", c.data_science.get_model, model.id)).data
        name = mapping.custom_metadata(raw).get(mapping.MD_MODEL_FILE)
        if not name:
            raise InvalidInput.field(
                "model_id",
                f"'{model.name}' records no model_file: llama.cpp needs the name "
                "of its .gguf file; re-register it from a folder with one .gguf file",
            )
        return name

    def create_details(self, request: CreateDeploymentRequest, spec: DeploymentSpec) -> Any:
        import oci

        m = oci.data_science.models
        shape_config = None
        if spec.shape_config is not None:
            shape_config = m.ModelDeploymentInstanceShapeConfigDetails(
                ocpus=spec.shape_config[0], memory_in_gbs=spec.shape_config[1]
            )
        # Always sent, empty without a log, as AQUA sends it: AQUA's deployment detail reads
        # `category_log_details.access` and fails on a deployment that has none.
        logs = m.CategoryLogDetails(access=None, predict=None)
        if request.log_id:
            # One log for both categories: the playground shows requests and engine lines together.
            item = m.LogDetails(log_id=request.log_id, log_group_id=request.log_group_id)
            logs = m.CategoryLogDetails(access=item, predict=item)
        return m.CreateModelDeploymentDetails(
            display_name=request.name,
            description=request.description or None,
            project_id=self.settings.project_id,
            compartment_id=self.settings.compartment_id,
            category_log_details=logs,
            freeform_tags=spec.tags,
            model_deployment_configuration_details=m.SingleModelDeploymentConfigurationDetails(
                deployment_type="SINGLE_MODEL",
                model_configuration_details=m.ModelConfigurationDetails(
                    model_id=spec.model.id,
                    instance_configuration=m.InstanceConfiguration(
                        instance_shape_name=spec.shape.name, model_deployment_instance_shape_config_details=shape_config
                    ),
                    scaling_policy=m.FixedSizeScalingPolicy(instance_count=request.replicas),
                    bandwidth_mbps=BANDWIDTH_MBPS,
                ),
                environment_configuration_details=m.OcirModelDeploymentEnvironmentConfigurationDetails(
                    image=spec.container.image,
                    server_port=spec.container.server_port,
                    health_check_port=spec.container.health_check_port,
                    environment_variables=spec.env,
                ),
            ),
        )


def _artifact_prefix(location: str) -> str:
    """BASE_MODEL as AQUA sets it: the object prefix of the model's oci:// artifact location."""
    try:
        return mapping.parse_os_uri(location)[2]
    except ValueError:
        return location.rstrip("/")


def model_deployment_spec(details: Mapping[str, Any]) -> ModelDeploymentSpec:
    """The spec of a CreateModelDeploymentDetails as the OCI SDK's `to_dict` writes it (snake_case keys):
    what `create` would send, as plain values, so the Terraform file and a create from the same form agree."""
    config = details["model_deployment_configuration_details"]
    model = config["model_configuration_details"]
    instance = model["instance_configuration"]
    shape_config = instance.get("model_deployment_instance_shape_config_details") or {}
    environment = config["environment_configuration_details"]
    scaling = model.get("scaling_policy") or {}
    access = (details.get("category_log_details") or {}).get("access") or {}
    return ModelDeploymentSpec(
        compartment_ocid=details["compartment_id"],
        project_id=details["project_id"],
        display_name=details["display_name"],
        model_id=model["model_id"],
        shape=instance["instance_shape_name"],
        image=environment["image"],
        server_port=environment["server_port"],
        health_check_port=environment["health_check_port"],
        environment=dict(environment.get("environment_variables") or {}),
        instance_count=scaling.get("instance_count") or 1,
        bandwidth_mbps=model.get("bandwidth_mbps") or BANDWIDTH_MBPS,
        ocpus=shape_config.get("ocpus"),
        memory_in_gbs=shape_config.get("memory_in_gbs"),
        log_group_id=access.get("log_group_id"),
        log_id=access.get("log_id"),
        description=details.get("description") or "",
        freeform_tags=details.get("freeform_tags") or None,
    )
