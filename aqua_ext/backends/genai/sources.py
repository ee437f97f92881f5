"""Where an imported model's files are, read before anything is created: its config.json (the capability is
checked against it by the genai service) and that weights are there, on the Hugging Face hub or under an
Object Storage prefix. Also the memory-fit facts of an imported model, from the same files.

Calls: Hugging Face, the hub's model info (files and sizes; a gated model's config.json HEAD with the token)
and config.json; Object Storage, the prefix's ListObjects and config.json's GetObject. The token is passed
to the hub and to OCI only, never logged or kept."""

from __future__ import annotations

import asyncio
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...api.genai import ImportGenAiModelRequest, ObjectStorageSource
from ...api.models import Architecture
from ...errors import InvalidInput
from ..huggingface import download as hf
from ..model_config import architecture_from_config, context_length_from_config
from ..oci.clients import OciClients
from ..oci.mapping import os_uri, parse_os_uri
from ..oci.models import _config_facts as config_facts

CONFIG_MAX_BYTES = 2_000_000  # config.json is small; anything bigger is not one
WEIGHT_SUFFIXES = (".safetensors",)


@dataclass(frozen=True)
class SourceFacts:
    """What a model's files say: config.json as read, the weights' total size, the architecture."""

    config: dict[str, Any]
    weight_bytes: int
    architecture: Architecture
    context_length: int | None
    gated: bool = False  # a Hugging Face model whose files need a token
    parameter_count: int | None = None

    @classmethod
    def of(cls, config: dict[str, Any], weight_bytes: int, gated: bool = False) -> SourceFacts:
        arch = architecture_from_config(config)
        # The parameter count from the weights' size, as the OCI target reads a registered model's folder.
        params = config_facts(config, weight_bytes).get("parameter_count")
        return cls(config, weight_bytes, arch, context_length_from_config(config), gated, params)


def revision_parts(revision: str | None) -> tuple[str | None, str | None]:
    """A Hugging Face revision as OCI's (branch, commit): 40 hex digits are a commit, anything else a branch
    or tag."""
    value = (revision or "").strip() or None
    is_commit = value is not None and len(value) == 40 and all(ch in "0123456789abcdef" for ch in value.lower())
    return (None, value) if is_commit else (value, None)


def _config(text: bytes | str, where: str, field: str) -> dict[str, Any]:
    try:
        config = json.loads(text)
    except ValueError:
        raise InvalidInput.field(field, f"{where}config.json is not valid JSON") from None
    if not isinstance(config, dict):
        raise InvalidInput.field(field, f"{where}config.json is not a JSON object")
    return config


async def huggingface(hf_id: str, revision: str | None, token: str | None) -> SourceFacts:
    """The hub's answer for the repository (400 naming `token` for a gated model without one, `hf_id` for
    no config.json or no safetensors weights), then its config.json."""
    info = await hf.check_hub(hf_id, revision, token)
    if info.weight_format.value != "safetensors":
        raise InvalidInput.field("hf_id", f"{hf_id} has no *.safetensors weights; Generative AI imports safetensors")
    text = await asyncio.to_thread(_hub_config, hf_id, info.sha, token)
    weights = sum(size for name, size in info.file_sizes.items() if name.endswith(WEIGHT_SUFFIXES))
    return SourceFacts.of(_config(text, f"{hf_id}: ", "hf_id"), weights, info.gated)


def _hub_config(hf_id: str, sha: str, token: str | None) -> bytes:
    from huggingface_hub import hf_hub_download

    with tempfile.TemporaryDirectory(prefix="aqua-genai-config-") as folder:
        path = hf_hub_download(
            hf_id, "config.json", revision=sha, token=token or None, cache_dir=folder, endpoint=hf.hub_endpoint()
        )
        return Path(path).read_bytes()


async def object_storage(c: OciClients, uri: str, field: str = "os_uri") -> SourceFacts:
    """config.json and *.safetensors directly under the prefix (400 naming `field` otherwise)."""
    try:
        bucket, namespace, prefix = parse_os_uri(uri)
    except ValueError as exc:
        raise InvalidInput.field(field, str(exc)) from None
    where = os_uri(bucket, namespace, prefix)
    base = f"{prefix}/" if prefix else ""
    try:
        objects = await c.list_objects_all(namespace, bucket, base)
    except InvalidInput:
        raise
    except Exception as exc:  # a missing bucket or no read policy: the field is what to fix
        raise InvalidInput.field(field, f"{where} cannot be listed: {getattr(exc, 'message', exc)}") from None
    top = {o.name[len(base) :]: int(o.size or 0) for o in objects if "/" not in o.name[len(base) :]}
    weights = sorted(n for n in top if n.endswith(WEIGHT_SUFFIXES))
    if "config.json" not in top:
        raise InvalidInput.field(field, f"no config.json under {where}: Generative AI reads the model's config.json")
    if not weights:
        shown = ", ".join(sorted(top)[:8]) or "nothing"
        raise InvalidInput.field(field, f"no *.safetensors weights directly under {where} (found {shown})")
    if top["config.json"] > CONFIG_MAX_BYTES:
        raise InvalidInput.field(field, f"{where}config.json is {top['config.json']:,} bytes: not a model config")
    data = await c.call("objectstorage", c.object_storage.get_object, namespace, bucket, base + "config.json")
    return SourceFacts.of(_config(data.data.content, where, field), sum(top[n] for n in weights))


async def of_request(c: OciClients, request: ImportGenAiModelRequest) -> SourceFacts:
    if request.source == "huggingface":
        assert request.hf_id is not None
        token = request.token.get_secret_value() if request.token else None
        return await huggingface(request.hf_id.strip(), (request.revision or "").strip() or None, token)
    assert request.os_uri is not None
    return await object_storage(c, request.os_uri.strip())


def terraform_fields(request: ImportGenAiModelRequest, gated: bool) -> dict[str, Any]:
    """The source part of services/terraform.ImportedModelSpec (the token itself is never written)."""
    if request.source == "huggingface":
        branch, commit = revision_parts(request.revision)
        return {
            "hf_model_id": (request.hf_id or "").strip(),
            "hf_branch": branch,
            "hf_commit": commit,
            "hf_token_required": gated or request.token is not None,
        }
    bucket, namespace, prefix = parse_os_uri((request.os_uri or "").strip())
    return {"namespace": namespace, "bucket": bucket, "prefix": prefix}


def os_source_uri(source: ObjectStorageSource) -> str:
    return f"oci://{source.bucket}@{source.namespace}/{source.prefix}"
