"""HTTP layer: thin, async, authenticated handlers under <base_url>/aqua-ext/."""

from __future__ import annotations

import asyncio
from importlib import import_module

from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin

# Path patterns relative to /aqua-ext/; one capture group per {param} of api.routes.
ID = r"([^/]+)"

# (pattern, module in this package, handler class): the one route table.
ROUTES: list[tuple[str, str, str]] = [
    ("info", "info", "InfoHandler"),
    ("models", "models", "ModelsHandler"),
    (f"models/{ID}", "models", "ModelHandler"),
    (f"models/{ID}/fit", "models", "ModelFitHandler"),
    (f"models/{ID}/gguf", "models", "ModelGgufHandler"),
    ("operations", "operations", "OperationsHandler"),
    (f"operations/{ID}", "operations", "OperationHandler"),
    ("deployments", "deployments", "DeploymentsHandler"),
    (
        "deployments/terraform",
        "deployments",
        "DeploymentTerraformHandler",
    ),  # before deployments/{ID}, which would take it
    (f"deployments/{ID}", "deployments", "DeploymentHandler"),
    (f"deployments/{ID}/activate", "deployments", "DeploymentActivateHandler"),
    (f"deployments/{ID}/deactivate", "deployments", "DeploymentDeactivateHandler"),
    (f"deployments/{ID}/logs", "deployments", "DeploymentLogsHandler"),
    (f"deployments/{ID}/metrics", "deployments", "DeploymentMetricsHandler"),
    (f"deployments/{ID}/adapters", "deployments", "DeploymentAdaptersHandler"),
    (f"deployments/{ID}/chat", "deployments", "DeploymentChatHandler"),
    (f"deployments/{ID}/embed", "deployments", "DeploymentEmbedHandler"),
    (f"deployments/{ID}/v1/chat/completions", "deployments", "OpenAiChatCompletionsHandler"),
    (f"deployments/{ID}/v1/completions", "deployments", "OpenAiCompletionsHandler"),
    (f"deployments/{ID}/v1/embeddings", "deployments", "OpenAiEmbeddingsHandler"),
    (f"deployments/{ID}/v1/models", "deployments", "OpenAiModelsHandler"),
    ("datasets/validate", "datasets", "DatasetValidateHandler"),
    ("datasets/rows", "datasets", "DatasetRowsHandler"),
    (f"models/{ID}/finetune-defaults", "finetunes", "FineTuneDefaultsHandler"),
    ("finetunes", "finetunes", "FineTunesHandler"),
    ("finetunes/terraform", "finetunes", "FineTuneTerraformHandler"),  # before finetunes/{ID}, which would take it
    (f"finetunes/{ID}", "finetunes", "FineTuneHandler"),
    (f"finetunes/{ID}/cancel", "finetunes", "FineTuneCancelHandler"),
    (f"finetunes/{ID}/logs", "finetunes", "FineTuneLogsHandler"),
    (f"finetunes/{ID}/metrics", "finetunes", "FineTuneMetricsHandler"),
    ("evaluations", "evaluations", "EvaluationsHandler"),
    (f"evaluations/{ID}", "evaluations", "EvaluationHandler"),
    (f"evaluations/{ID}/cancel", "evaluations", "EvaluationCancelHandler"),
    (f"evaluations/{ID}/rows", "evaluations", "EvaluationRowsHandler"),
    (f"evaluations/{ID}/report.html", "evaluations", "EvaluationReportHandler"),
    (f"evaluations/{ID}/logs", "evaluations", "EvaluationLogsHandler"),
    ("compare/evaluations", "evaluations", "EvaluationCompareHandler"),
    ("oci/setup", "oci_setup", "OciSetupHandler"),
    ("connections", "connections", "ConnectionsHandler"),
    ("connections/import", "connections", "ConnectionsImportHandler"),
    ("connections/export", "connections", "ConnectionsExportHandler"),
    (f"connections/{ID}", "connections", "ConnectionHandler"),
    (f"connections/{ID}/test", "connections", "ConnectionTestHandler"),
    (f"connections/{ID}/models", "connections", "ConnectionModelsHandler"),
    (f"connections/{ID}/chat", "connections", "ConnectionChatHandler"),
    (f"connections/{ID}/v1/chat/completions", "connections", "ConnectionChatCompletionsHandler"),
    (f"connections/{ID}/v1/embeddings", "connections", "ConnectionEmbeddingsHandler"),
    (f"connections/{ID}/v1/models", "connections", "ConnectionOpenAiModelsHandler"),
    # OCI Generative AI: each `…/terraform` before the `…/{ID}` that would take it.
    ("genai/models", "genai", "GenAiModelsHandler"),
    ("genai/on-demand-models", "genai", "GenAiOnDemandModelsHandler"),
    ("genai/models/terraform", "genai", "GenAiModelTerraformHandler"),
    (f"genai/models/{ID}", "genai", "GenAiModelHandler"),
    ("genai/clusters", "genai", "GenAiClustersHandler"),
    ("genai/clusters/terraform", "genai", "GenAiClusterTerraformHandler"),
    ("genai/cluster-plan", "genai", "GenAiClusterPlanHandler"),
    (f"genai/clusters/{ID}", "genai", "GenAiClusterHandler"),
    ("genai/endpoints", "genai", "GenAiEndpointsHandler"),
    ("genai/endpoints/terraform", "genai", "GenAiEndpointTerraformHandler"),
    (f"genai/endpoints/{ID}", "genai", "GenAiEndpointHandler"),
    ("genai/finetunes", "genai", "GenAiFineTunesHandler"),
    ("genai/finetunes/terraform", "genai", "GenAiFineTuneTerraformHandler"),
    ("genai/training-defaults", "genai", "GenAiTrainingDefaultsHandler"),
    (f"genai/finetunes/{ID}", "genai", "GenAiFineTuneHandler"),
    # Last: any other path under aqua-ext/ is a 404 in the error shape.
    (".*", "base", "UnknownRouteHandler"),
]


