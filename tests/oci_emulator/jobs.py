"""Emulated Data Science jobs and job runs (``/20190101/jobs``, ``/jobRuns``, ``/jobShapes``).

Job: ACTIVE as CreateJob answers (as OCI does: a run can be created at once); delete (202 + work request)
DELETING -> DELETED. A job is standalone (top-level ``jobConfigurationDetails`` +
``jobInfrastructureConfigurationDetails``) or multi-node (``jobNodeConfigurationDetails`` MULTI_NODE with node
groups, each with its own configuration, MULTI_NODE infrastructure and environment; ADS sends the top-level ones
null, and the job reports them as the SDK's EMPTY types, since its model marks both required).
Job run: ACCEPTED -> IN_PROGRESS -> outcome of ``emu.jobs.run_outcome(run)`` (default SUCCEEDED, with
``SUCCEEDED_DETAILS``), one step per ``emu.transition_seconds`` (``emu.jobs.run_seconds`` overrides the
IN_PROGRESS duration); its ``jobConfigurationOverrideDetails`` is the job's configuration under the run's. Cancel:
CANCELING -> CANCELED. When logging is configured the run gets ``logDetails`` and log lines in
``emu.logging`` (source = run OCID). A run of a job whose environment carries AQUA's fine-tuning
arguments is played by ``emu.finetuning`` (finetuning.py), one carrying AQUA's evaluation arguments by
``emu.evaluation`` (evaluation.py), unless ``run_outcome`` is replaced.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from .core import OciError, Request, Response, Router, invalid_parameter, new_ocid, not_found, now_rfc3339, paginate

if TYPE_CHECKING:
    from .datascience import DataScienceService

V = "/20190101"
JOB_FIELDS = ["id", "timeCreated", "createdBy", "projectId", "compartmentId", "displayName", "description",
              "jobConfigurationDetails", "jobInfrastructureConfigurationDetails",
              "jobEnvironmentConfigurationDetails", "jobLogConfigurationDetails",
              "jobStorageMountConfigurationDetailsList", "jobNodeConfigurationDetails", "lifecycleState",
              "lifecycleDetails", "freeformTags", "definedTags"]  # fmt: skip
JOB_SUMMARY_FIELDS = ["id", "timeCreated", "createdBy", "projectId", "compartmentId", "displayName",
                      "lifecycleState", "freeformTags", "definedTags"]  # fmt: skip
RUN_FIELDS = ["id", "timeAccepted", "timeStarted", "timeFinished", "createdBy", "projectId", "compartmentId",
              "jobId", "displayName", "jobConfigurationOverrideDetails", "jobInfrastructureConfigurationDetails",
              "jobEnvironmentConfigurationOverrideDetails", "jobLogConfigurationOverrideDetails",
              "jobStorageMountConfigurationDetailsList", "logDetails", "jobInfrastructureConfigurationOverrideDetails",
              "jobNodeConfigurationOverrideDetails", "nodeGroupDetailsList", "lifecycleState", "lifecycleDetails",
              "freeformTags", "definedTags"]  # fmt: skip
RUN_SUMMARY_FIELDS = ["id", "timeAccepted", "timeStarted", "timeFinished", "createdBy", "projectId",
                      "compartmentId", "jobId", "displayName", "lifecycleState", "lifecycleDetails",
                      "freeformTags", "definedTags"]  # fmt: skip
RUN_STATES = ("ACCEPTED", "IN_PROGRESS", "FAILED", "SUCCEEDED", "CANCELING", "CANCELED", "DELETED", "NEEDS_ATTENTION")
TERMINAL_RUN_STATES = ("FAILED", "SUCCEEDED", "CANCELED", "DELETED", "NEEDS_ATTENTION")
JOB_SHAPES = [
    {"name": "VM.Standard.E4.Flex", "coreCount": 64, "memoryInGBs": 1024, "shapeSeries": "AMD_ROME"},
    {"name": "VM.Standard3.Flex", "coreCount": 32, "memoryInGBs": 512, "shapeSeries": "INTEL_SKYLAKE"},
    {"name": "VM.GPU.A10.1", "coreCount": 15, "memoryInGBs": 240, "shapeSeries": "NVIDIA_GPU"},
    {"name": "VM.GPU.A10.2", "coreCount": 30, "memoryInGBs": 480, "shapeSeries": "NVIDIA_GPU"},
    {"name": "BM.GPU.A10.4", "coreCount": 64, "memoryInGBs": 1024, "shapeSeries": "NVIDIA_GPU"},
    {"name": "BM.GPU.A100-v2.8", "coreCount": 128, "memoryInGBs": 2048, "shapeSeries": "NVIDIA_GPU"},
    {"name": "BM.GPU.H100.8", "coreCount": 112, "memoryInGBs": 2048, "shapeSeries": "NVIDIA_GPU"},
]
INFRA_TYPES = ("STANDALONE", "ME_STANDALONE", "MULTI_NODE")
NETWORK_TYPES = ("CUSTOM_NETWORK", "DEFAULT_NETWORK")

# The SDK marks these required in Job / JobRun; a multi-node job has neither at the top level.
EMPTY_CONFIGURATION = {"jobType": "EMPTY"}
EMPTY_INFRASTRUCTURE = {"jobInfrastructureType": "EMPTY"}
# lifecycleDetails of a run that SUCCEEDED (an assumption: OCI's exact wording is not documented; AQUA only
# parses the FAILED ones' "exit code N").
SUCCEEDED_DETAILS = "Job run artifact execution succeeded"

RunOutcome = Callable[[dict], "tuple[str, str | None]"]


def default_run_outcome(run: dict) -> tuple[str, str | None]:
    return "SUCCEEDED", None


class JobService:
    prefix = "datascience"

    def __init__(self, ds: DataScienceService) -> None:
        self.ds = ds
        self.emu = ds.emu
        self.jobs: dict[str, dict] = {}
        self.runs: dict[str, dict] = {}
        self.artifacts: dict[str, tuple[bytes, str | None]] = {}
        self._seq = 0
        # Knobs:
        self.run_outcome: RunOutcome = default_run_outcome  # (state, lifecycleDetails) at the end of a run
        self.run_seconds: float | None = None  # IN_PROGRESS duration; None = emu.transition_seconds
        self.on_run_start: Callable[[dict], None] | None = None  # called when a run turns IN_PROGRESS
        from .finetuning import FineTuningContainer

        self.finetuning = FineTuningContainer(self)  # plays AQUA's fine-tuning container in its runs
        from .evaluation import EvaluationContainer

        self.evaluation = EvaluationContainer(self)  # plays AQUA's evaluation container in its runs

    def register(self, r: Router) -> None:
        r.add("GET", f"{V}/jobShapes", "ListJobShapes", self.list_job_shapes)
        r.add("GET", f"{V}/jobs", "ListJobs", self.list_jobs)
        r.add("POST", f"{V}/jobs", "CreateJob", self.create_job)
        r.add("GET", f"{V}/jobs/{{jobId}}", "GetJob", self.get_job)
        r.add("DELETE", f"{V}/jobs/{{jobId}}", "DeleteJob", self.delete_job)
        r.add("POST", f"{V}/jobs/{{jobId}}/artifact", "CreateJobArtifact", self.create_artifact)
        r.add("GET", f"{V}/jobs/{{jobId}}/artifact/content", "GetJobArtifactContent", self.get_artifact)
        r.add("HEAD", f"{V}/jobs/{{jobId}}/artifact/content", "HeadJobArtifact", self.get_artifact)
        r.add("GET", f"{V}/jobRuns", "ListJobRuns", self.list_runs)
        r.add("POST", f"{V}/jobRuns", "CreateJobRun", self.create_run)
        r.add("GET", f"{V}/jobRuns/{{runId}}", "GetJobRun", self.get_run)
        r.add("DELETE", f"{V}/jobRuns/{{runId}}", "DeleteJobRun", self.delete_run)
        r.add("POST", f"{V}/jobRuns/{{runId}}/actions/cancelJobRun", "CancelJobRun", self.cancel_run)

    # ------------------------------------------------------------------ helpers
    def _next(self) -> int:
        self._seq += 1
        return self._seq

    def _job(self, job_id: str) -> dict:
        rec = self.jobs.get(job_id)
        if rec is None:
            raise not_found("job")
        return rec

    def _run(self, run_id: str) -> dict:
        rec = self.runs.get(run_id)
        if rec is None:
            raise not_found("job run")
        return rec

    def replay(self, req: Request, rid: str) -> Response:
        if rid in self.jobs:
            return Response(200, {k: self.jobs[rid].get(k) for k in JOB_FIELDS}, {"etag": str(self.jobs[rid]["_seq"])})
        return Response(200, {k: self.runs[rid].get(k) for k in RUN_FIELDS}, {"etag": str(self.runs[rid]["_seq"])})

    def _log(self, run: dict, message: str) -> None:
        log = run.get("logDetails") or {}
        if log.get("logId"):
            self.emu.logging.add_record(log["logId"], message, source=run["id"], log_group_id=log.get("logGroupId"),
                                        compartment_id=run["compartmentId"],
                                        record_type="com.oraclecloud.datascience.jobrun")  # fmt: skip

    # ------------------------------------------------------------------ jobs
    def list_job_shapes(self, req: Request) -> Response:
        req.require_q("compartmentId")
        return paginate(list(JOB_SHAPES), req, 100)

    def list_jobs(self, req: Request) -> Response:
        comp = req.require_q("compartmentId")
        items = [j for j in self.jobs.values() if j["compartmentId"] == comp]
        for param in ("id", "projectId", "displayName", "lifecycleState", "createdBy"):
            if req.q(param):
                items = [j for j in items if j.get(param) == req.q(param)]
        items.sort(key=lambda j: (j["timeCreated"], j["_seq"]), reverse=req.q("sortOrder", "DESC") == "DESC")
        return paginate([{k: j.get(k) for k in JOB_SUMMARY_FIELDS} for j in items], req, self.emu.page_size)

    def get_job(self, req: Request) -> Response:
        return self.replay(req, self._job(req.params["jobId"])["id"])

    @staticmethod
    def _check_infra(infra: dict, allowed: tuple[str, ...], where: str) -> None:
        if infra.get("jobInfrastructureType") not in allowed:
            raise invalid_parameter(f"{where}.jobInfrastructureType must be one of {', '.join(allowed)}.")
        if infra.get("shapeName") not in {s["name"] for s in JOB_SHAPES}:
            raise invalid_parameter(f"Unsupported job shape {infra.get('shapeName')!r}.")

    @staticmethod
    def _check_config(config: dict | None, where: str) -> None:
        if not config:
            raise OciError(400, "MissingParameter", f"{where} is required.")
        if config.get("jobType") != "DEFAULT":
            raise invalid_parameter(f"{where}.jobType must be DEFAULT.")

    def _check_nodes(self, nodes: dict) -> None:
        """A MULTI_NODE job: node groups with their own configuration, MULTI_NODE infrastructure and image."""
        if nodes.get("jobNodeType") != "MULTI_NODE":
            raise invalid_parameter("jobNodeConfigurationDetails.jobNodeType must be MULTI_NODE.")
        network = nodes.get("jobNetworkConfiguration") or {}
        if network.get("jobNetworkType") not in NETWORK_TYPES:
            raise invalid_parameter(
                f"jobNetworkConfiguration.jobNetworkType must be one of {', '.join(NETWORK_TYPES)}."
            )
        if network["jobNetworkType"] == "CUSTOM_NETWORK" and not network.get("subnetId"):
            raise OciError(400, "MissingParameter", "jobNetworkConfiguration.subnetId is required.")
        groups = nodes.get("jobNodeGroupConfigurationDetailsList") or []
        if not groups:
            raise OciError(400, "MissingParameter", "jobNodeGroupConfigurationDetailsList is required.")
        for i, group in enumerate(groups):
            where = f"jobNodeGroupConfigurationDetailsList[{i}]"
            if not group.get("name") or not isinstance(group.get("replicas"), int) or group["replicas"] < 1:
                raise invalid_parameter(f"{where} needs a name and replicas >= 1.")
            self._check_infra(group.get("jobInfrastructureConfigurationDetails") or {}, ("MULTI_NODE",), where)
            self._check_config(group.get("jobConfigurationDetails"), f"{where}.jobConfigurationDetails")

    def create_job(self, req: Request) -> Response:
        body = req.json()
        for name in ("compartmentId", "projectId"):
            if not body.get(name):
                raise OciError(400, "MissingParameter", f"{name} is required.")
        if body.get("jobNodeConfigurationDetails"):
            self._check_nodes(body["jobNodeConfigurationDetails"])
        else:
            infra = body.get("jobInfrastructureConfigurationDetails")
            if not infra:
                raise OciError(400, "MissingParameter", "jobInfrastructureConfigurationDetails is required.")
            self._check_infra(infra, ("STANDALONE", "ME_STANDALONE"), "jobInfrastructureConfigurationDetails")
            self._check_config(body.get("jobConfigurationDetails"), "jobConfigurationDetails")

        def create() -> Response:
            jid = new_ocid("datasciencejob", self.emu.region_key)
            rec = {k: body.get(k) for k in JOB_FIELDS}
            rec.update(
                id=jid,
                timeCreated=now_rfc3339(),
                createdBy=self.ds._user(req),
                displayName=body.get("displayName") or f"job{time.strftime('%Y%m%d%H%M%S')}",
                jobConfigurationDetails=body.get("jobConfigurationDetails") or dict(EMPTY_CONFIGURATION),
                jobInfrastructureConfigurationDetails=body.get("jobInfrastructureConfigurationDetails")
                or dict(EMPTY_INFRASTRUCTURE),
                lifecycleState="ACTIVE",
                lifecycleDetails=None,
                freeformTags=body.get("freeformTags") or {},
                definedTags=body.get("definedTags") or {},
                _seq=self._next(),
            )
            self.jobs[jid] = rec
            return self.replay(req, jid)

        return self.emu.idempotent_create(req, create)

    def delete_job(self, req: Request) -> Response:
        job = self._job(req.params["jobId"])
        if job["lifecycleState"] in ("DELETING", "DELETED"):
            raise OciError(409, "IncorrectState", f"The job is {job['lifecycleState']}.")
        related = [r for r in self.runs.values() if r["jobId"] == job["id"] and r["lifecycleState"] != "DELETED"]
        cascade = (req.q("deleteRelatedJobRuns") or "false").lower() == "true"
        if related and not cascade:
            raise OciError(409, "IncorrectState", "The job has job runs; set deleteRelatedJobRuns=true.")
        if any(r["lifecycleState"] not in TERMINAL_RUN_STATES for r in related):
            raise OciError(409, "IncorrectState", "The job has job runs that are not finished.")
        job["lifecycleState"] = "DELETING"

        def finish() -> str | None:
            job["lifecycleState"] = "DELETED"
            for r in related:
                _set_run_state(r, "DELETED", r.get("lifecycleDetails"))
            return None

        wid = self.ds.workrequests.start("JOB_DELETE", job["compartmentId"], "job", job["id"], "DELETED", finish)
        return Response(202, None, {"opc-work-request-id": wid})

    def create_artifact(self, req: Request) -> Response:
        job = self._job(req.params["jobId"])
        if job["id"] in self.artifacts:
            raise OciError(409, "Conflict", "The job already has an artifact.")
        self.artifacts[job["id"]] = (req.body, req.header("content-disposition"))
        return Response(200, None)

    def get_artifact(self, req: Request) -> Response:
        job = self._job(req.params["jobId"])
        if job["id"] not in self.artifacts:
            raise not_found("job artifact")
        return self.ds._content_response(req, *self.artifacts[job["id"]])

    # ------------------------------------------------------------------ job runs
    def list_runs(self, req: Request) -> Response:
        comp = req.require_q("compartmentId")
        state = req.q("lifecycleState")
        if state and state not in RUN_STATES:
            raise invalid_parameter(f"Invalid lifecycleState {state!r}.")
        items = [r for r in self.runs.values() if r["compartmentId"] == comp]
        for param in ("id", "jobId", "displayName", "lifecycleState", "createdBy"):
            if req.q(param):
                items = [r for r in items if r.get(param) == req.q(param)]
        items.sort(key=lambda r: (r["timeAccepted"], r["_seq"]), reverse=req.q("sortOrder", "DESC") == "DESC")
        return paginate([{k: r.get(k) for k in RUN_SUMMARY_FIELDS} for r in items], req, self.emu.page_size)

    def get_run(self, req: Request) -> Response:
        return self.replay(req, self._run(req.params["runId"])["id"])

    def create_run(self, req: Request) -> Response:
        body = req.json()
        for name in ("compartmentId", "projectId", "jobId"):
            if not body.get(name):
                raise OciError(400, "MissingParameter", f"{name} is required.")
        job = self.jobs.get(body["jobId"])
        if job is None:
            raise OciError(404, "RelatedResourceNotAuthorizedOrNotFound", f"Job {body['jobId']} not found.")
        if job["lifecycleState"] != "ACTIVE":
            raise OciError(409, "IncorrectState", f"The job is {job['lifecycleState']}.")

        def create() -> Response:
            rid = new_ocid("datasciencejobrun", self.emu.region_key)
            log_cfg = dict(job.get("jobLogConfigurationDetails") or {})
            log_cfg.update({k: v for k, v in (body.get("jobLogConfigurationOverrideDetails") or {}).items() if v})
            log_details = None
            if log_cfg.get("enableLogging"):
                log_id = log_cfg.get("logId") or (
                    new_ocid("log", self.emu.region_key) if log_cfg.get("enableAutoLogCreation") else None
                )
                if log_id:
                    log_details = {"logGroupId": log_cfg.get("logGroupId"), "logId": log_id}
            run = {k: body.get(k) for k in RUN_FIELDS}
            run.update(
                id=rid,
                timeAccepted=now_rfc3339(),
                timeStarted=None,
                timeFinished=None,
                createdBy=self.ds._user(req),
                displayName=body.get("displayName") or f"jobrun{time.strftime('%Y%m%d%H%M%S')}",
                # What the run really runs with: the job's configuration under the run's overrides.
                jobConfigurationOverrideDetails=_effective_configuration(job, body),
                jobInfrastructureConfigurationDetails=job.get("jobInfrastructureConfigurationDetails"),
                jobStorageMountConfigurationDetailsList=job.get("jobStorageMountConfigurationDetailsList"),
                logDetails=log_details,
                nodeGroupDetailsList=_node_groups(job),
                lifecycleState="ACCEPTED",
                lifecycleDetails=None,
                freeformTags=body.get("freeformTags") or {},
                definedTags=body.get("definedTags") or {},
                _seq=self._next(),
            )
            self.runs[rid] = run
            self._start_run(run)
            return self.replay(req, rid)

        return self.emu.idempotent_create(req, create)

    def _start_run(self, run: dict) -> None:
        def start() -> None:
            if run["lifecycleState"] != "ACCEPTED":
                return
            _set_run_state(run, "IN_PROGRESS", None, timeStarted=now_rfc3339())
            self._log(run, "Job run started")
            duration = self.emu.transition_seconds if self.run_seconds is None else self.run_seconds
            if self.run_outcome is default_run_outcome:
                self.finetuning.started(run, self.jobs[run["jobId"]], duration)
                self.evaluation.started(run, self.jobs[run["jobId"]], duration)
            if self.on_run_start:
                self.on_run_start(run)
            self.emu.schedule(duration, finish)

        def finish() -> None:
            if run["lifecycleState"] != "IN_PROGRESS":
                return
            outcome = None
            if self.run_outcome is default_run_outcome:  # a test's own outcome wins over the container's
                job = self.jobs[run["jobId"]]
                outcome = self.finetuning.finished(run, job) or self.evaluation.finished(run, job)
            state, details = outcome or self.run_outcome(run)
            if state not in TERMINAL_RUN_STATES:
                raise ValueError(f"run_outcome returned non-terminal state {state}")
            if state == "FAILED" and details is None:
                details = "Job run failed with exit code 1"
            if state == "SUCCEEDED" and details is None:
                details = SUCCEEDED_DETAILS
            _set_run_state(run, state, details, timeFinished=now_rfc3339())
            shown = details if details and state != "SUCCEEDED" else None  # a success's details say nothing more
            self._log(run, f"Job run finished: {state}" + (f" ({shown})" if shown else ""))

        self.emu.schedule(self.emu.transition_seconds, start)

    def cancel_run(self, req: Request) -> Response:
        run = self._run(req.params["runId"])
        if run["lifecycleState"] not in ("ACCEPTED", "IN_PROGRESS", "NEEDS_ATTENTION"):
            raise OciError(409, "IncorrectState", f"The job run is {run['lifecycleState']}.")
        _set_run_state(run, "CANCELING", "Canceling")

        def done() -> None:
            _set_run_state(run, "CANCELED", None, timeFinished=now_rfc3339())
            self._log(run, "Job run canceled")

        self.emu.schedule(self.emu.transition_seconds, done)
        return Response(202, None)

    def delete_run(self, req: Request) -> Response:
        run = self._run(req.params["runId"])
        if run["lifecycleState"] not in TERMINAL_RUN_STATES or run["lifecycleState"] == "DELETED":
            raise OciError(409, "IncorrectState", f"The job run is {run['lifecycleState']}.")
        _set_run_state(run, "DELETED", None)
        return Response(204, None)


def job_environment(job: dict) -> dict[str, str]:
    """The environment variables a job's runs get: the standalone configuration's, or the first node group's."""
    config = job.get("jobConfigurationDetails")
    if not config or config.get("jobType") == "EMPTY":
        groups = (job.get("jobNodeConfigurationDetails") or {}).get("jobNodeGroupConfigurationDetailsList") or [{}]
        config = groups[0].get("jobConfigurationDetails")
    return dict((config or {}).get("environmentVariables") or {})


