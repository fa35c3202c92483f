"""The only module that talks to plotext (pinned 5.x), so a move to plotext 6 stays here."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence

import plotext as plt

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
) -> list[str]:
    """Plain-text lines of a plotext chart: axes, ticks, labels, optional scatter and braille lines."""
    with _lock:
        plt.clear_figure()
        plt.limit_size(False, False)
        plt.plotsize(width, height)
        plt.theme("clear")
        if points is not None and len(points[0]):
            plt.scatter(list(points[0]), list(points[1]), marker=DATA_MARKER)
        for xs, ys in lines:
            plt.plot(list(xs), list(ys), marker="braille")
        plt.xlim(*xlim)
        plt.ylim(*ylim)
        if xlabel:
            plt.xlabel(xlabel)
        if ylabel:
            plt.ylabel(ylabel)
        text = plt.build()
    rows = _ANSI.sub("", text).split("\n")
    rows = [r.ljust(width)[:width] for r in rows[:height]]
    return rows + [" " * width] * (height - len(rows))
