"""The OCI Data Science backend through the `oci` SDK (its own signers: oracle-ads is no dependency).

backend.py (OciBackend: builds the context, wires the drivers) · context.py (OciContext: settings,
clients, namespace, shared Object Storage calls, handed to every driver) · models.py · deploy_shapes.py
(shapes and service limits) · deploy_request.py (what a new deployment is made of) · deployments.py ·
finetunes.py · evaluations.py · job_support.py (what fine-tunes and evaluations share) ·
config.py (OciSettings) · auth.py (the SDK's signers) · clients.py (clients built once, bounded
executor, retries, error mapping) · mapping.py, deploy_mapping.py, finetune_mapping.py,
evaluation_mapping.py, job_mapping.py (AQUA tags ↔ our models).
"""