def _effective_configuration(job: dict, body: dict) -> dict:
    """A run's jobConfigurationOverrideDetails as OCI reports it (required in the SDK's JobRun): the job's
    configuration with the run's overrides on top (an assumption: OCI does not document the merge)."""
    config = dict(job.get("jobConfigurationDetails") or EMPTY_CONFIGURATION)
    override = body.get("jobConfigurationOverrideDetails") or {}
    if override.get("jobType") == "DEFAULT" and config.get("jobType") == "EMPTY":
        config = {"jobType": "DEFAULT"}
    for key, value in override.items():
        if value is None or key == "jobType":
            continue
        if key == "environmentVariables":
            config[key] = {**(config.get(key) or {}), **value}
        else:
            config[key] = value
    return config


def _node_groups(job: dict) -> list[dict] | None:
    """A multi-node run reports each node group's state (null for standalone runs)."""
    nodes = job.get("jobNodeConfigurationDetails")
    if not nodes:
        return None
    return [{"name": g["name"], "lifecycleState": "CREATING", "lifecycleDetails": None}
            for g in nodes.get("jobNodeGroupConfigurationDetailsList") or []]  # fmt: skip


# A node group's own lifecycle (NodeGroupDetails: CREATING, ACTIVE, DELETING, DELETED, FAILED) as its run moves:
# its nodes are provisioned, run, and are released when the run ends (an assumption: OCI documents only the enum).
_NODE_GROUP_STATES = {"ACCEPTED": "CREATING", "IN_PROGRESS": "ACTIVE", "CANCELING": "DELETING",
                      "SUCCEEDED": "DELETED", "CANCELED": "DELETED", "DELETED": "DELETED", "FAILED": "FAILED",
                      "NEEDS_ATTENTION": "FAILED"}  # fmt: skip


def _set_run_state(run: dict, state: str, details: str | None, **times: str) -> None:
    run.update(lifecycleState=state, lifecycleDetails=details, **times)
    for group in run.get("nodeGroupDetailsList") or []:
        group.update(lifecycleState=_NODE_GROUP_STATES[state], lifecycleDetails=details)
