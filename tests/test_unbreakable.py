"""No input, file, signal or terminal makes fitplay crash, hang, lie or leak terminal control: each class of
the adversarial pass, with inputs of its own."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from conftest import finish_workers, new_app, screen_text
from hypothesis import given, settings
from hypothesis import strategies as st

from fitplay.charts.fit import FitChart
from fitplay.charts.landscape import LandscapeChart
from fitplay.charts.loss import LossChart
from fitplay.cli import main
from fitplay.core.data import DataError, Dataset, load_csv
from fitplay.core.files import write_all_new
from fitplay.core.persist import SessionError, read_session, to_dict
from fitplay.core.session import Options, Session
from fitplay.errors import InputError, printable
from fitplay.plain_demo import run_plain

ESCAPES = "\x1b]0;pwned\x07\x1b[2J[/]"


def cli(*args: str, stdin=None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fitplay", *args], capture_output=True, text=True, timeout=120,
                          stdin=stdin, **kwargs)


# ----- 1. any finite data the loader accepts, any finite start, draws in every view ----------------------
def random_data(rng: np.random.Generator) -> Dataset | None:
    ex, ey = rng.uniform(-300, 99, size=2)
    n = int(rng.choice([2, 3, 10, 200]))
    x = rng.choice([0.0, rng.uniform(-1e3, 1e3)]) * 10**ex + 10**ex * rng.normal(size=n)
    y = 10**ey * (rng.normal(size=n) + rng.choice([0.0, 100.0]))
    if np.all(x == x[0]) or max(np.abs(x).max(), np.abs(y).max()) > 1e100:
        return None
    return Dataset(x, y, source="fuzz.csv")


def draw_random_data(seed: int, trials: int) -> int:
    """Random data sets through every chart at three sizes, before and after a short run; how many drew."""
    rng = np.random.default_rng(seed)
    drawn = 0
    for _ in range(trials):
        data = random_data(rng)
        if data is None:
            continue
        model = str(rng.choice(["linear", "mlp"]))
        try:
            s = Session(Options(model=model, steps=20), data)
        except InputError:  # e.g. a best slope beyond float64: refused in one line, which is fine
            continue
        for run in (False, True):
            if run:
                s.run()
            for width, height in ((120, 40), (60, 20), (30, 8)):
                for chart in (FitChart(), LossChart(), LandscapeChart()):
                    grid = chart.render(s, width, height, show_true=True, show_residuals=True)
                    assert len(grid.lines()) == height
        assert np.isfinite(s.loss) or s.loss == float("inf")
        drawn += 1
    return drawn


@pytest.mark.parametrize("seed", range(2))
def test_data_across_600_orders_of_magnitude_draw_in_every_view(seed):
    assert draw_random_data(seed, 10) >= 4


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(2, 12))
def test_more_data_across_600_orders_of_magnitude(seed):
    assert draw_random_data(seed, 30) >= 12


@pytest.mark.parametrize("scale", [1e-300, 1e-150, 1e70, 1e99])
def test_the_plain_demo_draws_any_magnitude(scale):
    x = np.linspace(1.0, 5.0, 20) * scale
    y = (3.0 + np.sin(np.arange(20))) * scale
    out = io.StringIO()
    run_plain(Session(Options(steps=30), Dataset(x, y, source="m.csv")), 3, out)
    assert "fitted:" in out.getvalue() and "nan" not in out.getvalue()


@pytest.mark.parametrize("init", [(1e200, 0.0), (0.0, -1e300)])
def test_a_start_whose_loss_overflows_is_refused_in_one_line(init):
    with pytest.raises(InputError, match="overflows"):
        Session(Options(init=init))


@pytest.mark.parametrize("options", [{"noise": 1e200}, {"noise": 1e308}, {"w_true": 1e308}])
def test_simulated_data_past_the_loader_limit_are_refused(options):
    """Past float64 too (y = inf): the options are named, not the model's simulate()."""
    with pytest.raises(DataError, match="lower --noise, --w-true or --b-true"):
        Session(Options(**options))


def test_large_numbers_read_in_a_readable_form():
    s = Session(Options(init=(2.08e20, 3.0), noise=1e9))
    assert "2.0800e+20" in s.params_text()


# ----- 2 and 3. text from users and files is shown literally, control characters escaped ---------------
def test_printable_escapes_control_characters():
    assert printable(ESCAPES) == "\\x1b]0;pwned\\x07\\x1b[2J[/]"
    assert printable("line\nbreak\ttab") == "line\\nbreak\\ttab"


