from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from tests.model_folders import write_model_folder


def assert_error(status: int, body: Any, expected: int, field: str | None = None) -> None:
    assert status == expected, body
    assert body["status"] == expected
    assert body["message"] and body["reason"] and body["request_id"]
    assert "Traceback" not in body["message"]
    if field is not None:
        assert field in [f["field"] for f in body["fields"]], body


# ---- listing -----------------------------------------------------------------


async def test_list_includes_the_curated_catalog(api: Any) -> None:
    status, body = await api("models")
    assert status == 200
    assert body["total"] == len(body["items"])
    sources = {m["source"] for m in body["items"]}
    assert "catalog" in sources
    catalog = [m for m in body["items"] if m["source"] == "catalog"]
    assert len(catalog) >= 25
    assert {m["capability"] for m in catalog} == {"TEXT_TO_TEXT", "IMAGE_TEXT_TO_TEXT", "EMBEDDING", "RERANK"}
    for m in catalog:
        assert m["organization"] and m["license"] and m["hf_id"] and m["description"]
        assert m["parameter_count"] > 0 and m["context_length"] > 0 and m["size_bytes"] > 0
    assert "demo" not in sources, "generation is off in these tests and the model is absent: not offered"


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ({"capability": "EMBEDDING"}, lambda m: m["capability"] == "EMBEDDING"),
        ({"source": "catalog"}, lambda m: m["source"] == "catalog"),
        ({"format": "gguf"}, lambda m: "gguf" in m["formats"]),
        ({"max_size_gb": "5"}, lambda m: m["size_bytes"] is not None and m["size_bytes"] <= 5e9),
        ({"q": "llama instruct"}, lambda m: "llama" in json.dumps(m).lower()),
    ],
)
async def test_list_filters(api: Any, params: dict[str, str], check: Any) -> None:
    status, body = await api("models", params=params)
    assert status == 200
    assert body["items"], params
    assert all(check(m) for m in body["items"])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"capability": "SPEECH"}, "query.capability"),
        ({"source": "nowhere"}, "query.source"),
        ({"max_size_gb": "-1"}, "query.max_size_gb"),
        ({"max_size_gb": "big"}, "query.max_size_gb"),
        ({"colour": "blue"}, "query.colour"),
    ],
)
async def test_list_rejects_bad_queries_naming_the_field(api: Any, params: dict[str, str], field: str) -> None:
    status, body = await api("models", params=params)
    assert_error(status, body, 400, field)


async def test_list_ignores_empty_parameters(api: Any) -> None:
    status, body = await api("models", params={"capability": "", "q": "bge"})
    assert status == 200 and body["items"]


async def test_models_in_the_hf_cache_are_listed(api: Any, hf_cache_dir: Path) -> None:
    snapshot = hf_cache_dir / "models--acme--tiny-chat" / "snapshots" / ("a" * 40)
    write_model_folder(snapshot, readme="---\nlicense: mit\n---\n# Tiny chat\n")
    (hf_cache_dir / "models--acme--tiny-chat" / "refs").mkdir()
    (hf_cache_dir / "models--acme--tiny-chat" / "refs" / "main").write_text("a" * 40)
    status, body = await api("models", params={"refresh": "true", "source": "cache"})
    assert status == 200
    [cached] = body["items"]
    assert cached["hf_id"] == "acme/tiny-chat"
    assert cached["ready_to_deploy"] is True
    status, detail = await api(f"models/{cached['id']}")
    assert status == 200 and "Tiny chat" in detail["card_markdown"]


# ---- detail ------------------------------------------------------------------


async def test_catalog_detail_has_card_architecture_and_notes(api: Any) -> None:
    _, listing = await api(
        "models", params={"q": "Llama 3.1 8B Instruct", "source": "catalog", "format": "safetensors"}
    )
    model_id = listing["items"][0]["id"]
    status, detail = await api(f"models/{model_id}")
    assert status == 200
    assert detail["card_markdown"].startswith("# ")
    assert detail["architecture"]["num_hidden_layers"] > 0
    assert detail["ready_to_deploy"] is False
    assert any("Not downloaded" in n for n in detail["notes"])


async def test_unknown_model_is_404(api: Any) -> None:
    status, body = await api("models/catalog:nobody--nothing")
    assert_error(status, body, 404)
    assert "nobody--nothing" in body["message"]


# ---- register a local folder, then delete it --------------------------------------


async def test_register_folder_lists_it_and_delete_unregisters_without_touching_files(
    api: Any, jp_root_dir: Path
) -> None:
    folder = write_model_folder(jp_root_dir / "my-model", readme="# My model\n\nHello.")
    status, body = await api(
        "models", method="POST", body={"source": "local_folder", "path": str(folder), "name": "My model"}
    )
    assert status == 202, body
    assert body["operation"]["state"] == "SUCCEEDED"
    model = body["model"]
    assert model["source"] == "registered" and model["name"] == "My model"
    assert model["parameter_count"] == 16 * 8 + 8 * 8
    assert model["formats"] == ["safetensors"] and model["ready_to_deploy"] is True
    assert model["artifact_location"] == str(folder.resolve())

    _, listing = await api("models", params={"source": "registered"})
    assert [m["id"] for m in listing["items"]] == [model["id"]]
    status, detail = await api(f"models/{model['id']}")
    assert status == 200 and "Hello." in detail["card_markdown"] and "config.json" in detail["files"]

    status, again = await api("models", method="POST", body={"source": "local_folder", "path": str(folder)})
    assert_error(status, again, 409)

    status, _ = await api(f"models/{model['id']}", method="DELETE")
    assert status == 204
    status, _ = await api(f"models/{model['id']}")
    assert status == 404
    assert (folder / "model.safetensors").exists(), "a user's own folder is never deleted"


