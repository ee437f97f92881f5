"""scan_hf_cache over a hub cache laid out by hand (models--org--name/{refs,snapshots,blobs})."""

from __future__ import annotations

import hashlib
import json
import os
import struct
import time
from pathlib import Path

import pytest

from aqua_ext.api.models import Capability, ModelFormat
from aqua_ext.backends.local.hf_cache import default_cache_dir, scan_hf_cache

CONFIG = {
    "architectures": ["Qwen2ForCausalLM"],
    "model_type": "qwen2",
    "hidden_size": 8,
    "num_hidden_layers": 1,
    "num_attention_heads": 2,
    "max_position_embeddings": 32768,
}


def safetensors_bytes(shapes: dict[str, list[int]]) -> bytes:
    header, offset = {}, 0
    for name, shape in shapes.items():
        n = 1
        for dim in shape:
            n *= dim
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + 4 * n]}
        offset += 4 * n
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + b"\0" * offset


def add_snapshot(
    cache: Path,
    repo_id: str,
    files: dict[str, bytes],
    *,
    ref: str | None = "main",
    commit: str | None = None,
    mtime: float | None = None,
    repo_type: str = "models",
) -> str:
    """Lay out one snapshot the way huggingface_hub does: content in blobs/<hash>,
    snapshots/<commit>/<file> a relative symlink to it, refs/<ref> the commit."""
    repo = cache / f"{repo_type}--{repo_id.replace('/', '--')}"
    commit = commit or hashlib.sha1(repo_id.encode() + str(sorted(files)).encode()).hexdigest()
    (repo / "blobs").mkdir(parents=True, exist_ok=True)
    snapshot = repo / "snapshots" / commit
    snapshot.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        blob = repo / "blobs" / hashlib.sha256(data).hexdigest()
        blob.write_bytes(data)
        if mtime is not None:
            os.utime(blob, (mtime, mtime))
        link = snapshot / name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(os.path.relpath(blob, link.parent))
    if ref is not None:
        (repo / "refs" / ref).parent.mkdir(parents=True, exist_ok=True)
        (repo / "refs" / ref).write_text(commit)
    return commit


def complete_files(**extra: bytes) -> dict[str, bytes]:
    return {
        "config.json": json.dumps(CONFIG).encode(),
        "model.safetensors": safetensors_bytes({"embed": [16, 8], "norm": [8]}),
        **extra,
    }


def test_complete_repo_is_found(tmp_path: Path) -> None:
    commit = add_snapshot(
        tmp_path,
        "Qwen/Qwen2.5-0.5B-Instruct",
        complete_files(**{"README.md": b"---\nlicense: apache-2.0\n---\n# Qwen"}),
    )
    [model] = scan_hf_cache(tmp_path)
    assert model.hf_id == "Qwen/Qwen2.5-0.5B-Instruct"
    assert model.revision == commit
    assert model.path == tmp_path / "models--Qwen--Qwen2.5-0.5B-Instruct" / "snapshots" / commit
    assert model.info.parameter_count == 136  # read through the symlinks into blobs/
    assert model.info.formats == [ModelFormat.SAFETENSORS]
    assert model.info.context_length == 32768 and model.info.license == "apache-2.0"
    assert model.info.capability == Capability.TEXT_TO_TEXT
    assert model.last_modified.tzinfo is not None


def test_partial_downloads_and_other_repo_types_are_skipped(tmp_path: Path) -> None:
    add_snapshot(tmp_path, "org/no-weights", {"config.json": json.dumps(CONFIG).encode()})
    add_snapshot(tmp_path, "org/no-config", {"model.safetensors": safetensors_bytes({"a": [2]})})
    add_snapshot(
        tmp_path,
        "org/missing-shard",
        complete_files(
            **{
                "model.safetensors.index.json": json.dumps(
                    {"weight_map": {"a": "model.safetensors", "b": "model-00002-of-00002.safetensors"}}
                ).encode()
            }
        ),
    )
    add_snapshot(tmp_path, "org/a-dataset", complete_files(), repo_type="datasets")
    add_snapshot(tmp_path, "org/good", complete_files())
    assert [m.hf_id for m in scan_hf_cache(tmp_path)] == ["org/good"]


def test_main_ref_wins_over_a_newer_revision(tmp_path: Path) -> None:
    old = add_snapshot(tmp_path, "org/m", complete_files(), commit="a" * 40, mtime=time.time() - 3600)
    add_snapshot(tmp_path, "org/m", complete_files(**{"extra.txt": b"x"}), commit="b" * 40, ref="refs/pr/1")
    [model] = scan_hf_cache(tmp_path)
    assert model.revision == old


def test_without_main_the_newest_revision_is_used(tmp_path: Path) -> None:
    add_snapshot(tmp_path, "org/m", complete_files(), commit="a" * 40, ref=None, mtime=time.time() - 3600)
    add_snapshot(tmp_path, "org/m", complete_files(**{"extra.txt": b"new"}), commit="b" * 40, ref=None)
    [model] = scan_hf_cache(tmp_path)
    assert model.revision == "b" * 40


def test_reranker_capability_uses_the_repo_id(tmp_path: Path) -> None:
    config = {"architectures": ["XLMRobertaForSequenceClassification"], "num_labels": 2}
    add_snapshot(
        tmp_path,
        "BAAI/bge-reranker-base",
        {"config.json": json.dumps(config).encode(), "model.safetensors": safetensors_bytes({"a": [2]})},
    )
    [model] = scan_hf_cache(tmp_path)
    assert model.info.capability == Capability.RERANK


def test_newest_first(tmp_path: Path) -> None:
    add_snapshot(tmp_path, "org/old", complete_files(), mtime=time.time() - 7200)
    add_snapshot(tmp_path, "org/new", complete_files(**{"x.txt": b"1"}), mtime=time.time() - 60)
    assert [m.hf_id for m in scan_hf_cache(tmp_path)] == ["org/new", "org/old"]


def test_corrupt_entries_and_stray_files_do_not_break_the_scan(tmp_path: Path) -> None:
    add_snapshot(tmp_path, "org/good", complete_files())
    (tmp_path / "models--org--broken").mkdir()  # no snapshots/ folder
    (tmp_path / "not-a-repo").mkdir()
    (tmp_path / "CACHEDIR.TAG").write_text("Signature: 8a477f597d28d172789f06886806bc55")
    (tmp_path / ".locks").mkdir()
    assert [m.hf_id for m in scan_hf_cache(tmp_path)] == ["org/good"]


def test_missing_cache_dir_is_empty(tmp_path: Path) -> None:
    assert scan_hf_cache(tmp_path / "does-not-exist") == []


def test_cache_dir_that_is_a_file_is_empty(tmp_path: Path) -> None:
    file = tmp_path / "file"
    file.write_text("x")
    assert scan_hf_cache(file) == []


def test_default_cache_dir_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    assert default_cache_dir() == tmp_path / "hf-home" / "hub"
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub-cache"))
    assert default_cache_dir() == tmp_path / "hub-cache"
    add_snapshot(tmp_path / "hub-cache", "org/m", complete_files())
    assert [m.hf_id for m in scan_hf_cache()] == ["org/m"]
