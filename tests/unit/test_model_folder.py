"""inspect_folder / validate_folder on small folders written by hand."""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import pytest

from aqua_ext.api.models import Capability, ModelFormat
from aqua_ext.backends.local.model_folder import (
    inspect_folder,
    license_from_card,
    read_safetensors_header,
    validate_folder,
)
from aqua_ext.errors import InvalidInput

LLAMA_CONFIG = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "hidden_size": 64,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "max_position_embeddings": 512,
    "dtype": "bfloat16",  # the key transformers 5 writes
}


def write_safetensors(path: Path, tensors: dict[str, list[int]], metadata: dict[str, str] | None = None) -> int:
    """A valid safetensors file of zeros, written by hand (8-byte little-endian
    header length, JSON header, data). Returns the parameter count."""
    header: dict[str, Any] = {"__metadata__": metadata} if metadata is not None else {}
    offset = count = 0
    for name, shape in tensors.items():
        n = 1
        for dim in shape:
            n *= dim
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + 4 * n]}
        offset += 4 * n
        count += n
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + b"\0" * offset)
    return count


def make_folder(folder: Path, config: dict[str, Any] | None = None, *, weights: bool = True, **files: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(LLAMA_CONFIG if config is None else config))
    if weights:
        write_safetensors(folder / "model.safetensors", {"embed.weight": [32, 16], "norm.weight": [16]})
    for name, text in files.items():
        (folder / name.replace("__", ".")).write_text(text)
    return folder


def reason(exc: pytest.ExceptionInfo[InvalidInput]) -> str:
    assert exc.value.fields is not None and exc.value.fields[0].field == "path"
    return exc.value.fields[0].message


# ---- inspect_folder --------------------------------------------------------------


def test_parameter_count_formats_and_architecture(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "m")
    info = inspect_folder(folder)
    assert info.parameter_count == 32 * 16 + 16
    assert info.formats == [ModelFormat.SAFETENSORS]
    assert info.weight_files == ["model.safetensors"]
    assert info.size_bytes == (folder / "model.safetensors").stat().st_size
    arch = info.architecture
    assert arch is not None
    assert (arch.model_type, arch.num_hidden_layers, arch.hidden_size) == ("llama", 2, 64)
    # head_dim as written (none): services/kv_cache.py takes hidden_size / heads, 64 / 4 = 16.
    assert (arch.num_attention_heads, arch.num_key_value_heads, arch.head_dim) == (4, 2, None)
    assert arch.torch_dtype == "bfloat16"
    assert info.context_length == 512
    assert info.capability == Capability.TEXT_TO_TEXT
    assert info.readme is None and info.license is None and info.has_chat_template is False
    assert info.complete


