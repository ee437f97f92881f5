"""OCI settings: what the OCI backend needs to know, from AquaExtension traits
(server) or command-line flags and environment variables (CLI).

Empty values fall back to the environment the way Oracle's AQUA does, so a
notebook session works with no configuration at all:
compartment ← NB_SESSION_COMPARTMENT_OCID / PROJECT_COMPARTMENT_OCID,
project ← PROJECT_OCID, config file ← OCI_CONFIG_LOCATION, profile ←
OCI_CONFIG_PROFILE, auth ← OCI_IAM_TYPE.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

AUTH_TYPES = ("auto", "resource_principal", "api_key", "security_token", "instance_principal")
# Services whose endpoint can be overridden (tests point them all at the emulator).
SERVICES = ("datascience", "objectstorage", "identity", "logging", "limits", "generativeai", "generativeaiinference")
DEFAULT_CONFIG_FILE = "~/.oci/config"
DEFAULT_PROFILE = "DEFAULT"


def _env(*names: str) -> str:
    for name in names:
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return ""


@dataclass(frozen=True)
class OciSettings:
    auth: str = "auto"
    config_file: str = ""
    profile: str = ""
    region: str = ""
    compartment_id: str = ""
    project_id: str = ""
    endpoints: Mapping[str, str] = field(default_factory=dict)
    max_workers: int = 8
    cache_seconds: float = 300.0
    # Deployments change state on their own (CREATING → ACTIVE): their list and detail are cached
    # only briefly, while an ACTIVE state seen within `cache_seconds` still serves chat turns.
    deployment_cache_seconds: float = 5.0
    # Watching a deployment's work request: the first poll after this, then twice as long each
    # time up to `poll_max_seconds` (OCI takes minutes; the emulator well under a second).
    poll_min_seconds: float = 0.25
    poll_max_seconds: float = 10.0
    # How long an operation watches a create or activate before giving up (OCI: up to ~1 h).
    deploy_timeout_seconds: float = 3 * 3600.0
    # Retries of one call: attempts in all, and the first backoff delay (doubled each time, with jitter).
    retry_attempts: int = 4
    retry_base_delay: float = 0.25
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    # No retry starts after this many seconds of one call (so a hung OCI costs minutes, not hours).
    call_budget_seconds: float = 90.0
    # A configuration mistake, kept (not raised) so the server starts and `info` can show it.
    problem: str = field(default="", init=False)

    def __post_init__(self) -> None:
        # Frozen: fill environment defaults through object.__setattr__.
        fill = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        problems = []
        auth = (self.auth if self.auth != "auto" else "") or _env("OCI_IAM_TYPE") or "auto"
        if auth not in AUTH_TYPES:
            problems.append(f"OCI auth type '{auth}' is unknown (use one of {', '.join(AUTH_TYPES)})")
            auth = "auto"
        fill("auth", auth)
        fill("config_file", os.path.expanduser(self.config_file or _env("OCI_CONFIG_LOCATION") or DEFAULT_CONFIG_FILE))
        fill("profile", self.profile or _env("OCI_CONFIG_PROFILE") or DEFAULT_PROFILE)
        fill("region", self.region or _env("OCI_REGION"))
        fill("compartment_id", self.compartment_id or _env("NB_SESSION_COMPARTMENT_OCID", "PROJECT_COMPARTMENT_OCID"))
        fill("project_id", self.project_id or _env("PROJECT_OCID"))
        endpoints = {k.strip().lower(): v.strip().rstrip("/") for k, v in dict(self.endpoints or {}).items() if v}
        unknown = sorted(set(endpoints) - set(SERVICES))
        if unknown:
            problems.append(
                f"AquaExtension.oci_endpoints names unknown service {', '.join(unknown)} (known: {', '.join(SERVICES)})"
            )
        for service, url in endpoints.items():
            if not url.startswith(("http://", "https://")):
                problems.append(f"the {service} endpoint '{url}' must start with http:// or https://")
        if "datascience" not in endpoints and _env("OCI_ODSC_SERVICE_ENDPOINT"):
            endpoints["datascience"] = _env("OCI_ODSC_SERVICE_ENDPOINT")
        fill("endpoints", endpoints)
        fill("problem", "; ".join(problems))

    def endpoint(self, service: str) -> str | None:
        return self.endpoints.get(service)

    def cache_key(self) -> tuple[object, ...]:
        return (self.auth, self.config_file, self.profile, self.region, tuple(sorted(self.endpoints.items())))


def parse_endpoints(values: list[str] | None) -> dict[str, str]:
    """`service=url` pairs from the command line (or AQUA_OCI_ENDPOINTS, comma-separated)."""
    out: dict[str, str] = {}
    for value in values or []:
        for item in value.split(","):
            if not item.strip():
                continue
            service, sep, url = item.partition("=")
            if not sep or not url.strip():
                raise ValueError(
                    f"endpoint '{item}' must look like service=url, e.g. datascience=http://127.0.0.1:9000"
                )
            out[service.strip().lower()] = url.strip()
    return out
