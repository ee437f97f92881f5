"""Emulated OCI Identity (API 20160918): compartments (the tenancy is the root compartment)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .core import Request, Response, Router, invalid_parameter, new_ocid, not_found, now_rfc3339, paginate

if TYPE_CHECKING:
    from .server import OciEmulator

V = "/20160918"
COMPARTMENT_FIELDS = ["id", "compartmentId", "name", "description", "timeCreated", "lifecycleState",
                      "inactiveStatus", "isAccessible", "freeformTags", "definedTags"]  # fmt: skip


class IdentityService:
    prefix = "identity"

    def __init__(self, emu: OciEmulator) -> None:
        self.emu = emu
        self.compartments: dict[str, dict] = {}
        self._seq = 0

    def register(self, r: Router) -> None:
        r.add("GET", f"{V}/compartments", "ListCompartments", self.list_compartments)
        r.add("GET", f"{V}/compartments/{{compartmentId}}", "GetCompartment", self.get_compartment)
        r.add("GET", f"{V}/tenancies/{{tenancyId}}", "GetTenancy", self.get_tenancy)
        r.add("GET", f"{V}/tenancies/{{tenancyId}}/regionSubscriptions", "ListRegionSubscriptions",
              self.list_region_subscriptions)  # fmt: skip
        r.add("GET", f"{V}/users/{{userId}}", "GetUser", self.get_user)
        r.add("GET", f"{V}/availabilityDomains", "ListAvailabilityDomains", self.list_availability_domains)

    def _root(self) -> dict:
        tid = self.emu.tenancy_id
        return {
            "id": tid,
            "compartmentId": None,
            "name": "emulated-tenancy",
            "description": "Root compartment (emulated tenancy)",
            "timeCreated": "2020-01-01T00:00:00.000Z",
            "lifecycleState": "ACTIVE",
            "inactiveStatus": None,
            "isAccessible": True,
            "freeformTags": {},
            "definedTags": {},
        }

    def add_compartment(self, name: str, parent_id: str | None = None, description: str = "",
                        lifecycle_state: str = "ACTIVE", freeform_tags: dict | None = None,
                        compartment_id: str | None = None) -> str:  # fmt: skip
        with self.emu.lock:
            self._seq += 1
            cid = compartment_id or new_ocid("compartment", "")
            self.compartments[cid] = {
                "id": cid,
                "compartmentId": parent_id or self.emu.tenancy_id,
                "name": name,
                "description": description or name,
                "timeCreated": now_rfc3339(),
                "lifecycleState": lifecycle_state,
                "inactiveStatus": None,
                "isAccessible": True,
                "freeformTags": dict(freeform_tags or {}),
                "definedTags": {},
                "_seq": self._seq,
            }
            return cid

    def _children(self, parent: str, subtree: bool) -> list[dict]:
        out = []
        for c in sorted(self.compartments.values(), key=lambda c: (c["name"], c["_seq"])):
            if c["compartmentId"] == parent:
                out.append(c)
                if subtree:
                    out.extend(self._children(c["id"], True))
        return out

    def list_compartments(self, req: Request) -> Response:
        parent = req.require_q("compartmentId")
        subtree = (req.q("compartmentIdInSubtree") or "false").lower() == "true"
        if subtree and parent != self.emu.tenancy_id:
            raise invalid_parameter("compartmentIdInSubtree is only supported on the root compartment.")
        items = self._children(parent, subtree)
        if req.q("lifecycleState"):
            items = [c for c in items if c["lifecycleState"] == req.q("lifecycleState")]
        if req.q("name"):
            items = [c for c in items if c["name"] == req.q("name")]
        return paginate([{k: c.get(k) for k in COMPARTMENT_FIELDS} for c in items], req, self.emu.page_size)

    def get_compartment(self, req: Request) -> Response:
        cid = req.params["compartmentId"]
        if cid == self.emu.tenancy_id:
            return Response(200, self._root())
        rec = self.compartments.get(cid)
        if rec is None:
            raise not_found("compartment")
        return Response(200, {k: rec.get(k) for k in COMPARTMENT_FIELDS})

    def _tenancy_or_404(self, tenancy_id: str) -> None:
        if tenancy_id != self.emu.tenancy_id:
            raise not_found("tenancy")

    def get_tenancy(self, req: Request) -> Response:
        self._tenancy_or_404(req.params["tenancyId"])
        return Response(200, {"id": self.emu.tenancy_id, "name": "emulated-tenancy", "description": None,
                              "homeRegionKey": self.emu.region_key.upper(),
                              "upiIdcsCompatibilityLayerEndpoint": None, "freeformTags": {},
                              "definedTags": {}})  # fmt: skip

    def list_region_subscriptions(self, req: Request) -> Response:
        self._tenancy_or_404(req.params["tenancyId"])
        return Response(200, [{"regionKey": self.emu.region_key.upper(), "regionName": self.emu.region,
                               "status": "READY", "isHomeRegion": True}])  # fmt: skip

    def get_user(self, req: Request) -> Response:
        cfg = self.emu.test_config
        user_id = req.params["userId"]
        if cfg is None or user_id != cfg.user:
            raise not_found("user")
        return Response(200, {"id": user_id, "compartmentId": self.emu.tenancy_id, "name": "emulated-user",
                              "description": "Emulated API-key user", "email": None, "emailVerified": False,
                              "dbUserName": None, "identityProviderId": None, "externalIdentifier": None,
                              "timeCreated": "2020-01-01T00:00:00.000Z", "lifecycleState": "ACTIVE",
                              "inactiveStatus": None, "freeformTags": {}, "definedTags": {},
                              "capabilities": None, "isMfaActivated": False, "lastSuccessfulLoginTime": None,
                              "previousSuccessfulLoginTime": None})  # fmt: skip

    def list_availability_domains(self, req: Request) -> Response:
        comp = req.require_q("compartmentId")
        prefix = "Xyzw"
        return Response(200, [{"name": f"{prefix}:{self.emu.region.upper()}-AD-{i}",
                               "id": f"ocid1.availabilitydomain.oc1..ad{i}", "compartmentId": comp}
                              for i in (1, 2, 3)])  # fmt: skip