def test_a_hostile_header_never_reaches_the_terminal(tmp_path):
    path = tmp_path / "evil.csv"
    path.write_text(f"x{ESCAPES},y{ESCAPES}\n1,2\n2,3.5\n3,oops{ESCAPES}\n")
    r = cli("fit", str(path))
    assert r.returncode == 2 and "\x1b" not in r.stderr and "\x07" not in r.stderr
    assert r.stderr.count("\n") == 1 and "\\x1b" in r.stderr
    path.write_text(f"x{ESCAPES},y{ESCAPES}\n1,2\n2,3.5\n3,5\n")
    out = io.StringIO()
    run_plain(Session(Options(data=str(path))), 2, out)
    assert "\x1b" not in out.getvalue() and "\x07" not in out.getvalue()


async def test_hostile_text_in_the_playground_is_shown_literally(tmp_path):
    path = tmp_path / "[old]" / "evil.csv"
    path.parent.mkdir()
    path.write_text(f"x{ESCAPES},y{ESCAPES}\n1,2\n2,3.5\n3,5\n")
    app = new_app(path.parent)  # saves go into the folder named [old]
    async with app.run_test(size=(120, 40)) as pilot:
        app.load_data(str(path))
        await finish_workers(app, pilot)
        assert app.session.data.n == 3
        await pilot.press("tab")
        box = app.query_one("#param-0")
        assert app.focused is box
        box.value = "[/]"
        await pilot.press("enter")
        messages = [n.message for n in app._notifications]
        assert any("'[/]' is not a number" in m for m in messages)
        await pilot.press("s")
        assert any("[old]" in m and "saved" in m for m in messages + [n.message for n in app._notifications])
        text = screen_text(app)
        assert "\x1b" not in text and "\x07" not in text and "\\x1b" in text


# ----- 8. session files: one validation, one line naming the file and the field ---------------------------
GOOD = {"fitplay_session": 1, "options": {}, "model": "linear", "optimizer": "gd", "lr": 0.1,
        "params": {"w": 1, "b": 1}}
BAD_SESSIONS = {
    "deep nesting": ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    "5000 digits": ('{"fitplay_session": 1, "lr": ' + "9" * 5000 + "}", "an integer of 5000 digits"),
    "lr 10**400": (json.dumps({**GOOD, "lr": 10**400}), "an integer of 401 digits: no field holds more than 30"),
    "lr 1e400": (json.dumps({**GOOD, "lr": 1e300}).replace("1e+300", "1e400"),
                 "lr must be a number from 1e-20 to 10000, got inf"),
    "lr a string": (json.dumps({**GOOD, "lr": "0.1"}), "lr must be a number from 1e-20 to 10000, got '0.1'"),
    "steps_per_frame true": (json.dumps({**GOOD, "steps_per_frame": True}), "steps_per_frame must be a whole number"),
    "step_count huge": (json.dumps({**GOOD, "step_count": 10**20}), "step_count must be a whole number from 0"),
    "data scalar": (json.dumps({**GOOD, "options": {"data": "-"}, "data": 3}), "\"data\" must be an object"),
    "data 2-D": (json.dumps({**GOOD, "options": {"data": "-"}, "data": {"x": [[1, 2]], "y": [[1, 2]]}}),
                 "data.x\" must be a list of finite numbers"),
    "data empty": (json.dumps({**GOOD, "options": {"data": "-"}, "data": {"x": [], "y": []}}), "2 or more numbers"),
    "data 1e300": (json.dumps({**GOOD, "options": {"data": "-"}, "data": {"x": [1, 2], "y": [1e300, 1]}}),
                   "each 0 or 1e-300 to 1e+100 in size"),
    "data /dev/zero": (json.dumps({**GOOD, "options": {"data": "/dev/zero"}}), "not a regular file"),
    "data constant x": (json.dumps({**GOOD, "options": {"data": "-"}, "data": {"x": [1, 1, 1], "y": [1, 2, 3]}}),
                        "s.json: -: every x is 1"),
    "params 1e308 far from 0": (json.dumps({**GOOD, "options": {"data": "-"}, "params": {"w": 1e308, "b": 0},
                                            "data": {"x": [1e5, 2e5], "y": [1, 2]}}),
                                "\"params\": the loss overflows there"),
}


@pytest.mark.parametrize("kind", sorted(BAD_SESSIONS))
def test_bad_session_files_are_refused_in_one_line(tmp_path, kind):
    text, message = BAD_SESSIONS[kind]
    path = tmp_path / "s.json"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        read_session(str(path))
    assert message in str(err.value) and "\n" not in str(err.value)


def test_a_session_file_with_a_byte_order_mark_loads(tmp_path):
    path = tmp_path / "s.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(to_dict(Session(Options()))).encode())
    assert read_session(str(path)).model.name == "linear"


