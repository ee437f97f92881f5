"""SSE framing: the incremental parser (any chunking) and the format functions."""

from __future__ import annotations

import pytest

from aqua_ext.api.sse import SseEvent, SseParser, format_comment, format_event

SAMPLE = (
    ": ping\n"
    "\n"
    'data: {"content":"héllo — 世界 🙂"}\n'
    "\n"
    "event: done\n"
    "id: 7\n"
    "retry: 1500\n"
    "data: line one\n"
    "data: line two\n"
    "\n"
    "data: 🙂 tail without blank line"
).encode()

EXPECTED = [
    SseEvent(data='{"content":"héllo — 世界 🙂"}'),
    SseEvent(data="line one\nline two", event="done", id="7", retry=1500),
    SseEvent(data="🙂 tail without blank line", id="7"),
]


def parse_all(chunks: list[bytes]) -> list[SseEvent]:
    parser = SseParser()
    events: list[SseEvent] = []
    for chunk in chunks:
        events += parser.feed(chunk)
    return events + parser.close()


def test_whole_sample() -> None:
    assert parse_all([SAMPLE]) == EXPECTED


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_split_at_every_byte_position(newline: str) -> None:
    data = SAMPLE.decode().replace("\n", newline).encode()
    for i in range(len(data) + 1):
        assert parse_all([data[:i], data[i:]]) == EXPECTED, f"split at byte {i}"


def test_split_at_every_pair_of_positions_crlf() -> None:
    data = SAMPLE.decode().replace("\n", "\r\n").encode()
    step = 3  # every third pair keeps this fast while still crossing every CR/LF and UTF-8 boundary class
    for i in range(0, len(data) + 1):
        for j in range(i, len(data) + 1, step):
            assert parse_all([data[:i], data[i:j], data[j:]]) == EXPECTED, (i, j)


def test_one_byte_at_a_time() -> None:
    assert parse_all([bytes([b]) for b in SAMPLE]) == EXPECTED


def test_events_are_returned_as_soon_as_complete() -> None:
    parser = SseParser()
    assert parser.feed(b"data: a\n") == []
    assert parser.feed(b"\n") == [SseEvent(data="a")]
    assert parser.feed(b"data: b\r") == []
    assert parser.feed(b"\r") == [SseEvent(data="b")]  # CR CR: a line, then a blank line


def test_cr_then_lf_in_the_next_chunk_is_one_line_ending() -> None:
    parser = SseParser()
    assert parser.feed(b"data: a\r") == []
    assert parser.feed(b"\ndata: b\r\n\r\n") == [SseEvent(data="a\nb")]


def test_comments_only_give_no_events() -> None:
    assert parse_all([b": ping\n\n:another\n\n"]) == []


def test_field_rules() -> None:
    events = parse_all(
        [
            b"data\n\n"  # field with no colon: empty data
            b"data:no-space\n\n"  # no space after the colon
            b"data:  two spaces\n\n"  # only one leading space is removed
            b"unknown: x\ndata: y\n\n"  # unknown fields are ignored
            b"retry: soon\ndata: z\n\n"  # non-numeric retry is ignored
            b"event: only-event\n\n"  # no data: nothing dispatched, event name reset
            b"data: after\n\n"
        ]
    )
    assert events == [
        SseEvent(data=""),
        SseEvent(data="no-space"),
        SseEvent(data=" two spaces"),
        SseEvent(data="y"),
        SseEvent(data="z"),
        SseEvent(data="after"),
    ]


def test_empty_data_lines_keep_newlines() -> None:
    assert parse_all([b"data: a\ndata:\ndata: b\n\n"]) == [SseEvent(data="a\n\nb")]


def test_bom_is_dropped_even_when_split() -> None:
    raw = "\ufeffdata: x\n\n".encode()
    assert parse_all([raw[:1], raw[1:2], raw[2:]]) == [SseEvent(data="x")]


def test_invalid_utf8_is_replaced_not_raised() -> None:
    assert parse_all([b"data: \xff\xfe\n\n"]) == [SseEvent(data="\ufffd\ufffd")]


def test_eof_flushes_last_event() -> None:
    parser = SseParser()
    assert parser.feed(b'data: {"a": 1}\n') == []
    assert parser.close() == [SseEvent(data='{"a": 1}')]
    assert parser.close() == []
    with pytest.raises(RuntimeError):
        parser.feed(b"x")


def test_eof_flushes_unterminated_line_and_trailing_cr() -> None:
    assert parse_all([b"data: x"]) == [SseEvent(data="x")]
    assert parse_all([b"data: x\r"]) == [SseEvent(data="x")]
    assert parse_all([b""]) == []


def test_id_persists_and_nul_id_is_ignored() -> None:
    parser = SseParser()
    events = parser.feed(b"id: 1\ndata: a\n\ndata: b\n\nid: bad\0\ndata: c\n\n")
    assert [e.id for e in events] == ["1", "1", "1"]
    assert parser.last_event_id == "1"


def parse_plain_first(chunks: list[bytes]) -> list[tuple[str, str]]:
    """(event, data) of each event, read as stream_chat reads: the fast path where it applies."""
    parser = SseParser()
    out: list[tuple[str, str]] = []
    for chunk in chunks:
        plain = parser.feed_plain(chunk)
        if plain is None:
            out += [(e.event, e.data) for e in parser.feed(chunk)]
        else:
            out += [("message", data.decode("utf-8", errors="replace")) for data in plain]
    return out + [(e.event, e.data) for e in parser.close()]


