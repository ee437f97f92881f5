"""The GGUF header reader and what the memory fit makes of a GGUF-only model folder.

The files are written here, field by field from the format's specification (ggml's docs/gguf.md),
because the `gguf` package is not in the environment: the writer below is the spec's layout, not the
reader's code run backwards. Tensor data is left out: the reader never goes past the header.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import pytest

from aqua_ext.api.fit import FitQuery
from aqua_ext.api.models import Capability, ModelDetail, ModelFormat, ModelSource
from aqua_ext.backends.gguf_header import read_gguf_header
from aqua_ext.backends.local.model_folder import inspect_folder
from aqua_ext.backends.model_config import architecture_from_gguf
from aqua_ext.services.kv_cache import estimate_kv_cache
from aqua_ext.services.memory_fit import estimate_fit

U32, I32, F32, BOOL, STRING, ARRAY, U64 = 4, 5, 6, 7, 8, 9, 10
_FORMATS = {U32: "<I", I32: "<i", F32: "<f", BOOL: "<?", U64: "<Q"}
GGML_Q4_K, GGML_F32 = 12, 0


def _string(text: str) -> bytes:
    raw = text.encode("utf-8")
    return struct.pack("<Q", len(raw)) + raw


def _value(kind: int, value: Any) -> bytes:
    if kind == STRING:
        return _string(value)
    if kind == ARRAY:
        item_kind, items = value
        return struct.pack("<IQ", item_kind, len(items)) + b"".join(_value(item_kind, v) for v in items)
    return struct.pack(_FORMATS[kind], value)


def write_gguf(
    path: Path,
    metadata: dict[str, tuple[int, Any]],
    tensors: list[tuple[str, list[int], int]],
    version: int = 3,
) -> Path:
    out = [b"GGUF", struct.pack("<IQQ", version, len(tensors), len(metadata))]
    for key, (kind, value) in metadata.items():
        out += [_string(key), struct.pack("<I", kind), _value(kind, value)]
    offset = 0
    for name, dims, ggml_type in tensors:
        out += [_string(name), struct.pack("<I", len(dims)), struct.pack(f"<{len(dims)}Q", *dims)]
        out += [struct.pack("<IQ", ggml_type, offset)]
        offset += 32
    path.write_bytes(b"".join(out))
    return path


def llama_31_8b_tensors() -> list[tuple[str, list[int], int]]:
    """Meta-Llama-3.1-8B's tensors as llama.cpp names them (ggml lists the fastest dimension first)."""
    tensors = [("token_embd.weight", [4096, 128256], GGML_Q4_K), ("output_norm.weight", [4096], GGML_F32)]
    tensors.append(("output.weight", [4096, 128256], GGML_Q4_K))
    for i in range(32):
        tensors += [
            (f"blk.{i}.attn_norm.weight", [4096], GGML_F32),
            (f"blk.{i}.attn_q.weight", [4096, 4096], GGML_Q4_K),
            (f"blk.{i}.attn_k.weight", [4096, 1024], GGML_Q4_K),
            (f"blk.{i}.attn_v.weight", [4096, 1024], GGML_Q4_K),
            (f"blk.{i}.attn_output.weight", [4096, 4096], GGML_Q4_K),
            (f"blk.{i}.ffn_norm.weight", [4096], GGML_F32),
            (f"blk.{i}.ffn_gate.weight", [4096, 14336], GGML_Q4_K),
            (f"blk.{i}.ffn_up.weight", [4096, 14336], GGML_Q4_K),
            (f"blk.{i}.ffn_down.weight", [14336, 4096], GGML_Q4_K),
        ]
    return tensors


