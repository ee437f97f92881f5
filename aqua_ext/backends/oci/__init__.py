"""The OCI Data Science backend (model catalog, deployments, jobs) through the oci SDK."""
