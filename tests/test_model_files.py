"""A model is one file: the learner's own model through the CLI, the playground and the demo; clear errors for
broken model files; sessions that never import code by themselves; keys remapped by id."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import new_app, screen_text, settle

import fitplay.core.session as session_module
from fitplay.cli import main
from fitplay.core.models import ModelError, load_model
from fitplay.core.persist import SessionError, from_dict, to_dict
from fitplay.core.run import Status
from fitplay.core.session import Options, Session, fmt_number
from fitplay.errors import InputError
from fitplay.plain_demo import run_plain
from fitplay.tui.help import HelpScreen
from fitplay.tui.keys import is_key, load_keymap
from fitplay.tui.panel import Readout, StatusLine

EXAMPLES = Path(__file__).parent.parent / "examples"
QUADRATIC = str(EXAMPLES / "models" / "quadratic.py")
QUADRATIC_DATA = str(EXAMPLES / "data" / "quadratic.csv")


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fitplay", *args], capture_output=True, text=True, timeout=120)


def test_a_quadratic_model_file_reaches_polyfit():
    r = cli("fit", QUADRATIC_DATA, "--model", QUADRATIC, "--optimizer", "adam", "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    data = np.loadtxt(QUADRATIC_DATA, delimiter=",", skiprows=1)
    a, b, c = np.polyfit(data[:, 0], data[:, 1], 2)
    assert doc["model"] == "quadratic" and doc["status"] == "converged"
    assert (doc["params"]["a"], doc["params"]["b"], doc["params"]["c"]) == pytest.approx((a, b, c), rel=1e-4)


@pytest.mark.parametrize("name, data", [("sine", "sine"), ("saturating", "saturating"), ("huber_line", "huber_line"),
                                        ("huber_line", "quadratic")])
def test_example_models_using_jax_numpy_fit(name, data):
    s = Session(Options(model=str(EXAMPLES / "models" / f"{name}.py"), data=str(EXAMPLES / "data" / f"{data}.csv")))
    s.run()
    assert s.status == "converged", s.message
    assert s.loss < 0.5 * s.initial_loss


def test_the_quadratic_in_the_plain_demo_ends_with_a_b_c():
    out = io.StringIO()
    run_plain(Session(Options(model=QUADRATIC, data=QUADRATIC_DATA)), 4, out)
    last = out.getvalue().strip().splitlines()[-1]
    assert last.startswith("fitted: a = 0.78") and "b = -1.50" in last and "c = 2.06" in last
    assert "converged" in last


async def test_the_playground_runs_a_model_file(tmp_path):
    app = new_app(tmp_path, model=QUADRATIC, data=QUADRATIC_DATA)
    async with app.run_test(size=(120, 40)) as pilot:
        text = screen_text(app)
        assert "y = a·x² + b·x + c" in text
        assert "←→ b" not in text and "b  shift x10" in text and "c  " in text  # the hand keys name b and c
        before = dict(app.session.params)
        await pilot.press("up", "right")
        assert float(app.session.params["c"]) == pytest.approx(float(before["c"]) + 0.1)
        assert float(app.session.params["b"]) == pytest.approx(float(before["b"]) + 0.1)
        assert float(app.session.params["a"]) == float(before["a"])
        await pilot.press("o")
        await settle(app, pilot)
        assert app.session.status == "converged"
        assert "converged" in str(app.query_one(StatusLine).render())
        readout = str(app.query_one(Readout).render()).splitlines()  # a, which no key moves, is shown too
        assert f"a {fmt_number(float(app.session.params['a']))}" in readout and "b " in readout[-3]
        await pilot.press("m", "m")  # cross-entropy needs 0/1 targets: the logistic model is skipped, saying why
        assert app.session.model.name == "mlp"
        assert any("needs targets 0 or 1" in n.message for n in app._notifications)


async def test_m_cycles_the_built_in_models_and_the_users(tmp_path):
    app = new_app(tmp_path, model=QUADRATIC)  # no CSV: each model draws its own data
    async with app.run_test(size=(120, 40)) as pilot:
        names = [app.session.model.name]
        for _ in range(4):
            await pilot.press("m")
            names.append(app.session.model.name)
        assert names == ["quadratic", "linear", "logistic", "mlp", "quadratic"]


BROKEN = {
    "syntax": ("start = {'a': 1.0}\ndef predict(params, x)\n    return x\n", "line 2: syntax error"),
    "no predict": ("start = {'a': 1.0}\n", "no predict(params, x) function"),
    "no start": ("def predict(params, x):\n    return x\n", "no start dict"),
    "bad start": ("start = [1, 2]\ndef predict(params, x):\n    return x\n", "start must be a dict"),
    "raises": ("start = {'a': 1.0}\ndef predict(params, x):\n    return params['a'] / 0 + undefined\n",
               "line 3: predict raised NameError"),
    "shape": ("start = {'a': 1.0}\ndef predict(params, x):\n    return params['a']\n", "predict gave shape ()"),
    "import fails": ("import not_a_module_here\n", "line 1: ModuleNotFoundError"),
    "exits 0": ('"""y"""\nraise SystemExit(0)\n', "line 2: SystemExit: 0"),
    "long name": ("start = {'a' * 17: 1.0}\ndef predict(p, x):\n    return x\n", "of at most 16 characters"),
    "BaseException": ("class B(BaseException):\n    pass\nraise B('boom')\n", "line 3: B: boom"),
    "predict exits": ("start = {'a': 1.0}\ndef predict(params, x):\n    exit(0)\n",
                      "predict called exit(0)"),
    "complex": ("start = {'a': 1.0}\ndef predict(p, x):\n    return p['a'] * x * (1 + 1j)\n",
                "predict gave complex numbers: it must give real ones"),
    "loss per point": ("start = {'a': 1.0}\ndef predict(p, x):\n    return p['a'] * x\ndef loss(pred, y):\n"
                       "    return (pred - y) ** 2\n", "loss(pred, y) gave shape (5,): it must give one number"),
    "loss raises": ("start = {'a': 1.0}\ndef predict(p, x):\n    return p['a'] * x\ndef loss(pred, y):\n"
                    "    return pred.nope\n", "line 5: loss raised AttributeError"),
    "bad hand": ("start = {'a': 1.0, 'b': 2.0}\nhand = ('a', 'z')\ndef predict(p, x):\n    return p['a'] * x\n",
                 "hand must name two different scalar parameters"),
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_a_broken_model_file_is_named_with_its_line(tmp_path, kind):
    text, message = BROKEN[kind]
    path = tmp_path / "mine.py"
    path.write_text(text)
    with pytest.raises(ModelError) as err:
        load_model(str(path))
    assert str(err.value).startswith(str(path)) and message in str(err.value), str(err.value)


def test_a_broken_model_file_exits_2_in_one_line(tmp_path):
    path = tmp_path / "mine.py"
    path.write_text(BROKEN["raises"][0])
    r = cli("fit", "--model", str(path))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines() == [f"fitplay: {path}: line 3: predict raised NameError: name 'undefined' "
                                             "is not defined"]


def test_a_model_that_jax_cannot_trace_is_named(tmp_path):
    path = tmp_path / "numpyish.py"
    path.write_text("import numpy as np\nstart = {'a': 1.0, 'b': 0.0}\n"
                    "def predict(params, x):\n    return np.asarray(params['a']) * np.sin(x) + params['b']\n")
    r = cli("fit", QUADRATIC_DATA, "--model", str(path), "--steps", "10")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert str(path) in r.stderr and "does not run under JAX" in r.stderr


def test_a_session_never_imports_a_model_file_by_itself(tmp_path):
    s = Session(Options(model=QUADRATIC, data=QUADRATIC_DATA))
    s.nudge(0, 3)
    doc = json.loads(json.dumps(to_dict(s)))
    assert doc["model"] == QUADRATIC
    with pytest.raises(SessionError, match="pass --model .*quadratic.py"):
        from_dict(doc, "s.json")
    back = from_dict(doc, "s.json", model=QUADRATIC)
    assert back.params_text() == s.params_text() and back.model.name == "quadratic"


def keys_file(tmp_path: Path, monkeypatch, text: str) -> None:
    """A keys.toml in a fresh config folder."""
    config = tmp_path / "config"
    (config / "fitplay").mkdir(parents=True)
    (config / "fitplay" / "keys.toml").write_text(text)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))


async def test_keys_toml_remaps_optimize_everywhere(tmp_path, monkeypatch):
    keys_file(tmp_path, monkeypatch, 'optimize = "g"\n')
    app = new_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        footer = next(line for line in screen_text(app).splitlines() if "quit" in line)
        assert "g optimize" in footer and "o optimize" not in footer
        await pilot.press("o")
        assert app.session.status == "idle"
        await pilot.press("g")
        assert app.session.status == "running"
        await pilot.press("g", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        rows = [line for line in screen_text(app).splitlines() if "optimize: start" in line]
        assert len(rows) == 1 and re.search(r"│g +optimize: start", rows[0]), rows


@pytest.mark.parametrize("text, message", [('launch = "g"\n', "keys.toml: unknown key id 'launch'"),
                                           ('optimize = "shift+o"\n', "keys.toml: optimize cannot take 'shift+o'")])
async def test_a_bad_keys_toml_is_named_and_skipped(tmp_path, monkeypatch, text, message):
    keys_file(tmp_path, monkeypatch, text)
    app = new_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert any(message in n.message for n in app._notifications)
        assert "o optimize" in next(line for line in screen_text(app).splitlines() if "quit" in line)
        await pilot.press("o")
        assert app.session.status == "running"


NOT_A_KEY = "it is not a key name (such as \"g\", \"O\", \"question_mark\", \"pageup\", \"f5\" or \"ctrl+g\")"


@pytest.mark.parametrize("text, message", [
    ('optimize = "foo"', f"optimize cannot take 'foo': {NOT_A_KEY}"),
    ('quit = "xyzzy"', f"quit cannot take 'xyzzy': {NOT_A_KEY}"),
    ('help = "Up"', "help cannot take 'Up': Textual names that key 'up'"),
    ('optimize = "shift+o"', "optimize cannot take 'shift+o': Textual names that key 'O'"),
    ('reset = "g,?"', "reset cannot take '?': Textual names that key 'question_mark'"),
    ('pause = "shift+ctrl+up"', "pause cannot take 'shift+ctrl+up': Textual names that key 'ctrl+shift+up'"),
    ('save = "Ctrl+G"', "save cannot take 'Ctrl+G': Textual names that key 'ctrl+g'"),
    ('save = "+"', "save cannot take '+': Textual names that key 'plus'"),
    ('step = "g,"', f"step cannot take '': {NOT_A_KEY}"),
    ('quit = 5', 'quit cannot take 5: key names are a string such as "g" or "ctrl+g,f5"'),
])
def test_a_keys_toml_value_textual_never_sends_is_named_and_skipped(tmp_path, text, message):
    path = tmp_path / "keys.toml"
    path.write_text(f"next_view = \"g\"\n{text}\n")
    assert load_keymap(path) == ({}, [f"skipped keys: {path}: {message}"])


@pytest.mark.parametrize("keys", ["g", "O", "f5", "ctrl+g", "alt+shift+g", "ctrl+shift+up", "shift+f5", "g,f5",
                                  "super+g", "meta+g", "hyper+g", "add", "f25"])
def test_a_keys_toml_value_of_key_names_is_taken(tmp_path, keys):
    path = tmp_path / "keys.toml"
    path.write_text(f'optimize = "{keys}"\nnext_step = "pageup"\nprev_step = "question_mark"\nhelp = "f1"\n')
    keymap = {"optimize": keys, "next_step": "pageup", "prev_step": "question_mark", "help": "f1"}
    assert load_keymap(path) == (keymap, [])


def test_every_key_textuals_parser_sends_is_a_key_name():
    """What the parser makes of printable characters, alone or after ESC (alt), and of CSI sequences with shift,
    alt, ctrl, super, hyper and meta (xterm's and the kitty protocol's, its keypad and media keys too): a keymap
    may take all of them, and shift+o is not one."""
    from textual._keyboard_protocol import FUNCTIONAL_KEYS
    from textual._xterm_parser import XTermParser

    parser = XTermParser()
    printable = [chr(code) for code in range(33, 127)]
    sent = {event.key for c in printable for alt in (False, True) for event in parser._sequence_to_key_events(c, alt)}
    # A key's code is its unshifted character (o for O), and shift alone sends the shifted text (O).
    sequences = [f"\x1b[{ord(c)};{modifier}u" for c in printable if not c.isupper() for modifier in range(3, 65)]
    sequences += [f"\x1b[{code};{modifier}{end}" for code, end in (("1", "A"), ("1", "H"), ("5", "~"), ("15", "~"))
                  for modifier in range(2, 65)]
    sequences += [f"\x1b[{code[:-1]};{modifier}{code[-1]}" for code in FUNCTIONAL_KEYS for modifier in (1, 2, 5, 9)]
    sent |= {event.key for sequence in sequences for event in parser._parse_extended_key(sequence)}
    assert {"O", "question_mark", "alt+shift+o", "ctrl+shift+o", "alt+ctrl+shift+pageup", "super+g", "meta+g",
            "add", "ctrl+add"} <= sent
    assert "shift+o" not in sent and [key for key in sent if not is_key(key)] == []


@pytest.mark.parametrize("text, message", [('raise = "q"\n', "'q' is bound twice, to raise and to quit"),
                                           ('optimize = "ctrl+p"\n', "optimize cannot take 'ctrl+p'"),
                                           ('optimize = "left_square_bracket"\n', "to step_smaller and to optimize")])
async def test_a_keys_toml_that_binds_a_key_twice_is_named_and_skipped(tmp_path, monkeypatch, text, message):
    keys_file(tmp_path, monkeypatch, text)
    app = new_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert any(message in n.message for n in app._notifications)
        await pilot.press("up")
        assert float(app.session.params["b"]) == pytest.approx(3.1)  # the defaults are in force


async def test_help_closes_with_the_help_key_in_force(tmp_path, monkeypatch):
    keys_file(tmp_path, monkeypatch, 'help = "slash"\nquit = "x"\n')
    app = new_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash")
        assert isinstance(app.screen, HelpScreen)
        assert "(escape, / or x closes)" in screen_text(app)
        await pilot.press("q")  # q is not a key of this keymap: the help stays
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("slash")
        assert not isinstance(app.screen, HelpScreen)


async def test_help_lists_a_remapped_ten_step_key_on_its_own_row(tmp_path, monkeypatch):
    """The four 10-step moves share a row while each is shift+arrow and a letter; remapped, they cannot (the help
    screen crashed on an index out of range)."""
    keys_file(tmp_path, monkeypatch, 'raise_10x = "ctrl+k"\n')
    app = new_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "^k" in text or "ctrl+k" in text
        assert "shift+↓→←, J L H" not in text and "shift+→" in text and "10 x step" in text


async def test_long_parameter_names_and_formulas_fit_the_panel(tmp_path):
    path = tmp_path / "named.py"
    path.write_text('"""y = slope·x + intercept' + " and more" * 40 + '"""\n'
                    'start = {"slope": 0.0, "intercept": 0.0}\n'
                    'def predict(p, x):\n    return p["slope"] * x + p["intercept"]\n')
    app = new_app(tmp_path, model=str(path), data=QUADRATIC_DATA)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert re.search(r"slope\s*0\.0000", text) and re.search(r"intercept\s*0\.0000", text)  # not "sl0.0000"
        assert "named  y = slope·x + interce…" in text and "and more" not in text  # one line, cut with …
        assert len(app.session.model.formula) == 80 and app.session.model.formula.endswith("…")


def test_a_model_predicting_nan_is_named_as_such(tmp_path):
    path = tmp_path / "nan.py"
    path.write_text('"""y = nan"""\nimport jax.numpy as jnp\nstart = {"a": 0.0, "b": 0.0}\n'
                    'def predict(p, x):\n    return p["a"] * x + jnp.nan\n')
    with pytest.raises(InputError, match="the MSE is not a number at a = 0, b = 0"):
        Session(Options(model=str(path), data=QUADRATIC_DATA))


def test_a_model_that_exits_only_on_the_real_data_fails_in_one_line(tmp_path):
    path = tmp_path / "later.py"
    path.write_text('"""y = a·x + b"""\nimport sys\nstart = {"a": 0.0, "b": 0.0}\ndef predict(p, x):\n'
                    '    if x.shape[0] != 5:\n        sys.exit(0)\n    return p["a"] * x + p["b"]\n')
    r = cli("fit", "--model", str(path), QUADRATIC_DATA)
    assert r.returncode == 2 and r.stderr.strip().splitlines() == [f"fitplay: {path}: predict called exit(0)"]


async def test_a_keys_toml_with_a_huge_integer_is_named_and_skipped(tmp_path, monkeypatch):
    keys_file(tmp_path, monkeypatch, "optimize = " + "9" * 5000 + "\n")
    app = new_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert any("keys.toml: not a usable TOML value" in n.message for n in app._notifications)


@pytest.mark.parametrize("load", [False, True])
def test_scale_standard_for_a_model_file_is_refused_not_ignored(tmp_path, capsys, load):
    args = ["fit", QUADRATIC_DATA, "--model", QUADRATIC]
    if load:
        saved = tmp_path / "s.json"
        saved.write_text(json.dumps(to_dict(Session(Options(data=QUADRATIC_DATA, model=QUADRATIC)))))
        args = ["fit", "--load", str(saved), "--model", QUADRATIC]
    assert main([*args, "--scale", "standard"]) == 2
    assert "--scale standard: the quadratic model trains on x as it is" in capsys.readouterr().err
    assert main([*args, "--scale", "none", "--steps", "0"]) == 0


@pytest.mark.parametrize("x_size, tip", [(1e6, True), (1e-3, True), (3.0, False)])
def test_a_model_file_that_fails_on_badly_sized_x_says_to_rescale_it(tmp_path, x_size, tip):
    x = np.linspace(0.5, 4.0, 8) * x_size / 4.0
    data = tmp_path / "d.csv"
    np.savetxt(data, np.stack([x, 1.0 + x / x_size + (x / x_size) ** 2], axis=1), delimiter=",", header="x,y",
               comments="")
    session = Session(Options(data=str(data), model=QUADRATIC, steps=50))
    session.run()
    assert session.status in (Status.DIVERGED, Status.BUDGET)
    expected = f"rescale x in the data toward 1 (|x| reaches {x_size:.3g}; this model trains on x as it is)"
    assert (expected in session.verdict()) == tip


def test_what_a_model_prints_goes_to_stderr_escaped_and_fit_json_stays_one_object(tmp_path, capsys):
    path = tmp_path / "printer.py"
    path.write_text('"""y = a·x + b"""\nprint("\\x1b[2J loaded")\nstart = {"a": 0.0, "b": 0.0}\n'
                    'def predict(p, x):\n    print("traced")\n    return p["a"] * x + p["b"]\n')
    assert main(["fit", QUADRATIC_DATA, "--model", str(path), "--json", "--steps", "5"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["model"] == "printer"
    assert "\\x1b[2J loaded\n" in err and "traced\n" in err and "\x1b" not in err


@pytest.mark.parametrize("body, message", [
    ("return [1, 2], [3]", r"simulate\(n=100, \.\.\.\) gave x of shape \(2,\) and y of shape \(1,\): it must give n"),
    ("return np.linspace(0, 1, n), np.full(n, np.nan)", "simulate gave y = nan at row 1: every value must be a finite"),
    ("return None", r"simulate\(n, seed, noise\) must return \(x, y\), two lists of numbers"),
])
def test_a_simulate_that_gives_unusable_data_is_named(tmp_path, body, message):
    path = tmp_path / "sim.py"
    path.write_text('"""y = w·x + b"""\nimport numpy as np\nstart = {"w": 0.0, "b": 0.0}\n'
                    f'def predict(p, x):\n    return p["w"] * x + p["b"]\ndef simulate(n, seed, noise):\n    {body}\n')
    with pytest.raises(InputError, match=f"^{re.escape(str(path))}: {message}"):
        Session(Options(model=str(path)))


@pytest.mark.parametrize("predict, start, why", [
    ('(p["w"] * x + p["b"]).astype(jnp.int32)', '{"w": 0.0, "b": 0.0}', "not a minimum (a plateau"),
    ('p["w"] * p["b"] * x', '{"w": 0.0, "b": 0.0}', "stays the same as any one parameter moves"),
    ('p["w"] ** 3 * x + p["b"]', '{"w": 0.0, "b": 1.0}', "the loss is lower with w at"),
])
def test_a_zero_gradient_away_from_a_minimum_is_not_converged(tmp_path, predict, start, why):
    """An integer output has a gradient of 0 everywhere; w³ has one at w = 0 (a saddle along w, b at its best), and
    w·b at w = b = 0 (a saddle where each parameter alone changes nothing)."""
    data = tmp_path / "d.csv"
    data.write_text("x,y\n1,1\n2,3\n3,2\n4,6\n")
    path = tmp_path / "flat.py"
    path.write_text(f'"""y = f(w, b, x)"""\nimport jax.numpy as jnp\nstart = {start}\noptimizer = "adam"\n'
                    f'def predict(p, x):\n    return {predict}\n')
    session = Session(Options(data=str(data), model=str(path), scale="none"))
    if "** 3" in predict:
        session.params = {"w": np.float64(0.0), "b": np.float64(3.0)}  # y's mean: the gradient is 0
    session.run()
    assert session.status == Status.STALLED and why in session.message


@pytest.mark.parametrize("scale", [1e-4, 1.0, 1e4])
def test_a_model_files_hints_agree_with_its_verdict_in_any_units_of_y(tmp_path, scale):
    """No known curvature: it is probed. With y x 1e4 a converged run showed c ↑; with y x 1e-7 the start was ok."""
    data = np.loadtxt(QUADRATIC_DATA, delimiter=",", skiprows=1)
    path = tmp_path / "scaled.csv"
    np.savetxt(path, np.stack([data[:, 0], data[:, 1] * scale], axis=1), delimiter=",", header="x,y", comments="")
    s = Session(Options(data=str(path), model=QUADRATIC, lr=0.05 * scale, steps=50_000))
    assert s.hand_moves(s.gradient()) == {"b": -1, "c": 1}
    s.run()
    assert s.status == Status.CONVERGED and s.hand_moves(s.gradient()) == {"b": 0, "c": 0}
    best = dict(s.params)
    for sign in (1, -1):
        s.params = {**best, "c": best["c"] + sign * 0.1 * scale}
        assert s.hand_moves(s.gradient())["c"] == -sign


def test_a_model_file_is_converged_only_near_the_minimum_along_each_parameter(tmp_path):
    """y = 1e6·x: the gradient test, in units of y's variance, passed with w 500 from the least-squares slope and
    the loss 80,000 x the least. The minimum along each parameter is now probed, and the run goes on."""
    x = np.linspace(-1.0, 1.0, 101)
    y = 1e6 * x + np.random.default_rng(3).normal(0.0, 1.0, x.size)
    data, model = tmp_path / "steep.csv", tmp_path / "line.py"
    np.savetxt(data, np.stack([x, y], axis=1), delimiter=",", header="x,y", comments="")
    model.write_text('"""y = w·x + b"""\nstart = {"w": 0.0, "b": 0.0}\n'
                     'def predict(p, x):\n    return p["w"] * x + p["b"]\n')
    s = Session(Options(data=str(data), model=str(model), steps=200_000))
    s.run()
    w, b = np.polyfit(x, y, 1)
    least = float(np.mean((y - w * x - b) ** 2))
    assert s.status == Status.CONVERGED, s.message
    assert float(s.params["w"]) == pytest.approx(w, rel=1e-7) and s.loss <= 1.001 * least


def test_a_model_files_hints_on_data_too_large_to_probe_still_agree_with_its_verdict(monkeypatch):
    """Past PROBE_MOST points a key does not probe the curvature: a hint is ok only where the gradient test passes."""
    monkeypatch.setattr(session_module, "PROBE_MOST", 10)
    s = Session(Options(data=QUADRATIC_DATA, model=QUADRATIC))
    assert s.hand_moves(s.gradient()) == {"b": -1, "c": 1}
    s.run()
    assert s.status == Status.CONVERGED and s.hand_moves(s.gradient()) == {"b": 0, "c": 0}
