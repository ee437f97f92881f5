"""Builds small but real Hugging Face model folders for tests (no torch needed)."""

from __future__ import annotations

import asyncio
import hashlib
import importlib.metadata
import importlib.util
import json
import os
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


def write_gguf(path: Path, *, architecture: str = "llama", file_type: int = 15, context_length: int = 128) -> Path:
    """A GGUF file that is only a header (version 3, no tensors): what registration and the memory fit
    read, for tests that run a stand-in engine. `file_type` is llama.cpp's llama_ftype (15: Q4_K_M)."""

    def string(text: str) -> bytes:
        raw = text.encode()
        return struct.pack("<Q", len(raw)) + raw

    entries = [
        string("general.architecture") + struct.pack("<I", 8) + string(architecture),
        string("general.file_type") + struct.pack("<II", 4, file_type),
        string(f"{architecture}.context_length") + struct.pack("<II", 4, context_length),
    ]
    path.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 0, len(entries)) + b"".join(entries))
    return path


# llama.cpp's converter and quantizer are slow to start (torch): the demo model's GGUF twins are kept
# between runs, under a key of what made them (the demo's weights and tokenizer, llama.cpp's version, our conversion).
GGUF_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "aqua_ext" / "test-gguf"


def demo_gguf_twin(demo: Path, level: str, cache: Path = GGUF_CACHE) -> Path:
    """The demo model as a GGUF folder at `level` (config, tokenizer and one .gguf file), converted and
    quantized by llama.cpp through aqua_ext's own conversion (llama_gguf.convert_folder), once."""
    from aqua_ext.backends.local import llama_gguf

    digest = hashlib.sha256()
    for name in ("model.safetensors", "tokenizer.json", "config.json"):
        digest.update((demo / name).read_bytes())
    digest.update(importlib.metadata.version("llama_cpp_python").encode())
    digest.update(Path(llama_gguf.__file__).with_name("llama_convert.py").read_bytes())
    folder = cache / f"demo-{level}-{digest.hexdigest()[:16]}"
    if not folder.is_dir():
        problem = llama_gguf.conversion_problem()
        assert problem is None, problem  # the [local] set-up installs llama.cpp: its absence is a failure
        folder.parent.mkdir(parents=True, exist_ok=True)
        asyncio.run(llama_gguf.convert_folder(demo, folder, level, _NoProgress()))
    return folder


class _NoProgress:
    def update(self, *, progress: float | None = None, message: str | None = None) -> None:
        pass