def test_sharded_weights_and_metadata_are_summed(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "m", weights=False)
    a = write_safetensors(folder / "model-00001-of-00002.safetensors", {"a": [10, 10]}, metadata={"format": "pt"})
    b = write_safetensors(folder / "model-00002-of-00002.safetensors", {"b": [3, 4, 5], "scalar": []})
    (folder / "model.safetensors.index.json").write_text(
        json.dumps({"weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}})
    )
    info = inspect_folder(folder)
    assert info.parameter_count == a + b == 100 + 60 + 1
    assert len(info.weight_files) == 2 and info.missing_shards == []


def test_safetensors_written_by_the_library_agree(tmp_path: Path) -> None:
    numpy = pytest.importorskip("numpy")
    st = pytest.importorskip("safetensors.numpy")
    folder = make_folder(tmp_path / "m", weights=False)
    st.save_file(
        {"w": numpy.zeros((7, 3), dtype="float16"), "b": numpy.zeros((3,), dtype="int8")},
        str(folder / "model.safetensors"),
        metadata={"format": "pt"},
    )
    assert inspect_folder(folder).parameter_count == 24


def test_missing_shard_is_reported(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "m")
    (folder / "model.safetensors.index.json").write_text(
        json.dumps({"weight_map": {"x": "model.safetensors", "y": "model-00002-of-00002.safetensors"}})
    )
    info = inspect_folder(folder)
    assert info.missing_shards == ["model-00002-of-00002.safetensors"] and not info.complete


def test_gguf_only_folder(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "m", weights=False)
    (folder / "model-Q4_K_M.gguf").write_bytes(b"GGUF" + b"\0" * 60)
    info = inspect_folder(folder)
    assert info.formats == [ModelFormat.GGUF]
    assert info.parameter_count is None and info.size_bytes == 64


def test_weights_in_subfolders_and_hidden_files_are_ignored(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "m", weights=False)
    (folder / "onnx").mkdir()
    write_safetensors(folder / "onnx" / "model.safetensors", {"a": [2]})
    write_safetensors(folder / ".model.safetensors", {"a": [2]})
    assert inspect_folder(folder).weight_files == []


def test_context_length_alternatives_and_text_config(tmp_path: Path) -> None:
    gpt2 = inspect_folder(
        make_folder(
            tmp_path / "gpt2",
            {"architectures": ["GPT2LMHeadModel"], "n_positions": 1024, "n_embd": 768, "n_head": 12, "n_layer": 12},
        )
    )
    assert gpt2.context_length == 1024
    assert gpt2.architecture is not None and gpt2.architecture.head_dim is None  # the config gives none
    mpt = inspect_folder(make_folder(tmp_path / "mpt", {"max_seq_len": 2048}))
    assert mpt.context_length == 2048
    vlm = inspect_folder(
        make_folder(
            tmp_path / "vlm",
            {
                "architectures": ["Gemma3ForConditionalGeneration"],
                "model_type": "gemma3",
                "text_config": {
                    "max_position_embeddings": 131072,
                    "hidden_size": 2560,
                    "num_hidden_layers": 34,
                    "num_attention_heads": 8,
                    "num_key_value_heads": 4,
                    "head_dim": 256,
                    "torch_dtype": "bfloat16",
                },
                "vision_config": {"hidden_size": 1152},
            },
        )
    )
    assert vlm.context_length == 131072
    assert vlm.architecture is not None
    assert (vlm.architecture.hidden_size, vlm.architecture.head_dim, vlm.architecture.torch_dtype) == (
        2560,
        256,
        "bfloat16",
    )


@pytest.mark.parametrize(
    ("config", "extra", "expected"),
    [
        ({"architectures": ["Qwen2ForCausalLM"]}, {}, Capability.TEXT_TO_TEXT),
        ({"architectures": ["LlavaForConditionalGeneration"], "vision_config": {}}, {}, Capability.IMAGE_TEXT_TO_TEXT),
        ({"architectures": ["T5ForConditionalGeneration"]}, {}, Capability.TEXT_TO_TEXT),
        ({"architectures": ["XLMRobertaForSequenceClassification"], "num_labels": 1}, {}, Capability.RERANK),
        (
            {"architectures": ["XLMRobertaForSequenceClassification"], "id2label": {"0": "LABEL_0"}},
            {},
            Capability.RERANK,
        ),
        (
            {"architectures": ["BertForSequenceClassification"], "id2label": {"0": "neg", "1": "pos"}},
            {},
            Capability.TEXT_TO_TEXT,
        ),
        ({"architectures": ["BertModel"]}, {}, Capability.EMBEDDING),
        ({"architectures": ["XLMRobertaModel"]}, {}, Capability.EMBEDDING),
        # sentence-transformers' own file wins over a decoder architecture (Qwen3-Embedding).
        ({"architectures": ["Qwen3ForCausalLM"]}, {"modules__json": "[]"}, Capability.EMBEDDING),
        ({}, {}, Capability.TEXT_TO_TEXT),
    ],
)
def test_capability_guess(tmp_path: Path, config: dict[str, Any], extra: dict[str, str], expected: Capability) -> None:
    assert inspect_folder(make_folder(tmp_path / "m", config, **extra)).capability == expected


def test_reranker_named_by_its_folder_or_hint(tmp_path: Path) -> None:
    config = {"architectures": ["XLMRobertaForSequenceClassification"], "num_labels": 2}
    assert inspect_folder(make_folder(tmp_path / "bge-reranker-v2", config)).capability == Capability.RERANK
    plain = make_folder(tmp_path / "abc123", config)
    assert inspect_folder(plain).capability == Capability.TEXT_TO_TEXT
    assert inspect_folder(plain, name_hint="BAAI/bge-reranker-base").capability == Capability.RERANK


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"chat_template__jinja": "{{ messages }}"}, True),
        ({"tokenizer_config__json": json.dumps({"chat_template": "{{ messages }}"})}, True),
        ({"chat_template__json": json.dumps({"chat_template": "{{ messages }}"})}, True),
        ({"tokenizer_config__json": json.dumps({"eos_token": "</s>"})}, False),
        ({"tokenizer_config__json": "{not json"}, False),
        ({}, False),
    ],
)
def test_chat_template_detection(tmp_path: Path, files: dict[str, str], expected: bool) -> None:
    assert inspect_folder(make_folder(tmp_path / "m", **files)).has_chat_template is expected


