"""Emulated model deployments: control plane (``/20190101/modelDeployments``, work requests) and data
plane (``/modeldeployment/{id}/predict``; ``modelDeploymentUrl`` points there).

Lifecycle: create CREATING -> ACTIVE (or FAILED); deactivate ACTIVE -> UPDATING -> INACTIVE; activate
INACTIVE -> UPDATING -> ACTIVE; update ACTIVE -> UPDATING -> ACTIVE; delete -> DELETING -> DELETED. Each
asynchronous call returns ``opc-work-request-id``.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .core import OciError, Request, Response, Router, invalid_parameter, new_ocid, not_found, now_rfc3339, paginate
from .limits import placement
from .predict import echo_predict

if TYPE_CHECKING:
    from .datascience import DataScienceService

V = "/20190101"
MD_FIELDS = [
    "id",
    "timeCreated",
    "displayName",
    "description",
    "projectId",
    "createdBy",
    "compartmentId",
    "modelDeploymentConfigurationDetails",
    "categoryLogDetails",
    "modelDeploymentUrl",
    "modelDeploymentSystemData",
    "lifecycleState",
    "lifecycleDetails",
    "freeformTags",
    "definedTags",
]
MD_SUMMARY_FIELDS = [f for f in MD_FIELDS if f != "lifecycleDetails"]
MD_STATES = ("CREATING", "ACTIVE", "DELETING", "FAILED", "INACTIVE", "UPDATING", "DELETED", "NEEDS_ATTENTION")
DEPLOYMENT_TYPES = ("SINGLE_MODEL", "MODEL_GROUP", "SINGLE_MODEL_FLEX")

PredictHandler = Callable[[dict, Request], Response]


def default_predict(md: dict, req: Request) -> Response:
    """The OpenAI-style echo without pacing (see ``predict.echo_predict``)."""
    return echo_predict(md, req)


class ModelDeploymentService:
    prefix = "datascience"

    def __init__(self, ds: DataScienceService) -> None:
        self.ds = ds
        self.emu = ds.emu
        self.deployments: dict[str, dict] = {}
        self._seq = 0
        # Knobs (the service limits are `emu.limits.values`, also reachable as `self.limits`):
        self.unavailable_shapes: set[str] = set()  # creation ends FAILED "Out of host capacity"
        self.fail_next = 0  # the next N creations end FAILED
        self.fail_next_activation = 0  # the next N activations end FAILED
        # Seconds between the chunks of a predictWithResponseStream answer (the echo streams one word per chunk).
        self.stream_delay_seconds = 0.02
        self.predict_handler: PredictHandler = self._echo

    @property
    def limits(self) -> dict[str, int]:
        """The Data Science service limits, ``limit name -> value`` (e.g. ``{"ds-gpu-a10-count": 2}`` GPUs): the
        same values the Limits service reports (``emu.limits.values``). Reaching one → 400 LimitExceeded at
        create / activate / update."""
        return self.emu.limits.values

    def _echo(self, md: dict, req: Request) -> Response:
        return echo_predict(md, req, chunk_delay=lambda: self.stream_delay_seconds, sleep=self.emu._sleep)

    def log_event(self, rec: dict, category: str, message: str) -> None:
        """Write a record to the deployment's access / predict log (``categoryLogDetails``), if it has one."""
        details = (rec.get("categoryLogDetails") or {}).get(category) or {}
        if details.get("logId"):
            self.emu.logging.add_record(
                details["logId"],
                message,
                source=rec["id"],
                log_group_id=details.get("logGroupId"),
                compartment_id=rec["compartmentId"],
                record_type=f"com.oraclecloud.datascience.modeldeployment.{category}",
            )

    def register(self, r: Router) -> None:
        r.add("GET", f"{V}/modelDeployments", "ListModelDeployments", self.list_deployments)
        r.add("POST", f"{V}/modelDeployments", "CreateModelDeployment", self.create_deployment)
        r.add("GET", f"{V}/modelDeployments/{{mdId}}", "GetModelDeployment", self.get_deployment)
        r.add("PUT", f"{V}/modelDeployments/{{mdId}}", "UpdateModelDeployment", self.update_deployment)
        r.add("DELETE", f"{V}/modelDeployments/{{mdId}}", "DeleteModelDeployment", self.delete_deployment)
        r.add("POST", f"{V}/modelDeployments/{{mdId}}/actions/activate", "ActivateModelDeployment",
              self._transition("ACTIVATE", ("INACTIVE",), "ACTIVE"))  # fmt: skip
        r.add("POST", f"{V}/modelDeployments/{{mdId}}/actions/deactivate", "DeactivateModelDeployment",
              self._transition("DEACTIVATE", ("ACTIVE", "NEEDS_ATTENTION"), "INACTIVE"))  # fmt: skip

    # ------------------------------------------------------------------ helpers
    def _md(self, md_id: str) -> dict:
        rec = self.deployments.get(md_id)
        if rec is None:
            raise not_found("model deployment")
        return rec

    def _touch(self, rec: dict, state: str | None = None, details: str | None = None) -> None:
        if state:
            rec["lifecycleState"] = state
            rec["lifecycleDetails"] = details
        rec["_etag"] = uuid.uuid4().hex

    def _response(self, rec: dict, extra: dict | None = None) -> Response:
        return Response(200, {k: rec.get(k) for k in MD_FIELDS}, {"etag": rec["_etag"], **(extra or {})})

    def replay(self, req: Request, md_id: str) -> Response:
        return self._response(self._md(md_id), {"opc-work-request-id": self._md(md_id)["_create_wr"]})

    @staticmethod
    def _shape_of(cfg: dict) -> str | None:
        return (placement(cfg).get("instanceConfiguration") or {}).get("instanceShapeName")

    def _validate_config(self, cfg: Any) -> None:
        if not isinstance(cfg, dict):
            raise OciError(400, "MissingParameter", "modelDeploymentConfigurationDetails is required.")
        if cfg.get("deploymentType") not in DEPLOYMENT_TYPES:
            raise invalid_parameter(f"deploymentType must be one of {', '.join(DEPLOYMENT_TYPES)}.")
        if cfg["deploymentType"] == "MODEL_GROUP":
            # A model group (AQUA's fine-tuned models): the group is the related resource.
            group_id = (cfg.get("modelGroupConfigurationDetails") or {}).get("modelGroupId")
            if not group_id:
                raise OciError(400, "MissingParameter", "modelGroupConfigurationDetails.modelGroupId is required.")
            related, kind = self.ds.model_groups.groups.get(group_id), "Model group"
        else:
            model_id = (cfg.get("modelConfigurationDetails") or {}).get("modelId")
            if not model_id:
                raise OciError(400, "MissingParameter", "modelConfigurationDetails.modelId is required.")
            related, kind, group_id = self.ds.models.get(model_id), "Model", model_id
        if related is None:
            raise OciError(404, "RelatedResourceNotAuthorizedOrNotFound", f"{kind} {group_id} not found.")
        if related["lifecycleState"] != "ACTIVE":
            raise OciError(409, "IncorrectState", f"{kind} {group_id} is {related['lifecycleState']}.")
        shape = self._shape_of(cfg)
        if not shape:
            raise OciError(400, "MissingParameter", "instanceConfiguration.instanceShapeName is required.")
        if shape not in {s["name"] for s in self.ds.shapes}:
            raise invalid_parameter(f"Shape {shape} is not supported for model deployment.")
        env = cfg.get("environmentConfigurationDetails")
        if env and env.get("environmentConfigurationType") not in ("DEFAULT", "OCIR_CONTAINER"):
            raise invalid_parameter("environmentConfigurationType must be DEFAULT or OCIR_CONTAINER.")

    # ------------------------------------------------------------------ handlers
    def list_deployments(self, req: Request) -> Response:
        comp = req.require_q("compartmentId")
        state = req.q("lifecycleState")
        if state and state not in MD_STATES:
            raise invalid_parameter(f"Invalid lifecycleState {state!r}.")
        items = [d for d in self.deployments.values() if d["compartmentId"] == comp]
        for param in ("id", "projectId", "displayName", "lifecycleState", "createdBy"):
            if req.q(param):
                items = [d for d in items if d.get(param) == req.q(param)]
        sort_by = req.q("sortBy", "timeCreated")
        order = req.q("sortOrder", "DESC" if sort_by == "timeCreated" else "ASC")
        items.sort(key=lambda d: (d.get(sort_by) or "", d["_seq"]), reverse=order == "DESC")
        return paginate([{k: d.get(k) for k in MD_SUMMARY_FIELDS} for d in items], req, self.emu.page_size)

    def get_deployment(self, req: Request) -> Response:
        return self._response(self._md(req.params["mdId"]))

    def create_deployment(self, req: Request) -> Response:
        body = req.json()
        for name in ("compartmentId", "projectId"):
            if not body.get(name):
                raise OciError(400, "MissingParameter", f"{name} is required.")
        cfg = body.get("modelDeploymentConfigurationDetails")
        self._validate_config(cfg)
        shape = self._shape_of(cfg)

        def create() -> Response:
            self.emu.limits.check(cfg)  # inside: a retried create with its token replays instead
            self._seq += 1
            md_id = new_ocid("datasciencemodeldeployment", self.emu.region_key)
            rec = {
                "id": md_id,
                "timeCreated": now_rfc3339(),
                "displayName": body.get("displayName") or f"modeldeployment{time.strftime('%Y%m%d%H%M%S')}",
                "description": body.get("description"),
                "projectId": body["projectId"],
                "createdBy": self.ds._user(req),
                "compartmentId": body["compartmentId"],
                "modelDeploymentConfigurationDetails": cfg,
                "categoryLogDetails": body.get("categoryLogDetails"),
                "modelDeploymentUrl": f"{self.emu.base_url}/modeldeployment/{md_id}",
                "modelDeploymentSystemData": {
                    "systemInfraType": "INSTANCE_POOL",
                    "modelType": "MANAGED_MODEL",
                    "currentInstanceCount": 0,
                },
                "lifecycleState": "CREATING",
                "lifecycleDetails": "Creating model deployment",
                "freeformTags": body.get("freeformTags") or {},
                "definedTags": body.get("definedTags") or {},
                "_seq": self._seq,
            }
            self._touch(rec)
            self.deployments[md_id] = rec
            fail = None
            if self.fail_next > 0:
                self.fail_next -= 1
                fail = "Model deployment failed: the container did not become healthy (injected)."
            elif shape in self.unavailable_shapes:
                fail = f"Out of host capacity for shape {shape}."

            def finish() -> str | None:
                if rec["lifecycleState"] != "CREATING":
                    return None
                if fail:
                    self._touch(rec, "FAILED", fail)
                    self.log_event(rec, "predict", f"ERROR {fail}")
                    return fail
                count = (placement(cfg).get("scalingPolicy") or {}).get("instanceCount", 1)
                rec["modelDeploymentSystemData"]["currentInstanceCount"] = count
                self._touch(rec, "ACTIVE", None)
                self._log_startup(rec)
                return None

            rec["_create_wr"] = self.ds.workrequests.start(
                "MODEL_DEPLOYMENT_CREATE", rec["compartmentId"], "modeldeployment", md_id, "CREATED", finish
            )
            return self.replay(req, md_id)

        return self.emu.idempotent_create(req, create)

    def _log_startup(self, rec: dict) -> None:
        env = rec["modelDeploymentConfigurationDetails"].get("environmentConfigurationDetails") or {}
        variables = env.get("environmentVariables") or {}
        self.log_event(rec, "predict", f"Starting container {env.get('image', '?')}")
        self.log_event(rec, "predict", f"PARAMS: {variables.get('PARAMS', '')}")
        self.log_event(rec, "predict", "Application startup complete.")

    def _async(self, rec: dict, op: str, action: str, final_state: str, interim: str) -> Response:
        self._touch(rec, interim, None)
        fail = None
        if op == "ACTIVATE" and self.fail_next_activation > 0:
            self.fail_next_activation -= 1
            fail = "Model deployment activation failed: the container did not become healthy (injected)."

        def finish() -> str | None:
            if rec["lifecycleState"] != interim:
                return None
            if fail:
                self._touch(rec, "FAILED", fail)
                self.log_event(rec, "predict", f"ERROR {fail}")
                return fail
            self._touch(rec, final_state, None)
            if op == "ACTIVATE":
                self._log_startup(rec)
            elif op == "DEACTIVATE":
                self.log_event(rec, "predict", "Shutting down: the model deployment was deactivated.")
            return None

        wid = self.ds.workrequests.start(f"MODEL_DEPLOYMENT_{op}", rec["compartmentId"], "modeldeployment",
                                         rec["id"], action, finish)  # fmt: skip
        return Response(202, None, {"opc-work-request-id": wid})

    def _check(self, req: Request, rec: dict, allowed: tuple[str, ...]) -> None:
        if req.header("if-match") and req.header("if-match") != rec["_etag"]:
            raise OciError(412, "NoEtagMatch", "The if-match etag does not match.")
        if rec["lifecycleState"] not in allowed:
            raise OciError(409, "IncorrectState", f"The model deployment is {rec['lifecycleState']}.")

    def _transition(self, op: str, allowed: tuple[str, ...], final: str):
        def handler(req: Request) -> Response:
            rec = self._md(req.params["mdId"])
            self._check(req, rec, allowed)
            if op == "ACTIVATE":  # an INACTIVE deployment holds no instances: starting it needs them again
                self.emu.limits.check(rec["modelDeploymentConfigurationDetails"], exclude=rec["id"])
            return self._async(rec, op, "UPDATED", final, "UPDATING")

        return handler

    def update_deployment(self, req: Request) -> Response:
        rec = self._md(req.params["mdId"])
        self._check(req, rec, ("ACTIVE", "INACTIVE", "NEEDS_ATTENTION"))
        body = req.json()
        cfg = body.get("modelDeploymentConfigurationDetails")
        if cfg is not None:
            merged = json.loads(json.dumps(rec["modelDeploymentConfigurationDetails"]))
            _deep_merge(merged, cfg)
            self._validate_config(merged)
            if rec["lifecycleState"] != "INACTIVE":  # more (or bigger) instances than the limits allow
                self.emu.limits.check(merged, exclude=rec["id"])
            rec["modelDeploymentConfigurationDetails"] = merged
        for name in ("displayName", "description", "categoryLogDetails", "freeformTags", "definedTags"):
            if body.get(name) is not None:
                rec[name] = body[name]
        return self._async(rec, "UPDATE", "UPDATED", rec["lifecycleState"], "UPDATING")

    def delete_deployment(self, req: Request) -> Response:
        rec = self._md(req.params["mdId"])
        self._check(req, rec, ("ACTIVE", "INACTIVE", "FAILED", "NEEDS_ATTENTION", "CREATING"))
        return self._async(rec, "DELETE", "DELETED", "DELETED", "DELETING")

    # ------------------------------------------------------------------ seeding
    def add_deployment(self, compartment_id: str, model_id: str, display_name: str = "deployment",
                       shape: str = "VM.GPU.A10.1", lifecycle_state: str = "ACTIVE",
                       freeform_tags: dict | None = None, env: dict | None = None,
                       project_id: str | None = None) -> str:  # fmt: skip
        with self.emu.lock:
            self._seq += 1
            md_id = new_ocid("datasciencemodeldeployment", self.emu.region_key)
            rec = {
                "id": md_id,
                "timeCreated": now_rfc3339(),
                "displayName": display_name,
                "description": None,
                "projectId": project_id or new_ocid("datascienceproject", self.emu.region_key),
                "createdBy": self.ds._user(None),
                "compartmentId": compartment_id,
                "modelDeploymentConfigurationDetails": {
                    "deploymentType": "SINGLE_MODEL",
                    "modelConfigurationDetails": {
                        "modelId": model_id,
                        "instanceConfiguration": {"instanceShapeName": shape},
                        "scalingPolicy": {"policyType": "FIXED_SIZE", "instanceCount": 1},
                        "bandwidthMbps": 10,
                    },
                    "environmentConfigurationDetails": {
                        "environmentConfigurationType": "OCIR_CONTAINER",
                        "image": "dsmc://odsc-vllm-serving:0.6.4.post1.2",
                        "serverPort": 8080,
                        "healthCheckPort": 8080,
                        "environmentVariables": dict(env or {}),
                    },
                },
                "categoryLogDetails": None,
                "modelDeploymentUrl": f"{self.emu.base_url}/modeldeployment/{md_id}",
                "modelDeploymentSystemData": {
                    "systemInfraType": "INSTANCE_POOL",
                    "modelType": "MANAGED_MODEL",
                    "currentInstanceCount": 1,
                },
                "lifecycleState": lifecycle_state,
                "lifecycleDetails": None,
                "freeformTags": dict(freeform_tags or {}),
                "definedTags": {},
                "_seq": self._seq,
                "_create_wr": None,
            }
            self._touch(rec)
            self.deployments[md_id] = rec
            return md_id


