"""Grid rows to Textual strips, with one cached rich Style per cell kind."""

from __future__ import annotations

import re
from bisect import bisect_right

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
        self._runs: list[tuple[list[Segment], list[int]]] = []  # each row's segments and where each one ends
        self._strips: list[Strip] = []
        self._segments: dict[tuple[str, int], Segment] = {}

    def paint(self, grid: Grid) -> tuple[list[Strip], list[tuple[int, int, int]]]:
        """Strips for every row, and the changed spans (row, first col, last col + 1) to refresh. A row that is
        the very row painted last (a copy's row it never wrote to) is not read again."""
        sources = list(zip(grid.chars, grid.kinds))
        last, rows, runs, strips = self._sources, [], [], []
        changed: list[tuple[int, int, int]] = []
        for y, source in enumerate(sources):
            if y < len(last) and source[0] is last[y][0] and source[1] is last[y][1]:
                rows.append(self._rows[y])
                runs.append(self._runs[y])
                strips.append(self._strips[y])
                continue
            row = ("".join(source[0]), bytes(source[1]))
            rows.append(row)
            old = self._rows[y] if y < len(self._rows) else None
            if old == row:
                runs.append(self._runs[y])
                strips.append(self._strips[y])
                continue
            start, end = _span(old, row)
            if old is None or len(old[0]) != len(row[0]):
                run = self._split(*row, 0, len(row[0]))
            else:
                run = self._respliced(self._runs[y], *row, start, end)
            runs.append(run)
            strips.append(Strip(run[0], len(row[0])))
            changed.append((y, start, end))
        self._sources, self._rows, self._runs, self._strips = sources, rows, runs, strips
        return strips, changed

    def _respliced(self, run: tuple[list[Segment], list[int]], text: str, kinds: bytes, start: int,
                   end: int) -> tuple[list[Segment], list[int]]:
        """A changed row's segments: the old row's, but for cells start to end, split again with one old
        segment either side (whose cells did not change, so every run stays whole). A key changes a few cells
        of a row; splitting all of it was most of painting it."""
        segments, ends = run
        first = max(bisect_right(ends, start) - 1, 0)
        last = min(bisect_right(ends, end - 1) + 1, len(ends) - 1)
        middle, middle_ends = self._split(text, kinds, ends[first - 1] if first else 0, ends[last])
        return segments[:first] + middle + segments[last + 1:], ends[:first] + middle_ends + ends[last + 1:]

    def _split(self, text: str, kinds: bytes, start: int, end: int) -> tuple[list[Segment], list[int]]:
        """One segment per run of cells of the same kind from start to end, and where each run ends; a run
        seen before reuses its segment (a third of the time of making each anew)."""
        if len(self._segments) > _SEGMENTS_KEPT:
            self._segments = {}
        made, style = self._segments, self.styles.get
        segments, ends = [], []
        for match in _RUNS.finditer(kinds, start, end):
            first, after = match.span()
            key = (text[first:after], kinds[first])
            segment = made.get(key)
            if segment is None:
                segment = made[key] = Segment(key[0], style(key[1], _PLAIN))
            segments.append(segment)
            ends.append(after)
        return segments, ends


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
