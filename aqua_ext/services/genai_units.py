"""OCI Generative AI imported models: the dedicated AI cluster unit shapes of seed 001, the one capability
an imported model has and which architectures allow it, the unit shape the memory fit recommends, the
service limit to request, and what a cluster costs (AI units × a price per AI-unit hour).

Seed 001 is Oracle's "Managing Imported Models" page (docs.oracle.com/en-us/iaas/Content/generative-ai/
manage-imported-models.htm), its "Resource Request & Pricing" table. Pure functions: no I/O, so the
driver, the form and the CLI all get the same answers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..api.fit import FitQuery, FitReport
from ..api.genai import ShapeListCost, UnitShapeCost
from ..api.models import Capability, ModelDetail, ModelSummary
from ..backends.model_config import ENCODER_ARCHITECTURES
from ..backends.oci.shapes import GpuShape
from ..errors import InvalidInput
from .gpu_prices import shape_hourly
from .memory_fit import GPU_USABLE_FRACTION, estimate_fit


@dataclass(frozen=True)
class UnitShape:
    """One dedicated AI cluster unit shape for imported models.

    `limit_name`, `units_to_request` and `ai_units` are seed 001's columns; `gpu`, `gpu_count` and the
    per-GPU memory follow from the shape's name (A10: 24 GB, A100_40G: 40 GB, A100_80G and H100: 80 GB,
    H200: 141 GB, the vendors' figures, as backends/oci/shapes.py has them)."""

    name: str
    gpu: str
    gpu_count: int
    gpu_memory_gb_per_gpu: float
    limit_name: str  # the Limits service's name, in the "generative-ai" service
    units_to_request: int  # of `limit_name`, per cluster unit
    ai_units: float  # what one unit of the shape is billed in, per hour

    @property
    def total_gpu_memory_gb(self) -> float:
        return self.gpu_count * self.gpu_memory_gb_per_gpu


# Seed 001's table, row by row in its order (the row number is the table's, counting from 1).
UNIT_SHAPES: tuple[UnitShape, ...] = (
    UnitShape("A10_X1", "A10", 1, 24, "dedicated-unit-a10-count", 1, 1.77),  # seed 001 row 1
    UnitShape("A10_X2", "A10", 2, 24, "dedicated-unit-a10-count", 2, 3.54),  # row 2
    UnitShape("A10_X4", "A10", 4, 24, "dedicated-unit-a10-count", 4, 7.08),  # row 3
    UnitShape("A100_40G_X1", "A100 40GB", 1, 40, "dedicated-unit-a100-40g-count", 1, 2.70),  # row 4
    UnitShape("A100_40G_X2", "A100 40GB", 2, 40, "dedicated-unit-a100-40g-count", 2, 5.40),  # row 5
    UnitShape("A100_40G_X4", "A100 40GB", 4, 40, "dedicated-unit-a100-40g-count", 4, 10.80),  # row 6 ("10.8")
    UnitShape("A100_40G_X8", "A100 40GB", 8, 40, "dedicated-unit-a100-40g-count", 8, 21.60),  # row 7
    UnitShape("A100_80G_X1", "A100 80GB", 1, 80, "dedicated-unit-a100-80g-count", 1, 3.24),  # row 8
    UnitShape("A100_80G_X2", "A100 80GB", 2, 80, "dedicated-unit-a100-80g-count", 2, 6.48),  # row 9
    UnitShape("A100_80G_X4", "A100 80GB", 4, 80, "dedicated-unit-a100-80g-count", 4, 12.96),  # row 10
    UnitShape("A100_80G_X8", "A100 80GB", 8, 80, "dedicated-unit-a100-80g-count", 8, 25.92),  # row 11
    UnitShape("H100_X1", "H100", 1, 80, "dedicated-unit-h100-count", 1, 6.01),  # row 12
    UnitShape("H100_X2", "H100", 2, 80, "dedicated-unit-h100-count", 2, 12.02),  # row 13
    UnitShape("H100_X4", "H100", 4, 80, "dedicated-unit-h100-count", 4, 24.04),  # row 14
    UnitShape("H100_X8", "H100", 8, 80, "dedicated-unit-h100-count", 8, 48.08),  # row 15
    UnitShape("H200_X1", "H200", 1, 141, "dedicated-unit-h200-count", 1, 6.22),  # row 16
    UnitShape("H200_X2", "H200", 2, 141, "dedicated-unit-h200-count", 2, 12.44),  # row 17
    UnitShape("H200_X4", "H200", 4, 141, "dedicated-unit-h200-count", 4, 24.88),  # row 18
    UnitShape("H200_X8", "H200", 8, 141, "dedicated-unit-h200-count", 8, 49.76),  # row 19
)

