"""A Terraform export: the HCL of a create form's action, to show, copy or save as a `.tf` file, with the
same action as an `aqua-ext` command line and as `oci` SDK calls in Python."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .common import ApiModel

# The load balancer bandwidth every deployment asks for (AQUA's default too): what the OCI driver
# sends and what the Terraform export writes.
BANDWIDTH_MBPS = 10


class TerraformExport(ApiModel):
    file_name: str  # a suggested name for the download, ending in .tf
    hcl: str  # `terraform fmt`-clean, with a `compartment_ocid` variable
    # The `aqua-ext …` command doing the same create (no secret: a Hugging Face token is read from HF_TOKEN).
    cli: str
    # The `oci` SDK calls doing the same create, as a Python script (no secret: a token is read from HF_TOKEN).
    python: str


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


# A value that is known only once an earlier step ran (the output model's OCID, the job's) or that the exported
# file takes as a variable (the dataset): `ref(name)` stands for it inside the SDK details a driver builds, and the
# writers put an expression there (Python: the step's result; Terraform: a variable or a resource's attribute).
# ASCII that shlex leaves unquoted, so a ref inside a launch command is written as the real value would be.
REF_MARK = "@@aqua-ref@@"


def ref(name: str) -> str:
    return f"{REF_MARK}{name}{REF_MARK}"


@dataclass(frozen=True)
class SdkCall:
    """One `oci` SDK call of a create, as a driver would make it: `client` (e.g. "oci.generative_ai.
    GenerativeAiClient") `.method(*args)`, the `details` an SDK model object; its `.data` is named `result`
    for the later steps (`ref("<result>.id")`). `wait_active`: the next step needs it ACTIVE (a job)."""

    client: str
    method: str
    args: tuple[Any, ...]
    result: str
    comment: str = ""
    wait_active: bool = False
    exprs: Mapping[str, str] = field(default_factory=dict)  # a ref → the Python expression it stands for


@dataclass(frozen=True)
class ExportedFineTune:
    """An OCI Data Science fine-tune as the export writes it: the create's SDK calls in order (`steps`), and the
    job and its run as Terraform describes them (SDK details in which the output model, the dataset and the job
    stand as `ref("output_model_id")`, `ref("dataset_uri")`, `ref("job.id")`)."""

    steps: list[SdkCall]
    job: Any
    run: Any
    dataset_uri: str  # where the job reads the dataset (the variable's default)
    base_model_id: str
