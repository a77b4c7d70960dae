"""Imported by the fork server before its first fork (flows/workers.py): loads the run's models once for all workers."""

from __future__ import annotations

import gc
import os
import signal


def _preload() -> None:
    """Load the ModelSpec in the environment, if any; a failure is left to the worker that needs the models."""
    from flows import interrupt

    # Until the fork server's loop starts it does not ignore Ctrl-C itself, and it must outlive no run.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    interrupt.die_with_parent()
    from flows.prefect_tasks import load_models
    from flows.workers import PRELOAD_ENV, decode

    text = os.environ.get(PRELOAD_ENV)
    if not text:
        return
    try:
        load_models(decode(text))
    except Exception:  # the same load in the worker raises it again, inside the shard task that reports it
        return
    # Objects alive now are never traversed by the collector again: it would write to their headers and turn the
    # pages the workers share into private copies.
    gc.freeze()


_preload()
