"""Losses and gradients against numpy and finite differences."""

from __future__ import annotations

import numpy as np
import pytest

from fitplay.core.data import simulate
from fitplay.core.losses import bce_logits, mse, sigmoid
from fitplay.core.models import load_model
from fitplay.core.session import Options, Session


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


@pytest.mark.parametrize("name", ["linear", "logistic"])
@pytest.mark.parametrize("point", [(-5.0, 3.0), (2.0, 20.0), (0.3, -1.0)])
def test_gradient_matches_finite_differences(name, point):
    s = Session(Options(model=name))
    assert s.set_param(0, repr(point[0])) and s.set_param(1, repr(point[1]))
    model, data, params = s.model, s.data, s.params
    grad = s.gradient()
    f = lambda p: float(model.loss(p, data.x, data.y))  # noqa: E731
    for k in ("w", "b"):
        assert grad[k] == pytest.approx(finite_diff(f, params, k), rel=1e-5, abs=1e-7)


def test_network_gradient_from_jax_matches_finite_differences():
    from fitplay.core.data import simulate_curve
    from fitplay.core.optim import jax_modules

    jax, jnp, _, _ = jax_modules()
    model = load_model("mlp", hidden=4)
    d = simulate_curve(n=30)
    params = model.start(3)
    grads = jax.grad(lambda p: model.loss(p, jnp.asarray(d.x), jnp.asarray(d.y), xp=jnp))(
        {k: jnp.asarray(v) for k, v in params.items()})
    h = 1e-6
    for name in ("W1", "b1", "W2"):
        for i in range(4):
            up = {k: np.array(v, dtype=float) for k, v in params.items()}
            down = {k: np.array(v, dtype=float) for k, v in params.items()}
            up[name][i] += h
            down[name][i] -= h
            fd = (model.loss(up, d.x, d.y) - model.loss(down, d.x, d.y)) / (2 * h)
            assert float(grads[name][i]) == pytest.approx(fd, rel=1e-5, abs=1e-8)
    up, down = dict(params), dict(params)
    up["b2"], down["b2"] = params["b2"] + h, params["b2"] - h
    fd = (model.loss(up, d.x, d.y) - model.loss(down, d.x, d.y)) / (2 * h)
    assert float(grads["b2"]) == pytest.approx(fd, rel=1e-5, abs=1e-8)
