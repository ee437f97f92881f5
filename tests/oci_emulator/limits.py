"""Emulated OCI Limits (API 20190729): the Data Science service limits that model deployments count against, and
the Generative AI (``generative-ai``) limits that dedicated AI clusters count against (generative_ai.py).

Operations: **ListServices** ``GET /services``, **ListLimitDefinitions** ``GET /limitDefinitions``,
**ListLimitValues** ``GET /limitValues``, **GetResourceAvailability**
``GET /services/{serviceName}/limits/{limitName}/resourceAvailability``.

The limit values (``emu.limits.values``, limit name -> total for the region) are the same ones
CreateModelDeployment / ActivateModelDeployment / UpdateModelDeployment enforce (400 LimitExceeded), and ``used``
counts the emulator's live model deployments, so what GetResourceAvailability says and what a create does agree.

Limit names: Data Science names its model deployment limits after the Compute ones with a ``ds-`` prefix.
``ds-gpu-a10-count`` (A10 GPUs) and ``ds-gpu4-count`` (BM.GPU4.8 GPUs) are the names Oracle's ADS / AQUA use;
the others are inferred by the same rule from the Compute limit names (``gpu2-count``, ``gpu3-count``,
``gpu-a100-v2-count``, ``gpu-h100-count``, ``gpu-h200-count``, ``gpu-l40s-count``, ``standard-e4-core-count``…)
and are assumptions. GPU limits count GPUs (a VM.GPU.A10.2 instance uses 2 of ``ds-gpu-a10-count``, as AQUA
compares ``available`` with the shape's GPU count); core limits count OCPUs (a Flex instance uses its ``ocpus``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .core import OciError, Request, Response, Router, invalid_parameter, not_found, paginate
from .generative_ai import GENERATIVE_AI, GENERATIVE_AI_LIMITS

if TYPE_CHECKING:
    from .server import OciEmulator

V = "/20190729"
DATA_SCIENCE = "data-science"
# Deployment states whose instances count against the limits (an INACTIVE deployment releases its instances).
COUNTED_STATES = ("CREATING", "ACTIVE", "UPDATING", "NEEDS_ATTENTION", "DELETING")


def placement(cfg: dict) -> dict:
    """Where a deployment configuration keeps its instanceConfiguration and scalingPolicy: a single model's
    ``modelConfigurationDetails``, a model group's (MODEL_GROUP) ``infrastructureConfigurationDetails``."""
    return cfg.get("modelConfigurationDetails") or cfg.get("infrastructureConfigurationDetails") or {}


@dataclass(frozen=True)
class LimitDefinition:
    name: str
    description: str
    unit: str  # "gpu", "core" or "unit" (a dedicated AI cluster unit)
    shape_prefixes: tuple[str, ...]  # model deployment shapes counted against it
    default: int  # the emulator's default value for the region
    service: str = DATA_SCIENCE

    def covers(self, shape: str) -> bool:
        return shape.startswith(self.shape_prefixes)


