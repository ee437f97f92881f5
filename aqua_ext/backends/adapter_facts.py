"""What a driver finds of the LoRA adapters a deployment is asked to serve, and of its base model, for the
deployments service's checks (services/adapters.py)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from ..api.deployments import AdapterRequest
from ..api.upstream import served_name


@dataclass(frozen=True)
class AdapterFacts:
    """What the driver found of one adapter asked for (`index`: its place in the request)."""

    index: int
    name: str  # the served name (asked, or the model's name as a slug)
    model_id: str
    model_name: str
    lora: bool  # the model is a LoRA fine-tune with its adapter on this target
    rank: int | None  # adapter_config.json's `r`
    base_model_name_or_path: str | None  # adapter_config.json's
    base_model_id: str | None  # the fine-tuned model's lineage
    weights_path: str  # what the engine loads: the PEFT folder (vLLM), or where its GGUF file is (llama.cpp)
    peft_path: str = ""  # the PEFT folder
    config_path: str = ""  # a folder with the base's config.json (the converter reads it)
    why_not: str | None = None  # when not `lora`: why, in the driver's words (else the service says it generally)


def adapter_name(asked: AdapterRequest, model_name: str) -> str:
    """The name an adapter asked for is served by: the one asked, else (omitted) its model's name as a slug."""
    return asked.name or served_name(model_name)


@dataclass(frozen=True)
class BaseFacts:
    """What names the deployment's model: its id, folder and Hugging Face id, and, for a model converted
    from another (a GGUF twin), the source's as well; `hidden_size` bounds a rank on llama.cpp."""

    names: frozenset[str]
    label: str
    hidden_size: int | None = None


def base_names(*values: str | None) -> frozenset[str]:
    """The names a model is known by, paths made comparable (a folder named two ways is one folder)."""
    out: set[str] = set()
    for value in values:
        if not value:
            continue
        out.add(value)
        if value.startswith("/"):
            out.add(os.path.realpath(value).rstrip("/"))
    return frozenset(out)


@dataclass(frozen=True)
class AdapterChange:
    """A deployment's new set of adapters: what the driver found (`facts`, `base`, the deployment's `engine` and
    `served` name), and, once the service checked them, what it applies (`adapters`, the engine's `args`, and
    `how`: "live" on the running engine, "restart" it, or "saved" for its next start)."""

    deployment_id: str
    engine: str
    served: str
    mode: str
    facts: tuple[AdapterFacts, ...]
    base: BaseFacts
    running: tuple[str, ...] = ()  # the engine's command line, from its run record (none: it never ran)
    adapters: tuple[Any, ...] = ()  # DeploymentAdapter
    args: tuple[str, ...] = ()
    how: str = "restart"
