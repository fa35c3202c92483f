"""The loss curve: log10(loss) against the optimizer step."""

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
from fitplay.core.session import Session


def _decades(values: np.ndarray) -> tuple[float, float]:
    """Whole-decade limits around log10 of the values, so the axes change rarely."""
    finite = values[np.isfinite(values)]
    if not finite.size:
        return (0.0, 1.0)
    lo, hi = math.floor(float(finite.min())), math.ceil(float(finite.max()))
    return (lo, hi) if hi > lo else (lo - 1.0, hi + 1.0)


class LossChart:
    """Axes built by plotext when the step range or the decades change; the curve drawn in braille."""

    def __init__(self) -> None:
        self.layer = StaticLayer()

    def render(self, session: Session, width: int, height: int, **_toggles: bool) -> Grid:
        history = session.history
        good = np.isfinite(history.losses) & (history.losses > 0)
        steps, losses = history.steps[good], history.losses[good]
        with np.errstate(divide="ignore"):
            logs = np.log10(losses) if losses.size else np.log10([max(session.loss, 1e-300)])
        last = int(steps[-1]) if steps.size else 0
        # The axis ends at the next power of two past the last step (so it is rebuilt rarely), or at the budget.
        xlim = (0.0, float(max(1, min(max(16, 1 << max(last, 1).bit_length()), max(session.max_steps, last)))))
        ylim = _decades(logs)
        grid, area = self.layer.get((width, height, xlim, ylim), lambda: (
            build_axes(width, height, xlim, ylim, xlabel="step", ylabel="log10 loss"), xlim, ylim))
        if steps.size:
            at = area.x_at_sub()
            ys = np.where(at <= last, np.interp(at, steps, logs), np.nan)
            paint_braille(grid, braille_curve(area, ys), Kind.LINE)
            grid.text(area.top - 1, area.left + 1, f" loss {session.loss:.4g} at step {session.step_count} ",
                      Kind.LINE)
        else:
            grid.text(area.top + area.rows // 2, area.left + 2, "the loss curve draws here when the optimizer runs",
                      Kind.MUTED)
        return grid
