"""The curated catalog of popular open models shipped with aqua_ext."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files
from typing import Any


@lru_cache(maxsize=1)
def curated_entries() -> tuple[dict[str, Any], ...]:
    """The raw entries of `models.json`, read once per process."""
    data = json.loads(files(__package__).joinpath("models.json").read_text(encoding="utf-8"))
    return tuple(data["models"])


def catalog_model_id(hf_id: str) -> str:
    """Ids must fit in one URL path segment; HF's own cache uses `--` for `/`."""
    return "catalog:" + hf_id.replace("/", "--")


def curated_card(entry: dict[str, Any]) -> str:
    """A short model card in our own words, for models not downloaded yet."""
    facts = [
        f"- **Hugging Face id:** `{entry['hf_id']}`",
        f"- **Organization:** {entry['organization']}",
        f"- **License:** {entry['license']}" + (" (gated: accept the terms on Hugging Face first)" if entry.get("gated") else ""),
        f"- **Task:** {entry['task']}",
        f"- **Parameters:** {entry['parameter_count'] / 1e9:.2f} B",
        f"- **Context length:** {entry['context_length']:,} tokens",
        f"- **Formats:** {', '.join(entry['formats'])}",
    ]
    return f"# {entry['name']}\n\n{entry['description']}\n\n" + "\n".join(facts) + "\n"
