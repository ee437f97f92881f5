"""Inspect and validate a Hugging Face style model folder without loading it.

Everything here reads small files only (config.json, README.md, the JSON
headers of safetensors files, a GGUF file's header), so it is cheap enough to
run over a whole Hugging Face cache when the model list is built. No torch, no
transformers.
"""

from __future__ import annotations

import contextlib
import json
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...api.models import Architecture, Capability, ModelFormat
from ...errors import InvalidInput
from ..gguf_header import read_gguf_header
from ..model_config import (
    ENCODER_ARCHITECTURES,
    architecture_from_config,
    architecture_from_gguf,
    context_length_from_config,
    context_length_from_gguf,
    gguf_quantization,
    quantization_from_config,
)

README_MAX_BYTES = 200 * 1024
# A real header is a few MB at most (one entry per tensor); anything larger is
# a corrupt or hostile file, and reading it would cost memory for nothing.
SAFETENSORS_HEADER_MAX_BYTES = 100 * 1024 * 1024


@dataclass
class FolderInfo:
    """What a model folder holds, as far as listing, memory estimates and the
    deploy/fine-tune checks need. Problems are recorded, not raised, so a
    half-broken cache entry can still be shown; `validate_folder` turns them
    into errors."""

    path: Path
    config: dict[str, Any] | None = None
    config_error: str | None = None  # why config.json could not be read, when it exists
    formats: list[ModelFormat] = field(default_factory=list)
    weight_files: list[str] = field(default_factory=list)  # names relative to `path`
    size_bytes: int = 0  # total size of the weight files
    parameter_count: int | None = None
    header_errors: dict[str, str] = field(default_factory=dict)  # safetensors file name -> problem
    missing_shards: list[str] = field(default_factory=list)  # named by model.safetensors.index.json, absent
    architectures: list[str] = field(default_factory=list)
    architecture: Architecture | None = None
    context_length: int | None = None
    capability: Capability = Capability.TEXT_TO_TEXT
    readme: str | None = None
    license: str | None = None
    has_chat_template: bool = False

    @property
    def has_config(self) -> bool:
        return self.config is not None

    @property
    def has_weights(self) -> bool:
        return bool(self.weight_files)

    @property
    def complete(self) -> bool:
        """config.json parses, weights are present, and no shard is missing:
        what an engine needs to load the folder."""
        return self.config is not None and self.has_weights and not self.missing_shards and not self.header_errors


# ---- inspection -------------------------------------------------------------


def within(path: Path, roots: Sequence[Path]) -> bool:
    """`path` (already resolved) is one of `roots` or inside one."""
    return any(path == root or path.is_relative_to(root) for root in roots)


def folder_roots(path: Path) -> list[Path]:
    """Where the files of a model folder may point when no allowed roots are given: the folder itself
    and, for a Hugging Face cache snapshot (…/models--org--name/snapshots/<commit>/), its repo folder,
    whose blobs/ the snapshot's files link to."""
    folder = path.expanduser().resolve()
    return [folder, folder.parent.parent] if folder.parent.name == "snapshots" else [folder]


def model_file(folder: Path, name: str, roots: Sequence[Path] | None = None) -> Path | None:
    """`folder/name` when it is a regular file that resolves, every symlink followed, inside `roots`
    (default: `folder_roots(folder)`); None otherwise. A README.md, config.json or tokenizer file
    that links outside (to /etc/passwd, say) is never read."""
    candidate = folder / name
    try:
        return candidate if candidate.is_file() and within(candidate.resolve(), roots or folder_roots(folder)) else None
    except (OSError, RuntimeError):  # a link loop, a vanished folder
        return None


