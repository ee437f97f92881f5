"""The protocol every backend implements.

Methods are async; a backend runs blocking work (SQLite, SDK calls, file
walks) in its own bounded executor so the Jupyter event loop never waits.
"""

from __future__ import annotations

import abc
import builtins
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..api.deployments import (
    AdapterRequest,
    CreateDeploymentRequest,
    CreateDeploymentResponse,
    DeploymentDetail,
    DeploymentState,
    DeploymentSummary,
    SetAdaptersResponse,
)
from ..api.evaluations import (
    CreateEvaluationRequest,
    CreateEvaluationResponse,
    EvaluationDetail,
    EvaluationRow,
    EvaluationSummary,
)
from ..api.finetunes import (
    CreateFineTuneRequest,
    CreateFineTuneResponse,
    FineTuneDefaults,
    FineTuneDefaultsQuery,
    FineTuneDetail,
    FineTuneMetrics,
    FineTuneParams,
    FineTuneSummary,
    MetricsQuery,
    TrainingFit,
)
from ..api.info import BackendDescription
from ..api.job_datasets import DatasetAccess, DatasetFile, JobDataset
from ..api.logs import LogPage, LogsQuery
from ..api.models import ConvertToGgufRequest, ModelDetail, ModelSummary, RegisterModelRequest, RegisterModelResponse
from ..api.operations import Operation
from ..api.terraform import ExportedFineTune, ModelDeploymentSpec, SdkCall
from ..api.upstream import UpstreamTarget
from ..errors import InvalidInput
from .adapter_facts import AdapterChange
from .connections.protocol import StoredConnection
from .oci.shapes import GpuShape
from .operations import Operations
from .training import TrainingFacts


