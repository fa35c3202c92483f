"""Grid rows to Textual strips, with one cached rich Style per cell kind."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from fitplay.charts.grid import Grid

_PLAIN = Style()


class StripPainter:
    """Turns grid rows into strips; rows that did not change keep their strip."""

    def __init__(self, styles: dict[int, Style]):
        self.styles = styles
        self._rows: list[tuple[str, bytes]] = []
        self._strips: list[Strip] = []

    def paint(self, grid: Grid) -> tuple[list[Strip], list[tuple[int, int, int]]]:
        """Strips for every row, and the changed spans (row, first col, last col + 1) to refresh."""
        rows = [("".join(c), bytes(k)) for c, k in zip(grid.chars, grid.kinds)]
        strips: list[Strip] = []
        changed: list[tuple[int, int, int]] = []
        for y, row in enumerate(rows):
            old = self._rows[y] if y < len(self._rows) else None
            if old == row:
                strips.append(self._strips[y])
                continue
            strips.append(self._strip(*row))
            changed.append((y, *_span(old, row)))
        self._rows, self._strips = rows, strips
        return strips, changed

    def _strip(self, text: str, kinds: bytes) -> Strip:
        segments = []
        start = 0
        for i in range(1, len(kinds) + 1):
            if i == len(kinds) or kinds[i] != kinds[start]:
                segments.append(Segment(text[start:i], self.styles.get(kinds[start], _PLAIN)))
                start = i
        return Strip(segments, len(text))


def _span(old: tuple[str, bytes] | None, new: tuple[str, bytes]) -> tuple[int, int]:
    """The column range where a row changed."""
    if old is None or len(old[0]) != len(new[0]):
        return 0, len(new[0])
    n = len(new[0])
    first = next(i for i in range(n) if old[0][i] != new[0][i] or old[1][i] != new[1][i])
    last = next(i for i in range(n - 1, -1, -1) if old[0][i] != new[0][i] or old[1][i] != new[1][i])
    return first, last + 1