DATA_SCIENCE_LIMITS: tuple[LimitDefinition, ...] = (
    LimitDefinition("ds-gpu-a10-count", "GPUs for GPU.A10 based VM and BM instances", "gpu",
                    ("VM.GPU.A10.", "BM.GPU.A10."), 16),
    LimitDefinition("ds-gpu2-count", "GPUs for GPU2 (P100) based VM and BM instances", "gpu",
                    ("VM.GPU2.", "BM.GPU2."), 16),
    LimitDefinition("ds-gpu3-count", "GPUs for GPU3 (V100) based VM and BM instances", "gpu",
                    ("VM.GPU3.", "BM.GPU3."), 16),
    LimitDefinition("ds-gpu4-count", "GPUs for GPU4 (A100 40 GB) based BM instances", "gpu", ("BM.GPU4.",), 16),
    LimitDefinition("ds-gpu-a100-v2-count", "GPUs for GPU.A100-v2 (A100 80 GB) based BM instances", "gpu",
                    ("BM.GPU.A100-v2.",), 16),
    LimitDefinition("ds-gpu-h100-count", "GPUs for GPU.H100 based BM instances", "gpu", ("BM.GPU.H100.",), 16),
    LimitDefinition("ds-gpu-h200-count", "GPUs for GPU.H200 based BM instances", "gpu", ("BM.GPU.H200.",), 16),
    LimitDefinition("ds-gpu-l40s-count", "GPUs for GPU.L40S based BM instances", "gpu", ("BM.GPU.L40S.",), 16),
    LimitDefinition("ds-e3-core-count", "Cores for Standard.E3 based VM and BM instances", "core",
                    ("VM.Standard.E3.", "BM.Standard.E3."), 256),
    LimitDefinition("ds-e4-core-count", "Cores for Standard.E4 based VM and BM instances", "core",
                    ("VM.Standard.E4.", "BM.Standard.E4."), 256),
    LimitDefinition("ds-e5-core-count", "Cores for Standard.E5 based VM and BM instances", "core",
                    ("VM.Standard.E5.", "BM.Standard.E5."), 256),
    LimitDefinition("ds-standard3-core-count", "Cores for Standard3 based VM and BM instances", "core",
                    ("VM.Standard3.", "BM.Standard3."), 256),
    LimitDefinition("ds-a1-core-count", "Cores for Standard.A1 (Arm) based VM and BM instances", "core",
                    ("VM.Standard.A1.", "BM.Standard.A1."), 256),
)  # fmt: skip
# Dedicated AI clusters count against these; generative_ai.py says which shape takes how many units of which.
GENERATIVE_AI_LIMIT_DEFINITIONS: tuple[LimitDefinition, ...] = tuple(
    LimitDefinition(name, description, "unit", (), default, GENERATIVE_AI)
    for name, description, default in GENERATIVE_AI_LIMITS
)
SERVICES = {DATA_SCIENCE: "Data Science", GENERATIVE_AI: "Generative AI"}
_BY_NAME = {d.name: d for d in (*DATA_SCIENCE_LIMITS, *GENERATIVE_AI_LIMIT_DEFINITIONS)}


def limit_for_shape(shape: str) -> LimitDefinition | None:
    return next((d for d in DATA_SCIENCE_LIMITS if d.covers(shape)), None)


def gpus_of(shape: str) -> int:
    """GPUs of one instance: the shape name's last number (VM.GPU.A10.2 -> 2, BM.GPU.A100-v2.8 -> 8)."""
    m = re.search(r"\.(\d+)$", shape)
    return int(m.group(1)) if m else 1


class LimitValues(dict):
    """``limit name -> value``; refuses names that are not limits (a shape name says which limit it counts
    against), so a test cannot set a knob that nothing reads."""

    def __setitem__(self, key: str, value: int) -> None:
        if key not in _BY_NAME:
            hint = limit_for_shape(key)
            extra = f"; {key} counts against {hint.name}" if hint else ""
            raise KeyError(f"{key!r} is not a limit name (known: {', '.join(sorted(_BY_NAME))}){extra}")
        super().__setitem__(key, int(value))


