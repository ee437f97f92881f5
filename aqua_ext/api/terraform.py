"""A Terraform export: the HCL of a create form's action, to show, copy or save as a `.tf` file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .common import ApiModel

# The load balancer bandwidth every deployment asks for (AQUA's default too): what the OCI driver
# sends and what the Terraform export writes.
BANDWIDTH_MBPS = 10


class TerraformExport(ApiModel):
    file_name: str  # a suggested name for the download, ending in .tf
    hcl: str  # `terraform fmt`-clean, with a `compartment_ocid` variable
    # The `aqua-ext …` command doing the same create (no secret: a Hugging Face token is read from HF_TOKEN).
    cli: str


@dataclass(frozen=True)
class ModelDeploymentSpec:
    """What a CreateModelDeploymentDetails of backends/oci/deploy_request.py sets, as plain values."""

    compartment_ocid: str
    project_id: str
    display_name: str
    model_id: str
    shape: str
    image: str
    server_port: int
    health_check_port: int
    environment: Mapping[str, str] = field(default_factory=dict)
    instance_count: int = 1
    bandwidth_mbps: int = BANDWIDTH_MBPS
    ocpus: float | None = None  # a Flex shape's size
    memory_in_gbs: float | None = None
    log_group_id: str | None = None
    log_id: str | None = None
    description: str = ""
    freeform_tags: Mapping[str, str] | None = None
