"""Emulated Data Science model groups (``/20190101/modelGroups``): what AQUA deploys a fine-tuned model as.

AQUA (oracle-ads 2.16) deploys a fine-tuned model tagged ``fine_tune_model_version = v2`` as a *stacked*
model group: CreateModelGroup with ``modelGroupDetails = {type: STACKED, baseModelId}`` and the base and the
fine-tuned model as members (``memberModelEntries.memberModelDetails``, each with an ``inferenceKey``), then
CreateModelDeployment with ``deploymentType = MODEL_GROUP`` and ``modelGroupConfigurationDetails.modelGroupId``.

Create: 200 + the group (CREATING) + work request MODEL_GROUP_CREATE; the group turns ACTIVE when it
succeeds. Checked like OCI would: ``createType`` CREATE (cloning is not emulated: 400), a known details type,
each member model existing (404 RelatedResourceNotAuthorizedOrNotFound) and ACTIVE (409 IncorrectState), a
stacked group's base model among its members (400 InvalidParameter). Assumption: a model group's artifact
is not emulated (AQUA uploads none for a stacked group).

Delete: 202 + work request MODEL_GROUP_DELETE; DELETING, then DELETED (still readable, as OCI keeps deleted
resources a while). Assumption (OCI's documentation does not say): a group that a model deployment other than
a DELETED one serves is refused (409 IncorrectState), as a model is: the deployment goes first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .core import OciError, Request, Response, Router, invalid_parameter, new_ocid, not_found, now_rfc3339, paginate

if TYPE_CHECKING:
    from .datascience import DataScienceService

V = "/20190101"
STATES = ("CREATING", "ACTIVE", "FAILED", "INACTIVE", "DELETING", "DELETED")
DETAIL_TYPES = ("HOMOGENEOUS", "HETEROGENEOUS", "STACKED")
FIELDS = ["id", "compartmentId", "projectId", "displayName", "description", "modelGroupDetails",
          "memberModelEntries", "freeformTags", "definedTags", "systemTags", "lifecycleState", "lifecycleDetails",
          "timeCreated", "timeUpdated", "createdBy", "createType"]  # fmt: skip
SUMMARY_FIELDS = ["id", "compartmentId", "projectId", "displayName", "createdBy", "timeCreated", "timeUpdated",
                  "lifecycleState", "lifecycleDetails", "modelGroupDetails", "freeformTags", "definedTags",
                  "systemTags"]  # fmt: skip


class ModelGroupService:
    prefix = "datascience"

    def __init__(self, ds: DataScienceService) -> None:
        self.ds = ds
        self.emu = ds.emu
        self.groups: dict[str, dict] = {}
        self._seq = 0
        self.fail_next = 0  # knob: the next N creations end FAILED (their work request too)

    def register(self, r: Router) -> None:
        r.add("GET", f"{V}/modelGroups", "ListModelGroups", self.list_groups)
        r.add("POST", f"{V}/modelGroups", "CreateModelGroup", self.create_group)
        r.add("GET", f"{V}/modelGroups/{{groupId}}", "GetModelGroup", self.get_group)
        r.add("DELETE", f"{V}/modelGroups/{{groupId}}", "DeleteModelGroup", self.delete_group)

    # ------------------------------------------------------------------ helpers
    def _group(self, group_id: str) -> dict:
        rec = self.groups.get(group_id)
        if rec is None:
            raise not_found("model group")
        return rec

    def replay(self, req: Request, group_id: str) -> Response:
        rec = self._group(group_id)
        headers = {"etag": str(rec["_seq"])}
        if rec.get("_create_wr"):
            headers["opc-work-request-id"] = rec["_create_wr"]
        return Response(200, {k: rec.get(k) for k in FIELDS}, headers)

    def _members(self, body: dict, details: dict) -> list[dict]:
        entries = body.get("memberModelEntries")
        members = (entries or {}).get("memberModelDetails") if isinstance(entries, dict) else None
        if not isinstance(members, list) or not members:
            raise OciError(400, "MissingParameter", "memberModelEntries.memberModelDetails is required.")
        for member in members:
            model_id = member.get("modelId") if isinstance(member, dict) else None
            if not model_id:
                raise OciError(400, "MissingParameter", "memberModelDetails[].modelId is required.")
            model = self.ds.models.get(model_id)
            if model is None:
                raise OciError(404, "RelatedResourceNotAuthorizedOrNotFound", f"Model {model_id} not found.")
            if model["lifecycleState"] != "ACTIVE":
                raise OciError(409, "IncorrectState", f"Model {model_id} is {model['lifecycleState']}.")
        if details["type"] == "STACKED":
            base = details.get("baseModelId")
            if not base:
                raise OciError(400, "MissingParameter", "modelGroupDetails.baseModelId is required.")
            if base not in {m["modelId"] for m in members}:
                raise invalid_parameter(f"The base model {base} must be a member of the stacked model group.")
        return [{"modelId": m["modelId"], "inferenceKey": m.get("inferenceKey")} for m in members]

    # ------------------------------------------------------------------ handlers
    def list_groups(self, req: Request) -> Response:
        comp = req.require_q("compartmentId")
        state = req.q("lifecycleState")
        if state and state not in STATES:
            raise invalid_parameter(f"Invalid lifecycleState {state!r}.")
        items = [g for g in self.groups.values() if g["compartmentId"] == comp]
        for param in ("id", "projectId", "displayName", "lifecycleState", "createdBy"):
            if req.q(param):
                items = [g for g in items if g.get(param) == req.q(param)]
        sort_by = req.q("sortBy", "timeCreated")
        if sort_by not in ("timeCreated", "displayName", "lifecycleState"):
            raise invalid_parameter(f"Invalid sortBy {sort_by!r}.")
        descending = req.q("sortOrder", "DESC" if sort_by == "timeCreated" else "ASC") == "DESC"
        items.sort(key=lambda g: (g.get(sort_by) or "", g["_seq"]), reverse=descending)
        return paginate([{k: g.get(k) for k in SUMMARY_FIELDS} for g in items], req, self.emu.page_size)

    def get_group(self, req: Request) -> Response:
        return self.replay(req, self._group(req.params["groupId"])["id"])

    def delete_group(self, req: Request) -> Response:
        rec = self._group(req.params["groupId"])
        if rec["lifecycleState"] in ("DELETING", "DELETED"):
            raise OciError(409, "IncorrectState", f"The model group is {rec['lifecycleState']}.")
        serving = [
            md["id"]
            for md in self.ds.deployments.deployments.values()
            if md["lifecycleState"] != "DELETED"
            and (
                (md["modelDeploymentConfigurationDetails"].get("modelGroupConfigurationDetails") or {}).get(
                    "modelGroupId"
                )
            )
            == rec["id"]
        ]
        if serving:
            raise OciError(409, "IncorrectState", f"The model group is used by the model deployment {serving[0]}.")
        rec.update(lifecycleState="DELETING", lifecycleDetails=None, timeUpdated=now_rfc3339())

        def finish() -> str | None:
            rec.update(lifecycleState="DELETED", timeUpdated=now_rfc3339())
            return None

        wid = self.ds.workrequests.start("MODEL_GROUP_DELETE", rec["compartmentId"], "modelgroup", rec["id"],
                                         "DELETED", finish)  # fmt: skip
        return Response(202, None, {"opc-work-request-id": wid})

    def create_group(self, req: Request) -> Response:
        body = req.json()
        for name in ("createType", "compartmentId", "projectId", "modelGroupDetails"):
            if not body.get(name):
                raise OciError(400, "MissingParameter", f"{name} is required.")
        if body["createType"] != "CREATE":
            raise invalid_parameter(f"createType {body['createType']!r} is not emulated (only CREATE).")
        details = body["modelGroupDetails"]
        if not isinstance(details, dict) or details.get("type") not in DETAIL_TYPES:
            raise invalid_parameter(f"modelGroupDetails.type must be one of {', '.join(DETAIL_TYPES)}.")
        members = self._members(body, details)

        def create() -> Response:
            self._seq += 1
            group_id = new_ocid("datasciencemodelgroup", self.emu.region_key)
            now = now_rfc3339()
            rec = {
                "id": group_id, "compartmentId": body["compartmentId"], "projectId": body["projectId"],
                "displayName": body.get("displayName") or f"modelgroup{self._seq}",
                "description": body.get("description"),
                "modelGroupDetails": {"type": details["type"],
                                      "customMetadataList": list(details.get("customMetadataList") or []),
                                      **({"baseModelId": details["baseModelId"]} if details["type"] == "STACKED"
                                         else {})},
                "memberModelEntries": {"memberModelDetails": members},
                "freeformTags": dict(body.get("freeformTags") or {}), "definedTags": body.get("definedTags") or {},
                "systemTags": {}, "lifecycleState": "CREATING", "lifecycleDetails": "Creating the model group",
                "timeCreated": now, "timeUpdated": now, "createdBy": self.ds._user(req), "createType": "CREATE",
                "_seq": self._seq,
            }  # fmt: skip
            self.groups[group_id] = rec

            fail = None
            if self.fail_next > 0:
                self.fail_next -= 1
                fail = "A member model's artifact could not be read (injected)."

            def finish() -> str | None:
                if fail:
                    rec.update(lifecycleState="FAILED", lifecycleDetails=fail, timeUpdated=now_rfc3339())
                    return fail
                rec.update(lifecycleState="ACTIVE", lifecycleDetails=None, timeUpdated=now_rfc3339())
                return None

            rec["_create_wr"] = self.ds.workrequests.start(
                "MODEL_GROUP_CREATE", rec["compartmentId"], "modelgroup", group_id, "CREATED", finish
            )
            return self.replay(req, group_id)

        return self.emu.idempotent_create(req, create)
