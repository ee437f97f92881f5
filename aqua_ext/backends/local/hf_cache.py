"""Models already in the local Hugging Face hub cache, found without network.

The cache layout (models--org--name/{refs,snapshots,blobs}) belongs to
huggingface_hub, so we read it through `huggingface_hub.scan_cache_dir`
rather than walking it ourselves.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .model_folder import FolderInfo, inspect_folder

log = logging.getLogger(__name__)


@dataclass
class CachedModel:
    hf_id: str
    path: Path  # the snapshot folder: symlinks into blobs/, loadable as a model folder
    revision: str  # commit hash of that snapshot
    info: FolderInfo
    last_modified: datetime


def default_cache_dir() -> Path:
    """The hub cache huggingface_hub itself would use. Read from the
    environment at call time (HF_HUB_CACHE, then HF_HOME/hub), so it agrees
    with the engine subprocesses we start with the same environment even if
    the variables changed after huggingface_hub was imported."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.path.expandvars(os.environ["HF_HUB_CACHE"])).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.path.expandvars(os.environ["HF_HOME"])).expanduser() / "hub"
    from huggingface_hub import constants

    return Path(constants.HF_HUB_CACHE).expanduser()


def scan_hf_cache(cache_dir: Path | None = None) -> list[CachedModel]:
    """Complete model snapshots in the hub cache, newest first.

    Never raises for the cache itself: a missing or unreadable cache is an
    empty list, and a corrupt repo is skipped (huggingface_hub reports it as a
    warning, which we log). Repos without config.json or weights are skipped:
    those are partial downloads or non-model files (a lone tokenizer, say).
    """
    from huggingface_hub import scan_cache_dir
    from huggingface_hub.errors import CacheNotFound

    folder = cache_dir if cache_dir is not None else default_cache_dir()
    try:
        report = scan_cache_dir(folder)
    except (CacheNotFound, ValueError, OSError) as exc:
        log.debug("no usable Hugging Face cache at %s: %s", folder, exc)
        return []
    for warning in report.warnings:
        log.info("skipping a corrupt Hugging Face cache entry: %s", warning)

    found: list[CachedModel] = []
    for repo in report.repos:
        if repo.repo_type != "model" or not repo.revisions:
            continue
        main = [rev for rev in repo.revisions if "main" in rev.refs]
        revision = main[0] if main else max(repo.revisions, key=lambda rev: rev.last_modified)
        try:
            info = inspect_folder(revision.snapshot_path, name_hint=repo.repo_id)
        except OSError as exc:  # a snapshot vanishing mid-scan (someone ran `hf cache delete`)
            log.info("cannot inspect %s: %s", revision.snapshot_path, exc)
            continue
        if info.config is None or not info.has_weights or info.missing_shards:
            continue
        found.append(
            CachedModel(
                hf_id=repo.repo_id,
                path=revision.snapshot_path,
                revision=revision.commit_hash,
                info=info,
                last_modified=datetime.fromtimestamp(revision.last_modified, tz=timezone.utc),
            )
        )
    found.sort(key=lambda model: (-model.last_modified.timestamp(), model.hf_id))
    return found


__all__ = ["CachedModel", "default_cache_dir", "scan_hf_cache"]
