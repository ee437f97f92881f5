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
    """The card shown for a catalog model that is not downloaded yet: where its
    real card lives and what to know before downloading. The summary and the
    facts are already in the detail view, so they are not repeated here."""
    url = f"https://huggingface.co/{entry['hf_id']}"
    lines = [
        f"# {entry['name']}",
        "",
        f"The publisher's full model card is on Hugging Face: [{entry['hf_id']}]({url}). "
        "It is shown here once the model is downloaded (Register model → Hugging Face).",
        "",
        "## Before you download",
        "",
        f"- **License:** {entry['license']}. Read it before use, especially for commercial work.",
        f"- **Download size:** about {entry['size_bytes'] / 1e9:.1f} GB.",
    ]
    if entry.get("gated"):
        lines.append(
            "- **Gated:** accept the terms on the model page first, then register it with a "
            "Hugging Face token that has read access."
        )
    return "\n".join(lines) + "\n"
