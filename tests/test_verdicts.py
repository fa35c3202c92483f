"""Your own data, fitted honestly: exact losses, feature scaling, the stability limit, and verdicts that are
true on public data with published answers and on constructed stalls, oscillations and divergences."""

from __future__ import annotations

import csv
import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from conftest import new_app

from fitplay.cli import main
from fitplay.core.data import DataError, Dataset
from fitplay.core.session import Options, Session
from fitplay.tui.panel import Readout, StatusLine, fmt

DATA = Path(__file__).parent / "data"
# Public data sets (see data/README.md): years-like x, x near 1e5 and 1e8, y near 1e8, x within [0, 0.01],
# signs mixed, 2 and 3 points.
REAL = ["anscombe1", "cars", "cars_three", "longley_year", "longley_two_years", "longley_gnp", "longley_population",
        "uspop", "women", "women_km", "sleep_pairs", "norris"]


def columns(name: str) -> tuple[list[Fraction], list[Fraction]]:
    return columns_of(DATA / f"{name}.csv")


def columns_of(path: Path) -> tuple[list[Fraction], list[Fraction]]:
    """A two-column CSV's values, exactly as written."""
    with open(path) as f:
        rows = list(csv.reader(f))[1:]
    return [Fraction(r[0]) for r in rows], [Fraction(r[1]) for r in rows]


def exact_mse(xs, ys, w: float, b: float) -> float:
    """mean((y - w x - b)²) in rational arithmetic: no rounding at all."""
    fw, fb = Fraction(w), Fraction(b)
    return float(sum((Fraction(y) - fw * Fraction(x) - fb) ** 2 for x, y in zip(xs, ys)) / len(xs))


def exact_least_squares(xs, ys) -> tuple[float, float, float]:
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    w = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    b = my - w * mx
    return float(w), float(b), float(sum((y - w * x - b) ** 2 for x, y in zip(xs, ys)) / n)


def fitted(path: Path | str, **options) -> Session:
    s = Session(Options(data=str(path), **options))
    s.run()
    return s


@pytest.mark.parametrize("name", REAL)
def test_defaults_reach_least_squares_on_public_data(name):
    xs, ys = columns(name)
    w, b, mse = exact_least_squares(xs, ys)
    s = fitted(DATA / f"{name}.csv")
    assert s.status == "converged", s.message
    assert float(s.params["w"]) == pytest.approx(w, rel=1e-6)
    assert float(s.params["b"]) == pytest.approx(b, rel=1e-6)
    scale = float(np.var([float(y) for y in ys]))
    assert abs(s.loss - mse) <= 1e-6 * mse + 1e-12 * scale  # 2 points: a perfect fit, MSE 0


def test_published_least_squares_fits():
    """NIST's certified Norris values, and R's lm() on cars and women."""
    norris = fitted(DATA / "norris.csv")
    assert float(norris.params["w"]) == pytest.approx(1.00211681802045, rel=1e-9)
    assert float(norris.params["b"]) == pytest.approx(-0.262323073774029, rel=1e-6)
    cars = fitted(DATA / "cars.csv")
    assert (float(cars.params["w"]), float(cars.params["b"])) == pytest.approx((3.9324, -17.5791), abs=1e-4)
    women = fitted(DATA / "women.csv")
    assert (float(women.params["w"]), float(women.params["b"])) == pytest.approx((3.45, -87.51667), abs=1e-5)


@pytest.mark.parametrize("name", REAL)
def test_the_hints_say_ok_where_a_run_converged_and_point_the_way_half_a_unit_away(name):
    """In every data set's units (x near 1e8, x within [0, 0.01], years): a hint never contradicts the verdict."""
    s = fitted(DATA / f"{name}.csv")
    assert s.status == "converged" and s.hand_moves(s.gradient()) == {"w": 0, "b": 0}
    mx, sx, _, sy = s.scaling
    best = dict(s.params)
    for name_, shift in (("w", 0.5 * sy / sx), ("b", 0.5 * sy)):
        for sign in (1, -1):
            s.params = {**best, name_: best[name_] + sign * shift}
            assert s.hand_moves(s.gradient())[name_] == -sign