class Backend(abc.ABC):
    kind: str

    def __init__(self, operations: Operations) -> None:
        self.operations = operations

    def owns(self, resource_id: str) -> bool:
        """Whether `resource_id` (a model, deployment, fine-tune or evaluation id) is this target's.
        The ids of one target never look like another's (OCI: OCIDs)."""
        return not resource_id.startswith("ocid1.")

    async def target_shapes(self) -> list[str] | None:
        """The shapes a deployment may run on here, for `info` (None: not a shape-based target)."""
        return None

    async def start(self) -> None:  # noqa: B027 (an optional hook: most backends have nothing to open)
        """Open connections, reconcile state. Must not raise for a
        misconfiguration: `describe()` reports it instead."""

    async def close(self) -> None:  # noqa: B027 (an optional hook: most backends have nothing to release)
        """Release resources; running operations are canceled by the registry."""

    @abc.abstractmethod
    async def describe(self) -> BackendDescription: ...

    async def fit_shapes(self) -> Sequence[GpuShape] | None:
        """The OCI GPU shapes memory fit compares against: those this user can deploy to,
        where the backend knows them; None means every known shape."""
        return None

    async def fit_availability(self) -> Mapping[str, int | None] | None:
        """Shape name → how many more instances of it the backend's service limits allow
        (None: unknown); None when the backend has no such limits."""
        return None

    @abc.abstractmethod
    async def list_models(self, *, refresh: bool = False) -> list[ModelSummary]: ...

    @abc.abstractmethod
    async def get_model(self, model_id: str) -> ModelDetail: ...

    @abc.abstractmethod
    async def register_model(self, request: RegisterModelRequest) -> RegisterModelResponse: ...

    @abc.abstractmethod
    async def delete_model(self, model_id: str) -> None: ...

    async def convert_to_gguf(self, model: ModelDetail, request: ConvertToGgufRequest) -> Operation:
        """Start converting `model` (checked by the models service) to a GGUF model; the operation's
        resource is the registered result."""
        raise InvalidInput.field("model_id", f"GGUF conversion runs on this machine's models, not on {self.kind}")

    # ---- deployments: each backend's Deployments object does the work ----------

    deployments: Deployments

    async def list_deployments(self) -> list[DeploymentSummary]:
        return await self.deployments.list()

    async def get_deployment(self, deployment_id: str) -> DeploymentDetail:
        return await self.deployments.get(deployment_id)

    async def resolve_deployment(self, request: CreateDeploymentRequest) -> Any:
        return await self.deployments.resolve(request)

    async def create_deployment(self, plan: Any) -> CreateDeploymentResponse:
        return await self.deployments.create(plan)

    async def deployment_create_values(self, plan: Any) -> tuple[ModelDeploymentSpec, SdkCall]:
        return await self.deployments.create_values(plan)

    async def activate_deployment(self, deployment_id: str) -> CreateDeploymentResponse:
        return await self.deployments.activate(deployment_id)

    async def deactivate_deployment(self, deployment_id: str, *, reason: str | None = None) -> DeploymentDetail:
        if reason is None:  # a target that records no reason (it has no idle stop) is asked as ever
            return await self.deployments.deactivate(deployment_id)
        return await self.deployments.deactivate(deployment_id, reason=reason)

    async def update_deployment(self, deployment_id: str, *, idle_stop_minutes: int | None) -> DeploymentDetail:
        return await self.deployments.update(deployment_id, idle_stop_minutes=idle_stop_minutes)

    async def resolve_adapters(self, deployment_id: str, adapters: list[AdapterRequest]) -> AdapterChange:
        return await self.deployments.resolve_adapters(deployment_id, adapters)

    async def set_adapters(self, change: AdapterChange) -> SetAdaptersResponse:
        return await self.deployments.set_adapters(change)

    def watches_deployments(self) -> bool:
        """Whether this process is the one that watches this target's running deployments (idle
        stop acts only there): every process for a cloud target; locally the lease holder."""
        return True

    async def delete_deployment(self, deployment_id: str) -> None:
        await self.deployments.delete(deployment_id)

    async def deployment_logs(self, deployment_id: str, query: LogsQuery) -> LogPage:
        return await self.deployments.logs(deployment_id, query)

    async def upstream(self, deployment_id: str) -> UpstreamTarget:
        return await self.deployments.upstream(deployment_id)

    async def upstream_failed(self, deployment_id: str, error: str) -> DeploymentState | None:
        return await self.deployments.upstream_failed(deployment_id, error)

    # ---- fine-tuning: each backend's FineTunes object does the work -------------

    finetunes: FineTunes

    async def finetune_facts(self, model_id: str, query: FineTuneDefaultsQuery) -> TrainingFacts:
        return await self.finetunes.facts(model_id, query)

    async def finetune_defaults(
        self, facts: TrainingFacts, shape: str | None, params: FineTuneParams, fit: TrainingFit
    ) -> FineTuneDefaults:
        return self.finetunes.defaults(facts, shape, params, fit)

    async def resolve_finetune(self, request: CreateFineTuneRequest) -> TrainingFacts:
        return await self.finetunes.resolve(request)

    async def list_finetunes(self) -> list[FineTuneSummary]:
        return await self.finetunes.list()

    async def get_finetune(self, finetune_id: str) -> FineTuneDetail:
        return await self.finetunes.get(finetune_id)

    async def finetune_dataset(self, request: CreateFineTuneRequest, access: DatasetAccess) -> DatasetFile:
        return await self.finetunes.dataset_file(request, access)

    async def create_finetune(self, request: CreateFineTuneRequest, dataset: JobDataset) -> CreateFineTuneResponse:
        return await self.finetunes.create(request, dataset)

    async def finetune_create_calls(self, request: CreateFineTuneRequest, dataset: JobDataset) -> ExportedFineTune:
        return await self.finetunes.create_calls(request, dataset)

    async def cancel_finetune(self, finetune_id: str) -> FineTuneDetail:
        return await self.finetunes.cancel(finetune_id)

    async def delete_finetune(self, finetune_id: str) -> None:
        await self.finetunes.delete(finetune_id)

    async def finetune_logs(self, finetune_id: str, query: LogsQuery) -> LogPage:
        return await self.finetunes.logs(finetune_id, query)

    async def finetune_metrics(self, finetune_id: str, query: MetricsQuery) -> FineTuneMetrics:
        return await self.finetunes.metrics(finetune_id, query)

    # ---- evaluations: each backend's Evaluations object does the work -------------

    evaluations: Evaluations

    async def list_evaluations(self) -> list[EvaluationSummary]:
        return await self.evaluations.list()

    async def get_evaluation(self, evaluation_id: str) -> EvaluationDetail:
        return await self.evaluations.get(evaluation_id)

    async def evaluation_dataset(self, request: CreateEvaluationRequest, access: DatasetAccess) -> DatasetFile:
        return await self.evaluations.dataset_file(request, access)

    async def evaluation_chat_target(self, deployment_id: str) -> UpstreamTarget | None:
        return await self.evaluations.chat_target(deployment_id)

    async def create_evaluation(self, order: EvaluationOrder) -> CreateEvaluationResponse:
        return await self.evaluations.create(order)

    async def cancel_evaluation(self, evaluation_id: str) -> EvaluationDetail:
        return await self.evaluations.cancel(evaluation_id)

    async def delete_evaluation(self, evaluation_id: str) -> None:
        await self.evaluations.delete(evaluation_id)

    async def evaluation_rows(self, evaluation_id: str) -> list[EvaluationRow]:
        return await self.evaluations.rows(evaluation_id)

    async def evaluation_report_html(self, evaluation_id: str) -> str:
        return await self.evaluations.report_html(evaluation_id)

    async def evaluation_logs(self, evaluation_id: str, query: LogsQuery) -> LogPage:
        return await self.evaluations.logs(evaluation_id, query)


