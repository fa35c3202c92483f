"""`fitplay bench`: the performance figures of design.md, measured side by side in one run."""

from __future__ import annotations

import compileall
import fcntl
import importlib.util
import json
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
from fitplay.ready import READY_FILE

SIZE = (120, 40)
LARGE_N = 1_000_000
FITPLAY, FLOOR, PEER = ("fitplay",), ("fitplay.bench_peers", "floor"), ("fitplay.bench_peers", "peer")
TRUECOLOR = {"COLORTERM": "truecolor"}
# What is on screen when a frame is complete: fitplay's panel, chart (data points) and footer; the same for
# the floor (its line rows) and the peer (plotext's points).
COMPLETE = {FITPLAY: (b"MSE", "•".encode(), b"quit"), FLOOR: (b"MSE", "•".encode(), b"quit"),
            PEER: (b"MSE", "•".encode(), b"quit")}
HAND_KEYS = [b"\x1b[A" if (i // 20) % 2 == 0 else b"\x1b[B" for i in range(400)]  # 20 up, 20 down, ...
QUIET_S = 0.08  # no byte for this long: the screen has settled after a key
BUDGETS: dict[str, tuple[str, float]] = {
    "key_cpu_vs_floor": ("<=", 1.6),
    "peer_vs_key_cpu": (">=", 5.0),
    "key_latency_ms_p99": ("<=", 50.0),
    "key_bytes_median": ("<=", 1536.0),
    "run_bytes_per_frame_256": ("<=", 2048.0),
    "run_bytes_per_frame_truecolor": ("<=", 2560.0),
    "run_key_latency_ms_p99": ("<=", 50.0),
    "first_frame_s": ("<=", 0.6),
    "idle_wakeups_per_s": ("<=", 10.0),
    "idle_cpu_percent": ("<=", 0.3),
    "run_cpu_percent": ("<=", 25.0),
    "gd_steps_per_s": (">=", 300_000.0),
    "gd_speedup_vs_eager": (">=", 1000.0),
    "large_load_s": ("<=", 3.0),
    "large_gd_1000_s": ("<=", 2.0),
    "peak_rss_mb": ("<=", 350.0),
}


def within(key: str, value: float) -> bool:
    op, limit = BUDGETS[key]
    return value <= limit if op == "<=" else value >= limit


def peer_installed() -> bool:
    return importlib.util.find_spec("textual_plotext") is not None


# ----- a real terminal -----------------------------------------------------------------------
class Terminal:
    """An app (`python -m fitplay ARGS` by default) in a pseudo-terminal of a given size; reads everything it
    sends, noting when the last byte came, and reads the process's CPU and wake-ups from /proc."""

    def __init__(self, args: list[str], size: tuple[int, int] = SIZE, env: dict[str, str] | None = None,
                 module: str = "fitplay"):
        self.fd, child = pty.openpty()
        fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        # COLUMNS and LINES (pytest sets them) would override the terminal's own size in Textual
        dropped = ("COLORTERM", "NO_COLOR", "COLUMNS", "LINES", READY_FILE)
        environ = {k: v for k, v in os.environ.items() if k not in dropped}
        environ.update({"TERM": "xterm-256color", **(env or {})})
        self.t0 = time.perf_counter()
        self.last_at = self.t0
        self.proc = subprocess.Popen([sys.executable, "-m", module, *args], stdin=child, stdout=child,
                                     stderr=child, env=environ, start_new_session=True, close_fds=True)
        os.close(child)
        self.out = bytearray()

    def read_until(self, pattern: bytes, timeout: float, since: int = 0) -> float | None:
        """Seconds since start when pattern first appears (after byte `since`), or None."""
        return self.wait_for(lambda: pattern in self.out[since:], timeout)

    def wait_for(self, done: Callable[[], bool], timeout: float) -> float | None:
        """Seconds since start when done() first holds (checked after every read), or None. Reads meanwhile:
        an app blocked on a full terminal would never get there."""
        end = time.perf_counter() + timeout
        while not done():
            if time.perf_counter() >= end:
                return None
            if self.proc.poll() is not None:  # ended: what it wrote last may still be in the terminal
                self.read(0.05)
                return time.perf_counter() - self.t0 if done() else None
            self.read(0.001)
        return time.perf_counter() - self.t0

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
                self.last_at = time.perf_counter()

    def settle(self, quiet: float = QUIET_S, timeout: float = 5.0) -> None:
        """Read until no byte has come for `quiet` seconds (or timeout)."""
        end = time.perf_counter() + timeout
        while time.perf_counter() < end and time.perf_counter() - self.last_at < quiet:
            self.read(min(0.005, quiet))

    def send(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def cpu_s(self) -> float:
        """User + system CPU seconds of the process so far, all threads (exited ones too), from /proc/PID/stat."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def tasks(self) -> tuple[float, int]:
        """CPU nanoseconds (schedstat, precise) and context switches (wake-ups) summed over live threads."""
        ns, switches = 0, 0
        for task in Path(f"/proc/{self.proc.pid}/task").iterdir():
            try:
                ns += int((task / "schedstat").read_text().split()[0])
                status = (task / "status").read_text()
            except OSError:  # the thread ended meanwhile
                continue
            switches += sum(int(n) for n in re.findall(r"_ctxt_switches:\s+(\d+)", status))
        return ns / 1e9, switches

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
                self.wait(1.0)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            os.close(self.fd)


def start(app: tuple[str, ...], ready_dir: Path, args: list[str] | None = None,
          env: dict[str, str] | None = None) -> tuple[Terminal, float]:
    """An app started in a terminal, waited on until its first complete frame is on screen and its start-up
    work is done (the ready file); returns the terminal and the seconds to the first complete frame."""
    ready = ready_dir / f"ready-{time.monotonic_ns()}"
    term = Terminal([*app[1:], *(args or [])], env={READY_FILE: str(ready), **(env or {})}, module=app[0])
    shown = _shown(term, app)
    if shown is None or term.wait_for(ready.exists, 60.0) is None:
        term.close()
        raise RuntimeError(f"{' '.join(app)} did not start in a terminal: {bytes(term.out[-300:])!r}")
    term.settle(0.3)
    return term, shown


def first_frame(app: tuple[str, ...]) -> float:
    """Seconds from process start to the first complete frame of one more start, closed once it is shown."""
    term = Terminal(list(app[1:]), module=app[0])
    try:
        shown = _shown(term, app)
    finally:
        term.close()
    if shown is None:
        raise RuntimeError(f"{' '.join(app)} did not start in a terminal: {bytes(term.out[-300:])!r}")
    return shown


def _shown(term: Terminal, app: tuple[str, ...]) -> float | None:
    """Seconds to the first complete frame: every mark of the app's panel, chart and footer on screen."""
    return term.wait_for(lambda: all(m in term.out for m in COMPLETE[app]), 20.0)


def idle(term: Terminal, seconds: float) -> tuple[float, float]:
    """Wake-ups per second and percent of a core while nothing happens."""
    cpu0, switches0 = term.tasks()
    t0 = time.perf_counter()
    term.read(seconds)
    cpu1, switches1 = term.tasks()
    elapsed = time.perf_counter() - t0
    return (switches1 - switches0) / elapsed, 100 * (cpu1 - cpu0) / elapsed


def hand_keys(term: Terminal, count: int) -> dict[str, list[float]]:
    """Hand-fit keys one at a time, each after the screen settled: CPU per key (from schedstat), key to last
    byte, bytes per key; and the mean CPU per key from /proc/PID/stat (all threads) as a check."""
    samples: dict[str, list[float]] = {"cpu": [], "latency": [], "bytes": []}
    total0 = term.cpu_s()
    for key in HAND_KEYS[:count]:
        term.settle()
        cpu0, mark = term.tasks()[0], len(term.out)
        sent = time.perf_counter()
        term.send(key)
        term.wait_for(lambda: len(term.out) > mark, 2.0)
        term.settle()
        samples["cpu"].append(term.tasks()[0] - cpu0)
        samples["latency"].append(term.last_at - sent)
        samples["bytes"].append(len(term.out) - mark)
    samples["cpu_stat_mean"] = [(term.cpu_s() - total0) / count]
    return samples


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def session_samples(app: tuple[str, ...], ready_dir: Path, keys: int, idle_s: float,
                    env: dict[str, str] | None = None) -> dict[str, list[float]]:
    """First complete frame, idle cost and hand-fit keys of one app in one terminal."""
    term, shown = start(app, ready_dir, env=env)
    try:
        wakeups, idle_cpu = idle(term, idle_s)
        samples = hand_keys(term, keys)
    finally:
        term.close()
    return {"first_frame": [shown], "idle_wakeups": [wakeups], "idle_cpu": [idle_cpu], **samples}


def key_figures(samples: dict[str, list[float]], prefix: str = "") -> dict[str, float]:
    """Medians (p99 for latency) of the samples of one app over every round."""
    med = statistics.median
    return {f"{prefix}key_cpu_ms_median": 1000 * med(samples["cpu"]),
            f"{prefix}key_cpu_ms_mean_stat": 1000 * med(samples["cpu_stat_mean"]),
            f"{prefix}key_latency_ms_median": 1000 * med(samples["latency"]),
            f"{prefix}key_latency_ms_p99": 1000 * quantile(samples["latency"], 0.99),
            f"{prefix}key_bytes_median": float(med(samples["bytes"])),
            f"{prefix}first_frame_s": med(samples["first_frame"]),
            f"{prefix}idle_wakeups_per_s": med(samples["idle_wakeups"]),
            f"{prefix}idle_cpu_percent": med(samples["idle_cpu"])}


RUN_BUDGET = 10_000_000


def animation(ready_dir: Path, seconds: float, keys: int, env: dict[str, str] | None = None) -> dict[str, float]:
    """The lesson's `o` run at 30 fps: bytes per frame, percent of a core, and key to screen while it runs
    (t shows the true line and its legend word "true": the key needs an effect whose text is new)."""
    term, _ = start(FITPLAY, ready_dir, ["--lr", "0.0001", "--steps", str(RUN_BUDGET)], env)
    try:
        term.send(b"o")
        term.read(0.5)
        begin, cpu0, t0 = len(term.out), term.tasks()[0], time.perf_counter()
        term.read(seconds)
        cpu_percent = 100 * (term.tasks()[0] - cpu0) / (time.perf_counter() - t0)
        end = len(term.out)
        latencies = []
        for _ in range(keys):
            mark, sent = len(term.out), time.perf_counter()
            term.send(b"t")
            shown = term.read_until(b"true", 2.0, since=mark)
            if shown is not None:
                latencies.append(shown - (sent - term.t0))
            term.send(b"t")
            term.read(0.1)
        rss = term.peak_rss_mb()
    finally:
        term.close()
    marks = step_marks(bytes(term.out), begin, end)
    sizes = [b - a for a, b in zip(marks, marks[1:])]
    return {"bytes_per_frame": float(statistics.median(sizes)) if sizes else float("inf"),
            "frames": float(len(sizes)), "cpu_percent": cpu_percent,
            "key_latency_ms_p99": 1000 * quantile(latencies, 0.99) if latencies else float("inf"),
            "peak_rss_mb": rss}


_TOKENS = re.compile(rb"\x1b\[([0-9;?<>]*)([@-~])|\x1b[^\[]|\r|\n")
STEP_SHOWN = re.compile(r"step (\d+)/" + str(RUN_BUDGET))


def step_marks(out: bytes, since: int, until: int | None = None) -> list[int]:
    """Where the step count on screen changed (one mark per animation frame): the offsets, between since and
    until, of the first cursor move after each change. The screen is rebuilt from cursor moves and text, styles
    skipped: fitplay sends only the cells that change, so the count is never sent whole."""
    width, height = SIZE
    rows = [[" "] * width for _ in range(height)]
    x = y = at = 0
    until = len(out) if until is None else until
    status_row, shown, marks = None, None, []
    for token in _TOKENS.finditer(out):
        if token.start() >= until:
            break
        for char in out[at:token.start()].decode("utf-8", errors="replace"):
            if 0 <= y < height and 0 <= x < width:
                rows[y][x] = char
            x += 1
        at = token.end()
        if token.group() == b"\r":
            x = 0
        elif token.group() == b"\n":
            y += 1
        elif token.group(2) in (b"H", b"f"):
            row, _, col = (token.group(1) or b"1;1").partition(b";")
            y, x = int(row or 1) - 1, int(col or 1) - 1
            step, status_row = _step_on(rows, status_row)
            if step is not None and step != shown and token.start() >= since:
                marks.append(token.start())
            shown = step if step is not None else shown
    return marks


def _step_on(rows: list[list[str]], row: int | None) -> tuple[str | None, int | None]:
    """The step count on screen and its row (looked for again when it moved)."""
    for r in ([row] if row is not None else []) + list(range(len(rows))):
        found = STEP_SHOWN.search("".join(rows[r]))
        if found:
            return found.group(1), r
    return None, None


def sessions(count: int, ready_dir: Path, seconds: float = 6.0) -> dict[str, float]:
    """`count` sessions at once, as on a workshop host: percent of a core for all of them idle and all running
    `o`, the frames per second each one gets (median, slowest), and memory per session."""
    terms: list[Terminal] = []
    try:
        for _ in range(count):
            terms.append(start(FITPLAY, ready_dir, ["--lr", "0.0001", "--steps", str(RUN_BUDGET)])[0])
        idle_cpu, _ = _together(terms, seconds)
        for term in terms:
            term.send(b"o")
        _together(terms, 0.5)
        run_cpu, fps = _together(terms, seconds)
        rss = [_rss_mb(term) for term in terms]
    finally:
        for term in terms:
            term.close()
    return {"sessions": float(count), "sessions_idle_cpu_percent": idle_cpu, "sessions_run_cpu_percent": run_cpu,
            "sessions_fps_median": statistics.median(fps), "sessions_fps_min": min(fps),
            "sessions_rss_mb_each": statistics.mean(rss)}


def _together(terms: list[Terminal], seconds: float) -> tuple[float, list[float]]:
    """Read every terminal for `seconds`: percent of a core used by all, and each one's animation frames/s
    (with many terminals read in turn, output waits in each one's buffer: see _frame_rate)."""
    cpu0, marks, t0 = [t.tasks()[0] for t in terms], [len(t.out) for t in terms], time.perf_counter()
    reads: list[list[tuple[int, float]]] = [[] for _ in terms]  # (bytes read so far, when), per terminal
    while time.perf_counter() - t0 < seconds:
        for term, log in zip(terms, reads):
            term.read(0.005)
            log.append((len(term.out), time.perf_counter()))
    elapsed = time.perf_counter() - t0
    cpu = 100 * sum(t.tasks()[0] - c for t, c in zip(terms, cpu0)) / elapsed
    return cpu, [_frame_rate(step_marks(bytes(t.out), m), log) for t, m, log in zip(terms, marks, reads)]


def _frame_rate(marks: list[int], reads: list[tuple[int, float]]) -> float:
    """Frames per second from the terminal's first read in the window to when its last frame was read. What the
    first read returned had waited in the buffer, made before the window: only frames after it count."""
    if not reads:
        return 0.0
    first_size, first_when = reads[0]
    later = [mark for mark in marks if mark >= first_size]
    if not later:
        return 0.0
    seconds = next(when for size, when in reads if size > later[-1]) - first_when
    return len(later) / seconds if seconds > 0 else 0.0


def _rss_mb(term: Terminal) -> float:
    status = Path(f"/proc/{term.proc.pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


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


def large_case(folder: Path) -> dict[str, float]:
    """A 1,000,000-point CSV: load time and 1,000 GD steps (after compile)."""
    big = simulate(n=LARGE_N, seed=1)
    path = folder / "large.csv"
    np.savetxt(path, np.stack([big.x, big.y], axis=1), delimiter=",", header="x,y", comments="", fmt="%.6f")
    t0 = time.perf_counter()
    data = load_csv(str(path))
    load_s = time.perf_counter() - t0
    session = Session(Options(data=str(path)), data)
    trainer = Trainer(session.model, data.x, data.y, "gd", standardised=False)
    trainer.run(trainer.begin(session.params, 0.01, session.loss), 1000, ENDLESS)
    t0 = time.perf_counter()
    trainer.run(trainer.begin(session.params, 0.01, session.loss), 1000, ENDLESS)
    return {"large_load_s": load_s, "large_gd_1000_s": time.perf_counter() - t0}


# ----- the run -----------------------------------------------------------------------------
def run_sessions(count: int) -> dict[str, float]:
    """`fitplay bench --sessions N`: only the many-sessions figures."""
    with tempfile.TemporaryDirectory() as tmp:
        return sessions(count, Path(tmp))


def compile_package() -> None:
    """Byte-compile fitplay's own modules, as installing its wheel does: in an editable install, with
    PYTHONDONTWRITEBYTECODE set, every start the bench measures would compile them again (about 60 ms of the
    first frame). A read-only install is left as it is."""
    compileall.compile_dir(str(Path(__file__).parent), quiet=2)


def run_bench(quick: bool = False, progress: Callable[[str, int, int], None] | None = None) -> dict[str, float]:
    """Every figure of design.md's budget table: fitplay, the floor and the peer in pseudo-terminals, side by
    side in rounds (medians over every round), then training and a large CSV in this process.

    The pseudo-terminal stages come first: they fork, which must happen before this process loads JAX."""
    rounds, keys, idle_s, run_s = (1, 40, 2.0, 3.0) if quick else (3, 80, 3.0, 5.0)
    starts = 1 if quick else 4  # more starts a round for the first frame: one start varies by half from another
    compile_package()
    apps = [("", FITPLAY), ("floor_", FLOOR)] + ([("peer_", PEER)] if peer_installed() else [])
    stages = rounds + 3
    report = progress or (lambda *_: None)
    results: dict[str, float] = {}
    samples: dict[str, dict[str, list[float]]] = {prefix: {} for prefix, _ in apps}
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(rounds):
            report(f"hand-fit keys, idle, first frame: round {k + 1} of {rounds}", k + 1, stages)
            for prefix, app in apps:
                for name, values in session_samples(app, Path(tmp), keys, idle_s).items():
                    samples[prefix].setdefault(name, []).extend(values)
            for _ in range(starts):
                for prefix, app in apps:
                    samples[prefix]["first_frame"].append(first_frame(app))
        for prefix, _ in apps:
            results.update(key_figures(samples[prefix], prefix))
        results["key_cpu_vs_floor"] = results["key_cpu_ms_median"] / results["floor_key_cpu_ms_median"]
        if "peer_" in samples:
            results["peer_vs_key_cpu"] = results["peer_key_cpu_ms_median"] / results["key_cpu_ms_median"]
        truecolor = session_samples(FITPLAY, Path(tmp), keys // 2, 0.0, TRUECOLOR)
        results["key_bytes_median_truecolor"] = float(statistics.median(truecolor["bytes"]))

        report("the lesson's o run at 30 fps, 256 colours and truecolour", rounds + 1, stages)
        for name, env in (("256", None), ("truecolor", TRUECOLOR)):
            run = animation(Path(tmp), run_s, 8 if quick else 20, env)
            results[f"run_bytes_per_frame_{name}"] = run["bytes_per_frame"]
            results[f"run_frames_measured_{name}"] = run["frames"]
            if env is None:
                results["run_cpu_percent"] = run["cpu_percent"]
                results["run_key_latency_ms_p99"] = run["key_latency_ms_p99"]
                results["peak_rss_mb"] = run["peak_rss_mb"]

    report("gradient descent: scan chunks vs eager jax.grad", rounds + 2, stages)
    scan, eager = gd_rates(200_000 if quick else 1_000_000, 200 if quick else 1000)
    results["gd_steps_per_s"] = scan
    results["gd_speedup_vs_eager"] = scan / eager

    report("1,000,000-point CSV", rounds + 3, stages)
    with tempfile.TemporaryDirectory() as tmp:
        results.update(large_case(Path(tmp)))
    return results


def to_json(results: dict[str, float]) -> str:
    """One JSON object: every figure, and "peer": "not installed" when a full run had no textual-plotext."""
    doc: dict[str, float | str] = {k: round(v, 4) for k, v in results.items()}
    if "key_cpu_ms_median" in results and "peer_key_cpu_ms_median" not in results:
        doc["peer"] = "not installed"
    return json.dumps(doc)


def table(results: dict[str, float]) -> str:
    """A readable table with each budget and whether it holds."""
    lines = [f"{'figure':<34}{'value':>14}  {'budget':<14}ok"]
    for key, value in results.items():
        if key in BUDGETS:
            op, limit = BUDGETS[key]
            lines.append(f"{key:<34}{value:>14,.2f}  {op} {limit:<11,g}{'yes' if within(key, value) else 'NO'}")
        else:
            lines.append(f"{key:<34}{value:>14,.2f}")
    if "key_cpu_ms_median" in results and "peer_key_cpu_ms_median" not in results:
        lines.append("peer (textual-plotext): peer not installed")
    return "\n".join(lines)
