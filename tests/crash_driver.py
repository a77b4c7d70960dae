"""Run the flow CLI, SIGKILLing this process at the N-th call of one store function (a kill point).

Usage: python -m tests.crash_driver FUNCTION N -- <flows.news_etl arguments>
FUNCTION is one of KILL_POINTS; N counts calls from 1. With N = 0 the run is not interrupted.
"""

from __future__ import annotations

import os
import signal
import sys

from flows import news_etl
from tasks import store

# Reading inputs, writing Parquet (staging and snapshot files), and the commit's links, moves and pointer swap.
KILL_POINTS = ("read_source", "_write_atomic", "_move_new", "link", "replace")


def arm(function: str, n: int) -> None:
    calls = 0

    def wrap(real):  # type: ignore[no-untyped-def]
        def killing(*args, **kwargs):  # type: ignore[no-untyped-def]
            nonlocal calls
            calls += 1
            if calls == n:
                os.killpg(os.getpgrp(), signal.SIGKILL)  # the driver runs in its own session
            return real(*args, **kwargs)

        return killing

    if function in ("link", "replace"):
        # os.link and os.replace as the store module calls them (hard links into a snapshot, renames, the swap).
        fake_os = type(sys)("os_with_kill_point")
        fake_os.__dict__.update(os.__dict__)
        setattr(fake_os, function, wrap(getattr(os, function)))
        store.os = fake_os  # type: ignore[attr-defined]
    else:
        setattr(store, function, wrap(getattr(store, function)))


if __name__ == "__main__":
    function, n, sep, *rest = sys.argv[1:]
    assert sep == "--" and function in KILL_POINTS, __doc__
    if int(n):
        arm(function, int(n))
    sys.exit(news_etl.main(rest))
