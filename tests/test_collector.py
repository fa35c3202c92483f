"""The cyclic garbage collector is held while fitplay starts: the playground collects again from its first
frame, every other command from its start."""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest

import fitplay.cli as cli
from fitplay.collector import collect_from_now
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
    gc.disable()
    yield
    gc.unfreeze()
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


async def test_the_app_collects_from_its_first_frame(held):
    app = make_app(AppOptions(warm_up=False))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert gc.isenabled() and gc.get_freeze_count() > 0


def test_collecting_already_changes_nothing():
    frozen = gc.get_freeze_count()
    collect_from_now()
    assert gc.isenabled() and gc.get_freeze_count() == frozen
