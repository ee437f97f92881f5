"""A Terraform export: the HCL of a create form's action, to show, copy or save as a `.tf` file."""

from __future__ import annotations

from .common import ApiModel


class TerraformExport(ApiModel):
    file_name: str  # a suggested name for the download, ending in .tf
    hcl: str  # `terraform fmt`-clean, with a `compartment_ocid` variable
