"""What a model deployment is made of, checked before anything is created: the model (ready, with its
weights), the engine and its service container, the parameters (the user's, or the publisher's for the
shape), the shape (the one asked for or the smallest that fits and that the service limits allow, Flex
shapes sized), and the CreateModelDeploymentDetails built from them.

Calls: GetModel (cached with the model detail), ListContainers and ListModelDeploymentShapes (cached
like the model list, run together), the service limit of the shape (see deploy_shapes.py), and for a
llama.cpp deployment GetModel once more (its .gguf file name).
"""

from __future__ import annotations

import asyncio
import logging
import math
import shlex
import time
from dataclasses import dataclass
from typing import Any

from ...api.deployments import CreateDeploymentRequest
from ...api.fit import FitQuery, FitReport
from ...api.models import Capability, ModelDetail, ModelFormat, ModelSource
from ...errors import InvalidInput
from ...services.engine_args import param_value
from ...services.memory_fit import CPU_USABLE_FRACTION, GPU_USABLE_FRACTION, estimate_fit, require_fit
from . import containers as smc
from . import deploy_mapping as dm
from . import finetune_mapping as ftm
from . import mapping
from .context import OciContext
from .deploy_shapes import NO_LOCAL_HARDWARE, OciShapes
from .engine_params import max_len_params, validate_oci_params
from .log_search import check_log_ocids
from .models import OciModels
from .shapes import get_shape

log = logging.getLogger(__name__)

OCI_ENGINES = ("vllm", "llama.cpp", "tgi")
EMBEDDING_ENGINES = ("vllm", "tgi")
# AQUA's usual --max-model-len on a single A10: the context a deployment gets unless asked for more.
DEFAULT_MAX_MODEL_LEN = 4096
# The publisher's per-shape defaults in a model's DeploymentConfiguration, by engine.
CONFIG_PARAMS_KEY = {"vllm": "VLLM_PARAMS", "tgi": "TGI_PARAMS", "llama.cpp": "LLAMA_CPP_PARAMS"}