class Deployments(abc.ABC):
    """A backend's deployments: the lifecycle, logs, and where an engine answers."""

    @abc.abstractmethod
    async def list(self) -> list[DeploymentSummary]: ...

    @abc.abstractmethod
    async def get(self, deployment_id: str) -> DeploymentDetail: ...

    @abc.abstractmethod
    async def resolve(self, request: CreateDeploymentRequest) -> Any:
        """What the target says about the request (the model ready, the engine, the shapes it
        offers: InvalidInput naming the field for what only it can check), as the facts the
        deployments service checks the params and the shape fit on (services/deploy_plan.py)."""

    @abc.abstractmethod
    async def create(self, plan: Any) -> CreateDeploymentResponse:
        """Record the deployment the service checked (`plan`, made from this target's facts) as
        CREATING and start it in the background; the answer's operation reports progress until
        ACTIVE or FAILED."""

    async def create_values(self, plan: Any) -> tuple[ModelDeploymentSpec, SdkCall]:
        """What `create` would send for `plan`, as plain values and as the SDK call, creating nothing (the
        Terraform export and its Python).
        Only a target whose deployments are cloud resources has them; the service asks no other."""
        raise NotImplementedError(f"{type(self).__name__} has no create request to describe")

    @abc.abstractmethod
    async def activate(self, deployment_id: str) -> CreateDeploymentResponse:
        """INACTIVE (or FAILED) → UPDATING → ACTIVE. Conflict in any other state."""

    @abc.abstractmethod
    async def deactivate(self, deployment_id: str, *, reason: str | None = None) -> DeploymentDetail:
        """ACTIVE (or FAILED) → INACTIVE: the engine stops, the record stays. `reason` (idle stop's):
        why, kept as the INACTIVE state's message."""

    async def update(self, deployment_id: str, *, idle_stop_minutes: int | None) -> DeploymentDetail:
        """Record the deployment's idle-stop minutes (None: never) where the target keeps its settings."""
        raise InvalidInput.field("idle_stop_minutes", f"{type(self).__name__} keeps no idle stop")

    async def resolve_adapters(self, deployment_id: str, adapters: builtins.list[AdapterRequest]) -> AdapterChange:
        """What the target has of the adapters asked for a deployment of its (services/adapters.py checks it)."""
        raise InvalidInput.field("adapters", f"{type(self).__name__} serves no LoRA adapters beside a base model")

    async def set_adapters(self, change: AdapterChange) -> SetAdaptersResponse:
        """Serve the checked set of adapters (`change.how`: live, or by restarting the engine)."""
        raise InvalidInput.field("adapters", f"{type(self).__name__} serves no LoRA adapters beside a base model")

    @abc.abstractmethod
    async def delete(self, deployment_id: str) -> None: ...

    @abc.abstractmethod
    async def logs(self, deployment_id: str, query: LogsQuery) -> LogPage: ...

    @abc.abstractmethod
    async def upstream(self, deployment_id: str) -> UpstreamTarget:
        """Where an ACTIVE deployment's engine answers: NotFound for an unknown id, Conflict
        (409) when it is not ACTIVE. Must not make a control-plane call per request."""

    async def upstream_failed(self, deployment_id: str, error: str) -> DeploymentState | None:
        """A request to the engine failed (connection refused, dropped mid-answer). Check whether
        the engine is gone and, if so, record the deployment's new state (FAILED with the reason);
        return the state now known, or None when unchanged."""
        return None


