"""Jitted while-loop training: chunks equal single steps, optimizers equal optax, stop rules, references."""

from __future__ import annotations

import numpy as np
import pytest

from fitplay.core.data import load_csv
from fitplay.core.models import load_model
from fitplay.core.optim import OPTIMIZERS, Rule, Stop, Trainer, chunk_fn, jax_modules
from fitplay.core.session import Options, Session

START = {"w": np.float64(-5.0), "b": np.float64(3.0)}
START_LOSS = 711.004867521624
ENDLESS = Rule(grad_tol=0.0, stall_rel=float("-inf"))


def lesson_trainer(optimizer: str) -> Trainer:
    s = Session(Options())
    return Trainer(s.model, s.data.x, s.data.y, optimizer, standardised=False)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_one_chunk_equals_step_by_step(optimizer):
    t = lesson_trainer(optimizer)
    whole = t.run(t.begin(START, 0.01, START_LOSS), 64, ENDLESS)
    state = t.begin(START, 0.01, START_LOSS)
    losses = []
    for _ in range(64):
        r = t.run(state, 1, ENDLESS)
        state = r.carry
        losses.append(r.losses[0])
    for k in ("w", "b"):
        assert float(r.params[k]) == pytest.approx(float(whole.params[k]), rel=1e-12)
    np.testing.assert_allclose(losses, whole.losses, rtol=1e-12)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_each_optimizer_matches_an_eager_optax_loop(optimizer):
    jax, jnp, _, optax = jax_modules()
    s = Session(Options())
    model = s.model
    tx = {"gd": optax.sgd(0.01), "momentum": optax.sgd(0.01, momentum=0.9), "adam": optax.adam(0.01)}[optimizer]
    params = {k: jnp.asarray(v) for k, v in START.items()}
    state = tx.init(params)
    x, y = jnp.asarray(s.data.x), jnp.asarray(s.data.y)
    for _ in range(50):
        grads = jax.grad(lambda p: model.loss(p, x, y, xp=jnp))(params)
        updates, state = tx.update(grads, state, params)
        params = optax.apply_updates(params, updates)
    t = Trainer(model, s.data.x, s.data.y, optimizer, standardised=False)
    ours = t.run(t.begin(START, 0.01, START_LOSS), 50, ENDLESS)
    for k in ("w", "b"):
        assert float(ours.params[k]) == pytest.approx(float(params[k]), rel=1e-10)


def test_compiled_chunks_are_cached():
    """Any step count, start and learning rate up to a frame's length runs on one compiled chunk."""
    model = load_model("linear")
    assert chunk_fn(model, "gd", 64, False) is chunk_fn(model, "gd", 64, False)
    t = lesson_trainer("gd")
    t.run(t.begin(START, 0.01, START_LOSS), 8, ENDLESS)
    t.run(t.begin({"w": np.float64(1.0), "b": np.float64(1.0)}, 0.02, 400.0), 5, ENDLESS)
    assert t.compiled_lengths() == [64]
    t.run(t.begin(START, 0.01, START_LOSS), 300, ENDLESS)
    assert t.compiled_lengths() == [64, 4096]


def test_any_step_count_runs_exactly_and_carries_the_state():
    """263 steps in pieces of 200 and 63 equal 263 in one call (no steps dropped, Adam state carried)."""
    t = lesson_trainer("adam")
    whole = t.run(t.begin(START, 0.01, START_LOSS), 263, ENDLESS)
    first = t.run(t.begin(START, 0.01, START_LOSS), 200, ENDLESS)
    second = t.run(first.carry, 63, ENDLESS)
    assert whole.steps == first.steps + second.steps == 263
    for k in ("w", "b"):
        assert float(second.params[k]) == pytest.approx(float(whole.params[k]), rel=1e-12)


def numpy_gd(x, y, w, b, lr, steps):
    for _ in range(steps):
        r = w * x + b - y
        w, b = w - lr * 2 * np.mean(r * x), b - lr * 2 * np.mean(r)
    return w, b


def test_gd_matches_float64_numpy_on_anscombe(data_dir):
    path = str(data_dir / "anscombe1.csv")
    d = load_csv(path)
    s = Session(Options(data=path, optimizer="gd", lr=0.001, steps=20000, scale="none", init=(-5.0, 3.0)))
    s.run()
    w, b = numpy_gd(d.x, d.y, -5.0, 3.0, 0.001, 20000)
    assert float(s.params["w"]) == pytest.approx(w, rel=0.005)
    assert float(s.params["b"]) == pytest.approx(b, rel=0.005)
    slope, intercept = np.polyfit(d.x, d.y, 1)
    assert (slope, intercept) == pytest.approx((0.5001, 3.0001), abs=1e-3)


