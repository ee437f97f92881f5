"""The child process that turns a Hugging Face folder into one quantized GGUF file: llama.cpp's own
converter (convert_hf_to_gguf.py, which scripts/setup unpacks from the llama-cpp-python source
beside the venv) writes F16 or BF16, then llama.cpp's quantizer (`llama_model_quantize`, through
llama-cpp-python) writes the level asked for.

Run as `python -m aqua_ext.backends.local.llama_convert SOURCE OUTFILE --level Q4_K_M --converter DIR`, or with
`--lora-base CONFIG_DIR` (and no level) to turn a PEFT LoRA adapter folder into a GGUF adapter with llama.cpp's
convert_lora_to_gguf.py (F16; CONFIG_DIR holds the base's config.json, which the converter reads).
It prints `@@progress <fraction> <message>` lines on stdout; the converter's and the quantizer's
logs go to stderr, whose end is the reason when it fails. The parent (llama_gguf.py) writes into a
folder of its own and removes it when this process fails, so nothing here cleans up.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import runpy
import sys
from pathlib import Path
from typing import Any, get_args

from ...api.models import GgufLevel
from ..child_env import PROGRESS_PREFIX
from ..model_config import GGUF_FILE_TYPES

# What the converter writes before the quantizer runs: 16-bit floats, which every level starts from
# (llama.cpp's quantizer reads F16 and BF16); the F16 and BF16 levels are this file as it is.
CONVERTER_OUTTYPE = {"BF16": "bf16"}
LORA_CONVERTER = "convert_lora_to_gguf.py"
# llama_ftype (llama.h) of each level a model converts to.
LEVEL_FTYPES = {name: code for code, name in GGUF_FILE_TYPES.items() if name in get_args(GgufLevel)}


def report(fraction: float, message: str) -> None:
    print(f"{PROGRESS_PREFIX}{fraction:.2f} {message}", flush=True)


def _byte_level_bpe(folder: Path) -> bool:
    """tokenizer.json splits text as GPT-2 does: a byte-level BPE whose pre-tokenizer is ByteLevel with
    GPT-2's regular expression, which is what llama.cpp's "gpt-2" pre-tokenizer implements."""
    try:
        tokenizer = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    pre = tokenizer.get("pre_tokenizer") or {}
    model = tokenizer.get("model") or {}
    return model.get("type") == "BPE" and pre.get("type") == "ByteLevel" and pre.get("use_regex", True) is True


def _accept_gpt2_pre_tokenizer(converter: Path) -> None:
    """The converter names a BPE tokenizer's pre-tokenizer from a hash of how it splits a test text,
    and refuses a tokenizer it has no hash for (a tokenizer trained locally, as the demo model's is).
    A plain GPT-2 byte-level split is llama.cpp's "gpt-2" whatever its vocabulary, so that one is named;
    any other unknown tokenizer is still refused with the converter's own reason."""
    from conversion import base  # the converter's package, importable once its folder is on sys.path

    original = base.TextModel.get_vocab_base_pre

    def get_vocab_base_pre(self: Any, tokenizer: Any) -> str:
        try:
            return str(original(self, tokenizer))
        except NotImplementedError:
            if _byte_level_bpe(Path(self.dir_model)):
                return "gpt-2"
            raise

    base.TextModel.get_vocab_base_pre = get_vocab_base_pre


def _run_script(script: Path, args: list[str], written: Path, name: str) -> None:
    """Run one of llama.cpp's converter scripts in this process, as `python script args…` would (its folders
    already on sys.path); a RuntimeError naming `name` when it did not write `written`."""
    argv = sys.argv
    sys.argv = [str(script), *args]
    try:
        runpy.run_path(str(script), run_name="__main__")
    except SystemExit as exc:  # the converter ends with sys.exit on bad input: that is a failure
        if exc.code not in (0, None):
            raise
    finally:
        sys.argv = argv
    if not written.is_file():
        raise RuntimeError(f"the {name} wrote no GGUF file ({written.name})")


def convert(source: Path, outfile: Path, level: str, converter: Path) -> Path:
    """Run llama.cpp's converter on `source`; the 16-bit GGUF file it wrote."""
    script = converter / "convert_hf_to_gguf.py"
    sys.path[:0] = [str(converter), str(converter / "gguf-py")]
    _accept_gpt2_pre_tokenizer(converter)
    outtype = CONVERTER_OUTTYPE.get(level, "f16")
    written = outfile if level in ("F16", "BF16") else outfile.with_name(outfile.stem + f".{outtype}.tmp.gguf")
    _run_script(script, [str(source), "--outfile", str(written), "--outtype", outtype], written, "converter")
    return written


def convert_lora(adapter: Path, outfile: Path, base_config: Path, converter: Path) -> None:
    """Run llama.cpp's LoRA converter on the PEFT folder `adapter`; it writes `outfile` (F16)."""
    script = converter / LORA_CONVERTER
    sys.path[:0] = [str(converter), str(converter / "gguf-py")]
    args = ["--base", str(base_config), "--outfile", str(outfile), "--outtype", "f16", str(adapter)]
    _run_script(script, args, outfile, "LoRA converter")


def quantize(source: Path, outfile: Path, level: str) -> None:
    """llama.cpp's quantizer, as llama-quantize runs it, from `source` to `outfile` at `level`."""
    import llama_cpp

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = LEVEL_FTYPES[level]
    params.nthread = max(1, os.cpu_count() or 1)
    code = llama_cpp.llama_model_quantize(str(source).encode(), str(outfile).encode(), ctypes.byref(params))
    if code != 0 or not outfile.is_file():
        raise RuntimeError(f"llama.cpp's quantizer failed (code {code}) writing {level}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aqua_ext.backends.local.llama_convert")
    parser.add_argument("source", type=Path, help="the Hugging Face folder (config.json, safetensors, tokenizer)")
    parser.add_argument("outfile", type=Path, help="the GGUF file to write")
    parser.add_argument("--level", choices=sorted(LEVEL_FTYPES))
    parser.add_argument("--converter", type=Path, required=True, help="the folder with convert_hf_to_gguf.py")
    parser.add_argument(
        "--lora-base", type=Path, help="SOURCE is a PEFT LoRA adapter; this folder has its base's config"
    )
    args = parser.parse_args(argv)
    # Set before the converter imports transformers: it must read the folder only, never a hub.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    if args.lora_base is not None:
        report(0.05, "Converting the LoRA adapter to GGUF with llama.cpp's converter")
        convert_lora(args.source, args.outfile, args.lora_base, args.converter)
        report(0.95, "Written")
        return 0
    if args.level is None:
        parser.error("--level is required (or --lora-base for an adapter)")
    report(0.05, "Converting to GGUF with llama.cpp's converter")
    written = convert(args.source, args.outfile, args.level, args.converter)
    if written != args.outfile:
        report(0.6, f"Quantizing to {args.level}")
        try:
            quantize(written, args.outfile, args.level)
        finally:
            written.unlink(missing_ok=True)
    report(0.95, "Written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
