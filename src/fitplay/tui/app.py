"""The playground app. `make_app` is the one factory for the CLI, the demo and the tests."""

from __future__ import annotations

import gc
import json
import os
import queue
import time
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

from rich.text import Text
from textual import events, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.driver import Driver
from textual.message import Message
from textual.timer import Timer
from textual.widget import AwaitMount
from textual.widgets import Label, Static
from textual.worker import Worker, WorkerState, get_current_worker

from fitplay.charts.landscape import LandscapeChart
from fitplay.charts.loss import LossChart
from fitplay.collector import collect_from_now
from fitplay.core.data import Dataset, load_csv
from fitplay.core.files import save_session
from fitplay.core.optim import ChunkResult, jax_loaded
from fitplay.core.persist import to_dict
from fitplay.core.run import Status
from fitplay.core.session import Options, Session
from fitplay.errors import InputError, printable
from fitplay.ready import signal_ready
from fitplay.tui import keys
from fitplay.tui.chart_view import ChartView
from fitplay.tui.footer import KeyFooter
from fitplay.tui.help import HelpScreen
from fitplay.tui.palette import chart_styles
from fitplay.tui.panel import ParamInput, Readout, StatusLine, param_text, update_text
from fitplay.tui.prompt import PromptScreen
from fitplay.tui.strips import StripPainter
from fitplay.tui.themes import DEFAULT_THEME, ThemeError, all_theme_names, load_themes
from fitplay.tui.updates import send_changed_cells_only
from fitplay.tui.views import VIEWS

MIN_WIDTH, MIN_HEIGHT = 60, 20
LOSS_STRIP_MIN_HEIGHT = 34
SIDE_LANDSCAPE_MIN_WIDTH = 160


class ChunkDone(Message):
    """A training chunk's result, from the training thread."""

    def __init__(self, result: ChunkResult) -> None:
        super().__init__()
        self.result = result


