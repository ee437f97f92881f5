"""The OCI Data Science service ("SMC") containers, as AQUA picks them:
`ListContainers` (latest versions, model-deployment workload, inference usage),
the family of the engine (`odsc-vllm-serving`…), the image `dsmc://<name>:<tag>`,
and from the model-deployment workload configuration: the container's base
command-line parameters, ports, supported platforms and model formats, the
parameters it restricts, and the environment variables it expects. Job containers
(fine-tuning `odsc-llm-fine-tuning`, evaluation) need only their image."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from typing import Any

# Keys of `additionalConfigurations` that are environment variables for the container (the
# rest, e.g. `platforms` or `restrictedParams`, describe it): upper-case identifiers.
_ENV_KEY = re.compile(r"^[A-Z][A-Z0-9_]*$")


@dataclass(frozen=True)
class ServiceContainer:
    name: str  # the family, e.g. "odsc-vllm-serving"
    tag: str
    cmd: list[str]  # the container's own PARAMS, before ours and the user's
    server_port: int | None
    health_check_port: int | None
    platforms: frozenset[str]  # NVIDIA_GPU, ARM_CPU, CPU...
    model_formats: frozenset[str]  # SAFETENSORS, GGUF
    restricted: frozenset[str]
    env: dict[str, str] = field(default_factory=dict)

    @property
    def image(self) -> str:
        return f"dsmc://{self.name}:{self.tag}"


def _words(value: Any) -> frozenset[str]:
    return frozenset(p.strip().upper() for p in str(value or "").split(",") if p.strip())


def parse(summary: Any) -> ServiceContainer | None:
    """A ContainerSummary → ServiceContainer, or None when it has no model-deployment workload."""
    workload = next(
        (
            w
            for w in summary.workload_configuration_details_list or []
            if getattr(w, "workload_type", None) == "MODEL_DEPLOYMENT"
        ),
        None,
    )
    if workload is None:
        return None
    extra = dict(getattr(workload, "additional_configurations", None) or {})
    try:
        restricted = json.loads(extra.get("restrictedParams") or "[]")
    except ValueError:
        restricted = []
    try:
        cmd = shlex.split(workload.cmd or "")
    except ValueError:
        cmd = (workload.cmd or "").split()
    return ServiceContainer(
        name=summary.family_name or summary.container_name,
        tag=summary.tag or "latest",
        cmd=cmd,
        server_port=workload.server_port,
        health_check_port=workload.health_check_port,
        platforms=_words(extra.get("platforms")),
        model_formats=_words(extra.get("modelFormats")),
        restricted=frozenset(str(p) for p in restricted if isinstance(p, str)),
        env={k: str(v) for k, v in extra.items() if _ENV_KEY.match(k) and v not in (None, "")},
    )


def pick(summaries: list[Any], family: str) -> ServiceContainer | None:
    """The latest container of a family (by family name, else container name)."""
    matches = [s for s in summaries if family in (s.family_name, s.container_name)]
    matches.sort(key=lambda s: (bool(s.is_latest), s.tag or ""), reverse=True)
    for summary in matches:
        container = parse(summary)
        if container is not None:
            return container
    return None


def job_image(summaries: list[Any], family: str) -> str | None:
    """The image of the latest job-run container of a family (by family name, else container name)."""
    matches = [
        s
        for s in summaries
        if family in (s.family_name, s.container_name)
        and "JOB_RUN" in (getattr(s, "target_workloads", None) or ["JOB_RUN"])
    ]
    if not matches:
        return None
    best = max(matches, key=lambda s: (bool(s.is_latest), s.tag or ""))
    return f"dsmc://{best.family_name or best.container_name}:{best.tag or 'latest'}"


def shape_platform(series: str | None) -> str:
    """The container platform a model-deployment shape series runs (NVIDIA_GPU, ARM_CPU or CPU)."""
    value = (series or "").upper()
    if "GPU" in value:
        return "NVIDIA_GPU"
    if "ARM" in value or "AMPERE" in value:
        return "ARM_CPU"
    return "CPU"


def job_container(summaries: list[Any], family: str) -> Any | None:
    """The latest job-run ContainerSummary of a family (by family name, else container name)."""
    matches = [
        s
        for s in summaries
        if family in (s.family_name, s.container_name)
        and "JOB_RUN" in (getattr(s, "target_workloads", None) or ["JOB_RUN"])
    ]
    return max(matches, key=lambda s: (bool(s.is_latest), s.tag or "")) if matches else None


def job_configuration(summary: Any) -> dict[str, Any]:
    """The JOB_RUN workload's `additionalConfigurations` of a service container, JSON values parsed
    (the evaluation container lists its `metrics` and evaluation `shapes` there)."""
    workload = next(
        (
            w
            for w in getattr(summary, "workload_configuration_details_list", None) or []
            if getattr(w, "workload_type", None) == "JOB_RUN"
        ),
        None,
    )
    use_case = getattr(workload, "use_case_configuration", None)
    extra = dict(getattr(use_case, "additional_configurations", None) or {})
    out: dict[str, Any] = {}
    for key, value in extra.items():
        if isinstance(value, str) and value[:1] in "[{":
            try:
                out[key] = json.loads(value)
                continue
            except ValueError:
                pass
        out[key] = value
    return out
