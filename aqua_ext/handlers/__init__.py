"""HTTP layer: thin, async, authenticated handlers under <base_url>/aqua-ext/."""

from __future__ import annotations

# Path patterns relative to /aqua-ext/; one capture group per {param} of api.routes.
ID = r"([^/]+)"


def routes() -> list[tuple[str, type]]:
    from .info import InfoHandler
    from .models import ModelFitHandler, ModelHandler, ModelsHandler
    from .operations import OperationHandler, OperationsHandler

    return [
        ("info", InfoHandler),
        ("models", ModelsHandler),
        (f"models/{ID}", ModelHandler),
        (f"models/{ID}/fit", ModelFitHandler),
        ("operations", OperationsHandler),
        (f"operations/{ID}", OperationHandler),
    ]
