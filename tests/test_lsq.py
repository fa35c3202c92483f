"""The line's exact MSE: the quick exact sum of w·mx + b - my (Dekker's product and math.fsum) gives what
exact fractions give, and the MSE what it gave when that sum came from fractions, for every finite input."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

from fitplay.core.lsq import LeastSquares

FINITE = st.floats(allow_nan=False, allow_infinity=False)
LINE = LeastSquares.of(np.array([1.0, 2.0, 3.0, 4.0]), np.array([2.0, 4.1, 5.9, 8.2]))


def exact_k(lsq: LeastSquares, w: float, b: float) -> float:
    exact = Fraction(w) * Fraction(lsq.mx) + Fraction(b) - Fraction(lsq.my)
    try:
        return float(exact)
    except OverflowError:
        return math.inf if exact > 0 else -math.inf


def mse_with_exact_k(lsq: LeastSquares, w: float, b: float) -> float:
    ds, k = (w - lsq.w) * lsq.s, exact_k(lsq, w, b)
    value = float(np.maximum(lsq.u2 + ds * ds * lsq.tt + k * k - 2 * ds * lsq.ut - 2 * k * lsq.um
                             + 2 * k * ds * lsq.tm, 0.0))
    return value if np.isfinite(value) else math.inf


@given(FINITE, FINITE, FINITE, FINITE)
@example(2.0146, 20.08, 1e8 + 3.3, 2e8).via("offsets that cancel")
@example(2.0146, 20.08, 0.0, 20.1).via("data centred on x = 0, as the lesson's")
@example(0.0, 1e-300, 1e300, -1e-300).via("a flat line")
@example(1e300, 1.0, 1e10, 0.0).via("a product past float64")
@example(1e-200, 0.0, 1e-150, 0.0).via("a product below the subnormals")
@example(2.133950993164491e-158, 0.0, 1.0402455044817951e-158, 0.0).via("a subnormal product")
@example(2.133950993164491e-158, -2.21983294e-316, 1.0402455044817951e-158, 0.0).via("it, cancelled")
@example(3.0, -1.7976931348623157e308, 0.5, 1.7976931348623157e308).via("a sum past float64")
@example(2.0 ** 995, 1.0, 2.0, 0.0).via("a factor too large to split")
def test_the_quick_exact_sum_is_the_exact_sum_rounded_once(w, b, mx, my):
    lsq = LINE._replace(mx=mx, my=my)
    assert lsq._k(w, b) == exact_k(lsq, w, b)


@given(FINITE, FINITE, FINITE, FINITE)
@example(2.0146, 20.08, 0.0, 0.0).via("the lesson's line")
@example(1e160, 1e160, 0.0, 0.0).via("terms past float64")
def test_the_mse_is_what_exact_fractions_give(w, b, mx, my):
    lsq = LINE._replace(mx=mx, my=my) if (mx, my) != (0.0, 0.0) else LINE
    assert lsq.mse({"w": w, "b": b}) == mse_with_exact_k(lsq, w, b)
