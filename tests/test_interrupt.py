"""Ctrl-C: a signal to the process group of a direct run ends it within seconds with one line; a rerun completes.

The run uses Prefect's embedded server (no PREFECT_API_URL), the case where the server used to die first and leave
the run retrying a dead API for a minute and a half. `make reliability` runs this: each case starts the flow twice.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from flows.interrupt import MESSAGE
from tests.tables import assert_same_tables, read_tables
from tests.test_deployment import REPO
from tests.test_reliability import article

pytestmark = [pytest.mark.reliability, pytest.mark.timeout(1800)]

ARTICLES = 300


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    inp = tmp_path_factory.mktemp("articles")
    for i in range(ARTICLES):
        (inp / f"d{i % 10}").mkdir(exist_ok=True)
        (inp / f"d{i % 10}" / f"{i}.txt").write_text(article(i) + f"\n\nDépêche numéro {i}.")
    return inp


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An environment with its own Prefect home and no API URL: every run starts its embedded server."""
    home = tmp_path_factory.mktemp("prefect-home")
    base = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    return base | {"PREFECT_HOME": str(home), "PYTHONPATH": str(REPO)}


def start(env: dict[str, str], inp: Path, out: Path, log: Path, *extra: str) -> subprocess.Popen[bytes]:
    """The CLI in a process group of its own, as a terminal starts a job."""
    argv = [sys.executable, "-m", "flows.news_etl", "--input", str(inp), "--output", str(out), "--shard-size", "20"]
    with open(log, "wb") as f:
        return subprocess.Popen(
            [*argv, *extra], env=env, cwd=REPO, stdout=f, stderr=subprocess.STDOUT, start_new_session=True
        )


def run_to_end(env: dict[str, str], inp: Path, out: Path, log: Path, *extra: str) -> None:
    proc = start(env, inp, out, log, *extra)
    assert proc.wait(timeout=1200) == 0, log.read_text()


@pytest.fixture(scope="module")
def reference(env: dict[str, str], corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    folder = tmp_path_factory.mktemp("reference")
    run_to_end(env, corpus, folder / "data", folder / "log.txt")
    yield read_tables(folder / "data")


def processes_of(home: str) -> list[psutil.Process]:
    found = []
    for p in psutil.process_iter():
        try:
            if p.environ().get("PREFECT_HOME") == home:
                found.append(p)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


@pytest.mark.parametrize(("signum", "workers"), [(signal.SIGINT, "1"), (signal.SIGTERM, "2")])
def test_a_signal_to_the_group_stops_the_run_with_one_line_and_a_rerun_completes(
    env: dict[str, str], corpus: Path, reference: dict, tmp_path: Path, signum: int, workers: str
) -> None:
    out, log = tmp_path / "data", tmp_path / "log.txt"
    proc = start(env, corpus, out, log, "--workers", workers)
    deadline = time.monotonic() + 900
    while "shard 1/" not in log.read_text(errors="replace"):
        assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)
    seen = len(log.read_bytes())
    t0 = time.monotonic()
    os.killpg(proc.pid, signum)
    code = proc.wait(timeout=60)
    elapsed = time.monotonic() - t0
    after = log.read_bytes()[seen:].decode(errors="replace")
    assert code == 130, after
    assert [line for line in after.splitlines() if line.strip()] == [MESSAGE]
    assert elapsed < 10, f"took {elapsed:.1f} s to stop"
    # Nothing of the server or the workers outlives the run.
    time.sleep(3)
    assert processes_of(env["PREFECT_HOME"]) == []
    # The run had not reached its commit: no table was published.
    assert not (out / ".current").exists() and not (out / "documents").exists()

    run_to_end(env, corpus, out, tmp_path / "rerun.txt", "--workers", workers)
    assert "removed .staging/" in (tmp_path / "rerun.txt").read_text()
    assert_same_tables(read_tables(out), reference)
    print(f"\n{signal.Signals(signum).name} with {workers} worker(s): exit {code} after {elapsed:.1f} s")
