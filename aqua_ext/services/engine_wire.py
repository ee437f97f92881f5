"""The server's hot path to the engines it reaches unsigned (local engines: llama.cpp, vLLM,
`transformers serve`): one shared aiohttp connection pool, the answer read as raw byte chunks.

Why aiohttp and not the httpx client the rest of aqua_ext uses: per streamed chunk httpx goes
through httpcore → anyio (a timeout scope and a pause/resume of reading on every read) and h11's
pure-Python chunked-body parser, about 23 µs of CPU per token on a 2-CPU machine; aiohttp's
C parser and its plain asyncio protocol read the same stream for about 10 µs, tornado's own
client with a streaming callback for 12–18 µs (bench/http_clients.py; bench/chat_proxy.py for the routes).
Signed requests (OCI) stay on httpx: their signer is an `httpx.Auth`. `HttpxAnswer` gives their
answer (and the CLI's and jobs', which have no aiohttp pool) the same shape, so that a reader of an
engine's answer (the playground's stream, the pass-through route) has one byte source: `open_answer`.

Timeouts: connecting is bounded by `CONNECT_TIMEOUT_S`; `read_timeout` bounds every wait for the
engine's bytes (the answer's headers, then each chunk: aiohttp re-arms one timer per read, no
timeout scope per chunk); a caller bounds a whole exchange itself (`asyncio.timeout`).

Closing (`await answer.aclose()`, in a `finally`): a response read to its end is released to the
pool; one left early (the client went away, an error, a cancel) is closed, which drops the
connection, so the engine sees the disconnect and stops generating."""

from __future__ import annotations

import abc
import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING

import httpx

from ..errors import Upstream, UpstreamTimeout

if TYPE_CHECKING:
    import aiohttp  # imported when first used: `import aqua_ext.services` stays light for the CLI

__all__ = ["CONNECT_TIMEOUT_S", "EngineAnswer", "EngineWire", "encode_json", "open_answer", "read_error"]

CONNECT_TIMEOUT_S = 10.0
_READ_SIZE = 1 << 16
# Bytes are relayed as the engine sent them, with the content type alone: asked uncompressed, so that no
# encoding header is needed (and a whole answer's usage can be read).
_SENT_HEADERS = {"Content-Type": "application/json", "Accept-Encoding": "identity"}
MID_ANSWER_MESSAGE = "The engine closed the stream mid-answer"

# httpx's own encoding of `json=`: compact, UTF-8, no NaN (engines reject it).
encode_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


class EngineAnswer(abc.ABC):
    """An engine's answer, open: status and content type at once, the body as it arrives.
    `chunks()` raises UpstreamTimeout (a read waited past the read timeout) or Upstream (the
    connection broke mid-answer); the caller awaits `aclose()` in a `finally`."""

    __slots__ = ("content_type", "status")

    status: int
    content_type: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @abc.abstractmethod
    def chunks(self) -> AsyncGenerator[bytes, None]:
        """The body's bytes as each read returns them (several engine events when the relay is behind)."""

    async def read(self, limit: int | None = None) -> bytes:
        """The whole body (at most `limit` bytes: an error message need not be read to its end)."""
        parts: list[bytes] = []
        size = 0
        async with contextlib.aclosing(self.chunks()) as chunks:
            async for chunk in chunks:
                parts.append(chunk)
                size += len(chunk)
                if limit is not None and size >= limit:
                    break  # not read to its end: the connection is not reused
        return b"".join(parts)

    @abc.abstractmethod
    async def aclose(self) -> None:
        """Back to the pool when read to its end, else the connection is dropped (the engine stops)."""


class _AiohttpAnswer(EngineAnswer):
    __slots__ = ("_done", "_response", "_timeout_message")

    def __init__(self, response: aiohttp.ClientResponse, timeout_message: str) -> None:
        self._response = response
        self._timeout_message = timeout_message
        self._done = False
        self.status = response.status
        self.content_type = response.headers.get("Content-Type", "application/json")

    async def chunks(self) -> AsyncGenerator[bytes, None]:
        import aiohttp

        read = self._response.content.readany
        try:
            while chunk := await read():
                yield chunk
        except TimeoutError:
            raise UpstreamTimeout(self._timeout_message) from None
        except aiohttp.ClientError as exc:
            raise Upstream(f"{MID_ANSWER_MESSAGE} ({exc or type(exc).__name__}).") from None
        self._done = True

    async def aclose(self) -> None:
        if self._done:
            self._response.release()
        else:
            self._response.close()