@pytest.mark.parametrize("name, w, b", [("challenger", -0.2322, 15.0429), ("study_hours", 1.5046, -4.0777)])
def test_logistic_defaults_reach_the_published_maximum_likelihood_fit(name, w, b):
    s = fitted(DATA / f"{name}.csv", model="logistic")
    assert s.status == "converged", s.message
    assert s.hand_moves(s.gradient()) == {"w": 0, "b": 0}
    best = s.model.optimum(s.data.x, s.data.y)
    assert float(s.params["w"]) == pytest.approx(float(best["w"]), rel=1e-6)
    assert float(s.params["b"]) == pytest.approx(float(best["b"]), rel=1e-6)
    assert (float(s.params["w"]), float(s.params["b"])) == pytest.approx((w, b), abs=1e-4)


@pytest.mark.parametrize("name", REAL)
def test_raw_training_never_claims_convergence_away_from_the_optimum(name):
    xs, ys = columns(name)
    w, b, _ = exact_least_squares(xs, ys)
    s = fitted(DATA / f"{name}.csv", scale="none", steps=3000)
    assert s.status in ("converged", "budget", "stalled"), s.message
    if s.status == "converged":
        assert float(s.params["w"]) == pytest.approx(w, rel=1e-4)
        assert float(s.params["b"]) == pytest.approx(b, rel=1e-4)
    else:
        assert "scale x" in s.message


def test_a_stall_far_from_x_zero_says_stalled_not_converged():
    """x offset by 1e5: raw gradient descent crawls; the loss barely moves while the gradient is large."""
    x = 1e5 + np.linspace(0.0, 10.0, 50)
    y = 3.0 * x - 2e5 + np.random.default_rng(3).normal(0.0, 1.0, 50)
    s = Session(Options(scale="none", steps=20_000), Dataset(x, y, source="offset.csv"))
    s.run()
    assert s.status == "stalled" and s.step_count < 20_000
    assert "scale x" in s.message
    scaled = Session(Options(), Dataset(x, y, source="offset.csv"))
    scaled.run()
    assert scaled.status == "converged"
    assert float(scaled.params["w"]) == pytest.approx(np.polyfit(x, y, 1)[0], rel=1e-6)


def test_a_learning_rate_too_small_to_move_stalls():
    s = Session(Options(lr=1e-20))
    s.run()
    assert s.status == "stalled" and s.step_count <= 1024
    assert "raise the learning rate" in s.message


def test_metres_and_millimetres_give_the_same_digits():
    xs, ys = columns("women")
    x = np.array([float(v) for v in xs]) * 0.0254
    y = np.array([float(v) for v in ys])
    metres = Session(Options(), Dataset(x, y, source="m.csv"))
    millimetres = Session(Options(), Dataset(x * 1000.0, y, source="mm.csv"))
    metres.run()
    millimetres.run()
    assert metres.status == millimetres.status == "converged"
    assert metres.step_count == millimetres.step_count
    assert float(millimetres.params["w"]) * 1000.0 == pytest.approx(float(metres.params["w"]), rel=1e-9)
    assert float(millimetres.params["b"]) == pytest.approx(float(metres.params["b"]), rel=1e-9)


def test_standardised_and_raw_training_agree_at_the_optimum():
    raw, scaled = Session(Options(scale="none")), Session(Options(scale="standard"))
    raw.run()
    scaled.run()
    assert raw.status == scaled.status == "converged"
    for k in ("w", "b"):
        assert float(scaled.params[k]) == pytest.approx(float(raw.params[k]), rel=1e-8)
    assert scaled.loss == pytest.approx(raw.loss, rel=1e-12)


def test_the_loss_is_exact_at_offsets_of_1e8():
    rng = np.random.default_rng(7)
    x = 1e8 + np.linspace(0.0, 50.0, 200)
    y = 1e8 + 2.0 * (x - 1e8) + rng.normal(0.0, 1.0, x.size)
    s = Session(Options(), Dataset(x, y, source="big.csv"))
    w, b, mse = exact_least_squares([Fraction(v) for v in x], [Fraction(v) for v in y])
    assert mse > 0.5
    for dw, db in ((0.0, 0.0), (1e-9, 0.0), (0.0, 0.3), (-2e-7, 5.0), (3.0, -3e8)):
        params = {"w": np.float64(w + dw), "b": np.float64(b + db)}
        direct = exact_mse(x, y, float(params["w"]), float(params["b"]))
        assert s.loss_at(params) == pytest.approx(direct, rel=1e-9)
    ws, bs = np.array([w, w + 1e-8]), np.array([b, b + 1.0])
    grid = s.loss_surface(ws, bs)
    assert grid[0, 0] == pytest.approx(mse, rel=1e-6)


