"""The streamed answers' framing, read incrementally: server-sent events (OpenAI, Azure OpenAI, Cohere v2
chat, OCI Generative AI) and newline-delimited JSON (Cohere v1 generate). Pure, no I/O.

services/sse.py has the full SSE parser, but a driver may not import services (the layers contract in
pyproject); this reader keeps only what the providers send: `event:` and `data:` fields, comments, any
line ending, and bytes split anywhere (a UTF-8 character split across two reads included).
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import Literal

StreamFormat = Literal["sse", "ndjson"]


@dataclass(frozen=True)
class StreamEvent:
    data: str
    event: str = "message"


class EventReader:
    """Feed it bytes as they arrive; it returns the events completed so far. `close()` at EOF gives
    a last event that no blank line (SSE) or newline (NDJSON) ended."""

    def __init__(self, fmt: StreamFormat) -> None:
        self._fmt = fmt
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""
        self._data: list[str] = []
        self._event = ""
        self._skip_lf = False

    def feed(self, chunk: bytes) -> list[StreamEvent]:
        return self._consume(self._decoder.decode(chunk))

    def close(self) -> list[StreamEvent]:
        events = self._consume(self._decoder.decode(b"", final=True))
        if self._buffer:
            self._line(self._buffer, events)
            self._buffer = ""
        self._dispatch(events)
        return events

    def _consume(self, text: str) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        if self._skip_lf and text:
            self._skip_lf = False
            if text[0] == "\n":
                text = text[1:]
        buf = self._buffer + text
        start, n = 0, len(buf)
        while start < n:
            cr, lf = buf.find("\r", start), buf.find("\n", start)
            if cr < 0 and lf < 0:
                break
            if cr >= 0 and (lf < 0 or cr < lf):
                self._line(buf[start:cr], events)
                if cr + 1 == n:
                    # A CR ending this read may be half of a CRLF: the line ends now, and an LF
                    # starting the next read ends no second line.
                    self._skip_lf = True
                    start = n
                else:
                    start = cr + 2 if buf[cr + 1] == "\n" else cr + 1
            else:
                self._line(buf[start:lf], events)
                start = lf + 1
        self._buffer = buf[start:]
        return events

    def _line(self, line: str, events: list[StreamEvent]) -> None:
        if self._fmt == "ndjson":
            if line.strip():
                events.append(StreamEvent(line))
            return
        if not line:
            self._dispatch(events)
            return
        if line.startswith(":"):
            return  # a comment, e.g. a keep-alive
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value

    def _dispatch(self, events: list[StreamEvent]) -> None:
        if self._data:
            events.append(StreamEvent("\n".join(self._data), self._event or "message"))
        self._data = []
        self._event = ""
