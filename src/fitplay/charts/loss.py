"""The loss curve: the loss against the optimizer step, on a log scale (linear when a loss is 0 or below,
as f(w) = w² + 3w − 5 is), its x axis ending at the run's step budget or its last step."""

from __future__ import annotations

import math

import numpy as np

from fitplay.charts.axes import build_axes
from fitplay.charts.grid import (
    Grid,
    Kind,
    braille_curve,
    paint_braille,
)
from fitplay.charts.layer import StaticLayer
from fitplay.core.session import Session, fmt_number


def y_limits(span: tuple[float, float] | None, log: bool) -> tuple[float, float]:
    """The y axis's limits around the lowest and highest finite y shown (None: none is): whole decades of
    log10 of the loss, so the axes change rarely; else a margin around them (losses that reach 0 or below)."""
    if log:
        if span is None:
            return (0.0, 1.0)
        lo, hi = math.floor(span[0]), math.ceil(span[1])
        return (lo, hi) if hi > lo else (lo - 1.0, hi + 1.0)
    lo, hi = span if span is not None else (0.0, 1.0)
    pad = 0.08 * (hi - lo) if hi > lo else max(1.0, abs(lo))
    return lo - pad, hi + pad


def curve_ys(losses: np.ndarray) -> tuple[np.ndarray, tuple[float, float], bool]:
    """The y of each loss of a run (finite, one at least), the span of the y axis they need (the lowest and
    highest y), and whether the axis is log10 (every loss above 0)."""
    log = bool(np.all(losses > 0))
    with np.errstate(divide="ignore", invalid="ignore"):
        ys = np.log10(losses) if log else losses
    return ys, _span(float(losses.min()), float(losses.max()), log), log


def loss_y(loss: float) -> tuple[tuple[float, float] | None, bool]:
    """curve_ys's span and scale for the current loss alone (None: it is not finite), before any step, in
    Python floats: every hand key asks, and numpy's calls on one value cost a hand key 0.2 ms."""
    log = loss > 0
    return (_span(loss, loss, log) if math.isfinite(loss) else None), log


def _span(lowest: float, highest: float, log: bool) -> tuple[float, float]:
    return (math.log10(lowest), math.log10(highest)) if log else (lowest, highest)


def x_end(session: Session, last: int | None) -> float:
    """The x axis ends at the step budget while a run goes on (or before any step), else at the last step."""
    if session.status.active or last is None:
        return float(max(1, session.max_steps))
    return float(max(1, last))


class LossChart:
    """Axes built when the step range or the limits change; the curve drawn in braille."""

    def __init__(self) -> None:
        self.layer = StaticLayer()
        self._last: tuple[tuple, Grid] | None = None

    def render(self, session: Session, width: int, height: int, **_toggles: bool) -> Grid:
        """The chart; the same grid as last time while nothing it shows changed (a hand key moves no loss
        curve). A history only grows or thins, so its identity, length and stride stand for its points."""
        history = session.history
        steps, losses = history.steps, history.losses
        if steps.size:
            good = np.isfinite(losses)
            steps, losses = steps[good], losses[good]
        if steps.size:
            ys, span, log = curve_ys(losses)
            last = int(steps[-1])
            title = (f" {session.model.loss_label} {fmt_number(session.loss)} after {session.step_count} "
                     f"step{'' if session.step_count == 1 else 's'} ")
        else:
            (span, log), ys, last, title = loss_y(session.loss), losses, None, None
        xlim = (0.0, x_end(session, last))
        ylim = y_limits(span, log)
        key = (id(history), history.steps.size, history.stride, title, xlim, ylim, log, width, height)
        if self._last is None or self._last[0] != key:
            self._last = (key, self._render(width, height, xlim, ylim, log, (steps, ys, last), title))
        return self._last[1]

    def _render(self, width: int, height: int, xlim: tuple[float, float], ylim: tuple[float, float], log: bool,
                curve: tuple[np.ndarray, np.ndarray, int | None], title: str | None) -> Grid:
        grid, area = self.layer.get((width, height, xlim, ylim, log), lambda: (
            build_axes(width, height, xlim, ylim, xlabel="step", ylabel="loss (log scale)" if log else "loss",
                       ylog=log), xlim, ylim))
        steps, ys, last = curve
        if title is not None:
            at = area.x_at_sub()
            paint_braille(grid, braille_curve(area, np.where(at <= last, np.interp(at, steps, ys), np.nan)),
                          Kind.LINE)
            grid.text(area.top - 1, area.left + 1, title, Kind.LINE)
        else:
            grid.text(area.top + area.rows // 2, area.left + 2, "the loss curve draws here when the optimizer runs",
                      Kind.MUTED)
        return grid
