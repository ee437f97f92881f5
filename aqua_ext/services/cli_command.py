"""The `aqua-ext …` command line of a create form's request: the same action from a terminal, shown next to
the form's Terraform. Every value is shell-quoted; a Hugging Face token is never written (the CLI reads
HF_TOKEN from the environment, and the command says so in a comment line)."""

from __future__ import annotations

import shlex
from collections.abc import Iterator

from ..api.deployments import CreateDeploymentRequest
from ..api.finetunes import CreateFineTuneRequest
from ..api.genai import (
    CreateClusterRequest,
    CreateGenAiEndpointRequest,
    CreateGenAiFineTuneRequest,
    ImportGenAiModelRequest,
)

# The create requests with a command line (each form with a Terraform export).
GenAiCreateRequest = (
    ImportGenAiModelRequest | CreateClusterRequest | CreateGenAiEndpointRequest | CreateGenAiFineTuneRequest
)
CreateRequest = GenAiCreateRequest | CreateDeploymentRequest | CreateFineTuneRequest

HF_TOKEN_NOTE = "# A gated model: export HF_TOKEN=<your Hugging Face token> first (it is never written here)."


def _flags(pairs: list[tuple[str, object]]) -> Iterator[str]:
    """`--flag=value` for each value given; a bool is `--flag` / `--no-flag` (argparse's BooleanOptionalAction)."""
    for flag, value in pairs:
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            yield flag if value else "--no-" + flag.removeprefix("--")
        else:
            # `--flag=value`: argparse would take a value starting with `-` (an engine's `--param`) for a flag.
            yield f"{flag}={shlex.quote(str(value))}"


def create_command(request: CreateRequest) -> str:
    """The CLI line doing what `request` (a validated create request of a form with a Terraform export) does."""
    note = ""
    if isinstance(request, ImportGenAiModelRequest):
        words = ["genai", "models", "import"]
        pairs: list[tuple[str, object]] = [
            ("--name", request.display_name),
            ("--description", request.description),
            ("--capability", request.capability.value),
            ("--hf-id", request.hf_id if request.source == "huggingface" else None),
            ("--os-uri", request.os_uri if request.source == "object_storage" else None),
            ("--revision", request.revision),
            ("--region", request.region),
            ("--vendor", request.vendor),
            ("--version", request.version),
        ]
        if request.source == "huggingface" and request.token is not None:
            note = HF_TOKEN_NOTE + "\n"
    elif isinstance(request, CreateClusterRequest):
        words = ["genai", "clusters", "create"]
        pairs = [
            ("--name", request.display_name),
            ("--description", request.description),
            ("--type", request.type),
            ("--unit-shape", request.unit_shape),
            ("--unit-count", request.unit_count),
            ("--model-id", request.model_id),
            ("--context-length", request.context_length),
            ("--dtype", request.dtype),
        ]
    elif isinstance(request, CreateGenAiEndpointRequest):
        words = ["genai", "endpoints", "create"]
        pairs = [
            ("--name", request.display_name),
            ("--description", request.description),
            ("--model-id", request.model_id),
            ("--cluster-id", request.dedicated_ai_cluster_id),
            ("--content-moderation", request.content_moderation),
        ]
    elif isinstance(request, CreateGenAiFineTuneRequest):
        words = ["genai", "finetunes", "create"]
        data = request.training_dataset
        pairs = [
            ("--name", request.display_name),
            ("--description", request.description),
            ("--base-model-id", request.base_model_id),
            ("--cluster-id", request.dedicated_ai_cluster_id),
            ("--dataset", f"oci://{data.bucket}@{data.namespace}/{data.object}"),
            ("--vendor", request.vendor),
            ("--version", request.version),
        ]
        if request.training_config is not None:
            config = request.training_config.model_dump(mode="json", exclude_none=True)
            pairs.append(("--training-type", config.pop("training_config_type")))
            pairs += [("--" + name.replace("_", "-"), value) for name, value in config.items()]
    elif isinstance(request, CreateFineTuneRequest):
        words = ["finetune", "create", shlex.quote(request.model_id), shlex.quote(request.dataset_path)]
        params = request.params.model_dump(mode="json")
        modules = params.pop("lora_target_modules")
        pad = params.pop("pad_to_max_length")
        if request.params.training_type == "lora":
            params.pop("last_n_layers")
        pairs = [
            ("--name", request.name),
            ("--description", request.description),
            ("--validation-split", request.validation_split),
            *(("--" + name.replace("_", "-"), value) for name, value in params.items()),
            ("--pad-to-max-length", True if pad else None),  # a store_true flag: no --no- form
            ("--lora-target-modules", ",".join(modules) or None),
            ("--shape", request.shape),
            ("--replicas", request.replicas),
            ("--output-uri", request.output_uri),
            ("--experiment-name", request.experiment_name),
            ("--subnet-id", request.subnet_id),
            ("--log-group-id", request.log_group_id),
            ("--log-id", request.log_id),
            ("--target", request.target),
        ]
    else:
        words = ["deployments", "create", shlex.quote(request.model_id)]
        pairs = [
            ("--name", request.name),
            ("--description", request.description),
            ("--shape", request.shape),
            ("--replicas", request.replicas),
            ("--engine", request.engine),
            ("--mode", request.mode),
            ("--dtype", request.dtype),
            ("--quantization", request.quantization),
            ("--max-model-len", request.max_model_len),
            ("--idle-stop-minutes", request.idle_stop_minutes),
            ("--log-group-id", request.log_group_id),
            ("--log-id", request.log_id),
            ("--target", request.target),
        ]
        # The CLI splits each --param value as a shell would: quote each token for that split, then for the shell.
        pairs += [("--param", shlex.quote(token)) for token in request.params]
    return note + " \\\n  ".join([" ".join(["aqua-ext", *words]), *_flags(pairs)])