class ChunkFailed(Message):
    """A training chunk raised, in the training thread."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error


class Shown(NamedTuple):
    """The widgets that show session state."""

    views: tuple[ChartView, ...]
    readout: Readout
    status: StatusLine


@dataclass
class AppOptions:
    """What the app needs beyond the session: pacing, theme and where saves go."""

    session: Options = field(default_factory=Options)
    fps: float = 30.0
    theme: str | None = None
    save_dir: Path = field(default_factory=Path.cwd)
    warm_up: bool = True
    user_theme_dir: Path | None = None
    keymap: Path | None = None  # keys.toml (default: in the user's config folder)


HAND_ACTIONS = ("nudge", "step_size")  # what the hand keys and [ ] do: nothing without hand parameters


class FitplayApp(App[int]):
    """Fit a model by hand, then watch gradient descent do it."""

    CSS_PATH = "app.tcss"
    TITLE = "fitplay"
    AUTO_FOCUS = None  # nothing focused: a key goes to the screen and the app, not up through the chart's containers
    BINDINGS = keys.BINDINGS
    KEYS = keys.BINDINGS  # every key of this app, for the help screen and the hints

    def __init__(self, session: Session, options: AppOptions):
        super().__init__()
        self.session = session
        self.options = options
        self.view = "fit"
        self.show_true = False
        self.show_residuals = False
        self.busy = False  # a training chunk is in flight (set at launch, cleared when its result is taken)
        self._chunks: queue.SimpleQueue = queue.SimpleQueue()  # chunk jobs for the training thread (None: end)
        self._trainer: Worker | None = None
        self.editing = False  # the parameter input boxes are open
        self.boxes: tuple[ParamInput, ...] = ()  # made just after the first frame (see _make_boxes)
        self._boxes_mounting: tuple[tuple[ParamInput, ...], AwaitMount] | None = None
        self.typing = True  # values may be typed into the boxes (not in the demo)
        self.notify_runs = True
        self.charts = {view.name: view.make(self.no_color) for view in VIEWS}
        self.loss_strip = LossChart()
        self.side_landscape = LandscapeChart(shaded=self.no_color)
        self._shown: dict[str, object] = {}
        self._heading: tuple = ()  # the model and step size the panel's first lines show
        self._loading_shown = False  # the caption shows a CSV's loading progress
        self._frames: Timer | None = None  # the frame timer, paused while nothing runs
        self.keymap, self.config_errors = keys.load_keymap(options.keymap)
        self.keys_in_force = keys.in_force(self.keymap, self.KEYS)
        entries, self.theme_errors = load_themes(options.user_theme_dir)
        for entry in entries:
            self.register_theme(entry.theme)
        self.theme_names = all_theme_names(entries)

    # ----- layout --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        styles = chart_styles(self.theme_variables)  # as Textual worked them out for the theme; once for the three
        yield Static(id="too-small")
        with Horizontal(id="main"):
            with Vertical(id="charts"):
                with Horizontal(id="chart-row"):
                    yield ChartView(StripPainter(styles), id="chart")
                    yield ChartView(StripPainter(styles), id="side")
                yield ChartView(StripPainter(styles), id="loss-strip")
            with Vertical(id="panel"):
                yield Static(id="model-line")
                yield Readout(id="readout")
                yield Static(id="step-line")
                yield StatusLine(id="status")
        yield Static(id="caption")
        yield KeyFooter(compact=True)

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver for this terminal: in a Linux terminal, one that ends the app when the terminal
        hangs up without a SIGHUP, where Textual's would spin."""
        driver = super().get_driver_class()
        from textual.drivers.linux_driver import LinuxDriver

        if driver is LinuxDriver:
            from fitplay.tui.driver import HangUpDriver

            return HangUpDriver
        return driver

    def on_mount(self) -> None:
        self.query_one("#chart", ChartView).render_grid = self._render_main
        self.query_one("#loss-strip", ChartView).render_grid = lambda w, h: self.loss_strip.render(self.session, w, h)
        self.query_one("#side", ChartView).render_grid = lambda w, h: self.side_landscape.render(self.session, w, h)
        self.set_keymap(self.keymap)
        self.theme_changed_signal.subscribe(self, lambda _theme: self._restyle())
        self._fit_size(self.size.width, self.size.height)
        self._frames = self.set_interval(1.0 / self.options.fps, self.advance_frame, pause=True)
        self.refresh_all()
        for error in self.theme_errors + self.config_errors:
            self.say(error, "warning", timeout=8)
        self.call_after_refresh(collect_from_now)
        if self.typing:
            self.call_after_refresh(self._make_boxes)
        if self.options.warm_up:
            self.call_after_refresh(self._warm_up)  # JAX's import holds the interpreter lock: after the first frame

    def _restyle(self) -> None:
        styles = chart_styles(self.theme_variables)
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
        return self.charts[self.view].render(self.session, width, height, show_true=self.show_true,
                                             show_residuals=self.show_residuals)

    def key_of(self, binding_id: str) -> str:
        """The key in force for a binding, as shown on screen (after keys.toml)."""
        return keys.keys_of(self.keys_in_force, binding_id)

    def refresh_all(self) -> None:
        """Redraw everything that shows session state."""
        s, shown = self.session, self.state_widgets
        self._pace()
        for view in shown.views:
            if view.display:
                view.update_chart()
        shown.readout.show(s, hand=not self.editing)
        shown.status.show(s, self.busy)
        if (s.model, s.step_size) != self._heading:  # a key changes neither: their texts are not made again
            if self._heading and s.model.two_param != self._heading[0].two_param:
                self.refresh_bindings()  # the hand keys are shown enabled or not
            self._heading = (s.model, s.step_size)
            self._update("#model-line", Text.assemble((s.model.name, "bold"), "  ", s.model.formula))
            self._update("#step-line", self._step_text())
        disabled = not self.can_type
        for index, box in enumerate(self.boxes):
            if box.disabled != disabled:  # set only on a change: a reactive's set runs its checks
                box.disabled = disabled
            if self.editing and s.model.two_param:
                self._update(f"#param-label-{index}", Text(s.model.hand[index]))
                if not box.has_focus:
                    self._show_param(box)

    def get_key_display(self, binding: Binding) -> str:
        """A key as the footer and help show it; while a value is typed, the key that still acts (^q, not q: a
        q would be typed into the box)."""
        if self.editing and binding.key_display:
            return super().get_key_display(replace(binding, key_display=None))
        return super().get_key_display(binding)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The hand keys and their step size are shown disabled for a model without hand parameters (the mlp,
        the parabola): the footer must not offer keys that do nothing."""
        if action in HAND_ACTIONS and not self.session.model.two_param:
            return None
        return True

    @property
    def can_type(self) -> bool:
        """Can a value be typed into the boxes: the model has hand parameters, and this is not the demo."""
        return self.session.model.two_param and self.typing

    @cached_property
    def state_widgets(self) -> Shown:
        """The widgets that show session state (refresh_all runs on every key and frame: no DOM query)."""
        return Shown(tuple(self.query(ChartView)), self.query_one(Readout), self.query_one(StatusLine))

    def _pace(self) -> None:
        """The frame timer runs only while a run does: an idle app never wakes up for it."""
        if self._frames is None:  # not mounted yet (a subclass's on_mount runs first): on_mount paces
            return
        if self.session.running:
            self._frames.resume()
        else:
            self._frames.pause()

    def _step_text(self) -> Text:
        """Step size and the hand keys in force, naming the model's own hand parameters."""
        s, k = self.session, self.key_of
        text = Text(f"step {s.step_size:g}  ")
        if not s.model.two_param:
            text.append("(no hand keys)", style="dim")
            return text
        tilt, shift = s.model.hand
        text.append(f"{k('step_smaller')} {k('step_larger')} change\n"
                    f"{k('raise')}{k('lower')} {shift}  {k('tilt_up')}{k('tilt_down')} {tilt}  shift x10", style="dim")
        return text

    def _update(self, selector: str, content: Text) -> None:
        """Set a Static's text only when it changed: an animation frame then repaints only what moved."""
        old = self._shown.get(selector)
        if old != content:
            self._shown[selector] = content
            update_text(self.query_one(selector, Static), old, content)

    def _show_param(self, box: ParamInput) -> None:
        box.show(param_text(self.session, box.index))

    def _report(self, ok: bool = True) -> None:
        """Show the session's message, as an error when the action was refused."""
        message, self.session.message = self.session.message, ""
        if message:
            self.say(message, "information" if ok else "error", timeout=4)
        self.refresh_all()

    # ----- typed values: the input boxes open in place of the readout's parameter rows -------
    async def action_focus_next(self) -> None:
        if not await self._open_boxes(0):
            super().action_focus_next()

    async def action_focus_previous(self) -> None:
        if not await self._open_boxes(1):
            super().action_focus_previous()

    async def _open_boxes(self, index: int) -> bool:
        """Tab on the playground with the boxes closed opens them, focusing box `index`; False otherwise."""
        shown = self.screen is self.screen_stack[0] and self.query_one("#main").display  # not "too small"
        if self.editing or not shown or not self.can_type:
            return False
        if not self.boxes:  # not made yet: wait for them (made, the focus moves before another key is read)
            await self._make_boxes()
            if not self.boxes:
                return False
        self._edit(True)
        self.screen.set_focus(self.boxes[index])  # now: Widget.focus() waits its turn behind keys typed meanwhile
        return True

    async def _make_boxes(self) -> None:
        """The input boxes under the readout, hidden: made once, just after the first frame (their six widgets
        and the inputs' styles cost it about 30 ms), so that tab opens them at once; a tab before then waits
        for them."""
        if self._boxes_mounting is None:
            panel = self.query("#panel")
            if not panel:  # the app has closed
                return
            boxes = tuple(ParamInput(index) for index in (0, 1))
            rows = [Horizontal(Label(id=f"param-label-{box.index}", classes="param-label"), box, classes="param-row")
                    for box in boxes]
            self._boxes_mounting = boxes, panel.first().mount_all(rows, after="#readout")
        boxes, mounting = self._boxes_mounting
        await mounting
        if all(box.is_attached for box in boxes):  # not when the app closed meanwhile
            self.boxes = boxes

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, ParamInput):
            self._edit(True)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        if isinstance(event.widget, ParamInput):  # a value typed but not applied (enter) is dropped
            self._show_param(event.widget)
        self.call_after_refresh(lambda: self._edit(isinstance(self.focused, ParamInput)))

    def on_click(self, event: events.Click) -> None:
        """A click outside the input boxes closes them (Textual moves the focus only to a focusable widget)."""
        if self.editing and not isinstance(event.widget, ParamInput):
            self.set_focus(None)

    def _edit(self, on: bool) -> None:
        """Show the input boxes (typing a value) or the readout's parameter rows in their place."""
        if on == self.editing:
            return
        self.editing = on
        for box in self.boxes:
            box.parent.display = on
        self.refresh_bindings()  # the footer shows the keys that act while typing (see get_key_display)
        self.refresh_all()

    # ----- hand actions --------------------------------------------------------------------
    def action_nudge(self, index: int, multiple: float) -> None:
        self._report(self.session.nudge(int(index), float(multiple)))

    def action_step_size(self, factor: float) -> None:
        self.session.scale_step(float(factor))
        self.refresh_all()

    def on_input_submitted(self, event: ParamInput.Submitted) -> None:
        box = event.input
        if isinstance(box, ParamInput):
            # enter on the box as it was shown (rounded, or older while a run went on) changes nothing: it must
            # not move off an optimum
            ok = event.value.strip() == box.shown or self.session.set_param(box.index, event.value)
            self._show_param(box)
            self.set_focus(None)
            self._report(ok)

    def on_param_input_cancelled(self, event: ParamInput.Cancelled) -> None:
        self._show_param(self.query_one(f"#param-{event.index}", ParamInput))
        self.set_focus(None)
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
        """The views available for this session's model."""
        return tuple(v.name for v in VIEWS if v.available(self.session))

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
        self.push_screen(HelpScreen(self.keys_in_force))

    def action_save(self) -> None:
        text = json.dumps(to_dict(self.session), indent=2)
        try:
            paths = save_session(self.options.save_dir, text, self.export_screenshot())
        except OSError as exc:
            self.say(f"save failed: {exc}", "error")
            return
        self.say("saved " + " and ".join(str(p) for p in paths))

    def get_system_commands(self, screen):
        yield from super().get_system_commands(screen)
        yield SystemCommand("Open a CSV file", "Fit a data file with x and y columns", self.action_open_csv)

    def action_open_csv(self) -> None:
        def chosen(path: str | None) -> None:
            if path:
                self.load_data(os.path.expanduser(path))  # typed here, not through a shell: ~ as a shell would
        self.push_screen(PromptScreen("CSV file to fit (x and y columns):", "path/to/data.csv"), chosen)

    def load_data(self, path: str) -> None:
        """Switch to a CSV file, read in a worker (a slow disk or a pipe never freezes the keys); a bad one
        is a notification and nothing changes."""
        if path == "-":
            self.say("-: standard input is the keyboard here; give a file's path", "error")
            return
        self._read_csv(path)

    @work(thread=True, group="load", exclusive=True, exit_on_error=False)
    def _read_csv(self, path: str) -> tuple[str, Dataset]:
        start = time.perf_counter()

        def progress(done: int, total: int) -> None:
            if time.perf_counter() - start >= 1.0:
                self.call_from_thread(self._show_loading, path, done, total)

        return path, load_csv(path, progress=progress)

    def _show_loading(self, path: str, done: int, total: int) -> None:
        """The caption line as a progress bar while a large CSV loads."""
        share = f"{done / total:.0%}" if total else f"{done / 2**20:,.0f} MB"
        bar = "█" * (20 * done // total) if total else ""
        caption = self.query_one("#caption", Static)
        caption.update(Text(printable(f"loading {path}  [{bar:<20}] {share}")))
        caption.display = self._loading_shown = True

    def _end_loading(self) -> None:
        if self._loading_shown:
            self.query_one("#caption").display = self._loading_shown = False

    def _use_csv(self, path: str, data: Dataset) -> None:
        try:
            self.session.use_data(data, path)
        except InputError as exc:
            self.say(str(exc), "error")
            return
        self._report()

    def say(self, message: str, severity: str = "information", timeout: float = 6) -> None:
        """A notification, shown literally and with control characters escaped."""
        self.notify(printable(message), severity=severity, timeout=timeout, markup=False)

    def deliver_screenshot(self, filename: str | None = None, path: str | None = None,
                           time_format: str | None = None) -> str | None:
        """Screenshots go beside the session files (the current folder), not to ~/Downloads, which a
        remote machine often lacks; the notice shows the path literally (Textual's own reads it as markup).
        In a browser tab (fitplay serve) the browser gets it, as Textual does it."""
        if self.is_web:
            return super().deliver_screenshot(filename, path, time_format)
        try:
            saved = self.save_screenshot(filename, path or str(self.options.save_dir), time_format)
        except OSError as exc:
            self.say(f"screenshot not saved: {exc.strerror or exc}", "error")
            return None
        self.say(f"saved screenshot {saved}")
        return None

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
        """Hand a chunk to the training thread unless one is in flight (frames never queue)."""
        if self.busy or steps <= 0:
            return
        self.busy = True
        self._chunks.put(self.session.chunk_job(steps))
        if self._trainer is None or self._trainer.is_finished:
            self._trainer = self._train()
        if not jax_loaded():
            self.state_widgets.status.show(self.session, self.busy)  # "preparing…" while JAX loads

    @work(thread=True, group="train", exit_on_error=False)
    def _train(self) -> None:
        """Run the chunks the frames hand over, one at a time, and report each. One thread for the app's life: a
        worker for every frame cost more CPU than the chunk (measured with `fitplay bench`)."""
        worker = get_current_worker()
        while not worker.is_cancelled:
            job = self._chunks.get()  # no timeout: an idle app never wakes this thread; unmount sends None
            if job is None:
                return
            try:
                result = job()
            except Exception as error:  # reported like any worker's failure; the thread goes on
                self.post_message(ChunkFailed(error))
            else:
                self.post_message(ChunkDone(result))

    def on_unmount(self) -> None:
        self._chunks.put(None)  # the training thread, waiting for its next chunk, ends

    def on_chunk_done(self, message: ChunkDone) -> None:
        self.busy = False
        self._take(message.result)

    def on_chunk_failed(self, message: ChunkFailed) -> None:
        self._chunk_stopped(message.error)

    def _chunk_stopped(self, error: BaseException | None) -> None:
        self.busy = False
        if self.session.running:
            self.session.toggle_pause()
        self._failed("optimizer", error)

    @work(thread=True, group="warm-up", exit_on_error=False)
    def _warm(self, job) -> None:
        job()

    def _warm_up(self) -> None:
        self._warm(self.session.warm_up_job())

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Training results and failures arrive here, on the UI thread, one group at a time."""
        worker = event.worker
        if worker.group == "train" and event.state in (WorkerState.ERROR, WorkerState.CANCELLED) and self.busy:
            self._chunk_stopped(worker.error)
        elif worker.group == "warm-up" and event.state == WorkerState.ERROR:
            self._failed("preparing the optimizer", worker.error)
            signal_ready()
        elif worker.group == "warm-up" and event.state == WorkerState.SUCCESS:
            gc.freeze()  # JAX and Textual are loaded: the collector skips their long-lived objects from now on
            signal_ready()
        elif worker.group == "load" and event.state == WorkerState.SUCCESS:
            self._end_loading()
            self._use_csv(*worker.result)
        elif worker.group == "load" and event.state == WorkerState.ERROR:
            self._end_loading()
            error = worker.error
            self.say(str(error) if isinstance(error, InputError) else f"cannot read the file: {error}", "error")

    def _take(self, result: ChunkResult) -> None:
        before = self.session.status
        if self.session.apply(result) and self.session.status != before and self.notify_runs:
            severity = "warning" if self.session.status in (Status.DIVERGED, Status.STALLED) else "information"
            self.say(self.session.message, severity)
            self.session.message = ""
        self.refresh_all()

    def _failed(self, what: str, error: BaseException | None) -> None:
        """A worker failure is a notification; the app keeps running."""
        self.say(f"{what} failed: {error}", "error", timeout=8)
        self.refresh_all()


def make_app(options: AppOptions | None = None, session: Session | None = None,
             app_class: type[FitplayApp] | None = None, **extra) -> FitplayApp:
    """The app for the CLI, the demo and the tests (may raise InputError for bad data or theme)."""
    options = options or AppOptions()
    send_changed_cells_only()
    app = (app_class or FitplayApp)(session or Session(options.session), options, **extra)
    name = options.theme or os.environ.get("TEXTUAL_THEME") or DEFAULT_THEME
    if name not in app.available_themes:
        raise ThemeError(f"unknown theme {name!r} (choose from: {', '.join(app.theme_names)})")
    app.theme = name
    return app