def inspect_folder(path: Path, *, name_hint: str | None = None, roots: Sequence[Path] | None = None) -> FolderInfo:
    """Read what can be read from `path`; never raises for a bad folder.

    `name_hint` is a human name for the model (a hub id, say) used only to
    guess the capability: a cache snapshot folder is named by a commit hash,
    which says nothing about a reranker. The small files read (config, card,
    tokenizer config, shard index) must resolve inside `roots` (see `model_file`).
    """
    info = FolderInfo(path=path)
    if not path.is_dir():
        return info
    roots = roots or folder_roots(path)

    info.config, info.config_error = _read_config(path, roots)
    _inspect_weights(path, info, roots)
    if info.config is not None:
        info.architectures = [a for a in info.config.get("architectures") or [] if isinstance(a, str)]
        info.architecture = architecture_from_config(info.config)
    ggufs = [n for n in info.weight_files if n.endswith(".gguf")]
    gguf_context = None
    if len(ggufs) == 1 and len(info.weight_files) == 1:
        gguf_context = _gguf_facts(path, ggufs[0], info, roots)
    info.context_length = gguf_context
    if info.config is not None:
        info.context_length = gguf_context or context_length_from_config(info.config)
        hint = " ".join(x for x in (name_hint, path.name, str(info.config.get("_name_or_path") or "")) if x)
        info.capability = guess_capability(info.config, hint, sentence_transformers=_is_sentence_transformers(path))
    info.readme = _read_readme(model_file(path, "README.md", roots))
    info.license = license_from_card(info.readme) if info.readme else None
    info.has_chat_template = _has_chat_template(path, roots)
    return info


def _gguf_facts(path: Path, name: str, info: FolderInfo, roots: Sequence[Path]) -> int | None:
    """llama.cpp serves the one GGUF file as it is: its header's architecture, parameter count and quant
    type go into `info` (config.json, where there is one, fills what the header leaves out); its context
    length is returned. A header that cannot be read leaves the quant level the file name says: llama.cpp
    tells what is wrong with the file when it loads it."""
    header = None
    file = model_file(path, name, roots)
    if file is not None:
        with contextlib.suppress(OSError, ValueError):
            header = read_gguf_header(file)
    base = info.architecture or Architecture()
    if header is None:
        info.architecture = base.model_copy(update={"quantization": gguf_quantization(name)})
        return None
    gguf = architecture_from_gguf(header, name)
    known = {key: getattr(gguf, key) for key in Architecture.model_fields if getattr(gguf, key) is not None}
    info.architecture = base.model_copy(update=known)
    info.parameter_count = header.parameter_count or None
    return context_length_from_gguf(header)


def _read_config(path: Path, roots: Sequence[Path]) -> tuple[dict[str, Any] | None, str | None]:
    if not (path / "config.json").is_file():
        return None, None
    config_path = model_file(path, "config.json", roots)
    if config_path is None:
        return None, "config.json links outside the folders models may be read from"
    try:
        text = config_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, f"cannot read config.json: {exc}"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"config.json is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
    if not isinstance(data, dict):
        return None, "config.json must hold a JSON object"
    return data, None


def _inspect_weights(path: Path, info: FolderInfo, roots: Sequence[Path]) -> None:
    # Top level only: engines load the top-level weights, and repos often carry
    # other copies in sub-folders (onnx/, original/) that are not this model.
    try:
        entries = sorted(p for p in path.iterdir() if not p.name.startswith(".") and p.is_file())
    except OSError:
        return
    safetensors = [p for p in entries if p.name.endswith(".safetensors")]
    gguf = [p for p in entries if p.name.endswith(".gguf")]
    if safetensors:
        info.formats.append(ModelFormat.SAFETENSORS)
    if gguf:
        info.formats.append(ModelFormat.GGUF)
    for weight in [*safetensors, *gguf]:
        info.weight_files.append(weight.name)
        with contextlib.suppress(OSError):
            info.size_bytes += weight.stat().st_size

    quantization = quantization_from_config(info.config) if info.config else None
    packed_bits = quantization.bits if quantization and quantization.bits else 4
    total = 0
    for weight in safetensors:
        try:
            total += safetensors_parameter_count(weight, packed_bits)
        except (OSError, ValueError) as exc:
            info.header_errors[weight.name] = str(exc)
    # A count over part of the shards would be confidently wrong; none is better.
    info.parameter_count = total if safetensors and not info.header_errors else None
    info.missing_shards = _missing_shards(path, roots)


def read_safetensors_header(file: Path) -> dict[str, Any]:
    """The JSON header of a safetensors file: 8 bytes of little-endian length,
    then that many bytes of JSON. Tensors are not read. Raises ValueError for
    anything that is not a well-formed header."""
    size = file.stat().st_size
    with file.open("rb") as fh:
        prefix = fh.read(8)
        if len(prefix) < 8:
            raise ValueError("file is shorter than the 8-byte safetensors header length")
        (length,) = struct.unpack("<Q", prefix)
        if length == 0 or length > SAFETENSORS_HEADER_MAX_BYTES or length > size - 8:
            raise ValueError(f"header length {length} does not fit a {size}-byte file")
        raw = fh.read(length)
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"header is not valid JSON: {exc}") from None
    if not isinstance(header, dict):
        raise ValueError("header is not a JSON object")
    return header


