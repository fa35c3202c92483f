"""Two replacements in Textual's compositor that make a small change cost little, on screen as before.

Textual 8 renders a partial update in a box around every changed region: each widget under that box renders
all its visible rows, containers included (the panel's 17 widgets redraw 40 rows each for a two-row change),
and each changed span of a line is written from the left edge of the widget it lies in (a moving line at
column 80 of the chart resends the 80 unchanged cells before it, in every row it crosses). Here each widget
renders only the rows a changed region crosses, and each span is written from its first changed cell. Both
were measured through a terminal with `fitplay bench` (CPU and bytes per key)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from operator import itemgetter

from rich.cells import get_character_cell_size
from rich.color import ColorSystem
from rich.console import Console
from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from fitplay.tui.direct_lines import DirectLines

_TEXT = itemgetter(0)  # a Segment's text


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
            append(f"\x1b[{y + 1};{start + 1}H")  # what Control.move_to(start, y) writes, without the objects
            if start > x or end > x2:
                append(span_codes(strip, start - x, min(end, x2) - x, console))
            else:
                append(strip.render(console))
        if y != last_y:
            append("\n")
    return "".join(sequences)


def span_codes(strip: Strip, start: int, end: int, console: Console) -> str:
    """What strip.crop(start, end).render(console) writes (0 <= start < end <= the strip's length). Where every
    character is one cell wide, as in the charts, cells are characters and the text is sliced: Strip.crop
    splits cell by cell a segment with a character outside rich's quick table (the data marker •), and makes a
    Strip, about 10 us a span (a moving line changes a span in every row it crosses)."""
    if start == 0 and end >= strip.cell_length:  # the whole strip, as Strip.crop returns it (empty segments too)
        return strip.render(console)
    segments = list(strip)
    if not all(map(_one_cell_each, map(_TEXT, segments))):
        return strip.crop(start, end).render(console)
    color_system = console._color_system or ColorSystem.TRUECOLOR
    render = Strip.render_style
    codes: list[str] = []
    pos = 0
    for text, style, _control in segments:
        after = pos + len(text)
        if after > start:  # and an empty segment inside the span, as Strip.crop keeps it
            piece = text[max(0, start - pos):end - pos]
            codes.append(piece if style is None else render(style, piece, color_system=color_system))
        pos = after
        if pos >= end and end < strip.cell_length:
            break
    return "".join(codes)


@lru_cache(maxsize=4096)
def _one_cell_each(text: str) -> bool:
    """Is every character of the text one cell wide (a segment's text: rows repeat them)? A sum of cells equal
    to the count of characters is not enough: a wide character and a zero-width one make it up together."""
    return all(get_character_cell_size(character) == 1 for character in text)


def render_partial_update(self: Compositor) -> ChopsUpdate | None:
    """The changed spans as chops, each drawn by the widget in front there: widgets come front to back, and
    each renders only its rows that still have a changed chop to fill (a container hidden behind its
    children renders nothing)."""
    regions = list(self._dirty_regions)
    self._dirty_regions.clear()
    if not regions:
        return None
    cuts = self.cuts
    spans = list(self._regions_to_spans(regions))
    chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
    unfilled = _changed_chops(cuts, spans)
    for widget, (region, clip) in self.visible_widgets.items():
        if not unfilled:
            break
        shown = region.intersection(clip)
        left, right, top, bottom = shown.x, shown.right, shown.y, shown.bottom
        columns = range(left, right)
        rows = [y for y in sorted(unfilled) if top <= y < bottom and any(map(columns.__contains__, unfilled[y]))]
        for y, strip in zip(rows, _render_rows(widget, rows, region, shown)):
            line_cuts = [cut for cut in cuts[y] if left <= cut <= right]
            wanted = unfilled[y]
            for cut, piece in zip(line_cuts, strip.divide([cut - left for cut in line_cuts[1:]])):
                if cut in wanted:
                    chops[y][cut] = piece
                    wanted.discard(cut)
            if not wanted:
                del unfilled[y]
    return ChopsUpdate(chops, spans, [cut_set[1:] for cut_set in cuts])


def _changed_chops(cuts: list[list[int]], spans: list[tuple[int, int, int]]) -> dict[int, set[int]]:
    """For each changed row, the starts of the chops (the pieces between cuts) that a changed span crosses."""
    crossed: dict[int, set[int]] = {}
    for y, x1, x2 in spans:
        line = cuts[y]
        crossed.setdefault(y, set()).update(start for start, end in zip(line, line[1:]) if start < x2 and end > x1)
    return crossed


def _render_rows(widget: Widget, rows: list[int], region: Region, shown: Region) -> list[Strip]:
    """The widget's strips for these screen rows (ascending), cut to the part of it shown: in one call where
    the widget draws rows with gaps between them, else a call per run of consecutive rows."""
    span = (shown.x - region.x, shown.right - region.x)
    if isinstance(widget, DirectLines):
        return widget.render_rows([y - region.y for y in rows], span)
    return [strip for y0, y1 in _runs(rows)
            for strip in widget.render_lines(Region(span[0], y0 - region.y, shown.width, y1 - y0))]


def _runs(rows: list[int]) -> Iterator[tuple[int, int]]:
    """Ascending rows as ranges [start, end) of consecutive rows."""
    start = previous = None
    for y in rows:
        if previous is not None and y != previous + 1:
            yield start, previous + 1
            start = None
        if start is None:
            start = y
        previous = y
    if start is not None:
        yield start, previous + 1


def send_changed_cells_only() -> None:
    """Install both in Textual (the same screen, less work and fewer bytes)."""
    ChopsUpdate.render_segments = render_segments
    Compositor.render_partial_update = render_partial_update
