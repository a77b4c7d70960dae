"""Shard worker processes forked from one that has loaded the models, so that they share its pages copy-on-write.

Prefect's ProcessPoolTaskRunner starts its workers with `spawn`: each is a fresh interpreter that imports everything
and loads every model again (~1.6 GB and ~13 s apiece). Here the workers come from multiprocessing's fork server,
which imports `flows.preloaded` once, before its first fork: that module loads the run's ModelSpec. The fork server
starts at the beginning of the run, so the load overlaps listing and planning, and each worker starts with the
models in place. It is one per process (multiprocessing's design): a later run in the same process with another
spec gets workers that load what they miss themselves, on first use.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
import types
from dataclasses import asdict
from multiprocessing import forkserver
from typing import Any
from unittest import mock

import prefect.task_runners
from prefect.task_runners import ProcessPoolTaskRunner

from flows import interrupt
from flows.prefect_tasks import DEFAULT_MODELS, ModelSpec

PRELOAD_ENV = "DEPECHE_PRELOAD_MODELS"  # the spec, as JSON, in the fork server's environment
PRELOAD_MODULE = "flows.preloaded"
_starting = threading.Lock()


def encode(spec: ModelSpec) -> str:
    return json.dumps(asdict(spec))


def decode(text: str) -> ModelSpec:
    """The ModelSpec that `encode` wrote; raises ValueError on anything else."""
    raw = json.loads(text)
    return ModelSpec(
        ner_models=tuple((str(a), str(b)) for a, b in raw["ner_models"]),
        detector=raw["detector"],
        languages=tuple(raw["languages"]),
        preload=bool(raw["preload"]),
    )


def start_fork_server(spec: ModelSpec) -> None:
    """Start this process's fork server, which loads `spec` before its first fork; no-op once it runs."""
    with _starting:
        multiprocessing.get_context("forkserver").set_forkserver_preload([PRELOAD_MODULE])
        # The fork server is spawned with this process's environment, the one channel multiprocessing gives it
        # besides module names; restored at once, and never read by this process.
        previous = os.environ.get(PRELOAD_ENV)
        os.environ[PRELOAD_ENV] = encode(spec)
        try:
            forkserver.ensure_running()
        finally:
            if previous is None:
                os.environ.pop(PRELOAD_ENV, None)
            else:
                os.environ[PRELOAD_ENV] = previous


class PreloadedProcessPoolTaskRunner(ProcessPoolTaskRunner):
    """ProcessPoolTaskRunner whose workers fork from the fork server holding the loaded models."""

    def __init__(self, spec: ModelSpec = DEFAULT_MODELS, max_workers: int | None = None) -> None:
        super().__init__(max_workers=max_workers, initializer=interrupt.ignore_terminal_interrupt)
        self.spec = spec

    def duplicate(self) -> PreloadedProcessPoolTaskRunner:
        return type(self)(self.spec, self._max_workers)

    def __enter__(self) -> PreloadedProcessPoolTaskRunner:
        start_fork_server(self.spec)
        context = multiprocessing.get_context("forkserver")
        # ProcessPoolTaskRunner.__enter__ asks its module's `multiprocessing` for the spawn context and offers no
        # option; this swaps that one name, for that one call, and the rest of the runner is Prefect's own.
        stand_in: Any = types.SimpleNamespace(get_context=lambda method=None: context)
        with mock.patch.object(prefect.task_runners, "multiprocessing", stand_in):
            super().__enter__()
        return self