# Tensors a quantized checkpoint stores beside its weights (scales, zero points, AWQ/GPTQ's qzeros
# and g_idx, bitsandbytes' quantization state): storage, not parameters of the model.
_QUANT_STATE_SUFFIXES = (
    ".qzeros",
    ".scales",
    ".g_idx",
    "_scale",
    "_scale_inv",
    "_zero_point",
    ".weight_shape",
    ".absmax",
    ".quant_map",
    ".nested_absmax",
    ".nested_quant_map",
)


def safetensors_parameter_count(file: Path, packed_bits: int = 4) -> int:
    """The parameters of the tensors in `file`: their element counts, where a packed tensor holds
    several parameters per element (AWQ/GPTQ `qweight` and compressed-tensors `weight_packed`:
    32 / `packed_bits` per int32; bitsandbytes 4-bit: 2 per uint8) and quantization state counts none.
    An FP8 tensor holds one parameter per element, like a 16-bit one."""
    header = read_safetensors_header(file)
    total = 0
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        shape = entry.get("shape") if isinstance(entry, dict) else None
        if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
            raise ValueError(f"tensor '{name}' has no valid shape")
        if name.endswith(_QUANT_STATE_SUFFIXES) or ".quant_state." in name:
            continue
        count = 1
        for dim in shape:
            count *= dim
        dtype = entry.get("dtype")
        if dtype == "I32" and name.endswith((".qweight", ".weight_packed")) and packed_bits in (2, 4, 8):
            count *= 32 // packed_bits
        elif dtype == "U8" and any(f"{name}.quant_state.bitsandbytes__{kind}" in header for kind in ("nf4", "fp4")):
            count *= 2
        total += count
    return total


def _missing_shards(path: Path, roots: Sequence[Path]) -> list[str]:
    # An interrupted download of a sharded model leaves some shards out; the
    # index names them all, so we can tell before an engine fails to load it.
    index = model_file(path, "model.safetensors.index.json", roots)
    if index is None:
        return []
    try:
        weight_map = json.loads(index.read_text(encoding="utf-8")).get("weight_map") or {}
    except (OSError, ValueError, AttributeError):
        return []
    return sorted({f for f in weight_map.values() if isinstance(f, str) and not (path / f).is_file()})


def guess_capability(config: dict[str, Any], name_hint: str = "", *, sentence_transformers: bool = False) -> Capability:
    architectures = [a for a in config.get("architectures") or [] if isinstance(a, str)]
    hint = name_hint.lower()
    for arch in architectures:
        if arch.endswith("ForSequenceClassification"):
            labels = config.get("num_labels")
            if labels is None and isinstance(config.get("id2label"), dict):
                labels = len(config["id2label"])
            if labels == 1 or "rerank" in hint or "rerank" in arch.lower():
                return Capability.RERANK
        if arch.endswith(("ForConditionalGeneration", "ForImageTextToText")) and isinstance(
            config.get("vision_config"), dict
        ):
            return Capability.IMAGE_TEXT_TO_TEXT
    # sentence-transformers' own files beat the architecture name: embedding
    # models built on decoders (Qwen3-Embedding) still say "ForCausalLM".
    if sentence_transformers:
        return Capability.EMBEDDING
    for arch in architectures:
        if arch.endswith("ForCausalLM"):
            return Capability.TEXT_TO_TEXT
        if arch in ENCODER_ARCHITECTURES:
            return Capability.EMBEDDING
    return Capability.TEXT_TO_TEXT


def _is_sentence_transformers(path: Path) -> bool:
    return (path / "modules.json").is_file() or (path / "config_sentence_transformers.json").is_file()


def _read_readme(readme: Path | None) -> str | None:
    if readme is None:
        return None
    try:
        with readme.open("rb") as fh:
            raw = fh.read(README_MAX_BYTES)
    except OSError:
        return None
    return raw.decode("utf-8", errors="replace")


_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(\r?\n|\Z)", re.DOTALL)
_LICENSE_LINE = re.compile(r"^license:[ \t]*(.+?)[ \t]*$", re.MULTILINE)


