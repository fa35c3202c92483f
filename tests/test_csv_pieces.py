"""A large CSV is read in pieces: the same values and the same errors (with the same line numbers) as a file
read whole; a bar on stderr and in the app while it loads."""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fitplay import cli
from fitplay.core import data
from fitplay.core.data import DataError, load_csv
from fitplay.tui.app import AppOptions, make_app


def rows(n: int = 300, header: str = "x,y\n", end: str = "\n") -> list[str]:
    return [header] + [f"{i * 0.5:.3f},{2 * i + 1:.3f}{end}" for i in range(n)]


def with_line(lines: list[str], number: int, text: str) -> str:
    """The file with its line `number` (1-based) replaced."""
    lines = list(lines)
    lines[number - 1] = text
    return "".join(lines)


CASES = {
    "clean": "".join(rows()),
    "no header": "".join(rows(header="")),
    "crlf": "".join(rows(header="x,y\r\n", end="\r\n")),
    "bom": "\ufeff" + "".join(rows()),
    "blank lines": "".join(line + ("\n" if k % 7 == 0 else "") for k, line in enumerate(rows())),
    "quoted": "".join(rows()[:150]) + '"75.000","151.000"\n' + "".join(rows()[151:]),
    "lone CR": with_line(rows(), 200, "99.5,2.0\r100.5,3.0\n"),
    "bad number": with_line(rows(), 250, "1.0,abc\n"),
    "underscore": with_line(rows(), 230, "1_0,2\n"),
    "wrong count": with_line(rows(), 240, "1,2,3\n"),
    "not finite": with_line(rows(), 260, "inf,2\n"),
}
BYTES = {
    "nul": "".join(rows()[:199]).encode() + b"1,\x002\n" + "".join(rows()[200:]).encode(),
    "not utf-8": "".join(rows()[:219]).encode() + b"1,\xe9\n" + "".join(rows()[220:]).encode(),
}


def stdin_of(monkeypatch, content: bytes) -> io.BytesIO:
    """Standard input holding content; the stream, to see how far it was read."""
    stream = io.BytesIO(content)
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(stream))
    return stream


def outcome(path: str) -> tuple[str, object]:
    try:
        d = load_csv(path)
    except DataError as exc:
        return "error", str(exc)
    return "data", (d.x.tolist(), d.y.tolist(), d.columns)


@pytest.mark.parametrize("workers", [False, True], ids=["here", "in worker processes"])
@pytest.mark.parametrize("kind", [*CASES, *BYTES])
def test_pieces_read_like_the_whole_file(tmp_path, monkeypatch, kind, workers):
    path = tmp_path / "d.csv"
    path.write_bytes(BYTES[kind] if kind in BYTES else CASES[kind].encode())
    whole = outcome(str(path))
    monkeypatch.setattr(data, "CHUNK_BYTES", 100)
    monkeypatch.setattr(data, "PARALLEL_BYTES", 0 if workers else data.PARALLEL_BYTES)
    calls = []
    try:
        load_csv(str(path), progress=lambda done, total: calls.append((done, total)))
    except DataError:
        pass
    assert outcome(str(path)) == whole
    assert kind in ("nul",) or len(calls) > 1  # read in pieces (a NUL is found in the first)


def test_a_piecewise_read_reports_progress_and_gives_plain_arrays(tmp_path, monkeypatch):
    path = tmp_path / "d.csv"
    path.write_text("".join(rows(1000)))
    monkeypatch.setattr(data, "CHUNK_BYTES", 1000)
    calls = []
    d = load_csv(str(path), progress=lambda done, total: calls.append((done, total)))
    assert d.n == 1000 and d.x.flags.owndata and d.x.flags.c_contiguous
    np.testing.assert_array_equal(d.y, 2 * np.arange(1000) + 1)
    assert calls[-1] == (path.stat().st_size, path.stat().st_size)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_stdin_larger_than_the_limit_is_refused_in_pieces(monkeypatch):
    monkeypatch.setattr(data, "CHUNK_BYTES", 100)
    monkeypatch.setattr(data, "MAX_CSV_BYTES", 1000)
    stdin_of(monkeypatch, "".join(rows()).encode())
    with pytest.raises(DataError, match=r"^<stdin>: more than 1000 bytes: too large for a CSV file$"):
        load_csv("-")


