"""What OCI fine-tuning and evaluation jobs share: the dataset of a job (an oci:// object downloaded for
the services' preflight, then where the job reads it: that object, or a preflighted Jupyter-root file
placed next to the output), a new job until it
is ACTIVE, experiments (model version sets by name and tag), the run as the model's provenance,
the rollback of a create that failed half-way, and `JobRunModels`: a catalog model backed by a job
run (its facts, run state, cancel, delete and logs)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import logging
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...api.common import FieldError
from ...api.datasets import DatasetReport
from ...api.job_datasets import DatasetAccess, DatasetFile, JobDataset
from ...api.logs import LogPage, LogsQuery
from ...errors import (
    AquaError,
    Conflict,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    Unavailable,
    Upstream,
    UpstreamTimeout,
)
from . import mapping
from .clients import OciClients, new_retry_token, policy_hint
from .context import OciContext
from .log_search import search_lines, search_log_page
from .polling import Backoff

log = logging.getLogger(__name__)

RUNNING_RUN_STATES = ("ACCEPTED", "IN_PROGRESS", "CANCELING")
JOB_ACTIVE_TIMEOUT_SECONDS = 120.0  # a new job is ACTIVE within seconds; past this something is wrong


@dataclass
class StagedDataset:
    uri: str  # what the job reads
    report: DatasetReport
    sha256: str
    upload: Path | None = None  # a file in the Jupyter root, uploaded to `uri`


@dataclass
class Created:
    """What a create made so far, undone in reverse when a later step fails."""

    version_set_id: str | None = None
    uploaded: tuple[str, str, str] | None = None  # namespace, bucket, object
    model_id: str | None = None
    job_id: str | None = None
    run_id: str | None = None


def md5_base64(path: Path) -> str:
    digest = hashlib.md5()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return base64.b64encode(digest.digest()).decode()


async def download_object(c: OciClients, namespace: str, bucket: str, name: str, target: Path) -> None:
    def fetch() -> None:
        response = c.object_storage.get_object(namespace, bucket, name)
        with target.open("wb") as out:
            for chunk in response.data.raw.stream(1 << 20, decode_content=False):
                out.write(chunk)

    await c.call("objectstorage", fetch)  # retried as a whole: each attempt rewrites the file


async def fetch_remote_dataset(
    c: OciClients,
    compartment_id: str | None,
    uri: str,
    datasets: DatasetAccess,
    *,
    container: str,
    field_name: str = "dataset_path",
) -> DatasetFile:
    """An oci:// dataset, downloaded (through the SDK, to a temporary folder) for the services' preflight,
    which checks it line by line like a local one, so a bad line costs a 400 now instead of a failed job
    later. The folder goes once the create is over (`DatasetFile.temp`)."""
    try:
        bucket, namespace, name = mapping.parse_os_uri(uri)
    except ValueError:
        raise InvalidInput.field(
            field_name, "must be a file in the Jupyter root or oci://bucket@namespace/path/to/file.jsonl"
        ) from None
    if not name.lower().endswith(".jsonl"):
        raise InvalidInput.field(field_name, f"{uri} must be a .jsonl file ({container} reads JSON Lines)")
    try:
        head = await c.call("objectstorage", c.object_storage.head_object, namespace, bucket, name, not_found="")
    except NotFound:
        raise InvalidInput.field(
            field_name, f"no object {uri} (or you may not read it: {policy_hint('objectstorage', compartment_id)})"
        ) from None
    size = int(head.headers.get("content-length") or 0)
    if size > datasets.max_bytes:  # not downloaded at all (the preflight would refuse it)
        raise PayloadTooLarge(
            f"{field_name}: {uri} is {size:,} bytes, over the {datasets.max_bytes:,}-byte limit for datasets",
            fields=[FieldError(field=field_name, message=f"over the {datasets.max_bytes:,}-byte limit")],
        )
    temp = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="aqua-oci-dataset-"))
    local = temp / Path(name).name
    try:
        await download_object(c, namespace, bucket, name, local)
    except BaseException:
        await asyncio.to_thread(shutil.rmtree, temp, True)
        raise
    return DatasetFile(root=temp, path=local.name, field_name=field_name, display_path=uri, temp=temp)


def staged_remote_dataset(job: JobDataset) -> StagedDataset:
    """A preflighted oci:// dataset: the job reads the object itself (`shown` is its URI)."""
    return StagedDataset(uri=job.shown, report=job.report, sha256=job.sha256)


