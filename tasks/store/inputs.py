"""Input files: listing the articles of an input folder, opening, reading and hashing them."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import stat
import zlib
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from tasks.pipeline import SourceFile, content_sha256
from tasks.read import Rejected, check_size
from tasks.store.paths import StoreError

INPUT_SUFFIXES = (".txt", ".txt.gz")
GZIP_SUFFIX = ".gz"
# Keys of `Listing.ignored` for entries that have no extension to count them by.
NO_EXTENSION = "(none)"
HIDDEN = "(hidden)"
SYMLINKED_FOLDER = "(symlinked folder)"
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Listing:
    """The articles under an input folder, the folders that could not be listed, and what was left out, by kind."""

    sources: list[str]
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (source, reason, message)
    ignored: dict[str, int] = field(default_factory=dict)  # `.pdf`, `(none)`, `(hidden)`... -> count

    @property
    def files_ignored(self) -> int:
        return sum(self.ignored.values())


def list_sources(root: Path) -> Listing:
    """Sorted `*.txt` and `*.txt.gz` paths under root, relative with `/`; every other entry counted, none read.

    Hidden files and folders (a leading `.`: `.git`, `.DS_Store`, the `.name.txt.XXXX` temporary of a copy in
    progress) are not read and not walked into; each counts once as `(hidden)`. Symlinked folders are not followed,
    so a symlink loop cannot make the walk endless; each counts once as `(symlinked folder)`.
    """
    problems: list[tuple[str, str, str]] = []
    ignored: Counter[str] = Counter()

    def onerror(exc: OSError) -> None:
        where = Path(exc.filename).relative_to(root).as_posix() if exc.filename else "."
        problems.append((where, "unreadable_folder", f"{type(exc).__name__}: {exc.strerror}"))

    if not root.is_dir():
        raise StoreError(f"input folder {root} does not exist or is not a folder")
    sources: list[str] = []
    for folder, dirs, files in os.walk(root, onerror=onerror, followlinks=False):
        rel = Path(folder).relative_to(root)
        hidden = [d for d in dirs if d.startswith(".")]
        linked = [d for d in dirs if not d.startswith(".") and os.path.islink(os.path.join(folder, d))]
        ignored[HIDDEN] += len(hidden)
        ignored[SYMLINKED_FOLDER] += len(linked)
        dirs[:] = sorted(d for d in dirs if d not in hidden)
        for name in files:
            if name.startswith("."):
                ignored[HIDDEN] += 1
            elif name.lower().endswith(INPUT_SUFFIXES):
                sources.append((rel / name).as_posix())
            else:
                ignored[Path(name).suffix.lower() or NO_EXTENSION] += 1
    return Listing(sorted(sources), problems, {k: n for k, n in sorted(ignored.items()) if n})


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


def read_source(root: Path, source: str, *, max_bytes: int) -> SourceFile:
    """One input file as an article: its bytes, decompressed for `*.gz`; Rejected with a reason when it cannot be.

    `max_bytes` bounds the article, so a `.gz` is streamed and refused once its decompressed size passes the limit
    (a gzip bomb costs max_bytes of memory, not its expanded size). The hash is the one of the file's own bytes.
    """
    with open_source(root, source) as fh:
        check_size(os.fstat(fh.fileno()).st_size, max_bytes=max_bytes)
        try:
            raw = fh.read(max_bytes + 1)
        except OSError as exc:
            raise Rejected("unreadable", f"{type(exc).__name__}: {exc.strerror or exc}") from None
    # The size is checked again on the bytes: a file can grow between fstat and read.
    check_size(len(raw), max_bytes=max_bytes)
    if not source.lower().endswith(GZIP_SUFFIX):
        return SourceFile(source, raw)
    data = gunzip(raw, max_bytes=max_bytes)
    return SourceFile(source, data, content_sha256(raw))


def gunzip(raw: bytes, *, max_bytes: int) -> bytes:
    """The decompressed bytes of a gzip file, read in chunks; Rejected when corrupt or over max_bytes."""
    out = bytearray()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as gz:
            while chunk := gz.read(_CHUNK):
                out += chunk
                if len(out) > max_bytes:
                    raise Rejected(
                        "too_large",
                        f"decompresses to over {max_bytes} bytes, the limit ({len(raw)} bytes compressed); stopped",
                    )
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise Rejected("corrupt_gzip", f"not a readable gzip file: {exc or type(exc).__name__}") from None
    if not out:
        raise Rejected("empty", f"gzip file of {len(raw)} bytes decompresses to 0 bytes")
    return bytes(out)


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
