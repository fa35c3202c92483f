"""The axes drawn by plotext itself, as fitplay drew them before it laid them out on its own (charts/axes.py):
the reference its layout is checked against, cell by cell.

plotext drops repeated ticks through a set, so the order in which it places tick labels that crowd each other
(each keeps a blank cell around it, or is left out) changed with each process's hash seed: the same chart
showed different labels from one start to the next. The reference places them in order, as fitplay does."""

from __future__ import annotations

import re
from collections.abc import Sequence

import plotext as plt
import plotext._utility as plotext_utility

from fitplay.charts.axes import DATA_MARKER, _fitted_labels, _ticks, _unit

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
plotext_utility.no_duplicates = lambda data: list(dict.fromkeys(data))


def plotext_axes(width: int, height: int, xlim: tuple[float, float], ylim: tuple[float, float],
                 points: tuple[Sequence[float], Sequence[float]] | None = None, xlabel: str = "", ylabel: str = "",
                 lines: Sequence[tuple[Sequence[float], Sequence[float]]] = (), ylog: bool = False) -> list[str]:
    """build_axes's rows as plotext 5 draws them, plus optional braille lines through (x, y) points."""
    fx, fy = _unit(xlim), _unit(ylim)
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
    rows = _ANSI.sub("", plt.build()).split("\n")
    rows = [r.ljust(width)[:width] for r in rows[:height]]
    return rows + [" " * width] * (height - len(rows))
