"""`GET aqua-ext/info`: what this server is and what it can run."""

from __future__ import annotations

from typing import Literal

from .common import ApiModel


class Gpu(ApiModel):
    index: int
    name: str
    memory_gb: float
    vendor: Literal["nvidia", "amd", "apple", "other"] = "nvidia"


class Hardware(ApiModel):
    cpu_count: int
    memory_gb: float
    gpus: list[Gpu]
    platform: str


class Engine(ApiModel):
    """An inference or training engine and whether it can run here."""

    name: Literal["transformers", "vllm", "llama.cpp", "trl"]
    label: str
    available: bool
    version: str | None = None
    reason: str | None = None  # why it is unavailable, and what to install


class BackendDescription(ApiModel):
    kind: Literal["local", "oci"]
    label: str  # "Local (this machine)" or "OCI Data Science · us-ashburn-1"
    ready: bool
    problem: str | None = None  # e.g. a missing OCI config; the server still runs
    data_dir: str | None = None  # local backend only
    region: str | None = None  # oci backend only
    compartment_id: str | None = None  # oci backend only


class Info(ApiModel):
    version: str
    backend: BackendDescription
    hardware: Hardware
    engines: list[Engine]
