"""Command line: `fitplay [DATA]`, `fitplay fit`, `fitplay demo`, `fitplay themes`, `fitplay bench`."""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import signal
import sys
import time
from collections.abc import Sequence

from fitplay import __version__
from fitplay.core.optim import OPTIMIZERS
from fitplay.core.persist import read_session
from fitplay.core.run import Status
from fitplay.core.scaling import SCALE_MODES
from fitplay.core.session import LIMITS, MAX_LR, MIN_LR, Options, Session
from fitplay.errors import InputError

COMMANDS = ("fit", "demo", "themes", "bench")
DEMO_FRAMES = 20
EXIT_OK, EXIT_USAGE, EXIT_DIVERGED, EXIT_STALLED = 0, 2, 3, 4
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
    g.add_argument("--seed", type=_int_in(*LIMITS["seed"]), default=0, help="random seed for simulated data (0)")
    g.add_argument("--n", type=_int_in(*LIMITS["n"]), default=100, help="number of simulated points (100)")
    g.add_argument("--noise", type=_non_negative, help="noise scale of simulated data (model default)")
    g.add_argument("--w-true", type=_finite, help="true slope of simulated data (2)")
    g.add_argument("--b-true", type=_finite, help="true intercept of simulated data (20; logistic 1)")
    m = p.add_argument_group("model and optimizer")
    m.add_argument("--model", default=None, metavar="{linear,logistic,mlp,PATH.py}",
                   help="model: a built-in or installed model's name, or your own model file (linear)")
    m.add_argument("--hidden", type=_int_in(*LIMITS["hidden"]), default=8, help="hidden units of the mlp (8)")
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
    u = p.add_argument_group("display")
    u.add_argument("--theme", help="theme name (see `fitplay themes`)")
    u.add_argument("--fps", type=_positive, default=30.0, help="animation frames per second (30)")
    u.add_argument("--no-color", action="store_true", help="monochrome output (NO_COLOR is honoured too)")


def build_parser(command: str | None) -> argparse.ArgumentParser:
    prog = "fitplay" if command is None else f"fitplay {command}"
    descriptions = {
        None: "Fit y = w·x + b by hand with the keyboard, then watch gradient descent do it. "
              "Subcommands: fit, demo, themes, bench (fitplay COMMAND --help).",
        "fit": "Fit without a UI and print the result (--json: one JSON object). Status: converged, budget "
               "(steps used, still improving), stalled, diverged. Exit 0 converged or budget, 3 diverged, "
               "4 stalled, 2 bad usage or input.",
        "demo": "A tour that plays by itself: the data, a bad guess, hand moves, gradient descent, then the "
                "other models. Any key but q pauses. Without a terminal (or with --plain) it prints plain-text "
                "frames and ends with the fitted parameters.",
        "bench": "Measure this machine against the performance budgets (chart frame, first frame, steps per "
                 "second, bytes per frame, a 1,000,000-point CSV, peak memory). Takes about a minute.",
        "themes": "List theme names and where each comes from. Add your own as "
                  "$XDG_CONFIG_HOME/fitplay/themes/NAME.toml (default ~/.config/fitplay/themes).",
    }
    p = argparse.ArgumentParser(prog=prog, description=descriptions.get(command))
    p.add_argument("--version", action="version", version=f"fitplay {__version__}")
    if command in (None, "fit", "demo"):
        _add_shared(p)
    if command == "fit":
        p.add_argument("--json", action="store_true", help="print exactly one JSON object on stdout")
    if command == "bench":
        p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
        p.add_argument("--quick", action="store_true", help="fewer repeats: a rougher, faster run")
    if command == "demo":
        d = p.add_argument_group("demo")
        d.add_argument("--speed", type=_positive, default=1.0, help="pace: 2 plays twice as fast (1)")
        d.add_argument("--loop", action="store_true", help="start again at the end")
        d.add_argument("--plain", action="store_true", help="plain-text frames even in a terminal")
        d.add_argument("--frames", type=_int_in(2, 10_000), default=DEMO_FRAMES,
                       help=f"frames in plain mode ({DEMO_FRAMES})")
        d.add_argument("--record", metavar="DIR", help="save an SVG screenshot at each caption into DIR")
    return p


def session_options(args: argparse.Namespace) -> Options:
    return Options(
        model=args.model or "linear", data=args.data, x_col=args.x_col, y_col=args.y_col, seed=args.seed, n=args.n,
        noise=args.noise, w_true=args.w_true, b_true=args.b_true,
        init=tuple(args.init) if args.init else None, optimizer=args.optimizer, lr=args.lr, steps=args.steps,
        hidden=args.hidden, scale=args.scale,
    )


def make_session(args: argparse.Namespace) -> Session:
    """The session the options ask for, or the one --load restores (raises an InputError, one line)."""
    if args.load:
        return read_session(args.load, args.steps, args.model)
    return Session(session_options(args))