def test_divergence_from_any_start_keeps_the_best_parameters():
    s = Session(Options(lr=0.5))
    s.set_param(0, "3")
    s.run()
    assert s.status == "diverged" and s.step_count < 100
    assert s.loss <= s.run_start_loss
    assert "stability limit" in s.message


def test_an_upward_ending_run_is_a_divergence_whatever_the_loss():
    """Cross-entropy at a learning rate far past the limit oscillates near its start without exploding; the
    run ends above where it started, so it diverged, and the best parameters (here the start) are kept."""
    for steps in (400, 5000):  # ended by the budget, and by the stall rule
        s = Session(Options(model="logistic", lr=60.0, steps=steps, init=(2.0, 1.0)))
        start = s.loss
        s.run()
        assert s.history.losses.max() > 1.2 * start
        assert s.status == "diverged", s.message
        assert s.loss == start and float(s.params["w"]) == 2.0


def test_a_hand_moved_start_is_not_a_divergence():
    s = Session(Options())
    s.set_param(0, "100000")
    s.run()
    assert s.status == "converged"
    assert float(s.params["w"]) == pytest.approx(2.0146, abs=1e-4)


def test_separable_data_never_converge():
    for optimizer in ("gd", "adam"):
        s = Session(Options(model="logistic", noise=0.0, optimizer=optimizer, steps=3000))
        s.run()
        assert s.status in ("budget", "stalled")
        assert "separable" in s.message and "no minimum" in s.message
        assert s.optimum() is None


def test_constant_x_is_refused(tmp_path):
    path = tmp_path / "flat.csv"
    path.write_text("x,y\n3,1\n3,2\n3,4\n")
    with pytest.raises(DataError, match="slope is not identifiable"):
        Session(Options(data=str(path)))


def test_logistic_data_differ_for_every_seed_and_have_an_optimum():
    sets = [Session(Options(model="logistic", seed=seed)).data.y for seed in range(10)]
    assert len({y.tobytes() for y in sets}) == 10
    assert Session(Options(model="logistic")).optimum() is not None
    chapter = Session(Options(model="logistic", noise=0.0))
    assert chapter.no_optimum is not None


@pytest.mark.parametrize("name", REAL)
def test_a_csv_starts_from_a_bad_guess_on_the_chart(name):
    s = Session(Options(data=str(DATA / f"{name}.csv")))
    x, y = s.data.x, s.data.y
    ends = s.model.predict(s.start, np.array([x.min(), x.max()]))
    assert ends.min() <= y.max() and ends.max() >= y.min()  # the line crosses the data's box
    assert np.sign(float(s.start["w"])) == -np.sign(np.polyfit(x, y, 1)[0])  # tilted the wrong way


def test_the_learning_rate_follows_the_data():
    lesson = Session(Options())
    assert lesson.lr == 0.05 and lesson.lr_limit() == pytest.approx(1 / 8.5017, rel=1e-4)
    csv_session = Session(Options(data=str(DATA / "longley_year.csv")))
    assert csv_session.scale == "standard" and csv_session.lr_limit() == pytest.approx(1.0)
    assert csv_session.lr == pytest.approx(0.4)
    raw = Session(Options(data=str(DATA / "longley_year.csv"), scale="none"))
    assert raw.lr_limit() < 1e-6 and raw.lr == pytest.approx(0.4 * raw.lr_limit())
    raw.toggle_scale()
    assert raw.scale == "standard" and raw.lr == pytest.approx(0.4)
    assert "feature scaling on" in raw.message


def fit_json(capsys, *args: str) -> tuple[int, dict | None, str]:
    code = main(["fit", *args, "--json"])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out else None, err


