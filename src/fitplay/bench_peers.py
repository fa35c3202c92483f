"""The apps `fitplay bench` runs beside fitplay in a pseudo-terminal: the floor (a minimal Textual app of the
same shape) and the peer (textual-plotext's PlotextPlot drawing the same chart). `python -m fitplay.bench_peers
floor|peer`; each writes the file named by FITPLAY_READY_FILE once its first frame is drawn."""

from __future__ import annotations

import fcntl
import select
import signal
import sys
import termios

from rich.segment import Segment
from rich.style import Style
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Footer, Static

from fitplay.ready import signal_ready

CHART = (88, 27)  # the fit chart's size in fitplay's 120x40 layout
BINDINGS = [Binding("up", "move(1)", "raise"), Binding("down", "move(-1)", "lower"), Binding("q", "quit", "quit")]
_DOT, _LINE = Style(color="grey50"), Style(color="bright_yellow")


class Rows(Widget):
    """88x27 rows drawn with render_line; one row is the line, and a move repaints the two rows it touches."""

    DEFAULT_CSS = f"Rows {{ width: {CHART[0]}; height: {CHART[1]}; }}"
    row = CHART[1] // 2

    def move(self, by: int) -> None:
        old, self.row = self.row, (self.row - by) % CHART[1]
        for y in (old, self.row):
            self.refresh(Region(0, y, CHART[0], 1))

    def render_line(self, y: int) -> Strip:
        if y == self.row:
            return Strip([Segment("⠒" * CHART[0], _LINE)], CHART[0])
        return Strip([Segment("•" + " " * (CHART[0] - 1), _DOT)], CHART[0])


class Floor(App):
    """The least a Textual app of this shape costs: a line widget, a Static and a Footer."""

    BINDINGS = BINDINGS

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Rows()
            yield Static("MSE 0", id="readout")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.call_after_refresh(signal_ready)

    def action_move(self, by: int) -> None:
        rows = self.query_one(Rows)
        rows.move(by)
        self.query_one("#readout", Static).update(f"MSE {rows.row}")


def make_peer() -> App:
    """The same chart (the default data and start line) in a PlotextPlot, replotted on every move."""
    from textual_plotext import PlotextPlot

    from fitplay.charts.fit import limits
    from fitplay.core.session import Options, Session

    session = Session(Options())
    xlim, ylim = limits(session)
    xs, ys = session.data.x.tolist(), session.data.y.tolist()

    class Plot(PlotextPlot):
        DEFAULT_CSS = f"Plot {{ width: {CHART[0]}; height: {CHART[1]}; }}"

    class Peer(App):
        BINDINGS = BINDINGS
        w, b = float(session.params["w"]), float(session.params["b"])

        def compose(self) -> ComposeResult:
            with Horizontal():
                yield Plot()
                yield Static(id="readout")
            yield Footer(compact=True)

        def on_mount(self) -> None:
            self.draw()
            self.call_after_refresh(signal_ready)

        def action_move(self, by: int) -> None:
            self.b += 0.1 * by
            self.draw()

        def draw(self) -> None:
            plot = self.query_one(Plot)
            plt = plot.plt
            plt.clear_data()
            plt.scatter(xs, ys, marker="•")
            plt.plot([xlim[0], xlim[1]], [self.w * xlim[0] + self.b, self.w * xlim[1] + self.b], marker="braille")
            plt.xlim(*xlim)
            plt.ylim(*ylim)
            plot.refresh()
            self.query_one("#readout", Static).update(f"MSE {self.b:.4f}")

    return Peer()


def take_the_terminal() -> None:
    """Make the terminal on stdin this process's controlling terminal, as a shell gives one: when the bench ends,
    however it ends (SIGKILL too), its terminal hangs up and the kernel sends this app a SIGHUP. Without one, the
    app would read the ended terminal for good, a whole core on Textual's stock driver. (The bench starts each
    app as a session leader with no controlling terminal; fitplay itself ends on an ended terminal.)"""
    if sys.stdin is None:
        return
    try:
        fcntl.ioctl(sys.stdin.fileno(), termios.TIOCSCTTY, 0)
    except OSError:  # not a session leader, it has a terminal already, or this one hung up (just below)
        pass
    poller = select.poll()
    poller.register(sys.stdin.fileno(), select.POLLIN)
    if any(mask & select.POLLHUP for _fd, mask in poller.poll(0)):  # hung up before it was taken (not a tty now)
        sys.exit(128 + signal.SIGHUP)


if __name__ == "__main__":
    take_the_terminal()
    (Floor() if sys.argv[1:] == ["floor"] else make_peer()).run()
