"""`fitplay bench` runs and reports every figure (a smoke test: budgets are checked by the command)."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fitplay.bench import BUDGETS, FLOOR, first_frame, table, to_json, within


@pytest.mark.slow
def test_bench_json_has_every_figure():
    r = subprocess.run([sys.executable, "-m", "fitplay", "bench", "--json", "--quick"], capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    doc = json.loads(r.stdout)
    expected = set(BUDGETS) | {"floor_key_cpu_ms_median", "key_cpu_ms_mean_stat", "run_frames_measured_256"}
    assert expected <= set(doc)
    figures = {k: v for k, v in doc.items() if k != "peer"}
    assert all(isinstance(v, (int, float)) and math.isfinite(v) and v >= 0 for v in figures.values())
    idle = {k for k in figures if "idle_" in k}  # fitplay's idle app wakes up 0 times (the floor's and the peer's 10)
    assert all(v > 0 for k, v in figures.items() if k not in idle), figures
    assert doc["run_frames_measured_256"] >= 10
    assert ("peer_key_cpu_ms_median" in doc) == ("peer" not in doc)
    assert "5/4" not in r.stderr and "4/4" in r.stderr


def test_one_more_start_is_timed_to_its_first_complete_frame_and_closed(monkeypatch):
    import fitplay.bench as bench

    made = []
    real = bench.Terminal

    def recording(*args, **kwargs):
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(bench, "Terminal", recording)
    shown = first_frame(FLOOR)
    assert 0 < shown < 20 and len(made) == 1 and b"MSE" in made[0].out
    assert made[0].proc.poll() is not None  # ended, not left running beside the next start


def test_table_marks_each_budget():
    text = table({"key_cpu_ms_median": 9.0, "key_cpu_vs_floor": 2.0, "gd_steps_per_s": 5e5})
    rows = {line.split()[0]: line for line in text.splitlines()[1:]}
    assert rows["key_cpu_vs_floor"].endswith("NO")
    assert rows["gd_steps_per_s"].endswith("yes")
    assert text.endswith("peer not installed")
    assert not within("peak_rss_mb", 351.0) and within("peak_rss_mb", 349.0)


def test_json_says_when_the_peer_is_absent():
    assert json.loads(to_json({"key_cpu_ms_median": 1.23456})) == {"key_cpu_ms_median": 1.2346, "peer": "not installed"}
    assert "peer" not in json.loads(to_json({"key_cpu_ms_median": 4.0, "peer_key_cpu_ms_median": 20.0}))
    assert "peer" not in json.loads(to_json({"sessions": 4.0}))  # --sessions measures fitplay alone


def test_step_marks_follow_the_step_count_written_cell_by_cell():
    from fitplay.bench import RUN_BUDGET, step_marks

    line = f"status ● running  step 12/{RUN_BUDGET}"
    start = f"\x1b[1;1H{line}\r\nmore".encode()
    ones = line.index("12") + 2  # the 1-based column of the count's last digit
    frame1 = f"\x1b[1;{ones}H3\x1b[5;2H⠒⠒".encode()  # step 13: one digit sent
    frame2 = b"\x1b[5;2H  "  # the chart moved, the count did not
    frame3 = f"\x1b[1;{ones - 1}H20".encode()  # step 20
    out = start + frame1 + frame2 + frame3 + b"\x1b[1;1H"
    # a mark is the first cursor move after the count changed
    changed = [len(start), len(start) + len(f"\x1b[1;{ones}H3"), len(start + frame1 + frame2 + frame3)]
    assert step_marks(out, 0) == changed
    assert step_marks(out, len(start) + 1) == changed[1:]
    assert step_marks(out, 0, len(start) + 1) == changed[:1]


@pytest.mark.slow
def test_step_marks_agree_with_a_terminal_emulator(tmp_path):
    import pyte

    from fitplay.bench import FITPLAY, RUN_BUDGET, SIZE, STEP_SHOWN, start, step_marks

    term, _ = start(FITPLAY, tmp_path, ["--lr", "0.0001", "--steps", str(RUN_BUDGET)])
    try:
        term.send(b"o")
        term.read(1.5)
    finally:
        term.close()
    out = bytes(term.out)
    marks = step_marks(out, 0)
    screen = pyte.Screen(*SIZE)
    stream = pyte.ByteStream(screen)
    shown, fed = [], 0
    for mark in marks:
        stream.feed(out[fed:mark])
        fed = mark
        found = [STEP_SHOWN.search(line) for line in screen.display]
        shown.append(int(next(m for m in found if m).group(1)))
    assert len(marks) >= 20 and shown == sorted(set(shown))  # each mark is a new, higher count


def test_the_frame_rate_counts_only_frames_made_after_the_first_read():
    """Output that waited in the terminal's buffer before the window is not taken for frames made in it."""
    from fitplay.bench import _frame_rate

    reads = [(100, 0.0), (400, 0.5), (500, 1.0), (900, 2.0)]  # (bytes read so far, when)
    assert _frame_rate([50, 150, 450, 800], reads) == 3 / 2.0  # the frame at 50 was in the buffer already
    assert _frame_rate([150], reads) == 1 / 0.5
    assert _frame_rate([50], reads) == 0.0 and _frame_rate([], reads) == 0.0 and _frame_rate([150], []) == 0.0


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _has_a_terminal(pid: int) -> bool:
    """Has the process a controlling terminal (tty_nr in /proc/PID/stat)?"""
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[4]) != 0


@pytest.mark.slow
@pytest.mark.parametrize("when", ["starting", "running"])
def test_the_apps_a_bench_started_end_with_it_even_when_it_is_killed(when):
    """SIGKILL runs no finally block: the floor in a bench's terminal ends with the bench, whether the bench is
    killed as the floor starts or once it runs. Left behind, it spun a core on the ended terminal for good
    (Textual's stock driver)."""
    script = ("import time; from fitplay.bench import FLOOR, Terminal; "
              "t = Terminal(list(FLOOR[1:]), module=FLOOR[0]); print(t.proc.pid, flush=True); time.sleep(60)")
    bench = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    app = int(bench.stdout.readline())
    try:
        deadline = time.monotonic() + 20.0
        while when == "running" and not _has_a_terminal(app) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _running(app)
        bench.kill()
        bench.wait()
        deadline = time.monotonic() + 10.0
        while _running(app) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _running(app)
    finally:
        bench.kill()
        if _running(app):
            os.kill(app, signal.SIGKILL)
