"""llama.cpp on this machine: where its server and its converter are, and converting a Hugging Face
folder to a quantized GGUF folder in a child process (with progress).

scripts/setup builds llama-cpp-python from its source with llama.cpp's tools, so the [local] venv holds
`llama-server` and the quantizer beside the Python binding, and unpacks llama.cpp's converter
(convert_hf_to_gguf.py, its conversion/ package and the gguf-py it is written against) from the same
source into <venv>/share/aqua_ext/llama.cpp. A llama-server on PATH (a user's own build, Homebrew) wins.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import re
import shutil
import sys
import uuid
from collections.abc import Mapping
from pathlib import Path

from ...errors import InsufficientStorage, InvalidInput, Upstream, says_disk_full
from ..child_env import child_environment, run_module
from ..operations import Progress

LLAMA_SERVER = "llama-server"
CONVERTER_ENV = "AQUA_EXT_LLAMA_CPP_CONVERTER"  # a llama.cpp checkout's folder, to use its converter instead
CONVERTER_SCRIPT = "convert_hf_to_gguf.py"
LORA_CONVERTER_SCRIPT = "convert_lora_to_gguf.py"  # unpacked beside it
# What a GGUF folder keeps of its source beside the .gguf file: registration reads config.json, and the
# card, tokenizer and chat template are what a user looks at (llama.cpp reads only the .gguf file).
KEPT_FILES = (
    "config.json",
    "generation_config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "chat_template.jinja",
    "README.md",
)
_ERROR_LINE = re.compile(r"^(?:[\w.]+\.)?\w*(?:Error|Exception)\b.*")
_LOGGED_ERROR = re.compile(r"^ERROR:[\w.-]+:(.+)")  # Python logging's default format, as the converter logs


def _package_dir(name: str) -> Path | None:
    """The installed package's folder, found without importing it (llama_cpp loads its library on import)."""
    spec = importlib.util.find_spec(name)
    return Path(spec.origin).parent if spec is not None and spec.origin else None


def llama_server() -> str | None:
    """The llama-server to run: the one on PATH, else the one llama-cpp-python was built with."""
    on_path = shutil.which(LLAMA_SERVER)
    if on_path:
        return on_path
    package = _package_dir("llama_cpp")
    if package is None:
        return None
    # scikit-build-core installs llama.cpp's tools under site-packages/bin, beside the package.
    candidates = [package.parent / "bin" / LLAMA_SERVER, package / "bin" / LLAMA_SERVER]
    return next((str(c) for c in candidates if c.is_file() and os.access(c, os.X_OK)), None)


def server_environment(server: str, env: Mapping[str, str]) -> dict[str, str]:
    """What `server` needs in its environment: llama-cpp-python installs llama.cpp's tools without an
    rpath, so the one it built finds its libraries (site-packages/lib, beside bin/) through
    LD_LIBRARY_PATH. Nothing for another llama-server."""
    package = _package_dir("llama_cpp")
    if package is None or Path(server).parent != package.parent / "bin":
        return {}
    existing = env.get("LD_LIBRARY_PATH")
    return {"LD_LIBRARY_PATH": os.pathsep.join([str(package.parent / "lib"), *([existing] if existing else [])])}


def converter_dir() -> Path | None:
    """The folder holding llama.cpp's convert_hf_to_gguf.py, or None when it is not installed."""
    configured = os.environ.get(CONVERTER_ENV)
    folder = Path(configured) if configured else Path(sys.prefix) / "share" / "aqua_ext" / "llama.cpp"
    return folder if (folder / CONVERTER_SCRIPT).is_file() else None


def conversion_problem() -> str | None:
    """What this machine lacks to convert and quantize, or None."""
    if converter_dir() is None:
        return (
            f"llama.cpp's converter is not installed ({CONVERTER_SCRIPT}); run scripts/setup, "
            f"or point {CONVERTER_ENV} at a llama.cpp checkout"
        )
    missing = [m for m in ("llama_cpp", "torch", "transformers", "sentencepiece") if _package_dir(m) is None]
    if missing:
        return f"converting to GGUF needs {', '.join(missing)}: pip install 'aqua_ext[local]'"
    return None


