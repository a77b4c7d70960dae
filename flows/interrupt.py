"""Ctrl-C and SIGTERM for direct runs: one line, an exit within seconds, nothing half-committed.

A terminal sends SIGINT to its whole process group. Prefect's embedded server is a child process, so it used to die
first and leave the run retrying a dead API for a minute and a half. Here the server runs in its own session (it dies
with its parent, through the parent-death signal), shard worker processes ignore SIGINT and die with their parent
too, and the main process turns the first signal into one line and an exit. The commit swaps one symlink, so an
interrupt at any instant leaves the previous snapshot or the new one, and the next run removes the rest.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

from flows import errors

if TYPE_CHECKING:
    from flows.embedded import EmbeddedServer

MESSAGE = "interrupted; the next run resumes"
EXIT_CODE = 130  # 128 + SIGINT, what a shell reports for a job stopped by Ctrl-C
# After the first signal the run gets this long to end on its own (Prefect marks the flow run crashed); a shard
# in a thread cannot be stopped from outside, so past this the process exits without waiting for it.
GRACE_SECONDS = 4.0

_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def die_with_parent() -> None:
    """In a child process: get SIGTERM when the parent dies, so that no server or worker outlives a run."""
    if _libc is not None:
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def ignore_terminal_interrupt() -> None:
    """Initializer of shard worker processes: the main process handles Ctrl-C, workers die with it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    if os.environ.get(errors.QUIET_ENV):
        errors.quiet_console_tracebacks()


class _Interrupts:
    """The first SIGINT/SIGTERM/SIGHUP raises KeyboardInterrupt and arms the exit; a second one exits at once."""

    def __init__(self, server: EmbeddedServer | None) -> None:
        self.server = server
        self.received = False

    def __call__(self, signum: int, frame: object) -> None:
        if self.received:
            self.exit()
        self.received = True
        # Prefect's crash reports and the shard thread's logs would bury the one line that matters.
        logging.disable(logging.CRITICAL)
        timer = threading.Timer(GRACE_SECONDS, self.exit)
        timer.daemon = True
        timer.start()
        raise KeyboardInterrupt

    def exit(self) -> None:
        """Print the line, stop the server, and leave without joining a shard thread that may still be running."""
        print(MESSAGE, file=sys.stderr, flush=True)
        if self.server is not None:
            self.server.stop(timeout=2)
        sys.stdout.flush()
        os._exit(EXIT_CODE)


_active: _Interrupts | None = None


def direct_run() -> bool:
    """True inside `python -m flows.news_etl` (the CLI's `handled` block), False in a deployed or served run."""
    return _active is not None


def reclaim_sigterm() -> None:
    """Inside the flow of a direct run: take SIGTERM back from Prefect's bridge, so it ends the run as Ctrl-C does.

    Prefect installs the bridge for every flow run, to honour cancellations sent by a runner; a direct run has no
    runner, and the bridge's crash report would bury the one line. Deployed runs never enter `handled`, so keep it.
    """
    if _active is not None and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _active)


@contextlib.contextmanager
def handled(server: EmbeddedServer | None) -> Iterator[None]:
    """Within the block a terminal's Ctrl-C or a SIGTERM ends the process with one line and exit code 130."""
    global _active
    interrupts = _active = _Interrupts(server)
    # Shard worker processes leave named semaphores behind when the run exits at once; multiprocessing's resource
    # tracker unlinks them and would warn about each on stderr. Its command line takes our warning options.
    if "ignore:resource_tracker:UserWarning" not in sys.warnoptions:
        sys.warnoptions.append("ignore:resource_tracker:UserWarning")
    previous = {s: signal.signal(s, interrupts) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    except KeyboardInterrupt:
        interrupts.exit()
    except BaseException:
        # Whatever a signal's KeyboardInterrupt turned into on its way out of Prefect's engine.
        if interrupts.received:
            interrupts.exit()
        raise
    finally:
        _active = None
        for s, handler in previous.items():
            signal.signal(s, handler)
