"""A text row's repaint names exactly the cells that changed."""

from __future__ import annotations

from conftest import new_app
from hypothesis import given
from hypothesis import strategies as st
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from fitplay.tui.panel import Readout
from fitplay.tui.text_rows import _changed_span

STYLES = [Style(), Style(bold=True), Style(color="red"), Style(dim=True)]
PIECES = st.lists(st.tuples(st.text(alphabet="ab ∂Δ●.-1", min_size=1, max_size=6), st.integers(0, 3)),
                  min_size=1, max_size=6)


def strip(pieces) -> Strip:
    return Strip([Segment(text, STYLES[k]) for text, k in pieces])


def cells(s: Strip) -> list[tuple[str, Style]]:
    return [(char, segment.style) for segment in s for char in segment.text]


@st.composite
def row_pairs(draw) -> tuple[Strip, Strip]:
    """A row and the same row with a few cells changed, cut into segments differently."""
    old = strip(draw(PIECES))
    new_cells = cells(old)
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(new_cells) - 1))
        new_cells[at] = (draw(st.sampled_from("ab ∂Δ●.-1")), STYLES[draw(st.integers(0, 3))])
    cuts = sorted(draw(st.sets(st.integers(1, len(new_cells)), max_size=4)) | {len(new_cells)})
    segments, start = [], 0
    for end in cuts:  # each chunk its own segments: the same cells, cut where the old row was not
        for char, style in new_cells[start:end]:
            segments.append(Segment(char, style))
        start = end
    return old, Strip(Segment.simplify(segments))


@given(row_pairs())
def test_the_changed_span_is_the_first_to_the_last_differing_cell(pair):
    old, new = pair
    differ = [i for i, (x, y) in enumerate(zip(cells(old), cells(new))) if x != y]
    assert _changed_span(old, new) == ((differ[0], differ[-1] + 1) if differ else (0, 0))


def test_a_row_with_a_wide_character_repaints_whole():
    old, new = Strip([Segment("ab世c")]), Strip([Segment("ab世d")])
    assert _changed_span(old, new) == (0, new.cell_length)


def test_a_wide_and_a_zero_width_character_together_repaint_the_row_whole():
    """Their cells add up to their count of characters, yet a character's place is not its cell: "a" sits in
    cell 2 (数 takes 0 and 1). Counted as characters, only cell 1 was repainted and the new "x" never shown."""
    old, new = Strip([Segment("数ab\u0301")]), Strip([Segment("数xb\u0301")])
    assert _changed_span(old, new) == (0, new.cell_length)


async def test_rows_made_at_another_width_are_made_again():
    """The readout's rows are kept per line of text; at a new width, however its rows are asked for (a frame
    drawing it, or new lines before that frame), none made at the old width is used."""
    app = new_app()
    async with app.run_test(size=(120, 40)):
        readout = app.query_one(Readout)
        for width in (29, 20, 45):
            assert {row.cell_length for row in readout._rows(width)} == {width}
