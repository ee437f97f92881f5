"""Download a Hugging Face model repository as a background operation.

`check_hub` asks the hub about the repository first (fast, in a thread) so
that a wrong id, a gated model or no network is an immediate, actionable
error instead of a failed background operation. `download` then runs
`huggingface_hub.snapshot_download` in a child process: a process can be
killed on cancel (a thread cannot), and its partial files are watched from
here to report progress.

The hub endpoint is huggingface_hub's own setting (the HF_ENDPOINT
environment variable), which is also how tests point it at a fake hub.

Run as `python -m aqua_ext.backends.huggingface.download <hf_id> <revision> <folder> [file ...]`;
the token comes from the HF_TOKEN environment variable, never from the
command line (which every user of the machine can read with `ps`).
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import glob
import os
import re
import shutil
import signal
import sys
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ...api.models import ModelFormat
from ...errors import Conflict, InsufficientStorage, InvalidInput, Upstream, UpstreamTimeout, says_disk_full
from ..child_env import child_environment, keep_tail


class ProgressSink(Protocol):
    """Where a download reports how far it got: an operation's Progress, or a view of part of it."""

    def update(self, *, progress: float | None = None, message: str | None = None) -> None: ...


POLL_INTERVAL = 0.5
ERROR_PREFIX = "@@error "

# What an engine needs next to the weights: configs, tokenizer files (JSON,
# merges/vocab .txt, sentencepiece .model, tiktoken), the chat template and
# the card. Pickled weights (*.bin, *.pth), ONNX and other frameworks' copies
# are left out: we load safetensors or GGUF only.
METADATA_PATTERNS = ("*.json", "*.jinja", "*.txt", "*.model", "*.md", "*.tiktoken")
# sentence-transformers keeps its pooling/normalize settings in numbered
# module folders (1_Pooling/config.json); every other sub-folder is skipped.
_ST_MODULE_FILE = re.compile(r"^\d+_[A-Za-z]+/[^/]+\.json$")
# Preferred GGUF quantizations when a repo offers many: the common
# quality/size balance first.
GGUF_PREFERENCE = ("Q4_K_M", "Q4_K_S", "Q5_K_M", "Q5_K_S", "Q8_0", "Q6_K", "Q4_0", "F16", "BF16")
_GGUF_SHARD = re.compile(r"-\d{5}-of-\d{5}\.gguf$")
_TOKEN_LIKE = re.compile(r"hf_[A-Za-z0-9]{10,}")

# Downloads running in this process, by partial folder: two downloads into
# one folder would corrupt each other.
_active: set[Path] = set()


@dataclass(frozen=True)
class RepoInfo:
    """What the hub says about a repository, and what `download` will fetch."""

    hf_id: str
    sha: str  # the commit the download is pinned to
    files: list[str]  # repository paths download() fetches
    total_bytes: int  # their total size
    file_sizes: dict[str, int] = field(default_factory=dict)
    weight_format: ModelFormat = ModelFormat.SAFETENSORS
    license: str | None = None
    pipeline_tag: str | None = None
    author: str | None = None
    gated: bool = False
    tags: list[str] = field(default_factory=list)


def hub_endpoint() -> str:
    """The hub URL huggingface_hub is configured with. HF_ENDPOINT is read
    again here because huggingface_hub reads it only once, at import."""
    from huggingface_hub import constants

    return (os.environ.get("HF_ENDPOINT") or constants.ENDPOINT).rstrip("/")


def _offline() -> bool:
    from huggingface_hub import constants

    flags = (os.environ.get("HF_HUB_OFFLINE", ""), os.environ.get("TRANSFORMERS_OFFLINE", ""))
    return constants.is_offline_mode() or any(f.strip().upper() in {"1", "ON", "YES", "TRUE"} for f in flags)


