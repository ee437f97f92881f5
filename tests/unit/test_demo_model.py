"""The offline demo model: generation (in process and in a subprocess), cancel,
and that transformers can load and run what we write."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aqua_ext.api.operations import OperationState
from aqua_ext.backends.local import demo_model
from aqua_ext.backends.local.demo_model import (
    DEMO_MODEL_ID,
    MARKER_FILE,
    demo_is_ready,
    generate_demo_model,
    generate_in_subprocess,
)
from aqua_ext.backends.local.model_folder import validate_folder
from aqua_ext.errors import Unavailable
from aqua_ext.services.operations import OperationRegistry
from tests.child_faults import in_children
from tests.model_folders import needs_local_extra

EXPECTED_FILES = {
    "README.md",
    MARKER_FILE,
    "chat_template.jinja",
    "config.json",
    "generation_config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
}


# ---- no torch needed ---------------------------------------------------------------


def test_server_side_imports_stay_light() -> None:
    # The Jupyter server imports these modules; torch and transformers must only load in the children.
    code = (
        "import sys; import aqua_ext.backends.local.demo_model, aqua_ext.backends.huggingface.download, "
        "aqua_ext.backends.local.hf_cache, aqua_ext.backends.local.model_folder; "
        "print(sorted(m for m in ('torch', 'transformers', 'tokenizers') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert out.stdout.strip() == "[]"


def test_missing_local_extra_is_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        demo_model.importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real(name, *a)
    )

    class Progress:
        def update(self, **_: object) -> None:
            raise AssertionError("nothing should start")

    with pytest.raises(Unavailable) as exc:
        asyncio.run(generate_in_subprocess(tmp_path / "demo", Progress()))  # type: ignore[arg-type]
    assert exc.value.message == "The demo model needs the local extra: pip install 'aqua_ext[local]'"
    assert not (tmp_path / "demo").exists()


def test_demo_is_ready_needs_marker_config_and_weights(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    assert not demo_is_ready(folder)
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    (folder / "model.safetensors").write_bytes(b"x")
    assert not demo_is_ready(folder)
    (folder / MARKER_FILE).write_text("{not json")
    assert not demo_is_ready(folder)
    (folder / MARKER_FILE).write_text(json.dumps({"generator_version": 999, "seed": 0}))
    assert not demo_is_ready(folder)  # made by another generator version: regenerate
    (folder / MARKER_FILE).write_text(json.dumps({"generator_version": 1, "seed": 0}))
    assert demo_is_ready(folder)
    (folder / "model.safetensors").unlink()
    assert not demo_is_ready(folder)


def test_training_corpus_is_local_and_deterministic() -> None:
    first, second = demo_model.training_corpus(), demo_model.training_corpus()
    assert first == second and sum(map(len, first)) > 100_000
    assert DEMO_MODEL_ID == "demo:tiny-llama"


# ---- generation (torch) -------------------------------------------------------------


@pytest.mark.engine
@needs_local_extra
def test_files_modes_and_marker(demo_model_dir: Path) -> None:
    assert {p.name for p in demo_model_dir.iterdir()} == EXPECTED_FILES
    assert all(p.stat().st_mode & 0o777 == 0o644 for p in demo_model_dir.iterdir())
    assert json.loads((demo_model_dir / MARKER_FILE).read_text()) == {"generator_version": 1, "seed": 0}
    assert demo_is_ready(demo_model_dir)
    assert [p.name for p in demo_model_dir.parent.iterdir()] == ["tiny"]  # no partial folder left beside it
    readme = (demo_model_dir / "README.md").read_text()
    assert "random weights" in readme.lower() and "gibberish" in readme and "offline" in readme


@pytest.mark.engine
@needs_local_extra
def test_folder_inspection_of_the_demo(demo_model_dir: Path) -> None:
    info = validate_folder(demo_model_dir, [demo_model_dir.parent])
    assert info.parameter_count == 139_584
    assert info.context_length == 512 and info.has_chat_template and info.license == "apache-2.0"
    assert info.architecture is not None and info.architecture.model_type == "llama"
    assert info.architecture.num_key_value_heads == 2 and info.architecture.torch_dtype == "float32"


@pytest.mark.engine
@needs_local_extra
def test_transformers_loads_generates_and_chats(demo_model_dir: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(demo_model_dir)
    model = AutoModelForCausalLM.from_pretrained(demo_model_dir)
    assert (tokenizer.bos_token, tokenizer.eos_token, tokenizer.pad_token) == (
        "<|begin_of_text|>",
        "<|end_of_text|>",
        "<|pad|>",
    )
    assert len(tokenizer) == 1024
    assert model.generation_config.do_sample is False

    inputs = tokenizer("def hello(name):", return_tensors="pt")
    with torch.no_grad():
        out = model.generate(**inputs, max_new_tokens=5, min_new_tokens=5, do_sample=False)
    assert out.shape[1] == inputs["input_ids"].shape[1] + 5
    with torch.no_grad():
        again = model.generate(**inputs, max_new_tokens=5, min_new_tokens=5, do_sample=False)
    assert torch.equal(out, again)  # greedy: reproducible
    assert isinstance(tokenizer.decode(out[0], skip_special_tokens=True), str)

    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]
    text = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    assert text == "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    assert ids.count(tokenizer.convert_tokens_to_ids("<|im_start|>")) == 3


@pytest.mark.engine
@needs_local_extra
def test_same_seed_same_model_and_regeneration_replaces(tmp_path: Path, demo_model_dir: Path) -> None:
    target = tmp_path / "tiny"
    generate_demo_model(target, seed=0)
    for name in ("model.safetensors", "tokenizer.json", "config.json"):
        assert (target / name).read_bytes() == (demo_model_dir / name).read_bytes()
    generate_demo_model(target, seed=1)
    assert json.loads((target / MARKER_FILE).read_text())["seed"] == 1
    assert (target / "model.safetensors").read_bytes() != (demo_model_dir / "model.safetensors").read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["tiny"]


async def generate_as_an_operation(target: Path) -> tuple[OperationState, str | None, float | None]:
    registry = OperationRegistry()

    async def work(progress):  # type: ignore[no-untyped-def]
        await generate_in_subprocess(target, progress)
        return DEMO_MODEL_ID

    op = registry.start("generate-demo-model", "Generate", work)
    done = await registry.wait(op.id, timeout=120)
    return done.state, done.error, done.progress


@pytest.mark.engine
@needs_local_extra
def test_generate_in_subprocess_as_an_operation(tmp_path: Path) -> None:
    target = tmp_path / "models" / "demo"
    state, error, progress = asyncio.run(generate_as_an_operation(target))
    assert (state, error, progress) == (OperationState.SUCCEEDED, None, 1.0)
    assert demo_is_ready(target)
    assert [p.name for p in target.parent.iterdir()] == ["demo"]


@pytest.mark.engine
@needs_local_extra
def test_cancel_kills_the_generator_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "models" / "demo"

    async def run() -> OperationState:
        registry = OperationRegistry()

        async def work(progress):  # type: ignore[no-untyped-def]
            await generate_in_subprocess(target, progress)
            return DEMO_MODEL_ID

        op = registry.start("generate-demo-model", "Generate", work)
        deadline = time.monotonic() + 60
        # Wait until the child is writing its work folder, then cancel: the worst moment.
        while not (
            target.parent.is_dir() and any(p.name.startswith(".demo.partial-") for p in target.parent.iterdir())
        ):
            assert time.monotonic() < deadline and registry.get(op.id).state == OperationState.RUNNING
            await asyncio.sleep(0.02)
        return (await registry.cancel(op.id)).state

    assert asyncio.run(run()) == OperationState.CANCELED
    assert not target.exists()
    assert list((tmp_path / "models").iterdir()) == []


@pytest.mark.engine
@needs_local_extra
def test_generator_failure_is_upstream(tmp_path: Path) -> None:
    from aqua_ext.errors import Upstream

    blocker = tmp_path / "file"
    blocker.write_text("a file where the parent folder should be")

    class Progress:
        def update(self, **_: object) -> None:
            pass

    with pytest.raises(Upstream) as exc:
        asyncio.run(generate_in_subprocess(blocker / "demo", Progress()))  # type: ignore[arg-type]
    assert "exit code 1" in exc.value.message and "Error" in exc.value.message


@pytest.mark.engine
@needs_local_extra
def test_a_full_disk_while_generating_is_insufficient_storage_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The generator is a child process: its README.md write finds the disk full (after the weights).
    in_children(
        "import errno, pathlib\n"
        "_write_text = pathlib.Path.write_text\n"
        "def write_text(self, *args, **kwargs):\n"
        "    if self.name == 'README.md':\n"
        "        raise OSError(errno.ENOSPC, 'No space left on device', str(self))\n"
        "    return _write_text(self, *args, **kwargs)\n"
        "pathlib.Path.write_text = write_text\n",
        tmp_path,
        monkeypatch,
    )
    target = tmp_path / "models" / "demo"
    state, error, _ = asyncio.run(generate_as_an_operation(target))
    assert state == OperationState.FAILED and error is not None
    assert error.startswith("Generating the demo model failed: the disk is full"), error
    assert not target.exists() and (not target.parent.exists() or list(target.parent.iterdir()) == [])
