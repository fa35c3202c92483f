"""The loss curve: the loss against the optimizer step, on a log scale (linear when a loss is 0 or below,
as f(w) = w² + 3w − 5 is), its x axis ending at the run's step budget or its last step."""

from __future__ import annotations

import math

import numpy as np

from fitplay.charts.grid import (
    Grid,
    Kind,
    braille_curve,
    paint_braille,
)
from fitplay.charts.layer import StaticLayer
from fitplay.charts.plotext_adapter import build_axes
from fitplay.core.session import Session, fmt_number


def _decades(values: np.ndarray) -> tuple[float, float]:
    """Whole-decade limits around log10 of the values, so the axes change rarely."""
    finite = values[np.isfinite(values)]
    if not finite.size:
        return (0.0, 1.0)
    lo, hi = math.floor(float(finite.min())), math.ceil(float(finite.max()))
    return (lo, hi) if hi > lo else (lo - 1.0, hi + 1.0)


def _linear(values: np.ndarray) -> tuple[float, float]:
    """Limits around the values with a margin (for losses that reach 0 or below)."""
    finite = values[np.isfinite(values)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    pad = 0.08 * (hi - lo) if hi > lo else max(1.0, abs(lo))
    return lo - pad, hi + pad


def x_end(session: Session, last: int | None) -> float:
    """The x axis ends at the step budget while a run goes on (or before any step), else at the last step."""
    if session.status.active or last is None:
        return float(max(1, session.max_steps))
    return float(max(1, last))


class LossChart:
    """Axes built by plotext when the step range or the limits change; the curve drawn in braille."""

    def __init__(self) -> None:
        self.layer = StaticLayer()
        self._last: tuple[tuple, Grid] | None = None

    def render(self, session: Session, width: int, height: int, **_toggles: bool) -> Grid:
        """The chart; the same grid as last time while nothing it shows changed (a hand key moves no loss
        curve). A history only grows or thins, so its identity, length and stride stand for its points."""
        history = session.history
        good = np.isfinite(history.losses)
        steps, losses = history.steps[good], history.losses[good]
        log = bool(np.all(losses > 0)) and (losses.size > 0 or session.loss > 0)
        shown = losses if losses.size else np.array([session.loss])
        with np.errstate(divide="ignore", invalid="ignore"):
            ys = np.log10(shown) if log else shown
        last = int(steps[-1]) if steps.size else None
        xlim = (0.0, x_end(session, last))
        ylim = _decades(ys) if log else _linear(ys)
        title = (f" {session.model.loss_label} {fmt_number(session.loss)} after {session.step_count} "
                 f"step{'' if session.step_count == 1 else 's'} ") if steps.size else None
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
