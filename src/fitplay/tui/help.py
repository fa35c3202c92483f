"""The help screen: every key binding with its description, and the optimizer's stop rules."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from fitplay.core.session import stop_rules
from fitplay.errors import printable
from fitplay.tui.keys import BINDING_IDS, TEN_X, first_key, key_name, keymap_path


def key_table(bindings: list[Binding]) -> Table:
    """One row per action: its keys and its description; the shifted hand keys share one row."""
    table = Table(box=None, show_header=False, padding=(0, 1))
    table.add_column(style="bold")
    table.add_column()
    shifted: list[tuple[str, str]] = []
    for b in bindings:
        if not b.description:
            continue
        keys = ", ".join(key_name(k) for k in b.key.split(","))
        if (b.tooltip or "").endswith(TEN_X):
            shifted.append((keys, b.tooltip))
            continue
        if shifted and not b.action.startswith("nudge"):
            for row in _ten_x_rows(shifted):
                table.add_row(*row)
            shifted = []
        table.add_row(keys, b.tooltip or b.description)
    return table


def _ten_x_rows(shifted: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The four 10-step hand moves: one row while each is shift+arrow and a letter (shift+↑↓→←, K J L H), else
    (remapped in keys.toml) a row each."""
    pairs = [keys.split(", ") for keys, _ in shifted]
    if not all(len(pair) == 2 and pair[0].startswith("shift+") for pair in pairs):
        return shifted
    arrows = "".join(first.removeprefix("shift+") for first, _ in pairs)
    return [(f"shift+{arrows}, {' '.join(letter for _, letter in pairs)}", "the same moves, 10 x step")]


class HelpScreen(ModalScreen[None]):
    """Keys and rules; escape, the help key or the quit key (as remapped) closes it."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90%; max-width: 100; height: 90%; border: round $primary; background: $surface; padding: 0 1;
    }
    """
    BINDINGS = [Binding("escape", "dismiss", "Close help")]
    AUTO_FOCUS = "VerticalScroll"  # arrows and page keys scroll the list

    def __init__(self, bindings: list[Binding]):
        super().__init__()
        self.bindings_list = bindings
        self.close_keys = ["escape", first_key(bindings, "help"), first_key(bindings, "quit")]

    def on_key(self, event: events.Key) -> None:
        if event.key in self.close_keys:
            event.stop()
            self.dismiss(None)

    def compose(self) -> ComposeResult:
        shown = [key_name(k) for k in self.close_keys]
        with VerticalScroll():
            yield Static(Text(f"fitplay keys  ({', '.join(shown[:-1])} or {shown[-1]} closes)", style="bold"))
            yield Static(key_table(self.bindings_list))
            yield Static(Text("\ntab opens the parameter inputs where the readout shows their values (shift+tab: "
                              "the second): type a value, enter applies, escape cancels."))
            yield Static(Text(f"Remap keys by id in {printable(str(keymap_path()))}, e.g. optimize = \"g\". The ids: "
                              f"{', '.join(BINDING_IDS)}.", style="dim"))
            yield Static(Text(f"\n{stop_rules()}.", style="dim"))
            yield Static(Text("ctrl+p opens the command palette: Keys, Open a CSV file, Quit, Screenshot, Theme.",
                              style="dim"))

    def action_dismiss(self) -> None:
        self.dismiss(None)
