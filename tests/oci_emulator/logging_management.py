"""Emulated OCI Logging management (API 20200531, read-only): log groups and logs.

Shares the ``/logging`` prefix with Logging search (different version base path), so
``oci.logging.LoggingManagementClient(config, service_endpoint=emu.endpoint("logging"))`` works.
Seed with ``emu.logging_management.add_log_group(...)`` / ``add_log(...)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .core import Request, Response, Router, new_ocid, not_found, now_rfc3339, paginate

if TYPE_CHECKING:
    from .server import OciEmulator

V = "/20200531"
GROUP_FIELDS = ["id", "compartmentId", "displayName", "description", "lifecycleState", "definedTags", "freeformTags",
                "systemTags", "timeCreated", "timeLastModified"]  # fmt: skip
LOG_FIELDS = ["id", "tenancyId", "logGroupId", "displayName", "logType", "isEnabled", "definedTags", "freeformTags",
              "systemTags", "configuration", "lifecycleState", "timeCreated", "timeLastModified",
              "retentionDuration", "compartmentId"]  # fmt: skip


class LoggingManagementService:
    prefix = "logging"

    def __init__(self, emu: OciEmulator) -> None:
        self.emu = emu
        self.log_groups: dict[str, dict] = {}
        self.logs: dict[str, dict] = {}

    def register(self, r: Router) -> None:
        r.add("GET", f"{V}/logGroups", "ListLogGroups", self.list_log_groups)
        r.add("GET", f"{V}/logGroups/{{logGroupId}}", "GetLogGroup", self.get_log_group)
        r.add("GET", f"{V}/logGroups/{{logGroupId}}/logs", "ListLogs", self.list_logs)
        r.add("GET", f"{V}/logGroups/{{logGroupId}}/logs/{{logId}}", "GetLog", self.get_log)

    def add_log_group(self, compartment_id: str, display_name: str, description: str | None = None) -> str:
        with self.emu.lock:
            gid = new_ocid("loggroup", self.emu.region_key)
            now = now_rfc3339()
            self.log_groups[gid] = {"id": gid, "compartmentId": compartment_id, "displayName": display_name,
                                    "description": description, "lifecycleState": "ACTIVE", "definedTags": {},
                                    "freeformTags": {}, "systemTags": {}, "timeCreated": now,
                                    "timeLastModified": now}  # fmt: skip
            return gid

    def add_log(self, log_group_id: str, display_name: str, log_type: str = "CUSTOM") -> str:
        with self.emu.lock:
            group = self.log_groups[log_group_id]
            lid = new_ocid("log", self.emu.region_key)
            now = now_rfc3339()
            self.logs[lid] = {"id": lid, "tenancyId": self.emu.tenancy_id, "logGroupId": log_group_id,
                              "displayName": display_name, "logType": log_type, "isEnabled": True,
                              "definedTags": {}, "freeformTags": {}, "systemTags": {}, "configuration": None,
                              "lifecycleState": "ACTIVE", "timeCreated": now, "timeLastModified": now,
                              "retentionDuration": 30, "compartmentId": group["compartmentId"]}  # fmt: skip
            return lid

    def list_log_groups(self, req: Request) -> Response:
        comp = req.require_q("compartmentId")
        items = [g for g in self.log_groups.values() if g["compartmentId"] == comp]
        if req.q("displayName"):
            items = [g for g in items if g["displayName"] == req.q("displayName")]
        items.sort(key=lambda g: g["displayName"])
        return paginate([{k: g[k] for k in GROUP_FIELDS} for g in items], req, self.emu.page_size)

    def get_log_group(self, req: Request) -> Response:
        group = self.log_groups.get(req.params["logGroupId"])
        if group is None:
            raise not_found("log group")
        return Response(200, {k: group[k] for k in GROUP_FIELDS})

    def list_logs(self, req: Request) -> Response:
        if req.params["logGroupId"] not in self.log_groups:
            raise not_found("log group")
        items = [lg for lg in self.logs.values() if lg["logGroupId"] == req.params["logGroupId"]]
        for param in ("displayName", "logType", "lifecycleState"):
            if req.q(param):
                items = [lg for lg in items if lg[param] == req.q(param)]
        items.sort(key=lambda lg: lg["displayName"])
        fields = [f for f in LOG_FIELDS if f != "tenancyId"]
        return paginate([{k: lg[k] for k in fields} for lg in items], req, self.emu.page_size)

    def get_log(self, req: Request) -> Response:
        log = self.logs.get(req.params["logId"])
        if log is None or log["logGroupId"] != req.params["logGroupId"]:
            raise not_found("log")
        return Response(200, {k: log[k] for k in LOG_FIELDS})
