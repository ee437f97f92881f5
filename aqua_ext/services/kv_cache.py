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

Sliding-window layers (Mistral v0.1, Gemma 2, Gemma 3) are counted at the full context: which
layers an engine trims, and when, depends on its version, so the figure is the upper bound.
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
    return KvEstimate(
        2 * arch.num_hidden_layers * kv_heads * head_dim * context * concurrency * element_bytes,
        f"KV cache = 2 × {arch.num_hidden_layers} layers × {kv_heads} KV heads × {_fmt(head_dim)} head dim × {tail}",
        "",
    ), []
