"""llama.cpp's converter and quantizer through aqua_ext (llama_gguf.convert_folder): the demo model to
GGUF at Q8_0 and Q4_K_M, read back by aqua_ext's own GGUF header reader; a conversion that fails leaves
nothing; a GGUF file that is not GGUF is refused at registration, naming the field."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import shutil
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

from aqua_ext.api.models import ModelFormat
from aqua_ext.backends.gguf_header import read_gguf_header
from aqua_ext.backends.local import llama_gguf
from aqua_ext.backends.local.llama_convert import LEVEL_FTYPES, _byte_level_bpe
from aqua_ext.backends.local.model_folder import inspect_folder, validate_folder
from aqua_ext.backends.local.store import MIGRATIONS, ModelRow, Store
from aqua_ext.errors import InvalidInput, Upstream
from tests.model_folders import demo_gguf_twin, needs_local_extra, write_gguf, write_model_folder

DEMO_PARAMETERS = 139_584  # the demo model's, as its safetensors header counts them


class Steps:
    def __init__(self) -> None:
        self.seen: list[tuple[float | None, str | None]] = []

    def update(self, *, progress: float | None = None, message: str | None = None) -> None:
        self.seen.append((progress, message))


@needs_local_extra
@pytest.mark.parametrize(("level", "file_type"), [("Q8_0", 7), ("Q4_K_M", 15)])
def test_demo_model_converts_and_quantizes_to_gguf(demo_model_dir: Path, level: str, file_type: int) -> None:
    folder = demo_gguf_twin(demo_model_dir, level)
    [gguf] = folder.glob("*.gguf")
    assert gguf.name == f"{demo_model_dir.name}-{level}.gguf"
    header = read_gguf_header(gguf)
    assert header.metadata["general.file_type"] == file_type == LEVEL_FTYPES[level]
    assert header.metadata["general.architecture"] == "llama"
    # The demo's tokenizer is a GPT-2 style byte-level BPE that the converter has no hash for.
    assert header.metadata["tokenizer.ggml.pre"] == "gpt-2"
    assert header.array_lengths["tokenizer.ggml.tokens"] == 1024
    assert header.parameter_count == DEMO_PARAMETERS
    # What registration reads of it: one GGUF file (no safetensors), its level from the header.
    info = inspect_folder(folder)
    assert info.formats == [ModelFormat.GGUF] and info.complete
    assert info.architecture is not None and info.architecture.quantization is not None
    assert info.architecture.quantization.level == level
    assert info.context_length == 512 and info.parameter_count == DEMO_PARAMETERS
    assert {"config.json", "tokenizer.json", "chat_template.jinja"} <= {p.name for p in folder.iterdir()}


@needs_local_extra
async def test_a_failed_conversion_says_why_and_leaves_nothing(tmp_path: Path) -> None:
    source = write_model_folder(tmp_path / "odd")
    config = json.loads((source / "config.json").read_text())
    (source / "config.json").write_text(json.dumps({**config, "architectures": ["SchrodingerForCausalLM"]}))
    target = tmp_path / "out" / "odd-Q8_0"
    target.parent.mkdir()
    steps = Steps()
    with pytest.raises(Upstream, match="SchrodingerForCausalLM") as failed:
        await llama_gguf.convert_folder(source, target, "Q8_0", steps)
    assert "Converting odd to GGUF Q8_0 failed" in failed.value.message
    assert list(target.parent.iterdir()) == []  # no target, no partial folder
    assert steps.seen and steps.seen[0][0] is not None and steps.seen[0][0] < 0.5


@needs_local_extra
async def test_a_canceled_conversion_kills_the_converter_and_leaves_nothing(
    demo_model_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "demo-Q4_0"
    steps = Steps()
    task = asyncio.create_task(llama_gguf.convert_folder(demo_model_dir, target, "Q4_0", steps))
    for _ in range(600):  # until the child has started and said so
        if steps.seen:
            break
        await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert list(tmp_path.iterdir()) == []


async def test_conversion_needs_the_converter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(llama_gguf.CONVERTER_ENV, str(tmp_path / "nowhere"))
    assert "converter is not installed" in (llama_gguf.conversion_problem() or "")
    with pytest.raises(InvalidInput) as refused:
        await llama_gguf.convert_folder(tmp_path, tmp_path / "out", "Q8_0", Steps())
    assert refused.value.fields[0].field == "quantization"
    assert not (tmp_path / "out").exists()


def test_the_gpt2_pre_tokenizer_is_named_only_for_a_byte_level_bpe(tmp_path: Path) -> None:
    def tokenizer(pre: dict[str, object], model: str = "BPE") -> Path:
        folder = tmp_path / f"t{len(list(tmp_path.iterdir()))}"
        folder.mkdir()
        (folder / "tokenizer.json").write_text(json.dumps({"pre_tokenizer": pre, "model": {"type": model}}))
        return folder

    assert _byte_level_bpe(tokenizer({"type": "ByteLevel", "add_prefix_space": False, "use_regex": True}))
    assert not _byte_level_bpe(tokenizer({"type": "ByteLevel", "use_regex": False}))
    assert not _byte_level_bpe(tokenizer({"type": "Metaspace", "replacement": "▁"}))
    assert not _byte_level_bpe(tokenizer({"type": "ByteLevel"}, model="Unigram"))
    assert not _byte_level_bpe(tmp_path / "missing")


def test_the_failure_reason_is_the_converters_exception() -> None:
    reason = "NotImplementedError: Architecture 'SchrodingerForCausalLM' not supported!"
    tail = [
        "INFO:hf-to-gguf:Loading model: odd",
        "Traceback (most recent call last):",
        '  File "convert_hf_to_gguf.py", line 312, in <module>',
        reason,
    ]
    assert llama_gguf.failure_reason(tail) == reason
    logged = ["INFO:hf-to-gguf:Loading model: odd", "ERROR:hf-to-gguf:Model SchrodingerForCausalLM is not supported"]
    assert llama_gguf.failure_reason(logged) == "Model SchrodingerForCausalLM is not supported"
    assert llama_gguf.failure_reason(["killed", "오류: 메모리 부족"]) == "killed / 오류: 메모리 부족"
    assert llama_gguf.failure_reason([]) == "no error output"


def test_a_gguf_file_that_is_not_gguf_is_refused_naming_the_path(tmp_path: Path) -> None:
    folder = write_model_folder(tmp_path / "モデル", weights=False)
    (folder / "model-Q4_K_M.gguf").write_bytes(b"PK\x03\x04 not a model at all" + b"\0" * 64)
    with pytest.raises(InvalidInput) as refused:
        validate_folder(folder, [tmp_path])
    assert refused.value.fields[0].field == "path"
    assert "model-Q4_K_M.gguf is not a GGUF file" in refused.value.message and "no GGUF magic" in refused.value.message
    # A real header registers, its level read from the header, not the file name.
    (folder / "model-Q4_K_M.gguf").unlink()
    write_gguf(folder / "model.gguf", file_type=7)
    info = validate_folder(folder, [tmp_path])
    assert info.architecture is not None and info.architecture.quantization is not None
    assert info.architecture.quantization.level == "Q8_0"


def test_llama_server_on_path_wins_over_the_built_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site-packages"
    (site / "llama_cpp").mkdir(parents=True)
    (site / "bin").mkdir()
    built = site / "bin" / "llama-server"
    built.write_text("#!/bin/sh\n")
    built.chmod(0o755)
    monkeypatch.setattr(llama_gguf, "_package_dir", lambda name: site / "llama_cpp")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert llama_gguf.llama_server() == str(built)
    own = tmp_path / "own"
    own.mkdir()
    shutil.copy(built, own / "llama-server")
    monkeypatch.setenv("PATH", str(own))
    assert llama_gguf.llama_server() == str(own / "llama-server")


async def test_registrations_from_before_gguf_conversions_survive_the_migration(tmp_path: Path) -> None:
    # A data dir written before origin 'gguf' existed (schema 4), with one registration in it.
    with sqlite3.connect(tmp_path / "state.db") as db:
        db.executescript("".join(f"BEGIN;{script}COMMIT;" for script in MIGRATIONS[:4]) + "PRAGMA user_version = 4;")
        db.execute(
            "INSERT INTO models VALUES ('reg:old', '古いモデル', 'local_folder', '/models/old', 0, NULL, NULL, "
            "'{\"capability\": \"TEXT_TO_TEXT\"}', '2026-01-01T00:00:00+00:00')"
        )
    store = Store(tmp_path / "state.db")
    await store.open()
    try:
        assert await store.schema_version() == len(MIGRATIONS) == 5
        [old] = await store.list_models()
        assert (old.id, old.name, old.path) == ("reg:old", "古いモデル", "/models/old")
        converted = ModelRow(
            id="reg:new",
            name="변환된 모델 Q4_K_M",
            origin="gguf",
            path="/models/old",  # the path stays unique after the rebuild
            owns_path=True,
            hf_id=None,
            revision=None,
            summary={"capability": "TEXT_TO_TEXT", "base_model_id": "reg:old"},
            created_at=datetime.now(timezone.utc),
        )
        with pytest.raises(sqlite3.IntegrityError):
            await store.insert_model(converted)
        await store.insert_model(dataclasses.replace(converted, path="/models/new"))
        assert (await store.get_model("reg:new")).origin == "gguf"  # type: ignore[union-attr]
    finally:
        await store.close()
