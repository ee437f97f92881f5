"""Fixtures shared by the handler tests: a real Jupyter server with aqua_ext on
the local backend, in throwaway folders, with authentication required."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from tests.model_folders import HAS_LOCAL_EXTRA, demo_gguf_twin, write_model_folder  # noqa: F401  (re-exported)
from tests.oci_setup import OciWorld, start_world


@pytest.fixture
def aqua_data_dir(tmp_path: Path) -> Path:
    return tmp_path / "aqua-data"


@pytest.fixture
def hf_cache_dir(tmp_path: Path) -> Path:
    path = tmp_path / "hf-cache"
    path.mkdir()
    return path


@pytest.fixture
def jp_server_config(aqua_data_dir: Path, hf_cache_dir: Path) -> dict[str, Any]:
    return {
        "ServerApp": {"jpserver_extensions": {"aqua_ext": True}, "allow_unauthenticated_access": False},
        "AquaExtension": {
            "backend": "local",
            "data_dir": str(aqua_data_dir),
            "hf_cache_dir": str(hf_cache_dir),
            # The demo model has its own tests; generating it for every server would cost seconds each.
            "generate_demo_model": False,
        },
    }


@pytest.fixture
def api(jp_fetch: Any) -> Any:
    """Call aqua-ext/<path> and get (status, parsed JSON or None) without raising on 4xx/5xx."""

    async def call(
        path: str,
        *,
        method: str = "GET",
        body: Any = None,
        params: dict[str, Any] | None = None,
        raw_body: str | None = None,
    ) -> tuple[int, Any]:
        kwargs: dict[str, Any] = {"method": method}
        if params:
            kwargs["params"] = params
        if raw_body is not None:
            kwargs["body"] = raw_body
        elif body is not None:
            kwargs["body"] = json.dumps(body)
        elif method in ("POST", "PUT", "PATCH"):
            kwargs["body"] = ""
        try:
            response = await jp_fetch("aqua-ext", *path.split("/"), **kwargs)
        except HTTPClientError as exc:
            assert exc.response is not None
            response = exc.response
        text = response.body.decode() if response.body else ""
        return response.code, (json.loads(text) if text else None)

    return call


@pytest.fixture
def world(tmp_path: Path) -> Iterator[OciWorld]:
    """The OCI emulator (page size 3, so every list really pages) with a compartment and project."""
    w = start_world(tmp_path)
    try:
        yield w
    finally:
        w.emulator.stop()


@pytest.fixture(scope="session")
def demo_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo model, generated once per run (it takes seconds) for the tests that only read it."""
    if not HAS_LOCAL_EXTRA:
        pytest.skip("needs the [local] extra (torch, transformers)")
    from aqua_ext.backends.local.demo_model import generate_demo_model

    target = tmp_path_factory.mktemp("demo") / "tiny"
    generate_demo_model(target)
    return target


@pytest.fixture(scope="session")
def vision_demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The vision demo model (a tiny Llava), generated once per run."""
    if not HAS_LOCAL_EXTRA:
        pytest.skip("needs the [local] extra (torch, transformers)")
    from aqua_ext.backends.local.demo_model import generate_demo_model

    target = tmp_path_factory.mktemp("demo") / "tiny-llava"
    generate_demo_model(target, vision=True)
    return target


@pytest.fixture(scope="session")
def demo_gguf_dir(demo_model_dir: Path) -> Path:
    """The demo model's GGUF twin at Q4_K_M (llama.cpp's converter and quantizer), cached between runs."""
    return demo_gguf_twin(demo_model_dir, "Q4_K_M")
