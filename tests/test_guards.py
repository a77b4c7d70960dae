"""Destructive runs are guarded and failures are one line: prune and full refresh refusals, restore, bad outputs."""

from __future__ import annotations

import errno
import logging
import os
import shutil
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

from flows import restore as restore_cli
from flows.news_etl import main, news_etl
from tasks import store
from tests.tables import assert_same_tables, read_tables
from tests.test_reliability import article

pytestmark = pytest.mark.slow

ARTICLES = 12


def write_articles(folder: Path, skip: tuple[int, ...] = ()) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    for i in range(ARTICLES):
        if i not in skip:
            (folder / f"s{i % 3}").mkdir(parents=True, exist_ok=True)
            (folder / f"s{i % 3}" / f"{i}.txt").write_text(article(i) + f"\n\nDépêche {i}.")


@pytest.fixture(scope="module")
def committed(prefect_server: None, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An output holding the twelve articles, committed once; tests copy it before changing anything."""
    inp = tmp_path_factory.mktemp("in") / "articles"
    out = tmp_path_factory.mktemp("out") / "data"
    write_articles(inp)
    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        assert news_etl(input_dir=inp, output_dir=out, shard_size=6)["documents"] == ARTICLES
    return inp, out


def copy_of(out: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "data"
    shutil.copytree(out, dst, symlinks=True)
    return dst


def run(inp: Path, out: Path, **params: object) -> object:
    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        return news_etl(input_dir=inp, output_dir=out, shard_size=6, **params)


def test_prune_of_an_empty_input_is_refused_and_nothing_changes(committed: tuple[Path, Path], tmp_path: Path) -> None:
    _, base = committed
    out = copy_of(base, tmp_path)
    before, current = read_tables(out), os.readlink(out / ".current")
    empty = tmp_path / "unmounted"
    empty.mkdir()
    with pytest.raises(store.StoreError, match=r"holds no \*\.txt file, so prune would remove all 12 documents"):
        run(empty, out, prune=True)
    assert os.readlink(out / ".current") == current
    assert_same_tables(read_tables(out), before)
    assert len(pd.read_parquet(out / "runs")) == 1


def test_a_large_prune_is_refused_in_the_state_message_then_forced_and_restored(
    committed: tuple[Path, Path], tmp_path: Path
) -> None:
    inp, base = committed
    out = copy_of(base, tmp_path)
    before = read_tables(out)
    fewer = tmp_path / "fewer"
    write_articles(fewer, skip=(0, 1, 2))  # 3 of 12 gone: 25 %, above the default 10 %

    state = run(fewer, out, prune=True, return_state=True)
    assert state.is_failed()  # type: ignore[attr-defined]
    message = state.message  # type: ignore[attr-defined]
    assert message.startswith("refused, nothing was changed: this run would remove 3 of 12 documents (25%)")
    assert "--force-prune" in message and "\n" not in message
    assert_same_tables(read_tables(out), before)

    assert run(fewer, out, prune=True, force_prune=True)["documents"] == 0  # type: ignore[index]
    assert len(read_tables(out)["documents"]) == ARTICLES - 3
    runs = pd.read_parquet(out / "runs").sort_values("started_at")
    assert list(runs["documents_removed"]) == [0, 3]
    assert list(runs["files_deleted"]) == [0, 3]
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    with get_client(sync_client=True) as client:
        latest = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["news-etl-run"])),
            sort=ArtifactSort.CREATED_DESC,
            limit=1,
        )[0]
    assert "Documents removed (their files left the input; prune or full refresh): 3" in str(latest.data)

    # The mistake is undone by the restore command: the tables are those of before the prune.
    assert restore_cli.main(["--output", str(out)]) == 0
    assert_same_tables(read_tables(out), before)
    assert len(pd.read_parquet(out / "runs")) == 1
    # The next run sees the files still missing, and refuses again instead of pruning them a second time.
    with pytest.raises(store.StoreError, match="would remove 3 of 12"):
        run(fewer, out, prune=True)
    assert run(inp, out, prune=True)["files_processed"] == 0  # type: ignore[index]


def test_full_refresh_that_would_drop_documents_is_refused(committed: tuple[Path, Path], tmp_path: Path) -> None:
    _, base = committed
    out = copy_of(base, tmp_path)
    fewer = tmp_path / "fewer"
    write_articles(fewer, skip=(0, 1, 2, 3, 4))
    with pytest.raises(store.StoreError, match=r"would remove 5 of 12 documents \(42%\)"):
        run(fewer, out, full_refresh=True)
    assert len(read_tables(out)["documents"]) == ARTICLES
    assert run(fewer, out, full_refresh=True, max_prune_share=0.5)["documents"] == ARTICLES - 5  # type: ignore[index]
    assert list(pd.read_parquet(out / "runs").sort_values("started_at")["documents_removed"]) == [0, 5]


def one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err
    assert lines[-1].startswith("error: ")
    return lines[-1]


def test_an_output_under_a_regular_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "afile").write_text("x")
    assert main(["--input", str(tmp_path / "in"), "--output", str(tmp_path / "afile" / "data")]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert f"{tmp_path / 'afile'} is a file, not a folder; choose another --output" in line


def test_an_unwritable_output_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "in").mkdir()
    real = Path.write_bytes

    def refused(self: Path, data: bytes) -> int:
        if self.name.startswith(".write-test"):
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self, data)

    # Tests run as root, where chmod takes nothing away: the write is refused as it would be for a user.
    monkeypatch.setattr(Path, "write_bytes", refused)
    assert main(["--input", str(tmp_path / "in"), "--output", str(tmp_path / "ro")]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert f"output {tmp_path / 'ro'} is not writable (Permission denied)" in line


def test_a_locked_output_is_reported_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "in").mkdir()
    out = tmp_path / "data"
    with store.locked(out, run_id="nightly"):
        t0 = time.monotonic()
        assert main(["--input", str(tmp_path / "in"), "--output", str(out)]) == 1
        elapsed = time.monotonic() - t0
        line = one_error_line(capsys.readouterr().err)
        with pytest.raises(store.StoreError, match="in use by another run"):
            main(["--input", str(tmp_path / "in"), "--output", str(out), "--debug"])
    assert f"output {out} is in use by another run (run nightly, pid {os.getpid()})" in line
    assert "--lock-wait-seconds" in line
    # Checked before Prefect starts: no server, no flow run, well under a second even on a loaded machine.
    assert elapsed < 1.0


def test_a_full_disk_is_one_line_and_the_tables_are_unchanged(
    committed: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, base = committed
    out = copy_of(base, tmp_path)
    before = read_tables(out)
    more = tmp_path / "more"
    write_articles(more)
    (more / "new.txt").write_text(article(20))
    from tasks.store import parquet

    def full(table: object, where: object, **kw: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(where))

    monkeypatch.setattr(parquet.pq, "write_table", full)
    assert main(["--input", str(more), "--output", str(out)]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert f"{out / '.staging'}" in line
    assert "no space left on device; free space there or choose another --output" in line
    assert line.endswith("the next run resumes from the last commit")
    monkeypatch.undo()
    assert_same_tables(read_tables(out), before)


def test_console_lines_of_expected_failures_lose_their_traceback_and_others_keep_it() -> None:
    from flows.errors import _OneLine

    formatter = _OneLine(logging.Formatter("%(levelname)s %(message)s"))

    def record(exc: BaseException) -> logging.LogRecord:
        try:
            raise exc
        except BaseException:
            return logging.LogRecord(
                "prefect.task_runs", logging.ERROR, __file__, 1, "failed: %s", ("x",), sys.exc_info()
            )

    full = record(OSError(errno.ENOSPC, "No space left on device", "/out/f.parquet"))
    assert formatter.format(full) == "ERROR failed: x"
    assert full.exc_info is not None  # left for the API handler, which sends the traceback to the UI
    assert "Traceback" in formatter.format(record(ValueError("a bug")))
    assert "Traceback" not in formatter.format(record(store.StoreError("locked")))
