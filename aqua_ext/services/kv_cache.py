"""KV cache per token: what an engine keeps for each token of each sequence, by attention kind.

- Standard multi-head / grouped-query attention: K and V per layer, per KV head:
  2 × layers × kv_heads × head_dim values (head_dim from config.json's head_dim when given, else
  the family's own default where transformers' config class sets one apart from the quotient
  (Gemma: 256), else hidden_size / num_attention_heads; kv_heads from num_key_value_heads, else
  every head).
- Multi-head latent attention (DeepSeek-V2/V3, Kimi K2): one compressed latent per layer, not K
  and V: layers × (kv_lora_rank + qk_rope_head_dim) values, as vLLM's MLA backends cache it.
- Encoder-only models (BERT, RoBERTa, XLM-R, ModernBERT: embedding and rerank models) run one
  pass over the input and keep no cache at all.
- Encoder-decoder models (Whisper, T5, BART): the decoder's self-attention cache per target token,
  plus its cross-attention cache over the encoder's output (Whisper: 1500 audio frames; text
  models: an input as long as the context, the worst case).

Sliding-window layers keep the last `sliding_window` tokens only, so they are counted at
min(window, context) tokens, as vLLM allocates them. Which layers slide is read from config.json
the way transformers' config classes (and vLLM, which reads them) do: `layer_types` first, else
Qwen2/Qwen3's `use_sliding_window` (off by default) with `max_window_layers` (the layers from that
index on slide), else `sliding_window_pattern` (one full-attention layer in every n: Gemma 3, Cohere 2),
else the family's own default (Gemma 2 alternates; Gemma 3 has 6; Mistral, Mixtral, Phi-3 and
Starcoder2 apply the window in every layer). A window whose layers none of these tell is counted at
the full context for every layer, the upper bound, and the estimate's note says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..api.models import Architecture

# model_type values of encoder-only transformers (config.json spelling).
ENCODER_ONLY_MODEL_TYPES = frozenset(
    {
        "bert",
        "roberta",
        "xlm-roberta",
        "xlm-roberta-xl",
        "modernbert",
        "distilbert",
        "mpnet",
        "electra",
        "deberta",
        "deberta-v2",
        "camembert",
        "albert",
        "nomic_bert",
        "new",  # Alibaba's gte-*-v1.5 ("NewModel")
        "jina_bert",
    }
)
# model_type values of encoder-decoder transformers whose config.json may not say is_encoder_decoder.
ENCODER_DECODER_MODEL_TYPES = frozenset({"whisper", "t5", "mt5", "umt5", "bart", "mbart", "marian", "pegasus"})


# One full-attention layer in every n, for families whose config.json may not say (transformers'
# Gemma2Config alternates, Gemma3TextConfig's sliding_window_pattern defaults to 6, Cohere2's to 4).
FAMILY_SLIDING_PATTERN = {"gemma2": 2, "gemma3": 6, "gemma3_text": 6, "cohere2": 4}
# Families whose attention applies sliding_window in every layer (their config has no layer_types).
EVERY_LAYER_SLIDES = frozenset({"mistral", "mixtral", "phi3", "starcoder2"})
# Families whose config class leaves the window off unless use_sliding_window turns it on (Qwen2Config).
WINDOW_OFF_BY_DEFAULT = frozenset({"qwen2", "qwen2_moe", "qwen2_vl", "qwen2_5_vl", "qwen3", "qwen3_moe"})


@dataclass(frozen=True)
class SlidingLayers:
    """The layers that keep only the last `window` tokens, and how config.json says which they are."""

    count: int
    window: int
    source: str


def sliding_layers(arch: Architecture, layers: int) -> tuple[SlidingLayers | None, str]:
    """The sliding-window layers of a model of `layers` layers: (them, "") when config.json tells,
    (None, "") when no layer slides, (None, why) when it sets a window but not which layers use it."""
    window = arch.sliding_window
    if not window or window <= 0:
        return None, ""
    if arch.sliding_layers is not None:
        return SlidingLayers(min(arch.sliding_layers, layers), window, "config.json's layer_types"), ""
    model_type = (arch.model_type or "").lower()
    opt_in = arch.max_window_layers is not None or model_type in WINDOW_OFF_BY_DEFAULT
    if arch.use_sliding_window is False or (arch.use_sliding_window is None and opt_in):
        # Qwen2 / Qwen3: the window is off unless use_sliding_window turns it on (a false flag may be
        # left out of stored facts, so its absence reads the same).
        return None, ""
    if arch.use_sliding_window:
        if arch.max_window_layers is None:
            return None, _unknown_layers(window, "use_sliding_window is on but max_window_layers is not given")
        count = max(0, layers - arch.max_window_layers)
        return SlidingLayers(count, window, f"use_sliding_window, from layer {arch.max_window_layers} on"), ""
    pattern, source = arch.sliding_window_pattern, f"sliding_window_pattern {arch.sliding_window_pattern}"
    if not pattern and model_type in FAMILY_SLIDING_PATTERN:
        pattern = FAMILY_SLIDING_PATTERN[model_type]
        source = f"{model_type}'s default: one full-attention layer in every {pattern}"
    if pattern and pattern > 0:
        return SlidingLayers(layers - layers // pattern, window, source), ""
    if model_type in EVERY_LAYER_SLIDES:
        return SlidingLayers(layers, window, f"{model_type} applies the window in every layer"), ""
    return None, _unknown_layers(
        window,
        f"config.json has no layer_types or sliding_window_pattern, and {model_type or 'its model_type'} "
        "is not a family whose layout the fit knows",
    )


def _unknown_layers(window: int, why: str) -> str:
    return (
        f"config.json sets a sliding window of {window:,} tokens but not which layers use it ({why}): every layer "
        "is counted at the full context, an upper bound."
    )


@dataclass(frozen=True)
class KvEstimate:
    bytes: float  # for every sequence at the full context
    line: str  # the arithmetic, without the " = … GB" the caller adds
    note: str  # what the figure assumes


def _fmt(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}"


def _bytes_text(value: float) -> str:
    return "1 byte" if value == 1 else f"{value:g} bytes"


# head_dim of the families whose transformers config class defaults it to a value other than
# hidden_size / num_attention_heads, for a config.json that leaves it out (gemma-3-12b's text_config:
# 3840 / 16 would be 240; Gemma3TextConfig's head_dim is 256, and vLLM builds the cache from that).
FAMILY_HEAD_DIM = {"gemma": 256, "gemma2": 256, "gemma3": 256, "gemma3_text": 256}


def _per_head_dim(arch: Architecture, heads: int | None) -> float | None:
    if arch.head_dim:
        return arch.head_dim
    family = FAMILY_HEAD_DIM.get((arch.model_type or "").lower())
    if family:
        return family
    if arch.hidden_size and heads:
        return arch.hidden_size / heads  # what transformers assumes when config.json leaves it out
    return None


def estimate_kv_cache(
    arch: Architecture | None, context: int, concurrency: int, element_bytes: float
) -> tuple[KvEstimate | None, list[str]]:
    """The KV cache for `concurrency` sequences of `context` tokens, or None with the config.json
    keys that are missing (["config.json"] when there are no architecture details at all)."""
    if arch is None:
        return None, ["config.json"]
    seqs = f"{concurrency:,} {'sequence' if concurrency == 1 else 'sequences'}"
    tail = f"{context:,} tokens × {seqs} × {_bytes_text(element_bytes)}"
    model_type = (arch.model_type or "").lower()

    if model_type in ENCODER_ONLY_MODEL_TYPES and not arch.is_encoder_decoder:
        return KvEstimate(
            0.0,
            f"KV cache = 0 ({model_type} is encoder-only: one pass over the input, no cache)",
            "Encoder-only models keep no KV cache; memory beyond the weights is activations (in the overhead).",
        ), []

    if arch.kv_lora_rank and arch.qk_rope_head_dim:
        if not arch.num_hidden_layers:
            return None, ["num_hidden_layers"]
        per_token = arch.num_hidden_layers * (arch.kv_lora_rank + arch.qk_rope_head_dim)
        return KvEstimate(
            per_token * context * concurrency * element_bytes,
            f"KV cache = {arch.num_hidden_layers} layers × ({arch.kv_lora_rank} kv_lora_rank + "
            f"{arch.qk_rope_head_dim} qk_rope_head_dim) × {tail}",
            "Multi-head latent attention caches one compressed latent per token per layer (not K and V), "
            "as vLLM's MLA backends do.",
        ), []

    if arch.is_encoder_decoder or model_type in ENCODER_DECODER_MODEL_TYPES:
        layers = arch.decoder_layers or arch.num_hidden_layers
        heads = arch.decoder_attention_heads or arch.num_attention_heads
        head_dim = _per_head_dim(arch, heads)
        missing = [
            key
            for key, value in (
                ("decoder_layers (or num_hidden_layers)", layers),
                ("decoder_attention_heads (or num_attention_heads)", heads),
                ("head_dim (or d_model)", head_dim),
            )
            if not value
        ]
        if missing or not layers or not heads or head_dim is None:
            return None, missing
        encoder = arch.encoder_positions or context
        where = "encoder positions" if arch.encoder_positions else "input tokens"
        return KvEstimate(
            2 * layers * heads * head_dim * (context + encoder) * concurrency * element_bytes,
            f"KV cache = 2 × {layers} decoder layers × {heads} heads × {_fmt(head_dim)} head dim × "
            f"({context:,} target tokens self-attention + {encoder:,} {where} cross-attention) × {seqs} × "
            f"{_bytes_text(element_bytes)}",
            "Encoder-decoder models cache the decoder's self-attention per target token and its "
            "cross-attention over the encoder output"
            + (
                f" ({encoder:,} positions, fixed by the encoder)."
                if arch.encoder_positions
                else " (taken as long as the context: the worst case)."
            ),
        ), []

    missing = []
    if not arch.num_hidden_layers:
        missing.append("num_hidden_layers")
    head_dim = _per_head_dim(arch, arch.num_attention_heads)
    if head_dim is None:
        missing.append("head_dim (or hidden_size and num_attention_heads)")
    kv_heads = arch.num_key_value_heads or arch.num_attention_heads
    if not kv_heads:
        missing.append("num_key_value_heads (or num_attention_heads)")
    if missing or head_dim is None or not kv_heads or not arch.num_hidden_layers:
        return None, missing
    layers = arch.num_hidden_layers
    sliding, unknown_note = sliding_layers(arch, layers)
    if sliding is None or sliding.count == 0 or sliding.window >= context:
        note = unknown_note
        if sliding is not None and sliding.count and sliding.window >= context:
            note = (
                f"The sliding window ({sliding.window:,} tokens) is no shorter than the context: "
                "every layer keeps all of it."
            )
        return KvEstimate(
            2 * layers * kv_heads * head_dim * context * concurrency * element_bytes,
            f"KV cache = 2 × {layers} layers × {kv_heads} KV heads × {_fmt(head_dim)} head dim × {tail}",
            note,
        ), []
    full = layers - sliding.count
    per_token_layer = 2 * kv_heads * head_dim
    tokens = full * context + sliding.count * sliding.window
    window_note = (
        f"Sliding-window layers keep only the last {sliding.window:,} tokens ({sliding.source}), "
        "as vLLM allocates them."
    )
    if full == 0:
        return KvEstimate(
            per_token_layer * layers * sliding.window * concurrency * element_bytes,
            f"KV cache = 2 × {layers} sliding-window layers × {kv_heads} KV heads × {_fmt(head_dim)} head dim × "
            f"{sliding.window:,} tokens (the window, not the {context:,} context) × {seqs} × "
            f"{_bytes_text(element_bytes)}",
            window_note,
        ), []
    return KvEstimate(
        per_token_layer * tokens * concurrency * element_bytes,
        f"KV cache = 2 × {kv_heads} KV heads × {_fmt(head_dim)} head dim × ({full} full-attention layers × "
        f"{context:,} tokens + {sliding.count} sliding-window layers × {sliding.window:,} tokens) × {seqs} × "
        f"{_bytes_text(element_bytes)}",
        window_note,
    ), []