@dataclass
class DeployPlan:
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

    async def plan(self, request: CreateDeploymentRequest) -> DeployPlan:
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
        user_params = validate_oci_params(engine, request.params, container.restricted)

        dtype = request.dtype or "bfloat16"
        shape, shape_config = await self._pick_shape(request, model, engine, container, shapes, dtype, max_len)
        if not request.params:
            user_params, max_len = self._publisher_defaults(
                model, engine, shape.name, container, max_len, explicit_len=request.max_model_len is not None
            )
        params = list(container.cmd)
        if engine == "vllm" and "--served-model-name" not in params:
            params = ["--served-model-name", dm.SERVED_MODEL, *params]
        params += [*max_len_params(engine, max_len), *user_params]

        env = dict(container.env)
        env.update(
            {
                "BASE_MODEL": _artifact_prefix(model.artifact_location),
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
        )
        return DeployPlan(
            model=model,
            engine=engine,
            shape=shape,
            container=container,
            params=params,
            env=env,
            tags=tags,
            shape_config=shape_config,
        )

    async def _pick_shape(
        self,
        request: CreateDeploymentRequest,
        model: ModelDetail,
        engine: str,
        container: smc.ServiceContainer,
        shapes: list[Any],
        dtype: str,
        max_len: int | None,
    ) -> tuple[Any, tuple[float, float] | None]:
        """The shape (the one asked for, or the smallest that fits and that the service limits
        still allow `replicas` instances of) and its Flex configuration. Raises InvalidInput on field
        "shape" with the memory arithmetic when the model does not fit, or naming the limit when
        the shape has no room left."""
        by_name = {s.name: s for s in shapes}
        platforms = container.platforms or {"NVIDIA_GPU"}
        usable = [s for s in shapes if smc.shape_platform(s.shape_series) in platforms]
        gpu = "NVIDIA_GPU" in platforms
        report: FitReport | None = None
        known: list[Any] = []
        query = FitQuery(
            dtype=dtype, context_length=max_len or model.context_length or DEFAULT_MAX_MODEL_LEN, concurrency=1
        )
        if gpu:
            known = [g for g in (get_shape(s.name) for s in usable) if g is not None]
            report = estimate_fit(model, query, NO_LOCAL_HARDWARE, known)

        if request.shape is None:
            if not usable:
                raise InvalidInput.field(
                    "shape",
                    f"this compartment offers no {'/'.join(sorted(platforms))} model deployment shape for {engine}",
                )
            if report is None:  # CPU engines: the first shape of the right platform, sized below
                chosen = usable[0]
            elif report.recommended_shape:
                chosen = by_name[
                    await self.shapes.pick_within_limits(
                        model, query, known, report.recommended_shape, request.replicas
                    )
                ]
            elif report.total_gb is None:
                names = ", ".join(s.name for s in usable)
                raise InvalidInput.field(
                    "shape",
                    f"the size of '{model.name}' is unknown, so no shape can be recommended; choose one of: {names}",
                )
            else:
                raise InvalidInput.field(
                    "shape",
                    f"no GPU shape in this compartment holds '{model.name}' "
                    f"({'; '.join(report.arithmetic)}); lower max_model_len or "
                    "use a smaller dtype",
                )
        else:
            chosen = by_name.get(request.shape)
            if chosen is None:
                names = ", ".join(s.name for s in shapes) or "none"
                raise InvalidInput.field(
                    "shape",
                    f"'{request.shape}' is not a model deployment shape in this compartment; available: {names}",
                )
            platform = smc.shape_platform(chosen.shape_series)
            if platform not in platforms:
                raise InvalidInput.field(
                    "shape",
                    f"the {engine} service container runs on "
                    f"{', '.join(sorted(platforms))} shapes; {chosen.name} is a "
                    f"{chosen.shape_series or platform} shape",
                )
            if report is not None:
                self._check_gpu_fit(model, report, chosen.name, dtype)
                await self.shapes.check_limit(chosen.name, request.replicas)

        if report is not None:
            return chosen, None
        return chosen, self._cpu_config(model, chosen)

    @staticmethod
    def _check_gpu_fit(model: ModelDetail, report: FitReport, shape: str, dtype: str) -> None:
        target = next((t for t in report.shapes if t.name == shape), None)
        gpu = get_shape(shape)
        require_fit(
            f"'{model.name}'",
            shape,
            target,
            report.total_gb,
            report.arithmetic,
            usable_gb=gpu.total_gpu_memory_gb * GPU_USABLE_FRACTION if gpu else None,
            need_detail=f"{dtype}, max_model_len {report.context_length:,}",
            usable_detail=f"{gpu.gpu_count} × {gpu.gpu_memory_gb_per_gpu:g} GB, {GPU_USABLE_FRACTION:.0%}"
            if gpu
            else "",
            hint=f"Choose {report.recommended_shape}, the smallest shape here that holds it, or lower max_model_len."
            if report.recommended_shape
            else "No shape here holds it: lower max_model_len or use a smaller dtype (int8, int4).",
        )

    @staticmethod
    def _cpu_config(model: ModelDetail, shape: Any) -> tuple[float, float] | None:
        """A CPU shape: the GGUF file must fit in its memory; Flex shapes get a size."""
        memory = float(shape.memory_in_gbs or 0)
        size = model.size_bytes or 0
        need = (size / 1e9) * 1.2 + 1.0 if size else None  # weights + KV cache + runtime
        if need is not None and memory and need > memory * CPU_USABLE_FRACTION:
            raise InvalidInput.field(
                "shape",
                f"'{model.name}' needs about {need:.1f} GB of memory (its "
                f"{size / 1e9:.1f} GB file + 20% + 1 GB) and {shape.name} "
                f"has {memory * CPU_USABLE_FRACTION:.1f} GB usable "
                f"({CPU_USABLE_FRACTION:.0%} of {memory:g} GB)",
            )
        if not shape.name.endswith(".Flex"):
            return None
        # Flex shapes are sized per deployment: enough memory for the model, 16 GB per OCPU.
        gb = math.ceil((need or 16.0) / CPU_USABLE_FRACTION)
        gb = max(16, min(gb, int(memory) or gb))
        ocpus = max(1, min(int(shape.core_count or 1), math.ceil(gb / 16)))
        return float(ocpus), float(gb)

    @staticmethod
    def _publisher_defaults(
        model: ModelDetail,
        engine: str,
        shape: str,
        container: smc.ServiceContainer,
        max_len: int | None,
        *,
        explicit_len: bool,
    ) -> tuple[list[str], int | None]:
        """The model publisher's parameters for this shape (DeploymentConfiguration), used when the
        user gives none, as AQUA does; a --max-model-len there wins over our default."""
        config = model.deployment_config or {}
        try:
            raw = config["configuration"][shape]["parameters"][CONFIG_PARAMS_KEY[engine]]
            tokens = shlex.split(raw) if isinstance(raw, str) else []
        except (KeyError, TypeError, ValueError):
            return [], max_len
        publisher_len = param_value(tokens, "--max-model-len")
        rest: list[str] = []
        skip = False
        for token in tokens:
            if skip:
                skip = False
                continue
            if token == "--max-model-len":
                skip = True
                continue
            if not token.startswith("--max-model-len="):
                rest.append(token)
        try:
            params = validate_oci_params(engine, rest, container.restricted)
        except InvalidInput as exc:  # the publisher's defaults are a convenience, never a reason to fail
            log.info("ignoring the DeploymentConfiguration parameters of %s on %s: %s", model.id, shape, exc.message)
            return [], max_len
        if publisher_len and publisher_len.isdigit() and not explicit_len:
            max_len = int(publisher_len)
        return params, max_len

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

    def create_details(self, request: CreateDeploymentRequest, plan: DeployPlan) -> Any:
        import oci

        m = oci.data_science.models
        shape_config = None
        if plan.shape_config is not None:
            shape_config = m.ModelDeploymentInstanceShapeConfigDetails(
                ocpus=plan.shape_config[0], memory_in_gbs=plan.shape_config[1]
            )
        logs = None
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
            freeform_tags=plan.tags,
            model_deployment_configuration_details=m.SingleModelDeploymentConfigurationDetails(
                deployment_type="SINGLE_MODEL",
                model_configuration_details=m.ModelConfigurationDetails(
                    model_id=plan.model.id,
                    instance_configuration=m.InstanceConfiguration(
                        instance_shape_name=plan.shape.name, model_deployment_instance_shape_config_details=shape_config
                    ),
                    scaling_policy=m.FixedSizeScalingPolicy(instance_count=request.replicas),
                    bandwidth_mbps=10,
                ),
                environment_configuration_details=m.OcirModelDeploymentEnvironmentConfigurationDetails(
                    image=plan.container.image,
                    server_port=plan.container.server_port,
                    health_check_port=plan.container.health_check_port,
                    environment_variables=plan.env,
                ),
            ),
        )


def _artifact_prefix(location: str) -> str:
    """BASE_MODEL as AQUA sets it: the object prefix of the model's oci:// artifact location."""
    try:
        return mapping.parse_os_uri(location)[2]
    except ValueError:
        return location.rstrip("/")
