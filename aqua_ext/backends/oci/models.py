"""The OCI Data Science models: the Model Explorer over the OCI model catalog, model details, registration
(from Object Storage or Hugging Face) and deletion.

Calls per user action (each list paged to completion, no per-row calls):
- open the explorer: ListModels SERVICE pages + ListModels USER pages, run
  concurrently; a second open within `cache_seconds` makes no call at all, and
  `refresh` drops the cache; a listing with fine-tuned models not yet ready to deploy also asks the
  fine-tunes whether their runs SUCCEEDED (ListJobRuns, plus GetModel + GetJob once per model not seen
  before);
- open a detail: GetModel, then the stored Readme / License artifacts at once (a registered model that
  records no parameter count, context length or architecture, as AQUA registers them: with them, the
  folder's ListObjects and config.json GetObject; what they tell is kept for the listing) (a fine-tuned
  model not yet ready to deploy: also GetJobRun, and its detail is kept only briefly);
- register from Object Storage: GetBucket with ListObjects, then GetObject config.json
  with README.md, then CreateModel (with an opc-retry-token) and the Readme artifact;
- register from Hugging Face: the bucket check, then in the background download here,
  PutObject per file, the folder checks and CreateModel;
- delete: GetModel (skipped when the listing already knows the model) + DeleteModel.
Registration and deletion update the cached listing in place, so the explorer
shows them at once without Resource Search's indexing lag or a re-list.
"""

from __future__ import annotations

import asyncio
import json
import logging
import posixpath
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ...api.fit import DTYPE_BYTES
from ...api.models import (
    ModelDetail,
    ModelFormat,
    ModelSource,
    ModelSummary,
    RegisterModelRequest,
    RegisterModelResponse,
)
from ...errors import AquaError, Conflict, InvalidInput, NotFound, Unavailable
from ..model_config import architecture_from_config, context_length_from_config
from ..operations import Progress
from . import mapping
from .clients import OciClients, new_retry_token, policy_hint
from .context import OciContext

log = logging.getLogger(__name__)

DEPLOYMENT_CONFIG_FILE = "deployment_config.json"  # AQUA's name for a model's published deployment configuration
CONFIG_MAX_BYTES = 2_000_000  # config.json is small; anything bigger is not one
STORED_ARTIFACTS = ("Readme", "License", "DeploymentConfiguration", "FineTuneConfiguration")


@dataclass
class ModelRecord:
    """The catalog record behind a model detail: the oci Model (tags, custom metadata) and the texts of
    its stored artifacts, for what the detail does not carry (fine-tuning copies them)."""

    model: Any
    artifacts: dict[str, str] = field(default_factory=dict)
    seen: float = 0.0


class FineTunedReadiness(Protocol):
    """What the models ask the fine-tunes: whether a fine-tuned model's job run SUCCEEDED (it is then
    tagged ready to deploy)."""

    async def settle_listed(self, rows: list[Any]) -> tuple[dict[str, Any], bool]: ...

    async def deployable_now(self, raw: Any) -> Any | None: ...


