"""The user's configuration folder and bounded, validated reading of its TOML files."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from fitplay.errors import InputError

MAX_CONFIG_BYTES = 64 * 1024


def config_dir() -> Path:
    """$XDG_CONFIG_HOME/fitplay (default ~/.config/fitplay)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "fitplay"


def read_toml(path: Path, error: type[InputError]) -> dict:
    """A TOML file's table; raise `error` with one line naming the file (not a file, too big, bad TOML)."""
    if not path.is_file():
        raise error(f"{path}: not a file")
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise error(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise error(f"{path}: larger than {MAX_CONFIG_BYTES // 1024} KB")
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise error(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: not valid TOML ({exc})") from None
    except RecursionError:
        raise error(f"{path}: nested too deeply") from None
