"""The cyclic garbage collector is held while fitplay starts: the playground, the lesson and the demo in a
terminal collect again from their app's first frame, every other command from its start."""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest

import fitplay.cli as cli
from fitplay.collector import YOUNG_THRESHOLD, collect_from_now
from fitplay.tui.app import AppOptions, make_app

_STATE_WHEN_MAIN_BEGINS = """
import gc, sys
import fitplay.cli
fitplay.cli.main = lambda: print(gc.isenabled(), file=sys.stderr) or 0
from fitplay.__main__ import run
run()
"""


@pytest.fixture
def held():
    """Collections held, as `fitplay` holds them; afterwards this process collects as before."""
    threshold = gc.get_threshold()
    gc.disable()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)
    gc.enable()


def test_the_command_holds_collections_while_its_modules_load():
    r = subprocess.run([sys.executable, "-c", _STATE_WHEN_MAIN_BEGINS], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stderr.strip() == "False", r.stderr


def test_a_command_collects_from_its_start(held, capsys):
    assert cli.main(["themes"]) == 0
    assert gc.isenabled() and gc.get_freeze_count() > 0
    assert "(default)" in capsys.readouterr().out


def test_the_playground_leaves_collections_held_for_its_app(held, monkeypatch):
    seen = []
    monkeypatch.setattr(cli, "run_playground", lambda _args: seen.append(gc.isenabled()) or 0)
    assert cli.main([]) == 0
    assert seen == [False]


@pytest.mark.parametrize("argv, runner", [(["lesson", "--plain"], "fitplay.plain_lesson.run_plain_lesson"),
                                           (["demo", "--plain"], "fitplay.plain_demo.run_plain")])
def test_a_plain_lesson_or_demo_collects_from_its_start(held, monkeypatch, argv, runner):
    seen = []
    monkeypatch.setattr(runner, lambda *_args: seen.append(gc.isenabled()) or 0)
    assert cli.main(argv) == 0
    assert seen == [True]


@pytest.mark.parametrize("argv", [["lesson"], ["demo"]])
def test_the_lesson_and_the_demo_in_a_terminal_leave_collections_held_for_their_app(held, monkeypatch, argv):
    seen = []
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setattr(cli, "keyboard_terminal", lambda: None)
    monkeypatch.setattr(cli, "run_app", lambda app: seen.append((type(app).__name__, gc.isenabled())) or 0)
    assert cli.main(argv) == 0
    assert len(seen) == 1 and seen[0][1] is False, seen


async def test_the_app_collects_from_its_first_frame(held):
    app = make_app(AppOptions(warm_up=False))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert gc.isenabled() and gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD


def test_collecting_already_changes_nothing():
    frozen = gc.get_freeze_count()
    collect_from_now()
    assert gc.isenabled() and gc.get_freeze_count() == frozen
