"""The OCI Data Science backend through the `oci` SDK, authenticated with oracle-ads.

config.py (OciSettings) · auth.py (signers, lazy `ads`) · clients.py (clients built once,
bounded executor, retries, error mapping) · mapping.py (AQUA tags ↔ our models) ·
backend.py (OciBackend).
"""
