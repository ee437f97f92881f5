"""HTTP layer: thin, async, authenticated handlers under <base_url>/aqua-ext/."""

from __future__ import annotations

# Path patterns relative to /aqua-ext/; one capture group per {param} of api.routes.
ID = r"([^/]+)"


def routes() -> list[tuple[str, type]]:
    from .base import UnknownRouteHandler
    from .connections import (
        ConnectionChatCompletionsHandler,
        ConnectionChatHandler,
        ConnectionEmbeddingsHandler,
        ConnectionHandler,
        ConnectionModelsHandler,
        ConnectionOpenAiModelsHandler,
        ConnectionsExportHandler,
        ConnectionsHandler,
        ConnectionsImportHandler,
        ConnectionTestHandler,
    )
    from .datasets import DatasetRowsHandler, DatasetValidateHandler
    from .deployments import (
        DeploymentActivateHandler,
        DeploymentAdaptersHandler,
        DeploymentChatHandler,
        DeploymentDeactivateHandler,
        DeploymentEmbedHandler,
        DeploymentHandler,
        DeploymentLogsHandler,
        DeploymentMetricsHandler,
        DeploymentsHandler,
        DeploymentTerraformHandler,
        OpenAiChatCompletionsHandler,
        OpenAiCompletionsHandler,
        OpenAiEmbeddingsHandler,
        OpenAiModelsHandler,
    )
    from .evaluations import (
        EvaluationCancelHandler,
        EvaluationCompareHandler,
        EvaluationHandler,
        EvaluationLogsHandler,
        EvaluationReportHandler,
        EvaluationRowsHandler,
        EvaluationsHandler,
    )
    from .finetunes import (
        FineTuneCancelHandler,
        FineTuneDefaultsHandler,
        FineTuneHandler,
        FineTuneLogsHandler,
        FineTuneMetricsHandler,
        FineTunesHandler,
        FineTuneTerraformHandler,
    )
    from .genai import (
        GenAiClusterHandler,
        GenAiClusterPlanHandler,
        GenAiClustersHandler,
        GenAiClusterTerraformHandler,
        GenAiEndpointHandler,
        GenAiEndpointsHandler,
        GenAiEndpointTerraformHandler,
        GenAiFineTuneHandler,
        GenAiFineTunesHandler,
        GenAiFineTuneTerraformHandler,
        GenAiModelHandler,
        GenAiModelsHandler,
        GenAiModelTerraformHandler,
        GenAiOnDemandModelsHandler,
        GenAiTrainingDefaultsHandler,
    )
    from .info import InfoHandler
    from .models import ModelFitHandler, ModelGgufHandler, ModelHandler, ModelsHandler
    from .oci_setup import OciSetupHandler
    from .operations import OperationHandler, OperationsHandler

    return [
        ("info", InfoHandler),
        ("models", ModelsHandler),
        (f"models/{ID}", ModelHandler),
        (f"models/{ID}/fit", ModelFitHandler),
        (f"models/{ID}/gguf", ModelGgufHandler),
        ("operations", OperationsHandler),
        (f"operations/{ID}", OperationHandler),
        ("deployments", DeploymentsHandler),
        ("deployments/terraform", DeploymentTerraformHandler),  # before deployments/{ID}, which would take it
        (f"deployments/{ID}", DeploymentHandler),
        (f"deployments/{ID}/activate", DeploymentActivateHandler),
        (f"deployments/{ID}/adapters", DeploymentAdaptersHandler),
        (f"deployments/{ID}/deactivate", DeploymentDeactivateHandler),
        (f"deployments/{ID}/logs", DeploymentLogsHandler),
        (f"deployments/{ID}/metrics", DeploymentMetricsHandler),
        (f"deployments/{ID}/chat", DeploymentChatHandler),
        (f"deployments/{ID}/embed", DeploymentEmbedHandler),
        (f"deployments/{ID}/v1/chat/completions", OpenAiChatCompletionsHandler),
        (f"deployments/{ID}/v1/completions", OpenAiCompletionsHandler),
        (f"deployments/{ID}/v1/embeddings", OpenAiEmbeddingsHandler),
        (f"deployments/{ID}/v1/models", OpenAiModelsHandler),
        ("datasets/validate", DatasetValidateHandler),
        ("datasets/rows", DatasetRowsHandler),
        (f"models/{ID}/finetune-defaults", FineTuneDefaultsHandler),
        ("finetunes", FineTunesHandler),
        ("finetunes/terraform", FineTuneTerraformHandler),  # before finetunes/{ID}, which would take it
        (f"finetunes/{ID}", FineTuneHandler),
        (f"finetunes/{ID}/cancel", FineTuneCancelHandler),
        (f"finetunes/{ID}/logs", FineTuneLogsHandler),
        (f"finetunes/{ID}/metrics", FineTuneMetricsHandler),
        ("evaluations", EvaluationsHandler),
        (f"evaluations/{ID}", EvaluationHandler),
        (f"evaluations/{ID}/cancel", EvaluationCancelHandler),
        (f"evaluations/{ID}/rows", EvaluationRowsHandler),
        (f"evaluations/{ID}/report.html", EvaluationReportHandler),
        (f"evaluations/{ID}/logs", EvaluationLogsHandler),
        ("compare/evaluations", EvaluationCompareHandler),
        ("oci/setup", OciSetupHandler),
        ("connections", ConnectionsHandler),
        ("connections/import", ConnectionsImportHandler),
        ("connections/export", ConnectionsExportHandler),
        (f"connections/{ID}", ConnectionHandler),
        (f"connections/{ID}/test", ConnectionTestHandler),
        (f"connections/{ID}/models", ConnectionModelsHandler),
        (f"connections/{ID}/chat", ConnectionChatHandler),
        (f"connections/{ID}/v1/chat/completions", ConnectionChatCompletionsHandler),
        (f"connections/{ID}/v1/embeddings", ConnectionEmbeddingsHandler),
        (f"connections/{ID}/v1/models", ConnectionOpenAiModelsHandler),
        # OCI Generative AI: each `…/terraform` before the `…/{ID}` that would take it.
        ("genai/models", GenAiModelsHandler),
        ("genai/on-demand-models", GenAiOnDemandModelsHandler),
        ("genai/models/terraform", GenAiModelTerraformHandler),
        (f"genai/models/{ID}", GenAiModelHandler),
        ("genai/clusters", GenAiClustersHandler),
        ("genai/clusters/terraform", GenAiClusterTerraformHandler),
        ("genai/cluster-plan", GenAiClusterPlanHandler),
        (f"genai/clusters/{ID}", GenAiClusterHandler),
        ("genai/endpoints", GenAiEndpointsHandler),
        ("genai/endpoints/terraform", GenAiEndpointTerraformHandler),
        (f"genai/endpoints/{ID}", GenAiEndpointHandler),
        ("genai/finetunes", GenAiFineTunesHandler),
        ("genai/finetunes/terraform", GenAiFineTuneTerraformHandler),
        ("genai/training-defaults", GenAiTrainingDefaultsHandler),
        (f"genai/finetunes/{ID}", GenAiFineTuneHandler),
        # Last: any other path under aqua-ext/ is a 404 in the error shape.
        (".*", UnknownRouteHandler),
    ]
