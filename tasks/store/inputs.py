"""Input files: listing the articles of an input folder, opening, reading and hashing them."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

from tasks.read import Rejected, check_size
from tasks.store.paths import StoreError

INPUT_SUFFIX = ".txt"


def list_sources(root: Path) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Sorted `*.txt` paths under root, relative with `/`; plus (source, reason, message) for folders not listed.

    Symlinked folders are not followed, so a symlink loop cannot make the walk endless.
    """
    problems: list[tuple[str, str, str]] = []

    def onerror(exc: OSError) -> None:
        where = Path(exc.filename).relative_to(root).as_posix() if exc.filename else "."
        problems.append((where, "unreadable_folder", f"{type(exc).__name__}: {exc.strerror}"))

    if not root.is_dir():
        raise StoreError(f"input folder {root} does not exist or is not a folder")
    sources: list[str] = []
    for folder, dirs, files in os.walk(root, onerror=onerror, followlinks=False):
        dirs.sort()
        rel = Path(folder).relative_to(root)
        sources.extend((rel / name).as_posix() for name in files if name.lower().endswith(INPUT_SUFFIX))
    return sorted(sources), problems


def open_source(root: Path, source: str) -> BinaryIO:
    """An input file opened for reading; Rejected unless it is a regular file inside the input folder.

    A FIFO named like an article would block a plain open() forever, and a symlink could lead anywhere on the machine.
    """
    path = root / source
    try:
        real = path.resolve(strict=True)
    except FileNotFoundError:
        raise Rejected("vanished", "file was deleted or moved after it was listed") from None
    except (OSError, RuntimeError) as exc:
        raise Rejected("unreadable", f"{type(exc).__name__}: {exc}") from None
    if not real.is_relative_to(root.resolve()):
        raise Rejected("outside_input", "a symlink that leads outside the input folder")
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise Rejected("unreadable", f"{type(exc).__name__}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise Rejected("not_a_file", "not a regular file (a folder, FIFO, socket or device)")
    return os.fdopen(fd, "rb")


def read_source(root: Path, source: str, *, max_bytes: int) -> bytes:
    """The bytes of one input file; raises Rejected with a reason for files that cannot be read."""
    with open_source(root, source) as fh:
        check_size(os.fstat(fh.fileno()).st_size, max_bytes=max_bytes)
        try:
            data = fh.read(max_bytes + 1)
        except OSError as exc:
            raise Rejected("unreadable", f"{type(exc).__name__}: {exc.strerror or exc}") from None
    # The size is checked again on the bytes: a file can grow between fstat and read.
    check_size(len(data), max_bytes=max_bytes)
    return data


def hash_sources(root: Path, sources: Sequence[str]) -> dict[str, str]:
    """source -> SHA-256 of its bytes ('' when it cannot be read, so that its shard reports why)."""

    def one(source: str) -> str:
        h = hashlib.sha256()
        try:
            with open_source(root, source) as fh:
                while chunk := fh.read(1 << 20):
                    h.update(chunk)
        except (Rejected, OSError):
            return ""
        return h.hexdigest()

    with ThreadPoolExecutor(max_workers=min(8, (os.cpu_count() or 1) * 2)) as pool:
        return dict(zip(sources, pool.map(one, sources), strict=True))


def stat_sources(root: Path, sources: Sequence[str]) -> dict[str, tuple[int, int]]:
    """source -> (size, mtime in ns) of the file it names, symlinks followed; (-1, -1) when it cannot be stat'ed."""

    def one(source: str) -> tuple[int, int]:
        try:
            st = os.stat(root / source)
        except OSError:
            return (-1, -1)
        return (st.st_size, st.st_mtime_ns) if stat.S_ISREG(st.st_mode) else (-1, -1)

    return {s: one(s) for s in sources}
