"""The demo model is generated in the background on first start, with a visible operation."""

from __future__ import annotations

import asyncio
import importlib.util
from typing import Any

import pytest

pytestmark = [
    pytest.mark.engine,
    pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="needs the [local] extra (torch)"),
]


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any]) -> dict[str, Any]:
    jp_server_config["AquaExtension"]["generate_demo_model"] = True
    return jp_server_config


async def test_demo_model_is_generated_on_first_use(api: Any) -> None:
    status, listing = await api("models", params={"source": "demo"})
    assert status == 200
    [demo] = listing["items"]
    _, ops = await api("operations")
    [op] = [o for o in ops["items"] if o["kind"] == "generate-demo-model"]
    for _ in range(240):  # generous: a cold torch import on a busy 2-core machine
        status, op = await api(f"operations/{op['id']}")
        if op["state"] in ("SUCCEEDED", "FAILED", "CANCELED"):
            break
        await asyncio.sleep(0.5)
    assert op["state"] == "SUCCEEDED", op
    status, detail = await api(f"models/{demo['id']}")
    assert detail["ready_to_deploy"] and detail["ready_to_finetune"]
    assert detail["parameter_count"] == 139_584
    assert "random weights" in detail["card_markdown"].lower()
    assert "model.safetensors" in detail["files"]
