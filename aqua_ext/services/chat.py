"""One playground turn with a deployment, for the chat handler and `aqua-ext chat` alike: what a
deployment's mode accepts and the OpenAI request sent to its engine (what an engine error means for
the deployment: services/deployment_turn.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any, Protocol

import httpx

from ..api.deployments import ChatRequest, DeploymentState
from ..api.upstream import UpstreamTarget
from ..errors import InvalidInput
from . import chat_images, chat_stream, genai_chat
from .chat_payload import build_payload
from .deployment_turn import DeploymentTurn, Piece

if TYPE_CHECKING:
    from .deployments import Deployments


class Turn(Protocol):
    """A playground turn ready to stream, with a deployment (ChatTurn) or a connection: the chat
    handler and `aqua-ext chat` stream either the same way."""

    # After a failed stream: the deployment's state when the failure changed it, else None.
    deployment_state: DeploymentState | None

    def stream(
        self, client: httpx.AsyncClient, *, timeout: float, coalesce: bool = False
    ) -> AsyncGenerator[Piece, None]: ...


def for_mode(request: ChatRequest, target: UpstreamTarget) -> ChatRequest:
    """A completion deployment takes a prompt: a turn of one user message is sent as its prompt, a
    system message is refused (field `system`). Anything else goes to `build_payload` as it is."""
    messages = request.messages
    if target.mode != "completion" or messages is None:
        return request
    if any(m.role == "system" for m in messages):
        raise InvalidInput.field("system", "this is a completion deployment: it takes a prompt only, no system message")
    if len(messages) == 1 and messages[0].role == "user":
        content = messages[0].content
        # Text parts are the prompt's text (an image part is refused before: a completion takes none).
        prompt = content if isinstance(content, str) else "".join(getattr(p, "text", "") for p in content)
        return request.model_copy(update={"messages": None, "prompt": prompt})
    return request


class ChatTurn(DeploymentTurn):
    """A turn with the deployment's engine (`target`): the OpenAI path and body."""

    def __init__(self, deployments: Deployments, target: UpstreamTarget, path: str, payload: dict[str, Any]) -> None:
        super().__init__(deployments, target)
        self.path = path
        self.payload = payload

    def _pieces(self, client: httpx.AsyncClient, *, timeout: float, coalesce: bool) -> AsyncGenerator[Piece, None]:
        url, headers = self.target.request(self.path, stream=True)
        return chat_stream.stream_chat(
            client,
            url,
            self.payload,
            headers=headers,
            auth=self.target.auth,
            first_byte_timeout=timeout,
            idle_timeout=timeout,
            coalesce=coalesce,
            wire=self.deployments.wire,  # the server's aiohttp pool; None in the CLI and jobs
        )


async def start_turn(deployments: Deployments, deployment_id: str, request: ChatRequest) -> Turn:
    """The turn for an ACTIVE deployment (404 / 409 before anything is sent; 400 for what its mode
    does not take). A Generative AI endpoint's turn goes through its dialect (services/genai_chat.py)."""
    target = await deployments.upstream(deployment_id)
    if request.messages is not None and any(isinstance(m.content, list) for m in request.messages):
        dumped = [m.model_dump(exclude_none=True) for m in request.messages]
        await asyncio.to_thread(chat_images.check_messages, dumped, target)  # decodes up to MBs of base64
    path, payload = build_payload(for_mode(request, target), target)
    if genai_chat.speaks_genai(target):
        return genai_chat.EndpointTurn(deployments, target, payload)
    return ChatTurn(deployments, target, path, payload)