LIMITS_SERVICE = "generative-ai"


def get_unit_shape(name: str) -> UnitShape | None:
    return next((s for s in UNIT_SHAPES if s.name == name), None)


def require_unit_shape_name(name: str) -> UnitShape:
    shape = get_unit_shape(name)
    if shape is None:
        raise InvalidInput.field(
            "unit_shape",
            f"'{name}' is not a unit shape for imported models; choose one of "
            + ", ".join(s.name for s in UNIT_SHAPES),
        )
    return shape


# ---- capability ----------------------------------------------------------------------------------


def capability_of(config: Mapping[str, Any]) -> Capability | None:
    """The one capability config.json's first `architectures` entry allows, or None when no rule covers it.

    *ForCausalLM → TEXT_TO_TEXT; *ForConditionalGeneration with a `vision_config` → IMAGE_TEXT_TO_TEXT;
    an encoder's bare model (BertModel, XLMRobertaModel, …) → EMBEDDING; *ForSequenceClassification (a
    cross-encoder's relevance score) → RERANK. Hugging Face lists the class to load first."""
    architecture = _first_architecture(config)
    if architecture is None:
        return None
    if architecture.endswith("ForSequenceClassification"):
        return Capability.RERANK
    if architecture in ENCODER_ARCHITECTURES:
        return Capability.EMBEDDING
    if architecture.endswith("ForConditionalGeneration") and isinstance(config.get("vision_config"), Mapping):
        return Capability.IMAGE_TEXT_TO_TEXT
    if architecture.endswith("ForCausalLM"):
        return Capability.TEXT_TO_TEXT
    return None


_EXAMPLES = {
    Capability.TEXT_TO_TEXT: "a *ForCausalLM model",
    Capability.IMAGE_TEXT_TO_TEXT: "a *ForConditionalGeneration model whose config.json has a vision_config",
    Capability.EMBEDDING: "an encoder such as BertModel or XLMRobertaModel",
    Capability.RERANK: "a *ForSequenceClassification cross-encoder",
}


def check_capabilities(capabilities: Sequence[Capability], config: Mapping[str, Any]) -> Capability:
    """The one capability to import with, checked against config.json; InvalidInput naming `capability`
    with the fix otherwise (none or several given, no architecture, or one the capability does not allow)."""
    if len(capabilities) != 1:
        given = ", ".join(c.value for c in capabilities) or "none"
        raise InvalidInput.field(
            "capability",
            f"an imported model has exactly one capability (got {given}); choose one of "
            + ", ".join(c.value for c in Capability),
        )
    wanted = capabilities[0]
    architecture = _first_architecture(config)
    if architecture is None:
        raise InvalidInput.field(
            "capability",
            "config.json names no `architectures`, so the capability cannot be checked; "
            "import a model whose config.json lists its architecture class",
        )
    allowed = capability_of(config)
    if allowed is None:
        raise InvalidInput.field(
            "capability",
            f"{architecture} (config.json `architectures`) is none of the kinds Generative AI imports: "
            + "; ".join(f"{c.value} needs {text}" for c, text in _EXAMPLES.items()),
        )
    if allowed != wanted:
        raise InvalidInput.field(
            "capability",
            f"{wanted.value} does not fit {architecture} (config.json `architectures`): {_EXAMPLES[allowed]} "
            f"is {allowed.value}. Import it with capability {allowed.value}, or choose {_EXAMPLES[wanted]} "
            f"for {wanted.value}.",
        )
    return wanted


def _first_architecture(config: Mapping[str, Any]) -> str | None:
    names = config.get("architectures")
    if isinstance(names, list) and names and isinstance(names[0], str) and names[0].strip():
        return str(names[0]).strip()
    return None


# ---- unit shape from the memory fit ---------------------------------------------------------------


