"""Chart styles from the active theme: each cell kind gets a colour from a theme variable."""

from __future__ import annotations

from rich.style import Style

from fitplay.charts.grid import Kind

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


def chart_styles(variables: dict[str, str]) -> dict[Kind, Style]:
    """Kind -> rich Style for the theme's CSS variables."""
    styles = {}
    for kind, (name, fallback) in CHART_VARIABLES.items():
        colour = variables.get(name) or variables.get(fallback) or "default"
        styles[kind] = Style(color=_hex(colour), bold=kind in BOLD_KINDS)
    return styles


def _hex(colour: str) -> str:
    """Textual variables may carry alpha (#rrggbbaa); rich wants #rrggbb."""
    if colour.startswith("#") and len(colour) == 9:
        return colour[:7]
    return colour
