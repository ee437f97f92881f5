"""Server-side model filtering for `GET aqua-ext/models` (the CLI and scripts;
the UI filters the same way on the client for instant keystrokes)."""

from __future__ import annotations

from ..api.models import ModelListQuery, ModelSummary


def search_text(model: ModelSummary) -> str:
    return " ".join(
        filter(None, [model.name, model.hf_id, model.organization, model.task, model.description, *model.tags])
    ).lower()


def filter_models(models: list[ModelSummary], query: ModelListQuery) -> list[ModelSummary]:
    words = (query.q or "").lower().split()
    max_bytes = query.max_size_gb * 1e9 if query.max_size_gb else None
    result = []
    for model in models:
        if query.source and model.source != query.source:
            continue
        if query.capability and model.capability != query.capability:
            continue
        if query.format and query.format not in model.formats:
            continue
        if max_bytes is not None and (model.size_bytes is None or model.size_bytes > max_bytes):
            continue
        if words:
            text = search_text(model)
            if not all(w in text for w in words):
                continue
        result.append(model)
    return result
