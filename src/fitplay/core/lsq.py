"""The exact mean squared error of a line, O(1) an evaluation, from centred moments about the least-squares
point. Raw sums (mean(y²) - 2w·mean(xy) + ...) cancel to nothing for data far from 0; this form adds
only non-negative terms, so it stays exact to a few ulps for any offset and magnitude."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import NamedTuple

import numpy as np

from fitplay.core.passes import largest, means
from fitplay.core.scaling import centre

_SPLIT = 134217729.0  # 2^27 + 1: Veltkamp's split of a float into two halves whose products are exact
_SPLIT_SAFE = 2.0 ** 995  # below this a float splits without overflow
_PRODUCT_SAFE = 2.0 ** -969  # above this a product's rounding error is itself a float (no underflow)


class LeastSquares(NamedTuple):
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
        """Passes over the data a chunk at a time (no array of its size made); x must not be constant."""
        mx, my = centre(x), centre(y)
        s = largest(lambda c: np.abs(c - mx), x)

        def slope_terms(cx: np.ndarray, cy: np.ndarray) -> tuple[np.ndarray, ...]:
            t = (cx - mx) / s
            return t * t, t * (cy - my)

        tt, t_yc = means(slope_terms, x, y)
        slope_t = t_yc / tt  # the slope against t: w* = slope_t / s

        def moments(cx: np.ndarray, cy: np.ndarray) -> tuple[np.ndarray, ...]:
            t = (cx - mx) / s
            u = (cy - my) - slope_t * t
            return u * u, u * t, u, t

        u2, ut, um, tm = means(moments, x, y)
        with np.errstate(over="ignore", invalid="ignore"):
            w = slope_t / s
            return cls(mx, my, w, my - w * mx, s, tt, u2, ut, um, tm)

    def _k(self, w: float, b: float) -> float:
        """w·mx + b - my without rounding in between (it is where the offsets cancel); ±inf past float64.

        w·mx is split exactly into a float and its rounding error (Dekker's product) and the four terms are
        summed with one rounding (math.fsum): 0.5 us against 10 for the same value from fractions, on every
        hand key. Where the split could overflow or underflow, the fractions give it."""
        product = _exact_product(w, self.mx)
        if product is not None:
            try:
                return math.fsum((*product, b, -self.my))
            except OverflowError:
                pass
        exact = Fraction(w) * Fraction(self.mx) + Fraction(b) - Fraction(self.my)
        try:
            return float(exact)
        except OverflowError:
            return math.inf if exact > 0 else -math.inf

    def _terms(self, ds, k):
        """The MSE before it is clamped at 0: floats or arrays."""
        return self.u2 + ds * ds * self.tt + k * k - 2 * ds * self.ut - 2 * k * self.um + 2 * k * ds * self.tm

    def mse(self, params: dict) -> float:
        """The MSE of one line {"w", "b"} (inf where it overflows). Python floats overflow to inf (and inf - inf
        to nan) without numpy's warnings to silence."""
        w, b = float(params["w"]), float(params["b"])
        if not (math.isfinite(w) and math.isfinite(b)):
            return math.inf
        value = self._terms((w - self.w) * self.s, self._k(w, b))
        value = 0.0 if value <= 0.0 else value  # as np.maximum(value, 0.0): nan stays nan
        return value if math.isfinite(value) else math.inf

    def mse_grid(self, ws: np.ndarray, bs: np.ndarray) -> np.ndarray:
        """The MSE at every (w, b) that ws and bs broadcast to (for the landscape's colours)."""
        with np.errstate(over="ignore", invalid="ignore"):
            return np.maximum(self._terms((ws - self.w) * self.s, ws * self.mx + bs - self.my), 0.0)

    def gradient(self, params: dict) -> dict:
        """{"w": d MSE / dw, "b": d MSE / db} at the line params."""
        w, b = float(params["w"]), float(params["b"])
        ds, k = (w - self.w) * self.s, self._k(w, b)
        gb = 2 * (k - self.um + ds * self.tm)
        return {"w": 2 * self.s * (ds * self.tt - self.ut + k * self.tm) + self.mx * gb, "b": gb}


def _exact_product(a: float, b: float) -> tuple[float, float] | None:
    """a·b as a float and its rounding error, exactly (Dekker, with Veltkamp's split of a and b); None where
    the split could overflow or the error underflow."""
    if a == 0.0 or b == 0.0:
        return a * b, 0.0
    product = a * b
    if not (abs(a) < _SPLIT_SAFE and abs(b) < _SPLIT_SAFE and _PRODUCT_SAFE < abs(product) < math.inf):
        return None
    c = _SPLIT * a
    a_high = c - (c - a)
    a_low = a - a_high
    c = _SPLIT * b
    b_high = c - (c - b)
    b_low = b - b_high
    return product, ((a_high * b_high - product) + a_high * b_low + a_low * b_high) + a_low * b_low
