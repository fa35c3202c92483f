"""fitplay's partial screen updates (tui/updates.py replaces two of Textual's compositor methods) leave the
terminal as a full repaint does: the real app in a pseudo-terminal, every byte it writes read by pyte."""

from __future__ import annotations

import fcntl
import os
import signal
import struct
import termios
from pathlib import Path

import pyte
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual._compositor import ChopsUpdate
from textual.strip import Strip

from fitplay.bench import FITPLAY, Terminal, start
from fitplay.ready import READY_FILE
from fitplay.tui.updates import render_segments, span_codes

KEYS = [b"\x1b[A", b"\x1b[A", b"\x1b[C", b"\x1b[1;2A", b"t", b"e", b"]", b"\x1b[B", b"o", b"v", b"\x1b[A",
        b"v", b"v", b"p", b"?", b"\x1b[B", b"?", b"\x10", b"\x1b", b"\x1b[D"]


class Screen:
    """The terminal as pyte sees it, fed from the app's output."""

    def __init__(self, term: Terminal, width: int, height: int):
        self.term, self.fed = term, 0
        self.screen = pyte.Screen(width, height)
        self.stream = pyte.ByteStream(self.screen)

    def catch_up(self) -> None:
        """Feed what the app wrote until it has been quiet a while."""
        self.term.read(0.1)
        self.term.settle()
        self.stream.feed(bytes(self.term.out[self.fed:]))
        self.fed = len(self.term.out)

    def resize(self, width: int, height: int) -> None:
        fcntl.ioctl(self.term.fd, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))
        self.screen.resize(height, width)
        os.kill(self.term.proc.pid, signal.SIGWINCH)
        self.term.read(0.3)
        self.catch_up()

    def cells(self) -> list[list[tuple]]:
        """Every cell: character, colours and bold."""
        return [[(c.data, c.fg, c.bg, c.bold) for c in (self.screen.buffer[y][x] for x in range(self.screen.columns))]
                for y in range(self.screen.lines)]


def test_the_first_frame_written_holds_the_panel_and_the_chart():
    """The frame that lays the screen out is complete: the charts and the panel's text are painted as that frame
    draws them. Painted on the Resize event that follows, they went out blank beside the footer and were drawn in
    a second frame."""
    term = Terminal([])
    try:
        assert term.read_until(b"quit", 60.0) is not None, bytes(term.out[-300:])
    finally:
        term.close()
    out = bytes(term.out)
    screen = pyte.Screen(120, 40)
    pyte.ByteStream(screen).feed(out[:out.index(b"quit") + len(b"quit")])  # the first frame, to its footer
    shown = "\n".join(screen.display)
    assert "MSE" in shown and shown.count("•") >= 50 and "quit" in screen.display[-1], shown


@pytest.mark.slow
def test_partial_updates_leave_the_screen_a_full_repaint_draws(tmp_path: Path):
    term, _ = start(FITPLAY, tmp_path, ["--lr", "0.0001", "--steps", "10000000"])
    try:
        screen = Screen(term, 120, 40)
        screen.catch_up()
        first = screen.cells()
        for key in KEYS:
            term.send(key)
            if key == b"o":  # a few animation frames, then pause
                term.read(0.3)
                term.send(b" ")
            screen.catch_up()
        updated = screen.cells()
        assert updated != first
        screen.resize(100, 40)
        screen.resize(120, 40)  # a full repaint of the same state
        repainted = screen.cells()
    finally:
        term.close()
    assert_same(updated, repainted)


@pytest.mark.slow
@pytest.mark.parametrize("pause_after", [0.3, 0.7, 1.1])
def test_a_run_paused_midway_shows_what_a_full_repaint_draws(pause_after: float, tmp_path: Path):
    """At 80x24 the gradient's values take two rows, and every frame changes a few digits of the panel."""
    ready = tmp_path / "ready"
    term = Terminal([], size=(80, 24), env={READY_FILE: str(ready)})
    try:
        screen = Screen(term, 80, 24)
        assert term.wait_for(ready.exists, 60.0) is not None  # JAX is ready: the run starts at once
        term.send(b"\x1b[A\x1b[A\x1b[C")
        screen.catch_up()
        term.send(b"o")
        term.read(pause_after)
        term.send(b" ")
        screen.catch_up()
        updated = screen.cells()
        screen.resize(100, 24)
        screen.resize(80, 24)
        repainted = screen.cells()
    finally:
        term.close()
    assert_same(updated, repainted)


def assert_same(updated: list[list[tuple]], repainted: list[list[tuple]]) -> None:
    differ = [y for y, (a, b) in enumerate(zip(updated, repainted)) if a != b]
    assert not differ, "rows differ after a full repaint:\n" + "\n".join(
        "".join(c[0] for c in updated[y]) + "\n" + "".join(c[0] for c in repainted[y]) for y in differ[:4])


def test_an_update_sends_the_changed_cells_only():
    strip = Strip([Segment("abc"), Segment("defgh")], 8)
    update = ChopsUpdate([{0: strip}], [(0, 4, 6)], [[8]])
    console = Console(color_system=None, force_terminal=True, width=8)
    assert render_segments(update, console) == "\x1b[1;5Hef"
    whole = ChopsUpdate([{0: strip}], [(0, 0, 8)], [[8]])
    assert render_segments(whole, console) == "\x1b[1;1Habcdefgh"


_TEXTS = st.text(alphabet="ab •⠁⠒─中\u0301", max_size=6)
_STYLES = st.sampled_from([None, Style(color="red"), Style(bold=True, bgcolor="blue"), Style(link="https://x")])


@given(st.lists(st.tuples(_TEXTS, _STYLES), min_size=1, max_size=6), st.integers(0, 99), st.integers(0, 99),
       st.sampled_from([None, "256", "truecolor"]))
@example([("ab", None), ("", Style(color="red"))], 1, 0, "truecolor").via("an empty segment at the end")
@example([("ab", None), ("", Style(color="red")), ("cd", None)], 1, 1, "256").via("an empty one inside")
@example([("", Style(color="red")), ("a", None)], 0, 0, None).via("an empty one first, the whole strip")
def test_a_span_is_written_as_the_cropped_strip_writes_it(parts, at, span, color_system):
    """Wide and zero-width characters, empty segments, links and every colour system: the span's codes are
    the cropped strip's."""
    strip = Strip([Segment(text, style) for text, style in parts])
    length = strip.cell_length
    if length < 1:
        return
    start = at % length
    end = start + 1 + span % (length - start)
    console = Console(color_system=color_system, force_terminal=True, width=80)
    assert span_codes(strip, start, end, console) == strip.crop(start, end).render(console)
