"""The rules a deploy request meets before a driver creates anything: the engine parameters against
the allowlist of the target and engine (engine_params.py), the memory fit of the shape asked for or
the pick of the smallest shape that holds the model (memory_fit.py) within the service limits, and
on OCI the publisher's parameters for the shape. The driver resolved the facts (`resolve`: the model,
the engine, what the machine or the region offers); it gets the checked plan (`create`)."""

from __future__ import annotations

import logging
import math
import shlex
from dataclasses import replace
from typing import Any

from ..api.deployments import DeploymentAdapter
from ..api.fit import FitQuery, FitReport
from ..api.info import Hardware
from ..api.models import ModelDetail, ModelSource
from ..api.upstream import served_name
from ..backends.engine_tokens import param_value
from ..backends.local.deployments import LocalDeployFacts, LocalDeployPlan
from ..backends.oci import containers as smc
from ..backends.oci.deploy_request import DEFAULT_MAX_MODEL_LEN, OciDeployFacts, OciDeployPlan
from ..backends.oci.deploy_shapes import OciShapes
from ..backends.oci.limits import limit_of
from ..backends.oci.shapes import GpuShape, get_shape
from ..errors import InvalidInput
from . import quantization as quant_rules
from .adapters import adapter_args, check_adapters
from .engine_params import validate_engine_params, validate_oci_params
from .memory_fit import CPU_USABLE_FRACTION, GPU_USABLE_FRACTION, LLAMA_CPP_SLOTS, estimate_fit, require_fit

log = logging.getLogger(__name__)

# The publisher's per-shape defaults in a model's DeploymentConfiguration, by engine.
CONFIG_PARAMS_KEY = {"vllm": "VLLM_PARAMS", "tgi": "TGI_PARAMS", "llama.cpp": "LLAMA_CPP_PARAMS"}


async def plan_deployment(facts: LocalDeployFacts | OciDeployFacts) -> LocalDeployPlan | OciDeployPlan:
    """The checked plan for the facts a driver resolved; InvalidInput naming the field otherwise."""
    if isinstance(facts, LocalDeployFacts):
        return plan_local(facts)
    return await plan_oci(facts)


# ---- local ---------------------------------------------------------------------------------------


def plan_local(facts: LocalDeployFacts) -> LocalDeployPlan:
    request = facts.request
    params = validate_engine_params(facts.engine, facts.params, mode=request.mode)
    shape = facts.shape
    quantization = request.quantization
    if quantization is not None:
        option = quant_rules.resolve(
            facts.model, facts.engine, quantization, cuda=shape == "gpu", where=f"this machine's {shape}"
        )
        params = with_quantization(option, params, request.dtype)
        quantization = option.choice.value  # what the deployment records (its detail shows it)
    dtype = request.dtype or param_value(params, "--dtype") or ("bfloat16" if shape == "gpu" else "float32")
    if facts.engine == "llama.cpp" and param_value(params, "--parallel") is None:
        # Named here, so that the engine serves as many requests at once as the memory fit counted.
        params = [*params, "--parallel", str(LLAMA_CPP_SLOTS)]
    # llama.cpp's GGUF file has its precision built in: without a dtype or level asked for, nothing to estimate.
    if facts.engine != "llama.cpp" or request.dtype or quantization:
        _check_local_fit(
            facts.model,
            shape,
            _fit_dtype(dtype),
            request.max_model_len,
            facts.hardware,
            facts.engine,
            quantization,
            concurrency=int(param_value(params, "--parallel") or 1),
        )
    max_len = request.max_model_len
    if max_len is None and facts.engine == "llama.cpp":
        # llama.cpp allocates its KV cache for the context it is given, by default the model's whole
        # training context (128K tokens for Llama 3.1): it gets the context the memory fit assumed.
        max_len = serving_context(facts.model, None)
    if not facts.adapters or facts.base is None:
        return LocalDeployPlan(facts=facts, params=params, max_model_len=max_len, quantization=quantization)
    adapters = check_adapters(
        facts.engine, list(facts.adapters), facts.base, served_name(request.name), mode=request.mode
    )
    args = adapter_args(facts.engine, list(facts.adapters), [a.rank for a in adapters])
    return LocalDeployPlan(
        facts=facts,
        params=params,
        adapters=tuple(adapters),
        adapter_args=tuple(args),
        max_model_len=max_len,
        quantization=quantization,
    )


