"""The axes fitplay lays out itself are plotext's, cell by cell (tests/plotext_reference.py draws them with
plotext), and drawing them loads no plotext."""

from __future__ import annotations

import random
import subprocess
import sys

import numpy as np
import pytest
from plotext_reference import plotext_axes

from fitplay.charts.axes import build_axes

X_LABELS = ["", "x", "step", "temperature_of_the_reactor_core_in_kelvin"]
Y_LABELS = ["", "y", "loss (log scale)", "a much longer y label than that"]


def random_chart(rng: random.Random) -> tuple:
    """A chart's arguments: any size from 1x1, limits of any magnitude and offset, points inside and past the
    limits (one of them NaN at times), labels short and long, a linear or log y axis."""
    width = rng.choice([rng.randint(1, 20), rng.randint(20, 130)])
    height = rng.choice([rng.randint(1, 8), rng.randint(8, 45)])
    lo = rng.choice([0.0, rng.uniform(-1e3, 1e3), rng.uniform(-1, 1) * 10.0 ** rng.randint(-300, 100)])
    span = abs(lo) * rng.choice([1e-9, 1e-3, 1, 10]) + rng.choice([0.0, 1e-3, 1, 37.5, 1e6]) or 1.0
    xlim = (lo, lo + span)
    ylo = rng.uniform(-50, 50)
    ylim = (ylo, ylo + rng.choice([0.5, 3, 100, 1e-4]))
    n = rng.choice([0, 1, 5, 100, 500])
    xs = np.array([rng.uniform(xlim[0] - span * 0.1, xlim[1] + span * 0.1) for _ in range(n)])
    ys = np.array([rng.uniform(ylim[0] - 1, ylim[1] + 1) for _ in range(n)])
    if n and rng.random() < 0.2:
        xs[0] = np.nan
    points = rng.choice([None, (xs, ys)])
    return (width, height, xlim, ylim, points), {"xlabel": rng.choice(X_LABELS), "ylabel": rng.choice(Y_LABELS),
                                                 "ylog": rng.random() < 0.2}


@pytest.mark.parametrize("seed", range(4))
def test_axes_are_laid_out_as_plotext_lays_them_out(seed):
    rng = random.Random(seed)
    for _ in range(100):
        args, options = random_chart(rng)
        assert build_axes(*args, **options) == plotext_axes(*args, **options), (args[:4], options)


def test_the_lesson_charts_are_plotexts():
    """The two charts of the first frame: the lesson's data with its labels, and the empty log-scale loss chart."""
    x = np.linspace(-5, 5, 100)
    lesson = (88, 27, (-5.0, 5.0), (7.65, 32.64), (x, 2 * x + 20))
    assert build_axes(*lesson, xlabel="x", ylabel="y") == plotext_axes(*lesson, xlabel="x", ylabel="y")
    loss = (88, 11, (0.0, 5000.0), (2.0, 3.0))
    assert (build_axes(*loss, xlabel="step", ylabel="loss (log scale)", ylog=True)
            == plotext_axes(*loss, xlabel="step", ylabel="loss (log scale)", ylog=True))


def test_crowded_tick_labels_are_the_same_from_one_start_to_the_next():
    """Labels that do not all fit are placed left to right, whatever the process's hash seed (plotext's set of
    ticks placed them in an order that changed with it)."""
    code = ("from fitplay.charts.axes import build_axes; "
            "print(build_axes(42, 31, (-4863341720.5, -4863341715.0), (0.0, 1.0), xlabel='x')[-2])")
    rows = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": str(seed), "PATH": ""}).stdout for seed in range(6)}
    assert len(rows) == 1 and "-4863341720" in rows.pop()


def test_the_playground_starts_without_plotext():
    code = "import sys, fitplay.cli, fitplay.tui.app; print('plotext' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"
