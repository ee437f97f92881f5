"""OCI Data Science models ↔ our model entity, following Oracle AQUA's tags and
metadata so that either tool sees what the other created.

- service ("verified") models: category SERVICE with the freeform tag OCI_AQUA;
- registered models: tag `aqua_custom_base_model`; fine-tuned: `aqua_fine_tuned_model`
  (value "<base OCID>#<base name>");
- tags `task`, `organization`, `license`, `ready_to_fine_tune`, `ready_to_import`,
  `model_format` ("SAFETENSORS,GGUF"); `OCI_AQUA` == "active" → ready to deploy (for
  fine-tuned models: once their job run SUCCEEDED, see finetunes.py);
- custom metadata `artifact_location` (oci://…), `model_file` (GGUF), the container families
  `deployment-container`, `finetune-container`, `evaluation-container` (AQUA deploys, fine-tunes and
  evaluates a registered model with them), and ours:
  `parameter_count`, `context_length`, `size_bytes`, `architecture` (JSON), `hf_id`,
  `fine_tune_dataset_hash` (a fine-tuned model's lineage).
Ids are the OCIDs; a fine-tuned model's id is also its fine-tune's id.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any

from ...api.models import (
    HF_ID_PATTERN,
    Architecture,
    Capability,
    Lineage,
    ModelDetail,
    ModelFormat,
    ModelSource,
    ModelSummary,
    Quantization,
)
from ...catalog import curated_entries

TAG_AQUA = "OCI_AQUA"
TAG_CUSTOM_BASE = "aqua_custom_base_model"
TAG_FINE_TUNED = "aqua_fine_tuned_model"
TAG_SERVICE_MODEL = "aqua_service_model"
TAG_TASK = "task"
TAG_ORGANIZATION = "organization"
TAG_LICENSE = "license"
TAG_READY_TO_FINE_TUNE = "ready_to_fine_tune"
TAG_READY_TO_IMPORT = "ready_to_import"
TAG_MODEL_FORMAT = "model_format"
# Ours: ListModels rows carry tags but no metadata, so the parameter count the model list shows is a tag too.
TAG_PARAMETER_COUNT = "parameter_count"

MD_ARTIFACT_LOCATION = "artifact_location"
MD_MODEL_FILE = "model_file"
MD_PARAMETER_COUNT = "parameter_count"
MD_CONTEXT_LENGTH = "context_length"
MD_SIZE_BYTES = "size_bytes"
MD_ARCHITECTURE = "architecture"
MD_QUANTIZATION = "quantization"  # config.json's quantization_config, as api.models.Quantization
MD_HF_ID = "hf_id"
MD_DATASET_HASH = "fine_tune_dataset_hash"
# AQUA's container families, by the keys its deploy / fine-tune / evaluate read from a model's metadata.
MD_DEPLOYMENT_CONTAINER = "deployment-container"
MD_FINETUNE_CONTAINER = "finetune-container"
MD_EVALUATION_CONTAINER = "evaluation-container"
SERVING_FAMILY_VLLM = "odsc-vllm-serving"
SERVING_FAMILY_LLAMA_CPP = "odsc-llama-cpp-serving"
FINETUNE_FAMILY = "odsc-llm-fine-tuning"
EVALUATION_FAMILY = "odsc-llm-evaluate"

# An OCID: ocid1.<resource type>.<realm>.[region][.future use].<unique id>
OCID_PATTERN = re.compile(r"^ocid1\.([a-z0-9]+)\.([a-z0-9-]+)\.([a-z0-9-]*)(\.[a-z0-9-]*)?\.[A-Za-z0-9._-]{1,255}$")
OS_URI_PARTS = re.compile(
    r"^oci://(?P<bucket>[A-Za-z0-9._-]{1,256})@(?P<namespace>[A-Za-z0-9._-]{1,256})(?:/(?P<prefix>.*))?$"
)

_TASK_CAPABILITY = {
    "text-generation": Capability.TEXT_TO_TEXT,
    "text2text-generation": Capability.TEXT_TO_TEXT,
    "conversational": Capability.TEXT_TO_TEXT,
    "code-synthesis": Capability.TEXT_TO_TEXT,
    "image-text-to-text": Capability.IMAGE_TEXT_TO_TEXT,
    "image-to-text": Capability.IMAGE_TEXT_TO_TEXT,
    "feature-extraction": Capability.EMBEDDING,
    "text-embedding": Capability.EMBEDDING,
    "embedding": Capability.EMBEDDING,
    "sentence-similarity": Capability.EMBEDDING,
    "text-ranking": Capability.RERANK,
    "rerank": Capability.RERANK,
}


def ocid_kind(value: str) -> str | None:
    """The resource type of a well-formed OCID ("datasciencemodel"), else None."""
    m = OCID_PATTERN.match(value or "")
    return m.group(1) if m else None


def parse_os_uri(uri: str) -> tuple[str, str, str]:
    """(bucket, namespace, prefix without leading/trailing '/') of oci://bucket@namespace/prefix."""
    m = OS_URI_PARTS.match(uri.strip())
    if not m:
        raise ValueError("must look like 'oci://bucket@namespace/path/to/model'")
    return m.group("bucket"), m.group("namespace"), (m.group("prefix") or "").strip("/")