def serving_context(model: ModelDetail, max_model_len: int | None) -> int:
    """The context a local deployment's request may use, as its memory fit counts it: what was asked
    for, else the model's context up to 4,096 tokens."""
    return max_model_len or min(model.context_length or 4096, 4096)


def with_quantization(option: quant_rules.Option, params: list[str], dtype: str | None) -> list[str]:
    """`params` with the engine flag the chosen quantization becomes (--dtype, --quantization);
    InvalidInput when the request says otherwise elsewhere (dtype, or the flag in params)."""
    if option.dtype_param is not None:
        if dtype is not None and dtype != option.dtype_param:
            raise InvalidInput.field(
                "quantization", f"'{option.choice.value}' and dtype '{dtype}' disagree; give one of them"
            )
        if dtype is None:  # a dtype asked for is already --dtype in params (the driver puts it there)
            if param_value(params, "--dtype") is not None:
                raise InvalidInput.field("params", "--dtype is given twice: in quantization and in params")
            params = ["--dtype", option.dtype_param, *params]
    if option.quantization_param is not None:
        if param_value(params, "--quantization") is not None:
            raise InvalidInput.field("params", "--quantization is given twice: in quantization and in params")
        params = [*params, "--quantization", option.quantization_param]
    return params


def _check_local_fit(
    model: ModelDetail,
    shape: str,
    dtype: str,
    max_model_len: int | None,
    hardware: Hardware,
    engine: str,
    quantization: str | None,
    *,
    concurrency: int,
) -> None:
    context = serving_context(model, max_model_len)
    query = FitQuery(
        dtype=dtype,
        context_length=context,
        concurrency=concurrency,
        engine=engine if quantization else None,
        quantization=quantization,
    )
    report = estimate_fit(model, query, hardware)
    kind = "local-gpu" if shape == "gpu" else "local-cpu"
    targets = [t for t in report.local if t.kind == kind]
    best = max(targets, key=lambda t: (t.fits, t.memory_gb)) if targets else None
    require_fit(
        f"'{model.name}'",
        shape,
        best,
        report.total_gb,
        report.arithmetic,
        need_detail=f"{quantization or dtype}, a {context}-token context",
        usable_detail=best.name if best else "",
        hint="Choose a smaller model, a lower precision (dtype) or a shorter max_model_len.",
    )


def _fit_dtype(dtype: str) -> str:
    # vLLM's and transformers' spellings of the memory fit's dtypes.
    return {"auto": "bfloat16", "half": "float16", "float": "float32"}.get(dtype, dtype)


# ---- OCI -----------------------------------------------------------------------------------------


async def plan_oci(facts: OciDeployFacts) -> OciDeployPlan:
    request, engine, container = facts.request, facts.engine, facts.container
    adapters, adapter_flags = _oci_adapters(facts)
    params = validate_oci_params(engine, request.params, container.restricted)
    option = (
        quant_rules.resolve(facts.model, engine, request.quantization, cuda=True, where="OCI")
        if request.quantization is not None
        else None
    )
    if option is not None and request.dtype is not None and request.dtype != option.fit_dtype:
        raise InvalidInput.field(
            "quantization", f"'{option.choice.value}' and dtype '{request.dtype}' disagree; give one of them"
        )
    dtype = request.dtype or (option.fit_dtype if option else "bfloat16")
    shape, shape_config = await _pick_shape(facts, dtype)
    max_len = facts.max_len
    if not request.params:
        params, max_len = _publisher_defaults(
            facts.model, engine, shape.name, container, max_len, explicit_len=request.max_model_len is not None
        )
    # On OCI a dtype feeds the fit only (as `dtype` always has); a quantization method is vLLM's flag.
    if option is not None and option.quantization_param is not None:
        if "--quantization" in container.restricted:
            raise InvalidInput.field("quantization", f"the {engine} service container sets --quantization itself")
        params = with_quantization(replace(option, dtype_param=None), params, None)
    return OciDeployPlan(
        facts=facts,
        params=params,
        max_len=max_len,
        dtype=dtype,
        shape=shape,
        shape_config=shape_config,
        adapters=adapters,
        adapter_args=adapter_flags,
    )


