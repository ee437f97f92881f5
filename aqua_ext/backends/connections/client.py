"""The connections driver: sends a connection's requests in its dialect and gives back OpenAI's
shapes. It reports what the service said (ProviderError carries the service's own status, code and
message); which errors mean what, and what a connection may do, are decided in services/.

    client = ConnectionClient(http, oci_auth=lambda auth_type: OciRequestAuth(...))
    answer = await client.chat(conn, {"messages": [{"role": "user", "content": "안녕"}]})
    async with contextlib.aclosing(client.chat_stream(conn, body)) as chunks:
        async for chunk in chunks: ...

The secret goes into one request's headers and nowhere else: every message and body the client hands
back has it replaced (a service may echo a key in its error), and StoredConnection's repr hides it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import time
from collections.abc import AsyncGenerator, Callable
from typing import Any
from urllib.parse import urlsplit

import httpx

from .dialects import DIALECTS
from .dialects.dialect import Call, Dialect
from .events import EventReader
from .protocol import OpenAiBody, ProviderError, RawAnswer, StoredConnection

__all__ = ["ConnectionClient"]

BODY_LIMIT = 64 * 1024  # what an error or a raw answer carries of the body
ANSWER_LIMIT = 32 * 1024 * 1024  # a JSON answer larger than this is refused (embeddings of many inputs fit)
RETRY_STATUSES = (429, 503)
RETRY_BACKOFF_S = 0.5
RETRY_AFTER_MAX_S = 2.0
HELLO: OpenAiBody = {"messages": [{"role": "user", "content": "Say hello."}]}
_HIDDEN = "[secret]"


class ConnectionClient:
    def __init__(self, http: httpx.AsyncClient, oci_auth: Callable[[str], httpx.Auth] | None = None) -> None:
        self._http = http
        self._oci_auth = oci_auth

    # ---- the operations ----------------------------------------------------------------------

    def streams(self, conn: StoredConnection) -> bool:
        return _dialect(conn).streams(conn)

    async def chat(self, conn: StoredConnection, body: OpenAiBody) -> OpenAiBody:
        dialect, model = _dialect(conn), _model(conn, body)
        call = dialect.chat_call(conn, body, model, stream=False)
        return dialect.chat_answer(conn, model, await self._json(conn, dialect, call))

    async def embeddings(self, conn: StoredConnection, body: OpenAiBody) -> OpenAiBody:
        dialect, model = _dialect(conn), _model(conn, body)
        call = dialect.embeddings_call(conn, body, model)
        if call is None:
            raise ProviderError("This service offers no embeddings.", code="not_offered")
        return dialect.embeddings_answer(conn, model, await self._json(conn, dialect, call))

    async def list_models(self, conn: StoredConnection) -> list[str] | None:
        dialect = _dialect(conn)
        call = dialect.models_call(conn)
        if call is None:
            return None
        return dialect.models_answer(await self._json(conn, dialect, call))

    async def chat_stream(self, conn: StoredConnection, body: OpenAiBody) -> AsyncGenerator[OpenAiBody, None]:
        """chat.completion.chunk dicts as the service sends them. No first byte within the
        connection's timeout, or silence as long mid-answer, raises ProviderError(timed_out=True);
        closing the generator (or cancelling its consumer) closes the upstream response at once."""
        dialect, model = _dialect(conn), _model(conn, body)
        if not dialect.streams(conn):
            raise ProviderError("This service cannot stream its answers.", code="not_offered")
        decoder = dialect.stream_decoder(conn, model)
        call = dialect.chat_call(conn, body, model, stream=True)
        wait_s = conn.fields.timeout_s
        accept = "text/event-stream" if decoder.format == "sse" else "application/stream+json"
        request, auth = self._request(conn, call, accept=accept)
        started = time.perf_counter()
        response: httpx.Response | None = None
        try:
            try:
                async with asyncio.timeout(wait_s):
                    response = await self._http.send(request, stream=True, auth=auth)
            except TimeoutError:
                raise ProviderError(f"The service sent no response within {wait_s:g} s.", timed_out=True) from None
            except httpx.TimeoutException as exc:
                raise _unreachable(conn, exc) from None
            except httpx.TransportError as exc:
                raise _unreachable(conn, exc) from None
            if not response.is_success:
                text = (await _read(response, BODY_LIMIT, min(wait_s, 10.0)))[0]
                raise _answered(conn, dialect, response.status_code, text)

            reader = EventReader(decoder.format)
            chunks = response.aiter_raw()
            got_bytes = False
            while not decoder.done:
                wait = wait_s if got_bytes else max(0.0, wait_s - (time.perf_counter() - started))
                try:
                    async with asyncio.timeout(wait):
                        read = await chunks.__anext__()
                except StopAsyncIteration:
                    for event in reader.close():
                        for chunk in decoder.event(event):
                            yield chunk
                    for chunk in decoder.end():
                        yield chunk
                    return
                except (TimeoutError, httpx.TimeoutException):
                    what = "went quiet mid-answer for more than" if got_bytes else "sent no data within"
                    raise ProviderError(f"The service {what} {wait_s:g} s.", timed_out=True) from None
                except httpx.TransportError as exc:
                    message = f"The service closed the stream mid-answer ({type(exc).__name__})."
                    raise ProviderError(_redact(conn, message)) from None
                got_bytes = got_bytes or bool(read)
                for event in reader.feed(read):
                    for chunk in decoder.event(event):
                        yield chunk
                    if decoder.done:
                        break
        except ProviderError as exc:
            raise _scrubbed(conn, exc) from None
        finally:
            if response is not None:
                # Shielded, so that it still runs when we are here because of a cancel: an unread
                # body makes httpx drop the connection, which the service sees as the client gone.
                with contextlib.suppress(Exception):
                    await asyncio.shield(response.aclose())

    async def send_raw(self, conn: StoredConnection, payload: str | None, model: str | None) -> RawAnswer:
        """The test request: `payload` (else the connection's sample request body, else a one-line
        chat in the dialect's shape) sent as it is. An error status is returned, not raised; only a
        service that cannot be reached or does not answer in time raises ProviderError."""
        dialect = _dialect(conn)
        model = model or _model(conn, {})
        method = conn.fields.methods[0] if conn.fields.methods else None
        sample = method.request_body if method is not None and not dialect.fills_template else ""
        content: bytes | None
        if payload is None and not sample.strip():
            call = dialect.chat_call(conn, HELLO, model, stream=False)
            verb, url, content = call.method, call.url, _encode(call.json)
            content_type = "application/json"
        else:
            verb = method.method if method is not None else "POST"
            url = dialect.raw_url(conn, model)
            text = payload if payload is not None else sample
            content = text.encode("utf-8") if verb not in ("GET", "DELETE") else None
            content_type = method.content_type if method is not None else "application/json"
        request, auth = self._request(conn, Call(verb, url), content=content, content_type=content_type)
        # Sent once: the test shows what the service answered, a 429 or 503 included.
        response, elapsed, text = await self._send(conn, request, auth, retry=False)
        answer: str | None = None
        if response.is_success:
            with contextlib.suppress(ValueError):
                answer = dialect.answer_text(conn, json.loads(text))
        return RawAnswer(
            status_code=response.status_code,
            latency_ms=round(elapsed * 1000, 1),
            body=_redact(conn, text[:BODY_LIMIT]),
            answer=None if answer is None else _redact(conn, answer),
        )

    # ---- sending -----------------------------------------------------------------------------

    async def _json(self, conn: StoredConnection, dialect: Dialect, call: Call) -> Any:
        request, auth = self._request(conn, call)
        response, _, text = await self._send(conn, request, auth, retry=True, rebuild=lambda: self._request(conn, call))
        if not response.is_success:
            raise _answered(conn, dialect, response.status_code, text)
        try:
            return json.loads(text)
        except ValueError:
            raise ProviderError(
                "The service's answer is not JSON.",
                status_code=response.status_code,
                body=_redact(conn, text[:BODY_LIMIT]),
            ) from None

    async def _send(
        self,
        conn: StoredConnection,
        request: httpx.Request,
        auth: Any,
        *,
        retry: bool,
        rebuild: Callable[[], tuple[httpx.Request, Any]] | None = None,
    ) -> tuple[httpx.Response, float, str]:
        """Send and read the whole answer within the connection's timeout. With `retry` (answers
        that are not streamed only), one more try after a refused connection, a 429 or a 503: nothing
        reached the consumer yet, so a second try is invisible but for the wait. A stream is not
        retried: its consumer is already waiting on the first byte, with its own timeout."""
        wait_s = conn.fields.timeout_s
        for attempt in (1, 2):
            started = time.perf_counter()
            try:
                async with asyncio.timeout(wait_s):
                    response = await self._http.send(request, stream=True, auth=auth)
                    try:
                        text, too_big = await _read(response, ANSWER_LIMIT, None)
                    finally:
                        await response.aclose()
            except TimeoutError:
                raise ProviderError(f"The service did not answer within {wait_s:g} s.", timed_out=True) from None
            except httpx.ConnectError as exc:
                if retry and attempt == 1:
                    await asyncio.sleep(RETRY_BACKOFF_S)
                    request, auth = rebuild() if rebuild else (request, auth)
                    continue
                raise _unreachable(conn, exc) from None
            except httpx.HTTPError as exc:
                raise _unreachable(conn, exc) from None
            elapsed = time.perf_counter() - started
            if too_big:
                raise ProviderError(f"The service's answer is larger than {ANSWER_LIMIT // 2**20} MiB.")
            if retry and attempt == 1 and response.status_code in RETRY_STATUSES:
                await asyncio.sleep(_backoff(response))
                request, auth = rebuild() if rebuild else (request, auth)
                continue
            return response, elapsed, text
        raise AssertionError("unreachable")  # the loop returns or raises

    def _request(
        self,
        conn: StoredConnection,
        call: Call,
        *,
        accept: str | None = None,
        content: bytes | None = None,
        content_type: str = "application/json",
    ) -> tuple[httpx.Request, Any]:
        headers = dict(conn.fields.headers)
        auth_headers, auth = self._auth(conn)
        headers.update(auth_headers)
        if accept:
            headers["Accept"] = accept
        if content is None and call.json is not None:
            content = _encode(call.json)
        if content is not None:
            headers["Content-Type"] = content_type
        wait_s = conn.fields.timeout_s
        try:
            request = self._http.build_request(
                call.method,
                call.url,
                params=call.params or None,
                content=content,
                headers=headers,
                timeout=httpx.Timeout(wait_s, connect=min(wait_s, 30.0)),
            )
        except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError, TypeError) as exc:
            # httpx names an illegal header value in its message: the secret may be that value.
            raise ProviderError(_redact(conn, f"The request cannot be sent ({type(exc).__name__}: {exc}).")) from None
        return request, auth

    def _auth(self, conn: StoredConnection) -> tuple[dict[str, str], Any]:
        fields, secret = conn.fields, conn.secret or ""
        kind = fields.auth_type
        if kind == "api_key_header":
            name = fields.api_key_header or _dialect(conn).default_key_header
            # An API key sent in Authorization (OpenAI's, Cohere's) goes as a bearer token.
            value = f"Bearer {secret}" if name.lower() == "authorization" and " " not in secret else secret
            return {name: value}, httpx.USE_CLIENT_DEFAULT
        if kind == "bearer":
            return {"Authorization": f"Bearer {secret}"}, httpx.USE_CLIENT_DEFAULT
        if kind == "basic":
            return {}, httpx.BasicAuth(fields.username or "", secret)
        if kind in ("oci_api_key", "oci_resource_principal"):
            if self._oci_auth is None:
                raise ProviderError("OCI request signing is not set up on this server.", code="not_offered")
            return {}, self._oci_auth(kind)
        return {}, httpx.USE_CLIENT_DEFAULT


# ---- helpers of this module ---------------------------------------------------------------------


def _dialect(conn: StoredConnection) -> Dialect:
    return DIALECTS[conn.fields.kind]


def _model(conn: StoredConnection, body: OpenAiBody) -> str | None:
    model = body.get("model")
    return conn.fields.model_for(model if isinstance(model, str) else None)


def _encode(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


async def _read(response: httpx.Response, limit: int, timeout: float | None) -> tuple[str, bool]:
    """The body decoded (invalid UTF-8 replaced), up to `limit` bytes; and whether there was more."""
    body = bytearray()  # bytes += would copy the whole body again at every chunk
    too_big = False
    try:
        async with asyncio.timeout(timeout):
            async for chunk in response.aiter_bytes():
                body.extend(chunk)
                if len(body) > limit:
                    too_big = True
                    break
    except TimeoutError:
        if timeout is None:
            raise
    return bytes(body[:limit]).decode("utf-8", errors="replace"), too_big


def _backoff(response: httpx.Response) -> float:
    try:
        after = float(response.headers.get("retry-after", ""))
    except ValueError:
        return RETRY_BACKOFF_S
    return max(0.0, min(after, RETRY_AFTER_MAX_S))


def _secrets(conn: StoredConnection) -> list[str]:
    if not conn.secret:
        return []
    secret = conn.secret
    # As it is; as a repr or bytes literal shows it (httpx names an illegal header value that way);
    # each line of a secret with several (a line alone is still most of the secret).
    out = [secret, repr(secret)[1:-1], str(secret.encode("utf-8"))[2:-1]]
    out += [line for line in secret.splitlines() if len(line.strip()) >= 4]
    if conn.fields.auth_type == "basic":  # what a service echoing the Authorization header would show
        out.append(base64.b64encode(f"{conn.fields.username or ''}:{secret}".encode()).decode())
    return sorted(set(out), key=len, reverse=True)  # the longest first, so no part is left of a longer form


def _redact(conn: StoredConnection, text: str) -> str:
    for secret in _secrets(conn):
        text = text.replace(secret, _HIDDEN)
    return text


def _scrubbed(conn: StoredConnection, exc: ProviderError) -> ProviderError:
    """The same error with the secret taken out of its message and body."""
    if not any(s in exc.message or s in exc.body for s in _secrets(conn)):
        return exc
    return ProviderError(
        _redact(conn, exc.message),
        status_code=exc.status_code,
        code=exc.code,
        body=_redact(conn, exc.body),
        timed_out=exc.timed_out,
    )


def _answered(conn: StoredConnection, dialect: Dialect, status: int, text: str) -> ProviderError:
    data: Any = None
    with contextlib.suppress(ValueError):
        data = json.loads(text)
    code, message = dialect.error(data, text)
    return ProviderError(_redact(conn, message), status_code=status, code=code, body=_redact(conn, text[:BODY_LIMIT]))


def _unreachable(conn: StoredConnection, exc: httpx.HTTPError) -> ProviderError:
    host = urlsplit(conn.fields.endpoint).netloc or conn.fields.endpoint
    if isinstance(exc, httpx.LocalProtocolError):  # e.g. a header value httpx refuses to send
        return ProviderError(_redact(conn, f"The request cannot be sent ({type(exc).__name__}: {exc})."))
    if isinstance(exc, httpx.TimeoutException):
        return ProviderError(_redact(conn, f"{host} did not answer in time ({type(exc).__name__})."), timed_out=True)
    return ProviderError(_redact(conn, f"Could not reach {host} ({type(exc).__name__}: {exc})."))
