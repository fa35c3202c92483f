"""Chart grids: braille dots set exactly as asked however runs overlap or overrun, and a chart that keeps
its grid only while nothing it shows changed."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fitplay.charts.grid import Area, braille_curve, braille_segments

DOT_BITS = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))


def dots_by_hand(area: Area, sub_cols, lo, hi) -> dict[tuple[int, int], int]:
    """The cells of runs [lo, hi] of sub-rows at each sub-column, one dot at a time."""
    cells: dict[tuple[int, int], int] = {}
    for c, a, b in zip(sub_cols, lo, hi):
        for r in range(max(int(a), 0), min(int(b), 4 * area.rows - 1) + 1):
            key = (area.top + r // 4, area.left + c // 2)
            cells[key] = cells.get(key, 0) | DOT_BITS[c % 2][r % 4]
    return cells


AREA = Area(top=2, left=5, bottom=9, right=24, xlim=(0.0, 1.0), ylim=(0.0, 1.0))  # 8 rows, 20 columns


SUB_ROWS = st.one_of(st.integers(-40, 80), st.sampled_from([-1e300, 1e300]))  # far off the area too


@pytest.mark.filterwarnings("error")  # a cast of 1e300 to an integer warns (and gives nonsense)
@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2 * AREA.cols - 1), SUB_ROWS, SUB_ROWS), max_size=60))
def test_overlapping_and_clipped_bars_set_each_dot_once(bars):
    """Residual bars: several at one sub-column, some reaching past the plot area or empty."""
    xs = np.array([c for c, _, _ in bars], dtype=float) / (2 * AREA.cols - 1)
    top = np.array([a for _, a, _ in bars], dtype=float)
    bottom = np.array([b for _, _, b in bars], dtype=float)
    to_y = lambda sub_row: 1.0 - sub_row / (4 * AREA.rows - 1)  # noqa: E731 (the inverse of Area.sub_y)
    expected = dots_by_hand(AREA, [c for c, _, _ in bars], np.minimum(top, bottom), np.maximum(top, bottom))
    assert braille_segments(AREA, xs, to_y(top), to_y(bottom)) == expected


def curve_by_hand(area: Area, y: np.ndarray, dotted: bool) -> dict[tuple[int, int], int]:
    """Each sub-column's run reaches from its value halfway to each neighbour whose value is finite; a value
    that is not finite draws nothing; dotted leaves out every third sub-column (its value still joins)."""
    sub = [float(value) for value in area.sub_y(y)]
    cols, los, his = [], [], []
    for c, s in enumerate(sub):
        if not math.isfinite(s) or (dotted and c % 3 == 2):
            continue
        ends = [s] + [(s + sub[n]) / 2 for n in (c - 1, c + 1) if 0 <= n < len(sub) and math.isfinite(sub[n])]
        cols.append(c)
        los.append(round(max(min(ends), 0.0)))
        his.append(round(min(max(ends), 4 * area.rows - 1.0)))
    return dots_by_hand(area, cols, los, his)


CURVE_VALUES = st.one_of(st.floats(-3.0, 3.0), st.floats(allow_nan=True, allow_infinity=True),
                         st.sampled_from([np.nan, np.inf, -np.inf, 1e300, -1e300, 1.7e308, -1.7e308]))


@settings(max_examples=400, deadline=None)
@given(st.lists(CURVE_VALUES, min_size=2 * AREA.cols, max_size=2 * AREA.cols), st.booleans())
def test_a_curve_sets_exactly_its_joined_runs(ys, dotted):
    with np.errstate(all="ignore"):
        y = np.array(ys)
        assert braille_curve(AREA, y, dotted=dotted) == curve_by_hand(AREA, y, dotted)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.floats(-3.0, 3.0), st.sampled_from([np.nan, np.inf, -np.inf, 1e300, -1e300])),
                min_size=2 * AREA.cols, max_size=2 * AREA.cols))
def test_a_curve_is_joined_and_clipped(ys):
    """A curve through every sub-column: steep stretches stay joined, values far off the area or not finite
    draw nothing there."""
    y = np.array(ys)
    cells = braille_curve(AREA, y)
    sub = AREA.sub_y(y)
    for c, s in enumerate(sub):
        if np.isfinite(s) and 0 <= round(s) <= 4 * AREA.rows - 1:
            r = int(round(s))
            assert cells[(AREA.top + r // 4, AREA.left + c // 2)] & DOT_BITS[c % 2][r % 4]
    assert all(AREA.top <= r <= AREA.bottom and AREA.left <= c <= AREA.right and 0 < bits < 256
               for (r, c), bits in cells.items())


def test_the_loss_chart_keeps_its_grid_only_while_nothing_it_shows_changed():
    """After each change, the kept chart is what a fresh chart draws; asked again, it is the same grid."""
    from fitplay.charts.loss import LossChart
    from fitplay.core.session import Options, Session

    session = Session(Options(steps=50))
    changes = [lambda: None, lambda: session.nudge(1, 1.0), lambda: session.nudge(1, 100.0),
               lambda: session.run(5), lambda: session.nudge(0, 1.0), lambda: session.reset()]
    charts = {(80, 12): LossChart(), (60, 10): LossChart()}
    for change in changes:
        change()
        for (width, height), chart in charts.items():
            kept = chart.render(session, width, height)
            assert kept.lines() == LossChart().render(session, width, height).lines()
            assert chart.render(session, width, height) is kept
    assert charts[(80, 12)].render(session, 60, 10).lines() == LossChart().render(session, 60, 10).lines()


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_the_loss_before_any_step_has_the_axis_of_a_curve_of_that_one_loss(loss):
    """A hand key asks the loss chart's axis for the current loss alone, in Python floats: what a run's curve
    of that one loss gives (0, below 0, subnormal, near float64's largest)."""
    from fitplay.charts.loss import curve_ys, loss_y

    _ys, span, log = curve_ys(np.array([loss]))
    assert loss_y(loss) == (span, log)


@pytest.mark.parametrize("loss, log", [(math.inf, True), (-math.inf, False), (math.nan, False)])
def test_a_loss_that_is_not_finite_gives_the_axis_no_span(loss, log):
    from fitplay.charts.loss import loss_y, y_limits

    assert loss_y(loss) == (None, log)
    assert y_limits(None, log) == ((0.0, 1.0) if log else (-0.08, 1.08))
