"""Model switching, views, the landscape and its grid, in core and in the app."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import new_app, screen_text, settle
from textual.widgets._footer import FooterKey

from fitplay.core.data import simulate, simulate_logistic
from fitplay.core.landscape import loss_grid
from fitplay.core.models import load_model
from fitplay.core.session import Options, Session


@pytest.mark.parametrize("name,data", [("linear", simulate()), ("logistic", simulate_logistic())])
def test_landscape_grid_equals_a_direct_loop(name, data):
    model = load_model(name)
    ws, bs = np.linspace(-3, 4, 7), np.linspace(25, -2, 5)
    grid = loss_grid(model, data.x, data.y, model.start(0), ws, bs)
    for i, b in enumerate(bs):
        for j, w in enumerate(ws):
            direct = float(model.loss({"w": np.float64(w), "b": np.float64(b)}, data.x, data.y))
            assert grid[i, j] == pytest.approx(direct, rel=1e-12)


def test_linear_surface_from_statistics_equals_the_grid():
    s = Session(Options())
    ws, bs = np.linspace(-6, 4, 9), np.linspace(30, 0, 6)
    direct = loss_grid(s.model, s.data.x, s.data.y, s.params, ws, bs)
    np.testing.assert_allclose(s.loss_surface(ws, bs), direct, rtol=1e-10)


def test_optimum_is_least_squares_and_none_for_separable_data():
    d = simulate()
    best = load_model("linear").optimum(d.x, d.y)
    assert (float(best["w"]), float(best["b"])) == pytest.approx(tuple(np.polyfit(d.x, d.y, 1)), rel=1e-12)
    separable = simulate_logistic(noise=0.0)
    assert load_model("logistic").optimum(separable.x, separable.y) is None


def footer_keys(app) -> dict[str, bool]:
    """The footer's keys: enabled or not."""
    return {key.key: not key.has_class("-disabled") for key in app.query(FooterKey)}


async def test_m_switches_models_and_the_readout_follows():
    app = new_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("m")
        assert app.session.model.name == "logistic"
        text = screen_text(app)
        assert "cross-entropy" in text and "accuracy" in text
        await pilot.press("up")
        assert float(app.session.params["b"]) == pytest.approx(3.1)
        assert footer_keys(app)["up"] is True
        await pilot.press("m")
        assert app.session.model.name == "mlp"
        text = screen_text(app)
        assert "25 parameters: optimizer only" in text
        await pilot.pause()
        assert footer_keys(app)["up"] is False and footer_keys(app)["right"] is False  # shown, but disabled
        assert footer_keys(app)["o"] is True
        await pilot.press("tab")  # no input boxes open for a model without hand parameters
        assert app.focused is None and not app.editing
        before = {k: v.copy() for k, v in app.session.params.items()}
        await pilot.press("up", "right")
        assert all(np.array_equal(before[k], app.session.params[k]) for k in before)
        await pilot.press("greater_than_sign", "greater_than_sign", "greater_than_sign", "o")
        assert app.session.steps_per_frame == 256
        await settle(app, pilot)
        assert app.session.step_count > 0 and app.session.loss < 0.5


async def test_v_cycles_views_and_the_landscape_follows_an_optimize_run():
    app = new_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("v")
        assert app.view == "loss"
        await pilot.press("v")
        assert app.view == "landscape"
        assert "log loss" in screen_text(app)
        await pilot.press("o")
        await settle(app, pilot)
        chart = app.charts["landscape"]
        assert app.session.path().shape[0] == app.session.step_count + 1
        text = screen_text(app)
        assert text.count("•") >= 5 and "●" in text
        w, b = app.session.optimum()
        row, col = chart._cell(float(app.session.params["w"]), float(app.session.params["b"]))
        assert chart._cell(w, b) == (row, col)
        await pilot.press("v")
        assert app.view == "fit"


async def test_the_network_has_no_landscape_view():
    app = new_app(model="mlp")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("v", "v")
        assert app.view == "fit"


async def test_true_line_and_residuals_toggle():
    app = new_app()
    async with app.run_test(size=(120, 40)) as pilot:
        assert "true" not in screen_text(app)
        await pilot.press("t", "e")
        text = screen_text(app)
        assert "true" in text and "residual" in text
        await pilot.press("t", "e")
        assert "true" not in screen_text(app)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@pytest.mark.parametrize("model", ["linear", "logistic", "mlp"])
async def test_nothing_cut_off(size, model):
    app = new_app(model=model)
    async with app.run_test(size=size) as pilot:
        for _ in range(100):  # Textual fills the footer after its first refresh: later on a loaded machine
            await pilot.pause()
            if app.query("FooterKey"):
                break
        text = screen_text(app)
        assert app.session.model.loss_label in text
        assert "optimize" in text and "help" in text
        for view in ("fit", "loss", "landscape"):
            if app.view != view:
                await pilot.press("v")
            assert app.query_one("#chart").size.height >= 15


async def test_n_draws_new_data_and_the_chart_shows_it():
    app = new_app()
    async with app.run_test(size=(120, 40)) as pilot:
        before = [row for row in app.charts["fit"].render(app.session, 80, 30).lines()]
        y_before = app.session.data.y.copy()
        for _ in range(5):
            await pilot.press("n")
            after = app.charts["fit"].render(app.session, 80, 30).lines()
            assert not np.array_equal(app.session.data.y, y_before)
            assert after != before
            before, y_before = after, app.session.data.y.copy()
        assert app.session.seed == 5


async def test_a_wide_terminal_shows_the_landscape_beside_the_fit():
    app = new_app()
    async with app.run_test(size=(180, 50)) as pilot:
        await pilot.pause()
        assert app.query_one("#side").display and app.view == "fit"
        assert "log loss" in screen_text(app) and "model" in screen_text(app)
        await pilot.press("m", "m")
        assert app.session.model.name == "mlp" and not app.query_one("#side").display
        await pilot.resize_terminal(120, 40)
        await pilot.press("m")
        assert not app.query_one("#side").display