def _as_gpu_shape(shape: UnitShape) -> GpuShape:
    # The memory fit sizes GPU memory only; CPU memory and OCPUs of a unit are hidden by the service.
    return GpuShape(shape.name, shape.gpu, shape.gpu_count, shape.gpu_memory_gb_per_gpu, 0, 0)


def unit_shape_fit(
    model: ModelSummary | ModelDetail, query: FitQuery, shapes: Sequence[UnitShape] = UNIT_SHAPES
) -> FitReport:
    """The memory fit (services/memory_fit.py) over the unit shapes: `recommended_shape` is the smallest
    unit shape whose usable GPU memory holds the estimate, None when none does or the size is unknown."""
    return estimate_fit(model, query, None, [_as_gpu_shape(s) for s in shapes])


def recommend_unit_shape(
    model: ModelSummary | ModelDetail, query: FitQuery, shapes: Sequence[UnitShape] = UNIT_SHAPES
) -> UnitShape | None:
    report = unit_shape_fit(model, query, shapes)
    return get_unit_shape(report.recommended_shape) if report.recommended_shape else None


def require_unit_shape_fit(
    model: ModelSummary | ModelDetail, query: FitQuery, unit_shape: str, shapes: Sequence[UnitShape] = UNIT_SHAPES
) -> UnitShape:
    """The unit shape asked for, checked against the memory fit; InvalidInput naming `unit_shape` with
    the arithmetic when it cannot hold the model. Silent when the model's size is unknown (the
    service will tell)."""
    shape = require_unit_shape_name(unit_shape)
    report = unit_shape_fit(model, query, shapes)
    target = next((t for t in report.shapes if t.name == shape.name), None)
    if target is None or report.total_gb is None or target.fits:
        return shape
    usable = shape.total_gpu_memory_gb * GPU_USABLE_FRACTION
    fix = (
        f"Choose {report.recommended_shape}, the smallest unit shape that holds it, or a shorter context."
        if report.recommended_shape
        else "No unit shape holds it: choose a shorter context or a smaller model."
    )
    raise InvalidInput.field(
        "unit_shape",
        f"'{model.name}' does not fit on {shape.name}: it needs about {report.total_gb:.2f} GB of GPU memory "
        f"({query.dtype}, a {query.context_length:,}-token context), and {shape.name} has {usable:.2f} GB usable "
        f"({shape.gpu_count} × {shape.gpu_memory_gb_per_gpu:g} GB, {GPU_USABLE_FRACTION:.0%}). "
        + "; ".join(report.arithmetic)
        + ". "
        + fix,
    )


@dataclass(frozen=True)
class LimitRequest:
    """What a cluster takes of its service limit: the figure to compare with the limit's availability."""

    service: str
    limit_name: str
    units: int
    line: str


def limit_request(shape: UnitShape, unit_count: int = 1) -> LimitRequest:
    units = shape.units_to_request * unit_count
    return LimitRequest(
        LIMITS_SERVICE,
        shape.limit_name,
        units,
        f"{shape.name} × {unit_count} takes {shape.units_to_request} × {unit_count} = {units} of {shape.limit_name}",
    )


# ---- cost ----------------------------------------------------------------------------------------

# The price of one AI unit for one hour: the "Oracle Cloud Infrastructure Generative AI - Model Import -
# AI Unit Per Hour" line of Oracle's price list (https://www.oracle.com/cloud/price-list/, as seed 001's
# last paragraph says). Its figure could not be read from this workplace, so none is built in: the
# deployment configures it, and until then the estimate gives AI-unit hours, not money.
PUBLISHED_PRICE_PER_AI_UNIT_HOUR_USD: float | None = None

# Imported-model hosting is billed for at least one hour per cluster, then by the millisecond (Oracle's
# "Calculating Cost" page, docs.oracle.com/en-us/iaas/Content/generative-ai/calculate-cost.htm).
MINIMUM_BILLED_HOURS = 1.0


