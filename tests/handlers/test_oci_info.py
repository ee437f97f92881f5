"""A misconfigured OCI backend: the server starts, `info` says what to fix, model routes answer 503."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.oci_emulator import write_oci_config
from tests.oci_setup import OciWorld


def _stranger(world: OciWorld, tmp_path: Path) -> dict[str, Any]:
    # A well-formed identity whose key the emulator does not know: OCI answers 401.
    other = write_oci_config(tmp_path / "stranger")
    return {"oci_config_file": str(other.config_file)}


CASES = {
    "missing-config": (lambda w, t: {"oci_config_file": str(t / "nowhere" / "config")}, "No OCI config file at"),
    "missing-profile": (lambda w, t: {"oci_profile": "NOPE"}, "has no profile 'NOPE'"),
    "rejected-credentials": (_stranger, "did not accept this server's credentials"),
    "no-compartment": (lambda w, t: {"oci_compartment_id": ""}, "No OCI compartment"),
    "bad-compartment": (lambda w, t: {"oci_compartment_id": "my-compartment"}, "is not a compartment OCID"),
    "bad-endpoint": (lambda w, t: {"oci_endpoints": {"datascience": "ftp://x"}}, "must start with http"),
}


@pytest.fixture(params=sorted(CASES))
def case(request: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("NB_SESSION_COMPARTMENT_OCID", raising=False)
    monkeypatch.delenv("PROJECT_COMPARTMENT_OCID", raising=False)
    return str(request.param)


@pytest.fixture
def jp_server_config(world: OciWorld, case: str, tmp_path: Path) -> dict[str, Any]:
    overrides, _ = CASES[case]
    return {
        "ServerApp": {"jpserver_extensions": {"aqua_ext": True}, "allow_unauthenticated_access": False},
        "AquaExtension": world.traits(**overrides(world, tmp_path)),
    }


async def test_a_misconfigured_backend_is_reported_not_fatal(api: Any, case: str, jp_fetch: Any) -> None:
    status, body = await api("info")
    assert status == 200
    backend = body["backend"]
    assert backend["kind"] == "oci" and backend["ready"] is False
    assert CASES[case][1] in backend["problem"], backend["problem"]
    assert "Traceback" not in backend["problem"]
    status, body = await api("models")
    assert status == 503 and CASES[case][1] in body["message"]
    # Jupyter itself is unaffected.
    response = await jp_fetch("api", "status")
    assert response.code == 200
