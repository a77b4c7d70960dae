"""Live progress of a run: a Prefect progress artifact, log lines with rate and ETA, a terminal bar on direct runs."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from types import TracebackType
from typing import TextIO
from uuid import UUID

from prefect import get_run_logger
from prefect.artifacts import create_progress_artifact, update_progress_artifact

PROGRESS_KEY = "news-etl-progress"


def wants_bar(*, is_tty: bool, term: str | None, deployed: bool, setting: str | None) -> bool:
    """A bar only for a person watching: a terminal that can redraw, a direct run, unless DEPECHE_PROGRESS says."""
    if setting is not None and setting.strip().lower() in ("0", "false", "no", "off"):
        return False
    if setting is not None and setting.strip().lower() in ("1", "true", "yes", "on"):
        return is_tty
    return is_tty and not deployed and (term or "dumb") != "dumb"


def percent(done: int, total: int) -> float:
    """Share of work done in 0..100; an empty run is complete."""
    return 100.0 if total <= 0 else round(100.0 * min(done, total) / total, 1)


def eta_seconds(done: int, total: int, elapsed: float) -> float | None:
    """Seconds left at the rate so far; None before anything is done."""
    if done <= 0 or elapsed <= 0:
        return None
    return max(total - done, 0) * elapsed / done


def format_eta(seconds: float | None) -> str:
    """`ETA 1h02m`, `ETA 3m05s`, `ETA 12s`, or `ETA unknown`."""
    if seconds is None:
        return "ETA unknown"
    s = round(seconds)
    if s >= 3600:
        return f"ETA {s // 3600}h{s % 3600 // 60:02d}m"
    if s >= 60:
        return f"ETA {s // 60}m{s % 60:02d}s"
    return f"ETA {s}s"


@dataclass
class _Counts:
    shards: int = 0
    files: int = 0
    documents: int = 0


class RunProgress:
    """Progress over a run's shards, in files: the artifact from 0 to 100 %, a log line and the bar per shard."""

    def __init__(self, total_shards: int, total_files: int, *, deployed: bool, stream: TextIO | None = None) -> None:
        self.total_shards, self.total_files = total_shards, total_files
        self.done = _Counts()
        self.log = get_run_logger()
        self.t0 = time.perf_counter()
        stream = stream or sys.stderr
        self.bar = None
        if wants_bar(
            is_tty=stream.isatty(),
            term=os.environ.get("TERM"),
            deployed=deployed,
            setting=os.environ.get("DEPECHE_PROGRESS"),
        ):
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(
                TextColumn("news-etl"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("files {task.fields[rate]}"),
                TimeRemainingColumn(),
                console=Console(file=stream),
                transient=True,
            )
            self.bar_task = self.bar.add_task("files", total=total_files, rate="")
        self.artifact_id: UUID = create_progress_artifact(
            percent(0, total_files),
            key=PROGRESS_KEY,
            description=f"news-etl: {total_files} files in {total_shards} shards",
        )  # type: ignore[assignment]

    def __enter__(self) -> RunProgress:
        if self.bar is not None:
            self.bar.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self.bar is not None:
            self.bar.stop()

    def shard_done(self, files: int, documents: int) -> None:
        """Count one finished shard and report it everywhere."""
        self.done.shards += 1
        self.done.files += files
        self.done.documents += documents
        elapsed = time.perf_counter() - self.t0
        rate = self.done.documents / max(elapsed, 1e-9)
        eta = eta_seconds(self.done.files, self.total_files, elapsed)
        update_progress_artifact(self.artifact_id, percent(self.done.files, self.total_files))
        # The head of the line stays `shard i/n done: N documents`: benchmarks/bench.py reads it.
        self.log.info(
            "shard %d/%d done: %d documents, %d/%d files, %.3g documents/s, %s",
            self.done.shards,
            self.total_shards,
            self.done.documents,
            self.done.files,
            self.total_files,
            rate,
            format_eta(eta),
        )
        if self.bar is not None:
            self.bar.update(self.bar_task, completed=self.done.files, rate=f"{rate:.1f} docs/s")
