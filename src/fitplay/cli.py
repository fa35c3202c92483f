"""Command line: `fitplay [DATA]`, `fitplay fit`, `fitplay demo`, `fitplay lesson`, `fitplay serve`,
`fitplay themes`, `fitplay bench`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import math
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from fitplay import __version__
from fitplay.collector import collect_from_now
from fitplay.core.models import is_model_file
from fitplay.core.optim import OPTIMIZERS
from fitplay.core.persist import read_session
from fitplay.core.run import Status
from fitplay.core.scaling import SCALE_MODES
from fitplay.core.session import LIMITS, MAX_LR, MIN_LR, Options, Session, fmt_number
from fitplay.errors import InputError, printable

COMMANDS = ("fit", "demo", "serve", "themes", "bench", "lesson")
TERMINAL_APPS = (None, "demo", "lesson")  # the commands that may open the app: it collects from its first frame
DEMO_FRAMES = 20
EXIT_OK, EXIT_OUTPUT, EXIT_USAGE, EXIT_DIVERGED, EXIT_STALLED = 0, 1, 2, 3, 4
EXIT_SIGINT, EXIT_PIPE = 128 + signal.SIGINT, 128 + signal.SIGPIPE
EXIT_CODES = {Status.DIVERGED: EXIT_DIVERGED, Status.STALLED: EXIT_STALLED}


def _finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def _positive(text: str) -> float:
    value = _finite(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be greater than 0")
    return value


def _non_negative(text: str) -> float:
    value = _finite(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be 0 or more")
    return value


def _lr(text: str) -> float | None:
    """--lr: auto (None: chosen from the data) or a number within the playground's limits."""
    if text == "auto":
        return None
    value = _positive(text)
    if not MIN_LR <= value <= MAX_LR:
        raise argparse.ArgumentTypeError(f"{text!r} is outside {MIN_LR:g}..{MAX_LR:g}")
    return value


def _number_in(lo: float, hi: float):
    def parse(text: str) -> float:
        value = _finite(text)
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{text!r} is outside {lo:g}..{hi:g}")
        return value
    return parse


