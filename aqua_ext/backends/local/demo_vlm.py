"""The vision demo model: a tiny Llava (the demo's Llama as language model, a 2-layer CLIP
vision tower, random weights) with its processor, so chat with images can be tried offline.

Why Llava: `transformers serve` loads it as a VLM (its class is in the image-text-to-text mapping),
turns OpenAI `image_url` parts (data: URLs included) into images for the processor, and the
processor needs nothing but Pillow (the CLIP image processor falls back to its PIL backend without
torchvision). Each image becomes 16 `<image>` tokens (32×32 pixels in 8×8 patches), so a turn with
an image is 16 prompt tokens longer than the same turn without: the proof the engine consumed it.
llama.cpp would need an mmproj GGUF, which its converter makes only from known checkpoints.

Imported by demo_model.generate_demo_model in the generator's child process only (torch).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .demo_model import BOS, EOS, IM_END, IM_START, PAD, generation_config, text_config, train_tokenizer

IMAGE_TOKEN = "<image>"
IMAGE_SIZE, PATCH_SIZE = 32, 8
IMAGE_TOKENS = (IMAGE_SIZE // PATCH_SIZE) ** 2  # per image; the CLS token is dropped ("default" strategy)

# The text demo's ChatML, with content parts: an image part becomes the image token, which the
# processor expands to IMAGE_TOKENS copies.
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' }}"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}"
    "{% if part['type'] == 'image' %}{{ '<image>' }}{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}"
    "{% endfor %}{% endif %}"
    "{{ '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

README = """\
---
license: apache-2.0
library_name: transformers
pipeline_tag: image-text-to-text
tags:
- demo
- random-weights
---

# Demo tiny Llava (random weights)

This vision-language model was generated on this machine by aqua_ext, with no download.

- **Random weights.** It was never trained: it produces gibberish, whatever the image. Do not use
  its answers for anything.
- **About 170K parameters**: the demo Llama (2 layers, hidden size 64) as language model, a CLIP
  vision tower of 2 layers (hidden size 32) and a 2-layer projector.
- **Images** are resized to 32×32 pixels and read as 16 image tokens.
- **Tokenizer**: the demo Llama's byte-level BPE (1,024 tokens) with an `<image>` token.

It exists so that chat with images can be tried offline in seconds, on a laptop CPU, with
`transformers serve`.
"""


def build(work: Path, seed: int, say: Callable[[float, str], None]) -> None:
    """Write the model, its processor (image processor, tokenizer, chat template) and README to `work`."""
    import torch
    from transformers import CLIPVisionConfig, LlavaConfig, LlavaForConditionalGeneration, LlavaProcessor
    from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

    tokenizer, ids = train_tokenizer([BOS, EOS, PAD, IM_START, IM_END, IMAGE_TOKEN], image_token=IMAGE_TOKEN)
    say(0.6, "Building the model")
    vision = CLIPVisionConfig(
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        image_size=IMAGE_SIZE,
        patch_size=PATCH_SIZE,
        projection_dim=32,
    )
    config = LlavaConfig(
        text_config=text_config(ids),
        vision_config=vision,
        image_token_index=ids[IMAGE_TOKEN],
        vision_feature_layer=-1,
        vision_feature_select_strategy="default",
        tie_word_embeddings=True,
    )
    torch.manual_seed(seed)
    model = LlavaForConditionalGeneration(config)
    model.generation_config = generation_config(ids)
    # The PIL image processor: the project does not depend on torchvision.
    images = CLIPImageProcessorPil(
        size={"shortest_edge": IMAGE_SIZE}, crop_size={"height": IMAGE_SIZE, "width": IMAGE_SIZE}
    )
    processor = LlavaProcessor(
        image_processor=images,
        tokenizer=tokenizer,
        patch_size=PATCH_SIZE,
        vision_feature_select_strategy="default",
        num_additional_image_tokens=1,  # CLIP's CLS token, dropped by the "default" strategy
        chat_template=CHAT_TEMPLATE,
    )
    say(0.8, "Saving")
    model.save_pretrained(work)
    processor.save_pretrained(work)
    (work / "README.md").write_text(README, encoding="utf-8")
