"""Request bodies read in large steps (cds_service/gunicorn_worker.LargeReadBody): the same
bytes as gunicorn's own Body for every pattern of reads, and the connection's reader left
at the body's end (a pipelined next request stays unread)."""

from __future__ import annotations

from typing import Any

from gunicorn.http.body import Body, EOFReader, LengthReader
from gunicorn.http.unreader import IterUnreader
from hypothesis import given, settings
from hypothesis import strategies as st

from cds_service.gunicorn_worker import LargeReadBody

NEXT_REQUEST = b"POST /next HTTP/1.1\r\n"

_reads = st.lists(
    st.one_of(
        # small sizes too: a read that the buffer a readline left behind can answer
        st.tuples(st.just("read"), st.none() | st.integers(-2, 64) | st.integers(0, 400_000)),
        st.tuples(st.just("readline"), st.none() | st.integers(0, 5_000)),
    ),
    min_size=1,
    max_size=8,
)


def _chunks(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(c, len(data)) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in zip(points, points[1:], strict=False) if b > a]


def _run(body_cls: Any, reader: str, data: bytes, cuts: list[int], ops: Any) -> Any:
    unreader = IterUnreader(_chunks(data + NEXT_REQUEST, cuts))
    source = LengthReader(unreader, len(data)) if reader == "length" else EOFReader(unreader)
    body = body_cls(source)
    out = [getattr(body, op)(size) for op, size in ops]
    out.append(body.read())  # the rest of the body
    return out, unreader.read()  # and what the connection still holds


@settings(max_examples=300, deadline=None)
@given(
    data=st.binary(max_size=3_000)
    | st.builds(lambda n, b: (b * n)[:n], st.integers(0, 300_000), st.binary(min_size=1))
    | st.builds(lambda n: b"line\n" * n, st.integers(0, 2_000)),
    cuts=st.lists(st.integers(0, 300_000), max_size=12),
    ops=_reads,
    reader=st.sampled_from(["length", "eof"]),
)
def test_same_bytes_as_gunicorns_body(data: bytes, cuts: list[int], ops: Any, reader: str) -> None:
    assert _run(LargeReadBody, reader, data, cuts, ops) == _run(Body, reader, data, cuts, ops)


def test_a_whole_body_in_one_read_leaves_the_next_request_unread() -> None:
    data = bytes(range(256)) * 1000  # 256,000 bytes
    got, rest = _run(LargeReadBody, "length", data, [1, 8192, 100_000], [("read", len(data))])
    assert got == [data, b""]
    assert rest == NEXT_REQUEST


def test_reads_take_large_steps_from_the_reader() -> None:
    class CountingReader(LengthReader):  # type: ignore[misc]
        calls = 0

        def read(self, size: int) -> bytes:
            CountingReader.calls += 1
            return bytes(super().read(size))

    data = b"x" * 3_000_000
    body = LargeReadBody(
        CountingReader(
            IterUnreader([data[i : i + 8192] for i in range(0, len(data), 8192)]), len(data)
        )
    )
    assert body.read(len(data)) == data
    assert CountingReader.calls <= 4  # gunicorn's Body: one call per kB (2,930)
