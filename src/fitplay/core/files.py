"""Saving without losing anything: atomic writes that never replace an existing file."""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path


def write_new(path: Path, text: str) -> None:
    """Write text to path atomically; raise FileExistsError rather than replace a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.link(tmp, path)
    finally:
        os.unlink(tmp)


def free_stem(folder: Path, now: datetime | None = None, suffixes: tuple[str, ...] = (".json", ".svg")) -> Path:
    """fitplay-<date>-<time>, with -2, -3, ... added until no file with any of the suffixes exists."""
    base = f"fitplay-{(now or datetime.now()).strftime('%Y%m%d-%H%M%S')}"
    k = 1
    while True:
        stem = folder / (base if k == 1 else f"{base}-{k}")
        if not any(stem.with_suffix(s).exists() for s in suffixes):
            return stem
        k += 1


def save_session(folder: Path, session_json: str, screenshot_svg: str | None = None) -> list[Path]:
    """Write the session JSON (and the SVG) under a fresh name; returns the paths written."""
    for _ in range(100):
        stem = free_stem(folder)
        paths = [stem.with_suffix(".json")]
        try:
            write_new(paths[0], session_json)
        except FileExistsError:
            continue
        if screenshot_svg is not None:
            paths.append(stem.with_suffix(".svg"))
            write_new(paths[1], screenshot_svg)
        return paths
    raise FileExistsError(f"{folder}: no free file name for the session")
