"""Grid rows to Textual strips, with one cached rich Style per cell kind."""

from __future__ import annotations

import re

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from fitplay.charts.grid import Grid

_PLAIN = Style()
_RUNS = re.compile(rb"(.)\1*", re.DOTALL)  # a run of one byte value: cells of one kind
_SEGMENTS_KEPT = 4096  # distinct (text, kind) runs kept for reuse: a moving line repeats a few hundred


class StripPainter:
    """Turns grid rows into strips; rows that did not change keep their strip."""

    def __init__(self, styles: dict[int, Style]):
        self.styles = styles
        self._sources: list[tuple[list[str], bytearray]] = []  # the grid rows painted last (kept alive)
        self._rows: list[tuple[str, bytes]] = []
        self._strips: list[Strip] = []
        self._segments: dict[tuple[str, int], Segment] = {}

    def paint(self, grid: Grid) -> tuple[list[Strip], list[tuple[int, int, int]]]:
        """Strips for every row, and the changed spans (row, first col, last col + 1) to refresh. A row that is
        the very row painted last (a copy's row it never wrote to) is not read again."""
        sources = list(zip(grid.chars, grid.kinds))
        last, rows, strips = self._sources, [], []
        changed: list[tuple[int, int, int]] = []
        for y, source in enumerate(sources):
            if y < len(last) and source[0] is last[y][0] and source[1] is last[y][1]:
                rows.append(self._rows[y])
                strips.append(self._strips[y])
                continue
            row = ("".join(source[0]), bytes(source[1]))
            rows.append(row)
            old = self._rows[y] if y < len(self._rows) else None
            if old == row:
                strips.append(self._strips[y])
                continue
            strips.append(self._strip(*row))
            changed.append((y, *_span(old, row)))
        self._sources, self._rows, self._strips = sources, rows, strips
        return strips, changed

    def _strip(self, text: str, kinds: bytes) -> Strip:
        """One segment per run of cells of the same kind; a run seen before reuses its segment (a third of the
        time of making each anew, on every changed row of every key and frame)."""
        if len(self._segments) > _SEGMENTS_KEPT:
            self._segments = {}
        made, style = self._segments, self.styles.get
        segments = []
        for match in _RUNS.finditer(kinds):
            start, end = match.span()
            key = (text[start:end], kinds[start])
            segment = made.get(key)
            if segment is None:
                segment = made[key] = Segment(key[0], style(key[1], _PLAIN))
            segments.append(segment)
        return Strip(segments, len(text))


def _span(old: tuple[str, bytes] | None, new: tuple[str, bytes]) -> tuple[int, int]:
    """The column range where a row changed (found by XOR of the rows as integers: no loop over cells)."""
    if old is None or len(old[0]) != len(new[0]):
        return 0, len(new[0])
    chars = _xor(old[0].encode("utf-32-le"), new[0].encode("utf-32-le"))
    kinds = _xor(old[1], new[1])
    firsts = [_lowest_byte(chars) // 4] if chars else []
    lasts = [(chars.bit_length() - 1) // 8 // 4] if chars else []
    if kinds:
        firsts.append(_lowest_byte(kinds))
        lasts.append((kinds.bit_length() - 1) // 8)
    return min(firsts), max(lasts) + 1


def _xor(a: bytes, b: bytes) -> int:
    return int.from_bytes(a, "little") ^ int.from_bytes(b, "little")


def _lowest_byte(bits: int) -> int:
    """The index of the lowest nonzero byte of a nonzero integer."""
    return ((bits & -bits).bit_length() - 1) // 8
