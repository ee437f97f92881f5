"""The tiny demo models: a 140K-parameter Llama with random weights, built on
this machine with no download, so every flow (deploy, chat, fine-tune,
evaluate) can be tried offline in seconds; and its vision twin, a tiny Llava
(demo_vlm.py), for chat with images.

torch, transformers and tokenizers belong to the optional [local] extra and
are imported inside `generate_demo_model` only: the Jupyter server imports
this module to check readiness and to start the generation in a subprocess
(importing torch costs seconds and hundreds of MB we do not want in the
server process).

Run as `python -m aqua_ext.backends.local.demo_model [<target>] [--vision <target>]`.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import inspect
import json
import os
import shutil
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import InsufficientStorage, Unavailable, Upstream, says_disk_full
from ..child_env import PROGRESS_PREFIX, child_environment, run_module

if TYPE_CHECKING:
    from ..operations import Progress

DEMO_MODEL_ID = "demo:tiny-llama"
DEMO_VLM_ID = "demo:tiny-llava"
GENERATOR_VERSION = 1
MARKER_FILE = "aqua_ext_demo.json"

VOCAB_SIZE = 1024
BOS, EOS, PAD, IM_START, IM_END = "<|begin_of_text|>", "<|end_of_text|>", "<|pad|>", "<|im_start|>", "<|im_end|>"
SPECIAL_TOKENS = [BOS, EOS, PAD, IM_START, IM_END]
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

# Training text for the tokenizer: docstrings of these standard-library
# modules, in this order. Fixed so the vocabulary is the same on every
# machine with the same Python, and local so nothing is downloaded.
CORPUS_MODULES = (
    "abc",
    "argparse",
    "array",
    "asyncio",
    "base64",
    "bisect",
    "calendar",
    "collections",
    "contextlib",
    "copy",
    "csv",
    "dataclasses",
    "datetime",
    "decimal",
    "difflib",
    "enum",
    "fractions",
    "functools",
    "gzip",
    "hashlib",
    "heapq",
    "hmac",
    "html",
    "http.client",
    "inspect",
    "io",
    "ipaddress",
    "itertools",
    "json",
    "logging",
    "math",
    "operator",
    "os",
    "pathlib",
    "pickle",
    "pprint",
    "queue",
    "random",
    "re",
    "sched",
    "secrets",
    "shlex",
    "shutil",
    "socket",
    "statistics",
    "string",
    "struct",
    "subprocess",
    "tarfile",
    "tempfile",
    "textwrap",
    "threading",
    "time",
    "timeit",
    "typing",
    "unittest",
    "urllib.parse",
    "uuid",
    "warnings",
    "weakref",
    "zipfile",
)

README = """\
---
license: apache-2.0
library_name: transformers
pipeline_tag: text-generation
tags:
- demo
- random-weights
---

# Demo tiny Llama (random weights)

This model was generated on this machine by aqua_ext, with no download.

- **Random weights.** It was never trained: it produces gibberish. Do not use
  its answers for anything.
- **About 140K parameters** (a Llama with 2 layers, hidden size 64, 4
  attention heads, 2 key/value heads, 512 positions), about 560 KB on disk.
- **Tokenizer**: a byte-level BPE with 1,024 tokens, trained on Python
  standard-library docstrings, with ChatML special tokens and chat template.

