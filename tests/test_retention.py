"""Snapshot retention and restore: N commits can be undone, atomically, never under a running run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flows import restore as restore_cli
from tasks import store
from tasks.store import retention
from tasks.store.schemas import REJECTS
from tests.test_store import doc, run_record, stage, texts

REPO = Path(__file__).resolve().parents[1]


def five_commits(out: Path, keep: int) -> list[str]:
    """Commits r1..r5, each adding one document; returns the snapshot names, oldest first."""
    names = []
    for i in range(1, 6):
        parts = [stage(out, f"r{i}", f"p{i}", [doc(f"d{i}", f"T{i}")])]
        snap = store.commit(
            out,
            run=run_record(f"r{i}"),
            staged=parts,
            remove_sources=(),
            full_refresh=False,
            rejects=store.to_table([], REJECTS),
            keep_snapshots=keep,
        )
        names.append(snap.name)
    return names


@pytest.mark.parametrize("keep", [1, 3])
def test_commit_keeps_the_current_snapshot_and_keep_predecessors(tmp_path: Path, keep: int) -> None:
    out = tmp_path / "out"
    names = five_commits(out, keep)
    on_disk = sorted(d.name for d in (out / ".snapshots").iterdir())
    assert on_disk == names[-(keep + 1) :]
    assert [s.name for s in store.lineage(out)] == list(reversed(names[-(keep + 1) :]))
    assert [s.steps_back for s in store.lineage(out)] == list(range(keep + 1))


def test_recover_keeps_the_chain_and_removes_an_unfinished_snapshot(tmp_path: Path) -> None:
    out = tmp_path / "out"
    names = five_commits(out, 3)
    (out / ".snapshots" / "00000006-killed").mkdir()
    assert store.recover(out, keep=3) == [".snapshots/00000006-killed"]
    assert sorted(d.name for d in (out / ".snapshots").iterdir()) == names[1:]
    # A smaller retention on a later run trims the chain.
    assert store.recover(out, keep=1) == [f".snapshots/{names[1]}", f".snapshots/{names[2]}"]


def test_restore_by_steps_then_by_name_forward_again(tmp_path: Path) -> None:
    out = tmp_path / "out"
    names = five_commits(out, 3)
    assert texts(out) == {f"d{i}": f"T{i}" for i in range(1, 6)}
    assert store.restore(out, steps=2).name == names[2]
    assert texts(out) == {f"d{i}": f"T{i}" for i in range(1, 4)}
    assert os.readlink(out / ".current") == f".snapshots/{names[2]}"
    # The undone snapshots stay on disk until the next run, so a restore can itself be undone.
    assert store.restore(out, snapshot=names[4]).name == names[4]
    assert texts(out) == {f"d{i}": f"T{i}" for i in range(1, 6)}
    with pytest.raises(store.StoreError, match="cannot go 4 commits back"):
        store.restore(out, steps=4)
    with pytest.raises(store.StoreError, match="no complete snapshot 00000001"):
        store.restore(out, snapshot="00000001-r1")
    with pytest.raises(store.StoreError, match="not a snapshot name"):
        store.restore(out, snapshot="../x")
    assert texts(out) == {f"d{i}": f"T{i}" for i in range(1, 6)}


def test_a_snapshot_without_its_info_file_is_never_restored(tmp_path: Path) -> None:
    out = tmp_path / "out"
    names = five_commits(out, 3)
    (out / ".snapshots" / names[3] / "_depeche.json").unlink()
    # The chain stops at the incomplete snapshot: only the current one is left to go back from.
    assert [s.name for s in store.lineage(out)] == [names[4]]
    with pytest.raises(store.StoreError, match="cannot go 1 commits back"):
        store.restore(out, steps=1)


def test_restore_cli_refuses_while_a_run_holds_the_lock(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    names = five_commits(out, 3)
    with store.locked(out, run_id="busy"):
        assert restore_cli.main(["--output", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "in use by a run (run busy, pid" in err and err.count("\n") == 1
    assert os.readlink(out / ".current") == f".snapshots/{names[4]}"
    assert restore_cli.main(["--output", str(out), "--steps", "1"]) == 0
    assert f"restored {names[3]} (run r4); was {names[4]}" in capsys.readouterr().out
    assert restore_cli.main(["--output", str(out), "--list"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[:2] for line in listing] == [["0", names[3]], ["1", names[2]], ["2", names[1]]]
    assert restore_cli.main(["--output", str(tmp_path / "nothing")]) == 1
    assert "no depeche tables" in capsys.readouterr().err


def test_restore_is_a_module_command(tmp_path: Path) -> None:
    out = tmp_path / "out"
    names = five_commits(out, 3)
    done = subprocess.run(
        [sys.executable, "-m", "flows.restore", "--output", str(out), "--snapshot", names[1]],
        cwd=REPO,
        env=os.environ | {"PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert texts(out) == {"d1": "T1", "d2": "T2"}
    assert retention.kept_snapshots(out, 3) == {names[1]}  # r1 went at the fifth commit
