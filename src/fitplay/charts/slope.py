"""The loss of a one-parameter model against its parameter: the curve, the current point, its tangent and
the numbers of the next gradient-descent step."""

from __future__ import annotations

import numpy as np

from fitplay.charts.axes import build_axes
from fitplay.charts.grid import Grid, Kind, braille_curve, paint_braille
from fitplay.charts.layer import StaticLayer
from fitplay.core.session import Session, fmt_number

ROOM = 1.3  # the range reaches this far past the start (and the current value, once it leaves the range)


def param_range(session: Session, name: str) -> tuple[float, float]:
    """The parameter's range, centred on the optimum (or the start): wide enough for the start, and widened
    to the current value when it leaves that range (a diverging run)."""
    start, current = float(session.start[name]), float(session.params[name])
    best = session.model.optimum(session.data.x, session.data.y)
    centre = float(best[name]) if best is not None else start
    radius = ROOM * max(abs(start - centre), 1.0)
    if np.isfinite(current) and abs(current - centre) > radius:
        radius = ROOM * abs(current - centre)
    return centre - radius, centre + radius


class SlopeChart:
    """The curve is computed once per data, model, size and range; each frame adds the point and tangent."""

    def __init__(self) -> None:
        self.layer = StaticLayer()
        self._curve: dict[tuple[int, int], int] = {}

    def render(self, session: Session, width: int, height: int, **_toggles: bool) -> Grid:
        if not session.model.one_param:
            grid = Grid.blank(width, height)
            grid.text(height // 2, 2, f"no slope view: the {session.model.name} model has more than one parameter",
                      Kind.MUTED)
            return grid
        (name,) = session.params
        xlim = param_range(session, name)

        def loss_of(values: np.ndarray) -> np.ndarray:
            return np.array([session.loss_at({name: np.float64(v)}) for v in values])

        def build():
            values = loss_of(np.linspace(*xlim, 201))
            finite = values[np.isfinite(values)]
            lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
            pad = 0.08 * (hi - lo) if hi > lo else 1.0
            ylim = (lo - pad, hi + pad)
            return build_axes(width, height, xlim, ylim, xlabel=name, ylabel="loss"), xlim, ylim

        key = (session.data, session.model, width, height, xlim)
        rebuilt = key != self.layer._key
        grid, area = self.layer.get(key, build)
        if rebuilt:
            self._curve = braille_curve(area, loss_of(area.x_at_sub()))
        paint_braille(grid, self._curve, Kind.DATA)
        here, loss = float(session.params[name]), session.loss
        grad = session.gradient()
        if grad is not None and np.isfinite(loss):
            g = grad[name]
            xs = area.x_at_sub()
            near = np.abs(xs - here) <= 0.2 * (xlim[1] - xlim[0])
            paint_braille(grid, braille_curve(area, np.where(near, loss + g * (xs - here), np.nan)), Kind.LINE)
            grid.text(area.top - 1, area.left + 1, f" {name} {fmt_number(here)}  loss {fmt_number(loss)}  "
                      f"slope {fmt_number(g)} ", Kind.LINE)
            if session.optimizer == "gd":
                grid.text(area.top, area.left + 1, f" next {name} = {fmt_number(here)} − {session.lr:g}·"
                          f"{fmt_number(g)} = {fmt_number(here - session.lr * g)} ", Kind.TEXT)
        col = area.left + int(round(float(area.sub_x(here)))) // 2
        row = area.top + int(round(float(area.sub_y(loss)))) // 4 if np.isfinite(loss) else -1
        if area.left <= col <= area.right and area.top <= row <= area.bottom:
            grid.put(row, col, "●", Kind.POINT)
        return grid
