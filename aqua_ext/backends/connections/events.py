"""The streamed answers' framing, read incrementally: server-sent events (OpenAI, Azure OpenAI, Cohere v2
chat, OCI Generative AI) through the project's one SSE parser (api/sse.py), and newline-delimited JSON
(Cohere v1 generate), one event per non-blank line. Pure, no I/O."""

from __future__ import annotations

import codecs
from typing import Literal

from ...api.sse import SseEvent, SseParser

StreamFormat = Literal["sse", "ndjson"]
StreamEvent = SseEvent  # what a dialect reads: `data` and `event`


class EventReader:
    """Feed it bytes as they arrive; it returns the events completed so far. `close()` at EOF gives
    a last event that no blank line (SSE) or newline (NDJSON) ended."""

    def __init__(self, fmt: StreamFormat) -> None:
        self._sse = SseParser() if fmt == "sse" else None
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""

    def feed(self, chunk: bytes) -> list[StreamEvent]:
        if self._sse is not None:
            return self._sse.feed(chunk)
        return self._lines(self._decoder.decode(chunk), final=False)

    def close(self) -> list[StreamEvent]:
        if self._sse is not None:
            return self._sse.close()
        return self._lines(self._decoder.decode(b"", final=True), final=True)

    def _lines(self, text: str, *, final: bool) -> list[StreamEvent]:
        # Split on LF only: JSON may hold U+2028 and other characters str.splitlines() breaks at;
        # strip() drops a CRLF's CR.
        parts = (self._buffer + text).split("\n")
        self._buffer = "" if final else parts.pop()
        return [SseEvent(part.strip()) for part in parts if part.strip()]
