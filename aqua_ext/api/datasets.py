"""Datasets: the preflight of a JSONL file before fine-tuning or evaluation."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .common import ApiModel, UserPath

DatasetKind = Literal["auto", "instruction", "conversational"]
DatasetFormat = Literal["instruction", "conversational"]


class ValidateDatasetRequest(ApiModel):
    # Relative to the Jupyter root folder, or absolute inside it.
    path: UserPath
    # When set, token lengths are measured with this model's own tokenizer and chat template.
    model_id: str | None = Field(default=None, min_length=1, max_length=255)
    max_seq_length: int = Field(default=2048, ge=16, le=131072)
    validation_split: float = Field(default=0.1, ge=0.0, le=0.5)
    kind: DatasetKind = "auto"


class LineError(ApiModel):
    line: int  # 1-based line number in the file
    message: str


class TokenStats(ApiModel):
    model_id: str
    max_seq_length: int
    min: int
    p50: int
    p95: int
    max: int
    mean: float
    # Rows longer than max_seq_length: training would truncate them.
    over_limit: int
    over_limit_lines: list[int]  # the first 20
    template: Literal["chat_template", "prompt+completion"]


class DatasetReport(ApiModel):
    path: str
    format: DatasetFormat
    rows: int  # non-blank lines
    valid_rows: int
    errors: list[LineError]  # the first 100
    errors_total: int
    duplicates: int  # valid rows equal to an earlier one (after normalizing whitespace)
    categories: dict[str, int]
    # The rows a local fine-tuning job holds out: validation_split of the valid rows rounded to the
    # nearest row (halves up), duplicates kept on one side (services/datasets.py validation_keys).
    train_rows: int
    validation_rows: int
    tokens: TokenStats | None = None
    size_bytes: int
    warnings: list[str]


class DatasetRowMessage(ApiModel):
    role: Literal["system", "user", "assistant"]
    content: str = Field(max_length=1_000_000)


class SaveDatasetRowRequest(ApiModel):
    """One playground turn saved as a row of a JSONL dataset: appended to `path`, or a new file
    there. `instruction` rows take `prompt` and `completion`, `conversational` rows `messages`
    (ending with the assistant's answer); the row must match the file's format.

    Duplicates (the same row already in the file) and leakage (the same prompt in another JSONL
    file under the same folder) are warnings: nothing is written until the request allows them."""

    # Relative to the Jupyter root folder, or absolute inside it; a .jsonl file.
    path: UserPath
    format: DatasetFormat
    prompt: str | None = Field(default=None, max_length=1_000_000)
    completion: str | None = Field(default=None, max_length=1_000_000)
    messages: list[DatasetRowMessage] | None = Field(default=None, max_length=1000)
    category: str | None = Field(default=None, max_length=200)
    allow_duplicate: bool = False
    allow_leakage: bool = False


class DatasetRowWarning(ApiModel):
    kind: Literal["duplicate", "leakage"]
    message: str
    path: str  # the file holding the same row (duplicate) or the same prompt (leakage), as shown
    line: int


class SaveDatasetRowResponse(ApiModel):
    # False: a warning the request did not allow stopped it; nothing was written.
    saved: bool
    path: str  # relative to the Jupyter root
    created: bool  # the file is new
    line: int | None  # the row's line number in the file, when saved
    rows: int  # the file's rows after this request
    warnings: list[DatasetRowWarning]
    # Other JSONL files read for the leakage check, and whether some were left out (over the bounds).
    checked_files: int
    checked_all: bool
