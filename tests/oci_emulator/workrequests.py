"""Emulated Data Science work requests (``/20190101/workRequests``) and the helper other areas use to
run an asynchronous operation: ACCEPTED -> IN_PROGRESS -> SUCCEEDED | FAILED, one step per
``emu.transition_seconds``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .core import Request, Response, Router, new_ocid, not_found, now_rfc3339, paginate

if TYPE_CHECKING:
    from .datascience import DataScienceService

V = "/20190101"
WR_FIELDS = ["id", "operationType", "status", "compartmentId", "percentComplete", "resources", "timeAccepted",
             "timeStarted", "timeFinished"]  # fmt: skip
ENTITY_URIS = {
    "modeldeployment": "modelDeployments",
    "job": "jobs",
    "jobrun": "jobRuns",
    "model": "models",
    "modelversionset": "modelVersionSets",
    "modelgroup": "modelGroups",
}


class WorkRequestService:
    prefix = "datascience"

    def __init__(self, ds: DataScienceService) -> None:
        self.ds = ds
        self.emu = ds.emu
        self.work_requests: dict[str, dict] = {}
        self._seq = 0

    def register(self, r: Router) -> None:
        r.add("GET", f"{V}/workRequests", "ListWorkRequests", self.list_work_requests)
        r.add("GET", f"{V}/workRequests/{{workRequestId}}", "GetWorkRequest", self.get_work_request)
        r.add("GET", f"{V}/workRequests/{{workRequestId}}/errors", "ListWorkRequestErrors", self.list_errors)
        r.add("GET", f"{V}/workRequests/{{workRequestId}}/logs", "ListWorkRequestLogs", self.list_logs)

    def start(
        self,
        operation_type: str,
        compartment_id: str,
        entity_type: str,
        identifier: str,
        action_type: str,
        finish: Callable[[], str | None],
        on_progress: Callable[[], None] | None = None,
    ) -> str:
        """Start a work request. After one interval it is IN_PROGRESS (``on_progress()`` runs); after two,
        ``finish()`` runs and returns None for success or an error message for failure."""
        self._seq += 1
        wid = new_ocid("datascienceworkrequest", self.emu.region_key)
        rec = {
            "id": wid,
            "operationType": operation_type,
            "status": "ACCEPTED",
            "compartmentId": compartment_id,
            "percentComplete": 0.0,
            "resources": [
                {
                    "actionType": "IN_PROGRESS",
                    "entityType": entity_type,
                    "identifier": identifier,
                    "entityUri": f"/{ENTITY_URIS.get(entity_type, entity_type)}/{identifier}",
                }
            ],
            "timeAccepted": now_rfc3339(),
            "timeStarted": None,
            "timeFinished": None,
            "_errors": [],
            "_logs": [{"message": f"{operation_type} accepted", "timestamp": now_rfc3339()}],
            "_seq": self._seq,
        }
        self.work_requests[wid] = rec

        def progress() -> None:
            rec.update(status="IN_PROGRESS", percentComplete=50.0, timeStarted=now_rfc3339())
            rec["_logs"].append({"message": f"{operation_type} in progress", "timestamp": now_rfc3339()})
            if on_progress:
                on_progress()

        def done() -> None:
            error = finish()
            ts = now_rfc3339()
            if error:
                rec.update(status="FAILED", timeFinished=ts)
                rec["_errors"].append({"code": "InternalError", "message": error, "timestamp": ts})
                rec["_logs"].append({"message": f"{operation_type} failed: {error}", "timestamp": ts})
            else:
                rec.update(status="SUCCEEDED", percentComplete=100.0, timeFinished=ts)
                rec["resources"][0]["actionType"] = action_type
                rec["_logs"].append({"message": f"{operation_type} succeeded", "timestamp": ts})

        self.emu.schedule_steps(progress, done)
        return wid

    def _public(self, rec: dict) -> dict:
        return {k: rec[k] for k in WR_FIELDS}

    def _get(self, wid: str) -> dict:
        rec = self.work_requests.get(wid)
        if rec is None:
            raise not_found("work request")
        return rec

    def get_work_request(self, req: Request) -> Response:
        rec = self._get(req.params["workRequestId"])
        headers = {"retry-after": "1"} if rec["status"] in ("ACCEPTED", "IN_PROGRESS") else {}
        return Response(200, self._public(rec), headers)

    def list_work_requests(self, req: Request) -> Response:
        comp = req.require_q("compartmentId")
        items = [w for w in self.work_requests.values() if w["compartmentId"] == comp]
        for param, key in (("id", "id"), ("operationType", "operationType"), ("status", "status")):
            if req.q(param):
                items = [w for w in items if w[key] == req.q(param)]
        if req.q("resourceId"):
            items = [w for w in items if any(r["identifier"] == req.q("resourceId") for r in w["resources"])]
        items.sort(key=lambda w: (w["timeAccepted"], w["_seq"]), reverse=req.q("sortOrder", "DESC") == "DESC")
        return paginate([self._public(w) for w in items], req, self.emu.page_size)

    def list_errors(self, req: Request) -> Response:
        return paginate(list(self._get(req.params["workRequestId"])["_errors"]), req, 100)

    def list_logs(self, req: Request) -> Response:
        return paginate(list(self._get(req.params["workRequestId"])["_logs"]), req, 100)
