"""Every REST route of the contract, with its inputs and outputs.

This table is what the OpenAPI document is built from; `tests/` checks that the
handlers serve exactly these routes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel

from .connections import (
    ConnectionChatRequest,
    ConnectionDetail,
    ConnectionList,
    ConnectionModels,
    CreateConnectionRequest,
    ExportConnectionsQuery,
    ExportConnectionsResponse,
    ImportConnectionsRequest,
    ImportConnectionsResponse,
    TestConnectionRequest,
    TestConnectionResult,
    UpdateConnectionRequest,
)
from .datasets import DatasetReport, SaveDatasetRowRequest, SaveDatasetRowResponse, ValidateDatasetRequest
from .deployments import (
    ChatRequest,
    ChatStreamEvents,
    CreateDeploymentRequest,
    CreateDeploymentResponse,
    DeploymentDetail,
    DeploymentList,
    EmbedRequest,
    EmbedResponse,
    UpdateDeploymentRequest,
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
from .genai import (
    ClusterPlan,
    ClusterPlanQuery,
    CreateClusterRequest,
    CreateGenAiEndpointRequest,
    CreateGenAiFineTuneRequest,
    GenAiCluster,
    GenAiClusterList,
    GenAiClusterResponse,
    GenAiEndpoint,
    GenAiEndpointList,
    GenAiEndpointResponse,
    GenAiFineTune,
    GenAiFineTuneList,
    GenAiFineTuneResponse,
    GenAiModel,
    GenAiModelList,
    GenAiModelResponse,
    GenAiTrainingDefaults,
    ImportGenAiModelRequest,
    OnDemandModelList,
)
from .info import Info
from .logs import LogPage, LogsQuery
from .metrics import DeploymentMetrics
from .models import (
    ConvertToGgufRequest,
    ModelDetail,
    ModelList,
    ModelListQuery,
    RegisterModelRequest,
    RegisterModelResponse,
)
from .oci_setup import OciSetupReport, SetupQuery
from .operations import Operation, OperationList
from .terraform import TerraformExport


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


# The conventions the resources share, each stated once: a list or an item read reaches the target (502 when
# it fails); a create answers 202 (the work goes on in the background); a delete answers 204 with no body;
# an action on one resource may be refused by its state (409); a log tail takes the cursor query.
JOB_ERRORS = (404, 409, 502)


def _list(path: str, operation_id: str, summary: str, response: type[BaseModel]) -> Route:
    return Route("GET", path, operation_id, summary, response, errors=(502,))


def _read(path: str, operation_id: str, summary: str, response: type[BaseModel]) -> Route:
    return Route("GET", path, operation_id, summary, response, errors=(404, 502))


def _create(
    path: str,
    operation_id: str,
    summary: str,
    response: type[BaseModel],
    body: type[BaseModel],
    errors: tuple[int, ...],
) -> Route:
    return Route("POST", path, operation_id, summary, response, status=202, body=body, errors=errors)


def _delete(path: str, operation_id: str, summary: str, errors: tuple[int, ...] = JOB_ERRORS) -> Route:
    return Route("DELETE", path, operation_id, summary, None, status=204, errors=errors)


def _action(path: str, operation_id: str, summary: str, response: type[BaseModel], status: int = 200) -> Route:
    return Route("POST", path, operation_id, summary, response, status=status, errors=JOB_ERRORS)


def _query(path: str, operation_id: str, summary: str, response: type[BaseModel], query: type[BaseModel]) -> Route:
    return Route("GET", path, operation_id, summary, response, query=query, errors=(400, 404, 502))


def _logs(item: str, operation_id: str, summary: str) -> Route:
    return _query(f"{item}/logs", operation_id, summary, LogPage, LogsQuery)


def _terraform(path: str, operation_id: str, summary: str, body: type[BaseModel]) -> Route:
    """A create form's Terraform: the same body and checks as the create, nothing created (so 200)."""
    return Route("POST", f"{path}/terraform", operation_id, summary, TerraformExport, body=body, errors=(400, 404, 502))


