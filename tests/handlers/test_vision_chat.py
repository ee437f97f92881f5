"""Chat with an image: the vision demo model (a tiny Llava, generated offline) deployed on a real
`transformers serve`, an image sent through the playground's chat and through the OpenAI pass-through
with OpenAI's own client; the engine reads it (the prompt is longer by the image's tokens)."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import pytest

from aqua_ext.backends.local.demo_vlm import IMAGE_TOKENS
from tests.handlers.test_deployments import chat_events, wait_state
from tests.images import data_url, png
from tests.model_folders import needs_local_extra

VISION = "demo:tiny-llava"
PROMPT = "What colour is it? 何色ですか？"


def parts(url: str) -> list[dict[str, Any]]:
    return [{"type": "text", "text": PROMPT}, {"type": "image_url", "image_url": {"url": url}}]


@needs_local_extra
@pytest.mark.engine
async def test_an_image_reaches_the_vision_demo_model(
    api: Any,
    jp_fetch: Any,
    jp_serverapp: Any,
    jp_base_url: str,
    jp_http_port: int,
    aqua_data_dir: Path,
    vision_demo_dir: Path,
) -> None:
    shutil.copytree(vision_demo_dir, aqua_data_dir / "models" / "demo-tiny-llava")
    status, model = await api(f"models/{VISION}")
    assert status == 200 and model["capability"] == "IMAGE_TEXT_TO_TEXT" and model["ready_to_deploy"], model
    status, created = await api("deployments", method="POST", body={"model_id": VISION, "name": "Vision demo"})
    assert status == 202, created
    dep = created["deployment"]
    # The server's rule, which the playground follows to offer image input.
    assert dep["chat_inputs"] == ["text", "image"] and dep["capability"] == "IMAGE_TEXT_TO_TEXT"
    try:
        assert (await wait_state(api, dep["id"], "ACTIVE", "FAILED"))["state"] == "ACTIVE"
        _, listing = await api("deployments")
        assert listing["items"][0]["chat_inputs"] == ["text", "image"]

        async def prompt_tokens(content: Any) -> int:
            events = await chat_events(
                jp_fetch, dep["id"], {"messages": [{"role": "user", "content": content}], "max_tokens": 4}
            )
            kinds = [k for k, _ in events]
            assert kinds[-1] == "done" and set(kinds[:-1]) <= {"delta"}, events
            usage = events[-1][1]["usage"]
            assert usage and usage["completion_tokens"] >= 1, events[-1]
            return int(usage["prompt_tokens"])

        # The playground's stream: the image became the model's image tokens.
        without = await prompt_tokens(PROMPT)
        with_image = await prompt_tokens(parts(data_url(png())))
        assert with_image == without + IMAGE_TOKENS

        # OpenAI's client through the pass-through, streamed, with two images.
        from openai import BadRequestError, OpenAI

        token = jp_serverapp.identity_provider.token
        client = OpenAI(
            base_url=f"http://127.0.0.1:{jp_http_port}{jp_base_url}aqua-ext/deployments/{dep['id']}/v1",
            api_key=token,
            max_retries=0,
        )
        two = [*parts(data_url(png(8, 8, (0, 0, 255)))), {"type": "image_url", "image_url": {"url": data_url(png())}}]

        def stream() -> tuple[str, int]:
            text, prompt = "", 0
            for chunk in client.chat.completions.create(
                model="x",
                messages=[{"role": "user", "content": two}],
                max_tokens=4,
                stream=True,  # type: ignore[misc, list-item]
            ):
                if chunk.choices:
                    text += chunk.choices[0].delta.content or ""
                if chunk.usage:
                    prompt = chunk.usage.prompt_tokens
            return text, prompt

        text, prompt = await asyncio.to_thread(stream)
        assert text and prompt == without + 2 * IMAGE_TOKENS

        # Refused before the engine: not an image, bad base64, too large (413).
        for url, says in (
            (data_url(b"plain text"), "not a PNG image"),
            ("data:image/png;base64,%%%", "not valid base64"),
        ):
            with pytest.raises(BadRequestError) as refused:
                await asyncio.to_thread(
                    lambda u=url: client.chat.completions.create(
                        model="x",
                        messages=[{"role": "user", "content": parts(u)}],
                        max_tokens=2,  # type: ignore[misc, list-item]
                    )
                )
            assert says in str(refused.value) and "messages[0].content[1].image_url.url" in str(refused.value)
        status, err = await api(
            f"deployments/{dep['id']}/chat",
            method="POST",
            body={
                "messages": [{"role": "user", "content": parts(data_url(b"\x89PNG\r\n\x1a\n" + b"\0" * (21 * 2**20)))}]
            },
        )
        assert status == 413 and err["fields"][0]["field"] == "messages[0].content[1].image_url.url", err
    finally:
        status, _ = await api(f"deployments/{dep['id']}", method="DELETE")
        assert status == 204