def test_adam_reaches_least_squares_on_badly_scaled_data(tmp_path):
    rng = np.random.default_rng(5)
    x = np.linspace(0.0, 1000.0, 60)
    y = 0.003 * x + 50.0 + rng.normal(0.0, 0.5, x.size)
    path = tmp_path / "scaled.csv"
    path.write_text("x,y\n" + "\n".join(f"{a},{b}" for a, b in zip(x, y)))
    s = Session(Options(data=str(path), optimizer="adam", lr=0.5, steps=200_000, init=(0.0, 0.0), scale="none"))
    s.run()
    slope, intercept = np.polyfit(x, y, 1)
    assert float(s.params["w"]) == pytest.approx(slope, rel=0.01)
    assert float(s.params["b"]) == pytest.approx(intercept, rel=0.01)


def test_convergence_stops_the_run_at_least_squares():
    s = Session(Options())
    s.run()
    assert s.status == "converged"
    assert s.step_count < s.max_steps
    slope, intercept = np.polyfit(s.data.x, s.data.y, 1)
    assert float(s.params["w"]) == pytest.approx(slope, rel=1e-9)
    assert float(s.params["b"]) == pytest.approx(intercept, rel=1e-9)
    assert s.params_text() == "w = 2.0146, b = 20.0811"


def test_lesson_settings_reach_the_lessons_numbers():
    s = Session(Options(optimizer="gd", lr=0.001, steps=3000))
    s.run()
    assert s.status == "budget" and s.step_count == 3000
    assert float(s.params["w"]) == pytest.approx(2.01, abs=0.02)
    assert float(s.params["b"]) == pytest.approx(20.03, abs=0.05)
    assert s.loss == pytest.approx(0.93, abs=0.05)


def test_divergence_keeps_the_best_parameters():
    s = Session(Options(lr=100.0))
    s.run()
    assert s.status == "diverged"
    assert all(np.isfinite(float(v)) for v in s.params.values())
    assert s.loss <= s.initial_loss
    assert "lower the learning rate" in s.message.lower()


def test_stale_results_are_dropped_after_a_hand_move():
    s = Session(Options())
    job = s.chunk_job(16)
    s.nudge(0, 1)
    assert not s.apply(job())
    assert s.step_count == 0 and float(s.params["w"]) == pytest.approx(-4.9)


def test_logistic_midpoint_on_lesson_data():
    s = Session(Options(model="logistic"))
    s.run()
    assert s.status == "converged"
    mid = -float(s.params["b"]) / float(s.params["w"])
    assert -1.0 < mid < 0.0  # the true midpoint is -b/w = -0.5
    assert s.accuracy() >= 0.85


def test_mlp_beats_a_straight_line():
    s = Session(Options(model="mlp", optimizer="adam"))
    s.run()
    x, y = s.data.x, s.data.y
    slope, intercept = np.polyfit(x, y, 1)
    line_loss = float(np.mean((slope * x + intercept - y) ** 2))
    assert s.loss < 0.25 * line_loss


def test_adam_state_carries_across_frames():
    """Frames of steps_per_frame steps equal one long run: the optimizer state is carried on."""
    s = Session(Options(model="mlp", steps=10_000))
    model, data = s.model, s.data
    t = Trainer(model, data.x, data.y, "adam", standardised=False)
    whole = t.run(t.begin(s.params, 0.03, s.loss), 256, ENDLESS)
    state = t.begin(s.params, 0.03, s.loss)
    for _ in range(256 // s.steps_per_frame):
        r = t.run(state, s.steps_per_frame, ENDLESS)
        state = r.carry
        assert state is not None
    for k in whole.params:
        np.testing.assert_allclose(r.params[k], whole.params[k], rtol=1e-9, atol=1e-12)


def test_trainers_of_one_data_set_share_its_device_arrays():
    s = Session(Options())
    gd = s._trainer(s.model, "gd", s.data, None)
    adam = s._trainer(s.model, "adam", s.data, None)
    assert adam is not gd and adam.x is gd.x and adam.y is gd.y
    scaled = s._trainer(s.model, "gd", s.data, s.scaling)
    assert scaled.x is not gd.x and abs(float(scaled.x.std()) - 1.0) < 1e-12
    s.new_data()
    fresh = s._trainer(s.model, "gd", s.data, None)
    assert fresh.x is not gd.x


def test_a_chunk_stops_at_the_step_that_meets_the_rule():
    """A run that converges in about 200 steps inside a 4096-step chunk stops there, not at 4096."""
    t = lesson_trainer("gd")
    s = Session(Options())
    r = t.run(t.begin(START, 0.05, START_LOSS), 4096, s._rule(START_LOSS))
    assert r.stop == Stop.CONVERGED and 100 < r.steps < 400
    assert r.losses.size == r.steps + 1
