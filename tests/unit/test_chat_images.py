"""Images in a chat turn (services/chat_images.py): which deployments take them, and the checks on
OpenAI's image parts; the parts go to the engine untouched, in the shape OpenAI's client sends."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from aqua_ext.api.deployments import ChatRequest, DeploymentSummary
from aqua_ext.api.upstream import UpstreamTarget
from aqua_ext.errors import InvalidInput, PayloadTooLarge
from aqua_ext.services import chat_images
from aqua_ext.services.chat import for_mode, start_turn
from aqua_ext.services.chat_images import MAX_IMAGE_BYTES, check_image_url, check_messages, takes_images
from aqua_ext.services.chat_payload import build_payload
from tests.images import data_url, png

PNG = data_url(png())


def target(
    *, capability: str | None = "IMAGE_TEXT_TO_TEXT", engine: str = "transformers", mode: str = "chat"
) -> UpstreamTarget:
    return UpstreamTarget(
        deployment_id="dep-1", mode=mode, model="m", base_url="http://127.0.0.1:9", engine=engine, capability=capability
    )


def image_turn(url: str = PNG, text: str = "What is in the picture? 写真に何が写っていますか？") -> dict[str, Any]:
    return {
        "role": "user",
        "content": [{"type": "text", "text": text}, {"type": "image_url", "image_url": {"url": url}}],
    }


@pytest.mark.parametrize(
    ("capability", "engine", "mode", "expected"),
    [
        ("IMAGE_TEXT_TO_TEXT", "transformers", "chat", True),
        ("IMAGE_TEXT_TO_TEXT", "vllm", "chat", True),
        ("IMAGE_TEXT_TO_TEXT", "llama.cpp", "chat", False),  # no --mmproj is passed
        ("IMAGE_TEXT_TO_TEXT", "transformers", "completion", False),
        ("TEXT_TO_TEXT", "transformers", "chat", False),
        (None, "vllm", "chat", False),  # a row from before the capability was kept
        ("IMAGE_TEXT_TO_TEXT", "oci-genai", "chat", False),
    ],
)
def test_which_deployments_take_images(capability: str | None, engine: str, mode: str, expected: bool) -> None:
    assert takes_images(capability, engine, mode) is expected


def test_a_deployment_says_what_its_turns_may_hold() -> None:
    summary = DeploymentSummary.model_validate(
        {
            "id": "dep-1",
            "name": "v",
            "description": "",
            "model_id": "demo:tiny-llava",
            "model_name": "Demo",
            "state": "ACTIVE",
            "state_message": "",
            "mode": "chat",
            "engine": "transformers",
            "shape": "cpu",
            "replicas": 1,
            "created_at": "2026-12-07T00:00:00Z",
            "updated_at": "2026-12-07T00:00:00Z",
            "openai_base_path": "x",
            "capability": "IMAGE_TEXT_TO_TEXT",
        }
    )
    assert summary.chat_inputs == ["text"]  # the default until the service annotates it
    assert chat_images.chat_inputs(summary) == ["text", "image"]
    assert chat_images.chat_inputs(summary.model_copy(update={"engine": "llama.cpp"})) == ["text"]


def test_image_parts_go_to_the_engine_untouched_in_openai_s_shape() -> None:
    from openai.types.chat import ChatCompletionMessageParam

    request = ChatRequest.model_validate({"messages": [{"role": "system", "content": "Be brief."}, image_turn()]})
    check_messages([m.model_dump(exclude_none=True) for m in request.messages or []], target())
    path, body = build_payload(request, target())
    assert path == "/v1/chat/completions"
    assert body["messages"][1] == image_turn()
    # OpenAI's own client types are the judge of the shape.
    adapter: TypeAdapter[Any] = TypeAdapter(ChatCompletionMessageParam)
    for message in body["messages"]:
        adapter.validate_python(message)


def test_a_text_only_deployment_refuses_images_naming_the_part() -> None:
    messages = [{"role": "user", "content": "hi"}, image_turn()]
    for text_only in (target(capability="TEXT_TO_TEXT"), target(engine="llama.cpp"), target(capability=None)):
        with pytest.raises(InvalidInput) as refused:
            check_messages(messages, text_only)
        assert refused.value.fields and refused.value.fields[0].field == "messages[1].content[1].image_url"
        assert "does not take images" in refused.value.message
    check_messages([{"role": "user", "content": [{"type": "text", "text": "only text"}]}], target(capability=None))


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("data:image/png;base64,@@not base64@@", "not valid base64"),
        (data_url(b"just some text, not a picture"), "not a PNG image"),
        (data_url(png(), "image/jpeg"), "not a JPEG image"),
        (data_url(b"%PDF-1.7", "application/pdf"), "not an image type"),
        ("file:///etc/passwd", "data: URL"),
        ("data:image/png,rawbytes", "data: URL"),
        (42, "expected a data: URL"),
    ],
)
def test_bad_images_are_400_naming_the_url(url: Any, says: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_image_url(url, "messages[0].content[1].image_url.url")
    assert refused.value.status == 400 and says in refused.value.message
    assert refused.value.fields and refused.value.fields[0].field == "messages[0].content[1].image_url.url"


def test_an_image_over_the_cap_is_413_before_decoding() -> None:
    over = "data:image/png;base64," + "A" * (MAX_IMAGE_BYTES * 4 // 3 + 8)
    with pytest.raises(PayloadTooLarge) as refused:
        check_image_url(over, "messages[0].content[0].image_url.url")
    assert refused.value.status == 413 and "at most 20 MiB" in refused.value.message
    assert refused.value.fields and refused.value.fields[0].field == "messages[0].content[0].image_url.url"


def test_good_urls_pass() -> None:
    for url in (PNG, data_url(b"\xff\xd8\xff\xe0" + b"\0" * 8, "image/jpeg"), data_url(b"GIF89a...", "image/gif")):
        check_image_url(url, "f")
    check_image_url(data_url(b"RIFF\0\0\0\0WEBPVP8 ", "image/webp"), "f")
    check_image_url("https://example.com/cat.png", "f")  # the engine fetches it


def test_content_parts_belong_to_user_messages() -> None:
    with pytest.raises(ValidationError, match="only a user message has content parts"):
        ChatRequest.model_validate(
            {"messages": [{"role": "system", "content": [{"type": "text", "text": "x"}]}, image_turn()]}
        )
    with pytest.raises(ValidationError):
        ChatRequest.model_validate({"messages": [{"role": "user", "content": [{"type": "audio", "x": 1}]}]})
    with pytest.raises(ValidationError):
        ChatRequest.model_validate({"messages": [{"role": "user", "content": []}]})


def test_a_completion_deployment_takes_the_text_parts_as_its_prompt() -> None:
    request = ChatRequest.model_validate(
        {
            "messages": [
                {
                    "role": "user",
                    "content": [{"type": "text", "text": "Once upon "}, {"type": "text", "text": "a time"}],
                }
            ]
        }
    )
    assert for_mode(request, target(mode="completion")).prompt == "Once upon a time"


class _Deployments:
    def __init__(self, upstream: UpstreamTarget) -> None:
        self.target = upstream

    async def upstream(self, deployment_id: str) -> UpstreamTarget:
        return self.target


def test_the_playground_turn_refuses_images_before_anything_is_sent() -> None:
    request = ChatRequest.model_validate({"messages": [image_turn()]})
    with pytest.raises(InvalidInput) as refused:
        asyncio.run(start_turn(_Deployments(target(capability="TEXT_TO_TEXT")), "dep-1", request))  # type: ignore[arg-type]
    assert refused.value.fields and refused.value.fields[0].field == "messages[0].content[1].image_url"
    turn = asyncio.run(start_turn(_Deployments(target()), "dep-1", request))  # type: ignore[arg-type]
    assert turn.payload["messages"] == [image_turn()]  # type: ignore[attr-defined]
