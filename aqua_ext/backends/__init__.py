"""Backends: the same contract served by this machine (`local`) or by OCI Data Science (`oci`)."""
