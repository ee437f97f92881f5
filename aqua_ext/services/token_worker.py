"""The dataset preflight's token pass in a child process, so the Jupyter server never imports
transformers or torch: loading them takes seconds with the GIL held (every request stalls) and
leaves hundreds of MiB in the process for good.

Why a child and not `tokenizers` + jinja2 in the server: transformers 5 rebuilds the tokenizer of
many model types (Llama, Qwen2, …) from the vocabulary with its own normalizer and pre-tokenizer,
rewrites the post-processor from `add_bos_token` / `add_eos_token`, and patches some Mistral
regexes (tokenization_utils_tokenizers.py), so `Tokenizer.from_file("tokenizer.json")` can count
other tokens than `AutoTokenizer`, which is what the fine-tuning job uses. The child runs
`datasets.token_stats` itself: the same counts by construction.

One worker (spawned: forking a threaded server is unsafe), kept between preflights and stopped
after `IDLE_SECONDS` without one, so its memory goes back to the machine.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import AquaError

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from ..api.datasets import TokenStats
    from .datasets import DatasetRow

IDLE_SECONDS = 300.0


def _token_stats_in_child(
    rows: Sequence[DatasetRow], tokenizer_dir: Path, max_seq_length: int, model_id: str
) -> TokenStats | None:
    from .datasets import token_stats  # datasets.py calls this module: no import cycle at load

    try:
        return token_stats(rows, tokenizer_dir, max_seq_length, model_id=model_id)
    except AquaError:
        raise
    except Exception as exc:
        # Unpickling a transformers or jinja2 exception would import its module into the server.
        raise RuntimeError(f"the token pass failed on {tokenizer_dir}: {type(exc).__name__}: {exc}") from None


class TokenWorker:
    """At most one child process counting tokens; preflights queue for it."""

    def __init__(self, idle_seconds: float = IDLE_SECONDS) -> None:
        self.idle_seconds = idle_seconds
        self._pool: ProcessPoolExecutor | None = None
        self._idle: asyncio.TimerHandle | None = None
        self._running = 0

    async def token_stats(
        self, rows: Sequence[DatasetRow], tokenizer_dir: Path, max_seq_length: int, *, model_id: str = ""
    ) -> TokenStats | None:
        """`datasets.token_stats` in the child; None when there are no rows."""
        # multiprocessing is not imported at Jupyter's start: only here, with the first token pass.
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        if not rows:
            return None
        loop = asyncio.get_running_loop()
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        pool = self._pool
        self._running += 1
        try:
            call = partial(_token_stats_in_child, list(rows), tokenizer_dir, max_seq_length, model_id)
            return await loop.run_in_executor(pool, call)
        except BrokenProcessPool:
            # The child died (killed for memory, say): the next preflight starts a fresh one.
            if self._pool is pool:
                self._pool = None
            raise RuntimeError("the token pass's worker process ended unexpectedly") from None
        finally:
            self._running -= 1
            if not self._running and self._pool is not None:
                self._idle = loop.call_later(self.idle_seconds, self.shutdown)

    def shutdown(self) -> None:
        """Stop the child now (idle, or the server stopping); the next preflight starts another."""
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


token_worker = TokenWorker()