It exists so that every flow (deploy, chat, fine-tune, evaluate) can be tried
offline in seconds, on a laptop CPU, before spending time and memory on a real
model.
"""

ProgressCallback = Callable[[float, str], None]


def _partial_dir(target: Path, pid: int) -> Path:
    # Named by the generating process's pid so the parent can clean up after
    # a child it had to kill, without touching a concurrent generation's work.
    return target.parent / f".{target.name}.partial-{pid}"


def _previous_dir(target: Path, pid: int) -> Path:
    return target.parent / f".{target.name}.previous-{pid}"


def demo_is_ready(folder: Path) -> bool:
    """True when a complete demo model is in `folder` (the marker is written
    last, and the folder only appears once complete)."""
    marker = folder / MARKER_FILE
    if not (marker.is_file() and (folder / "config.json").is_file() and (folder / "model.safetensors").is_file()):
        return False
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("generator_version") == GENERATOR_VERSION


def training_corpus() -> list[str]:
    """Docstrings of CORPUS_MODULES and their public members, in a fixed order."""
    with warnings.catch_warnings():
        # Reading typing.io / typing.re docs warns about their deprecation; irrelevant here.
        warnings.simplefilter("ignore", DeprecationWarning)
        return _collect_docstrings()


def _collect_docstrings() -> list[str]:
    texts: list[str] = []
    for module_name in CORPUS_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:  # a stripped-down Python; the rest still makes a corpus
            continue
        doc = inspect.getdoc(module)
        if doc:
            texts.append(doc)
        for name in sorted(vars(module)):
            if name.startswith("_"):
                continue
            member = getattr(module, name, None)
            if not (inspect.isclass(member) or inspect.isfunction(member) or inspect.isbuiltin(member)):
                continue
            doc = inspect.getdoc(member)
            if doc and doc not in texts[-1:]:
                texts.append(doc)
    return texts


def generate_demo_model(
    target: Path, seed: int = 0, report: ProgressCallback | None = None, *, vision: bool = False
) -> None:
    """Build the demo model (`vision`: the tiny Llava) and move it to `target` in one rename, so a
    crash never leaves a half model there. An existing `target` is replaced."""

    def say(fraction: float, message: str) -> None:
        if report is not None:
            report(fraction, message)

    say(0.05, "Loading torch and transformers")
    importlib.import_module("transformers")  # the seconds this step takes
    target = target.expanduser().absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    work = _partial_dir(target, os.getpid())
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        say(0.35, "Training the tokenizer on standard-library docstrings")
        if vision:
            from . import demo_vlm

            demo_vlm.build(work, seed, say)
        else:
            _build_llama(work, seed, say)
        (work / MARKER_FILE).write_text(
            json.dumps(
                {"generator_version": GENERATOR_VERSION, "seed": seed, **({"kind": "vision"} if vision else {})},
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
        _fix_modes(work)
        _move_into_place(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    say(1.0, "Done")


def train_tokenizer(special_tokens: list[str], **extra: Any) -> tuple[Any, dict[str, int]]:
    """The byte-level BPE of both demo models (`extra`: more PreTrainedTokenizerFast arguments) and
    the ids of its special tokens."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    backend = Tokenizer(models.BPE())
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        special_tokens=special_tokens,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    backend.train_from_iterator(training_corpus(), trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend, bos_token=BOS, eos_token=EOS, pad_token=PAD, model_max_length=512, **extra
    )
    ids = {token: backend.token_to_id(token) for token in special_tokens}
    return tokenizer, {token: i for token, i in ids.items() if i is not None}


def text_config(ids: dict[str, int]) -> Any:
    """The Llama of the text demo, and the language model of the vision one."""
    from transformers import LlamaConfig

    return LlamaConfig(
        vocab_size=VOCAB_SIZE,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        tie_word_embeddings=True,
        bos_token_id=ids[BOS],
        eos_token_id=ids[EOS],
        pad_token_id=ids[PAD],
    )


def generation_config(ids: dict[str, int]) -> Any:
    # Greedy by default: with random weights sampling only adds noise, and
    # greedy output is reproducible in tests. <|im_end|> ends a chat turn.
    from transformers import GenerationConfig

    return GenerationConfig(
        do_sample=False,
        max_new_tokens=64,
        bos_token_id=ids[BOS],
        eos_token_id=[ids[EOS], ids[IM_END]],
        pad_token_id=ids[PAD],
    )


def _build_llama(work: Path, seed: int, say: ProgressCallback) -> None:
    import torch
    from transformers import LlamaForCausalLM

    tokenizer, ids = train_tokenizer(SPECIAL_TOKENS)
    tokenizer.chat_template = CHAT_TEMPLATE
    say(0.6, "Building the model")
    torch.manual_seed(seed)
    model = LlamaForCausalLM(text_config(ids))
    model.generation_config = generation_config(ids)
    say(0.8, "Saving")
    model.save_pretrained(work)
    tokenizer.save_pretrained(work)
    (work / "README.md").write_text(README, encoding="utf-8")


