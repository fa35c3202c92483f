"""A text widget's rows are made at the width they are shown at."""

from __future__ import annotations

from conftest import new_app

from fitplay.tui.panel import Readout


async def test_rows_made_at_another_width_are_made_again():
    """The readout's rows are kept per line of text; at a new width, however its rows are asked for (a frame
    drawing it, or new lines before that frame), none made at the old width is used."""
    app = new_app()
    async with app.run_test(size=(120, 40)):
        readout = app.query_one(Readout)
        for width in (29, 20, 45):
            assert {row.cell_length for row in readout._rows(width)} == {width}
