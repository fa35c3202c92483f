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
    lo, hi = float(np.min(values)), float(np.max(values))
    lo, hi = math.floor(lo), math.ceil(hi)
    return (lo, hi) if hi > lo else (lo - 1.0, hi + 1.0)


class LossChart:
    """Axes built by plotext when the step range or the decades change; the curve drawn in braille."""

    def __init__(self) -> None:
        self.layer = StaticLayer()

    def render(self, session: Session, width: int, height: int, **_toggles: bool) -> Grid:
        hist = session.loss_history()
        finite = hist[np.isfinite(hist) & (hist > 0)] if hist.size else hist
        logs = np.log10(np.maximum(finite, 1e-300)) if finite.size else np.log10([max(session.loss, 1e-300)])
        xlim = (0.0, float(max(16, 1 << max(int(finite.size - 1), 1).bit_length())))
        ylim = _decades(logs)
        grid, area = self.layer.get((width, height, xlim, ylim), lambda: (
            build_axes(width, height, xlim, ylim, xlabel="step", ylabel="log10 loss"), xlim, ylim))
        if finite.size:
            idx = np.round(area.x_at_sub()).astype(int)
            ys = np.where(idx < finite.size, logs[np.minimum(idx, finite.size - 1)], np.nan)
            paint_braille(grid, braille_curve(area, ys), Kind.LINE)
            grid.text(area.top - 1, area.left + 1, f" loss {finite[-1]:.4g} at step {finite.size - 1} ", Kind.LINE)
        else:
            grid.text(area.top + area.rows // 2, area.left + 2, "the loss curve draws here when the optimizer runs",
                      Kind.MUTED)
        return grid
