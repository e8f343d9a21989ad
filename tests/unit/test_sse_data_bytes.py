"""The byte-level SSE splitter the Chat Completions stream is read with: events must come out
whole whatever the network reads look like (cut mid-line, CRLF split across reads)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from polychat.providers._common import sse_data_bytes


async def _reads(*chunks: bytes) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


async def _events(*chunks: bytes) -> list[bytes]:
    return [data async for data in sse_data_bytes(_reads(*chunks))]


async def test_events_cut_anywhere_come_out_whole() -> None:
    body = b'data: {"a":1}\n\n: keep-alive\n\ndata:{"b":2}\n\ndata: [DONE]\n\n'
    whole = await _events(body)
    assert whole == [b'{"a":1}', b'{"b":2}', b"[DONE]"]
    for cut in range(1, len(body)):
        assert await _events(body[:cut], body[cut:]) == whole
    assert await _events(*(body[i : i + 1] for i in range(len(body)))) == whole


async def test_crlf_and_cr_line_ends_even_split_between_reads() -> None:
    body = b"data: one\r\ndata: two\r\n\r\ndata: three\r\rdata: four\n\n"
    expected = [b"one\ntwo", b"three", b"four"]
    assert await _events(body) == expected
    for cut in range(1, len(body)):
        assert await _events(body[:cut], body[cut:]) == expected


async def test_last_event_without_blank_line_or_newline_is_kept() -> None:
    assert await _events(b"data: a\n\ndata: b\ndata: c") == [b"a", b"b\nc"]
    assert await _events(b"data: a\r") == [b"a"]
    assert await _events(b"event: ping\nid: 3\n\n") == []