def lora_conversion_problem() -> str | None:
    """What this machine lacks to convert a LoRA adapter to GGUF, or None."""
    converter = converter_dir()
    if converter is not None and not (converter / LORA_CONVERTER_SCRIPT).is_file():
        return f"llama.cpp's LoRA converter ({LORA_CONVERTER_SCRIPT}) is not installed; run scripts/setup again"
    return conversion_problem()


async def convert_lora(adapter: Path, base_config: Path, target: Path, progress: Progress) -> Path:
    """Write `target`, the GGUF file of the PEFT adapter folder `adapter` (llama.cpp's convert_lora_to_gguf.py;
    `base_config` holds the base's config.json). It appears whole (a rename) or not at all; Upstream with the
    converter's reason when it fails."""
    problem = lora_conversion_problem()
    if problem is not None:
        raise Upstream(f"Cannot convert the adapter {adapter.parent.name} for llama.cpp: {problem}")
    converter = converter_dir()
    assert converter is not None
    work = target.with_name(f".partial-{uuid.uuid4().hex[:8]}-{target.name}")  # still a .gguf name
    try:
        await _run_converter(
            [str(adapter), str(work), "--lora-base", str(base_config), "--converter", str(converter)],
            progress,
            f"Converting the adapter {adapter} to GGUF",
        )
        await asyncio.to_thread(os.replace, work, target)
    finally:
        await asyncio.to_thread(lambda: work.unlink(missing_ok=True))
    return target


async def _run_converter(args: list[str], progress: Progress, what: str) -> None:
    """llama_convert.py in a child process (offline); InsufficientStorage or Upstream with its reason."""
    code, tail, _ = await run_module(
        "aqua_ext.backends.local.llama_convert",
        args,
        progress,
        child_environment(HF_HUB_OFFLINE="1", HF_HUB_DISABLE_PROGRESS_BARS="1"),
        tail_lines=40,
    )
    if code != 0:
        if says_disk_full("\n".join(tail)):
            raise InsufficientStorage(f"{what} failed: the disk is full.")
        raise Upstream(f"{what} failed: {failure_reason(tail)}")


def gguf_name(source: Path, level: str) -> str:
    return f"{source.name}-{level}.gguf"


async def convert_folder(source: Path, target: Path, level: str, progress: Progress) -> Path:
    """Write `target` (a new folder): `source`'s config, tokenizer and card beside one GGUF file at
    `level`. All of it appears at once (one rename) or not at all: a failed or canceled conversion
    leaves nothing. Raises Upstream with the converter's or the quantizer's reason."""
    problem = conversion_problem()
    if problem is not None:
        raise InvalidInput.field("quantization", problem)
    converter = converter_dir()
    assert converter is not None
    work = target.parent / f".{target.name}.partial-{uuid.uuid4().hex[:8]}"
    try:
        await asyncio.to_thread(_copy_kept_files, source, work)
        await _run_converter(
            [str(source), str(work / gguf_name(source, level)), "--level", level, "--converter", str(converter)],
            progress,
            f"Converting {source.name} to GGUF {level}",
        )
        await asyncio.to_thread(os.replace, work, target)
    finally:
        await asyncio.to_thread(shutil.rmtree, work, True)
    return target / gguf_name(source, level)


def _copy_kept_files(source: Path, work: Path) -> None:
    work.mkdir(parents=True)
    for name in KEPT_FILES:
        if (source / name).is_file():
            shutil.copyfile(source / name, work / name)


def failure_reason(tail: list[str]) -> str:
    """The converter's reason: the exception that ended it, else the last error it logged before it
    exited ("ERROR:hf-to-gguf:Model X is not supported"), else its last lines."""
    lines = [line.strip() for line in tail]
    errors = [line for line in lines if _ERROR_LINE.match(line)]
    if errors:
        return errors[-1][:500]
    logged = [m.group(1) for m in map(_LOGGED_ERROR.match, lines) if m]
    return (logged[-1] if logged else " / ".join(lines[-3:]) or "no error output")[:500]