async def stage_local_dataset(
    c: OciClients,
    job: JobDataset,
    output: tuple[str, str, str],
    *,
    container: str,
    output_field: str,
    field_name: str = "dataset_path",
) -> StagedDataset:
    """A preflighted file of the Jupyter root: where it goes (next to the output prefix, as AQUA uploads
    it), refusing to overwrite a different file already there."""
    if not job.path.name.lower().endswith(".jsonl"):
        raise InvalidInput.field(field_name, f"{job.shown} must be a .jsonl file ({container} reads JSON Lines)")
    bucket, namespace, prefix = output
    name = f"{prefix}/{job.path.name}" if prefix else job.path.name
    uri = f"oci://{bucket}@{namespace}/{name}"
    try:
        head = await c.call("objectstorage", c.object_storage.head_object, namespace, bucket, name, not_found="")
    except NotFound:  # nothing there yet (or no bucket: the output check says so)
        return StagedDataset(uri=uri, report=job.report, sha256=job.sha256, upload=job.path)
    mine = await asyncio.to_thread(md5_base64, job.path)
    if head.headers.get("content-md5") != mine:
        raise InvalidInput.field(
            field_name,
            f"{uri} already holds a different file; rename {job.shown} or "
            f"choose another {output_field}, so no other job's data is "
            "overwritten",
        )
    return StagedDataset(uri=uri, report=job.report, sha256=job.sha256)  # the same file: used as it is


async def until_active(c: OciClients, settings: Any, job: Any, what: str) -> None:
    """A job takes runs once ACTIVE (OCI makes it so within seconds)."""
    backoff = Backoff(settings, JOB_ACTIVE_TIMEOUT_SECONDS)
    while job.lifecycle_state == "CREATING":
        await backoff.wait_or_raise(
            UpstreamTimeout,
            f"OCI did not make the {what} job {job.id} ACTIVE within "
            f"{JOB_ACTIVE_TIMEOUT_SECONDS:.0f} seconds; try again.",
        )
        job = (await c.call("datascience", c.data_science.get_job, job.id)).data
    if job.lifecycle_state != "ACTIVE":
        raise Upstream(f"OCI made the {what} job {job.lifecycle_state}: {job.lifecycle_details or 'no reason given'}.")


async def find_version_set(
    c: OciClients, compartment_id: str | None, name: str | None, *, tag: str, field_name: str, what: str
) -> str | None:
    """The model version set of this experiment name, when it exists (None: made at launch). One that
    lacks `tag` belongs to something else: InvalidInput on `field_name`."""
    if not name:
        return None
    sets = await c.list_all(
        "datascience", c.data_science.list_model_version_sets, compartment_id, name=name, lifecycle_state="ACTIVE"
    )
    if not sets:
        return None
    found = sets[0]
    if tag not in {str(k).lower() for k in (found.freeform_tags or {})}:
        raise InvalidInput.field(
            field_name, f"'{name}' is a model version set that is not {what} (it has no {tag} tag); choose another name"
        )
    return found.id


def version_set_details(settings: Any, name: str, *, tag: str, description: str) -> Any:
    """CreateModelVersionSetDetails of a new experiment (the create sends it; the export writes it)."""
    import oci

    return oci.data_science.models.CreateModelVersionSetDetails(
        compartment_id=settings.compartment_id,
        project_id=settings.project_id,
        name=name,
        description=description,
        freeform_tags={tag: tag},
    )