def test_fit_json_reports_status_and_exit_codes(tmp_path, capsys):
    code, doc, _ = fit_json(capsys, str(DATA / "longley_year.csv"))
    assert code == 0 and doc["status"] == "converged" and doc["converged"] is True
    code, doc, err = fit_json(capsys, str(DATA / "longley_year.csv"), "--scale", "none")
    assert code == 4 and doc["status"] == "stalled" and not doc["converged"] and not doc["diverged"]
    assert len(err.strip().splitlines()) == 1 and "scale x" in err
    code, doc, _ = fit_json(capsys, "--lr", "0.5")
    assert code == 3 and doc["status"] == "diverged" and doc["loss"] <= doc["initial_loss"]
    flat = tmp_path / "flat.csv"
    flat.write_text("x,y\n1,2\n1,3\n")
    code, doc, err = fit_json(capsys, str(flat))
    assert code == 2 and doc is None and "not identifiable" in err
    code, doc, err = fit_json(capsys, "--steps", "0")  # a report of the start: no advice about a run that was not
    assert code == 0 and doc["status"] == "budget" and doc["steps"] == 0
    assert err == "fitplay: no steps run (a budget of 0 steps): the parameters are as they were\n"


async def test_the_playground_readout_is_exact_at_least_squares_for_y_near_1e8(tmp_path):
    rng = np.random.default_rng(11)
    x = np.linspace(0.0, 30.0, 120)
    y = 1e8 + 5.0 * x + rng.normal(0.0, 1.0, x.size)
    path = tmp_path / "big.csv"
    path.write_text("x,y\n" + "\n".join(f"{float(a)!r},{float(b)!r}" for a, b in zip(x, y)) + "\n")
    xs, ys = columns_of(path)
    w, b, _ = exact_least_squares(xs, ys)
    app = new_app(tmp_path, data=str(path))
    async with app.run_test(size=(120, 40)) as pilot:
        for index, value in ((0, w), (1, b)):
            await pilot.press("tab" if index == 0 else "shift+tab")  # opens the boxes, focusing this one
            box = app.query_one(f"#param-{index}")
            assert app.focused is box
            box.value = repr(value)
            await pilot.press("enter")
        direct = exact_mse(xs, ys, float(app.session.params["w"]), float(app.session.params["b"]))
        assert direct > 0.5
        assert app.session.loss == pytest.approx(direct, rel=1e-9)
        assert f"MSE {fmt(direct)}" in str(app.query_one(Readout).render())
        status = str(app.query_one(StatusLine).render())
        assert "x scale: standard" in status and "stable below lr 1" in status
        await pilot.press("z")
        assert "x scale: none" in str(app.query_one(StatusLine).render())
        assert app.session.lr == pytest.approx(0.4 * app.session.lr_limit())


@pytest.mark.parametrize("value", [0.1, 1e99, -3e-299, 7.0])
def test_constant_y_converges_to_the_flat_line(tmp_path, value):
    """A constant whose rounded mean is an ulp off once made every deviation equal: a spread of 0 and a
    'divergence' at the answer, or a slope of 1e65 from the least-squares formula."""
    path = tmp_path / "flat.csv"
    path.write_text("x,y\n" + "".join(f"{i},{value!r}\n" for i in range(49)))
    session = Session(Options(data=str(path)))
    assert session.optimum() == (0.0, value)
    session.run()
    assert session.status == "converged"
    assert abs(float(session.params["w"])) * 48 <= 1e-12 * abs(value)  # the line moves by nothing across x
    assert abs(float(session.params["b"]) - value) <= 1e-12 * abs(value)


@pytest.mark.parametrize("value, shown", [(0.0001609195678, "1.6092e-04"), (0.0012, "1.2000e-03"), (0.0123, "0.0123"),
                                          (-0.05, "-0.0500"), (711.0049, "711.0049"), (0.0, "0.0000"),
                                          (2.5e7, "2.5000e+07")])
def test_a_shown_value_keeps_at_least_three_significant_digits(value, shown):
    """The slope of timestamps (w = 0.000161) read 0.0002: one digit, and a hand step changed it by half."""
    assert fmt(value) == shown
