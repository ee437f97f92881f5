"""OCI request signing for connections to OCI Generative AI: the `oci_api_key` auth type signs
with the OCI config file the server already uses, `oci_resource_principal` as the notebook
session or job run (ODA's `resourcePrincipal`). The signer is built on first use, in the signing
thread (it reads key files), and kept."""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

import httpx

from ..oci.auth import AuthProblem, make_auth
from ..oci.config import OciSettings
from ..oci.signing import OciRequestAuth
from .protocol import ProviderError

_KINDS = {"oci_api_key": "api_key", "oci_resource_principal": "resource_principal"}


class OciSigners:
    def __init__(self, settings: OciSettings) -> None:
        self._settings = settings
        self._signers: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _signer(self, kind: str) -> Any:
        with self._lock:
            if kind not in self._signers:
                try:
                    self._signers[kind] = make_auth(dataclasses.replace(self._settings, auth=kind)).signer
                except AuthProblem as exc:
                    raise ProviderError(f"OCI signing is not set up: {exc}") from None
            return self._signers[kind]

    def auth(self, auth_type: str) -> httpx.Auth:
        """The httpx auth that signs a request for `auth_type` (oci_api_key, oci_resource_principal)."""
        kind = _KINDS[auth_type]
        return OciRequestAuth(lambda: self._signer(kind))
