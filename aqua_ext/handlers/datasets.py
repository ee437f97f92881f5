from __future__ import annotations

import asyncio
from pathlib import Path

from tornado import web

from ..api.datasets import ValidateDatasetRequest
from ..errors import InvalidInput
from ..services.datasets import (
    DEFAULT_MAX_BYTES,
    raise_for_line_errors,
    resolve_dataset_path,
    scan_jsonl,
    token_stats,
    tokenizer_folder,
)
from .base import AquaHandler


class DatasetValidateHandler(AquaHandler):
    @web.authenticated
    async def post(self) -> None:
        request = self.parse_body(ValidateDatasetRequest)
        root = Path(self.settings.get("server_root_dir") or self.aqua.serverapp.root_dir)
        path, shown = await asyncio.to_thread(resolve_dataset_path, request.path, root)
        tokenizer_dir = None
        if request.model_id:
            model = await (await self.backend()).get_model(request.model_id)
            tokenizer_dir = await asyncio.to_thread(tokenizer_folder, model.artifact_location)
            if tokenizer_dir is None:
                raise InvalidInput.field("model_id", f"tokenizer not available locally for {request.model_id}: "
                                                     "download or register the model first")
        # Blocking file and tokenizer work runs in worker threads, never on the event loop.
        scan = await asyncio.to_thread(
            scan_jsonl, path, kind=request.kind, validation_split=request.validation_split,
            max_bytes=int(self.settings.get("aqua_dataset_max_bytes", DEFAULT_MAX_BYTES)),
            keep_rows=tokenizer_dir is not None, display_path=shown,
        )
        report = scan.report
        # A file with bad lines is bad input: 400 naming every line (the first 100), as the
        # fine-tuning and evaluation jobs will refuse it.
        raise_for_line_errors(report)
        if tokenizer_dir is not None and scan.rows:
            report.tokens = await asyncio.to_thread(
                token_stats, scan.rows, tokenizer_dir, request.max_seq_length, model_id=request.model_id or "")
        self.reply(report)