def license_from_card(card: str) -> str | None:
    """`license:` from a model card's YAML front matter. A regex, not a YAML
    parser: the key is a scalar on one line on every Hugging Face card, and a
    malformed card must not break listing."""
    match = _FRONT_MATTER.match(card)
    if not match:
        return None
    line = _LICENSE_LINE.search(match.group(1))
    if not line:
        return None
    value = line.group(1).split(" #", 1)[0].strip().strip("'\"").strip()
    return value or None


def _has_chat_template(path: Path, roots: Sequence[Path]) -> bool:
    # transformers 5 writes chat_template.jinja; older tokenizers keep it in
    # tokenizer_config.json; processors (VLMs) use chat_template.json.
    if model_file(path, "chat_template.jinja", roots) or model_file(path, "chat_template.json", roots):
        return True
    tokenizer_config = model_file(path, "tokenizer_config.json", roots)
    if tokenizer_config is None:
        return False
    try:
        data = json.loads(tokenizer_config.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and bool(data.get("chat_template"))


# ---- validation ---------------------------------------------------------------


def _resolve_user_path(path: Path, allowed_roots: list[Path]) -> Path:
    """Relative paths are taken relative to the first allowed root (the
    Jupyter root folder in practice), which is what a user typing a path
    seen in the file browser means."""
    expanded = path.expanduser()
    if not expanded.is_absolute():
        if not allowed_roots:
            raise InvalidInput.field("path", f"'{path}' is not an absolute path; enter the full path of the folder")
        expanded = allowed_roots[0].expanduser() / expanded
    return expanded


def validate_folder(path: Path, allowed_roots: list[Path]) -> FolderInfo:
    """Check that `path` is a model folder a user may register, and inspect it.

    `~` is expanded and a relative path is resolved against the first allowed
    root. The returned FolderInfo has the fully resolved path (symlinks
    followed), which is what must be stored: the check was made on it.
    Raises InvalidInput on the field "path" with a message saying what to fix.
    """
    roots = [root.expanduser().resolve() for root in allowed_roots]
    try:
        candidate = _resolve_user_path(path, allowed_roots)
        resolved = candidate.resolve()  # follows every symlink, so a link cannot escape the roots
        # The root check comes before the existence check so that the answer does
        # not reveal whether a path outside the allowed roots exists.
        if not within(resolved, roots):
            listed = ", ".join(str(r) for r in roots) or "(none configured)"
            raise InvalidInput.field(
                "path",
                f"{candidate} is outside the folders models can be registered from: {listed}"
                + (f" (it resolves to {resolved})" if resolved != candidate else ""),
            )
        exists, is_dir = resolved.exists(), resolved.is_dir()
    except (OSError, ValueError, RuntimeError) as exc:  # a name too long, a NUL byte, ~nobody
        raise InvalidInput.field("path", f"not a path this file system can open ({exc})") from None
    if not exists:
        raise InvalidInput.field("path", f"{candidate} does not exist")
    if not is_dir:
        raise InvalidInput.field(
            "path", f"{candidate} is a file, not a folder; enter the folder that holds config.json"
        )

    info = inspect_folder(resolved, roots=roots)
    if info.config is None and info.config_error is None:
        raise InvalidInput.field("path", f"{candidate} has no config.json; a Hugging Face model folder needs one")
    if info.config_error is not None:
        raise InvalidInput.field("path", f"{candidate}: {info.config_error}")
    if not info.has_weights:
        raise InvalidInput.field("path", f"{candidate}: no weights found: expected *.safetensors or *.gguf files")
    if info.header_errors:
        name, problem = next(iter(info.header_errors.items()))
        raise InvalidInput.field("path", f"{candidate}: {name} is not a valid safetensors file ({problem})")
    for name in (n for n in info.weight_files if n.endswith(".gguf")):
        try:
            read_gguf_header(resolved / name)
        except (OSError, ValueError) as exc:
            raise InvalidInput.field(
                "path", f"{candidate}: {name} is not a GGUF file llama.cpp can load ({exc})"
            ) from None
    if info.missing_shards:
        shown = ", ".join(info.missing_shards[:3]) + (" ..." if len(info.missing_shards) > 3 else "")
        raise InvalidInput.field(
            "path", f"{candidate} is incomplete: model.safetensors.index.json names missing shards: {shown}"
        )
    return info


__all__ = [
    "FolderInfo",
    "architecture_from_config",
    "context_length_from_config",
    "folder_roots",
    "guess_capability",
    "inspect_folder",
    "license_from_card",
    "model_file",
    "read_safetensors_header",
    "safetensors_parameter_count",
    "validate_folder",
    "within",
]
