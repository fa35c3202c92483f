"""The playground app. `make_app` is the one factory for the CLI, the demo and the tests."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from textual import events
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Footer, Label, Static

from fitplay.charts.fit import FitChart
from fitplay.charts.landscape import LandscapeChart
from fitplay.charts.loss import LossChart
from fitplay.charts.strips import StripPainter
from fitplay.core.files import save_session
from fitplay.core.optim import ChunkResult, jax_loaded
from fitplay.core.run import Status
from fitplay.core.session import Options, Session
from fitplay.errors import InputError
from fitplay.tui.chart_view import ChartView
from fitplay.tui.help import HelpScreen
from fitplay.tui.palette import chart_styles
from fitplay.tui.panel import FORMULAS, ParamInput, Readout, StatusLine
from fitplay.tui.prompt import PromptScreen
from fitplay.tui.themes import DEFAULT_THEME, ThemeError, all_theme_names, load_themes

MIN_WIDTH, MIN_HEIGHT = 60, 20
LOSS_STRIP_MIN_HEIGHT = 34
SIDE_LANDSCAPE_MIN_WIDTH = 160
VIEWS = ("fit", "loss", "landscape")


@dataclass
class AppOptions:
    """What the app needs beyond the session: pacing, theme and where saves go."""

    session: Options = field(default_factory=Options)
    fps: float = 30.0
    theme: str | None = None
    save_dir: Path = field(default_factory=Path.cwd)
    warm_up: bool = True
    user_theme_dir: Path | None = None


class ChunkDone(Message):
    """A worker finished a chunk of optimizer steps."""

    def __init__(self, result: ChunkResult) -> None:
        super().__init__()
        self.result = result


class WorkFailed(Message):
    """A worker raised; the app reports it and keeps running."""

    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error


NUDGES = (("up,k", "b", 1, "b + step (line up)"), ("down,j", "b", -1, "b - step (line down)"),
          ("right,l", "w", 1, "w + step (tilt up)"), ("left,h", "w", -1, "w - step (tilt down)"))


def _nudges() -> list[Binding]:
    """The hand keys and their shift variants (10 x step)."""
    out = []
    for keys, param, sign, desc in NUDGES:
        short = f"{param}{'+' if sign > 0 else '-'}"
        out.append(Binding(keys, f"nudge('{param}', {sign})", short, tooltip=desc, show=keys[0] in "ur"))
        shifted = ",".join(f"shift+{k}" if len(k) > 1 else k.upper() for k in keys.split(","))
        out.append(Binding(shifted, f"nudge('{param}', {sign * 10})", f"{short} x10", tooltip=f"{desc}, 10 x step",
                           show=False))
    return out


class FitplayApp(App[int]):
    """Fit a model by hand, then watch gradient descent do it."""

    CSS_PATH = "app.tcss"
    TITLE = "fitplay"
    AUTO_FOCUS = "#chart"
    BINDINGS = [
        *_nudges(),
        Binding("left_square_bracket", "step_size(0.1)", "step /10", show=False),
        Binding("right_square_bracket", "step_size(10)", "step x10", show=False),
        Binding("o", "optimize", "optimize", tooltip="optimize: start / stop gradient descent"),
        Binding("space", "pause", "pause", tooltip="pause / resume the optimizer"),
        Binding("full_stop", "step", "one step", show=False, tooltip="one optimizer step"),
        Binding("plus", "lr(2)", "lr x2", show=False, tooltip="learning rate x 2"),
        Binding("minus", "lr(0.5)", "lr /2", show=False, tooltip="learning rate / 2"),
        Binding("greater_than_sign", "speed(2)", "faster", show=False, tooltip="steps per frame x 2"),
        Binding("less_than_sign", "speed(0.5)", "slower", show=False, tooltip="steps per frame / 2"),
        Binding("r", "reset", "reset", tooltip="reset to the start parameters"),
        Binding("n", "new_data", "new data", show=False, tooltip="new data: next seed"),
        Binding("m", "next_model", "model", show=False, tooltip="next model (linear, logistic, mlp)"),
        Binding("p", "next_optimizer", "optimizer", show=False, tooltip="next optimizer (gd, momentum, adam)"),
        Binding("v", "next_view", "view", show=False, tooltip="next view (fit, loss curve, loss landscape)"),
        Binding("z", "scale", "scale x", show=False,
                tooltip="feature scaling on / off: train on standardised x (parameters stay in data units)"),
        Binding("t", "toggle('show_true')", "true line", show=False, tooltip="show / hide the true line"),
        Binding("e", "toggle('show_residuals')", "residuals", show=False, tooltip="show / hide residuals"),
        Binding("s", "save", "save", show=False, tooltip="save the session JSON and an SVG screenshot"),
        Binding("question_mark", "help", "help", tooltip="this help screen"),
        Binding("q,ctrl+q", "quit", "quit", tooltip="quit", key_display="q"),
        Binding("ctrl+c", "quit", "quit", show=False, priority=True, tooltip="quit at once, even mid-run"),
    ]

    def __init__(self, session: Session, options: AppOptions):
        super().__init__()
        self.session = session
        self.options = options
        self.view = "fit"
        self.show_true = False
        self.show_residuals = False
        self.busy = False
        self.notify_runs = True
        self.fit_chart = FitChart()
        self.loss_chart = LossChart()
        self.landscape_chart = LandscapeChart(shaded=self.no_color)
        self.side_landscape = LandscapeChart(shaded=self.no_color)
        self._shown: dict[str, object] = {}
        entries, self.theme_errors = load_themes(options.user_theme_dir)
        for entry in entries:
            self.register_theme(entry.theme)
        self.theme_names = all_theme_names(entries)

    # ----- layout --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(id="too-small")
        with Horizontal(id="main"):
            with Vertical(id="charts"):
                with Horizontal(id="chart-row"):
                    yield ChartView(self._painter(), id="chart")
                    yield ChartView(self._painter(), id="side", focusable=False)
                yield ChartView(self._painter(), id="loss-strip", focusable=False)
            with Vertical(id="panel"):
                yield Static(id="model-line")
                yield Readout(id="readout")
                with Horizontal(classes="param-row"):
                    yield Label("w", classes="param-label")
                    yield ParamInput("w")
                with Horizontal(classes="param-row"):
                    yield Label("b", classes="param-label")
                    yield ParamInput("b")
                yield Static(id="step-line")
                yield StatusLine(id="status")
        yield Static(id="caption")
        yield Footer(compact=True)

    def _painter(self) -> StripPainter:
        return StripPainter(chart_styles(self.get_css_variables()))

    def on_mount(self) -> None:
        self.query_one("#chart", ChartView).render_grid = self._render_main
        self.query_one("#loss-strip", ChartView).render_grid = self._render_loss
        self.query_one("#side", ChartView).render_grid = lambda w, h: self.side_landscape.render(self.session, w, h)
        self.theme_changed_signal.subscribe(self, lambda _theme: self._restyle())
        self._fit_size(self.size.width, self.size.height)
        self.refresh_all()
        self.set_interval(1.0 / self.options.fps, self.advance_frame)
        for error in self.theme_errors:
            self.notify(error, severity="warning", timeout=8)
        if self.options.warm_up:
            self.call_after_refresh(self._warm_up)

    def _restyle(self) -> None:
        styles = chart_styles(self.get_css_variables())
        for view in self.query(ChartView):
            view.set_painter(StripPainter(styles))

    def on_resize(self, event: events.Resize) -> None:
        self._fit_size(event.size.width, event.size.height)

    def _fit_size(self, width: int, height: int) -> None:
        small = width < MIN_WIDTH or height < MIN_HEIGHT
        self.query_one("#too-small", Static).update(
            f"make the window at least {MIN_WIDTH} x {MIN_HEIGHT}\n(it is {width} x {height})")
        self.query_one("#too-small").display = small
        self.query_one("#main").display = not small
        strip = self.query_one("#loss-strip", ChartView)
        strip.display = height >= LOSS_STRIP_MIN_HEIGHT and self.view != "loss"
        side = self.query_one("#side", ChartView)
        side.display = width >= SIDE_LANDSCAPE_MIN_WIDTH and self.view == "fit" and self.session.model.two_param

    # ----- drawing -------------------------------------------------------------------------
    def _render_main(self, width: int, height: int):
        if self.view == "loss":
            return self.loss_chart.render(self.session, width, height)
        if self.view == "landscape":
            return self.landscape_chart.render(self.session, width, height)
        return self.fit_chart.render(self.session, width, height, self.show_true, self.show_residuals)

    def _render_loss(self, width: int, height: int):
        return self.loss_chart.render(self.session, width, height)

    def refresh_all(self) -> None:
        """Redraw everything that shows session state."""
        s = self.session
        for view in self.query(ChartView):
            if view.display:
                view.update_chart()
        self.query_one(Readout).show(s)
        self.query_one(StatusLine).show(s, self.busy)
        self._update("#model-line", f"[b]{s.model.name}[/b]  {FORMULAS[s.model.name]}")
        hand = "" if s.model.two_param else "  (not for this model)"
        self._update("#step-line", f"step {s.step_size:g}  [dim]\\[ ] change{hand}\n↑↓ b  ←→ w  shift x10[/dim]")
        for name in ("w", "b"):
            box = self.query_one(f"#param-{name}", ParamInput)
            box.disabled = not s.model.two_param
            if not s.model.two_param:
                box.value = ""
                box.placeholder = "not for this model"
            elif not box.has_focus:
                self._show_param(box)

    def _update(self, selector: str, content: str) -> None:
        """Set a Static's text only when it changed: an animation frame then repaints only what moved."""
        if self._shown.get(selector) != content:
            self._shown[selector] = content
            self.query_one(selector, Static).update(content)

    def _show_param(self, box: ParamInput) -> None:
        box.value = f"{float(self.session.params[box.param]):.4f}"

    def _report(self, ok: bool = True) -> None:
        """Show the session's message, as an error when the action was refused."""
        message, self.session.message = self.session.message, ""
        if message:
            self.notify(message, severity="information" if ok else "error", timeout=4)
        self.refresh_all()

    # ----- hand actions --------------------------------------------------------------------
    def action_nudge(self, name: str, multiple: float) -> None:
        self._report(self.session.nudge(name, float(multiple)))

    def action_step_size(self, factor: float) -> None:
        self.session.scale_step(float(factor))
        self.refresh_all()

    def on_input_submitted(self, event: ParamInput.Submitted) -> None:
        box = event.input
        if isinstance(box, ParamInput):
            ok = self.session.set_param(box.param, event.value)
            self._show_param(box)
            self.query_one("#chart").focus()
            self._report(ok)

    def on_param_input_cancelled(self, event: ParamInput.Cancelled) -> None:
        self._show_param(self.query_one(f"#param-{event.param}", ParamInput))
        self.query_one("#chart").focus()
        self.refresh_all()

    def action_reset(self) -> None:
        self.session.reset()
        self._report()

    def action_new_data(self) -> None:
        self._report(self.session.new_data())

    def action_next_model(self) -> None:
        self.session.next_model()
        if self.view not in self.views():
            self.view = "fit"
        self._fit_size(self.size.width, self.size.height)
        self._report()

    def action_next_optimizer(self) -> None:
        self.session.next_optimizer()
        self._report()

    def views(self) -> tuple[str, ...]:
        """The views this model has: the landscape needs exactly two parameters."""
        return VIEWS if self.session.model.two_param else tuple(v for v in VIEWS if v != "landscape")

    def action_next_view(self) -> None:
        views = self.views()
        self.view = views[(views.index(self.view) + 1) % len(views)] if self.view in views else views[0]
        self._fit_size(self.size.width, self.size.height)
        self.query_one("#chart", ChartView).update_chart(full=True)
        self.refresh_all()

    def action_toggle(self, flag: str) -> None:
        setattr(self, flag, not getattr(self, flag))
        self.refresh_all()

    def action_help(self) -> None:
        self.push_screen(HelpScreen(list(self.BINDINGS)))

    def action_save(self) -> None:
        text = json.dumps(self.session.to_dict(), indent=2)
        try:
            paths = save_session(self.options.save_dir, text, self.export_screenshot())
        except OSError as exc:
            self.notify(f"save failed: {exc}", severity="error")
            return
        self.notify("saved " + " and ".join(str(p) for p in paths), timeout=6)

    def get_system_commands(self, screen):
        yield from super().get_system_commands(screen)
        yield SystemCommand("Open a CSV file", "Fit a data file with x and y columns", self.action_open_csv)

    def action_open_csv(self) -> None:
        def chosen(path: str | None) -> None:
            if path:
                self.load_data(path)
        self.push_screen(PromptScreen("CSV file to fit (x and y columns):", "path/to/data.csv"), chosen)

    def load_data(self, path: str) -> None:
        """Switch to a CSV file; a bad one is a notification and nothing changes."""
        try:
            self.session.load_data(path)
        except InputError as exc:
            self.notify(str(exc), severity="error", timeout=8)
            return
        self._report()

    # ----- optimize ------------------------------------------------------------------------
    def action_optimize(self) -> None:
        self.session.toggle_run()
        self.refresh_all()

    def action_pause(self) -> None:
        self.session.toggle_pause()
        self.refresh_all()

    def action_step(self) -> None:
        if self.session.running:
            self.session.toggle_pause()
        self._launch(1)

    def action_scale(self) -> None:
        self.session.toggle_scale()
        self._report()

    def action_lr(self, factor: float) -> None:
        self.session.scale_lr(float(factor))
        self._report()

    def action_speed(self, factor: float) -> None:
        self.session.scale_speed(float(factor))
        self.refresh_all()

    def advance_frame(self) -> None:
        """One animation frame: start the next chunk when running (the frame timer calls this)."""
        if self.session.running:
            self._launch(min(self.session.steps_per_frame, self.session.remaining()))

    def _launch(self, steps: int) -> None:
        """Start a chunk in a worker thread unless one is in flight (frames never queue)."""
        if self.busy or steps <= 0:
            return
        self.busy = True
        job = self.session.chunk_job(steps)
        self.run_worker(lambda: self._work(job), thread=True, group="train", exit_on_error=False)
        if not jax_loaded():
            self.query_one(StatusLine).show(self.session, self.busy)  # "preparing…" while JAX loads

    def _work(self, job) -> None:
        try:
            self.post_message(ChunkDone(job()))
        except Exception as exc:  # a worker failure becomes a notification, never a dead app
            self.post_message(WorkFailed(exc))

    def on_chunk_done(self, message: ChunkDone) -> None:
        self.busy = False
        before = self.session.status
        if self.session.apply(message.result) and self.session.status != before and self.notify_runs:
            severity = "warning" if self.session.status in (Status.DIVERGED, Status.STALLED) else "information"
            self.notify(self.session.message, severity=severity, timeout=6)
            self.session.message = ""
        self.refresh_all()

    def on_work_failed(self, message: WorkFailed) -> None:
        self.busy = False
        if self.session.running:
            self.session.toggle_pause()
        self.notify(f"optimizer failed: {message.error}", severity="error", timeout=8)
        self.refresh_all()

    def _warm_up(self) -> None:
        job = self.session.warm_up_job()

        def warm() -> None:
            try:
                job()
            except Exception as exc:
                self.post_message(WorkFailed(exc))
        self.run_worker(warm, thread=True, group="warm-up", exit_on_error=False)


def make_app(options: AppOptions | None = None, session: Session | None = None,
             app_class: type[FitplayApp] | None = None, **extra) -> FitplayApp:
    """The app for the CLI, the demo and the tests (may raise InputError for bad data or theme)."""
    options = options or AppOptions()
    app = (app_class or FitplayApp)(session or Session(options.session), options, **extra)
    name = options.theme or os.environ.get("TEXTUAL_THEME") or DEFAULT_THEME
    if name not in app.available_themes:
        raise ThemeError(f"unknown theme {name!r} (choose from: {', '.join(app.theme_names)})")
    app.theme = name
    return app