# What engines send (one write per event) and what they may: comments, several events in one read,
# `data:` without its space, events of other types, several lines, CRLF, a character split between reads.
PLAIN_STREAMS = [
    [b'data: {"a":1}\n\n', 'data: {"content":"안녕하세요"}\n\n'.encode(), b"data: [DONE]\n\n"],
    [b": ping\n\n", 'data: {"c":"こんにちは"}\n\ndata:{"c":"🙂"}\n\n: ping\n\n'.encode()],
    [b"data: x\n\n", b"event: error\ndata: boom\n\n", b"data: y\n\n"],
    [b"data: x\n\n", b"id: 4\ndata: y\n\n", b"data: z\n\n"],
    [b"data: one\n\n", b"data: two\ndata: lines\n\n", b"data: \n\n"],
    [b"data: one\r\n\r\n", b"data: two\n\n"],
    [b"data: a\n\n", "data: 한".encode()[:-1], "data: 한".encode()[-1:] + b"\n\n", b"data: b\n\n"],
    [b"data: a\n\n" + "한".encode()[:1], "한".encode()[1:] + b"\n\ndata: b\n\n"],
    [b"data: a\n", b"\ndata: b\n\n", b"data: c\n\n\n\n", b"data: d\n\n"],
    ["\ufeffdata: bom\n\n".encode(), b"data: after\n\n", b"data: \xff\xfe\n\n"],
    [b"data: a\n\n", b"event: e\n", b"data: b\n\n"],  # a type given, its data to come
    [b"data: a\n\n", b"data: b\n", b"data: c\n\n"],  # an event's first line read, the rest to come
]


@pytest.mark.parametrize("chunks", PLAIN_STREAMS)
def test_the_fast_path_gives_what_the_full_parser_gives(chunks: list[bytes]) -> None:
    full = [(e.event, e.data) for e in parse_all(chunks)]
    assert parse_plain_first(chunks) == full
    # and at any split of the whole stream into two reads
    whole = b"".join(chunks)
    for i in range(len(whole) + 1):
        assert parse_plain_first([whole[:i], whole[i:]]) == full, f"split at byte {i}"
    assert parse_plain_first([bytes([b]) for b in whole]) == full


def test_the_fast_path_takes_whole_data_events_and_declines_the_rest() -> None:
    parser = SseParser()
    assert parser.feed_plain("\ufeffdata: first\n\n".encode()) is None  # a byte-order mark is the full parser's
    parser.feed("\ufeffdata: first\n\n".encode())
    assert parser.feed_plain(b'data: {"x":1}\n\n: ping\n\ndata:{"y":2}\n\n') == [b'{"x":1}', b'{"y":2}']
    stream = 'data: {"x":"안녕"}\n\ndata: 3'.encode()
    cut = stream.index("녕".encode()) + 1  # inside 녕
    assert parser.feed_plain(stream[:cut]) == []  # an unfinished event is held back
    assert parser.feed_plain(stream[cut:]) == ['{"x":"안녕"}'.encode()]
    assert parser.feed_plain(b"\n\nevent: done\ndata: x\n\n") is None  # declined: nothing consumed
    assert [(e.event, e.data) for e in parser.feed(b"\n\nevent: done\ndata: x\n\n")] == [
        ("message", "3"),
        ("done", "x"),
    ]
    assert parser.feed_plain(b"retry: 10\n\n") is None
    assert [e.data for e in parser.feed(b"data: after\n\n")] == ["after"]
    assert parser.feed_plain(b"data: unfinished") == []
    assert [e.data for e in parser.close()] == ["unfinished"]  # what was held back ends the stream


def test_json_helper() -> None:
    assert SseEvent(data='{"x": [1, 2]}').json() == {"x": [1, 2]}


# ---- format ---------------------------------------------------------------------


def test_format_dict_is_compact_json_and_round_trips() -> None:
    raw = format_event({"content": "héllo\n世界", "n": 1})
    assert raw == 'data: {"content":"héllo\\n世界","n":1}\n\n'.encode()
    assert parse_all([raw])[0].json() == {"content": "héllo\n世界", "n": 1}


def test_format_event_name_and_id() -> None:
    raw = format_event({"usage": None}, event="done", id="3")
    assert raw == b'event: done\nid: 3\ndata: {"usage":null}\n\n'
    assert parse_all([raw]) == [SseEvent(data='{"usage":null}', event="done", id="3")]


@pytest.mark.parametrize("text", ["", "one", "two\nlines", "cr\rlf\r\nmix", "trailing\n", "\n\n", " lead"])
def test_format_string_round_trip(text: str) -> None:
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    raw = format_event(text)
    assert parse_all([raw]) == [SseEvent(data=expected)]
    assert parse_all([bytes([b]) for b in raw]) == [SseEvent(data=expected)]


def test_format_rejects_multiline_event_name() -> None:
    with pytest.raises(ValueError):
        format_event("x", event="a\nb")


def test_format_comment() -> None:
    assert format_comment() == b": ping\n\n"
    assert format_comment("a\nb") == b": a\n: b\n\n"
    assert parse_all([format_comment(), format_event("x"), format_comment("keep-alive")]) == [SseEvent(data="x")]
