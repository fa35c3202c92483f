"""What the lesson's walkthrough found in the playground: the gradient's values and the lesson goal in the
panel, the loss curve's axes, legends, residuals that keep the data, m and n keeping what the user set."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import new_app, screen_lines

from fitplay.charts.fit import FitChart
from fitplay.charts.grid import Kind
from fitplay.charts.loss import LossChart
from fitplay.cli import main
from fitplay.core.session import Options, Session
from fitplay.errors import InputError
from fitplay.tui.panel import Readout


async def test_the_panel_shows_the_gradient_and_the_lesson_goal():
    app = new_app()
    async with app.run_test(size=(120, 40)):
        text = str(app.query_one(Readout).render())
        grad = app.session.gradient()
        assert f"∂L/∂w {grad['w']:.4g}  ∂L/∂b {grad['b']:.4g}" in text and grad["w"] < 0 and grad["b"] < 0
        assert "goal MSE < 1 (floor ≈ 0.92)" in text and "lowest 711.0049" in text


async def test_the_networks_panel_lines_fit_80_columns():
    app = new_app(model="mlp")
    async with app.run_test(size=(80, 24)):
        lines = screen_lines(app)
        assert any("mlp  y = W2·tanh(W1·x+b1)+b2" in line for line in lines)
        assert any("25 parameters: optimizer only" in line for line in lines)
        assert any("step 0.1  (no hand keys)" in line for line in lines)


def test_the_loss_curve_ends_at_the_last_step_and_counts_steps_like_the_panel():
    s = Session(Options())
    for _ in range(4):
        s.apply(s.chunk_job(64)())
    chart = LossChart()
    text = "\n".join(chart.render(s, 80, 20).lines())
    assert s.step_count == 214 and "MSE 0.9239 after 214 steps" in text
    assert chart.layer.area.xlim == (0.0, float(s.history.steps[-1]))
    assert "100" in text and "step" in text and "loss (log scale)" in text


def test_the_loss_curve_spans_the_budget_while_running():
    s = Session(Options())
    s.toggle_run()
    s.apply(s.chunk_job(4)())
    chart = LossChart()
    chart.render(s, 80, 20)
    assert chart.layer.area.xlim == (0.0, 5000.0)


def test_residuals_keep_the_data_dots_and_the_midpoint_is_in_the_legend():
    s = Session(Options())

    def dots(grid) -> int:
        return sum(row.count(Kind.DATA) for row in grid.kinds)

    assert dots(FitChart().render(s, 80, 20, show_residuals=True)) == dots(FitChart().render(s, 80, 20))
    s.next_model()
    assert "┊ midpoint" in FitChart().render(s, 80, 20).lines()[0]


def test_one_fit_chart_keeps_its_legend_in_step_with_the_toggles_and_the_markers():
    """The legend is drawn once into the chart's static layer: each toggle and each marker that comes or goes
    must show on the next frame of the same chart, and leave no trace when it goes."""
    s, chart = Session(Options()), FitChart()

    def legend(**toggles: bool) -> str:
        return chart.render(s, 80, 20, **toggles).lines()[0]

    plain = legend()
    assert "model" in plain and "true" not in plain and "residual" not in plain
    assert "true" in legend(show_true=True) and "residual" in legend(show_residuals=True)
    assert legend() == plain
    assert "model" not in chart.render(s, 80, 20, legend=False).lines()[0]
    s.next_model()  # logistic regression: its midpoint is marked while w is not 0
    assert "┊ midpoint" in legend()
    s.set_param(0, "0")
    assert "midpoint" not in legend()
    s.set_param(0, "1")
    assert "┊ midpoint" in legend()


def test_m_keeps_each_models_parameters_and_n_keeps_the_learning_rate():
    s = Session(Options())
    s.nudge(0, 10)
    for _ in range(len(s.model_specs)):
        s.next_model()
    assert s.model.name == "linear" and float(s.params["w"]) == -4.0 and s.loss == s.loss_at(s.params)
    s.scale_lr(2)
    s.new_data()
    assert s.lr == 0.1 and float(s.params["w"]) == -5.0
    for _ in range(len(s.model_specs)):
        s.next_model()
    assert float(s.params["w"]) == -5.0  # the new data: nothing kept from the old


def test_init_with_the_network_is_refused_with_a_reason(capsys):
    with pytest.raises(InputError, match="--init sets two hand parameters; the mlp model has 25"):
        Session(Options(model="mlp", init=(1.0, 2.0)))
    assert main(["fit", "--model", "mlp", "--init", "1", "2", "--steps", "0"]) == 2
    assert "leave --init out" in capsys.readouterr().err
    assert np.isfinite(Session(Options(init=(1.0, 2.0))).loss)
