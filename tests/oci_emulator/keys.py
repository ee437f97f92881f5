"""Throwaway API-signing keys and ``~/.oci/config``-style files for tests.

Nothing here touches a real account: the tenancy/user OCIDs are fake (but pass the
SDK's ``validate_config`` format checks) and the RSA key is generated in-process.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

DEFAULT_REGION = "us-ashburn-1"


def _ocid_suffix(n: int = 60) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    return "".join(secrets.choice(alphabet) for _ in range(n))


def generate_private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )


def public_key_pem(key: rsa.RSAPrivateKey | rsa.RSAPublicKey) -> bytes:
    pub = key.public_key() if isinstance(key, rsa.RSAPrivateKey) else key
    return pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def fingerprint(key: rsa.RSAPrivateKey | rsa.RSAPublicKey) -> str:
    """OCI API-key fingerprint: MD5 of the DER SubjectPublicKeyInfo, colon-separated hex."""
    pub = key.public_key() if isinstance(key, rsa.RSAPrivateKey) else key
    der = pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    digest = hashlib.md5(der).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


@dataclass
class OciTestConfig:
    """A throwaway OCI API-key identity written to disk."""

    config_file: Path
    profile: str
    tenancy: str
    user: str
    fingerprint: str
    region: str
    key_file: Path
    public_key_pem: bytes = field(repr=False)

    @property
    def key_id(self) -> str:
        return f"{self.tenancy}/{self.user}/{self.fingerprint}"

    def as_dict(self) -> dict:
        """The dict ``oci.config.from_file`` would return (usable as the SDK ``config``)."""
        return {
            "tenancy": self.tenancy,
            "user": self.user,
            "fingerprint": self.fingerprint,
            "key_file": str(self.key_file),
            "region": self.region,
        }

    def sdk_config(self) -> dict:
        """Load the file through the SDK itself (``oci.config.from_file``), validating it."""
        import oci

        cfg = oci.config.from_file(str(self.config_file), self.profile)
        oci.config.validate_config(cfg)
        return cfg


def write_oci_config(
    folder: Path | str,
    profile: str = "DEFAULT",
    region: str = DEFAULT_REGION,
    tenancy: str | None = None,
    user: str | None = None,
) -> OciTestConfig:
    """Generate an RSA key and write ``<folder>/oci_api_key.pem`` plus ``<folder>/config``.

    Returns the identity; register it with ``OciEmulator.register_key(cfg)`` (``OciEmulator(config=cfg)``
    does that too) so the emulator accepts requests signed with it.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    key = generate_private_key()
    tenancy = tenancy or f"ocid1.tenancy.oc1..{_ocid_suffix()}"
    user = user or f"ocid1.user.oc1..{_ocid_suffix()}"
    fp = fingerprint(key)
    key_file = folder / f"oci_api_key_{profile.lower()}.pem"
    key_file.write_bytes(private_key_pem(key))
    key_file.chmod(0o600)
    config_file = folder / "config"
    section = f"[{profile}]\nuser={user}\nfingerprint={fp}\ntenancy={tenancy}\nregion={region}\nkey_file={key_file}\n"
    existing = config_file.read_text() if config_file.exists() else ""
    config_file.write_text((existing + "\n" if existing else "") + section)
    config_file.chmod(0o600)
    return OciTestConfig(
        config_file=config_file,
        profile=profile,
        tenancy=tenancy,
        user=user,
        fingerprint=fp,
        region=region,
        key_file=key_file,
        public_key_pem=public_key_pem(key),
    )