def test_a_saved_session_carries_small_data_and_absolute_paths(tmp_path, monkeypatch):
    data = tmp_path / "d.csv"
    data.write_text("x,y\n0,1\n1,3\n2,5\n")
    monkeypatch.chdir(tmp_path)
    doc = to_dict(Session(Options(data="d.csv")))
    assert doc["options"]["data"] == str(data) and doc["data"]["x"] == [0.0, 1.0, 2.0]
    data.unlink()
    saved = tmp_path / "s.json"
    saved.write_text(json.dumps(doc))
    monkeypatch.chdir("/")
    assert read_session(str(saved)).data.n == 3


def test_load_refuses_data_options_and_honours_training_ones(tmp_path, capsys):
    saved = tmp_path / "s.json"
    saved.write_text(json.dumps(to_dict(Session(Options()))))
    assert main(["fit", "--load", str(saved), "--init", "1", "2"]) == 2
    assert "--init cannot change them" in capsys.readouterr().err
    for option in (["--seed", "5"], ["--n", "7"], ["--hidden", "3"]):
        assert main(["fit", "--load", str(saved), *option]) == 2
        assert f"{option[0]} cannot change them" in capsys.readouterr().err
    main(["fit", "--load", str(saved), "--optimizer", "momentum", "--lr", "0.01", "--steps", "5", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert doc["optimizer"] == "momentum" and doc["lr"] == 0.01 and doc["steps"] == 5


# ----- 9. reads are bounded and never block ---------------------------------------------------------------
@pytest.mark.parametrize("kind", ["device", "link to a device", "fifo without a writer", "empty path"])
def test_special_files_are_refused_at_once(tmp_path, kind):
    path = {"device": "/dev/zero", "empty path": ""}.get(kind, str(tmp_path / "f.csv"))
    if kind == "link to a device":
        os.symlink("/dev/zero", path)
    if kind == "fifo without a writer":
        os.mkfifo(path)
    with pytest.raises(DataError) as err:
        load_csv(path)
    assert "not a regular file" in str(err.value) or "empty file" in str(err.value) or "no such file" in str(err.value)


def test_a_theme_linked_to_dev_zero_is_skipped(tmp_path):
    from fitplay.tui.themes import load_themes

    os.symlink("/dev/zero", tmp_path / "zero.toml")
    _, errors = load_themes(tmp_path)
    assert any("zero.toml" in e and "not a regular file" in e for e in errors)


def test_underscores_and_carriage_returns(tmp_path):
    path = tmp_path / "u.csv"
    path.write_text("x,y\n1_0,2\n3,4\n")
    with pytest.raises(DataError, match="'1_0' is not a number"):
        load_csv(str(path))
    path.write_bytes(b"x,y\r1,2\r3,4.5\r")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_csv(str(path)).n == 2


def test_one_column_for_both_axes_is_refused(tmp_path):
    path = tmp_path / "two.csv"
    path.write_text("a,b\n1,2\n3,4\n")
    with pytest.raises(DataError, match="both be column 1"):
        load_csv(str(path), x_col="1")


def test_a_network_too_big_for_memory_is_refused():
    with pytest.raises(InputError, match="GB for one step"):
        Session(Options(model="mlp", hidden=256, n=1_000_000))


# ----- 10. histories stay bounded --------------------------------------------------------------------------
def test_a_long_run_keeps_a_bounded_history():
    s = Session(Options(lr=1e-7, steps=60_000))
    s.run()
    assert s.step_count == 60_000
    assert s.history.steps.size <= s.history.limit and s.history.path.shape[0] == s.history.steps.size
    assert s.history.steps[-1] >= 59_000 and np.all(np.diff(s.history.steps) > 0)


# ----- 7, 11 and 13. streams, options and exit statuses ---------------------------------------------------
def _wait_until_loaded(process: subprocess.Popen, library: str) -> None:
    """Wait until `library`'s compiled code is mapped into the process: a stage of its start seen from outside,
    whatever the machine's load (a fixed delay could land before Python had even run fitplay's first line)."""
    maps = Path(f"/proc/{process.pid}/maps")
    deadline = time.monotonic() + 60
    while f"site-packages/{library}/" not in maps.read_text():
        assert process.poll() is None and time.monotonic() < deadline, f"{library} was never loaded"
        time.sleep(0.001)


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs Linux's /proc to see the start's stages")
@pytest.mark.parametrize("command, library", [(["fit", "--json"], "numpy"), (["fit", "--json"], "ml_dtypes"),
                                              (["demo", "--plain"], "jaxlib"), (["lesson", "--plain"], "jaxlib")])
def test_ctrl_c_while_starting_is_quiet(command, library, tmp_path):
    """ctrl+c while numpy loads (a KeyboardInterrupt inside its compiled module's start came out as numpy's
    "Error importing numpy" and status 1), then while JAX does (whose callbacks swallowed a KeyboardInterrupt: the
    demo went on and exited 0): status 130, no traceback."""
    process = subprocess.Popen([sys.executable, "-m", "fitplay", *command], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, env={**os.environ, "XDG_STATE_HOME": str(tmp_path)})
    _wait_until_loaded(process, library)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130 and "Traceback" not in err and "Exception ignored" not in err, err


def test_a_full_disk_on_stdout_is_one_line_and_status_1():
    with open("/dev/full", "w") as full:
        r = subprocess.run([sys.executable, "-m", "fitplay", "fit", "--steps", "3", "--json"], stdout=full,
                           stderr=subprocess.PIPE, text=True, timeout=120)
    assert r.returncode == 1 and "No space left on device" in r.stderr and "Traceback" not in r.stderr


def test_a_closed_pipe_is_one_line_and_status_141():
    proc = subprocess.Popen([sys.executable, "-m", "fitplay", "demo", "--plain", "--frames", "200"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(60) == 141 and "broken pipe" in err and "Traceback" not in err


def test_a_huge_column_option_is_cut_in_its_error(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x,y\n1,2\n3,4\n")
    r = cli("fit", "--x", "c" * 100_000, str(path))
    assert r.returncode == 2 and len(r.stderr) < 300 and f"--x '{'c' * 40}…' is not a column" in r.stderr


def test_record_with_plain_frames_is_refused(tmp_path):
    r = cli("demo", "--plain", "--record", str(tmp_path / "shots"))
    assert r.returncode == 2 and "--record takes screenshots of the terminal demo" in r.stderr


@pytest.mark.parametrize("args, message", [
    (["--fps", "100000"], "outside 1..120"),
    (["demo", "--speed", "1.7e308"], "outside 0.05..100"),
    (["fit", "--lr", "1e-300"], "outside 1e-20..10000"),
    (["fit", "--bogus"], "unrecognized arguments"),
    (["bench", "--sessions", "99999"], "outside 1..64"),
    (["serve", "--host", ""], "an address is needed"),
])
def test_bad_options_are_one_line_pointing_to_help(args, message):
    r = cli(*args)
    assert r.returncode == 2 and message in r.stderr and "--help" in r.stderr
    assert r.stderr.count("\n") == 1


def test_demo_record_into_a_file_is_refused(tmp_path):
    target = tmp_path / "file"
    target.write_text("")
    r = cli("demo", "--record", str(target))
    assert r.returncode == 2 and "not a folder" in r.stderr


def test_stdin_closed_for_fit_reading_stdin():
    r = subprocess.run(["bash", "-c", f"exec {sys.executable} -m fitplay fit - <&-"], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 2 and "standard input is closed" in r.stderr


# ----- 12. saving writes every file or none --------------------------------------------------------------
def test_saving_is_all_or_nothing(tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "a.svg"
    os.symlink(tmp_path / "nowhere", second)  # a dangling link holds the second name
    with pytest.raises(FileExistsError):
        write_all_new([(first, "{}"), (second, "<svg/>")])
    assert not first.exists() and not list(tmp_path.glob(".*tmp"))


async def test_screenshots_go_beside_the_sessions(tmp_path):
    folder = tmp_path / "q[" / "b]"  # the path holds [/b]: shown literally (read as markup, it crashed)
    folder.mkdir(parents=True)
    app = new_app(folder)
    async with app.run_test(size=(100, 30)) as pilot:
        app.deliver_screenshot()
        await pilot.pause()
        saved = list(folder.glob("*.svg"))
        assert len(saved) == 1
        assert [n.message for n in app._notifications] == [f"saved screenshot {saved[0]}"]


# ----- property tests: random JSON into session loading, random text everywhere text is shown -------------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20)
session_like = st.fixed_dictionaries(
    {"fitplay_session": st.just(1)},
    optional={"options": st.dictionaries(st.sampled_from(["model", "data", "seed", "n", "noise", "init", "lr",
                                                          "steps", "hidden", "scale", "x_col"]), json_values),
              "model": json_values | st.sampled_from(["linear", "logistic", "mlp", "/x.py"]),
              "optimizer": json_values | st.sampled_from(["gd", "adam"]), "lr": json_values,
              "params": json_values | st.fixed_dictionaries({"w": json_values, "b": json_values}),
              "start": json_values, "step_size": json_values, "steps_per_frame": json_values,
              "step_count": json_values, "data": json_values})


@settings(max_examples=250, deadline=None)
@given(st.one_of(json_values, session_like))
def test_random_json_is_a_session_or_one_line_of_error(doc):
    from fitplay.core.persist import from_dict

    try:
        session = from_dict(doc, "r.json")
    except InputError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("r.json")
        return
    assert np.isfinite(session.loss)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_random_text_prints_as_one_safe_line(text):
    shown = printable(text)
    assert "\n" not in shown and "\x1b" not in shown and all(c.isprintable() for c in shown)
    s = Session(Options())
    s.set_param(0, text)  # refused unless a finite number: never raises
    assert "\x1b" not in printable(s.message)


def test_a_switch_that_fails_changes_nothing(tmp_path):
    s = Session(Options())
    s.nudge(0, 3)
    before = (s.model.name, s.data, dict(s.params), s.options, s.lr)
    wide = tmp_path / "wide.csv"
    wide.write_text("x,y\n" + "\n".join(f"{i * 1e-250},{i * 1e90 + i * i}" for i in range(1, 5)) + "\n")
    with pytest.raises(InputError):
        s.load_data(str(wide))
    assert (s.model.name, s.data, dict(s.params), s.options, s.lr) == before


# ----- the second adversarial pass -------------------------------------------------------------------------
def test_names_that_reach_the_screen_are_checked(tmp_path, monkeypatch):
    from fitplay.core.models import ModelError, load_model
    from fitplay.tui.keys import load_keymap

    model = tmp_path / "pname.py"
    model.write_text('start = {"\\x1b]0;PNAME\\x07": 0.0, "b": 0.0}\ndef predict(p, x):\n    return x\n')
    with pytest.raises(ModelError, match="plain names"):
        load_model(str(model))
    keys = tmp_path / "keys.toml"
    for value in ("[/]", "\\u001b]0;KEYPWN\\u0007"):
        keys.write_text(f'reset = "{value}"\n')
        keymap, errors = load_keymap(keys)
        assert keymap == {} and "reset cannot take" in errors[0] and "\x1b" not in errors[0]


def test_starts_the_trainer_cannot_sum_are_refused():
    with pytest.raises(InputError, match="overflows"):
        Session(Options(init=(1e153, 0.0)))
    s = Session(Options())
    assert not s.set_param(0, "1e153") and "overflow" in s.message


def test_init_sets_the_hand_parameters_of_a_bigger_model():
    model = str(Path(__file__).parent.parent / "examples" / "models" / "quadratic.py")
    s = Session(Options(model=model, init=(1.0, 2.0)))
    assert (float(s.params["a"]), float(s.params["b"]), float(s.params["c"])) == (0.0, 1.0, 2.0)


def test_the_landscape_draws_far_from_zero():
    s = Session(Options(model="logistic", noise=0.0, init=(1e17, 0.0)))
    grid = LandscapeChart().render(s, 120, 40)
    assert len(grid.lines()) == 40


def test_a_session_with_an_unknown_optimizer_is_refused():
    from fitplay.core.persist import from_dict

    with pytest.raises(SessionError, match="options.optimizer must be one of"):
        from_dict({**GOOD, "options": {"optimizer": "sgd"}}, "s.json")


async def test_the_palette_refuses_stdin(tmp_path):
    app = new_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        app.load_data("-")
        await finish_workers(app, pilot)
        assert any("standard input is the keyboard" in n.message for n in app._notifications)


def test_help_to_a_full_disk_is_status_1():
    with open("/dev/full", "w") as full:
        r = subprocess.run([sys.executable, "-m", "fitplay", "--help"], stdout=full, stderr=subprocess.PIPE,
                           text=True, timeout=60)
    assert r.returncode == 1 and "No space left" in r.stderr


def test_odd_line_breaks_never_lose_a_row(tmp_path):
    plain = tmp_path / "plain.csv"
    plain.write_text("x,y\n1,2\n2,3\n5,100\n")
    for prefix in (b"\r\r\n", b"\x0b\n", "\u2028".encode() + b"\n"):
        odd = tmp_path / "odd.csv"
        odd.write_bytes(prefix + plain.read_bytes())
        assert load_csv(str(odd)).n == 3


def test_saved_files_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        write_all_new([(tmp_path / "a.json", "{}"), (tmp_path / "a.svg", "<svg/>")])
    finally:
        os.umask(old)
    assert [oct(p.stat().st_mode & 0o777) for p in sorted(tmp_path.iterdir())] == ["0o644", "0o644"]
