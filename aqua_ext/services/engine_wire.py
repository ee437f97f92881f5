"""The server's hot path to the engines it reaches unsigned (local engines: llama.cpp, vLLM,
`transformers serve`): one shared aiohttp connection pool, the answer read as raw byte chunks.

Why aiohttp and not the httpx client the rest of aqua_ext uses: per streamed chunk httpx goes
through httpcore → anyio (a timeout scope and a pause/resume of reading on every read) and h11's
pure-Python chunked-body parser, about 23 µs of CPU per token on a 2-CPU machine; aiohttp's
C parser and its plain asyncio protocol read the same stream for about 10 µs, tornado's own
client with a streaming callback for 12–18 µs (bench/http_clients.py; bench/chat_proxy.py for the routes).
Signed requests (OCI) stay on httpx: their signer is an `httpx.Auth`.

Timeouts: connecting is bounded by `CONNECT_TIMEOUT_S`; `read_timeout` bounds every wait for the
engine's bytes (the answer's headers, then each chunk: aiohttp re-arms one timer per read, no
timeout scope per chunk); a caller bounds a whole exchange itself (`asyncio.timeout`).

Closing (`WireResponse.close()`, in a `finally`): a response read to its end is released to the
pool; one left early (the client went away, an error, a cancel) is closed, which drops the
connection, so the engine sees the disconnect and stops generating."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from ..errors import Upstream, UpstreamTimeout

if TYPE_CHECKING:
    import aiohttp  # imported when first used: `import aqua_ext.services` stays light for the CLI

__all__ = ["CONNECT_TIMEOUT_S", "EngineWire", "WireResponse", "encode_json"]

CONNECT_TIMEOUT_S = 10.0
_READ_SIZE = 1 << 16

# httpx's own encoding of `json=`: compact, UTF-8, no NaN (engines reject it).
encode_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


class WireResponse:
    """An engine's answer, open: status and content type at once, the body as it arrives."""

    __slots__ = ("_done", "_response", "_timeout_message", "content_type", "status")

    def __init__(self, response: aiohttp.ClientResponse, timeout_message: str) -> None:
        self._response = response
        self._timeout_message = timeout_message
        self._done = False
        self.status = response.status
        self.content_type = response.headers.get("Content-Type", "application/json")

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    async def chunks(self) -> AsyncIterator[bytes]:
        """The body's bytes as each read returns them (several engine events when the relay is behind)."""
        import aiohttp

        read = self._response.content.readany
        try:
            while chunk := await read():
                yield chunk
        except TimeoutError:
            raise UpstreamTimeout(self._timeout_message) from None
        except aiohttp.ClientError as exc:
            raise Upstream(f"The engine closed the stream mid-answer ({exc or type(exc).__name__}).") from None
        self._done = True

    async def read(self, limit: int | None = None) -> bytes:
        """The whole body (at most `limit` bytes: an error message need not be read to its end)."""
        parts: list[bytes] = []
        size = 0
        async for chunk in self.chunks():
            parts.append(chunk)
            size += len(chunk)
            if limit is not None and size >= limit:
                self._done = False  # not read to its end: the connection is not reused
                break
        return b"".join(parts)

    def close(self) -> None:
        """Back to the pool when read to its end, else the connection is dropped (the engine stops)."""
        if self._done:
            self._response.release()
        else:
            self._response.close()


class EngineWire:
    """One aiohttp session for the server's life, made on first use (it needs the running loop).
    No connection limit of its own: the stream limiter (`max_chat_streams`) bounds the requests."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        import aiohttp

        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0, enable_cleanup_closed=False),
                # Engines are on 127.0.0.1: never through a proxy from the environment.
                trust_env=False,
                auto_decompress=False,  # bytes are relayed as the engine sent them
                skip_auto_headers=("User-Agent",),
            )
        return self._session

    async def post(
        self,
        url: str,
        body: bytes,
        headers: dict[str, str],
        *,
        read_timeout: float | None,
        timeout_message: str = "The engine did not answer in time.",
    ) -> WireResponse:
        """POST `body` (JSON) to `url`: the answer, open (the caller closes it). Raises Upstream
        (unreachable) or UpstreamTimeout (no headers within `read_timeout`)."""
        import aiohttp

        timeout = aiohttp.ClientTimeout(total=None, sock_connect=CONNECT_TIMEOUT_S, sock_read=read_timeout)
        try:
            response = await self._client().post(
                url,
                data=body,
                headers={"Content-Type": "application/json", **headers},
                timeout=timeout,
                allow_redirects=False,
                read_bufsize=_READ_SIZE,
            )
        except TimeoutError:
            raise UpstreamTimeout(timeout_message) from None
        except aiohttp.ClientError as exc:
            raise Upstream(f"Could not reach the engine: {exc or type(exc).__name__}") from None
        return WireResponse(response, timeout_message)

    async def close(self) -> None:
        if self._session is not None:
            with contextlib.suppress(Exception):
                await self._session.close()
            self._session = None


async def read_error(answer: WireResponse, limit: int, timeout: float) -> bytes:
    """An error answer's body (its message), within `timeout`; what came so far otherwise."""
    try:
        async with asyncio.timeout(timeout):
            return await answer.read(limit)
    except (TimeoutError, Upstream, UpstreamTimeout):
        return b""