def os_uri(bucket: str, namespace: str, prefix: str) -> str:
    return f"oci://{bucket}@{namespace}/{prefix.strip('/')}" + ("/" if prefix.strip("/") else "")


def ci_tags(tags: dict[str, Any] | None) -> dict[str, str]:
    """Tags by lower-cased key (AQUA matches OCI_AQUA case-insensitively)."""
    return {str(k).lower(): str(v) for k, v in (tags or {}).items()}


def aware(value: datetime | None) -> datetime:
    """A timestamp with its time zone (OCI's are UTC); now for none."""
    if value is None:
        return datetime.now(timezone.utc)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("true", "yes", "1")


def is_service_aqua_model(summary: Any) -> bool:
    return TAG_AQUA.lower() in ci_tags(summary.freeform_tags)


def is_ready_to_deploy_tag(tags: dict[str, Any] | None) -> bool:
    return ci_tags(tags).get(TAG_AQUA.lower(), "").strip().lower() == "active"


def is_user_aqua_model(summary: Any) -> bool:
    tags = ci_tags(summary.freeform_tags)
    return TAG_CUSTOM_BASE in tags or TAG_FINE_TUNED in tags


def model_source(category: str | None, tags: dict[str, str]) -> ModelSource:
    if TAG_FINE_TUNED in tags:
        return ModelSource.FINE_TUNED
    if (category or "").upper() == "SERVICE":
        return ModelSource.CATALOG
    return ModelSource.REGISTERED


def capability_of(task: str | None) -> Capability:
    key = (task or "").strip().lower().replace("_", "-")
    return _TASK_CAPABILITY.get(key, Capability.TEXT_TO_TEXT)


def formats_of(tags: dict[str, str]) -> list[ModelFormat]:
    out = []
    for part in (tags.get(TAG_MODEL_FORMAT) or "SAFETENSORS").split(","):
        try:
            fmt = ModelFormat(part.strip().lower())
        except ValueError:
            continue
        if fmt not in out:
            out.append(fmt)
    return out or [ModelFormat.SAFETENSORS]


def catalog_match(name: str) -> dict[str, Any] | None:
    """A curated entry whose Hugging Face id (or its repository name) is this model's
    display name: service models are named after their HF repository. Gives memory fit
    the parameter count and architecture that OCI does not record."""
    key = name.strip().lower()
    for entry in curated_entries():
        hf_id = entry["hf_id"].lower()
        if key in (hf_id, hf_id.split("/", 1)[1]):
            return entry
    return None


