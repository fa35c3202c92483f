"""A chart's static layer: built once per key (data, size, limits), then copied each frame."""

from __future__ import annotations

from collections.abc import Callable, Hashable

from fitplay.charts.axes import DATA_MARKER
from fitplay.charts.grid import Area, Grid, Kind, find_area

_AXIS_CHARS = set("┌┐└┘─│┬┴┤├┼")


def char_kind(ch: str) -> Kind:
    if ch == DATA_MARKER:
        return Kind.DATA
    if ch in _AXIS_CHARS:
        return Kind.AXIS
    return Kind.TEXT


class StaticLayer:
    """Caches the grid and plot area of the last build; rebuilds only when the key changes."""

    def __init__(self) -> None:
        self._key: Hashable | None = None
        self._grid: Grid | None = None
        self.area: Area | None = None

    def get(self, key: Hashable, build: Callable[[], tuple[list[str], tuple, tuple]],
            dress: Callable[[Grid, Area], None] | None = None) -> tuple[Grid, Area]:
        """A fresh copy of the layer for key; build() returns (the axes' rows, xlim, ylim), and dress(grid,
        area) adds what else stays put while the key holds (a legend)."""
        if key != self._key:
            lines, xlim, ylim = build()
            self._grid = Grid.from_lines(lines, char_kind)
            self.area = find_area(lines, xlim, ylim)
            if dress is not None:
                dress(self._grid, self.area)
            self._key = key
        return self._grid.copy(), self.area
