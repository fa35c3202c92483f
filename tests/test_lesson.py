"""fitplay lesson: the step files (bundled and a teacher's), goals that tick when met and not before, the
progress saved and resumed, the keys, small terminals, the parabola and the plain transcript."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import screen_text, settle

from fitplay.cli import main
from fitplay.core.goals import Baseline, Goal
from fitplay.core.progress import load_progress
from fitplay.core.run import Status
from fitplay.core.session import Options, Session
from fitplay.errors import InputError
from fitplay.plain_lesson import run_plain_lesson
from fitplay.tui.app import AppOptions
from fitplay.tui.lesson import LessonOptions, make_lesson_app, open_lesson
from fitplay.tui.lesson_files import LessonError, load_steps, parse_step

TEACHER_STEP = """+++
step = 5
title = "The teacher's own step five"
goals = ["converge"]
[setup]
model = "logistic"
+++
Fit the logistic curve.
"""


def lesson_app(tmp_path: Path, step: int | None = None, user_dir: Path | None = None, keymap: Path | None = None):
    """The lesson app on its own state folder; no warm-up and no frame timer: tests step frames."""
    lesson = open_lesson(LessonOptions(step=step, user_dir=user_dir or tmp_path / "lessons",
                                       state_dir=tmp_path / "state"))
    return make_lesson_app(AppOptions(fps=1e-6, warm_up=False, save_dir=tmp_path, keymap=keymap), lesson)


def goal_marks(app) -> str:
    return str(app.query_one("#lesson-goals").render())


# ----- the step files ------------------------------------------------------------------------------
def test_the_nine_bundled_steps_load_in_order():
    steps, errors = load_steps(Path("/nonexistent"))
    assert errors == []
    assert [s.number for s in steps] == list(range(1, 10))
    assert steps[4].setup.model == "parabola" and [g.spec for g in steps[4].goals] == ["minimum 1e-4", "unstable"]
    assert all(s.body and s.title for s in steps)


@pytest.mark.parametrize("text, message", [
    ("no header\n", "starts with a header"),
    ("+++\nstep = 3\ntitle = 'x'\n", "no closing"),
    ("+++\nstep = 3\ntitle = \n+++\n", "not valid TOML"),
    ("+++\nstep = 3\ntitle = 'x'\ncolour = 1\n+++\n", "unknown header key 'colour'"),
    ("+++\ntitle = 'x'\n+++\n", "needs step"),
    ("+++\nstep = 0\ntitle = 'x'\n+++\n", "step must be"),
    ("+++\nstep = 3\ntitle = 'x'\ngoals = ['fly']\n+++\n", "unknown goal 'fly'"),
    ("+++\nstep = 3\ntitle = 'x'\ngoals = ['converge 3']\n+++\n", "takes no number"),
    ("+++\nstep = 3\ntitle = 'x'\n[setup]\nmodel = 'evil.py'\n+++\n", "not a file"),
    ("+++\nstep = 3\ntitle = 'x'\n[setup]\nmodel = 'nope'\n+++\n", "unknown model 'nope'"),
    ("+++\nstep = 3\ntitle = 'x'\n[setup]\nlr = -1\n+++\n", "lr must be"),
    ("+++\nstep = 3\ntitle = 'x'\n[setup]\nview = 'map'\n+++\n", "view must be"),
])
def test_broken_lesson_files_are_named_and_refused(tmp_path, text, message):
    path = tmp_path / "step.md"
    path.write_text(text)
    with pytest.raises(LessonError, match=message) as info:
        parse_step(path)
    assert str(path) in str(info.value)


def test_a_teacher_file_replaces_a_step_and_a_broken_one_is_skipped(tmp_path):
    (tmp_path / "05-mine.md").write_text(TEACHER_STEP)
    (tmp_path / "broken.md").write_text("+++\nstep = 2\n")
    (tmp_path / "10-extra.md").write_text(TEACHER_STEP.replace("step = 5", "step = 10"))
    steps, errors = load_steps(tmp_path)
    assert [s.number for s in steps] == list(range(1, 11))
    assert steps[4].title == "The teacher's own step five" and steps[4].source == str(tmp_path / "05-mine.md")
    assert steps[1].title == "A bad guess"  # the broken file changes nothing
    assert len(errors) == 1 and "broken.md" in errors[0] and errors[0].startswith("skipped lesson:")


def test_lesson_text_is_shown_literally_with_control_characters_escaped(tmp_path):
    (tmp_path / "01-x.md").write_text("+++\nstep = 1\ntitle = \"a\\u001b[31m\"\n+++\n[bold]hi[/bold] \x1b[2J\n")
    step = parse_step(tmp_path / "01-x.md")
    assert "\x1b" not in step.title + step.body and "\\x1b" in step.body and "[bold]hi[/bold]" in step.body


# ----- goals on the session --------------------------------------------------------------------------
def test_the_by_hand_goal_ticks_below_its_number_and_never_through_the_optimizer():
    s = Session(Options())
    goal, base = Goal.parse("hand_loss_below 1.0"), Baseline.of(Session(Options()))
    assert not goal.met(s, base)
    s.set_param(0, "2.01")
    assert not goal.met(s, base)
    s.set_param(1, "20.08")
    assert goal.met(s, base)
    s.reset()
    for _ in range(4):  # gradient descent converges in 214 steps
        s.apply(s.chunk_job(64)())
    assert s.status == Status.CONVERGED and s.loss < 1.0 and not goal.met(s, base)


def test_the_parabola_verdicts_are_true():
    runs = {}
    for lr in (0.125, 0.5, 1.0, 2.0):
        s = Session(Options(model="parabola", lr=lr))
        s.run()
        runs[lr] = s
    assert runs[0.125].status == Status.CONVERGED and abs(float(runs[0.125].params["w"]) + 1.5) < 1e-4
    assert runs[0.5].status == Status.CONVERGED and runs[0.5].step_count == 1  # 1 - 2 lr = 0: one step
    assert runs[1.0].status == Status.STALLED and runs[1.0].oscillating() and "oscillates" in runs[1.0].message
    assert runs[2.0].status == Status.DIVERGED and float(runs[2.0].params["w"]) == 3.0  # the best point kept
    assert not runs[0.125].oscillating()


def test_the_parabola_is_not_in_the_m_cycle():
    s = Session(Options(model="parabola"))
    assert s.next_model() == "linear"
    assert "parabola" not in Session(Options()).model_specs


# ----- the app ---------------------------------------------------------------------------------------
async def test_step_four_ticks_when_the_mse_is_below_one_by_hand_and_not_before(tmp_path):
    app = lesson_app(tmp_path, step=4)
    async with app.run_test(size=(120, 40)) as pilot:
        assert "○ get the MSE below 1 by hand" in goal_marks(app)
        await pilot.press("tab", *"2.01", "enter")
        assert "○" in goal_marks(app) and "goals 0/1" in str(app.query_one("#lesson-bar").render())
        await pilot.press("tab", "tab", *"20.08", "enter")
        assert "✓ get the MSE below 1" in goal_marks(app) and "floor" in goal_marks(app)
        assert "goals 1/1" in str(app.query_one("#lesson-bar").render())
        assert any("goal met" in n.message for n in app._notifications)


async def test_step_five_o_reaches_the_minimum_and_lr_one_oscillates(tmp_path):
    app = lesson_app(tmp_path, step=5)
    async with app.run_test(size=(120, 40)) as pilot:
        s = app.session
        assert app.view == "slope" and s.model.name == "parabola" and "○" in goal_marks(app)
        assert "next w = 3.0000 − 0.125·9.0000 = 1.8750" in screen_text(app)
        await pilot.press(*["greater_than_sign"] * 6, "o")  # 64 steps a frame
        await settle(app, pilot)
        assert s.status == Status.CONVERGED and "w -1.5000" in screen_text(app)
        assert goal_marks(app).count("✓") == 1  # the minimum; not yet the unstable rate
        await pilot.press("r", "plus", "plus", "plus")
        assert s.lr == 1.0
        for _ in range(3):
            await pilot.press("full_stop")
            await settle(app, pilot)
            assert goal_marks(app).count("✓") == 1  # three steps do not show a repeat yet
        await pilot.press("full_stop")
        await settle(app, pilot)
        assert goal_marks(app).count("✓") == 2 and float(s.params["w"]) == 3.0


async def test_a_larger_rate_diverges_and_meets_the_second_goal(tmp_path):
    app = lesson_app(tmp_path, step=5)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*["plus"] * 4, *["greater_than_sign"] * 6, "o")
        await settle(app, pilot)
        assert app.session.status == Status.DIVERGED and app.session.lr == 2.0
        assert "✓ find a learning rate" in goal_marks(app)


async def test_pgdn_pgup_move_and_the_progress_resumes(tmp_path):
    app = lesson_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        assert "Step 1." in str(app.query_one("#lesson-title").render())
        await pilot.press("w")  # step 1's goal: the true w goes up
        assert "✓" in goal_marks(app)
        await pilot.press("pagedown", "pagedown", "pagedown", "pageup")
        assert "Step 3." in str(app.query_one("#lesson-title").render()) and app.show_residuals
    saved = json.loads((tmp_path / "state" / "lesson.json").read_text())
    assert saved["step"] == 3 and saved["met"] == {"1": ["new_data"]}
    assert load_progress(tmp_path / "state").met == {1: ["new_data"]}
    again = lesson_app(tmp_path)
    async with again.run_test(size=(120, 40)):
        assert "Step 3." in str(again.query_one("#lesson-title").render())
        assert again.session.model.name == "linear" and float(again.session.params["w"]) == -5.0


async def test_the_step_keys_follow_keys_toml(tmp_path):
    keymap = tmp_path / "keys.toml"
    keymap.write_text('next_step = "f6"\n')
    app = lesson_app(tmp_path, step=2, keymap=keymap)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f6")
        assert "Step 3." in str(app.query_one("#lesson-title").render())
        assert "f6 steps" in str(app.query_one("#lesson-bar").render())


async def test_every_playground_key_works_in_the_lesson(tmp_path):
    app = lesson_app(tmp_path, step=6)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("up", "right", "v", "m", "p", "minus")
        s = app.session
        assert s.model.name == "logistic" and s.optimizer == "momentum" and app.view == "loss"
        await pilot.press("question_mark")
        assert "next lesson step" in screen_text(app)


async def test_a_teacher_step_replaces_the_bundled_one_and_a_broken_one_is_named(tmp_path):
    user = tmp_path / "teacher"
    user.mkdir()
    (user / "05-mine.md").write_text(TEACHER_STEP)
    (user / "bad.md").write_text("+++\nstep = 'five'\ntitle = 'x'\n+++\n")
    app = lesson_app(tmp_path, step=5, user_dir=user)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert "The teacher's own step five" in screen_text(app) and app.session.model.name == "logistic"
        assert sum("bad.md" in n.message and "skipped lesson" in n.message for n in app._notifications) == 1
        assert len(app._timers) == 1  # one frame timer: the playground's mount ran once


async def test_80x24_the_text_scrolls_and_the_playground_stays_usable(tmp_path):
    app = lesson_app(tmp_path, step=5)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one("#lesson")
        assert pane.max_scroll_y > 0 and pane.scroll_y == 0
        await pilot.press("d")
        await pilot.pause()
        assert pane.scroll_y > 0
        chart = app.query_one("#chart")
        assert chart.size.width >= 40 and chart.size.height >= 12
        await pilot.press("full_stop")
        await settle(app, pilot)
        text = screen_text(app)
        assert "w 1.8750" in text and "step 1/1000" in text and "goals 0/2" in text


def test_a_missing_step_and_a_bad_progress_file(tmp_path):
    with pytest.raises(InputError, match="--step 12: no such step"):
        open_lesson(LessonOptions(step=12, state_dir=tmp_path))
    (tmp_path / "lesson.json").write_text("{not json")
    lesson = open_lesson(LessonOptions(state_dir=tmp_path))
    assert lesson.index == 0 and any("lesson.json" in e for e in lesson.errors)


# ----- plain -----------------------------------------------------------------------------------------
def test_the_plain_lesson_meets_every_goal_with_a_transcript():
    out = io.StringIO()
    assert run_plain_lesson(out) == 0
    text = out.getvalue()
    steps, _ = load_steps()
    for step in steps:
        assert f"Step {step.number} ({step.number}/9): {step.title}" in text
    assert text.count("✓ goal met") == sum(len(s.goals) for s in steps) == 9
    assert "w ← 3.0000 − 0.125·9.0000 = 1.8750" in text
    assert "+ lr 1, six steps from the start: w = 3.00 → w = -6.00 → w = 3.00" in text and "(oscillates)" in text
    assert "o: diverged" in text and "every goal met" in text and "\x1b" not in text


def test_fitplay_lesson_piped_prints_a_step_and_exits_0_without_textual(capsys):
    code = ("import sys; from fitplay.cli import main; code = main(['lesson', '--step', '9']); "
            "assert 'textual' not in sys.modules; sys.exit(code)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "Step 9 (1/1): Recap" in r.stdout and "every goal met" in r.stdout
    assert main(["lesson", "--plain", "--step", "12"]) == 2
    assert "--step 12: no such step" in capsys.readouterr().err
