"""The user's configuration folder and bounded, validated reading of its TOML files."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from fitplay.core.files import read_limited
from fitplay.errors import InputError

MAX_CONFIG_BYTES = 64 * 1024


def config_dir() -> Path:
    """$XDG_CONFIG_HOME/fitplay (default ~/.config/fitplay)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "fitplay"


def read_toml(path: Path, error: type[InputError]) -> dict:
    """A TOML file's table; raise `error` with one line naming the file (not a file, too big, bad TOML)."""
    raw = read_limited(str(path), MAX_CONFIG_BYTES, error, "settings file", pipes=False)  # read before the UI
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise error(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: not valid TOML ({exc})") from None
    except RecursionError:
        raise error(f"{path}: nested too deeply") from None
