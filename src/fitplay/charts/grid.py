"""A character grid with a style kind per cell, and braille drawing onto a plot area."""

from __future__ import annotations

from enum import IntEnum
from functools import lru_cache
from typing import NamedTuple

import numpy as np


class Kind(IntEnum):
    """What a cell shows; the theme maps each kind to a style."""

    TEXT = 0
    AXIS = 1
    DATA = 2
    LINE = 3
    TRUE = 4
    RESID = 5
    PATH = 6
    MARK = 7
    POINT = 8
    MUTED = 9


HEAT_LEVELS = 10
HEAT_BASE = 32


ON_HEAT_BASE = HEAT_BASE + HEAT_LEVELS * HEAT_LEVELS
ON_HEAT_KINDS = (Kind.TEXT, Kind.PATH, Kind.POINT)


def heat_kind(upper: int, lower: int) -> int:
    """The kind code of a half-block heat cell: upper level as foreground, lower as background."""
    return HEAT_BASE + upper * HEAT_LEVELS + lower


def on_heat_kind(kind: Kind, level: int) -> int:
    """A marker of `kind` drawn on a heat cell of `level`: the marker's colour on that level's colour."""
    return ON_HEAT_BASE + ON_HEAT_KINDS.index(kind) * HEAT_LEVELS + level


def heat_level(code: int) -> int | None:
    """The heat level under a cell: a heat cell's upper level, or the level a marker sits on; else None."""
    if HEAT_BASE <= code < ON_HEAT_BASE:
        return (code - HEAT_BASE) // HEAT_LEVELS
    if ON_HEAT_BASE <= code < ON_HEAT_BASE + len(ON_HEAT_KINDS) * HEAT_LEVELS:
        return (code - ON_HEAT_BASE) % HEAT_LEVELS
    return None


# Braille dot bits for (sub-column, sub-row) within a cell: 2 columns x 4 rows.
_BITS = np.array(((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80)))


class Grid:
    """Rows of characters and of Kind codes. A copy shares its rows with the original until it writes to one:
    a key redraws the few rows the line crosses, and the rows it left alone are known unchanged by identity."""

    def __init__(self, chars: list[list[str]], kinds: list[bytearray], shared: set[int] | None = None):
        self.chars = chars
        self.kinds = kinds
        self._shared = shared or set()  # rows still the original's: copied on their first write

    @classmethod
    def blank(cls, width: int, height: int) -> Grid:
        return cls([[" "] * width for _ in range(height)], [bytearray(width) for _ in range(height)])

    @classmethod
    def from_lines(cls, lines: list[str], kind_of) -> Grid:
        """A grid from text lines, each character's kind given by kind_of(char)."""
        chars = [list(line) for line in lines]
        kinds = [bytearray(kind_of(c) for c in line) for line in lines]
        return cls(chars, kinds)

    def copy(self) -> Grid:
        return Grid(self.chars[:], self.kinds[:], set(range(len(self.chars))))

    @property
    def width(self) -> int:
        return len(self.chars[0]) if self.chars else 0

    @property
    def height(self) -> int:
        return len(self.chars)

    def put(self, row: int, col: int, char: str, kind: int) -> None:
        self.put_cells({(row, col): char}, kind)

    def put_cells(self, cells: dict[tuple[int, int], str], kind: int) -> None:
        """Write characters of one kind at (row, col); cells off the grid are left out."""
        chars, kinds, shared = self.chars, self.kinds, self._shared
        height, width = len(chars), self.width
        for (row, col), char in cells.items():
            if 0 <= row < height and 0 <= col < width:
                if row in shared:
                    shared.discard(row)
                    chars[row], kinds[row] = chars[row][:], bytearray(kinds[row])
                chars[row][col] = char
                kinds[row][col] = kind

    def text(self, row: int, col: int, s: str, kind: Kind = Kind.TEXT) -> None:
        self.put_cells({(row, col + i): ch for i, ch in enumerate(s)}, kind)

    def lines(self) -> list[str]:
        return ["".join(r) for r in self.chars]


class Area(NamedTuple):
    """The plot area inside the axes' frame: cell bounds (inclusive) and the data limits they show."""

    top: int
    left: int
    bottom: int
    right: int
    xlim: tuple[float, float]
    ylim: tuple[float, float]

    @property
    def cols(self) -> int:
        return self.right - self.left + 1

    @property
    def rows(self) -> int:
        return self.bottom - self.top + 1

    def sub_x(self, x: np.ndarray) -> np.ndarray:
        """Data x to braille sub-column (float)."""
        x0, x1 = self.xlim
        return (np.asarray(x, dtype=float) - x0) / (x1 - x0) * (2 * self.cols - 1)

    def sub_y(self, y: np.ndarray) -> np.ndarray:
        """Data y to braille sub-row (float, 0 at the top)."""
        y0, y1 = self.ylim
        return (y1 - np.asarray(y, dtype=float)) / (y1 - y0) * (4 * self.rows - 1)

    def x_at_sub(self) -> np.ndarray:
        """The data x of every braille sub-column (read-only: one array per area, asked on every key)."""
        return _x_at_sub(self.cols, *self.xlim)