class HttpxAnswer(EngineAnswer):
    """A signed request's answer, or one sent where there is no aiohttp pool (the CLI, jobs). Each
    read is bounded by the request's read timeout (httpx's own), as aiohttp's are."""

    __slots__ = ("_response", "_timeout_message")

    def __init__(self, response: httpx.Response, timeout_message: str) -> None:
        self._response = response
        self._timeout_message = timeout_message
        self.status = response.status_code
        self.content_type = response.headers.get("content-type", "application/json")

    async def chunks(self) -> AsyncGenerator[bytes, None]:
        try:
            async for chunk in self._response.aiter_raw():
                yield chunk
        except httpx.TimeoutException:
            raise UpstreamTimeout(self._timeout_message) from None
        except httpx.TransportError as exc:
            raise Upstream(f"{MID_ANSWER_MESSAGE} ({exc or type(exc).__name__}).") from None

    async def aclose(self) -> None:
        # Shielded so that closing still happens when we are here because of a cancel; an unread
        # body makes httpx drop the connection, which the engine sees.
        with contextlib.suppress(Exception):
            await asyncio.shield(self._response.aclose())


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
    ) -> EngineAnswer:
        """POST `body` (JSON) to `url`: the answer, open (the caller closes it). Raises Upstream
        (unreachable) or UpstreamTimeout (no headers within `read_timeout`)."""
        import aiohttp

        timeout = aiohttp.ClientTimeout(total=None, sock_connect=CONNECT_TIMEOUT_S, sock_read=read_timeout)
        try:
            response = await self._client().post(
                url,
                data=body,
                headers={**_SENT_HEADERS, **headers},
                timeout=timeout,
                allow_redirects=False,
                read_bufsize=_READ_SIZE,
            )
        except aiohttp.ConnectionTimeoutError:  # a TimeoutError too, but the engine was not reached at all
            raise Upstream(f"Could not reach the engine: no connection within {CONNECT_TIMEOUT_S:g} s") from None
        except TimeoutError:
            raise UpstreamTimeout(timeout_message) from None
        except aiohttp.ClientError as exc:
            raise Upstream(f"Could not reach the engine: {exc or type(exc).__name__}") from None
        return _AiohttpAnswer(response, timeout_message)

    async def close(self) -> None:
        if self._session is not None:
            with contextlib.suppress(Exception):
                await self._session.close()
            self._session = None


async def open_answer(
    client: httpx.AsyncClient,
    wire: EngineWire | None,
    url: str,
    body: dict[str, object],
    headers: dict[str, str],
    *,
    auth: httpx.Auth | None,
    read_timeout: float | None,
    timeout_message: str,
) -> EngineAnswer:
    """POST `body` to an engine: through `wire` (the server's aiohttp pool) when there is one and the
    request is unsigned, else through `client` (a signer is an `httpx.Auth`). The answer is open; the
    same errors either way: Upstream (unreachable), UpstreamTimeout (no headers within `read_timeout`)."""
    data = encode_json(body).encode()
    if wire is not None and auth is None:
        return await wire.post(url, data, headers, read_timeout=read_timeout, timeout_message=timeout_message)
    timeout = httpx.Timeout(connect=CONNECT_TIMEOUT_S, read=read_timeout, write=30.0, pool=CONNECT_TIMEOUT_S)
    request = client.build_request("POST", url, content=data, headers={**_SENT_HEADERS, **headers}, timeout=timeout)
    try:
        response = await client.send(request, stream=True, auth=auth or httpx.USE_CLIENT_DEFAULT)
    except (httpx.ConnectTimeout, httpx.PoolTimeout) as exc:  # not reached at all: as unreachable
        raise Upstream(f"Could not reach the engine: {exc or type(exc).__name__}") from None
    except httpx.TimeoutException:
        raise UpstreamTimeout(timeout_message) from None
    except httpx.HTTPError as exc:
        raise Upstream(f"Could not reach the engine: {exc or type(exc).__name__}") from None
    return HttpxAnswer(response, timeout_message)


async def read_error(answer: EngineAnswer, limit: int, timeout: float) -> bytes:
    """An error answer's body (its message), within `timeout`; what came so far otherwise."""
    try:
        async with asyncio.timeout(timeout):
            return await answer.read(limit)
    except (TimeoutError, Upstream, UpstreamTimeout):
        return b""