def hourly_cost(
    shape: UnitShape, unit_count: int = 1, price_per_ai_unit_hour: float | None = PUBLISHED_PRICE_PER_AI_UNIT_HOUR_USD
) -> UnitShapeCost:
    """AI units × unit count × price per AI-unit hour; `hourly` None without a price."""
    if unit_count < 1:
        raise InvalidInput.field("unit_count", f"must be 1 or more (got {unit_count})")
    if price_per_ai_unit_hour is not None and price_per_ai_unit_hour < 0:
        raise InvalidInput.field("price_per_ai_unit_hour", f"must not be negative (got {price_per_ai_unit_hour})")
    unit_hours = round(shape.ai_units * unit_count, 4)
    lines = [f"{shape.name}: {shape.ai_units:.2f} AI units × {unit_count} = {unit_hours:g} AI-unit hours per hour"]
    hourly = None
    if price_per_ai_unit_hour is not None:
        hourly = round(unit_hours * price_per_ai_unit_hour, 2)
        lines.append(f"{unit_hours:g} × ${price_per_ai_unit_hour:g} per AI-unit hour = ${hourly:,.2f} per hour")
    return UnitShapeCost(
        unit_shape=shape.name,
        unit_count=unit_count,
        ai_units=shape.ai_units,
        ai_unit_hours_per_hour=unit_hours,
        price_per_ai_unit_hour=price_per_ai_unit_hour,
        hourly=hourly,
        arithmetic=lines,
    )


@dataclass(frozen=True)
class CostSoFar:
    hours: float  # billed hours (at least MINIMUM_BILLED_HOURS)
    ai_unit_hours: float
    amount: float | None  # None without a price
    line: str


def cost_since(
    shape: UnitShape,
    started_at: datetime,
    now: datetime,
    unit_count: int = 1,
    price_per_ai_unit_hour: float | None = PUBLISHED_PRICE_PER_AI_UNIT_HOUR_USD,
) -> CostSoFar:
    """What a running cluster has cost since `started_at` (both times timezone-aware), with the
    one-hour minimum; a start in the future is an error of the caller's clock, answered as zero time."""
    if started_at.tzinfo is None or now.tzinfo is None:
        raise ValueError("started_at and now must be timezone-aware")
    elapsed = max(0.0, (now - started_at).total_seconds() / 3600)
    hours = max(elapsed, MINIMUM_BILLED_HOURS)
    rate = hourly_cost(shape, unit_count, price_per_ai_unit_hour)
    unit_hours = round(rate.ai_unit_hours_per_hour * hours, 4)
    floor = f" (billed at least {MINIMUM_BILLED_HOURS:g} h)" if elapsed < MINIMUM_BILLED_HOURS else ""
    line = f"{rate.ai_unit_hours_per_hour:g} AI units × {hours:.2f} h{floor} = {unit_hours:g} AI-unit hours"
    amount = None
    if price_per_ai_unit_hour is not None:
        amount = round(unit_hours * price_per_ai_unit_hour, 2)
        line += f" × ${price_per_ai_unit_hour:g} = ${amount:,.2f}"
    return CostSoFar(hours=round(hours, 4), ai_unit_hours=unit_hours, amount=amount, line=line)


@dataclass(frozen=True)
class CostComparison:
    """The same model on Generative AI (the recommended unit shape) and on Data Science (the shape the
    memory fit picks among the known GPU shapes, as the deploy plan does before service limits)."""

    genai: UnitShapeCost | None
    datascience: ShapeListCost | None
    notes: list[str]


def compare_costs(
    model: ModelSummary | ModelDetail,
    query: FitQuery,
    price_per_ai_unit_hour: float | None = PUBLISHED_PRICE_PER_AI_UNIT_HOUR_USD,
    replicas: int = 1,
) -> CostComparison:
    """Both hourly figures for `replicas` (the cluster's unit count on Generative AI, the deployment's
    instance count on Data Science)."""
    notes: list[str] = []
    unit = recommend_unit_shape(model, query)
    genai = hourly_cost(unit, replicas, price_per_ai_unit_hour) if unit else None
    if unit is None:
        notes.append("No Generative AI unit shape holds the model (or its size is unknown).")
    elif price_per_ai_unit_hour is None:
        notes.append("No price per AI-unit hour is configured: the Generative AI figure is in AI-unit hours.")
    ds_pick = estimate_fit(model, query, None).recommended_shape
    datascience = shape_hourly(ds_pick, replicas) if ds_pick else None
    if ds_pick is None:
        notes.append("No Data Science GPU shape holds the model (or its size is unknown).")
    elif datascience is not None and datascience.hourly is not None:
        notes.append("The Data Science figure is a list price per GPU hour that may be out of date.")
    return CostComparison(genai=genai, datascience=datascience, notes=notes)
