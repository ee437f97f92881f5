"""Authentication: a signer and a config for the `oci` clients, built with the `oci` SDK alone.

oracle-ads is never part of the extension's install (it pins pandas, scipy and friends and costs
about 4 s to import); its `ads.common.auth` helpers are a thin layer over the SDK calls made here:
`oci.config.from_file` + `validate_config` + `oci.signer.Signer` for an API key, a
`SecurityTokenSigner` over the profile's token file and key for a session token, and
`get_resource_principals_signer()` inside OCI (`InstancePrincipalsSecurityTokenSigner` on a compute
instance). The same settings are read (config file, profile, region, `OCI_IAM_TYPE` through
`OciSettings`), so a profile AQUA uses works here unchanged. The work is blocking (file reads), so
the backend runs it on its executor; every failure becomes an `AuthProblem` whose message says what
to fix, which `GET info` shows while the server keeps running.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from .config import OciSettings

# What a session-token profile must name (as `oci session authenticate` writes it).
SECURITY_TOKEN_REQUIRED = ("security_token_file", "key_file", "region")


class AuthProblem(Exception):
    """OCI authentication cannot be set up; the message says what to fix."""


@dataclass
class OciAuth:
    kind: str  # the resolved auth type
    config: dict[str, Any]  # what the clients are given as `config` (region at least)
    signer: Any
    region: str
    tenancy: str | None


def resolve_auth_type(settings: OciSettings) -> str:
    if settings.auth != "auto":
        return settings.auth
    if os.environ.get("OCI_RESOURCE_PRINCIPAL_VERSION"):
        return "resource_principal"  # inside a notebook session, job run or pipeline
    return "api_key"


def _profile_problem(settings: OciSettings, exc: BaseException) -> AuthProblem:
    import oci

    where = f"profile '{settings.profile}' of {settings.config_file}"
    if isinstance(exc, oci.exceptions.ConfigFileNotFound) or (
        isinstance(exc, FileNotFoundError) and not os.path.exists(settings.config_file)
    ):
        return AuthProblem(
            f"No OCI config file at {settings.config_file}. Create one with `oci setup config` (API key) or "
            "`oci session authenticate` (security token), or point AquaExtension.oci_config_file at yours; "
            "inside an OCI notebook session use AquaExtension.oci_auth=resource_principal."
        )
    if isinstance(exc, oci.exceptions.ProfileNotFound):
        return AuthProblem(
            f"The OCI config file {settings.config_file} has no profile '{settings.profile}': "
            "set AquaExtension.oci_profile (or OCI_CONFIG_PROFILE) to one it has."
        )
    if isinstance(exc, oci.exceptions.InvalidConfig):
        return AuthProblem(
            f"The OCI config ({where}) is invalid: {exc}. Fix it, or write a new one with `oci setup config`."
        )
    if isinstance(
        exc,
        (
            oci.exceptions.InvalidPrivateKey,
            oci.exceptions.InvalidKeyFilePath,
            FileNotFoundError,
            IsADirectoryError,
            PermissionError,
        ),
    ):
        return AuthProblem(
            f"The private key named by {where} cannot be used ({type(exc).__name__}: {exc}). "
            "Check key_file (and pass_phrase for an encrypted key)."
        )
    return AuthProblem(f"OCI authentication with {where} failed ({type(exc).__name__}: {exc}).")


def _api_key_signer(config: dict[str, Any]) -> Any:
    import oci

    oci.config.validate_config(config)
    return oci.signer.Signer(  # loads the key now, so a bad one is named here
        tenancy=config["tenancy"],
        user=config["user"],
        fingerprint=config["fingerprint"],
        private_key_file_location=config.get("key_file"),
        pass_phrase=config.get("pass_phrase"),
        private_key_content=config.get("key_content"),
    )


def _security_token_signer(settings: OciSettings, config: dict[str, Any]) -> Any:
    import oci

    for name in SECURITY_TOKEN_REQUIRED:
        if name not in config:
            raise ValueError(f"Parameter `{name}` must be provided for using `security_token` authentication.")
    token_file = os.path.expanduser(config["security_token_file"])
    if not os.path.isfile(token_file):
        raise ValueError("Invalid `security_token_file`. Specify a valid path.")
    with open(token_file) as f:
        token = f.read().strip()
    container = oci.auth.security_token_container.SecurityTokenContainer(
        session_key_supplier=None, security_token=token
    )
    if not container.valid():
        raise AuthProblem(
            f"The security token of profile '{settings.profile}' has expired: run "
            f"`oci session authenticate --profile-name {settings.profile}`."
        )
    return oci.auth.signers.SecurityTokenSigner(
        token=token,
        private_key=oci.signer.load_private_key_from_file(config["key_file"], config.get("pass_phrase")),
    )


def _resource_principal_auth(settings: OciSettings) -> OciAuth:
    import oci

    if not os.environ.get("OCI_RESOURCE_PRINCIPAL_VERSION"):
        raise AuthProblem(
            "Resource principal authentication works inside OCI (a notebook session, job run or "
            "pipeline), where OCI_RESOURCE_PRINCIPAL_VERSION is set; elsewhere use "
            "AquaExtension.oci_auth=api_key with an OCI config file."
        )
    try:
        signer = oci.auth.signers.get_resource_principals_signer()
    except Exception as exc:
        raise AuthProblem(
            f"Resource principal authentication failed ({type(exc).__name__}: {exc}). Check that "
            "this notebook session's dynamic group has a policy for data-science-family."
        ) from exc
    region = settings.region or getattr(signer, "region", None) or os.environ.get("OCI_REGION", "")
    if not region:
        raise AuthProblem("The resource principal did not name a region: set AquaExtension.oci_region.")
    return OciAuth("resource_principal", {"region": region}, signer, region, getattr(signer, "tenancy_id", None))


def _instance_principal_auth(settings: OciSettings) -> OciAuth:
    import oci

    try:  # asks the instance metadata service for a certificate: only answers on an OCI compute instance
        signer = oci.auth.signers.InstancePrincipalsSecurityTokenSigner()
    except Exception as exc:
        raise AuthProblem(
            f"Instance principal authentication failed ({type(exc).__name__}: {exc}). It works on an OCI "
            "compute instance whose dynamic group has a policy for data-science-family; elsewhere use "
            "AquaExtension.oci_auth=api_key with an OCI config file."
        ) from exc
    region = settings.region or getattr(signer, "region", None) or ""
    if not region:
        raise AuthProblem("The instance principal did not name a region: set AquaExtension.oci_region.")
    return OciAuth("instance_principal", {"region": region}, signer, region, getattr(signer, "tenancy_id", None))


def make_auth(settings: OciSettings) -> OciAuth:
    """Build the signer (blocking: file reads). Raises AuthProblem."""
    import oci

    kind = resolve_auth_type(settings)
    if kind == "resource_principal":
        return _resource_principal_auth(settings)
    if kind == "instance_principal":
        return _instance_principal_auth(settings)

    if not os.path.isfile(settings.config_file):
        raise _profile_problem(settings, FileNotFoundError(settings.config_file))
    try:
        config = dict(oci.config.from_file(settings.config_file, settings.profile))
        if settings.region:  # the setting wins over the profile's region
            config["region"] = settings.region
        if not config.get("region"):
            raise AuthProblem(
                f"Profile '{settings.profile}' of {settings.config_file} names no region: "
                "add region=... there or set AquaExtension.oci_region."
            )
        signer = _api_key_signer(config) if kind == "api_key" else _security_token_signer(settings, config)
    except AuthProblem:
        raise
    except Exception as exc:
        raise _profile_problem(settings, exc) from exc
    return OciAuth(kind, config, signer, config["region"], config.get("tenancy"))
