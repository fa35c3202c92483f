"""Session actions: the state every front end drives."""

from __future__ import annotations

import json

import numpy as np
import pytest

from fitplay.core.data import DataError
from fitplay.core.persist import SessionError, from_dict, to_dict
from fitplay.core.session import Options, Session


def mse_at(s: Session) -> float:
    w, b = float(s.params["w"]), float(s.params["b"])
    return float(np.mean((w * s.data.x + b - s.data.y) ** 2))


def test_starts_from_the_lessons_bad_guess(lesson):
    assert float(lesson.params["w"]) == -5.0 and float(lesson.params["b"]) == 3.0
    assert lesson.loss == pytest.approx(mse_at(lesson), rel=1e-12)


def test_nudge_moves_by_the_step_and_tracks_best(lesson):
    for _ in range(5):
        assert lesson.nudge(1, 1)
    assert float(lesson.params["b"]) == 3.5
    assert lesson.loss == pytest.approx(mse_at(lesson), rel=1e-12)
    assert lesson.last_delta < 0
    best = lesson.best_loss
    lesson.nudge(0, -10)  # worse: further from w = 2
    assert float(lesson.params["w"]) == -6.0
    assert lesson.last_delta > 0
    assert lesson.best_loss == best


def test_step_size_scales_within_bounds(lesson):
    lesson.scale_step(0.1)
    assert lesson.step_size == 0.01
    lesson.nudge(0, 1)
    assert float(lesson.params["w"]) == pytest.approx(-4.99)
    for _ in range(10):
        lesson.scale_step(10)
    assert lesson.step_size == 10.0
    for _ in range(10):
        lesson.scale_step(0.1)
    assert lesson.step_size == 0.0001


@pytest.mark.parametrize("text", ["abc", "nan", "inf", "-inf", "1e400", "", "__import__('os')"])
def test_set_param_refuses_non_finite_text(lesson, text):
    before = dict(lesson.params), lesson.loss
    assert not lesson.set_param(0, text)
    assert "w" in lesson.message
    assert lesson.params == before[0] and lesson.loss == before[1]


def test_set_param_refuses_overflowing_values(lesson):
    assert not lesson.set_param(0, "1e200")
    assert "overflow" in lesson.message
    assert float(lesson.params["w"]) == -5.0


def test_set_param_accepts_a_number(lesson):
    assert lesson.set_param(1, " 20.25 ")
    assert float(lesson.params["b"]) == 20.25


def test_reset_restores_the_same_start(lesson):
    lesson.nudge(0, 3)
    lesson.nudge(1, 3)
    lesson.reset()
    assert float(lesson.params["w"]) == -5.0 and float(lesson.params["b"]) == 3.0
    assert lesson.step_count == 0 and lesson.status == "idle"


def test_init_option_sets_the_start():
    s = Session(Options(init=(1.5, 2.5)))
    s.nudge(0, 1)
    s.reset()
    assert float(s.params["w"]) == 1.5 and float(s.params["b"]) == 2.5


def test_new_data_uses_the_next_seed(lesson):
    y0 = lesson.data.y.copy()
    assert lesson.new_data()
    assert lesson.seed == 1
    assert not np.array_equal(lesson.data.y, y0)
    np.testing.assert_array_equal(lesson.data.y, Session(Options(seed=1)).data.y)


def test_new_data_refused_for_csv(data_dir):
    s = Session(Options(data=str(data_dir / "anscombe1.csv")))
    assert not s.new_data()
    assert "file" in s.message


def test_models_cycle_and_each_brings_its_loss(lesson):
    assert lesson.next_model() == "logistic"
    assert lesson.model.loss_label == "cross-entropy"
    assert set(np.unique(lesson.data.y)) == {0.0, 1.0}
    assert lesson.next_model() == "mlp"
    assert not lesson.nudge(0, 1)
    assert "not for the mlp model" in lesson.message
    assert lesson.next_model() == "linear"
    assert lesson.seed == 0


def test_logistic_refuses_non_binary_csv(data_dir):
    with pytest.raises(DataError, match="targets 0 or 1"):
        Session(Options(model="logistic", data=str(data_dir / "anscombe1.csv")))


def test_cycling_skips_a_model_that_does_not_suit_the_data(data_dir):
    s = Session(Options(data=str(data_dir / "anscombe1.csv")))
    assert s.next_model() == "mlp"