def test_readme_and_license(tmp_path: Path) -> None:
    card = "---\nlanguage: en\nlicense: 'llama3.2'  # see LICENSE\ntags:\n- chat\n---\n\n# A model\n"
    info = inspect_folder(make_folder(tmp_path / "m", README__md=card))
    assert info.readme == card and info.license == "llama3.2"


def test_readme_is_capped(tmp_path: Path) -> None:
    info = inspect_folder(make_folder(tmp_path / "m", README__md="x" * 300_000))
    assert info.readme is not None and len(info.readme) == 200 * 1024


@pytest.mark.parametrize(
    ("card", "expected"),
    [
        ("---\nlicense: apache-2.0\n---\n", "apache-2.0"),
        ('\ufeff---\r\nlicense: "mit"\r\n---\r\nbody', "mit"),
        ("# no front matter\nlicense: mit\n", None),
        ("---\nlicense_name: x\n---\n", None),
        ("---\ntags: [a]\n---\nlicense: mit\n", None),
    ],
)
def test_license_from_card(card: str, expected: str | None) -> None:
    assert license_from_card(card) == expected


def test_inspect_never_raises_for_broken_folders(tmp_path: Path) -> None:
    assert inspect_folder(tmp_path / "nope").config is None
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "config.json").write_text("{")
    (folder / "model.safetensors").write_bytes(b"\x01")
    info = inspect_folder(folder)
    assert info.config is None and info.config_error and "line 1" in info.config_error
    assert info.parameter_count is None and "model.safetensors" in info.header_errors


# ---- validate_folder -----------------------------------------------------------


def test_valid_folder_returns_resolved_info(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "models" / "m")
    info = validate_folder(folder, [tmp_path])
    assert info.path == folder.resolve() and info.parameter_count == 528


def test_relative_path_is_resolved_against_the_first_root(tmp_path: Path) -> None:
    make_folder(tmp_path / "root" / "models" / "m")
    info = validate_folder(Path("models/m"), [tmp_path / "root", tmp_path / "other"])
    assert info.path == (tmp_path / "root" / "models" / "m").resolve()


def test_home_is_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    make_folder(tmp_path / "m")
    assert validate_folder(Path("~/m"), [tmp_path]).path == (tmp_path / "m").resolve()


