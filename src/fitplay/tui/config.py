"""The user's configuration folder, bounded and validated reading of its files, and the loading of a kind of
file (themes, lesson steps) from the package and from that folder, skipping bad ones with a message."""

from __future__ import annotations

import importlib
import os
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from fitplay.core.files import read_limited
from fitplay.errors import InputError

MAX_CONFIG_BYTES = 64 * 1024
T = TypeVar("T")


def config_dir() -> Path:
    """$XDG_CONFIG_HOME/fitplay (default ~/.config/fitplay)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "fitplay"


def read_text(path: Path, error: type[InputError]) -> str:
    """A settings file's text; raise `error` with one line naming the file (not a file, too big, not UTF-8)."""
    raw = read_limited(str(path), MAX_CONFIG_BYTES, error, "settings file", pipes=False)  # read before the UI
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise error(f"{path}: not UTF-8 text") from None


def parse_toml(text: str, path: Path, error: type[InputError]) -> dict:
    """TOML text's table; raise `error` with one line naming the file (bad TOML, nested too deeply)."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: not valid TOML ({exc})") from None
    except RecursionError:
        raise error(f"{path}: nested too deeply") from None
    except ValueError as exc:  # an integer of thousands of digits
        raise error(f"{path}: not a usable TOML value ({str(exc).splitlines()[0][:80]})") from None


def read_toml(path: Path, error: type[InputError]) -> dict:
    """A TOML file's table; raise `error` with one line naming the file (not a file, too big, bad TOML)."""
    return parse_toml(read_text(path, error), path, error)


def bundled_files(package: str, suffix: str) -> list[Path]:
    """The files of a kind shipped in a package folder (fitplay.themes, fitplay.lessons), by name. The package's
    own folder is listed: importlib.resources would load zipfile (about 20 ms of the first frame) for a package
    that pip never installs zipped."""
    folders = importlib.import_module(package).__path__
    return sorted(p for folder in folders for p in Path(folder).iterdir() if p.name.endswith(suffix))


def load_files(bundled: list[Path], user_dir: Path, suffix: str, parse: Callable[[Path], T],
               error: type[InputError], what: str) -> tuple[list[tuple[T, str]], list[str]]:
    """Each bundled file, then each of the user's (`*suffix` in user_dir), parsed, with where it came from
    ("bundled" or its path); a file that `parse` refuses is skipped with a message naming it."""
    user_files = sorted(user_dir.glob(f"*{suffix}")) if user_dir.is_dir() else []
    loaded, errors = [], []
    for path, source in [(p, "bundled") for p in bundled] + [(p, str(p)) for p in user_files]:
        try:
            loaded.append((parse(path), source))
        except error as exc:
            errors.append(f"skipped {what}: {exc}")
    return loaded, errors
