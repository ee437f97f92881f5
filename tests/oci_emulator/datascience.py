"""Emulated OCI Data Science control plane (API 20190101): projects, models, model metadata artifacts,
model artifacts, model deployment shapes.

Wire format follows the pinned SDK's models (``oci.data_science.models.*.attribute_map``): camelCase JSON,
bare-array lists paged by ``opc-next-page``, RFC3339 timestamps.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from typing import TYPE_CHECKING, Any

from .core import OciError, Request, Response, Router, invalid_parameter, new_ocid, not_found, now_rfc3339, paginate

if TYPE_CHECKING:
    from .server import OciEmulator

V = "/20190101"

MODEL_STATES = ("ACTIVE", "DELETED", "FAILED", "INACTIVE")
MODEL_SUMMARY_FIELDS = [
    "compartmentId", "projectId", "id", "displayName", "createdBy", "timeCreated", "lifecycleState",
    "lifecycleDetails", "modelVersionSetId", "modelVersionSetName", "versionId", "versionLabel", "category",
    "isModelByReference", "freeformTags", "definedTags",
]  # fmt: skip
MODEL_FIELDS = [
    "id", "compartmentId", "projectId", "displayName", "description", "lifecycleState", "lifecycleDetails",
    "timeCreated", "createdBy", "freeformTags", "definedTags", "customMetadataList", "definedMetadataList",
    "inputSchema", "outputSchema", "modelVersionSetId", "modelVersionSetName", "versionId", "versionLabel",
    "category", "isModelByReference", "retentionSetting", "backupSetting", "retentionOperationDetails",
    "backupOperationDetails",
]  # fmt: skip
PROJECT_FIELDS = [
    "id", "timeCreated", "displayName", "description", "compartmentId", "createdBy", "lifecycleState",
    "freeformTags", "definedTags",
]  # fmt: skip
PROVENANCE_FIELDS = ["repositoryUrl", "gitBranch", "gitCommit", "scriptDir", "trainingScript", "trainingId"]
# The taxonomy ("defined") metadata keys the service always returns for a model.
DEFINED_METADATA_KEYS = ("UseCaseType", "Framework", "FrameworkVersion", "Algorithm", "Hyperparameters",
                         "ArtifactTestResults")  # fmt: skip
DEFINED_ARTIFACT_KEYS = ("Readme", "License", "DeploymentConfiguration", "FineTuneConfiguration", "Reports")

MODEL_DEPLOYMENT_SHAPES = [
    {"name": "VM.Standard.E4.Flex", "coreCount": 64, "memoryInGBs": 1024, "shapeSeries": "AMD_ROME"},
    {"name": "VM.Standard3.Flex", "coreCount": 32, "memoryInGBs": 512, "shapeSeries": "INTEL_SKYLAKE"},
    {"name": "VM.Standard.A1.Flex", "coreCount": 80, "memoryInGBs": 512, "shapeSeries": "ARM"},
    {"name": "VM.GPU.A10.1", "coreCount": 15, "memoryInGBs": 240, "shapeSeries": "NVIDIA_GPU"},
    {"name": "VM.GPU.A10.2", "coreCount": 30, "memoryInGBs": 480, "shapeSeries": "NVIDIA_GPU"},
    {"name": "BM.GPU.A10.4", "coreCount": 64, "memoryInGBs": 1024, "shapeSeries": "NVIDIA_GPU"},
    {"name": "BM.GPU4.8", "coreCount": 64, "memoryInGBs": 2048, "shapeSeries": "NVIDIA_GPU"},
    {"name": "BM.GPU.A100-v2.8", "coreCount": 128, "memoryInGBs": 2048, "shapeSeries": "NVIDIA_GPU"},
    {"name": "BM.GPU.H100.8", "coreCount": 112, "memoryInGBs": 2048, "shapeSeries": "NVIDIA_GPU"},
]

# Shapes of Oracle's AQUA service models, used by seed_service_models().
_SERVICE_MODEL_CATALOG = [
    ("meta-llama/Meta-Llama-3.1-8B-Instruct", "text-generation", "Meta", "llama3.1", "True"),
    ("mistralai/Mistral-7B-Instruct-v0.3", "text-generation", "Mistral AI", "Apache 2.0", "True"),
    ("microsoft/Phi-3-mini-4k-instruct", "text-generation", "Microsoft", "MIT", "True"),
    ("google/gemma-2-9b-it", "text-generation", "Google", "gemma", "False"),
    ("Qwen/Qwen2.5-7B-Instruct", "text-generation", "Alibaba", "Apache 2.0", "True"),
    ("intfloat/e5-mistral-7b-instruct", "feature_extraction", "intfloat", "MIT", "False"),
    ("codellama/CodeLlama-13b-Instruct-hf", "code-synthesis", "Meta", "llama2", "False"),
    ("tiiuae/falcon-7b-instruct", "text-generation", "TII", "Apache 2.0", "False"),
]


def _normalize_metadata(value: Any, category: str | None = "Other") -> list[dict]:
    """Accept ``{"key": "value"}`` or a list of Metadata dicts and return Metadata JSON entries."""
    if not value:
        return []
    if isinstance(value, dict):
        value = [{"key": k, "value": v} for k, v in value.items()]
    out = []
    for item in value:
        if not isinstance(item, dict) or not item.get("key"):
            raise invalid_parameter("Metadata entries need a non-empty 'key'.")
        out.append(
            {
                "key": item["key"],
                "value": None if item.get("value") is None else str(item["value"]),
                "description": item.get("description"),
                "category": item.get("category", category),
                "keywords": item.get("keywords"),
                "hasArtifact": bool(item.get("hasArtifact", False)),
            }
        )
    return out


class DataScienceService:
    prefix = "datascience"

    def __init__(self, emu: OciEmulator) -> None:
        self.emu = emu
        self.projects: dict[str, dict] = {}
        self.models: dict[str, dict] = {}
        # (model_id, "defined"|"custom", key) -> (bytes, content-disposition)
        self.metadata_artifacts: dict[tuple[str, str, str], tuple[bytes, str | None]] = {}
        self.model_artifacts: dict[str, tuple[bytes, str | None]] = {}
        self._seq = 0
        self.shapes: list[dict] = [dict(s) for s in MODEL_DEPLOYMENT_SHAPES]
        from .containers import ContainerService
        from .deployments import ModelDeploymentDataPlane, ModelDeploymentService
        from .jobs import JobService
        from .model_groups import ModelGroupService
        from .model_version_sets import ModelVersionSetService
        from .workrequests import WorkRequestService

        self.workrequests = WorkRequestService(self)
        self.deployments = ModelDeploymentService(self)
        self.jobs = JobService(self)
        self.data_plane = ModelDeploymentDataPlane(self.deployments)
        self.containers = ContainerService(self)
        self.version_sets = ModelVersionSetService(self)
        self.model_groups = ModelGroupService(self)
        # State reported between DeleteModel and DELETED. None = keep the current state (the SDK's Model
        # enum has no DELETING); set to e.g. "DELETING" to emulate a pending-delete state explicitly.
        self.model_deleting_state: str | None = None

    def services(self) -> list:
        """This service plus its sub-areas (each with ``prefix`` and ``register``)."""
        return [
            self,
            self.workrequests,
            self.deployments,
            self.jobs,
            self.data_plane,
            self.containers,
            self.version_sets,
            self.model_groups,
        ]

    # ------------------------------------------------------------------ routes
    def register(self, r: Router) -> None:
        r.add("GET", f"{V}/projects", "ListProjects", self.list_projects)
        r.add("POST", f"{V}/projects", "CreateProject", self.create_project)
        r.add("GET", f"{V}/projects/{{projectId}}", "GetProject", self.get_project)
        r.add("DELETE", f"{V}/projects/{{projectId}}", "DeleteProject", self.delete_project)
        r.add("GET", f"{V}/models", "ListModels", self.list_models)
        r.add("POST", f"{V}/models", "CreateModel", self.create_model)
        r.add("GET", f"{V}/models/{{modelId}}", "GetModel", self.get_model)
        r.add("PUT", f"{V}/models/{{modelId}}", "UpdateModel", self.update_model)
        r.add("DELETE", f"{V}/models/{{modelId}}", "DeleteModel", self.delete_model)
        r.add("POST", f"{V}/models/{{modelId}}/actions/activate", "ActivateModel", self.activate_model)
        r.add("POST", f"{V}/models/{{modelId}}/actions/deactivate", "DeactivateModel", self.deactivate_model)
        r.add("POST", f"{V}/models/{{modelId}}/artifact", "CreateModelArtifact", self.create_model_artifact)
        r.add("GET", f"{V}/models/{{modelId}}/artifact/content", "GetModelArtifactContent", self.get_model_artifact)
        r.add("HEAD", f"{V}/models/{{modelId}}/artifact/content", "HeadModelArtifact", self.get_model_artifact)
        for kind, name in (("defined", "Defined"), ("custom", "Custom")):
            base = f"{V}/models/{{modelId}}/{kind}Metadata/{{key}}/artifact"
            r.add("POST", base, f"CreateModel{name}MetadatumArtifact", self._md_put(kind, create=True))
            r.add("PUT", base, f"UpdateModel{name}MetadatumArtifact", self._md_put(kind, create=False))
            r.add("DELETE", base, f"DeleteModel{name}MetadatumArtifact", self._md_delete(kind))
            r.add("GET", base + "/content", f"GetModel{name}MetadatumArtifactContent", self._md_get(kind))
            r.add("HEAD", base + "/content", f"HeadModel{name}MetadatumArtifact", self._md_get(kind))
        r.add("POST", f"{V}/models/{{modelId}}/actions/registerArtifactReference",
              "RegisterModelArtifactReference", self.register_artifact_reference)  # fmt: skip
        r.add("GET", f"{V}/modelDeploymentShapes", "ListModelDeploymentShapes", self.list_shapes)
        r.add("POST", f"{V}/models/{{modelId}}/provenance", "CreateModelProvenance", self._provenance_put(create=True))
        r.add("PUT", f"{V}/models/{{modelId}}/provenance", "UpdateModelProvenance", self._provenance_put(create=False))
        r.add("GET", f"{V}/models/{{modelId}}/provenance", "GetModelProvenance", self.get_provenance)

    # ------------------------------------------------------------------ helpers
    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    @staticmethod
    def _etag(rec: dict) -> str:
        return hashlib.md5(repr(sorted((k, repr(v)) for k, v in rec.items())).encode()).hexdigest()

    def _tick(self, rec: dict) -> dict:
        return rec  # transitions are applied by emu.run_due() before every handler

    def _user(self, req: Request | None) -> str:
        if req is not None and req.principal.count("/") >= 2:
            return req.principal.split("/")[1]
        return self.emu.test_config.user if self.emu.test_config else new_ocid("user", "")

    def _model(self, model_id: str) -> dict:
        rec = self.models.get(model_id)
        if rec is None:
            raise not_found("model")
        return self._tick(rec)

    def model_record(self, model_id: str) -> dict:
        return self._model(model_id)

    def _check_if_match(self, req: Request, rec: dict) -> None:
        want = req.header("if-match")
        if want and want != rec["_etag"]:
            raise OciError(412, "NoEtagMatch", "The if-match etag does not match the resource's current etag.")

    @staticmethod
    def _public(rec: dict, fields: list[str]) -> dict:
        return {k: rec.get(k) for k in fields}

    def _model_response(self, rec: dict, status: int = 200) -> Response:
        return Response(status, self._public(rec, MODEL_FIELDS), {"etag": rec["_etag"]})

    def replay(self, req: Request, resource_id: str) -> Response:
        if resource_id in self.deployments.deployments:
            return self.deployments.replay(req, resource_id)
        if resource_id in self.jobs.jobs or resource_id in self.jobs.runs:
            return self.jobs.replay(req, resource_id)
        if resource_id in self.version_sets.sets:
            return self.version_sets.replay(req, resource_id)
        if resource_id in self.model_groups.groups:
            return self.model_groups.replay(req, resource_id)
        if resource_id in self.models:
            return self._model_response(self._model(resource_id))
        if resource_id in self.projects:
            rec = self.projects[resource_id]
            return Response(200, self._public(rec, PROJECT_FIELDS), {"etag": rec["_etag"]})
        raise not_found()

    # ------------------------------------------------------------------ seeding
    def add_project(self, compartment_id: str, display_name: str = "project", **kw: Any) -> str:
        pid = new_ocid("datascienceproject", self.emu.region_key)
        rec = {
            "id": pid,
            "timeCreated": now_rfc3339(),
            "displayName": display_name,
            "description": kw.get("description"),
            "compartmentId": compartment_id,
            "createdBy": kw.get("created_by") or self._user(None),
            "lifecycleState": "ACTIVE",
            "freeformTags": kw.get("freeform_tags") or {},
            "definedTags": kw.get("defined_tags") or {},
            "_seq": self._next_seq(),
        }
        rec["_etag"] = self._etag(rec)
        self.projects[pid] = rec
        return pid

    def add_model(
        self,
        compartment_id: str,
        display_name: str,
        freeform_tags: dict[str, str] | None = None,
        custom_metadata: dict[str, Any] | list[dict] | None = None,
        defined_metadata: dict[str, str | bytes] | None = None,
        category: str = "USER",
        lifecycle_state: str = "ACTIVE",
        project_id: str | None = None,
        description: str | None = None,
        defined_tags: dict | None = None,
        artifact: bytes | None = None,
        is_model_by_reference: bool = False,
        time_created: str | None = None,
        created_by: str | None = None,
        lifecycle_details: str | None = None,
    ) -> str:
        """Seed a model. ``defined_metadata`` maps taxonomy keys (Readme, License, …) to artifact content;
        other taxonomy keys (UseCaseType, Framework, …) given there are stored as plain values."""
        if category not in ("USER", "SERVICE"):
            raise ValueError("category must be USER or SERVICE")
        if lifecycle_state not in MODEL_STATES:
            raise ValueError(f"lifecycle_state must be one of {MODEL_STATES}")
        with self.emu.lock:
            mid = new_ocid("datasciencemodel", self.emu.region_key)
            defined = [
                {"key": k, "value": None, "description": None, "category": None, "keywords": None, "hasArtifact": False}
                for k in DEFINED_METADATA_KEYS
            ]
            for key, content in (defined_metadata or {}).items():
                if key in DEFINED_ARTIFACT_KEYS:
                    data = content.encode() if isinstance(content, str) else bytes(content)
                    self.metadata_artifacts[(mid, "defined", key)] = (data, None)
                    defined.append({"key": key, "value": None, "description": None, "category": None,
                                    "keywords": None, "hasArtifact": True})  # fmt: skip
                else:
                    for item in defined:
                        if item["key"] == key:
                            item["value"] = str(content)
                            break
                    else:
                        defined.append({"key": key, "value": str(content), "description": None, "category": None,
                                        "keywords": None, "hasArtifact": False})  # fmt: skip
            rec = {
                "id": mid,
                "compartmentId": compartment_id,
                "projectId": project_id or new_ocid("datascienceproject", self.emu.region_key),
                "displayName": display_name,
                "description": description,
                "lifecycleState": lifecycle_state,
                "lifecycleDetails": lifecycle_details,
                "timeCreated": time_created or now_rfc3339(),
                "createdBy": created_by or self._user(None),
                "freeformTags": dict(freeform_tags or {}),
                "definedTags": dict(defined_tags or {}),
                "customMetadataList": _normalize_metadata(custom_metadata),
                "definedMetadataList": defined,
                "inputSchema": None,
                "outputSchema": None,
                "modelVersionSetId": None,
                "modelVersionSetName": None,
                "versionId": None,
                "versionLabel": None,
                "category": category,
                "isModelByReference": is_model_by_reference,
                "retentionSetting": None,
                "backupSetting": None,
                "retentionOperationDetails": None,
                "backupOperationDetails": None,
                "_seq": self._next_seq(),
            }
            rec["_etag"] = self._etag(rec)
            self.models[mid] = rec
            if artifact is not None:
                self.model_artifacts[mid] = (artifact, f"attachment; filename={mid}.zip")
            return mid

    def seed_service_models(self, n: int = 5, compartment_id: str | None = None) -> list[str]:
        """Create ``n`` AQUA service models (category SERVICE, OCI_AQUA-tagged, by reference)."""
        ids = []
        for i in range(n):
            name, task, org, lic, ftune = _SERVICE_MODEL_CATALOG[i % len(_SERVICE_MODEL_CATALOG)]
            if i >= len(_SERVICE_MODEL_CATALOG):
                name = f"{name}-v{i // len(_SERVICE_MODEL_CATALOG) + 1}"
            bucket_path = f"oci://service-managed-models@{self.emu.namespace}/service_models/{name}/artifact"
            ids.append(
                self.add_model(
                    compartment_id or self.emu.service_compartment_id,
                    name,
                    category="SERVICE",
                    is_model_by_reference=True,
                    description=f"{name} is a {task} model from {org}.",
                    freeform_tags={
                        "OCI_AQUA": "active",
                        "aqua_service_model": "true",
                        "task": task,
                        "organization": org,
                        "license": lic,
                        "ready_to_fine_tune": ftune,
                        "ready_to_import": "true",
                        "model_format": "SAFETENSORS",
                    },
                    custom_metadata=[
                        {"key": "artifact_location", "value": bucket_path, "category": "Other"},
                        {"key": "deployment-container", "value": "odsc-vllm-serving", "category": "Other"},
                        {"key": "evaluation-container", "value": "odsc-llm-evaluate", "category": "Other"},
                        *(
                            [{"key": "finetune-container", "value": "odsc-llm-fine-tuning", "category": "Other"}]
                            if ftune == "True"
                            else []
                        ),
                    ],
                    defined_metadata={
                        "Readme": f"# {name}\n\n{name} is a {task} model published by {org}.\n",
                        "License": f"{lic} license text for {name}.\n",
                        # AQUA's per-shape serving defaults (shape list + container parameters).
                        "DeploymentConfiguration": json.dumps(
                            {
                                "shape": ["VM.GPU.A10.1", "VM.GPU.A10.2"],
                                "configuration": {
                                    "VM.GPU.A10.2": {
                                        "parameters": {"VLLM_PARAMS": "--max-model-len 4096 --tensor-parallel-size 2"}
                                    }
                                },
                            }
                        ),
                    },
                )
            )
        return ids

    # ------------------------------------------------------------------ projects
    def list_projects(self, req: Request) -> Response:
        comp = req.require_q("compartmentId")
        items = [p for p in self.projects.values() if p["compartmentId"] == comp]
        if req.q("lifecycleState"):
            items = [p for p in items if p["lifecycleState"] == req.q("lifecycleState")]
        if req.q("displayName"):
            items = [p for p in items if p["displayName"] == req.q("displayName")]
        items.sort(key=lambda p: (p["timeCreated"], p["_seq"]), reverse=True)
        return paginate([self._public(p, PROJECT_FIELDS) for p in items], req, self.emu.page_size)

    def get_project(self, req: Request) -> Response:
        rec = self.projects.get(req.params["projectId"])
        if rec is None:
            raise not_found("project")
        return Response(200, self._public(rec, PROJECT_FIELDS), {"etag": rec["_etag"]})

    def delete_project(self, req: Request) -> Response:
        """202 and DELETED at once (OCI runs a work request; nothing here waits on it)."""
        rec = self.projects.get(req.params["projectId"])
        if rec is None or rec["lifecycleState"] == "DELETED":
            raise not_found("project")
        rec["lifecycleState"] = "DELETED"
        rec["_etag"] = self._etag(rec)
        return Response(202, None)

    def create_project(self, req: Request) -> Response:
        body = req.json()
        if not body.get("compartmentId"):
            raise OciError(400, "MissingParameter", "compartmentId is required.")

        def create() -> Response:
            pid = self.add_project(
                body["compartmentId"],
                body.get("displayName") or f"project{time.strftime('%Y%m%d%H%M%S')}",
                description=body.get("description"),
                freeform_tags=body.get("freeformTags"),
                defined_tags=body.get("definedTags"),
                created_by=self._user(req),
            )
            return self.replay(req, pid)

        return self.emu.idempotent_create(req, create)

    # ------------------------------------------------------------------ models
    def list_models(self, req: Request) -> Response:
        comp = req.require_q("compartmentId")
        category = req.q("category", "USER")
        if category not in ("USER", "SERVICE"):
            raise invalid_parameter(f"Invalid category {category!r}; allowed: USER, SERVICE.")
        state = req.q("lifecycleState")
        if state and state not in MODEL_STATES:
            raise invalid_parameter(f"Invalid lifecycleState {state!r}; allowed: {', '.join(MODEL_STATES)}.")
        sort_by = req.q("sortBy", "timeCreated")
        if sort_by not in ("timeCreated", "displayName", "lifecycleState"):
            raise invalid_parameter(f"Invalid sortBy {sort_by!r}.")
        sort_order = req.q("sortOrder", "DESC" if sort_by == "timeCreated" else "ASC")
        if sort_order not in ("ASC", "DESC"):
            raise invalid_parameter(f"Invalid sortOrder {sort_order!r}.")
        items = []
        for rec in self.models.values():
            self._tick(rec)
            if rec["category"] != category:
                continue
            # Service models are Oracle's: ListModels(category=SERVICE) returns them for any compartment.
            if category == "USER" and rec["compartmentId"] != comp:
                continue
            if state and rec["lifecycleState"] != state:
                continue
            for param, field_name in (
                ("projectId", "projectId"),
                ("id", "id"),
                ("displayName", "displayName"),
                ("createdBy", "createdBy"),
                ("modelVersionSetName", "modelVersionSetName"),
                ("versionLabel", "versionLabel"),
            ):
                if req.q(param) and rec.get(field_name) != req.q(param):
                    break
            else:
                items.append(rec)
        items.sort(key=lambda m: (m.get(sort_by) or "", m["_seq"]), reverse=sort_order == "DESC")
        return paginate([self._public(m, MODEL_SUMMARY_FIELDS) for m in items], req, self.emu.page_size)

    def get_model(self, req: Request) -> Response:
        return self._model_response(self._model(req.params["modelId"]))

    def create_model(self, req: Request) -> Response:
        body = req.json()
        for name in ("compartmentId", "projectId"):
            if not body.get(name):
                raise OciError(400, "MissingParameter", f"{name} is required.")
        for name in ("customMetadataList", "definedMetadataList"):
            if body.get(name) is not None and not isinstance(body[name], list):
                raise invalid_parameter(f"{name} must be a list.")

        def create() -> Response:
            mid = self.add_model(
                body["compartmentId"],
                body.get("displayName") or f"model{time.strftime('%Y%m%d%H%M%S')}",
                freeform_tags=body.get("freeformTags"),
                custom_metadata=body.get("customMetadataList"),
                project_id=body["projectId"],
                description=body.get("description"),
                defined_tags=body.get("definedTags"),
                created_by=self._user(req),
            )
            rec = self.models[mid]
            for item in _normalize_metadata(body.get("definedMetadataList"), category=None):
                self._merge_metadata(rec["definedMetadataList"], item)
            for name in ("inputSchema", "outputSchema", "versionLabel", "retentionSetting", "backupSetting"):
                if body.get(name) is not None:
                    rec[name] = body[name]
            if body.get("modelVersionSetId"):
                try:
                    self.version_sets.attach(rec, body["modelVersionSetId"])
                except OciError:
                    del self.models[mid]
                    raise
            rec["_etag"] = self._etag(rec)
            return self._model_response(rec)

        return self.emu.idempotent_create(req, create)

    @staticmethod
    def _merge_metadata(items: list[dict], new: dict) -> None:
        for item in items:
            if item["key"] == new["key"]:
                has_artifact = item.get("hasArtifact")
                item.update(new)
                item["hasArtifact"] = bool(has_artifact or new.get("hasArtifact"))
                return
        items.append(new)

    def update_model(self, req: Request) -> Response:
        rec = self._model(req.params["modelId"])
        self._check_if_match(req, rec)
        if rec["lifecycleState"] == "DELETED" or rec.get("_deleting"):
            raise OciError(409, "IncorrectState", "The model is deleted or being deleted.")
        body = req.json()
        for name in ("displayName", "description", "freeformTags", "definedTags", "modelVersionSetId",
                     "versionLabel", "retentionSetting", "backupSetting"):  # fmt: skip
            if body.get(name) is not None:
                rec[name] = body[name]
        if body.get("customMetadataList") is not None:
            # Replaces the custom list, keeping hasArtifact for keys that have artifacts.
            new = _normalize_metadata(body["customMetadataList"])
            for item in new:
                if (rec["id"], "custom", item["key"]) in self.metadata_artifacts:
                    item["hasArtifact"] = True
            rec["customMetadataList"] = new
        if body.get("definedMetadataList") is not None:
            for item in _normalize_metadata(body["definedMetadataList"], category=None):
                self._merge_metadata(rec["definedMetadataList"], item)
        rec["_etag"] = self._etag(rec)
        return self._model_response(rec)

    def delete_model(self, req: Request) -> Response:
        rec = self._model(req.params["modelId"])
        self._check_if_match(req, rec)
        if rec["lifecycleState"] == "DELETED":
            raise OciError(409, "IncorrectState", "The model is already deleted.")
        if not rec.get("_deleting"):
            rec["_deleting"] = True
            if self.model_deleting_state:
                rec["lifecycleState"] = self.model_deleting_state
            rec["lifecycleDetails"] = "Deletion in progress"
            rec["_etag"] = self._etag(rec)

            def done() -> None:
                rec.update(lifecycleState="DELETED", lifecycleDetails=None, _deleting=False)
                rec["_etag"] = self._etag(rec)

            self.emu.schedule(self.emu.transition_seconds, done)
        return Response(204, None)

    def _set_state(self, req: Request, state: str) -> Response:
        rec = self._model(req.params["modelId"])
        self._check_if_match(req, rec)
        if rec["lifecycleState"] not in ("ACTIVE", "INACTIVE") or rec.get("_deleting"):
            raise OciError(409, "IncorrectState", f"Cannot change a {rec['lifecycleState']} model.")
        rec["lifecycleState"] = state
        rec["_etag"] = self._etag(rec)
        return self._model_response(rec)

    def activate_model(self, req: Request) -> Response:
        return self._set_state(req, "ACTIVE")

    def deactivate_model(self, req: Request) -> Response:
        return self._set_state(req, "INACTIVE")

    # ------------------------------------------------------------------ artifacts
    @staticmethod
    def _content_response(req: Request, data: bytes, disposition: str | None) -> Response:
        headers = {
            "etag": hashlib.md5(data).hexdigest(),
            "content-md5": base64.b64encode(hashlib.md5(data).digest()).decode(),
            "last-modified": time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime()),
        }
        if disposition:
            headers["content-disposition"] = disposition
        rng = req.header("range")
        status = 200
        if rng and rng.startswith("bytes=") and req.method == "GET":
            start_s, _, end_s = rng[6:].partition("-")
            start = int(start_s or 0)
            end = int(end_s) if end_s else len(data) - 1
            headers["content-range"] = f"bytes {start}-{min(end, len(data) - 1)}/{len(data)}"
            data, status = data[start : end + 1], 206
        if req.method == "HEAD":
            headers["content-length"] = str(len(data))
        return Response(status, data, headers, content_type="application/octet-stream")

    def create_model_artifact(self, req: Request) -> Response:
        rec = self._model(req.params["modelId"])
        if rec["id"] in self.model_artifacts:
            raise OciError(409, "Conflict", "The model already has an artifact.")
        self.model_artifacts[rec["id"]] = (req.body, req.header("content-disposition"))
        return Response(200, None)

    def get_model_artifact(self, req: Request) -> Response:
        rec = self._model(req.params["modelId"])
        if rec["id"] not in self.model_artifacts:
            raise not_found("model artifact")
        data, disposition = self.model_artifacts[rec["id"]]
        return self._content_response(req, data, disposition)

    def _md_list(self, rec: dict, kind: str) -> list[dict]:
        return rec["definedMetadataList" if kind == "defined" else "customMetadataList"]

    def _md_put(self, kind: str, create: bool):
        def handler(req: Request) -> Response:
            rec = self._model(req.params["modelId"])
            key = req.params["key"]
            items = self._md_list(rec, kind)
            entry = next((i for i in items if i["key"] == key), None)
            if kind == "custom" and entry is None:
                raise not_found("custom metadatum")
            exists = (rec["id"], kind, key) in self.metadata_artifacts
            if create and exists:
                raise OciError(409, "Conflict", f"Metadatum {key} already has an artifact.")
            if not create and not exists:
                raise not_found("metadatum artifact")
            self.metadata_artifacts[(rec["id"], kind, key)] = (req.body, req.header("content-disposition"))
            if entry is None:
                entry = {"key": key, "value": None, "description": None, "category": None, "keywords": None}
                items.append(entry)
            entry["hasArtifact"] = True
            rec["_etag"] = self._etag(rec)
            return Response(200, None)

        return handler

    def _md_get(self, kind: str):
        def handler(req: Request) -> Response:
            rec = self._model(req.params["modelId"])
            found = self.metadata_artifacts.get((rec["id"], kind, req.params["key"]))
            if found is None:
                raise not_found("metadatum artifact")
            return self._content_response(req, *found)

        return handler

    def _md_delete(self, kind: str):
        def handler(req: Request) -> Response:
            rec = self._model(req.params["modelId"])
            key = req.params["key"]
            if self.metadata_artifacts.pop((rec["id"], kind, key), None) is None:
                raise not_found("metadatum artifact")
            for item in self._md_list(rec, kind):
                if item["key"] == key:
                    item["hasArtifact"] = False
            rec["_etag"] = self._etag(rec)
            return Response(204, None)

        return handler

    def register_artifact_reference(self, req: Request) -> Response:
        """202 + work request REGISTER_MODEL_ARTIFACT; fails (work request FAILED) when the referenced
        bucket/prefix holds no objects in the emulated Object Storage."""
        rec = self._model(req.params["modelId"])
        self._check_if_match(req, rec)
        refs = req.json().get("modelArtifactReferences")
        if not isinstance(refs, list) or not refs:
            raise OciError(400, "MissingParameter", "modelArtifactReferences is required.")
        for ref in refs:
            if ref.get("modelArtifactReferenceType") != "OSS":
                raise invalid_parameter("modelArtifactReferenceType must be OSS.")
            for name in ("namespace", "bucketName"):
                if not ref.get(name):
                    raise OciError(400, "MissingParameter", f"{name} is required.")
        if rec["id"] in self.model_artifacts:
            raise OciError(409, "Conflict", "The model already has an artifact.")

        def finish() -> str | None:
            store = self.emu.objectstorage
            for ref in refs:
                key = (ref["namespace"], ref["bucketName"])
                prefix = ref.get("prefix") or ""
                if key not in store.buckets or not any(n.startswith(prefix) for n in store.objects[key]):
                    return f"No objects found at oci://{ref['bucketName']}@{ref['namespace']}/{prefix}"
            rec["isModelByReference"] = True
            self.model_artifacts[rec["id"]] = (json.dumps({"modelArtifactReferences": refs}).encode(), None)
            rec["_etag"] = self._etag(rec)
            return None

        wid = self.workrequests.start("REGISTER_MODEL_ARTIFACT", rec["compartmentId"], "model", rec["id"],
                                      "UPDATED", finish)  # fmt: skip
        return Response(202, None, {"opc-work-request-id": wid})

    # ------------------------------------------------------------------ provenance
    def _provenance_put(self, create: bool):
        """CreateModelProvenance (409 when the model has one) and UpdateModelProvenance (which, like AQUA's
        use of it right after CreateModel, also works on a model without one yet)."""

        def handler(req: Request) -> Response:
            rec = self._model(req.params["modelId"])
            if create and rec.get("_provenance") is not None:
                raise OciError(409, "Conflict", "The model already has provenance.")
            body = req.json()
            current = dict(rec.get("_provenance") or {k: None for k in PROVENANCE_FIELDS})
            current.update({k: body[k] for k in PROVENANCE_FIELDS if body.get(k) is not None})
            rec["_provenance"] = current
            return Response(200, dict(current))

        return handler

    def get_provenance(self, req: Request) -> Response:
        rec = self._model(req.params["modelId"])
        if rec.get("_provenance") is None:
            raise not_found("model provenance")
        return Response(200, dict(rec["_provenance"]))

    # ------------------------------------------------------------------ shapes
    def list_shapes(self, req: Request) -> Response:
        req.require_q("compartmentId")
        return paginate([dict(s) for s in self.shapes], req, 100)
