"""The chart hands its painted rows to the compositor itself: cell for cell what Textual's styles cache draws."""

from __future__ import annotations

import pytest
from conftest import new_app
from textual.geometry import Region
from textual.widget import Widget

from fitplay.tui.chart_view import ChartView


def cells(strips) -> list[list[tuple[str, object]]]:
    return [[(char, segment.style) for segment in strip for char in segment.text] for strip in strips]


@pytest.mark.parametrize("no_color", [False, True])
async def test_the_chart_rows_are_what_textuals_own_rendering_draws(no_color, monkeypatch):
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    app = new_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("t", "e", "up", "right")
        chart = app.query_one("#chart", ChartView)
        width, height = chart.size
        for crop in (Region(0, 0, width, height), Region(5, 3, 40, 7)):
            ours = chart.render_lines(crop)
            chart._styles_cache.clear()
            assert cells(ours) == cells(Widget.render_lines(chart, crop))
