"""Run an export's Python script (the `python` of a Terraform export) as a user would, against the OCI
emulator: `oci.config.from_file()` gives the test identity and each client the script builds talks to the
emulator (its own endpoint override, as the tests' clients do). No pytest here."""

from __future__ import annotations

import ast
import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import oci

from tests.oci_setup import OciWorld

# The clients an export's script may build, and the emulator service each one talks to.
CLIENTS = {
    (oci.generative_ai, "GenerativeAiClient"): "generativeai",
    (oci.data_science, "DataScienceClient"): "datascience",
    (oci.object_storage, "ObjectStorageClient"): "objectstorage",
}


@contextlib.contextmanager
def _pointed_at(world: OciWorld) -> Iterator[None]:
    with contextlib.ExitStack() as stack:
        config = world.identity.sdk_config()
        stack.enter_context(mock.patch.object(oci.config, "from_file", lambda *a, **k: dict(config)))
        for (module, name), service in CLIENTS.items():
            original = getattr(module, name)

            def build(cfg: Any, *args: Any, __cls: Any = original, __svc: str = service, **kw: Any) -> Any:
                kw.setdefault("service_endpoint", world.emulator.endpoint(__svc))
                return __cls(cfg, *args, **kw)

            stack.enter_context(mock.patch.object(module, name, build))
        yield


def run_snippet(code: str, world: OciWorld, *, cwd: Path | None = None, env: dict[str, str] | None = None) -> dict:
    """Execute the script (parsed first: it must be valid Python) and return its globals (the step results)."""
    ast.parse(code)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    with contextlib.ExitStack() as stack:
        stack.enter_context(_pointed_at(world))
        stack.enter_context(mock.patch.dict(os.environ, env or {}))
        if cwd is not None:
            stack.enter_context(contextlib.chdir(cwd))
        exec(compile(code, "export.py", "exec"), namespace)  # the export's script is what is tested
    return namespace
