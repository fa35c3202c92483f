"""Files in and out: bounded reads that never block or exhaust memory, and saves that write every file or
none, atomically, never replacing an existing file."""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from fitplay.errors import InputError


@contextmanager
def open_limited(path: str, limit: int, error: type[InputError], what: str, pipes: bool = True) -> Iterator[BinaryIO]:
    """A file, a pipe (`<(command)`) or stdin ("-") opened for reading; raise `error`, one line naming the file,
    for anything else: missing, a folder, a device such as /dev/zero, a regular file over `limit`. Opening never
    blocks, and a pipe without a writer reads as empty. Reading in pieces, use `read_part` and `too_large`."""
    if path == "-":
        if sys.stdin is None:
            raise error("<stdin>: standard input is closed")
        yield sys.stdin.buffer
        return
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise error(f"{path or repr(path)}: no such file") from None
    except PermissionError:
        raise error(f"{path}: permission denied") from None
    except OSError as exc:
        raise error(f"{path}: cannot read ({exc.strerror or exc})") from None
    info = os.fstat(fd)
    if stat.S_ISDIR(info.st_mode) or not ((pipes and stat.S_ISFIFO(info.st_mode)) or stat.S_ISREG(info.st_mode)):
        os.close(fd)
        kind = "is a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file (a device, pipe or socket)"
        raise error(f"{path}: {kind}, not a {what}")
    if info.st_size > limit:
        os.close(fd)
        raise error(f"{path}: {_size(info.st_size)}: too large for a {what} (the limit is {_size(limit)})")
    with os.fdopen(fd, "rb") as f:
        if stat.S_ISFIFO(info.st_mode):
            os.set_blocking(f.fileno(), True)
        yield f


def read_part(read: Callable[[int], bytes], size: int, path: str, error: type[InputError]) -> bytes:
    """read(size) on a stream opened by open_limited (its read or readline); a failure is `error`, naming the
    file."""
    try:
        return read(size)
    except OSError as exc:
        raise error(f"{source_name(path)}: cannot read ({exc.strerror or exc})") from None


def source_name(path: str) -> str:
    """How messages name a file: its path, or <stdin> for "-"."""
    return "<stdin>" if path == "-" else path


def too_large(path: str, limit: int, what: str) -> str:
    """The message for a pipe or stdin found to hold more than `limit` bytes."""
    return f"{source_name(path)}: more than {_size(limit)}: too large for a {what}"


def read_limited(path: str, limit: int, error: type[InputError], what: str, pipes: bool = True) -> bytes:
    """The bytes of a file, a pipe or stdin up to `limit`, opened by open_limited (same errors)."""
    with open_limited(path, limit, error, what, pipes) as stream:
        data = read_part(stream.read, limit + 1, path, error)
    if len(data) > limit:
        raise error(too_large(path, limit, what))
    return data


def _size(n: int) -> str:
    for unit, factor in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= factor:
            return f"{n / factor:.4g} {unit}"
    return f"{n} bytes"


SUFFIXES = (".json", ".svg")


def free_stem(folder: Path) -> Path:
    """fitplay-<date>-<time>, with -2, -3, ... added until no file (or dangling link) of that name exists."""
    base = f"fitplay-{datetime.now().strftime('%Y%m%d-%H%M%S')}"
    k = 1
    while True:
        stem = folder / (base if k == 1 else f"{base}-{k}")
        if not any(os.path.lexists(stem.with_suffix(s)) for s in SUFFIXES):
            return stem
        k += 1


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _temporary(folder: Path, name: str, text: str) -> str:
    """text written and synced to a temporary file beside its final name."""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # as open() would make it (mkstemp makes it private)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def write_all_new(files: list[tuple[Path, str]]) -> None:
    """Write every (path, text) or none: all are written to temporary files first, then linked into place;
    a name that exists (a file or a dangling link) is never replaced. Raises OSError (FileExistsError)."""
    temps: list[str] = []
    linked: list[Path] = []
    try:
        for path, text in files:
            temps.append(_temporary(path.parent, path.name, text))
        for (path, _), tmp in zip(files, temps):
            os.link(tmp, path)
            linked.append(path)
    except BaseException:
        for path in linked:
            os.unlink(path)
        raise
    finally:
        for tmp in temps:
            os.unlink(tmp)


def write_new(path: Path, text: str) -> None:
    """Write text to path atomically; raise FileExistsError rather than replace a file."""
    write_all_new([(path, text)])


def write_replacing(path: Path, text: str) -> None:
    """Write text to path atomically, replacing the file if there is one (a reader sees the old or the new
    text, never a part)."""
    tmp = _temporary(path.parent, path.name, text)
    try:
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def save_session(folder: Path, session_json: str, screenshot_svg: str) -> list[Path]:
    """Write the session JSON and the SVG under a fresh name, both or neither; returns the paths written."""
    for _ in range(100):
        stem = free_stem(folder)
        paths = [stem.with_suffix(".json"), stem.with_suffix(".svg")]
        try:
            write_all_new(list(zip(paths, (session_json, screenshot_svg))))
        except FileExistsError:
            continue
        return paths
    raise FileExistsError(f"{folder}: no free file name for the session")