async def test_relative_folder_paths_resolve_against_the_jupyter_root(api: Any, jp_root_dir: Path) -> None:
    write_model_folder(jp_root_dir / "models" / "rel")
    status, body = await api("models", method="POST", body={"source": "local_folder", "path": "models/rel"})
    assert status == 202, body
    assert body["model"]["artifact_location"] == str((jp_root_dir / "models" / "rel").resolve())


@pytest.mark.parametrize(
    ("make", "field", "words"),
    [
        (lambda root, tmp: str(root / "missing"), "path", "does not exist"),
        (lambda root, tmp: str(write_model_folder(root / "noconf", config=False)), "path", "config.json"),
        (lambda root, tmp: str(write_model_folder(root / "noweights", weights=False)), "path", "weights"),
        (lambda root, tmp: str(write_model_folder(tmp / "outside")), "path", "outside"),
    ],
)
async def test_register_folder_errors_are_400_and_leave_nothing(
    api: Any, jp_root_dir: Path, tmp_path: Path, make: Any, field: str, words: str
) -> None:
    path = make(jp_root_dir, tmp_path)
    status, body = await api("models", method="POST", body={"source": "local_folder", "path": path})
    assert_error(status, body, 400, field)
    assert words in body["message"]
    _, listing = await api("models", params={"source": "registered"})
    assert listing["items"] == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"source": "huggingface", "hf_id": "not a repo id"}, "hf_id"),
        ({"source": "huggingface", "hf_id": "a/b/c"}, "hf_id"),
        ({"source": "huggingface"}, "hf_id"),
        ({"source": "local_folder"}, "path"),
        ({"source": "s3", "path": "/x"}, "source"),
        ({"source": "object_storage"}, "os_uri"),
        ({"source": "object_storage", "os_uri": "s3://bucket/x"}, "os_uri"),
        ({"source": "object_storage", "os_uri": "oci://bucket@ns/models/m"}, "source"),
        ({"source": "local_folder", "path": "/x", "colour": "blue"}, "colour"),
    ],
)
async def test_register_rejects_bad_bodies_naming_the_field(api: Any, payload: dict[str, Any], field: str) -> None:
    status, body = await api("models", method="POST", body=payload)
    assert_error(status, body, 400, field)


async def test_register_rejects_a_body_that_is_not_json(api: Any) -> None:
    status, body = await api("models", method="POST", raw_body="{not json")
    assert_error(status, body, 400, "body")
    assert "line 1" in body["message"]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_register_from_hf_while_offline_is_a_fast_502(api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "ENDPOINT", f"http://127.0.0.1:{_closed_port()}")
    started = time.monotonic()
    status, body = await api("models", method="POST", body={"source": "huggingface", "hf_id": "acme/tiny-chat"})
    assert time.monotonic() - started < 10, "offline must fail fast, not hang"
    assert_error(status, body, 502)
    assert "Hugging Face" in body["message"]
    _, listing = await api("models", params={"source": "registered"})
    assert listing["items"] == []


async def test_built_in_models_cannot_be_deleted(api: Any) -> None:
    _, listing = await api("models", params={"source": "catalog"})
    status, body = await api(f"models/{listing['items'][0]['id']}", method="DELETE")
    assert_error(status, body, 409)
    status, body = await api("models/reg:000000000000", method="DELETE")
    assert_error(status, body, 404)


# ---- memory fit ------------------------------------------------------------------


async def test_fit_shows_arithmetic_and_recommends_a_shape(api: Any) -> None:
    _, listing = await api(
        "models", params={"q": "Llama 3.1 8B Instruct", "source": "catalog", "format": "safetensors"}
    )
    model_id = listing["items"][0]["id"]
    status, fit = await api(f"models/{model_id}/fit", params={"dtype": "float16", "context_length": "8192"})
    assert status == 200
    assert fit["weights_gb"] == round(listing["items"][0]["parameter_count"] * 2 / 1e9, 2)
    assert fit["kv_cache_gb"] > 0
    assert fit["recommended_shape"] == "VM.GPU.A10.1"
    assert any("weights" in line for line in fit["arithmetic"])
    assert next(t for t in fit["shapes"] if t["recommended"])["name"] == "VM.GPU.A10.1"
    assert fit["local"] and fit["local"][-1]["kind"] == "local-cpu"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"dtype": "float8"}, "query.dtype"),
        ({"context_length": "0"}, "query.context_length"),
        ({"concurrency": "many"}, "query.concurrency"),
    ],
)
async def test_fit_rejects_bad_parameters(api: Any, params: dict[str, str], field: str) -> None:
    _, listing = await api("models", params={"source": "catalog"})
    status, body = await api(f"models/{listing['items'][0]['id']}/fit", params=params)
    assert_error(status, body, 400, field)


async def test_fit_of_unknown_model_is_404(api: Any) -> None:
    status, body = await api("models/catalog:nobody--nothing/fit")
    assert_error(status, body, 404)