class OciModels:
    def __init__(self, ctx: OciContext) -> None:
        self.ctx = ctx
        self.settings = ctx.settings
        self.operations = ctx.operations
        self.readiness: FineTunedReadiness | None = None  # the fine-tunes, wired by the backend
        self._listing: list[ModelSummary] | None = None
        self._listed_at = 0.0
        self._listing_task: asyncio.Task[list[ModelSummary]] | None = None
        self._details: dict[str, tuple[float, ModelDetail]] = {}
        self._records: dict[str, ModelRecord] = {}
        # What details read from registered models' config.json, for the listing's cards (files rarely change).
        self._facts: dict[str, dict[str, Any]] = {}
        self._registering: set[str] = set()

    def _c(self) -> OciClients:
        return self.ctx.client()

    def _readiness(self) -> FineTunedReadiness:
        if self.readiness is None:
            raise Unavailable("The OCI fine-tunes are not wired to the models.")
        return self.readiness

    # ---- listing ---------------------------------------------------------

    def _fresh(self, stamp: float) -> bool:
        return self.ctx.fresh(stamp)

    def _drop_caches(self) -> None:
        self._listing = None
        self._details.clear()
        self._records.clear()

    async def list_models(self, *, refresh: bool = False) -> list[ModelSummary]:
        if refresh:
            self._drop_caches()
        if self._listing is not None and self._fresh(self._listed_at):
            return self._listing
        # Concurrent opens share one listing instead of each paging through OCI.
        if self._listing_task is None or self._listing_task.done():
            self._listing_task = asyncio.get_running_loop().create_task(self._fetch_listing())
        return await asyncio.shield(self._listing_task)

    async def _fetch_listing(self) -> list[ModelSummary]:
        c = self._c()
        ds = c.data_science
        compartment = self.settings.compartment_id
        # Both lists at once; when one fails the other is abandoned, and the first error is reported.
        loop = asyncio.get_running_loop()
        tasks = [
            loop.create_task(
                c.list_all("datascience", ds.list_models, compartment, category=category, lifecycle_state="ACTIVE")
            )
            for category in ("SERVICE", "USER")
        ]
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in pending:
            task.cancel()
        for task in tasks:
            if task in done and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
        service, user = tasks[0].result(), tasks[1].result()
        user = [m for m in user if mapping.is_user_aqua_model(m)]
        unsettled = [
            m
            for m in user
            if mapping.TAG_FINE_TUNED in mapping.ci_tags(m.freeform_tags)
            and not mapping.is_ready_to_deploy_tag(m.freeform_tags)
        ]
        training = False
        if unsettled:  # a run that SUCCEEDED makes its model deployable (shown so; no write)
            settled, training = await self._readiness().settle_listed(unsettled)
            user = [settled.get(m.id, m) for m in user]
        mine = sorted(
            (mapping.to_summary(m, self._facts.get(m.id)) for m in user),
            key=lambda m: m.created_at.timestamp() if m.created_at else 0.0,
            reverse=True,
        )
        verified = sorted(
            (mapping.to_summary(m) for m in service if mapping.is_service_aqua_model(m)), key=lambda m: m.name.lower()
        )
        self._listing = [*mine, *verified]
        # While a model is being trained, its readiness is looked at again soon, not after the whole cache life.
        self._listed_at = self._short_lived() if training else time.monotonic()
        return self._listing

    def _short_lived(self) -> float:
        """A cache stamp that expires after `deployment_cache_seconds` instead of `cache_seconds`."""
        return time.monotonic() - max(0.0, self.settings.cache_seconds - self.settings.deployment_cache_seconds)

    def _known(self, model_id: str) -> ModelSummary | None:
        return next((m for m in self._listing or [] if m.id == model_id), None)

    # ---- detail ----------------------------------------------------------

    @staticmethod
    def _check_model_id(model_id: str) -> None:
        if mapping.ocid_kind(model_id) != "datasciencemodel":
            raise InvalidInput.field(
                "model_id", "must be an OCI Data Science model OCID (ocid1.datasciencemodel.oc1.<region>.<id>)"
            )

    def _not_found(self, model_id: str) -> str:
        return (
            f"No model with id '{model_id}' in OCI Data Science (or you may not read it: "
            f"{policy_hint('datascience', self.settings.compartment_id)})."
        )

    async def get_model(self, model_id: str) -> ModelDetail:
        self._check_model_id(model_id)
        cached = self._details.get(model_id)
        if cached and self._fresh(cached[0]):
            return cached[1]
        c = self._c()
        response = await c.call("datascience", c.data_science.get_model, model_id, not_found=self._not_found(model_id))
        model = response.data
        if model.lifecycle_state == "DELETED":
            raise NotFound(f"Model '{model_id}' was deleted.")
        keys = [
            m.key
            for m in (model.defined_metadata_list or [])
            if m.key in STORED_ARTIFACTS and getattr(m, "has_artifact", None) is not False
        ]
        # Only the artifacts the model lists, fetched at once: no call for what is not there; with them,
        # the config.json of a registered model whose metadata lacks its facts (AQUA records none).
        location = self._config_location(model)
        published = None if "DeploymentConfiguration" in keys else self._published_config_location(model)
        texts, facts, published_text = await asyncio.gather(
            asyncio.gather(*(self._artifact_text(model_id, k) for k in keys)),
            self._artifact_facts(location) if location else _no_facts(),
            self._published_config(published) if published else _no_text(),
        )
        by_key = dict(zip(keys, texts, strict=True))
        if published_text:  # AQUA reads config/deployment_config.json when the artifact is not stored
            by_key["DeploymentConfiguration"] = published_text
        if facts:
            self._facts[model_id] = facts
        stamp = time.monotonic()
        if mapping.TAG_FINE_TUNED in mapping.ci_tags(model.freeform_tags) and not mapping.is_ready_to_deploy_tag(
            model.freeform_tags
        ):
            settled = await self._readiness().deployable_now(model)  # its run may have SUCCEEDED meanwhile
            if settled is not None:
                model = settled
                self.model_changed(model)  # the listing shows it deployable too
            else:  # still training (or failed): look again soon
                stamp = self._short_lived()
        self._records[model_id] = ModelRecord(model, {k: v for k, v in by_key.items() if v}, stamp)
        detail = mapping.to_detail(
            model,
            readme=by_key.get("Readme"),
            license_text=by_key.get("License"),
            deployment_config=by_key.get("DeploymentConfiguration"),
            finetune_config=by_key.get("FineTuneConfiguration"),
            artifact_facts=facts,
        )
        self._details[model_id] = (stamp, detail)
        if facts and self._listing is not None:  # the card shows what config.json told, without a re-list
            self._listing = [mapping.to_summary(model, facts) if m.id == model_id else m for m in self._listing]
        return detail

    @staticmethod
    def _config_location(model: Any) -> str | None:
        """The artifact folder whose config.json is read for a registered model that records no parameter
        count, context length or architecture (AQUA's register writes none of them); else None."""
        tags = mapping.ci_tags(model.freeform_tags)
        if mapping.model_source(getattr(model, "category", None), tags) != ModelSource.REGISTERED:
            return None  # service models' folders are Oracle's; a fine-tuned model's is an adapter
        meta = mapping.custom_metadata(model)
        if all(meta.get(k) for k in (mapping.MD_PARAMETER_COUNT, mapping.MD_CONTEXT_LENGTH, mapping.MD_ARCHITECTURE)):
            return None
        return meta.get(mapping.MD_ARTIFACT_LOCATION) or None

    @staticmethod
    def _published_config_location(model: Any) -> str | None:
        """The artifact location whose `deployment_config.json` (seed 004: extra shapes, CPU shape
        configurations, per-shape engine parameters) AQUA's get_deployment_config reads when the model
        stores no DeploymentConfiguration artifact: registered and service models; None for others."""
        tags = mapping.ci_tags(model.freeform_tags)
        if mapping.model_source(getattr(model, "category", None), tags) == ModelSource.FINE_TUNED:
            return None  # its artifact_location is the base model's: the base's configuration is not its own
        return mapping.custom_metadata(model).get(mapping.MD_ARTIFACT_LOCATION) or None

    async def _published_config(self, location: str) -> str | None:
        """`deployment_config.json` where AQUA's get_config looks for it: in the first folder of
        dirname(location)/config, location/config that exists, else in the location itself (so a folder
        `config/` without the file hides one at the root, as in AQUA). The candidate files are read at once
        (one GetObject each, usually one or two); a folder's existence is asked (one ListObjects) only when
        a later candidate holds the file."""
        try:
            bucket, namespace, prefix = mapping.parse_os_uri(location)
        except ValueError:
            return None
        # os.path.dirname of ".../name/" is ".../name", of ".../name" its parent: AQUA's first candidate.
        parent = prefix if location.rstrip().endswith("/") or not prefix else posixpath.dirname(prefix)
        folders = list(dict.fromkeys([posixpath.join(parent, "config"), posixpath.join(prefix, "config"), prefix]))
        files = [posixpath.join(f, DEPLOYMENT_CONFIG_FILE) if f else DEPLOYMENT_CONFIG_FILE for f in folders]
        texts = await asyncio.gather(*(self._object_text(f"oci://{bucket}@{namespace}/{f}") for f in files))
        for i, folder in enumerate(folders):
            if texts[i] is not None:
                return texts[i]
            if not any(t is not None for t in texts[i + 1 :]) or await self._folder_exists(namespace, bucket, folder):
                return None
        return None

    async def _folder_exists(self, namespace: str, bucket: str, folder: str) -> bool:
        """Whether any object lies under `folder/` (ocifs' exists for a folder), or the answer is unknown."""
        c = self._c()
        try:
            response = await c.call(
                "objectstorage", c.object_storage.list_objects, namespace, bucket, prefix=f"{folder}/", limit=1
            )
        except AquaError:
            return True  # unknown: the later candidate is not read in its place
        return bool(response.data.objects)

    async def _object_text(self, uri: str) -> str | None:
        """A small object's text by its oci:// URI, or None when it is missing or unreadable."""
        try:
            bucket, namespace, name = mapping.parse_os_uri(uri)
        except ValueError:
            return None
        c = self._c()
        try:
            response = await c.call("objectstorage", c.object_storage.get_object, namespace, bucket, name)
        except AquaError as exc:  # NotFound is the usual answer: most models publish none
            if not isinstance(exc, NotFound):
                log.info("%s unreadable: %s", uri, exc.message)
            return None
        raw = response.data.content
        return raw.decode("utf-8", "replace") if len(raw) <= CONFIG_MAX_BYTES else None

    async def _artifact_facts(self, location: str) -> dict[str, Any]:
        """Parameter count, context length and architecture from the folder's config.json and weights: its
        listing and config.json read at once. Empty when they cannot be read (the detail still opens)."""
        try:
            bucket, namespace, prefix = mapping.parse_os_uri(location)
        except ValueError:
            return {}
        base = f"{prefix}/" if prefix else ""
        c = self._c()
        try:
            objects, config = await asyncio.gather(
                c.list_objects_all(namespace, bucket, base),
                c.call("objectstorage", c.object_storage.get_object, namespace, bucket, base + "config.json"),
            )
            raw = config.data.content
            parsed = json.loads(raw) if len(raw) <= CONFIG_MAX_BYTES else None
        except (AquaError, ValueError) as exc:
            log.info("config.json under %s unreadable: %s", location, getattr(exc, "message", exc))
            return {}
        if not isinstance(parsed, dict):
            return {}
        top = {o.name[len(base) :]: (o.size or 0) for o in objects}
        weights = sum(size for name, size in top.items() if "/" not in name and name.endswith(".safetensors"))
        return _config_facts(parsed, weights)

    async def model_record(self, model_id: str) -> ModelRecord:
        """The catalog record behind `get_model`, cached with it."""
        record = self._records.get(model_id)
        if record is None or not self._fresh(record.seen):
            self._details.pop(model_id, None)  # so get_model reads the record too
            await self.get_model(model_id)
            record = self._records[model_id]
        return record

    def model_changed(self, model: Any) -> None:
        """A model we changed (or made): the listing shows it as it is now, its detail is read again."""
        self._details.pop(model.id, None)
        self._records.pop(model.id, None)
        if self._listing is not None:
            summary = mapping.to_summary(model, self._facts.get(model.id))
            if any(m.id == model.id for m in self._listing):
                self._listing = [summary if m.id == model.id else m for m in self._listing]
            else:
                self._listing = [summary, *self._listing]

    def model_deleted(self, model_id: str) -> None:
        self._details.pop(model_id, None)
        self._records.pop(model_id, None)
        if self._listing is not None:
            self._listing = [m for m in self._listing if m.id != model_id]

    async def _artifact_text(self, model_id: str, key: str) -> str | None:
        c = self._c()
        try:
            response = await c.call(
                "datascience", c.data_science.get_model_defined_metadatum_artifact_content, model_id, key, not_found=""
            )
        except NotFound:
            return None
        except AquaError as exc:  # the card is a nicety: show the model, say why the card is missing
            log.info("OCI %s artifact of %s unreadable: %s", key, model_id, exc.message)
            return None
        data = response.data
        raw = data.content if hasattr(data, "content") else data
        return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw or "")

    # ---- register --------------------------------------------------------

    async def register_model(self, request: RegisterModelRequest) -> RegisterModelResponse:
        if request.source == "local_folder":
            raise InvalidInput.field(
                "source",
                "a local folder is registered on the local backend; on OCI upload it "
                "to Object Storage and register its oci:// URI (source 'object_storage')",
            )
        if not self.settings.project_id:
            raise Unavailable(
                "No OCI Data Science project: set AquaExtension.oci_project_id (or PROJECT_OCID) "
                "to the project new models belong to."
            )
        if request.source == "huggingface":
            return await self._register_hf(request)
        return await self._register_os(request)

    async def _inspect_prefix(self, bucket: str, namespace: str, prefix: str) -> dict[str, Any]:
        """What the folder holds: formats, size, config.json facts. Raises InvalidInput(os_uri)."""
        c = self._c()
        base = f"{prefix}/" if prefix else ""
        objects = await c.list_objects_all(namespace, bucket, base)
        relative = {o.name[len(base) :]: (o.size or 0) for o in objects}
        top = {name: size for name, size in relative.items() if name and "/" not in name}  # the folder itself
        where = mapping.os_uri(bucket, namespace, prefix)
        safetensors = sorted(n for n in top if n.endswith(".safetensors"))
        ggufs = sorted(n for n in top if n.lower().endswith(".gguf"))
        if not safetensors and not ggufs:
            shown = ", ".join(sorted(top)[:8]) or "nothing"
            raise InvalidInput.field(
                "os_uri", f"no *.safetensors or *.gguf weights directly under {where} (found {shown})"
            )
        if safetensors and "config.json" not in top:
            raise InvalidInput.field(
                "os_uri", f"no config.json under {where}: safetensors weights need the model's config.json next to them"
            )
        formats = ([ModelFormat.SAFETENSORS] if safetensors else []) + ([ModelFormat.GGUF] if ggufs else [])
        facts: dict[str, Any] = {"formats": formats, "size_bytes": sum(top.values()), "files": sorted(top)}
        if len(ggufs) == 1:
            facts["model_file"] = ggufs[0]
        readme = next((n for n in ("README.md", "readme.md", "README") if n in top), None)
        wanted = [n for n in ("config.json", readme) if n and n in top and top[n] <= CONFIG_MAX_BYTES]
        contents = await asyncio.gather(
            *(c.call("objectstorage", c.object_storage.get_object, namespace, bucket, base + n) for n in wanted)
        )
        texts = {n: r.data.content for n, r in zip(wanted, contents, strict=True)}
        if "config.json" in texts:
            try:
                config = json.loads(texts["config.json"])
            except ValueError:
                raise InvalidInput.field("os_uri", f"{where}config.json is not valid JSON") from None
            if not isinstance(config, dict):
                raise InvalidInput.field("os_uri", f"{where}config.json is not a JSON object")
            facts.update(_config_facts(config, sum(top[n] for n in safetensors)))
        if readme in texts:
            facts["readme"] = texts[readme].decode("utf-8", "replace")
        return facts

    async def _check_folder(self, bucket: str, namespace: str, prefix: str) -> dict[str, Any]:
        """The bucket check and the folder listing at once (two round trips become one); the
        bucket's verdict comes first, as a missing bucket also fails the listing."""
        loop = asyncio.get_running_loop()
        bucket_check = loop.create_task(self.ctx.versioned_bucket(bucket, namespace))
        listing = loop.create_task(self._inspect_prefix(bucket, namespace, prefix))
        try:
            await bucket_check
        except BaseException:
            listing.cancel()
            await asyncio.gather(listing, return_exceptions=True)
            raise
        return await listing

    async def _register_os(self, request: RegisterModelRequest) -> RegisterModelResponse:
        assert request.os_uri is not None
        bucket, namespace, prefix = mapping.parse_os_uri(request.os_uri)
        location = mapping.os_uri(bucket, namespace, prefix)
        if location in self._registering:
            raise Conflict(f"{location} is already being registered.")
        self._registering.add(location)
        try:
            facts = await self._check_folder(bucket, namespace, prefix)
            name = (request.name or "").strip() or (prefix.rsplit("/", 1)[-1] if prefix else bucket)
            detail = await self._create_model(name, location, facts, description=f"Registered from {location}")
        finally:
            self._registering.discard(location)
        op = self.operations.finished(
            "register-model", f"Register {location}", resource_id=detail.id, message=f"Registered '{detail.name}'"
        )
        return RegisterModelResponse(operation=op, model=detail)

    async def _create_model(
        self,
        name: str,
        location: str,
        facts: dict[str, Any],
        *,
        description: str,
        hf_id: str | None = None,
        organization: str | None = None,
        license: str | None = None,
        task: str | None = None,
    ) -> ModelDetail:
        import oci

        c = self._c()
        formats: list[ModelFormat] = facts["formats"]
        finetunable = ModelFormat.SAFETENSORS in formats
        tags = mapping.registration_tags(
            task=task or "text_generation",
            organization=organization,
            license=license,
            formats=formats,
            ready_to_fine_tune=finetunable,
            parameter_count=facts.get(mapping.MD_PARAMETER_COUNT),
        )
        meta = [mapping.metadata_item(mapping.MD_ARTIFACT_LOCATION, location, "Where the model's files are")]
        for key in (
            mapping.MD_MODEL_FILE,
            mapping.MD_PARAMETER_COUNT,
            mapping.MD_CONTEXT_LENGTH,
            mapping.MD_SIZE_BYTES,
        ):
            if facts.get(key) is not None:
                meta.append(mapping.metadata_item(key, str(facts[key])))
        for key, value in (
            (mapping.MD_ARCHITECTURE, mapping.fit_within_metadata(facts.get("architecture"))),
            (mapping.MD_QUANTIZATION, mapping.fit_within_metadata(facts.get("quantization"))),
        ):
            if value:
                meta.append(mapping.metadata_item(key, value))
        if hf_id:
            meta.append(mapping.metadata_item(mapping.MD_HF_ID, hf_id))
        meta.extend(mapping.container_metadata(formats, name))
        details = oci.data_science.models.CreateModelDetails(
            compartment_id=self.settings.compartment_id,
            project_id=self.settings.project_id,
            display_name=name[:255],
            description=description[:400],
            freeform_tags=tags,
            custom_metadata_list=[oci.data_science.models.Metadata(**m) for m in meta],
        )
        # One token for every attempt: a create retried after a lost answer returns the same model.
        model = (
            await c.call("datascience", c.data_science.create_model, details, opc_retry_token=new_retry_token())
        ).data
        readme = facts.get("readme")
        if readme:
            try:  # the card, as a defined-metadata artifact (as AQUA stores it)
                await c.call(
                    "datascience",
                    c.data_science.create_model_defined_metadatum_artifact,
                    model.id,
                    "Readme",
                    readme.encode("utf-8"),
                    content_disposition='attachment; filename="README.md"',
                    exists_ok=True,
                )
            except BaseException:
                # Nothing half-created: a model without the card it was registered with is removed again.
                await asyncio.shield(self._rollback_model(model.id))
                raise
        detail = mapping.to_detail(model, readme=readme)
        detail = detail.model_copy(update={"files": facts.get("files", [])})
        self._details[model.id] = (time.monotonic(), detail)
        if self._listing is not None:
            summary = ModelSummary.model_validate(detail.model_dump(include=set(ModelSummary.model_fields)))
            self._listing = [summary, *[m for m in self._listing if m.id != model.id]]
        return detail

    async def _rollback_model(self, model_id: str) -> None:
        c = self._c()
        try:
            await c.call("datascience", c.data_science.delete_model, model_id, gone_ok=True)
        except AquaError as exc:
            log.error("could not remove the half-registered model %s: %s", model_id, exc.message)

    # ---- register from Hugging Face: download here, upload, create -------------

    async def _register_hf(self, request: RegisterModelRequest) -> RegisterModelResponse:
        from ..huggingface import download as hf_download

        assert request.hf_id is not None
        if not request.os_uri:
            raise InvalidInput.field(
                "os_uri", "required on the OCI backend: the oci://bucket@namespace/folder the download is uploaded to"
            )
        hf_id = request.hf_id
        bucket, namespace, prefix = mapping.parse_os_uri(request.os_uri)
        prefix = prefix or hf_id.replace("/", "--")
        location = mapping.os_uri(bucket, namespace, prefix)
        if location in self._registering:
            raise Conflict(f"{location} is already being registered.")
        await self.ctx.versioned_bucket(bucket, namespace)
        c = self._c()
        existing = (
            await c.call(
                "objectstorage",
                c.object_storage.list_objects,
                namespace,
                bucket,
                prefix=f"{prefix}/",
                limit=1,
                list_read=True,
            )
        ).data.objects
        if existing:
            raise InvalidInput.field(
                "os_uri",
                f"{location} already holds files ({existing[0].name}); upload into an "
                "empty folder so no other model's files are overwritten",
            )
        token = request.token.get_secret_value() if request.token else None
        repo = await hf_download.check_hub(hf_id, request.revision, token)
        name = (request.name or "").strip() or hf_id.split("/", 1)[1]
        self._registering.add(location)

        async def work(progress: Progress) -> str:
            tmp = Path(tempfile.mkdtemp(prefix="aqua-oci-hf-"))
            uploaded: list[str] = []
            try:
                target = tmp / "model"
                await hf_download.download(hf_id, request.revision, token, target, repo, _Scaled(progress, 0.0, 0.6))
                upload = _Scaled(progress, 0.6, 0.95)
                uploaded.extend(await self._upload_folder(target, bucket, namespace, prefix, upload))
                progress.update(progress=0.96, message="Checking the upload and creating the model")
                facts = await self._inspect_prefix(bucket, namespace, prefix)
                detail = await self._create_model(
                    name,
                    location,
                    facts,
                    description=f"Hugging Face {hf_id} at {repo.sha[:12]}, uploaded to {location}",
                    hf_id=hf_id,
                    organization=repo.author or hf_id.split("/", 1)[0],
                    license=repo.license,
                    task=(repo.pipeline_tag or "text-generation").replace("-", "_"),
                )
                uploaded.clear()  # the model owns them now
                return detail.id
            finally:
                self._registering.discard(location)
                await asyncio.to_thread(shutil.rmtree, tmp, True)
                if uploaded:  # failed or canceled: leave nothing half-registered in the bucket
                    await asyncio.shield(self.ctx.delete_objects(bucket, namespace, uploaded))

        op = self.operations.start("register-model", f"Download {hf_id} and upload to {location}", work)
        return RegisterModelResponse(operation=op, model=None)

    async def _upload_folder(self, folder: Path, bucket: str, namespace: str, prefix: str, progress: Any) -> list[str]:
        files = sorted(p for p in folder.rglob("*") if p.is_file())
        total = sum(p.stat().st_size for p in files) or 1
        done = 0
        names: list[str] = []
        for path in files:
            name = f"{prefix}/{path.relative_to(folder).as_posix()}"
            names.append(name)  # before the call: a lost answer may still have stored it
            progress.update(progress=done / total, message=f"Uploading {path.name}")
            await self.ctx.put_file(namespace, bucket, name, path)
            done += path.stat().st_size
        progress.update(progress=1.0, message=f"Uploaded {len(files)} files")
        return names

    # ---- delete ----------------------------------------------------------

    async def delete_model(self, model_id: str) -> None:
        self._check_model_id(model_id)
        known = self._known(model_id)
        c = self._c()
        if known is None:
            model = (
                await c.call("datascience", c.data_science.get_model, model_id, not_found=self._not_found(model_id))
            ).data
            if model.lifecycle_state == "DELETED":
                raise NotFound(f"Model '{model_id}' was already deleted.")
            known = mapping.to_summary(model)
            if known.source == ModelSource.REGISTERED and not mapping.is_user_aqua_model(model):
                raise Conflict(
                    "This model was not registered through AI Quick Actions; delete it in the OCI Console "
                    "or with `oci data-science model delete`."
                )
        if known.source == ModelSource.CATALOG:
            raise Conflict(
                "Service models are provided by OCI Data Science and cannot be deleted; only registered "
                "and fine-tuned models can."
            )
        await c.call(
            "datascience", c.data_science.delete_model, model_id, gone_ok=True, not_found=self._not_found(model_id)
        )
        self.model_deleted(model_id)


