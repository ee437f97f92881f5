"""Every REST route of the contract, with its inputs and outputs.

This table is what the OpenAPI document is built from; `tests/` checks that the
handlers serve exactly these routes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel

from .datasets import DatasetReport, ValidateDatasetRequest
from .deployments import (
    ChatRequest,
    ChatStreamEvents,
    CreateDeploymentRequest,
    CreateDeploymentResponse,
    DeploymentDetail,
    DeploymentList,
    EmbedRequest,
    EmbedResponse,
)
from .evaluations import (
    CompareQuery,
    CreateEvaluationRequest,
    CreateEvaluationResponse,
    EvaluationComparison,
    EvaluationDetail,
    EvaluationList,
    EvaluationRows,
    EvaluationRowsQuery,
)
from .finetunes import (
    CreateFineTuneRequest,
    CreateFineTuneResponse,
    FineTuneDefaults,
    FineTuneDefaultsQuery,
    FineTuneDetail,
    FineTuneList,
    FineTuneMetrics,
    MetricsQuery,
)
from .fit import FitQuery, FitReport
from .info import Info
from .logs import LogPage, LogsQuery
from .models import ModelDetail, ModelList, ModelListQuery, RegisterModelRequest, RegisterModelResponse
from .operations import Operation, OperationList


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # relative to <base_url>/aqua-ext/, with {param} placeholders
    operation_id: str
    summary: str
    response: type[BaseModel] | None
    status: int = 200
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    # 507: the disk is full where the route writes (nothing half-created stays).
    errors: tuple[int, ...] = field(default=(400, 404))
    # "text/event-stream" for the chat stream (the response model then documents its events);
    # "application/octet-stream" for the OpenAI pass-through, whose bodies are OpenAI's own.
    media_type: str = "application/json"


ROUTES: tuple[Route, ...] = (
    Route("GET", "info", "getInfo", "Version, backend, hardware and engines", Info, errors=()),
    Route(
        "GET",
        "models",
        "listModels",
        "List models from every source",
        ModelList,
        query=ModelListQuery,
        errors=(400, 502),
    ),
    Route(
        "POST",
        "models",
        "registerModel",
        "Register a local folder or a Hugging Face model",
        RegisterModelResponse,
        status=202,
        body=RegisterModelRequest,
        errors=(400, 409, 502, 504, 507),
    ),
    Route("GET", "models/{model_id}", "getModel", "Model detail with card, metadata and lineage", ModelDetail),
    Route(
        "DELETE", "models/{model_id}", "deleteModel", "Delete a registered model", None, status=204, errors=(404, 409)
    ),
    Route(
        "GET",
        "models/{model_id}/fit",
        "getModelFit",
        "Memory estimate against this machine and OCI shapes",
        FitReport,
        query=FitQuery,
    ),
    Route("GET", "operations", "listOperations", "Recent long-running operations", OperationList, errors=()),
    Route(
        "GET",
        "operations/{operation_id}",
        "getOperation",
        "One operation's state and progress",
        Operation,
        errors=(404,),
    ),
    Route(
        "DELETE",
        "operations/{operation_id}",
        "cancelOperation",
        "Cancel a running operation",
        Operation,
        errors=(404, 409),
    ),
    Route("GET", "deployments", "listDeployments", "Deployments with their states", DeploymentList, errors=(502,)),
    Route(
        "POST",
        "deployments",
        "createDeployment",
        "Deploy a model on an inference engine",
        CreateDeploymentResponse,
        status=202,
        body=CreateDeploymentRequest,
        errors=(400, 404, 409, 502, 507),
    ),
    Route(
        "GET",
        "deployments/{deployment_id}",
        "getDeployment",
        "One deployment with its endpoint and parameters",
        DeploymentDetail,
        errors=(404, 502),
    ),
    Route(
        "DELETE",
        "deployments/{deployment_id}",
        "deleteDeployment",
        "Stop and delete a deployment",
        None,
        status=204,
        errors=(404, 409, 502),
    ),
    Route(
        "POST",
        "deployments/{deployment_id}/activate",
        "activateDeployment",
        "Start an inactive deployment again",
        CreateDeploymentResponse,
        status=202,
        errors=(404, 409, 502),
    ),
    Route(
        "POST",
        "deployments/{deployment_id}/deactivate",
        "deactivateDeployment",
        "Stop the engine, keep the deployment",
        DeploymentDetail,
        errors=(404, 409, 502),
    ),
    Route(
        "GET",
        "deployments/{deployment_id}/logs",
        "getDeploymentLogs",
        "The engine log's last lines",
        LogPage,
        query=LogsQuery,
        errors=(400, 404, 502),
    ),
    Route(
        "POST",
        "deployments/{deployment_id}/chat",
        "chatDeployment",
        "Stream one chat or completion turn as server-sent events (delta…, then done or error)",
        ChatStreamEvents,
        body=ChatRequest,
        errors=(400, 404, 409, 502, 503),
        media_type="text/event-stream",
    ),
    Route(
        "POST",
        "deployments/{deployment_id}/embed",
        "embedDeployment",
        "Embed texts and compare them (cosine similarity)",
        EmbedResponse,
        body=EmbedRequest,
        errors=(400, 404, 409, 502),
    ),
    Route(
        "POST",
        "deployments/{deployment_id}/v1/chat/completions",
        "openaiChatCompletions",
        "OpenAI-compatible chat completions, passed through to the engine",
        None,
        errors=(400, 404, 409, 502, 503),
        media_type="application/octet-stream",
    ),
    Route(
        "POST",
        "deployments/{deployment_id}/v1/completions",
        "openaiCompletions",
        "OpenAI-compatible completions, passed through to the engine",
        None,
        errors=(400, 404, 409, 502, 503),
        media_type="application/octet-stream",
    ),
    Route(
        "POST",
        "deployments/{deployment_id}/v1/embeddings",
        "openaiEmbeddings",
        "OpenAI-compatible embeddings, passed through to the engine",
        None,
        errors=(400, 404, 409, 502, 503),
        media_type="application/octet-stream",
    ),
    Route(
        "GET",
        "deployments/{deployment_id}/v1/models",
        "openaiModels",
        "OpenAI-compatible model list: the deployment's served name",
        None,
        errors=(404,),
        media_type="application/octet-stream",
    ),
    Route(
        "POST",
        "datasets/validate",
        "validateDataset",
        "Preflight a JSONL dataset: per-line errors, counts, split and token lengths",
        DatasetReport,
        body=ValidateDatasetRequest,
        errors=(400, 404, 413),
    ),
    Route(
        "GET",
        "models/{model_id}/finetune-defaults",
        "getFineTuneDefaults",
        "The fine-tune form's defaults for a base model: hyperparameters, shapes and the training memory fit",
        FineTuneDefaults,
        query=FineTuneDefaultsQuery,
        errors=(400, 404, 502),
    ),
    Route(
        "GET",
        "finetunes",
        "listFineTunes",
        "Fine-tuning jobs with their states and progress",
        FineTuneList,
        errors=(502,),
    ),
    Route(
        "POST",
        "finetunes",
        "createFineTune",
        "Preflight the dataset, check the shape, and start a fine-tuning job",
        CreateFineTuneResponse,
        status=202,
        body=CreateFineTuneRequest,
        errors=(400, 404, 409, 413, 502, 507),
    ),
    Route(
        "GET",
        "finetunes/{finetune_id}",
        "getFineTune",
        "One fine-tuning job with its parameters and lineage",
        FineTuneDetail,
        errors=(404, 502),
    ),
    Route(
        "DELETE",
        "finetunes/{finetune_id}",
        "deleteFineTune",
        "Delete a finished job and the model it produced",
        None,
        status=204,
        errors=(404, 409, 502),
    ),
    Route(
        "POST",
        "finetunes/{finetune_id}/cancel",
        "cancelFineTune",
        "Cancel a running job",
        FineTuneDetail,
        errors=(404, 409, 502),
    ),
    Route(
        "GET",
        "finetunes/{finetune_id}/logs",
        "getFineTuneLogs",
        "The job log's last lines",
        LogPage,
        query=LogsQuery,
        errors=(400, 404, 502),
    ),
    Route(
        "GET",
        "finetunes/{finetune_id}/metrics",
        "getFineTuneMetrics",
        "Train and validation loss per logged step (poll with the cursor for live curves)",
        FineTuneMetrics,
        query=MetricsQuery,
        errors=(400, 404, 502),
    ),
    Route(
        "GET",
        "evaluations",
        "listEvaluations",
        "Evaluations with their states and headline scores",
        EvaluationList,
        errors=(502,),
    ),
    Route(
        "POST",
        "evaluations",
        "createEvaluation",
        "Preflight the dataset and start evaluating an ACTIVE deployment on it",
        CreateEvaluationResponse,
        status=202,
        body=CreateEvaluationRequest,
        errors=(400, 404, 409, 413, 502, 507),
    ),
    Route(
        "GET",
        "evaluations/{evaluation_id}",
        "getEvaluation",
        "One evaluation with its report",
        EvaluationDetail,
        errors=(404, 502),
    ),
    Route(
        "DELETE",
        "evaluations/{evaluation_id}",
        "deleteEvaluation",
        "Delete a finished evaluation and its report",
        None,
        status=204,
        errors=(404, 409, 502),
    ),
    Route(
        "POST",
        "evaluations/{evaluation_id}/cancel",
        "cancelEvaluation",
        "Cancel a running evaluation (the rows answered so far stay)",
        EvaluationDetail,
        errors=(404, 409, 502),
    ),
    Route(
        "GET",
        "evaluations/{evaluation_id}/rows",
        "getEvaluationRows",
        "The answered rows with their scores, sorted and filtered",
        EvaluationRows,
        query=EvaluationRowsQuery,
        errors=(400, 404, 502),
    ),
    Route(
        "GET",
        "evaluations/{evaluation_id}/report.html",
        "getEvaluationReportHtml",
        "The self-contained HTML report, as a download",
        None,
        errors=(404, 409, 502),
        media_type="text/html",
    ),
    Route(
        "GET",
        "evaluations/{evaluation_id}/logs",
        "getEvaluationLogs",
        "The evaluation job's log",
        LogPage,
        query=LogsQuery,
        errors=(400, 404, 502),
    ),
    Route(
        "GET",
        "compare/evaluations",
        "compareEvaluations",
        "Two or more evaluations side by side, overall and per category",
        EvaluationComparison,
        query=CompareQuery,
        errors=(400, 404, 502),
    ),
)