class FineTunes(abc.ABC):
    """A backend's fine-tuning jobs: start, follow, cancel, and the model each produces."""

    @abc.abstractmethod
    async def facts(self, model_id: str, query: FineTuneDefaultsQuery) -> TrainingFacts:
        """What the form's starting point for a base model is made of (404 unknown, never 400 for a
        model that is not ready): the fine-tunes service fits the shape and batch on it."""

    @abc.abstractmethod
    def defaults(
        self, facts: TrainingFacts, shape: str | None, params: FineTuneParams, fit: TrainingFit
    ) -> FineTuneDefaults:
        """The form's starting point, with the shape, params and fit the service chose
        (`ready_to_finetune` and `notes` say why a model that is not ready cannot be fine-tuned)."""

    @abc.abstractmethod
    async def resolve(self, request: CreateFineTuneRequest) -> TrainingFacts:
        """The checks of a create request that need no dataset and no memory fit (InvalidInput naming
        the field), and the facts the service's memory fit checks or picks the shape on."""

    @abc.abstractmethod
    async def list(self) -> list[FineTuneSummary]: ...

    @abc.abstractmethod
    async def get(self, finetune_id: str) -> FineTuneDetail: ...

    async def dataset_file(self, request: CreateFineTuneRequest, access: DatasetAccess) -> DatasetFile:
        """Where the request's dataset is on this machine, for the preflight the service runs before
        `create` (a file of the Jupyter root here; a driver that reads other places says so)."""
        return DatasetFile(root=access.root, path=request.dataset_path)

    @abc.abstractmethod
    async def create(self, request: CreateFineTuneRequest, dataset: JobDataset) -> CreateFineTuneResponse:
        """Validate everything else before anything is created (model ready to fine-tune, what the
        target reads of the preflighted `dataset`, OCI: versioned bucket, subnet and logging for
        replicas > 1: InvalidInput naming the field and the fix), then start the job ACCEPTED. The
        service resolved the shape the run fits on (request.shape) and its complete params."""

    async def create_calls(self, request: CreateFineTuneRequest, dataset: JobDataset) -> ExportedFineTune:
        """`create`'s checks, then what it would send, creating nothing (the Terraform export and its Python).
        Only a target whose jobs are cloud resources has them; the service asks no other."""
        raise NotImplementedError(f"{type(self).__name__} has no create request to describe")

    @abc.abstractmethod
    async def cancel(self, finetune_id: str) -> FineTuneDetail:
        """ACCEPTED or IN_PROGRESS → CANCELING (→ CANCELED); Conflict once finished."""

    @abc.abstractmethod
    async def delete(self, finetune_id: str) -> None:
        """Forget a finished job and remove the model it produced; Conflict while it runs or
        while a deployment serves its model."""

    @abc.abstractmethod
    async def logs(self, finetune_id: str, query: LogsQuery) -> LogPage: ...

    @abc.abstractmethod
    async def metrics(self, finetune_id: str, query: MetricsQuery) -> FineTuneMetrics: ...


