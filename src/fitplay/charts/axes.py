"""A chart's axes as plain rows: frame, ticks, tick labels, axis labels and data points, laid out as plotext 5
lays them out (tests/plotext_reference.py draws the same with plotext, and the tests compare them cell by cell).

Drawn here rather than by plotext: importing plotext and building the two charts of the first frame took about
150 M of its 1,660 M instructions (callgrind), a tenth of the time to the first frame, whose budget is 0.6 s;
plotext's import writes its own documentation (colouring every function's signature) before anything is drawn."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from rich.cells import get_character_cell_size

from fitplay.errors import shortened

DATA_MARKER = "•"


def build_axes(
    width: int,
    height: int,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    points: tuple[Sequence[float], Sequence[float]] | None = None,
    xlabel: str = "",
    ylabel: str = "",
    ylog: bool = False,
) -> list[str]:
    """`height` rows of `width` cells: the frame with its ticks, the tick labels below and at the left, the axis
    labels on the last row (y's at the left, x's under the middle) and a DATA_MARKER at each point.

    Every coordinate is mapped to [0, 1] and the tick labels are written from the real values, so data of any
    magnitude (1e-300 to 1e100) and any offset draws the same way. ylog: y is log10 of the values, and the y
    ticks are labelled with the values themselves (1, 10, 100)."""
    fx, fy = _unit(xlim), _unit(ylim)
    xticks, xtick_labels = _ticks(xlim, max(2, width // 14), fx)
    yticks, ytick_labels = _ticks(ylim, max(2, height // 3), fy, ylog)
    xlabel, ylabel = _fitted_labels(width, xlabel, ylabel)
    label_width = max((len(label) for label in ytick_labels), default=0)
    ytick_labels = [label.rjust(label_width) for label in ytick_labels]
    cols = width - 2 - label_width  # the plot area inside the frame
    label_row = 1 if xlabel or ylabel else 0
    tick_row = 1 if xtick_labels else 0
    rows = height - 2 - tick_row - label_row
    canvas = _Canvas(width, height)  # row 0 is the bottom one
    left, right = label_width + 1, label_width + 1 + cols
    bottom, top = label_row + tick_row + 1, label_row + tick_row + 1 + rows
    x_cells = [_cell(p, cols) for p in xticks]
    y_cells = [_cell(p, rows) for p in yticks]
    tick_label_row = min(bottom - 2, height - 1)
    ticked = [cell for cell, label in zip(x_cells, xtick_labels)
              if height > 0 and canvas.write_spaced(left + cell, tick_label_row, label, centred_in_space=True)]
    if rows >= -1:
        canvas.write(left, top, "─" * max(cols, 0))
    if width >= label_width:
        for cell, label in zip(y_cells, ytick_labels):
            canvas.write(0, bottom + cell, label)
    if width >= label_width + 1:
        canvas.write_up(label_width, bottom, ["┤" if i in y_cells else "│" for i in range(rows)])
    if width >= label_width + 2:
        canvas.write_up(right, bottom, ["│"] * rows)
    if rows >= 0 and cols >= 0:
        for col, row, corner in ((left - 1, bottom - 1, "└"), (right, bottom - 1, "┘"), (left - 1, top, "┌"),
                                 (right, top, "┐")):
            canvas.put(col, row, corner)
    if rows >= -1:
        canvas.write(left, bottom - 1, "".join("┬" if i in ticked else "─" for i in range(cols)))
    if height > 0:
        if ylabel:
            canvas.write_spaced(0, 0, ylabel)
        if xlabel:
            canvas.write_spaced(left + cols // 2 - len(xlabel) // 2, 0, xlabel)
    if points is not None and cols != 0:
        for px, py in zip(fx(points[0]).tolist(), fy(points[1]).tolist()):
            col, row = _cell(px, cols), _cell(py, rows)
            if col is not None and row is not None and 0 <= col < cols and 0 <= row < rows:
                canvas.put(left + col, bottom + row, DATA_MARKER)
    return canvas.rows()


def _cell(position: float, cells: int) -> int | None:
    """The cell of a position in [0, 1] across `cells` cells (plotext's rounding: to 8 decimals, then down);
    None for a value that is not finite."""
    if not math.isfinite(position):
        return None
    at = 0.5 + (cells - 1) * position
    return math.floor(round(at, 8)) if math.isfinite(at) else None


class _Canvas:
    """Characters in rows counted from the bottom; what falls outside is left out."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.cells = [[" "] * width for _ in range(max(height, 0))]

    def put(self, col: int, row: int, char: str) -> None:
        if 0 <= col < self.width and 0 <= row < self.height:
            self.cells[row][col] = char

    def write(self, col: int, row: int, text: str) -> None:
        for i, char in enumerate(text):
            self.put(col + i, row, char)

    def write_up(self, col: int, row: int, chars: list[str]) -> None:
        for i, char in enumerate(chars):
            self.put(col, row + i, char)

    def write_spaced(self, col: int, row: int, text: str, centred_in_space: bool = False) -> bool:
        """Write text at col only where it keeps a blank cell on each side and fits the row; whether it did.
        centred_in_space: col is where text should centre, moved to keep clear of what the row holds."""
        if centred_in_space:
            col = self._centre(self.cells[row], text, col)
        clear = all(self.cells[row][c] == " " for c in range(max(col - 1, 0), min(col + len(text) + 1, self.width)))
        if not (clear and col >= 0 and col + len(text) <= self.width):
            return False
        self.write(col, row, text)
        return True

    @staticmethod
    def _centre(cells: list[str], text: str, col: int) -> int:
        """plotext's placement of a tick label: centred on col within the blank cells around it."""
        size = len(text)
        blank = [i for i in range(max(col - size + 1, 0), min(col + size, len(cells) - 1)) if cells[i] == " "]
        first, last = min(blank, default=col - size + 1), max(blank, default=col + size)
        start, end = last - size + 1, first + size
        return (start + end - size) // 2

    def rows(self) -> list[str]:
        """The rows from the top, as text."""
        return ["".join(row) for row in reversed(self.cells)]


def _fitted_labels(width: int, xlabel: str, ylabel: str) -> tuple[str, str]:
    """The axis labels cut (with …) so both show on their row: the y label is at the left and the x label in the
    middle, and a long y label drew over the x label."""
    xlabel = shortened(_one_cell_each(xlabel), max(1, width // 2))
    return xlabel, shortened(_one_cell_each(ylabel), max(1, width // 2 - (len(xlabel) + 1) // 2 - 2))


def _one_cell_each(text: str) -> str:
    """text with ? for each character that is not one cell wide as Rich, which draws the rows, measures it (温,
    💥, a combining accent): a chart row has a character per cell, and a wide one pushed the row past its edge."""
    return "".join(c if get_character_cell_size(c) == 1 else "?" for c in text)


def _unit(lim: tuple[float, float]):
    """The map from [lo, hi] to [0, 1] (computed in steps that do not overflow at 1e100)."""
    lo, hi = lim
    span = hi - lo if math.isfinite(hi - lo) and hi > lo else 1.0

    def to_unit(values) -> np.ndarray:
        with np.errstate(all="ignore"):
            return (np.asarray(values, dtype=np.float64) - lo) / span

    return to_unit


def _ticks(lim: tuple[float, float], count: int, to_unit, log: bool = False) -> tuple[list[float], list[str]]:
    """Round tick values (1, 2 or 5 x 10^k apart) inside lim: their [0, 1] positions and their labels (of
    10^value for a log axis)."""
    lo, hi = lim
    span = hi - lo
    if not (math.isfinite(span) and span > 0):
        return [0.0], [_label(lo, 1.0, lo)]
    raw = span / count
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1.0, 2.0, 5.0, 10.0) if m * magnitude >= raw)
    first = math.ceil(lo / step)
    values = [(first + k) * step for k in range(count + 2) if (first + k) * step <= hi + 1e-9 * span]
    positions = [float(p) for p in to_unit(values)]
    if log:
        return positions, [_power_label(10.0 ** v) for v in values]
    return positions, [_label(v, step, max(abs(lo), abs(hi))) for v in values]


def _power_label(value: float) -> str:
    """A log axis's tick: three significant digits, plain between 1e-4 and 1e6 (1000, 0.316), else 1e+08."""
    rounded = float(f"{value:.3g}")
    return f"{rounded:.10g}" if 1e-4 <= rounded < 1e6 else f"{rounded:.3g}"


def _label(value: float, step: float, largest: float) -> str:
    """A tick label with just the digits that tell neighbouring ticks apart (whole numbers as they are)."""
    if step >= 1 and value.is_integer() and abs(value) < 1e6:
        return str(int(value))
    digits = max(1, min(15, math.ceil(math.log10(max(largest, step) / step)) + 1)) if step > 0 else 4
    text = f"{value:.{digits}g}"
    return "0" if float(text) == 0.0 else text
