"""The memory fit on real published config.json files, with the arithmetic in each assertion.

Each config holds the keys of the published Hugging Face config.json that the fit reads (and, for
vision-language models, the vision tower's numbers that it must not read). They go through the
drivers' reader (backends/model_config.py) and the services' rules, as a registered model does.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import pytest

from aqua_ext.api.fit import Dtype, FitQuery, FitReport
from aqua_ext.api.models import Architecture, Capability, ModelDetail, ModelFormat, ModelSource, Quantization
from aqua_ext.backends.local.model_folder import inspect_folder, safetensors_parameter_count
from aqua_ext.backends.model_config import architecture_from_config, gguf_quantization
from aqua_ext.backends.oci.mapping import fit_within_metadata
from aqua_ext.backends.oci.models import _config_facts
from aqua_ext.catalog import curated_entries
from aqua_ext.services.kv_cache import estimate_kv_cache
from aqua_ext.services.memory_fit import estimate_fit
from aqua_ext.services.weight_bytes import gguf_bits_per_weight

LLAMA_31_8B: dict[str, Any] = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "hidden_size": 4096,
    "intermediate_size": 14336,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "vocab_size": 128256,
    "max_position_embeddings": 131072,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
}
LLAMA_31_8B_PARAMS = 8_030_261_248
LLAMA_31_8B_EMBED = 128256 * 4096  # 525,336,576 each for embed_tokens and lm_head

LLAMA_31_70B = {
    **LLAMA_31_8B,
    "hidden_size": 8192,
    "intermediate_size": 28672,
    "num_hidden_layers": 80,
    "num_attention_heads": 64,
}
MISTRAL_7B_V03 = {
    "architectures": ["MistralForCausalLM"],
    "model_type": "mistral",
    "hidden_size": 4096,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "head_dim": 128,
    "vocab_size": 32768,
    "max_position_embeddings": 32768,
    "sliding_window": None,
    "torch_dtype": "bfloat16",
}
MIXTRAL_8X7B = {
    "architectures": ["MixtralForCausalLM"],
    "model_type": "mixtral",
    "hidden_size": 4096,
    "intermediate_size": 14336,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "num_local_experts": 8,
    "num_experts_per_tok": 2,
    "vocab_size": 32000,
    "tie_word_embeddings": False,
    "max_position_embeddings": 32768,
    "torch_dtype": "bfloat16",
}
QWEN25_7B = {
    "architectures": ["Qwen2ForCausalLM"],
    "model_type": "qwen2",
    "hidden_size": 3584,
    "num_hidden_layers": 28,
    "num_attention_heads": 28,
    "num_key_value_heads": 4,
    "vocab_size": 152064,
    "tie_word_embeddings": False,
    "max_position_embeddings": 131072,
    "torch_dtype": "bfloat16",
}
QWEN25_72B = {
    **QWEN25_7B,
    "hidden_size": 8192,
    "num_hidden_layers": 80,
    "num_attention_heads": 64,
    "num_key_value_heads": 8,
}
GEMMA2_9B = {
    "architectures": ["Gemma2ForCausalLM"],
    "model_type": "gemma2",
    "hidden_size": 3584,
    "num_hidden_layers": 42,
    "num_attention_heads": 16,
    "num_key_value_heads": 8,
    "head_dim": 256,  # not hidden_size / heads (224)
    "sliding_window": 4096,
    "vocab_size": 256000,
    "max_position_embeddings": 8192,
    "torch_dtype": "float32",
}
# google/gemma-3-12b-it: its text_config leaves head_dim, the layer pattern and the context to
# Gemma3TextConfig's defaults (256, one full layer in 6, 131,072).
GEMMA3_12B = {
    "architectures": ["Gemma3ForConditionalGeneration"],
    "model_type": "gemma3",
    "text_config": {
        "hidden_size": 3840,
        "intermediate_size": 15360,
        "model_type": "gemma3_text",
        "num_attention_heads": 16,
        "num_hidden_layers": 48,
        "num_key_value_heads": 8,
        "rope_scaling": {"factor": 8.0, "rope_type": "linear"},
        "sliding_window": 1024,
    },
    "torch_dtype": "bfloat16",
    "vision_config": {
        "hidden_size": 1152,
        "image_size": 896,
        "intermediate_size": 4304,
        "model_type": "siglip_vision_model",
        "num_attention_heads": 16,
        "num_hidden_layers": 27,
        "patch_size": 14,
        "vision_use_head": False,
    },
}
# mistralai/Mistral-7B-v0.1: every layer keeps the last 4,096 tokens.
MISTRAL_7B_V01 = {
    "architectures": ["MistralForCausalLM"],
    "model_type": "mistral",
    "hidden_size": 4096,
    "intermediate_size": 14336,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "max_position_embeddings": 32768,
    "sliding_window": 4096,
    "vocab_size": 32000,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
}
# google/gemma-3-1b-it: the pattern written out.
GEMMA3_1B = {
    "architectures": ["Gemma3ForCausalLM"],
    "model_type": "gemma3_text",
    "head_dim": 256,
    "hidden_size": 1152,
    "intermediate_size": 6912,
    "max_position_embeddings": 32768,
    "num_attention_heads": 4,
    "num_hidden_layers": 26,
    "num_key_value_heads": 1,
    "sliding_window": 512,
    "sliding_window_pattern": 6,
    "vocab_size": 262144,
    "torch_dtype": "bfloat16",
}
# Qwen/Qwen2-7B: a window of 131,072 that use_sliding_window leaves off.
QWEN2_7B = {
    "architectures": ["Qwen2ForCausalLM"],
    "model_type": "qwen2",
    "hidden_size": 3584,
    "intermediate_size": 18944,
    "max_position_embeddings": 131072,
    "max_window_layers": 28,
    "num_attention_heads": 28,
    "num_hidden_layers": 28,
    "num_key_value_heads": 4,
    "sliding_window": 131072,
    "tie_word_embeddings": False,
    "use_sliding_window": False,
    "vocab_size": 152064,
    "torch_dtype": "bfloat16",
}
# openai/gpt-oss-20b: layer_types alternate a 128-token window and full attention.
GPT_OSS_20B = {
    "architectures": ["GptOssForCausalLM"],
    "model_type": "gpt_oss",
    "head_dim": 64,
    "hidden_size": 2880,
    "num_attention_heads": 64,
    "num_hidden_layers": 24,
    "num_key_value_heads": 8,
    "sliding_window": 128,
    "layer_types": ["sliding_attention", "full_attention"] * 12,
    "max_position_embeddings": 131072,
    "vocab_size": 201088,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
}
PHI3_MINI_4K = {
    "architectures": ["Phi3ForCausalLM"],
    "model_type": "phi3",
    "hidden_size": 3072,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 32,
    "vocab_size": 32064,
    "max_position_embeddings": 4096,
    "torch_dtype": "bfloat16",
}
DEEPSEEK_V3 = {
    "architectures": ["DeepseekV3ForCausalLM"],
    "model_type": "deepseek_v3",
    "hidden_size": 7168,
    "num_hidden_layers": 61,
    "num_attention_heads": 128,
    "num_key_value_heads": 128,
    "kv_lora_rank": 512,
    "q_lora_rank": 1536,
    "qk_rope_head_dim": 64,
    "qk_nope_head_dim": 128,
    "v_head_dim": 128,
    "n_routed_experts": 256,
    "num_experts_per_tok": 8,
    "vocab_size": 129280,
    "max_position_embeddings": 163840,
    "quantization_config": {
        "activation_scheme": "dynamic",
        "fmt": "e4m3",
        "quant_method": "fp8",
        "weight_block_size": [128, 128],
    },
    "torch_dtype": "bfloat16",
}
DEEPSEEK_V2_LITE = {
    "architectures": ["DeepseekV2ForCausalLM"],
    "model_type": "deepseek_v2",
    "hidden_size": 2048,
    "num_hidden_layers": 27,
    "num_attention_heads": 16,
    "num_key_value_heads": 16,
    "kv_lora_rank": 512,
    "q_lora_rank": None,
    "qk_rope_head_dim": 64,
    "qk_nope_head_dim": 128,
    "v_head_dim": 128,
    "vocab_size": 102400,
    "torch_dtype": "bfloat16",
}
KIMI_K2 = {
    "architectures": ["DeepseekV3ForCausalLM"],
    "model_type": "kimi_k2",
    "hidden_size": 7168,
    "num_hidden_layers": 61,
    "num_attention_heads": 64,
    "num_key_value_heads": 64,
    "kv_lora_rank": 512,
    "qk_rope_head_dim": 64,
    "n_routed_experts": 384,
    "vocab_size": 163840,
    "quantization_config": {
        "activation_scheme": "dynamic",
        "fmt": "e4m3",
        "quant_method": "fp8",
        "weight_block_size": [128, 128],
    },
}
INTERNVL2_8B = {
    "architectures": ["InternVLChatModel"],
    "model_type": "internvl_chat",
    "llm_config": {
        "architectures": ["InternLM2ForCausalLM"],
        "model_type": "internlm2",
        "hidden_size": 4096,
        "num_hidden_layers": 32,
        "num_attention_heads": 32,
        "num_key_value_heads": 8,
        "vocab_size": 92553,
        "max_position_embeddings": 32768,
    },
    "vision_config": {
        "model_type": "intern_vit_6b",
        "hidden_size": 1024,
        "num_hidden_layers": 24,
        "num_attention_heads": 16,
    },
}
LLAVA_15_7B = {
    "architectures": ["LlavaForConditionalGeneration"],
    "model_type": "llava",
    "text_config": {
        "architectures": ["LlamaForCausalLM"],
        "max_position_embeddings": 4096,
        "model_type": "llama",
        "torch_dtype": "float16",
        "vocab_size": 32064,
    },
    "vision_config": {
        "hidden_size": 1024,
        "model_type": "clip_vision_model",
        "num_attention_heads": 16,
        "num_hidden_layers": 24,
    },
    "vocab_size": 32064,
    "torch_dtype": "float16",
}
QWEN2_VL_7B = {
    "architectures": ["Qwen2VLForConditionalGeneration"],
    "model_type": "qwen2_vl",
    "hidden_size": 3584,
    "num_hidden_layers": 28,
    "num_attention_heads": 28,
    "num_key_value_heads": 4,
    "vocab_size": 152064,
    "max_position_embeddings": 32768,
    "vision_config": {"depth": 32, "embed_dim": 1280, "num_heads": 16, "hidden_size": 3584},
    "torch_dtype": "bfloat16",
}
BGE_M3 = {
    "architectures": ["XLMRobertaModel"],
    "model_type": "xlm-roberta",
    "hidden_size": 1024,
    "num_hidden_layers": 24,
    "num_attention_heads": 16,
    "vocab_size": 250002,
    "max_position_embeddings": 8194,
    "torch_dtype": "float32",
}
MODERNBERT_BASE = {
    "architectures": ["ModernBertForMaskedLM"],
    "model_type": "modernbert",
    "hidden_size": 768,
    "num_hidden_layers": 22,
    "num_attention_heads": 12,
    "vocab_size": 50368,
    "max_position_embeddings": 8192,
}
BERT_BASE = {
    "architectures": ["BertForMaskedLM"],
    "model_type": "bert",
    "hidden_size": 768,
    "num_hidden_layers": 12,
    "num_attention_heads": 12,
    "vocab_size": 30522,
    "max_position_embeddings": 512,
}
WHISPER_LARGE_V3 = {
    "architectures": ["WhisperForConditionalGeneration"],
    "model_type": "whisper",
    "d_model": 1280,
    "encoder_layers": 32,
    "encoder_attention_heads": 20,
    "decoder_layers": 32,
    "decoder_attention_heads": 20,
    "num_hidden_layers": 32,
    "max_source_positions": 1500,
    "max_target_positions": 448,
    "num_mel_bins": 128,
    "vocab_size": 51866,
    "is_encoder_decoder": True,
    "torch_dtype": "float16",
}
FLAN_T5_LARGE = {
    "architectures": ["T5ForConditionalGeneration"],
    "model_type": "t5",
    "d_model": 1024,
    "d_kv": 64,
    "d_ff": 2816,
    "num_heads": 16,
    "num_layers": 24,
    "num_decoder_layers": 24,
    "vocab_size": 32128,
    "tie_word_embeddings": False,
    "is_encoder_decoder": True,
}
# RedHatAI (neuralmagic) Meta-Llama-3.1-8B-Instruct-FP8: W8A8 FP8 linear layers, lm_head ignored.
LLAMA_31_8B_FP8 = {
    **LLAMA_31_8B,
    "quantization_config": {
        "config_groups": {
            "group_0": {
                "input_activations": {"dynamic": False, "num_bits": 8, "strategy": "tensor", "type": "float"},
                "targets": ["Linear"],
                "weights": {"dynamic": False, "num_bits": 8, "strategy": "tensor", "type": "float"},
            }
        },
        "format": "naive-quantized",
        "ignore": ["lm_head"],
        "quant_method": "compressed-tensors",
        "quantization_status": "frozen",
    },
}
# hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4
LLAMA_31_8B_AWQ = {
    **LLAMA_31_8B,
    "torch_dtype": "float16",
    "quantization_config": {
        "bits": 4,
        "group_size": 128,
        "modules_to_not_convert": None,
        "quant_method": "awq",
        "version": "gemm",
        "zero_point": True,
    },
}
# unsloth/llama-3-8b-bnb-4bit (Llama 3 8B: same shapes as 3.1)
LLAMA_3_8B_BNB4 = {
    **LLAMA_31_8B,
    "quantization_config": {
        "bnb_4bit_compute_dtype": "bfloat16",
        "bnb_4bit_quant_type": "nf4",
        "bnb_4bit_use_double_quant": True,
        "load_in_4bit": True,
        "load_in_8bit": False,
        "quant_method": "bitsandbytes",
    },
}


def _kv_per_token(config: dict[str, Any], element_bytes: int = 2) -> float | None:
    kv, _ = estimate_kv_cache(architecture_from_config(config), 1, 1, element_bytes)
    return None if kv is None else kv.bytes


def _model(config: dict[str, Any], params: int | None, size_bytes: int | None = None) -> ModelDetail:
    return ModelDetail(
        id="org/model",
        name="model",
        source=ModelSource.REGISTERED,
        capability=Capability.TEXT_TO_TEXT,
        parameter_count=params,
        size_bytes=size_bytes,
        formats=[ModelFormat.SAFETENSORS],
        ready_to_deploy=True,
        ready_to_finetune=True,
        architecture=architecture_from_config(config),
    )


def _fit(
    config: dict[str, Any], params: int | None, dtype: Dtype = "bfloat16", context: int = 4096, **kw: Any
) -> FitReport:
    return estimate_fit(_model(config, params, **kw), FitQuery(dtype=dtype, context_length=context), None)


# ---- KV cache per token: standard multi-head and grouped-query attention ----------------------------


def test_llama_31_8b() -> None:
    assert _kv_per_token(LLAMA_31_8B) == 2 * 32 * 8 * 128 * 2, "2 (K,V) × 32 layers × 8 kv heads × 128 dim × 2 bytes"
    report = _fit(LLAMA_31_8B, LLAMA_31_8B_PARAMS)
    assert report.weights_gb == 16.06, "8,030,261,248 params × 2 bytes = 16.06 GB"
    assert report.kv_cache_gb == 0.54, "131,072 bytes × 4,096 tokens = 536,870,912 bytes = 0.54 GB"
    assert report.unknown == []


def test_llama_31_70b() -> None:
    assert _kv_per_token(LLAMA_31_70B) == 2 * 80 * 8 * 128 * 2, "2 × 80 layers × 8 kv heads × (8192/64 = 128) × 2 bytes"
    assert _fit(LLAMA_31_70B, 70_553_706_496).weights_gb == 141.11, "70,553,706,496 × 2 bytes = 141.11 GB"


def test_mistral_7b_v03() -> None:
    assert _kv_per_token(MISTRAL_7B_V03) == 2 * 32 * 8 * 128 * 2, "2 × 32 layers × 8 kv heads × head_dim 128 × 2 bytes"


def test_mixtral_8x7b_weights_count_every_expert() -> None:
    # All 8 experts are loaded, though 2 run per token: the published total, from the config's shapes.
    attention = 4096 * 4096 * 2 + 4096 * 1024 * 2  # q, o + k, v (8 kv heads × 128)
    experts = 8 * 3 * 4096 * 14336  # gate, up, down per expert
    per_layer = attention + experts + 4096 * 8 + 2 * 4096  # + router + 2 norms
    total = 32 * per_layer + 2 * 32000 * 4096 + 4096  # + embeddings, lm_head, final norm
    assert total == 46_702_792_704, "32 × 1,451,270,144 per layer + 262,144,000 embeddings/head + 4,096"
    report = _fit(MIXTRAL_8X7B, total)
    assert report.weights_gb == 93.41, "46,702,792,704 params (all experts) × 2 bytes = 93.41 GB"
    assert _kv_per_token(MIXTRAL_8X7B) == 2 * 32 * 8 * 128 * 2, "2 × 32 layers × 8 kv heads × 128 dim × 2 bytes"


def test_qwen25_7b_and_72b() -> None:
    assert _kv_per_token(QWEN25_7B) == 2 * 28 * 4 * 128 * 2, "2 × 28 layers × 4 kv heads × (3584/28 = 128) × 2 bytes"
    assert _kv_per_token(QWEN25_72B) == 2 * 80 * 8 * 128 * 2, "2 × 80 layers × 8 kv heads × (8192/64 = 128) × 2 bytes"
    assert _fit(QWEN25_7B, 7_615_616_512).weights_gb == 15.23, "7,615,616,512 × 2 bytes = 15.23 GB"


def test_gemma2_9b_uses_head_dim_from_the_config() -> None:
    assert _kv_per_token(GEMMA2_9B) == 2 * 42 * 8 * 256 * 2, (
        "2 × 42 layers × 8 kv heads × head_dim 256 (not 3584/16) × 2"
    )


def test_gemma3_12b_takes_the_family_head_dim_where_the_config_has_none() -> None:
    arch = architecture_from_config(GEMMA3_12B)
    assert arch.head_dim is None, "the driver reports what config.json says: its text_config has no head_dim"
    kv, _ = estimate_kv_cache(arch, 1, 1, 2)
    assert kv is not None
    assert "256 head dim" in kv.line, kv.line
    assert kv.bytes == 2 * 48 * 8 * 256 * 2, (
        "2 × 48 layers × 8 kv heads × 256 (Gemma3TextConfig's, not 3840/16 = 240) × 2"
    )


def test_phi3_mini_has_one_kv_head_per_head() -> None:
    assert _kv_per_token(PHI3_MINI_4K) == 2 * 32 * 32 * 96 * 2, "2 × 32 layers × 32 kv heads × (3072/32 = 96) × 2 bytes"


# ---- sliding-window attention: those layers keep min(window, context) tokens --------------------------


def _kv(config: dict[str, Any], context: int) -> tuple[float, str, str]:
    kv, missing = estimate_kv_cache(architecture_from_config(config), context, 1, 2)
    assert kv is not None, missing
    return kv.bytes, kv.line, kv.note


def test_mistral_7b_v01_slides_in_every_layer() -> None:
    size, line, note = _kv(MISTRAL_7B_V01, 32768)
    assert size == 2 * 32 * 8 * 128 * 4096 * 2 == 536_870_912, (
        "2 × 32 layers × 8 kv heads × 128 × 4,096 window tokens (not 32,768) × 2 bytes = 0.54 GB"
    )
    assert "4,096 tokens (the window, not the 32,768 context)" in line, line
    assert "mistral applies the window in every layer" in note, note
    assert _fit(MISTRAL_7B_V01, 7_241_732_096, context=32768).kv_cache_gb == 0.54, "536,870,912 bytes = 0.54 GB"


def test_a_window_no_shorter_than_the_context_changes_nothing() -> None:
    size, line, note = _kv(MISTRAL_7B_V01, 4096)
    assert size == 2 * 32 * 8 * 128 * 4096 * 2, "context 4,096 = window 4,096: every layer keeps all of it"
    assert "32 layers" in line and "no shorter than the context" in note, (line, note)


def test_gemma2_9b_alternates_full_and_sliding_layers() -> None:
    # Its config.json has no layer_types: Gemma2Config alternates, layer 0 sliding.
    size, line, note = _kv(GEMMA2_9B, 8192)
    assert size == 2 * 8 * 256 * (21 * 8192 + 21 * 4096) * 2 == 2_113_929_216, (
        "2 × 8 kv heads × 256 × (21 full layers × 8,192 + 21 sliding × 4,096 tokens) × 2 bytes = 2.11 GB, not 2.82"
    )
    assert "(21 full-attention layers × 8,192 tokens + 21 sliding-window layers × 4,096 tokens)" in line, line
    assert "gemma2's default: one full-attention layer in every 2" in note, note


def test_gemma3_12b_text_config_has_one_full_layer_in_six() -> None:
    size, line, _ = _kv(GEMMA3_12B, 32768)
    assert size == 2 * 8 * 256 * (8 * 32768 + 40 * 1024) * 2 == 2_483_027_968, (
        "48 layers: 48 // 6 = 8 full × 32,768 + 40 sliding × 1,024 tokens; × 2 × 8 kv heads × 256 × 2 bytes = 2.48 GB"
    )
    assert "8 full-attention layers" in line and "40 sliding-window layers × 1,024 tokens" in line, line


def test_gemma3_1b_reads_its_sliding_window_pattern() -> None:
    size, _, note = _kv(GEMMA3_1B, 32768)
    assert size == 2 * 1 * 256 * (4 * 32768 + 22 * 512) * 2 == 145_752_064, (
        "26 layers: 26 // 6 = 4 full × 32,768 + 22 sliding × 512 tokens; × 2 × 1 kv head × 256 × 2 bytes = 0.15 GB"
    )
    assert "sliding_window_pattern 6" in note, note


def test_qwen2_7b_leaves_its_window_off() -> None:
    size, line, note = _kv(QWEN2_7B, 32768)
    assert size == 2 * 28 * 4 * 128 * 32768 * 2 == 1_879_048_192, (
        "use_sliding_window false: 2 × 28 layers × 4 kv heads × (3584/28 = 128) × 32,768 tokens × 2 bytes = 1.88 GB"
    )
    assert note == "" and "28 layers" in line, (line, note)


def test_a_qwen2_config_that_leaves_the_flags_out_has_the_window_off() -> None:
    # Qwen2Config's use_sliding_window defaults to False: without the flags, no layer slides.
    config = {k: v for k, v in QWEN2_7B.items() if k not in ("use_sliding_window", "max_window_layers")}
    size, _, note = _kv(config, 32768)
    assert size == 2 * 28 * 4 * 128 * 32768 * 2 and note == "", "every layer at the full 32,768 tokens, no note"


def test_qwen2_with_the_window_on_slides_from_max_window_layers() -> None:
    # Qwen2-7B's values with the window turned on and a smaller window (as a user's config may):
    # transformers' Qwen2Config slides layers i >= max_window_layers.
    config = {**QWEN2_7B, "use_sliding_window": True, "max_window_layers": 21, "sliding_window": 4096}
    size, _, note = _kv(config, 32768)
    assert size == 2 * 4 * 128 * (21 * 32768 + 7 * 4096) * 2, "21 full × 32,768 + (28 − 21 =) 7 sliding × 4,096"
    assert "from layer 21 on" in note, note


def test_gpt_oss_20b_counts_its_layer_types() -> None:
    assert architecture_from_config(GPT_OSS_20B).sliding_layers == 12, "12 of 24 layer_types are sliding_attention"
    size, _, note = _kv(GPT_OSS_20B, 131072)
    assert size == 2 * 8 * 64 * (12 * 131072 + 12 * 128) * 2 == 3_224_371_200, (
        "12 full × 131,072 + 12 sliding × 128 tokens; × 2 × 8 kv heads × 64 × 2 bytes = 3.22 GB"
    )
    assert "layer_types" in note, note


def test_a_window_whose_layers_the_config_does_not_name_is_the_upper_bound_and_says_so() -> None:
    # Mistral-7B-v0.1's values under a model_type the fit has no rule for (a fork's own name).
    config = {**MISTRAL_7B_V01, "model_type": "my_mistral_fork"}
    size, _, note = _kv(config, 32768)
    assert size == 2 * 32 * 8 * 128 * 32768 * 2, "every layer at the full 32,768 context: 4.29 GB, the upper bound"
    assert "sliding window of 4,096 tokens but not which layers use it" in note, note
    report = _fit(config, 7_241_732_096, context=32768)
    assert any("not which layers use it" in a for a in report.assumptions), report.assumptions
    assert report.unknown == [], "the figure is made (an upper bound): nothing is unknown"


# ---- multi-head latent attention --------------------------------------------------------------------


def test_deepseek_v3_caches_one_latent_per_layer() -> None:
    assert _kv_per_token(DEEPSEEK_V3) == 61 * (512 + 64) * 2, "61 layers × (512 kv_lora_rank + 64 qk_rope_head_dim) × 2"
    report = _fit(DEEPSEEK_V3, 671_000_000_000, context=32768)
    assert report.kv_cache_gb == round(61 * 576 * 2 * 32768 / 1e9, 2), "70,272 bytes × 32,768 tokens = 2.30 GB"
    assert report.bytes_per_parameter == 1 + 4 / (128 * 128), "fp8: 1 byte + a float32 scale per 128×128 block"


def test_deepseek_v2_lite_and_kimi_k2() -> None:
    assert _kv_per_token(DEEPSEEK_V2_LITE) == 27 * (512 + 64) * 2, "27 layers × (512 + 64) × 2 bytes"
    assert _kv_per_token(KIMI_K2) == 61 * (512 + 64) * 2, "61 layers × (512 + 64) × 2 bytes"


# ---- vision-language models --------------------------------------------------------------------------


def test_internvl_reads_the_language_model_under_llm_config() -> None:
    assert _kv_per_token(INTERNVL2_8B) == 2 * 32 * 8 * 128 * 2, "llm_config: 2 × 32 layers × 8 kv heads × 128 × 2"


def test_qwen2_vl_keeps_its_language_model_at_the_top_level() -> None:
    assert _kv_per_token(QWEN2_VL_7B) == 2 * 28 * 4 * 128 * 2, "2 × 28 layers × 4 kv heads × 128 × 2 bytes"


def test_language_config_is_read_like_text_config() -> None:
    config = {
        "model_type": "multi_modality",
        "language_config": {
            "model_type": "llama",
            **{
                k: LLAMA_31_8B[k]
                for k in ("hidden_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads")
            },
        },
        "vision_config": {"num_hidden_layers": 24, "hidden_size": 1024, "num_attention_heads": 16},
    }
    assert _kv_per_token(config) == 2 * 32 * 8 * 128 * 2, "language_config: 2 × 32 × 8 × 128 × 2 bytes"


def test_llava_text_config_without_its_numbers_is_unknown_not_the_vision_towers() -> None:
    # llava-1.5-7b-hf leaves the Llama numbers to transformers' defaults: the fit says what is missing
    # and never uses vision_config's 24 layers.
    report = _fit(LLAVA_15_7B, 7_063_427_072)
    assert report.kv_cache_gb is None
    assert "num_hidden_layers" in report.unknown
    assert any("KV cache = unknown (config.json lacks num_hidden_layers" in line for line in report.arithmetic)


# ---- encoder-only and encoder-decoder -----------------------------------------------------------------


@pytest.mark.parametrize("config", [BGE_M3, MODERNBERT_BASE, BERT_BASE], ids=["bge-m3", "modernbert", "bert"])
def test_encoder_only_models_keep_no_kv_cache(config: dict[str, Any]) -> None:
    assert _kv_per_token(config) == 0, "encoder-only: one pass over the input, no cache"
    report = _fit(config, 567_754_752, dtype="float32")
    assert report.kv_cache_gb == 0.0 and report.unknown == []
    assert report.weights_gb == 2.27, "567,754,752 × 4 bytes = 2.27 GB"


def test_whisper_large_v3_self_and_cross_attention() -> None:
    arch = architecture_from_config(WHISPER_LARGE_V3)
    kv, _ = estimate_kv_cache(arch, 448, 1, 2)
    assert kv is not None
    per_token = 2 * 32 * 20 * 64 * 2  # 163,840 bytes
    assert kv.bytes == per_token * (448 + 1500), "2 × 32 decoder layers × 20 heads × 64 × 2 × (448 + 1500 frames)"
    assert "1,500 encoder positions" in kv.line


def test_flan_t5_large_cross_attention_over_the_input() -> None:
    kv, _ = estimate_kv_cache(architecture_from_config(FLAN_T5_LARGE), 512, 1, 2)
    assert kv is not None
    assert kv.bytes == 2 * 24 * 16 * 64 * 2 * (512 + 512), (
        "2 × 24 decoder layers × 16 heads × d_kv 64 × 2 × (512 + 512)"
    )


# ---- quantized checkpoints -------------------------------------------------------------------------------


def test_fp8_checkpoint_one_byte_per_linear_weight() -> None:
    report = _fit(LLAMA_31_8B_FP8, LLAMA_31_8B_PARAMS)
    linear = LLAMA_31_8B_PARAMS - 2 * LLAMA_31_8B_EMBED  # 6,979,588,096
    assert report.weights_gb == round((linear * 1 + 2 * LLAMA_31_8B_EMBED * 2) / 1e9, 2) == 9.08, (
        "6,979,588,096 linear × 1 byte + 1,050,673,152 embeddings/head × 2 bytes = 9.08 GB"
    )
    assert report.kv_cache_gb == 0.54, "the KV cache stays 16-bit: 131,072 bytes × 4,096"


def test_fp8_checkpoint_on_oci_is_not_given_half_its_parameters() -> None:
    size = (LLAMA_31_8B_PARAMS - 2 * LLAMA_31_8B_EMBED) * 1 + 2 * LLAMA_31_8B_EMBED * 2  # 9,080,934,400 bytes
    facts = _config_facts(LLAMA_31_8B_FP8, size)
    assert "parameter_count" not in facts, "bytes / 2 (torch_dtype bfloat16) would say 4.54 B"
    assert facts["quantization"] == {"method": "compressed-tensors", "bits": 8, "weight_type": "float"}
    report = _fit(LLAMA_31_8B_FP8, None, size_bytes=size)
    assert report.parameter_count == LLAMA_31_8B_PARAMS, "1,050,673,152 + (9,080,934,400 − 2 × 1,050,673,152) / 1"
    assert report.weights_gb == 9.08


def test_awq_int4_with_group_scales() -> None:
    report = _fit(LLAMA_31_8B_AWQ, LLAMA_31_8B_PARAMS)
    bpp = 0.5 + (2 + 0.5) / 128  # 4 bits + an fp16 scale and a 4-bit zero per 128 weights
    linear = LLAMA_31_8B_PARAMS - 2 * LLAMA_31_8B_EMBED
    assert report.bytes_per_parameter == bpp
    assert report.weights_gb == round((linear * bpp + 2 * LLAMA_31_8B_EMBED * 2) / 1e9, 2) == 5.73, (
        "6,979,588,096 × 0.51953125 + 1,050,673,152 × 2 bytes = 5.73 GB"
    )
    assert any("not the bfloat16 chosen" in line for line in _fit(LLAMA_31_8B_AWQ, LLAMA_31_8B_PARAMS).assumptions)


def test_bitsandbytes_nf4_double_quant() -> None:
    bpp = 0.5 + 1 / 64 + 4 / (64 * 256)  # 4 bits + an 8-bit absmax per 64 + a float32 per 256 absmax
    report = _fit(LLAMA_3_8B_BNB4, LLAMA_31_8B_PARAMS)
    assert report.bytes_per_parameter == bpp
    linear = LLAMA_31_8B_PARAMS - 2 * LLAMA_31_8B_EMBED
    assert report.weights_gb == round((linear * bpp + 2 * LLAMA_31_8B_EMBED * 2) / 1e9, 2), "linear × 0.5159 + emb × 2"


def test_gguf_quant_levels_from_the_file_name() -> None:
    q = gguf_quantization("Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf")
    assert q.level == "Q4_K_M"
    assert gguf_bits_per_weight("Q8_0") == 34 * 8 / 32, "Q8_0: 32 int8 + one fp16 scale = 34 bytes per 32 weights"
    arch = architecture_from_config(LLAMA_31_8B).model_copy(update={"quantization": q})
    model = _model(LLAMA_31_8B, LLAMA_31_8B_PARAMS).model_copy(update={"architecture": arch})
    report = estimate_fit(model, FitQuery(), None)
    assert report.weights_gb == round(LLAMA_31_8B_PARAMS * 4.84 / 8 / 1e9, 2) == 4.86, "8.03 B × 4.84 bits / 8"


def test_fp8_dtype_choice_on_an_unquantized_checkpoint() -> None:
    report = _fit(LLAMA_31_8B, LLAMA_31_8B_PARAMS, dtype="fp8")
    assert report.weights_gb == 9.08, "vLLM --quantization fp8: linear × 1 byte + embeddings/head × 2 bytes"


# ---- what the fit cannot read -------------------------------------------------------------------------


def test_an_unknown_quantization_method_is_unknown_not_guessed() -> None:
    report = _fit({**LLAMA_31_8B, "quantization_config": {"quant_method": "hqq", "nbits": 4}}, LLAMA_31_8B_PARAMS)
    assert report.weights_gb is None and report.total_gb is None
    assert report.unknown == ["quantization_config"]
    assert any("'hqq' is not one the fit knows" in line for line in report.assumptions)
    assert not any(t.fits for t in report.shapes)


def test_a_config_without_numbers_names_every_missing_key() -> None:
    report = _fit({"model_type": "llama"}, None)
    assert report.total_gb is None
    assert report.unknown == [
        "parameter_count (safetensors headers or model metadata)",
        "num_hidden_layers",
        "head_dim (or hidden_size and num_attention_heads)",
        "num_key_value_heads (or num_attention_heads)",
    ]


# ---- parameter count from the files' headers (local model folders) -----------------------------------


def _header_only(path: Path, tensors: dict[str, tuple[str, list[int]]]) -> None:
    """A safetensors file whose header is all the count reads (the data is not)."""
    raw = json.dumps({name: {"dtype": d, "shape": s, "data_offsets": [0, 0]} for name, (d, s) in tensors.items()})
    path.write_bytes(struct.pack("<Q", len(raw)) + raw.encode())


def test_fp8_tensors_count_one_parameter_per_element(tmp_path: Path) -> None:
    _header_only(
        tmp_path / "model.safetensors",
        {
            "model.layers.0.mlp.down_proj.weight": ("F8_E4M3", [4096, 14336]),
            "model.layers.0.mlp.down_proj.weight_scale": ("F32", [1]),
            "model.layers.0.mlp.down_proj.input_scale": ("F32", [1]),
            "model.embed_tokens.weight": ("BF16", [128256, 4096]),
        },
    )
    count = safetensors_parameter_count(tmp_path / "model.safetensors")
    assert count == 4096 * 14336 + 128256 * 4096, "F8_E4M3 and BF16: one parameter per element; scales are not"


def test_awq_packed_int32_counts_eight_parameters_per_element(tmp_path: Path) -> None:
    _header_only(
        tmp_path / "model.safetensors",
        {
            "model.layers.0.mlp.down_proj.qweight": ("I32", [14336, 4096 // 8]),
            "model.layers.0.mlp.down_proj.qzeros": ("I32", [14336 // 128, 4096 // 8]),
            "model.layers.0.mlp.down_proj.scales": ("F16", [14336 // 128, 4096]),
        },
    )
    (tmp_path / "config.json").write_text(json.dumps(LLAMA_31_8B_AWQ))
    info = inspect_folder(tmp_path)
    assert info.parameter_count == 14336 * 4096, "14336 × 512 int32 × (32 bits / 4) = 14336 × 4096; qzeros, scales: 0"
    assert info.architecture is not None and info.architecture.quantization is not None
    assert info.architecture.quantization.method == "awq"


# ---- what the OCI driver stores: every fact within OCI's 255-character metadata value ------------------

ALL_CONFIGS = {
    "llama-3.1-8b": LLAMA_31_8B,
    "llama-3.1-70b": LLAMA_31_70B,
    "mistral-7b-v0.3": MISTRAL_7B_V03,
    "mixtral-8x7b": MIXTRAL_8X7B,
    "qwen2.5-7b": QWEN25_7B,
    "qwen2.5-72b": QWEN25_72B,
    "gemma-2-9b": GEMMA2_9B,
    "gemma-3-12b": GEMMA3_12B,
    "gemma-3-1b": GEMMA3_1B,
    "mistral-7b-v0.1": MISTRAL_7B_V01,
    "qwen2-7b": QWEN2_7B,
    "gpt-oss-20b": GPT_OSS_20B,
    "phi-3-mini": PHI3_MINI_4K,
    "deepseek-v3": DEEPSEEK_V3,
    "deepseek-v2-lite": DEEPSEEK_V2_LITE,
    "kimi-k2": KIMI_K2,
    "internvl2-8b": INTERNVL2_8B,
    "llava-1.5-7b": LLAVA_15_7B,
    "qwen2-vl-7b": QWEN2_VL_7B,
    "bge-m3": BGE_M3,
    "modernbert-base": MODERNBERT_BASE,
    "bert-base": BERT_BASE,
    "whisper-large-v3": WHISPER_LARGE_V3,
    "flan-t5-large": FLAN_T5_LARGE,
    "llama-3.1-8b-fp8": LLAMA_31_8B_FP8,
    "llama-3.1-8b-awq": LLAMA_31_8B_AWQ,
    "llama-3-8b-bnb-4bit": LLAMA_3_8B_BNB4,
}


@pytest.mark.parametrize("name", sorted(ALL_CONFIGS))
def test_oci_metadata_keeps_every_fit_fact(name: str) -> None:
    config = ALL_CONFIGS[name]
    facts = _config_facts(config, 0)
    stored = fit_within_metadata(facts["architecture"])
    assert stored is not None and len(stored) <= 255
    read = Architecture.model_validate(json.loads(stored))
    expected = architecture_from_config(config)
    # torch_dtype is the one key that may give way; a false flag reads back as None (the same default).
    flags = {"tie_word_embeddings", "use_sliding_window"}
    assert read.model_dump(exclude={"torch_dtype", "quantization", *flags}) == expected.model_dump(
        exclude={"torch_dtype", "quantization", *flags}
    )
    for flag in flags:
        assert bool(getattr(read, flag)) == bool(getattr(expected, flag)), flag
    assert estimate_kv_cache(read, 32768, 4, 2) == estimate_kv_cache(expected, 32768, 4, 2), "the same KV cache"
    if expected.quantization is not None:
        quant = fit_within_metadata(facts["quantization"])
        assert quant is not None and Quantization.model_validate(json.loads(quant)) == expected.quantization


def test_gguf_file_without_a_parameter_count_is_its_own_weights() -> None:
    size = 4_920_734_016  # Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf
    arch = architecture_from_config(LLAMA_31_8B).model_copy(
        update={"quantization": gguf_quantization("Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf")}
    )
    model = _model(LLAMA_31_8B, None, size).model_copy(update={"architecture": arch})
    report = estimate_fit(model, FitQuery(), None)
    assert report.weights_gb == 4.92, "the file is the weights: 4,920,734,016 bytes = 4.92 GB"
    assert report.parameter_count == int(size / (4.84 / 8)), "4,920,734,016 bytes × 8 / 4.84 bits = 8.13 B"
    assert report.arithmetic[1] == "parameters = 4.92 GB × 8 / 4.84 bits = 8.13 B"


@pytest.mark.parametrize(
    "entry", [e for e in curated_entries() if e["formats"] == ["gguf"]], ids=lambda e: str(e["hf_id"])
)
def test_catalog_gguf_models_are_sized_by_their_file(entry: dict[str, Any]) -> None:
    model = ModelDetail(
        id=entry["hf_id"],
        name=entry["name"],
        source=ModelSource.CATALOG,
        capability=Capability(entry["capability"]),
        parameter_count=entry["parameter_count"],
        size_bytes=entry["size_bytes"],
        formats=[ModelFormat.GGUF],
        ready_to_deploy=True,
        ready_to_finetune=False,
        architecture=Architecture(**entry["architecture"]),
    )
    report = estimate_fit(model, FitQuery(), None)
    assert report.weights_gb == round(entry["size_bytes"] / 1e9, 2), (
        f"the Q4_K_M file is the weights: {entry['size_bytes']:,} bytes, not "
        f"{entry['parameter_count']:,} params × 2 bytes of bfloat16"
    )


def test_the_oci_driver_counts_parameters_with_the_one_dtype_table() -> None:
    size = LLAMA_31_8B_PARAMS * 2  # the safetensors of Llama-3.1-8B in bfloat16
    assert _config_facts(LLAMA_31_8B, size)["parameter_count"] == LLAMA_31_8B_PARAMS, "16,060,522,496 bytes / 2"
    as_float32 = {**LLAMA_31_8B, "torch_dtype": "float32"}
    assert _config_facts(as_float32, size * 2)["parameter_count"] == LLAMA_31_8B_PARAMS, "32,121,044,992 bytes / 4"
    # A dtype the table does not know gives no count, never one off by its width.
    assert "parameter_count" not in _config_facts({**LLAMA_31_8B, "torch_dtype": "float64"}, size * 4)
    assert "parameter_count" not in _config_facts(LLAMA_31_8B_FP8, size // 2), "quantized: sized from its files"
