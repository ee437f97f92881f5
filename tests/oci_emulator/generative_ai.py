"""Emulated OCI Generative AI (API 20231130): the management API of ``oci.generative_ai.GenerativeAiClient``
(prefix ``/generativeai``) and the inference host of ``oci.generative_ai_inference.GenerativeAiInferenceClient``
(prefix ``/generativeaiinference``).

Management: base models of the region and fine-tuned models (``/models``), imported models
(``/importedModels``), dedicated AI clusters (``/dedicatedAiClusters``), endpoints (``/endpoints``) and the
work requests that follow each create and delete (``/workRequests``). Lists answer ``{"items": [...]}`` paged
with ``opc-next-page``. Each create answers the resource in CREATING with ``opc-work-request-id``; the work
request goes ACCEPTED -> IN_PROGRESS (25, 50, 75 %) -> SUCCEEDED | FAILED, one step per
``emu.transition_seconds``, and the resource follows it (ACTIVE, or FAILED with ``lifecycleDetails`` saying why).

Inference: ``/20231130/actions/chat|generateText|summarizeText|embedText`` with the provider stub's validation and
answers (tests/provider_stubs/oci_genai.py ``answer``); ``servingMode`` ON_DEMAND names a base model of the
catalog (name or OCID), DEDICATED an endpoint that must be ACTIVE (404 NotAuthorizedOrNotFound otherwise).

Service limits (``generative-ai`` in the Limits service, ``emu.limits.values``): a dedicated AI cluster takes
``unitCount`` x the units of its shape from its shape's limit (seed 001's table for the imported-model shapes:
A10_X2 takes 2 of ``dedicated-unit-a10-count``); a create past it answers 400 LimitExceeded naming the limit.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from .core import (
    OciError,
    Request,
    Response,
    Router,
    invalid_parameter,
    missing_parameter,
    new_ocid,
    not_found,
    now_rfc3339,
    paginate,
)

if TYPE_CHECKING:
    from .server import OciEmulator

V = "/20231130"
GENERATIVE_AI = "generative-ai"


@dataclass(frozen=True)
class UnitShape:
    limit: str  # the generative-ai service limit a unit of this shape counts against
    units: int  # how many of that limit one cluster unit takes
    ai_units: float | None  # AI units per cluster unit (seed 001's pricing table), None where unpublished


# Seed 001's table (imported models: limit name, units to request, AI units) and the pretrained models' shapes
# with the limit names of OCI's "Model Limitations" page (LARGE_COHERE_V2_2 takes 2 large-cohere units).
UNIT_SHAPES: dict[str, UnitShape] = {
    **{f"A10_X{n}": UnitShape("dedicated-unit-a10-count", n, round(1.77 * n, 2)) for n in (1, 2, 4)},
    **{f"A100_40G_X{n}": UnitShape("dedicated-unit-a100-40g-count", n, round(2.70 * n, 2)) for n in (1, 2, 4, 8)},
    **{f"A100_80G_X{n}": UnitShape("dedicated-unit-a100-80g-count", n, round(3.24 * n, 2)) for n in (1, 2, 4, 8)},
    **{f"H100_X{n}": UnitShape("dedicated-unit-h100-count", n, round(6.01 * n, 2)) for n in (1, 2, 4, 8)},
    **{f"H200_X{n}": UnitShape("dedicated-unit-h200-count", n, round(6.22 * n, 2)) for n in (1, 2, 4, 8)},
    "SMALL_COHERE": UnitShape("dedicated-unit-small-cohere-count", 1, None),
    "SMALL_COHERE_V2": UnitShape("dedicated-unit-small-cohere-count", 1, None),
    "LARGE_COHERE": UnitShape("dedicated-unit-large-cohere-count", 1, None),
    "LARGE_COHERE_V2": UnitShape("dedicated-unit-large-cohere-count", 1, None),
    "LARGE_COHERE_V2_2": UnitShape("dedicated-unit-large-cohere-count", 2, None),
    "EMBED_COHERE": UnitShape("dedicated-unit-embed-cohere-count", 1, None),
    "LLAMA2_70": UnitShape("dedicated-unit-llama2-70-count", 1, None),
    "LARGE_GENERIC": UnitShape("dedicated-unit-llama2-70-count", 1, None),
}
# (limit name, description, the emulator's default value: OCI's default is 0, a test raises what it needs)
GENERATIVE_AI_LIMITS: tuple[tuple[str, str, int], ...] = (
    ("dedicated-unit-a10-count", "A10 units of dedicated AI clusters for imported models", 8),
    ("dedicated-unit-a100-40g-count", "A100 40 GB units of dedicated AI clusters for imported models", 8),
    ("dedicated-unit-a100-80g-count", "A100 80 GB units of dedicated AI clusters for imported models", 8),
    ("dedicated-unit-h100-count", "H100 units of dedicated AI clusters for imported models", 8),
    ("dedicated-unit-h200-count", "H200 units of dedicated AI clusters for imported models", 8),
    ("dedicated-unit-small-cohere-count", "Small Cohere units of dedicated AI clusters", 16),
    ("dedicated-unit-large-cohere-count", "Large Cohere units of dedicated AI clusters", 16),
    ("dedicated-unit-embed-cohere-count", "Embed Cohere units of dedicated AI clusters", 16),
    ("dedicated-unit-llama2-70-count", "Large Meta units of dedicated AI clusters", 16),
)
# Cluster states whose units count against the limits.
COUNTED_STATES = ("CREATING", "ACTIVE", "UPDATING", "NEEDS_ATTENTION", "DELETING")
ENDPOINTS_PER_HOSTING_CLUSTER = 50  # an assumption; OCI documents "up to 50 endpoints" per hosting cluster

TRAINING_TYPES = ("TFEW_TRAINING_CONFIG", "LORA_TRAINING_CONFIG", "VANILLA_TRAINING_CONFIG")
# Defaults the service fills in (OCI's fine-tuning hyperparameter page, per method) and the accepted ranges.
TRAINING_DEFAULTS: dict[str, dict[str, Any]] = {
    "TFEW_TRAINING_CONFIG": {"totalTrainingEpochs": 1, "learningRate": 0.01, "trainingBatchSize": 16,
                             "earlyStoppingPatience": 10, "earlyStoppingThreshold": 0.001,
                             "logModelMetricsIntervalInSteps": 10},
    "LORA_TRAINING_CONFIG": {"totalTrainingEpochs": 3, "learningRate": 0.0002, "trainingBatchSize": 8,
                             "earlyStoppingPatience": 15, "earlyStoppingThreshold": 0.0001,
                             "logModelMetricsIntervalInSteps": 10, "loraR": 8, "loraAlpha": 8, "loraDropout": 0.1},
    "VANILLA_TRAINING_CONFIG": {"totalTrainingEpochs": 3, "learningRate": 0.00001, "trainingBatchSize": 8,
                                "earlyStoppingPatience": 15, "earlyStoppingThreshold": 0.0001,
                                "logModelMetricsIntervalInSteps": 10, "numOfLastLayers": 15},
}  # fmt: skip
TRAINING_RANGES: dict[str, tuple[type, float, float]] = {
    "totalTrainingEpochs": (int, 1, 50),
    "learningRate": (float, 0.0, 1.0),
    "trainingBatchSize": (int, 8, 32),
    "earlyStoppingPatience": (int, 0, 16),
    "earlyStoppingThreshold": (float, 0.0, 0.1),
    "logModelMetricsIntervalInSteps": (int, 0, 1_000_000),
    "loraR": (int, 1, 64),
    "loraAlpha": (int, 1, 128),
    "loraDropout": (float, 0.0, 1.0),
    "numOfLastLayers": (int, 1, 15),
}
ONLY_FOR = {"loraR": "LORA_TRAINING_CONFIG", "loraAlpha": "LORA_TRAINING_CONFIG",
            "loraDropout": "LORA_TRAINING_CONFIG", "numOfLastLayers": "VANILLA_TRAINING_CONFIG"}  # fmt: skip
# Seed 001: an imported model has exactly one of these capabilities.
IMPORT_CAPABILITIES = ("TEXT_TO_TEXT", "IMAGE_TEXT_TO_TEXT", "EMBEDDING", "RERANK")

# The region's base models: (name, vendor, version, capabilities, training methods it can be fine-tuned with).
BASE_MODELS: tuple[tuple[str, str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("cohere.command-r-08-2024", "cohere", "1.7", ("CHAT", "FINE_TUNE"),
     ("TFEW_TRAINING_CONFIG", "LORA_TRAINING_CONFIG")),
    ("cohere.command-r-plus-08-2024", "cohere", "1.6", ("CHAT",), ()),
    ("cohere.command", "cohere", "15.6", ("TEXT_GENERATION", "TEXT_SUMMARIZATION", "FINE_TUNE"),
     ("TFEW_TRAINING_CONFIG", "VANILLA_TRAINING_CONFIG")),
    ("meta.llama-3.1-70b-instruct", "meta", "1.0.0", ("CHAT", "FINE_TUNE"), ("LORA_TRAINING_CONFIG",)),
    ("meta.llama-3.3-70b-instruct", "meta", "1.0.0", ("CHAT",), ()),
    ("meta.llama-3-70b-instruct", "meta", "1.0.0", ("CHAT",), ()),
    ("cohere.embed-multilingual-v3.0", "cohere", "3.0", ("TEXT_EMBEDDINGS",), ()),
    ("cohere.rerank-multilingual-v3.1", "cohere", "3.1", ("TEXT_RERANK",), ()),
)  # fmt: skip

# OCI's retirement dates of some base models (ListModels/GetModel's timeDeprecated, timeOnDemandRetired,
# timeDedicatedRetired, published since July 2025), in days from the emulator's start (negative: past): one
# deprecated but still served on demand, one retired on demand (its on-demand calls answer 404 as any unknown model).
BASE_RETIREMENT: dict[str, tuple[int, int, int]] = {
    "meta.llama-3.1-70b-instruct": (-30, 60, 180),
    "meta.llama-3-70b-instruct": (-200, -20, 160),
}
RETIREMENT_FIELDS = ("timeDeprecated", "timeOnDemandRetired", "timeDedicatedRetired")

CLUSTER_FIELDS = ["id", "displayName", "description", "type", "compartmentId", "timeCreated", "timeUpdated",
                  "lifecycleState", "lifecycleDetails", "unitCount", "unitShape", "capacity", "freeformTags",
                  "definedTags", "systemTags"]  # fmt: skip
ENDPOINT_FIELDS = ["id", "displayName", "description", "modelId", "compartmentId", "dedicatedAiClusterId",
                   "timeCreated", "timeUpdated", "lifecycleState", "lifecycleDetails", "contentModerationConfig",
                   "freeformTags", "definedTags", "systemTags"]  # fmt: skip
MODEL_FIELDS = ["id", "description", "compartmentId", "capabilities", "lifecycleState", "lifecycleDetails", "vendor",
                "version", "displayName", "timeCreated", "timeUpdated", "baseModelId", "type", "fineTuneDetails",
                "modelMetrics", "isLongTermSupported", *RETIREMENT_FIELDS, "freeformTags", "definedTags",
                "systemTags"]  # fmt: skip
MODEL_SUMMARY_FIELDS = [f for f in MODEL_FIELDS if f not in ("timeUpdated", "description")]
IMPORTED_FIELDS = ["id", "displayName", "description", "compartmentId", "capabilities", "lifecycleState",
                   "lifecycleDetails", "vendor", "version", "dataSource", "timeCreated", "timeUpdated",
                   "freeformTags", "definedTags", "systemTags"]  # fmt: skip
WR_FIELDS = ["id", "operationType", "status", "compartmentId", "percentComplete", "resources", "timeAccepted",
             "timeStarted", "timeFinished"]  # fmt: skip
ENTITY = {"cluster": ("dedicatedAiCluster", "dedicatedAiClusters"), "endpoint": ("endpoint", "endpoints"),
          "model": ("model", "models"), "imported": ("importedModel", "importedModels")}  # fmt: skip


def _items(resp: Response) -> Response:
    """Generative AI lists are collections: ``{"items": [...]}`` (paging headers as elsewhere)."""
    resp.body = {"items": resp.body}
    return resp


def _sorted(items: list[dict], req: Request, keys: tuple[str, ...]) -> list[dict]:
    by = req.q("sortBy", "timeCreated")
    if by not in keys:
        raise invalid_parameter(f"Invalid sortBy {by!r}; one of {', '.join(keys)}.")
    order = req.q("sortOrder", "DESC" if by == "timeCreated" else "ASC")
    if order not in ("ASC", "DESC"):
        raise invalid_parameter(f"Invalid sortOrder {order!r}.")
    return sorted(items, key=lambda r: (str(r.get(by) or ""), r["_seq"]), reverse=order == "DESC")


def _filter(items: list[dict], req: Request, *params: str) -> list[dict]:
    for param in params:
        value = req.q(param)
        if value:
            items = [r for r in items if r.get(param) == value]
    return items


def _text(body: dict, name: str, where: str = "") -> str:
    value = body.get(name)
    if value in (None, ""):
        raise missing_parameter(f"{where}{name}")
    if not isinstance(value, str):
        raise invalid_parameter(f"{where}{name} must be a string.")
    return value


class GenerativeAiService:
    prefix = "generativeai"

    def __init__(self, emu: OciEmulator) -> None:
        self.emu = emu
        self.clusters: dict[str, dict] = {}
        self.endpoints: dict[str, dict] = {}
        self.models: dict[str, dict] = {}  # base and fine-tuned
        self.imported: dict[str, dict] = {}
        self.work_requests: dict[str, dict] = {}
        self._seq = 0
        # Knobs: the next N work requests of an operation type end FAILED (`fail_next["CREATE_ENDPOINT"] = 1`);
        # clusters of these shapes end FAILED for lack of capacity; Hugging Face ids that need an access token.
        self.fail_next: Counter[str] = Counter()
        self.unavailable_shapes: set[str] = set()
        self.gated_models: set[str] = {"meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Meta-Llama-3-8B-Instruct"}
        for name, vendor, version, caps, _ in BASE_MODELS:
            self._add_base(name, vendor, version, caps)

    def register(self, r: Router) -> None:
        for kind, create, get, listing, delete in (
            ("dedicatedAiClusters", self.create_cluster, self.get_cluster, self.list_clusters, self.delete_cluster),
            ("endpoints", self.create_endpoint, self.get_endpoint, self.list_endpoints, self.delete_endpoint),
            ("models", self.create_model, self.get_model, self.list_models, self.delete_model),
            ("importedModels", self.create_imported, self.get_imported, self.list_imported, self.delete_imported),
        ):
            singular = {"dedicatedAiClusters": "DedicatedAiCluster", "endpoints": "Endpoint", "models": "Model",
                        "importedModels": "ImportedModel"}[kind]  # fmt: skip
            r.add("GET", f"{V}/{kind}", f"List{singular}s", listing)
            r.add("POST", f"{V}/{kind}", f"Create{singular}", create)
            r.add("GET", f"{V}/{kind}/{{id}}", f"Get{singular}", get)
            r.add("DELETE", f"{V}/{kind}/{{id}}", f"Delete{singular}", delete)
        r.add("GET", f"{V}/workRequests", "ListWorkRequests", self.list_work_requests)
        r.add("GET", f"{V}/workRequests/{{workRequestId}}", "GetWorkRequest", self.get_work_request)
        r.add("GET", f"{V}/workRequests/{{workRequestId}}/errors", "ListWorkRequestErrors", self.list_errors)
        r.add("GET", f"{V}/workRequests/{{workRequestId}}/logs", "ListWorkRequestLogs", self.list_logs)

    # ------------------------------------------------------------------ records
    def _next(self) -> int:
        self._seq += 1
        return self._seq

    def _add_base(self, name: str, vendor: str, version: str, capabilities: tuple[str, ...]) -> str:
        mid = new_ocid("generativeaimodel", self.emu.region_key)
        self.models[mid] = {
            "id": mid, "displayName": name, "description": None, "compartmentId": None, "vendor": vendor,
            "version": version, "capabilities": list(capabilities), "lifecycleState": "ACTIVE",
            "lifecycleDetails": None, "timeCreated": now_rfc3339(), "timeUpdated": None, "baseModelId": None,
            "type": "BASE", "fineTuneDetails": None, "modelMetrics": None, "isLongTermSupported": True,
            "freeformTags": {}, "definedTags": {}, "systemTags": {}, "_seq": self._next(), "_name": name,
            **_retirement(name),
        }  # fmt: skip
        return mid

    def on_demand_retired(self, base: dict) -> bool:
        """OCI no longer serves the base model on demand (its timeOnDemandRetired is past)."""
        retired = base.get("timeOnDemandRetired")
        return retired is not None and retired <= now_rfc3339()

    def base_model(self, name_or_id: str) -> dict | None:
        """A base model of the region by OCI model name (``cohere.command-r-08-2024``) or OCID."""
        return next((m for m in self.models.values() if m["type"] == "BASE" and name_or_id in (m["id"], m["_name"])),
                    None)  # fmt: skip

    def _public(self, rec: dict, fields: list[str], compartment: str | None = None) -> dict:
        out = {k: rec.get(k) for k in fields}
        if "compartmentId" in out and out["compartmentId"] is None:
            # A base model belongs to no compartment of the caller; the SDK requires the field, so it answers with
            # the compartment asked about (or the tenancy).
            out["compartmentId"] = compartment or self.emu.tenancy_id
        return out

    def _get(self, table: dict[str, dict], rid: str, what: str) -> dict:
        rec = table.get(rid)
        if rec is None:
            raise not_found(what)
        return rec

    def _compartment(self, body: dict) -> str:
        comp = _text(body, "compartmentId")
        if comp != self.emu.tenancy_id and comp not in self.emu.identity.compartments:
            raise not_found("compartment")
        return comp

    def _common(self, body: dict, comp: str, rid: str) -> dict:
        for name in ("freeformTags", "definedTags"):
            if body.get(name) is not None and not isinstance(body[name], dict):
                raise invalid_parameter(f"{name} must be an object.")
        name = body.get("displayName") or rid.rsplit(".", 1)[-1][:12]
        return {"id": rid, "compartmentId": comp, "displayName": name, "description": body.get("description"),
                "timeCreated": now_rfc3339(), "timeUpdated": None, "lifecycleState": "CREATING",
                "lifecycleDetails": "Creating", "freeformTags": body.get("freeformTags") or {},
                "definedTags": body.get("definedTags") or {}, "systemTags": {}, "_seq": self._next(),
                "_etag": uuid.uuid4().hex}  # fmt: skip

    def _touch(self, rec: dict, state: str, details: str | None) -> None:
        rec.update(lifecycleState=state, lifecycleDetails=details, timeUpdated=now_rfc3339())
        rec["_etag"] = uuid.uuid4().hex

    def _answer(self, rec: dict, fields: list[str], wid: str | None = None) -> Response:
        headers = {"etag": rec["_etag"]} if "_etag" in rec else {}
        if wid:
            headers["opc-work-request-id"] = wid
        return Response(200, self._public(rec, fields), headers)

    # ------------------------------------------------------------------ work requests
    def start(self, operation: str, rec: dict, kind: str, action: str, finish: Callable[[], str | None],
              steps: int = 3) -> str:  # fmt: skip
        """A work request ACCEPTED -> IN_PROGRESS (``steps`` progress steps) -> SUCCEEDED | FAILED, one step per
        ``transition_seconds``; ``finish()`` returns None for success or the failure's message. A queued
        ``fail_next[operation]`` fails it instead."""
        wid = new_ocid("generativeaiworkrequest", self.emu.region_key)
        entity, uri = ENTITY[kind]
        wr = {"id": wid, "operationType": operation, "status": "ACCEPTED", "compartmentId": rec["compartmentId"],
              "percentComplete": 0.0, "timeAccepted": now_rfc3339(), "timeStarted": None, "timeFinished": None,
              "resources": [{"entityType": entity, "actionType": "IN_PROGRESS", "identifier": rec["id"],
                             "entityUri": f"/{V.strip('/')}/{uri}/{rec['id']}"}],
              "_errors": [], "_logs": [{"message": f"{operation} accepted", "timestamp": now_rfc3339()}],
              "_seq": self._next()}  # fmt: skip
        self.work_requests[wid] = wr
        injected = self.fail_next[operation] > 0
        if injected:
            self.fail_next[operation] -= 1

        def progress(pct: float) -> Callable[[], None]:
            def step() -> None:
                wr.update(status="IN_PROGRESS", percentComplete=pct, timeStarted=wr["timeStarted"] or now_rfc3339())
                wr["_logs"].append({"message": f"{operation} {pct:.0f}% complete", "timestamp": now_rfc3339()})

            return step

        def done() -> None:
            error = "Injected failure (emulator fault)." if injected else finish()
            ts = now_rfc3339()
            if error:
                wr.update(status="FAILED", timeFinished=ts)
                wr["resources"][0]["actionType"] = "FAILED"
                wr["_errors"].append({"code": "InternalServerError", "message": error, "timestamp": ts})
                wr["_logs"].append({"message": f"{operation} failed: {error}", "timestamp": ts})
                if injected:
                    self._touch(rec, "FAILED", error)
            else:
                wr.update(status="SUCCEEDED", percentComplete=100.0, timeFinished=ts)
                wr["resources"][0]["actionType"] = action
                wr["_logs"].append({"message": f"{operation} succeeded", "timestamp": ts})

        pcts = [round(100.0 * (i + 1) / (steps + 1), 1) for i in range(steps)]
        self.emu.schedule_steps(*[progress(p) for p in pcts], done)
        return wid

    def _wr(self, wid: str) -> dict:
        return self._get(self.work_requests, wid, "work request")

    def get_work_request(self, req: Request) -> Response:
        wr = self._wr(req.params["workRequestId"])
        headers = {"retry-after": "1"} if wr["status"] in ("ACCEPTED", "IN_PROGRESS") else {}
        return Response(200, {k: wr[k] for k in WR_FIELDS}, headers)

    def list_work_requests(self, req: Request) -> Response:
        comp = req.require_q("compartmentId")
        items = [w for w in self.work_requests.values() if w["compartmentId"] == comp]
        if req.q("workRequestId"):
            items = [w for w in items if w["id"] == req.q("workRequestId")]
        if req.q("status"):
            items = [w for w in items if w["status"] == req.q("status")]
        if req.q("resourceId"):
            items = [w for w in items if any(r["identifier"] == req.q("resourceId") for r in w["resources"])]
        items.sort(key=lambda w: (w["timeAccepted"], w["_seq"]), reverse=req.q("sortOrder", "DESC") == "DESC")
        return _items(paginate([{k: w[k] for k in WR_FIELDS} for w in items], req, self.emu.page_size))

    def list_errors(self, req: Request) -> Response:
        return _items(paginate(list(self._wr(req.params["workRequestId"])["_errors"]), req, 100))

    def list_logs(self, req: Request) -> Response:
        return _items(paginate(list(self._wr(req.params["workRequestId"])["_logs"]), req, 100))

    # ------------------------------------------------------------------ limits
    def used(self, limit: str, exclude: str | None = None) -> int:
        """Units of ``limit`` the live clusters take (all compartments: limits are per tenancy and region)."""
        total = 0
        for c in self.clusters.values():
            shape = UNIT_SHAPES.get(c["unitShape"])
            if c["id"] != exclude and c["lifecycleState"] in COUNTED_STATES and shape and shape.limit == limit:
                total += shape.units * c["unitCount"]
        return total

    def _check_limit(self, shape_name: str, unit_count: int) -> None:
        shape = UNIT_SHAPES.get(shape_name)
        value = self.emu.limits.values.get(shape.limit) if shape else None
        if shape is None or value is None:
            return
        used, needed = self.used(shape.limit), shape.units * unit_count
        if used + needed > value:
            raise OciError(400, "LimitExceeded",
                           f"The following service limits were exceeded: {shape.limit} ({value} units in the region, "
                           f"{used} in use, {needed} requested for {unit_count} x {shape_name}). Request a service "
                           "limit increase from the service limits page in the console.")  # fmt: skip

    # ------------------------------------------------------------------ dedicated AI clusters
    def _capacity(self, rec: dict) -> dict | None:
        if rec["type"] != "HOSTING":
            return None
        used = len(self._live_endpoints(rec["id"]))
        return {"capacityType": "HOSTING_CAPACITY", "totalEndpointCapacity": ENDPOINTS_PER_HOSTING_CLUSTER,
                "usedEndpointCapacity": used}  # fmt: skip

    def _live_endpoints(self, cluster_id: str) -> list[str]:
        on_it = [e for e in self.endpoints.values() if e["dedicatedAiClusterId"] == cluster_id]
        return [e["id"] for e in on_it if e["lifecycleState"] not in ("DELETED", "FAILED")]

    def _cluster_public(self, rec: dict) -> dict:
        return self._public({**rec, "capacity": self._capacity(rec)}, CLUSTER_FIELDS)

    def create_cluster(self, req: Request) -> Response:
        return self.emu.idempotent_create(req, lambda: self._create_cluster(req))

    def _create_cluster(self, req: Request) -> Response:
        body = req.json()
        comp = self._compartment(body)
        kind = _text(body, "type")
        if kind not in ("HOSTING", "FINE_TUNING"):
            raise invalid_parameter("type must be HOSTING or FINE_TUNING.")
        shape = _text(body, "unitShape")
        from oci.generative_ai.models import DedicatedAiCluster

        allowed = _allowed_values(DedicatedAiCluster, "unit_shape")
        if shape not in allowed:
            raise invalid_parameter(f"unitShape {shape!r} is not a dedicated AI cluster unit shape.")
        count = body.get("unitCount")
        if count is None:
            raise missing_parameter("unitCount")
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 64:
            raise invalid_parameter("unitCount must be an integer between 1 and 64.")
        self._check_limit(shape, count)
        rec = self._common(body, comp, new_ocid("generativeaidedicatedaicluster", self.emu.region_key))
        rec.update(type=kind, unitShape=shape, unitCount=count)
        self.clusters[rec["id"]] = rec

        def finish() -> str | None:
            if shape in self.unavailable_shapes:
                message = f"Out of host capacity for unit shape {shape} in {self.emu.region}; try again later."
                self._touch(rec, "FAILED", message)
                return message
            self._touch(rec, "ACTIVE", None)
            return None

        wid = self.start("CREATE_DEDICATED_AI_CLUSTER", rec, "cluster", "CREATED", finish)
        return Response(200, self._cluster_public(rec), {"etag": rec["_etag"], "opc-work-request-id": wid})

    def get_cluster(self, req: Request) -> Response:
        rec = self._get(self.clusters, req.params["id"], "dedicated AI cluster")
        return Response(200, self._cluster_public(rec), {"etag": rec["_etag"]})

    def list_clusters(self, req: Request) -> Response:
        comp = req.require_q("compartmentId")
        items = [c for c in self.clusters.values() if c["compartmentId"] == comp]
        items = _sorted(_filter(items, req, "lifecycleState", "displayName", "id"), req,
                        ("timeCreated", "displayName", "lifecycleState"))  # fmt: skip
        return _items(paginate([self._cluster_public(c) for c in items], req, self.emu.page_size))

    def delete_cluster(self, req: Request) -> Response:
        rec = self._get(self.clusters, req.params["id"], "dedicated AI cluster")
        self._deletable(rec, req)
        live = self._live_endpoints(rec["id"])
        if live:
            raise OciError(409, "IncorrectState", f"The dedicated AI cluster still hosts endpoints: {', '.join(live)}.")
        training = [m["id"] for m in self.models.values()
                    if (m.get("fineTuneDetails") or {}).get("dedicatedAiClusterId") == rec["id"]
                    and m["lifecycleState"] == "CREATING"]  # fmt: skip
        if training:
            raise OciError(409, "IncorrectState", f"The dedicated AI cluster is fine-tuning {', '.join(training)}.")
        return self._delete(rec, "DELETE_DEDICATED_AI_CLUSTER", "cluster")

    # ------------------------------------------------------------------ deletes (shared)
    def _deletable(self, rec: dict, req: Request) -> None:
        if req.header("if-match") and req.header("if-match") != rec.get("_etag"):
            raise OciError(412, "NoEtagMatch", "The if-match value does not match the resource's etag.")
        if rec["lifecycleState"] in ("DELETING", "DELETED", "CREATING"):
            raise OciError(409, "IncorrectState", f"The resource is {rec['lifecycleState']}; it cannot be deleted now.")

    def _delete(self, rec: dict, operation: str, kind: str) -> Response:
        self._touch(rec, "DELETING", "Deleting")

        def finish() -> str | None:
            self._touch(rec, "DELETED", None)
            return None

        wid = self.start(operation, rec, kind, "DELETED", finish, steps=1)
        return Response(202, None, {"opc-work-request-id": wid})

    # ------------------------------------------------------------------ endpoints
    def model_of(self, mid: str) -> dict | None:
        return self.models.get(mid) or self.imported.get(mid)

    def create_endpoint(self, req: Request) -> Response:
        return self.emu.idempotent_create(req, lambda: self._create_endpoint(req))

    def _create_endpoint(self, req: Request) -> Response:
        body = req.json()
        comp = self._compartment(body)
        cluster = self.clusters.get(_text(body, "dedicatedAiClusterId"))
        if cluster is None or cluster["lifecycleState"] == "DELETED":
            raise OciError(404, "RelatedResourceNotAuthorizedOrNotFound", "The dedicated AI cluster was not found.")
        if cluster["type"] != "HOSTING":
            raise invalid_parameter("dedicatedAiClusterId: endpoints need a HOSTING cluster, this one is FINE_TUNING.")
        if cluster["lifecycleState"] != "ACTIVE":
            raise OciError(
                409, "IncorrectState", f"The dedicated AI cluster is {cluster['lifecycleState']}, not ACTIVE."
            )
        model = self.model_of(_text(body, "modelId"))
        if model is None or model["lifecycleState"] == "DELETED":
            raise OciError(404, "RelatedResourceNotAuthorizedOrNotFound", "The model was not found.")
        if model["lifecycleState"] != "ACTIVE":
            raise OciError(409, "IncorrectState", f"The model is {model['lifecycleState']}, not ACTIVE.")
        capacity = self._capacity(cluster) or {}
        if capacity.get("usedEndpointCapacity", 0) >= capacity.get("totalEndpointCapacity", 0):
            raise OciError(409, "IncorrectState", "The dedicated AI cluster has no endpoint capacity left.")
        moderation = body.get("contentModerationConfig")
        if moderation is not None and not isinstance((moderation or {}).get("isEnabled"), bool):
            raise invalid_parameter("contentModerationConfig.isEnabled must be true or false.")
        rec = self._common(body, comp, new_ocid("generativeaiendpoint", self.emu.region_key))
        rec.update(modelId=model["id"], dedicatedAiClusterId=cluster["id"],
                   contentModerationConfig=moderation or {"isEnabled": False})  # fmt: skip
        self.endpoints[rec["id"]] = rec

        def finish() -> str | None:
            if cluster["lifecycleState"] != "ACTIVE":
                message = f"The dedicated AI cluster became {cluster['lifecycleState']}."
                self._touch(rec, "FAILED", message)
                return message
            self._touch(rec, "ACTIVE", None)
            return None

        wid = self.start("CREATE_ENDPOINT", rec, "endpoint", "CREATED", finish, steps=1)
        return self._answer(rec, ENDPOINT_FIELDS, wid)

    def get_endpoint(self, req: Request) -> Response:
        return self._answer(self._get(self.endpoints, req.params["id"], "endpoint"), ENDPOINT_FIELDS)

    def list_endpoints(self, req: Request) -> Response:
        comp = req.require_q("compartmentId")
        items = [e for e in self.endpoints.values() if e["compartmentId"] == comp]
        items = _sorted(_filter(items, req, "lifecycleState", "displayName", "id"), req, ("displayName", "timeCreated"))
        return _items(paginate([self._public(e, ENDPOINT_FIELDS) for e in items], req, self.emu.page_size))

    def delete_endpoint(self, req: Request) -> Response:
        rec = self._get(self.endpoints, req.params["id"], "endpoint")
        self._deletable(rec, req)
        return self._delete(rec, "DELETE_ENDPOINT", "endpoint")

    # ------------------------------------------------------------------ models (base + fine-tuned)
    def create_model(self, req: Request) -> Response:
        return self.emu.idempotent_create(req, lambda: self._create_model(req))

    def _training_config(self, raw: Any, base: dict) -> dict:
        where = "fineTuneDetails.trainingConfig."
        if not isinstance(raw, dict):
            raise invalid_parameter("fineTuneDetails.trainingConfig must be an object.")
        kind = _text(raw, "trainingConfigType", where)
        if kind not in TRAINING_TYPES:
            raise invalid_parameter(f"{where}trainingConfigType must be one of {', '.join(TRAINING_TYPES)}.")
        methods = next(m for n, *_, m in BASE_MODELS if n == base["_name"])
        if kind not in methods:
            raise invalid_parameter(f"{where}trainingConfigType {kind} is not available for {base['_name']} "
                                    f"(available: {', '.join(methods)}).")  # fmt: skip
        config = {"trainingConfigType": kind, **TRAINING_DEFAULTS[kind]}
        for name, value in raw.items():
            if name == "trainingConfigType" or value is None:
                continue
            if name not in TRAINING_RANGES:
                raise invalid_parameter(f"Unrecognized field '{where}{name}'.")
            if ONLY_FOR.get(name, kind) != kind:
                raise invalid_parameter(f"{where}{name} applies to {ONLY_FOR[name]} only, not {kind}.")
            typ, lo, hi = TRAINING_RANGES[name]
            ok_type = isinstance(value, (int, float)) and not isinstance(value, bool)
            if not ok_type or (typ is int and not isinstance(value, int)) or not lo <= value <= hi:
                raise invalid_parameter(f"{where}{name} must be {'an integer' if typ is int else 'a number'} "
                                        f"between {lo:g} and {hi:g}, got {value!r}.")  # fmt: skip
            config[name] = value
        return config

    def _create_model(self, req: Request) -> Response:
        body = req.json()
        comp = self._compartment(body)
        base = self.models.get(_text(body, "baseModelId"))
        if base is None or base["type"] != "BASE":
            raise OciError(404, "RelatedResourceNotAuthorizedOrNotFound", "The base model was not found.")
        if "FINE_TUNE" not in base["capabilities"]:
            raise invalid_parameter(f"baseModelId: {base['_name']} cannot be fine-tuned.")
        details = body.get("fineTuneDetails")
        if not isinstance(details, dict):
            raise missing_parameter("fineTuneDetails")
        cluster = self.clusters.get(_text(details, "dedicatedAiClusterId", "fineTuneDetails."))
        if cluster is None or cluster["lifecycleState"] == "DELETED":
            raise OciError(404, "RelatedResourceNotAuthorizedOrNotFound", "The dedicated AI cluster was not found.")
        if cluster["type"] != "FINE_TUNING":
            raise invalid_parameter("fineTuneDetails.dedicatedAiClusterId: fine-tuning needs a FINE_TUNING cluster.")
        if cluster["lifecycleState"] != "ACTIVE":
            raise OciError(
                409, "IncorrectState", f"The dedicated AI cluster is {cluster['lifecycleState']}, not ACTIVE."
            )
        dataset = details.get("trainingDataset")
        if not isinstance(dataset, dict):
            raise missing_parameter("fineTuneDetails.trainingDataset")
        if dataset.get("datasetType") != "OBJECT_STORAGE":
            raise invalid_parameter("fineTuneDetails.trainingDataset.datasetType must be OBJECT_STORAGE.")
        for name in ("namespaceName", "bucketName", "objectName"):
            _text(dataset, name, "fineTuneDetails.trainingDataset.")
        raw_config = details.get("trainingConfig") or {"trainingConfigType": "TFEW_TRAINING_CONFIG"}
        config = self._training_config(raw_config, base)
        rec = self._common(body, comp, new_ocid("generativeaimodel", self.emu.region_key))
        rec.update(
            vendor=body.get("vendor") or base["vendor"], version=body.get("version") or "1.0",
            capabilities=[c for c in base["capabilities"] if c != "FINE_TUNE"], baseModelId=base["id"],
            type="CUSTOM", isLongTermSupported=None, modelMetrics=None, _name=base["_name"],
            fineTuneDetails={"trainingDataset": {k: dataset[k] for k in ("datasetType", "namespaceName", "bucketName",
                                                                         "objectName")},
                             "dedicatedAiClusterId": cluster["id"], "trainingConfig": config},
        )  # fmt: skip
        rec["lifecycleDetails"] = "Fine-tuning"
        self.models[rec["id"]] = rec

        def finish() -> str | None:
            problem = self._dataset_problem(dataset)
            if problem:
                self._touch(rec, "FAILED", problem)
                return problem
            rec["modelMetrics"] = _metrics(base, config, rec["id"])
            self._touch(rec, "ACTIVE", None)
            return None

        wid = self.start("CREATE_MODEL", rec, "model", "CREATED", finish, steps=config["totalTrainingEpochs"] + 1)
        return self._answer(rec, MODEL_FIELDS, wid)

    def _dataset_problem(self, dataset: dict) -> str | None:
        """Why the training dataset cannot be used (missing, not JSONL of prompt/completion), or None."""
        try:
            data = self.emu.get_object(dataset["namespaceName"], dataset["bucketName"], dataset["objectName"])
        except Exception:
            return (f"Training dataset oci://{dataset['bucketName']}@{dataset['namespaceName']}/"
                    f"{dataset['objectName']} was not found.")  # fmt: skip
        lines = [ln for ln in data.decode("utf-8", "replace").splitlines() if ln.strip()]
        for n, line in enumerate(lines, 1):
            try:
                row = json.loads(line)
            except ValueError:
                return f"Training dataset line {n} is not JSON."
            if not isinstance(row, dict) or not {"prompt", "completion"} <= set(row):
                return f'Training dataset line {n} lacks "prompt" or "completion".'
        if len(lines) < 2:
            return "Training dataset needs at least 2 examples (it is split 80/20 for training and validation)."
        return None

    def get_model(self, req: Request) -> Response:
        rec = self._get(self.models, req.params["id"], "model")
        return self._answer(rec, MODEL_FIELDS)

    def list_models(self, req: Request) -> Response:
        comp = req.require_q("compartmentId")
        # Base models are listed in every compartment of the region; fine-tuned ones in their own.
        items = [m for m in self.models.values() if m["type"] == "BASE" or m["compartmentId"] == comp]
        items = _filter(items, req, "vendor", "lifecycleState", "displayName", "id")
        wanted = req.q_list("capability")  # the SDK sends a list: a model with any of them
        if wanted:
            items = [m for m in items if set(wanted) & set(m["capabilities"])]
        items = _sorted(items, req, ("displayName", "lifecycleState", "timeCreated"))
        return _items(paginate([self._public(m, MODEL_SUMMARY_FIELDS, comp) for m in items], req, self.emu.page_size))

    def delete_model(self, req: Request) -> Response:
        rec = self._get(self.models, req.params["id"], "model")
        if rec["type"] == "BASE":
            raise OciError(409, "IncorrectState", "A base model cannot be deleted.")
        self._deletable(rec, req)
        self._in_use(rec["id"])
        return self._delete(rec, "DELETE_MODEL", "model")

    def _in_use(self, mid: str) -> None:
        live = [e["id"] for e in self.endpoints.values()
                if e["modelId"] == mid and e["lifecycleState"] not in ("DELETED", "FAILED")]  # fmt: skip
        if live:
            raise OciError(409, "IncorrectState", f"The model is served by endpoints: {', '.join(live)}.")

    # ------------------------------------------------------------------ imported models
    def create_imported(self, req: Request) -> Response:
        return self.emu.idempotent_create(req, lambda: self._create_imported(req))

    def _create_imported(self, req: Request) -> Response:
        body = req.json()
        comp = self._compartment(body)
        source = body.get("dataSource")
        if not isinstance(source, dict):
            raise missing_parameter("dataSource")
        kind = source.get("sourceType")
        if kind == "HUGGING_FACE_MODEL":
            _text(source, "modelId", "dataSource.")
            public_source = {k: source.get(k) for k in ("sourceType", "modelId", "branch", "commit")}
        elif kind == "OBJECT_STORAGE_OBJECT":
            for name in ("namespaceName", "bucketName", "prefixName"):
                _text(source, name, "dataSource.")
            public_source = {k: source.get(k) for k in ("sourceType", "namespaceName", "bucketName", "prefixName",
                                                        "region")}  # fmt: skip
        else:
            raise invalid_parameter("dataSource.sourceType must be HUGGING_FACE_MODEL or OBJECT_STORAGE_OBJECT.")
        capabilities = body.get("capabilities")
        if not isinstance(capabilities, list) or len(capabilities) != 1 or capabilities[0] not in IMPORT_CAPABILITIES:
            raise invalid_parameter(f"capabilities must name exactly one of {', '.join(IMPORT_CAPABILITIES)}.")
        rec = self._common(body, comp, new_ocid("generativeaiimportedmodel", self.emu.region_key))
        # The access token is kept to check the import and never answered back.
        rec.update(capabilities=list(capabilities), vendor=body.get("vendor"), version=body.get("version"),
                   dataSource=public_source, _token=source.get("accessToken"), _name=rec["id"])  # fmt: skip
        self.imported[rec["id"]] = rec

        def finish() -> str | None:
            problem = self._import_problem(rec)
            if problem:
                self._touch(rec, "FAILED", problem)
                return problem
            self._touch(rec, "ACTIVE", None)
            return None

        wid = self.start("CREATE_IMPORTED_MODEL", rec, "imported", "CREATED", finish)
        return self._answer(rec, IMPORTED_FIELDS, wid)

    def _import_problem(self, rec: dict) -> str | None:
        source = rec["dataSource"]
        if source["sourceType"] == "HUGGING_FACE_MODEL":
            if source["modelId"] in self.gated_models and not rec["_token"]:
                return f"Hugging Face model {source['modelId']} is gated: an access token with read access is needed."
            return None
        prefix = source["prefixName"].rstrip("/")
        try:
            names = self.emu.list_object_names(source["namespaceName"], source["bucketName"], prefix)
        except Exception:
            return f"Bucket {source['bucketName']} was not found in namespace {source['namespaceName']}."
        if f"{prefix}/config.json" not in names and (prefix or "config.json") not in names:
            return f"No config.json under oci://{source['bucketName']}@{source['namespaceName']}/{prefix}/."
        return None

    def get_imported(self, req: Request) -> Response:
        return self._answer(self._get(self.imported, req.params["id"], "imported model"), IMPORTED_FIELDS)

    def list_imported(self, req: Request) -> Response:
        comp = req.require_q("compartmentId")
        items = [m for m in self.imported.values() if m["compartmentId"] == comp]
        items = _filter(items, req, "vendor", "lifecycleState", "displayName", "id")
        wanted = req.q_list("capability")  # the SDK sends a list: a model with any of them
        if wanted:
            items = [m for m in items if set(wanted) & set(m["capabilities"])]
        items = _sorted(items, req, ("displayName", "lifecycleState", "timeCreated"))
        return _items(paginate([self._public(m, IMPORTED_FIELDS) for m in items], req, self.emu.page_size))

    def delete_imported(self, req: Request) -> Response:
        rec = self._get(self.imported, req.params["id"], "imported model")
        self._deletable(rec, req)
        self._in_use(rec["id"])
        return self._delete(rec, "DELETE_IMPORTED_MODEL", "imported")

    def replay(self, req: Request, rid: str) -> Response:
        """The answer a create with a reused opc-retry-token gets: the resource it created, as it is now."""
        for table, fields in ((self.clusters, None), (self.endpoints, ENDPOINT_FIELDS), (self.models, MODEL_FIELDS),
                              (self.imported, IMPORTED_FIELDS)):  # fmt: skip
            if rid in table:
                rec = table[rid]
                body = self._cluster_public(rec) if fields is None else self._public(rec, fields)
                return Response(200, body, {"etag": rec["_etag"]})
        raise not_found()

    # ------------------------------------------------------------------ seeding
    def add_cluster(self, compartment_id: str, display_name: str = "cluster", *, kind: str = "HOSTING",
                    unit_shape: str = "A10_X1", unit_count: int = 1,
                    lifecycle_state: str = "ACTIVE") -> str:  # fmt: skip
        rec = self._common({"displayName": display_name}, compartment_id,
                           new_ocid("generativeaidedicatedaicluster", self.emu.region_key))  # fmt: skip
        rec.update(type=kind, unitShape=unit_shape, unitCount=unit_count, lifecycleState=lifecycle_state,
                   lifecycleDetails=None)  # fmt: skip
        self.clusters[rec["id"]] = rec
        return rec["id"]


def _retirement(name: str) -> dict[str, str | None]:
    days = BASE_RETIREMENT.get(name)
    if days is None:
        return dict.fromkeys(RETIREMENT_FIELDS)
    start = datetime.now(timezone.utc)
    return {field: (start + timedelta(days=d)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
            for field, d in zip(RETIREMENT_FIELDS, days, strict=True)}  # fmt: skip


def _allowed_values(cls: type, attr: str) -> tuple[str, ...]:
    from .conformance import _allowed

    return _allowed(cls, attr) or ()


def _metrics(base: dict, config: dict, mid: str) -> dict:
    """Synthetic but deterministic final metrics: better with more epochs, a little different per model."""
    wobble = int(hashlib.sha256(mid.encode()).hexdigest()[:4], 16) / 0xFFFF
    epochs = config["totalTrainingEpochs"]
    loss = round(1.2 / (1 + epochs) + 0.05 * wobble, 4)
    accuracy = round(min(0.99, 0.6 + 0.08 * epochs + 0.02 * wobble), 4)
    kind = "CHAT_MODEL_METRICS" if "CHAT" in base["capabilities"] else "TEXT_GENERATION_MODEL_METRICS"
    return {"modelMetricsType": kind, "finalAccuracy": accuracy, "finalLoss": loss}


class EventStream(Iterator[bytes]):
    """A stream's SSE events, sent one chunk each; keeps them for the conformance check (``events``)."""

    def __init__(self, events: list[bytes]) -> None:
        self.events = events
        self._it = iter(events)

    def __next__(self) -> bytes:
        return next(self._it)


