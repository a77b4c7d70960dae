"""Crash safety: SIGKILL the flow at seeded random kill points, rerun, and compare with an uninterrupted run.

`make reliability` runs this (CI too); it takes several minutes, so `make test` leaves it out.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from tasks.store.schemas import DOCUMENT_TABLES
from tests.crash_driver import KILL_POINTS
from tests.servers import prefect_server
from tests.tables import assert_same_tables, read_tables
from tests.test_deployment import REPO

pytestmark = [pytest.mark.reliability, pytest.mark.timeout(3600)]

KILLS = int(os.environ.get("DEPECHE_KILLS", "20"))
# How often each kill point is reached in the v2 run below, with tests/crash_driver.py's low compaction bound
# (measured by counting calls: duplicate index, manifest segments, flag rewrites and compaction included; the merges
# leave few files to link); a kill draws N within it.
CALLS = {"read_source": 4, "write_atomic": 59, "_move_new": 13, "link": 1, "replace": 74, "_compact_partition": 3}

ARTICLES = [
    " date 2023-0{m} Le ministre {who} a rencontré à {city} son homologue, mardi {d} {mois} 2023.\n\n"
    "{who} promet un soutien\n\nLa coopération entre les deux pays sera renforcée, a-t-il déclaré.",
]
WHO = ["Jean Dupont", "Marie Curie", "Paul Martin", "Ana Silva", "Karl Weber", "Lucie Moreau", "Omar Diallo"]
CITIES = ["Lyon", "Bamako", "Dakar", "Paris", "Nantes", "Genève", "Rabat"]
MOIS = {1: "janvier", 2: "février", 3: "mars"}


def article(i: int, version: int = 1) -> str:
    m = 1 + i % 3
    text = ARTICLES[0].format(m=m, who=WHO[i % 7], city=CITIES[(i + version) % 7], d=3 + i, mois=MOIS[m])
    return text if version == 1 else text + f"\n\nMise à jour {version}."


def write_corpus(folder: Path, version: int) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "a" / "b").mkdir(parents=True)
    names = [f"a/{i}.txt" if i % 2 else f"a/b/{i}.txt" for i in range(7)]
    for i, name in enumerate(names):
        if version == 2 and i == 6:
            continue  # deleted in v2 (kept in the tables: no prune)
        (folder / name).write_text(article(i, 2 if version == 2 and i in (1, 2) else 1))
    if version == 2:
        (folder / "a" / "new.txt").write_text(article(9))
        (folder / "broken.txt").write_bytes(b"\x00\x01binary")


class Runner:
    """Talks to the fork server in tests/crash_driver.py: one flow run per call, its exit code back."""

    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.crash_driver"],
            env=env,
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def __call__(self, inp: Path, out: Path, point: str = "read_source", n: int = 0) -> int:
        argv = ["--input", str(inp), "--output", str(out), "--shard-size", "2"]
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps([point, n, argv]) + "\n")
        self.proc.stdin.flush()
        return int(self.proc.stdout.readline())

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runner]:
    """One Prefect server for all runs: the killed runs would otherwise orphan their embedded servers."""
    with prefect_server(tmp_path_factory.mktemp("prefect-home")) as env:
        runner = Runner(env)
        yield runner
        runner.close()


@pytest.fixture
def corpora(tmp_path: Path) -> tuple[Path, Path]:
    """The corpus before and after an update: two changed files, one new, one deleted, one binary."""
    v1, v2 = tmp_path / "v1", tmp_path / "v2"
    write_corpus(v1, 1)
    write_corpus(v2, 2)
    return v1, v2


def test_sigkill_at_random_points_then_rerun_equals_uninterrupted(
    run: Runner, corpora: tuple[Path, Path], tmp_path: Path
) -> None:
    v1, v2 = corpora
    base = tmp_path / "base"
    assert run(v1, base) == 0
    before = read_tables(base)
    reference = tmp_path / "reference"
    shutil.copytree(base, reference, symlinks=True)
    assert run(v2, reference) == 0
    after = read_tables(reference)
    assert len(after["documents"]) == len(before["documents"]) + 1  # one new; the changed ones replaced

    rng = random.Random(20261129)
    points = [(p, rng.randint(1, CALLS[p])) for p in (KILL_POINTS * KILLS)[:KILLS]]
    killed = 0
    for i, (point, n) in enumerate(points):
        out = tmp_path / f"kill-{i}"
        shutil.copytree(base, out, symlinks=True)
        code = run(v2, out, point, n)
        killed += code == -signal.SIGKILL
        # Whatever the kill interrupted, a reader sees the old state or the new one, complete.
        seen = read_tables(out)
        try:
            assert_same_tables(seen, before)
        except AssertionError:
            assert_same_tables(seen, after)
        assert run(v2, out) == 0, f"rerun after kill at {point}#{n} failed"
        assert_same_tables(read_tables(out), after)
        for t in DOCUMENT_TABLES:
            assert not list((out / t).rglob(".*")), f"temporary files visible in {t} after kill at {point}#{n}"
            assert not pd.read_parquet(out / t).duplicated().any()
        shutil.rmtree(out)
    assert killed >= KILLS * 3 // 4, f"only {killed} of {KILLS} runs were actually killed"
    print(f"\nkill points tried: {KILLS}, killed: {killed}, data lost: 0, duplicates: 0")


def test_reader_polling_during_runs_never_fails_or_sees_a_mix(
    run: Runner, corpora: tuple[Path, Path], tmp_path: Path
) -> None:
    v1, v2 = corpora
    out = tmp_path / "out"
    assert run(v1, out) == 0
    before = frozenset(pd.read_parquet(out / "documents")["content_sha256"])
    errors: list[str] = []
    plain_misses: list[str] = []
    seen: list[frozenset[str]] = []
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            # The documented consistent read: resolve the snapshot once, then read from it.
            try:
                snap = (out / ".current").resolve()
                seen.append(frozenset(pd.read_parquet(snap / "documents")["content_sha256"]))
            except Exception as exc:  # noqa: BLE001 - any failure of a reader is what this test looks for
                errors.append(repr(exc))
            # A plain read of the table folder: never a mix; across the swap it may miss a renamed file.
            try:
                seen.append(frozenset(pd.read_parquet(out / "documents")["content_sha256"]))
            except FileNotFoundError as exc:
                plain_misses.append(repr(exc))
            time.sleep(0.002)

    reader = threading.Thread(target=poll)
    reader.start()
    try:
        assert run(v2, out) == 0
    finally:
        stop.set()
        reader.join()
    after = frozenset(pd.read_parquet(out / "documents")["content_sha256"])
    assert errors == []
    assert len(seen) > 10
    assert set(seen) <= {before, after} and after in set(seen)
    assert len(plain_misses) <= 1
    print(f"\npolled {len(seen)} reads: none failed or mixed; plain reads that missed a file: {len(plain_misses)}")
