"""Reading a Hugging Face config.json, or a GGUF file's header, into the facts the memory fit needs
(api.models.Architecture).

Facts only, as the files spell them across model families; what they cost in memory is the
services' rule (services/kv_cache.py, services/weight_bytes.py). Shared by the local driver (a
model folder) and the OCI driver (an artifact's config.json in Object Storage).
"""

from __future__ import annotations

import re
from typing import Any

from ..api.models import Architecture, Quantization
from .gguf_header import GgufHeader

# Where a vision-language config keeps its language model: Llava, Gemma 3, Mistral 3 (text_config),
# InternVL (llm_config), DeepSeek-VL / Janus (language_config). Qwen2-VL keeps it at the top level.
LANGUAGE_MODEL_KEYS = ("text_config", "llm_config", "language_config")
# max_target_positions: Whisper's decoder, whose context is 448 tokens (max_source_positions is audio).
_CONTEXT_KEYS = (
    "max_position_embeddings",
    "n_positions",
    "max_seq_len",
    "max_sequence_length",
    "seq_length",
    "n_ctx",
    "max_target_positions",
)
_GGUF_LEVEL = re.compile(r"(?:^|[-_.])((?:I?Q\d(?:_[0-9A-Z]+)*)|BF16|F16|F32)(?=[-_.]|$)", re.IGNORECASE)


# Architectures without a task head whose output is a hidden state: the families sentence-transformers
# builds embedding models on. What a folder's `architectures` says it is; the local driver and the
# Generative AI capability rule both read it here.
ENCODER_ARCHITECTURES = frozenset(
    {
        "BertModel",
        "XLMRobertaModel",
        "RobertaModel",
        "MPNetModel",
        "DistilBertModel",
        "NomicBertModel",
        "ModernBertModel",
        "DebertaV2Model",
        "ElectraModel",
        "NewModel",
        "JinaBertModel",
        "CamembertModel",
    }
)


def language_config(config: dict[str, Any]) -> dict[str, Any]:
    for key in LANGUAGE_MODEL_KEYS:
        sub = config.get(key)
        if isinstance(sub, dict):
            return sub
    return {}


