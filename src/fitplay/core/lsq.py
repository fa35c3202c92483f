"""The exact mean squared error of a line, O(1) an evaluation, from centred moments about the least-squares
point. Raw sums (mean(y²) - 2w·mean(xy) + ...) cancel to nothing for data far from 0; this form adds
only non-negative terms, so it stays exact to a few ulps for any offset and magnitude."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np


@dataclass(frozen=True)
class LeastSquares:
    """The least-squares line of (x, y) and the centred moments its MSE is built from.

    With xc = x - mx, yc = y - my and u = yc - w*·xc (the residuals at the optimum), a line (w, b) has
    residuals r = u - dw·xc - k, where dw = w - w* and k = w·mx + b - my.
    """

    mx: float
    my: float
    w: float
    b: float
    sxx: float  # mean(xc²)
    u2: float  # mean(u²): the least MSE
    ux: float  # mean(u·xc), 0 but for rounding
    um: float  # mean(u), likewise
    xm: float  # mean(xc), likewise

    @classmethod
    def of(cls, x: np.ndarray, y: np.ndarray) -> LeastSquares:
        """Two passes over the data; x must not be constant."""
        mx, my = float(np.mean(x)), float(np.mean(y))
        xc, yc = x - mx, y - my
        sxx = float(np.mean(xc * xc))
        w = float(np.mean(xc * yc)) / sxx
        u = yc - w * xc
        return cls(mx, my, w, my - w * mx, sxx, float(np.mean(u * u)), float(np.mean(u * xc)), float(np.mean(u)),
                   float(np.mean(xc)))

    def _k(self, w: float, b: float) -> float:
        """w·mx + b - my without rounding in between (it is where the offsets cancel)."""
        return float(Fraction(w) * Fraction(self.mx) + Fraction(b) - Fraction(self.my))

    def _mse(self, dw, k):
        with np.errstate(over="ignore", invalid="ignore"):
            return np.maximum(self.u2 + dw * dw * self.sxx + k * k - 2 * dw * self.ux - 2 * k * self.um
                              + 2 * k * dw * self.xm, 0.0)

    def mse(self, params: dict) -> float:
        """The MSE of one line {"w", "b"} (inf where it overflows)."""
        w, b = float(params["w"]), float(params["b"])
        if not (np.isfinite(w) and np.isfinite(b)):
            return float("inf")
        value = float(self._mse(w - self.w, self._k(w, b)))
        return value if np.isfinite(value) else float("inf")

    def mse_grid(self, ws: np.ndarray, bs: np.ndarray) -> np.ndarray:
        """The MSE at every (w, b) that ws and bs broadcast to (for the landscape's colours)."""
        with np.errstate(over="ignore", invalid="ignore"):
            return self._mse(ws - self.w, ws * self.mx + bs - self.my)

    def gradient(self, params: dict) -> dict:
        """{"w": d MSE / dw, "b": d MSE / db} at the line params."""
        w, b = float(params["w"]), float(params["b"])
        dw, k = w - self.w, self._k(w, b)
        gb = 2 * (k - self.um + dw * self.xm)
        return {"w": 2 * (dw * self.sxx - self.ux + k * self.xm) + self.mx * gb, "b": gb}