def _oci_adapters(facts: OciDeployFacts) -> tuple[tuple[DeploymentAdapter, ...], tuple[str, ...]]:
    """The adapters of a stacked deployment (AQUA's model group of a base and its fine-tunes), checked, and the
    engine's flags for them; none asked for: none."""
    request = facts.request
    if not request.adapters:
        return (), ()
    if facts.model.source == ModelSource.FINE_TUNED:
        # AQUA's rule (validate_input_models): the group's base is a base model; its fine-tunes are the adapters.
        raise InvalidInput.field(
            "model_id",
            f"'{facts.model.name}' is a fine-tuned model; deploy its base model with the fine-tunes as adapters",
        )
    assert facts.base is not None, "the driver reads the base whenever adapters are asked for"
    checked = check_adapters(
        facts.engine, list(facts.adapters), facts.base, served_name(request.name), mode=request.mode, target="oci"
    )
    flags = adapter_args(facts.engine, list(facts.adapters), [a.rank for a in checked], target="oci")
    return tuple(checked), tuple(flags)


async def _pick_shape(facts: OciDeployFacts, dtype: str) -> tuple[Any, tuple[float, float] | None]:
    """The shape (the one asked for, or the smallest that fits and that the service limits
    still allow `replicas` instances of) and its Flex configuration. Raises InvalidInput on field
    "shape" with the memory arithmetic when the model does not fit, or naming the limit when
    the shape has no room left."""
    request, model, engine, shapes, max_len = facts.request, facts.model, facts.engine, facts.shapes, facts.max_len
    container = facts.container
    by_name = {s.name: s for s in shapes}
    platforms = container.platforms or {"NVIDIA_GPU"}
    usable = [s for s in shapes if smc.shape_platform(s.shape_series) in platforms]
    published = published_shapes(model)
    if request.shape is None and any(s.name in published for s in usable):
        usable = [s for s in usable if s.name in published]  # the publisher's shapes, as AQUA offers them
    gpu = "NVIDIA_GPU" in platforms
    report: FitReport | None = None
    known: list[GpuShape] = []
    query = FitQuery(
        dtype=dtype,
        context_length=max_len or model.context_length or DEFAULT_MAX_MODEL_LEN,
        concurrency=1,
        engine=engine if request.quantization else None,
        quantization=request.quantization,
    )
    if gpu:
        known = [g for g in (get_shape(s.name) for s in usable) if g is not None]
        report = estimate_fit(model, query, None, known)

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
                await pick_within_limits(facts.limits, model, query, known, report.recommended_shape, request.replicas)
            ]
        elif report.total_gb is None:
            names = ", ".join(s.name for s in usable)
            why = f" ({', '.join(report.unknown)} unknown)" if report.unknown else ""
            raise InvalidInput.field(
                "shape",
                f"the size of '{model.name}' is unknown{why}, so no shape can be recommended; choose one of: {names}",
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
        unsupported = vllm_cannot_run(chosen.name) if engine == "vllm" else None
        if unsupported:
            raise InvalidInput.field("shape", f"vLLM cannot run on {chosen.name}: its GPUs are {unsupported}")
        if report is not None:
            _check_gpu_fit(model, report, chosen.name, dtype)
            await facts.limits.check_limit(chosen.name, request.replicas)

    if report is not None:
        return chosen, None
    return chosen, _cpu_config(model, chosen)


# OCI GPU shape families vLLM cannot run (the shape list leaves them out; a user may still name one):
# P100 (GPU2) and V100 (GPU3).
VLLM_UNSUPPORTED_SERIES: dict[str, str] = {
    "VM.GPU2.": "P100 (compute capability 6.0, below vLLM's 7.0)",
    "BM.GPU2.": "P100 (compute capability 6.0, below vLLM's 7.0)",
    "VM.GPU3.": "V100 (no attention kernel in vLLM's V1 engine)",
    "BM.GPU3.": "V100 (no attention kernel in vLLM's V1 engine)",
}


def vllm_cannot_run(shape: str) -> str | None:
    """Why vLLM cannot run on this OCI shape (its GPU family), or None when it can."""
    return next((why for prefix, why in VLLM_UNSUPPORTED_SERIES.items() if shape.startswith(prefix)), None)


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
        usable_detail=f"{gpu.gpu_count} × {gpu.gpu_memory_gb_per_gpu:g} GB, {GPU_USABLE_FRACTION:.0%}" if gpu else "",
        hint=f"Choose {report.recommended_shape}, the smallest shape here that holds it, or lower max_model_len."
        if report.recommended_shape
        else "No shape here holds it: lower max_model_len or use a smaller dtype (int8, int4).",
    )


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
    configs = _published_flex_configs(model, shape.name)
    if configs:  # the publisher's OCPU / memory configurations, as AQUA offers them: the smallest that holds it
        fits = [c for c in configs if need is None or need <= c[1] * CPU_USABLE_FRACTION]
        if not fits:
            ocpus, gb = configs[-1]
            raise InvalidInput.field(
                "shape",
                f"'{model.name}' needs about {need:.1f} GB of memory and the largest configuration its "
                f"deployment_config.json gives {shape.name} has {gb * CPU_USABLE_FRACTION:.1f} GB usable "
                f"({CPU_USABLE_FRACTION:.0%} of {gb:g} GB, {ocpus:g} OCPUs)",
            )
        return fits[0]
    # Flex shapes are sized per deployment: enough memory for the model, 16 GB per OCPU.
    gb = math.ceil((need or 16.0) / CPU_USABLE_FRACTION)
    gb = max(16, min(gb, int(memory) or gb))
    ocpus = max(1, min(int(shape.core_count or 1), math.ceil(gb / 16)))
    return float(ocpus), float(gb)


