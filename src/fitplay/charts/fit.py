"""The fit chart: data as a scatter and the model's curve, plus the true line and residuals."""

from __future__ import annotations

import numpy as np

from fitplay.charts.axes import DATA_MARKER, build_axes
from fitplay.charts.grid import (
    Area,
    Grid,
    Kind,
    braille_curve,
    braille_segments,
    paint_braille,
)
from fitplay.charts.layer import StaticLayer
from fitplay.core.session import Session

MAX_RESIDUALS = 2000


def limits(session: Session) -> tuple[tuple[float, float], tuple[float, float]]:
    """Fixed axis limits for the data, so the axes stay still while the curve moves."""
    x, y = session.data.x, session.data.y
    x0, x1 = float(np.min(x)), float(np.max(x))
    if x1 <= x0:
        x0, x1 = x0 - 1.0, x1 + 1.0
    if session.model.loss_kind == "bce":  # probabilities of 0/1 targets
        return (x0, x1), (-0.15, 1.15)
    y0, y1 = float(np.min(y)), float(np.max(y))
    pad = 0.12 * (y1 - y0) if y1 > y0 else 1.0
    return (x0, x1), (y0 - pad, y1 + pad)


def thin(x: np.ndarray, y: np.ndarray, xlim, ylim, cols: int, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """At most one point per character cell: a large scatter shows the same, and builds fast."""
    if x.size <= cols * rows:
        return x, y
    cx = np.clip(((x - xlim[0]) / (xlim[1] - xlim[0]) * (cols - 1)).round(), 0, cols - 1).astype(np.int64)
    cy = np.clip(((y - ylim[0]) / (ylim[1] - ylim[0]) * (rows - 1)).round(), 0, rows - 1).astype(np.int64)
    keys = np.unique(cx * rows + cy)
    kx, ky = keys // rows, keys % rows
    return (xlim[0] + kx / (cols - 1) * (xlim[1] - xlim[0]), ylim[0] + ky / (rows - 1) * (ylim[1] - ylim[0]))


class FitChart:
    """Renders the fit view; the static layer (axes, ticks, data) is built once per data and size."""

    def __init__(self) -> None:
        self.layer = StaticLayer()

    def render(self, session: Session, width: int, height: int, show_true: bool = False,
               show_residuals: bool = False, legend: bool = True) -> Grid:
        def build():
            xlim, ylim = limits(session)
            xs, ys = thin(session.data.x, session.data.y, xlim, ylim, width, height)
            xlabel, ylabel = session.data.columns  # a CSV's header names, else x and y
            return build_axes(width, height, xlim, ylim, (xs, ys), xlabel=xlabel, ylabel=ylabel), xlim, ylim

        model, data = session.model, session.data
        markers = model.markers(session.params)
        true_shown = show_true and data.true_params is not None
        marks = tuple(dict.fromkeys(label for _x, label in markers))
        legend_key = (true_shown, show_residuals, marks) if legend else None
        dress = None if legend_key is None else lambda grid, area: self._legend(grid, area, *legend_key)
        grid, area = self.layer.get((data, model, width, height, legend_key), build, dress)
        xs = area.x_at_sub()
        with np.errstate(all="ignore"):
            if show_residuals and data.n <= MAX_RESIDUALS:
                pred = model.predict(session.params, data.x)
                bars = braille_segments(area, data.x, data.y, pred)
                paint_braille(grid, {cell: bits for cell, bits in bars.items()
                                     if grid.kinds[cell[0]][cell[1]] != Kind.DATA}, Kind.RESID)  # dots stay
            if true_shown:
                true = {**session.params, **{k: np.float64(v) for k, v in data.true_params.items()}}
                paint_braille(grid, braille_curve(area, model.predict(true, xs), dotted=True), Kind.TRUE)
            for x, _label in markers:
                self._mark(grid, area, x)
            paint_braille(grid, braille_curve(area, model.predict(session.params, xs)), Kind.LINE)
        return grid

    @staticmethod
    def _mark(grid: Grid, area: Area, mid: float) -> None:
        """A dotted vertical line at x = mid (the logistic midpoint)."""
        if not np.isfinite(mid):
            return
        col = int(round(float(area.sub_x(mid)))) // 2
        if 0 <= col < area.cols:
            at = area.left + col
            grid.put_cells({(r, at): "┊" for r in range(area.top, area.bottom + 1) if grid.chars[r][at] == " "},
                           Kind.MARK)

    @staticmethod
    def _legend(grid: Grid, area: Area, true_shown: bool, resid_shown: bool, marks: tuple[str, ...]) -> None:
        col = area.left + 1
        parts = [(f" {DATA_MARKER} data ", Kind.DATA), (" ⠒⠒ model ", Kind.LINE)]
        if true_shown:
            parts.append((" ⠒ ⠒ true ", Kind.TRUE))
        if resid_shown:
            parts.append((" ⡇ residual ", Kind.RESID))
        parts += [(f" ┊ {label} ", Kind.MARK) for label in marks]
        for text, kind in parts:
            if col + len(text) > area.right:
                break
            grid.text(area.top - 1, col, text, kind)
            col += len(text)