class _Scaled:
    """A Progress view that maps 0..1 onto [low, high] of the outer operation."""

    def __init__(self, outer: Progress, low: float, high: float) -> None:
        self.outer, self.low, self.high = outer, low, high

    def update(self, *, progress: float | None = None, message: str | None = None) -> None:
        scaled = None if progress is None else self.low + (self.high - self.low) * max(0.0, min(1.0, progress))
        self.outer.update(progress=scaled, message=message)


async def _no_facts() -> dict[str, Any]:
    return {}


async def _no_text() -> str | None:
    return None


def _config_facts(config: dict[str, Any], weight_bytes: int) -> dict[str, Any]:
    """Memory-fit facts from config.json (and the safetensors size, for the parameter count)."""
    arch = architecture_from_config(config)
    kept = arch.model_dump(exclude_none=True, exclude={"quantization", "torch_dtype"})
    # torch_dtype last: the first key left out when the metadata value runs out of room.
    kept.update({"torch_dtype": arch.torch_dtype} if arch.torch_dtype else {})
    facts: dict[str, Any] = {
        "architecture": kept or None,
        "quantization": arch.quantization.model_dump(exclude_none=True) if arch.quantization else None,
    }
    context = context_length_from_config(config)
    if context is not None:
        facts["context_length"] = context
    width = DTYPE_BYTES.get(arch.torch_dtype or "bfloat16")  # transformers' default where config.json has none
    # A quantized checkpoint stores most weights in fewer bytes than torch_dtype says (an FP8 one in
    # 1, not 2): bytes / dtype would halve its count. The fit sizes it from the files instead. A dtype
    # outside the table (float64) gives no count rather than a wrong one.
    if weight_bytes and arch.quantization is None and width:
        facts["parameter_count"] = int(weight_bytes / width)
    return facts
