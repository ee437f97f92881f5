"""IAM, as far as a test needs it: a compartment missing a policy statement.

OCI grants nothing by default, but the emulator grants everything unless a test says otherwise:
`emu.deny("manage data-science-models")` (or just the resource type, "data-science-models") makes
every operation on that resource type answer 404 NotAuthorizedOrNotFound, as OCI answers a caller no
statement allows (it never says which). `emu.allow_all()` lifts every denial. The verb is not
modelled: a denied resource type is neither readable nor writable, the state a compartment is in
when the `Allow … to manage <type>` line of seed 000 is missing.
"""

from __future__ import annotations

import re

from .core import OciError

# Resource type (as policy statements name it) → the operations on it, by name.
RESOURCE_OPERATIONS: dict[str, str] = {
    "data-science-models": r"^[A-Z][a-z]+Models?(?!Deployment|VersionSet)([A-Z]\w*)?$",
    "data-science-model-deployments": r"ModelDeployment",
    "data-science-modelversionsets": r"ModelVersionSet",
    "data-science-jobs": r"^[A-Z][a-z]+Jobs?(Artifact\w*|Shapes)?$",
    "data-science-job-runs": r"JobRun",
    "data-science-projects": r"Project",
    "data-science-notebook-sessions": r"NotebookSession",
    "buckets": r"Buckets?$",
    "objects": r"Object|Multipart|UploadPart",
    "object-family": r"Bucket|Object|Multipart|UploadPart",
    "objectstorage-namespaces": r"^GetNamespace$",
    "logging-family": r"Log",
    "resource-availability": r"^GetResourceAvailability$",
    "compartments": r"Compartment",
    "generative-ai-family": r".",
}
# Resource type → the emulator prefixes (services) it belongs to: operation names repeat across services
# (Data Science's GetModel and Generative AI's), so a denial only reaches its own service's operations.
RESOURCE_SERVICES: dict[str, tuple[str, ...]] = {
    **{r: ("datascience", "modeldeployment") for r in RESOURCE_OPERATIONS if r.startswith("data-science-")},
    **{r: ("objectstorage",) for r in ("buckets", "objects", "object-family", "objectstorage-namespaces")},
    "logging-family": ("logging",),
    "resource-availability": ("limits",),
    "compartments": ("identity",),
    "generative-ai-family": ("generativeai", "generativeaiinference"),
}


class Policies:
    def __init__(self) -> None:
        self.denied: dict[str, tuple[re.Pattern[str], tuple[str, ...]]] = {}  # type → its operations, services

    def deny(self, permission: str) -> None:
        resource = permission.split()[-1]
        if resource not in RESOURCE_OPERATIONS:
            raise ValueError(f"unknown resource type '{resource}' (known: {', '.join(sorted(RESOURCE_OPERATIONS))})")
        self.denied[resource] = (re.compile(RESOURCE_OPERATIONS[resource]), RESOURCE_SERVICES[resource])

    def allow_all(self) -> None:
        self.denied.clear()

    def check(self, operation: str, service: str) -> None:
        """404 NotAuthorizedOrNotFound when a denied resource type covers `operation` of `service` (a prefix)."""
        for pattern, services in self.denied.values():
            if service in services and pattern.search(operation):
                raise OciError(
                    404,
                    "NotAuthorizedOrNotFound",
                    "Authorization failed or requested resource not found.",
                )
