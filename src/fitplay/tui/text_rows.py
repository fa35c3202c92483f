"""A text widget that repaints row by row: a change resends only the rows that changed.

A Static re-renders all its rows and the screen resends them whenever one character changes (the readout's
loss on every key, the step count on every animation frame); this one wraps its text, keeps each row's strip
and refreshes only the rows that changed, whole: finding the changed cells within a row cost more CPU than
sending the row (0.3 ms a key, for about 40 bytes a row). Measured with `fitplay bench` (CPU and bytes per
key and per animation frame)."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region, Size
from textual.strip import Strip

from fitplay.tui.direct_lines import DirectLines


class TextRows(DirectLines):
    """Shows lines of rich Text, wrapped to the width; lays the screen out again only when its row count
    changes."""

    DEFAULT_CSS = "TextRows { height: auto; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._lines: list[Text] = []
        self._keys: list[tuple] = []  # each line's text, spans and style: what its rows depend on
        self._strips: list[Strip] = []
        self._rendered: dict[tuple, list[Strip]] = {}  # each line of the text as last rendered (width, style)
        self._style: Style | None = None  # the widget's own style (colours), until the styles change
        self._options: ConsoleOptions | None = None  # the console's options at the width, until a resize
        self._width = 0  # the width the rows were painted at

    def render(self) -> Text:
        """The text shown (what a screen reader or a test reads)."""
        return Text("\n").join(self._lines)

    def set_lines(self, lines: list[Text]) -> None:
        """Show these lines, each wrapped to the width (a line holding newlines is split): only the rows of a
        changed line are rendered again."""
        lines = [piece for line in lines
                 for piece in (line.split("\n", allow_blank=True) if "\n" in line.plain else (line,))]
        keys = [(line.plain, tuple(line.spans), line.style) for line in lines]
        if keys != self._keys:
            self._lines, self._keys = lines, keys
            self._repaint()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._restart()  # new colours (a theme change): every row repaints

    def paint_for_size(self, size: Size) -> None:
        if size.width != self._width:
            self._strips, self._width = self._rows(size.width), size.width

    def _restart(self) -> None:
        self._strips, self._rendered, self._style, self._options = [], {}, None, None
        self._repaint()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if width <= 0:
            return 0
        console = self.app.console
        options = console.options.update_width(width)
        return sum(1 if line.cell_len <= width else len(console.render_lines(line, options)) for line in self._lines)

    def _rows(self, width: int) -> list[Strip]:
        """The text's rows at the widget's width; a line of the text that did not change keeps its strips."""
        if width <= 0:
            return []
        if self._style is None:
            self._style = self.rich_style
        console, style = self.app.console, self._style
        if self._options is None or self._options.max_width != width:  # a new width: no row rendered before fits
            self._options, self._rendered = console.options.update_width(width), {}
        rendered: dict[tuple, list[Strip]] = {}
        rows: list[Strip] = []
        for line, key in zip(self._lines, self._keys):
            strips = rendered.get(key) or self._rendered.get(key)
            if strips is None:
                strips = [Strip(row, width) for row in _render(line, width, style, console, self._options)]
            rendered[key] = strips
            rows.extend(strips)
        self._rendered = rendered
        return rows

    def _repaint(self) -> None:
        """Wrap the text again and refresh the changed rows (or lay out again when the row count changed)."""
        if not self.is_mounted:
            return
        self._width = self.content_size.width
        new = self._rows(self._width)
        old, self._strips = self._strips, new
        if len(new) != len(old) or not old:
            self.refresh(layout=len(new) != len(old))
            return
        changed = [y for y, (before, after) in enumerate(zip(old, new)) if before is not after and before != after]
        if changed:
            self.refresh(*(Region(0, y, self._width, 1) for y in changed))  # in content coordinates

    def render_line(self, y: int) -> Strip:
        if y < len(self._strips):
            return self._strips[y]
        return Strip.blank(self.content_size.width, self.rich_style)


def _render(line: Text, width: int, style: Style, console: Console, options: ConsoleOptions) -> list[list[Segment]]:
    """One line of text as padded rows: a line that fits is rendered directly, five times faster than rich's
    wrapping (which a longer line takes)."""
    length = line.cell_len
    if length > width or "\t" in line.plain:
        return console.render_lines(line, options, style=style, pad=True)
    if line.style and not line.spans:  # Text.render leaves the line's own style out when it has no spans
        segments = [Segment(line.plain, style + console.get_style(line.style))]
    else:
        segments = list(Segment.apply_style(line.render(console), style))
    if length < width:
        segments.append(Segment(" " * (width - length), style))
    return [segments]
