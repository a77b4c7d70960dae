"""Checks made before a run starts Prefect: the output folder can be created and written, and no run holds its lock.

They fail in well under a second with a message naming the path and what to do; the flow still takes the lock itself.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
import uuid
from pathlib import Path

from tasks.store.paths import LOCK, StoreError


def check_output(out: Path) -> None:
    """Create the output folder if needed and prove it writable by creating and removing a hidden file in it."""
    for parent in (out, *out.parents):
        if parent.exists() and not parent.is_dir():
            raise StoreError(f"output {out}: {parent} is a file, not a folder; choose another --output")
        if parent.exists():
            break
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".write-test.{uuid.uuid4().hex[:8]}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise StoreError(
            f"output {out} is not writable ({exc.strerror or exc}); choose a folder you can write to,"
            " or fix its permissions or mount"
        ) from exc


def lock_holder(out: Path, wait_seconds: float = 0.0) -> str | None:
    """Who holds the output's lock after waiting up to wait_seconds for it, or None when it is free (not kept)."""
    path = out / LOCK
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    return os.pread(fd, 200, 0).decode(errors="replace").strip() or "another process"
                time.sleep(0.2)
            else:
                fcntl.flock(fd, fcntl.LOCK_UN)
                return None
    finally:
        os.close(fd)


def check_unlocked(out: Path, wait_seconds: float = 0.0) -> None:
    """Refuse at once when another run holds the output, naming it and the option that waits for it."""
    holder = lock_holder(out, wait_seconds)
    if holder is not None:
        waited = f" after waiting {wait_seconds:g} s" if wait_seconds else ""
        raise StoreError(
            f"output {out} is in use by another run ({holder}){waited}; wait for it to finish, or pass"
            " --lock-wait-seconds N to wait up to N seconds for it"
        )
