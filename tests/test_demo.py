"""The demo: plain frames for logs and pipes, and the scripted tour in the app."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys

import pytest
from conftest import screen_text

from fitplay.core.persist import to_dict
from fitplay.core.run import Status
from fitplay.core.session import Options, Session
from fitplay.plain_demo import run_plain
from fitplay.tui.app import AppOptions
from fitplay.tui.demo import DemoApp, DemoOptions, make_demo_app

ESC = "\x1b"


def test_plain_demo_frames_and_summary():
    out = io.StringIO()
    run_plain(Session(Options()), 8, out)
    text = out.getvalue()
    frames = re.findall(r"^--- frame \d+", text, flags=re.M)
    assert len(frames) == 8
    assert ESC not in text
    assert text.count("MSE") >= len(frames)
    last = text.strip().splitlines()[-1]
    m = re.match(r"fitted: w = (\S+), b = (\S+) \(MSE (\S+), converged", last)
    assert m, last
    assert float(m.group(1)) == pytest.approx(2.0, abs=0.05)
    assert float(m.group(2)) == pytest.approx(20.0, abs=0.2)


def test_plain_demo_of_the_network():
    out = io.StringIO()
    run_plain(Session(Options(model="mlp", steps=300)), 5, out)
    assert out.getvalue().strip().splitlines()[-1].startswith("fitted: 25 parameters")


@pytest.mark.slow  # a whole run end to end
def test_demo_piped_exits_0_with_frames_and_no_escapes():
    r = subprocess.run([sys.executable, "-m", "fitplay", "demo", "--frames", "10"], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert len(re.findall(r"^--- frame", r.stdout, flags=re.M)) == 10
    assert ESC not in r.stdout
    assert r.stdout.strip().splitlines()[-1].startswith("fitted: w = ")


@pytest.mark.slow  # a whole run end to end
async def test_the_tour_plays_to_the_end_and_converges(tmp_path):
    app = make_demo_app(AppOptions(fps=60.0, warm_up=False), demo=DemoOptions(speed=200.0, record=tmp_path))
    assert isinstance(app, DemoApp)
    async with app.run_test(size=(120, 40)) as pilot:
        worker = next(w for w in app.workers if w.group == "tour")
        await worker.wait()
        await pilot.pause()
        assert app.beats_done == 16
        assert app.statuses[6] == "converged"  # the linear gradient descent beat
        assert app.session.model.name == "linear" and app.session.status == "converged"
        assert "tour is over" in str(app.query_one("#caption").render())
    shots = sorted(tmp_path.glob("tour-*.svg"))
    assert len(shots) == 16 and shots[0].read_text().startswith("<svg")


async def test_any_key_pauses_the_tour_and_q_quits():
    app = make_demo_app(AppOptions(fps=1e-6, warm_up=False), demo=DemoOptions(speed=1.0))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("x")
        assert app.demo_paused
        assert "paused" in str(app.query_one("#caption").render())
        await pilot.press("up")
        assert not app.demo_paused
        await pilot.press("q")
    assert app.return_code == 0


async def test_a_run_paused_in_the_tour_says_paused():
    """Paused in the middle of an optimize beat, the status line said "running" until the tour went on."""
    app = make_demo_app(AppOptions(fps=1e-6, warm_up=False), demo=DemoOptions(speed=1.0))
    async with app.run_test(size=(120, 40)) as pilot:
        app.session.status = Status.RUNNING  # as an optimize beat leaves it
        app.refresh_all()
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert app.session.status == Status.PAUSED
        assert "● paused" in screen_text(app) and "● running" not in screen_text(app)
        await pilot.press("x")
        await pilot.pause()
        assert "● running" in screen_text(app)
        await pilot.press("q")


def test_the_plain_demo_does_not_load_textual():
    code = ("import sys, io, contextlib\nfrom fitplay.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n    main(['demo', '--plain', '--frames', '3'])\n"
            "print('textual' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.stdout.strip().splitlines()[-1] == "False"


@pytest.mark.slow  # a whole run end to end
def test_plain_demo_restores_a_saved_session(tmp_path):
    s = Session(Options())
    s.set_param(0, "1.5")
    s.set_param(1, "18")
    path = tmp_path / "s.json"
    path.write_text(json.dumps(to_dict(s)))
    r = subprocess.run([sys.executable, "-m", "fitplay", "demo", "--load", str(path), "--frames", "4"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    first = r.stdout.split("--- frame 2")[0]
    assert "w = 1.5000, b = 18.0000" in first


async def test_a_recording_that_fails_ends_the_demo_with_status_1(tmp_path):
    (tmp_path / "afile").write_text("")
    record = tmp_path / "afile" / "shots"  # its folder cannot be made: the first screenshot fails
    app = make_demo_app(AppOptions(fps=1e-6, warm_up=False), demo=DemoOptions(speed=200.0, record=record))
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(200):
            await pilot.pause()
            if app.recording_failed:
                break
        assert app.recording_failed.startswith(f"the recording stopped at {record}")
        await pilot.press("q")
    assert app.return_code == 1


async def test_tab_types_nothing_into_the_demo():
    app = make_demo_app(AppOptions(fps=1e-6, warm_up=False), demo=DemoOptions(speed=1.0))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("tab")
        assert app.focused is None and not app.editing