def _lookup(config: dict[str, Any], *keys: str) -> Any:
    # The language model's own section first: a VLM's top level may carry the vision tower's numbers.
    for source in (language_config(config), config):
        for key in keys:
            value = source.get(key)
            if value is not None:
                return value
    return None


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _bool_or_none(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def quantization_from_config(config: dict[str, Any]) -> Quantization | None:
    """config.json's quantization_config (top level, or the language model's), as facts."""
    q = _lookup(config, "quantization_config")
    if not isinstance(q, dict) or not isinstance(q.get("quant_method"), str):
        return None
    method = q["quant_method"]
    bits = _int_or_none(q.get("bits") or q.get("w_bit"))
    group = _int_or_none(q.get("group_size") or q.get("q_group_size"))
    weight_type: str | None = q.get("fmt") if isinstance(q.get("fmt"), str) else None
    if method == "bitsandbytes":
        bits = 4 if q.get("load_in_4bit") else 8 if q.get("load_in_8bit") else None
    if method == "compressed-tensors":
        # Every config group quantizing weights the same way is the common case (W8A8-FP8, W4A16).
        groups = [g.get("weights") for g in (q.get("config_groups") or {}).values() if isinstance(g, dict)]
        weights = [w for w in groups if isinstance(w, dict)]
        if weights:
            bits = _int_or_none(weights[0].get("num_bits"))
            weight_type = weights[0].get("type") if isinstance(weights[0].get("type"), str) else None
            group = _int_or_none(weights[0].get("group_size"))
    block = q.get("weight_block_size")
    return Quantization(
        method=method,
        bits=bits,
        weight_type=weight_type,
        group_size=group,
        block_size=[b for b in block if isinstance(b, int)] if isinstance(block, list) else None,
        double_quant=_bool_or_none(q.get("bnb_4bit_use_double_quant")),
    )


def gguf_quantization(file_name: str) -> Quantization:
    """The quant level a GGUF file's name carries ("Llama-3.1-8B-Instruct-Q4_K_M.gguf")."""
    match = _GGUF_LEVEL.search(file_name.removesuffix(".gguf"))
    return Quantization(method="gguf", level=match.group(1).upper() if match else None)


# general.file_type: llama.cpp's llama_ftype (llama.h), the type most of the file's tensors are stored
# in, by the quant level names services/weight_bytes.py knows (4-6 and 33-35 are retired).
GGUF_FILE_TYPES = {
    0: "F32",
    1: "F16",
    2: "Q4_0",
    3: "Q4_1",
    7: "Q8_0",
    8: "Q5_0",
    9: "Q5_1",
    10: "Q2_K",
    11: "Q3_K_S",
    12: "Q3_K_M",
    13: "Q3_K_L",
    14: "Q4_K_S",
    15: "Q4_K_M",
    16: "Q5_K_S",
    17: "Q5_K_M",
    18: "Q6_K",
    19: "IQ2_XXS",
    20: "IQ2_XS",
    21: "Q2_K_S",
    22: "IQ3_XS",
    23: "IQ3_XXS",
    24: "IQ1_S",
    25: "IQ4_NL",
    26: "IQ3_S",
    27: "IQ3_M",
    28: "IQ2_S",
    29: "IQ2_M",
    30: "IQ4_XS",
    31: "IQ1_M",
    32: "BF16",
    36: "TQ1_0",
    37: "TQ2_0",
    38: "MXFP4_MOE",
}


def _gguf_value(header: GgufHeader, key: str) -> int | None:
    """`{architecture}.{key}` of the header: llama.cpp names a model's hyperparameters under its
    architecture ("llama.block_count", "gemma2.attention.sliding_window")."""
    arch = header.metadata.get("general.architecture")
    return _int_or_none(header.metadata.get(f"{arch}.{key}")) if isinstance(arch, str) else None


def architecture_from_gguf(header: GgufHeader, file_name: str) -> Architecture:
    """The facts of a GGUF header, as architecture_from_config reads config.json's. The quant level is
    general.file_type's; the file name's where the header has none (or one newer than the table)."""
    arch = header.metadata.get("general.architecture")
    file_type = _int_or_none(header.metadata.get("general.file_type"))
    level = GGUF_FILE_TYPES.get(file_type) if file_type is not None else None
    kv_lora_rank = _gguf_value(header, "attention.kv_lora_rank")
    return Architecture(
        model_type=arch if isinstance(arch, str) else None,
        num_hidden_layers=_gguf_value(header, "block_count"),
        hidden_size=_gguf_value(header, "embedding_length"),
        num_attention_heads=_gguf_value(header, "attention.head_count"),
        num_key_value_heads=_gguf_value(header, "attention.head_count_kv"),
        head_dim=_gguf_value(header, "attention.key_length"),
        vocab_size=_gguf_value(header, "vocab_size") or header.array_lengths.get("tokenizer.ggml.tokens"),
        kv_lora_rank=kv_lora_rank,
        # DeepSeek's converter writes qk_rope_head_dim as the rope dimension count.
        qk_rope_head_dim=_gguf_value(header, "rope.dimension_count") if kv_lora_rank else None,
        sliding_window=_gguf_value(header, "attention.sliding_window"),
        sliding_window_pattern=_gguf_value(header, "attention.sliding_window_pattern"),
        quantization=Quantization(method="gguf", level=level) if level else gguf_quantization(file_name),
    )


def context_length_from_gguf(header: GgufHeader) -> int | None:
    return _gguf_value(header, "context_length")


def architecture_from_config(config: dict[str, Any]) -> Architecture:
    hidden = _int_or_none(_lookup(config, "hidden_size", "n_embd", "d_model"))
    heads = _int_or_none(_lookup(config, "num_attention_heads", "n_head", "num_heads", "decoder_attention_heads"))
    dtype = _lookup(config, "torch_dtype", "dtype")  # transformers 5 writes "dtype"
    model_type = config.get("model_type")  # the model's own ("llava"), not its language model's
    return Architecture(
        model_type=model_type if isinstance(model_type, str) else None,
        num_hidden_layers=_int_or_none(_lookup(config, "num_hidden_layers", "n_layer", "num_layers")),
        hidden_size=hidden,
        num_attention_heads=heads,
        num_key_value_heads=_int_or_none(_lookup(config, "num_key_value_heads")),
        head_dim=_int_or_none(_lookup(config, "head_dim", "d_kv")),  # as written: services/kv_cache.py fills it in
        torch_dtype=dtype if isinstance(dtype, str) else None,
        vocab_size=_int_or_none(_lookup(config, "vocab_size")),
        tie_word_embeddings=_bool_or_none(_lookup(config, "tie_word_embeddings")),
        kv_lora_rank=_int_or_none(_lookup(config, "kv_lora_rank")),
        qk_rope_head_dim=_int_or_none(_lookup(config, "qk_rope_head_dim")),
        is_encoder_decoder=_bool_or_none(config.get("is_encoder_decoder")),
        decoder_layers=_int_or_none(_lookup(config, "decoder_layers", "num_decoder_layers")),
        decoder_attention_heads=_int_or_none(_lookup(config, "decoder_attention_heads")),
        encoder_positions=_int_or_none(config.get("max_source_positions")),
        sliding_window=_int_or_none(_lookup(config, "sliding_window")),
        sliding_layers=_sliding_layers(_lookup(config, "layer_types")),
        sliding_window_pattern=_int_or_none(_lookup(config, "sliding_window_pattern")),
        use_sliding_window=_bool_or_none(_lookup(config, "use_sliding_window")),
        max_window_layers=_int_or_none(_lookup(config, "max_window_layers")),
        quantization=quantization_from_config(config),
    )


def _sliding_layers(layer_types: Any) -> int | None:
    """How many of config.json's `layer_types` are "sliding_attention"; None without the list."""
    if not isinstance(layer_types, list) or not all(isinstance(t, str) for t in layer_types):
        return None
    return sum(1 for t in layer_types if t == "sliding_attention")


def context_length_from_config(config: dict[str, Any]) -> int | None:
    return _int_or_none(_lookup(config, *_CONTEXT_KEYS))
