"""A backend that could not start is tried again: fixing the OCI config needs no Jupyter restart."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.oci_setup import OciWorld


@pytest.fixture
def later_config(tmp_path: Path) -> Path:
    return tmp_path / "written-later" / "config"


@pytest.fixture
def jp_server_config(world: OciWorld, later_config: Path) -> dict[str, Any]:
    traits = world.traits(oci_config_file=str(later_config))
    traits["backend_retry_seconds"] = 0.0
    return {
        "ServerApp": {"jpserver_extensions": {"aqua_ext": True}, "allow_unauthenticated_access": False},
        "AquaExtension": traits,
    }


async def test_a_config_written_later_is_picked_up(api: Any, world: OciWorld, later_config: Path) -> None:
    world.emulator.seed_service_models(2)
    status, body = await api("info")
    assert status == 200 and body["backend"]["ready"] is False
    assert "No OCI config file" in body["backend"]["problem"]
    assert body["backend"]["label"] == "OCI Data Science" and body["backend"]["compartment_id"] == world.compartment_id
    status, _ = await api("models")
    assert status == 503

    later_config.parent.mkdir(parents=True)
    shutil.copy(world.identity.config_file, later_config)
    status, body = await api("info")
    assert status == 200 and body["backend"]["ready"] is True, body
    status, body = await api("models")
    assert status == 200 and body["total"] == 2
