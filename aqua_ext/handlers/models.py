from __future__ import annotations

from ..api.fit import FitQuery
from ..api.models import ConvertToGgufRequest, ModelListQuery, RegisterModelRequest
from .resources import action_handler, collection_handler, item_handler, query_handler

# The list is filtered by a query; a model is registered (202: a download goes on in the background).
ModelsHandler = collection_handler("models", RegisterModelRequest, list_query=ModelListQuery, create_method="register")
ModelHandler = item_handler("models")
ModelFitHandler = query_handler("models", "fit", FitQuery)
ModelGgufHandler = action_handler("models", "convert_to_gguf", body=ConvertToGgufRequest, status=202)
