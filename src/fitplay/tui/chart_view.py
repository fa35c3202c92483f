"""A widget that shows a chart grid as strips and repaints only the cells that changed."""

from __future__ import annotations

from collections.abc import Callable

from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import LineFilter
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from fitplay.charts.grid import Grid
from fitplay.tui.strips import StripPainter

_PLAIN = Style()  # never None: Textual's monochrome filter (NO_COLOR) needs a style on every segment


class ChartView(Widget):
    """Draws whatever its render function returns for the widget's size."""

    DEFAULT_CSS = """
    ChartView { height: 1fr; width: 1fr; }
    """

    def __init__(self, painter: StripPainter, *, id: str | None = None):
        super().__init__(id=id)
        self.painter = painter
        self.render_grid: Callable[[int, int], Grid] | None = None
        self._strips: list[Strip] = []
        self._filter_changes: dict[tuple, bool] = {}

    def set_painter(self, painter: StripPainter) -> None:
        """New styles (a theme change): every row repaints."""
        self.painter = painter
        self.update_chart(full=True)

    def update_chart(self, full: bool = False) -> None:
        """Re-render for the current state and refresh only the changed spans."""
        width, height = self.size
        if self.render_grid is None or width < 10 or height < 5:
            return
        strips, changed = self.painter.paint(self.render_grid(width, height))
        self._strips = strips
        if full:
            self.refresh()
            return
        if changed:
            self.refresh(*(Region(x0, y, x1 - x0, 1) for y, x0, x1 in changed))

    def on_resize(self) -> None:
        self.update_chart(full=True)

    def render_lines(self, crop: Region) -> list[Strip]:
        """The painted rows as they are, through the app's line filters (colour conversion, NO_COLOR). Textual's
        styles cache would restyle and copy every changed row, which matters for a chart whose line crosses all
        of them; a border, tint or opacity takes Textual's way."""
        styles, width = self.styles, self.size.width
        if styles.gutter or styles.tint.a or self.opacity < 1:
            return super().render_lines(crop)
        background = self.background_colors[1]
        strips = [self.render_line(y).adjust_cell_length(width, _PLAIN) for y in crop.line_range]
        for line_filter in self.get_line_filters():
            if self._changes(line_filter, background):
                strips = [strip.apply_filter(line_filter, background) for strip in strips]
        if crop.column_span != (0, width):
            strips = [strip.crop(*crop.column_span) for strip in strips]
        return strips

    def _changes(self, line_filter: LineFilter, background: Color) -> bool:
        """Whether a filter changes any of the painter's styles (ANSIToTruecolor leaves the theme's own colours
        as they are: running it over every changed row would only copy them)."""
        key = (self.painter, line_filter, background)
        if key not in self._filter_changes:
            styles = [*self.painter.styles.values(), _PLAIN]
            self._filter_changes[key] = any(
                line_filter.apply([Segment(" ", style)], background)[0].style != style for style in styles)
        return self._filter_changes[key]

    def render_line(self, y: int) -> Strip:
        if y < len(self._strips):
            return self._strips[y]
        return Strip.blank(self.size.width, _PLAIN)