def test_more_rows_than_a_fit_is_budgeted_for_are_refused_early(monkeypatch):
    """A pipe of endless valid rows (yes 1,2) is refused at MAX_ROWS, not read to the byte limit (4 GB of arrays)."""
    monkeypatch.setattr(data, "CHUNK_BYTES", 100)
    monkeypatch.setattr(data, "MAX_ROWS", 50)
    stream = stdin_of(monkeypatch, b"1,2\n" * 10_000)
    with pytest.raises(DataError, match=r"^<stdin>: more than 50 rows: too many for one fit"):
        load_csv("-")
    assert stream.tell() < 1000


def test_binary_and_endless_lines_are_refused_without_reading_on(monkeypatch):
    monkeypatch.setattr(data, "CHUNK_BYTES", 100)
    monkeypatch.setattr(data, "MAX_LINE_BYTES", 1000)
    zeros = stdin_of(monkeypatch, bytes(100_000))  # /dev/zero: the first piece's NUL ends it
    with pytest.raises(DataError, match=r"^<stdin>: line 1: binary data"):
        load_csv("-")
    assert zeros.tell() <= 200
    one_line = stdin_of(monkeypatch, b"x,y\n1,2\n" + b"7" * 100_000)
    with pytest.raises(DataError, match=r"^<stdin>: a line longer than"):
        load_csv("-")
    assert one_line.tell() < 5000


def test_a_first_piece_of_blank_lines_is_refused_not_read_whole(monkeypatch):
    monkeypatch.setattr(data, "CHUNK_BYTES", 100)
    stream = stdin_of(monkeypatch, b"x,y\n" + b"\n" * 100_000 + b"1,2\n3,4\n")
    with pytest.raises(DataError, match=r"^<stdin>: fewer than two lines with values in the first"):
        load_csv("-")
    assert stream.tell() < 1000


@pytest.mark.parametrize("row, message", [(b",\n", "line 2: column x: '' is not a number"),
                                          (b"1,2,\n", "line 2: 3 fields, expected 2")])
def test_a_bad_first_row_is_named_before_the_piece_is_parsed(monkeypatch, row, message):
    """Every row bad (a file of commas): the first is the error, found before a whole piece is parsed line by
    line (50 MB of them took 1.8 GB and 15 s)."""
    calls = []
    monkeypatch.setattr(data, "_rows", lambda *a, _rows=data._rows: calls.append(len(a[0])) or _rows(*a))
    stdin_of(monkeypatch, b"x,y\n" + row * 10_000)
    with pytest.raises(DataError, match=message):
        load_csv("-")
    assert max(calls) < 100  # only the leading lines were split into rows


def test_load_progress_shows_after_a_second_and_clears(capsys):
    bar = cli.LoadProgress(enabled=True)
    bar(10 << 20, 40 << 20)
    assert capsys.readouterr().err == ""  # not yet a second
    bar.t0 -= 2
    bar(10 << 20, 40 << 20)
    bar.close()
    err = capsys.readouterr().err
    assert "loading the CSV: 10 MB of 40 MB" in err and "█" * 7 in err and err.endswith("\r\x1b[K")


async def test_the_app_shows_a_loading_bar_and_hides_it():
    app = make_app(AppOptions(warm_up=False))
    async with app.run_test(size=(120, 40)) as pilot:
        caption = app.query_one("#caption")
        app._show_loading("big.csv", 30, 60)
        await pilot.pause()
        assert caption.display and "loading big.csv" in str(caption.render()) and "50%" in str(caption.render())
        app._end_loading()
        await pilot.pause()
        assert not caption.display


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["", " ", "1,2", "x,y", "7" * 5000, "a" * 4094]),
                          st.sampled_from(["\n", "\r\n", "\r", "\x0b", "\u2028"])), max_size=12),
       st.integers(1, 3))
def test_the_head_of_a_text_is_its_first_lines_split_whole(lines, count):
    """Splitting only a prefix finds the same first lines as splitting the whole text, whatever the line
    lengths and breaks at the prefix's edge (a CR LF cut in two, a line longer than the prefix)."""
    from fitplay.core.data import _head

    text = "".join(line + end for line, end in lines)
    expected, seen = [], 0
    for line in text.splitlines():
        if seen == count:
            break
        expected.append(line)
        seen += bool(line.strip())
    assert _head(text, count) == expected