class GenerativeAiInferenceService:
    """The inference host: the provider stub's answers, reached through the control plane's endpoints."""

    prefix = "generativeaiinference"

    def __init__(self, emu: OciEmulator, control: GenerativeAiService) -> None:
        self.emu = emu
        self.control = control

    def register(self, r: Router) -> None:
        for action, operation in (("chat", "Chat"), ("generateText", "GenerateText"),
                                  ("summarizeText", "SummarizeText"), ("embedText", "EmbedText")):  # fmt: skip
            r.add("POST", f"{V}/actions/{action}", operation, self._handler(action))

    def resolve(self, serving_type: str, ident: str) -> str:
        """The model an ON_DEMAND modelId or a DEDICATED endpointId reaches, by OCI model name (what the stub's
        apiFormat check reads: ``cohere.*`` models chat in the COHERE format); 404 when it reaches none."""
        from tests.provider_stubs.server import Refuse

        gone = Refuse(404, "Authorization failed or requested resource not found.", "NotAuthorizedOrNotFound")
        if serving_type == "ON_DEMAND":
            base = self.control.base_model(ident)
            if base is None or self.control.on_demand_retired(base):
                raise gone
            return str(base["_name"])
        endpoint = self.control.endpoints.get(ident)
        if endpoint is None or endpoint["lifecycleState"] != "ACTIVE":
            raise gone
        model = self.control.model_of(endpoint["modelId"])
        return str(model["_name"]) if model else ident

    def _handler(self, action: str) -> Callable[[Request], Response]:
        def handle(req: Request) -> Response:
            from tests.provider_stubs.oci_genai import answer
            from tests.provider_stubs.server import Refuse

            try:
                body = json.loads(req.body) if req.body else None
            except ValueError:
                raise OciError(400, "CannotParseRequest", "Request body is not valid JSON.") from None
            try:
                result = answer(action, body, self.resolve)
            except Refuse as exc:
                codes = {400: "InvalidParameter", 404: "NotAuthorizedOrNotFound"}
                raise OciError(exc.status, exc.code or codes.get(exc.status, "InvalidParameter"), exc.message) from None
            if isinstance(result, list):
                return Response(200, EventStream(result), {"cache-control": "no-cache"},
                                content_type="text/event-stream")  # fmt: skip
            return Response(200, result)

        return handle


__all__ = ["GENERATIVE_AI", "GENERATIVE_AI_LIMITS", "UNIT_SHAPES", "GenerativeAiInferenceService",
           "GenerativeAiService"]  # fmt: skip