def custom_metadata(model: Any) -> dict[str, str]:
    return {m.key: m.value for m in (getattr(model, "custom_metadata_list", None) or []) if m.key}


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _base_fields(item: Any) -> dict[str, Any]:
    tags = ci_tags(item.freeform_tags)
    source = model_source(getattr(item, "category", None), tags)
    task = tags.get(TAG_TASK)
    capability = capability_of(task)
    formats = formats_of(tags)
    ready_to_import = _truthy(tags.get(TAG_READY_TO_IMPORT))
    active = getattr(item, "lifecycle_state", "ACTIVE") == "ACTIVE"
    if source == ModelSource.CATALOG:
        ready_to_deploy = is_ready_to_deploy_tag(item.freeform_tags) and not ready_to_import
    elif source == ModelSource.FINE_TUNED:  # AQUA leaves OCI_AQUA empty until training succeeded
        ready_to_deploy = active and is_ready_to_deploy_tag(item.freeform_tags)
    else:
        ready_to_deploy = active
    ready_to_finetune = _truthy(tags.get(TAG_READY_TO_FINE_TUNE)) and ModelFormat.SAFETENSORS in formats
    labels = {
        ModelSource.CATALOG: "service",
        ModelSource.REGISTERED: "registered",
        ModelSource.FINE_TUNED: "fine-tuned",
    }[source]
    name = item.display_name or item.id
    entry = catalog_match(name)
    hf_id = entry["hf_id"] if entry else (name if re.match(HF_ID_PATTERN, name) else None)
    created: datetime | None = getattr(item, "time_created", None)
    return dict(
        id=item.id,
        name=name,
        source=source,
        organization=tags.get(TAG_ORGANIZATION) or None,
        license=tags.get(TAG_LICENSE) or None,
        task=task or None,
        capability=capability,
        parameter_count=entry["parameter_count"] if entry else _int(tags.get(TAG_PARAMETER_COUNT)),
        context_length=entry["context_length"] if entry else None,
        formats=formats,
        size_bytes=entry["size_bytes"] if entry and source == ModelSource.CATALOG else None,
        hf_id=hf_id,
        description=getattr(item, "description", None) or "",
        # AQUA's fine-tuning container trains LoRA adapters (finetune_mapping: training_type "lora"): such a model
        # is offered as an adapter of a stacked deployment, as a local LoRA fine-tune is.
        tags=[
            "oci",
            labels,
            *(["lora"] if source == ModelSource.FINE_TUNED else []),
            *(["verified"] if source == ModelSource.CATALOG else []),
        ],
        ready_to_deploy=ready_to_deploy,
        ready_to_finetune=ready_to_finetune,
        created_at=created,
    )


def to_summary(item: Any, facts: dict[str, Any] | None = None) -> ModelSummary:
    """A ListModels row (oci ModelSummary) → our summary, with no further calls; `facts` are what an
    earlier detail read from the model's config.json (parameter count, context length)."""
    fields = _base_fields(item)
    for key in (MD_PARAMETER_COUNT, MD_CONTEXT_LENGTH):
        if fields[key] is None and facts and isinstance(facts.get(key), int):
            fields[key] = facts[key]
    return ModelSummary(**fields)


def _config_json(text: str | None, what: str, notes: list[str]) -> dict[str, Any] | None:
    """A configuration artifact's JSON, or None with a note when it is not a JSON object."""
    if not text or not text.strip():
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        notes.append(f"The model's {what} artifact is not valid JSON ({exc.msg}, line {exc.lineno}).")
        return None
    if not isinstance(value, dict):
        notes.append(f"The model's {what} artifact is not a JSON object.")
        return None
    return value