async def create_version_set(
    c: OciClients, settings: Any, name: str, *, tag: str, description: str, find: Callable[[], Awaitable[str | None]]
) -> str:
    details = version_set_details(settings, name, tag=tag, description=description)
    try:
        return (
            await c.call(
                "datascience", c.data_science.create_model_version_set, details, opc_retry_token=new_retry_token()
            )
        ).data.id
    except Conflict:  # made meanwhile by someone else: use it
        found = await find()
        if found is None:
            raise
        return found


async def record_provenance(c: OciClients, model_id: str, run_id: str) -> None:
    """The run is the model's training provenance (as AQUA records it). A nicety: a failure here does
    not undo a job that is already running."""
    import oci

    try:
        await c.call(
            "datascience",
            c.data_science.update_model_provenance,
            model_id,
            oci.data_science.models.UpdateModelProvenanceDetails(training_id=run_id),
        )
    except AquaError as exc:
        log.warning("could not record the provenance of %s: %s", model_id, exc.message)


async def delete_job(c: OciClients, job_id: str, *, not_found: str | None = None) -> None:
    """DeleteJob, its runs with it; one already gone is no error."""
    await c.call(
        "datascience",
        c.data_science.delete_job,
        job_id,
        delete_related_job_runs=True,
        gone_ok=True,
        not_found=not_found,
    )


class Rollback:
    """Removes what a failed create made, in reverse; a job whose run is still being canceled is
    deleted later, in the background (the tasks are kept here so they are not collected)."""

    def __init__(self, clients: Callable[[], OciClients], settings: Any, what: str) -> None:
        self._clients = clients
        self.settings = settings
        self.what = what
        self.tasks: set[asyncio.Task[None]] = set()

    async def undo(self, created: Created, *, model_gone: Callable[[str], None] | None = None) -> None:
        c = self._clients()

        async def quietly(what: str, call: Awaitable[Any]) -> None:
            try:
                await call
            except AquaError as exc:
                log.error("could not remove the half-created %s: %s", what, exc.message)

        if created.run_id:
            await quietly("job run", c.call("datascience", c.data_science.cancel_job_run, created.run_id))
        if created.job_id:
            if created.run_id:  # a job with a live run cannot go yet: once the run is canceled
                task = asyncio.get_running_loop().create_task(self._delete_job_later(created.job_id, created.run_id))
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)
            else:
                await quietly("job", delete_job(c, created.job_id))
        if created.model_id:
            await quietly("model", c.call("datascience", c.data_science.delete_model, created.model_id, gone_ok=True))
            if model_gone is not None:
                model_gone(created.model_id)
        if created.uploaded:
            namespace, bucket, name = created.uploaded
            await quietly(
                "dataset upload",
                c.call("objectstorage", c.object_storage.delete_object, namespace, bucket, name, gone_ok=True),
            )
        if created.version_set_id:
            await quietly(
                "experiment",
                c.call(
                    "datascience",
                    c.data_science.delete_model_version_set,
                    created.version_set_id,
                    is_delete_related_models=True,
                    gone_ok=True,
                ),
            )

    async def _delete_job_later(self, job_id: str, run_id: str) -> None:
        c = self._clients()
        backoff = Backoff(self.settings, JOB_ACTIVE_TIMEOUT_SECONDS * 5)
        try:
            while not backoff.expired:
                run = (await c.call("datascience", c.data_science.get_job_run, run_id)).data
                if run.lifecycle_state not in RUNNING_RUN_STATES:
                    await delete_job(c, job_id)
                    return
                await backoff.wait()
            log.error(
                "the half-created %s job %s was not canceled in time; delete it in the Console", self.what, job_id
            )
        except AquaError as exc:
            log.error("could not remove the half-created %s job %s: %s", self.what, job_id, exc.message)