def _unreachable(endpoint: str, cause: str, *, timeout: bool = False) -> Upstream:
    cls = UpstreamTimeout if timeout else Upstream
    return cls(
        f"Cannot reach the Hugging Face hub at {endpoint}: {cause}. "
        "Check the network or proxy, or register a local folder instead."
    )


def _short_cause(exc: BaseException, lines: int = 1) -> str:
    # huggingface_hub puts the status on the first line and the reason on the next.
    parts = [line.strip() for line in str(exc).splitlines() if line.strip()][:lines]
    text = " ".join(parts) or type(exc).__name__
    # "[Errno 111] Connection refused" -> "connection refused": the errno helps nobody reading a form.
    stripped = re.sub(r"^\[Errno -?\d+\]\s*", "", text)
    if stripped != text and stripped:
        text = stripped[0].lower() + stripped[1:]
    return text[:200]


def _network_errors() -> tuple[type[BaseException], ...]:
    """Exception types that mean "the hub could not be reached". huggingface_hub
    2.x talks through httpx2; older stacks (and user client factories) may use
    httpx or requests, so take whichever are installed."""
    found: list[type[BaseException]] = [ConnectionError, TimeoutError]
    for module, names in (
        ("httpx2", ("TransportError",)),
        ("httpx", ("TransportError",)),
        ("requests", ("ConnectionError", "Timeout")),
    ):
        try:
            mod = __import__(module)
        except ImportError:
            continue
        found.extend(getattr(mod, name) for name in names if isinstance(getattr(mod, name, None), type))
    return tuple(found)


def _timeout_errors() -> tuple[type[BaseException], ...]:
    found: list[type[BaseException]] = [TimeoutError]
    for module, name in (("httpx2", "TimeoutException"), ("httpx", "TimeoutException"), ("requests", "Timeout")):
        try:
            found.append(getattr(__import__(module), name))
        except (ImportError, AttributeError):
            continue
    return tuple(found)