def to_detail(
    model: Any,
    *,
    readme: str | None = None,
    license_text: str | None = None,
    deployment_config: str | None = None,
    finetune_config: str | None = None,
    artifact_facts: dict[str, Any] | None = None,
) -> ModelDetail:
    """A GetModel result (oci Model) plus its Readme / License artifacts → our detail; `artifact_facts`
    are what the artifact's config.json says, for what the metadata does not (AQUA records none of it)."""
    fields = _base_fields(model)
    tags = ci_tags(model.freeform_tags)
    meta = custom_metadata(model)
    facts = artifact_facts or {}
    entry = catalog_match(fields["name"])
    architecture: Architecture | None = None
    if meta.get(MD_ARCHITECTURE):
        try:
            architecture = Architecture.model_validate(json.loads(meta[MD_ARCHITECTURE]))
            if meta.get(MD_QUANTIZATION):
                architecture.quantization = Quantization.model_validate(json.loads(meta[MD_QUANTIZATION]))
        except ValueError:
            architecture = None
    elif facts.get("architecture"):
        architecture = Architecture.model_validate(facts["architecture"])
        if facts.get("quantization"):
            architecture.quantization = Quantization.model_validate(facts["quantization"])
    elif entry and entry.get("architecture"):
        architecture = Architecture(**entry["architecture"])
    for key in (MD_PARAMETER_COUNT, MD_CONTEXT_LENGTH):
        known = facts.get(key) if isinstance(facts.get(key), int) else None
        fields[key] = _int(meta.get(key)) or known or fields[key]
    fields["size_bytes"] = _int(meta.get(MD_SIZE_BYTES)) or fields["size_bytes"]
    fields["hf_id"] = meta.get(MD_HF_ID) or fields["hf_id"]
    location = meta.get(MD_ARTIFACT_LOCATION) or None

    notes: list[str] = []
    if _truthy(tags.get(TAG_READY_TO_IMPORT)):
        notes.append(
            "This verified model has no weights in your tenancy yet: register it from Hugging Face with an "
            "Object Storage destination to deploy it."
        )
    elif fields["source"] != ModelSource.CATALOG and not location:
        notes.append("This model records no artifact_location: re-register it from Object Storage to deploy it.")
    if model.lifecycle_state and model.lifecycle_state != "ACTIVE":
        notes.append(f"The model is {model.lifecycle_state} in OCI Data Science.")
    if ModelFormat.GGUF in fields["formats"] and ModelFormat.SAFETENSORS not in fields["formats"]:
        notes.append("GGUF weights are served by llama.cpp and cannot be fine-tuned.")
    if fields["source"] == ModelSource.FINE_TUNED and not fields["ready_to_deploy"]:
        notes.append("Its fine-tuning job has not succeeded (yet): it can be deployed once the job run SUCCEEDED.")

    lineage = None
    if TAG_FINE_TUNED in tags:
        base_id = tags[TAG_FINE_TUNED].split("#", 1)[0] or None
        # On OCI the fine-tune is its output model: `finetunes/{id}` answers to this model's own id.
        lineage = Lineage(
            base_model_id=base_id, dataset_hash=meta.get(MD_DATASET_HASH) or None, finetune_job_id=model.id
        )

    card = (readme or "").strip()
    if not card:
        card = f"# {fields['name']}\n\nNo model card is stored with this model in OCI Data Science."
    if license_text and license_text.strip():
        card += "\n\n## License\n\n" + license_text.strip()
    deploy = _config_json(deployment_config, "DeploymentConfiguration", notes)
    finetune = _config_json(finetune_config, "FineTuneConfiguration", notes)
    return ModelDetail(
        **fields,
        artifact_location=location,
        card_markdown=card + "\n",
        architecture=architecture,
        lineage=lineage,
        notes=notes,
        files=[],
        deployment_config=deploy,
        finetune_config=finetune,
    )


def registration_tags(
    *,
    task: str,
    organization: str | None,
    license: str | None,
    formats: list[ModelFormat],
    ready_to_fine_tune: bool,
    parameter_count: int | None = None,
) -> dict[str, str]:
    """Freeform tags of a model we register, as AQUA writes them."""
    tags = {
        TAG_AQUA: "active",
        TAG_CUSTOM_BASE: "true",
        TAG_TASK: task,
        TAG_MODEL_FORMAT: ",".join(f.value.upper() for f in formats),
        TAG_READY_TO_FINE_TUNE: "true" if ready_to_fine_tune else "false",
    }
    if organization:
        tags[TAG_ORGANIZATION] = organization
    if license:
        tags[TAG_LICENSE] = license
    if parameter_count:
        tags[TAG_PARAMETER_COUNT] = str(parameter_count)
    return tags


def container_metadata(formats: list[ModelFormat], name: str) -> list[dict[str, str]]:
    """The container families AQUA's register writes for a model of these formats: vLLM for safetensors,
    llama.cpp for GGUF-only weights (which AQUA refuses to fine-tune), the evaluation container always."""
    safetensors = ModelFormat.SAFETENSORS in formats
    serving = SERVING_FAMILY_VLLM if safetensors else SERVING_FAMILY_LLAMA_CPP
    items = [metadata_item(MD_DEPLOYMENT_CONTAINER, serving, f"Inference container mapping for {name}")]
    if safetensors:
        items.append(metadata_item(MD_FINETUNE_CONTAINER, FINETUNE_FAMILY, f"Fine-tuning container mapping for {name}"))
    items.append(metadata_item(MD_EVALUATION_CONTAINER, EVALUATION_FAMILY, "Evaluation container mapping for SMC"))
    return items


def fit_within_metadata(facts: dict[str, Any] | None) -> str | None:
    """`facts` as compact JSON within OCI's 255 characters: a false flag (the default) is left out,
    then the last keys, until it fits. A key left out reads back as unknown, never as a wrong value;
    a truncated JSON would lose every key."""
    items = [(k, v) for k, v in (facts or {}).items() if v is not None and v is not False]
    while items:
        text = json.dumps(dict(items), separators=(",", ":"))
        if len(text) <= 255:
            return text
        items.pop()
    return None


def metadata_item(key: str, value: str, description: str = "") -> dict[str, str]:
    # OCI caps a metadata value at 255 characters.
    return {"key": key, "value": value[:255], "description": description, "category": "Other"}
