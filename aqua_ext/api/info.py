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
    # RAM bandwidth as a memory copy measures it once (hardware.py), for the CPU's decode-speed
    # estimate; None when not measured.
    memory_bandwidth_gb_s: float | None = None


class Engine(ApiModel):
    """An inference or training engine and whether it can run here."""

    name: Literal["transformers", "vllm", "llama.cpp", "trl"]
    label: str
    available: bool
    version: str | None = None
    reason: str | None = None  # why it is unavailable, and what to install


TargetKind = Literal["local", "oci", "genai"]
# How other LoRA adapters reach a deployment once it exists: "live" on the running engine, by a "restart" of
# it, or chosen at create only and changed by deploying again ("redeploy").
AdapterChange = Literal["live", "restart", "redeploy"]


class BackendDescription(ApiModel):
    """One target: what it is, whether it is ready (or why not), and what it runs on."""

    kind: TargetKind
    # The target's name, as in every resource's `target` and in create requests' `target`.
    name: str = ""
    label: str  # "Local (this machine)" or "OCI Data Science · us-ashburn-1"
    ready: bool
    problem: str | None = None  # why it is unavailable (e.g. a missing OCI config); the server still runs
    data_dir: str | None = None  # local target only
    region: str | None = None  # oci target only
    compartment_id: str | None = None  # oci target only
    # What a deployment or a job runs on: this machine's hardware (local) ...
    hardware: Hardware | None = None
    # ... or the model deployment shapes the compartment offers (oci); empty when unknown.
    shapes: list[str] = []
    # The inference modes each engine deploys on this target ("chat", "completion", "embedding"), from
    # the driver's own table: the deploy dialog offers these, and no table of its own. Empty when unknown
    # (a target not started yet); the create request is checked either way.
    engine_modes: dict[str, list[str]] = {}
    # The engines that serve LoRA adapters on this target, and how other adapters reach a deployment once it
    # exists: services/adapters.py's table, which the deploy dialog's adapter picker follows. Empty: no engine
    # here serves adapters.
    adapter_engines: dict[str, AdapterChange] = {}


TargetDescription = BackendDescription


class Info(ApiModel):
    version: str
    # The first enabled target (the default of create requests), as before several targets existed.
    backend: BackendDescription
    # Every enabled target, in order; the first ready one is the default of create requests.
    targets: list[BackendDescription] = []
    hardware: Hardware
    engines: list[Engine]
