"""An engine's answer opened through either client (services/engine_wire.py): an engine that is not reached
in time is unreachable (502, and its deployment is looked at), not slow (504); the answer is asked uncompressed,
as its bytes are relayed with the content type alone."""

from __future__ import annotations

import httpx
import pytest
from aiohttp import web

from aqua_ext.errors import Upstream
from aqua_ext.services.engine_wire import EngineWire, open_answer


async def test_an_engine_not_connected_in_time_is_unreachable_not_slow() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as client:
        with pytest.raises(Upstream) as info:
            await open_answer(
                client,
                None,
                "http://engine/v1/chat/completions",
                {},
                {},
                auth=None,
                read_timeout=None,
                timeout_message="slow",
            )
    assert type(info.value) is Upstream and info.value.status == 502
    assert info.value.message.startswith("Could not reach the engine")


async def test_both_clients_ask_for_the_answer_uncompressed() -> None:
    seen: list[str | None] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("accept-encoding"))
        # A stream, as a network transport gives (a Response built from content counts as read already).
        return httpx.Response(200, headers={"Content-Type": "application/json"}, stream=httpx.ByteStream(b'{"ok":1}'))

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        got = await open_answer(client, None, "http://engine/v1", {}, {}, auth=None, read_timeout=5, timeout_message="")
        assert await got.read() == b'{"ok":1}'
        await got.aclose()

    async def handle(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Accept-Encoding"))
        return web.json_response({"ok": 1})

    app = web.Application()
    app.router.add_post("/v1", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    wire = EngineWire()
    try:
        async with httpx.AsyncClient() as client:
            got = await open_answer(
                client, wire, f"http://127.0.0.1:{port}/v1", {}, {}, auth=None, read_timeout=5, timeout_message=""
            )
            assert got.ok and await got.read() == b'{"ok": 1}'
            await got.aclose()
    finally:
        await wire.close()
        await runner.cleanup()
    assert seen == ["identity", "identity"]
