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
