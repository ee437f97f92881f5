"""OCI readiness (`GET oci/setup`, `aqua-ext oci doctor`): the dynamic groups and policy statements AQUA
needs in a compartment, filled with the user's names and OCIDs, and what read-only calls found."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from .common import ApiModel

# A compartment's (or the tenancy's, the root compartment's) OCID: ocid1.compartment.oc1..<id>.
COMPARTMENT_OCID_PATTERN = r"^ocid1\.(compartment|tenancy)\.[a-z0-9-]+\.[a-z0-9-]*\.[A-Za-z0-9._-]{1,255}$"
NAME_PATTERN = r"^[A-Za-z0-9._-]{1,256}$"  # bucket, group and compartment names as OCI allows them


class SetupQuery(ApiModel):
    # Default: the compartment the OCI target is configured with.
    compartment_id: str | None = Field(default=None, json_schema_extra={"pattern": COMPARTMENT_OCID_PATTERN})
    # Default: read from OCI (GetCompartment); written as `compartment id <ocid>` when unknown.
    compartment_name: str | None = Field(default=None, pattern=NAME_PATTERN)
    bucket: str | None = Field(default=None, pattern=NAME_PATTERN)  # the fine-tuning / evaluation output bucket
    shapes: str | None = None  # comma-separated shapes whose service limit to check, e.g. "VM.GPU.A10.2"
    dynamic_group: str = Field(default="aqua-dynamic-group", pattern=NAME_PATTERN)
    distributed_group: str = Field(default="distributed_training_job_runs", pattern=NAME_PATTERN)
    admin_group: str = Field(default="<your_admin_group>", pattern=r"^\S{1,256}$")

    @field_validator("compartment_id")
    @classmethod
    def _compartment_ocid(cls, value: str | None) -> str | None:
        # The pattern's own message would quote the regex; say what is expected instead.
        if value is not None and not re.match(COMPARTMENT_OCID_PATTERN, value.strip()):
            raise ValueError("must be a compartment OCID (ocid1.compartment.oc1..…) or the tenancy's")
        return value.strip() if value is not None else None


class DynamicGroup(ApiModel):
    name: str
    description: str
    matching_rule: str


class PolicyStatement(ApiModel):
    key: str  # stable name of the statement, e.g. "manage-data-science-models"
    # admin: what the person running the setup needs; aqua: the policy AQUA itself needs.
    policy: Literal["admin", "aqua"]
    text: str


CheckStatus = Literal["ok", "missing", "unknown", "skipped"]


class SetupCheck(ApiModel):
    key: str  # e.g. "models", "bucket-versioning", "limit:VM.GPU.A10.2"
    label: str
    status: CheckStatus
    detail: str  # what was found (OCI's answer, the limit's numbers)
    # What fixes a missing check: policy statements, a command (bucket versioning) or a limit to raise.
    fix_kind: Literal["statement", "command", "limit"] | None = None
    fix: list[str] = Field(default_factory=list)


class OciSetupReport(ApiModel):
    compartment_id: str
    compartment_name: str | None
    tenancy_id: str | None
    bucket: str | None
    dynamic_groups: list[DynamicGroup]
    statements: list[PolicyStatement]
    terraform: str  # oci_identity_dynamic_group + oci_identity_policy resources
    checks: list[SetupCheck]
    checked_as: str  # the identity the checks ran as: its policies are the ones checked
    ready: bool  # no check is missing
