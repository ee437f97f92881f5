"""Server-sent events: an incremental parser and the framing functions. Pure, no I/O.

Written here (no SSE library is installed in the project's environment: neither
`httpx-sse` nor `sseclient`); it follows the WHATWG "event stream interpretation"
rules, with one deliberate difference: `close()` dispatches a final event that was
not followed by a blank line, because engines such as `transformers serve` end
their stream at EOF without `data: [DONE]` (and sometimes without the last blank line).
"""

from __future__ import annotations

import codecs
import json
from dataclasses import dataclass
from typing import Any

import orjson

__all__ = ["SseEvent", "SseParser", "format_comment", "format_event"]


@dataclass(frozen=True)
class SseEvent:
    data: str
    event: str = "message"
    id: str | None = None
    retry: int | None = None

    def json(self) -> Any:
        return json.loads(self.data)


class SseParser:
    """Feed it bytes as they arrive (any chunking); it returns the events completed so far.

    Chunk boundaries may split lines, CRLF pairs and UTF-8 multi-byte characters.
    Invalid UTF-8 becomes U+FFFD rather than an exception.
    """

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""  # text not yet ended by a line terminator
        self._started = False  # a leading BOM is dropped once
        self._data: list[str] = []
        self._has_data = False
        self._event = ""
        self._last_id: str | None = None
        self._retry: int | None = None
        self._closed = False
        self._skip_lf = False  # the last chunk ended with CR: an LF starting the next one ends no line
        self._raw = b""  # the fast path's unfinished event, undecoded

    @property
    def last_event_id(self) -> str | None:
        return self._last_id

    def feed(self, chunk: bytes) -> list[SseEvent]:
        if self._closed:
            raise RuntimeError("SseParser.feed() after close()")
        if self._raw:  # what the fast path held back comes first
            chunk, self._raw = self._raw + chunk, b""
        return self._consume(self._decoder.decode(chunk), final=False)

    def feed_plain(self, chunk: bytes) -> list[bytes] | None:
        """The fast path for what engines send: when the whole events that `chunk` completes are
        each one `data:` line (comments allowed), and nothing but such events came before, the data
        of each, as undecoded bytes (a JSON parser reads UTF-8 itself); the unfinished event at
        the end is held back for the next chunk. None otherwise, with nothing lost: then
        `feed(chunk)`. The events are those `feed` would give (the `message` type, the last event
        id unchanged), without building them line by line."""
        if self._has_data or self._event or self._skip_lf or self._closed or b"\r" in chunk:
            return None
        if not self._started:
            if not chunk or chunk.startswith(b"\xef") or self._decoder.getstate()[0]:
                return None  # a byte-order mark (or a part of one) is the full parser's
            self._started = True  # the stream starts with no mark
        held = self._decoder.getstate()[0]
        if self._buffer or held:
            # The first line of an event that the full parser began (as every chunk ends mid-event at
            # 32 streams): taken back as bytes, so that the fast path goes on from here.
            self._raw = self._buffer.encode() + held
            self._buffer = ""
            self._decoder.reset()
        raw = self._raw + chunk if self._raw else chunk
        end = raw.rfind(b"\n\n")
        if end < 0:
            self._raw = raw  # no event ends here yet
            return []
        datas = []
        # (A UTF-8 character never holds a newline byte, so no event here ends inside one.)
        for piece in raw[:end].split(b"\n\n"):
            if b"\n" in piece:
                return None  # an event of several lines: the full parser's work
            if piece.startswith(b"data:"):
                datas.append(piece[6:] if piece[5:6] == b" " else piece[5:])
            elif piece and not piece.startswith(b":"):
                return None  # another field (`event:`, `id:`, `retry:`)
            # else a comment (`: ping`) or a blank line with no event before it: nothing to give
        self._raw = raw[end + 2 :]
        return datas

    def close(self) -> list[SseEvent]:
        """End of stream: process a last unterminated line and flush a pending event."""
        if self._closed:
            return []
        events = self.feed(b"") if self._raw else []
        events += self._consume(self._decoder.decode(b"", final=True), final=True)
        self._closed = True
        if self._buffer:
            self._line(self._buffer, events)
            self._buffer = ""
        self._dispatch(events)
        return events

    # ---- internals -------------------------------------------------------

    def _consume(self, text: str, *, final: bool) -> list[SseEvent]:
        events: list[SseEvent] = []
        if not self._started and (text or final):
            if text.startswith("\ufeff"):
                text = text[1:]
            if text:
                self._started = True
        if self._skip_lf and text:
            self._skip_lf = False
            if text[0] == "\n":
                text = text[1:]
        buf = self._buffer + text
        if "\r" not in buf:
            # The usual stream (engines send LF only): split once instead of scanning line by line.
            lines = buf.split("\n")
            self._buffer = lines.pop()
            for line in lines:
                self._line(line, events)
            return events
        start = 0
        n = len(buf)
        while start < n:
            cr = buf.find("\r", start)
            lf = buf.find("\n", start)
            if cr < 0 and lf < 0:
                break
            if cr >= 0 and (lf < 0 or cr < lf):
                if cr + 1 == n:
                    # A CR at the end may be the first half of a CRLF split across chunks:
                    # end the line now (no added latency) and skip an LF that starts the next chunk.
                    self._skip_lf = True
                self._line(buf[start:cr], events)
                start = cr + 2 if cr + 1 < n and buf[cr + 1] == "\n" else cr + 1
            else:
                self._line(buf[start:lf], events)
                start = lf + 1
        self._buffer = buf[start:]
        return events

    def _line(self, line: str, events: list[SseEvent]) -> None:
        if not line:
            self._dispatch(events)
            return
        if line[0] == ":":
            return  # comment (e.g. ": ping")
        field, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if field == "data":
            self._data.append(value)
            self._has_data = True
        elif field == "event":
            self._event = value
        elif field == "id":
            if "\0" not in value:
                self._last_id = value
        elif field == "retry" and value.isascii() and value.isdigit():
            self._retry = int(value)
        # any other field is ignored, as the spec says

    def _dispatch(self, events: list[SseEvent]) -> None:
        if self._has_data:
            events.append(
                SseEvent(
                    data="\n".join(self._data), event=self._event or "message", id=self._last_id, retry=self._retry
                )
            )
        self._data = []
        self._has_data = False
        self._event = ""
        self._retry = None


