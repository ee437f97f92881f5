"""The OCI emulator wired to a Jupyter server's AquaExtension: shared by the OCI
handler tests and bench/oci_calls.py. No pytest here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.oci_emulator import OciEmulator, OciTestConfig, write_oci_config

SERVICES = ("datascience", "objectstorage", "identity", "logging", "limits")


@dataclass
class OciWorld:
    emulator: OciEmulator
    identity: OciTestConfig
    compartment_id: str
    project_id: str

    def traits(self, **overrides: Any) -> dict[str, Any]:
        """AquaExtension traits pointing the OCI backend at the emulator."""
        traits: dict[str, Any] = {
            "backend": "oci",
            "oci_auth": "api_key",
            "oci_config_file": str(self.identity.config_file),
            "oci_profile": self.identity.profile,
            "oci_compartment_id": self.compartment_id,
            "oci_project_id": self.project_id,
            "oci_endpoints": {s: self.emulator.endpoint(s) for s in SERVICES},
            "oci_cache_seconds": 300.0,
            "oci_read_timeout": 2.0,
        }
        traits.update(overrides)
        return traits

    def cli_args(self) -> list[str]:
        return [
            "--backend",
            "oci",
            "--oci-auth",
            "api_key",
            "--oci-config-file",
            str(self.identity.config_file),
            "--oci-profile",
            self.identity.profile,
            "--oci-compartment-id",
            self.compartment_id,
            "--oci-project-id",
            self.project_id,
            *[a for s in SERVICES for a in ("--oci-endpoint", f"{s}={self.emulator.endpoint(s)}")],
        ]

    def add_model_folder(
        self,
        bucket: str,
        prefix: str,
        *,
        versioned: bool = True,
        readme: str | None = None,
        weights: str = "model.safetensors",
        config: bool = True,
    ) -> str:
        """A bucket (created if needed) holding a small model folder; returns its oci:// URI."""
        emu = self.emulator
        if (emu.namespace, bucket) not in emu.objectstorage.buckets:
            emu.add_bucket(None, bucket, versioned=versioned, compartment_id=self.compartment_id)
        if config:
            emu.put_object(
                None,
                bucket,
                f"{prefix}/config.json",
                '{"model_type": "llama", "num_hidden_layers": 2, "hidden_size": 64, '
                '"num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 2048, '
                '"torch_dtype": "bfloat16"}',
            )
        if weights:
            emu.put_object(None, bucket, f"{prefix}/{weights}", b"\0" * 4096)
        if readme is not None:
            emu.put_object(None, bucket, f"{prefix}/README.md", readme)
        return f"oci://{bucket}@{emu.namespace}/{prefix}"


def start_world(folder: Path, *, page_size: int = 3, latency_seconds: float = 0.0) -> OciWorld:
    identity = write_oci_config(folder / "oci")
    emulator = OciEmulator(config=identity, page_size=page_size, latency_seconds=latency_seconds).start()
    compartment = emulator.add_compartment("aqua-tests")
    project = emulator.add_project(compartment, "aqua-tests")
    return OciWorld(emulator, identity, compartment, project)


def seed_user_model(world: OciWorld, name: str, *, fine_tuned: bool = False, **kw: Any) -> str:
    tags = {
        "OCI_AQUA": "active",
        "task": "text_generation",
        "organization": "acme",
        "license": "apache-2.0",
        "model_format": "SAFETENSORS",
        "ready_to_fine_tune": "true",
    }
    if fine_tuned:
        tags["aqua_fine_tuned_model"] = "ocid1.datasciencemodel.oc1.iad.base#base-model"
    else:
        tags["aqua_custom_base_model"] = "true"
    return world.emulator.add_model(
        world.compartment_id,
        name,
        freeform_tags=tags,
        project_id=world.project_id,
        custom_metadata=[
            {
                "key": "artifact_location",
                "value": f"oci://models@{world.emulator.namespace}/{name}/",
                "category": "Other",
            }
        ],
        **kw,
    )


# ---- deployments -----------------------------------------------------------------


def backend_settings(world: OciWorld, **overrides: Any) -> Any:
    """OciSettings for an OciBackend built in a test (no Jupyter server), with fast polling."""
    from aqua_ext.backends.oci.config import OciSettings

    values: dict[str, Any] = dict(
        auth="api_key",
        config_file=str(world.identity.config_file),
        profile=world.identity.profile,
        compartment_id=world.compartment_id,
        project_id=world.project_id,
        endpoints={s: world.emulator.endpoint(s) for s in SERVICES},
        read_timeout=2.0,
        retry_base_delay=0.01,
        poll_min_seconds=0.02,
        poll_max_seconds=0.1,
    )
    values.update(overrides)
    return OciSettings(**values)


def seed_deployable_model(
    world: OciWorld,
    name: str,
    *,
    parameter_count: int = 1_000_000_000,
    layers: int = 16,
    hidden_size: int = 2048,
    heads: int = 16,
    kv_heads: int = 8,
    context_length: int = 8192,
    formats: str = "SAFETENSORS",
    model_file: str | None = None,
    task: str = "text_generation",
    size_bytes: int | None = None,
    deployment_config: str | None = None,
) -> str:
    """A registered AQUA model with what deploy needs: artifact location, size and architecture."""
    import json

    tags = {
        "OCI_AQUA": "active",
        "aqua_custom_base_model": "true",
        "task": task,
        "organization": "acme",
        "license": "apache-2.0",
        "model_format": formats,
        "ready_to_fine_tune": "true",
    }
    architecture = {
        "model_type": "llama",
        "num_hidden_layers": layers,
        "hidden_size": hidden_size,
        "num_attention_heads": heads,
        "num_key_value_heads": kv_heads,
    }
    meta = [
        {"key": "artifact_location", "value": f"oci://models@{world.emulator.namespace}/{name}/", "category": "Other"},
        {"key": "parameter_count", "value": str(parameter_count), "category": "Other"},
        {"key": "context_length", "value": str(context_length), "category": "Other"},
        {"key": "architecture", "value": json.dumps(architecture, separators=(",", ":")), "category": "Other"},
    ]
    if model_file:
        meta.append({"key": "model_file", "value": model_file, "category": "Other"})
    if size_bytes:
        meta.append({"key": "size_bytes", "value": str(size_bytes), "category": "Other"})
    defined = {"DeploymentConfiguration": deployment_config} if deployment_config else None
    return world.emulator.add_model(
        world.compartment_id,
        name,
        freeform_tags=tags,
        project_id=world.project_id,
        custom_metadata=meta,
        defined_metadata=defined,
    )


def seed_deployment(world: OciWorld, name: str = "acme chat", *, state: str = "ACTIVE") -> str:
    """A deployment AQUA made (tagged), of a model seeded for it, in `state`."""
    model = seed_deployable_model(world, f"{name}-model")
    return world.emulator.add_deployment(
        world.compartment_id,
        model,
        name,
        lifecycle_state=state,
        freeform_tags={"OCI_AQUA": "active", "aqua_model_name": f"{name}-model"},
        project_id=world.project_id,
    )


def add_log(world: OciWorld, name: str = "aqua-deployments") -> tuple[str, str]:
    """A log group with one log in the world's compartment: (log group OCID, log OCID)."""
    management = world.emulator.logging_management
    group = management.add_log_group(world.compartment_id, f"{name}-group")
    return group, management.add_log(group, name)