def fail(message: str, code: int = EXIT_USAGE) -> int:
    print(f"fitplay: {message}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv and argv[0] in COMMANDS else None
    args = build_parser(command).parse_args(argv[1:] if command else argv)
    if getattr(args, "no_color", False):
        os.environ["NO_COLOR"] = "1"
    try:
        if command == "fit":
            return run_fit(args)
        if command == "themes":
            return run_themes()
        if command == "demo":
            return run_demo(args)
        if command == "bench":
            return run_bench_command(args)
        return run_playground(args)
    except InputError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return 130


def keyboard_terminal() -> None:
    """Make sure keys can be read: after data came through a pipe on stdin, read keys from /dev/tty."""
    if sys.stdin.isatty() and sys.stderr.isatty():
        return
    if not sys.stderr.isatty():
        raise InputError("the playground needs a terminal; for a pipe or a log use `fitplay demo` or `fitplay fit`")
    try:
        tty = os.open("/dev/tty", os.O_RDONLY)
    except OSError:
        raise InputError("no terminal to read keys from; for scripts use `fitplay fit`") from None
    os.dup2(tty, 0)
    os.close(tty)


def run_playground(args: argparse.Namespace) -> int:
    from fitplay.tui.app import AppOptions, make_app

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
    signal.signal(signal.SIGHUP, lambda signum, _frame: os._exit(128 + signum))
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.run_until_complete(app.run_async())
    code = app.return_code or 0
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def run_demo(args: argparse.Namespace) -> int:
    session = make_session(args)
    if args.plain or not sys.stdout.isatty():
        from fitplay.plain_demo import run_plain

        run_plain(session, args.frames, sys.stdout)
        return EXIT_OK
    from pathlib import Path

    from fitplay.tui.app import AppOptions
    from fitplay.tui.demo import DemoOptions, make_demo_app

    demo = DemoOptions(speed=args.speed, loop=args.loop, record=Path(args.record) if args.record else None)
    app = make_demo_app(AppOptions(session=session.options, fps=args.fps, theme=args.theme), session, demo)
    keyboard_terminal()
    return run_app(app)


def run_bench_command(args: argparse.Namespace) -> int:
    from fitplay.bench import run_bench, table

    def progress(stage: str, k: int, total: int) -> None:
        bar = "█" * (20 * k // total)
        sys.stderr.write(f"\r[{bar:<20}] {k}/{total} {stage:<50}")
        sys.stderr.flush()

    results = run_bench(quick=args.quick, progress=progress)
    sys.stderr.write("\n")
    print(json.dumps({k: round(v, 4) for k, v in results.items()}) if args.json else table(results))
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
        print(f"{entry.theme.name:<20} {entry.source}{default}")
    for name in BUILTIN_THEMES:
        if name not in {e.theme.name for e in entries}:
            print(f"{name:<20} textual")
    for error in errors:
        print(error, file=sys.stderr)
    print(f"your themes go in {user_theme_dir()}", file=sys.stderr)
    return EXIT_OK


def fit_report(session: Session, seconds: float) -> dict:
    """The `fit --json` object of design.md."""
    params = {k: (float(v) if v.ndim == 0 else v.tolist()) for k, v in session.params.items()}
    return {
        "model": session.model.name,
        "optimizer": session.optimizer,
        "lr": session.lr,
        "steps": session.step_count,
        "params": params,
        "loss": session.loss,
        "initial_loss": session.initial_loss,
        "status": str(session.status),
        "converged": session.status == Status.CONVERGED,
        "diverged": session.status == Status.DIVERGED,
        "seconds": round(seconds, 6),
        "steps_per_second": round(session.step_count / seconds, 1) if seconds > 0 else 0.0,
    }


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


def run_fit(args: argparse.Namespace) -> int:
    session = make_session(args)
    t0 = time.perf_counter()
    progress = Progress(not args.json and sys.stderr.isatty())
    if session.max_steps > 0:
        session.run(progress=progress)
    progress.close()
    report = fit_report(session, time.perf_counter() - t0)
    if args.json:
        print(json.dumps(report))
    else:
        print(readable(report))
    if session.status != Status.CONVERGED and session.message:
        print(f"fitplay: {session.message}", file=sys.stderr)
    return EXIT_CODES.get(session.status, EXIT_OK)


def readable(report: dict) -> str:
    params = report["params"]
    if all(not isinstance(v, list) for v in params.values()):
        shown = ", ".join(f"{k} = {v:.10g}" for k, v in params.items())
    else:
        shown = f"{sum(len(v) if isinstance(v, list) else 1 for v in params.values())} parameters"
    state = report["status"]
    return (f"{report['model']} / {report['optimizer']} lr {report['lr']:g}: {shown}\n"
            f"loss {report['loss']:.6g} (from {report['initial_loss']:.6g}) after {report['steps']} steps, {state}, "
            f"{report['seconds']:.2f} s ({report['steps_per_second']:,.0f} steps/s)")