def format_event(data: str | dict[str, Any] | list[Any], event: str | None = None, *, id: str | None = None) -> bytes:
    """One SSE event as bytes. A dict/list is sent as compact JSON; a string with newlines
    becomes several `data:` lines (the parser joins them back with `\\n`)."""
    if not isinstance(data, str):
        # Compact JSON holds no CR or LF (they are escaped): one data line, no splitting.
        # orjson: compact JSON as UTF-8 bytes (NaN, which JSON lacks, as null) for a quarter of the
        # json module's CPU; the playground sends an event per token.
        head = "" if event is None else f"event: {_single_line('event', event)}\n"
        if id is not None:
            head += f"id: {_single_line('id', id)}\n"
        return b"".join((head.encode(), b"data: ", orjson.dumps(data), b"\n\n"))
    parts = []
    if event is not None:
        _check_single_line("event", event)
        parts.append(f"event: {event}\n")
    if id is not None:
        _check_single_line("id", id)
        parts.append(f"id: {id}\n")
    for line in data.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        parts.append(f"data: {line}\n")
    parts.append("\n")
    return "".join(parts).encode("utf-8")


def format_comment(text: str = "ping") -> bytes:
    """A comment (ignored by parsers), e.g. `: ping` as a keep-alive."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return ("".join(f": {line}\n" for line in lines) + "\n").encode("utf-8")


def _check_single_line(name: str, value: str) -> None:
    if "\n" in value or "\r" in value:
        raise ValueError(f"SSE {name} must be a single line: {value!r}")


def _single_line(name: str, value: str) -> str:
    _check_single_line(name, value)
    return value