# The keys llama.cpp's converter writes for Meta-Llama-3.1-8B-Instruct (Q4_K_M: file_type 15), with a
# vocabulary cut to a few tokens in three scripts (the real one has 128,256).
LLAMA_31_8B_GGUF: dict[str, tuple[int, Any]] = {
    "general.architecture": (STRING, "llama"),
    "general.name": (STRING, "Meta Llama 3.1 8B Instruct · 메타 라마 · メタ・ラマ"),
    "llama.block_count": (U32, 32),
    "llama.context_length": (U32, 131072),
    "llama.embedding_length": (U32, 4096),
    "llama.feed_forward_length": (U32, 14336),
    "llama.attention.head_count": (U32, 32),
    "llama.attention.head_count_kv": (U32, 8),
    "llama.rope.freq_base": (F32, 500000.0),
    "llama.attention.layer_norm_rms_epsilon": (F32, 1e-05),
    "general.file_type": (U32, 15),
    "llama.vocab_size": (U32, 128256),
    "llama.rope.dimension_count": (U32, 128),
    "tokenizer.ggml.model": (STRING, "gpt2"),
    "tokenizer.ggml.tokens": (ARRAY, (STRING, ["hello", "안녕하세요", "こんにちは", "世界"])),
    "tokenizer.ggml.token_type": (ARRAY, (I32, [1, 1, 1, 1])),
    "tokenizer.ggml.merges": (ARRAY, (STRING, ["h e", "안 녕"])),
    "tokenizer.ggml.add_bos_token": (BOOL, True),
    "tokenizer.chat_template": (STRING, "{% for m in messages %}{{ m['content'] }}{% endfor %}"),
    "general.quantization_version": (U32, 2),
}
LLAMA_31_8B_PARAMS = 8_030_261_248
LLAMA_31_8B_Q4_K_M_BYTES = 4_920_734_016  # the published Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf


def test_the_header_gives_metadata_array_lengths_and_the_parameter_count(tmp_path: Path) -> None:
    header = read_gguf_header(write_gguf(tmp_path / "m.gguf", LLAMA_31_8B_GGUF, llama_31_8b_tensors()))
    assert header.version == 3 and header.tensor_count == 3 + 32 * 9
    assert header.metadata["general.architecture"] == "llama"
    assert header.metadata["general.name"] == "Meta Llama 3.1 8B Instruct · 메타 라마 · メタ・ラマ"
    assert header.metadata["llama.rope.freq_base"] == 500000.0 and header.metadata["general.file_type"] == 15
    assert header.metadata["tokenizer.ggml.add_bos_token"] is True
    assert header.array_lengths == {
        "tokenizer.ggml.tokens": 4,
        "tokenizer.ggml.token_type": 4,
        "tokenizer.ggml.merges": 2,
    }
    assert header.parameter_count == LLAMA_31_8B_PARAMS, (
        "2 × 4096 × 128,256 (embeddings, output) + 4,096 + 32 × (2 × 4,096 norms + 2 × 4096² q/o "
        "+ 2 × 4096 × 1024 k/v + 3 × 4096 × 14,336 ffn) = 1,050,673,152 + 4,096 + 32 × 218,112,000"
    )


def test_a_gguf_only_folder_is_described_by_its_header(tmp_path: Path) -> None:
    folder = tmp_path / "라마-GGUF"
    folder.mkdir()
    write_gguf(folder / "Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf", LLAMA_31_8B_GGUF, llama_31_8b_tensors())
    info = inspect_folder(folder)
    assert info.formats == [ModelFormat.GGUF] and info.config is None
    assert info.parameter_count == LLAMA_31_8B_PARAMS and info.context_length == 131072
    arch = info.architecture
    assert arch is not None and arch.quantization is not None
    assert (arch.model_type, arch.num_hidden_layers, arch.hidden_size) == ("llama", 32, 4096)
    assert (arch.num_attention_heads, arch.num_key_value_heads, arch.vocab_size) == (32, 8, 128256)
    assert (arch.quantization.method, arch.quantization.level) == ("gguf", "Q4_K_M")

    # The fit, with the published file's size (the one written here holds no tensor data).
    model = ModelDetail(
        id="local/llama-gguf",
        name="llama-gguf",
        source=ModelSource.REGISTERED,
        capability=Capability.TEXT_TO_TEXT,
        parameter_count=info.parameter_count,
        context_length=info.context_length,
        size_bytes=LLAMA_31_8B_Q4_K_M_BYTES,
        formats=info.formats,
        ready_to_deploy=True,
        ready_to_finetune=False,
        architecture=arch,
    )
    report = estimate_fit(model, FitQuery(context_length=4096), None)
    assert report.weights_gb == 4.92, "the file is the weights: 4,920,734,016 bytes = 4.92 GB"
    assert report.parameter_count == LLAMA_31_8B_PARAMS, "the header's tensors, not 4.92 GB × 8 / 4.84 bits"
    assert report.arithmetic[0] == "weights = 4.92 GB (the GGUF file, GGUF Q4_K_M)"
    assert report.kv_cache_gb == 0.54, "2 × 32 layers × 8 kv heads × (4096/32 = 128) × 4,096 tokens × 2 bytes"
    assert report.unknown == []


