"""Images in a chat turn: which deployments take them (their `chat_inputs`), and the checks on
OpenAI's image content parts, for the playground's turns and the OpenAI pass-through alike.

An image part goes to the engine untouched; what is checked here is what the engine would
otherwise fail on late, or not at all: a text-only deployment (transformers serve silently drops
image parts for a text model, so the user would get an answer that never saw the image), a data:
URL that is not base64 of a PNG/JPEG/GIF/WebP, and an image over MAX_IMAGE_BYTES.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from ..api.deployments import ChatInput, DeploymentSummary
from ..api.models import Capability
from ..api.upstream import UpstreamTarget
from ..errors import FieldError, InvalidInput, PayloadTooLarge

# Engines that read OpenAI image parts for a vision model: transformers serve (a model of the
# image-text-to-text mapping) and vLLM. llama.cpp needs a projector file (--mmproj) we do not pass;
# TGI and Generative AI endpoints are not offered images here.
IMAGE_ENGINES = frozenset({"transformers", "vllm"})
MAX_IMAGE_BYTES = 20 * 1024 * 1024  # decoded, per image: what OpenAI's own API takes
# The image types OpenAI's API takes, by their first bytes.
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),  # and WEBP at offset 8
}
_DATA_URL = re.compile(r"data:(?P<mime>[\w.+-]+/[\w.+-]+)(?P<params>(;[^;,]*)*?);base64,", re.ASCII)


def takes_images(capability: Capability | str | None, engine: str | None, mode: str) -> bool:
    return mode == "chat" and capability == Capability.IMAGE_TEXT_TO_TEXT and engine in IMAGE_ENGINES


def chat_inputs(item: DeploymentSummary) -> list[ChatInput]:
    """What a turn with this deployment may hold."""
    return ["text", "image"] if takes_images(item.capability, item.engine, item.mode) else ["text"]


def target_takes_images(target: UpstreamTarget) -> bool:
    return takes_images(target.capability, target.engine, target.mode)


def check_messages(messages: Any, target: UpstreamTarget) -> None:
    """Check every image part of OpenAI `messages` (a request body's, as sent), before the engine is
    asked. 400 naming the part for a deployment that takes no images or a bad data: URL; 413 over
    MAX_IMAGE_BYTES. Reads up to ~27 MB of base64 per image: call it off the event loop."""
    if not isinstance(messages, list):
        return  # the engine answers a malformed body with its own 4xx; only images are checked here
    for i, message in enumerate(messages):
        content = message.get("content") if isinstance(message, dict) else None
        if not isinstance(content, list):
            continue
        for j, part in enumerate(content):
            if not isinstance(part, dict) or part.get("type") != "image_url":
                continue
            field = f"messages[{i}].content[{j}].image_url"
            if not target_takes_images(target):
                raise InvalidInput.field(
                    field,
                    "this deployment does not take images: its model reads text only, or its engine does not "
                    "read images (deploy an image-text-to-text model with transformers or vLLM)",
                )
            image_url = part.get("image_url")
            url = image_url.get("url") if isinstance(image_url, dict) else image_url
            check_image_url(url, f"{field}.url")


def check_image_url(url: Any, field: str) -> None:
    """An http(s) URL (the engine fetches it) or a base64 data: URL of a PNG, JPEG, GIF or WebP image."""
    if not isinstance(url, str) or not url:
        raise InvalidInput.field(field, "expected a data: URL or an http(s) URL")
    if url.startswith(("http://", "https://")):
        return
    match = _DATA_URL.match(url)
    if match is None:
        raise InvalidInput.field(field, "expected a base64 data: URL (data:image/png;base64,…) or an http(s) URL")
    mime = match["mime"].lower()
    if mime not in _SIGNATURES:
        raise InvalidInput.field(field, f"{mime} is not an image type the engines read: use PNG, JPEG, GIF or WebP")
    data = url[match.end() :]
    # Sized before decoding: base64 holds 3 bytes in 4 characters.
    size = len(data) * 3 // 4 - data[-2:].count("=")
    if size > MAX_IMAGE_BYTES:
        why = f"the image is {size / 2**20:.1f} MiB; at most {MAX_IMAGE_BYTES // 2**20} MiB per image"
        raise PayloadTooLarge(f"{field}: {why}", fields=[FieldError(field=field, message=why)])
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput.field(field, "the data: URL is not valid base64") from None
    if not _is_image(raw, mime):
        raise InvalidInput.field(field, f"the data is not a {mime.split('/')[1].upper()} image")


def _is_image(raw: bytes, mime: str) -> bool:
    if not raw.startswith(_SIGNATURES[mime]):
        return False
    return mime != "image/webp" or raw[8:12] == b"WEBP"
