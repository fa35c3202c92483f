"""Sums and largest values taken a chunk at a time agree with numpy's over the whole array."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from fitplay.core.lsq import LeastSquares
from fitplay.core.passes import CHUNK, largest, mean, means
from fitplay.core.scaling import Scaling


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=200))
def test_within_one_chunk_the_mean_is_numpys_bit_for_bit(values):
    v = np.array(values)
    assert mean(lambda c: c, v) == float(np.mean(v))
    assert mean(lambda c: c * c, v) == float(np.mean(v * v))
    assert largest(np.abs, v) == float(np.max(np.abs(v)))


def test_over_many_chunks_the_means_agree_with_numpys_to_rounding():
    rng = np.random.default_rng(3)
    x = rng.normal(1e6, 3.0, 5 * CHUNK + 17)  # a large offset: rounding shows
    y = 2 * x + rng.normal(0.0, 1.0, x.size)
    got = means(lambda cx, cy: (cx, cx * cy), x, y)
    assert math.isclose(got[0], float(np.mean(x)), rel_tol=1e-15)
    assert math.isclose(got[1], float(np.mean(x * y)), rel_tol=1e-14)
    assert largest(lambda c: c, x) == float(np.max(x))


def test_a_nan_anywhere_is_the_largest_value_as_in_numpy():
    v = np.arange(3 * CHUNK, dtype=float)
    v[2 * CHUNK + 5] = np.nan
    assert math.isnan(largest(lambda c: c, v))


def test_scaling_and_the_least_squares_line_of_many_chunks_match_the_whole_array_formulas():
    rng = np.random.default_rng(4)
    x = rng.uniform(-50.0, 150.0, 4 * CHUNK + 3)
    y = 3.0 * x - 7.0 + rng.normal(0.0, 2.0, x.size)
    scaling = Scaling.of(x, y, scale_y=True)
    assert math.isclose(scaling.mx, float(np.mean(x)), rel_tol=1e-14)
    assert math.isclose(scaling.sx, float(np.std(x)), rel_tol=1e-14)
    assert math.isclose(scaling.sy, float(np.std(y)), rel_tol=1e-14)
    w, b = np.polyfit(x, y, 1)
    line = LeastSquares.of(x, y)
    assert math.isclose(line.w, w, rel_tol=1e-12) and math.isclose(line.b, b, rel_tol=1e-12)
    assert math.isclose(line.mse({"w": line.w, "b": line.b}), float(np.mean((y - w * x - b) ** 2)), rel_tol=1e-10)