def _genai_resource(
    plural: str,
    noun: str,
    list_summary: str,
    listing: type[BaseModel],
    item: type[BaseModel],
    create: tuple[str, str, type[BaseModel], type[BaseModel]],
    delete_summary: str,
    create_errors: tuple[int, ...] = (400, 404, 409, 502, 503),
) -> tuple[Route, ...]:
    """One Generative AI resource's routes: list, create (202), the create's Terraform, read, delete."""
    operation, summary, response, body = create
    path = f"genai/{plural}"
    item_path = f"{path}/{{{plural.rstrip('s')}_id}}"
    return (
        _list(path, f"listGenAi{noun}s", list_summary, listing),
        _create(path, operation, summary, response, body, create_errors),
        _terraform(
            path, f"exportGenAi{noun}Terraform", "The create's Terraform, after its checks, creating nothing", body
        ),
        _read(item_path, f"getGenAi{noun}", f"One Generative AI {noun.lower()}", item),
        _delete(item_path, f"deleteGenAi{noun}", delete_summary),
    )


def _openai(method: str, path: str, operation_id: str, summary: str) -> Route:
    """The OpenAI pass-through: bodies are OpenAI's own; the engine may be busy (503)."""
    errors = (404,) if method == "GET" else (400, 404, 409, 502, 503)
    return Route(method, path, operation_id, summary, None, errors=errors, media_type="application/octet-stream")


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
    _create(
        "models",
        "registerModel",
        "Register a local folder or a Hugging Face model",
        RegisterModelResponse,
        RegisterModelRequest,
        (400, 409, 502, 504, 507),
    ),
    Route("GET", "models/{model_id}", "getModel", "Model detail with card, metadata and lineage", ModelDetail),
    _delete("models/{model_id}", "deleteModel", "Delete a registered model", errors=(404, 409)),
    Route(
        "GET",
        "models/{model_id}/fit",
        "getModelFit",
        "Memory estimate against this machine and OCI shapes",
        FitReport,
        query=FitQuery,
    ),
    _create(
        "models/{model_id}/gguf",
        "convertModelToGguf",
        "Convert a model to a quantized GGUF model (llama.cpp), registered when done",
        Operation,
        ConvertToGgufRequest,
        (400, 404, 409),
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
    _list("deployments", "listDeployments", "Deployments with their states", DeploymentList),
    _create(
        "deployments",
        "createDeployment",
        "Deploy a model on an inference engine",
        CreateDeploymentResponse,
        CreateDeploymentRequest,
        (400, 404, 409, 502, 507),
    ),
    # The create form's Terraform: the same body and checks as the create, nothing created (so 200).
    Route(
        "POST",
        "deployments/terraform",
        "exportDeploymentTerraform",
        "The Terraform of a deployment create (OCI targets), creating nothing",
        TerraformExport,
        body=CreateDeploymentRequest,
        errors=(400, 404, 502),
    ),
    _read(
        "deployments/{deployment_id}",
        "getDeployment",
        "One deployment with its endpoint and parameters",
        DeploymentDetail,
    ),
    Route(
        "PATCH",
        "deployments/{deployment_id}",
        "updateDeployment",
        "Change a deployment's settings (its idle stop) without redeploying it",
        DeploymentDetail,
        body=UpdateDeploymentRequest,
        errors=(400, 404, 409, 502),
    ),
    _delete("deployments/{deployment_id}", "deleteDeployment", "Stop and delete a deployment"),
    _action(
        "deployments/{deployment_id}/activate",
        "activateDeployment",
        "Start an inactive deployment again",
        CreateDeploymentResponse,
        status=202,
    ),
    _action(
        "deployments/{deployment_id}/deactivate",
        "deactivateDeployment",
        "Stop the engine, keep the deployment",
        DeploymentDetail,
    ),
    _logs("deployments/{deployment_id}", "getDeploymentLogs", "The engine log's last lines"),
    _read(
        "deployments/{deployment_id}/metrics",
        "getDeploymentMetrics",
        "Serving metrics: the engine's own (vLLM, llama.cpp) and what this server measured relaying requests",
        DeploymentMetrics,
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
    _openai(
        "POST",
        "deployments/{deployment_id}/v1/chat/completions",
        "openaiChatCompletions",
        "OpenAI-compatible chat completions, passed through to the engine",
    ),
    _openai(
        "POST",
        "deployments/{deployment_id}/v1/completions",
        "openaiCompletions",
        "OpenAI-compatible completions, passed through to the engine",
    ),
    _openai(
        "POST",
        "deployments/{deployment_id}/v1/embeddings",
        "openaiEmbeddings",
        "OpenAI-compatible embeddings, passed through to the engine",
    ),
    _openai(
        "GET",
        "deployments/{deployment_id}/v1/models",
        "openaiModels",
        "OpenAI-compatible model list: the deployment's served name",
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
        "POST",
        "datasets/rows",
        "saveDatasetRow",
        "Save a playground turn as a row of a JSONL dataset (new file or appended), after duplicate and leakage checks",
        SaveDatasetRowResponse,
        body=SaveDatasetRowRequest,
        errors=(400, 409, 413, 507),
    ),
    _query(
        "models/{model_id}/finetune-defaults",
        "getFineTuneDefaults",
        "The fine-tune form's defaults for a base model: hyperparameters, shapes and the training memory fit",
        FineTuneDefaults,
        FineTuneDefaultsQuery,
    ),
    _list("finetunes", "listFineTunes", "Fine-tuning jobs with their states and progress", FineTuneList),
    _create(
        "finetunes",
        "createFineTune",
        "Preflight the dataset, check the shape, and start a fine-tuning job",
        CreateFineTuneResponse,
        CreateFineTuneRequest,
        (400, 404, 409, 413, 502, 507),
    ),
    # The create form's Terraform and SDK calls: the same body, checks and preflight, nothing created (so 200).
    Route(
        "POST",
        "finetunes/terraform",
        "exportFineTuneTerraform",
        "The Terraform and SDK calls of an OCI fine-tune create (a Data Science job and its run), creating nothing",
        TerraformExport,
        body=CreateFineTuneRequest,
        errors=(400, 404, 409, 413, 502),
    ),
    _read(
        "finetunes/{finetune_id}", "getFineTune", "One fine-tuning job with its parameters and lineage", FineTuneDetail
    ),
    _delete("finetunes/{finetune_id}", "deleteFineTune", "Delete a finished job and the model it produced"),
    _action("finetunes/{finetune_id}/cancel", "cancelFineTune", "Cancel a running job", FineTuneDetail),
    _logs("finetunes/{finetune_id}", "getFineTuneLogs", "The job log's last lines"),
    _query(
        "finetunes/{finetune_id}/metrics",
        "getFineTuneMetrics",
        "Train and validation loss per logged step (poll with the cursor for live curves)",
        FineTuneMetrics,
        MetricsQuery,
    ),
    _list("evaluations", "listEvaluations", "Evaluations with their states and headline scores", EvaluationList),
    _create(
        "evaluations",
        "createEvaluation",
        "Preflight the dataset and start evaluating an ACTIVE deployment on it",
        CreateEvaluationResponse,
        CreateEvaluationRequest,
        (400, 404, 409, 413, 502, 507),
    ),
    _read("evaluations/{evaluation_id}", "getEvaluation", "One evaluation with its report", EvaluationDetail),
    _delete("evaluations/{evaluation_id}", "deleteEvaluation", "Delete a finished evaluation and its report"),
    _action(
        "evaluations/{evaluation_id}/cancel",
        "cancelEvaluation",
        "Cancel a running evaluation (the rows answered so far stay)",
        EvaluationDetail,
    ),
    _query(
        "evaluations/{evaluation_id}/rows",
        "getEvaluationRows",
        "The answered rows with their scores, sorted and filtered",
        EvaluationRows,
        EvaluationRowsQuery,
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
    _logs("evaluations/{evaluation_id}", "getEvaluationLogs", "The evaluation job's log"),
    _query(
        "compare/evaluations",
        "compareEvaluations",
        "Two or more evaluations side by side, overall and per category",
        EvaluationComparison,
        CompareQuery,
    ),
    # 400: a malformed compartment OCID or name; 503: the OCI target could not start.
    Route(
        "GET",
        "oci/setup",
        "getOciSetup",
        "The dynamic groups and policies AQUA needs in the compartment, and which are missing",
        OciSetupReport,
        query=SetupQuery,
        errors=(400, 502, 503),
    ),
    # Connections: hosted LLM services. Stored in this server's data dir (no target to reach: a list
    # never fails upstream); 409 for a name taken; a test request's failure is its result, not an error.
    Route("GET", "connections", "listConnections", "Hosted LLM services", ConnectionList, errors=()),
    Route(
        "POST",
        "connections",
        "createConnection",
        "Add a hosted LLM service (its secret is kept on the server)",
        ConnectionDetail,
        status=201,
        body=CreateConnectionRequest,
        errors=(400, 409, 507),
    ),
    Route(
        "POST",
        "connections/import",
        "importConnections",
        "Import services from an ODA `exportedRestServices` YAML document (all or none)",
        ImportConnectionsResponse,
        status=201,
        body=ImportConnectionsRequest,
        errors=(400, 409, 507),
    ),
    Route(
        "GET",
        "connections/export",
        "exportConnections",
        "Export services as ODA YAML (secrets only when asked for)",
        ExportConnectionsResponse,
        query=ExportConnectionsQuery,
        errors=(400, 404),
    ),
    Route("GET", "connections/{connection_id}", "getConnection", "One connection", ConnectionDetail, errors=(404,)),
    Route(
        "PATCH",
        "connections/{connection_id}",
        "updateConnection",
        "Change a connection (secret: absent keeps it, empty removes it)",
        ConnectionDetail,
        body=UpdateConnectionRequest,
        errors=(400, 404, 409, 507),
    ),
    _delete("connections/{connection_id}", "deleteConnection", "Delete a connection and its secret", errors=(404,)),
    Route(
        "POST",
        "connections/{connection_id}/test",
        "testConnection",
        "Send the sample payload (or a one-line chat) and report status, latency, answer or the mapped error",
        TestConnectionResult,
        body=TestConnectionRequest,
        errors=(400, 404),
    ),
    Route(
        "GET",
        "connections/{connection_id}/models",
        "listConnectionModels",
        "The models the service lists (or the configured list when it cannot)",
        ConnectionModels,
        errors=(400, 404),
    ),
    Route(
        "POST",
        "connections/{connection_id}/chat",
        "chatConnection",
        "Stream one playground turn with the service as server-sent events (delta…, then done or error)",
        ChatStreamEvents,
        body=ConnectionChatRequest,
        errors=(400, 404, 502, 503),
        media_type="text/event-stream",
    ),
    _openai(
        "POST",
        "connections/{connection_id}/v1/chat/completions",
        "connectionChatCompletions",
        "OpenAI chat, translated to the service's dialect",
    ),
    _openai(
        "POST", "connections/{connection_id}/v1/embeddings", "connectionEmbeddings", "OpenAI embeddings, translated"
    ),
    _openai(
        "GET",
        "connections/{connection_id}/v1/models",
        "connectionModelsOpenAi",
        "The connection's models, OpenAI-style",
    ),
    # OCI Generative AI (the `genai` target): imported and base models, dedicated AI clusters, endpoints (also
    # listed as deployments) and fine-tunes. A create answers 202 with the operation that follows its work request;
    # 503 when the genai target could not start.
    *_genai_resource(
        "models",
        "Model",
        "Generative AI base, fine-tuned and imported models",
        GenAiModelList,
        GenAiModel,
        (
            "importGenAiModel",
            "Import a model from Hugging Face or Object Storage (config.json, weights and capability checked first)",
            GenAiModelResponse,
            ImportGenAiModelRequest,
        ),
        "Delete an imported or fine-tuned model",
    ),
    Route(
        "GET",
        "genai/on-demand-models",
        "listGenAiOnDemandModels",
        "The region's base models served on demand (chat, embeddings), used by OCID as deployments",
        OnDemandModelList,
        errors=(502, 503),
    ),
    *_genai_resource(
        "clusters",
        "Cluster",
        "Dedicated AI clusters with their cost",
        GenAiClusterList,
        GenAiCluster,
        (
            "createGenAiCluster",
            "Create a dedicated AI cluster (unit shape checked against the memory fit and the service limit)",
            GenAiClusterResponse,
            CreateClusterRequest,
        ),
        "Delete a dedicated AI cluster",
    ),
    _query(
        "genai/cluster-plan",
        "getGenAiClusterPlan",
        "Every unit shape for a model: fit, service limit, AI units and cost, beside a Data Science shape",
        ClusterPlan,
        ClusterPlanQuery,
    ),
    *_genai_resource(
        "endpoints",
        "Endpoint",
        "Endpoints on hosting clusters",
        GenAiEndpointList,
        GenAiEndpoint,
        (
            "createGenAiEndpoint",
            "Create an endpoint for a model on a hosting cluster (then chat with it as a deployment)",
            GenAiEndpointResponse,
            CreateGenAiEndpointRequest,
        ),
        "Delete an endpoint",
    ),
    *_genai_resource(
        "finetunes",
        "FineTune",
        "Fine-tunes on fine-tuning clusters",
        GenAiFineTuneList,
        GenAiFineTune,
        (
            "createGenAiFineTune",
            "Preflight the dataset and fine-tune a base model on a fine-tuning cluster",
            GenAiFineTuneResponse,
            CreateGenAiFineTuneRequest,
        ),
        "Delete a finished fine-tune and its model",
        create_errors=(400, 404, 409, 413, 502, 503),
    ),
    Route(
        "GET",
        "genai/training-defaults",
        "getGenAiTrainingDefaults",
        "Each training method's hyperparameters with their defaults and ranges",
        GenAiTrainingDefaults,
        errors=(),
    ),
)
