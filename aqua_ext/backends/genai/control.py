"""OCI Generative AI's control plane through the SDK (`oci.generative_ai.GenerativeAiClient`), every call in
the OCI clients' bounded executor with their retries and error mapping (backends/oci/clients.py).

Calls per user action: a models list is ListModels + ListImportedModels (paged, at once); a cluster or endpoint
list one List*; a create one Create* (with an opc-retry-token), then GetWorkRequest polls (backing off from
`poll_min_seconds` to `poll_max_seconds`) until SUCCEEDED or FAILED, and ListWorkRequestErrors once on a
failure; a delete one Delete* and the same polls; a limit check one GetResourceAvailability per limit.
Lists are reused for a few seconds (`deployment_cache_seconds`; our own changes and a work request's end
drop them), and the endpoints' last seen state and model serve chat turns without a call per turn."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from ...api.genai import (
    CreateClusterRequest,
    CreateGenAiEndpointRequest,
    CreateGenAiFineTuneRequest,
    GenAiCluster,
    GenAiEndpoint,
    GenAiFineTune,
    GenAiModel,
    ImportGenAiModelRequest,
    ResolvedTrainingConfig,
)
from ...api.operations import Operation
from ...errors import NotFound, Upstream
from ..oci.clients import OciClients, new_retry_token
from ..oci.context import OciContext
from ..oci.limits import read_available
from ..oci.mapping import parse_os_uri
from ..oci.polling import Backoff
from ..operations import Progress
from . import mapping
from .sources import revision_parts

log = logging.getLogger(__name__)

SERVICE = "generativeai"
LIMITS_SERVICE = "generative-ai"
LIMIT_READ_BUDGET_SECONDS = 5.0
LIST_FAILURE_SECONDS = 30.0  # how long a list that could not reach Generative AI answers with that failure
# Work request states that end it.
_ENDED = ("SUCCEEDED", "FAILED", "CANCELED")
R = TypeVar("R")


class GenAiControl:
    def __init__(self, ctx: OciContext) -> None:
        self.ctx = ctx
        # Endpoint id → (its last seen record, the model it serves): what a chat turn needs, without a call.
        self.seen_endpoints: dict[str, tuple[GenAiEndpoint, GenAiModel | None]] = {}
        # Resource id → the operation following its create, for the detail's `operation_id`.
        self.operations: dict[str, str] = {}
        # List name → (when read, its live items): see `_list`.
        self._lists: dict[str, tuple[float, list[Any]]] = {}
        self._list_failures: dict[str, tuple[float, Upstream]] = {}
        # Deletes waiting for a canceled create to finish (kept so they are not garbage-collected mid-way).
        self._undoing: set[asyncio.Task[None]] = set()

    def _c(self) -> OciClients:
        return self.ctx.client()

    @property
    def compartment_id(self) -> str:
        return self.ctx.settings.compartment_id

    async def _call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return await self._c().call(SERVICE, fn, *args, **kwargs)

    async def _pages(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> list[Any]:
        """Every item of a paged list: Generative AI answers collections ({"items": [...]}), one per page."""
        items: list[Any] = []
        page: str | None = None
        while True:
            paging: dict[str, Any] = {"page": page} if page else {}
            response = await self._call(fn, *args, list_read=True, **paging, **kwargs)
            items.extend(getattr(response.data, "items", None) or [])
            page = response.next_page
            if not page:
                return items

    async def _list(self, fn: Callable[..., Any]) -> list[Any]:
        """A list's live items, reused for `deployment_cache_seconds` (the panel polls the merged lists every
        few seconds) unless our own create, delete or a work request's end changed it since."""
        name = getattr(fn, "__name__", "list")
        hit = self._lists.get(name)
        if hit is not None and self.ctx.fresh(hit[0], self.ctx.settings.deployment_cache_seconds):
            return hit[1]
        failed = self._list_failures.get(name)
        if failed is not None and self.ctx.fresh(failed[0], LIST_FAILURE_SECONDS):
            # Generative AI unreachable (a region without it, a network that drops it): the merged lists the
            # panel polls answer at once with the problem instead of waiting out the retries at every poll.
            raise failed[1]
        try:
            listed = await self._pages(fn, compartment_id=self.compartment_id)
        except Upstream as exc:
            self._list_failures[name] = (time.monotonic(), exc)
            raise
        self._list_failures.pop(name, None)
        live = [x for x in listed if getattr(x, "lifecycle_state", None) != mapping.GONE]
        self._lists[name] = (time.monotonic(), live)
        return live

    # ---- models ------------------------------------------------------------------------------------------------

    async def models(self) -> list[GenAiModel]:
        c = self._c().generative_ai
        base, imported = await asyncio.gather(self._list(c.list_models), self._list(c.list_imported_models))
        return [mapping.model(m) for m in [*base, *imported]]

    async def model_raw(self, model_id: str) -> Any:
        c = self._c().generative_ai
        fn = c.get_imported_model if mapping.is_imported(model_id) else c.get_model
        data = (await self._call(fn, model_id, not_found=f"No Generative AI model '{model_id}'.")).data
        if data.lifecycle_state == mapping.GONE:
            raise NotFound(f"The Generative AI model '{model_id}' was deleted.")
        return data

    async def model(self, model_id: str) -> GenAiModel:
        return mapping.model(await self.model_raw(model_id))

    def import_details(self, request: ImportGenAiModelRequest) -> Any:
        """CreateImportedModelDetails of the request (the create sends it; the export writes it as Python)."""
        import oci

        m = oci.generative_ai.models
        if request.source == "huggingface":
            assert request.hf_id is not None
            branch, commit = revision_parts(request.revision)
            source: Any = m.HuggingFaceModel(
                source_type="HUGGING_FACE_MODEL",
                model_id=request.hf_id.strip(),
                branch=branch,
                commit=commit,
                access_token=request.token.get_secret_value() if request.token else None,
            )
        else:
            assert request.os_uri is not None
            bucket, namespace, prefix = parse_os_uri(request.os_uri)
            source = m.ObjectStorageObject(
                source_type="OBJECT_STORAGE_OBJECT",
                namespace_name=namespace,
                bucket_name=bucket,
                prefix_name=prefix,
                region=request.region,
            )
        return m.CreateImportedModelDetails(
            compartment_id=self.compartment_id,
            display_name=request.display_name,
            description=request.description or None,
            capabilities=[request.capability.value],
            vendor=request.vendor,
            version=request.version,
            data_source=source,
        )

    async def import_model(self, request: ImportGenAiModelRequest) -> tuple[GenAiModel, Operation]:
        return await self._create(
            self._c().generative_ai.create_imported_model, self.import_details(request), mapping.model,
            "genai-import-model", f"Import {request.display_name}", self.delete_model,
        )  # fmt: skip

    async def delete_model(self, model_id: str) -> Operation:
        c = self._c().generative_ai
        fn = c.delete_imported_model if mapping.is_imported(model_id) else c.delete_model
        await self.model_raw(model_id)
        response = await self._call(fn, model_id, not_found=f"No Generative AI model '{model_id}'.")
        return self.start_follow("genai-delete-model", f"Delete {model_id}", model_id, response)

    # ---- clusters --------------------------------------------------------------------------------------------------

    async def clusters(self) -> list[GenAiCluster]:
        return [mapping.cluster(x) for x in await self._list(self._c().generative_ai.list_dedicated_ai_clusters)]

    async def cluster(self, cluster_id: str) -> GenAiCluster:
        c = self._c().generative_ai
        data = (
            await self._call(
                c.get_dedicated_ai_cluster, cluster_id, not_found=f"No dedicated AI cluster '{cluster_id}'."
            )
        ).data
        if data.lifecycle_state == mapping.GONE:
            raise NotFound(f"The dedicated AI cluster '{cluster_id}' was deleted.")
        return mapping.cluster(data)

    def cluster_details(self, request: CreateClusterRequest, unit_shape: str) -> Any:
        import oci

        return oci.generative_ai.models.CreateDedicatedAiClusterDetails(
            compartment_id=self.compartment_id,
            display_name=request.display_name,
            description=request.description or None,
            type=request.type,
            unit_shape=unit_shape,
            unit_count=request.unit_count,
        )

    async def create_cluster(self, request: CreateClusterRequest, unit_shape: str) -> tuple[GenAiCluster, Operation]:
        return await self._create(
            self._c().generative_ai.create_dedicated_ai_cluster, self.cluster_details(request, unit_shape),
            mapping.cluster,
            "genai-create-cluster", f"Create cluster {request.display_name}", self.delete_cluster,
        )  # fmt: skip

    async def delete_cluster(self, cluster_id: str) -> Operation:
        await self.cluster(cluster_id)
        c = self._c().generative_ai
        response = await self._call(c.delete_dedicated_ai_cluster, cluster_id)
        return self.start_follow("genai-delete-cluster", f"Delete cluster {cluster_id}", cluster_id, response)

    async def limit_availability(self, names: list[str]) -> dict[str, int | None]:
        """How many units each `generative-ai` limit has left in the compartment (None: OCI would not say)."""
        values = await asyncio.gather(*(self._limit(name) for name in names))
        return dict(zip(names, values, strict=True))

    async def _limit(self, name: str) -> int | None:
        return await read_available(self._c(), LIMITS_SERVICE, name, self.compartment_id, LIMIT_READ_BUDGET_SECONDS)

    # ---- endpoints -------------------------------------------------------------------------------------------------

    async def endpoints(self) -> list[GenAiEndpoint]:
        c = self._c().generative_ai
        raw, models = await asyncio.gather(self._list(c.list_endpoints), self.models())
        by_id = {m.id: m for m in models}
        out = []
        for item in raw:
            served = by_id.get(item.model_id)
            out.append(self._seen(mapping.endpoint(item, served.name if served else ""), served))
        return out

    async def endpoint(self, endpoint_id: str) -> GenAiEndpoint:
        c = self._c().generative_ai
        data = (await self._call(c.get_endpoint, endpoint_id, not_found=f"No endpoint '{endpoint_id}'.")).data
        if data.lifecycle_state == mapping.GONE:
            self.seen_endpoints.pop(endpoint_id, None)
            raise NotFound(f"The endpoint '{endpoint_id}' was deleted.")
        try:
            served: GenAiModel | None = await self.model(data.model_id)
        except NotFound:
            served = None
        return self._seen(mapping.endpoint(data, served.name if served else ""), served)

    def _seen(self, ep: GenAiEndpoint, served: GenAiModel | None) -> GenAiEndpoint:
        self.seen_endpoints[ep.id] = (ep, served)
        return ep

    def endpoint_details(self, request: CreateGenAiEndpointRequest) -> Any:
        import oci

        m = oci.generative_ai.models
        moderation = (
            m.ContentModerationConfig(is_enabled=request.content_moderation)
            if request.content_moderation is not None
            else None
        )
        return m.CreateEndpointDetails(
            compartment_id=self.compartment_id,
            display_name=request.display_name,
            description=request.description or None,
            model_id=request.model_id,
            dedicated_ai_cluster_id=request.dedicated_ai_cluster_id,
            content_moderation_config=moderation,
        )

    async def create_endpoint(self, request: CreateGenAiEndpointRequest) -> tuple[GenAiEndpoint, Operation]:
        return await self._create(
            self._c().generative_ai.create_endpoint, self.endpoint_details(request), mapping.endpoint,
            "genai-create-endpoint", f"Create endpoint {request.display_name}", self.delete_endpoint,
        )  # fmt: skip

    async def delete_endpoint(self, endpoint_id: str) -> Operation:
        await self.endpoint(endpoint_id)
        c = self._c().generative_ai
        response = await self._call(c.delete_endpoint, endpoint_id)
        self.seen_endpoints.pop(endpoint_id, None)
        return self.start_follow("genai-delete-endpoint", f"Delete endpoint {endpoint_id}", endpoint_id, response)

    # ---- fine-tunes (custom models) ----------------------------------------------------------------------------------

    async def finetunes(self) -> list[GenAiFineTune]:
        c = self._c().generative_ai
        listed = await self._list(c.list_models)
        names = {m.id: m.display_name for m in listed}
        return [
            mapping.finetune(m, names.get(m.base_model_id, ""))
            for m in listed
            if m.type == "CUSTOM" and getattr(m, "fine_tune_details", None) is not None
        ]

    async def finetune(self, finetune_id: str) -> GenAiFineTune:
        raw = await self.model_raw(finetune_id)
        if getattr(raw, "type", None) != "CUSTOM" or raw.fine_tune_details is None:
            raise NotFound(f"'{finetune_id}' is not a fine-tuned Generative AI model.")
        try:
            base_name = (await self.model(raw.base_model_id)).name
        except NotFound:
            base_name = ""
        return mapping.finetune(raw, base_name)

    def finetune_details(self, request: CreateGenAiFineTuneRequest, resolved: ResolvedTrainingConfig | None) -> Any:
        import oci

        m = oci.generative_ai.models
        config = None
        if resolved is not None:
            values = resolved.model_dump(exclude={"defaulted", "training_config_type"}, exclude_none=True)
            classes = {
                "LORA_TRAINING_CONFIG": m.LoraTrainingConfig,
                "TFEW_TRAINING_CONFIG": m.TFewTrainingConfig,
                "VANILLA_TRAINING_CONFIG": m.VanillaTrainingConfig,
            }
            config = classes[resolved.training_config_type.value](
                training_config_type=resolved.training_config_type.value, **values
            )
        dataset = request.training_dataset
        return m.CreateModelDetails(
            compartment_id=self.compartment_id,
            display_name=request.display_name,
            description=request.description or None,
            vendor=request.vendor,
            version=request.version,
            base_model_id=request.base_model_id,
            fine_tune_details=m.FineTuneDetails(
                dedicated_ai_cluster_id=request.dedicated_ai_cluster_id,
                training_dataset=m.ObjectStorageDataset(
                    dataset_type="OBJECT_STORAGE",
                    namespace_name=dataset.namespace,
                    bucket_name=dataset.bucket,
                    object_name=dataset.object,
                ),
                training_config=config,
            ),
        )

    async def create_finetune(
        self, request: CreateGenAiFineTuneRequest, resolved: ResolvedTrainingConfig | None
    ) -> tuple[GenAiFineTune, Operation]:
        details = self.finetune_details(request, resolved)
        try:
            base_name = (await self.model(request.base_model_id)).name
        except NotFound:
            base_name = ""
        return await self._create(
            self._c().generative_ai.create_model, details,
            lambda raw: mapping.finetune(raw, base_name, progress=0.0),
            "genai-finetune", f"Fine-tune {request.display_name}", self.delete_model,
        )  # fmt: skip

    async def _create(
        self, fn: Callable[..., Any], details: Any, read: Callable[[Any], R], kind: str, title: str, undo: Undo
    ) -> tuple[R, Operation]:
        """One Create* (a retry never makes a second resource), and the operation following its work request."""
        response = await self._call(fn, details, opc_retry_token=new_retry_token())
        self._lists.clear()
        created = read(response.data)
        return created, self.start_follow(kind, title, created.id, response, undo)  # type: ignore[attr-defined]

    # ---- work requests -------------------------------------------------------------------------------------------

    def start_follow(
        self, kind: str, title: str, resource_id: str, response: Any, undo: Undo | None = None
    ) -> Operation:
        """An operation following the work request (its percent as progress), ending with the resource ACTIVE,
        or FAILED with the work request's error. Generative AI cannot cancel a work request: canceling the
        operation of a create (`undo`) deletes the resource once the service has made it, so nothing is kept."""
        work_request = response.headers.get("opc-work-request-id")
        self._lists.clear()  # a delete's too

        async def work(progress: Progress) -> str:
            try:
                if work_request:
                    await self.follow(work_request, progress)
            except asyncio.CancelledError:
                if work_request and undo is not None:
                    task = asyncio.get_running_loop().create_task(self._undo(work_request, resource_id, undo))
                    self._undoing.add(task)
                    task.add_done_callback(self._undoing.discard)
                raise
            return resource_id

        operation = self.ctx.operations.start(kind, title, work, resource_id=resource_id)
        self.operations[resource_id] = operation.id
        return operation

    async def _undo(self, work_request: str, resource_id: str, undo: Undo) -> None:
        try:
            await self.follow(work_request, _Quiet())
            await undo(resource_id)
        except Exception as exc:  # the create failed (nothing to remove), or the delete did: say which
            log.warning("Generative AI %s was not removed after its create was canceled: %s", resource_id, exc)

    async def follow(self, work_request_id: str, progress: Progress) -> None:
        c = self._c().generative_ai
        s = self.ctx.settings
        backoff = Backoff(s, s.deploy_timeout_seconds)
        while True:
            wr = (await self._call(c.get_work_request, work_request_id)).data
            percent = float(wr.percent_complete or 0.0)
            progress.update(progress=percent / 100, message=f"{wr.operation_type}: {wr.status} ({percent:.0f}%)")
            if wr.status in _ENDED:
                self._lists.clear()  # what the work request changed shows in the next list
                break
            await backoff.wait_or_raise(
                Upstream, f"{wr.operation_type} did not finish within {s.deploy_timeout_seconds:g} s."
            )
        if wr.status == "SUCCEEDED":
            return
        errors = await self._pages(c.list_work_request_errors, work_request_id)
        messages = [getattr(e, "message", "") for e in errors]
        reason = "; ".join(m for m in messages if m) or "no reason given"
        raise Upstream(f"{wr.operation_type} {wr.status.lower()}: {reason}")


Undo = Callable[[str], Awaitable[Any]]


class _Quiet:
    """The progress of a follow nobody watches (a canceled create, until it can be removed)."""

    def update(self, *, progress: float | None = None, message: str | None = None) -> None:
        return None
