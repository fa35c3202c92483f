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


SUFFIXES = (".json", ".svg")


def free_stem(folder: Path) -> Path:
    """fitplay-<date>-<time>, with -2, -3, ... added until neither a .json nor an .svg of that name exists."""
    base = f"fitplay-{datetime.now().strftime('%Y%m%d-%H%M%S')}"
    k = 1
    while True:
        stem = folder / (base if k == 1 else f"{base}-{k}")
        if not any(stem.with_suffix(s).exists() for s in SUFFIXES):
            return stem
        k += 1


def save_session(folder: Path, session_json: str, screenshot_svg: str) -> list[Path]:
    """Write the session JSON and the SVG under a fresh name; returns the paths written."""
    for _ in range(100):
        stem = free_stem(folder)
        json_path, svg_path = stem.with_suffix(".json"), stem.with_suffix(".svg")
        try:
            write_new(json_path, session_json)
        except FileExistsError:
            continue
        write_new(svg_path, screenshot_svg)
        return [json_path, svg_path]
    raise FileExistsError(f"{folder}: no free file name for the session")