@lru_cache(maxsize=16)
def _x_at_sub(cols: int, x0: float, x1: float) -> np.ndarray:
    xs = x0 + np.arange(2 * cols) / (2 * cols - 1) * (x1 - x0)
    xs.flags.writeable = False
    return xs


def find_area(lines: list[str], xlim: tuple[float, float], ylim: tuple[float, float]) -> Area:
    """Locate the axes' frame (┌ ... ┘) in their rows."""
    top = next(i for i, ln in enumerate(lines) if "┌" in ln)
    left = lines[top].index("┌") + 1
    right = lines[top].index("┐") - 1
    bottom = next(i for i in range(len(lines) - 1, -1, -1) if "└" in lines[i]) - 1
    return Area(top + 1, left, bottom, right, xlim, ylim)


def braille_curve(area: Area, y_of_sub: np.ndarray, dotted: bool = False) -> dict[tuple[int, int], int]:
    """Braille cells for a curve given its y at every sub-column; each sub-column spans halfway to its
    neighbours, so steep stretches stay joined."""
    sy = area.sub_y(y_of_sub)
    with np.errstate(invalid="ignore"):
        s = np.where(np.isfinite(sy), sy, np.nan)
        half = (s[:-1] + s[1:]) * 0.5  # NaN beside a value that is not finite: fmin and fmax skip it
        left, right = np.concatenate((s[:1], half)), np.concatenate((half, s[-1:]))
        lo = np.rint(np.fmin(s, np.fmin(left, right)))
        hi = np.rint(np.fmax(s, np.fmax(left, right)))
        keep = (hi >= 0) & (lo <= 4 * area.rows - 1)  # False where s is NaN
    if dotted:
        keep[2::3] = False
    cols = np.flatnonzero(keep)
    return _fill(area, cols, lo[cols], hi[cols], one_run_per_column=True)


def _fill(area: Area, sub_cols: np.ndarray, lo: np.ndarray, hi: np.ndarray,
          one_run_per_column: bool = False) -> dict[tuple[int, int], int]:
    """OR the braille dots of vertical sub-pixel runs [lo, hi] at each sub-column into cells, in one numpy pass
    (a Python loop over the dots was most of an animation frame's chart drawing)."""
    nrows, ncols = 4 * area.rows, area.cols
    lo = np.minimum(np.maximum(lo, 0), nrows).astype(np.int64)  # bounded both ways before the cast: 1e300 fits
    hi = np.maximum(np.minimum(hi, nrows - 1), -1).astype(np.int64)
    lengths = hi - lo + 1
    runs = lengths > 0
    if not runs.all():
        sub_cols, lo, lengths = sub_cols[runs], lo[runs], lengths[runs]
    ends = np.cumsum(lengths)
    cols = np.repeat(sub_cols, lengths)
    rows = np.arange(ends[-1] if ends.size else 0) + np.repeat(lo - ends + lengths, lengths)
    if not one_run_per_column:  # runs at one sub-column (residual bars) may overlap: each dot once
        dots = np.unique(rows * (2 * ncols) + cols)
        rows, cols = dots // (2 * ncols), dots % (2 * ncols)
    # Each dot once: the sum of a cell's dot bits is their OR.
    cells = np.bincount((rows >> 2) * ncols + (cols >> 1), weights=_BITS[cols & 1, rows & 3],
                        minlength=area.rows * ncols).astype(np.int64)
    filled = np.flatnonzero(cells)
    at = zip((area.top + filled // ncols).tolist(), (area.left + filled % ncols).tolist())
    return dict(zip(at, cells[filled].tolist()))


def braille_segments(area: Area, xs: np.ndarray, y0: np.ndarray, y1: np.ndarray) -> dict[tuple[int, int], int]:
    """Braille cells for vertical segments from (x, y0) to (x, y1)."""
    sx = np.round(area.sub_x(xs))
    a, b = area.sub_y(y0), area.sub_y(y1)
    lo, hi = np.round(np.minimum(a, b)), np.round(np.maximum(a, b))
    keep = np.isfinite(lo) & np.isfinite(hi) & (sx >= 0) & (sx < 2 * area.cols)
    return _fill(area, sx[keep].astype(int), lo[keep], hi[keep])


def paint_braille(grid: Grid, cells: dict[tuple[int, int], int], kind: Kind) -> None:
    grid.put_cells({cell: chr(0x2800 + bits) for cell, bits in cells.items()}, kind)
