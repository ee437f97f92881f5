"""check_hub and download against a closed port, a black hole and a fake hub
(tests/fake_hf_hub.py) on 127.0.0.1: no real network."""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aqua_ext.api.models import ModelFormat
from aqua_ext.backends.huggingface import download as hf_download
from aqua_ext.backends.huggingface.download import RepoInfo, check_hub, download, format_bytes, select_files
from aqua_ext.backends.local.model_folder import validate_folder
from aqua_ext.errors import Conflict, InvalidInput, Upstream, UpstreamTimeout
from tests.child_faults import in_children
from tests.fake_hf_hub import FakeHub, FakeRepo

CONFIG = json.dumps(
    {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": 8,
        "num_hidden_layers": 1,
        "num_attention_heads": 2,
        "max_position_embeddings": 64,
    }
).encode()


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


WEIGHTS = safetensors_bytes({"embed": [64, 8], "norm": [8]})  # ~2 KB


class RecordingProgress:
    """Stands in for backends.operations.Progress."""

    def __init__(self) -> None:
        self.updates: list[tuple[float | None, str | None]] = []

    def update(self, *, progress: float | None = None, message: str | None = None) -> None:
        self.updates.append((progress, message))


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def isolated_hf_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # No saved token, no offline flag, and a throwaway cache for the child processes.
    for name in ("HF_TOKEN", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_CACHE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    with FakeHub() as fake:
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        fake.add_repo(
            FakeRepo(
                "org/tiny",
                {
                    "config.json": CONFIG,
                    "model.safetensors": WEIGHTS,
                    "README.md": b"---\nlicense: mit\n---\n# tiny\n",
                    "pytorch_model.bin": b"pickle" * 100,
                    "onnx/model.onnx": b"onnx",
                },
                license="mit",
            )
        )
        yield fake


def field_of(exc: pytest.ExceptionInfo[InvalidInput]) -> tuple[str, str]:
    assert exc.value.fields is not None
    return exc.value.fields[0].field, exc.value.fields[0].message


# ---- failing fast without a hub ----------------------------------------------


def test_closed_port_fails_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    endpoint = f"http://127.0.0.1:{closed_port()}"
    monkeypatch.setenv("HF_ENDPOINT", endpoint)
    start = time.monotonic()
    with pytest.raises(Upstream) as exc:
        asyncio.run(check_hub("org/tiny", None, None))
    assert time.monotonic() - start < 5
    assert endpoint in exc.value.message and "register a local folder" in exc.value.message
    assert "refused" in exc.value.message


def test_black_hole_is_bounded_by_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    # A listening socket that never accepts: connect succeeds (backlog), no answer ever comes.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{sock.getsockname()[1]}")
        start = time.monotonic()
        with pytest.raises(UpstreamTimeout) as exc:
            asyncio.run(check_hub("org/tiny", None, None, timeout=0.5))
        assert time.monotonic() - start < 5
    assert "no answer within" in exc.value.message


def test_offline_mode_fails_without_a_request(hub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(Upstream) as exc:
        asyncio.run(check_hub("org/tiny", None, None))
    assert "offline mode" in exc.value.message and hub.requests == []


# ---- check_hub against the fake hub ------------------------------------------


def test_check_hub_describes_the_repo(hub: FakeHub) -> None:
    info = asyncio.run(check_hub("org/tiny", None, None))
    assert info.sha == hub.repos["org/tiny"].sha
    assert info.files == ["README.md", "config.json", "model.safetensors"]  # no .bin, no sub-folders
    assert info.total_bytes == len(CONFIG) + len(WEIGHTS) + len(hub.repos["org/tiny"].files["README.md"])
    assert info.weight_format == ModelFormat.SAFETENSORS
    assert (info.license, info.pipeline_tag, info.author, info.gated) == ("mit", "text-generation", "org", False)
    method, path, _ = hub.requests[0]
    assert (method, path) == ("GET", "/api/models/org/tiny")


def test_check_hub_with_a_revision(hub: FakeHub) -> None:
    sha = hub.repos["org/tiny"].sha
    assert asyncio.run(check_hub("org/tiny", sha, None)).sha == sha
    assert hub.requests[-1][1] == f"/api/models/org/tiny/revision/{sha}"


def test_unknown_repo(hub: FakeHub) -> None:
    with pytest.raises(InvalidInput) as exc:
        asyncio.run(check_hub("org/nope", None, None))
    assert field_of(exc) == ("hf_id", "no such model on the Hugging Face hub (or it is private: add a token)")


def test_unknown_revision(hub: FakeHub) -> None:
    with pytest.raises(InvalidInput) as exc:
        asyncio.run(check_hub("org/tiny", "v9", None))
    field, message = field_of(exc)
    assert field == "revision" and "v9" in message


def test_repo_without_config_or_usable_weights(hub: FakeHub) -> None:
    hub.add_repo(FakeRepo("org/no-config", {"model.safetensors": WEIGHTS}))
    hub.add_repo(FakeRepo("org/pickles", {"config.json": CONFIG, "pytorch_model.bin": b"x"}))
    with pytest.raises(InvalidInput) as exc:
        asyncio.run(check_hub("org/no-config", None, None))
    assert field_of(exc)[0] == "hf_id" and "config.json" in field_of(exc)[1]
    with pytest.raises(InvalidInput) as exc:
        asyncio.run(check_hub("org/pickles", None, None))
    assert field_of(exc)[0] == "hf_id" and "*.safetensors or *.gguf" in field_of(exc)[1]


GATED_MESSAGE = "this model is gated: accept its terms on huggingface.co and enter a token with read access"


@pytest.mark.parametrize("info_too", [False, True])
def test_gated_repo_without_access(hub: FakeHub, info_too: bool) -> None:
    hub.add_repo(
        FakeRepo(
            "org/gated",
            {"config.json": CONFIG, "model.safetensors": WEIGHTS},
            gated=True,
            gated_info_too=info_too,
            valid_tokens={"hf_goodtoken123456"},
        )
    )
    with pytest.raises(InvalidInput) as exc:
        asyncio.run(check_hub("org/gated", None, None))
    assert field_of(exc) == ("token", GATED_MESSAGE)


def test_gated_repo_with_a_token_of_another_account(hub: FakeHub) -> None:
    hub.add_repo(
        FakeRepo(
            "org/gated",
            {"config.json": CONFIG, "model.safetensors": WEIGHTS},
            gated=True,
            valid_tokens={"hf_goodtoken123456"},
        )
    )
    hub.add_repo(FakeRepo("org/other", {"config.json": CONFIG}, valid_tokens={"hf_otheruser123456"}))
    with pytest.raises(InvalidInput) as exc:
        asyncio.run(check_hub("org/gated", None, "hf_otheruser123456"))  # valid token, no access: 403 GatedRepo
    assert field_of(exc) == ("token", GATED_MESSAGE)


def test_gated_repo_with_access(hub: FakeHub) -> None:
    hub.add_repo(
        FakeRepo(
            "org/gated",
            {"config.json": CONFIG, "model.safetensors": WEIGHTS},
            gated=True,
            valid_tokens={"hf_goodtoken123456"},
        )
    )
    info = asyncio.run(check_hub("org/gated", None, "hf_goodtoken123456"))
    assert info.gated and info.files == ["config.json", "model.safetensors"]
    assert hub.requests[-1][2] == "Bearer hf_goodtoken123456"


def test_rejected_token(hub: FakeHub) -> None:
    with pytest.raises(InvalidInput) as exc:
        asyncio.run(check_hub("org/tiny", None, "hf_wrongtoken123456"))
    assert field_of(exc) == ("token", "the token was rejected")


# ---- download ----------------------------------------------------------------


def test_download_end_to_end(hub: FakeHub, tmp_path: Path) -> None:
    target = tmp_path / "models" / "tiny"
    progress = RecordingProgress()

    async def run() -> RepoInfo:
        info = await check_hub("org/tiny", None, None)
        await download("org/tiny", None, None, target, info, progress)
        return info

    info = asyncio.run(run())
    assert sorted(p.name for p in target.iterdir()) == ["README.md", "config.json", "model.safetensors"]
    assert (target / "model.safetensors").read_bytes() == WEIGHTS
    assert (target / "model.safetensors").stat().st_mode & 0o777 == 0o644
    assert not hf_download.partial_dir(target).exists()
    assert progress.updates[-1] == (1.0, f"Downloaded {format_bytes(info.total_bytes)}")
    folder = validate_folder(target, [tmp_path])
    assert folder.parameter_count == 64 * 8 + 8 and folder.license == "mit"
    # Pinned to the commit check_hub saw; nothing outside the listed files was fetched.
    fetched = {path for method, path, _ in hub.requests if method == "GET" and "/resolve/" in path}
    assert fetched == {f"/org/tiny/resolve/{info.sha}/{name}" for name in info.files}
    # Pinned to a commit, so no refs were written into the shared hub cache.
    assert not (tmp_path / "hf-home" / "hub" / "models--org--tiny" / "refs").exists()


def test_download_passes_the_token_through_the_environment(hub: FakeHub, tmp_path: Path) -> None:
    hub.add_repo(
        FakeRepo(
            "org/gated",
            {"config.json": CONFIG, "model.safetensors": WEIGHTS},
            gated=True,
            valid_tokens={"hf_goodtoken123456"},
        )
    )
    target = tmp_path / "gated"

    async def run() -> None:
        info = await check_hub("org/gated", None, "hf_goodtoken123456")
        await download("org/gated", None, "hf_goodtoken123456", target, info, RecordingProgress())

    asyncio.run(run())
    assert (target / "model.safetensors").read_bytes() == WEIGHTS
    file_requests = [auth for _, path, auth in hub.requests if "/resolve/" in path]
    assert file_requests and all(auth == "Bearer hf_goodtoken123456" for auth in file_requests)


def test_cancel_mid_download_leaves_nothing(hub: FakeHub, tmp_path: Path) -> None:
    big = safetensors_bytes({"embed": [64, 256]})  # 64 KB, served 1 KB every 50 ms: ~3 s
    hub.add_repo(
        FakeRepo("org/slow", {"config.json": CONFIG, "model.safetensors": big}, slow_files={"model.safetensors": 0.05})
    )
    target = tmp_path / "models" / "slow"
    partial = hf_download.partial_dir(target)
    progress = RecordingProgress()

    async def run() -> float:
        info = await check_hub("org/slow", None, None)
        task = asyncio.create_task(download("org/slow", None, None, target, info, progress))
        deadline = time.monotonic() + 20
        while not any(p and 0 < p < 1 for p, _ in progress.updates):  # some bytes arrived
            assert time.monotonic() < deadline and not task.done(), "the download never progressed"
            await asyncio.sleep(0.05)
        assert partial.exists()
        started = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return time.monotonic() - started

    assert asyncio.run(run()) < 5
    assert not target.exists() and not partial.exists()
    assert list((tmp_path / "models").iterdir()) == []
    assert any(m and " of " in m for _, m in progress.updates)


def test_failed_download_raises_upstream_and_cleans_up(hub: FakeHub, tmp_path: Path) -> None:
    target = tmp_path / "models" / "tiny"

    async def run() -> None:
        info = await check_hub("org/tiny", None, None)
        del hub.repos["org/tiny"]  # gone between the check and the download
        await download("org/tiny", None, "hf_secrettoken123456", target, info, RecordingProgress())

    with pytest.raises(Upstream) as exc:
        asyncio.run(run())
    assert exc.value.message.startswith("Downloading org/tiny failed: ")
    assert "hf_secrettoken123456" not in exc.value.message
    assert not target.exists() and not hf_download.partial_dir(target).exists()


def test_a_full_disk_during_a_download_is_insufficient_storage_and_leaves_nothing(
    hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aqua_ext.errors import InsufficientStorage

    # The download runs in a child process: its snapshot_download writes part of a file, then the disk is full.
    in_children(
        "import errno, pathlib, huggingface_hub\n"
        "def full(*args, local_dir, **kwargs):\n"
        "    part = pathlib.Path(local_dir) / 'model.safetensors'\n"
        "    part.write_bytes(b'half')\n"
        "    raise OSError(errno.ENOSPC, 'No space left on device', str(part))\n"
        "huggingface_hub.snapshot_download = full\n",
        tmp_path,
        monkeypatch,
    )
    target = tmp_path / "models" / "tiny"

    async def run() -> None:
        info = await check_hub("org/tiny", None, None)
        await download("org/tiny", None, None, target, info, RecordingProgress())

    with pytest.raises(InsufficientStorage) as exc:
        asyncio.run(run())
    assert exc.value.status == 507 and "the disk is full" in exc.value.message
    assert "no space left on device" in exc.value.message.lower()
    assert not target.exists() and not hf_download.partial_dir(target).exists()


def test_existing_target_is_a_conflict(hub: FakeHub, tmp_path: Path) -> None:
    target = tmp_path / "exists"
    target.mkdir()
    info = RepoInfo(hf_id="org/tiny", sha="a" * 40, files=["config.json"], total_bytes=1)
    with pytest.raises(Conflict):
        asyncio.run(download("org/tiny", None, None, target, info, RecordingProgress()))
    assert hub.requests == []


# ---- pure helpers ------------------------------------------------------------


def sizes(*names: str, size: int = 10) -> dict[str, int]:
    return {name: size for name in names}


def test_select_files_prefers_transformers_shards_over_consolidated() -> None:
    files, fmt = select_files(
        sizes(
            "config.json",
            "tokenizer.json",
            "tokenizer.model",
            "chat_template.jinja",
            "README.md",
            ".gitattributes",
            "consolidated.safetensors",
            "model-00001-of-00002.safetensors",
            "model-00002-of-00002.safetensors",
            "model.safetensors.index.json",
            "params.json",
            "original/consolidated.00.pth",
            "onnx/model.onnx",
            "1_Pooling/config.json",
            "pytorch_model.bin",
        )
    )
    assert fmt == ModelFormat.SAFETENSORS
    assert files == [
        "1_Pooling/config.json",
        "README.md",
        "chat_template.jinja",
        "config.json",
        "model.safetensors.index.json",
        "params.json",
        "tokenizer.json",
        "tokenizer.model",
        "model-00001-of-00002.safetensors",
        "model-00002-of-00002.safetensors",
    ]


def test_select_files_picks_one_gguf_quantization() -> None:
    files, fmt = select_files(
        sizes(
            "config.json",
            "m-Q2_K.gguf",
            "m-Q8_0.gguf",
            "m-Q4_K_M-00001-of-00002.gguf",
            "m-Q4_K_M-00002-of-00002.gguf",
            "mmproj-f16.gguf",
        )
    )
    assert fmt == ModelFormat.GGUF
    assert files == ["config.json", "m-Q4_K_M-00001-of-00002.gguf", "m-Q4_K_M-00002-of-00002.gguf"]
    files, _ = select_files({"config.json": 1, "a-IQ2.gguf": 50, "a-IQ1.gguf": 20})
    assert files == ["config.json", "a-IQ1.gguf"]  # no preferred quantization: the smallest


def test_select_files_without_weights() -> None:
    assert select_files(sizes("config.json", "pytorch_model.bin"))[1] is None


def test_format_bytes() -> None:
    assert [format_bytes(n) for n in (512, 1_234, 1_200_000_000, 16_100_000_000)] == [
        "512 B",
        "1.2 KB",
        "1.2 GB",
        "16.1 GB",
    ]


def test_child_error_lines_are_redacted() -> None:
    assert hf_download._redact("401 for token hf_abcdefghijklmnop", None) == "401 for token hf_***"
    assert hf_download._redact("used secret-token!", "secret-token") == "used ***!"


def test_the_child_reports_failure_on_one_line(capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # The entry point reports a failure as one clean line on stderr, for the parent to show.
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{closed_port()}")
    code = hf_download.main(["org/tiny", "main", "/nonexistent/dir", "config.json"])
    assert code == 1
    assert capsys.readouterr().err.startswith(hf_download.ERROR_PREFIX)
