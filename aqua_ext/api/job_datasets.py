"""The dataset a fine-tuning or evaluation job reads, as it crosses the layers: where the server lets a
job read (handlers and the CLI set it), the file a driver found or fetched for a request (before the
preflight), and the file the preflight checked (what the driver's create gets).

Contract types between the drivers that find the file and the services that check it (the preflight,
services/datasets.py, is the rule), set by handlers and the CLI, so they live in api/ below them all
(they are not part of the REST schema)."""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass
from pathlib import Path

from .datasets import DatasetReport

DEFAULT_MAX_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class DatasetAccess:
    """Where a job may read datasets from: the Jupyter root, and the size limit."""

    root: Path
    max_bytes: int = DEFAULT_MAX_BYTES


@dataclass(frozen=True)
class DatasetFile:
    """The file a request's dataset is on this machine, found (or fetched) by the driver: `path`
    inside `root` (the preflight keeps it there), named `display_path` in messages when set (a
    downloaded object: its URI), and a 400 names `field_name`. `temp`: a folder the driver made for
    it, removed once the create is over."""

    root: Path
    path: str
    field_name: str = "dataset_path"
    display_path: str | None = None
    # The base model (a fine-tune's): the preflight measures token lengths with its tokenizer when its
    # artifact is a folder on this machine.
    model_id: str = ""
    model_location: str | None = None
    temp: Path | None = None

    async def remove_temp(self) -> None:
        if self.temp is not None:
            await asyncio.to_thread(shutil.rmtree, self.temp, True)


@dataclass(frozen=True)
class JobDataset:
    """A dataset that passed the preflight, as the driver's create gets it."""

    path: Path  # the resolved file
    shown: str  # relative to the Jupyter root (or the display path)
    sha256: str
    report: DatasetReport
