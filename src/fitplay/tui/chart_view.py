"""A widget that shows a chart grid as strips and repaints only the cells that changed."""

from __future__ import annotations

from collections.abc import Callable

from textual.geometry import Region, Size
from textual.strip import Strip

from fitplay.charts.grid import Grid
from fitplay.tui.direct_lines import PLAIN, DirectLines
from fitplay.tui.strips import StripPainter


class ChartView(DirectLines):
    """Draws whatever its render function returns for the widget's size."""

    DEFAULT_CSS = """
    ChartView { height: 1fr; width: 1fr; }
    """

    def __init__(self, painter: StripPainter, *, id: str | None = None):
        super().__init__(id=id)
        self.painter = painter
        self.render_grid: Callable[[int, int], Grid] | None = None
        self._strips: list[Strip] = []
        self._grid: Grid | None = None
        self._painted_size = Size(0, 0)

    def set_painter(self, painter: StripPainter) -> None:
        """New styles (a theme change): every row repaints."""
        self.painter = painter
        self.update_chart(full=True)

    def update_chart(self, full: bool = False) -> None:
        """Re-render for the current state and refresh only the changed spans."""
        changed = self._paint(self.size, full)
        if changed is None:
            return
        if full:
            self.refresh()
        elif changed:
            self.refresh(*(Region(x0, y, x1 - x0, 1) for y, x0, x1 in changed))

    def paint_for_size(self, size: Size) -> None:
        if self._painted_size != size:
            self._paint(size, full=True)

    def on_hide(self) -> None:
        """Hidden, it is not repainted as the state changes: shown again, even at the same size, it paints anew."""
        self._painted_size = Size(0, 0)

    def _paint(self, size: Size, full: bool) -> list[tuple[int, int, int]] | None:
        """Paint the chart's rows for the current state at this size: the changed spans (row, first column, end),
        or None when there is nothing to paint (no chart yet, too small, or the same grid as before)."""
        width, height = size
        if self.render_grid is None or width < 10 or height < 5:
            return None
        grid = self.render_grid(width, height)
        if grid is self._grid and not full:  # the chart kept its grid: nothing it shows changed
            return None
        self._grid, self._painted_size = grid, size
        self._strips, changed = self.painter.paint(grid)
        return changed

    def render_line(self, y: int) -> Strip:
        if y < len(self._strips):
            return self._strips[y]
        return Strip.blank(self.size.width, PLAIN)