def _int_in(lo: int, hi: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{value} is outside {lo}..{hi}")
        return value
    return parse


def _add_shared(p: argparse.ArgumentParser) -> None:
    p.add_argument("data", nargs="?", metavar="DATA", help="CSV file with x and y columns, or - for stdin "
                   "(default: the lesson's simulated data)")
    g = p.add_argument_group("data")
    g.add_argument("--x", dest="x_col", metavar="COL", help="x column: header name or 0-based index")
    g.add_argument("--y", dest="y_col", metavar="COL", help="y column: header name or 0-based index")
    g.add_argument("--seed", type=_int_in(*LIMITS["seed"]), help="random seed for simulated data (0)")
    g.add_argument("--n", type=_int_in(*LIMITS["n"]), help="number of simulated points (100)")
    g.add_argument("--noise", type=_non_negative, help="noise scale of simulated data (model default)")
    g.add_argument("--w-true", type=_finite, help="true slope of simulated data (2)")
    g.add_argument("--b-true", type=_finite, help="true intercept of simulated data (20; logistic 1)")
    m = p.add_argument_group("model and optimizer")
    m.add_argument("--model", default=None, metavar="{linear,logistic,mlp,PATH.py}",
                   help="model: a built-in or installed model's name, or your own model file (linear)")
    m.add_argument("--hidden", type=_int_in(*LIMITS["hidden"]), help="hidden units of the mlp (8)")
    m.add_argument("--init", nargs=2, type=_finite, metavar=("W", "B"), help="start parameters (-5 3)")
    m.add_argument("--optimizer", choices=OPTIMIZERS, help="optimizer (model default: gd; mlp adam)")
    m.add_argument("--lr", type=_lr, metavar="auto|NUMBER",
                   help="learning rate; auto (default): the lesson's rate on the built-in data, else "
                        "0.4 x the data's gradient-descent stability limit")
    m.add_argument("--scale", choices=SCALE_MODES, default="auto",
                   help="feature scaling for training: standard (x and y to mean 0, sd 1; results in data units), "
                        "none, or auto (default: standard for a CSV, none for the built-in data)")
    m.add_argument("--steps", type=_int_in(*LIMITS["steps"]), help="step budget (model default)")
    m.add_argument("--load", metavar="SESSION.json", help="restore a session saved with s")
    _add_display(p)


def _add_display(p: argparse.ArgumentParser) -> None:
    u = p.add_argument_group("display")
    u.add_argument("--theme", help="theme name (see `fitplay themes`)")
    u.add_argument("--fps", type=_number_in(1.0, 120.0), default=30.0,
                   help="animation frames per second, 1 to 120 (30)")
    u.add_argument("--no-color", action="store_true", help="monochrome output (NO_COLOR is honoured too)")


def _host(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("an address is needed (0.0.0.0 for every address of this machine)")
    return text


def _add_serve(p: argparse.ArgumentParser) -> None:
    s = p.add_argument_group("server")
    s.add_argument("--host", default="127.0.0.1", type=_host,
                   help="address to listen on (127.0.0.1: this machine only)")
    s.add_argument("--port", type=_int_in(1, 65535), default=8000, help="port (8000)")
    s.add_argument("--max-sessions", type=_int_in(1, 10_000), default=8,
                   help="tabs served at once; more are told the room is full (8)")
    s.add_argument("--lesson", action="store_true", help="serve the lesson instead of the playground")


class Parser(argparse.ArgumentParser):
    """Option errors in one line, pointing to --help (not the whole usage). Values such as -1e6 are
    numbers, not options (argparse itself only knows -1 and -1.5)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, allow_abbrev=False, **kwargs)
        self._negative_number_matcher = re.compile(r"^-(\d|\.\d|inf|nan)", re.IGNORECASE)

    def _print_message(self, message: str, file=None) -> None:
        """Write and flush, letting a failed write be known (argparse itself would hide it)."""
        if message:
            stream = file or sys.stderr
            stream.write(message)
            stream.flush()

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {printable(message)} (see {self.prog} --help)\n")


def build_parser(command: str | None) -> argparse.ArgumentParser:
    prog = "fitplay" if command is None else f"fitplay {command}"
    descriptions = {
        None: "Fit y = w·x + b by hand with the keyboard, then watch gradient descent do it. "
              "Subcommands: lesson, fit, demo, serve, themes, bench (fitplay COMMAND --help).",
        "fit": "Fit without a UI and print the result (--json: one JSON object). Status: converged, budget "
               "(steps used, still improving), stalled, diverged. Exit 0 converged or budget, 3 diverged, "
               "4 stalled, 2 bad usage or input.",
        "demo": "A tour that plays by itself: the data, a bad guess, hand moves, gradient descent, then the "
                "other models. Any key but q pauses. Without a terminal (or with --plain) it prints plain-text "
                "frames and ends with the fitted parameters.",
        "bench": "Measure this machine against the performance budgets, end to end through a pseudo-terminal "
                 "at 120x40 (CPU, latency and bytes per key, first complete frame, idle, the o run), beside a "
                 "minimal Textual app and textual-plotext when installed; then steps per second, a "
                 "1,000,000-point CSV and peak memory. Takes about three minutes (--quick: one).",
        "serve": "Serve the playground (or with --lesson, the lesson) in browser tabs; needs the web extra: "
                 "pip install 'fitplay[web]'. Each tab runs its own app with the other options given here: "
                 "the playground's (see fitplay --help) or the lesson's (fitplay lesson --help).",
        "lesson": "The chapter step by step: each step's text beside the playground, with goals that tick when "
                  "you meet them. pgup / pgdn move between steps; the progress is saved under "
                  "$XDG_STATE_HOME/fitplay and resumed. A teacher's steps go in $XDG_CONFIG_HOME/fitplay/lessons. "
                  "Without a terminal (or with --plain) it prints every step and an auto-pilot meeting each goal.",
        "themes": "List theme names and where each comes from. Add your own as "
                  "$XDG_CONFIG_HOME/fitplay/themes/NAME.toml (default ~/.config/fitplay/themes).",
    }
    p = Parser(prog=prog, description=descriptions.get(command))
    p.add_argument("--version", action="version", version=f"fitplay {__version__}")
    if command == "serve":
        _add_serve(p)
    if command in (None, "fit", "demo"):
        _add_shared(p)
    if command == "fit":
        p.add_argument("--json", action="store_true", help="print exactly one JSON object on stdout")
    if command == "bench":
        p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
        p.add_argument("--quick", action="store_true", help="fewer repeats: a rougher, faster run")
        p.add_argument("--sessions", type=_int_in(1, 64), metavar="N", help="instead: N playgrounds at once (1 to "
                       "64), idle then all optimizing (CPU, frames per second each, memory), as on a workshop host")
    if command == "lesson":
        p.add_argument("--step", type=_int_in(1, 99), help="start at step N (default: where you stopped)")
        p.add_argument("--plain", action="store_true", help="print the steps and the auto-pilot's transcript")
        _add_display(p)
    if command == "demo":
        d = p.add_argument_group("demo")
        d.add_argument("--speed", type=_number_in(0.05, 100.0), default=1.0,
                       help="pace: 2 plays twice as fast, 0.05 to 100 (1)")
        d.add_argument("--loop", action="store_true", help="start again at the end")
        d.add_argument("--plain", action="store_true", help="plain-text frames even in a terminal")
        d.add_argument("--frames", type=_int_in(2, 10_000), default=DEMO_FRAMES,
                       help=f"frames in plain mode ({DEMO_FRAMES})")
        d.add_argument("--record", metavar="DIR", help="save an SVG screenshot at each caption into DIR")
    return p


def session_options(args: argparse.Namespace) -> Options:
    """The session the options ask for; an option not given keeps Options' default."""
    given = {"model": args.model, "seed": args.seed, "n": args.n, "hidden": args.hidden}
    return Options(
        **{k: v for k, v in given.items() if v is not None},
        data=args.data, x_col=args.x_col, y_col=args.y_col, noise=args.noise, w_true=args.w_true, b_true=args.b_true,
        init=tuple(args.init) if args.init else None, optimizer=args.optimizer, lr=args.lr, steps=args.steps,
        scale=args.scale,
    )


# Options that define a saved session's data, model and start: with --load they are refused, not ignored.
FIXED_BY_LOAD = {"data": "DATA", "x_col": "--x", "y_col": "--y", "seed": "--seed", "n": "--n", "noise": "--noise",
                 "w_true": "--w-true", "b_true": "--b-true", "hidden": "--hidden", "init": "--init"}


def make_session(args: argparse.Namespace) -> Session:
    """The session the options ask for, or the one --load restores, with --optimizer, --lr, --scale and
    --steps given on the command line in force over the file's (raises an InputError, one line)."""
    if not args.load:
        progress = LoadProgress(sys.stderr is not None and sys.stderr.isatty())
        try:
            return scaled_as_asked(Session(session_options(args), load_progress=progress), args.scale)
        finally:
            progress.close()
    fixed = [flag for attr, flag in FIXED_BY_LOAD.items() if getattr(args, attr) is not None]
    if args.model is not None and not is_model_file(args.model):
        fixed.append("--model")
    if fixed:
        raise InputError(f"--load restores the saved data, model and start: {', '.join(fixed)} cannot change "
                         "them (leave out --load to start afresh)")
    session = read_session(args.load, args.steps, args.model)
    session.set_training(optimizer=args.optimizer, lr=args.lr, scale=None if args.scale == "auto" else args.scale)
    return scaled_as_asked(session, args.scale)


def scaled_as_asked(session: Session, scale: str | None) -> Session:
    """The session, unless --scale standard was asked of a model that trains only on x as it is: refused, not
    ignored."""
    if scale == "standard" and not session.model.can_scale:
        raise InputError(f"--scale standard: the {session.model.name} model trains on x as it is (it has no "
                         "from_standard / to_standard); leave --scale out, or rescale x in the data")
    return session


def fail(message: str, code: int = EXIT_USAGE) -> int:
    """One line on stderr (control characters escaped), and the exit status."""
    if sys.stderr is not None:
        try:
            print(f"fitplay: {printable(message)}", file=sys.stderr)
        except OSError:
            pass
    return code


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if sys.stdout is None or sys.stderr is None:
        return fail("standard output or standard error is closed", EXIT_OUTPUT)
    command = argv[0] if argv and argv[0] in COMMANDS else None
    parser, rest = build_parser(command), argv[1:] if command else argv
    try:
        if command == "serve":  # the server's options; the rest are each tab's app's, checked by run_serve
            args, args.app_options = parser.parse_known_args(rest)
        else:
            args = parser.parse_args(rest)
    except OSError as exc:  # --help or --version could not be written
        _silence_stdout()
        return fail(f"cannot write the output: {exc.strerror}", EXIT_OUTPUT)
    if command not in TERMINAL_APPS:
        collect_from_now()
    if getattr(args, "no_color", False):
        os.environ["NO_COLOR"] = "1"
    # ctrl+c ends at once: a KeyboardInterrupt raised inside a callback (JAX's, on a collection) is swallowed
    signal.signal(signal.SIGINT, lambda *_: _end_now(EXIT_SIGINT))
    try:
        code = _run(command, args)
        sys.stdout.flush()
        return code
    except InputError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        _end_now(EXIT_SIGINT)
    except BrokenPipeError:
        _silence_stdout()
        return fail("the output was closed early (broken pipe)", EXIT_PIPE)
    except OSError as exc:
        if exc.errno is None or exc.filename is not None:
            raise
        _silence_stdout()
        return fail(f"cannot write the output: {exc.strerror}", EXIT_OUTPUT)


def _run(command: str | None, args: argparse.Namespace) -> int:
    if command == "fit":
        return run_fit(args)
    if command == "themes":
        return run_themes()
    if command == "demo":
        return run_demo(args)
    if command == "bench":
        return run_bench_command(args)
    if command == "serve":
        return run_serve(args)
    if command == "lesson":
        return run_lesson(args)
    return run_playground(args)


def _silence_stdout() -> None:
    """After a failed write, send what is still buffered nowhere (the exit would fail on it again)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _end_now(code: int) -> None:
    """Leave at once, without joining a thread that may be inside JAX (ctrl+c during a long fit)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError, RuntimeError):  # RuntimeError: a write it interrupted
            pass
    os._exit(code)


def web_driver() -> bool:
    """Is this app run by Textual's web driver (textual-serve, textual-web), which brings its own keys and screen?"""
    return bool(os.environ.get("TEXTUAL_DRIVER"))


def keyboard_terminal() -> None:
    """Make sure keys can be read: after data came through a pipe on stdin, read keys from /dev/tty. Textual's
    web driver (textual-serve) brings its own keys."""
    if web_driver():
        return
    if sys.stdin is not None and sys.stdin.isatty() and sys.stderr.isatty():
        return
    if not sys.stderr.isatty():
        raise InputError("the playground needs a terminal; for a pipe or a log use `fitplay demo` or `fitplay fit`")
    try:
        tty = os.open("/dev/tty", os.O_RDONLY)
    except OSError:
        raise InputError("no terminal to read keys from; for scripts use `fitplay fit`") from None
    if tty != 0:  # with stdin closed, the terminal opens as fd 0 itself
        os.dup2(tty, 0)
        os.close(tty)
    if sys.stdin is None:  # stdin was closed: give Python (and Textual's driver) the terminal as stdin
        sys.stdin = sys.__stdin__ = open(0, encoding="utf-8", closefd=False)


def run_serve(args: argparse.Namespace) -> int:
    """Check each tab's options here, once (as `fitplay` or `fitplay lesson` would), then serve them."""
    from fitplay.serve import load_textual_serve, serve

    load_textual_serve()
    app_args = build_parser("lesson" if args.lesson else None).parse_args(args.app_options)
    if args.lesson:
        from fitplay.tui.lesson import LessonOptions, open_lesson

        open_lesson(LessonOptions(step=app_args.step))
    else:
        if app_args.data == "-":
            raise InputError("DATA - (standard input) cannot be served: every tab starts its own app; save the "
                             "data to a file and give its path")
        make_session(app_args)
    return serve(args, ["lesson", *args.app_options] if args.lesson else args.app_options)


def run_playground(args: argparse.Namespace) -> int:
    from fitplay.serve import follow_server
    from fitplay.tui.app import AppOptions, make_app

    follow_server()
    session = make_session(args)
    app = make_app(AppOptions(session=session.options, fps=args.fps, theme=args.theme), session)
    keyboard_terminal()
    return run_app(app)


def run_app(app) -> int:
    """Run a Textual app, then end the process at once with the app's status (Textual's is 1 after a
    crash). A vanished terminal (SSH drop, SIGHUP) ends it quietly.

    Textual has restored the terminal when run_async returns, but a worker thread may still be inside JAX
    (compiling, or a long step): asyncio.run and the interpreter's exit would wait for it, seconds after q.
    So the loop is run without that teardown and the process exits without joining the worker."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def hang_up() -> None:  # the terminal may be gone: try to restore it, but end within a second anyway
        threading.Timer(1.0, os._exit, (128 + signal.SIGHUP,)).start()
        app.exit(return_code=128 + signal.SIGHUP)

    for signum in (signal.SIGTERM, signal.SIGINT):  # quit the app (restoring the terminal), status 128 + n
        loop.add_signal_handler(signum, lambda n=signum: app.exit(return_code=128 + n))
    loop.add_signal_handler(signal.SIGHUP, hang_up)
    loop.run_until_complete(app.run_async())
    code = app.return_code or 0
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def run_demo(args: argparse.Namespace) -> int:
    record = Path(args.record) if args.record else None
    if record is not None and record.exists() and not record.is_dir():
        raise InputError(f"--record {args.record}: not a folder (the screenshots go into a folder)")
    plain = args.plain or not sys.stdout.isatty()
    if record is not None and plain:
        raise InputError("--record takes screenshots of the terminal demo: plain frames (--plain, or no terminal "
                         "on stdout) have none")
    session = make_session(args)
    if plain:
        from fitplay.plain_demo import run_plain

        collect_from_now()
        run_plain(session, args.frames, sys.stdout)
        return EXIT_OK

    from fitplay.tui.app import AppOptions
    from fitplay.tui.demo import DemoOptions, make_demo_app

    demo = DemoOptions(speed=args.speed, loop=args.loop, record=record)
    app = make_demo_app(AppOptions(session=session.options, fps=args.fps, theme=args.theme), session, demo)
    keyboard_terminal()
    return run_app(app)


def run_lesson(args: argparse.Namespace) -> int:
    if args.plain or not (sys.stdout.isatty() or web_driver()):
        from fitplay.plain_lesson import run_plain_lesson

        collect_from_now()
        return run_plain_lesson(sys.stdout, args.step)

    from fitplay.serve import follow_server
    from fitplay.tui.app import AppOptions
    from fitplay.tui.lesson import LessonOptions, make_lesson_app, open_lesson

    follow_server()
    lesson = open_lesson(LessonOptions(step=args.step))
    app = make_lesson_app(AppOptions(session=lesson.step.setup.options(), fps=args.fps, theme=args.theme), lesson)
    keyboard_terminal()
    return run_app(app)


def run_bench_command(args: argparse.Namespace) -> int:
    from fitplay.bench import run_bench, run_sessions, table, to_json

    def progress(stage: str, k: int, total: int) -> None:
        bar = "█" * (20 * k // total)
        sys.stderr.write(f"\r[{bar:<20}] {k}/{total} {stage:<50}")
        sys.stderr.flush()

    # the apps it starts are ended on the way out (its finally blocks): ctrl+c and SIGTERM unwind, not exit
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    if args.sessions:
        results = run_sessions(args.sessions)
    else:
        results = run_bench(quick=args.quick, progress=progress)
        sys.stderr.write("\n")
    print(to_json(results) if args.json else table(results))
    return EXIT_OK


def run_themes() -> int:
    from fitplay.tui.themes import (
        BUILTIN_THEMES,
        DEFAULT_THEME,
        load_themes,
        user_theme_dir,
    )

    entries, errors = load_themes()
    for entry in entries:
        default = "  (default)" if entry.theme.name == DEFAULT_THEME else ""
        print(printable(f"{entry.theme.name:<20} {entry.source}{default}"))
    for name in BUILTIN_THEMES:
        if name not in {e.theme.name for e in entries}:
            print(f"{name:<20} textual")
    for error in errors:
        print(printable(error), file=sys.stderr)
    print(printable(f"your themes go in {user_theme_dir()}"), file=sys.stderr)
    return EXIT_OK


def fit_report(session: Session, seconds: float) -> dict:
    """The `fit --json` object of design.md (strict JSON: a loss that overflowed is null, never Infinity)."""
    params = {k: (float(v) if v.ndim == 0 else v.tolist()) for k, v in session.params.items()}
    return {
        "model": session.model.name,
        "optimizer": session.optimizer,
        "lr": session.lr,
        "steps": session.step_count,
        "params": params,
        "loss": _finite_or_none(session.loss),
        "initial_loss": _finite_or_none(session.run_start_loss),
        "status": str(session.status),
        "converged": session.status == Status.CONVERGED,
        "diverged": session.status == Status.DIVERGED,
        "seconds": round(seconds, 6),
        # the training alone: not the import of JAX, not the compile
        "steps_per_second": round(session.train_steps / session.train_seconds, 1) if session.train_seconds else 0.0,
    }


class LoadProgress:
    """A bar on stderr while a CSV loads, once loading has taken a second (TTY only); gone when it is done."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.t0 = time.perf_counter()
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or time.perf_counter() - self.t0 < 1.0:
            return
        size = f"{done / 2**20:,.0f} MB" + (f" of {total / 2**20:,.0f} MB" if total else "")
        bar = "█" * int(30 * done / total) if total else ""
        sys.stderr.write(f"\r[{bar:<30}] loading the CSV: {size}")
        sys.stderr.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


class Progress:
    """A one-line progress bar on stderr for runs longer than a moment (TTY only)."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.t0 = time.perf_counter()
        self.shown = False

    def __call__(self, session: Session) -> None:
        if not self.enabled or time.perf_counter() - self.t0 < 0.5:
            return
        frac = session.step_count / max(session.max_steps, 1)
        bar = "█" * int(30 * frac)
        sys.stderr.write(f"\r[{bar:<30}] {session.step_count}/{session.max_steps} steps  "
                         f"{session.model.loss_label} {session.loss:.4g}")
        sys.stderr.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\n")


class PrintedByModel(io.TextIOBase):
    """Where what a model file prints goes while fit runs: stderr, with control characters escaped line by line,
    so stdout holds fitplay's report alone (with --json, one JSON object)."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        sys.stderr.write("\n".join(printable(line) for line in text.split("\n")))
        return len(text)


def run_fit(args: argparse.Namespace) -> int:
    with contextlib.redirect_stdout(PrintedByModel()):
        session = make_session(args)
        t0 = time.perf_counter()
        progress = Progress(not args.json and sys.stderr.isatty())
        interruptible(lambda: session.run(progress=progress))
        progress.close()
        report = fit_report(session, time.perf_counter() - t0)
    if args.json:
        print(json.dumps(report, allow_nan=False))
    else:
        print(readable(report))
    if session.status != Status.CONVERGED and session.message:
        print(f"fitplay: {printable(session.message)}", file=sys.stderr)
    return EXIT_CODES.get(session.status, EXIT_OK)


def interruptible(work: Callable[[], None]) -> None:
    """Run work in a thread and wait for it so that ctrl+c is felt at once: a long JAX computation in the
    main thread would hold the signal until it returned (minutes on ten million rows)."""
    failure: list[BaseException] = []

    def target() -> None:
        try:
            work()
        except BaseException as exc:  # handed to the main thread as it is
            failure.append(exc)

    thread = threading.Thread(target=target, name="fitplay-fit", daemon=True)
    thread.start()
    while thread.is_alive():
        thread.join(0.1)
    if failure:
        raise failure[0]


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None


def readable(report: dict) -> str:
    params = report["params"]
    if all(not isinstance(v, list) for v in params.values()):
        shown = ", ".join(f"{k} = {v:.10g}" for k, v in params.items())
    else:
        shown = f"{sum(len(v) if isinstance(v, list) else 1 for v in params.values())} parameters"
    state = report["status"]
    loss, start = (fmt_number(v) if v is not None else "overflow" for v in (report["loss"], report["initial_loss"]))
    return (f"{printable(report['model'])} / {report['optimizer']} lr {report['lr']:g}: {printable(shown)}\n"
            f"loss {loss} (from {start}) after {report['steps']} steps, {state}, "
            f"{report['seconds']:.2f} s ({report['steps_per_second']:,.0f} steps/s)")
