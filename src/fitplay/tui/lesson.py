"""`fitplay lesson` in the app: the step's text beside the playground, with goals that tick when the
session meets them, pgup / pgdn between steps, and the progress saved and resumed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.markdown import Markdown
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from fitplay.core.goals import Baseline
from fitplay.core.progress import Progress, ProgressError, load_progress, save_progress
from fitplay.core.session import Session
from fitplay.errors import InputError
from fitplay.tui import keys
from fitplay.tui.app import AppOptions, FitplayApp, make_app
from fitplay.tui.lesson_files import Step, load_steps

SIDE_MIN_WIDTH = 150  # from this width the text sits beside the playground, else above it
SHORT_HEIGHT = 30  # below this height the panel leaves out the step-size line, so the run's status fits


@dataclass
class LessonOptions:
    step: int | None = None  # --step N: start there instead of where the learner stopped
    user_dir: Path | None = None  # the teacher's lesson files (default: the config folder's lessons/)
    state_dir: Path | None = None  # where the progress is saved (default: $XDG_STATE_HOME/fitplay)


@dataclass
class Lesson:
    """The steps, where the learner is, and what could not be loaded (said once the app is up)."""

    steps: list[Step]
    index: int
    progress: Progress
    state_dir: Path | None
    errors: list[str]

    @property
    def step(self) -> Step:
        return self.steps[self.index]

    def met(self, step: Step) -> int:
        return sum(self.progress.is_met(step.number, g.spec) for g in step.goals)


def open_lesson(options: LessonOptions) -> Lesson:
    """The steps (bundled and the teacher's) and the step to start at: --step N, else where the saved progress
    stopped, else the first. Raises an InputError for a step that does not exist."""
    steps, errors = load_steps(options.user_dir)
    if not steps:
        raise InputError("no lesson steps could be loaded: " + "; ".join(errors))
    try:
        progress = load_progress(options.state_dir)
    except ProgressError as exc:
        progress = Progress()
        errors.append(f"{exc}: the lesson starts afresh")
    numbers = [s.number for s in steps]
    if options.step is not None and options.step not in numbers:
        raise InputError(f"--step {options.step}: no such step (the steps are {', '.join(map(str, numbers))})")
    wanted = options.step if options.step is not None else progress.step
    index = numbers.index(wanted) if wanted in numbers else 0
    return Lesson(steps, index, progress, options.state_dir, errors)


class LessonPane(VerticalScroll, can_focus=False):
    """The step's title, goals and text; u / d (or the mouse wheel) scroll it, so every other key stays the
    playground's."""


class LessonApp(FitplayApp):
    """The playground with the lesson's text, goals and step keys; every playground key works as well."""

    CSS_PATH = ["app.tcss", "lesson.tcss"]
    BINDINGS = keys.LESSON_BINDINGS
    KEYS = keys.BINDINGS + keys.LESSON_BINDINGS

    def __init__(self, session: Session, options: AppOptions, lesson: Lesson):
        super().__init__(session, options)
        self.lesson = lesson
        self.baseline: Baseline | None = None  # set when a step is shown
        self.theme_errors = self.theme_errors + lesson.errors

    def compose(self) -> ComposeResult:
        with LessonPane(id="lesson"):
            yield Static(id="lesson-title")
            yield Static(id="lesson-goals")
            yield Static(id="lesson-text")
        yield from super().compose()
        yield Static(id="lesson-bar")

    def on_mount(self) -> None:
        """Show the first step (Textual then runs FitplayApp.on_mount as well: handlers run for each class)."""
        self.show_step(self.lesson.index)

    def _fit_size(self, width: int, height: int) -> None:
        super()._fit_size(width, height)
        pane = self.query_one("#lesson")
        side = width >= SIDE_MIN_WIDTH
        pane.set_class(side, "side")
        pane.styles.height = "1fr" if side else max(6, min(14, (height - 2) // 3))
        self.query_one("#step-line").display = height >= SHORT_HEIGHT  # the keys are in the footer and help

    # ----- steps ---------------------------------------------------------------------------
    def show_step(self, index: int) -> None:
        """Set the session up as the step says, show its text and goals, and save where the learner is."""
        lesson = self.lesson
        lesson.index = index
        step = lesson.step
        try:
            self.session.configure(step.setup.options())
        except InputError as exc:
            self.say(f"step {step.number}: {exc}", "error", timeout=8)
        self.view = step.setup.view if step.setup.view in self.views() else "fit"
        self.show_true, self.show_residuals = step.setup.true_line, step.setup.residuals
        self.baseline = Baseline.of(self.session)
        lesson.progress.step = step.number
        self._save()
        self.query_one("#lesson-title", Static).update(Text(f"Step {step.number}. {step.title}", style="bold"))
        self.query_one("#lesson-text", Static).update(Markdown(step.body))
        self.query_one("#lesson", VerticalScroll).scroll_home(animate=False)
        self._fit_size(self.size.width, self.size.height)
        self.query_one("#chart").update_chart(full=True)
        self.refresh_all()

    def action_lesson_step(self, delta: int) -> None:
        index = self.lesson.index + int(delta)
        if 0 <= index < len(self.lesson.steps):
            self.show_step(index)

    def action_lesson_scroll(self, direction: int) -> None:
        pane = self.query_one("#lesson", VerticalScroll)
        if int(direction) > 0:
            pane.scroll_page_down(animate=False)
        else:
            pane.scroll_page_up(animate=False)

    def action_truth(self, index: int, amount: float) -> None:
        self._report(self.session.change_truth(int(index), float(amount)))

    def action_noise(self, factor: float) -> None:
        self._report(self.session.change_truth(noise_factor=float(factor)))

    # ----- goals ---------------------------------------------------------------------------
    def refresh_all(self) -> None:
        super().refresh_all()
        if self.baseline is not None:
            self._check_goals()

    def _check_goals(self) -> None:
        """Tick the goals the session meets now (a goal once met stays met), then redraw them."""
        lesson, step = self.lesson, self.lesson.step
        newly = [g for g in step.goals if not lesson.progress.is_met(step.number, g.spec)
                 and g.met(self.session, self.baseline)]
        for goal in newly:
            lesson.progress.mark(step.number, goal.spec)
            self.say(f"goal met: {goal.text(self.session)}", timeout=6)
        if newly:
            self._save()
        self._show_goals()

    def _show_goals(self) -> None:
        lesson, step = self.lesson, self.lesson.step
        lines = []
        for goal in step.goals:
            done = lesson.progress.is_met(step.number, goal.spec)
            lines.append(Text.assemble(("✓ " if done else "○ ", "bold green" if done else "bold"),
                                       (goal.text(self.session), "green" if done else "")))
        if step.success and step.goals and lesson.met(step) == len(step.goals):
            lines.append(Text(step.success, style="italic"))
        text = Text("\n").join(lines)
        self._update("#lesson-goals", text if step.goals else Text("no goal here: read, then go on", style="dim"))
        k = self.key_of
        self._update("#lesson-bar", Text.assemble(
            (f"step {step.number}", "bold"), f" ({lesson.index + 1}/{len(lesson.steps)}) ",
            (f"goals {lesson.met(step)}/{len(step.goals)}", "bold green" if lesson.met(step) == len(step.goals)
             else "bold"), f"   {k('prev_step')} / {k('next_step')} steps, {k('text_up')} / {k('text_down')} text"))

    def _save(self) -> None:
        try:
            save_progress(self.lesson.progress, self.lesson.state_dir)
        except OSError as exc:
            self.say(f"the lesson progress cannot be saved: {exc}", "warning")


def make_lesson_app(options: AppOptions, lesson: Lesson) -> LessonApp:
    """The lesson app, built by the same factory as the playground, on the session of its first step."""
    return make_app(options, Session(lesson.step.setup.options()), app_class=LessonApp, lesson=lesson)