def _fix_modes(folder: Path) -> None:
    # transformers writes model.safetensors 0600; other users (an engine run
    # as another account, a shared models folder) must be able to read it.
    folder.chmod(0o755)
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def _move_into_place(work: Path, target: Path) -> None:
    if not target.exists():
        os.replace(work, target)
        return
    # os.replace cannot put a folder over a non-empty one: set the old one
    # aside first, and delete it only once the new one is in place.
    previous = _previous_dir(target, os.getpid())
    shutil.rmtree(previous, ignore_errors=True)
    os.replace(target, previous)
    try:
        os.replace(work, target)
    except BaseException:
        os.replace(previous, target)
        raise
    shutil.rmtree(previous, ignore_errors=True)


def _cleanup_after_child(target: Path, pid: int) -> None:
    """Undo what a killed child left: its work folder, and, if it died
    between the two renames of _move_into_place, the previous model."""
    shutil.rmtree(_partial_dir(target, pid), ignore_errors=True)
    previous = _previous_dir(target, pid)
    if previous.exists():
        if target.exists():
            shutil.rmtree(previous, ignore_errors=True)
        else:
            os.replace(previous, target)


def _missing_local_extra() -> list[str]:
    return [name for name in ("torch", "transformers", "tokenizers") if importlib.util.find_spec(name) is None]


async def generate_in_subprocess(target: Path | None, progress: Progress, *, vision: Path | None = None) -> None:
    """Generate the demo model into `target` and/or the vision demo into `vision`, in one child
    Python process (torch is imported once for both).

    Raises Unavailable when the [local] extra is not installed, Upstream with
    the end of the child's stderr when it fails. On cancel the child is
    killed and its partial output removed before CancelledError propagates.
    """
    missing = _missing_local_extra()
    if missing:
        raise Unavailable("The demo model needs the local extra: pip install 'aqua_ext[local]'")

    targets = [t.expanduser().absolute() for t in (target, vision) if t is not None]
    args = [str(targets[0])] if target is not None else []
    if vision is not None:
        args += ["--vision", str(targets[-1])]

    def cleanup(pid: int) -> None:
        for folder in targets:
            _cleanup_after_child(folder, pid)

    progress.update(progress=0.01, message="Starting the generator")
    code, stderr_tail, pid = await run_module(
        __name__,
        args,
        progress,
        child_environment(HF_HUB_OFFLINE="1", HF_HUB_DISABLE_PROGRESS_BARS="1"),
        on_abort=cleanup,
    )
    if code != 0:
        await asyncio.to_thread(cleanup, pid)
        detail = "\n".join(stderr_tail[-8:]) or "no error output"
        if says_disk_full(detail):  # the child removed its partial folder
            raise InsufficientStorage(f"Generating the demo model failed: the disk is full.\n{detail}")
        raise Upstream(f"Generating the demo model failed (exit code {code}):\n{detail}")
    for folder in targets:
        if not demo_is_ready(folder):
            raise Upstream(f"The demo model generator exited without writing a complete model to {folder}.")
    progress.update(progress=1.0, message="Demo model ready")


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m aqua_ext.backends.local.demo_model", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("target", type=Path, nargs="?", help="folder to create (replaced if it exists)")
    parser.add_argument("--vision", type=Path, help="folder for the vision demo (replaced if it exists)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.target is None and args.vision is None:
        parser.error("give a target, --vision, or both")
    # Set here, not in generate_demo_model: huggingface_hub freezes these at
    # import, so setting them inside a long-lived process (a test run, the
    # server) would switch it offline for good.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing here should touch the network; make sure of it
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # tqdm bars would only clutter the error tail

    jobs = [(folder, kind) for folder, kind in ((args.target, False), (args.vision, True)) if folder is not None]
    for index, (folder, vision) in enumerate(jobs):
        # Each model's progress in its share of the whole.
        def report(fraction: float, message: str, index: int = index) -> None:
            print(f"{PROGRESS_PREFIX}{(index + fraction) / len(jobs):.2f} {message}", flush=True)

        generate_demo_model(folder, seed=args.seed, report=report, vision=vision)
    return 0


if __name__ == "__main__":
    sys.exit(main())
