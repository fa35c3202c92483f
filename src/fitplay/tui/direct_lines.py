"""Widgets whose rows go to the compositor as they were painted, without Textual's styles cache.

Textual's styles cache restyles and copies every row it is asked for: the border, the padding and the content
again, on every key and animation frame. The charts and the panel's text already keep each row finished at the
content width, so their changed rows are handed over as they are; the border and padding cells beside them are
cut once from a row Textual rendered. Measured with `fitplay bench` (CPU per key and per animation frame)."""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import NamedTuple

from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import LineFilter
from textual.geometry import Region, Size, Spacing
from textual.strip import Strip
from textual.widget import Widget

PLAIN = Style()  # never None: Textual's monochrome filter (NO_COLOR) needs a style on every segment
_STYLE = itemgetter(1)  # a Segment's style
_STYLES_SEEN = 4096  # the verdicts kept per filter: a theme has a few dozen styles, text made anew may add more


class _Look(NamedTuple):
    """What a widget's styles say about drawing its rows (worked out again when its styles change)."""

    direct: bool  # no tint, opacity, text opacity, hatch or border title: the rows can go as they are
    gutter: Spacing
    background: Color


class DirectLines(Widget):
    """A widget whose `render_line(y)` returns content row y finished, at the content width."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._look: _Look | None = None
        self._sides: tuple[tuple, Strip, Strip] | None = None  # (what they depend on, left cells, right cells)
        self._filter_styles: dict[tuple[LineFilter, Color], tuple[dict, set]] = {}  # styles seen, ids changed

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._look, self._sides, self._filter_styles = None, None, {}

    def _looks(self) -> _Look:
        if self._look is None:
            styles = self.styles
            direct = not (styles.tint.a or self.opacity < 1 or styles.text_opacity < 1 or styles.has_rule("hatch")
                          or self._border_title is not None or self._border_subtitle is not None)
            self._look = _Look(direct, styles.gutter, self.background_colors[1])
        return self._look

    def paint_for_size(self, size: Size) -> None:
        """Paint the rows for this content size if they were painted for another (none yet, or a resize).

        Called as the rows are drawn, so the frame that lays a widget out already shows its content: painting
        on the Resize event that follows would draw the first frame blank and then draw it again."""

    def render_lines(self, crop: Region) -> list[Strip]:
        return self.render_rows(crop.line_range, crop.column_span)

    def render_rows(self, rows: Sequence[int], span: tuple[int, int]) -> list[Strip]:
        """Rows `rows` (ascending, any gaps) of the widget, cells span[0] to span[1], as painted, through the
        app's line filters (colour conversion, NO_COLOR), between the border and padding cells. One call for
        every changed row: a moving line changes rows with gaps between them, and each call costs about as
        much as two rows. A tint, an opacity, a border title or a row of the top or bottom border or padding
        takes Textual's way."""
        if not rows:
            return []
        look, (width, height) = self._looks(), self.outer_size
        gutter = look.gutter
        self.paint_for_size(Size(width - gutter.width, height - gutter.height))  # Widget.size: a lookup in the map
        x0, x1 = span
        if not look.direct or rows[0] < gutter.top or rows[-1] >= height - gutter.bottom:
            render = super().render_lines
            return [strip for y in rows for strip in render(Region(x0, y, x1 - x0, 1))]
        filters = tuple(self.get_line_filters())
        content_width = width - gutter.width
        strips = [self._filtered(self.render_line(y - gutter.top).adjust_cell_length(content_width, PLAIN), filters,
                                 look.background) for y in rows]
        if content_width != width:
            left, right = self._gutter_cells(gutter, filters)
            strips = [Strip.join([left, strip, right]) for strip in strips]
        if span != (0, width):
            strips = [strip.crop(x0, x1) for strip in strips]
        return strips

    def _filtered(self, strip: Strip, filters: tuple[LineFilter, ...], background: Color) -> Strip:
        """A row through each filter that changes one of its styles (ANSIToTruecolor leaves the theme's own
        colours as they are: running it over every changed row would only copy them). Which styles a filter
        changes is found once per style; a row's styles are checked as a set of their ids (a Style hashes in
        Python), each style seen kept alive so that its id stays its own."""
        ids = set(map(id, map(_STYLE, strip)))
        for line_filter in filters:
            seen, changed = self._filter_styles.setdefault((line_filter, background), ({}, set()))
            if len(seen) > _STYLES_SEEN:
                seen.clear()
                changed.clear()
            if not seen.keys() >= ids:
                for style in map(_STYLE, strip):
                    if id(style) not in seen:
                        seen[id(style)] = style
                        if style is None or line_filter.apply([Segment(" ", style)], background)[0].style != style:
                            changed.add(id(style))
            if not ids.isdisjoint(changed):
                strip = strip.apply_filter(line_filter, background)
                ids = set(map(id, map(_STYLE, strip)))
        return strip

    def _gutter_cells(self, gutter: Spacing, filters: tuple[LineFilter, ...]) -> tuple[Strip, Strip]:
        """The border and padding cells left and right of a content row, as Textual renders them (once for
        the size and filters)."""
        key = (self.outer_size, filters)
        if self._sides is None or self._sides[0] != key:
            width = self.outer_size.width
            row = super().render_lines(Region(0, gutter.top, width, 1))[0]
            self._sides = (key, row.crop(0, gutter.left), row.crop(width - gutter.right, width))
        return self._sides[1], self._sides[2]