def published_shapes(model: ModelDetail) -> set[str]:
    """The shapes the model's deployment configuration lists (`shape`), which AQUA offers it on; empty: it
    names none. Deploy picks among them and the fit shows them, where the compartment offers any of them.
    Registered and service (catalog) models, whose published configuration AQUA's deploy form offers;
    a fine-tuned model's shapes stay those its own fit finds."""
    if model.source not in (ModelSource.REGISTERED, ModelSource.CATALOG):
        return set()
    names = (model.deployment_config or {}).get("shape")
    return {n for n in names if isinstance(n, str)} if isinstance(names, list) else set()


def _published_flex_configs(model: ModelDetail, shape: str) -> list[tuple[float, float]]:
    """(OCPUs, memory GB) of a CPU shape's `shape_info.configs` in the deployment configuration, smallest first."""
    try:
        configs = (model.deployment_config or {})["configuration"][shape]["shape_info"]["configs"]
    except (KeyError, TypeError):
        return []
    out: list[tuple[float, float]] = []
    for item in configs if isinstance(configs, list) else []:
        try:
            out.append((float(item["ocpu"]), float(item["memory_in_gbs"])))
        except (KeyError, TypeError, ValueError):
            continue
    return sorted(out, key=lambda c: (c[1], c[0]))


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


async def pick_within_limits(
    limits: OciShapes, model: ModelDetail, query: FitQuery, known: list[GpuShape], pick: str, replicas: int
) -> str:
    """The memory fit's pick, unless its service limit has no room for `replicas` instances:
    then the next smallest shape that fits, and so on. Reads the limit of each shape it
    considers (one call per family, usually only the first, and none when cached)."""
    units: dict[str, int | None] = {}
    full: list[str] = []
    while True:
        lim = limit_of(pick)
        if lim is not None and lim.name not in units:
            units.update(await limits.limit_units({lim.name}))
        room = lim.instances(units.get(lim.name)) if lim is not None else None
        if lim is None or room is None or room >= replicas:
            return pick
        full.append(f"{pick} ({lim.name}: {room} more instance{'s' if room != 1 else ''})")
        # Shapes whose limit is read and too small count as unavailable; the others as unknown.
        availability: dict[str, int | None] = {}
        for shape in known:
            other = limit_of(shape.name)
            if other is not None and other.name in units:
                left = other.instances(units[other.name])
                availability[shape.name] = 0 if left is not None and left < replicas else left
        nxt = estimate_fit(model, query, None, known, availability=availability).recommended_shape
        if nxt is None:
            what = f"{replicas} instances" if replicas > 1 else "an instance"
            fewer = ", lower the replicas" if replicas > 1 else ""
            raise InvalidInput.field(
                "shape",
                f"the service limits allow {what} of no shape here that holds '{model.name}': "
                f"{'; '.join(full)}; request a limit increase{fewer} or delete a deployment you no "
                "longer need",
            )
        pick = nxt
