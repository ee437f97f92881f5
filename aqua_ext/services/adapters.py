"""Several LoRA adapters on one base: which engines serve them and how, the checks an adapter meets
(the same base as the deployment's model, a rank the engine loads), the engine's flags, and how a
request's `model` picks one.

Engines (what each one's source and documentation say):

- vLLM: `--enable-lora --lora-modules name=path ...`; a request's `model` names the adapter. Its
  `--max-lora-rank` is one of 1, 8, 16, 32, 64, 128, 256, 320, 512 (vllm/config/lora.py), so 512 is the
  highest rank it loads; with VLLM_ALLOW_RUNTIME_LORA_UPDATING set, POST /v1/load_lora_adapter and
  /v1/unload_lora_adapter add and remove adapters on the running engine ("live").
- llama.cpp (llama-server): `--lora FILE` per adapter (GGUF, from llama.cpp's convert_lora_to_gguf.py),
  loaded at start; `--lora-init-without-apply` leaves them off, and a request's `lora` field
  `[{"id": i, "scale": s}]` sets the scales for that request (adapters left out: 0). POST /lora-adapters only
  rescales the adapters already loaded, so adding or removing one restarts the engine ("restart"). llama.cpp
  sets no rank limit of its own; a rank above the base's hidden size is no low-rank adapter (it is larger than
  the full weight update it stands for), so that is refused.
- transformers serve loads one model folder and no adapters; TGI's LoRA serving is not offered here.
- OCI (AQUA's stacked deployment, ads/aqua/modeldeployment/deployment.py): a model group of the base and
  its fine-tuned weights, each with an `inference_key` that a request's `model` names; the vLLM container
  gets `--enable_lora --max-lora-rank 32` and VLLM_ALLOW_RUNTIME_LORA_UPDATING, and a new model group is
  applied as a LIVE update. This extension reads, chats with and creates such deployments (backends/oci/stacked.py),
  so a rank above that 32 is refused there. Changing a stacked deployment's adapters (a new group) is not offered:
  they are chosen at create ("redeploy": deploy again with others).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..api.deployments import DeploymentAdapter
from ..api.info import AdapterChange
from ..api.upstream import UpstreamTarget
from ..backends.adapter_facts import AdapterFacts, BaseFacts, base_names
from ..backends.engine_tokens import param_value
from ..errors import InvalidInput

# vLLM's allowed --max-lora-rank values (vllm/config/lora.py, `MaxLoRARanks`).
VLLM_LORA_RANKS = (1, 8, 16, 32, 64, 128, 256, 320, 512)
# AQUA's stacked deployments start vLLM with this --max-lora-rank (ads/aqua/modeldeployment/deployment.py,
# `_create`: "sets `--max-lora-rank` as 32 in params for now").
OCI_STACKED_MAX_RANK = 32


@dataclass(frozen=True)
class AdapterEngine:
    """How an engine serves adapters."""

    max_rank: int | None  # the highest LoRA rank it loads (None: its own limit is none)
    applied: AdapterChange  # how an adapter is added or removed once it serves


ADAPTER_ENGINES: dict[str, AdapterEngine] = {
    "vllm": AdapterEngine(max_rank=VLLM_LORA_RANKS[-1], applied="live"),
    "llama.cpp": AdapterEngine(max_rank=None, applied="restart"),
}
# OCI: AQUA's stacked deployment (a model group) on the vLLM service container, its adapters fixed at create.
OCI_ADAPTER_ENGINES: dict[str, AdapterEngine] = {
    "vllm": AdapterEngine(max_rank=OCI_STACKED_MAX_RANK, applied="redeploy"),
}

# The engines that serve adapters, per target kind: what a create checks and the deploy dialog offers.
TARGET_ENGINES: dict[str, dict[str, AdapterEngine]] = {"local": ADAPTER_ENGINES, "oci": OCI_ADAPTER_ENGINES}

# Targets whose drivers change a running or stopped deployment's adapters, and the engines they do it for
# (OCI's stacked deployments would need a new model group: not offered, so OCI is not here).
CHANGEABLE: dict[str, dict[str, AdapterEngine]] = {"local": ADAPTER_ENGINES}


def adapter_engines(target: str) -> dict[str, AdapterChange]:
    """The engines that serve adapters on `target`, and how other adapters reach a deployment once it exists."""
    return {engine: support.applied for engine, support in TARGET_ENGINES.get(target, {}).items()}


def takes_adapters(target: str, engine: str, mode: str) -> bool:
    """Whether a deployment on `target` served by `engine` in `mode` may be given other adapters (the state's
    part of the rule is the lifecycle table's, services/deployments.py)."""
    return mode != "embedding" and engine in CHANGEABLE.get(target, {})


def where_adapters_change() -> str:
    """The deployments whose adapters change, in words (the 409's when takes_adapters says no)."""
    places = "; ".join(
        f"{' or '.join(sorted(engines))} on the {target} target" for target, engines in CHANGEABLE.items()
    )
    return f"adapters change on chat or completion deployments served by {places}"


def check_adapters(
    engine: str,
    adapters: list[AdapterFacts],
    base: BaseFacts,
    served: str,
    *,
    mode: str = "chat",
    target: str = "local",
) -> list[DeploymentAdapter]:
    """The adapters a deployment of `base` on `engine` serves on a `target` of that kind, checked; InvalidInput
    naming the field (`adapters.<i>`, the item; `adapters`; `engine`) otherwise."""
    if not adapters:
        return []
    if mode == "embedding":
        raise InvalidInput.field("adapters", "an embedding deployment gives vectors; adapters change answers")
    table = TARGET_ENGINES.get(target, {})
    support = table.get(engine)
    if support is None:
        offered = ", ".join(sorted(table)) or "none"
        raise InvalidInput.field(
            "engine", f"{engine} does not serve LoRA adapters on the {target} target; engines that do: {offered}"
        )
    # The engine's limit; llama.cpp, which has none, the base's.
    if support.max_rank is not None:
        limit: int | None = support.max_rank
        why = f"{engine} on the {target} target loads ranks up to {limit}"
    else:
        limit = base.hidden_size
        why = f"the base's hidden size is {limit}, and a larger rank is no low-rank adapter"
    names: set[str] = set()
    out: list[DeploymentAdapter] = []
    for a in adapters:
        field = f"adapters.{a.index}"
        if a.name == served:
            raise InvalidInput.field(field, f"'{a.name}' is the base model's name; name the adapter otherwise")
        if a.name in names:
            raise InvalidInput.field(field, f"two adapters are named '{a.name}'; name one otherwise")
        if not a.lora:
            why = a.why_not or f"'{a.model_name}' is not a LoRA fine-tune: it has no adapter to serve"
            raise InvalidInput.field(field, why)
        trained_on = base_names(a.base_model_name_or_path) | base_names(a.base_model_id)
        if not trained_on & base.names:
            said = a.base_model_name_or_path or a.base_model_id or "an unknown base"
            raise InvalidInput.field(
                field,
                f"'{a.model_name}' was trained on {said}; this deployment serves {base.label}: "
                "an adapter only fits the base it was trained on",
            )
        if a.rank is not None and limit is not None and a.rank > limit:
            raise InvalidInput.field(field, f"'{a.model_name}' has LoRA rank {a.rank}; {why}")
        names.add(a.name)
        out.append(DeploymentAdapter(name=a.name, model_id=a.model_id, model_name=a.model_name, rank=a.rank))
    return out


def adapter_args(
    engine: str, adapters: list[AdapterFacts], ranks: list[int | None], *, target: str = "local"
) -> list[str]:
    """The engine's flags that load `adapters` (checked ones), in their order (llama.cpp's ids follow it)."""
    if not adapters:
        return []
    if target == "oci" and engine == "vllm":
        # AQUA's stacked deployment (ads/aqua/modeldeployment/deployment.py `_create`): a fixed rank limit and
        # vLLM's underscore spelling of --enable-lora; the model group, not flags, names the adapters.
        return ["--max-lora-rank", str(OCI_STACKED_MAX_RANK), "--enable_lora"]
    if engine == "llama.cpp":
        # Loaded off: a request without an adapter is answered by the base.
        return [token for a in adapters for token in ("--lora", a.weights_path)] + ["--lora-init-without-apply"]
    if engine == "vllm":
        highest = max((r for r in ranks if r), default=VLLM_LORA_RANKS[0])
        rank = next(r for r in VLLM_LORA_RANKS if r >= highest)
        return [
            "--enable-lora",
            "--max-loras",
            str(len(adapters)),
            "--max-lora-rank",
            str(rank),
            "--lora-modules",
            *(f"{a.name}={a.weights_path}" for a in adapters),
        ]
    raise InvalidInput.field("engine", f"{engine} does not serve LoRA adapters here")


def live_fits(running: tuple[str, ...] | list[str], wanted: list[str]) -> bool:
    """Whether vLLM, started with the command line `running` (its adapter flags among it), can load the set
    `wanted` flags describe without a restart: it was started with adapters on (--enable-lora), with a
    --max-lora-rank that holds the new ones, and --max-loras for as many (more would be served, but not in
    one batch). The flags stand once in a command line: users cannot pass these (services/engine_params.py)."""
    if "--enable-lora" not in running:
        return False
    for flag in ("--max-lora-rank", "--max-loras"):
        started, needed = param_value(list(running), flag), param_value(wanted, flag)
        if needed is not None and (started is None or int(needed) > int(started)):
            return False
    return True


# ---- per request ------------------------------------------------------------------------------------


def adapter_named(target: UpstreamTarget, name: str | None, field: str) -> str | None:
    """The adapter `name` picks on this deployment (None: the base); InvalidInput naming `field` when the
    deployment has no such adapter. `name` may be the adapter's name or `<served name>/<adapter>`."""
    if name is None or name in (target.served_model_name, target.model):
        return None
    prefix = f"{target.served_model_name}/"
    short = name[len(prefix) :] if name.startswith(prefix) else name
    if short in target.adapters:
        return short
    served = [target.served_model_name, *target.adapters]
    raise InvalidInput.field(field, f"this deployment serves no model '{name}'; it serves {', '.join(served)}")


def route(target: UpstreamTarget, adapter: str | None, body: dict[str, Any]) -> None:
    """Set what the engine needs in `body` to answer with `adapter` (None: the base), `model` included."""
    body["model"] = target.model
    if not target.adapters:
        return
    if target.adapter_routing == "llama.cpp":
        # Every loaded adapter's scale, the base's answer included: global scales set through POST /lora-adapters
        # would otherwise apply to a request that names none.
        body["lora"] = [{"id": i, "scale": 1.0 if name == adapter else 0.0} for i, name in enumerate(target.adapters)]
    elif adapter is not None:
        body["model"] = adapter  # vLLM and AQUA's stacked deployments: `model` names the adapter


def route_openai(target: UpstreamTarget, body: dict[str, Any]) -> None:
    """The OpenAI pass-through: the request's `model` picks the base or an adapter. Without adapters
    any `model` reaches the base (clients send whatever name they were configured with)."""
    requested = body.get("model")
    if "lora" in body and target.adapters:
        raise InvalidInput.field("lora", "name an adapter in `model`; this server sets the adapter scales")
    if not target.adapters:
        route(target, None, body)
        return
    if requested is not None and not isinstance(requested, str):
        raise InvalidInput.field("model", f"expected a model name, got {requested!r}")
    route(target, adapter_named(target, requested, "model"), body)


def models_listing(target: UpstreamTarget) -> list[dict[str, Any]]:
    """GET …/v1/models: the base under its served name, then each adapter with the base as its parent
    (as vLLM lists its --lora-modules)."""
    base = target.served_model_name or target.model
    entry = {"object": "model", "owned_by": "aqua_ext", "created": 0}
    return [{"id": base, **entry}, *({"id": name, "parent": base, **entry} for name in target.adapters)]