class LimitsService:
    prefix = "limits"

    def __init__(self, emu: OciEmulator) -> None:
        self.emu = emu
        # Knobs: the region's value of each limit (shared with CreateModelDeployment's LimitExceeded), and
        # `denied = True` to answer every Limits call 404 NotAuthorizedOrNotFound (no "inspect
        # resource-availability" policy).
        self.values: LimitValues = LimitValues({d.name: d.default for d in _BY_NAME.values()})
        self.denied = False

    def register(self, r: Router) -> None:
        r.add("GET", f"{V}/services", "ListServices", self.list_services)
        r.add("GET", f"{V}/limitDefinitions", "ListLimitDefinitions", self.list_definitions)
        r.add("GET", f"{V}/limitValues", "ListLimitValues", self.list_values)
        r.add("GET", f"{V}/services/{{serviceName}}/limits/{{limitName}}/resourceAvailability",
              "GetResourceAvailability", self.get_resource_availability)  # fmt: skip

    # ------------------------------------------------------------------ accounting
    def _shape_cores(self, shape: str, cfg: dict) -> int:
        instance = placement(cfg).get("instanceConfiguration") or {}
        ocpus = (instance.get("modelDeploymentInstanceShapeConfigDetails") or {}).get("ocpus")
        if ocpus:
            return max(1, int(float(ocpus) + 0.999))
        known = next((s for s in self.emu.datascience.shapes if s["name"] == shape), None)
        return int(known["coreCount"]) if known and not shape.endswith(".Flex") else 1

    def units(self, cfg: dict) -> tuple[LimitDefinition, int] | None:
        """The limit a deployment configuration counts against and how many units it takes."""
        mcd = placement(cfg)
        shape = (mcd.get("instanceConfiguration") or {}).get("instanceShapeName") or ""
        definition = limit_for_shape(shape)
        if definition is None:
            return None
        count = int((mcd.get("scalingPolicy") or {}).get("instanceCount") or 1)
        per_instance = gpus_of(shape) if definition.unit == "gpu" else self._shape_cores(shape, cfg)
        return definition, count * per_instance

    def _deployments(self) -> Iterator[dict]:
        return iter(self.emu.deployments.deployments.values())

    def used(self, name: str, exclude: str | None = None) -> int:
        if _BY_NAME[name].service == GENERATIVE_AI:
            return self.emu.generative_ai.used(name, exclude)
        total = 0
        for md in self._deployments():
            if md["id"] == exclude or md["lifecycleState"] not in COUNTED_STATES:
                continue
            counted = self.units(md["modelDeploymentConfigurationDetails"])
            if counted is not None and counted[0].name == name:
                total += counted[1]
        return total

    def check(self, cfg: dict, exclude: str | None = None) -> None:
        """400 LimitExceeded when starting `cfg` (besides deployment `exclude`) would pass its limit."""
        counted = self.units(cfg)
        if counted is None:
            return
        definition, needed = counted
        value = self.values.get(definition.name)
        if value is None:
            return
        used = self.used(definition.name, exclude)
        if used + needed > value:
            unit = "GPUs" if definition.unit == "gpu" else "cores"
            raise OciError(400, "LimitExceeded",
                           f"The following service limits were exceeded: {definition.name} ({value} {unit} in the "
                           f"region, {used} in use, {needed} requested). Request a service limit increase from the "
                           "service limits page in the console.")  # fmt: skip

    # ------------------------------------------------------------------ handlers
    def _guard(self, req: Request) -> str:
        if self.denied:
            raise not_found("limits")
        compartment = req.require_q("compartmentId")
        if compartment != self.emu.tenancy_id and compartment not in self.emu.identity.compartments:
            raise not_found("compartment")
        return compartment

    def _service(self, name: str | None) -> None:
        if name is not None and name not in SERVICES:
            raise not_found(f"service {name}")

    def list_services(self, req: Request) -> Response:
        self._guard(req)
        return paginate([{"name": name, "description": text} for name, text in SERVICES.items()], req, 1000)

    def list_definitions(self, req: Request) -> Response:
        self._guard(req)
        service = req.q("serviceName")
        items = [
            {"name": d.name, "serviceName": d.service, "description": d.description, "scopeType": "REGION",
             "areQuotasSupported": True, "isResourceAvailabilitySupported": True, "isDeprecated": False,
             "isEligibleForLimitIncrease": True, "isDynamic": False}
            for d in _BY_NAME.values() if service in (None, d.service)
        ]  # fmt: skip
        if req.q("name"):
            items = [d for d in items if d["name"] == req.q("name")]
        return paginate(items, req, 1000)

    def list_values(self, req: Request) -> Response:
        self._guard(req)
        service = req.require_q("serviceName")
        scope = req.q("scopeType")
        if scope is not None and scope not in ("GLOBAL", "REGION", "AD"):
            raise invalid_parameter(f"Invalid scopeType {scope!r}.")
        items: list[dict[str, Any]] = []
        if scope in (None, "REGION"):
            items = [{"name": name, "scopeType": "REGION", "availabilityDomain": None, "value": value}
                     for name, value in sorted(self.values.items()) if _BY_NAME[name].service == service]  # fmt: skip
        if req.q("name"):
            items = [v for v in items if v["name"] == req.q("name")]
        return paginate(items, req, 1000)

    def get_resource_availability(self, req: Request) -> Response:
        self._guard(req)
        self._service(req.params["serviceName"])
        name = req.params["limitName"]
        if name not in _BY_NAME or _BY_NAME[name].service != req.params["serviceName"]:
            raise not_found(f"limit {name}")
        # The limits are regional: an availabilityDomain, if given, does not narrow them.
        value = self.values.get(name)  # a value deleted from the knob: no limit, nothing to say
        used = self.used(name)
        available = None if value is None else max(0, value - used)
        return Response(
            200,
            {
                "used": used,
                "available": available,
                "fractionalUsage": None,
                "fractionalAvailability": None,
                "effectiveQuotaValue": None,
            },
        )


__all__ = [
    "DATA_SCIENCE_LIMITS",
    "GENERATIVE_AI_LIMIT_DEFINITIONS",
    "LimitDefinition",
    "LimitValues",
    "LimitsService",
    "gpus_of",
    "limit_for_shape",
]