def test_relative_path_without_roots(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as exc:
        validate_folder(Path("models/m"), [])
    assert "absolute" in reason(exc)


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as exc:
        validate_folder(tmp_path / "nope", [tmp_path])
    assert "does not exist" in reason(exc)


def test_file_instead_of_folder(tmp_path: Path) -> None:
    file = tmp_path / "config.json"
    file.write_text("{}")
    with pytest.raises(InvalidInput) as exc:
        validate_folder(file, [tmp_path])
    assert "not a folder" in reason(exc)


def test_outside_allowed_roots(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "elsewhere" / "m")
    root_a, root_b = tmp_path / "a", tmp_path / "b"
    root_a.mkdir()
    root_b.mkdir()
    with pytest.raises(InvalidInput) as exc:
        validate_folder(folder, [root_a, root_b])
    message = reason(exc)
    assert "outside" in message and str(root_a.resolve()) in message and str(root_b.resolve()) in message


def test_outside_roots_is_checked_before_existence(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    with pytest.raises(InvalidInput) as exc:
        validate_folder(tmp_path / "secret-that-does-not-exist", [root])
    assert "outside" in reason(exc)  # no hint about whether it exists


def test_symlink_escaping_the_roots_is_refused(tmp_path: Path) -> None:
    outside = make_folder(tmp_path / "outside" / "m")
    root = tmp_path / "root"
    root.mkdir()
    (root / "link").symlink_to(outside, target_is_directory=True)
    with pytest.raises(InvalidInput) as exc:
        validate_folder(root / "link", [root])
    assert "outside" in reason(exc) and "resolves to" in reason(exc)


def test_symlink_inside_the_roots_is_fine(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "root" / "real")
    (tmp_path / "root" / "link").symlink_to(folder, target_is_directory=True)
    assert validate_folder(tmp_path / "root" / "link", [tmp_path / "root"]).path == folder.resolve()


def test_symlinked_root_is_resolved_too(tmp_path: Path) -> None:
    make_folder(tmp_path / "real-root" / "m")
    (tmp_path / "root-link").symlink_to(tmp_path / "real-root", target_is_directory=True)
    assert validate_folder(tmp_path / "real-root" / "m", [tmp_path / "root-link"]).parameter_count == 528


def test_no_config(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    write_safetensors(folder / "model.safetensors", {"a": [2]})
    with pytest.raises(InvalidInput) as exc:
        validate_folder(folder, [tmp_path])
    assert "has no config.json; a Hugging Face model folder needs one" in reason(exc)


def test_bad_config_json_names_the_line(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "m")
    (folder / "config.json").write_text('{\n  "model_type": "llama",\n  "hidden_size": ,\n}')
    with pytest.raises(InvalidInput) as exc:
        validate_folder(folder, [tmp_path])
    assert "not valid JSON" in reason(exc) and "line 3" in reason(exc)


def test_config_that_is_not_an_object(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "m")
    (folder / "config.json").write_text("[]")
    with pytest.raises(InvalidInput) as exc:
        validate_folder(folder, [tmp_path])
    assert "JSON object" in reason(exc)


def test_no_weights(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "m", weights=False)
    (folder / "pytorch_model.bin").write_bytes(b"\0" * 8)
    with pytest.raises(InvalidInput) as exc:
        validate_folder(folder, [tmp_path])
    assert "no weights found: expected *.safetensors or *.gguf files" in reason(exc)


@pytest.mark.parametrize(
    "content",
    [
        b"\x01\x02",  # shorter than the length prefix
        struct.pack("<Q", 10_000) + b"{}",  # length beyond the end of the file
        struct.pack("<Q", 8) + b"not json",
        struct.pack("<Q", 2) + b"[]",
        struct.pack("<Q", 30) + b'{"a": {"shape": "x"}}' + b" " * 9,
    ],
)
def test_corrupt_safetensors_header_names_the_file(tmp_path: Path, content: bytes) -> None:
    folder = make_folder(tmp_path / "m")
    (folder / "model-00002.safetensors").write_bytes(content)
    with pytest.raises(InvalidInput) as exc:
        validate_folder(folder, [tmp_path])
    assert "model-00002.safetensors is not a valid safetensors file" in reason(exc)


def test_missing_shards_fail_validation(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "m")
    (folder / "model.safetensors.index.json").write_text(json.dumps({"weight_map": {"y": "model-2.safetensors"}}))
    with pytest.raises(InvalidInput) as exc:
        validate_folder(folder, [tmp_path])
    assert "incomplete" in reason(exc) and "model-2.safetensors" in reason(exc)


def test_read_safetensors_header(tmp_path: Path) -> None:
    file = tmp_path / "x.safetensors"
    write_safetensors(file, {"w": [2, 3]}, metadata={"format": "pt"})
    header = read_safetensors_header(file)
    assert header["__metadata__"] == {"format": "pt"} and header["w"]["shape"] == [2, 3]


def test_small_files_linking_outside_the_roots_are_not_read(tmp_path: Path) -> None:
    from aqua_ext.services.datasets import tokenizer_folder

    secret = tmp_path / "outside.txt"
    secret.write_text('{"chat_template": "secret"}')
    root = tmp_path / "root"
    folder = root / "m"
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps(LLAMA_CONFIG))
    write_safetensors(folder / "model.safetensors", {"w": [2, 2]})
    (folder / "tokenizer.json").write_text("{}")
    for name in ("README.md", "tokenizer_config.json", "model.safetensors.index.json"):
        (folder / name).symlink_to(secret)
    info = inspect_folder(folder, roots=[root])
    assert info.readme is None and not info.has_chat_template and info.missing_shards == []
    assert tokenizer_folder(str(folder)) is None, "transformers would read the linked tokenizer_config.json"
    (folder / "tokenizer_config.json").unlink()
    assert tokenizer_folder(str(folder)) == folder

    (folder / "config.json").unlink()
    (folder / "config.json").symlink_to(secret)
    info = inspect_folder(folder, roots=[root])
    assert info.config is None and "links outside" in (info.config_error or "")
    with pytest.raises(InvalidInput, match="links outside"):
        validate_folder(folder, [root])


def test_a_hugging_face_snapshot_reads_its_repo_blobs(tmp_path: Path) -> None:
    repo = tmp_path / "hub" / "models--org--m"
    (repo / "blobs").mkdir(parents=True)
    snapshot = repo / "snapshots" / "abc123"
    snapshot.mkdir(parents=True)
    (repo / "blobs" / "c1").write_text(json.dumps(LLAMA_CONFIG))
    (repo / "blobs" / "r1").write_text("# Card\n")
    (snapshot / "config.json").symlink_to("../../blobs/c1")
    (snapshot / "README.md").symlink_to("../../blobs/r1")
    info = inspect_folder(snapshot)
    assert info.config == LLAMA_CONFIG and info.readme == "# Card\n"
