"""One-line reasons for the failures an operator can fix: what failed, on which path, and what to do."""

from __future__ import annotations

import errno
import logging
import os
from pathlib import Path

from tasks.store import StoreError


class ServerError(RuntimeError):
    """Prefect's embedded server did not come up; the message says how it ended."""


# The failures a run reports as one line (and, deployed, as its Failed state's message) instead of a traceback.
EXPECTED = (StoreError, OSError, ServerError)

_ADVICE = {
    errno.ENOSPC: "free space there or choose another --output",
    errno.EDQUOT: "free space there or choose another --output",
    errno.EACCES: "fix the permissions or choose another folder",
    errno.EPERM: "fix the permissions or choose another folder",
    errno.EROFS: "the file system is read-only: choose another folder or remount it read-write",
    errno.ENOTDIR: "a component of the path is a file: choose another path",
    errno.ENOENT: "check the path (is the share mounted?)",
    errno.EIO: "check the disk or the network mount",
}


def _errno(exc: OSError) -> int | None:
    if exc.errno is not None:
        return exc.errno
    # pyarrow raises a plain OSError whose text carries the C library's message but no errno.
    text = str(exc)
    return next((code for code in _ADVICE if text.find(f"[Errno {code}]") >= 0), None)


def one_line(exc: BaseException, output_dir: Path | None = None) -> str:
    """The reason as one line; with the output named, it says that the next run resumes from the last commit."""
    if isinstance(exc, StoreError):
        return " ".join(str(exc).split())
    if not isinstance(exc, OSError):
        return f"{type(exc).__name__}: {' '.join(str(exc).split())}"
    code = _errno(exc)
    where = exc.filename or output_dir or "?"
    what = exc.strerror or (errno.errorcode.get(code, "") if code else "") or " ".join(str(exc).split())
    if code in (errno.ENOSPC, errno.EDQUOT):
        what = "no space left on device"
    advice = _ADVICE.get(code or -1, "see --debug for the traceback")
    tail = "; the next run resumes from the last commit" if output_dir else ""
    return f"{where}: {what}; {advice}{tail}"


# Set by the CLI without --debug; shard worker processes inherit it and quiet their console the same way.
QUIET_ENV = "DEPECHE_QUIET_TRACEBACKS"


class _OneLine(logging.Formatter):
    """Formats an expected failure's record without its traceback; the run's `error:` line says the rest."""

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        if not (record.exc_info and isinstance(record.exc_info[1], EXPECTED)):
            return self.inner.format(record)
        saved = record.exc_info, record.exc_text
        record.exc_info, record.exc_text = None, None
        try:
            return self.inner.format(record)
        finally:
            record.exc_info, record.exc_text = saved


def quiet_console_tracebacks() -> None:
    """Console log lines of expected failures lose their traceback; the API (and the UI) still get it."""
    os.environ[QUIET_ENV] = "1"
    for handler in logging.getLogger().handlers:
        if type(handler).__name__ == "PrefectConsoleHandler" and not isinstance(handler.formatter, _OneLine):
            handler.setFormatter(_OneLine(handler.formatter or logging.Formatter()))
