"""Losses and gradients against numpy and finite differences."""

from __future__ import annotations

import numpy as np
import pytest

from fitplay.core.data import simulate, simulate_logistic
from fitplay.core.losses import bce_logits, mse, sigmoid
from fitplay.core.models import get_model


def finite_diff(f, params, name, h=1e-6):
    up, down = dict(params), dict(params)
    up[name] = params[name] + h
    down[name] = params[name] - h
    return (f(up) - f(down)) / (2 * h)


def test_mse_matches_numpy():
    d = simulate()
    w, b = -4.9, 3.5
    assert mse(w * d.x + b, d.y) == pytest.approx(np.mean((w * d.x + b - d.y) ** 2), rel=1e-15)


def test_bce_matches_the_textbook_formula():
    z = np.array([-3.0, -0.5, 0.0, 2.0, 4.0])
    y = np.array([0.0, 1.0, 1.0, 0.0, 1.0])
    p = 1 / (1 + np.exp(-z))
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert bce_logits(z, y) == pytest.approx(expected, rel=1e-12)


def test_bce_stays_finite_when_saturated():
    assert np.isfinite(bce_logits(np.array([800.0, -800.0]), np.array([0.0, 1.0])))


def test_sigmoid_never_overflows():
    with np.errstate(all="raise"):
        s = sigmoid(np.array([-1e4, 0.0, 1e4]))
    np.testing.assert_allclose(s, [0.0, 0.5, 1.0])


@pytest.mark.parametrize("name,data", [("linear", simulate()), ("logistic", simulate_logistic())])
@pytest.mark.parametrize("point", [(-5.0, 3.0), (2.0, 20.0), (0.3, -1.0)])
def test_gradient_matches_finite_differences(name, data, point):
    model = get_model(name)
    params = {"w": np.float64(point[0]), "b": np.float64(point[1])}
    grad = model.grad(params, data.x, data.y)
    f = lambda p: float(model.loss(p, data.x, data.y))  # noqa: E731
    for k in ("w", "b"):
        assert grad[k] == pytest.approx(finite_diff(f, params, k), rel=1e-5, abs=1e-7)
