"""`aqua-ext genai models|clusters|endpoints|finetunes …`: OCI Generative AI from the terminal, through the
same genai service as the REST routes (the same checks, the same 400s).

Each group lists, gets, creates and deletes. A create follows its work request until it ends (--no-wait
returns at once); `--export terraform [-o FILE]` runs the create's checks and prints (or writes) the HCL
instead, creating nothing. A Hugging Face token is read from HF_TOKEN, never from the command line."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Any, get_args

from pydantic import BaseModel

from ..api.fit import Dtype
from ..api.genai import (
    ClusterPlanQuery,
    CreateClusterRequest,
    CreateGenAiEndpointRequest,
    CreateGenAiFineTuneRequest,
    GenAiTrainingConfig,
    ImportGenAiModelRequest,
    ObjectStorageDataset,
    TrainingConfigType,
)
from ..api.models import Capability
from ..api.operations import TERMINAL_STATES, Operation, OperationState
from ..errors import InvalidInput
from .context import Context, add_command, add_group, given_flags, request_from_flags
from .output import add_export_flags, check_export_output, emit, error, table, write_export

GROUPS = ("models", "clusters", "endpoints", "finetunes")
# Hyperparameters the fine-tune command takes as flags (`--lora-r 16`), as the training config names them.
TRAINING_FLAGS: dict[str, type] = {
    "total_training_epochs": int,
    "learning_rate": float,
    "training_batch_size": int,
    "early_stopping_patience": int,
    "early_stopping_threshold": float,
    "log_model_metrics_interval_in_steps": int,
    "num_of_last_layers": int,
    "lora_r": int,
    "lora_alpha": int,
    "lora_dropout": float,
}


def add_parser(sub: Any) -> None:
    genai = add_group(sub, "genai", "OCI Generative AI: imported models, dedicated AI clusters, endpoints, fine-tunes")
    groups = {name: add_group(genai, name, f"Generative AI {name}") for name in GROUPS}
    for name, group in groups.items():
        add_command(group, "list", f"list {name}")
        for verb in ("get", "delete"):
            add_command(group, verb, f"{verb} one").add_argument("id")

    add_command(groups["models"], "on-demand", "the region's base models served on demand (chat, embeddings)")
    imp = _create(groups["models"], "import", "import a model from Hugging Face (HF_TOKEN) or Object Storage")
    imp.add_argument("--capability", required=True, choices=[c.value for c in Capability])
    src = imp.add_mutually_exclusive_group(required=True)
    src.add_argument("--hf-id", help="Hugging Face repository id (a gated one needs HF_TOKEN)")
    src.add_argument("--os-uri", help="oci://bucket@namespace/prefix holding config.json and the weights")
    imp.add_argument("--revision", help="Hugging Face branch, tag or commit")
    imp.add_argument("--region", help="the bucket's region, when not the target's")
    imp.add_argument("--vendor")
    imp.add_argument("--version")

    cluster = _create(groups["clusters"], "create", "create a dedicated AI cluster (unit shape from the memory fit)")
    cluster.add_argument("--type", choices=("HOSTING", "FINE_TUNING"), default="HOSTING")
    _fit_flags(cluster)
    cluster.add_argument("--unit-shape", help="e.g. A10_X2 (default: the smallest that holds --model-id)")
    plan = add_command(groups["clusters"], "plan", "every unit shape for a model: fit, limit, AI units and cost")
    _fit_flags(plan)

    endpoint = _create(groups["endpoints"], "create", "create an endpoint for a model on a hosting cluster")
    endpoint.add_argument("--model-id", required=True)
    endpoint.add_argument("--cluster-id", required=True, help="an ACTIVE HOSTING dedicated AI cluster")
    endpoint.add_argument("--content-moderation", action=argparse.BooleanOptionalAction, default=None)

    finetune = _create(groups["finetunes"], "create", "fine-tune a base model on a FINE_TUNING cluster")
    finetune.add_argument("--base-model-id", required=True)
    finetune.add_argument("--cluster-id", required=True, help="an ACTIVE FINE_TUNING dedicated AI cluster")
    finetune.add_argument("--dataset", required=True, help="oci://bucket@namespace/object.jsonl (prompt/completion)")
    finetune.add_argument("--training-type", choices=[t.value for t in TrainingConfigType])
    for name, kind in TRAINING_FLAGS.items():
        finetune.add_argument("--" + name.replace("_", "-"), type=kind)
    finetune.add_argument("--vendor")
    finetune.add_argument("--version")
    add_command(groups["finetunes"], "defaults", "each training method's hyperparameters: defaults and ranges")


def _create(group: Any, verb: str, help: str) -> Any:
    parser = add_command(group, verb, help)
    parser.add_argument("--name", required=True, help="display name")
    parser.add_argument("--description", default="")
    parser.add_argument("--no-wait", action="store_true", help="print what was created and return at once")
    add_export_flags(parser, "print the Terraform (or the OCI SDK calls in Python) instead of creating anything")
    return parser


def _fit_flags(parser: Any) -> None:
    parser.add_argument("--model-id", help="the model it is for (the memory fit picks or checks the unit shape)")
    parser.add_argument("--unit-count", type=int, default=1)
    parser.add_argument("--context-length", type=int, default=4096)
    parser.add_argument("--dtype", choices=get_args(Dtype), default="bfloat16")


def _os_dataset(uri: str) -> ObjectStorageDataset:
    try:
        return ObjectStorageDataset.from_uri(uri)
    except ValueError as exc:
        raise InvalidInput.field("dataset", str(exc)) from None


# Request fields whose flag has another name (`--name` is the display name).
FLAG_OF = {"display_name": "name", "dedicated_ai_cluster_id": "cluster_id"}
REQUESTS: dict[str, type[BaseModel]] = {
    "models": ImportGenAiModelRequest,
    "clusters": CreateClusterRequest,
    "endpoints": CreateGenAiEndpointRequest,
    "finetunes": CreateGenAiFineTuneRequest,
}


def _request(ctx: Context, group: str) -> BaseModel:
    """The create request from the flags of the same names (validated as the route validates its body)."""
    a = ctx.args
    fields: dict[str, Any] = {}
    if group == "models":
        fields["source"] = "huggingface" if a.hf_id else "object_storage"
        fields["token"] = (os.environ.get("HF_TOKEN") or None) if a.hf_id else None
    if group == "finetunes":
        hyper = given_flags(a, TRAINING_FLAGS)
        if hyper and not a.training_type:
            raise InvalidInput.field("training_type", "hyperparameters need --training-type (LoRA, T-Few or vanilla)")
        fields["training_dataset"] = _os_dataset(a.dataset)
        fields["training_config"] = (
            GenAiTrainingConfig(training_config_type=a.training_type, **hyper) if a.training_type else None
        )
    return request_from_flags(REQUESTS[group], a, renamed=FLAG_OF, **fields)


# The genai service's method names per group: (list, get, delete, create, terraform).
METHODS = {
    "models": ("list_models", "get_model", "delete_model", "import_model", "model_terraform"),
    "clusters": ("list_clusters", "get_cluster", "delete_cluster", "create_cluster", "cluster_terraform"),
    "endpoints": ("list_endpoints", "get_endpoint", "delete_endpoint", "create_endpoint", "endpoint_terraform"),
    "finetunes": ("list_finetunes", "get_finetune", "delete_finetune", "create_finetune", "finetune_terraform"),
}
_COLUMNS = {
    "models": ("id", "name", "type", "state"),
    "clusters": ("id", "name", "type", "unit_shape", "unit_count", "state"),
    "endpoints": ("id", "name", "model_name", "state"),
    "finetunes": ("id", "name", "base_model_name", "state"),
}


async def run(ctx: Context) -> int:
    args, genai = ctx.args, ctx.services.genai
    group = args.genai_command
    verb = getattr(args, f"{group}_command")
    list_m, get_m, delete_m, create_m, tf_m = METHODS[group]
    if verb == "list":
        items = (await getattr(genai, list_m)()).items
        rows = [[str(getattr(i, c)) for c in _COLUMNS[group]] for i in items]
        emit(args, list(items), table(rows, [c.upper() for c in _COLUMNS[group]]) + f"\n{len(items)} {group}")
        return 0
    if verb == "get":
        item = await getattr(genai, get_m)(args.id)
        emit(args, item, item.model_dump_json(indent=2))
        return 0
    if verb == "delete":
        await getattr(genai, delete_m)(args.id)
        emit(args, None, f"deleting {args.id}")
        return 0
    if verb == "plan":
        query = ClusterPlanQuery(
            model_id=args.model_id, unit_count=args.unit_count, context_length=args.context_length, dtype=args.dtype
        )
        plan = await genai.cluster_plan(query)
        rows = [
            [
                s.unit_shape + (" *" if s.recommended else ""),
                {True: "yes", False: "no", None: "?"}[s.fits],
                f"{s.cost.ai_unit_hours_per_hour:g}",
                "-" if s.cost.hourly is None else f"${s.cost.hourly:,.2f}",
                s.limit_name,
                "?" if s.available is None else str(s.available),
            ]
            for s in plan.shapes
        ]
        text = table(rows, ["UNIT SHAPE", "FITS", "AI UNITS/H", "PER HOUR", "LIMIT", "LEFT"])
        emit(args, plan, text + "\n" + "\n".join(plan.notes))
        return 0
    if verb == "on-demand":
        listing = await genai.list_on_demand_models()
        rows = [[m.id, m.name, m.mode, m.note] for m in listing.items]
        text = table(rows, ["ID (THE DEPLOYMENT ID)", "NAME", "MODE", "NOTE"]) + f"\n{listing.total} on-demand models"
        emit(args, listing, text)
        return 0
    if verb == "defaults":
        defaults = genai.training_defaults()
        emit(args, defaults, defaults.model_dump_json(indent=2))
        return 0
    check_export_output(args)
    request = _request(ctx, group)
    extra = (ctx.dataset_access(),) if group == "finetunes" else ()
    if args.export:
        return await write_export(args, await getattr(genai, tf_m)(request, *extra))
    response = await getattr(genai, create_m)(request, *extra)
    created = next(v for k, v in response if k != "operation")
    if args.no_wait:
        emit(
            args,
            response,
            f"creating {created.name} as {created.id}; follow with: aqua-ext genai {group} get {created.id}",
        )
        return 0
    op = await _follow(ctx, response.operation)
    if op.state != OperationState.SUCCEEDED:
        error(op.error or op.state.value)
        return 1
    item = await getattr(genai, get_m)(created.id)
    emit(args, item, f"{item.name} is {item.state}: {item.id}")
    return 0


async def _follow(ctx: Context, op: Operation) -> Operation:
    """Wait for the work request the operation follows, showing its progress (on stderr)."""
    while op.state not in TERMINAL_STATES:
        if not ctx.args.json:
            pct = f"{op.progress * 100:5.1f}%" if op.progress is not None else ""
            print(f"\r{pct} {op.message}".ljust(70), end="", file=sys.stderr, flush=True)
        await asyncio.sleep(0.2)
        op = ctx.operations.get(op.id)
    if not ctx.args.json:
        print(file=sys.stderr)
    return op