def test_lr_and_speed_scale(lesson):
    lesson.scale_lr(2)
    assert lesson.lr == pytest.approx(0.1)
    lesson.scale_lr(0.5)
    lesson.scale_lr(0.5)
    assert lesson.lr == pytest.approx(0.025)
    lesson.scale_speed(2)
    assert lesson.steps_per_frame == 8
    for _ in range(3):
        lesson.scale_speed(0.5)
    assert lesson.steps_per_frame == 1


def test_save_and_load_round_trip(lesson):
    lesson.nudge(0, 7)
    lesson.next_optimizer()
    lesson.scale_lr(0.5)
    doc = json.loads(json.dumps(to_dict(lesson)))
    back = from_dict(doc)
    assert back.model.name == "linear" and back.optimizer == "momentum" and back.lr == lesson.lr
    assert {k: float(v) for k, v in back.params.items()} == {k: float(v) for k, v in lesson.params.items()}
    back.reset()
    assert float(back.params["w"]) == -5.0


@pytest.mark.parametrize("doc,message", [
    ([], "not a fitplay session"),
    ({"fitplay_session": 1, "options": {"bogus": 1}}, "options"),
    ({"fitplay_session": 1, "options": {}, "model": "linear", "optimizer": "gd", "lr": 0.1,
      "params": {"w": "x", "b": 1}}, "params"),
    ({"fitplay_session": 1, "options": {}, "model": "linear", "optimizer": "gd", "lr": 0.1,
      "params": {"w": 1e999, "b": 1}}, "finite"),
    ({"fitplay_session": 1, "options": {}, "model": "linear", "optimizer": "gd", "lr": -1,
      "params": {"w": 1, "b": 1}}, "lr"),
    ({"fitplay_session": 1, "options": {}, "model": "cubic", "optimizer": "gd", "lr": 0.1,
      "params": {"w": 1, "b": 1}}, "model"),
    ({"fitplay_session": 1, "options": {"n": 10**9}, "model": "linear", "optimizer": "gd", "lr": 0.1,
      "params": {"w": 1, "b": 1}}, "options.n must be a whole number from 2 to 10000000"),
    ({"fitplay_session": 1, "options": {"noise": "loud"}, "model": "linear", "optimizer": "gd", "lr": 0.1,
      "params": {"w": 1, "b": 1}}, "options.noise"),
    ({"fitplay_session": 1, "options": {"init": [1]}, "model": "linear", "optimizer": "gd", "lr": 0.1,
      "params": {"w": 1, "b": 1}}, "options.init"),
    ({"fitplay_session": 1, "options": {}, "model": "linear", "optimizer": "gd", "lr": 0.1, "step_size": -1,
      "params": {"w": 1, "b": 1}}, "step_size"),
    ({"fitplay_session": 1, "options": {}, "model": "linear", "optimizer": "gd", "lr": 0.1, "steps_per_frame": 0,
      "params": {"w": 1, "b": 1}}, "steps_per_frame"),
    ({"fitplay_session": 1, "options": {}, "model": "linear", "optimizer": "gd", "lr": 0.1,
      "steps_per_frame": 10**9, "params": {"w": 1, "b": 1}}, "steps_per_frame must be a whole number from 1"),
    ({"fitplay_session": 1, "options": {}, "model": "/tmp/model.py", "optimizer": "gd", "lr": 0.1,
      "params": {"w": 1, "b": 1}}, "pass --model /tmp/model.py"),
])
def test_bad_session_files_are_refused_in_one_line(doc, message):
    with pytest.raises(SessionError) as err:
        from_dict(doc, "s.json")
    assert message in str(err.value) and "\n" not in str(err.value)


def test_run_continues_a_run_in_progress():
    s = Session(Options())
    s.toggle_run()
    s.apply(s.chunk_job(10)())
    assert s.running
    s.run()
    assert s.status == "converged" and s.step_count > 10


def test_the_training_rate_never_counts_restored_steps():
    s = Session(Options(steps=300))
    s.restore(dict(s.params), dict(s.start), "gd", 0.001, 0.1, 10, step_count=250)
    s.run()
    assert s.step_count > 250
    assert s.train_steps == s.step_count - 250 and s.train_seconds > 0
