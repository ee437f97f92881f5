"""Authentication on the `oci` SDK alone: oracle-ads is not part of the extension's install, so every
test here runs with `ads` made unimportable and signs real requests the emulator checks."""

from __future__ import annotations

import base64
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import oci
import pytest

from aqua_ext.backends.oci.auth import AuthProblem, make_auth
from aqua_ext.backends.oci.config import OciSettings
from tests.oci_emulator import OciEmulator, write_oci_config


@pytest.fixture(autouse=True)
def no_ads(monkeypatch: pytest.MonkeyPatch) -> None:
    """`import ads` (and any `ads.*`) raises ImportError for the length of each test."""
    for name in [m for m in sys.modules if m == "ads" or m.startswith("ads.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "ads", None)
    monkeypatch.delenv("OCI_RESOURCE_PRINCIPAL_VERSION", raising=False)
    monkeypatch.delenv("OCI_REGION", raising=False)


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[OciEmulator]:
    with OciEmulator(config=write_oci_config(tmp_path / "id")) as emu:
        yield emu


def namespace_via(emu: OciEmulator, auth: Any) -> str:
    client = oci.object_storage.ObjectStorageClient(
        auth.config, signer=auth.signer, service_endpoint=emu.endpoint("objectstorage")
    )
    return str(client.get_namespace().data)


def jwt(exp: float) -> str:
    part = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()  # noqa: E731
    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part({'exp': int(exp), 'iat': int(time.time())})}.c2ln"


def session_profile(tmp_path: Path, token: str) -> tuple[Path, Any]:
    """A profile as `oci session authenticate` writes it: key, token file, region; no user or fingerprint."""
    identity = write_oci_config(tmp_path / "st")
    token_file = tmp_path / "st" / "token"
    token_file.write_text(token + "\n")
    config = tmp_path / "st" / "session_config"
    config.write_text(
        f"[SESSION]\ntenancy={identity.tenancy}\nregion={identity.region}\n"
        f"key_file={identity.key_file}\nsecurity_token_file={token_file}\n"
    )
    return config, identity


def test_ads_is_really_unimportable_here() -> None:
    with pytest.raises(ImportError):
        import ads  # noqa: F401


def test_api_key_signer_is_accepted_by_the_emulator(emulator: OciEmulator) -> None:
    assert emulator.test_config is not None
    auth = make_auth(OciSettings(auth="api_key", config_file=str(emulator.test_config.config_file)))
    assert (auth.kind, auth.region) == ("api_key", "us-ashburn-1")
    assert namespace_via(emulator, auth) == emulator.namespace


def test_the_region_setting_wins_and_fills_a_profile_without_one(tmp_path: Path) -> None:
    identity = write_oci_config(tmp_path)
    text = identity.config_file.read_text().replace("region=us-ashburn-1\n", "")
    identity.config_file.write_text(text)
    with pytest.raises(AuthProblem, match="names no region"):
        make_auth(OciSettings(auth="api_key", config_file=str(identity.config_file)))
    auth = make_auth(OciSettings(auth="api_key", config_file=str(identity.config_file), region="eu-frankfurt-1"))
    assert auth.region == auth.config["region"] == "eu-frankfurt-1"


def test_security_token_signer_is_accepted_by_the_emulator(tmp_path: Path) -> None:
    token = jwt(time.time() + 3600)
    config, identity = session_profile(tmp_path, token)
    with OciEmulator(config=identity) as emu:
        emu.register_key(f"ST${token}", identity.public_key_pem)
        auth = make_auth(OciSettings(auth="security_token", config_file=str(config), profile="SESSION"))
        assert auth.kind == "security_token" and auth.tenancy == identity.tenancy
        assert namespace_via(emu, auth) == emu.namespace


def test_an_expired_security_token_says_how_to_renew_it(tmp_path: Path) -> None:
    config, _ = session_profile(tmp_path, jwt(time.time() - 60))
    with pytest.raises(AuthProblem, match=r"has expired: run `oci session authenticate --profile-name SESSION`"):
        make_auth(OciSettings(auth="security_token", config_file=str(config), profile="SESSION"))


def test_a_missing_token_file_is_named(tmp_path: Path) -> None:
    config, _ = session_profile(tmp_path, jwt(time.time() + 3600))
    (tmp_path / "st" / "token").unlink()
    with pytest.raises(AuthProblem, match="security_token_file"):
        make_auth(OciSettings(auth="security_token", config_file=str(config), profile="SESSION"))


def test_resource_principal_uses_the_sdk_signer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCI_RESOURCE_PRINCIPAL_VERSION", "2.2")
    signer = type("Signer", (), {"region": "us-phoenix-1", "tenancy_id": "ocid1.tenancy.oc1..t"})()
    monkeypatch.setattr(oci.auth.signers, "get_resource_principals_signer", lambda: signer)
    auth = make_auth(OciSettings())  # auto → resource principal inside OCI
    assert (auth.kind, auth.region, auth.tenancy, auth.signer) == (
        "resource_principal",
        "us-phoenix-1",
        "ocid1.tenancy.oc1..t",
        signer,
    )
    assert auth.config == {"region": "us-phoenix-1"}


def test_instance_principal_uses_the_sdk_signer_and_explains_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    signer = type("Signer", (), {"region": "us-chicago-1", "tenancy_id": "ocid1.tenancy.oc1..t"})()
    monkeypatch.setattr(oci.auth.signers, "InstancePrincipalsSecurityTokenSigner", lambda: signer)
    auth = make_auth(OciSettings(auth="instance_principal"))
    assert (auth.kind, auth.region, auth.tenancy, auth.config) == (
        "instance_principal",
        "us-chicago-1",
        "ocid1.tenancy.oc1..t",
        {"region": "us-chicago-1"},
    )

    def off_oci() -> None:
        raise ConnectionError("169.254.169.254 unreachable")

    monkeypatch.setattr(oci.auth.signers, "InstancePrincipalsSecurityTokenSigner", off_oci)
    with pytest.raises(AuthProblem, match=r"Instance principal authentication failed.*compute instance"):
        make_auth(OciSettings(auth="instance_principal"))