class ModelDeploymentDataPlane:
    """``POST /modeldeployment/{id}/predict`` and ``/predictWithResponseStream`` (signed like the control
    plane). Point ``oci.model_deployment.ModelDeploymentClient`` at ``emu.endpoint("modeldeployment")`` or
    POST to ``modelDeploymentUrl + "/predict"`` with an OCI signer."""

    prefix = "modeldeployment"

    def __init__(self, deployments: ModelDeploymentService) -> None:
        self.deployments = deployments

    def register(self, r: Router) -> None:
        r.add("POST", "/{mdId}/predict", "Predict", self.predict)
        r.add("POST", "/{mdId}/predictWithResponseStream", "PredictWithResponseStream", self.predict)
        # OpenAI-style paths below /predict (AQUA's client rewrites these into the `route` header).
        r.add("POST", "/{mdId}/predict/{route+}", "Predict", self.predict)
        r.add("POST", "/{mdId}/predictWithResponseStream/{route+}", "PredictWithResponseStream", self.predict)

    def predict(self, req: Request) -> Response:
        md = self.deployments.deployments.get(req.params["mdId"])
        if md is None or md["lifecycleState"] == "DELETED":
            raise not_found("model deployment")
        if md["lifecycleState"] != "ACTIVE":
            raise OciError(409, "IncorrectState", f"The model deployment is {md['lifecycleState']}.")
        resp = self.deployments.predict_handler(md, req)
        route = req.params.get("route") or req.header("route") or ""
        self.deployments.log_event(md, "access", f'"POST {req.target}" route={route or "-"} {resp.status}')
        self.deployments.log_event(md, "predict", f"predict request handled with status {resp.status} "
                                                  f"({len(req.body)} bytes in)")  # fmt: skip
        return resp


def _deep_merge(base: dict, new: dict) -> None:
    for k, v in new.items():
        if isinstance(v, dict) and isinstance(base.get(k), dict):
            _deep_merge(base[k], v)
        elif v is not None:
            base[k] = v
