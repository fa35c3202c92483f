"""`fitplay bench`: the performance figures of design.md, measured side by side in one run."""

from __future__ import annotations

import asyncio
import fcntl
import os
import pty
import re
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from fitplay.core.data import load_csv, simulate
from fitplay.core.optim import Rule, Trainer, jax_modules
from fitplay.core.session import Options, Session

SIZE = (120, 40)
LARGE_N = 1_000_000
BUDGETS: dict[str, tuple[str, float]] = {
    "frame_ms_median": ("<=", 12.0),
    "frame_speedup": (">=", 4.0),
    "first_frame_s": ("<=", 1.0),
    "gd_steps_per_s": (">=", 300_000.0),
    "gd_speedup_vs_eager": (">=", 1000.0),
    "key_ms_median": ("<=", 1000.0 / 30),
    "bytes_per_frame_median": ("<=", 4096.0),
    "large_load_s": ("<=", 3.0),
    "large_frame_ms_median": ("<=", 25.0),
    "large_gd_1000_s": ("<=", 2.0),
    "peak_rss_mb": ("<=", 350.0),
}


def within(key: str, value: float) -> bool:
    op, limit = BUDGETS[key]
    return value <= limit if op == "<=" else value >= limit


# ----- frames, Pilot-driven ------------------------------------------------------------------
async def _fitplay_frames(session: Session, frames: int) -> list[float]:
    """State change (a hand move) to the chart widget's composed lines, in the real app."""
    from textual.geometry import Region

    from fitplay.tui.app import AppOptions, make_app

    app = make_app(AppOptions(fps=1e-6, warm_up=False), session)
    times = []
    async with app.run_test(size=SIZE) as pilot:
        chart = app.query_one("#chart")
        await pilot.pause()
        for i in range(frames):
            t0 = time.perf_counter()
            app.action_nudge(1, 1 if (i // 20) % 2 == 0 else -1)
            chart.render_lines(Region(0, 0, *chart.size))
            times.append(time.perf_counter() - t0)
            if i % 10 == 0:
                await pilot.pause()
    return times


async def _baseline_frames(session: Session, frames: int, size: tuple[int, int]) -> list[float]:
    """The same chart in a textual-plotext PlotextPlot: rebuilt by plotext and parsed from ANSI each frame."""
    from textual.app import App, ComposeResult
    from textual.geometry import Region
    from textual_plotext import PlotextPlot

    from fitplay.charts.fit import limits

    class Baseline(App):
        def compose(self) -> ComposeResult:
            yield PlotextPlot()

    xlim, ylim = limits(session)
    xs, ys = session.data.x.tolist(), session.data.y.tolist()
    app = Baseline()
    times = []
    async with app.run_test(size=size) as pilot:
        plot = app.query_one(PlotextPlot)
        await pilot.pause()
        w, b = float(session.params["w"]), float(session.params["b"])
        for i in range(frames):
            t0 = time.perf_counter()
            b += 0.1 if (i // 20) % 2 == 0 else -0.1
            plt = plot.plt
            plt.clear_data()
            plt.scatter(xs, ys, marker="•")
            plt.plot([xlim[0], xlim[1]], [w * xlim[0] + b, w * xlim[1] + b], marker="braille")
            plt.xlim(*xlim)
            plt.ylim(*ylim)
            plot.refresh()
            plot.render_lines(Region(0, 0, *plot.size))
            times.append(time.perf_counter() - t0)
            if i % 10 == 0:
                await pilot.pause()
    return times


def chart_size(session: Session) -> tuple[int, int]:
    """The size of the fit chart widget in the 120x40 app, so the baseline draws the same area."""
    from fitplay.tui.app import AppOptions, make_app

    async def size() -> tuple[int, int]:
        app = make_app(AppOptions(fps=1e-6, warm_up=False), session)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            return tuple(app.query_one("#chart").size)

    return asyncio.run(size())


# ----- a real terminal -----------------------------------------------------------------------
class Terminal:
    """fitplay in a pseudo-terminal of a given size; reads everything it sends."""

    def __init__(self, args: list[str], size: tuple[int, int] = SIZE, env: dict[str, str] | None = None):
        self.fd, child = pty.openpty()
        fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        environ = {k: v for k, v in os.environ.items() if k not in ("COLORTERM", "NO_COLOR")}
        environ.update({"TERM": "xterm-256color", **(env or {})})
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen([sys.executable, "-m", "fitplay", *args], stdin=child, stdout=child,
                                     stderr=child, env=environ, start_new_session=True, close_fds=True)
        os.close(child)
        self.out = bytearray()

    def read_until(self, pattern: bytes, timeout: float, since: int = 0) -> float | None:
        """Seconds since start when pattern first appears (after byte `since`), or None."""
        end = time.perf_counter() + timeout
        while time.perf_counter() < end:
            if pattern in self.out[since:]:
                return time.perf_counter() - self.t0
            self.read(0.001)
        return time.perf_counter() - self.t0 if pattern in self.out[since:] else None

    def read(self, seconds: float) -> None:
        end = time.perf_counter() + seconds
        while (left := end - time.perf_counter()) > 0:
            ready, _, _ = select.select([self.fd], [], [], min(0.01, left))
            if ready:
                try:
                    chunk = os.read(self.fd, 1 << 16)
                except OSError:
                    return
                if not chunk:
                    return
                self.out += chunk

    def send(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def peak_rss_mb(self) -> float:
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024

    def wait(self, timeout: float) -> int | None:
        """The exit status, or None if still running after timeout seconds. Reads the terminal meanwhile:
        a full pty buffer would block the app's last writes and it would never exit."""
        end = time.perf_counter() + timeout
        while self.proc.poll() is None and time.perf_counter() < end:
            self.read(0.01)
        return self.proc.poll()

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                self.send(b"q")
                self.read(1.0)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            os.close(self.fd)


def first_frame_s() -> float:
    term = Terminal([])
    try:
        t = term.read_until(b"MSE", 10.0)
    finally:
        term.close()
    return float("inf") if t is None else t


def animation_bytes(seconds: float, keys: int) -> tuple[list[int], list[float], float]:
    """Bytes sent per animation frame at 120x40 with 256 colours; key-to-screen latencies while it runs
    (t shows the true line and its legend word "true"; Textual sends only the changed part of a line, so
    the key needs an effect whose text is new); the process's peak memory."""
    budget = 10_000_000
    term = Terminal(["--lr", "0.0001", "--steps", str(budget)])
    try:
        term.read_until(b"MSE", 10.0)
        term.read(2.0)  # JAX warms up in its worker
        term.send(b"o")
        term.read(0.5)
        start = len(term.out)
        term.read(seconds)
        stream = bytes(term.out[start:])
        latencies = []
        for _ in range(keys):
            mark = len(term.out)
            sent = time.perf_counter()
            term.send(b"t")
            shown = term.read_until(b"true", 2.0, since=mark)
            if shown is not None:
                latencies.append(shown - (sent - term.t0))
            term.send(b"t")
            term.read(0.1)
        rss = term.peak_rss_mb()
    finally:
        term.close()
    marks, last = [], None
    for m in re.finditer(rb"step (\d+)/" + str(budget).encode(), stream):
        if m.group(1) != last:  # a new step count: the next animation frame
            marks.append(m.start())
            last = m.group(1)
    sizes = [b - a for a, b in zip(marks, marks[1:])]
    return sizes, latencies, rss


# ----- training ----------------------------------------------------------------------------
ENDLESS = Rule(grad_tol=0.0, stall_rel=float("-inf"))  # every step runs: nothing stops a timed run early


def gd_rates(steps: int, eager_steps: int) -> tuple[float, float]:
    """Scan-chunk steps per second after compile, and an eager per-step jax.grad loop's."""
    jax, jnp, _, _ = jax_modules()
    d = simulate()
    s = Session(Options())
    trainer = Trainer(s.model, d.x, d.y, "gd", standardised=False)
    start = {"w": np.float64(-5.0), "b": np.float64(3.0)}
    chunk, lr = 4096, 1e-6  # small enough that a million steps never converge: every chunk runs in full
    trainer.run(trainer.begin(start, lr, s.loss), chunk, ENDLESS)
    t0 = time.perf_counter()
    state = trainer.begin(start, lr, s.loss)
    done = 0
    while done < steps:
        result = trainer.run(state, chunk, ENDLESS)
        state, done = result.carry, done + chunk
    scan_rate = done / (time.perf_counter() - t0)

    x, y = jnp.asarray(d.x), jnp.asarray(d.y)
    grad = jax.grad(lambda p: s.model.loss(p, x, y, xp=jnp))
    params = {"w": jnp.asarray(-5.0), "b": jnp.asarray(3.0)}
    grad(params)
    t0 = time.perf_counter()
    for _ in range(eager_steps):
        g = grad(params)
        params = {k: params[k] - lr * g[k] for k in params}
    params["w"].block_until_ready()
    eager_rate = eager_steps / (time.perf_counter() - t0)
    return scan_rate, eager_rate


def large_case(folder: Path, frames: int) -> dict[str, float]:
    """A 1,000,000-point CSV: load time, hand-fit frame median, 1,000 GD steps (after compile)."""
    big = simulate(n=LARGE_N, seed=1)
    path = folder / "large.csv"
    np.savetxt(path, np.stack([big.x, big.y], axis=1), delimiter=",", header="x,y", comments="", fmt="%.6f")
    t0 = time.perf_counter()
    data = load_csv(str(path))
    load_s = time.perf_counter() - t0
    session = Session(Options(data=str(path)), data)
    times = asyncio.run(_fitplay_frames(session, frames))
    trainer = Trainer(session.model, data.x, data.y, "gd", standardised=False)
    trainer.run(trainer.begin(session.params, 0.01, session.loss), 1000, ENDLESS)
    t0 = time.perf_counter()
    trainer.run(trainer.begin(session.params, 0.01, session.loss), 1000, ENDLESS)
    gd_s = time.perf_counter() - t0
    return {"large_load_s": load_s, "large_frame_ms_median": 1000 * statistics.median(times),
            "large_gd_1000_s": gd_s}


# ----- the run -----------------------------------------------------------------------------
def run_bench(quick: bool = False, progress: Callable[[str, int, int], None] | None = None) -> dict[str, float]:
    """Every figure of design.md's budget table, measured in this process and in pseudo-terminals.

    The pseudo-terminal stages come first: they fork, which must happen before this process loads JAX.
    """
    frames = 100 if quick else 300
    stages = 5
    report = progress or (lambda *_: None)
    results: dict[str, float] = {}

    report("chart frames (fitplay vs PlotextPlot)", 1, stages)
    session = Session(Options(n=1000))
    ours = asyncio.run(_fitplay_frames(session, frames))
    base = asyncio.run(_baseline_frames(Session(Options(n=1000)), frames, chart_size(session)))
    results["frame_ms_median"] = 1000 * statistics.median(ours)
    results["frame_baseline_ms_median"] = 1000 * statistics.median(base)
    results["frame_speedup"] = statistics.median(base) / statistics.median(ours)

    report("first frame in a terminal", 2, stages)
    results["first_frame_s"] = statistics.median(first_frame_s() for _ in range(1 if quick else 3))

    report("animation: bytes per frame, keys while it runs, memory", 3, stages)
    sizes, latencies, rss = animation_bytes(2.0 if quick else 5.0, 8 if quick else 20)
    results["key_ms_median"] = 1000 * statistics.median(latencies) if latencies else float("inf")
    results["key_ms_p90"] = 1000 * statistics.quantiles(latencies, n=10)[-1] if len(latencies) > 1 else float("inf")
    results["bytes_per_frame_median"] = float(statistics.median(sizes)) if sizes else float("inf")
    results["animation_frames_measured"] = float(len(sizes))

    report("gradient descent: scan chunks vs eager jax.grad", 4, stages)
    scan, eager = gd_rates(200_000 if quick else 1_000_000, 200 if quick else 1000)
    results["gd_steps_per_s"] = scan
    results["gd_speedup_vs_eager"] = scan / eager

    report("1,000,000-point CSV", 5, stages)
    with tempfile.TemporaryDirectory() as tmp:
        results.update(large_case(Path(tmp), 100 if quick else 200))
    results["peak_rss_mb"] = rss
    return results


def table(results: dict[str, float]) -> str:
    """A readable table with each budget and whether it holds."""
    lines = [f"{'figure':<28}{'value':>14}  {'budget':<14}ok"]
    for key, value in results.items():
        if key in BUDGETS:
            op, limit = BUDGETS[key]
            lines.append(f"{key:<28}{value:>14,.2f}  {op} {limit:<11,g}{'yes' if within(key, value) else 'NO'}")
        else:
            lines.append(f"{key:<28}{value:>14,.2f}")
    return "\n".join(lines)
