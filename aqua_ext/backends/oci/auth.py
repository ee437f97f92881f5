"""Authentication: a signer and a config for the `oci` clients, through oracle-ads.

`ads` costs about 4 s to import, so it is imported here, inside the function,
on the backend's executor: never at module import and never on the event loop.
Its helpers take a custom config path and profile (`api_keys(oci_config=...,
profile=...)`, `security_token(...)`), so we use them rather than rebuilding
what they do; every failure becomes an `AuthProblem` whose message says what
to fix, which `GET info` shows while the server keeps running.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from .config import OciSettings


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


def make_auth(settings: OciSettings) -> OciAuth:
    """Build the signer (blocking: file reads, and the `ads` import). Raises AuthProblem."""
    kind = resolve_auth_type(settings)
    try:
        from ads.common import auth as ads_auth  # lazy: ~4 s on first use
    except ImportError as exc:  # pragma: no cover - oracle-ads is a dependency
        raise AuthProblem(f"oracle-ads is not installed ({exc}); pip install oracle-ads") from exc

    if kind == "resource_principal":
        if not os.environ.get("OCI_RESOURCE_PRINCIPAL_VERSION"):
            raise AuthProblem(
                "Resource principal authentication works inside OCI (a notebook session, job run or "
                "pipeline), where OCI_RESOURCE_PRINCIPAL_VERSION is set; elsewhere use "
                "AquaExtension.oci_auth=api_key with an OCI config file."
            )
        try:
            result = ads_auth.resource_principal()
        except Exception as exc:
            raise AuthProblem(
                f"Resource principal authentication failed ({type(exc).__name__}: {exc}). Check that "
                "this notebook session's dynamic group has a policy for data-science-family."
            ) from exc
        signer = result["signer"]
        region = settings.region or getattr(signer, "region", None) or os.environ.get("OCI_REGION", "")
        if not region:
            raise AuthProblem("The resource principal did not name a region: set AquaExtension.oci_region.")
        return OciAuth(kind, {"region": region}, signer, region, getattr(signer, "tenancy_id", None))

    if not os.path.isfile(settings.config_file):
        raise _profile_problem(settings, FileNotFoundError(settings.config_file))
    helper = ads_auth.api_keys if kind == "api_key" else ads_auth.security_token
    try:
        result = helper(oci_config=settings.config_file, profile=settings.profile)
    except Exception as exc:
        if kind == "security_token" and "expired" in str(exc).lower():
            raise AuthProblem(
                f"The security token of profile '{settings.profile}' has expired: run "
                f"`oci session authenticate --profile-name {settings.profile}`."
            ) from exc
        raise _profile_problem(settings, exc) from exc
    config = dict(result["config"])
    if settings.region:
        config["region"] = settings.region
    region = config.get("region") or ""
    if not region:
        raise AuthProblem(
            f"Profile '{settings.profile}' of {settings.config_file} names no region: "
            "add region=... there or set AquaExtension.oci_region."
        )
    return OciAuth(kind, config, result["signer"], region, config.get("tenancy"))