def _map_hub_error(exc: BaseException, hf_id: str, revision: str | None, endpoint: str, timeout: float) -> Exception:
    """An aqua_ext error that says what to do, for a huggingface_hub failure."""
    from huggingface_hub.errors import (
        DisabledRepoError,
        GatedRepoError,
        HfHubHTTPError,
        HFValidationError,
        OfflineModeIsEnabled,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    # Order matters: GatedRepoError is a RepositoryNotFoundError, and both are HfHubHTTPErrors.
    if isinstance(exc, GatedRepoError):
        return InvalidInput.field(
            "token", "this model is gated: accept its terms on huggingface.co and enter a token with read access"
        )
    if isinstance(exc, RevisionNotFoundError):
        return InvalidInput.field("revision", f"no branch, tag or commit '{revision}' in {hf_id}")
    if isinstance(exc, RepositoryNotFoundError):
        return InvalidInput.field("hf_id", "no such model on the Hugging Face hub (or it is private: add a token)")
    if isinstance(exc, DisabledRepoError):
        return InvalidInput.field("hf_id", "this repository has been disabled by its owner")
    if isinstance(exc, HfHubHTTPError):
        status = exc.response.status_code if exc.response is not None else None
        if status == 401:
            return InvalidInput.field("token", "the token was rejected")
        if status == 403:
            return InvalidInput.field("token", "the token does not give access to this model (403 Forbidden)")
        if status == 429:
            return Upstream("The Hugging Face hub is rate-limiting requests (429); wait a minute and try again.")
        return Upstream(f"The Hugging Face hub at {endpoint} answered {status}: {_short_cause(exc, 2)}")
    if isinstance(exc, OfflineModeIsEnabled):
        return _unreachable(endpoint, "offline mode is on (HF_HUB_OFFLINE)")
    if isinstance(exc, _timeout_errors()):
        return _unreachable(endpoint, f"no answer within {timeout:g} s", timeout=True)
    if isinstance(exc, _network_errors()):
        return _unreachable(endpoint, _short_cause(exc))
    if isinstance(exc, (HFValidationError, ValueError)):
        return InvalidInput.field("hf_id", _short_cause(exc))
    return Upstream(f"Asking the Hugging Face hub about {hf_id} failed: {type(exc).__name__}: {_short_cause(exc)}")


def select_files(sizes: dict[str, int]) -> tuple[list[str], ModelFormat | None]:
    """The repository files to download, given every file's size: configs,
    tokenizer and card, plus one copy of the weights (safetensors when there
    are any, else one GGUF quantization). Returns the weight format, or None
    when the repository has no weights we can use."""
    top = [name for name in sizes if "/" not in name]
    metadata = sorted(
        name
        for name in sizes
        if (
            ("/" not in name and any(fnmatch.fnmatch(name, p) for p in METADATA_PATTERNS))
            or _ST_MODULE_FILE.match(name)
        )
    )
    safetensors = [name for name in top if name.endswith(".safetensors")]
    if safetensors:
        # Mistral repos ship consolidated*.safetensors (their own format) next
        # to the transformers shards: the same weights twice.
        transformers_shards = [n for n in safetensors if not n.startswith("consolidated")]
        weights = transformers_shards or safetensors
        return metadata + sorted(weights), ModelFormat.SAFETENSORS
    gguf = [name for name in top if name.endswith(".gguf") and not name.startswith("mmproj")]
    if gguf:
        return metadata + _pick_gguf(gguf, sizes), ModelFormat.GGUF
    return metadata, None


def _pick_gguf(names: list[str], sizes: dict[str, int]) -> list[str]:
    # GGUF repos hold one file (or one set of shards) per quantization, often
    # a dozen of them: download one, not all.
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(_GGUF_SHARD.sub(".gguf", name), []).append(name)
    for quant in GGUF_PREFERENCE:
        for key in sorted(groups):
            if quant.lower() in key.lower():
                return sorted(groups[key])
    smallest = min(sorted(groups), key=lambda key: sum(sizes.get(n, 0) for n in groups[key]))
    return sorted(groups[smallest])


def _repo_info_from(model: Any, hf_id: str) -> RepoInfo:
    sizes: dict[str, int] = {}
    for sibling in model.siblings or []:
        size = sibling.lfs.size if sibling.lfs is not None else sibling.size
        sizes[sibling.rfilename] = int(size or 0)
    if "config.json" not in sizes:
        raise InvalidInput.field(
            "hf_id", f"{hf_id} has no config.json; only Hugging Face transformers model repositories can be registered"
        )
    files, weight_format = select_files(sizes)
    if weight_format is None:
        raise InvalidInput.field(
            "hf_id", f"{hf_id} has no *.safetensors or *.gguf weights (pickled *.bin weights are not supported)"
        )
    if not model.sha:
        raise Upstream(f"The Hugging Face hub did not say which commit {hf_id} is at; try again.")
    card = model.card_data
    license_ = getattr(card, "license", None) if card is not None else None
    if license_ is None:
        license_ = next((t.split(":", 1)[1] for t in model.tags or [] if t.startswith("license:")), None)
    return RepoInfo(
        hf_id=hf_id,
        sha=model.sha,
        files=files,
        total_bytes=sum(sizes[f] for f in files),
        file_sizes={f: sizes[f] for f in files},
        weight_format=weight_format,
        license=license_ if isinstance(license_, str) else None,
        pipeline_tag=model.pipeline_tag,
        author=model.author,
        gated=bool(model.gated),
        tags=list(model.tags or []),
    )


def _ask_hub(hf_id: str, revision: str | None, token: str | None, timeout: float, endpoint: str) -> RepoInfo:
    from huggingface_hub import HfApi, get_hf_file_metadata, hf_hub_url

    api = HfApi(endpoint=endpoint)
    model = api.model_info(hf_id, revision=revision, token=token, files_metadata=True, timeout=timeout)
    info = _repo_info_from(model, hf_id)
    if info.gated:
        # model_info answers for gated repos without access; the files do not.
        # A HEAD on config.json tells now rather than in the middle of a download.
        url = hf_hub_url(hf_id, "config.json", revision=info.sha, endpoint=endpoint)
        get_hf_file_metadata(url, token=token, timeout=timeout, endpoint=endpoint)
    return info


async def check_hub(hf_id: str, revision: str | None, token: str | None, timeout: float = 8.0) -> RepoInfo:
    """What the hub knows about `hf_id` at `revision`, and what download()
    would fetch. Fails fast: offline mode and refused connections return at
    once, and `timeout` bounds a network that swallows packets."""
    endpoint = hub_endpoint()
    if _offline():
        raise _unreachable(endpoint, "offline mode is on (HF_HUB_OFFLINE)")
    try:
        # The outer bound covers a server that trickles bytes (httpx's timeout
        # is per read); the thread then ends on its own at the next timeout.
        return await asyncio.wait_for(
            asyncio.to_thread(_ask_hub, hf_id, revision, token or None, timeout, endpoint), timeout * 3
        )
    except (InvalidInput, Upstream):
        raise
    except asyncio.TimeoutError:
        raise _unreachable(endpoint, f"no answer within {timeout * 3:g} s", timeout=True) from None
    except Exception as exc:  # mapped to an actionable error; the original stays as __cause__ for the log
        raise _map_hub_error(exc, hf_id, revision, endpoint, timeout) from exc


def format_bytes(count: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(count) < 1000 or unit == "TB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1000
    return f"{count:.1f} TB"  # unreachable; keeps type checkers content


def _folder_size(folder: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.stat(os.path.join(root, name), follow_symlinks=False).st_size
    return total


def partial_dir(target: Path) -> Path:
    # A fixed name (not random): if the server dies mid-download, the next
    # attempt at the same target resumes from the .incomplete files instead of
    # starting over, and nothing unnamed piles up next to the models.
    return target.parent / f".{target.name}.partial"


def _redact(text: str, token: str | None) -> str:
    if token:
        text = text.replace(token, "***")
    return _TOKEN_LIKE.sub("hf_***", text)


def _finish(partial: Path, target: Path, info: RepoInfo) -> None:
    # huggingface_hub's bookkeeping for local_dir downloads (resume metadata,
    # locks): useless once complete, and not part of the model.
    shutil.rmtree(partial / ".cache", ignore_errors=True)
    missing = [f for f in info.files if not (partial / f).is_file()]
    if missing:
        raise Upstream(f"The download of {info.hf_id} finished without {', '.join(missing[:3])}; try again.")
    for path in [partial, *partial.rglob("*")]:
        with contextlib.suppress(OSError):
            path.chmod(0o755 if path.is_dir() else 0o644)
    os.replace(partial, target)


async def download(
    hf_id: str,
    revision: str | None,
    token: str | None,
    target: Path,
    info: RepoInfo,
    progress: ProgressSink,
) -> None:
    """Download `info.files` of `hf_id` at commit `info.sha` into `target`.

    `target` appears only when the download is complete (one rename of a
    hidden sibling folder). Raises Conflict if `target` exists, Upstream with
    the child's last error lines (token redacted) on failure; on cancel the
    child is killed and the partial folder removed before CancelledError
    propagates. `revision` is what the user asked for and is used in
    messages; the download is pinned to `info.sha`, the commit check_hub saw.
    """
    target = target.expanduser().absolute()
    if target.exists():
        raise Conflict(f"{target} already exists; it would be overwritten by the download of {hf_id}.")
    partial = partial_dir(target)
    if partial in _active:
        raise Conflict(f"{hf_id} is already being downloaded to {target}.")
    _active.add(partial)
    try:
        await _download(hf_id, revision, token, target, partial, info, progress)
    finally:
        _active.discard(partial)


async def _download(
    hf_id: str,
    revision: str | None,
    token: str | None,
    target: Path,
    partial: Path,
    info: RepoInfo,
    progress: ProgressSink,
) -> None:
    partial.mkdir(parents=True, exist_ok=True)
    extra = {"HF_ENDPOINT": hub_endpoint(), "HF_HUB_DISABLE_PROGRESS_BARS": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}
    if token:
        extra["HF_TOKEN"] = token  # the environment, not argv: argv is visible to every user via ps
    total = format_bytes(info.total_bytes)
    progress.update(progress=0.0, message=f"Downloading {len(info.files)} files ({total})")
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            __name__,
            hf_id,
            info.sha,
            str(partial),
            *info.files,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            env=child_environment(**extra),
            start_new_session=True,  # its own process group: a cancel kills it and anything it started
        )
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    stderr_tail: deque[str] = deque(maxlen=30)
    reader = asyncio.create_task(keep_tail(proc.stderr, stderr_tail))
    waiter = asyncio.create_task(proc.wait())
    try:
        while not waiter.done():
            await asyncio.wait({waiter}, timeout=POLL_INTERVAL)
            done = await asyncio.to_thread(_folder_size, partial)
            if info.total_bytes > 0:
                progress.update(
                    progress=min(done / info.total_bytes, 0.99),
                    message=f"{format_bytes(min(done, info.total_bytes))} of {total}",
                )
        code = waiter.result()
        await reader
    except BaseException:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await asyncio.shield(waiter)
        reader.cancel()
        await asyncio.to_thread(shutil.rmtree, partial, True)
        raise

    if code != 0:
        await asyncio.to_thread(shutil.rmtree, partial, True)
        errors = [line[len(ERROR_PREFIX) :] for line in stderr_tail if line.startswith(ERROR_PREFIX)]
        detail = errors[-1] if errors else "\n".join(list(stderr_tail)[-6:]) or f"exit code {code}"
        where = f"{hf_id}@{revision}" if revision else hf_id
        if says_disk_full(detail):  # nothing of it was kept (removed above)
            raise InsufficientStorage(f"Downloading {where} failed: the disk is full ({_redact(detail, token)}).")
        raise Upstream(f"Downloading {where} failed: {_redact(detail, token)}")
    # The final rename runs in a thread that a cancel cannot stop: let it
    # finish, then undo it, so a cancel still leaves nothing behind.
    finishing = asyncio.ensure_future(asyncio.to_thread(_finish, partial, target, info))
    try:
        await asyncio.shield(finishing)
    except BaseException:
        with contextlib.suppress(BaseException):
            await finishing
        for leftover in (partial, target):
            await asyncio.to_thread(shutil.rmtree, leftover, True)
        raise
    progress.update(progress=1.0, message=f"Downloaded {total}")


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m aqua_ext.backends.huggingface.download")
    parser.add_argument("hf_id")
    parser.add_argument("revision", help="branch, tag or (best) commit hash")
    parser.add_argument("local_dir", type=Path)
    parser.add_argument("files", nargs="*", help="repository files to fetch (default: configs, tokenizer, weights)")
    args = parser.parse_args(argv)

    from huggingface_hub import snapshot_download

    if args.files:
        allow: list[str] = [glob.escape(name) for name in args.files]
        ignore: list[str] | None = None
    else:
        allow = [*METADATA_PATTERNS, "*.safetensors", "*.gguf"]
        ignore = ["*/*"]
    try:
        snapshot_download(
            repo_id=args.hf_id,
            revision=args.revision,
            local_dir=args.local_dir,
            allow_patterns=allow,
            ignore_patterns=ignore,
            token=os.environ.get("HF_TOKEN") or None,
            endpoint=hub_endpoint(),
            max_workers=4,
        )
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # one clean line for the parent; the traceback would bury it
        cause = _redact(_short_cause(exc, 2), os.environ.get("HF_TOKEN"))
        print(f"{ERROR_PREFIX}{type(exc).__name__}: {cause}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
