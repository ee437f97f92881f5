"""A playground turn with a deployment, whatever serves it (an engine: services/chat.py; an OCI Generative AI
endpoint: services/genai_chat.py), and what a failed stream means for that deployment: an engine that dropped
the stream or went silent may have died, so its target looks before the error is raised."""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING

import httpx

from ..api.deployments import DeploymentState
from ..api.upstream import UpstreamTarget
from ..errors import Upstream, UpstreamTimeout
from .chat_stream import ChatDelta, ChatDone

if TYPE_CHECKING:
    from .deployments import Deployments

Piece = ChatDelta | ChatDone  # what a streamed answer is made of


class DeploymentTurn(ABC):
    """A turn ready to send to the deployment behind `target`. After a failed `stream`, `deployment_state` is
    the deployment's state when the failure changed it (e.g. FAILED: the engine died), else None."""

    def __init__(self, deployments: Deployments, target: UpstreamTarget) -> None:
        self.deployments = deployments
        self.target = target
        self.deployment_state: DeploymentState | None = None

    async def stream(
        self, client: httpx.AsyncClient, *, timeout: float, coalesce: bool = False
    ) -> AsyncGenerator[Piece, None]:
        """The answer as it arrives (ChatDelta…, then ChatDone); the upstream request is closed when the
        caller stops reading."""
        pieces = self._pieces(client, timeout=timeout, coalesce=coalesce)
        try:
            async with contextlib.aclosing(pieces):
                async for piece in pieces:
                    yield piece
        except (Upstream, UpstreamTimeout) as exc:
            self.deployment_state = await self.deployments.upstream_failed(self.target.deployment_id, exc.message)
            raise

    @abstractmethod
    def _pieces(self, client: httpx.AsyncClient, *, timeout: float, coalesce: bool) -> AsyncGenerator[Piece, None]:
        """The answer's stream from whatever serves the deployment, not yet read."""
