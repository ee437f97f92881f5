"""AquaConfig: the settings both the server extension and the `aqua-ext` CLI read.

The server's `AquaExtension` inherits these traits, so `c.AquaExtension.data_dir = ...` in a
`jupyter_server_config.py` (or `.json`) keeps working; the CLI reads the same files as the server
(`aqua_ext/cli/jupyter_config.py`: the `AquaExtension`, and `AquaConfig`, sections).
No jupyter_server import here: the CLI must start fast.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jupyter_core.paths import jupyter_data_dir
from traitlets import Bool, Dict, Enum, Float, Int, List, Unicode, default, observe
from traitlets.config import LoggingConfigurable

if TYPE_CHECKING:
    from .backends.oci.config import OciSettings

# Kinds of target a server can enable; the order is the default order (the first ready one is the
# default target of a create request that names none).
TARGET_KINDS = ("local", "oci", "genai")
TARGET_LABELS = {"local": "Local (this machine)", "oci": "OCI Data Science", "genai": "OCI Generative AI"}
# The config sections a setting may be written in (the server extension's name first).
SECTIONS = ("AquaExtension", "AquaConfig")


def in_oci_notebook_session() -> bool:
    """OCI Data Science notebook sessions set these for resource principal auth."""
    return bool(os.environ.get("OCI_RESOURCE_PRINCIPAL_VERSION") and os.environ.get("NB_SESSION_OCID"))


def default_data_dir() -> Path:
    return Path(jupyter_data_dir()) / "aqua_ext"


class AquaConfig(LoggingConfigurable):
    targets = List(
        Unicode(),
        config=True,
        help="Targets enabled side by side, in order: 'local' (this machine), 'oci' (OCI Data Science) and "
        "'genai' (OCI Generative AI, in the same OCI configuration). "
        "Default: local, plus oci and genai when an OCI config file exists (or oci_config_file, "
        "oci_compartment_id is set) or the server runs in an OCI notebook session. The first ready target is "
        "where a create request that names no target goes.",
    )
    backend = Enum(
        ["auto", "local", "oci"],
        default_value="auto",
        config=True,
        help="Deprecated: use `targets`. 'local' or 'oci' enables that one target only; 'auto' leaves `targets` "
        "at its default.",
    )
    data_dir = Unicode(config=True, help="Folder for the local target's state.db, models and run logs.")
    allowed_model_roots = List(
        Unicode(),
        config=True,
        help="Folders a registered local model may live in. Default: the Jupyter root dir and data_dir.",
    )
    hf_cache_dir = Unicode("", config=True, help="Hugging Face hub cache to scan (default: HF_HUB_CACHE).")
    generate_demo_model = Bool(True, config=True, help="Generate the offline demo model on first start.")
    executor_workers = Int(4, config=True, help="Threads for blocking file, database and SDK work.")
    backend_retry_seconds = Float(
        30.0,
        config=True,
        help="After a target failed to start (e.g. a missing OCI config), try again on a request this many "
        "seconds later, so a fixed configuration is picked up without restarting Jupyter.",
    )

    # ---- OCI target (empty values fall back to the environment, as in an OCI notebook session) ----
    oci_auth = Enum(
        ["auto", "resource_principal", "api_key", "security_token", "instance_principal"],
        default_value="auto",
        config=True,
        help="OCI authentication: 'auto' = resource principal when OCI_RESOURCE_PRINCIPAL_VERSION is set "
        "(notebook sessions), else the API key of oci_profile in oci_config_file; 'instance_principal' on an "
        "OCI compute instance in a dynamic group (as AQUA's OCI_IAM_TYPE allows).",
    )
    oci_config_file = Unicode("", config=True, help="OCI config file (default: OCI_CONFIG_LOCATION or ~/.oci/config).")
    oci_profile = Unicode(
        "", config=True, help="Profile in the OCI config file (default: OCI_CONFIG_PROFILE or DEFAULT)."
    )
    oci_region = Unicode(
        "", config=True, help="OCI region, e.g. us-ashburn-1 (default: the profile's or the resource principal's)."
    )
    oci_compartment_id = Unicode(
        "", config=True, help="Compartment OCID whose models are listed (default: NB_SESSION_COMPARTMENT_OCID)."
    )
    oci_project_id = Unicode("", config=True, help="Data Science project OCID for new models (default: PROJECT_OCID).")
    oci_endpoints = Dict(
        per_key_traits={
            k: Unicode()
            for k in (
                "datascience",
                "objectstorage",
                "identity",
                "logging",
                "limits",
                "generativeai",
                "generativeaiinference",
            )
        },
        config=True,
        help="Per-service endpoint overrides, e.g. {'datascience': 'http://127.0.0.1:9000'} "
        "(tests, pre-production regions).",
    )
    oci_max_workers = Int(8, config=True, help="Threads for blocking OCI SDK calls.")
    oci_cache_seconds = Float(
        300.0, config=True, help="How long the OCI model list, details and shapes are reused before OCI is asked again."
    )
    oci_retry_attempts = Int(
        4, config=True, help="Attempts per OCI call on throttling, 5xx, timeouts and dropped connections."
    )
    oci_read_timeout = Float(60.0, config=True, help="Seconds to wait for an OCI answer before retrying.")
    genai_price_per_ai_unit_hour = Float(
        None,
        allow_none=True,
        config=True,
        help="Price of one AI unit for one hour on OCI Generative AI dedicated AI clusters (the 'Generative AI - "
        "Model Import - AI Unit Per Hour' line of Oracle's price list), in USD. None (the default, no price is "
        "built in): cluster costs are shown in AI-unit hours only.",
    )

    @default("data_dir")
    def _default_data_dir(self) -> str:
        return str(default_data_dir())

    @default("targets")
    def _default_targets(self) -> list[str]:
        if self.backend != "auto":
            return [str(self.backend)]
        return ["local", "oci", "genai"] if self.oci_configured() else ["local"]

    @observe("backend")
    def _backend_deprecated(self, change: Any) -> None:
        if change["new"] != "auto":
            self.log.warning(
                "%s.backend is deprecated: use %s.targets = ['%s']",
                type(self).__name__,
                type(self).__name__,
                change["new"],
            )

    def oci_configured(self) -> bool:
        """Whether OCI looks set up here: a notebook session, OCI settings given, or an OCI config file."""
        if in_oci_notebook_session() or os.environ.get("OCI_RESOURCE_PRINCIPAL_VERSION"):
            return True
        if self.oci_config_file or self.oci_compartment_id or self.oci_auth == "resource_principal":
            return True
        config_file = os.environ.get("OCI_CONFIG_LOCATION") or "~/.oci/config"
        return Path(config_file).expanduser().is_file()

    def enabled_targets(self) -> list[str]:
        """The target kinds enabled, known ones only, each once, in the configured order."""
        names: list[str] = []
        for name in self.targets:
            name = name.strip().lower()
            if name not in TARGET_KINDS:
                raise ValueError(f"Unknown target '{name}' in targets (known: {', '.join(TARGET_KINDS)})")
            if name not in names:
                names.append(name)
        return names or ["local"]

    def add_oci_endpoints(self, values: list[str] | None) -> bool:
        """Endpoint overrides over the configured ones, as `service=url` pairs (comma-separated, as
        AQUA_OCI_ENDPOINTS or `--oci-endpoint` give them); ValueError for one that is not. Whether any was added."""
        from .backends.oci.config import parse_endpoints

        extra = parse_endpoints(values)
        if extra:
            self.oci_endpoints = {**self.oci_endpoints, **extra}
        return bool(extra)

    def oci_settings(self) -> OciSettings:
        from .backends.oci.config import OciSettings

        return OciSettings(
            auth=self.oci_auth,
            config_file=self.oci_config_file,
            profile=self.oci_profile,
            region=self.oci_region,
            compartment_id=self.oci_compartment_id,
            project_id=self.oci_project_id,
            endpoints=dict(self.oci_endpoints),
            max_workers=self.oci_max_workers,
            cache_seconds=self.oci_cache_seconds,
            retry_attempts=self.oci_retry_attempts,
            read_timeout=self.oci_read_timeout,
        )