@dataclass(frozen=True)
class EvaluatedConnection:
    """A connection as the model an evaluation asks (services/evaluations.py checked that it may):
    the connection with its secret, for the job's environment only, and which of its models answers."""

    connection: StoredConnection
    model: str
    # Where an OCI-signed connection's signer comes from (auth, config_file, profile, region): the
    # server's OCI settings, none of them secret, so the job signs as the server does.
    oci_signing: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EvaluationJudge:
    """A model that grades an evaluation's answers (services/evaluations.py checked it answers text):
    a deployment's engine (`target`), or a connection and its model. `name` as people know it."""

    name: str
    deployment_id: str | None = None
    target: UpstreamTarget | None = None
    connection: EvaluatedConnection | None = None
    # A deployment reached signed (OCI: `target.auth` set): the server's OCI settings the job signs
    # with (auth kind, config file, profile, region), none of them secret.
    oci_signing: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EvaluationOrder:
    """An evaluation as services/evaluations.py hands it to a driver, its rules checked: the request,
    its preflighted dataset, the connection asked instead of a deployment and the judges that grade
    the answers (the last two: the local job only)."""

    request: CreateEvaluationRequest
    dataset: JobDataset
    connection: EvaluatedConnection | None = None
    judges: Sequence[EvaluationJudge] = ()


class Evaluations(abc.ABC):
    """A backend's evaluations: a deployment (or, locally, a connection) answers a dataset, the
    answers are scored."""

    @abc.abstractmethod
    async def list(self) -> list[EvaluationSummary]: ...

    @abc.abstractmethod
    async def get(self, evaluation_id: str) -> EvaluationDetail: ...

    async def dataset_file(self, request: CreateEvaluationRequest, access: DatasetAccess) -> DatasetFile:
        """Where the request's dataset is on this machine, for the preflight the service runs before
        `create`: a file of the Jupyter root here; a fine-tune's training data (`finetune_id`) is where
        the driver keeps it."""
        return DatasetFile(root=access.root, path=request.dataset_path or "")

    async def chat_target(self, deployment_id: str) -> UpstreamTarget | None:
        """Where the evaluation job sends its chat requests when it builds them as the playground does
        (services/chat_payload.py), so the service checks the parameters first; None when the job
        builds its own (OCI's evaluation container)."""
        return None

    @abc.abstractmethod
    async def create(self, order: EvaluationOrder) -> CreateEvaluationResponse:
        """Check everything else first (prompt/completion rows only; OCI: shape, report location), then
        start the job on the order's preflighted dataset, asking `request.deployment_id`, or the
        order's connection when the request names one; its judges (the local job only) grade the answers."""

    @abc.abstractmethod
    async def cancel(self, evaluation_id: str) -> EvaluationDetail: ...

    @abc.abstractmethod
    async def delete(self, evaluation_id: str) -> None: ...

    @abc.abstractmethod
    async def rows(self, evaluation_id: str) -> builtins.list[EvaluationRow]:
        """Every row the job wrote so far, in its order (the service sorts and pages them)."""

    @abc.abstractmethod
    async def report_html(self, evaluation_id: str) -> str:
        """The self-contained report (Conflict until the evaluation SUCCEEDED)."""

    @abc.abstractmethod
    async def logs(self, evaluation_id: str, query: LogsQuery) -> LogPage: ...
