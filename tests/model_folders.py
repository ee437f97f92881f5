"""Builds small but real Hugging Face model folders for tests (no torch needed)."""

from __future__ import annotations

import importlib.util
import json
import struct
from pathlib import Path

import pytest

# The [local] extra (torch, transformers) is installed by scripts/setup; tests that need it say so.
HAS_LOCAL_EXTRA = all(importlib.util.find_spec(m) is not None for m in ("torch", "transformers", "tokenizers"))
needs_local_extra = pytest.mark.skipif(not HAS_LOCAL_EXTRA, reason="needs the [local] extra (torch, transformers)")


def write_safetensors(path: Path, tensors: dict[str, list[int]], *, sparse: bool = False) -> int:
    """Write a valid safetensors file of zeros (float32) with the given shapes; returns parameter count.
    `sparse` leaves the zeros as a hole in the file: a "huge" model that takes no disk."""
    header: dict[str, object] = {}
    offset = 0
    count = 0
    for name, shape in tensors.items():
        n = 1
        for dim in shape:
            n *= dim
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + 4 * n]}
        offset += 4 * n
        count += n
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    if sparse:
        with open(path, "wb") as f:
            f.write(struct.pack("<Q", len(raw)) + raw)
            f.truncate(8 + len(raw) + offset)
    else:
        path.write_bytes(struct.pack("<Q", len(raw)) + raw + b"\0" * offset)
    return count


def write_model_folder(folder: Path, *, config: bool = True, weights: bool = True, readme: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if config:
        (folder / "config.json").write_text(
            json.dumps(
                {
                    "architectures": ["LlamaForCausalLM"],
                    "model_type": "llama",
                    "hidden_size": 8,
                    "num_hidden_layers": 1,
                    "num_attention_heads": 2,
                    "num_key_value_heads": 1,
                    "max_position_embeddings": 128,
                    "vocab_size": 16,
                    "torch_dtype": "float32",
                }
            )
        )
    if weights:
        write_safetensors(folder / "model.safetensors", {"embed.weight": [16, 8], "layer.weight": [8, 8]})
    if readme is not None:
        (folder / "README.md").write_text(readme)
    return folder
