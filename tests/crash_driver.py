"""A fork server for kill tests: loads the models once, then runs the flow CLI in a forked child per request.

Each request is one JSON line on stdin, `[FUNCTION, N, [flow CLI arguments...]]`; the child SIGKILLs its own
process group at the N-th call of FUNCTION (one of KILL_POINTS; N = 0 runs uninterrupted). The reply is one line
on stdout: the child's exit code (negative for a signal). Forking after the models are loaded keeps each run to
the flow's own cost, so 20 kill points fit in CI time.
"""

from __future__ import annotations

import json
import os
import signal
import sys

from flows import news_etl
from flows.prefect_tasks import DEFAULT_MODELS, load_models
from tasks import store
from tasks.store import manifest, parquet, snapshot

# Reading inputs, writing Parquet (staging and snapshot files), and the commit's links, moves and pointer swap.
# Compaction's merge of one partition is a kill point of its own (its writes are write_atomic calls).
KILL_POINTS = ("read_source", "write_atomic", "_move_new", "link", "replace", "_compact_partition")
# The modules whose attribute each kill point replaces: where its callers look the name up.
HOLDERS = {
    "read_source": (store,),
    "write_atomic": (parquet,),
    "_move_new": (snapshot,),
    "_compact_partition": (snapshot,),
    "os": (parquet, snapshot, manifest),
}
# A bound low enough that the small test corpus is compacted in both runs, so kills land inside compaction too;
# set by serve() only, since test modules import KILL_POINTS from here.
COMPACTION_BOUND = 1


def arm(function: str, n: int) -> None:
    calls = 0

    def wrap(real):  # type: ignore[no-untyped-def]
        def killing(*args, **kwargs):  # type: ignore[no-untyped-def]
            nonlocal calls
            calls += 1
            if calls == n:
                os.killpg(os.getpgrp(), signal.SIGKILL)
            return real(*args, **kwargs)

        return killing

    if function in ("link", "replace"):
        # os.link and os.replace as the store module calls them (hard links into a snapshot, renames, the swap).
        fake_os = type(sys)("os_with_kill_point")
        fake_os.__dict__.update(os.__dict__)
        setattr(fake_os, function, wrap(getattr(os, function)))
        for module in HOLDERS["os"]:
            module.os = fake_os  # type: ignore[attr-defined]
    else:
        for module in HOLDERS[function]:
            setattr(module, function, wrap(getattr(module, function)))


def warm_up() -> None:
    models = load_models(DEFAULT_MODELS)
    models.detector("Le maire de Lyon a inauguré la passerelle hier soir.")
    ner = models.ner_for("fr")
    assert ner is not None
    ner(["Le maire de Lyon a inauguré la passerelle."])


def serve() -> None:
    snapshot.MAX_SMALL_FILES = COMPACTION_BOUND
    warm_up()
    for line in sys.stdin:
        function, n, argv = json.loads(line)
        assert function in KILL_POINTS, __doc__
        pid = os.fork()
        if pid == 0:
            os.setsid()  # its own process group: the kill takes the child and nothing else
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            if n:
                arm(function, n)
            try:
                code = news_etl.main(argv)
            except BaseException:  # noqa: BLE001 - the exit code is the report
                code = 1
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        print(os.waitstatus_to_exitcode(status), flush=True)


if __name__ == "__main__":
    serve()