def handler_class(module: str, name: str) -> type[APIHandler]:
    handler: type[APIHandler] = getattr(import_module(f".{module}", __name__), name)
    return handler


def routes() -> list[tuple[str, type]]:
    """The route table with its handler classes (every handler module imported)."""
    return [(pattern, handler_class(module, name)) for pattern, module, name in ROUTES]


def lazy_routes() -> list[tuple[str, type]]:
    """The route table as Jupyter's start registers it: each handler's module (and the contract's
    pydantic models, the services and drivers behind it) is imported by the first request it gets."""
    return [(pattern, _stand_in(module, name)) for pattern, module, name in ROUTES]


def _stand_in(module: str, name: str) -> type:
    # An ExtensionHandlerMixin, so Jupyter hands it the extension's name as it would the real class.
    class StandIn(ExtensionHandlerMixin, APIHandler):
        real: type[APIHandler] | None = None

        async def prepare(self) -> None:  # type: ignore[override]  # as APIHandler.prepare
            # The first request imports the handler's module and what the services need in a worker
            # thread (the event loop keeps serving); every request then goes on as the real handler:
            # tornado looks its method up after prepare.
            def load() -> type[APIHandler]:
                self.settings["aqua_app"].import_parts()
                return handler_class(module, name)

            if StandIn.real is None:
                StandIn.real = await asyncio.to_thread(load)
            real = StandIn.real
            self.__class__ = real  # type: ignore[assignment]  # the same bases: a RequestHandler still
            # Tornado bound the close callback at construction (as here, untyped): bind the real one instead.
            if self.request.connection is not None:
                self.request.connection.set_close_callback(self.on_connection_close)  # type: ignore[attr-defined]
            await real.prepare(self)

    StandIn.__name__ = StandIn.__qualname__ = f"Lazy{name}"
    return StandIn
