"""Emulated Data Science model version sets (``/20190101/modelVersionSets``): AQUA's "experiments".

A version set groups models (``modelVersionSetId`` on CreateModel; the model then reports
``modelVersionSetName`` and a ``versionId`` counting up within the set). Names are unique among the live
sets of a compartment (409 otherwise). Delete: 202 + work request MODELVERSIONSET_DELETE, DELETING ->
DELETED; 409 while a live model belongs to the set unless ``isDeleteRelatedModels=true`` (which deletes them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .core import OciError, Request, Response, Router, invalid_parameter, new_ocid, not_found, now_rfc3339, paginate

if TYPE_CHECKING:
    from .datascience import DataScienceService

V = "/20190101"
STATES = ("ACTIVE", "DELETING", "DELETED", "FAILED")
FIELDS = ["id", "compartmentId", "projectId", "name", "description", "lifecycleState", "timeCreated", "timeUpdated",
          "createdBy", "category", "freeformTags", "definedTags", "systemTags"]  # fmt: skip
SUMMARY_FIELDS = [f for f in FIELDS if f != "description"]


class ModelVersionSetService:
    prefix = "datascience"

    def __init__(self, ds: DataScienceService) -> None:
        self.ds = ds
        self.emu = ds.emu
        self.sets: dict[str, dict] = {}
        self._seq = 0

    def register(self, r: Router) -> None:
        r.add("GET", f"{V}/modelVersionSets", "ListModelVersionSets", self.list_sets)
        r.add("POST", f"{V}/modelVersionSets", "CreateModelVersionSet", self.create_set)
        r.add("GET", f"{V}/modelVersionSets/{{setId}}", "GetModelVersionSet", self.get_set)
        r.add("DELETE", f"{V}/modelVersionSets/{{setId}}", "DeleteModelVersionSet", self.delete_set)

    # ------------------------------------------------------------------ helpers
    def _set(self, set_id: str) -> dict:
        rec = self.sets.get(set_id)
        if rec is None:
            raise not_found("model version set")
        return rec

    def replay(self, req: Request, set_id: str) -> Response:
        return Response(200, {k: self.sets[set_id].get(k) for k in FIELDS}, {"etag": str(self.sets[set_id]["_seq"])})

    def add_set(
        self,
        compartment_id: str,
        project_id: str,
        name: str,
        *,
        description: str | None = None,
        freeform_tags: dict[str, str] | None = None,
        created_by: str | None = None,
    ) -> str:
        """Seed (or create) a version set; raises 409 when a live set of this compartment has the name."""
        with self.emu.lock:
            if any(s["name"] == name and s["compartmentId"] == compartment_id and s["lifecycleState"] != "DELETED"
                   for s in self.sets.values()):  # fmt: skip
                raise OciError(409, "Conflict", f"A model version set named '{name}' already exists in the "
                                                "compartment.")  # fmt: skip
            self._seq += 1
            sid = new_ocid("datasciencemodelversionset", self.emu.region_key)
            now = now_rfc3339()
            self.sets[sid] = {
                "id": sid, "compartmentId": compartment_id, "projectId": project_id, "name": name,
                "description": description, "lifecycleState": "ACTIVE", "timeCreated": now, "timeUpdated": now,
                "createdBy": created_by or self.ds._user(None), "category": "USER",
                "freeformTags": dict(freeform_tags or {}), "definedTags": {}, "systemTags": {},
                "_seq": self._seq, "_versions": 0,
            }  # fmt: skip
            return sid

    def attach(self, model: dict, set_id: str) -> None:
        """CreateModel with ``modelVersionSetId``: the model joins the set with the next version id."""
        rec = self.sets.get(set_id)
        if rec is None or rec["lifecycleState"] != "ACTIVE":
            raise OciError(404, "RelatedResourceNotAuthorizedOrNotFound", f"Model version set {set_id} not found.")
        rec["_versions"] += 1
        model.update(modelVersionSetId=set_id, modelVersionSetName=rec["name"], versionId=rec["_versions"])

    # ------------------------------------------------------------------ handlers
    def list_sets(self, req: Request) -> Response:
        comp = req.require_q("compartmentId")
        state = req.q("lifecycleState")
        if state and state not in STATES:
            raise invalid_parameter(f"Invalid lifecycleState {state!r}.")
        items = [s for s in self.sets.values() if s["compartmentId"] == comp]
        for param in ("id", "projectId", "name", "lifecycleState", "createdBy", "category"):
            if req.q(param):
                items = [s for s in items if s.get(param) == req.q(param)]
        sort_by = req.q("sortBy", "timeCreated")
        if sort_by not in ("timeCreated", "name", "lifecycleState"):
            raise invalid_parameter(f"Invalid sortBy {sort_by!r}.")
        descending = req.q("sortOrder", "DESC" if sort_by == "timeCreated" else "ASC") == "DESC"
        items.sort(key=lambda s: (s.get(sort_by) or "", s["_seq"]), reverse=descending)
        return paginate([{k: s.get(k) for k in SUMMARY_FIELDS} for s in items], req, self.emu.page_size)

    def get_set(self, req: Request) -> Response:
        return self.replay(req, self._set(req.params["setId"])["id"])

    def create_set(self, req: Request) -> Response:
        body = req.json()
        for name in ("compartmentId", "projectId", "name"):
            if not body.get(name):
                raise OciError(400, "MissingParameter", f"{name} is required.")

        def create() -> Response:
            sid = self.add_set(body["compartmentId"], body["projectId"], body["name"],
                               description=body.get("description"), freeform_tags=body.get("freeformTags"),
                               created_by=self.ds._user(req))  # fmt: skip
            return self.replay(req, sid)

        return self.emu.idempotent_create(req, create)

    def delete_set(self, req: Request) -> Response:
        rec = self._set(req.params["setId"])
        if rec["lifecycleState"] in ("DELETING", "DELETED"):
            raise OciError(409, "IncorrectState", f"The model version set is {rec['lifecycleState']}.")
        members = [m for m in self.ds.models.values()
                   if m.get("modelVersionSetId") == rec["id"] and m["lifecycleState"] != "DELETED"]  # fmt: skip
        cascade = (req.q("isDeleteRelatedModels") or "false").lower() == "true"
        if members and not cascade:
            raise OciError(409, "IncorrectState", "The model version set has models; set isDeleteRelatedModels=true.")
        rec.update(lifecycleState="DELETING", timeUpdated=now_rfc3339())

        def finish() -> str | None:
            rec.update(lifecycleState="DELETED", timeUpdated=now_rfc3339())
            for model in members:
                model.update(lifecycleState="DELETED", lifecycleDetails=None)
            return None

        wid = self.ds.workrequests.start("MODELVERSIONSET_DELETE", rec["compartmentId"], "modelversionset",
                                         rec["id"], "DELETED", finish)  # fmt: skip
        return Response(202, None, {"opc-work-request-id": wid})