def test_the_header_quant_type_wins_over_the_file_name(tmp_path: Path) -> None:
    q8 = {**LLAMA_31_8B_GGUF, "general.file_type": (U32, 7)}
    header = read_gguf_header(write_gguf(tmp_path / "m.gguf", q8, []))
    quant = architecture_from_gguf(header, "renamed-Q4_K_M.gguf").quantization
    assert quant is not None and quant.level == "Q8_0", "general.file_type 7 is LLAMA_FTYPE_MOSTLY_Q8_0"
    no_type = {k: v for k, v in LLAMA_31_8B_GGUF.items() if k != "general.file_type"}
    header = read_gguf_header(write_gguf(tmp_path / "n.gguf", no_type, []))
    quant = architecture_from_gguf(header, "model-Q5_K_M.gguf").quantization
    assert quant is not None and quant.level == "Q5_K_M", "no file_type: the file name's level"


def test_a_gemma2_header_names_its_window_and_the_family_rule_places_it(tmp_path: Path) -> None:
    # The keys llama.cpp writes for gemma-2-9b-it (vocabulary and tensors left out).
    gemma2 = {
        "general.architecture": (STRING, "gemma2"),
        "gemma2.context_length": (U32, 8192),
        "gemma2.embedding_length": (U32, 3584),
        "gemma2.block_count": (U32, 42),
        "gemma2.attention.head_count": (U32, 16),
        "gemma2.attention.head_count_kv": (U32, 8),
        "gemma2.attention.key_length": (U32, 256),
        "gemma2.attention.value_length": (U32, 256),
        "gemma2.attention.sliding_window": (U32, 4096),
        "general.file_type": (U32, 18),
    }
    arch = architecture_from_gguf(read_gguf_header(write_gguf(tmp_path / "g.gguf", gemma2, [])), "g.gguf")
    assert (arch.head_dim, arch.sliding_window) == (256, 4096)
    assert arch.quantization is not None and arch.quantization.level == "Q6_K"
    kv, _ = estimate_kv_cache(arch, 8192, 1, 2)
    assert kv is not None and kv.bytes == 2 * 8 * 256 * (21 * 8192 + 21 * 4096) * 2, (
        "21 full layers × 8,192 + 21 sliding × 4,096 tokens, × 2 × 8 kv heads × 256 × 2 bytes"
    )


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"GGUF" + b"\0" * 60, "version 0"),
        (b"GGML" + struct.pack("<IQQ", 3, 0, 0), "no GGUF magic"),
        (b"GGUF" + struct.pack("<IQQ", 1, 0, 0), "version 1"),
        (b"GGUF" + struct.pack(">IQQ", 3, 0, 0), "version 50331648"),  # big-endian
        (b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", 10**12), "does not fit"),
        (b"GGUF" + struct.pack("<IQQ", 3, 0, 10**12), "past what a GGUF header holds"),
        (b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + _string("k") + struct.pack("<I", 99), "unknown metadata value"),
        (b"GGUF" + struct.pack("<IQQ", 3, 1, 0) + _string("t") + struct.pack("<I", 2), "ends before"),
        # an array of 3 strings that holds 1 (and the 8 bytes the test pads every file with)
        (
            b"GGUF"
            + struct.pack("<IQQ", 3, 0, 1)
            + _string("k")
            + struct.pack("<IIQ", ARRAY, STRING, 3)
            + _string("한국어"),
            "ends before",
        ),
    ],
)
def test_a_broken_header_is_a_value_error_naming_what_is_wrong(tmp_path: Path, data: bytes, why: str) -> None:
    (tmp_path / "bad.gguf").write_bytes(data + b"\0" * 8)
    with pytest.raises(ValueError, match=why):
        read_gguf_header(tmp_path / "bad.gguf")


def test_a_folder_whose_gguf_header_is_unreadable_keeps_the_file_names_level(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "tiny-Q4_0.gguf").write_bytes(b"GGUF" + b"\0" * 60)
    info = inspect_folder(folder)
    assert info.architecture is not None and info.architecture.quantization is not None
    assert info.architecture.quantization.level == "Q4_0" and info.parameter_count is None
