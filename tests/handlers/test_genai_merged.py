"""Generative AI models and fine-tunes in the merged lists (GET models, GET finetunes) beside the other
targets', with the actions the genai service's rules decide, against the OCI emulator."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.handlers.test_genai import (
    base_model,
    imported,
    jp_server_config,  # noqa: F401  (the genai server configuration)
)
from tests.oci_setup import OciWorld


async def test_merged_models_offer_deploy_and_finetune_by_the_genai_rule(api: Any, world: OciWorld) -> None:
    model_id = await imported(api, world, prefix="병합")
    status, merged = await api("models")
    assert status == 200, merged
    cards = {m["id"]: m for m in merged["items"] if m["target"] == "genai"}
    # An ACTIVE imported model is hosted (Deploy opens the endpoint form) and deleted; a base model that lists
    # FINE_TUNE is fine-tuned; a base model that cannot be fine-tuned offers nothing.
    assert cards[model_id]["actions"] == ["deploy", "delete"]
    assert cards[base_model(world, "cohere.command-r-08-2024")]["actions"] == ["finetune"]
    assert cards[base_model(world, "meta.llama-3.3-70b-instruct")]["actions"] == []
    status, detail = await api(f"models/{model_id}")
    assert status == 200, detail
    assert detail["target"] == "genai" and detail["actions"] == ["deploy", "delete"]
    status, detail = await api(f"models/{base_model(world, 'cohere.command-r-08-2024')}")
    assert status == 200 and detail["actions"] == ["finetune"], detail

    # Deleting follows the same rule: a base model is refused (409), an imported one goes.
    status, refused = await api(f"models/{base_model(world, 'cohere.command-r-08-2024')}", method="DELETE")
    assert status == 409, refused
    assert "Generative AI" in refused["message"]
    status, _ = await api(f"models/{model_id}", method="DELETE")
    assert status == 204
    await asyncio.sleep(0.3)
    status, _ = await api(f"genai/models/{model_id}")
    assert status == 404
