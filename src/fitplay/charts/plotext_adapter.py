"""The only module that talks to plotext (pinned 5.x), so a move to plotext 6 stays here."""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Sequence

import numpy as np
import plotext as plt
from rich.cells import get_character_cell_size

from fitplay.errors import shortened

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_lock = threading.Lock()
DATA_MARKER = "•"


def build_axes(
    width: int,
    height: int,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    points: tuple[Sequence[float], Sequence[float]] | None = None,
    xlabel: str = "",
    ylabel: str = "",
    lines: Sequence[tuple[Sequence[float], Sequence[float]]] = (),
    ylog: bool = False,
) -> list[str]:
    """Plain-text lines of a plotext chart: axes, ticks, labels, optional scatter and braille lines.

    plotext sees every coordinate mapped to [0, 1] and tick labels written here from the real values, so
    data of any magnitude (1e-300 to 1e100) and any offset draws the same way. ylog: y is log10 of the
    values, and the y ticks are labelled with the values themselves (1, 10, 100)."""
    fx, fy = _unit(xlim), _unit(ylim)
    with _lock:
        plt.clear_figure()
        plt.limit_size(False, False)
        plt.plotsize(width, height)
        plt.theme("clear")
        if points is not None and len(points[0]):
            plt.scatter(fx(points[0]).tolist(), fy(points[1]).tolist(), marker=DATA_MARKER)
        elif not lines:
            plt.scatter([0.0], [0.0], marker=" ")  # plotext draws no ticks on an empty plot
        for xs, ys in lines:
            plt.plot(fx(xs).tolist(), fy(ys).tolist(), marker="braille")
        plt.xlim(0.0, 1.0)
        plt.ylim(0.0, 1.0)
        plt.xticks(*_ticks(xlim, max(2, width // 14), fx))
        plt.yticks(*_ticks(ylim, max(2, height // 3), fy, ylog))
        xlabel, ylabel = _fitted_labels(width, xlabel, ylabel)
        if xlabel:
            plt.xlabel(xlabel)
        if ylabel:
            plt.ylabel(ylabel)
        text = plt.build()
    rows = _ANSI.sub("", text).split("\n")
    rows = [r.ljust(width)[:width] for r in rows[:height]]
    return rows + [" " * width] * (height - len(rows))


def _fitted_labels(width: int, xlabel: str, ylabel: str) -> tuple[str, str]:
    """The axis labels cut (with …) so both show on their row: plotext puts y's at the left and x's in the
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
