"""Hunting for failures: random CSVs and typed values, random keys with resizes, faults, save/load."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import chunk_taken, finish_workers, new_app
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fitplay.bench import FITPLAY, Terminal, idle, start
from fitplay.core.data import DataError, load_csv
from fitplay.core.session import Options, Session

FUZZ_KEYS = ["up", "down", "left", "right", "k", "j", "h", "l", "K", "J", "H", "L", "shift+up", "shift+down",
             "shift+left", "shift+right", "left_square_bracket", "right_square_bracket", "o", "space", "full_stop",
             "plus", "minus", "greater_than_sign", "less_than_sign", "r", "n", "m", "p", "v", "t", "e",
             "question_mark", "escape", "tab", "enter", "1", "x", "s"]
SIZES = [(120, 40), (80, 24), (30, 8), (61, 21), (200, 60), (12, 4), (90, 30)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_any_bytes_load_or_fail_cleanly(tmp_path, raw):
    path = tmp_path / "f.csv"
    path.write_bytes(raw)
    try:
        d = load_csv(str(path))
    except DataError as exc:
        assert str(exc).startswith(str(path)) and "\n" not in str(exc)
        return
    assert d.n >= 2 and np.all(np.isfinite(d.x)) and np.all(np.isfinite(d.y))


# values the loader accepts: 0, or 1e-300 to 1e12 in size (nearer 0 is refused: see test_data's "subnormal")
finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12).filter(
    lambda v: v == 0 or abs(v) >= 1e-300)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(finite, finite), min_size=2, max_size=40), st.booleans())
def test_numeric_tables_round_trip(tmp_path, rows, header):
    path = tmp_path / "t.csv"
    path.write_text(("x,y\n" if header else "") + "".join(f"{a!r},{b!r}\n" for a, b in rows))
    d = load_csv(str(path))
    np.testing.assert_array_equal(d.x, [a for a, _ in rows])
    np.testing.assert_array_equal(d.y, [b for _, b in rows])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_typed_values_never_break_the_state(text):
    s = Session(Options())
    before = float(s.params["b"])
    ok = s.set_param(1, text)
    assert np.isfinite(float(s.params["b"])) and np.isfinite(s.loss)
    if ok:
        assert float(s.params["b"]) == float(text.strip())
    else:
        assert float(s.params["b"]) == before and s.message


def state_is_sound(app) -> None:
    s = app.session
    assert app.is_running
    assert all(np.all(np.isfinite(v)) for v in s.params.values())
    assert np.isfinite(s.loss)
    assert np.isfinite(s.lr) and s.lr > 0


@pytest.mark.slow
@pytest.mark.parametrize("model", ["linear", "logistic", "mlp"])
async def test_random_keys_and_resizes_keep_the_app_alive(model, tmp_path):
    rng = random.Random(f"fuzz-{model}")
    app = new_app(tmp_path, model=model)
    async with app.run_test(size=(120, 40)) as pilot:
        for i in range(700):
            if i % 50 == 0:
                await pilot.resize_terminal(*rng.choice(SIZES))
            await pilot.press(rng.choice(FUZZ_KEYS))
            if i % 7 == 0:
                app.advance_frame()
            if app.busy and i % 25 == 0:
                await chunk_taken(app, pilot)
            state_is_sound(app)
        await chunk_taken(app, pilot)
        state_is_sound(app)
        assert "nan" not in str(app.query_one("#readout").render()).lower()


async def test_s_twice_writes_two_sessions_and_fit_load_reports_them(tmp_path):
    app = new_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("right", "right", "up", "s", "s")
        saved = {k: float(v) for k, v in app.session.params.items()}
    sessions = sorted(tmp_path.glob("fitplay-*.json"))
    shots = sorted(tmp_path.glob("fitplay-*.svg"))
    assert len(sessions) == 2 and len(shots) == 2
    assert not list(tmp_path.glob(".*tmp"))
    r = subprocess.run([sys.executable, "-m", "fitplay", "fit", "--load", str(sessions[1]), "--steps", "0", "--json"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["params"] == saved


@pytest.mark.parametrize("content,message", [
    (None, "no such file"),
    ("{", "not valid JSON"),
    ('{"fitplay_session": 1}', "options"),
    ("[1, 2]", "not a fitplay session file"),
    (b"\xff\xfe", "not UTF-8 text"),
])
def test_bad_session_files_exit_2(tmp_path, content, message):
    path = tmp_path / "s.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    r = subprocess.run([sys.executable, "-m", "fitplay", "fit", "--load", str(path)], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 2
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


BAD_CSV = {"empty": b"", "header only": b"x,y\n", "one row": b"x,y\n1,2\n", "non-numeric": b"x,y\n1,2\n3,z\n",
           "nan": b"1,2\nnan,3\n", "inf": b"1,2\n3,inf\n", "columns": b"1,2\n3,4,5\n", "binary": b"\x00\x01\x02",
           "not utf-8": b"x,y\n1,\xe9\n", "huge": b"x,y\n1,2\n3,1e300\n"}


@pytest.mark.parametrize("kind", sorted(BAD_CSV) + ["missing", "directory"])
def test_every_bad_csv_kind_exits_2_without_traceback(tmp_path, kind):
    if kind == "missing":
        path = tmp_path / "nope.csv"
    elif kind == "directory":
        path = tmp_path
    else:
        path = tmp_path / "bad.csv"
        path.write_bytes(BAD_CSV[kind])
    r = subprocess.run([sys.executable, "-m", "fitplay", "fit", str(path)], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert 1 <= len(lines) <= 3 and str(path) in lines[0] and "Traceback" not in r.stderr


async def test_a_bad_csv_in_the_app_is_a_notification(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the good file is typed as a relative path: a key press each
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1,2\n3,q\n")
    app = new_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        before = app.session.data
        app.load_data(str(bad))
        await finish_workers(app, pilot)
        assert app.is_running and app.session.data is before
        assert any(n.message == f"{bad}: line 3: column y: 'q' is not a number" for n in app._notifications)
        good = tmp_path / "good.csv"
        good.write_text("a,b\n0,1\n1,3\n2,5\n")
        await pilot.press("ctrl+p")  # the command palette: type at once, no tab needed
        await pilot.press(*"open a csv", "enter")
        await pilot.press(*good.name, "enter")
        await finish_workers(app, pilot)
        assert app.session.data.n == 3 and app.session.csv_data is app.session.data
        home = tmp_path / "home"  # a path typed with ~ is one in the home folder, as in a shell
        home.mkdir()
        (home / "h.csv").write_text("x,y\n0,1\n1,2\n2,4\n3,5\n")
        monkeypatch.setenv("HOME", str(home))
        await pilot.press("ctrl+p")
        await pilot.press(*"open a csv", "enter")
        await pilot.press(*"~/h.csv", "enter")
        await finish_workers(app, pilot)
        assert app.session.data.n == 4 and app.session.data.source == str(home / "h.csv")


async def test_a_worker_failure_is_a_notification(monkeypatch):
    app = new_app()
    async with app.run_test(size=(100, 30)) as pilot:
        def broken(steps):
            def job():
                raise RuntimeError("device lost")
            return job
        monkeypatch.setattr(app.session, "chunk_job", broken)
        await pilot.press("o")
        app.advance_frame()
        for _ in range(200):  # the failure arrives as a worker state change
            await pilot.pause()
            if not app.busy:
                break
        assert app.is_running and not app.session.running
        assert any("device lost" in n.message for n in app._notifications)


async def test_ctrl_c_quits_at_once_mid_run():
    app = new_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("o")
        app.advance_frame()
        assert app.return_code is None
        await pilot.press("ctrl+c")
        assert app.return_code == 0


@pytest.mark.slow
def test_sighup_ends_the_process_without_a_traceback():
    term = Terminal([])
    try:
        assert term.read_until(b"MSE", 10.0) is not None
        term.proc.send_signal(signal.SIGHUP)
        status = term.wait(5.0)
        term.read(0.5)
        assert status == 128 + signal.SIGHUP
        assert b"Traceback" not in term.out
    finally:
        term.close()


@pytest.mark.slow
def test_a_terminal_that_hangs_up_without_a_sighup_ends_the_app():
    """An SSH connection that drops with no SIGHUP: the terminal's input ends. Textual's own driver read it
    again and again, a whole core for as long as the process lived; the app ends as on a hang-up."""
    term = Terminal([])
    try:
        assert term.read_until(b"MSE", 10.0) is not None
        os.close(term.fd)
        assert term.proc.wait(5.0) == 128 + signal.SIGHUP
    finally:
        if term.proc.poll() is None:
            term.proc.kill()
            term.proc.wait()


@pytest.mark.slow
def test_q_exits_0_in_a_real_terminal():
    term = Terminal([])
    try:
        assert term.read_until(b"MSE", 10.0) is not None
        term.send(b"o")
        term.read(0.5)
        term.send(b"q")
        assert term.wait(5.0) == 0
        assert b"Traceback" not in term.out
    finally:
        term.close()


@pytest.mark.slow
def test_an_idle_app_sleeps_and_a_lone_escape_is_still_a_key(tmp_path):
    """Textual's input thread woke ten times a second to look for the app's end and for a lone escape that had
    waited long enough; fitplay reads the terminal in its event loop, which sleeps until input comes, so it must
    still end on q and still take a lone escape as a key once the escape delay is up (it closes the help)."""
    term, _shown = start(FITPLAY, tmp_path)  # waited on until its start-up work is done
    try:
        wakeups, _cpu = idle(term, 2.0)
        assert wakeups <= 1.0, wakeups  # Textual's own driver: 10 a second
        term.send(b"?")
        assert term.read_until(b"fitplay keys", 5.0) is not None
        term.settle()
        mark = len(term.out)
        term.send(b"\x1b")
        assert term.wait_for(lambda: b"MSE" in term.out[mark:], 5.0) is not None  # the panel shows again
        term.send(b"q")
        assert term.wait(5.0) == 0
    finally:
        term.close()


@pytest.mark.slow
def test_q_while_jax_compiles_does_not_wait_for_it():
    """o right after the first frame starts JAX's import and compile in a worker; q must not wait for it
    (it took 2.2-2.8 s when the process joined the worker; now about 0.3 s)."""
    term = Terminal([])
    try:
        assert term.read_until(b"MSE", 15.0) is not None
        term.send(b"o")
        term.read(0.05)
        t0 = time.perf_counter()
        term.send(b"q")
        assert term.wait(10.0) == 0
        assert time.perf_counter() - t0 < 1.0
        assert b"Traceback" not in term.out
    finally:
        term.close()
