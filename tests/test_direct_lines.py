"""The charts and the panel's text hand their rows to the compositor themselves: cell for cell what Textual's
styles cache draws, border and padding included."""

from __future__ import annotations

import pytest
from conftest import new_app
from textual.geometry import Region
from textual.widget import Widget

from fitplay.tui.chart_view import ChartView
from fitplay.tui.direct_lines import DirectLines


def cells(strips) -> list[list[tuple[str, object]]]:
    return [[(char, segment.style) for segment in strip for char in segment.text] for strip in strips]


def crops(widget: Widget) -> list[Region]:
    """The whole widget, its content rows, a piece from the middle and a row of the border or padding."""
    width, height = widget.outer_size
    gutter = widget.styles.gutter
    return [Region(0, 0, width, height), Region(0, gutter.top, width, height - gutter.height),
            Region(min(5, width - 1), gutter.top, max(1, width - 10), max(1, min(7, height - gutter.height))),
            Region(0, height - 1, width, 1)]


def assert_drawn_as_textual_does(widget: Widget) -> None:
    for crop in crops(widget):
        ours = widget.render_lines(crop)
        widget._styles_cache.clear()
        assert cells(ours) == cells(Widget.render_lines(widget, crop)), (widget.id, crop)
    width, height = widget.outer_size
    for rows in ([1, 3, 4], [0, height - 1], [height - 2]):  # with gaps between them, and border rows
        for span in ((0, width), (1, width - 2)):
            ours = widget.render_rows(rows, span)
            widget._styles_cache.clear()
            theirs = [Widget.render_lines(widget, Region(span[0], y, span[1] - span[0], 1))[0] for y in rows]
            assert cells(ours) == cells(theirs), (widget.id, rows, span)


@pytest.mark.parametrize(("no_color", "theme"), [(False, "dark"), (True, "dark"), (False, "ansi16")])
async def test_the_rows_are_what_textuals_own_rendering_draws(no_color, theme, monkeypatch):
    """In colour, without (NO_COLOR: a filter changes every style) and in a theme of the terminal's own ANSI
    colours (Textual turns its colour filter off)."""
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    app = new_app()
    async with app.run_test(size=(160, 40)) as pilot:  # wide enough for the side landscape
        app.theme = theme
        await pilot.pause()
        await pilot.press("t", "e", "up", "right")
        widgets = [app.query_one(f"#{name}", DirectLines) for name in ("chart", "side", "loss-strip", "readout",
                                                                           "status")]
        assert all(widget.display and widget.outer_size.area for widget in widgets)
        for widget in widgets:
            assert_drawn_as_textual_does(widget)
        app.theme = "textual-light"  # new colours for the border, the padding and the text
        await pilot.pause()
        for widget in widgets:
            assert_drawn_as_textual_does(widget)


async def test_each_of_the_panel_and_chart_widgets_draws_its_own_rows():
    """The fast way is taken where it can be: a border or padding beside the rows does not send them through
    the styles cache (which would render and keep the row)."""
    app = new_app()
    async with app.run_test(size=(160, 40)) as pilot:  # wide enough for the side landscape
        await pilot.press("up")
        for widget in app.query(DirectLines):
            widget._styles_cache.clear()
            top = widget.styles.gutter.top
            widget.render_lines(Region(0, top + 1, widget.outer_size.width, 1))
            assert top + 1 not in widget._styles_cache._cache, widget.id


@pytest.mark.parametrize("hide", ["view", "window"])
async def test_charts_shown_again_draw_what_changed_while_they_were_hidden(hide):
    """The side landscape and the loss strip are hidden by another view, or the whole screen by a window too
    small; the line moves meanwhile. Shown again at the same size, they draw the state of then, not the rows
    they last painted."""
    app = new_app()
    async with app.run_test(size=(170, 40)) as pilot:
        charts = {"#side": app.side_landscape, "#loss-strip": app.loss_strip}
        views = {name: app.query_one(name, ChartView) for name in charts}
        sizes = {name: view.size for name, view in views.items()}
        await (pilot.press("v") if hide == "view" else pilot.resize_terminal(40, 10))
        await pilot.press("up", "up", "right", "full_stop")
        await (pilot.press("v", "v") if hide == "view" else pilot.resize_terminal(170, 40))
        await pilot.pause()
        for name, view in views.items():
            assert view.display and view.size == sizes[name] and view.size.height > 4, name
            shown = ["".join(segment.text for segment in view.render_line(y)) for y in range(view.size.height)]
            assert shown == charts[name].render(app.session, *view.size).lines(), name
