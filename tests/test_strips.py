"""Chart rows to strips: a repaint names exactly the cells that changed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.style import Style

from fitplay.charts.grid import Grid
from fitplay.tui.strips import StripPainter

CHARS = st.sampled_from(list(" •⠁⠒⡇⣿ab─│"))
KINDS = st.sampled_from([0, 1, 2, 3, 200])


@st.composite
def row_pairs(draw) -> tuple[list[str], list[int], list[str], list[int]]:
    width = draw(st.integers(1, 90))
    chars = draw(st.lists(CHARS, min_size=width, max_size=width))
    kinds = draw(st.lists(KINDS, min_size=width, max_size=width))
    new_chars, new_kinds = list(chars), list(kinds)
    for col, char, kind in draw(st.lists(st.tuples(st.integers(0, width - 1), CHARS, KINDS), max_size=4)):
        new_chars[col], new_kinds[col] = char, kind
    return chars, kinds, new_chars, new_kinds


@given(row_pairs())
def test_a_repaint_names_the_first_and_last_changed_cell(pair):
    chars, kinds, new_chars, new_kinds = pair
    painter = StripPainter({k: Style(bold=k == 1) for k in range(256)})
    painter.paint(Grid([chars], [bytearray(kinds)]))
    strips, changed = painter.paint(Grid([new_chars], [bytearray(new_kinds)]))
    differ = [i for i, (a, b, c, d) in enumerate(zip(chars, new_chars, kinds, new_kinds)) if a != b or c != d]
    assert changed == ([(0, differ[0], differ[-1] + 1)] if differ else [])
    assert "".join(seg.text for seg in strips[0]) == "".join(new_chars)


@given(row_pairs(), st.integers(0, 5))
def test_a_copy_shares_the_rows_it_does_not_write_and_never_changes_its_original(pair, extra_rows):
    chars, kinds, new_chars, new_kinds = pair
    rows = [list(chars) for _ in range(extra_rows + 1)]
    original = Grid(rows, [bytearray(kinds) for _ in rows])
    before = (original.lines(), [bytes(k) for k in original.kinds])
    copy = original.copy()
    written = {(0, col): char for col, (old, char) in enumerate(zip(chars, new_chars)) if old != char}
    for (row, col), char in written.items():
        copy.put(row, col, char, new_kinds[col])
    assert (original.lines(), [bytes(k) for k in original.kinds]) == before
    assert all(copy.chars[y] is original.chars[y] for y in range(1, len(rows)))  # rows it left alone
    assert (copy.chars[0] is original.chars[0]) == (not written)
    if written:
        assert [copy.chars[0][col] for _row, col in written] == list(written.values())


@given(row_pairs())
def test_the_rows_a_copy_left_alone_are_not_repainted_and_the_written_ones_are(pair):
    chars, kinds, new_chars, new_kinds = pair
    static = Grid([list(chars), list(chars)], [bytearray(kinds), bytearray(kinds)])
    painter = StripPainter({k: Style(bold=k == 1) for k in range(256)})
    painter.paint(static.copy())
    moved = static.copy()
    for col, (char, kind) in enumerate(zip(new_chars, new_kinds)):
        if (char, kind) != (chars[col], kinds[col]):
            moved.put(1, col, char, kind)
    strips, changed = painter.paint(moved)
    differ = [i for i, (a, b, c, d) in enumerate(zip(chars, new_chars, kinds, new_kinds)) if a != b or c != d]
    assert changed == ([(1, differ[0], differ[-1] + 1)] if differ else [])
    assert ["".join(seg.text for seg in strip) for strip in strips] == ["".join(chars), "".join(new_chars)]
    strips, changed = painter.paint(static.copy())  # back to the static rows: the written row changes back
    assert changed == ([(1, differ[0], differ[-1] + 1)] if differ else [])
    assert ["".join(seg.text for seg in strip) for strip in strips] == ["".join(chars)] * 2


@st.composite
def row_sequences(draw) -> list[tuple[list[str], list[int]]]:
    """A row, then the same row edited a few cells at a time, again and again."""
    width = draw(st.integers(1, 90))
    rows = [(draw(st.lists(CHARS, min_size=width, max_size=width)), draw(st.lists(KINDS, min_size=width,
                                                                                 max_size=width)))]
    for _ in range(draw(st.integers(1, 6))):
        chars, kinds = list(rows[-1][0]), list(rows[-1][1])
        for col, char, kind in draw(st.lists(st.tuples(st.integers(0, width - 1), CHARS, KINDS), max_size=6)):
            chars[col], kinds[col] = char, kind
        rows.append((chars, kinds))
    return rows


@given(row_sequences())
def test_a_row_painted_over_and_over_has_the_segments_of_a_fresh_paint(rows):
    """The painter splits again only the changed cells of a row and a segment either side: its segments stay
    those of the row painted from scratch (one per run of a kind, never two of one kind side by side)."""
    styles = {k: Style(bold=k == 1) for k in range(256)}
    painter = StripPainter(styles)
    for chars, kinds in rows:
        grid = Grid([list(chars)], [bytearray(kinds)])
        strips, _changed = painter.paint(grid)
        fresh, _changed = StripPainter(styles).paint(grid)
        assert [(segment.text, segment.style) for segment in strips[0]] == [
            (segment.text, segment.style) for segment in fresh[0]]
