"""Send the cells that changed, not the line up to them.

Textual 8 writes a changed span of a line from the left edge of the widget it lies in
(`ChopsUpdate.render_segments` crops each piece's end to the span, not its start): a moving line at column 80
of the chart resends the 80 unchanged cells before it, in every row it crosses. This version starts each
piece at the span's first cell as well."""

from __future__ import annotations

from rich.console import Console
from rich.control import Control
from textual._compositor import ChopsUpdate


def render_segments(self: ChopsUpdate, console: Console) -> str:
    """The update as terminal codes: each changed span from its first cell to its last."""
    sequences: list[str] = []
    append = sequences.append
    last_y = self.spans[-1][0]
    for y, x1, x2 in self.spans:
        for end, (x, strip) in zip(self.chop_ends[y], self.chops[y].items()):
            if strip is None or x >= x2 or end <= x1:
                continue
            start = max(x, x1)
            if start > x or end > x2:
                strip = strip.crop(start - x, min(end, x2) - x)
            append(Control.move_to(start, y).segment.text)
            append(strip.render(console))
        if y != last_y:
            append("\n")
    return "".join(sequences)


def send_changed_cells_only() -> None:
    """Install render_segments in Textual (the same output on screen, fewer bytes)."""
    ChopsUpdate.render_segments = render_segments
