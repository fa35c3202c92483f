"""Theme files: `themes/*.toml` shipped in the wheel, plus the user's own, validated before use."""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from textual.color import Color, ColorParseError
from textual.theme import BUILTIN_THEMES, Theme

from fitplay.errors import InputError
from fitplay.tui.config import bundled_files, config_dir, load_files, read_toml

DEFAULT_THEME = "dark"
COLOUR_KEYS = ("primary", "secondary", "accent", "foreground", "background", "surface", "panel", "boost",
               "success", "warning", "error")
FLAG_KEYS = ("dark", "ansi")
CHART_KEYS = ("chart-data", "chart-line", "chart-true", "chart-residual", "chart-path", "chart-point",
              "chart-axis", "chart-text", "chart-mark", "chart-map")


# Variables Textual's widgets need in a theme that uses the terminal's own colours (ansi = true).
ANSI_VARIABLES = dict(BUILTIN_THEMES["ansi-dark"].variables)


class ThemeError(InputError):
    """A theme file that cannot be used; the message names the file."""


class ThemeEntry(NamedTuple):
    theme: Theme
    source: str


def user_theme_dir() -> Path:
    return config_dir() / "themes"


def bundled_theme_files() -> list[Path]:
    return bundled_files("fitplay.themes", ".toml")


def _colour(path: Path, key: str, value: object) -> str:
    if not isinstance(value, str):
        raise ThemeError(f"{path}: {key} must be a colour string")
    try:
        Color.parse(value)
    except ColorParseError:
        raise ThemeError(f"{path}: {key} = {value!r} is not a colour") from None
    return value


def parse_theme(path: Path) -> Theme:
    """A Textual Theme from a TOML file; raise ThemeError with one line naming the file."""
    name = path.stem
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        raise ThemeError(f"{path}: a theme's file name is its name: letters, digits, - and _ only")
    doc = read_toml(path, ThemeError)
    unknown = set(doc) - {"name", "variables", *COLOUR_KEYS, *FLAG_KEYS}
    if unknown:
        raise ThemeError(f"{path}: unknown key {sorted(unknown)[0]!r}")
    if doc.get("name", name) != name:
        raise ThemeError(f"{path}: name {doc['name']!r} differs from the file name {name!r}")
    if "primary" not in doc:
        raise ThemeError(f"{path}: primary colour missing")
    colours = {k: _colour(path, k, doc[k]) for k in COLOUR_KEYS if k in doc}
    flags = {}
    for k in FLAG_KEYS:
        if k in doc:
            if not isinstance(doc[k], bool):
                raise ThemeError(f"{path}: {k} must be true or false")
            flags[k] = doc[k]
    variables = doc.get("variables", {})
    if not isinstance(variables, dict):
        raise ThemeError(f"{path}: [variables] must be a table")
    unknown = set(variables) - set(CHART_KEYS) - set(ANSI_VARIABLES)
    if unknown:
        raise ThemeError(f"{path}: unknown variable {sorted(unknown)[0]!r}")
    for key, value in variables.items():
        parts = value.split() if key == "chart-map" and isinstance(value, str) else [value]
        for part in parts:
            _colour(path, key, part)
    if flags.get("ansi"):
        variables = {**ANSI_VARIABLES, **variables}
    return Theme(name=name, variables=dict(variables), **colours, **flags)


def load_themes(user_dir: Path | None = None) -> tuple[list[ThemeEntry], list[str]]:
    """Bundled then user themes (a user file replaces a bundled one of the same name), and the skipped files."""
    loaded, errors = load_files(bundled_theme_files(), user_dir if user_dir is not None else user_theme_dir(),
                                ".toml", parse_theme, ThemeError, "theme")
    entries = {theme.name: ThemeEntry(theme, source) for theme, source in loaded}
    return list(entries.values()), errors


def all_theme_names(entries: list[ThemeEntry]) -> list[str]:
    """fitplay's themes first, then Textual's built-in ones."""
    ours = [e.theme.name for e in entries]
    return ours + [n for n in BUILTIN_THEMES if n not in ours]
