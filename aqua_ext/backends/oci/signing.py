"""OCI request signing for httpx, so the chat proxy and the OpenAI pass-through
reach a model deployment's predict endpoint with the very signer the SDK
clients use (API key, security token or resource principal).

The `oci` signers sign `requests.PreparedRequest`-shaped objects: they read
method, url, headers and body, and add `date`, `host`, `content-type`,
`content-length`, `x-content-sha256` and `authorization`. We build such a
request from the httpx one with the SDK's vendored `requests`, let the signer
do its work, and copy the headers back. Body signing is always on for POST,
PUT and PATCH (predict calls are JSON), so `x-content-sha256` covers the body.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any

import httpx

# Headers the signer may add or rewrite; everything else httpx already set stays as it is.
_SIGNED_HEADERS = ("date", "host", "content-type", "content-length", "x-content-sha256", "authorization")


class OciRequestAuth(httpx.Auth):
    """An httpx.Auth that signs each request with an `oci` signer.

    `signer` is a callable returning the current signer (not the signer itself) so
    that a security token re-read after a 401 (`OciClients.reauth`) is used from the
    next request on, without rebuilding the httpx clients that hold this object.
    """

    requires_request_body = True  # the body's SHA-256 is part of the signature

    def __init__(self, signer: Callable[[], Any]) -> None:
        self._signer = signer

    def sign(self, request: httpx.Request) -> None:
        from oci._vendor import requests as vendored

        body = request.content  # read already (requires_request_body)
        # Only the headers the signature covers need to travel; the signer reads
        # content-type from here, and `requests` computes Content-Length from the body.
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("content-length", "host")}
        prepared = vendored.Request(
            request.method, str(request.url), headers=headers, data=body if body else None
        ).prepare()
        if request.method.upper() in ("POST", "PUT", "PATCH") and not body:
            prepared.headers["content-length"] = "0"  # an empty body is still hashed and signed
        signed = self._signer()(prepared)
        for name, value in signed.headers.items():
            if name.lower() in _SIGNED_HEADERS or name.lower().startswith("opc-"):
                request.headers[name] = value if isinstance(value, str) else value.decode("latin-1")

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.sign(request)
        yield request

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if self.requires_request_body:
            await request.aread()
        # A resource principal or session-token signer may refresh its token over the
        # network while signing: keep that off the event loop.
        await asyncio.to_thread(self.sign, request)
        yield request
