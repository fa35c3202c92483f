"""The exact mean squared error of a line, O(1) an evaluation, from centred moments about the least-squares
point. Raw sums (mean(y²) - 2w·mean(xy) + ...) cancel to nothing for data far from 0; this form adds
only non-negative terms, so it stays exact to a few ulps for any offset and magnitude."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from fitplay.core.scaling import centre


@dataclass(frozen=True)
class LeastSquares:
    """The least-squares line of (x, y) and the centred moments its MSE is built from.

    With xc = x - mx, t = xc / s (s = max |xc|, so nothing underflows for x near 1e-300), yc = y - my and
    u = yc - w*·xc (the residuals at the optimum), a line (w, b) has residuals r = u - ds·t - k, where
    ds = (w - w*)·s and k = w·mx + b - my.
    """

    mx: float
    my: float
    w: float
    b: float
    s: float  # max |x - mx|
    tt: float  # mean(t²)
    u2: float  # mean(u²): the least MSE
    ut: float  # mean(u·t), 0 but for rounding
    um: float  # mean(u), likewise
    tm: float  # mean(t), likewise

    @classmethod
    def of(cls, x: np.ndarray, y: np.ndarray) -> LeastSquares:
        """Two passes over the data; x must not be constant."""
        mx, my = centre(x), centre(y)
        xc = x - mx
        s = float(np.max(np.abs(xc)))
        t = np.divide(xc, s, out=xc)  # in place: three arrays of the data's size at most, not five (10^7 points)
        yc = y - my
        tt = float(np.mean(t * t))
        slope_t = float(np.mean(t * yc)) / tt  # the slope against t: w* = slope_t / s
        u = np.subtract(yc, slope_t * t, out=yc)
        with np.errstate(over="ignore", invalid="ignore"):
            w = slope_t / s
            return cls(mx, my, w, my - w * mx, s, tt, float(np.mean(u * u)), float(np.mean(u * t)),
                       float(np.mean(u)), float(np.mean(t)))

    def _k(self, w: float, b: float) -> float:
        """w·mx + b - my without rounding in between (it is where the offsets cancel); ±inf past float64."""
        exact = Fraction(w) * Fraction(self.mx) + Fraction(b) - Fraction(self.my)
        try:
            return float(exact)
        except OverflowError:
            return math.inf if exact > 0 else -math.inf

    def _mse(self, ds, k):
        with np.errstate(over="ignore", invalid="ignore"):
            return np.maximum(self.u2 + ds * ds * self.tt + k * k - 2 * ds * self.ut - 2 * k * self.um
                              + 2 * k * ds * self.tm, 0.0)

    def mse(self, params: dict) -> float:
        """The MSE of one line {"w", "b"} (inf where it overflows)."""
        w, b = float(params["w"]), float(params["b"])
        if not (np.isfinite(w) and np.isfinite(b)):
            return float("inf")
        value = float(self._mse((w - self.w) * self.s, self._k(w, b)))
        return value if np.isfinite(value) else float("inf")

    def mse_grid(self, ws: np.ndarray, bs: np.ndarray) -> np.ndarray:
        """The MSE at every (w, b) that ws and bs broadcast to (for the landscape's colours)."""
        with np.errstate(over="ignore", invalid="ignore"):
            return self._mse((ws - self.w) * self.s, ws * self.mx + bs - self.my)

    def gradient(self, params: dict) -> dict:
        """{"w": d MSE / dw, "b": d MSE / db} at the line params."""
        w, b = float(params["w"]), float(params["b"])
        ds, k = (w - self.w) * self.s, self._k(w, b)
        gb = 2 * (k - self.um + ds * self.tm)
        return {"w": 2 * self.s * (ds * self.tt - self.ut + k * self.tm) + self.mx * gb, "b": gb}
