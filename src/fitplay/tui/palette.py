"""Chart styles from the active theme: each cell kind gets a colour from a theme variable."""

from __future__ import annotations

from rich.color import Color as RichColor
from rich.style import Style
from textual.color import Color, ColorParseError

from fitplay.charts.grid import HEAT_LEVELS, ON_HEAT_KINDS, Kind, heat_kind, on_heat_kind

# Theme variable for each kind, and the Textual variable used when a theme does not set it.
CHART_VARIABLES: dict[Kind, tuple[str, str]] = {
    Kind.TEXT: ("chart-text", "foreground"),
    Kind.AXIS: ("chart-axis", "foreground-muted"),
    Kind.DATA: ("chart-data", "secondary"),
    Kind.LINE: ("chart-line", "accent"),
    Kind.TRUE: ("chart-true", "success"),
    Kind.RESID: ("chart-residual", "warning"),
    Kind.PATH: ("chart-path", "error"),
    Kind.MARK: ("chart-mark", "foreground-muted"),
    Kind.POINT: ("chart-point", "error"),
    Kind.MUTED: ("chart-axis", "foreground-muted"),
}
BOLD_KINDS = {Kind.LINE, Kind.POINT}
DEFAULT_MAP = "#0D0887 #46039F #7201A8 #9C179E #BD3786 #D8576B #ED7953 #FB9F3A #FDCA26 #F0F921"


def _rich(colour: str | None) -> RichColor | None:
    """A Textual colour (hex, name or ansi_*) as a rich colour; None when unset or unparseable."""
    if not colour:
        return None
    try:
        return Color.parse(colour).rich_color
    except ColorParseError:
        return None


def heat_colours(variables: dict[str, str]) -> list[RichColor]:
    """HEAT_LEVELS colours from the theme's chart-map, low loss first."""
    parsed = [c for c in (_rich(p) for p in (variables.get("chart-map") or DEFAULT_MAP).split()) if c is not None]
    parsed = parsed or [c for c in (_rich(p) for p in DEFAULT_MAP.split()) if c is not None]
    return [parsed[round(i * (len(parsed) - 1) / (HEAT_LEVELS - 1))] for i in range(HEAT_LEVELS)]


def chart_styles(variables: dict[str, str]) -> dict[int, Style]:
    """Cell kind -> rich Style for the theme's CSS variables, heat-map cells included. Every cell carries the
    theme's background, so the chart's text stays readable whatever the terminal's own background is."""
    styles: dict[int, Style] = {}
    background = _rich(variables.get("background"))
    for kind, (name, fallback) in CHART_VARIABLES.items():
        colour = _rich(variables.get(name)) or _rich(variables.get(fallback))
        styles[kind] = Style(color=colour, bgcolor=background, bold=kind in BOLD_KINDS)
    heat = heat_colours(variables)
    for upper in range(HEAT_LEVELS):
        for lower in range(HEAT_LEVELS):
            styles[heat_kind(upper, lower)] = Style(color=heat[upper], bgcolor=heat[lower])
    for kind in ON_HEAT_KINDS:
        for level in range(HEAT_LEVELS):
            styles[on_heat_kind(kind, level)] = styles[kind] + Style(bgcolor=heat[level])
    return styles
