"""The loss landscape: a log-scaled heat map over (w, b) with the start, the optimum, the path and the
current point drawn on it. Each character cell shows two grid rows with a half block."""

from __future__ import annotations

import numpy as np

from fitplay.charts.grid import HEAT_LEVELS, Grid, Kind, heat_kind, heat_level, on_heat_kind
from fitplay.core.landscape import bounds
from fitplay.core.session import Session

LEFT = 8  # b tick labels
SHADES = " .:-=+*#%@"  # one character a level, for monochrome terminals (low loss first)
LEGEND_ROWS = 1
AXIS_ROWS = 2


class LandscapeChart:
    """The heat map is computed when the data, model or window changes, or the point leaves the grid."""

    def __init__(self, shaded: bool = False) -> None:
        """shaded: levels as characters rather than colours (NO_COLOR), so the bowl reads in grey."""
        self.shaded = shaded
        self._key: tuple | None = None
        self._static: Grid | None = None
        self.w_range = (0.0, 1.0)
        self.b_range = (0.0, 1.0)
        self.cols = self.rows = 0

    def render(self, session: Session, width: int, height: int, **_toggles: bool) -> Grid:
        if not session.model.two_param:
            grid = Grid.blank(width, height)
            grid.text(height // 2, 2, f"no landscape: the {session.model.name} model has "
                      f"{session.model.param_count()} parameters", Kind.MUTED)
            return grid
        first, second = session.model.hand
        here = (float(session.params[first]), float(session.params[second]))
        key = (session.data, session.model, width, height)
        if key != self._key or not self._inside(here):
            self._build(session, width, height, here)
            self._key = key
        grid = self._static.copy()
        path = session.path()
        if path.shape[0]:
            step = max(1, path.shape[0] // 400)
            for w, b in path[::step]:
                self._mark(grid, w, b, "•", Kind.PATH)
        self._mark(grid, float(session.start[first]), float(session.start[second]), "○", Kind.TEXT)
        self._mark(grid, *here, "●", Kind.POINT)
        return grid

    def _inside(self, point: tuple[float, float]) -> bool:
        (w0, w1), (b0, b1) = self.w_range, self.b_range
        return w0 <= point[0] <= w1 and b0 <= point[1] <= b1

    def _build(self, session: Session, width: int, height: int, here: tuple[float, float]) -> None:
        start = tuple(float(session.start[k]) for k in session.model.hand)
        points = [start, here]
        best = session.optimum()
        if best is not None:
            points.append(best)
        path = session.path()
        if path.shape[0]:
            points += [tuple(path.min(axis=0)), tuple(path.max(axis=0))]
        self.w_range, self.b_range = bounds(points)
        self.cols = max(2, width - LEFT)
        self.rows = max(2, height - LEGEND_ROWS - AXIS_ROWS)
        ws = np.linspace(*self.w_range, self.cols)
        bs = np.linspace(self.b_range[1], self.b_range[0], 2 * self.rows)
        levels = heat_levels(session.loss_surface(ws, bs))
        grid = Grid.blank(width, height)
        for r in range(self.rows):
            upper, lower = levels[2 * r], levels[2 * r + 1]
            for c in range(self.cols):
                if self.shaded:
                    grid.put(LEGEND_ROWS + r, LEFT + c, SHADES[max(upper[c], lower[c])], Kind.MUTED)
                else:
                    grid.put(LEGEND_ROWS + r, LEFT + c, "▀", heat_kind(int(upper[c]), int(lower[c])))
        self._axes(grid, width, session.model.hand)
        self._legend(grid, width)
        if best is not None:
            self._mark(grid, *best, "×", Kind.TEXT)
        self._static = grid

    def _cell(self, w: float, b: float) -> tuple[int, int] | None:
        (w0, w1), (b0, b1) = self.w_range, self.b_range
        if not (np.isfinite(w) and np.isfinite(b)) or w1 <= w0 or b1 <= b0:
            return None
        c = int(round((w - w0) / (w1 - w0) * (self.cols - 1)))
        r = int(round((b1 - b) / (b1 - b0) * (2 * self.rows - 1))) // 2
        if 0 <= c < self.cols and 0 <= r < self.rows:
            return LEGEND_ROWS + r, LEFT + c
        return None

    def _mark(self, grid: Grid, w: float, b: float, char: str, kind: Kind) -> None:
        cell = self._cell(w, b)
        if cell is not None:
            level = heat_level(grid.kinds[cell[0]][cell[1]])
            grid.put(cell[0], cell[1], char, kind if level is None else on_heat_kind(kind, level))

    def _axes(self, grid: Grid, width: int, hand: tuple[str, str]) -> None:
        (w0, w1), (b0, b1) = self.w_range, self.b_range
        for r, value in ((0, b1), (self.rows // 2, (b0 + b1) / 2), (self.rows - 1, b0)):
            grid.text(LEGEND_ROWS + r, 0, f"{_short(value):>7}", Kind.AXIS)
        axis = LEGEND_ROWS + self.rows
        for frac, value in ((0.0, w0), (0.5, (w0 + w1) / 2), (1.0, w1)):
            label = f"{value:.4g}"
            col = LEFT + int(frac * (self.cols - 1)) - int(frac * (len(label) - 1))  # left, centred, right-aligned
            grid.text(axis, max(0, min(col, width - len(label))), label, Kind.AXIS)
        grid.text(axis + 1, LEFT + self.cols // 2 - 1, f"{hand[0][:6]} →", Kind.TEXT)
        grid.text(axis + 1, 0, f"{hand[1][:4]} ↑", Kind.TEXT)

    def _legend(self, grid: Grid, width: int) -> None:
        grid.text(0, 0, "low ", Kind.TEXT)
        for i in range(HEAT_LEVELS):
            grid.put(0, 4 + i, *((SHADES[i], Kind.MUTED) if self.shaded else ("▀", heat_kind(i, i))))
        wide = " high log loss  ○ start  × optimum  • path  ● now"
        text = wide if 4 + HEAT_LEVELS + len(wide) <= width else " high ○start ×optimum •path ●now"
        grid.text(0, 4 + HEAT_LEVELS, text[: max(0, width - 4 - HEAT_LEVELS)], Kind.TEXT)


def heat_levels(losses: np.ndarray) -> np.ndarray:
    """Loss to colour level 0..HEAT_LEVELS-1 on a log scale (non-finite losses get the top level)."""
    finite = np.isfinite(losses)
    logs = np.log10(np.maximum(np.where(finite, losses, 1.0), 1e-300))
    lo, hi = (float(logs[finite].min()), float(logs[finite].max())) if finite.any() else (0.0, 1.0)
    scaled = (logs - lo) / max(hi - lo, 1e-12) * (HEAT_LEVELS - 1)
    return np.where(finite, np.clip(np.round(scaled), 0, HEAT_LEVELS - 1), HEAT_LEVELS - 1).astype(int)


def _short(value: float, width: int = 7) -> str:
    """A number in at most `width` characters, losing digits rather than its exponent."""
    for digits in (4, 3, 2, 1):
        text = f"{value:.{digits}g}"
        if len(text) <= width:
            return text
    return f"{value:.0e}"