FAILURE_LOG_LINES = 20  # the last lines of a FAILED run's log shown with its reason


class JobRunModels:
    """What an OCI catalog model backed by a job run (a fine-tune, an evaluation) does the same way:
    its unchanging facts read once (GetModel + GetJob, one read at a time per id), the newest
    observation of its run, the compartment's runs listed, the create's shared steps (dataset upload, job
    and run, the model naming them), cancel, the job and model deleted, and the run's logs. A subclass
    sets `kind` (as a sentence names one: "fine-tune", "evaluation"), `job_kind` ("fine-tuning",
    "evaluation"), `id_is` (what its id is, for the error on a malformed one), `container_usage`
    (ListContainers' usage of its containers) and `live_type` (what changes, with `run`, `run_seen` and
    `failure_log`), and gives `_key`, `_read_facts` and `_detail`;
    its facts have `name`, `job_id`, `run_id`, `log_id`, `log_group_id` and `created_at`."""

    kind: str
    job_kind: str
    id_is: str
    live_type: Callable[[], Any]
    container_usage: str  # ListContainers' usage_query_param: "FINE_TUNE", "EVALUATION"

    def __init__(self, ctx: OciContext) -> None:
        self.ctx = ctx
        self.settings = ctx.settings
        self._facts: dict[str, Any] = {}
        self._facts_tasks: dict[str, asyncio.Task[Any]] = {}
        self._live: dict[str, Any] = {}
        self._runs: tuple[float, dict[str, Any]] | None = None  # when listed, ListJobRuns rows by id
        self._containers: tuple[float, list[Any]] | None = None
        self._cleanup = Rollback(self._c, self.settings, self.job_kind)

    # ---- what a subclass gives -----------------------------------------------------------

    @staticmethod
    def _key(facts: Any) -> str:
        raise NotImplementedError

    async def _read_facts(self, key: str) -> Any:
        raise NotImplementedError

    def _detail(self, facts: Any) -> Any:
        raise NotImplementedError

    def _saw_run(self, live: Any, run: Any | None, seen: float) -> None:
        """After a newer observation of the run was kept (a hook)."""

    # ---- small helpers --------------------------------------------------------------------

    def _c(self) -> OciClients:
        return self.ctx.client()

    def _fresh(self, stamp: float | None, seconds: float) -> bool:
        return self.ctx.fresh(stamp, seconds)

    def _live_of(self, key: str) -> Any:
        return self._live.setdefault(key, self.live_type())

    def _check_id(self, key: str) -> None:
        if mapping.ocid_kind(key) != "datasciencemodel":
            raise NotFound(
                f"No {self.kind} with id '{key}': on OCI {self.id_is} (ocid1.datasciencemodel.oc1.<region>.<id>)."
            )

    def _forget(self, key: str) -> None:
        self._facts.pop(key, None)
        self._live.pop(key, None)
        self._runs = None

    async def _cached_list(self, slot: str, fetch: Callable[[], Awaitable[list[Any]]]) -> list[Any]:
        """A list cached like the model list (job shapes, containers)."""
        hit: tuple[float, list[Any]] | None = getattr(self, slot)
        if hit is not None and self._fresh(hit[0], self.settings.cache_seconds):
            return hit[1]
        items = await fetch()
        setattr(self, slot, (time.monotonic(), items))
        return items

    async def _container_index(self) -> list[Any]:
        """ListContainers of this kind's job containers (`container_usage`), cached like the model list."""
        c = self._c()
        return await self._cached_list(
            "_containers",
            lambda: c.list_all(
                "datascience",
                c.data_science.list_containers,
                is_latest=True,
                target_workload="JOB_RUN",
                usage_query_param=self.container_usage,
            ),
        )

    # ---- create: the steps both kinds take ------------------------------------------------------

    async def _plan(self, request: Any, dataset: JobDataset) -> Any:
        """Every check of a create, before anything is made (a subclass gives it)."""
        raise NotImplementedError

    async def _launch(self, request: Any, plan: Any, created: Created) -> Any:
        """Make it, in order, noting in `created` what is made (a subclass gives it); the detail."""
        raise NotImplementedError

    def _model_gone(self, model_id: str) -> None:
        """A model a failed create made was removed again."""
        self._forget(model_id)

    async def _checks(
        self,
        first: Mapping[str, Awaitable[Any]],
        *,
        image: Awaitable[str],
        output: tuple[str, str, str],
        output_field: str,
        why: str,
        dataset: Awaitable[StagedDataset],
        experiment: Awaitable[str | None],
    ) -> dict[str, Any]:
        """The checks of a create that ask OCI, run at once: `first` (a kind's own), the container `image`,
        the output location a versioned bucket (`why` says so), where the job reads the `dataset`, the
        `experiment`. One value per check (keys "image", "dataset", "experiment" and `first`'s); once all
        are over, the first failure in that order is the one raised."""
        checks = {
            **first,
            "image": image,
            output_field: self.ctx.versioned_bucket(output[0], output[1], field=output_field, why=why),
            "dataset": dataset,
            "experiment": experiment,
        }
        results = dict(zip(checks, await asyncio.gather(*checks.values(), return_exceptions=True), strict=True))
        errors = [r for r in results.values() if isinstance(r, BaseException)]
        if errors:
            raise errors[0]
        return results

    def _require_project(self) -> None:
        if not self.settings.project_id:
            raise Unavailable(
                "No OCI Data Science project: set AquaExtension.oci_project_id (or PROJECT_OCID) "
                f"to the project {self.job_kind} jobs belong to."
            )

    async def _create(self, request: Any, dataset: JobDataset) -> Any:
        """A create: OCI's project, every check (`_plan`), then `_launch`; nothing half-created stays (what a
        failed launch made goes again, even when it was canceled). The new detail."""
        self._require_project()
        plan = await self._plan(request, dataset)
        created = Created()
        try:
            return await self._launch(request, plan, created)
        except BaseException:
            await asyncio.shield(self._cleanup.undo(created, model_gone=self._model_gone))
            raise

    async def _get_model(self, key: str) -> Any:
        """GetModel of a live one: NotFound when there is none (or it may not be read), or it was deleted."""
        c = self._c()
        raw = (
            await c.call(
                "datascience",
                c.data_science.get_model,
                key,
                not_found=f"No {self.kind} with id '{key}' in OCI Data Science (or you may not read it: "
                f"{policy_hint('datascience', self.settings.compartment_id)}).",
            )
        ).data
        if raw.lifecycle_state == "DELETED":
            self._forget(key)
            raise NotFound(f"The {self.kind} '{raw.display_name}' was deleted.")
        return raw

    async def _create_model(self, details: Any, created: Created) -> Any:
        """CreateModel (the job's output model, its id the resource's id)."""
        c = self._c()
        model = (
            await c.call("datascience", c.data_science.create_model, details, opc_retry_token=new_retry_token())
        ).data
        created.model_id = model.id
        return model

    @staticmethod
    def _job_logs(log_group_id: str | None, log_id: str | None) -> Any:
        """The job's log configuration: its runs log to the given log, else none."""
        import oci

        if not log_id:
            return None
        return oci.data_science.models.JobLogConfigurationDetails(
            enable_logging=True, enable_auto_log_creation=False, log_group_id=log_group_id, log_id=log_id
        )

    async def _upload_dataset(self, dataset: StagedDataset, output: tuple[str, str, str], created: Created) -> None:
        """PutObject a local dataset next to the output (bucket, namespace, prefix), when it has one to upload."""
        if dataset.upload is None:
            return
        bucket, namespace, _ = output
        name = dataset.uri.split("/", 3)[3]
        created.uploaded = (namespace, bucket, name)  # before the call: a lost answer may still have stored it
        await self.ctx.put_file(namespace, bucket, name, dataset.upload)

    def _run_details(self, job_details: Any, job_id: str) -> Any:
        """CreateJobRunDetails of the job: its name and tags."""
        import oci

        return oci.data_science.models.CreateJobRunDetails(
            compartment_id=self.settings.compartment_id,
            project_id=self.settings.project_id,
            job_id=job_id,
            display_name=job_details.display_name,
            freeform_tags=job_details.freeform_tags,
        )

    async def _start_job_run(self, job_details: Any, created: Created) -> tuple[Any, Any]:
        """CreateJob, wait until it is ACTIVE, and CreateJobRun with the job's name and tags."""
        c = self._c()
        job = (
            await c.call("datascience", c.data_science.create_job, job_details, opc_retry_token=new_retry_token())
        ).data
        created.job_id = job.id
        await until_active(c, self.settings, job, self.job_kind)
        run = (
            await c.call(
                "datascience",
                c.data_science.create_job_run,
                self._run_details(job_details, job.id),
                opc_retry_token=new_retry_token(),
            )
        ).data
        created.run_id = run.id
        return job, run

    @staticmethod
    def _naming_details(meta: list[dict[str, str]]) -> Any:
        """UpdateModelDetails with the model's whole custom metadata (naming its job and run)."""
        import oci

        m = oci.data_science.models
        return m.UpdateModelDetails(custom_metadata_list=[m.Metadata(**item) for item in meta])

    async def _name_job_and_run(self, model_id: str, meta: list[dict[str, str]], run_id: str) -> Any:
        """UpdateModel with its whole custom metadata (now naming its job and run), and the run as its
        provenance; the updated model."""
        c = self._c()
        model = (await c.call("datascience", c.data_science.update_model, model_id, self._naming_details(meta))).data
        await record_provenance(c, model_id, run_id)
        return model

    # ---- facts and runs ----------------------------------------------------------------------

    async def _facts_of(self, key: str) -> Any:
        """The unchanging facts: ours from the create, else `_read_facts` once (concurrent asks share it)."""
        self._check_id(key)
        if key in self._facts:
            return self._facts[key]
        task = self._facts_tasks.get(key)
        if task is None or task.done():
            task = self._facts_tasks[key] = asyncio.get_running_loop().create_task(self._read_facts(key))
        try:
            return await asyncio.shield(task)
        finally:
            if task.done():
                self._facts_tasks.pop(key, None)

    async def _facts_many(self, keys: Iterable[str]) -> list[Any]:
        """Facts of several at once; the ones that vanished meanwhile are left out."""
        results = await asyncio.gather(*(self._facts_of(i) for i in keys), return_exceptions=True)
        out: list[Any] = []
        for result in results:
            if isinstance(result, NotFound):
                continue
            if isinstance(result, BaseException):
                raise result
            out.append(result)
        return out

    async def _read_job(self, job_id: str | None) -> Any | None:
        """GetJob, None when there is none (deleted: the model still tells most of the story)."""
        if not job_id:
            return None
        c = self._c()
        try:
            return (await c.call("datascience", c.data_science.get_job, job_id, not_found="")).data
        except NotFound:
            return None

    async def _get_run(self, facts: Any) -> Any | None:
        live = self._live_of(self._key(facts))
        if not facts.run_id:
            live.run = None
            return None
        c = self._c()
        try:
            run = (await c.call("datascience", c.data_science.get_job_run, facts.run_id, not_found="")).data
        except NotFound:
            run = None
        self._see_run(facts, run, time.monotonic())
        return run

    def _see_run(self, facts: Any, run: Any | None, seen: float) -> None:
        """Keep the newest observation of the run (a listed row may be older than a GetJobRun)."""
        live = self._live_of(self._key(facts))
        if seen < live.run_seen:
            return
        before = getattr(live.run, "lifecycle_state", None)
        live.run, live.run_seen = run, seen
        if getattr(run, "lifecycle_state", None) != before:
            live.failure_log = None  # it described the previous state
        self._saw_run(live, run, seen)

    async def _fetch_runs(self) -> tuple[float, dict[str, Any]]:
        """ListJobRuns of the compartment by run id, and when it was asked."""
        c = self._c()
        asked = time.monotonic()
        rows = await c.list_all("datascience", c.data_science.list_job_runs, self.settings.compartment_id)
        self._runs = (asked, {r.id: r for r in rows})
        return self._runs

    async def _failure_log(self, facts: Any) -> list[str]:
        try:
            if not facts.log_id or not facts.log_group_id or not facts.run_id:
                return []
            lines, _ = await search_lines(
                self._c(),
                compartment_id=self.settings.compartment_id or "",
                log_group_id=facts.log_group_id,
                log_ids=[facts.log_id],
                resource_id=facts.run_id,
                created=facts.created_at,
                tail=FAILURE_LOG_LINES,
            )
        except AquaError as exc:  # the reason stands without its evidence
            log.info("OCI logs of %s unreadable: %s", facts.run_id, exc.message)
            return []
        return lines

    async def _with_failure_log(self, facts: Any, detail: Any, failed: Any) -> Any:
        """The detail, with the last lines of the run's log once it is `failed` (read once)."""
        live = self._live_of(self._key(facts))
        if detail.state == failed and facts.log_id and live.failure_log is None:
            live.failure_log = await self._failure_log(facts)
            detail = self._detail(facts)
        return detail

    # ---- cancel and delete --------------------------------------------------------------------

    async def cancel(self, key: str) -> Any:
        facts = await self._facts_of(key)
        run = self._check_cancelable(facts, await self._get_run(facts))
        c = self._c()
        try:
            await c.call("datascience", c.data_science.cancel_job_run, run.id)
        except Conflict:  # it changed since we looked: say what it is now
            now = self._check_cancelable(facts, await self._get_run(facts))
            raise Conflict(f"'{facts.name}' is {now.lifecycle_state}: OCI did not cancel it.") from None
        run.lifecycle_state, run.lifecycle_details = "CANCELING", None  # OCI's answer, until the next read
        self._runs = None
        return self._detail(facts)

    def _check_cancelable(self, facts: Any, run: Any | None) -> Any:
        """The run, while OCI still has it (Conflict otherwise)."""
        # Which states may be canceled is the service's rule (services/finetunes.py, evaluations.py);
        # here only what OCI says: a run that is gone, or one OCI refused to cancel (its state now).
        if run is None:
            raise Conflict(f"'{facts.name}' has no job run in OCI Data Science any more; there is nothing to cancel.")
        return run

    async def _delete_job_and_model(self, facts: Any) -> None:
        c = self._c()
        if facts.job_id:
            with contextlib.suppress(NotFound):
                await delete_job(c, facts.job_id, not_found="")
        with contextlib.suppress(NotFound):
            await c.call("datascience", c.data_science.delete_model, self._key(facts), gone_ok=True, not_found="")

    # ---- logs ------------------------------------------------------------------------------------

    async def logs(self, key: str, query: LogsQuery) -> LogPage:
        facts = await self._facts_of(key)
        if not facts.log_id or not facts.log_group_id or not facts.run_id:
            return LogPage(
                lines=[],
                cursor=query.after or "",
                source=f"Logging was not configured for this {self.job_kind} job: give log_group_id and "
                "log_id when you create one to keep its log in OCI Logging",
            )
        return await search_log_page(
            self._c(),
            query,
            compartment_id=self.settings.compartment_id or "",
            log_group_id=facts.log_group_id,
            log_ids=[facts.log_id],
            resource_id=facts.run_id,
            created=facts.created_at,
            source=f"OCI Logging: log {facts.log_id} (log group {facts.log_group_id})",
        )
